//! How much one huge, text-dense screenshot delays another seller's screenshot: the
//! latency of a phone screenshot read alone, then while another sender's ~38-megapixel
//! page of text (a PNG under Telegram's 20 MB limit) is being read, through the same
//! pool as `serve` starts it.
//!
//! `cargo run --release --example ocr_delay -- [--workers N] [--repeat R] [--timeout S]`
//! (`--workers` defaults to what `serve` uses: one per core, at most 4; `--timeout` to
//! the shipped 10 s). Prints p50 and max of both series and what became of the page.
//! Run through cargo so `.cargo/config.toml` sets `OMP_THREAD_LIMIT=1`.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sellerguard::ocr::{Ocr, OcrOptions};

#[path = "../tests/support/pages.rs"]
mod pages;

/// The small screenshot's sender and the huge page's.
const SELLER: i64 = 2;
const FLOODER: i64 = 1;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ocr")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `columns` x `rows` copies of a fixture screenshot as one gray PNG.
fn dense_page(name: &str, columns: u32, rows: u32) -> Vec<u8> {
    pages::tiled(&fixture(name), columns, rows, image::ImageFormat::Png)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

fn summary(label: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let p50 = percentile(&times, 0.5);
    let max = *times.last().expect("at least one read");
    println!(
        "{label}: n={} p50 {} ms, max {} ms",
        times.len(),
        p50.as_millis(),
        max.as_millis()
    );
    max
}

fn flag(args: &[String], name: &str) -> Option<u64> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.parse().ok()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let workers = flag(&args, "--workers").map_or(cores.min(4), |n| n as usize);
    let repeat = flag(&args, "--repeat").unwrap_or(10) as usize;
    let timeout = Duration::from_secs(flag(&args, "--timeout").unwrap_or(10));
    let ocr = Ocr::start(OcrOptions {
        workers,
        timeout,
        ..OcrOptions::default()
    })
    .expect("OCR engines load (scripts/setup-debian.sh)");
    let small = fixture("zh_light.jpg");
    let page = dense_page("zh_light.jpg", 10, 5);
    println!(
        "workers {workers}, timeout {timeout:?}; page {:.1} MB PNG, 5910x6400 (37.8 MP)",
        page.len() as f64 / 1e6
    );

    let mut alone = Vec::new();
    for _ in 0..repeat {
        let started = Instant::now();
        ocr.read_as(SELLER, small.clone())
            .await
            .expect("the screenshot reads");
        alone.push(started.elapsed());
    }

    let flooder = ocr.clone();
    let page_started = Instant::now();
    let huge = tokio::spawn(async move {
        let outcome = flooder.read_as(FLOODER, page).await;
        (outcome, page_started.elapsed())
    });
    // Let the page reach a worker first, as when it was sent a moment earlier.
    tokio::task::yield_now().await;
    let mut beside = Vec::new();
    let mut during = 0;
    for _ in 0..repeat {
        let started = Instant::now();
        let read = ocr.read_as(SELLER, small.clone()).await;
        beside.push(started.elapsed());
        during += usize::from(!huge.is_finished());
        if let Err(error) = read {
            println!("the screenshot failed beside the page: {error}");
            return ExitCode::FAILURE;
        }
    }
    let (outcome, page_time) = huge.await.expect("page task");

    let alone_max = summary("screenshot alone", alone);
    let beside_max = summary("screenshot beside the page", beside);
    println!("{during} of {repeat} reads ended while the page was still being read");
    match outcome {
        Ok(text) => println!(
            "page: read in {} ms ({} characters)",
            page_time.as_millis(),
            text.text.chars().count()
        ),
        Err(error) => println!(
            "page: {error} (answered after {} ms)",
            page_time.as_millis()
        ),
    }
    let delay = beside_max.saturating_sub(alone_max);
    println!(
        "worst delay: {} ms (target: at most 2000 ms)",
        delay.as_millis()
    );
    ExitCode::SUCCESS
}
