//! The benchmark corpus: the messages of the project's own labelled fixtures (scams and
//! genuine notices, Chinese and English), sorted so every run sees the same order.
//!
//! Shared by the classify, rule-scale and allocation benches and by
//! `examples/synthetic_rules.rs`.

#![allow(dead_code)]

use std::path::Path;

use sellerguard::eval::dataset::{self, LabelMap};

/// The fixture files the corpus is made of.
const FILES: [&str; 2] = ["seller_scams.jsonl", "hard_negatives.jsonl"];

/// Every fixture message once, sorted.
pub fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut texts: Vec<String> = FILES
        .iter()
        .flat_map(|f| dataset::load(&root.join(f), &LabelMap::default()).expect("fixture loads"))
        .map(|row| row.text)
        .collect();
    texts.sort();
    texts
}

/// The fixture messages cycled to `n`.
pub fn cycled(n: usize) -> Vec<String> {
    fixture_texts().into_iter().cycle().take(n).collect()
}
