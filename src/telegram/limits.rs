//! Small in-memory guards: a token bucket per group (so a scam wave cannot make the
//! bot flood a group) and a TTL cache of admin checks.
//!
//! Invariants: a bucket never holds more than its capacity; a cached admin check is
//! used only until its TTL passes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

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
