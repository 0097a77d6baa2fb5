//! Key layouts for every sled tree, in one place.
//!
//! Invariants: integers in keys are big-endian so sled's byte order is numeric order.
//! Indicators are keys on their own (`indicators`, `indicator_reporters`), never parts
//! of composite keys, so no two indicators' keys can collide.

use super::error::StoreError;
use super::types::ReportId;

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

/// Refuse an indicator too long for the store.
pub(crate) fn check_indicator(indicator: &str) -> Result<(), StoreError> {
    if indicator.len() > MAX_INDICATOR_LEN {
        return Err(StoreError::InvalidInput(format!(
            "indicator longer than {MAX_INDICATOR_LEN} bytes"
        )));
    }
    Ok(())
}
