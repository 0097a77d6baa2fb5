//! Adding, reading, listing and re-judging reports.
//!
//! Invariants: a report, its pending bit, its indicator contributions, its kept
//! fingerprint and the counters change in one transaction;
//! `add_report`/`import_reports`/`set_status`/`decide` return only once that
//! transaction is flushed to disk; `decide` changes a report only from pending and logs
//! the decision in the same transaction (first decision wins, atomically). The pending
//! set holds exactly the pending reports; `fingerprints` holds exactly the judged
//! reports with a non-empty fingerprint.

use std::collections::HashSet;

use super::error::StoreError;
use super::indicators::add_contribution;
use super::keys::{check_indicator, id_key, id_suffix};
use super::pending;
use super::records::{
    DecisionRecord, FingerprintRecord, ReportRecord, ReportV3, StatusV1, decode, encode,
};
use super::stats::{bump, key, status_key};
use super::types::{
    Decision, FingerprintKind, NewReport, Report, ReportId, ReportOrigin, ReportStatus,
};
use super::{Store, Tx, TxResult, abort, origins};

/// Distinct indicators in submission order, each checked for length.
pub(crate) fn dedup_indicators(indicators: &[String]) -> Result<Vec<String>, StoreError> {
    let mut seen = HashSet::with_capacity(indicators.len());
    let mut out = Vec::with_capacity(indicators.len());
    for ind in indicators {
        check_indicator(ind)?;
        if seen.insert(ind.as_str()) {
            out.push(ind.clone());
        }
    }
    Ok(out)
}

/// The first id a page starting after `after` may hold; `None` when nothing can follow.
fn first_after(after: Option<ReportId>) -> Option<u64> {
    match after {
        None => Some(0),
        Some(id) => id.0.checked_add(1),
    }
}

/// Read a report record inside a transaction.
pub(crate) fn read_tx(tx: &Tx<'_>, id: ReportId) -> TxResult<Option<ReportV3>> {
    let key = id_key(id);
    match tx.reports.get(key)? {
        Some(raw) => {
            let record: ReportRecord = decode("reports", &key, &raw).map_err(abort)?;
            Ok(Some(record.latest()))
        }
        None => Ok(None),
    }
}

/// Write a report record inside a transaction.
fn write_tx(tx: &Tx<'_>, id: ReportId, v: ReportV3) -> TxResult<()> {
    let bytes = encode("report", &ReportRecord::V3(v)).map_err(abort)?;
    tx.reports.insert(&id_key(id), bytes)?;
    Ok(())
}

/// Insert one new pending report (filed from `origin`, if given) and everything that
/// hangs off it.
pub(crate) fn insert_tx(
    tx: &Tx<'_>,
    id: ReportId,
    report: &NewReport,
    indicators: &[String],
    origin: Option<ReportOrigin>,
) -> TxResult<()> {
    let key = id_key(id);
    let record = ReportRecord::new(report, indicators.to_vec(), origin);
    tx.reports
        .insert(&key, encode("report", &record).map_err(abort)?)?;
    if let Some(origin) = origin {
        origins::insert_tx(tx, origin, id, report.at)?;
    }
    pending::mark_tx(tx.pending, id, true)?;
    for ind in indicators {
        add_contribution(tx, ind, &report.reporter, report.at)?;
    }
    bump(tx.counters, key::RECEIVED, 1)?;
    bump(tx.counters, key::PENDING, 1)
}

/// Keep (or drop, when empty) a judged report's fingerprint.
fn keep_fingerprint(
    tx: &Tx<'_>,
    id: ReportId,
    kind: FingerprintKind,
    fingerprint: &[u32],
) -> TxResult<()> {
    let key = id_key(id);
    if fingerprint.is_empty() {
        tx.fingerprints.remove(&key)?;
        return Ok(());
    }
    let bytes = encode("fingerprint", &FingerprintRecord::new(kind, fingerprint)).map_err(abort)?;
    tx.fingerprints.insert(&key, bytes)?;
    Ok(())
}

/// Decode a report read outside a transaction.
fn to_report(key: &[u8], raw: &[u8]) -> Result<Report, StoreError> {
    let id = id_suffix("reports", key)?;
    Ok(decode_report(key, raw)?.into_domain(id))
}

/// Decode a report read outside a transaction, as its latest version.
pub(crate) fn decode_report(key: &[u8], raw: &[u8]) -> Result<ReportV3, StoreError> {
    let record: ReportRecord = decode("reports", key, raw)?;
    Ok(record.latest())
}

/// What became of a [`Store::decide`].
#[derive(Debug, Clone)]
pub enum Decided {
    /// This call decided it; the report as it was before (pending).
    Now(Report),
    /// It was decided already (or reopened and decided again): the report as it stands.
    Already(Report),
}

/// Set `rec`'s status inside a transaction, with its pending bit, kept fingerprint and
/// counters; returns the record as it was before.
fn change_status_tx(
    tx: &Tx<'_>,
    id: ReportId,
    mut rec: ReportV3,
    status: ReportStatus,
    at: u64,
    fingerprint: &impl Fn(&str) -> Vec<u32>,
) -> TxResult<ReportV3> {
    let old = rec.clone();
    let old_status = ReportStatus::from(rec.report.status);
    rec.report.status = StatusV1::from(status);
    rec.report.status_changed_at = Some(at);
    if old_status != status {
        bump(tx.counters, status_key(old_status), -1)?;
        bump(tx.counters, status_key(status), 1)?;
    }
    match status {
        ReportStatus::Pending => {
            pending::mark_tx(tx.pending, id, true)?;
            tx.fingerprints.remove(&id_key(id))?;
        }
        ReportStatus::Confirmed | ReportStatus::Rejected => {
            pending::mark_tx(tx.pending, id, false)?;
            let kind = if status == ReportStatus::Confirmed {
                FingerprintKind::ConfirmedScam
            } else {
                FingerprintKind::RejectedLookalike
            };
            keep_fingerprint(tx, id, kind, &fingerprint(&rec.report.text))?;
        }
    }
    write_tx(tx, id, rec)?;
    Ok(old)
}

