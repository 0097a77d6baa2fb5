//! `sellerguard reports …`, `indicators …` and `stats`: community reports and curation
//! from the terminal. Every command is one service call.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::classify::Message;
use crate::eval::dataset::{self, LabelMap};
use crate::store::{ReportId, ReportSource};
use crate::triage::answer::ReportAnswer;
use crate::triage::{Curator, Review, Triage};

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

pub fn run(service: &Triage, command: ReportsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReportsCommand::Add { text, reporter } => {
            let reported =
                service.report(Message::text(&text), &reporter, ReportSource::Private)?;
            let mut line = reported.id.to_string();
            for trigger in &reported.needs_review {
                line.push_str(&format!("\nneeds review: {trigger:?}"));
            }
            super::print_out(&format!("{line}\n"))?;
        }
        ReportsCommand::Import(args) => {
            let labels = LabelMap {
                positive: args.positive,
                negative: args.negative,
            };
            let rows: Vec<(String, bool)> = dataset::load(&args.data, &labels)?
                .into_iter()
                .map(|r| (r.text, r.positive))
                .collect();
            let confirmed = matches!(args.status, ImportStatus::Confirmed);
            let summary = service.import(&rows, confirmed, &args.data.display().to_string())?;
            super::print_out(&format!(
                "imported {} scam report(s) and {} legitimate row(s) from {}\n",
                summary.reports,
                summary.legitimate,
                args.data.display()
            ))?;
        }
        ReportsCommand::Export => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for report in service.export()? {
                let report = report?;
                serde_json::to_writer(&mut out, &ReportAnswer::from(&report))?;
                if let Err(e) = out.write_all(b"\n") {
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        return Ok(ExitCode::SUCCESS);
                    }
                    return Err(e.into());
                }
            }
            out.flush().or_else(|e| {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
        }
        ReportsCommand::Pending { limit } => {
            let mut text = String::new();
            for group in service.pending(limit)? {
                text.push_str(&format!(
                    "{} ({} report(s))\n",
                    group.key,
                    group.reports.len()
                ));
                for r in &group.reports {
                    let excerpt = crate::triage::card::shorten(&r.text.replace('\n', " "), 80);
                    text.push_str(&format!("  {}  {excerpt}\n", r.id));
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
            let review = if confirm {
                Review::Confirm
            } else {
                Review::Reject
            };
            let report = service.review(id, review, &Curator::cli(), &note)?;
            let outcome = if confirm {
                "confirmed as a scam"
            } else {
                "rejected as legitimate"
            };
            super::print_out(&format!("{} {outcome}\n", report.id))?;
        }
        ReportsCommand::IgnoreReporter { id, note } => {
            service.ignore_reporter_of(id, &Curator::cli(), &note)?;
            super::print_out(&format!("the reporter of {id} is ignored from now on\n"))?;
        }
        ReportsCommand::Forget { reporter } => {
            let n = service.forget(&reporter)?;
            super::print_out(&format!(
                "removed {n} report(s) and their share of every count\n"
            ))?;
        }
        ReportsCommand::Purge => {
            let n = service.purge_expired()?;
            super::print_out(&format!("deleted {n} expired pending report(s)\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_indicators(service: &Triage, command: IndicatorsCommand) -> anyhow::Result<ExitCode> {
    let (value, note, block) = match command {
        IndicatorsCommand::Block { value, note } => (value, note, true),
        IndicatorsCommand::Allow { value, note } => (value, note, false),
    };
    let key = service.judge_indicator(&value, block, &Curator::cli(), &note)?;
    let what = if block {
        "blocked (confirmed scam contact)"
    } else {
        "allowed"
    };
    super::print_out(&format!("{key} {what}\n"))?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_stats(service: &Triage) -> anyhow::Result<ExitCode> {
    let s = service.stats()?;
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
