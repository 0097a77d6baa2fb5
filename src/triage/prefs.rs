//! What the front ends remember between updates: per-user language and block state,
//! per-chat (group) settings, and the last processed Telegram update.
//!
//! Invariants: front ends read and write only through the `Prefs` trait; the
//! in-memory `MemoryPrefs` is the reference behaviour the persistent store must match
//! (unknown ids read as defaults, `move_chat` keeps settings under the new id,
//! `forget_user` also forgets the user as any group's dry-run admin, leaving that
//! group in dry run).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::classify::{Lang, Level};

/// A preference store failed (disk, corruption, ...).
#[derive(Debug, thiserror::Error)]
#[error("preference store: {0}")]
pub struct PrefsError(pub String);

/// What is remembered about one Telegram user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPrefs {
    /// Language chosen with `/lang`; `None` follows the client's language.
    pub lang: Option<Lang>,
    /// The user blocked the bot: send nothing until they write again.
    pub blocked: bool,
}

/// The lowest level that gets a warning in a group: medium or high, never low (a
/// low verdict is "no clear scam pattern", which no group should be warned about).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum WarnAt {
    /// Medium and high verdicts.
    Medium,
    /// High verdicts only (the default).
    #[default]
    High,
}

impl WarnAt {
    /// A level as a threshold: `low` (stored by older releases) reads as `medium`.
    pub fn from_level(level: Level) -> Self {
        match level {
            Level::High => Self::High,
            Level::Medium | Level::Low => Self::Medium,
        }
    }

    /// The level it stands for.
    pub fn level(self) -> Level {
        match self {
            Self::Medium => Level::Medium,
            Self::High => Level::High,
        }
    }

    /// The next value in the /settings cycle.
    pub fn next(self) -> Self {
        match self {
            Self::Medium => Self::High,
            Self::High => Self::Medium,
        }
    }
}

/// A group's dry-run mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DryRun {
    /// The bot warns and deletes in the group.
    #[default]
    Off,
    /// The bot neither warns nor deletes in the group; it tells `report_to` (the admin
    /// who turned it on, until they ask the bot to forget them) privately what it
    /// would have done.
    On {
        /// The admin told privately; `None` once they said /forgetme.
        report_to: Option<i64>,
    },
}

impl DryRun {
    /// Whether dry run is on.
    pub fn is_on(self) -> bool {
        matches!(self, Self::On { .. })
    }
}

/// What is remembered about one group or supergroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatPrefs {
    /// Lowest level that gets a warning in the group.
    pub threshold: WarnAt,
    /// Language of the bot's group messages; `None` follows the language most of the
    /// group writes in.
    pub lang: Option<Lang>,
    /// Delete a scam message and post a short notice (needs the delete right).
    pub delete_scams: bool,
    /// Read text in screenshots posted in the group.
    pub read_screenshots: bool,
    /// The bot has introduced itself in this chat.
    pub introduced: bool,
    /// Dry-run mode, with the admin (Telegram user id) told what the bot would do.
    pub dry_run: DryRun,
}

impl Default for ChatPrefs {
    fn default() -> Self {
        Self {
            threshold: WarnAt::High,
            lang: None,
            delete_scams: false,
            read_screenshots: false,
            introduced: false,
            dry_run: DryRun::Off,
        }
    }
}

/// Storage of user and chat preferences and the update cursor.
pub trait Prefs: Send + Sync {
    /// The user's preferences (defaults when unknown).
    fn user(&self, user_id: i64) -> Result<UserPrefs, PrefsError>;
    /// Replaces the user's preferences.
    fn set_user(&self, user_id: i64, prefs: UserPrefs) -> Result<(), PrefsError>;
    /// Forgets everything about the user, also as any group's dry-run admin (the
    /// group stays in dry run, telling no one).
    fn forget_user(&self, user_id: i64) -> Result<(), PrefsError>;
    /// The chat's preferences (defaults when unknown).
    fn chat(&self, chat_id: i64) -> Result<ChatPrefs, PrefsError>;
    /// Replaces the chat's preferences.
    fn set_chat(&self, chat_id: i64, prefs: ChatPrefs) -> Result<(), PrefsError>;
    /// A group became a supergroup: its settings now live under `to`.
    fn move_chat(&self, from: i64, to: i64) -> Result<(), PrefsError>;
    /// The last Telegram update fully taken over, if any.
    fn last_update_id(&self) -> Result<Option<i64>, PrefsError>;
    /// Records that updates up to `update_id` were taken over.
    fn set_last_update_id(&self, update_id: i64) -> Result<(), PrefsError>;
}

