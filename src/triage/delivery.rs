//! What the bot owes and is owed: the update inbox (every update received, until it is
//! handled or set aside) and the reply outbox (every message owed, until it is sent or
//! given up on). Front ends reach both only through these traits; the service backs
//! them with the store, `MemoryDelivery` keeps them in memory (tests, no data dir).
//!
//! Invariants: `receive` is true exactly once per update id while its mark is kept;
//! `owe` is true exactly once per reply key; `sent_as` knows the message a reply went
//! out as only when it was settled with `settle_sent` (durably); the memory version
//! behaves like the store.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

pub use crate::store::{OpenUpdate, OwedReply, QuarantinedUpdate, Replaced, ReplyKey, StoredReply};

use super::{Triage, now};

/// Done and settled marks (and report origins) are kept this long (Telegram keeps an unconfirmed update
/// for at most 24 hours).
const MARK_SECONDS: u64 = 2 * 24 * 3600;

/// The inbox or outbox failed (disk, corruption, ...).
#[derive(Debug, thiserror::Error)]
#[error("delivery store: {0}")]
pub struct DeliveryError(pub String);

fn delivery_error(e: impl std::fmt::Display) -> DeliveryError {
    DeliveryError(e.to_string())
}

/// Updates received and not yet handled.
pub trait Inbox: Send + Sync {
    /// Keeps the raw updates durably; one flag per update, true when it is new.
    fn receive(&self, updates: &[(i64, Vec<u8>)]) -> Result<Vec<bool>, DeliveryError>;
    /// Every update received and not finished or set aside, in id order.
    fn open(&self) -> Result<Vec<OpenUpdate>, DeliveryError>;
    /// Counts a failed attempt; returns the attempts so far.
    fn failed(&self, update_id: i64) -> Result<u32, DeliveryError>;
    /// The update was handled.
    fn finish(&self, update_id: i64) -> Result<(), DeliveryError>;
    /// Sets an update aside (open, or never opened when `raw` is given).
    fn quarantine(
        &self,
        update_id: i64,
        raw: Option<&[u8]>,
        reason: &str,
    ) -> Result<(), DeliveryError>;
    /// Every update set aside.
    fn quarantined(&self) -> Result<Vec<QuarantinedUpdate>, DeliveryError>;
}

/// Replies owed and not yet sent.
pub trait Outbox: Send + Sync {
    /// Records a reply owed; false when `key` was owed or settled before.
    fn owe(&self, key: ReplyKey, reply: &StoredReply) -> Result<bool, DeliveryError>;
    /// Every reply still owed, in key order.
    fn owed(&self) -> Result<Vec<OwedReply>, DeliveryError>;
    /// The reply was sent or given up on.
    fn settle(&self, key: ReplyKey) -> Result<(), DeliveryError>;
    /// The reply went out as `message_id`, which a later reply will edit: kept durably.
    fn settle_sent(&self, key: ReplyKey, message_id: i32) -> Result<(), DeliveryError>;
    /// The message a reply settled with `settle_sent` went out as.
    fn sent_as(&self, key: ReplyKey) -> Result<Option<i32>, DeliveryError>;
}

impl Inbox for Triage {
    fn receive(&self, updates: &[(i64, Vec<u8>)]) -> Result<Vec<bool>, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.receive_updates(updates).map_err(delivery_error)
    }

    fn open(&self) -> Result<Vec<OpenUpdate>, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.open_updates().map_err(delivery_error)
    }

    fn failed(&self, update_id: i64) -> Result<u32, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.update_failed(update_id).map_err(delivery_error)
    }

    fn finish(&self, update_id: i64) -> Result<(), DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store
            .finish_update(update_id, now())
            .map_err(delivery_error)
    }

    fn quarantine(
        &self,
        update_id: i64,
        raw: Option<&[u8]>,
        reason: &str,
    ) -> Result<(), DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        let result = match raw {
            Some(raw) => store.quarantine_raw(update_id, raw, reason, now()),
            None => store.quarantine_update(update_id, reason, now()),
        };
        result.map_err(delivery_error)
    }

    fn quarantined(&self) -> Result<Vec<QuarantinedUpdate>, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.quarantined_updates().map_err(delivery_error)
    }
}

