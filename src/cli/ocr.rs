//! `sellerguard ocr eval --dir DIR`: reads every image that has a `NAME.txt` beside it
//! and prints character error rate and latency (p50/p99) per image and overall.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;

use crate::config::Settings;
use crate::triage::{Triage, character_error_rate};

#[derive(Debug, Subcommand)]
pub enum OcrCommand {
    /// Character error rate and latency over a folder of images with expected text.
    Eval {
        /// Folder of images (png, jpg, jpeg, webp) each with NAME.txt holding the expected text.
        #[arg(long)]
        dir: PathBuf,
    },
}

pub fn run(settings: &Settings, command: OcrCommand) -> anyhow::Result<ExitCode> {
    let OcrCommand::Eval { dir } = command;
    let mut images: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let image = p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "png" | "jpg" | "jpeg" | "webp"
                )
            });
            image && p.with_extension("txt").is_file()
        })
        .collect();
    images.sort();
    anyhow::ensure!(
        !images.is_empty(),
        "no image with a NAME.txt beside it in {}",
        dir.display()
    );
    let triage = Triage::load(settings)?.with_ocr(&settings.ocr)?;
    let mut out = format!("{:<32} {:>8} {:>10}\n", "image", "CER", "latency");
    let (mut cers, mut latencies) = (Vec::new(), Vec::new());
    for path in &images {
        let expected = std::fs::read_to_string(path.with_extension("txt"))?;
        let bytes = std::fs::read(path)?;
        let started = Instant::now();
        let (cer, note) = match triage.read_image_blocking(bytes) {
            Ok(read) => (character_error_rate(&expected, &read.text), String::new()),
            Err(e) => (1.0, format!("  ({e})")),
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        out.push_str(&format!(
            "{name:<32} {:>7.2}% {ms:>8.0}ms{note}\n",
            cer * 100.0
        ));
        cers.push(cer);
        latencies.push(ms);
    }
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let mean_cer = cers.iter().sum::<f64>() / cers.len() as f64;
    out.push_str(&format!(
        "images: {}  mean CER: {:.2}%  latency p50: {:.0} ms  p99: {:.0} ms\n",
        images.len(),
        mean_cer * 100.0,
        pick(0.5),
        pick(0.99)
    ));
    super::print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}
