//! One OCR read of a Telegram-compressed screenshot (zh and en) through the
//! pool, one engine, default languages: what a seller waits for per image.
//!
//! `cargo bench --bench ocr` (cargo sets `OMP_THREAD_LIMIT=1` from `.cargo/config.toml`).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sellerguard::ocr::{Ocr, OcrOptions};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ocr")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_screenshot(c: &mut Criterion) {
    let ocr = Ocr::start(OcrOptions::default()).expect("run scripts/setup-debian.sh");
    let mut group = c.benchmark_group("ocr_read");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(15));
    for name in ["zh_light.jpg", "en_light.jpg", "zh_dark.jpg"] {
        let image = fixture(name);
        group.bench_function(name, |b| {
            b.iter(|| {
                ocr.read_blocking(black_box(image.clone()))
                    .expect("readable fixture")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, read_screenshot);
criterion_main!(benches);
