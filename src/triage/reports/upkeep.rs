//! Upkeep around reports: contacts judged directly, ignored reporters, forgetting a
//! reporter, retention of stale pending reports, counters and export.
//!
//! Invariants: every curator action here is written to the audit log; forgetting and
//! retention rebuild the recent-pending window, so deleted reports leave no cluster
//! behind.

use super::TriageError;
use crate::classify::{IndicatorKind, Message};
use crate::store::{AdminState, Report, ReportId, ReporterHash, Stats, StoreError};
use crate::triage::curators::Curator;
use crate::triage::recent::RecentPending;
use crate::triage::{Triage, now};

impl Triage {
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
