//! The reply outbox: every message the bot owes someone is written here before it is
//! sent, and settled (sent, or dropped as undeliverable) afterwards, so a crash or a
//! Bot API outage never loses an answer and re-handling an update never sends its
//! answer twice.
//!
//! Trees: `replies_owed` (`ReplyKey` -> `OwedReplyRecord`), `replies_settled`
//! (`ReplyKey` -> unix seconds). A key is the update that caused the reply (big-endian,
//! sign bit flipped) and the reply's number within that update's handling.
//!
//! Invariants: `owe_reply` returns only once the reply is flushed and refuses a key
//! already owed or settled; settling moves a key in one transaction, flushed on return.

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use super::inbox::{key as update_key, transaction_error};
use super::records::{decode, decode_u64, encode};
use super::{Store, StoreError};

/// Which reply: the update it answers and its number within that update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyKey {
    /// The update whose handling owes the reply.
    pub update_id: i64,
    /// Replies of one update are numbered from 0 in the order they are owed.
    pub seq: u32,
}

impl ReplyKey {
    fn bytes(self) -> [u8; 12] {
        let mut out = [0; 12];
        out[..8].copy_from_slice(&update_key(self.update_id));
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    fn from_bytes(tree: &'static str, raw: &[u8]) -> Result<Self, StoreError> {
        let bad = || StoreError::corrupt(tree, raw, "reply key is not 12 bytes");
        let id: [u8; 8] = raw
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        let seq: [u8; 4] = raw
            .get(8..)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        Ok(Self {
            update_id: (u64::from_be_bytes(id) ^ (1 << 63)) as i64,
            seq: u32::from_be_bytes(seq),
        })
    }
}

/// A message to send, as plain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReply {
    /// Target chat.
    pub chat_id: i64,
    /// HTML text.
    pub text: String,
    /// Message it replies to.
    pub reply_to: Option<i32>,
    /// Forum topic.
    pub topic_id: Option<i32>,
    /// Inline keyboard as Bot API JSON.
    pub markup: Option<String>,
}

/// A reply still owed, with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwedReply {
    /// Which reply.
    pub key: ReplyKey,
    /// What to send.
    pub reply: StoredReply,
}

#[derive(Serialize, Deserialize)]
enum OwedReplyRecord {
    V1(StoredReply),
}

impl Store {
    /// Records that `reply` is owed under `key`; durable on return. False when the key
    /// is already owed or settled (the update is being handled again).
    pub fn owe_reply(&self, key: ReplyKey, reply: &StoredReply) -> Result<bool, StoreError> {
        let t = self.trees();
        let k = key.bytes();
        if t.replies_settled.contains_key(k)? {
            return Ok(false);
        }
        let value = encode("owed reply", &OwedReplyRecord::V1(reply.clone()))?;
        let swapped = t
            .replies_owed
            .compare_and_swap(k, None as Option<&[u8]>, Some(value))?;
        self.durable()?;
        Ok(swapped.is_ok())
    }

    /// Every owed reply, in key order (so per chat in the order they were owed).
    pub fn owed_replies(&self) -> Result<Vec<OwedReply>, StoreError> {
        let mut out = Vec::new();
        for entry in self.trees().replies_owed.iter() {
            let (k, v) = entry?;
            let key = ReplyKey::from_bytes("replies_owed", &k)?;
            let OwedReplyRecord::V1(reply) = decode("replies_owed", &k, &v)?;
            out.push(OwedReply { key, reply });
        }
        Ok(out)
    }

    /// The reply was sent or given up on at `at` (unix seconds); durable on return, so
    /// a `kill -9` right after a reply went out does not send it again after the
    /// restart (only one killed between Telegram taking it and this call is).
    pub fn settle_reply(&self, key: ReplyKey, at: u64) -> Result<(), StoreError> {
        let t = self.trees();
        let k = key.bytes();
        let result = (&t.replies_owed, &t.replies_settled).transaction(|(owed, settled)| {
            owed.remove(&k)?;
            settled.insert(&k, &at.to_be_bytes())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        result.map_err(transaction_error)?;
        self.durable()
    }

    /// Forgets settled marks older than `before` (unix seconds); returns how many.
    pub fn prune_settled_replies(&self, before: u64) -> Result<usize, StoreError> {
        Store::prune_before(&self.trees().replies_settled, before, |k, v| {
            decode_u64("replies_settled", k, v)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    fn reply(chat_id: i64, text: &str) -> StoredReply {
        StoredReply {
            chat_id,
            text: text.into(),
            reply_to: Some(3),
            topic_id: None,
            markup: Some("{\"inline_keyboard\":[]}".into()),
        }
    }

    #[test]
    fn owed_replies_survive_reopen_and_are_owed_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = ReplyKey {
            update_id: 9,
            seq: 0,
        };
        let second = ReplyKey {
            update_id: 9,
            seq: 1,
        };
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            assert!(store.owe_reply(second, &reply(1, "b")).unwrap());
            assert!(store.owe_reply(first, &reply(1, "a")).unwrap());
            assert!(
                !store.owe_reply(first, &reply(1, "a")).unwrap(),
                "owed already"
            );
        }
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        let owed = store.owed_replies().unwrap();
        assert_eq!(
            owed.iter().map(|o| o.key).collect::<Vec<_>>(),
            [first, second]
        );
        assert_eq!(owed[0].reply, reply(1, "a"));
        store.settle_reply(first, 50).unwrap();
        assert!(
            !store.owe_reply(first, &reply(1, "a")).unwrap(),
            "settled already"
        );
        assert_eq!(store.owed_replies().unwrap().len(), 1);
        assert_eq!(store.prune_settled_replies(51).unwrap(), 1);
        assert!(store.owe_reply(first, &reply(1, "a")).unwrap());
    }
}
