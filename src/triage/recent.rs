//! The recent pending reports, as near-duplicate fingerprints: what the "several
//! similar reports need review" trigger counts, without reading every pending report
//! from the store on every new report.
//!
//! Invariants: holds the fingerprints of at most [`WINDOW`] pending reports, the most
//! recent ones (older ones drop out as new ones arrive); a report leaves when it is
//! reviewed; after reports are deleted (retention, forget) the window is reloaded from
//! the store, so a forgotten reporter's fingerprints do not linger in memory.

use std::collections::VecDeque;

use crate::store::{ReportId, Store, StoreError};

use super::fingerprint::{self, FingerprintKind, Index};

/// Most recent pending reports considered for clusters. A wave of one scam is
/// reported within hours or days, well inside the last few thousand reports; the
/// window costs about 2 MB and 0.1 s to load at start-up.
pub const WINDOW: usize = 5_000;

/// Fingerprints of the most recent pending reports.
#[derive(Debug, Default)]
pub struct RecentPending {
    index: Index,
    order: VecDeque<ReportId>,
}

impl RecentPending {
    /// The window over the store's most recent pending reports.
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        let mut recent = Self::default();
        for report in store.recent_pending(WINDOW)?.into_iter().rev() {
            if let Some(sig) = fingerprint::signature(&report.text) {
                recent.insert(report.id, &sig);
            }
        }
        Ok(recent)
    }

    /// Adds a new pending report's fingerprint, pushing out the oldest when full.
    pub fn insert(&mut self, id: ReportId, sig: &[u32]) {
        if sig.len() != fingerprint::SIGNATURE_LEN {
            return;
        }
        if self.order.len() == WINDOW
            && let Some(oldest) = self.order.pop_front()
        {
            self.index.remove(oldest.0);
        }
        self.index.insert(id.0, FingerprintKind::Scam, sig);
        self.order.push_back(id);
    }

    /// Drops a report that is no longer pending.
    pub fn remove(&mut self, id: ReportId) {
        if let Some(at) = self.order.iter().position(|&x| x == id) {
            self.order.remove(at);
            self.index.remove(id.0);
        }
    }

    /// How many reports in the window are near-duplicates of `sig`.
    pub fn similar(&self, sig: &[u32], threshold: f64) -> usize {
        self.index.count_similar(sig, threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(n: u32) -> Vec<u32> {
        (0..fingerprint::SIGNATURE_LEN as u32)
            .map(|i| n * 1000 + i)
            .collect()
    }

    #[test]
    fn keeps_the_most_recent_and_forgets_reviewed_ones() {
        let mut recent = RecentPending::default();
        for n in 0..WINDOW as u64 + 2 {
            recent.insert(ReportId(n), &sig(7));
        }
        assert_eq!(recent.order.len(), WINDOW);
        assert_eq!(recent.similar(&sig(7), 0.75), WINDOW);
        recent.remove(ReportId(WINDOW as u64 + 1));
        recent.remove(ReportId(0)); // already pushed out: nothing happens
        assert_eq!(recent.similar(&sig(7), 0.75), WINDOW - 1);
        assert_eq!(recent.similar(&sig(8), 0.75), 0);
    }
}
