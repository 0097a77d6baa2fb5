//! Reads screenshots with the OCR pool and prints the text, the time and, when
//! `NAME.txt` sits next to `NAME.jpg`, the character error rate: raw, and
//! "folded" (both sides NFKC-normalised and converted to Simplified Chinese,
//! as the classifier sees text).
//!
//! `cargo run --release --example ocr_read -- [--languages chi_sim+eng] [--repeat N] FILE...`
//! With `--repeat N` each image is read N times and the median time is printed.
//! (run through cargo so `.cargo/config.toml` sets `OMP_THREAD_LIMIT=1`).

use std::path::Path;
use std::process::ExitCode;

use sellerguard::ocr::{Ocr, OcrOptions, character_error_rate};
use unicode_normalization::UnicodeNormalization;

/// NFKC, then Traditional to Simplified Chinese.
fn fold(text: &str) -> String {
    fast2s::convert(&text.nfkc().collect::<String>())
}

/// Removes `--name VALUE` from `args` and returns VALUE.
fn take_option(args: &mut Vec<String>, name: &str) -> Result<Option<String>, String> {
    let Some(at) = args.iter().position(|a| a == name) else {
        return Ok(None);
    };
    let value = args
        .get(at + 1)
        .cloned()
        .ok_or(format!("{name} needs a value"))?;
    args.drain(at..=at + 1);
    Ok(Some(value))
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = OcrOptions::default();
    let (languages, repeat) = match (
        take_option(&mut args, "--languages"),
        take_option(&mut args, "--repeat"),
    ) {
        (Ok(languages), Ok(repeat)) => (languages, repeat),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(languages) = languages {
        options.languages = languages;
    }
    let repeat: usize = repeat.and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let ocr = match Ocr::start(options) {
        Ok(ocr) => ocr,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut rates = Vec::new();
    for file in &args {
        let path = Path::new(file);
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{file}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let mut reads: Vec<_> = (0..repeat)
            .map(|_| ocr.read_blocking(bytes.clone()))
            .collect();
        reads.sort_by_key(|read| read.as_ref().map(|r| r.elapsed).ok());
        match reads.swap_remove(repeat / 2) {
            Ok(read) => {
                let expected = std::fs::read_to_string(path.with_extension("txt")).ok();
                let rate = expected
                    .as_ref()
                    .map(|e| character_error_rate(e, &read.text));
                let folded = expected.map(|e| character_error_rate(&fold(&e), &fold(&read.text)));
                println!(
                    "== {file}: {}x{} {:.0} ms confidence {:?} CER {} folded {}",
                    read.width,
                    read.height,
                    read.elapsed.as_secs_f64() * 1000.0,
                    read.mean_confidence,
                    percent(rate),
                    percent(folded),
                );
                println!("{}", read.text);
                rates.extend(rate.zip(folded));
            }
            Err(error) => println!("== {file}: {error}"),
        }
    }
    if !rates.is_empty() {
        let count = rates.len() as f64;
        let raw = rates.iter().map(|r| r.0).sum::<f64>() / count;
        let folded = rates.iter().map(|r| r.1).sum::<f64>() / count;
        println!(
            "mean CER over {} images: {} folded {}",
            rates.len(),
            percent(Some(raw)),
            percent(Some(folded))
        );
    }
    ExitCode::SUCCESS
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".to_string(), |r| format!("{:.2}%", r * 100.0))
}