impl Outbox for Triage {
    fn owe(&self, key: ReplyKey, reply: &StoredReply) -> Result<bool, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.owe_reply(key, reply).map_err(delivery_error)
    }

    fn owed(&self) -> Result<Vec<OwedReply>, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.owed_replies().map_err(delivery_error)
    }

    fn settle(&self, key: ReplyKey) -> Result<(), DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.settle_reply(key, now()).map_err(delivery_error)
    }

    fn settle_sent(&self, key: ReplyKey, message_id: i32) -> Result<(), DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store
            .settle_sent_reply(key, now(), message_id)
            .map_err(delivery_error)
    }

    fn sent_as(&self, key: ReplyKey) -> Result<Option<i32>, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        store.reply_sent_as(key).map_err(delivery_error)
    }
}

impl Triage {
    /// Forgets done and settled marks, and report origins, too old to matter;
    /// returns how many.
    pub fn prune_delivery_marks(&self) -> Result<usize, DeliveryError> {
        let store = &self.community().map_err(delivery_error)?.store;
        let before = now().saturating_sub(MARK_SECONDS);
        let updates = store.prune_done_updates(before).map_err(delivery_error)?;
        let replies = store
            .prune_settled_replies(before)
            .map_err(delivery_error)?;
        let origins = store.prune_report_origins(before).map_err(delivery_error)?;
        Ok(updates + replies + origins)
    }
}

/// The `update_id` of a raw Telegram update (or of the first update in a getUpdates
/// answer), read even when the rest of the JSON is broken.
pub fn update_id_of(raw: &[u8]) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Id {
        update_id: i64,
    }
    if let Ok(Id { update_id }) = serde_json::from_slice::<Id>(raw) {
        return Some(update_id);
    }
    const FIELD: &[u8] = b"\"update_id\"";
    let at = raw.windows(FIELD.len()).position(|w| w == FIELD)? + FIELD.len();
    let rest = &raw[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b":")?;
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let digits = &rest[start..];
    let len = digits
        .iter()
        .enumerate()
        .take_while(|(i, b)| b.is_ascii_digit() || (*i == 0 && **b == b'-'))
        .count();
    std::str::from_utf8(&digits[..len]).ok()?.parse().ok()
}

/// Inbox and outbox in memory (lost on restart unless the value is shared).
#[derive(Debug, Default)]
pub struct MemoryDelivery {
    inner: Mutex<MemoryInner>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    open: BTreeMap<i64, (Vec<u8>, u32)>,
    done: HashSet<i64>,
    aside: BTreeMap<i64, QuarantinedUpdate>,
    owed: BTreeMap<ReplyKey, StoredReply>,
    /// Settled keys, with the message kept by `settle_sent`.
    settled: HashMap<ReplyKey, Option<i32>>,
}

impl MemoryDelivery {
    /// Empty inbox and outbox.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inbox for MemoryDelivery {
    fn receive(&self, updates: &[(i64, Vec<u8>)]) -> Result<Vec<bool>, DeliveryError> {
        let mut inner = self.lock();
        let fresh = updates.iter().map(|(id, raw)| {
            let known = inner.done.contains(id)
                || inner.aside.contains_key(id)
                || inner.open.contains_key(id);
            if !known {
                inner.open.insert(*id, (raw.clone(), 0));
            }
            !known
        });
        Ok(fresh.collect())
    }

    fn open(&self) -> Result<Vec<OpenUpdate>, DeliveryError> {
        let inner = self.lock();
        let open = inner.open.iter().map(|(id, (raw, tries))| OpenUpdate {
            update_id: *id,
            raw: raw.clone(),
            tries: *tries,
        });
        Ok(open.collect())
    }

    fn failed(&self, update_id: i64) -> Result<u32, DeliveryError> {
        let mut inner = self.lock();
        Ok(inner.open.get_mut(&update_id).map_or(0, |(_, tries)| {
            *tries += 1;
            *tries
        }))
    }

    fn finish(&self, update_id: i64) -> Result<(), DeliveryError> {
        let mut inner = self.lock();
        inner.open.remove(&update_id);
        inner.done.insert(update_id);
        Ok(())
    }

