//! Reports and curation: filing a report (with anti-abuse limits), importing labelled
//! corpora, listing what needs review, and admin decisions that teach or un-teach the
//! fingerprint index and the learned model.
//!
//! Invariants: a report id is returned only once the report is durable; one origin
//! (the chat and message a report was filed from) files one report, even when handed
//! in again after a crash; one person's reports of one message count once; every admin decision is logged; the first
//! decision on a report stands (a later one is refused with who decided and when)
//! until an explicit, logged reopen; confirming teaches (scam fingerprint, model) and
//! blocks the report's indicators with the report's family; rejecting un-teaches what
//! a confirmation taught and never allow-lists anything (that is `judge_indicator`'s
//! alone). A cluster decision decides a report and its pending near-duplicates, and a
//! confirmation also every pending report that shares an indicator with it.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use crate::classify::{IndicatorKind, Message};
use crate::store::{
    AdminState, Decided, NewReport, Report, ReportId, ReportSource, ReportStatus, ReporterHash,
    Stats, StoreError,
};

use super::community::NEAR_DUPLICATE;
use super::curators::Curator;
use super::fingerprint::{self, Index};
use super::recent::RecentPending;
use super::{Triage, now};

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

/// Decision-log actions that decide a report.
const DECIDING: [&str; 2] = ["confirm", "reject"];
/// Pending reports read when a cluster is decided.
const CLUSTER_SCAN: usize = 5_000;

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

/// Longest excerpt of an overruled message kept in the decision log.
const OVERRULED_EXCERPT: usize = 300;

/// A text's fingerprint, empty when it is too short to have one (the store keeps
/// nothing for an empty fingerprint, the index ignores it).
fn signature_or_none(text: &str) -> Vec<u32> {
    fingerprint::signature(text).unwrap_or_default()
}

impl Triage {
    /// Files a report from `reporter` (a raw identity, hashed before storage).
    pub fn report(
        &self,
        message: Message<'_>,
        reporter: &str,
        source: ReportSource,
    ) -> Result<Reported, TriageError> {
        self.file(message, reporter, source, None)
    }

    /// Files a report as [`Triage::report`], once per `origin` (where it was filed
    /// from, e.g. `telegram:CHAT:MESSAGE:USER`; a raw identity, hashed before storage):
    /// handed in again, say by an update handled again after a crash, it files nothing
    /// and returns the first report (`again`), counted against no limit.
    pub fn report_once(
        &self,
        message: Message<'_>,
        reporter: &str,
        source: ReportSource,
        origin: &str,
    ) -> Result<Reported, TriageError> {
        self.file(message, reporter, source, Some(origin))
    }

    fn file(
        &self,
        message: Message<'_>,
        reporter: &str,
        source: ReportSource,
        origin: Option<&str>,
    ) -> Result<Reported, TriageError> {
        let c = self.community()?;
        if message.text.trim().is_empty() && message.hidden_links.is_empty() {
            return Err(TriageError::Empty);
        }
        let reporter = c.store.reporter_hash(reporter);
        let origin = origin.map(|origin| c.store.origin_hash(origin));
        if let Some(origin) = origin
            && let Some(first) = c.store.report_from(origin)?
        {
            return self.filed_before(first);
        }
        let at = now();
        if let Some(first) = c.answered.first(&reporter, message.text, at)? {
            return Err(TriageError::AlreadyAnswered { first });
        }
        if !c.limiter.allow(&reporter) {
            return Err(TriageError::RateLimited {
                limit: c.settings.reports_per_hour,
            });
        }
        let ignored = c.store.is_ignored(&reporter)?;
        let keys = if ignored {
            Vec::new()
        } else {
            self.indicator_keys(message)
        };
        let new = NewReport {
            text: message.text.to_string(),
            indicators: keys.clone(),
            source,
            reporter,
            at,
        };
        let id = match origin {
            Some(origin) => match c.store.add_report_once(&new, origin)? {
                (id, true) => id,
                // Another handler filed it from the same origin meanwhile.
                (first, false) => return self.filed_before(first),
            },
            None => c.store.add_report(&new)?,
        };
        self.metrics.report_filed();
        c.answered.record(&reporter, message.text, Some(id), at)?;
        let fingerprint = (!ignored)
            .then(|| fingerprint::signature(message.text))
            .flatten();
        if let Some(sig) = &fingerprint {
            c.recent.write().expect("recent lock").insert(id, sig);
        }
        let needs_review = self.review_triggers(&keys, fingerprint.as_deref())?;
        Ok(Reported {
            id,
            needs_review,
            again: false,
        })
    }

