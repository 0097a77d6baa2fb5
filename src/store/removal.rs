//! Deleting reports: retention of stale pending reports and forgetting a reporter.
//!
//! Invariants: a report is deleted together with its index entries, its fingerprint,
//! its indicator contributions and its counter, in one transaction, so the counts stay
//! exact; both operations work in bounded chunks (memory stays flat on a large store)
//! and return only once every deletion is durable.

use super::error::StoreError;
use super::indicators::remove_contribution;
use super::keys::{by_indicator_key, by_reporter_key, id_key, id_suffix, indicator_prefix};
use super::records::decode_u64;
use super::reports::read_tx;
use super::stats::{bump, key, status_key};
use super::types::{ReportId, ReportStatus, ReporterHash};
use super::{Store, Tx, TxResult, abort};

/// Reports deleted per transaction.
const CHUNK: usize = 256;

/// Delete one report and everything that hangs off it; false if it was already gone.
fn delete_tx(tx: &Tx<'_>, id: ReportId) -> TxResult<bool> {
    let Some(rec) = read_tx(tx, id)? else {
        return Ok(false);
    };
    let key = id_key(id);
    let reporter = ReporterHash(rec.reporter);
    tx.reports.remove(&key)?;
    tx.pending.remove(&key)?;
    tx.fingerprints.remove(&key)?;
    tx.by_reporter
        .remove(&by_reporter_key(&reporter, rec.created_at, id)[..])?;
    for ind in &rec.indicators {
        let prefix = indicator_prefix(ind).map_err(abort)?;
        tx.by_indicator.remove(by_indicator_key(&prefix, id))?;
        remove_contribution(tx, ind, &reporter)?;
    }
    bump(tx.counters, status_key(rec.status.into()), -1)?;
    bump(tx.counters, key::DELETED, 1)?;
    Ok(true)
}

impl Store {
    /// Delete pending reports created before `cutoff` (unix seconds); returns how many.
    pub fn delete_pending_before(&self, cutoff: u64) -> Result<usize, StoreError> {
        let mut deleted = 0;
        let mut resume = id_key(ReportId(0)).to_vec();
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut last = None;
            for item in self.trees().pending.range(resume.as_slice()..) {
                let (key, raw) = item?;
                last = Some(id_suffix("pending", &key)?);
                if decode_u64("pending", &key, &raw)? < cutoff {
                    chunk.push(id_suffix("pending", &key)?);
                    if chunk.len() == CHUNK {
                        break;
                    }
                }
            }
            deleted += self.transact(|tx| {
                let mut n = 0;
                for id in &chunk {
                    // Re-check inside the transaction: it may have been judged since.
                    match read_tx(tx, *id)? {
                        Some(r)
                            if ReportStatus::from(r.status) == ReportStatus::Pending
                                && r.created_at < cutoff =>
                        {
                            n += usize::from(delete_tx(tx, *id)?);
                        }
                        _ => {}
                    }
                }
                Ok(n)
            })?;
            match last.and_then(|id| id.0.checked_add(1)) {
                Some(next) if chunk.len() == CHUNK => resume = id_key(ReportId(next)).to_vec(),
                _ => break,
            }
        }
        self.durable()?;
        Ok(deleted)
    }

    /// Delete every report by `reporter` and un-count them from indicators; returns how many.
    ///
    /// The ignore list and the decision log are left as they are.
    pub fn forget_reporter(&self, reporter: &ReporterHash) -> Result<usize, StoreError> {
        let mut deleted = 0;
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            for item in self.trees().by_reporter.scan_prefix(reporter.0).take(CHUNK) {
                let (key, _) = item?;
                chunk.push(id_suffix("by_reporter", &key)?);
            }
            if chunk.is_empty() {
                break;
            }
            let n = self.transact(|tx| {
                let mut n = 0;
                for id in &chunk {
                    n += usize::from(delete_tx(tx, *id)?);
                }
                Ok(n)
            })?;
            if n == 0 {
                // Index entries without reports: drop them so the loop ends.
                self.drop_dangling(reporter, &chunk)?;
            }
            deleted += n;
        }
        self.durable()?;
        Ok(deleted)
    }

    /// Remove `by_reporter` entries whose reports are gone (never expected; defensive).
    fn drop_dangling(&self, reporter: &ReporterHash, ids: &[ReportId]) -> Result<(), StoreError> {
        let tree = &self.trees().by_reporter;
        for item in tree.scan_prefix(reporter.0).take(ids.len()) {
            let (key, _) = item?;
            if self
                .trees()
                .reports
                .get(key.get(40..).unwrap_or_default())?
                .is_none()
            {
                tree.remove(key)?;
            }
        }
        Ok(())
    }
}
