//! The classifier with the shipped rules and channels on any text: never panics, the
//! score stays within 0..=100 and evidence quotes the original text.
//! Uses the built-in rules and channels (the repository's, embedded at build time).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sellerguard::classify::{Classifier, Message};
use sellerguard::config::{Asset, Source};
use sellerguard::triage;

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| {
        let channels = triage::load_channels(&Source::Builtin(Asset::Channels))
            .expect("shipped channels load");
        triage::compile_dir(&Source::Builtin(Asset::Rules), channels)
            .expect("shipped rules compile")
            .0
    })
}

fuzz_target!(|text: &str| {
    let verdict = classifier().classify(Message::text(text));
    assert!(verdict.score <= 100);
    for signal in &verdict.signals {
        for evidence in &signal.evidence {
            assert_eq!(&text[evidence.start..evidence.end], evidence.text);
        }
    }
});
