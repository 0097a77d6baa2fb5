//! Front-end preferences: per-user language and blocked state (keyed by the user's
//! keyed hash, never the raw id), per-chat settings (keyed by chat id), and named
//! cursors such as the last processed Telegram update.
//!
//! Invariants: records are versioned like every other record (chat settings V1, from
//! before dry-run mode, read with it off; V2, where dry run was on exactly while an
//! admin id was kept, read as V3 with that); writes are durable on return; forgetting
//! a user removes their record, and `forget_dry_run_admin` the one raw id chat
//! settings keep.

use serde::{Deserialize, Serialize};

use super::records::{decode, encode};
use super::{ReporterHash, Store, StoreError};

/// What is remembered about one user, as plain values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredUserPrefs {
    /// Language code chosen by the user (`zh`, `en`), if any.
    pub lang: Option<String>,
    /// The user blocked the bot.
    pub blocked: bool,
}

/// What is remembered about one chat, as plain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChatPrefs {
    /// Lowest level that gets a warning (`low`, `medium`, `high`).
    pub threshold: String,
    /// Language code of warnings, if fixed.
    pub lang: Option<String>,
    /// Delete scam messages.
    pub delete_scams: bool,
    /// Read screenshots.
    pub read_screenshots: bool,
    /// The bot introduced itself.
    pub introduced: bool,
    /// Dry-run mode is on.
    pub dry_run: bool,
    /// In dry-run mode, the Telegram user id of the admin who turned it on and is told
    /// privately what the bot would have done (the one raw id kept, only while on, and
    /// only until that admin says /forgetme).
    pub dry_run_admin: Option<i64>,
}

/// A chat's settings as version 1 wrote them (before dry-run mode).
#[derive(Serialize, Deserialize)]
struct ChatPrefsV1 {
    threshold: String,
    lang: Option<String>,
    delete_scams: bool,
    read_screenshots: bool,
    introduced: bool,
}

/// A chat's settings as version 2 wrote them: dry run was on exactly while the admin
/// id was kept.
#[derive(Serialize, Deserialize)]
struct ChatPrefsV2 {
    threshold: String,
    lang: Option<String>,
    delete_scams: bool,
    read_screenshots: bool,
    introduced: bool,
    dry_run_admin: Option<i64>,
}

#[derive(Serialize, Deserialize)]
enum UserRecord {
    V1(StoredUserPrefs),
}

#[derive(Serialize, Deserialize)]
enum ChatRecord {
    V1(ChatPrefsV1),
    V2(ChatPrefsV2),
    V3(StoredChatPrefs),
}

impl ChatRecord {
    fn latest(self) -> StoredChatPrefs {
        match self {
            ChatRecord::V1(v1) => StoredChatPrefs {
                threshold: v1.threshold,
                lang: v1.lang,
                delete_scams: v1.delete_scams,
                read_screenshots: v1.read_screenshots,
                introduced: v1.introduced,
                dry_run: false,
                dry_run_admin: None,
            },
            ChatRecord::V2(v2) => StoredChatPrefs {
                threshold: v2.threshold,
                lang: v2.lang,
                delete_scams: v2.delete_scams,
                read_screenshots: v2.read_screenshots,
                introduced: v2.introduced,
                dry_run: v2.dry_run_admin.is_some(),
                dry_run_admin: v2.dry_run_admin,
            },
            ChatRecord::V3(v3) => v3,
        }
    }
}

fn user_key(user: &ReporterHash) -> Vec<u8> {
    [b"user:".as_slice(), &user.0].concat()
}

fn chat_key(chat: i64) -> Vec<u8> {
    [b"chat:".as_slice(), &chat.to_be_bytes()].concat()
}

fn cursor_key(name: &str) -> Vec<u8> {
    [b"cursor:".as_slice(), name.as_bytes()].concat()
}

impl Store {
    /// A user's preferences, if any were saved.
    pub fn user_prefs(&self, user: &ReporterHash) -> Result<Option<StoredUserPrefs>, StoreError> {
        let key = user_key(user);
        match self.trees().prefs.get(&key)? {
            Some(raw) => match decode::<UserRecord>("prefs", &key, &raw)? {
                UserRecord::V1(p) => Ok(Some(p)),
            },
            None => Ok(None),
        }
    }

    /// Saves a user's preferences.
    pub fn set_user_prefs(
        &self,
        user: &ReporterHash,
        prefs: &StoredUserPrefs,
    ) -> Result<(), StoreError> {
        let bytes = encode("user prefs", &UserRecord::V1(prefs.clone()))?;
        self.trees().prefs.insert(user_key(user), bytes)?;
        self.durable()
    }

    /// Removes a user's preferences.
    pub fn forget_user_prefs(&self, user: &ReporterHash) -> Result<(), StoreError> {
        self.trees().prefs.remove(user_key(user))?;
        self.durable()
    }

    /// A chat's settings, if any were saved.
    pub fn chat_prefs(&self, chat: i64) -> Result<Option<StoredChatPrefs>, StoreError> {
        let key = chat_key(chat);
        match self.trees().prefs.get(&key)? {
            Some(raw) => Ok(Some(decode::<ChatRecord>("prefs", &key, &raw)?.latest())),
            None => Ok(None),
        }
    }

