//! The service's metrics in Prometheus text format: checks by level, family, language
//! and source; check and OCR latency; OCR jobs in flight; reports filed, decided and
//! pending; the rule set's version and size; failed Bot API calls by method and code.
//! The only home of the `prometheus` crate.
//!
//! Invariants: counting never fails a check (a metric that cannot register is a bug
//! caught by the tests, not a runtime error); label values come from closed sets
//! (levels, family names, languages, sources, decisions, Bot API method names and
//! [`BotApiFailure`] codes), never from user text or an error's description.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

use crate::classify::Verdict;

/// Where a check came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckSource {
    /// A private chat with the bot.
    Private,
    /// A group the bot is in.
    Group,
    /// The HTTP API.
    Api,
    /// The command line.
    Cli,
}

impl CheckSource {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckSource::Private => "private",
            CheckSource::Group => "group",
            CheckSource::Api => "api",
            CheckSource::Cli => "cli",
        }
    }
}

/// Why a Bot API call failed, as the `code` label: the HTTP status Telegram answered
/// with, or a word when there was no answer to take one from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BotApiFailure {
    /// Telegram answered with this HTTP status (`error_code`), 429 included.
    Status(u16),
    /// The request did not complete within the client's timeout.
    Timeout,
    /// No answer: connection refused or reset, DNS, TLS.
    Network,
    /// An answer that is not the Bot API's JSON.
    InvalidAnswer,
    /// A local I/O error (reading or writing a file).
    Io,
    /// A refusal whose status could not be told.
    Unknown,
}

impl BotApiFailure {
    /// The label value: `429`, `500`, `network`, `timeout`, ...
    pub fn label(self) -> String {
        match self {
            BotApiFailure::Status(code) => code.to_string(),
            BotApiFailure::Timeout => "timeout".into(),
            BotApiFailure::Network => "network".into(),
            BotApiFailure::InvalidAnswer => "invalid_answer".into(),
            BotApiFailure::Io => "io".into(),
            BotApiFailure::Unknown => "unknown".into(),
        }
    }
}

/// Latency buckets in seconds: a check takes about a millisecond, OCR about a second.
const CHECK_BUCKETS: &[f64] = &[0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const OCR_BUCKETS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];

/// Every metric, registered in one registry.
pub struct Metrics {
    registry: Registry,
    checks: IntCounterVec,
    check_seconds: HistogramVec,
    ocr_seconds: Histogram,
    ocr_in_flight: IntGauge,
    in_flight: AtomicI64,
    reports_filed: IntCounter,
    reports_decided: IntCounterVec,
    reports_pending: IntGauge,
    rules_version: IntGauge,
    rules: IntGauge,
    bot_api_errors: IntCounterVec,
}

