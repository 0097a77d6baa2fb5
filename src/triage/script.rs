//! Which Chinese script a reader wants, and Traditional text derived from the
//! Simplified strings: the only home of the OpenCC converter (`ferrous-opencc`, a
//! pure-Rust OpenCC with its dictionaries built in). No Traditional text is kept by
//! hand anywhere.
//!
//! Invariants: conversion changes only Han characters and Chinese punctuation, so
//! HTML tags, links, numbers and English pass through unchanged; each converter is
//! built once, on first use, and shared; if one cannot be built the text stays
//! Simplified (logged once), it never fails a reply.

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// The script of Chinese text a reader gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Script {
    /// Simplified characters (mainland China, Singapore; the strings as written).
    #[default]
    Simplified,
    /// Traditional characters, in the standard OpenCC form.
    Traditional,
    /// Traditional characters as written in Taiwan.
    Taiwan,
    /// Traditional characters as written in Hong Kong and Macau.
    HongKong,
}

impl Script {
    /// The script for an app language tag (`zh-hant`, `zh-TW`, `zh-hk`, `zh-hans`,
    /// `en`, ...): Simplified unless the tag asks for Traditional or a region that
    /// writes it.
    pub fn from_code(code: &str) -> Self {
        let code = code.to_ascii_lowercase().replace('_', "-");
        let mut parts = code.split('-');
        if parts.next() != Some("zh") {
            return Self::Simplified;
        }
        let rest: Vec<&str> = parts.collect();
        if rest.contains(&"hans") || rest.contains(&"cn") || rest.contains(&"sg") {
            return Self::Simplified;
        }
        if rest.contains(&"tw") {
            Self::Taiwan
        } else if rest.contains(&"hk") || rest.contains(&"mo") {
            Self::HongKong
        } else if rest.contains(&"hant") {
            Self::Traditional
        } else {
            Self::Simplified
        }
    }

    /// `text` (written in Simplified Chinese, possibly mixed with markup and English)
    /// in this script.
    pub fn convert(self, text: &str) -> String {
        let (slot, config) = match self {
            Self::Simplified => return text.to_owned(),
            Self::Traditional => (0, BuiltinConfig::S2t),
            Self::Taiwan => (1, BuiltinConfig::S2tw),
            Self::HongKong => (2, BuiltinConfig::S2hk),
        };
        static CONVERTERS: [OnceLock<Option<OpenCC>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let converter = CONVERTERS[slot].get_or_init(|| match OpenCC::from_config(config) {
            Ok(converter) => Some(converter),
            Err(error) => {
                tracing::error!(
                    "cannot build the {config:?} converter: {error}; Chinese stays Simplified"
                );
                None
            }
        });
        match converter {
            Some(converter) => converter.convert(text),
            None => text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_tags_choose_the_script() {
        for (code, script) in [
            ("zh-hant", Script::Traditional),
            ("zh-Hant-TW", Script::Taiwan),
            ("zh-tw", Script::Taiwan),
            ("zh_HK", Script::HongKong),
            ("zh-mo", Script::HongKong),
            ("zh-hans", Script::Simplified),
            ("zh-Hans-HK", Script::Simplified),
            ("zh", Script::Simplified),
            ("en", Script::Simplified),
        ] {
            assert_eq!(Script::from_code(code), script, "{code}");
        }
    }

    #[test]
    fn simplified_text_becomes_traditional_and_markup_stays() {
        let html = "🚨 <b>高风险：很可能是诈骗</b> <a href=\"https://t.me/x?start=group\">私聊我获取详细建议</a> 95/100";
        let traditional = Script::Traditional.convert(html);
        assert!(
            traditional.contains("<b>高風險：很可能是詐騙</b>"),
            "{traditional}"
        );
        assert!(
            traditional.contains("<a href=\"https://t.me/x?start=group\">"),
            "{traditional}"
        );
        assert!(traditional.contains("私聊我獲取詳細建議"), "{traditional}");
        assert_eq!(Script::Simplified.convert(html), html);
        assert!(Script::Taiwan.convert("发现的链接").contains("發現的鏈接"));
    }
}
