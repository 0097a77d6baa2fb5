//! The update inbox: every Telegram update received (webhook or long polling) is kept
//! here, raw, until it is handled; then a per-update done mark replaces it, so a
//! redelivery or a restart never handles it twice and no update is skipped because a
//! higher id was seen first. Updates that keep failing are moved aside (quarantine).
//!
//! Trees: `updates_open` (update id -> `OpenUpdateRecord`), `updates_done` (update id
//! -> unix seconds it was finished), `updates_quarantine` (update id ->
//! `QuarantineRecord`). Keys are `key(id)`: the id big-endian with its sign bit flipped,
//! so byte order is numeric order.
//!
//! Invariants: `receive*` return only once the update is flushed; an id is in at most
//! one of the three trees; finishing or quarantining moves it in one transaction.

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::records::{decode, encode};
use super::{Store, StoreError};

/// An update received and not yet finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenUpdate {
    /// Telegram's update id.
    pub update_id: i64,
    /// The update exactly as it arrived (JSON bytes, possibly malformed).
    pub raw: Vec<u8>,
    /// Failed attempts to handle it so far.
    pub tries: u32,
}

/// An update set aside because it could not be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedUpdate {
    /// Telegram's update id.
    pub update_id: i64,
    /// The update as it arrived.
    pub raw: Vec<u8>,
    /// Why it was set aside.
    pub reason: String,
    /// When (unix seconds).
    pub at: u64,
}

#[derive(Serialize, Deserialize)]
enum OpenUpdateRecord {
    V1 { raw: Vec<u8>, tries: u32 },
}

#[derive(Serialize, Deserialize)]
enum QuarantineRecord {
    V1 {
        raw: Vec<u8>,
        reason: String,
        at: u64,
    },
}

/// Order-preserving key of an update id.
pub(crate) fn key(id: i64) -> [u8; 8] {
    ((id as u64) ^ (1 << 63)).to_be_bytes()
}

fn id_of(tree: &'static str, raw: &[u8]) -> Result<i64, StoreError> {
    let arr: [u8; 8] = raw
        .try_into()
        .map_err(|_| StoreError::corrupt(tree, raw, "update key is not 8 bytes"))?;
    Ok((u64::from_be_bytes(arr) ^ (1 << 63)) as i64)
}

fn open_record(raw: &[u8], tries: u32) -> Result<Vec<u8>, StoreError> {
    encode(
        "open update",
        &OpenUpdateRecord::V1 {
            raw: raw.to_vec(),
            tries,
        },
    )
}

impl Store {
    /// Keeps `raw` as update `update_id` unless that id was seen before; durable on
    /// return. True when it is new.
    pub fn receive_update(&self, update_id: i64, raw: &[u8]) -> Result<bool, StoreError> {
        let fresh = self.insert_update(update_id, raw)?;
        self.durable()?;
        Ok(fresh)
    }

    /// [`Store::receive_update`] for a batch, with one flush; one flag per update.
    pub fn receive_updates(&self, updates: &[(i64, Vec<u8>)]) -> Result<Vec<bool>, StoreError> {
        let fresh = updates
            .iter()
            .map(|(id, raw)| self.insert_update(*id, raw))
            .collect::<Result<Vec<_>, _>>()?;
        self.durable()?;
        Ok(fresh)
    }

    fn insert_update(&self, update_id: i64, raw: &[u8]) -> Result<bool, StoreError> {
        let t = self.trees();
        let k = key(update_id);
        if t.updates_done.contains_key(k)? || t.updates_quarantine.contains_key(k)? {
            return Ok(false);
        }
        let value = open_record(raw, 0)?;
        let swapped = t
            .updates_open
            .compare_and_swap(k, None as Option<&[u8]>, Some(value))?;
        Ok(swapped.is_ok())
    }

    /// Every open update, in id order.
    pub fn open_updates(&self) -> Result<Vec<OpenUpdate>, StoreError> {
        let mut out = Vec::new();
        for entry in self.trees().updates_open.iter() {
            let (k, v) = entry?;
            let update_id = id_of("updates_open", &k)?;
            let OpenUpdateRecord::V1 { raw, tries } = decode("updates_open", &k, &v)?;
            out.push(OpenUpdate {
                update_id,
                raw,
                tries,
            });
        }
        Ok(out)
    }

    /// Counts one failed attempt at an open update; returns the attempts so far (0 when
    /// the update is not open).
    pub fn update_failed(&self, update_id: i64) -> Result<u32, StoreError> {
        let tree = &self.trees().updates_open;
        let k = key(update_id);
        let Some(v) = tree.get(k)? else {
            return Ok(0);
        };
        let OpenUpdateRecord::V1 { raw, tries } = decode("updates_open", &k, &v)?;
        let tries = tries.saturating_add(1);
        tree.insert(k, open_record(&raw, tries)?)?;
        self.durable()?;
        Ok(tries)
    }

