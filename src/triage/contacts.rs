//! Contacts (links, numbers, IDs) as curators see them: one contact's record
//! ("reported N times by K people, first and last seen, status") and the blocked and
//! allowed lists.
//!
//! Invariants: read-only; values are parsed the way `judge_indicator` parses them, so
//! a look-up finds what a block wrote.

use crate::store::AdminState;

use super::{Triage, TriageError};

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
}
