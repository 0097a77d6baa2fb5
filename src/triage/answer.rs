//! The JSON shapes of a verdict with its explanations in one language (what
//! `check --json` prints and what the HTTP API answers) and of a stored report (what
//! `reports export` prints, line by line, and the API sends), so each stays one format.
//!
//! Invariants: field names are a public interface (append only); `card` is the
//! plain-text card in the same language.

use serde::{Deserialize, Serialize};

use crate::classify::{Evidence, Indicator, Lang, Verdict};

use super::{Card, Region, Triage};
use crate::store::{Report, ReportSource, ReportStatus};

/// A verdict as sent over the wire.
#[derive(Serialize)]
pub struct CheckAnswer<'a> {
    /// `low`, `medium` or `high`.
    pub level: &'static str,
    /// 0-100.
    pub score: u8,
    /// The scam family's stable name.
    pub family: Option<&'static str>,
    /// The message's language.
    pub lang: &'static str,
    /// What fired.
    pub signals: Vec<SignalAnswer<'a>>,
    /// Links, numbers and IDs found.
    pub indicators: &'a [Indicator],
    /// The family's advice.
    pub advice: String,
    /// Text read from a screenshot, when the message was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr_text: Option<&'a str>,
    /// The plain-text card (the API sends it; `check --json` leaves it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
}

/// One signal as sent over the wire.
#[derive(Serialize)]
pub struct SignalAnswer<'a> {
    /// The rule (or service check) id.
    pub rule_id: &'a str,
    /// Its family's stable name.
    pub family: &'static str,
    /// Its weight.
    pub weight: i32,
    /// Why, in the answer's language.
    pub explanation: &'a str,
    /// Where in the text.
    pub evidence: &'a [Evidence],
}

impl Triage {
    /// `verdict` as a wire answer in `lang`, with the card when `with_card`.
    pub fn answer<'a>(&self, verdict: &'a Verdict, lang: Lang, with_card: bool) -> CheckAnswer<'a> {
        // The API and the CLI know no reader's region.
        let card = Card::new(verdict, self.advice(), lang, Region::Unknown);
        CheckAnswer {
            level: verdict.level.as_str(),
            score: verdict.score,
            family: verdict.family.map(|f| f.as_str()),
            lang: verdict.lang.as_str(),
            signals: verdict
                .signals
                .iter()
                .map(|s| SignalAnswer {
                    rule_id: &s.rule_id,
                    family: s.family.as_str(),
                    weight: s.weight,
                    explanation: s.explanation.get(lang),
                    evidence: &s.evidence,
                })
                .collect(),
            indicators: &verdict.indicators,
            advice: card.advice.clone(),
            ocr_text: None,
            card: with_card.then(|| card.to_plain_text()),
        }
    }
}

/// A stored report as sent over the wire (`reporter` is its keyed hash).
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportAnswer {
    /// Its id (`r…`).
    pub id: String,
    /// `pending`, `confirmed` or `rejected`.
    pub status: String,
    /// `private`, `group`, `import` or `api`.
    pub source: String,
    /// The reported text.
    pub text: String,
    /// Its contacts (`kind:value`).
    pub indicators: Vec<String>,
    /// Keyed hash of the reporter, hex.
    pub reporter: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds of the last decision.
    pub status_changed_at: Option<u64>,
}

/// The stable name of a report status.
pub fn status_name(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Pending => "pending",
        ReportStatus::Confirmed => "confirmed",
        ReportStatus::Rejected => "rejected",
    }
}

/// The stable name of a report source.
pub fn source_name(source: ReportSource) -> &'static str {
    match source {
        ReportSource::Private => "private",
        ReportSource::Group => "group",
        ReportSource::Import => "import",
        ReportSource::Api => "api",
    }
}

impl From<&Report> for ReportAnswer {
    fn from(r: &Report) -> Self {
        Self {
            id: r.id.to_string(),
            status: status_name(r.status).into(),
            source: source_name(r.source).into(),
            text: r.text.clone(),
            indicators: r.indicators.clone(),
            reporter: r.reporter.to_hex(),
            created_at: r.created_at,
            status_changed_at: r.status_changed_at,
        }
    }
}
