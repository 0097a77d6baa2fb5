//! Advice on the safe channel, per scam family and language, from `config/advice.toml`,
//! and the hotlines and reporting addresses of the reader's region.
//!
//! Invariants: every lookup returns text: a family without its own advice falls back
//! to the general advice; unknown family and region names in the file are ignored
//! with a warning; a region the file does not cover reads as no line at all.

use std::collections::HashMap;

use crate::classify::{Bilingual, Family, Lang};
use crate::config::AdviceFile;

/// Where a reader is, as far as their app's language tag says (Telegram's
/// `language_code`): it picks the hotlines and reporting addresses on their cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// Mainland China (`zh`, `zh-hans`, `zh-cn`).
    China,
    /// Hong Kong or Macau (`zh-hk`, `zh-mo`).
    HongKong,
    /// Taiwan (`zh-tw`).
    Taiwan,
    /// Traditional Chinese without a region (`zh-hant`): Hong Kong and Taiwan.
    Traditional,
    /// The United Kingdom (`en-gb`, `en-uk`).
    UnitedKingdom,
    /// The United States (`en-us`).
    UnitedStates,
    /// An English app that names no region (`en`): the US and China, whatever the
    /// card's language (a Chinese message read on an English phone).
    English,
    /// No region known (no tag, other languages): by the card's language.
    #[default]
    Unknown,
}

impl Region {
    /// The region an app language tag names (`en-GB`, `zh-TW`, `zh-hant`, `en`, ...).
    pub fn from_code(code: &str) -> Self {
        let code = code.to_ascii_lowercase().replace('_', "-");
        let mut parts = code.split('-');
        let lang = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        let has = |tag: &str| rest.contains(&tag);
        match lang {
            "zh" if has("tw") => Self::Taiwan,
            "zh" if has("hk") || has("mo") => Self::HongKong,
            "zh" if has("hant") => Self::Traditional,
            "zh" => Self::China,
            "en" if has("gb") || has("uk") => Self::UnitedKingdom,
            "en" if has("us") => Self::UnitedStates,
            "en" if rest.is_empty() => Self::English,
            _ => Self::Unknown,
        }
    }

    /// The `[reporting.*]` keys whose lines a card in `lang` for this region shows.
    fn keys(self, lang: Lang) -> &'static [&'static str] {
        match (self, lang) {
            (Self::China, _) => &["cn"],
            (Self::HongKong, _) => &["hk"],
            (Self::Taiwan, _) => &["tw"],
            (Self::Traditional, _) => &["hk", "tw"],
            (Self::UnitedKingdom, _) => &["gb"],
            (Self::UnitedStates, _) => &["us"],
            (Self::English, _) => &["us", "cn"],
            (Self::Unknown, Lang::Zh) => &["cn"],
            (Self::Unknown, Lang::En) => &["us", "cn"],
        }
    }
}

/// Region keys the advice file may use.
const REGION_KEYS: [&str; 5] = ["cn", "us", "gb", "hk", "tw"];

/// Advice texts, looked up by family.
#[derive(Debug, Clone)]
pub struct Advice {
    general: Bilingual,
    already_acted: Bilingual,
    family: HashMap<Family, Bilingual>,
    /// Per region key: the full text, and the short line for the card.
    reporting: HashMap<&'static str, (Bilingual, Bilingual)>,
}

impl Advice {
    /// Builds the lookup from the parsed file.
    pub fn from_file(file: AdviceFile) -> Self {
        let bilingual = |t: crate::config::AdviceText| Bilingual { zh: t.zh, en: t.en };
        let mut family = HashMap::new();
        for (name, text) in file.family {
            match name.parse::<Family>() {
                Ok(f) => {
                    family.insert(f, bilingual(text));
                }
                Err(e) => tracing::warn!("advice file: {e}; entry ignored"),
            }
        }
        let mut reporting = HashMap::new();
        for (name, text) in file.reporting {
            match REGION_KEYS.iter().find(|k| **k == name) {
                Some(key) => {
                    let card = Bilingual {
                        zh: text.card.zh,
                        en: text.card.en,
                    };
                    reporting.insert(
                        *key,
                        (
                            Bilingual {
                                zh: text.zh,
                                en: text.en,
                            },
                            card,
                        ),
                    );
                }
                None => tracing::warn!(
                    "advice file: unknown region {name:?} (known: {REGION_KEYS:?}); entry ignored"
                ),
            }
        }
        Self {
            general: bilingual(file.general),
            already_acted: bilingual(file.already_acted),
            family,
            reporting,
        }
    }

    /// The advice for `family` (or the general advice) in `lang`.
    pub fn for_family(&self, family: Option<Family>, lang: Lang) -> &str {
        family
            .and_then(|f| self.family.get(&f))
            .unwrap_or(&self.general)
            .get(lang)
    }

    /// The general advice in `lang`.
    pub fn general(&self, lang: Lang) -> &str {
        self.general.get(lang)
    }

    /// What to do if the user already acted, in `lang`.
    pub fn already_acted(&self, lang: Lang) -> &str {
        self.already_acted.get(lang)
    }

    /// Where a reader in `region` reports a scam and asks for advice, in `lang`: the
    /// short line for a card (`short`), else in full; empty when the file names
    /// nothing for the region.
    pub fn reporting(&self, region: Region, lang: Lang, short: bool) -> String {
        let lines: Vec<&str> = region
            .keys(lang)
            .iter()
            .filter_map(|key| self.reporting.get(key))
            .map(|(full, card)| {
                if short {
                    card.get(lang)
                } else {
                    full.get(lang)
                }
            })
            .collect();
        lines.join(" ")
    }

    /// `text` followed by the reporting line of `region` in `lang`, if any (`short`:
    /// the card's form).
    pub fn with_reporting(&self, text: &str, region: Region, lang: Lang, short: bool) -> String {
        let reporting = self.reporting(region, lang, short);
        match (text.is_empty(), reporting.is_empty()) {
            (_, true) => text.to_owned(),
            (true, false) => reporting,
            (false, false) => format!("{text} {reporting}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_language_tags_name_regions() {
        for (code, region) in [
            ("en-GB", Region::UnitedKingdom),
            ("en_uk", Region::UnitedKingdom),
            ("en-US", Region::UnitedStates),
            ("en", Region::English),
            ("en-AU", Region::Unknown),
            ("zh-tw", Region::Taiwan),
            ("zh-Hant-TW", Region::Taiwan),
            ("zh-hk", Region::HongKong),
            ("zh-hant", Region::Traditional),
            ("zh-hans", Region::China),
            ("zh", Region::China),
            ("de-DE", Region::Unknown),
        ] {
            assert_eq!(Region::from_code(code), region, "{code}");
        }
    }
}