    /// Marks an update handled at `at` (unix seconds); durable on return.
    pub fn finish_update(&self, update_id: i64, at: u64) -> Result<(), StoreError> {
        let t = self.trees();
        let k = key(update_id);
        let result = (&t.updates_open, &t.updates_done).transaction(|(open, done)| {
            open.remove(&k)?;
            done.insert(&k, &at.to_be_bytes())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        result.map_err(transaction_error)?;
        self.durable()
    }

    /// Moves an open update aside with `reason`; durable on return.
    pub fn quarantine_update(
        &self,
        update_id: i64,
        reason: &str,
        at: u64,
    ) -> Result<(), StoreError> {
        let t = self.trees();
        let k = key(update_id);
        let raw = match t.updates_open.get(k)? {
            Some(v) => {
                let OpenUpdateRecord::V1 { raw, .. } = decode("updates_open", &k, &v)?;
                raw
            }
            None => Vec::new(),
        };
        self.quarantine_raw(update_id, &raw, reason, at)
    }

    /// Keeps `raw` aside as update `update_id` (one that never became open, such as
    /// one that did not decode in a getUpdates answer); durable on return.
    pub fn quarantine_raw(
        &self,
        update_id: i64,
        raw: &[u8],
        reason: &str,
        at: u64,
    ) -> Result<(), StoreError> {
        let t = self.trees();
        let k = key(update_id);
        let record = encode(
            "quarantined update",
            &QuarantineRecord::V1 {
                raw: raw.to_vec(),
                reason: reason.to_owned(),
                at,
            },
        )?;
        let result = (&t.updates_open, &t.updates_quarantine).transaction(|(open, aside)| {
            open.remove(&k)?;
            aside.insert(&k, record.as_slice())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        });
        result.map_err(transaction_error)?;
        self.durable()
    }

    /// Every quarantined update, in id order.
    pub fn quarantined_updates(&self) -> Result<Vec<QuarantinedUpdate>, StoreError> {
        let mut out = Vec::new();
        for entry in self.trees().updates_quarantine.iter() {
            let (k, v) = entry?;
            let update_id = id_of("updates_quarantine", &k)?;
            let QuarantineRecord::V1 { raw, reason, at } = decode("updates_quarantine", &k, &v)?;
            out.push(QuarantinedUpdate {
                update_id,
                raw,
                reason,
                at,
            });
        }
        Ok(out)
    }

    /// Forgets done marks older than `before` (unix seconds): Telegram keeps an
    /// unconfirmed update for at most 24 hours, so older marks can never match a
    /// redelivery. Returns how many were removed.
    pub fn prune_done_updates(&self, before: u64) -> Result<usize, StoreError> {
        Store::prune_before(&self.trees().updates_done, before, |k, v| {
            super::records::decode_u64("updates_done", k, v)
        })
    }
}

pub(crate) fn transaction_error(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Sled(e),
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Store, StoreOptions};

    fn open_ids(store: &Store) -> Vec<i64> {
        let open = store.open_updates().unwrap();
        open.iter().map(|u| u.update_id).collect()
    }

    #[test]
    fn an_update_is_received_once_handled_once_and_can_be_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert!(store.receive_update(7, b"{\"update_id\":7}").unwrap());
        assert!(!store.receive_update(7, b"again").unwrap(), "redelivery");
        let fresh = store
            .receive_updates(&[(-3, b"neg".to_vec()), (5, b"five".to_vec())])
            .unwrap();
        assert_eq!(fresh, [true, true]);
        assert_eq!(open_ids(&store), [-3, 5, 7], "id order, negative ids first");

        assert_eq!(store.update_failed(5).unwrap(), 1);
        assert_eq!(store.update_failed(5).unwrap(), 2);
        store.finish_update(7, 100).unwrap();
        assert!(!store.receive_update(7, b"late").unwrap(), "done mark");
        store.quarantine_update(5, "does not decode", 101).unwrap();
        assert!(!store.receive_update(5, b"five").unwrap());
        let aside = store.quarantined_updates().unwrap();
        assert_eq!(
            (aside[0].update_id, aside[0].raw.as_slice()),
            (5, b"five".as_slice())
        );
        assert_eq!(open_ids(&store), [-3]);

        assert_eq!(store.prune_done_updates(100).unwrap(), 0);
        assert_eq!(store.prune_done_updates(101).unwrap(), 1);
        assert!(store.receive_update(7, b"a day later").unwrap());
    }
}
