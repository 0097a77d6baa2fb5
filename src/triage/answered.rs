//! Who already answered about which message: one person's reports of one message
//! (`/report`, the 🚩 button, the 👍 button, in any order) count once.
//!
//! Invariants: kept in memory, keyed by a hash of the reporter's keyed hash and the
//! message text (never the text itself); at most `CAPACITY` answers, the oldest
//! forgotten first. A restart forgets them; the store still counts an indicator's
//! reporters once each, so a repeat after a restart adds a report, never a reporter.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use xxhash_rust::xxh3::Xxh3;

use crate::store::{ReportId, ReporterHash};

/// Answers remembered.
const CAPACITY: usize = 100_000;

/// The report each answer filed (none for "looks legitimate"), by answer key, and
/// the keys oldest first.
type Answers = (HashMap<u128, Option<ReportId>>, VecDeque<u128>);

/// Answers by (reporter, message).
#[derive(Debug, Default)]
pub struct Answered {
    inner: Mutex<Answers>,
}

fn key(reporter: &ReporterHash, text: &str) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&reporter.0);
    hasher.update(text.trim().as_bytes());
    hasher.digest128()
}

impl Answered {
    /// The first answer `reporter` gave about `text`, if any (`Some(None)`: they said
    /// it looks legitimate).
    pub fn first(&self, reporter: &ReporterHash, text: &str) -> Option<Option<ReportId>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.0.get(&key(reporter, text)).copied()
    }

    /// Records `reporter`'s answer about `text` (the report it filed, if any).
    pub fn record(&self, reporter: &ReporterHash, text: &str, report: Option<ReportId>) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (answers, order) = &mut *guard;
        let key = key(reporter, text);
        if answers.insert(key, report).is_none() {
            order.push_back(key);
        }
        while order.len() > CAPACITY {
            if let Some(old) = order.pop_front() {
                answers.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_answer_per_reporter_and_message() {
        let answered = Answered::default();
        let (a, b) = (ReporterHash([1; 32]), ReporterHash([2; 32]));
        assert_eq!(answered.first(&a, "pay the fee"), None);
        answered.record(&a, "pay the fee", Some(ReportId(7)));
        assert_eq!(
            answered.first(&a, " pay the fee\n"),
            Some(Some(ReportId(7)))
        );
        assert_eq!(answered.first(&b, "pay the fee"), None);
        assert_eq!(answered.first(&a, "another message"), None);
    }
}
