//! `sellerguard eval`: run the classifier over a labelled file and print the metrics.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::classify::Message;
use crate::config::Settings;
use crate::eval::Report;
use crate::eval::dataset::{self, LabelMap};
use crate::triage::Triage;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The labelled file.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Print the metrics as JSON.
    #[arg(long)]
    json: bool,
    /// Write every misclassified row, with its verdict, as JSON Lines to OUT.
    #[arg(long, value_name = "OUT")]
    errors: Option<PathBuf>,
    /// First import FILE as confirmed reports into a temporary store, then evaluate
    /// (measures what learning adds).
    #[arg(long, value_name = "FILE")]
    train: Option<PathBuf>,
    /// Treat labels starting with PREFIX as scam (repeatable), e.g. `FR:`.
    #[arg(long, value_name = "PREFIX")]
    positive: Vec<String>,
    /// Treat labels starting with PREFIX as legitimate (repeatable), e.g. `AD:`.
    #[arg(long, value_name = "PREFIX")]
    negative: Vec<String>,
    /// Replace anonymisation placeholders (`URL`, `CELLPHONE`, `PHONE`, as in the FBS
    /// corpus) with a neutral unofficial link and numbers before judging.
    #[arg(long)]
    restore_placeholders: bool,
}

#[derive(Serialize)]
struct ErrorRow<'a> {
    line: usize,
    label: &'static str,
    category: &'a str,
    text: &'a str,
    verdict: &'a crate::classify::Verdict,
}

pub fn run(settings: &Settings, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let labels = LabelMap {
        positive: args.positive,
        negative: args.negative,
    };
    let mut rows = dataset::load(&args.data, &labels)?;
    if args.restore_placeholders {
        for row in &mut rows {
            row.text = dataset::restore_placeholders(&row.text);
        }
    }
    let _temp;
    let triage = match &args.train {
        Some(train) => {
            _temp = tempfile::tempdir().context("creating a temporary store")?;
            let service =
                Triage::load(settings)?.with_store_at(_temp.path(), settings.community.clone())?;
            let rows: Vec<(String, bool)> = dataset::load(train, &labels)?
                .into_iter()
                .map(|r| (r.text, r.positive))
                .collect();
            let summary = service.import(&rows, true, &train.display().to_string())?;
            tracing::info!(?summary, "trained on {}", train.display());
            service
        }
        None => Triage::open_if_exists(settings)?,
    };
    let mut errors = match &args.errors {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    let mut report = Report::default();
    let mut seconds = 0.0;
    for row in &rows {
        let started = Instant::now();
        let verdict = triage.check(Message::text(&row.text));
        seconds += started.elapsed().as_secs_f64();
        let flagged = verdict.level.is_flagged();
        report.add(row.positive, flagged, verdict.lang.as_str(), &row.category);
        if let Some(out) = errors.as_mut()
            && flagged != row.positive
        {
            let label = if row.positive { "scam" } else { "legit" };
            let error = ErrorRow {
                line: row.line,
                label,
                category: &row.category,
                text: &row.text,
                verdict: &verdict,
            };
            serde_json::to_writer(&mut *out, &error)?;
            out.write_all(b"\n")?;
        }
    }
    report.classify_seconds = seconds;
    if let Some(mut out) = errors {
        out.flush()?;
    }
    if args.json {
        #[derive(Serialize)]
        struct Output<'a> {
            data: String,
            #[serde(flatten)]
            report: &'a Report,
            throughput: f64,
        }
        let output = Output {
            data: args.data.display().to_string(),
            report: &report,
            throughput: report.throughput(),
        };
        super::print_out(&(serde_json::to_string_pretty(&output)? + "\n"))?;
    } else {
        super::print_out(&report.to_text())?;
    }
    Ok(ExitCode::SUCCESS)
}