    /// Stored report `id`, or `UnknownReport`.
    pub(crate) fn stored_report(&self, id: ReportId) -> Result<Report, TriageError> {
        self.community()?
            .store
            .get_report(id)?
            .ok_or(TriageError::UnknownReport(id))
    }

    /// The report `id`, filed before from the same origin, as filing it said then
    /// (the review triggers are worked out again from the store).
    fn filed_before(&self, id: ReportId) -> Result<Reported, TriageError> {
        let c = self.community()?;
        let report = self.stored_report(id)?;
        c.answered
            .record(&report.reporter, &report.text, Some(id), now())?;
        let fingerprint = match c.store.is_ignored(&report.reporter)? {
            true => None,
            false => fingerprint::signature(&report.text),
        };
        let needs_review = self.review_triggers(&report.indicators, fingerprint.as_deref())?;
        tracing::info!(%id, "report filed before from the same origin");
        Ok(Reported {
            id,
            needs_review,
            again: true,
        })
    }

    /// Why a just-filed pending report (carrying `keys`, fingerprint `sig`, already in
    /// the recent window) needs curators now: an indicator just reached the reporter
    /// threshold, or its near-duplicate cluster did.
    fn review_triggers(
        &self,
        keys: &[String],
        sig: Option<&[u32]>,
    ) -> Result<Vec<ReviewTrigger>, TriageError> {
        let c = self.community()?;
        let mut needs_review = Vec::new();
        for key in keys {
            if let Some(rep) = c.store.indicator_reputation(key)?
                && rep.admin_state == AdminState::None
                && rep.distinct_reporters == c.settings.min_reporters
            {
                needs_review.push(ReviewTrigger::Indicator {
                    key: key.clone(),
                    reporters: rep.distinct_reporters,
                });
            }
        }
        if let Some(sig) = sig {
            let size = c
                .recent
                .read()
                .expect("recent lock")
                .similar(sig, NEAR_DUPLICATE);
            if size == c.settings.min_reporters as usize {
                needs_review.push(ReviewTrigger::Cluster { size });
            }
        }
        Ok(needs_review)
    }

    /// Records that `reporter` (a raw identity) said a message is legitimate; false
    /// when they had already answered about this message (nothing new counts).
    pub fn first_answer(&self, reporter: &str, text: &str) -> Result<bool, TriageError> {
        let c = self.community()?;
        let reporter = c.store.reporter_hash(reporter);
        let at = now();
        if c.answered.first(&reporter, text, at)?.is_some() {
            return Ok(false);
        }
        c.answered.record(&reporter, text, None, at)?;
        Ok(true)
    }

    /// The non-official indicators of a message, as store keys.
    fn indicator_keys(&self, message: Message<'_>) -> Vec<String> {
        let verdict = self.classifier.load().classify(message);
        verdict
            .indicators
            .iter()
            .filter(|i| i.official.is_none())
            .map(|i| i.key())
            .collect()
    }

