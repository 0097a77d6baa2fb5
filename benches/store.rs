//! Store benchmarks on a large store: open time (with loading every fingerprint),
//! resident memory after open, indicator-lookup latency percentiles, and durable report
//! throughput with concurrent writers (criterion).
//!
//! The large store is built once into `SELLERGUARD_STORE_BENCH_DIR` (default
//! `target/store-bench`) by a child process and reused; a marker file records its size.
//! Sizes: `SELLERGUARD_STORE_BENCH_REPORTS` (default 1,000,000 reports); indicators and
//! fingerprints are a tenth of that each. Open and RSS are measured in this process before
//! anything else touches the store, so they are start-up figures.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use sellerguard::store::{NewReport, ReportId, ReportSource, ReportStatus, Store, StoreOptions};

const FP_LEN: usize = 64;
const BUILD_ENV: &str = "SELLERGUARD_STORE_BENCH_BUILD";

fn reports_wanted() -> u64 {
    std::env::var("SELLERGUARD_STORE_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn bench_dir() -> PathBuf {
    std::env::var_os("SELLERGUARD_STORE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/store-bench"))
}

fn opts() -> StoreOptions {
    StoreOptions {
        cache_capacity: std::env::var("SELLERGUARD_STORE_BENCH_CACHE_MB")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(64)
            * 1024
            * 1024,
        ..StoreOptions::default()
    }
}

/// splitmix64: a deterministic stream of well-mixed numbers.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn indicator(i: u64) -> String {
    if i.is_multiple_of(2) {
        format!("phone:+86138{:08}", i)
    } else {
        format!("domain:shop-verify-{i}.top")
    }
}

/// A fingerprint as random as a MinHash signature, derived from the report text.
fn fingerprint(text: &str) -> Vec<u32> {
    let seed = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    (0..FP_LEN as u64).map(|k| mix(seed ^ k) as u32).collect()
}

fn synthetic_report(store: &Store, n: u64, total: u64) -> NewReport {
    let indicators = total / 10;
    let r = mix(n);
    NewReport {
        text: format!(
            "您的店铺账户已被冻结，请在24小时内验证 Your store account {n} is suspended, verify at once"
        ),
        indicators: vec![indicator(n % indicators), indicator(r % indicators)],
        source: ReportSource::Private,
        reporter: store.reporter_hash(&format!("{}", r % 50_000)),
        at: 1_700_000_000 + n,
    }
}

/// Child-process job: fill the store (reports, then judge a tenth of them).
fn build(dir: &Path, total: u64) {
    let store = Store::open(dir, opts()).expect("open for build");
    let start = Instant::now();
    let next = AtomicU64::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let from = next.fetch_add(1000, Ordering::Relaxed);
                    if from >= total {
                        break;
                    }
                    let batch: Vec<_> = (from..(from + 1000).min(total))
                        .map(|n| synthetic_report(&store, n, total))
                        .collect();
                    store.import_reports(&batch).expect("import");
                }
            });
        }
    });
    eprintln!("built {total} reports in {:.1?}", start.elapsed());
    let judged = AtomicU64::new(0);
    let ids: Vec<ReportId> = store
        .export()
        .take(total as usize)
        .map(|r| r.unwrap().id)
        .collect();
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                loop {
                    let k = judged.fetch_add(1, Ordering::Relaxed);
                    if k >= total / 10 {
                        break;
                    }
                    let id = ids[(mix(k) % total) as usize];
                    let status = if k.is_multiple_of(5) {
                        ReportStatus::Rejected
                    } else {
                        ReportStatus::Confirmed
                    };
                    store
                        .set_status(id, status, 1_800_000_000, fingerprint)
                        .expect("judge");
                }
            });
        }
    });
    eprintln!("judged {} reports in {:.1?}", total / 10, start.elapsed());
    std::fs::write(dir.join("bench-populated"), format!("{total}\n")).expect("marker");
}

fn ensure_built(dir: &Path, total: u64) {
    let marker = std::fs::read_to_string(dir.join("bench-populated")).unwrap_or_default();
    if marker.trim() == total.to_string() {
        return;
    }
    assert!(
        marker.is_empty(),
        "{} holds a different bench store; remove it",
        dir.display()
    );
    eprintln!(
        "building a {total}-report store in {} (once)...",
        dir.display()
    );
    let status = Command::new(std::env::current_exe().unwrap())
        .env(BUILD_ENV, "1")
        .status()
        .expect("spawn builder");
    assert!(status.success(), "builder failed");
}

