//! Who already answered about which message: one person's reports of one message
//! (`/report`, the 🚩 button, the 👍 button, in any order) count once, across restarts.
//!
//! Invariants: kept in the store (tree `answers`), keyed by the reporter's keyed hash
//! and a hash of the message text (never the text itself); an answer older than
//! `KEEP_SECS` no longer counts and is pruned; at most `CAPACITY` answers are kept
//! (the oldest go first); `/forgetme` removes a person's answers with their reports.

use std::sync::atomic::{AtomicU32, Ordering};

use xxhash_rust::xxh3::Xxh3;

use crate::store::{ReportId, ReporterHash, Store, StoreError};

/// Answers kept.
const CAPACITY: usize = 100_000;
/// How long an answer counts: 90 days (a redelivered update or a second tap comes
/// within seconds; a report of the same message months later is news).
const KEEP_SECS: u64 = 90 * 86_400;
/// Records between two prunes.
const PRUNE_EVERY: u32 = 1_000;

/// Answers by (reporter, message), in the store.
#[derive(Debug)]
pub struct Answered {
    store: Store,
    since_prune: AtomicU32,
}

fn message_key(text: &str) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(text.trim().as_bytes());
    hasher.digest128()
}

impl Answered {
    /// The answers kept in `store`.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            since_prune: AtomicU32::new(0),
        }
    }

    /// The first answer `reporter` gave about `text` by `now` that still counts, if
    /// any (`Some(None)`: they said it looks legitimate).
    pub fn first(
        &self,
        reporter: &ReporterHash,
        text: &str,
        now: u64,
    ) -> Result<Option<Option<ReportId>>, StoreError> {
        let since = now.saturating_sub(KEEP_SECS);
        self.store.answer(reporter, message_key(text), since)
    }

    /// Records `reporter`'s answer about `text` at `now` (the report it filed, if
    /// any); prunes now and then.
    pub fn record(
        &self,
        reporter: &ReporterHash,
        text: &str,
        report: Option<ReportId>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.store
            .record_answer(reporter, message_key(text), report, now)?;
        if self.since_prune.fetch_add(1, Ordering::Relaxed) + 1 >= PRUNE_EVERY
            || self.store.answer_count() > CAPACITY
        {
            self.since_prune.store(0, Ordering::Relaxed);
            self.store
                .prune_answers(now.saturating_sub(KEEP_SECS), CAPACITY)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    #[test]
    fn one_answer_per_reporter_and_message_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        let (a, b) = (store.reporter_hash("a"), store.reporter_hash("b"));
        let answered = Answered::new(store);
        assert_eq!(answered.first(&a, "pay the fee", 10).unwrap(), None);
        answered
            .record(&a, "pay the fee", Some(ReportId(7)), 10)
            .unwrap();
        assert_eq!(
            answered.first(&a, " pay the fee\n", 20).unwrap(),
            Some(Some(ReportId(7)))
        );
        assert_eq!(answered.first(&b, "pay the fee", 20).unwrap(), None);
        assert_eq!(answered.first(&a, "another message", 20).unwrap(), None);
        let later = 10 + KEEP_SECS + 1;
        assert_eq!(answered.first(&a, "pay the fee", later).unwrap(), None);
    }
}
