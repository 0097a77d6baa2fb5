//! Heap allocations per classified message, counted by a wrapping global allocator:
//! the shipped rules alone, and with 1,000 and 10,000 generated rules.
//!
//! Not a timing bench: `cargo bench --bench allocations` prints one line per rule set
//! (allocations and bytes per message over the fixture corpus, after one warm-up pass).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use sellerguard::classify::{Classifier, Message, RuleSource};
use sellerguard::config::{self, Settings};
use sellerguard::triage;

mod support;
use support::synthetic;

/// The system allocator, counting calls and bytes.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let texts = support::corpus::fixture_texts();
    let settings = Settings::builtin();
    let channels = triage::load_channels(&settings.channels_file).expect("channels");
    for generated in [0, 1_000, 10_000] {
        let mut sources: Vec<RuleSource> = config::read_rule_files(&settings.rules_dir)
            .expect("shipped rules")
            .into_iter()
            .map(|(name, text)| RuleSource { name, text })
            .collect();
        if generated > 0 {
            sources.push(RuleSource {
                name: "generated.toml".into(),
                text: synthetic::rule_file(generated),
            });
        }
        let classifier = Classifier::new(&sources, channels.clone())
            .expect("rules compile")
            .0;
        let judge = || {
            for text in &texts {
                std::hint::black_box(classifier.classify(Message::text(text)));
            }
        };
        judge();
        let (calls, bytes) = (
            ALLOCATIONS.load(Ordering::Relaxed),
            BYTES.load(Ordering::Relaxed),
        );
        judge();
        let n = texts.len() as f64;
        let calls = (ALLOCATIONS.load(Ordering::Relaxed) - calls) as f64 / n;
        let bytes = (BYTES.load(Ordering::Relaxed) - bytes) as f64 / n;
        println!(
            "shipped + {generated:>5} generated rules: {calls:.1} allocations, {bytes:.0} bytes per message ({} messages, no model)",
            texts.len()
        );
    }
}
