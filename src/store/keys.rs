//! Key layouts for every sled tree, in one place.
//!
//! Invariants: integers in keys are big-endian so sled's byte order is numeric order;
//! an indicator inside a composite key is prefixed by its u16 big-endian length so no
//! indicator's keys can collide with another's, whatever bytes it contains.

use super::error::StoreError;
use super::types::{ReportId, ReporterHash};

/// Longest indicator the store accepts, in bytes.
pub(crate) const MAX_INDICATOR_LEN: usize = u16::MAX as usize;

/// Key of a report-keyed tree (`reports`, `fingerprints`).
pub(crate) fn id_key(id: ReportId) -> [u8; 8] {
    id.0.to_be_bytes()
}

/// Read a report id from the last 8 bytes of `key`.
pub(crate) fn id_suffix(tree: &'static str, key: &[u8]) -> Result<ReportId, StoreError> {
    let start = key
        .len()
        .checked_sub(8)
        .ok_or_else(|| StoreError::corrupt(tree, key, "key shorter than a report id"))?;
    let mut arr = [0u8; 8];
    arr.copy_from_slice(&key[start..]);
    Ok(ReportId(u64::from_be_bytes(arr)))
}

/// Length-prefixed indicator: the prefix of its `indicator_reporters` keys.
pub(crate) fn indicator_prefix(indicator: &str) -> Result<Vec<u8>, StoreError> {
    let len = u16::try_from(indicator.len()).map_err(|_| {
        StoreError::InvalidInput(format!("indicator longer than {MAX_INDICATOR_LEN} bytes"))
    })?;
    let mut key = Vec::with_capacity(2 + indicator.len() + 32);
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(indicator.as_bytes());
    Ok(key)
}

/// `indicator_reporters` key: indicator prefix + reporter hash.
pub(crate) fn indicator_reporter_key(prefix: &[u8], reporter: &ReporterHash) -> Vec<u8> {
    let mut key = prefix.to_vec();
    key.extend_from_slice(&reporter.0);
    key
}
