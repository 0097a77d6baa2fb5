//! Counters for the stats page and the opaque model-weights blob.
//!
//! Invariants: report counters (`received`, per-status, `deleted`) change only inside
//! the same transaction as the reports they count, so they always match the stored
//! reports; `checks` is bumped outside transactions and flushed lazily (a crash may lose
//! the last half second of it). Counter values are raw u64 big-endian.

use super::error::StoreError;
use super::records::{ModelRecord, decode, decode_u64, encode};
use super::types::{ReportStatus, Stats};
use super::{Store, TxResult, abort};

/// Counter keys in tree `counters`.
pub(crate) mod key {
    pub const RECEIVED: &[u8] = b"received";
    pub const PENDING: &[u8] = b"pending";
    pub const CONFIRMED: &[u8] = b"confirmed";
    pub const REJECTED: &[u8] = b"rejected";
    pub const DELETED: &[u8] = b"deleted";
    pub const CHECKS: &[u8] = b"checks";
}

/// Key of the model blob in tree `meta`.
const MODEL_KEY: &[u8] = b"model";

/// The counter key for a status.
pub(crate) fn status_key(status: ReportStatus) -> &'static [u8] {
    match status {
        ReportStatus::Pending => key::PENDING,
        ReportStatus::Confirmed => key::CONFIRMED,
        ReportStatus::Rejected => key::REJECTED,
    }
}

/// Add `delta` to a counter inside a transaction (saturating at zero).
pub(crate) fn bump(
    counters: &sled::transaction::TransactionalTree,
    name: &[u8],
    delta: i64,
) -> TxResult<()> {
    let current = match counters.get(name)? {
        Some(raw) => decode_u64("counters", name, &raw).map_err(abort)?,
        None => 0,
    };
    let next = current.saturating_add_signed(delta);
    counters.insert(name, &next.to_be_bytes())?;
    Ok(())
}

impl Store {
    /// Current counters.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let read = |name: &[u8]| -> Result<u64, StoreError> {
            match self.trees().counters.get(name)? {
                Some(raw) => decode_u64("counters", name, &raw),
                None => Ok(0),
            }
        };
        let (pending, confirmed, rejected) = (
            read(key::PENDING)?,
            read(key::CONFIRMED)?,
            read(key::REJECTED)?,
        );
        Ok(Stats {
            reports_received: read(key::RECEIVED)?,
            reports_stored: pending + confirmed + rejected,
            pending,
            confirmed,
            rejected,
            reports_deleted: read(key::DELETED)?,
            checks: read(key::CHECKS)?,
        })
    }

    /// Count one message check (not flushed: a crash may lose the latest few).
    pub fn record_check(&self) -> Result<(), StoreError> {
        let mut bad = None;
        self.trees().counters.update_and_fetch(key::CHECKS, |old| {
            bad = None;
            let current = match old.map(|raw| decode_u64("counters", key::CHECKS, raw)) {
                Some(Ok(v)) => v,
                Some(Err(e)) => {
                    bad = Some(e);
                    return old.map(<[u8]>::to_vec);
                }
                None => 0,
            };
            Some((current + 1).to_be_bytes().to_vec())
        })?;
        bad.map_or(Ok(()), Err)
    }

    /// Replace the model-weights blob; durable on return.
    pub fn put_model(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let record = encode(
            "model",
            &ModelRecord::V1 {
                bytes: bytes.to_vec(),
            },
        )?;
        self.trees().meta.insert(MODEL_KEY, record)?;
        self.durable()
    }

    /// The model-weights blob, if one was stored.
    pub fn get_model(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(raw) = self.trees().meta.get(MODEL_KEY)? else {
            return Ok(None);
        };
        match decode("meta", MODEL_KEY, &raw)? {
            ModelRecord::V1 { bytes } => Ok(Some(bytes)),
        }
    }
}
