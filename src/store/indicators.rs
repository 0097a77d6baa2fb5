//! Indicator reputation: distinct reporters per indicator, admin state, first/last seen.
//!
//! Invariants: `indicator_reporters` holds, per indicator, the list of its reporters
//! (sorted by hash, each once) with the number of that reporter's stored reports
//! carrying it, and `distinct_reporters` in `indicators` equals the list's length, so
//! one person reporting 100 times counts once and deleting reports un-counts them
//! exactly. One key per indicator, not per (indicator, reporter) pair: sled's resident
//! memory grows with keys (docs/store.md). The list is read only when reports are added
//! or deleted; checks read the small `indicators` record. An
//! indicator record with no reporters and no admin state is removed. first/last seen
//! record when it was reported; they are not rewound when reports are deleted.

use sled::transaction::TransactionalTree;

use super::error::StoreError;
use super::keys::check_indicator;
use super::records::{
    DecisionRecord, IndicatorRecord, IndicatorV2, ReporterCountV1, ReportersRecord, decode, encode,
};
use super::types::{AdminState, Decision, IndicatorReputation, ReporterHash};
use super::{Store, Tx, TxResult, abort};

/// Read an indicator record inside a transaction.
fn read_tx(tree: &TransactionalTree, indicator: &str) -> TxResult<Option<IndicatorV2>> {
    let key = indicator.as_bytes();
    match tree.get(key)? {
        Some(raw) => {
            let record: IndicatorRecord = decode("indicators", key, &raw).map_err(abort)?;
            Ok(Some(record.latest()))
        }
        None => Ok(None),
    }
}

/// Write (or remove, when it carries nothing) an indicator record inside a transaction.
fn write_tx(tree: &TransactionalTree, indicator: &str, v: IndicatorV2) -> TxResult<()> {
    let key = indicator.as_bytes();
    if v.distinct_reporters == 0 && AdminState::from(v.admin_state) == AdminState::None {
        tree.remove(key)?;
        return Ok(());
    }
    let bytes = encode("indicator", &IndicatorRecord::V2(v)).map_err(abort)?;
    tree.insert(key, bytes)?;
    Ok(())
}

/// The reporters of `indicator`, sorted by hash, inside a transaction.
fn reporters_tx(tx: &Tx<'_>, indicator: &str) -> TxResult<Vec<ReporterCountV1>> {
    let key = indicator.as_bytes();
    match tx.indicator_reporters.get(key)? {
        Some(raw) => {
            let record: ReportersRecord =
                decode("indicator_reporters", key, &raw).map_err(abort)?;
            Ok(record.latest())
        }
        None => Ok(Vec::new()),
    }
}

/// Write (or remove, when empty) the reporters of `indicator` inside a transaction.
fn write_reporters_tx(
    tx: &Tx<'_>,
    indicator: &str,
    reporters: Vec<ReporterCountV1>,
) -> TxResult<()> {
    let key = indicator.as_bytes();
    if reporters.is_empty() {
        tx.indicator_reporters.remove(key)?;
        return Ok(());
    }
    let bytes = encode("indicator reporters", &ReportersRecord::V1(reporters)).map_err(abort)?;
    tx.indicator_reporters.insert(key, bytes)?;
    Ok(())
}

/// Count one more report by `reporter` carrying `indicator`, seen at `at`.
pub(crate) fn add_contribution(
    tx: &Tx<'_>,
    indicator: &str,
    reporter: &ReporterHash,
    at: u64,
) -> TxResult<()> {
    let mut reporters = reporters_tx(tx, indicator)?;
    let new_reporter = match reporters.binary_search_by(|r| r.reporter.cmp(&reporter.0)) {
        Ok(i) => {
            reporters[i].reports += 1;
            false
        }
        Err(i) => {
            reporters.insert(
                i,
                ReporterCountV1 {
                    reporter: reporter.0,
                    reports: 1,
                },
            );
            true
        }
    };
    write_reporters_tx(tx, indicator, reporters)?;
    let mut rec = read_tx(tx.indicators, indicator)?.unwrap_or(IndicatorV2 {
        distinct_reporters: 0,
        admin_state: AdminState::None.into(),
        first_seen: at,
        last_seen: at,
        family: None,
    });
    if new_reporter {
        rec.distinct_reporters += 1;
    }
    rec.first_seen = rec.first_seen.min(at);
    rec.last_seen = rec.last_seen.max(at);
    write_tx(tx.indicators, indicator, rec)
}

/// Undo one [`add_contribution`] (a report by `reporter` carrying `indicator` is deleted).
pub(crate) fn remove_contribution(
    tx: &Tx<'_>,
    indicator: &str,
    reporter: &ReporterHash,
) -> TxResult<()> {
    let mut reporters = reporters_tx(tx, indicator)?;
    let Ok(i) = reporters.binary_search_by(|r| r.reporter.cmp(&reporter.0)) else {
        return Ok(());
    };
    if reporters[i].reports > 1 {
        reporters[i].reports -= 1;
        return write_reporters_tx(tx, indicator, reporters);
    }
    reporters.remove(i);
    write_reporters_tx(tx, indicator, reporters)?;
    if let Some(mut rec) = read_tx(tx.indicators, indicator)? {
        rec.distinct_reporters = rec.distinct_reporters.saturating_sub(1);
        write_tx(tx.indicators, indicator, rec)?;
    }
    Ok(())
}