    /// Imports labelled rows: scam rows become reports (confirmed or pending), and
    /// with `confirmed` both classes teach the model; legitimate rows are stored as
    /// rejected look-alikes so near-duplicates of them score lower.
    pub fn import(
        &self,
        rows: &[(String, bool)],
        confirmed: bool,
        source_name: &str,
    ) -> Result<ImportSummary, TriageError> {
        let c = self.community()?;
        let reporter = c.store.reporter_hash(&format!("import:{source_name}"));
        let at = now();
        let mut summary = ImportSummary::default();
        let mut news = Vec::new();
        for (text, scam) in rows {
            if !scam && !confirmed {
                continue;
            }
            let indicators = if *scam {
                self.indicator_keys(Message::text(text))
            } else {
                Vec::new()
            };
            news.push((
                NewReport {
                    text: text.clone(),
                    indicators,
                    source: ReportSource::Import,
                    reporter,
                    at,
                },
                *scam,
            ));
        }
        for chunk in news.chunks(1000) {
            let batch: Vec<NewReport> = chunk.iter().map(|(n, _)| n.clone()).collect();
            let ids = c.store.import_reports(&batch)?;
            for (id, (new, scam)) in ids.into_iter().zip(chunk) {
                if *scam {
                    summary.reports += 1;
                } else {
                    summary.legitimate += 1;
                }
                if confirmed {
                    let status = if *scam {
                        ReportStatus::Confirmed
                    } else {
                        ReportStatus::Rejected
                    };
                    c.store.set_status(id, status, at, signature_or_none)?;
                    self.teach(id, &new.text, Some(*scam), None);
                }
            }
        }
        self.save_model()?;
        Ok(summary)
    }

    /// Pending reports grouped by shared indicator, else by near-duplicate cluster.
    pub fn pending(&self, limit: usize) -> Result<Vec<PendingGroup>, TriageError> {
        let c = self.community()?;
        let reports = c.store.pending_reports(None, limit)?;
        let mut groups: BTreeMap<String, Vec<Report>> = BTreeMap::new();
        let mut loose: Vec<Report> = Vec::new();
        for report in reports {
            match report.indicators.first() {
                Some(key) => groups.entry(key.clone()).or_default().push(report),
                None => loose.push(report),
            }
        }
        let mut index = Index::new();
        let mut clusters: BTreeMap<u64, Vec<Report>> = BTreeMap::new();
        for report in loose {
            let sig = signature_or_none(&report.text);
            let near = index
                .nearest(&sig)
                .into_iter()
                .find(|m| m.similarity >= NEAR_DUPLICATE)
                .map(|m| m.id);
            let head = near.unwrap_or(report.id.0);
            if near.is_none() {
                index.insert(report.id.0, fingerprint::FingerprintKind::Scam, &sig);
            }
            clusters.entry(head).or_default().push(report);
        }
        let mut out: Vec<PendingGroup> = groups
            .into_iter()
            .map(|(key, reports)| PendingGroup { key, reports })
            .collect();
        out.extend(clusters.into_iter().map(|(head, reports)| PendingGroup {
            key: format!("similar:{}", ReportId(head)),
            reports,
        }));
        out.sort_by(|a, b| {
            b.reports
                .len()
                .cmp(&a.reports.len())
                .then(a.key.cmp(&b.key))
        });
        Ok(out)
    }

