//! Small in-memory guards: a token bucket per group (so a scam wave cannot make the
//! bot flood a group) and a TTL cache of admin checks, with the checks themselves.
//!
//! Invariants: a bucket never holds more than its capacity; a cached admin check is
//! used only until its TTL passes; a failed check counts as "no rights" and is not
//! cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use teloxide::prelude::Requester;
use teloxide::types::{ChatId, UserId};
use tokio::time::Instant;

use super::context::Ctx;
use super::incoming::{Callback, IncomingMessage};
use super::render::{self, Key};

/// The user Telegram shows for anonymous group admins.
pub const GROUP_ANONYMOUS_BOT: i64 = 1_087_968_824;

/// Token buckets per group: `capacity` warnings, refilled over a minute.
pub struct Buckets {
    capacity: f64,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl Buckets {
    /// Buckets allowing `per_minute` warnings per group per minute.
    pub fn new(per_minute: u32) -> Self {
        Self {
            capacity: f64::from(per_minute),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `chat_id`; false when the group is out of tokens.
    pub fn take(&self, chat_id: i64) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, last) = buckets.entry(chat_id).or_insert((self.capacity, now));
        let refill = now.duration_since(*last).as_secs_f64() * self.capacity / 60.0;
        *tokens = (*tokens + refill).min(self.capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return true;
        }
        false
    }
}

/// What getChatMember said about one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberRights {
    /// Owner or administrator.
    pub admin: bool,
    /// May delete other users' messages.
    pub can_delete: bool,
}

/// Cached getChatMember answers per (chat, user).
pub struct AdminCache {
    ttl: Duration,
    entries: Mutex<HashMap<(i64, i64), (MemberRights, Instant)>>,
}

impl AdminCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached rights, if fresh.
    pub fn get(&self, chat_id: i64, user_id: i64) -> Option<MemberRights> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (rights, at) = entries.get(&(chat_id, user_id))?;
        (at.elapsed() < self.ttl).then_some(*rights)
    }

    /// Caches `rights`.
    pub fn put(&self, chat_id: i64, user_id: i64, rights: MemberRights) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert((chat_id, user_id), (rights, Instant::now()));
    }

    /// Forgets everything about `chat_id` (after a migration).
    pub fn forget_chat(&self, chat_id: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(chat, _), _| *chat != chat_id);
    }
}

impl Ctx {
    /// Whether `user_id` administers `chat_id` (anonymous admins do).
    pub async fn is_admin(&self, chat_id: i64, user_id: i64) -> bool {
        if user_id == GROUP_ANONYMOUS_BOT {
            return true;
        }
        self.rights(chat_id, user_id).await.admin
    }

    /// Whether `callback` (a press on a button of group message `message`) comes from
    /// an admin of that group; anyone else's press is answered with a refusal.
    pub async fn pressed_by_admin(&self, callback: &Callback, message: &IncomingMessage) -> bool {
        let chat_id = message.chat.id;
        if message.chat.is_group() && self.is_admin(chat_id, callback.from.id).await {
            return true;
        }
        let from = &callback.from;
        let lang = self.user_lang(from.id, from.language_code.as_deref());
        self.answer(&callback.id, Some(render::text(Key::AdminsOnly, lang)))
            .await;
        false
    }

    /// Whether the bot may delete messages in `chat_id`.
    pub async fn bot_can_delete(&self, chat_id: i64) -> bool {
        self.rights(chat_id, self.me_id).await.can_delete
    }

    /// getChatMember, cached; an error counts as "no rights" and is not cached.
    pub async fn rights(&self, chat_id: i64, user_id: i64) -> MemberRights {
        let none = MemberRights {
            admin: false,
            can_delete: false,
        };
        if let Some(rights) = self.admins.get(chat_id, user_id) {
            return rights;
        }
        let Ok(user) = u64::try_from(user_id) else {
            return none;
        };
        let member = self.bot.get_chat_member(ChatId(chat_id), UserId(user));
        match self.call(member).await {
            Ok(member) => {
                let rights = MemberRights {
                    admin: member.is_privileged(),
                    can_delete: member.kind.can_delete_messages(),
                };
                self.admins.put(chat_id, user_id, rights);
                rights
            }
            Err(error) => {
                self.failed(chat_id, &error);
                none
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn buckets_refill_over_a_minute() {
        let buckets = Buckets::new(2);
        assert!(buckets.take(-1) && buckets.take(-1));
        assert!(
            !buckets.take(-1),
            "third warning in the same instant is refused"
        );
        assert!(buckets.take(-2), "groups have their own buckets");
        tokio::time::advance(Duration::from_secs(30)).await;
        assert!(buckets.take(-1), "half a minute refills one of two");
        assert!(!buckets.take(-1));
    }

    #[tokio::test(start_paused = true)]
    async fn admin_checks_expire() {
        let cache = AdminCache::new(Duration::from_secs(60));
        let rights = MemberRights {
            admin: true,
            can_delete: false,
        };
        cache.put(-1, 7, rights);
        assert_eq!(cache.get(-1, 7), Some(rights));
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.get(-1, 7), None);
    }
}
