//! Rule dry-run: compile a candidate rule folder and judge the stored reports and the
//! fixture files with it and with the running rules, listing every message whose level
//! or family would change, before the folder goes live.
//!
//! Invariants: nothing is swapped or written; both sides use the classifier alone (no
//! community signals), so a difference is the rules' doing; a folder that does not
//! compile is an error listing its problems.

use std::path::{Path, PathBuf};

use crate::classify::{Classifier, Message, Verdict};
use crate::config::Source;
use crate::eval::dataset::{self, LabelMap};

use super::{LoadError, Triage, compile_dir};

/// Longest excerpt of a changed message.
const EXCERPT_CHARS: usize = 120;

/// What a candidate rule folder would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRun {
    /// Rules in the candidate folder.
    pub rules: usize,
    /// Messages judged (stored reports plus fixture rows).
    pub judged: usize,
    /// Messages whose level or family would change.
    pub changes: Vec<DryRunChange>,
}

/// One message the candidate judges differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRunChange {
    /// A report id, or `file:line` of a fixture row.
    pub source: String,
    /// The start of the message.
    pub excerpt: String,
    /// Level now.
    pub level_before: &'static str,
    /// Level with the candidate.
    pub level_after: &'static str,
    /// Family now.
    pub family_before: Option<&'static str>,
    /// Family with the candidate.
    pub family_after: Option<&'static str>,
}

impl Triage {
    /// Judges the stored reports (when there is a store) and the rows of `fixtures`
    /// with the rules in `dir` and with the running rules; returns the differences.
    pub fn dry_run(&self, dir: &Path, fixtures: &[PathBuf]) -> Result<DryRun, LoadError> {
        let folder = Source::Path(dir.to_owned());
        let (candidate, _warnings) = compile_dir(&folder, self.channels.clone())?;
        let candidate = candidate.with_model(self.model.clone());
        let running = self.classifier();
        let mut messages: Vec<(String, String)> = Vec::new();
        if let Some(c) = &self.community {
            for report in c.store.export() {
                let report = report?;
                messages.push((report.id.to_string(), report.text));
            }
        }
        for path in fixtures {
            for row in dataset::load(path, &LabelMap::default())? {
                messages.push((format!("{}:{}", path.display(), row.line), row.text));
            }
        }
        let changes = messages
            .iter()
            .filter_map(|(source, text)| change(&running, &candidate, source, text))
            .collect();
        Ok(DryRun {
            rules: candidate.rules().len(),
            judged: messages.len(),
            changes,
        })
    }
}

fn change(
    running: &Classifier,
    candidate: &Classifier,
    source: &str,
    text: &str,
) -> Option<DryRunChange> {
    let before: Verdict = running.classify(Message::text(text));
    let after: Verdict = candidate.classify(Message::text(text));
    if before.level == after.level && before.family == after.family {
        return None;
    }
    Some(DryRunChange {
        source: source.into(),
        excerpt: super::card::shorten(&text.replace('\n', " "), EXCERPT_CHARS),
        level_before: before.level.as_str(),
        level_after: after.level.as_str(),
        family_before: before.family.map(|f| f.as_str()),
        family_after: after.family.map(|f| f.as_str()),
    })
}