    /// Records an admin's verdict on a pending report and teaches accordingly; a
    /// report decided already is refused with `AlreadyDecided` (first decision wins:
    /// the store decides it by compare-and-swap, logging the decision in the same
    /// transaction, so of two curators at the same moment exactly one decides and the
    /// other is told who did).
    pub fn review(
        &self,
        id: ReportId,
        review: Review,
        curator: &Curator,
        note: &str,
    ) -> Result<Report, TriageError> {
        let c = self.community()?;
        let at = now();
        let status = match review {
            Review::Confirm => ReportStatus::Confirmed,
            Review::Reject => ReportStatus::Rejected,
        };
        let action = DECIDING[usize::from(review == Review::Reject)];
        let decision = curator.decision(action, &id.to_string(), note, at);
        let old = match c.store.decide(id, status, &decision, signature_or_none) {
            Ok(Decided::Now(old)) => old,
            Ok(Decided::Already(current)) => return Err(self.already_decided(&current)?),
            Err(StoreError::ReportNotFound(id)) => return Err(TriageError::UnknownReport(id)),
            Err(e) => return Err(e.into()),
        };
        if review == Review::Confirm {
            let family = self
                .classifier
                .load()
                .classify(Message::text(&old.text))
                .family;
            let family = family.map(crate::classify::Family::as_str);
            for key in &old.indicators {
                c.store
                    .set_indicator_verdict(key, AdminState::Blocked, family, at)?;
            }
        }
        c.recent.write().expect("recent lock").remove(id);
        self.teach(id, &old.text, Some(review == Review::Confirm), None);
        self.save_model()?;
        self.metrics.report_decided(action);
        Ok(Report {
            status,
            status_changed_at: Some(at),
            ..old
        })
    }

