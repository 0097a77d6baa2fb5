//! `sellerguard train`: fits the base model on labelled files and writes it with a
//! manifest (sources, counts, attributions) beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::classify::model::{self, LinearModel, TrainOptions};
use crate::classify::{Classifier, Message};
use crate::config::Settings;
use crate::eval::dataset::{self, LabelMap};
use crate::triage::Triage;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A labelled file (JSON Lines, TSV or CSV, as for `eval`); repeatable.
    #[arg(long = "data", value_name = "FILE", required = true)]
    data: Vec<PathBuf>,
    /// Where to write the model; the manifest goes to OUT.manifest.json.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Passes over the rows.
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    epochs: usize,
    /// Seed of the shuffles and of the calibration split.
    #[arg(long, default_value_t = TrainOptions::default().seed)]
    seed: u64,
    /// Attribution or licence note to record in the manifest (repeatable).
    #[arg(long, value_name = "TEXT")]
    attribution: Vec<String>,
    /// Treat labels starting with PREFIX as scam (repeatable).
    #[arg(long, value_name = "PREFIX")]
    positive: Vec<String>,
    /// Treat labels starting with PREFIX as legitimate (repeatable).
    #[arg(long, value_name = "PREFIX")]
    negative: Vec<String>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    format_version: u32,
    hash_bits: u32,
    seed: u64,
    epochs: usize,
    sources: Vec<SourceEntry>,
    attribution: &'a [String],
    command: String,
}

#[derive(Serialize)]
struct SourceEntry {
    file: String,
    blake3: String,
    rows: usize,
    scam: usize,
    legit: usize,
}

pub fn run(settings: &Settings, args: TrainArgs) -> anyhow::Result<ExitCode> {
    let mut settings = settings.clone();
    settings.model_file = None;
    let triage = Triage::load(&settings)?;
    let classifier = triage.classifier();
    let labels = LabelMap {
        positive: args.positive.clone(),
        negative: args.negative.clone(),
    };
    let mut rows = Vec::new();
    let mut sources = Vec::new();
    for path in &args.data {
        let loaded = dataset::load(path, &labels)?;
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let scam = loaded.iter().filter(|r| r.positive).count();
        sources.push(SourceEntry {
            file: path.display().to_string(),
            blake3: blake3::hash(&bytes).to_hex().to_string(),
            rows: loaded.len(),
            scam,
            legit: loaded.len() - scam,
        });
        rows.extend(loaded.into_iter().map(|r| (r.text, r.positive)));
    }
    let options = TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        ..TrainOptions::default()
    };
    let model = train(&classifier, &rows, options);
    write(&args.out, &model.to_bytes())?;
    let manifest = Manifest {
        format_version: model::FORMAT_VERSION,
        hash_bits: model::BITS,
        seed: args.seed,
        epochs: args.epochs,
        sources,
        attribution: &args.attribution,
        command: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
    };
    let manifest_path = manifest_path(&args.out);
    write(
        &manifest_path,
        (serde_json::to_string_pretty(&manifest)? + "\n").as_bytes(),
    )?;
    eprintln!(
        "trained on {} rows; wrote {} and {}",
        rows.len(),
        args.out.display(),
        manifest_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Trains a base model on `(text, is_scam)` rows, with the features `classifier` reads.
pub fn train(
    classifier: &Classifier,
    rows: &[(String, bool)],
    options: TrainOptions,
) -> LinearModel {
    let features: Vec<_> = rows
        .iter()
        .map(|(text, scam)| (classifier.features(Message::text(text)), *scam))
        .collect();
    LinearModel::train(&features, options)
}

fn manifest_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}