impl Metrics {
    /// Fresh metrics for a rule set of `rules` rules (version 1).
    pub fn new(rules: usize) -> Self {
        let registry =
            Registry::new_custom(Some("sellerguard".into()), None).expect("a valid metric prefix");
        let checks = IntCounterVec::new(
            Opts::new(
                "checks_total",
                "Messages judged, by level, family, language and source",
            ),
            &["level", "family", "lang", "source"],
        )
        .expect("valid metric");
        let check_seconds = HistogramVec::new(
            HistogramOpts::new("check_seconds", "Time to judge one message")
                .buckets(CHECK_BUCKETS.to_vec()),
            &["source"],
        )
        .expect("valid metric");
        let ocr_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "ocr_seconds",
                "Time to read one screenshot, queue wait included",
            )
            .buckets(OCR_BUCKETS.to_vec()),
        )
        .expect("valid metric");
        let ocr_in_flight = IntGauge::new("ocr_jobs_in_flight", "Screenshots queued or being read")
            .expect("valid metric");
        let reports_filed =
            IntCounter::new("reports_filed_total", "Reports filed").expect("valid metric");
        let reports_decided = IntCounterVec::new(
            Opts::new(
                "reports_decided_total",
                "Reports decided by curators, by decision",
            ),
            &["decision"],
        )
        .expect("valid metric");
        let reports_pending =
            IntGauge::new("reports_pending", "Reports awaiting a curator").expect("valid metric");
        let rules_version = IntGauge::new(
            "rules_version",
            "Rule-set version: 1 at start, one more per successful reload",
        )
        .expect("valid metric");
        let rules_count = IntGauge::new("rules", "Rules in the running set").expect("valid metric");
        let bot_api_errors = IntCounterVec::new(
            Opts::new(
                "bot_api_errors_total",
                "Failed Bot API calls, by method and code (HTTP status, or network, timeout, ...)",
            ),
            &["method", "code"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(checks.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(check_seconds.clone()),
            Box::new(ocr_seconds.clone()),
            Box::new(ocr_in_flight.clone()),
            Box::new(reports_filed.clone()),
            Box::new(reports_decided.clone()),
            Box::new(reports_pending.clone()),
            Box::new(rules_version.clone()),
            Box::new(rules_count.clone()),
            Box::new(bot_api_errors.clone()),
        ] {
            registry
                .register(metric)
                .expect("each metric registers once");
        }
        rules_version.set(1);
        rules_count.set(i64::try_from(rules).unwrap_or(i64::MAX));
        Self {
            registry,
            checks,
            check_seconds,
            ocr_seconds,
            ocr_in_flight,
            in_flight: AtomicI64::new(0),
            reports_filed,
            reports_decided,
            reports_pending,
            rules_version,
            rules: rules_count,
            bot_api_errors,
        }
    }

    /// Counts one check of `verdict` from `source` that took `elapsed`.
    pub fn check(&self, verdict: &Verdict, source: CheckSource, elapsed: Duration) {
        let family = verdict.family.map_or("none", |f| f.as_str());
        self.checks
            .with_label_values(&[
                verdict.level.as_str(),
                family,
                verdict.lang.as_str(),
                source.as_str(),
            ])
            .inc();
        self.check_seconds
            .with_label_values(&[source.as_str()])
            .observe(elapsed.as_secs_f64());
    }

    /// A screenshot entered the reader; returns the guard that leaves it.
    pub fn ocr_started(&self) -> OcrInFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.ocr_in_flight.set(now);
        OcrInFlight { metrics: self }
    }

    /// One screenshot read (or refused) after `elapsed`.
    pub fn ocr_done(&self, elapsed: Duration) {
        self.ocr_seconds.observe(elapsed.as_secs_f64());
    }

    /// One report filed.
    pub fn report_filed(&self) {
        self.reports_filed.inc();
    }

    /// One report decided (`confirm`, `reject`).
    pub fn report_decided(&self, decision: &'static str) {
        self.reports_decided.with_label_values(&[decision]).inc();
    }

    /// A new rule set of `rules` rules runs.
    pub fn rules_reloaded(&self, rules: usize) {
        self.rules_version.inc();
        self.rules.set(i64::try_from(rules).unwrap_or(i64::MAX));
    }

    /// One failed call of the Bot API `method` (its documented spelling, e.g.
    /// `sendMessage`).
    pub fn bot_api_failed(&self, method: &str, failure: BotApiFailure) {
        self.bot_api_errors
            .with_label_values(&[method, failure.label().as_str()])
            .inc();
    }

    /// The text exposition, with `pending` reports awaiting review.
    pub fn render(&self, pending: Option<u64>) -> String {
        if let Some(pending) = pending {
            self.reports_pending
                .set(i64::try_from(pending).unwrap_or(i64::MAX));
        }
        let mut out = Vec::new();
        let encoded = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        if let Err(e) = encoded {
            tracing::error!("cannot encode metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A screenshot in the reader; leaves the gauge when dropped.
pub struct OcrInFlight<'a> {
    metrics: &'a Metrics,
}

impl Drop for OcrInFlight<'_> {
    fn drop(&mut self) {
        let now = self.metrics.in_flight.fetch_sub(1, Ordering::SeqCst) - 1;
        self.metrics.ocr_in_flight.set(now);
    }
}