impl Store {
    /// Store a new pending report; returns its id once it is durable on disk.
    pub fn add_report(&self, report: &NewReport) -> Result<ReportId, StoreError> {
        let indicators = dedup_indicators(&report.indicators)?;
        let id = ReportId(self.db().generate_id()?);
        self.transact(|tx| insert_tx(tx, id, report, &indicators, None))?;
        self.durable()?;
        Ok(id)
    }

    /// Store many reports in one transaction (all or none); ids once durable.
    pub fn import_reports(&self, reports: &[NewReport]) -> Result<Vec<ReportId>, StoreError> {
        let mut prepared = Vec::with_capacity(reports.len());
        for report in reports {
            let id = ReportId(self.db().generate_id()?);
            prepared.push((id, report, dedup_indicators(&report.indicators)?));
        }
        self.transact(|tx| {
            for (id, report, indicators) in &prepared {
                insert_tx(tx, *id, report, indicators, None)?;
            }
            Ok(())
        })?;
        self.durable()?;
        Ok(prepared.into_iter().map(|(id, _, _)| id).collect())
    }

    /// One report by id.
    pub fn get_report(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        let key = id_key(id);
        match self.trees().reports.get(key)? {
            Some(raw) => to_report(&key, &raw).map(Some),
            None => Ok(None),
        }
    }

    /// Change a report's status at time `at`; returns the report as it was before.
    ///
    /// Confirmed reports keep `fingerprint(text)` as a scam, rejected ones as a
    /// look-alike (an empty fingerprint keeps nothing); back to pending drops it.
    /// Durable on return.
    pub fn set_status(
        &self,
        id: ReportId,
        status: ReportStatus,
        at: u64,
        fingerprint: impl Fn(&str) -> Vec<u32>,
    ) -> Result<Report, StoreError> {
        let old = self.transact(|tx| {
            let Some(rec) = read_tx(tx, id)? else {
                return Err(abort(StoreError::ReportNotFound(id)));
            };
            change_status_tx(tx, id, rec, status, at, &fingerprint)
        })?;
        self.durable()?;
        Ok(old.into_domain(id))
    }

    /// Decide a pending report: compare-and-swap its status from pending to `status`
    /// and append `decision` to the log, in one transaction. Of two deciders at the
    /// same moment exactly one gets `Decided::Now`; the other gets `Decided::Already`
    /// with the status that stands and the decision that set it. Durable on return.
    pub fn decide(
        &self,
        id: ReportId,
        status: ReportStatus,
        decision: &Decision,
        fingerprint: impl Fn(&str) -> Vec<u32>,
    ) -> Result<Decided, StoreError> {
        let seq = self.db().generate_id()?;
        let logged = encode("decision", &DecisionRecord::from(decision))?;
        let outcome = self.transact(|tx| {
            let Some(rec) = read_tx(tx, id)? else {
                return Err(abort(StoreError::ReportNotFound(id)));
            };
            if ReportStatus::from(rec.report.status) != ReportStatus::Pending {
                return Ok(Err(rec));
            }
            let old = change_status_tx(tx, id, rec, status, decision.at, &fingerprint)?;
            tx.decisions.insert(&seq.to_be_bytes(), logged.clone())?;
            Ok(Ok(old))
        })?;
        match outcome {
            Ok(old) => {
                self.durable()?;
                Ok(Decided::Now(old.into_domain(id)))
            }
            Err(current) => Ok(Decided::Already(current.into_domain(id))),
        }
    }

    /// Pending reports in id order, `limit` at a time, starting after `after`.
    pub fn pending_reports(
        &self,
        after: Option<ReportId>,
        limit: usize,
    ) -> Result<Vec<Report>, StoreError> {
        let mut out = Vec::with_capacity(limit.min(1024));
        let Some(start) = first_after(after) else {
            return Ok(out);
        };
        for id in pending::ids_from(&self.trees().pending, start) {
            if out.len() >= limit {
                break;
            }
            // A report deleted between the two reads is simply skipped.
            if let Some(report) = self.get_report(id?)? {
                out.push(report);
            }
        }
        Ok(out)
    }

    /// The `limit` most recent pending reports, newest first.
    pub fn recent_pending(&self, limit: usize) -> Result<Vec<Report>, StoreError> {
        let mut out = Vec::with_capacity(limit.min(1024));
        for id in pending::ids_newest_first(&self.trees().pending) {
            if out.len() >= limit {
                break;
            }
            if let Some(report) = self.get_report(id?)? {
                out.push(report);
            }
        }
        Ok(out)
    }

    /// Every stored report in id order (for exports); reads lazily.
    pub fn export(&self) -> impl Iterator<Item = Result<Report, StoreError>> + use<> {
        self.trees().reports.iter().map(|item| {
            let (key, raw) = item?;
            to_report(&key, &raw)
        })
    }
}
