//! User reports about judged messages ("this is a scam", "this looks legitimate") and
//! requests to forget a user, handed to whatever keeps them for curation.
//!
//! Invariants: front ends build a `Report` from what the user judged and call the
//! `ReportSink`; they never decide what happens to it, but learn from the returned
//! `Filed` whether curators should look now. A report with an `origin` is filed once
//! per origin, so handling its update again files nothing new. `MemoryReports` keeps them in
//! memory (tests, and until the persistent store lands).

use std::sync::Mutex;

use crate::classify::{Family, Level};

use super::{ReportId, ReviewTrigger};

/// A report could not be stored.
#[derive(Debug, thiserror::Error)]
#[error("report store: {0}")]
pub struct ReportError(pub String);

/// What the reporter says about the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The message is a scam.
    Scam,
    /// The message is legitimate (a false alarm).
    Legitimate,
    /// A group admin says a message the bot warned about or deleted is not a scam.
    NotAScam,
}

/// One user report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What the reporter says.
    pub kind: ReportKind,
    /// Telegram user id of the reporter.
    pub reporter_id: i64,
    /// Chat the report came from.
    pub chat_id: i64,
    /// The judged text.
    pub text: String,
    /// Hidden link targets beside the text.
    pub hidden_links: Vec<String>,
    /// The level the bot gave, if it judged the message.
    pub level: Option<Level>,
    /// The family the bot saw, if any.
    pub family: Option<Family>,
    /// Where it was filed from (`telegram:CHAT:MESSAGE:USER`), if the front end knows:
    /// one origin files one report, even when handed in again after a crash.
    pub origin: Option<String>,
}

/// What became of a report: its id once stored, and why curators should look now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filed {
    /// The stored report's id (none for sinks that keep no ids, or "looks legitimate").
    pub id: Option<ReportId>,
    /// Why curators should look now (empty: no need yet).
    pub needs_review: Vec<ReviewTrigger>,
    /// The reporter had already answered about this message: it counts once, nothing
    /// new was recorded.
    pub repeat: bool,
}

/// Receives reports and forget requests.
pub trait ReportSink: Send + Sync {
    /// Takes one report; says what became of it.
    fn report(&self, report: Report) -> Result<Filed, ReportError>;
    /// Forgets every report by `user_id`; returns how many were removed.
    fn forget(&self, user_id: i64) -> Result<usize, ReportError>;
}

/// Reports kept in memory.
#[derive(Debug, Default)]
pub struct MemoryReports {
    reports: Mutex<Vec<Report>>,
}

impl MemoryReports {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every report received and not forgotten, oldest first.
    pub fn reports(&self) -> Vec<Report> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Report>> {
        self.reports.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ReportSink for MemoryReports {
    fn report(&self, report: Report) -> Result<Filed, ReportError> {
        self.lock().push(report);
        Ok(Filed::default())
    }

    fn forget(&self, user_id: i64) -> Result<usize, ReportError> {
        let mut reports = self.lock();
        let before = reports.len();
        reports.retain(|r| r.reporter_id != user_id);
        Ok(before - reports.len())
    }
}
