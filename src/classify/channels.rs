//! Official channels, and the entity lexicon they double as: who a message may claim to
//! be (platforms, PSPs, banks, couriers, telcos, authorities), their official domains and
//! sender IDs, and the brand tokens whose presence in any other domain means
//! impersonation.
//!
//! Invariants: domains and brands are stored lower case; a host is official when it
//! equals an official domain or is a subdomain of one; names are matched on normalised
//! text (compiled through the same normaliser as messages), Latin names and sender IDs
//! only as whole words.

use std::collections::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use super::normalize::Normalized;

/// One official organisation (a platform, a PSP, a bank, a courier, an authority).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficialEntry {
    /// Its display name ("Amazon", "Payoneer").
    pub name: String,
    /// Its domains; subdomains count too.
    pub domains: Vec<String>,
    /// Tokens that inside a non-official domain mean someone imitates it.
    pub brands: Vec<String>,
    /// How messages name it; naming it claims to speak for it.
    pub names: Vec<String>,
    /// Its genuine sender IDs and published numbers.
    pub senders: Vec<String>,
}

/// A place where a message names an entity, or quotes one of its sender IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The entity's display name.
    pub entity: String,
    /// Byte range in the normalised text.
    pub range: Range<usize>,
    /// Whether the match is one of its sender IDs or numbers (its own channel).
    pub sender: bool,
}

/// Every official channel the classifier knows.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    entries: Vec<OfficialEntry>,
    shorteners: HashSet<String>,
    lexicon: Option<AhoCorasick>,
    /// Per lexicon pattern: (entry index, whether it is a sender ID).
    lexicon_entry: Vec<(usize, bool)>,
}

impl Channels {
    /// Builds the channel list; names, domains and brands are lower-cased, names and
    /// sender IDs normalised like messages.
    pub fn new(entries: Vec<OfficialEntry>, shorteners: impl IntoIterator<Item = String>) -> Self {
        let entries: Vec<OfficialEntry> = entries
            .into_iter()
            .map(|e| OfficialEntry {
                name: e.name,
                domains: e.domains.iter().map(|d| lower_host(d)).collect(),
                brands: e.brands.iter().map(|b| b.to_ascii_lowercase()).collect(),
                names: e.names,
                senders: e.senders,
            })
            .collect();
        let mut patterns = Vec::new();
        let mut lexicon_entry = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let words = entry.names.iter().map(|n| (n, false));
            for (word, sender) in words.chain(entry.senders.iter().map(|s| (s, true))) {
                let normalized = Normalized::new(word).as_str().trim().to_string();
                if !normalized.is_empty() {
                    patterns.push(normalized);
                    lexicon_entry.push((index, sender));
                }
            }
        }
        let lexicon = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .expect("entity names are plain strings")
        });
        let shorteners = shorteners.into_iter().map(|s| lower_host(&s)).collect();
        Self {
            entries,
            shorteners,
            lexicon,
            lexicon_entry,
        }
    }

    /// The official entry `host` belongs to, if any.
    pub fn official_for(&self, host: &str) -> Option<&OfficialEntry> {
        self.entries
            .iter()
            .find(|e| e.domains.iter().any(|d| is_same_or_subdomain(host, d)))
    }

    /// Whether `host` is a URL shortener.
    pub fn is_shortener(&self, host: &str) -> bool {
        self.shorteners
            .iter()
            .any(|s| is_same_or_subdomain(host, s))
    }

    /// Every entity the normalised `text` names or quotes a sender ID of, in text order.
    pub fn claims(&self, text: &str) -> Vec<Claim> {
        let Some(lexicon) = &self.lexicon else {
            return Vec::new();
        };
        let bytes = text.as_bytes();
        lexicon
            .find_iter(text)
            .filter(|m| whole_word(bytes, m.range()))
            .map(|m| {
                let (index, sender) = self.lexicon_entry[m.pattern().as_usize()];
                Claim {
                    entity: self.entries[index].name.clone(),
                    range: m.range(),
                    sender,
                }
            })
            .collect()
    }

    /// The entry whose brand appears in a (non-official) `host`, read with digit
    /// look-alikes folded (`amaz0n`, `paypa1`), split by hyphens or dots
    /// (`pay-pal`), or misspelt by one letter (`amazom`, `paypall`; two for long brands).
    pub fn imitated_by(&self, host: &str) -> Option<&OfficialEntry> {
        let folded = skeleton(host);
        let parts: Vec<&str> = folded.split(['.', '-']).collect();
        let squashed: String = folded.chars().filter(|c| !matches!(c, '.' | '-')).collect();
        let contains = |brand: &str| {
            if brand.len() < 5 {
                parts.contains(&brand)
            } else {
                squashed.contains(brand)
            }
        };
        let misspells = |brand: &str| {
            let allowed = match brand.len() {
                0..6 => return false,
                6..9 => 1,
                _ => 2,
            };
            parts.iter().any(|part| {
                part.len() + allowed >= brand.len()
                    && part.len() <= brand.len() + allowed
                    && strsim::damerau_levenshtein(part, brand) <= allowed
            })
        };
        let brands = |e: &&OfficialEntry| e.brands.iter().map(|b| skeleton(b)).collect::<Vec<_>>();
        self.entries
            .iter()
            .find(|e| brands(e).iter().any(|b| contains(b)))
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|e| brands(e).iter().any(|b| misspells(b)))
            })
    }
}

