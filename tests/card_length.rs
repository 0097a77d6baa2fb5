//! Card length is a tested property: every fixture message's private card, in both
//! languages, fits well within one phone screen's worth of text; the figures
//! (p50, max per language) are printed with `--nocapture` and recorded in README.

use sellerguard::classify::{Lang, Message};
use sellerguard::config::Settings;
use sellerguard::eval::dataset::{self, LabelMap};
use sellerguard::telegram::render;
use sellerguard::triage::{Card, Region, Triage};

/// The most characters a private card may have (about one and a half phone screens; the
/// English cards ran 1,500-1,700 before the first screen was cut to the essentials).
const MAX_CARD_CHARS: usize = 1100;

#[test]
fn every_fixture_card_is_short_in_both_languages() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let settings = Settings::builtin();
    let triage = Triage::load(&settings).expect("service");
    let mut texts = Vec::new();
    for file in [
        "tests/fixtures/seller_scams.jsonl",
        "tests/fixtures/hard_negatives.jsonl",
    ] {
        let rows = dataset::load(std::path::Path::new(file), &LabelMap::default()).unwrap();
        texts.extend(rows.into_iter().map(|r| r.text));
    }
    // Unknown is what most readers are (`en`, `zh-hans`); the others must fit too.
    let regions = [
        Region::Unknown,
        Region::China,
        Region::UnitedStates,
        Region::UnitedKingdom,
        Region::English,
        Region::HongKong,
        Region::Taiwan,
        Region::Traditional,
    ];
    for lang in [Lang::En, Lang::Zh] {
        for region in regions {
            let lengths: Vec<(usize, &str)> = texts
                .iter()
                .map(|text| {
                    let verdict = triage.check(Message::text(text));
                    let card = Card::new(&verdict, triage.advice(), lang, region);
                    (render::card(&card).chars().count(), text.as_str())
                })
                .collect();
            check_lengths(lang, region, lengths);
        }
    }
}

fn check_lengths(lang: Lang, region: Region, mut lengths: Vec<(usize, &str)>) {
    {
        lengths.sort();
        let (p50, (max, longest)) = (lengths[lengths.len() / 2].0, lengths[lengths.len() - 1]);
        println!(
            "{lang:?} {region:?}: {} cards, p50 {p50}, max {max} chars",
            lengths.len()
        );
        assert!(
            max <= MAX_CARD_CHARS,
            "{lang:?} {region:?} card of {max} chars for {longest:?}"
        );
    }
}
