//! Memory of the OCR pool: resident set size before and after `Ocr::start`
//! (and how long loading took), and after reading every fixture once, with the
//! engines of each model loaded at each point (the workers share them, and a
//! model loads when a picture first needs it).
//!
//! `cargo run --release --example ocr_memory -- [WORKERS] [LANGUAGES]`
//! (Linux only: reads /proc/self/status).

use std::path::Path;
use std::time::Instant;

use sellerguard::ocr::{Ocr, OcrOptions};

/// "chi_sim 1, chi_tra 0, eng 1": how many engines of each model are loaded.
fn engines(ocr: &Ocr) -> String {
    ocr.loaded_engines()
        .iter()
        .map(|model| format!("{} {}", model.language, model.loaded))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `/proc/self/status` field in MiB, e.g. "VmRSS" or "VmHWM".
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let workers: usize = args.next().and_then(|w| w.parse().ok()).unwrap_or(1);
    let mut options = OcrOptions {
        workers,
        ..OcrOptions::default()
    };
    if let Some(languages) = args.next() {
        options.languages = languages;
    }
    let languages = options.languages.clone();

    let before = status_mib("VmRSS");
    let loading = Instant::now();
    let ocr = Ocr::start(options).expect("run scripts/setup-debian.sh");
    let load_time = loading.elapsed();
    let started = status_mib("VmRSS");
    let engines_started = engines(&ocr);

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ocr");
    let mut images: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("tests/fixtures/ocr")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "jpg"))
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bad_"))
        })
        .collect();
    images.sort();
    for image in &images {
        let bytes = std::fs::read(image).expect("fixture");
        drop(ocr.read_blocking(bytes));
    }
    let after = status_mib("VmRSS");
    let peak = status_mib("VmHWM");

    println!(
        "languages {languages}, {workers} worker(s), {} images read one at a time",
        images.len()
    );
    println!(
        "Ocr::start took   {:7.0} ms",
        load_time.as_secs_f64() * 1000.0
    );
    println!("RSS before start  {before:7.1} MiB");
    println!(
        "RSS after start   {started:7.1} MiB  (+{:.1} MiB; engines: {engines_started})",
        started - before
    );
    println!(
        "RSS after reads   {after:7.1} MiB  (+{:.1} MiB; engines: {})",
        after - before,
        engines(&ocr)
    );
    println!("peak RSS (VmHWM)  {peak:7.1} MiB");
}
