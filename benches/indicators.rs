//! Indicator extraction and whole-message classification on large inputs: 1 MB and
//! 8 MB of mixed seller chat (links, phones, chat ids, e-mail in Chinese and English
//! prose) and 40,000 distinct URLs. Extraction must stay linear in the input.
//!
//! Run with `cargo bench --bench indicators`; criterion reports bytes per second.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sellerguard::classify::indicators::Extractor;
use sellerguard::classify::normalize::Normalized;
use sellerguard::classify::{Channels, Message};
use sellerguard::config::Settings;
use sellerguard::triage::{self, Triage};

/// One paragraph with every kind of indicator, in both languages.
const PARAGRAPH: &str = "您好，亚马逊卖家支持：请在24小时内登录 https://amazon-seller-verify.top/login \
    完成验证，否则店铺将被冻结。客服电话 138 1234 5678，加微信 amz_vip888 或 QQ号：12345678。\n\
    Hi, this is Shopify billing. Pay the reactivation fee at http://bit.ly/3xYz or write to \
    help@shopify-billing.top, Telegram @shop_support_desk, WhatsApp +44 7700 900123.\n";

/// `bytes` of text made of `PARAGRAPH`s.
fn mixed(bytes: usize) -> String {
    PARAGRAPH.repeat(bytes / PARAGRAPH.len() + 1)
}

/// `n` distinct URLs, one per line.
fn distinct_urls(n: usize) -> String {
    (0..n)
        .map(|i| format!("https://shop{i}.seller-{}.top/p/{i}\n", i % 97))
        .collect()
}

fn bench_indicators(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("project root");
    let settings = Settings::builtin();
    let channels: Channels = triage::load_channels(&settings.channels_file).expect("channels");
    let service = Triage::load(&settings).expect("shipped rules compile");
    let classifier = service.classifier();
    let extractor = Extractor::new();
    let inputs = [
        ("mixed_1mb", mixed(1 << 20)),
        ("mixed_8mb", mixed(8 << 20)),
        ("distinct_urls_40000", distinct_urls(40_000)),
    ];

    let mut group = c.benchmark_group("indicators");
    group.sample_size(10);
    for (name, text) in &inputs {
        group.throughput(Throughput::Bytes(text.len() as u64));
        let normalized = Normalized::new(text);
        group.bench_with_input(BenchmarkId::new("extract", name), text, |b, text| {
            b.iter(|| extractor.extract(&normalized, text, &[], &channels))
        });
        group.bench_with_input(BenchmarkId::new("classify", name), text, |b, text| {
            b.iter(|| classifier.classify(Message::text(text)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_indicators);
criterion_main!(benches);
