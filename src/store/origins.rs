//! Where reports came from: `report_origins` maps an origin (a keyed hash of, say, the
//! Telegram chat and message a `/report` was sent in) to the report filed from it, so
//! an update handled again after a crash files nothing new.
//!
//! Invariants: an origin and its report are written in one transaction (the report
//! record keeps its origin, so deleting the report deletes the entry too); an origin
//! maps to at most one report; entries older than the redelivery window are pruned
//! (`prune_report_origins`), so the tree holds about one key per report of the last
//! two days, not one per report.

use super::error::StoreError;
use super::records::{OriginRecord, decode, encode};
use super::reports::{self, dedup_indicators};
use super::types::{NewReport, ReportId, ReportOrigin};
use super::{Store, Tx, TxResult, abort};

/// The report filed from `origin`, read inside a transaction.
fn read_tx(tx: &Tx<'_>, origin: ReportOrigin) -> TxResult<Option<ReportId>> {
    match tx.origins.get(origin.0)? {
        Some(raw) => Ok(Some(report_of(&origin.0, &raw).map_err(abort)?)),
        None => Ok(None),
    }
}

/// Records that `report` was filed from `origin` at `at`.
pub(crate) fn insert_tx(
    tx: &Tx<'_>,
    origin: ReportOrigin,
    report: ReportId,
    at: u64,
) -> TxResult<()> {
    let record = OriginRecord::V1 {
        report: report.0,
        at,
    };
    let bytes = encode("report origin", &record).map_err(abort)?;
    tx.origins.insert(&origin.0, bytes)?;
    Ok(())
}

/// Forgets `origin` if it still names `report` (the report is being deleted).
pub(crate) fn remove_tx(tx: &Tx<'_>, origin: [u8; 32], report: ReportId) -> TxResult<()> {
    if read_tx(tx, ReportOrigin(origin))? == Some(report) {
        tx.origins.remove(&origin)?;
    }
    Ok(())
}

fn report_of(key: &[u8], raw: &[u8]) -> Result<ReportId, StoreError> {
    let OriginRecord::V1 { report, .. } = decode("report_origins", key, raw)?;
    Ok(ReportId(report))
}

impl Store {
    /// Keyed hash of where a report came from (e.g. `telegram:CHAT:MESSAGE:USER`);
    /// never equal to a reporter hash of the same text.
    pub fn origin_hash(&self, raw: &str) -> ReportOrigin {
        let mut hasher = blake3::Hasher::new_keyed(&self.inner.key.0);
        hasher.update(b"report-origin\0");
        hasher.update(raw.as_bytes());
        ReportOrigin(*hasher.finalize().as_bytes())
    }

    /// The report already filed from `origin`, if any.
    pub fn report_from(&self, origin: ReportOrigin) -> Result<Option<ReportId>, StoreError> {
        match self.trees().origins.get(origin.0)? {
            Some(raw) => Ok(Some(report_of(&origin.0, &raw)?)),
            None => Ok(None),
        }
    }

    /// Stores a new pending report filed from `origin`, unless one was filed from it
    /// already; returns the report's id (durable on return) and whether it is new.
    pub fn add_report_once(
        &self,
        report: &NewReport,
        origin: ReportOrigin,
    ) -> Result<(ReportId, bool), StoreError> {
        let indicators = dedup_indicators(&report.indicators)?;
        let id = ReportId(self.db().generate_id()?);
        let filed = self.transact(|tx| {
            if let Some(first) = read_tx(tx, origin)? {
                return Ok((first, false));
            }
            reports::insert_tx(tx, id, report, &indicators, Some(origin))?;
            Ok((id, true))
        })?;
        self.durable()?;
        Ok(filed)
    }

    /// Forgets origins recorded before `before` (unix seconds): an update cannot be
    /// handed in again that late. Returns how many were removed.
    pub fn prune_report_origins(&self, before: u64) -> Result<usize, StoreError> {
        Store::prune_before(&self.trees().origins, before, |key, raw| {
            let OriginRecord::V1 { at, .. } = decode("report_origins", key, raw)?;
            Ok(at)
        })
    }
}
