//! Allow-listing one contact of a report, from the button that names it on a review
//! card: separate from judging the report (a legitimate message can quote a scammer's
//! number, and a scam can quote a real one).
//!
//! Invariants: only the named contact is allow-listed, never the report's others;
//! the first decision on a contact wins (a compare-and-swap in the store from "no
//! verdict", logged in the same transaction); a blocked or allowed contact is refused
//! with who decided it, when the log knows.

use crate::store::{AdminState, Decision, ReportId};

use super::reports::TriageError;
use super::{Triage, now};

/// Decision-log actions that set a contact's verdict directly.
const JUDGING: [&str; 2] = ["allow", "block"];

impl Triage {
    /// The contacts of report `id` no curator has judged yet, with their index in the
    /// report (what an allow button carries).
    pub fn undecided_contacts(&self, id: ReportId) -> Result<Vec<(usize, String)>, TriageError> {
        let c = self.community()?;
        let report = c
            .store
            .get_report(id)?
            .ok_or(TriageError::UnknownReport(id))?;
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
        actor: &str,
        note: &str,
    ) -> Result<String, TriageError> {
        let c = self.community()?;
        let report = c
            .store
            .get_report(id)?
            .ok_or(TriageError::UnknownReport(id))?;
        let key = report.indicators.get(index).cloned().ok_or_else(|| {
            TriageError::NotAnIndicator(format!("contact {index} of report {id}"))
        })?;
        let decision = Decision {
            actor: actor.into(),
            action: "allow".into(),
            target: key.clone(),
            note: format!("from report {id}: {note}"),
            at: now(),
        };
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
