//! Who already answered about which message: tree `answers`, key = reporter hash (32
//! bytes) + a 128-bit hash of the message (16 bytes), value = `AnswerRecord` (when,
//! and the report the answer filed, if any). The message text is never stored.
//!
//! Invariants: writes are durable on return; a reporter's answers share their key
//! prefix, so forgetting a reporter removes them; `prune_answers` removes answers older
//! than a cutoff and then the oldest beyond a count, so the tree stays bounded.

use serde::{Deserialize, Serialize};

use super::Store;
use super::error::StoreError;
use super::records::{decode, encode};
use super::types::{ReportId, ReporterHash};

/// One answer, tree `answers`.
#[derive(Serialize, Deserialize)]
enum AnswerRecord {
    V1 { at: u64, report: Option<u64> },
}

fn answer_key(reporter: &ReporterHash, message: u128) -> Vec<u8> {
    [reporter.0.as_slice(), &message.to_be_bytes()].concat()
}

impl Store {
    /// `reporter`'s first answer about `message` given at or after `since`, if any
    /// (`Some(None)`: an answer that filed no report).
    pub fn answer(
        &self,
        reporter: &ReporterHash,
        message: u128,
        since: u64,
    ) -> Result<Option<Option<ReportId>>, StoreError> {
        let key = answer_key(reporter, message);
        let Some(raw) = self.trees().answers.get(&key)? else {
            return Ok(None);
        };
        let AnswerRecord::V1 { at, report } = decode("answers", &key, &raw)?;
        Ok((at >= since).then_some(report.map(ReportId)))
    }

    /// Records `reporter`'s answer about `message` at `at` (the report it filed, if
    /// any); durable on return.
    pub fn record_answer(
        &self,
        reporter: &ReporterHash,
        message: u128,
        report: Option<ReportId>,
        at: u64,
    ) -> Result<(), StoreError> {
        let record = AnswerRecord::V1 {
            at,
            report: report.map(|r| r.0),
        };
        let bytes = encode("answer", &record)?;
        self.trees()
            .answers
            .insert(answer_key(reporter, message), bytes)?;
        self.durable()
    }

    /// Answers kept.
    pub fn answer_count(&self) -> usize {
        self.trees().answers.len()
    }

    /// Removes answers given before `before`, then the oldest until at most `keep`
    /// remain; returns how many were removed. Durable on return.
    pub fn prune_answers(&self, before: u64, keep: usize) -> Result<usize, StoreError> {
        let tree = &self.trees().answers;
        let mut kept = Vec::new();
        let mut removed = 0;
        for item in tree.iter() {
            let (key, raw) = item?;
            let AnswerRecord::V1 { at, .. } = decode("answers", &key, &raw)?;
            if at < before {
                tree.remove(&key)?;
                removed += 1;
            } else {
                kept.push((at, key));
            }
        }
        if kept.len() > keep {
            kept.sort_unstable_by_key(|(at, _)| *at);
            let excess = kept.len() - keep;
            for (_, key) in kept.into_iter().take(excess) {
                tree.remove(&key)?;
                removed += 1;
            }
        }
        self.durable()?;
        Ok(removed)
    }

    /// Removes every answer of `reporter`; durable on return.
    pub(crate) fn forget_answers(&self, reporter: &ReporterHash) -> Result<(), StoreError> {
        let tree = &self.trees().answers;
        for item in tree.scan_prefix(reporter.0) {
            let (key, _) = item?;
            tree.remove(&key)?;
        }
        self.durable()
    }
}

#[cfg(test)]
mod tests {
    use crate::store::ReportId;
    use crate::store::tests::open_temp;

    #[test]
    fn answers_survive_a_reopen_expire_and_stay_bounded() {
        let (dir, store) = open_temp();
        let (a, b) = (store.reporter_hash("a"), store.reporter_hash("b"));
        store.record_answer(&a, 1, Some(ReportId(7)), 100).unwrap();
        store.record_answer(&a, 2, None, 200).unwrap();
        store.record_answer(&b, 1, None, 300).unwrap();
        drop(store);
        let store = crate::store::Store::open(dir.path(), Default::default()).unwrap();
        assert_eq!(store.answer(&a, 1, 0).unwrap(), Some(Some(ReportId(7))));
        assert_eq!(store.answer(&a, 1, 101).unwrap(), None, "expired");
        assert_eq!(store.answer(&a, 3, 0).unwrap(), None);
        assert_eq!(store.prune_answers(150, 1).unwrap(), 2);
        assert_eq!(store.answer(&a, 2, 0).unwrap(), None, "the oldest went");
        assert_eq!(store.answer(&b, 1, 0).unwrap(), Some(None));
        store.forget_answers(&b).unwrap();
        assert_eq!(store.answer_count(), 0);
    }
}