    /// Saves a chat's settings.
    pub fn set_chat_prefs(&self, chat: i64, prefs: &StoredChatPrefs) -> Result<(), StoreError> {
        let bytes = encode("chat prefs", &ChatRecord::V3(prefs.clone()))?;
        self.trees().prefs.insert(chat_key(chat), bytes)?;
        self.durable()
    }

    /// Forgets `admin` (a raw Telegram user id) as the dry-run admin of every chat that
    /// keeps them; dry run stays on there, telling no one. Returns how many chats;
    /// durable on return.
    pub fn forget_dry_run_admin(&self, admin: i64) -> Result<usize, StoreError> {
        let tree = &self.trees().prefs;
        let mut cleared = 0;
        for item in tree.scan_prefix(b"chat:") {
            let (key, raw) = item?;
            let mut prefs = decode::<ChatRecord>("prefs", &key, &raw)?.latest();
            if prefs.dry_run_admin != Some(admin) {
                continue;
            }
            prefs.dry_run_admin = None;
            tree.insert(&key, encode("chat prefs", &ChatRecord::V3(prefs))?)?;
            cleared += 1;
        }
        self.durable()?;
        Ok(cleared)
    }

    /// Moves a chat's settings to a new id (group upgraded to supergroup).
    pub fn move_chat_prefs(&self, from: i64, to: i64) -> Result<(), StoreError> {
        if let Some(raw) = self.trees().prefs.remove(chat_key(from))? {
            self.trees().prefs.insert(chat_key(to), raw)?;
        }
        self.durable()
    }

    /// A named cursor (e.g. the last Telegram update processed).
    pub fn cursor(&self, name: &str) -> Result<Option<i64>, StoreError> {
        let key = cursor_key(name);
        match self.trees().prefs.get(&key)? {
            Some(raw) => {
                let arr: [u8; 8] = raw
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::corrupt("prefs", &key, "cursor is not 8 bytes"))?;
                Ok(Some(i64::from_be_bytes(arr)))
            }
            None => Ok(None),
        }
    }

    /// Saves a named cursor (durable).
    pub fn set_cursor(&self, name: &str, value: i64) -> Result<(), StoreError> {
        self.trees()
            .prefs
            .insert(cursor_key(name), &value.to_be_bytes())?;
        self.durable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    #[test]
    fn prefs_round_trip_move_and_forget() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        let user = store.reporter_hash("tg:42");
        assert_eq!(store.user_prefs(&user).unwrap(), None);
        let p = StoredUserPrefs {
            lang: Some("zh".into()),
            blocked: false,
        };
        store.set_user_prefs(&user, &p).unwrap();
        assert_eq!(store.user_prefs(&user).unwrap(), Some(p));
        store.forget_user_prefs(&user).unwrap();
        assert_eq!(store.user_prefs(&user).unwrap(), None);

        let chat = StoredChatPrefs {
            threshold: "medium".into(),
            lang: None,
            delete_scams: true,
            read_screenshots: false,
            introduced: true,
            dry_run: true,
            dry_run_admin: Some(42),
        };
        store.set_chat_prefs(-100, &chat).unwrap();
        store.move_chat_prefs(-100, -1_000_000_100).unwrap();
        assert_eq!(store.chat_prefs(-100).unwrap(), None);
        assert_eq!(
            store.chat_prefs(-1_000_000_100).unwrap(),
            Some(chat.clone())
        );

        let v1 = ChatRecord::V1(ChatPrefsV1 {
            threshold: "high".into(),
            lang: None,
            delete_scams: false,
            read_screenshots: true,
            introduced: true,
        });
        let raw = encode("chat prefs", &v1).unwrap();
        store.trees().prefs.insert(chat_key(-7), raw).unwrap();
        let read = store.chat_prefs(-7).unwrap().unwrap();
        assert!(
            read.read_screenshots && !read.dry_run && read.dry_run_admin.is_none(),
            "{read:?}"
        );
        let v2 = ChatRecord::V2(ChatPrefsV2 {
            threshold: "high".into(),
            lang: None,
            delete_scams: true,
            read_screenshots: false,
            introduced: true,
            dry_run_admin: Some(42),
        });
        let raw = encode("chat prefs", &v2).unwrap();
        store.trees().prefs.insert(chat_key(-8), raw).unwrap();
        let read = store.chat_prefs(-8).unwrap().unwrap();
        assert!(read.dry_run && read.dry_run_admin == Some(42), "{read:?}");

        // Admin 42 runs dry run in -8 and in the moved chat; only they are forgotten.
        let other = StoredChatPrefs {
            dry_run_admin: Some(43),
            ..chat.clone()
        };
        store.set_chat_prefs(-9, &other).unwrap();
        assert_eq!(store.forget_dry_run_admin(42).unwrap(), 2);
        for id in [-8, -1_000_000_100] {
            let read = store.chat_prefs(id).unwrap().unwrap();
            assert!(
                read.dry_run && read.dry_run_admin.is_none(),
                "{id}: {read:?}"
            );
        }
        assert_eq!(store.chat_prefs(-9).unwrap(), Some(other));
        assert_eq!(store.forget_dry_run_admin(42).unwrap(), 0);

        assert_eq!(store.cursor("telegram").unwrap(), None);
        store.set_cursor("telegram", 77).unwrap();
        assert_eq!(store.cursor("telegram").unwrap(), Some(77));
    }
}
