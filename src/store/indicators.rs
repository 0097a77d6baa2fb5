//! Indicator reputation: distinct reporters per indicator, admin state, first/last seen.
//!
//! Invariants: `indicator_reporters` holds one entry per (indicator, reporter) with the
//! number of that reporter's stored reports carrying the indicator, and
//! `distinct_reporters` in `indicators` equals the number of such entries, so one person
//! reporting 100 times counts once and deleting reports un-counts them exactly. An
//! indicator record with no reporters and no admin state is removed. first/last seen
//! record when it was reported; they are not rewound when reports are deleted.

use sled::transaction::TransactionalTree;

use super::error::StoreError;
use super::keys::{indicator_prefix, indicator_reporter_key};
use super::records::{IndicatorRecord, IndicatorV1, decode, decode_u64, encode};
use super::types::{AdminState, IndicatorReputation, ReporterHash};
use super::{Store, Tx, TxResult, abort};

/// Read an indicator record inside a transaction.
fn read_tx(tree: &TransactionalTree, indicator: &str) -> TxResult<Option<IndicatorV1>> {
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
fn write_tx(tree: &TransactionalTree, indicator: &str, v: IndicatorV1) -> TxResult<()> {
    let key = indicator.as_bytes();
    if v.distinct_reporters == 0 && AdminState::from(v.admin_state) == AdminState::None {
        tree.remove(key)?;
        return Ok(());
    }
    let bytes = encode("indicator", &IndicatorRecord::V1(v)).map_err(abort)?;
    tree.insert(key, bytes)?;
    Ok(())
}

/// The key of the (indicator, reporter) pair and how many reports it counts now.
fn reporter_count(
    tx: &Tx<'_>,
    indicator: &str,
    reporter: &ReporterHash,
) -> TxResult<(Vec<u8>, u64)> {
    let prefix = indicator_prefix(indicator).map_err(abort)?;
    let pair = indicator_reporter_key(&prefix, reporter);
    let count = match tx.indicator_reporters.get(&pair)? {
        Some(raw) => decode_u64("indicator_reporters", &pair, &raw).map_err(abort)?,
        None => 0,
    };
    Ok((pair.to_vec(), count))
}

/// Count one more report by `reporter` carrying `indicator`, seen at `at`.
pub(crate) fn add_contribution(
    tx: &Tx<'_>,
    indicator: &str,
    reporter: &ReporterHash,
    at: u64,
) -> TxResult<()> {
    let (pair, count) = reporter_count(tx, indicator, reporter)?;
    tx.indicator_reporters
        .insert(pair, &(count + 1).to_be_bytes())?;
    let mut rec = read_tx(tx.indicators, indicator)?.unwrap_or(IndicatorV1 {
        distinct_reporters: 0,
        admin_state: AdminState::None.into(),
        first_seen: at,
        last_seen: at,
    });
    if count == 0 {
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
    let (pair, count) = reporter_count(tx, indicator, reporter)?;
    if count > 1 {
        tx.indicator_reporters
            .insert(pair, &(count - 1).to_be_bytes())?;
        return Ok(());
    }
    tx.indicator_reporters.remove(pair)?;
    if count == 0 {
        return Ok(());
    }
    if let Some(mut rec) = read_tx(tx.indicators, indicator)? {
        rec.distinct_reporters = rec.distinct_reporters.saturating_sub(1);
        write_tx(tx.indicators, indicator, rec)?;
    }
    Ok(())
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

    /// Set an admin's verdict on an indicator at time `at`; durable on return.
    ///
    /// Returns the previous state. Record the decision itself with [`Store::log_decision`].
    pub fn set_indicator_state(
        &self,
        indicator: &str,
        state: AdminState,
        at: u64,
    ) -> Result<AdminState, StoreError> {
        indicator_prefix(indicator)?;
        let old = self.transact(|tx| {
            let mut rec = read_tx(tx.indicators, indicator)?.unwrap_or(IndicatorV1 {
                distinct_reporters: 0,
                admin_state: AdminState::None.into(),
                first_seen: at,
                last_seen: at,
            });
            let old = AdminState::from(rec.admin_state);
            rec.admin_state = state.into();
            write_tx(tx.indicators, indicator, rec)?;
            Ok(old)
        })?;
        self.durable()?;
        Ok(old)
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
