//! Activity per day for the curators' charts: reports by scam family and by language,
//! and curator decisions (confirm, reject), over the last days.
//!
//! Invariants: read-only; a report's family and language are the running classifier's
//! (rules alone, no community signal), so a chart never feeds on its own counts; days
//! are UTC days.

use std::collections::BTreeMap;

use crate::classify::Message;

use super::{Triage, TriageError, now};

/// Seconds in a day.
const DAY: u64 = 86_400;

/// Counts per day, oldest day first; every series has one count per day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// The days, as days since the Unix epoch.
    pub days: Vec<u64>,
    /// Reports filed per day, by family (`none` when no family fired).
    pub reports_by_family: BTreeMap<String, Vec<u64>>,
    /// Reports filed per day, by language.
    pub reports_by_lang: BTreeMap<String, Vec<u64>>,
    /// Curator decisions per day, by decision.
    pub decisions: BTreeMap<String, Vec<u64>>,
}

impl Triage {
    /// The last `days` UTC days of activity, today included.
    pub fn activity(&self, days: usize) -> Result<Activity, TriageError> {
        let c = self.community()?;
        let today = now() / DAY;
        let first = today.saturating_sub(days.saturating_sub(1) as u64);
        let mut activity = Activity {
            days: (first..=today).collect(),
            ..Activity::default()
        };
        let slot = |at: u64| (at / DAY).checked_sub(first).map(|i| i as usize);
        let classifier = self.classifier();
        for report in c.store.export() {
            let report = report?;
            let Some(i) = slot(report.created_at).filter(|&i| i < activity.days.len()) else {
                continue;
            };
            let verdict = classifier.classify(Message::text(&report.text));
            let family = verdict.family.map_or("none", |f| f.as_str());
            bump(
                &mut activity.reports_by_family,
                family,
                i,
                activity.days.len(),
            );
            bump(
                &mut activity.reports_by_lang,
                verdict.lang.as_str(),
                i,
                activity.days.len(),
            );
        }
        for (_, decision) in c.store.decisions(None, usize::MAX)? {
            let decided = matches!(decision.action.as_str(), "confirm" | "reject");
            let Some(i) = slot(decision.at).filter(|&i| decided && i < activity.days.len()) else {
                continue;
            };
            bump(
                &mut activity.decisions,
                &decision.action,
                i,
                activity.days.len(),
            );
        }
        Ok(activity)
    }
}

fn bump(series: &mut BTreeMap<String, Vec<u64>>, name: &str, day: usize, days: usize) {
    series
        .entry(name.to_owned())
        .or_insert_with(|| vec![0; days])[day] += 1;
}
