//! Reads screenshots with the OCR pool and prints the text, the time and, when
//! `NAME.txt` sits next to `NAME.jpg`, the character error rate: raw, and
//! "folded" (both sides NFKC-normalised and converted to Simplified Chinese,
//! as the classifier sees text).
//!
//! `cargo run --release --example ocr_read -- [--languages chi_sim+eng] [--repeat N] FILE...`
//! With `--repeat N` each image is read N times and the median time is printed,
//! wall clock and CPU (the process's user + system time over the read, from
//! `/proc/self/stat` in 10 ms ticks: what one read costs on an idle core, as
//! the reading thread is the only busy one). The last line gives the p50 of both.
//! "Indicators" are the links, phone and long numbers and account ids of the
//! expected text (found by the patterns in `indicators`); one counts as read
//! when it appears, whitespace aside, in the OCR text.
//! (run through cargo so `.cargo/config.toml` sets `OMP_THREAD_LIMIT=1`).

use std::path::Path;
use std::process::ExitCode;

use regex::Regex;
use sellerguard::ocr::{Ocr, OcrOptions, character_error_rate};
use unicode_normalization::UnicodeNormalization;

/// Links, phone and long numbers, handles and letter-digit ids in `expected`
/// (whitespace removed; never across a line break).
fn indicators(expected: &str) -> Vec<String> {
    let patterns = [
        r"(?i)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[a-z0-9_/?=&.-]*[a-z0-9_/])?",
        r"\+?\(?\d[\d ()-]{5,}\d",
        r"@[A-Za-z0-9_-]+",
        r"\b[A-Za-z][A-Za-z_-]*\d[A-Za-z0-9_-]*",
        r"\d{1,3}(?:\.\d{1,3}){3}",
    ];
    let mut found: Vec<String> = Vec::new();
    for pattern in patterns {
        let pattern = Regex::new(pattern).expect("indicator pattern compiles");
        for hit in pattern.find_iter(expected) {
            found.push(without_whitespace(hit.as_str()));
        }
    }
    let all = found.clone();
    found.retain(|one| {
        !all.iter()
            .any(|other| other != one && other.contains(one.as_str()))
    });
    found.sort();
    found.dedup();
    found
}

/// User + system CPU time of this process so far, in ms (Linux, 100 ticks per second).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |at: usize| fields.get(at).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) * 10.0,
        _ => f64::NAN,
    }
}

/// The median of `values` (upper middle for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

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
    let (mut exact, mut wanted) = (0, 0);
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for file in &args {
        let path = Path::new(file);
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{file}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let mut cpu = Vec::with_capacity(repeat);
        let mut reads: Vec<_> = (0..repeat)
            .map(|_| {
                let before = cpu_ms();
                let read = ocr.read_blocking(bytes.clone());
                cpu.push(cpu_ms() - before);
                read
            })
            .collect();
        let cpu = median(cpu);
        reads.sort_by_key(|read| read.as_ref().map(|r| r.elapsed).ok());
        match reads.swap_remove(repeat / 2) {
            Ok(read) => {
                let expected = std::fs::read_to_string(path.with_extension("txt")).ok();
                let rate = expected
                    .as_ref()
                    .map(|e| character_error_rate(e, &read.text));
                let folded = expected
                    .as_ref()
                    .map(|e| character_error_rate(&fold(e), &fold(&read.text)));
                let flat = without_whitespace(&read.text);
                let listed = indicators(expected.as_deref().unwrap_or(""));
                let missed: Vec<&String> = listed
                    .iter()
                    .filter(|indicator| !flat.contains(indicator.as_str()))
                    .collect();
                wanted += listed.len();
                exact += listed.len() - missed.len();
                let wall = read.elapsed.as_secs_f64() * 1000.0;
                walls.push(wall);
                cpus.push(cpu);
                println!(
                    "== {file}: {}x{} {wall:.0} ms cpu {cpu:.0} ms confidence {:?} CER {} folded {}",
                    read.width,
                    read.height,
                    read.mean_confidence,
                    percent(rate),
                    percent(folded),
                );
                if !missed.is_empty() {
                    println!("indicators missed: {missed:?}");
                }
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
            "mean CER over {} images: {} folded {} indicators exact {exact}/{wanted} p50 {:.0} ms cpu {:.0} ms",
            rates.len(),
            percent(Some(raw)),
            percent(Some(folded)),
            median(walls),
            median(cpus),
        );
    }
    ExitCode::SUCCESS
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".to_string(), |r| format!("{:.2}%", r * 100.0))
}