/// Preferences kept in memory (lost on restart); the store replaces it.
#[derive(Debug, Default)]
pub struct MemoryPrefs {
    inner: Mutex<MemoryInner>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    users: HashMap<i64, UserPrefs>,
    chats: HashMap<i64, ChatPrefs>,
    last_update_id: Option<i64>,
}

impl MemoryPrefs {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Prefs for MemoryPrefs {
    fn user(&self, user_id: i64) -> Result<UserPrefs, PrefsError> {
        Ok(self.lock().users.get(&user_id).cloned().unwrap_or_default())
    }

    fn set_user(&self, user_id: i64, prefs: UserPrefs) -> Result<(), PrefsError> {
        self.lock().users.insert(user_id, prefs);
        Ok(())
    }

    fn forget_user(&self, user_id: i64) -> Result<(), PrefsError> {
        let mut inner = self.lock();
        inner.users.remove(&user_id);
        for chat in inner.chats.values_mut() {
            if chat.dry_run
                == (DryRun::On {
                    report_to: Some(user_id),
                })
            {
                chat.dry_run = DryRun::On { report_to: None };
            }
        }
        Ok(())
    }

    fn chat(&self, chat_id: i64) -> Result<ChatPrefs, PrefsError> {
        Ok(self.lock().chats.get(&chat_id).cloned().unwrap_or_default())
    }

    fn set_chat(&self, chat_id: i64, prefs: ChatPrefs) -> Result<(), PrefsError> {
        self.lock().chats.insert(chat_id, prefs);
        Ok(())
    }

    fn move_chat(&self, from: i64, to: i64) -> Result<(), PrefsError> {
        let mut inner = self.lock();
        if let Some(prefs) = inner.chats.remove(&from) {
            inner.chats.insert(to, prefs);
        }
        Ok(())
    }

    fn last_update_id(&self) -> Result<Option<i64>, PrefsError> {
        Ok(self.lock().last_update_id)
    }

    fn set_last_update_id(&self, update_id: i64) -> Result<(), PrefsError> {
        let mut inner = self.lock();
        inner.last_update_id = Some(inner.last_update_id.map_or(update_id, |l| l.max(update_id)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_read_as_defaults_and_moves_keep_settings() {
        let prefs = MemoryPrefs::new();
        assert_eq!(prefs.user(1).unwrap(), UserPrefs::default());
        assert_eq!(prefs.chat(-5).unwrap().threshold, WarnAt::High);
        let custom = ChatPrefs {
            threshold: WarnAt::Medium,
            ..ChatPrefs::default()
        };
        prefs.set_chat(-5, custom.clone()).unwrap();
        prefs.move_chat(-5, -1005).unwrap();
        assert_eq!(prefs.chat(-1005).unwrap(), custom);
        assert_eq!(prefs.chat(-5).unwrap(), ChatPrefs::default());
    }

    #[test]
    fn forgetting_a_dry_run_admin_keeps_the_group_in_dry_run() {
        let prefs = MemoryPrefs::new();
        let by = |admin| ChatPrefs {
            dry_run: DryRun::On {
                report_to: Some(admin),
            },
            ..ChatPrefs::default()
        };
        prefs.set_chat(-1, by(7)).unwrap();
        prefs.set_chat(-2, by(8)).unwrap();
        prefs.forget_user(7).unwrap();
        let forgotten = DryRun::On { report_to: None };
        assert_eq!(prefs.chat(-1).unwrap().dry_run, forgotten);
        assert_eq!(prefs.chat(-2).unwrap(), by(8));
    }

    #[test]
    fn a_low_threshold_reads_as_medium_and_the_cycle_skips_low() {
        assert_eq!(WarnAt::from_level(Level::Low), WarnAt::Medium);
        assert_eq!(WarnAt::from_level(Level::High), WarnAt::High);
        let mut at = WarnAt::default();
        for _ in 0..4 {
            at = at.next();
            assert_ne!(at.level(), Level::Low);
        }
    }

    #[test]
    fn the_update_cursor_only_grows() {
        let prefs = MemoryPrefs::new();
        assert_eq!(prefs.last_update_id().unwrap(), None);
        prefs.set_last_update_id(10).unwrap();
        prefs.set_last_update_id(7).unwrap();
        assert_eq!(prefs.last_update_id().unwrap(), Some(10));
    }
}
