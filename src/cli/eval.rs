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
use crate::eval::split;
use crate::triage::{Curator, Triage};

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
    /// Group rows by their `source` field into folds and report each fold on its own
    /// (sources never span folds, so a fold measures sources nothing was tuned on).
    #[arg(long, value_enum, value_name = "FIELD")]
    split_by: Option<SplitBy>,
    /// Number of folds for `--split-by`.
    #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u16).range(2..=20))]
    folds: u16,
    /// Evaluate only fold N (0-based) of `--split-by`; `--errors` then lists only its rows.
    #[arg(long, value_name = "N", requires = "split_by")]
    fold: Option<u16>,
    /// Judge without the base model (rules and community signals alone).
    #[arg(long, conflicts_with = "learn")]
    no_model: bool,
    /// With `--split-by`: for each fold, train a fresh base model on the other folds
    /// (plus any `--learn-extra` files) and judge the fold with it, so the model's
    /// figures are measured on sources it never saw.
    #[arg(long, requires = "split_by")]
    learn: bool,
    /// Leave out rows whose `source` starts with PREFIX (repeatable), e.g. the sources
    /// a model was trained on.
    #[arg(long, value_name = "PREFIX")]
    exclude_source: Vec<String>,
    /// A labelled file added to every fold's training rows under `--learn` (repeatable).
    #[arg(long, value_name = "FILE", requires = "learn")]
    learn_extra: Vec<PathBuf>,
}

/// What `--split-by` groups rows by.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SplitBy {
    /// The `source` field (repository, or web host).
    Source,
}

#[derive(Serialize)]
struct ErrorRow<'a> {
    line: usize,
    label: &'static str,
    category: &'a str,
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fold: Option<usize>,
    text: &'a str,
    verdict: &'a crate::classify::Verdict,
}

