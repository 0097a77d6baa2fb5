//! `sellerguard reports …`, `indicators …` and `stats`: community reports and curation
//! from the terminal. Every command is one service call, on the running service when
//! there is one (`backend`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::backend::Backend;
use crate::eval::dataset::{self, LabelMap};
use crate::store::ReportId;
use crate::triage::Review;

#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// File a report; prints its id once it is durable.
    Add {
        /// The scam message.
        #[arg(long)]
        text: String,
        /// Who reports it (hashed before storage).
        #[arg(long)]
        reporter: String,
    },
    /// Import a labelled file (the `eval` formats).
    Import(ImportArgs),
    /// Print every report as JSON Lines.
    Export,
    /// List pending reports grouped by indicator or near-duplicate cluster.
    Pending {
        /// Most reports to look at.
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// Confirm or reject a report.
    Review {
        /// The report id (as printed, e.g. r1a2b).
        id: ReportId,
        /// It is a scam.
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        confirm: bool,
        /// It is legitimate.
        #[arg(long)]
        reject: bool,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Ignore the reporter of a report from now on.
    IgnoreReporter {
        /// A report of theirs.
        id: ReportId,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove a reporter's reports and their share of every count.
    Forget {
        /// Who (as given to `reports add`).
        #[arg(long)]
        reporter: String,
    },
    /// Delete pending reports older than the retention period.
    Purge,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The labelled file.
    #[arg(long)]
    data: PathBuf,
    /// Store scam rows as confirmed (teaching the model and the index) or pending.
    #[arg(long = "as", value_enum, default_value = "pending")]
    status: ImportStatus,
    /// Treat labels starting with PREFIX as scam (repeatable).
    #[arg(long, value_name = "PREFIX")]
    positive: Vec<String>,
    /// Treat labels starting with PREFIX as legitimate (repeatable).
    #[arg(long, value_name = "PREFIX")]
    negative: Vec<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ImportStatus {
    Confirmed,
    Pending,
}

#[derive(Debug, Subcommand)]
pub enum IndicatorsCommand {
    /// Confirm a link, number or ID as a scam contact.
    Block {
        /// e.g. amazon-verify.top, +8613812345678, wechat:abc123
        value: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Allow-list a link, number or ID (outweighs reports).
    Allow {
        /// e.g. sellercentral.amazon.com
        value: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
}

pub fn run(backend: &Backend, command: ReportsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReportsCommand::Add { text, reporter } => {
            let (id, why) = backend.add_report(&text, &reporter)?;
            let mut line = id;
            for trigger in &why {
                line.push_str(&format!("\nneeds review: {trigger}"));
            }
            super::print_out(&format!("{line}\n"))?;
        }
        ReportsCommand::Import(args) => {
            let labels = LabelMap {
                positive: args.positive,
                negative: args.negative,
            };
            let (name, text) = dataset::read(&args.data)?;
            let confirmed = matches!(args.status, ImportStatus::Confirmed);
            let summary = backend.import(&name, &text, &labels, confirmed)?;
            super::print_out(&format!(
                "imported {} scam report(s) and {} legitimate row(s) from {}\n",
                summary.reports,
                summary.legitimate,
                args.data.display()
            ))?;
        }
        ReportsCommand::Export => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let written = backend.export(&mut out);
            let flushed = written.and_then(|()| Ok(out.flush()?));
            if let Err(e) = flushed {
                let closed = e
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
                if !closed {
                    return Err(e);
                }
            }
        }
        ReportsCommand::Pending { limit } => {
            let mut text = String::new();
            for (key, reports) in backend.pending(limit)? {
                text.push_str(&format!("{key} ({} report(s))\n", reports.len()));
                for (id, report) in &reports {
                    let excerpt = crate::triage::card::shorten(&report.replace('\n', " "), 80);
                    text.push_str(&format!("  {id}  {excerpt}\n"));
                }
            }
            if text.is_empty() {
                text.push_str("no pending reports\n");
            }
            super::print_out(&text)?;
        }
        ReportsCommand::Review {
            id,
            confirm,
            reject: _,
            note,
        } => {
            let (review, outcome) = if confirm {
                (Review::Confirm, "confirmed as a scam")
            } else {
                (Review::Reject, "rejected as legitimate")
            };
            backend.review(id, review, &note)?;
            super::print_out(&format!("{id} {outcome}\n"))?;
        }
        ReportsCommand::IgnoreReporter { id, note } => {
            backend.ignore_reporter(id, &note)?;
            super::print_out(&format!("the reporter of {id} is ignored from now on\n"))?;
        }
        ReportsCommand::Forget { reporter } => {
            let n = backend.forget(&reporter)?;
            super::print_out(&format!(
                "removed {n} report(s) and their share of every count\n"
            ))?;
        }
        ReportsCommand::Purge => {
            let n = backend.purge()?;
            super::print_out(&format!("deleted {n} expired pending report(s)\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_indicators(backend: &Backend, command: IndicatorsCommand) -> anyhow::Result<ExitCode> {
    let (value, note, block) = match command {
        IndicatorsCommand::Block { value, note } => (value, note, true),
        IndicatorsCommand::Allow { value, note } => (value, note, false),
    };
    let key = backend.judge(&value, block, &note)?;
    let what = if block {
        "blocked (confirmed scam contact)"
    } else {
        "allowed"
    };
    super::print_out(&format!("{key} {what}\n"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_stats(backend: &Backend) -> anyhow::Result<ExitCode> {
    let s = backend.stats()?;
    super::print_out(&format!(
        "reports received: {}\nreports stored: {} (pending {}, confirmed {}, rejected {})\nreports deleted: {}\nchecks: {}\n",
        s.reports_received,
        s.reports_stored,
        s.pending,
        s.confirmed,
        s.rejected,
        s.reports_deleted,
        s.checks
    ))?;
    Ok(ExitCode::SUCCESS)
}