    fn quarantine(
        &self,
        update_id: i64,
        raw: Option<&[u8]>,
        reason: &str,
    ) -> Result<(), DeliveryError> {
        let mut inner = self.lock();
        let opened = inner.open.remove(&update_id).map(|(raw, _)| raw);
        let raw = raw.map(<[u8]>::to_vec).or(opened).unwrap_or_default();
        let aside = QuarantinedUpdate {
            update_id,
            raw,
            reason: reason.to_owned(),
            at: now(),
        };
        inner.aside.insert(update_id, aside);
        Ok(())
    }

    fn quarantined(&self) -> Result<Vec<QuarantinedUpdate>, DeliveryError> {
        Ok(self.lock().aside.values().cloned().collect())
    }
}

impl Outbox for MemoryDelivery {
    fn owe(&self, key: ReplyKey, reply: &StoredReply) -> Result<bool, DeliveryError> {
        let mut inner = self.lock();
        if inner.settled.contains_key(&key) || inner.owed.contains_key(&key) {
            return Ok(false);
        }
        inner.owed.insert(key, reply.clone());
        Ok(true)
    }

    fn owed(&self) -> Result<Vec<OwedReply>, DeliveryError> {
        let inner = self.lock();
        let owed = inner.owed.iter().map(|(key, reply)| OwedReply {
            key: *key,
            reply: reply.clone(),
        });
        Ok(owed.collect())
    }

    fn settle(&self, key: ReplyKey) -> Result<(), DeliveryError> {
        let mut inner = self.lock();
        inner.owed.remove(&key);
        inner.settled.insert(key, None);
        Ok(())
    }

    fn settle_sent(&self, key: ReplyKey, message_id: i32) -> Result<(), DeliveryError> {
        let mut inner = self.lock();
        inner.owed.remove(&key);
        inner.settled.insert(key, Some(message_id));
        Ok(())
    }

    fn sent_as(&self, key: ReplyKey) -> Result<Option<i32>, DeliveryError> {
        Ok(self.lock().settled.get(&key).copied().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_ids_are_read_from_broken_json_too() {
        let cases: &[(&[u8], Option<i64>)] = &[
            (br#"{"update_id":41,"message":{}}"#, Some(41)),
            (
                br#"{"message":{"text":"\ud800"}, "update_id" : 7}"#,
                Some(7),
            ),
            (
                br#"{"ok":true,"result":[{"update_id":-3,"message":{"text":"\ud800"}}]}"#,
                Some(-3),
            ),
            (br#"{"message":{}}"#, None),
            (b"not json", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                update_id_of(raw),
                *expected,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn memory_delivery_takes_each_update_and_reply_once() {
        let memory = MemoryDelivery::new();
        let batch = [(2, b"b".to_vec()), (1, b"a".to_vec()), (2, b"b".to_vec())];
        assert_eq!(memory.receive(&batch).unwrap(), [true, true, false]);
        assert_eq!(memory.failed(1).unwrap(), 1);
        memory.finish(2).unwrap();
        memory.quarantine(1, None, "bad").unwrap();
        assert_eq!(memory.receive(&batch[..2]).unwrap(), [false, false]);
        assert!(memory.open().unwrap().is_empty());
        assert_eq!(memory.quarantined().unwrap()[0].raw, b"a");

        let key = ReplyKey {
            update_id: 2,
            seq: 0,
        };
        let reply = StoredReply {
            chat_id: 1,
            text: "hi".into(),
            reply_to: None,
            topic_id: None,
            markup: None,
            replaces: None,
        };
        assert!(memory.owe(key, &reply).unwrap());
        assert!(!memory.owe(key, &reply).unwrap());
        memory.settle(key).unwrap();
        assert!(!memory.owe(key, &reply).unwrap());
        assert!(memory.owed().unwrap().is_empty());
        assert_eq!(memory.sent_as(key).unwrap(), None);
        let held = ReplyKey { seq: 1, ..key };
        assert!(memory.owe(held, &reply).unwrap());
        memory.settle_sent(held, 40).unwrap();
        assert!(!memory.owe(held, &reply).unwrap());
        assert_eq!(memory.sent_as(held).unwrap(), Some(40));
    }
}
