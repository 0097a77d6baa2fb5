//! The web console's login sessions: a random session id stands for the token a
//! curator logged in with, so the browser never holds the token itself. Sessions live
//! in memory (a restart logs everyone out) and end after [`SESSION_IDLE`] without a
//! request, at logout, or as soon as their token is revoked.
//!
//! Invariants: a session id is 32 bytes from the operating system's random source and
//! is only ever compared, never logged; a session keeps the keyed hash of its token
//! (never the secret) and is checked against the live tokens on every use, so a
//! revoked (or revoked and re-created) token authenticates no session; at most
//! [`MAX_SESSIONS`] are kept, the least recently used giving way.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::Secret;

use super::{Curator, Origin, Triage, TriageError};

/// A session unused this long is over.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 60 * 60);
/// Most sessions kept at once.
pub const MAX_SESSIONS: usize = 10_000;

/// One logged-in browser.
struct Session {
    /// The keyed hash of the token it logged in with.
    token_hash: [u8; 32],
    last_seen: Instant,
}

/// Live sessions by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    fn open(&self, id: String, token_hash: [u8; 32], now: Instant) {
        let mut sessions = self.0.lock().expect("sessions lock");
        sessions.retain(|_, s| now.duration_since(s.last_seen) < SESSION_IDLE);
        if sessions.len() >= MAX_SESSIONS {
            let oldest = sessions
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                sessions.remove(&oldest);
            }
        }
        let last_seen = now;
        sessions.insert(
            id,
            Session {
                token_hash,
                last_seen,
            },
        );
    }

    /// The token hash of live session `id`, used now; an idle one is dropped.
    fn touch(&self, id: &str, now: Instant) -> Option<[u8; 32]> {
        let mut sessions = self.0.lock().expect("sessions lock");
        let session = sessions.get_mut(id)?;
        if now.duration_since(session.last_seen) >= SESSION_IDLE {
            sessions.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.token_hash)
    }

    fn close(&self, id: &str) {
        self.0.lock().expect("sessions lock").remove(id);
    }
}

impl Triage {
    /// Logs in with the token `secret`: a new session id for the console's cookie, or
    /// `None` when the token is unknown or revoked.
    pub fn open_session(&self, secret: &str) -> Result<Option<Secret>, TriageError> {
        let hash = self.community()?.store.token_hash(secret);
        if self.curator_by_hash(&hash, Origin::Console)?.is_none() {
            return Ok(None);
        }
        let id = super::curators::random_hex()?;
        self.sessions.open(id.clone(), hash, Instant::now());
        Ok(Some(Secret::new(id)))
    }

    /// The curator session `id` stands for, acting from the console; `None` when
    /// there is no such session, it was idle too long, or its token was revoked
    /// (which ends it).
    pub fn session_curator(&self, id: &str) -> Result<Option<Curator>, TriageError> {
        self.session_curator_at(id, Instant::now())
    }

    fn session_curator_at(&self, id: &str, now: Instant) -> Result<Option<Curator>, TriageError> {
        let Some(hash) = self.sessions.touch(id, now) else {
            return Ok(None);
        };
        let curator = self.curator_by_hash(&hash, Origin::Console)?;
        if curator.is_none() {
            self.sessions.close(id);
        }
        Ok(curator)
    }

    /// Logs session `id` out (nothing when it is not live).
    pub fn close_session(&self, id: &str) {
        self.sessions.close(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_after_twelve_idle_hours_and_lives_while_used() {
        let sessions = Sessions::default();
        let start = Instant::now();
        sessions.open("a".into(), [1; 32], start);
        let later = start + SESSION_IDLE - Duration::from_secs(1);
        assert_eq!(sessions.touch("a", later), Some([1; 32]));
        let used = later + SESSION_IDLE - Duration::from_secs(1);
        assert_eq!(sessions.touch("a", used), Some([1; 32]), "use keeps it");
        assert_eq!(sessions.touch("a", used + SESSION_IDLE), None);
        assert_eq!(sessions.touch("a", used), None, "an idle session is gone");
        assert_eq!(sessions.touch("b", start), None);
    }

    #[test]
    fn logging_out_ends_only_that_session() {
        let sessions = Sessions::default();
        let now = Instant::now();
        sessions.open("a".into(), [1; 32], now);
        sessions.open("b".into(), [1; 32], now);
        sessions.close("a");
        assert_eq!(sessions.touch("a", now), None);
        assert_eq!(sessions.touch("b", now), Some([1; 32]));
    }
}