pub fn run(settings: &Settings, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let labels = LabelMap {
        positive: args.positive,
        negative: args.negative,
    };
    let mut rows = dataset::load(&args.data, &labels)?;
    rows.retain(|r| {
        !args
            .exclude_source
            .iter()
            .any(|p| r.source.starts_with(p.as_str()))
    });
    if args.restore_placeholders {
        for row in &mut rows {
            row.text = dataset::restore_placeholders(&row.text);
        }
    }
    let _temp;
    let mut triage = match &args.train {
        Some(train) => {
            _temp = tempfile::tempdir().context("creating a temporary store")?;
            let service =
                Triage::load(settings)?.with_store_at(_temp.path(), settings.community.clone())?;
            let rows: Vec<(String, bool)> = dataset::load(train, &labels)?
                .into_iter()
                .map(|r| (r.text, r.positive))
                .collect();
            let summary =
                service.import(&rows, true, &train.display().to_string(), &Curator::cli())?;
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
    let k = usize::from(args.folds);
    let folds = args
        .split_by
        .map(|SplitBy::Source| split::assign_folds(&rows, k));
    if let (Some(fold), Some(_)) = (args.fold, &folds)
        && usize::from(fold) >= k
    {
        anyhow::bail!("--fold {fold} is out of range for --folds {k} (folds are 0..{k})");
    }
    if args.no_model {
        triage.set_model(None, &settings.rules_dir)?;
    }
    let mut extra: Vec<(String, bool)> = Vec::new();
    for path in &args.learn_extra {
        extra.extend(
            dataset::load(path, &labels)?
                .into_iter()
                .map(|r| (r.text, r.positive)),
        );
    }
    let mut judged: Vec<Option<(crate::classify::Verdict, f64)>> = vec![None; rows.len()];
    let wanted = |i: usize| match (&folds, args.fold) {
        (Some(f), Some(n)) => f[i] == usize::from(n),
        _ => true,
    };
    let passes: Vec<Option<usize>> = match (&folds, args.learn) {
        (Some(_), true) => (0..k).map(Some).collect(),
        _ => vec![None],
    };
    for pass in passes {
        if let (Some(fold), Some(f)) = (pass, &folds) {
            if args.fold.is_some_and(|n| usize::from(n) != fold) {
                continue;
            }
            let mut training = extra.clone();
            training.extend(
                rows.iter()
                    .zip(f)
                    .filter(|(_, g)| **g != fold)
                    .map(|(r, _)| (r.text.clone(), r.positive)),
            );
            let model = super::train::train(&triage.classifier(), &training, Default::default());
            triage.set_model(Some(std::sync::Arc::new(model)), &settings.rules_dir)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let in_pass = pass.is_none_or(|p| folds.as_ref().is_some_and(|f| f[i] == p));
            if !in_pass || !wanted(i) {
                continue;
            }
            let started = Instant::now();
            let verdict = triage.check(Message::text(&row.text));
            judged[i] = Some((verdict, started.elapsed().as_secs_f64()));
        }
    }
    let mut overall = Report::default();
    let mut per_fold = vec![Report::default(); if folds.is_some() { k } else { 0 }];
    for (i, row) in rows.iter().enumerate() {
        let fold = folds.as_ref().map(|f| f[i]);
        let Some((verdict, seconds)) = judged[i].take() else {
            continue;
        };
        let flagged = verdict.level.is_flagged();
        let lang = verdict.lang.as_str();
        overall.add(row.positive, flagged, lang, &row.category);
        overall.classify_seconds += seconds;
        if let Some(fold) = fold {
            per_fold[fold].add(row.positive, flagged, lang, &row.category);
            per_fold[fold].classify_seconds += seconds;
        }
        if let Some(out) = errors.as_mut()
            && flagged != row.positive
        {
            let label = if row.positive { "scam" } else { "legit" };
            let error = ErrorRow {
                line: row.line,
                label,
                category: &row.category,
                source: &row.source,
                fold,
                text: &row.text,
                verdict: &verdict,
            };
            serde_json::to_writer(&mut *out, &error)?;
            out.write_all(b"\n")?;
        }
    }
    if let Some(mut out) = errors {
        out.flush()?;
    }
    let groups = folds
        .as_ref()
        .map(|f| split::groups_by_fold(&rows, f, k))
        .unwrap_or_default();
    let shown: Vec<usize> = match args.fold {
        Some(fold) => vec![usize::from(fold)],
        None => (0..per_fold.len()).collect(),
    };
    if args.json {
        #[derive(Serialize)]
        struct FoldOutput<'a> {
            fold: usize,
            sources: &'a [(String, usize)],
            #[serde(flatten)]
            report: &'a Report,
        }
        #[derive(Serialize)]
        struct Output<'a> {
            data: String,
            #[serde(flatten)]
            report: &'a Report,
            throughput: f64,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            folds: Vec<FoldOutput<'a>>,
        }
        let output = Output {
            data: args.data.display().to_string(),
            report: &overall,
            throughput: overall.throughput(),
            folds: shown
                .iter()
                .map(|&fold| FoldOutput {
                    fold,
                    sources: &groups[fold],
                    report: &per_fold[fold],
                })
                .collect(),
        };
        super::print_out(&(serde_json::to_string_pretty(&output)? + "\n"))?;
    } else if folds.is_some() {
        let mut text = String::new();
        for &fold in &shown {
            let sources: Vec<String> = groups[fold]
                .iter()
                .map(|(name, n)| format!("{name} ({n})"))
                .collect();
            text.push_str(&format!(
                "## fold {fold} of {k}: {}\n{}\n",
                sources.join(", "),
                per_fold[fold].to_text()
            ));
        }
        if args.fold.is_none() {
            text.push_str(&format!("## all folds\n{}", overall.to_text()));
        }
        super::print_out(&text)?;
    } else {
        super::print_out(&overall.to_text())?;
    }
    Ok(ExitCode::SUCCESS)
}
