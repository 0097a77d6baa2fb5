//! The fingerprint loader: (report id, kind, fingerprint) of every judged report, so the
//! caller can rebuild its in-memory near-duplicate index at start-up.
//!
//! Invariants: tree `fingerprints` is written only by report transactions (see
//! reports.rs and removal.rs); this file only reads it, in report-id order, lazily.

use super::Store;
use super::error::StoreError;
use super::keys::id_suffix;
use super::records::{FingerprintRecord, decode};
use super::types::StoredFingerprint;

impl Store {
    /// Every kept fingerprint (confirmed scams and rejected look-alikes), in id order.
    pub fn fingerprints(
        &self,
    ) -> impl Iterator<Item = Result<StoredFingerprint, StoreError>> + use<> {
        self.trees().fingerprints.iter().map(|item| {
            let (key, raw) = item?;
            let report = id_suffix("fingerprints", &key)?;
            let record: FingerprintRecord = decode("fingerprints", &key, &raw)?;
            let (kind, fingerprint) = record.into_domain(&key)?;
            Ok(StoredFingerprint {
                report,
                kind,
                fingerprint,
            })
        })
    }

    /// Number of kept fingerprints (walks the tree).
    pub fn fingerprint_count(&self) -> usize {
        self.trees().fingerprints.len()
    }
}
