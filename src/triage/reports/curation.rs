//! Curation: what needs review (pending reports grouped by contact or near-duplicate
//! cluster), curators' decisions on one report or its cluster, reopening, a group
//! admin's "not a scam", and what each decision teaches the fingerprint index and the
//! learned model.
//!
//! Invariants: every decision is logged; the first decision on a report stands (the
//! store decides by compare-and-swap and logs in the same transaction) until an
//! explicit, logged reopen; confirming blocks the report's indicators with its family;
//! rejecting never allow-lists anything; a reopen un-teaches what the decision taught.

use std::collections::BTreeMap;

use super::{PendingGroup, Review, TriageError, fingerprint, signature_or_none};
use crate::classify::Message;
use crate::store::{AdminState, Decided, Report, ReportId, ReportStatus, StoreError};
use crate::triage::community::NEAR_DUPLICATE;
use crate::triage::curators::Curator;
use crate::triage::fingerprint::Index;
use crate::triage::{Triage, now};

/// Decision-log actions that decide a report.
const DECIDING: [&str; 2] = ["confirm", "reject"];
/// Pending reports read when a cluster is decided.
const CLUSTER_SCAN: usize = 5_000;

/// Longest excerpt of an overruled message kept in the decision log.
const OVERRULED_EXCERPT: usize = 300;

impl Triage {
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
    pub(super) fn teach(
        &self,
        id: ReportId,
        text: &str,
        now_scam: Option<bool>,
        was_scam: Option<bool>,
    ) {
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

    pub(super) fn save_model(&self) -> Result<(), TriageError> {
        let c = self.community()?;
        let bytes = c.knowledge.model.read().expect("model lock").to_bytes();
        Ok(c.store.put_model(&bytes)?)
    }
}
