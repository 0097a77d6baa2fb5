//! How classify cost grows with the rule count: the shipped rules plus 1,000 or
//! 10,000 generated regex rules (`support/synthetic.rs`), per message warm, on the first
//! pass of a freshly compiled set, and the compile itself; and the cue matcher alone
//! on the generated regexes only (`matcher_N`: what `scripts/bench-hyperscan.py`
//! compares with Hyperscan on the same regexes and normalised corpus).
//!
//! The corpus is the project's fixtures cycled to 2,000 messages, as in
//! `benches/classify.rs`. Run with `cargo bench --bench rule_scale`; criterion reports
//! messages per second (elements). "first_pass" judges the corpus once with a set
//! compiled just before (the compile is not timed), "warm" judges it again and again.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sellerguard::classify::normalize::Normalized;
use sellerguard::classify::rules::{self, Hit};
use sellerguard::classify::{Channels, Classifier, Message, RuleSource};
use sellerguard::config::{self, Settings};
use sellerguard::triage;

mod support;
use support::synthetic;

fn sources(generated: usize) -> Vec<RuleSource> {
    let settings = Settings::builtin();
    let mut sources: Vec<RuleSource> = config::read_rule_files(&settings.rules_dir)
        .expect("shipped rules")
        .into_iter()
        .map(|(name, text)| RuleSource { name, text })
        .collect();
    sources.push(RuleSource {
        name: "generated.toml".into(),
        text: synthetic::rule_file(generated),
    });
    sources
}

fn compile(sources: &[RuleSource], channels: &Channels) -> Classifier {
    Classifier::new(sources, channels.clone())
        .expect("generated rules compile")
        .0
}

fn bench_scale(c: &mut Criterion) {
    let settings = Settings::builtin();
    let channels = triage::load_channels(&settings.channels_file).expect("channels");
    let texts = support::corpus::cycled(2_000);
    for n in [1_000, 10_000] {
        let sources = sources(n);
        let mut group = c.benchmark_group(format!("rules_{n}"));
        group.sample_size(10);
        group.bench_function("compile", |b| b.iter(|| compile(&sources, &channels)));
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.bench_function("first_pass", |b| {
            b.iter_batched(
                || compile(&sources, &channels),
                |classifier| {
                    for text in &texts {
                        std::hint::black_box(classifier.classify(Message::text(text)));
                    }
                },
                BatchSize::PerIteration,
            )
        });
        let classifier = compile(&sources, &channels);
        group.bench_function("warm", |b| {
            b.iter(|| {
                for text in &texts {
                    std::hint::black_box(classifier.classify(Message::text(text)));
                }
            })
        });
        group.finish();
    }
}

fn bench_matcher(c: &mut Criterion) {
    let texts: Vec<String> = support::corpus::cycled(2_000)
        .iter()
        .map(|t| Normalized::new(t).as_str().to_string())
        .collect();
    for n in [1_000, 10_000] {
        let source = RuleSource {
            name: "generated.toml".into(),
            text: synthetic::rule_file(n),
        };
        let set = rules::compile(&[source])
            .expect("generated rules compile")
            .0;
        let mut hits: Vec<Option<Hit>> = vec![None; set.cue_count()];
        let mut group = c.benchmark_group(format!("matcher_{n}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.bench_function("warm", |b| {
            b.iter(|| {
                for text in &texts {
                    hits.fill(None);
                    set.match_cues(text, |r| r, &mut hits);
                    std::hint::black_box(&hits);
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_matcher, bench_scale);
criterion_main!(benches);
