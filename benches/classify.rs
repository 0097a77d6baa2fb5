//! Classify throughput on a mixed zh/en corpus with the shipped rules and base model (and
//! without the model, for the ratio), and the start-up cost of loading them.
//!
//! The corpus is the project's own labelled fixtures (scams and genuine notices in
//! Simplified/Traditional Chinese and English), cycled to 2,000 messages. Run with
//! `cargo bench --bench classify`; criterion reports messages per second (elements).

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sellerguard::classify::Message;
use sellerguard::config::Settings;
use sellerguard::triage::{self, Triage};

mod support;

fn bench_classify(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("project root");
    let settings = Settings::builtin();
    let service = Triage::load(&settings).expect("shipped rules compile");
    let classifier = service.classifier();
    let texts = support::corpus::cycled(2_000);

    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("mixed_zh_en_2000", |b| {
        b.iter(|| {
            for text in &texts {
                std::hint::black_box(classifier.classify(Message::text(text)));
            }
        })
    });
    let (rules_only, _) = triage::compile_dir(
        &settings.rules_dir,
        triage::load_channels(&settings.channels_file).expect("channels"),
    )
    .expect("compiles");
    group.bench_function("mixed_zh_en_2000_no_model", |b| {
        b.iter(|| {
            for text in &texts {
                std::hint::black_box(rules_only.classify(Message::text(text)));
            }
        })
    });
    group.finish();

    c.bench_function("load_rules_channels_advice_model", |b| {
        b.iter(|| Triage::load(&settings).expect("loads"))
    });

    let channels = triage::load_channels(&settings.channels_file).expect("channels");
    c.bench_function("compile_shipped_rules", |b| {
        b.iter(|| triage::compile_dir(&settings.rules_dir, channels.clone()).expect("compiles"))
    });
}

criterion_group!(benches, bench_classify);
criterion_main!(benches);
