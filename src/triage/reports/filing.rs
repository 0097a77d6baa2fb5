//! Filing reports: one report from a reporter (hashed before storage), at most once
//! per origin, through the anti-abuse limits, with the reasons curators should look
//! now (importing labelled corpora is `import`).
//!
//! Invariants: a report id is returned only once the report is durable; one origin
//! files one report (handed in again, it returns the first and counts against no
//! limit); one person's answers about one message count once; an ignored reporter's
//! report carries no indicators and no fingerprint.

use super::{Reported, ReviewTrigger, TriageError, fingerprint};
use crate::classify::Message;
use crate::store::{AdminState, NewReport, Report, ReportId, ReportSource};
use crate::triage::community::NEAR_DUPLICATE;
use crate::triage::{Triage, now};

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
    pub(super) fn indicator_keys(&self, message: Message<'_>) -> Vec<String> {
        let verdict = self.classifier.load().classify(message);
        verdict
            .indicators
            .iter()
            .filter(|i| i.official.is_none())
            .map(|i| i.key())
            .collect()
    }
}
