//! Who a curator is and where they act from: API tokens (create, list, revoke,
//! authenticate), the service's own token for the CLI, and the audit log every
//! curator action is written to.
//!
//! Invariants: a token secret is shown once, when it is created, and only its keyed hash
//! is stored; authentication compares hashes in constant time; a revoked token never
//! authenticates again; creating and revoking a token are themselves audited; the
//! audit log is append-only (the store's decision log) and every curator decision in
//! `reports` goes through [`Triage::audit_write`], so it names who, what, when and from
//! where.

use std::fmt;
use std::sync::RwLock;

use crate::config::Secret;
use crate::store::{Decision, StoredToken};

use super::{Triage, TriageError, now};

/// Where a curator acted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Telegram buttons and commands.
    Telegram,
    /// The JSON API with a bearer token.
    Api,
    /// The web console.
    Console,
    /// The command line (directly, or through a running service).
    Cli,
}

impl Origin {
    /// The stable name written to the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Telegram => "telegram",
            Origin::Api => "api",
            Origin::Console => "console",
            Origin::Cli => "cli",
        }
    }
}

/// A curator identified for one action: a name (token name, or `telegram:` and a
/// keyed hash) and where they act from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Curator {
    /// Who, as written to the audit log.
    pub name: String,
    /// From where.
    pub origin: Origin,
}

impl Curator {
    /// The person at the terminal.
    pub fn cli() -> Self {
        Self {
            name: "cli".into(),
            origin: Origin::Cli,
        }
    }

    /// A curator in Telegram, as [`Triage::telegram_actor`] names them.
    pub fn telegram(name: String) -> Self {
        Self {
            name,
            origin: Origin::Telegram,
        }
    }
}

impl fmt::Display for Curator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.origin.as_str())
    }
}

/// A token as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its name.
    pub name: String,
    /// When it was created, unix seconds.
    pub created_at: u64,
    /// When it was revoked, unix seconds.
    pub revoked_at: Option<u64>,
}

/// One audit-log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log (increasing).
    pub seq: u64,
    /// Who, what, when, from where.
    pub decision: Decision,
}

/// The token the running service gives the CLI (kept in memory only).
#[derive(Default)]
pub(crate) struct ServiceToken(RwLock<Option<[u8; 32]>>);

/// Name the service's own token acts under.
const SERVICE_TOKEN_NAME: &str = "cli";
/// Longest token name.
const MAX_TOKEN_NAME: usize = 64;

impl Triage {
    /// Creates a token called `name` and returns its secret (shown once).
    pub fn create_token(&self, name: &str, by: &Curator) -> Result<Secret, TriageError> {
        let c = self.community()?;
        check_token_name(name)?;
        let secret = new_secret()?;
        let at = now();
        c.store.put_token(&StoredToken {
            name: name.into(),
            hash: c.store.token_hash(&secret),
            created_at: at,
            revoked_at: None,
        })?;
        self.audit_write(by, "token-create", name, "", at)?;
        Ok(Secret::new(secret))
    }

    /// Every token, live and revoked, without secrets.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, TriageError> {
        let tokens = self.community()?.store.tokens()?;
        Ok(tokens
            .into_iter()
            .map(|t| TokenInfo {
                name: t.name,
                created_at: t.created_at,
                revoked_at: t.revoked_at,
            })
            .collect())
    }

    /// Revokes the live token called `name`.
    pub fn revoke_token(&self, name: &str, by: &Curator) -> Result<(), TriageError> {
        let c = self.community()?;
        let at = now();
        if !c.store.revoke_token(name, at)? {
            return Err(TriageError::UnknownToken(name.into()));
        }
        self.audit_write(by, "token-revoke", name, "", at)
    }

    /// The curator a bearer `secret` stands for, acting from `origin` (the service's
    /// own token always acts from the CLI); `None` for an unknown or revoked token.
    pub fn authenticate(
        &self,
        secret: &str,
        origin: Origin,
    ) -> Result<Option<Curator>, TriageError> {
        let hash = self.community()?.store.token_hash(secret);
        self.curator_by_hash(&hash, origin)
    }

    /// The curator the token with keyed hash `hash` stands for, as
    /// [`Triage::authenticate`].
    pub(crate) fn curator_by_hash(
        &self,
        hash: &[u8; 32],
        origin: Origin,
    ) -> Result<Option<Curator>, TriageError> {
        let c = self.community()?;
        let service = *self.service_token.0.read().expect("service token lock");
        if service.is_some_and(|s| constant_time_eq::constant_time_eq(&s, hash)) {
            return Ok(Some(Curator::cli()));
        }
        let found =
            c.store.tokens()?.into_iter().find(|t| {
                t.revoked_at.is_none() && constant_time_eq::constant_time_eq(&t.hash, hash)
            });
        Ok(found.map(|t| Curator {
            name: t.name,
            origin,
        }))
    }

    /// Issues the running service's token for the CLI (replacing any earlier one);
    /// it lives in memory only and dies with the process.
    pub fn issue_service_token(&self) -> Result<Secret, TriageError> {
        let c = self.community()?;
        let secret = new_secret()?;
        *self.service_token.0.write().expect("service token lock") =
            Some(c.store.token_hash(&secret));
        Ok(Secret::new(secret))
    }

    /// The audit log, oldest first, `limit` entries after `after`.
    pub fn audit(&self, after: Option<u64>, limit: usize) -> Result<Vec<AuditEntry>, TriageError> {
        let entries = self.community()?.store.decisions(after, limit)?;
        Ok(entries
            .into_iter()
            .map(|(seq, decision)| AuditEntry { seq, decision })
            .collect())
    }

    /// The newest `limit` audit entries, newest first.
    pub fn audit_latest(&self, limit: usize) -> Result<Vec<AuditEntry>, TriageError> {
        let mut all = self.audit(None, usize::MAX)?;
        all.reverse();
        all.truncate(limit);
        Ok(all)
    }

    /// Appends one curator action to the audit log (durable on return).
    pub(crate) fn audit_write(
        &self,
        by: &Curator,
        action: &str,
        target: &str,
        note: &str,
        at: u64,
    ) -> Result<(), TriageError> {
        let decision = by.decision(action, target, note, at);
        self.community()?.store.log_decision(&decision)?;
        Ok(())
    }
}

impl Curator {
    /// The audit-log entry for `action` on `target` by this curator.
    pub(crate) fn decision(&self, action: &str, target: &str, note: &str, at: u64) -> Decision {
        Decision {
            actor: self.name.clone(),
            action: action.into(),
            target: target.into(),
            note: note.into(),
            at,
            origin: self.origin.as_str().into(),
        }
    }
}

/// A token name: 1-64 of `A-Z a-z 0-9 . _ -`, and not the service's own.
fn check_token_name(name: &str) -> Result<(), TriageError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty()
        || name.len() > MAX_TOKEN_NAME
        || !name.chars().all(allowed)
        || name == SERVICE_TOKEN_NAME
    {
        return Err(TriageError::BadTokenName(name.into()));
    }
    Ok(())
}

/// `sg_` and 32 random bytes in hex.
fn new_secret() -> Result<String, TriageError> {
    Ok(format!("sg_{}", random_hex()?))
}

/// 32 bytes from the operating system's random source, in hex.
pub(crate) fn random_hex() -> Result<String, TriageError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TriageError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
