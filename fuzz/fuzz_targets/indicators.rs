//! The indicator extractor on any text and hidden link: never panics, and every
//! evidence span is the original text it quotes.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sellerguard::classify::indicators::Extractor;
use sellerguard::classify::normalize::Normalized;
use sellerguard::classify::{Channels, OfficialEntry};

fn setup() -> &'static (Extractor, Channels) {
    static SETUP: OnceLock<(Extractor, Channels)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let amazon = OfficialEntry {
            name: "Amazon".into(),
            domains: vec!["amazon.com".into()],
            brands: vec!["amazon".into()],
            ..OfficialEntry::default()
        };
        let channels = Channels::new(vec![amazon], ["bit.ly".to_string()]);
        (Extractor::new(), channels)
    })
}

fuzz_target!(|input: (&str, &str)| {
    let (text, hidden) = input;
    let (extractor, channels) = setup();
    let found = extractor.extract(&Normalized::new(text), text, &[hidden.to_owned()], channels);
    for indicator in found {
        if let Some(evidence) = indicator.evidence {
            assert_eq!(&text[evidence.start..evidence.end], evidence.text);
        }
    }
});
