//! Reports and curation: the errors and shapes they share. Filing a report (with
//! anti-abuse limits) and importing labelled corpora are in `filing`; listing what
//! needs review and the curators' decisions that teach or un-teach the fingerprint
//! index and the learned model are in `curation`; contacts and reporters judged
//! directly, forgetting, retention and counters are in `upkeep`.
//!
//! Invariants: a report id is returned only once the report is durable; one origin
//! (the chat and message a report was filed from) files one report, even when handed
//! in again after a crash; one person's reports of one message count once; every admin
//! decision is logged; the first decision on a report stands (a later one is refused
//! with who decided and when) until an explicit, logged reopen; confirming teaches
//! (scam fingerprint, model) and blocks the report's indicators with the report's
//! family; rejecting un-teaches what a confirmation taught and never allow-lists
//! anything (that is `judge_indicator`'s alone). A cluster decision decides a report
//! and its pending near-duplicates, and a confirmation also every pending report that
//! shares an indicator with it.

mod curation;
mod filing;
mod import;
mod upkeep;

use std::num::NonZeroU32;

use crate::store::{Report, ReportId, ReportStatus, StoreError};

use super::fingerprint;
/// Why a report or curation request failed.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    /// The service runs without a data directory.
    #[error("no data directory: reports need one (set SELLERGUARD_DATA_DIR)")]
    NoStore,
    /// The reporter filed too many reports recently.
    #[error("too many reports: at most {limit} per hour, please try again later")]
    RateLimited {
        /// The hourly limit.
        limit: NonZeroU32,
    },
    /// The report has no text.
    #[error("nothing to report: the message has no text")]
    Empty,
    /// No report has that id.
    #[error("no report {0}")]
    UnknownReport(ReportId),
    /// The reporter already answered about this message (it counts once); nothing
    /// was recorded.
    #[error("already reported by this reporter{}", first.map(|id| format!(" as {id}")).unwrap_or_default())]
    AlreadyAnswered {
        /// Their first report of it (none when they said it looks legitimate).
        first: Option<ReportId>,
    },
    /// The report was decided already; the first decision stands until a reopen.
    #[error("report {id} was already {} by {by} at {at} (unix time); reopen it to change that", status_name(*status))]
    AlreadyDecided {
        /// The report.
        id: ReportId,
        /// Its status.
        status: ReportStatus,
        /// Who decided (the decision log's actor).
        by: String,
        /// When, unix seconds.
        at: u64,
    },
    /// The contact has a curator's verdict already; the first one stands.
    #[error("{key} is already {}{}", if *blocked { "confirmed as a scam contact" } else { "allow-listed" }, by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default())]
    ContactDecided {
        /// The contact's key.
        key: String,
        /// Blocked (else allowed).
        blocked: bool,
        /// Who set it, when the decision log names them (a confirmation logs the
        /// report, not the contact).
        by: Option<String>,
        /// When, unix seconds, if logged.
        at: Option<u64>,
    },
    /// The value is not a link, number or ID the service recognises.
    #[error("{0:?} is not a link, phone number, e-mail, WeChat, QQ, Telegram or WhatsApp ID")]
    NotAnIndicator(String),
    /// No live token has that name.
    #[error("no live token named {0:?}")]
    UnknownToken(String),
    /// A token name must be 1-64 of `A-Z a-z 0-9 . _ -` (and not `cli`).
    #[error("{0:?} is not a token name: use 1-64 letters, digits, `.`, `_` or `-` (not `cli`)")]
    BadTokenName(String),
    /// The operating system's random source failed.
    #[error("no randomness for a token: {0}")]
    Random(String),
    /// An imported file does not parse (file, line and what is wrong).
    #[error(transparent)]
    Dataset(#[from] crate::eval::dataset::DatasetError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a report now needs a curator's look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewTrigger {
    /// An indicator just reached the distinct-reporter threshold.
    Indicator {
        /// The indicator key (`kind:value`).
        key: String,
        /// Distinct reporters so far.
        reporters: u64,
    },
    /// Pending near-duplicates of this report just reached the threshold.
    Cluster {
        /// Reports in the cluster, this one included.
        size: usize,
    },
}

impl std::fmt::Display for ReviewTrigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReviewTrigger::Indicator { key, reporters } => {
                write!(f, "{key} reached {reporters} distinct reporters")
            }
            ReviewTrigger::Cluster { size } => {
                write!(f, "a near-duplicate cluster reached {size} reports")
            }
        }
    }
}

/// A filed report.
#[derive(Debug, Clone)]
pub struct Reported {
    /// Its id (durable).
    pub id: ReportId,
    /// Why curators should look now, if they should.
    pub needs_review: Vec<ReviewTrigger>,
    /// It was filed before from the same origin: nothing new was stored.
    pub again: bool,
}

fn status_name(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Pending => "reopened",
        ReportStatus::Confirmed => "confirmed",
        ReportStatus::Rejected => "rejected",
    }
}

/// Pending reports that belong together.
#[derive(Debug, Clone)]
pub struct PendingGroup {
    /// What they share: an indicator key, or `similar:<first id>`.
    pub key: String,
    /// The reports, oldest first.
    pub reports: Vec<Report>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Scam rows stored as reports.
    pub reports: usize,
    /// Legitimate rows learnt as such.
    pub legitimate: usize,
}

/// An admin's verdict on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// It is a scam.
    Confirm,
    /// It is legitimate.
    Reject,
}

/// A text's fingerprint, empty when it is too short to have one (the store keeps
/// nothing for an empty fingerprint, the index ignores it).
fn signature_or_none(text: &str) -> Vec<u32> {
    fingerprint::signature(text).unwrap_or_default()
}