/// Whether a match of Latin letters or digits stands on its own (not inside a longer
/// word or number); matches starting and ending in Chinese characters always do.
fn whole_word(text: &[u8], range: Range<usize>) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric();
    let before = range.start.checked_sub(1).map(|i| text[i]);
    let after = text.get(range.end).copied();
    let first = text[range.start];
    let last = text[range.end - 1];
    !(word(first) && before.is_some_and(word) || word(last) && after.is_some_and(word))
}

fn lower_host(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn is_same_or_subdomain(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Folds the digit and letter-pair look-alikes used in fake domains.
fn skeleton(host: &str) -> String {
    host.replace("rn", "m")
        .replace("vv", "w")
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'l',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            'i' => 'l',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channels() -> Channels {
        Channels::new(
            vec![
                OfficialEntry {
                    name: "Amazon".into(),
                    domains: vec!["amazon.com".into(), "amazon.co.uk".into()],
                    brands: vec!["amazon".into(), "sellercentral".into()],
                    names: vec!["亞馬遜".into(), "Amazon".into()],
                    senders: vec![],
                },
                OfficialEntry {
                    name: "BOC".into(),
                    domains: vec!["boc.cn".into()],
                    brands: vec!["boc".into()],
                    names: vec!["中国银行".into(), "boc".into()],
                    senders: vec!["95566".into()],
                },
            ],
            ["bit.ly".to_string()],
        )
    }

    #[test]
    fn official_hosts_and_subdomains() {
        let c = channels();
        assert_eq!(
            c.official_for("sellercentral.amazon.com").unwrap().name,
            "Amazon"
        );
        assert_eq!(c.official_for("amazon.co.uk").unwrap().name, "Amazon");
        assert!(c.official_for("amazon.com.verify-login.top").is_none());
        assert!(c.official_for("notamazon.com").is_none());
    }

    #[test]
    fn brands_inside_other_domains() {
        let c = channels();
        for host in [
            "amazon-seller-verify.top",
            "arnaz0n-help.xyz",
            "sellercentral-amazon.net.cn",
        ] {
            assert_eq!(
                c.imitated_by(host).map(|e| e.name.as_str()),
                Some("Amazon"),
                "{host}"
            );
        }
        assert_eq!(
            c.imitated_by("boc-verify.top").map(|e| e.name.as_str()),
            Some("BOC")
        );
        assert!(
            c.imitated_by("bocado.com").is_none(),
            "short brands match whole parts only"
        );
        assert!(c.imitated_by("example.com").is_none());
    }

    #[test]
    fn misspelt_brands_are_look_alikes() {
        let c = channels();
        for host in [
            "amazom-help.com",
            "amaazon.shop",
            "secure.arnazon.co",
            "amazon.seller-verify.top",
        ] {
            assert_eq!(
                c.imitated_by(host).map(|e| e.name.as_str()),
                Some("Amazon"),
                "{host}"
            );
        }
        for host in ["amazing.com", "example.org", "amuse.net"] {
            assert!(c.imitated_by(host).is_none(), "{host}");
        }
    }

    #[test]
    fn claims_name_entities_as_whole_words() {
        let c = channels();
        let text = Normalized::new("【中國銀行】 call 95566, not 955661; amazon.ca and boc");
        let claims: Vec<(String, bool)> = c
            .claims(text.as_str())
            .into_iter()
            .map(|claim| (claim.entity, claim.sender))
            .collect();
        assert_eq!(
            claims,
            [
                ("BOC".to_string(), false),
                ("BOC".to_string(), true),
                ("Amazon".to_string(), false),
                ("BOC".to_string(), false),
            ]
        );
        assert!(c.claims("bocado and amazonian").is_empty());
    }

    #[test]
    fn shorteners() {
        assert!(channels().is_shortener("bit.ly"));
        assert!(!channels().is_shortener("bitly.com"));
    }
}
