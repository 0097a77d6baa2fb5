//! Near-duplicate fingerprints: MinHash over character 3-grams of a canonical text,
//! indexed with locality-sensitive hashing (bands of rows).
//!
//! Canonical text: normalised (look-alikes, width, case, script folded), links and
//! e-mail addresses replaced by one placeholder, digit runs by another, white space
//! and punctuation dropped. So changed numbers, swapped links and small edits keep
//! most shingles, and Chinese (no spaces) works the same as English.
//!
//! Invariants: signatures are stable across runs and versions (xxh3 with fixed seeds),
//! because they are stored; a text too short to shingle has no fingerprint.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::classify::normalize::Normalized;

/// Number of MinHash values in a signature.
pub const SIGNATURE_LEN: usize = 64;
/// LSH bands; `SIGNATURE_LEN / BANDS` rows each.
const BANDS: usize = 16;
const ROWS: usize = SIGNATURE_LEN / BANDS;
/// Fewest canonical characters worth fingerprinting.
const MIN_CHARS: usize = 8;

/// A MinHash signature.
pub type Signature = Vec<u64>;

/// The signature of `text`, or `None` if it is too short to compare.
pub fn signature(text: &str) -> Option<Signature> {
    let canonical: Vec<char> = canonical(text).chars().collect();
    if canonical.len() < MIN_CHARS {
        return None;
    }
    let mut sig = vec![u64::MAX; SIGNATURE_LEN];
    let mut buf = String::new();
    for window in canonical.windows(3) {
        buf.clear();
        buf.extend(window);
        for (i, slot) in sig.iter_mut().enumerate() {
            let h = xxh3_64_with_seed(buf.as_bytes(), i as u64);
            if h < *slot {
                *slot = h;
            }
        }
    }
    Some(sig)
}

/// Estimated Jaccard similarity of the shingle sets behind two signatures.
pub fn similarity(a: &[u64], b: &[u64]) -> f64 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// Normalised text with links, addresses and numbers replaced and separators dropped.
fn canonical(text: &str) -> String {
    let normalized = Normalized::new(text);
    let mut out = String::with_capacity(normalized.as_str().len());
    for token in normalized.as_str().split(' ') {
        if looks_like_link(token) {
            out.push('⟨');
            continue;
        }
        let mut in_digits = false;
        for c in token.chars() {
            if c.is_ascii_digit() {
                if !in_digits {
                    out.push('#');
                }
                in_digits = true;
                continue;
            }
            in_digits = false;
            if c.is_alphanumeric() {
                out.push(c);
            }
        }
    }
    out
}

fn looks_like_link(token: &str) -> bool {
    token.contains("://")
        || token.contains('@') && token.contains('.')
        || token.starts_with("www.")
        || token.split('.').count() >= 2
            && token
                .rsplit('.')
                .next()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()))
            && token.is_ascii()
}

/// What a stored fingerprint stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerprintKind {
    /// A confirmed scam.
    Scam,
    /// A look-alike that admins judged legitimate.
    Legitimate,
}

/// The closest stored fingerprint to a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// The id it was stored under (a report id).
    pub id: u64,
    /// What it stands for.
    pub kind: FingerprintKind,
    /// Estimated similarity, 0..=1.
    pub similarity: f64,
}

