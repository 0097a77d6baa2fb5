//! Deleting reports: retention of stale pending reports and forgetting a reporter.
//!
//! Invariants: a report is deleted together with its pending bit, its fingerprint,
//! its indicator contributions, its origin and its counter, in one transaction, so the counts stay
//! exact; both operations work in bounded chunks (memory stays flat on a large store)
//! and return only once every deletion is durable.
//!
//! There is no per-reporter index (it cost one sled key per report, and sled's resident
//! memory grows with keys), so forgetting a reporter scans the reports: about a
//! second per million reports (BENCHMARKS.md), for a rare request.

use super::error::StoreError;
use super::indicators::remove_contribution;
use super::keys::{id_key, id_suffix};
use super::pending;
use super::records::ReportV3;
use super::reports::{decode_report, read_tx};
use super::stats::{bump, key, status_key};
use super::types::{ReportId, ReportStatus, ReporterHash};
use super::{Store, Tx, TxResult, origins};

/// Reports deleted per transaction.
const CHUNK: usize = 256;

/// Delete one report and everything that hangs off it; false if it was already gone.
fn delete_tx(tx: &Tx<'_>, id: ReportId) -> TxResult<bool> {
    let Some(rec) = read_tx(tx, id)? else {
        return Ok(false);
    };
    let key = id_key(id);
    let reporter = ReporterHash(rec.report.reporter);
    tx.reports.remove(&key)?;
    pending::mark_tx(tx.pending, id, false)?;
    tx.fingerprints.remove(&key)?;
    for ind in &rec.report.indicators {
        remove_contribution(tx, ind, &reporter)?;
    }
    if let Some(origin) = rec.origin {
        origins::remove_tx(tx, origin, id)?;
    }
    bump(tx.counters, status_key(rec.report.status.into()), -1)?;
    bump(tx.counters, key::DELETED, 1)?;
    Ok(true)
}

/// Delete the reports `ids` that still satisfy `doomed`, in one transaction.
fn delete_chunk(
    store: &Store,
    ids: &[ReportId],
    doomed: &impl Fn(&ReportV3) -> bool,
) -> Result<usize, StoreError> {
    store.transact(|tx| {
        let mut n = 0;
        for id in ids {
            // Re-check inside the transaction: it may have changed since the scan.
            match read_tx(tx, *id)? {
                Some(r) if doomed(&r) => n += usize::from(delete_tx(tx, *id)?),
                _ => {}
            }
        }
        Ok(n)
    })
}

impl Store {
    /// Delete, `CHUNK` per transaction, the `candidates` that satisfy `doomed`;
    /// returns how many, once every deletion is durable.
    fn delete_where(
        &self,
        candidates: impl Iterator<Item = Result<(ReportId, ReportV3), StoreError>>,
        doomed: impl Fn(&ReportV3) -> bool,
    ) -> Result<usize, StoreError> {
        let mut deleted = 0;
        let mut chunk = Vec::with_capacity(CHUNK);
        for candidate in candidates {
            let (id, record) = candidate?;
            if doomed(&record) {
                chunk.push(id);
            }
            if chunk.len() == CHUNK {
                deleted += delete_chunk(self, &chunk, &doomed)?;
                chunk.clear();
            }
        }
        deleted += delete_chunk(self, &chunk, &doomed)?;
        self.durable()?;
        Ok(deleted)
    }

    /// Delete pending reports created before `cutoff` (unix seconds); returns how many.
    pub fn delete_pending_before(&self, cutoff: u64) -> Result<usize, StoreError> {
        let pending = pending::ids_from(&self.trees().pending, 0).filter_map(|id| {
            let read = id.and_then(|id| {
                let key = id_key(id);
                match self.trees().reports.get(key)? {
                    Some(raw) => Ok(Some((id, decode_report(&key, &raw)?))),
                    // Deleted since the pending page was read.
                    None => Ok(None),
                }
            });
            read.transpose()
        });
        self.delete_where(pending, |r| {
            ReportStatus::from(r.report.status) == ReportStatus::Pending
                && r.report.created_at < cutoff
        })
    }

    /// Delete every report by `reporter` and un-count them from indicators; returns how many.
    ///
    /// The ignore list and the decision log are left as they are.
    pub fn forget_reporter(&self, reporter: &ReporterHash) -> Result<usize, StoreError> {
        let every = self.trees().reports.iter().map(|item| {
            let (key, raw) = item?;
            Ok((id_suffix("reports", &key)?, decode_report(&key, &raw)?))
        });
        self.forget_answers(reporter)?;
        self.delete_where(every, |r| r.report.reporter == reporter.0)
    }
}