/// A record for an indicator first seen at `at` with no reports and no verdict.
fn unjudged(at: u64) -> IndicatorV2 {
    IndicatorV2 {
        distinct_reporters: 0,
        admin_state: AdminState::None.into(),
        first_seen: at,
        last_seen: at,
        family: None,
    }
}

impl Store {
    /// Reputation of one indicator, `None` if it was never reported nor judged.
    pub fn indicator_reputation(
        &self,
        indicator: &str,
    ) -> Result<Option<IndicatorReputation>, StoreError> {
        let key = indicator.as_bytes();
        let Some(raw) = self.trees().indicators.get(key)? else {
            return Ok(None);
        };
        let record: IndicatorRecord = decode("indicators", key, &raw)?;
        Ok(Some(record.latest().into()))
    }

    /// How many stored reports carry `indicator` (over all its reporters).
    pub fn indicator_report_count(&self, indicator: &str) -> Result<u64, StoreError> {
        let key = indicator.as_bytes();
        let Some(raw) = self.trees().indicator_reporters.get(key)? else {
            return Ok(0);
        };
        let record: ReportersRecord = decode("indicator_reporters", key, &raw)?;
        Ok(record.latest().iter().map(|r| r.reports).sum())
    }

    /// Set an admin's verdict on an indicator at time `at`; durable on return.
    ///
    /// Returns the previous state. Record the decision itself with [`Store::log_decision`].
    pub fn set_indicator_state(
        &self,
        indicator: &str,
        state: AdminState,
        at: u64,
    ) -> Result<AdminState, StoreError> {
        self.set_indicator_verdict(indicator, state, None, at)
    }

    /// As [`Store::set_indicator_state`], keeping `family` (a family's stable name)
    /// with a blocked indicator; any other state keeps no family.
    pub fn set_indicator_verdict(
        &self,
        indicator: &str,
        state: AdminState,
        family: Option<&str>,
        at: u64,
    ) -> Result<AdminState, StoreError> {
        check_indicator(indicator)?;
        let family = family.filter(|_| state == AdminState::Blocked);
        let old = self.transact(|tx| {
            let mut rec = read_tx(tx.indicators, indicator)?.unwrap_or_else(|| unjudged(at));
            let old = AdminState::from(rec.admin_state);
            rec.admin_state = state.into();
            rec.family = family.map(str::to_owned);
            write_tx(tx.indicators, indicator, rec)?;
            Ok(old)
        })?;
        self.durable()?;
        Ok(old)
    }

    /// Allow-list `indicator` only while it has no admin verdict, logging `decision` in
    /// the same transaction: `Ok(None)` when it was allowed now, `Ok(Some(state))` with
    /// the verdict that stands otherwise (first decision wins). Durable on return.
    pub fn allow_indicator_once(
        &self,
        indicator: &str,
        decision: &Decision,
    ) -> Result<Option<AdminState>, StoreError> {
        check_indicator(indicator)?;
        let seq = self.db().generate_id()?;
        let logged = encode("decision", &DecisionRecord::from(decision))?;
        let at = decision.at;
        let standing = self.transact(|tx| {
            let mut rec = read_tx(tx.indicators, indicator)?.unwrap_or_else(|| unjudged(at));
            let old = AdminState::from(rec.admin_state);
            if old != AdminState::None {
                return Ok(Some(old));
            }
            rec.admin_state = AdminState::Allowed.into();
            rec.family = None;
            write_tx(tx.indicators, indicator, rec)?;
            tx.decisions.insert(&seq.to_be_bytes(), logged.clone())?;
            Ok(None)
        })?;
        if standing.is_none() {
            self.durable()?;
        }
        Ok(standing)
    }

    /// All indicators with an admin verdict (blocked or allowed), for start-up loading.
    pub fn judged_indicators(
        &self,
    ) -> impl Iterator<Item = Result<(String, AdminState), StoreError>> + use<> {
        self.trees().indicators.iter().filter_map(|item| {
            let (key, raw) = match item {
                Ok(kv) => kv,
                Err(e) => return Some(Err(e.into())),
            };
            let parsed = decode::<IndicatorRecord>("indicators", &key, &raw).and_then(|r| {
                let name = String::from_utf8(key.to_vec())
                    .map_err(|_| StoreError::corrupt("indicators", &key, "key is not UTF-8"))?;
                Ok((name, AdminState::from(r.latest().admin_state)))
            });
            match parsed {
                Ok((_, AdminState::None)) => None,
                other => Some(other),
            }
        })
    }
}