fn vm_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kb / 1024.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Open, load fingerprints, sample lookups; print the figures.
fn startup_figures(dir: &Path, total: u64) -> Store {
    let t = Instant::now();
    let store = Store::open(dir, opts()).expect("open");
    let open = t.elapsed();
    let rss_open = vm_rss_mb();
    let t = Instant::now();
    let fps: Vec<_> = store
        .fingerprints()
        .map(|f| f.expect("fingerprint"))
        .collect();
    let load = t.elapsed();
    let rss_loaded = vm_rss_mb();
    let stats = store.stats().expect("stats");
    println!(
        "store: {} reports stored, {} fingerprints ({FP_LEN} x u32), {} on disk",
        stats.reports_stored,
        fps.len(),
        store.size_on_disk().unwrap() / (1 << 20)
    );
    println!(
        "open: {open:.1?}; fingerprints loaded in {load:.1?}; open+load {:.1?}",
        open + load
    );
    println!("VmRSS after open: {rss_open:.1} MB; after loading fingerprints: {rss_loaded:.1} MB");
    let indicators = total / 10;
    let mut lat = Vec::with_capacity(100_000);
    let mut found = 0;
    for k in 0..100_000u64 {
        // 9 in 10 lookups hit a known indicator, 1 in 10 misses.
        let ind = if k % 10 == 0 {
            format!("domain:unknown-{k}.top")
        } else {
            indicator(mix(k) % indicators)
        };
        let t = Instant::now();
        let rep = store.indicator_reputation(&ind).expect("lookup");
        lat.push(t.elapsed());
        found += usize::from(rep.is_some());
    }
    lat.sort();
    println!(
        "indicator_reputation over 100k lookups ({found} hits): p50 {:.1?} p99 {:.1?} p99.9 {:.1?} max {:.1?}",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 0.999),
        lat[lat.len() - 1]
    );
    // Maintenance walks: forgetting a reporter scans every report (there is no
    // per-reporter index); retention walks the pending set. Neither deletes anything
    // here (unknown reporter, cutoff 0), so the store stays as built.
    let t = Instant::now();
    let forgotten = store
        .forget_reporter(&store.reporter_hash("nobody-at-all"))
        .expect("forget");
    let forget = t.elapsed();
    let t = Instant::now();
    let purged = store.delete_pending_before(0).expect("retention");
    println!(
        "forget_reporter (scan of every report): {forget:.1?}, {forgotten} deleted; \
         retention walk of the pending set: {:.1?}, {purged} deleted",
        t.elapsed()
    );
    black_box(fps);
    store
}

fn main() {
    let dir = bench_dir();
    let total = reports_wanted();
    if std::env::var_os(BUILD_ENV).is_some() {
        build(&dir, total);
        return;
    }
    ensure_built(&dir, total);
    let store = startup_figures(&dir, total);

    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("store");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(1));
    let seq = AtomicU64::new(total * 10);
    for writers in [1u64, 4, 16, 64] {
        g.bench_function(format!("add_report_durable/{writers}_writers"), |b| {
            b.iter_custom(|iters| {
                let left = AtomicU64::new(iters);
                let t = Instant::now();
                thread::scope(|s| {
                    for _ in 0..writers {
                        s.spawn(|| {
                            while left
                                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                                    n.checked_sub(1)
                                })
                                .is_ok()
                            {
                                let n = seq.fetch_add(1, Ordering::Relaxed);
                                store
                                    .add_report(&synthetic_report(&store, n, total))
                                    .expect("add");
                            }
                        });
                    }
                });
                t.elapsed()
            })
        });
    }
    let indicators = total / 10;
    let mut k = 0u64;
    g.bench_function("indicator_reputation", |b| {
        b.iter(|| {
            k += 1;
            black_box(
                store
                    .indicator_reputation(&indicator(mix(k) % indicators))
                    .expect("lookup"),
            )
        })
    });
    g.finish();
    c.final_summary();
}