/// An in-memory LSH index of signatures.
#[derive(Debug, Default)]
pub struct Index {
    entries: HashMap<u64, (FingerprintKind, Signature)>,
    bands: Vec<HashMap<u64, Vec<u64>>>,
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Self {
            entries: HashMap::new(),
            bands: vec![HashMap::new(); BANDS],
        }
    }

    /// Number of stored signatures.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds (or replaces) the signature stored under `id`.
    pub fn insert(&mut self, id: u64, kind: FingerprintKind, sig: Signature) {
        if sig.len() != SIGNATURE_LEN {
            return;
        }
        self.remove(id);
        for (band, bucket) in self.bands.iter_mut().enumerate() {
            bucket.entry(band_key(&sig, band)).or_default().push(id);
        }
        self.entries.insert(id, (kind, sig));
    }

    /// Removes the signature stored under `id`, if any.
    pub fn remove(&mut self, id: u64) {
        let Some((_, sig)) = self.entries.remove(&id) else {
            return;
        };
        for (band, bucket) in self.bands.iter_mut().enumerate() {
            let key = band_key(&sig, band);
            if let Some(ids) = bucket.get_mut(&key) {
                ids.retain(|&x| x != id);
                if ids.is_empty() {
                    bucket.remove(&key);
                }
            }
        }
    }

    /// The most similar stored signature of each kind, if any shares a band.
    pub fn nearest(&self, sig: &[u64]) -> Vec<Match> {
        if sig.len() != SIGNATURE_LEN {
            return Vec::new();
        }
        let mut best: HashMap<FingerprintKind, Match> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for (band, bucket) in self.bands.iter().enumerate() {
            let Some(ids) = bucket.get(&band_key(sig, band)) else {
                continue;
            };
            for &id in ids {
                if !seen.insert(id) {
                    continue;
                }
                let (kind, stored) = &self.entries[&id];
                let similarity = similarity(sig, stored);
                let slot = best.entry(*kind).or_insert(Match {
                    id,
                    kind: *kind,
                    similarity,
                });
                if similarity > slot.similarity {
                    *slot = Match {
                        id,
                        kind: *kind,
                        similarity,
                    };
                }
            }
        }
        let mut matches: Vec<Match> = best.into_values().collect();
        matches.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        matches
    }
}

fn band_key(sig: &[u64], band: usize) -> u64 {
    let rows = &sig[band * ROWS..(band + 1) * ROWS];
    let mut bytes = [0u8; ROWS * 8];
    for (chunk, v) in bytes.chunks_exact_mut(8).zip(rows) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, band as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCAM: &str = "【亚马逊】尊敬的卖家，您的店铺因违规将在24小时内被冻结，请立即登录 http://amazon-verify.top/a1 完成验证，客服电话 13812345678";

    #[test]
    fn edits_to_numbers_and_links_keep_texts_similar() {
        let a = signature(SCAM).unwrap();
        let b = signature(
            "【亞馬遜】尊敬的賣家，您的店鋪因違規將在48小時內被凍結，請立即登錄 https://amzn-check.xyz/zz 完成驗證，客服電話 15900001111",
        )
        .unwrap();
        assert!(similarity(&a, &b) > 0.8, "{}", similarity(&a, &b));
        let other =
            signature("【招商银行】您账户8842于11月20日收入人民币12,500.00元，余额36,210.55元")
                .unwrap();
        assert!(similarity(&a, &other) < 0.2, "{}", similarity(&a, &other));
    }

    #[test]
    fn signatures_are_stable() {
        let sig = signature("Your parcel is held at customs, pay the fee").unwrap();
        assert_eq!(sig.len(), SIGNATURE_LEN);
        assert_eq!(
            sig[0],
            signature("YOUR parcel is held at customs; pay the fee!").unwrap()[0]
        );
        assert!(signature("ok 123").is_none());
    }

    #[test]
    fn index_finds_the_nearest_of_each_kind() {
        let mut index = Index::new();
        index.insert(1, FingerprintKind::Scam, signature(SCAM).unwrap());
        index.insert(2, FingerprintKind::Legitimate, signature("Your Amazon seller account has a new policy warning. Sign in to Seller Central to review it.").unwrap());
        let query = signature(
            &SCAM
                .replace("24", "12")
                .replace("13812345678", "13900000000"),
        )
        .unwrap();
        let found = index.nearest(&query);
        assert_eq!(found[0].id, 1);
        assert!(found[0].similarity > 0.8);
        index.remove(1);
        assert!(index.nearest(&query).iter().all(|m| m.id != 1));
        assert_eq!(index.len(), 1);
    }
}