    /// Decides report `id` and every pending report of its cluster; returns the
    /// decided reports, `id` first. Fails (deciding nothing) when `id` itself was
    /// decided already. A confirmation says the report's contacts are a scam's, so it
    /// decides every pending report carrying one of them (`cluster`); a rejection says
    /// this message is genuine, which says nothing about other messages that merely
    /// share a contact (a scam can quote a real number), so it decides only the
    /// near-duplicates and leaves the contact's other reports and reputation alone.
    pub fn review_cluster(
        &self,
        id: ReportId,
        review: Review,
        curator: &Curator,
        note: &str,
    ) -> Result<Vec<Report>, TriageError> {
        let members = self.cluster_of(id, review == Review::Confirm)?;
        let mut decided = vec![self.review(id, review, curator, note)?];
        let cluster_note = format!("with {id}: {note}");
        for member in members.into_iter().filter(|m| m.id != id) {
            match self.review(member.id, review, curator, &cluster_note) {
                Ok(report) => decided.push(report),
                Err(TriageError::AlreadyDecided { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(decided)
    }

    /// The status of report `id`.
    pub fn report_status(&self, id: ReportId) -> Result<ReportStatus, TriageError> {
        let c = self.community()?;
        let report = c.store.get_report(id)?;
        Ok(report.ok_or(TriageError::UnknownReport(id))?.status)
    }

    /// Report `id` and the pending reports that share an indicator with it or are
    /// near-duplicates of it (among the latest `CLUSTER_SCAN` pending), `id` first.
    pub fn cluster(&self, id: ReportId) -> Result<Vec<Report>, TriageError> {
        self.cluster_of(id, true)
    }

    /// As [`Triage::cluster`]; reports sharing an indicator only `with_indicators`.
    fn cluster_of(&self, id: ReportId, with_indicators: bool) -> Result<Vec<Report>, TriageError> {
        let c = self.community()?;
        let head = self.stored_report(id)?;
        let sig = signature_or_none(&head.text);
        let mut members = Vec::new();
        for member in c.store.pending_reports(None, CLUSTER_SCAN)? {
            if member.id == id {
                continue;
            }
            let shares = with_indicators
                && member
                    .indicators
                    .iter()
                    .any(|k| head.indicators.contains(k));
            let near = !sig.is_empty()
                && fingerprint::similarity(&sig, &signature_or_none(&member.text))
                    >= NEAR_DUPLICATE;
            if shares || near {
                members.push(member);
            }
        }
        members.insert(0, head);
        Ok(members)
    }

    /// Puts a decided report back to pending, un-teaching what its decision taught
    /// (a confirmation's blocks are lifted where the indicator is still blocked);
    /// logged as `reopen`.
    pub fn reopen(
        &self,
        id: ReportId,
        curator: &Curator,
        note: &str,
    ) -> Result<Report, TriageError> {
        let c = self.community()?;
        let at = now();
        let old = c
            .store
            .set_status(id, ReportStatus::Pending, at, signature_or_none)
            .map_err(|e| match e {
                StoreError::ReportNotFound(id) => TriageError::UnknownReport(id),
                e => e.into(),
            })?;
        let was = match old.status {
            ReportStatus::Confirmed => Some(true),
            ReportStatus::Rejected => Some(false),
            ReportStatus::Pending => return Ok(old),
        };
        if was == Some(true) {
            for key in &old.indicators {
                let blocked = c
                    .store
                    .indicator_reputation(key)?
                    .is_some_and(|r| r.admin_state == AdminState::Blocked);
                if blocked {
                    c.store.set_indicator_state(key, AdminState::None, at)?;
                }
            }
        }
        if let Some(sig) = fingerprint::signature(&old.text) {
            c.recent.write().expect("recent lock").insert(id, &sig);
        }
        self.teach(id, &old.text, None, was);
        self.save_model()?;
        self.audit_write(curator, "reopen", &id.to_string(), note, at)?;
        Ok(Report {
            status: ReportStatus::Pending,
            status_changed_at: Some(at),
            ..old
        })
    }

    /// The `AlreadyDecided` error for `report`: who decided it and when, from the log.
    fn already_decided(&self, report: &Report) -> Result<TriageError, TriageError> {
        let c = self.community()?;
        let decision = c
            .store
            .last_decision_about(&report.id.to_string(), &DECIDING)?;
        Ok(TriageError::AlreadyDecided {
            id: report.id,
            status: report.status,
            by: decision
                .as_ref()
                .map_or_else(String::new, |d| d.actor.clone()),
            at: decision
                .map(|d| d.at)
                .or(report.status_changed_at)
                .unwrap_or_default(),
        })
    }

    /// A group admin says a message the bot warned about or deleted is not a scam
    /// (`admin` is their raw identity, hashed here): the learned model learns it as
    /// legitimate and the decision is logged with `note`. Limited like reports. The
    /// model's signal is bounded, so this can take at most that signal away from
    /// look-alikes; rules, reputation and curated fingerprints are untouched.
    pub fn overruled_in_group(
        &self,
        text: &str,
        admin: &str,
        note: &str,
    ) -> Result<(), TriageError> {
        let c = self.community()?;
        let admin = c.store.reporter_hash(admin);
        if !c.limiter.allow(&admin) {
            return Err(TriageError::RateLimited {
                limit: c.settings.reports_per_hour,
            });
        }
        c.knowledge
            .model
            .write()
            .expect("model lock")
            .learn(text, false);
        self.save_model()?;
        let excerpt: String = text.chars().take(OVERRULED_EXCERPT).collect();
        let admin = Curator::telegram(admin.to_hex());
        self.audit_write(&admin, "group-not-a-scam", &excerpt, note, now())
    }

    /// Teaches the index and the model a judged report, forgetting an earlier label.
    fn teach(&self, id: ReportId, text: &str, now_scam: Option<bool>, was_scam: Option<bool>) {
        let Some(c) = &self.community else { return };
        let mut model = c.knowledge.model.write().expect("model lock");
        if let Some(was) = was_scam {
            model.unlearn(text, was);
        }
        if let Some(scam) = now_scam {
            model.learn(text, scam);
        }
        drop(model);
        let sig = signature_or_none(text);
        let mut index = c.knowledge.index.write().expect("index lock");
        match now_scam {
            Some(scam) if !sig.is_empty() => {
                let kind = if scam {
                    fingerprint::FingerprintKind::Scam
                } else {
                    fingerprint::FingerprintKind::Legitimate
                };
                index.insert(id.0, kind, &sig);
            }
            _ => index.remove(id.0),
        }
    }

    fn save_model(&self) -> Result<(), TriageError> {
        let c = self.community()?;
        let bytes = c.knowledge.model.read().expect("model lock").to_bytes();
        Ok(c.store.put_model(&bytes)?)
    }

    /// Blocks (confirms as a scam contact) or allows an indicator directly; returns its key.
    pub fn judge_indicator(
        &self,
        value: &str,
        block: bool,
        curator: &Curator,
        note: &str,
    ) -> Result<String, TriageError> {
        let c = self.community()?;
        let key = self.parse_indicator(value)?;
        let at = now();
        let state = if block {
            AdminState::Blocked
        } else {
            AdminState::Allowed
        };
        c.store.set_indicator_state(&key, state, at)?;
        self.audit_write(
            curator,
            if block { "block" } else { "allow" },
            &key,
            note,
            at,
        )?;
        Ok(key)
    }

    /// The store key of a value an admin typed (`amazon-verify.top`, `+86 138…`,
    /// `wechat:abc123`, `@handle`).
    pub(crate) fn parse_indicator(&self, value: &str) -> Result<String, TriageError> {
        let trimmed = value.trim();
        if let Some((kind, rest)) = trimmed.split_once(':') {
            let known = [
                IndicatorKind::Url,
                IndicatorKind::Phone,
                IndicatorKind::Email,
                IndicatorKind::Wechat,
                IndicatorKind::Qq,
                IndicatorKind::Telegram,
                IndicatorKind::Whatsapp,
            ];
            if let Some(k) = known
                .iter()
                .find(|k| k.as_str() == kind.to_ascii_lowercase())
                && !rest.trim().is_empty()
            {
                return Ok(format!("{}:{}", k.as_str(), rest.trim().to_lowercase()));
            }
        }
        let verdict = self.classifier.load().classify(Message::text(trimmed));
        verdict
            .indicators
            .first()
            .map(|i| i.key())
            .ok_or_else(|| TriageError::NotAnIndicator(value.to_string()))
    }

    /// Ignores the reporter of report `id` from now on (their reports stop counting);
    /// returns the report.
    pub fn ignore_reporter_of(
        &self,
        id: ReportId,
        curator: &Curator,
        note: &str,
    ) -> Result<Report, TriageError> {
        let c = self.community()?;
        let report = self.stored_report(id)?;
        let at = now();
        c.store.ignore_reporter(&report.reporter, at)?;
        self.audit_write(
            curator,
            "ignore-reporter",
            &report.reporter.to_string(),
            note,
            at,
        )?;
        Ok(report)
    }

    /// Removes everything `reporter` reported and their share of every count.
    pub fn forget(&self, reporter: &str) -> Result<usize, TriageError> {
        let c = self.community()?;
        let hash: ReporterHash = c.store.reporter_hash(reporter);
        let forgotten = c.store.forget_reporter(&hash)?;
        self.reload_recent()?;
        Ok(forgotten)
    }

    /// Rebuilds the recent-pending window after deletions.
    fn reload_recent(&self) -> Result<(), TriageError> {
        let c = self.community()?;
        *c.recent.write().expect("recent lock") = RecentPending::load(&c.store)?;
        Ok(())
    }

    /// Deletes pending reports older than the retention period.
    pub fn purge_expired(&self) -> Result<usize, TriageError> {
        let c = self.community()?;
        let cutoff = now().saturating_sub(c.settings.retention_days * 86_400);
        let purged = c.store.delete_pending_before(cutoff)?;
        if purged > 0 {
            self.reload_recent()?;
        }
        Ok(purged)
    }

    /// Counters.
    pub fn stats(&self) -> Result<Stats, TriageError> {
        Ok(self.community()?.store.stats()?)
    }

    /// Every stored report.
    pub fn export(&self) -> Result<impl Iterator<Item = Result<Report, StoreError>>, TriageError> {
        Ok(self.community()?.store.export())
    }

    /// Counts a check in the statistics (best effort).
    pub fn record_check(&self) {
        if let Some(c) = &self.community
            && let Err(e) = c.store.record_check()
        {
            tracing::warn!("could not count a check: {e}");
        }
    }
}
