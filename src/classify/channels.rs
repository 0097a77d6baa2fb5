//! Official channels: the domains of platforms, PSPs and banks, and the brand tokens
//! whose presence in any other domain means impersonation.
//!
//! Invariants: domains and brands are stored lower case; a host is official when it
//! equals an official domain or is a subdomain of one.

use std::collections::HashSet;

/// One official organisation (a platform, a PSP or a bank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialEntry {
    /// Its display name ("Amazon", "Payoneer").
    pub name: String,
    /// Its domains; subdomains count too.
    pub domains: Vec<String>,
    /// Tokens that inside a non-official domain mean someone imitates it.
    pub brands: Vec<String>,
}

/// Every official channel the classifier knows.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    entries: Vec<OfficialEntry>,
    shorteners: HashSet<String>,
}

impl Channels {
    /// Builds the channel list; names, domains and brands are lower-cased.
    pub fn new(entries: Vec<OfficialEntry>, shorteners: impl IntoIterator<Item = String>) -> Self {
        let entries = entries
            .into_iter()
            .map(|e| OfficialEntry {
                name: e.name,
                domains: e.domains.iter().map(|d| lower_host(d)).collect(),
                brands: e.brands.iter().map(|b| b.to_ascii_lowercase()).collect(),
            })
            .collect();
        let shorteners = shorteners.into_iter().map(|s| lower_host(&s)).collect();
        Self {
            entries,
            shorteners,
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

    /// The entry whose brand appears in a (non-official) `host`, read with digit
    /// look-alikes folded (`amaz0n`, `paypa1`).
    pub fn imitated_by(&self, host: &str) -> Option<&OfficialEntry> {
        let skeleton = skeleton(host);
        let parts: Vec<&str> = skeleton.split(['.', '-']).collect();
        let squashed: String = skeleton
            .chars()
            .filter(|c| !matches!(c, '.' | '-'))
            .collect();
        self.entries.iter().find(|e| {
            e.brands.iter().any(|brand| {
                let brand = skeleton_of_brand(brand);
                if brand.len() < 5 {
                    parts.iter().any(|p| *p == brand)
                } else {
                    squashed.contains(&brand)
                }
            })
        })
    }
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

/// A brand token folded the same way as hosts, so `amazon` matches `arnaz0n`.
fn skeleton_of_brand(brand: &str) -> String {
    skeleton(brand)
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
                },
                OfficialEntry {
                    name: "BOC".into(),
                    domains: vec!["boc.cn".into()],
                    brands: vec!["boc".into()],
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
    fn shorteners() {
        assert!(channels().is_shortener("bit.ly"));
        assert!(!channels().is_shortener("bitly.com"));
    }
}
