//! Whole-service figures on a large store: start-up time, resident memory, and
//! `Triage::check` latency (p50/p99) with community knowledge loaded.
//!
//! Needs a data directory with a large store, e.g. the 1M-report store that
//! `benches/store.rs` builds: `SELLERGUARD_STORE_BENCH_DIR=target/store-bench cargo bench
//! --bench triage`. Messages are the project's own fixtures, cycled to 20,000 checks.

use std::path::Path;
use std::time::Instant;

use sellerguard::classify::Message;
use sellerguard::config::Settings;
use sellerguard::eval::dataset::{self, LabelMap};
use sellerguard::triage::Triage;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let Some(dir) = std::env::var_os("SELLERGUARD_STORE_BENCH_DIR") else {
        eprintln!(
            "set SELLERGUARD_STORE_BENCH_DIR to a data directory with a large store (see benches/store.rs)"
        );
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("project root");
    let settings = Settings::builtin();
    let texts: Vec<String> = [
        "tests/fixtures/seller_scams.jsonl",
        "tests/fixtures/hard_negatives.jsonl",
    ]
    .iter()
    .flat_map(|f| dataset::load(&root.join(f), &LabelMap::default()).expect("fixture"))
    .map(|r| r.text)
    .collect();

    let rss_before = rss_mb();
    let started = Instant::now();
    let service = Triage::load(&settings)
        .and_then(|t| t.with_store_at(Path::new(&dir), settings.community.clone()))
        .expect("opens the store");
    let startup = started.elapsed();
    let rss_after = rss_mb();

    let mut latencies = Vec::with_capacity(20_000);
    for text in texts.iter().cycle().take(20_000) {
        let t = Instant::now();
        std::hint::black_box(service.check(Message::text(text)));
        latencies.push(t.elapsed().as_secs_f64() * 1e6);
    }
    latencies.sort_by(f64::total_cmp);
    let q = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!("store: {}", Path::new(&dir).display());
    println!(
        "start-up (rules + store open + fingerprints + model): {:.2} s",
        startup.as_secs_f64()
    );
    println!(
        "VmRSS: {rss_before:.0} MB before, {rss_after:.0} MB after start-up, {:.0} MB after checks",
        rss_mb()
    );
    println!(
        "check latency over {} checks: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        latencies.len(),
        q(0.5),
        q(0.99),
        q(1.0)
    );
}
