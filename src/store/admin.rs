//! The append-only admin decision log and the list of ignored reporters.
//!
//! Invariants: decisions are only ever inserted, under fresh monotonic sequence numbers
//! from sled's id generator, never overwritten or removed; both writers return once the
//! change is durable.

use super::Store;
use super::error::StoreError;
use super::records::{DecisionRecord, IgnoredRecord, decode, encode};
use super::types::{Decision, ReporterHash};

impl Store {
    /// Append a decision to the log; returns its sequence number once durable.
    pub fn log_decision(&self, decision: &Decision) -> Result<u64, StoreError> {
        let seq = self.db().generate_id()?;
        let bytes = encode("decision", &DecisionRecord::from(decision))?;
        self.trees().decisions.insert(seq.to_be_bytes(), bytes)?;
        self.durable()?;
        Ok(seq)
    }

    /// Decisions in log order, `limit` at a time, starting after sequence number `after`.
    pub fn decisions(
        &self,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, Decision)>, StoreError> {
        let start = match after {
            None => 0,
            Some(seq) => match seq.checked_add(1) {
                Some(s) => s,
                None => return Ok(Vec::new()),
            },
        };
        let mut out = Vec::with_capacity(limit.min(1024));
        for item in self
            .trees()
            .decisions
            .range(start.to_be_bytes()..)
            .take(limit)
        {
            let (key, raw) = item?;
            let seq = super::keys::id_suffix("decisions", &key)?.0;
            let record: DecisionRecord = decode("decisions", &key, &raw)?;
            out.push((seq, record.into()));
        }
        Ok(out)
    }

    /// The newest decision whose target is `target` and whose action is one of
    /// `actions`, read from the end of the log (a report is decided shortly before
    /// anyone asks who decided it).
    pub fn last_decision_about(
        &self,
        target: &str,
        actions: &[&str],
    ) -> Result<Option<Decision>, StoreError> {
        for item in self.trees().decisions.iter().rev() {
            let (key, raw) = item?;
            let decision: Decision = decode::<DecisionRecord>("decisions", &key, &raw)?.into();
            if decision.target == target && actions.contains(&decision.action.as_str()) {
                return Ok(Some(decision));
            }
        }
        Ok(None)
    }

    /// Ignore `reporter`'s reports from time `at` on; durable on return.
    pub fn ignore_reporter(&self, reporter: &ReporterHash, at: u64) -> Result<(), StoreError> {
        let bytes = encode("ignored", &IgnoredRecord::V1 { at })?;
        self.trees().ignored.insert(reporter.0, bytes)?;
        self.durable()
    }

    /// Stop ignoring `reporter`; returns whether they were ignored. Durable on return.
    pub fn unignore_reporter(&self, reporter: &ReporterHash) -> Result<bool, StoreError> {
        let was = self.trees().ignored.remove(reporter.0)?.is_some();
        self.durable()?;
        Ok(was)
    }

    /// Whether `reporter` is ignored.
    pub fn is_ignored(&self, reporter: &ReporterHash) -> Result<bool, StoreError> {
        Ok(self.trees().ignored.contains_key(reporter.0)?)
    }

    /// Every ignored reporter with the time they were ignored.
    pub fn ignored_reporters(&self) -> Result<Vec<(ReporterHash, u64)>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees().ignored.iter() {
            let (key, raw) = item?;
            let hash: [u8; 32] = key
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::corrupt("ignored", &key, "key is not a 32-byte hash"))?;
            let IgnoredRecord::V1 { at } = decode("ignored", &key, &raw)?;
            out.push((ReporterHash(hash), at));
        }
        Ok(out)
    }
}
