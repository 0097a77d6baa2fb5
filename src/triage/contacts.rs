//! Contacts (links, numbers, IDs) as curators see them: one contact's record
//! ("reported N times by K people, first and last seen, status"), the blocked and
//! allowed lists, and allow-listing one contact of a report from the button that names
//! it on a review card (separate from judging the report: a legitimate message can
//! quote a scammer's number, and a scam can quote a real one).
//!
//! Invariants: look-ups parse values the way `judge_indicator` does, so a look-up finds
//! what a block wrote; an allow button allow-lists only the named contact, never the
//! report's others; the first decision on a contact wins (a compare-and-swap in the
//! store from "no verdict", logged in the same transaction); a blocked or allowed
//! contact is refused with who decided it, when the log knows.

use crate::store::{AdminState, ReportId};

use super::{Curator, Triage, TriageError, now};

/// Decision-log actions that set a contact's verdict directly.
const JUDGING: [&str; 2] = ["allow", "block"];

/// What is known about one contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    /// The contact's key (`kind:value`).
    pub key: String,
    /// Stored reports carrying it.
    pub reports: u64,
    /// Distinct people who reported it.
    pub reporters: u64,
    /// First and last time it was reported or judged, unix seconds.
    pub first_seen: Option<u64>,
    /// Last time it was reported or judged, unix seconds.
    pub last_seen: Option<u64>,
    /// `none`, `blocked` or `allowed`.
    pub status: &'static str,
    /// For a blocked contact: the scam family it was confirmed in.
    pub family: Option<String>,
}

/// The stable name of an admin state.
pub fn state_name(state: AdminState) -> &'static str {
    match state {
        AdminState::None => "none",
        AdminState::Blocked => "blocked",
        AdminState::Allowed => "allowed",
    }
}

impl Triage {
    /// The record of the contact `value` (as a curator types it).
    pub fn look_up_contact(&self, value: &str) -> Result<ContactRecord, TriageError> {
        let c = self.community()?;
        let key = self.parse_indicator(value)?;
        let reputation = c.store.indicator_reputation(&key)?;
        let reports = c.store.indicator_report_count(&key)?;
        Ok(ContactRecord {
            reports,
            reporters: reputation.as_ref().map_or(0, |r| r.distinct_reporters),
            first_seen: reputation.as_ref().map(|r| r.first_seen),
            last_seen: reputation.as_ref().map(|r| r.last_seen),
            status: state_name(
                reputation
                    .as_ref()
                    .map_or(AdminState::None, |r| r.admin_state),
            ),
            family: reputation.and_then(|r| r.family),
            key,
        })
    }

    /// Every blocked or allowed contact with its state name, by key.
    pub fn judged_contacts(&self) -> Result<Vec<(String, &'static str)>, TriageError> {
        let c = self.community()?;
        let mut out = Vec::new();
        for item in c.store.judged_indicators() {
            let (key, state) = item?;
            out.push((key, state_name(state)));
        }
        Ok(out)
    }

    /// The contacts of report `id` no curator has judged yet, with their index in the
    /// report (what an allow button carries).
    pub fn undecided_contacts(&self, id: ReportId) -> Result<Vec<(usize, String)>, TriageError> {
        let c = self.community()?;
        let report = self.stored_report(id)?;
        let mut out = Vec::new();
        for (index, key) in report.indicators.into_iter().enumerate() {
            let state = c
                .store
                .indicator_reputation(&key)?
                .map_or(AdminState::None, |r| r.admin_state);
            if state == AdminState::None {
                out.push((index, key));
            }
        }
        Ok(out)
    }

    /// Allow-lists contact `index` of report `id` (and nothing else); returns its key.
    /// Refused with `ContactDecided` when the contact has a verdict already.
    pub fn allow_contact(
        &self,
        id: ReportId,
        index: usize,
        curator: &Curator,
        note: &str,
    ) -> Result<String, TriageError> {
        let c = self.community()?;
        let report = self.stored_report(id)?;
        let key = report.indicators.get(index).cloned().ok_or_else(|| {
            TriageError::NotAnIndicator(format!("contact {index} of report {id}"))
        })?;
        let note = format!("from report {id}: {note}");
        let decision = curator.decision("allow", &key, &note, now());
        let Some(state) = c.store.allow_indicator_once(&key, &decision)? else {
            return Ok(key);
        };
        let by = c.store.last_decision_about(&key, &JUDGING)?;
        Err(TriageError::ContactDecided {
            key,
            blocked: state == AdminState::Blocked,
            by: by.as_ref().map(|d| d.actor.clone()),
            at: by.map(|d| d.at),
        })
    }
}
