//! Importing labelled corpora (the `eval` formats) as reports: from a file read by the
//! command line or a body sent to the API, parsed and validated the same way.
//!
//! Invariants: a file that does not parse imports nothing (the error names the file
//! and line); legitimate rows are kept only when importing as confirmed; each import
//! is one audit entry naming its source and counts, written once the rows are durable.

use super::{ImportSummary, TriageError, signature_or_none};
use crate::classify::Message;
use crate::eval::dataset::{self, LabelMap};
use crate::store::{NewReport, ReportSource, ReportStatus};
use crate::triage::{Curator, Triage, now};

impl Triage {
    /// Imports the labelled file `text` called `name` (its extension picks the format,
    /// as for `eval`; it names the file in errors and the import's reporter), with
    /// `labels` mapping extra label prefixes; see [`Triage::import`].
    pub fn import_file(
        &self,
        name: &str,
        text: &str,
        labels: &LabelMap,
        confirmed: bool,
        by: &Curator,
    ) -> Result<ImportSummary, TriageError> {
        let rows: Vec<(String, bool)> = dataset::parse(name, text, labels)?
            .into_iter()
            .map(|r| (r.text, r.positive))
            .collect();
        self.import(&rows, confirmed, name, by)
    }

    /// Imports labelled rows: scam rows become reports (confirmed or pending), and
    /// with `confirmed` both classes teach the model; legitimate rows are stored as
    /// rejected look-alikes so near-duplicates of them score lower. The import is one
    /// audit entry by `by` (`reports-import`, the source and the counts).
    pub fn import(
        &self,
        rows: &[(String, bool)],
        confirmed: bool,
        source_name: &str,
        by: &Curator,
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
        let note = format!(
            "{} scam report(s), {} legitimate row(s), as {}",
            summary.reports,
            summary.legitimate,
            if confirmed { "confirmed" } else { "pending" }
        );
        self.audit_write(by, "reports-import", source_name, &note, at)?;
        Ok(summary)
    }
}
