//! Memory per OCR engine: resident set size before and after `Ocr::start`
//! (and how long loading took), and the peak after reading every fixture once.
//!
//! `cargo run --release --example ocr_memory -- [WORKERS] [LANGUAGES]`
//! (Linux only: reads /proc/self/status).

use std::path::Path;
use std::time::Instant;

use sellerguard::ocr::{Ocr, OcrOptions};

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
        "languages {languages}, {workers} engine(s), {} images read",
        images.len()
    );
    println!(
        "Ocr::start took   {:7.0} ms",
        load_time.as_secs_f64() * 1000.0
    );
    println!("RSS before start  {before:7.1} MiB");
    println!(
        "RSS after start   {started:7.1} MiB  (+{:.1} MiB per engine)",
        (started - before) / workers as f64
    );
    println!(
        "RSS after reads   {after:7.1} MiB  (+{:.1} MiB per engine)",
        (after - before) / workers as f64
    );
    println!("peak RSS (VmHWM)  {peak:7.1} MiB");
}
