//! The reply outbox: every message the bot owes someone is written here before it is
//! sent, and settled (sent, or dropped as undeliverable) afterwards, so a crash or a
//! Bot API outage never loses an answer and re-handling an update never sends its
//! answer twice.
//!
//! Trees: `replies_owed` (`ReplyKey` -> `OwedReplyRecord`), `replies_settled`
//! (`ReplyKey` -> unix seconds, then the sent message's id when it was kept). A key is
//! the update that caused the reply (big-endian, sign bit flipped) and the reply's
//! number within that update's handling. A reply may be an edit: it then names the
//! message it replaces and what that message says if the edit is refused.
//!
//! Invariants: `owe_reply` returns only once the reply is flushed and refuses a key
//! already owed or settled; settling moves a key in one transaction (flushed on return
//! when it keeps the sent message's id, which a later edit needs).

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
    /// The bot's message this reply is edited into, if it is not a new message.
    pub replaces: Option<Replaced>,
}

/// A message of the bot's that a reply is edited into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    /// Its id in the reply's chat.
    pub message_id: i32,
    /// HTML it is edited to when the reply cannot replace it and goes out anew.
    pub note: String,
}

/// A reply as version 1 wrote it (always a new message).
#[derive(Serialize, Deserialize)]
struct ReplyV1 {
    chat_id: i64,
    text: String,
    reply_to: Option<i32>,
    topic_id: Option<i32>,
    markup: Option<String>,
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
    V1(ReplyV1),
    V2(StoredReply),
}

impl OwedReplyRecord {
    fn latest(self) -> StoredReply {
        match self {
            OwedReplyRecord::V1(v1) => StoredReply {
                chat_id: v1.chat_id,
                text: v1.text,
                reply_to: v1.reply_to,
                topic_id: v1.topic_id,
                markup: v1.markup,
                replaces: None,
            },
            OwedReplyRecord::V2(v2) => v2,
        }
    }
}

/// The settled mark's time: its first 8 bytes (the sent message's id may follow).
fn settled_at(key: &[u8], value: &[u8]) -> Result<u64, StoreError> {
    decode_u64("replies_settled", key, value.get(..8).unwrap_or(value))
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
        let value = encode("owed reply", &OwedReplyRecord::V2(reply.clone()))?;
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
            let reply = decode::<OwedReplyRecord>("replies_owed", &k, &v)?.latest();
            out.push(OwedReply { key, reply });
        }
        Ok(out)
    }

    /// The reply was sent or given up on at `at` (unix seconds); durable on return, so
    /// a `kill -9` right after a reply went out does not send it again after the
    /// restart (only one killed between Telegram taking it and this call is).
    pub fn settle_reply(&self, key: ReplyKey, at: u64) -> Result<(), StoreError> {
        self.settle(key, at.to_be_bytes().to_vec())
    }

    /// The reply went out at `at` as message `message_id`, kept for a later edit of
    /// it (a holding reply's answer); durable on return, so the answer after a restart
    /// finds the message to edit.
    pub fn settle_sent_reply(
        &self,
        key: ReplyKey,
        at: u64,
        message_id: i32,
    ) -> Result<(), StoreError> {
        let mark = [at.to_be_bytes().as_slice(), &message_id.to_be_bytes()].concat();
        self.settle(key, mark)?;
        self.durable()
    }

    fn settle(&self, key: ReplyKey, mark: Vec<u8>) -> Result<(), StoreError> {
        let t = self.trees();
        let k = key.bytes();
        let result = (&t.replies_owed, &t.replies_settled).transaction(|(owed, settled)| {
            owed.remove(&k)?;
            settled.insert(&k, mark.as_slice())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        result.map_err(transaction_error)
    }

    /// The message a settled reply went out as, when its id was kept.
    pub fn reply_sent_as(&self, key: ReplyKey) -> Result<Option<i32>, StoreError> {
        let k = key.bytes();
        let Some(mark) = self.trees().replies_settled.get(k)? else {
            return Ok(None);
        };
        settled_at(&k, &mark)?;
        Ok(mark
            .get(8..12)
            .and_then(|id| id.try_into().ok())
            .map(i32::from_be_bytes))
    }

    /// Forgets settled marks older than `before` (unix seconds); returns how many.
    pub fn prune_settled_replies(&self, before: u64) -> Result<usize, StoreError> {
        Store::prune_before(&self.trees().replies_settled, before, settled_at)
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
            replaces: None,
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

    #[test]
    fn a_sent_message_id_is_kept_and_old_replies_read_as_new_messages() {
        let dir = tempfile::tempdir().unwrap();
        let key = |seq| ReplyKey { update_id: -4, seq };
        let edit = StoredReply {
            replaces: Some(Replaced {
                message_id: 17,
                note: "see below".into(),
            }),
            ..reply(1, "card")
        };
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            assert!(store.owe_reply(key(u32::MAX), &reply(1, "held")).unwrap());
            store.settle_sent_reply(key(u32::MAX), 60, 17).unwrap();
            assert!(store.owe_reply(key(0), &edit).unwrap());
            let v1 = OwedReplyRecord::V1(ReplyV1 {
                chat_id: 1,
                text: "old".into(),
                reply_to: None,
                topic_id: None,
                markup: None,
            });
            let raw = encode("owed reply", &v1).unwrap();
            store
                .trees()
                .replies_owed
                .insert(key(1).bytes(), raw)
                .unwrap();
        }
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(store.reply_sent_as(key(u32::MAX)).unwrap(), Some(17));
        let owed = store.owed_replies().unwrap();
        assert_eq!(owed[0].reply, edit);
        assert_eq!(
            (owed[1].reply.text.as_str(), &owed[1].reply.replaces),
            ("old", &None)
        );
        store.settle_reply(key(0), 61).unwrap();
        assert_eq!(store.reply_sent_as(key(0)).unwrap(), None, "no id kept");
        assert_eq!(store.reply_sent_as(key(2)).unwrap(), None, "never owed");
        assert_eq!(
            store.prune_settled_replies(61).unwrap(),
            1,
            "read past the id"
        );
        assert_eq!(store.reply_sent_as(key(u32::MAX)).unwrap(), None);
    }
}
