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

use std::collections::{HashMap, HashSet};

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::classify::normalize::Normalized;

/// Number of MinHash values in a signature.
pub const SIGNATURE_LEN: usize = 64;
/// LSH bands; `SIGNATURE_LEN / BANDS` rows each.
const BANDS: usize = 16;
const ROWS: usize = SIGNATURE_LEN / BANDS;
/// Fewest canonical characters worth fingerprinting.
const MIN_CHARS: usize = 8;

/// A MinHash signature: for each of [`SIGNATURE_LEN`] seeded 64-bit hashes, the high 32
/// bits of its minimum over the shingles. 32 bits keep equal-minimum tests exact for
/// all practical purposes (a false match needs a 1 in 4 billion coincidence) at half
/// the memory and disk of the full hash.
pub type Signature = Vec<u32>;

/// The signature of `text`, or `None` if it is too short to compare.
pub fn signature(text: &str) -> Option<Signature> {
    let canonical: Vec<char> = canonical(text).chars().collect();
    if canonical.len() < MIN_CHARS {
        return None;
    }
    let mut mins = [u64::MAX; SIGNATURE_LEN];
    let mut buf = String::new();
    for window in canonical.windows(3) {
        buf.clear();
        buf.extend(window);
        for (i, slot) in mins.iter_mut().enumerate() {
            let h = xxh3_64_with_seed(buf.as_bytes(), i as u64);
            if h < *slot {
                *slot = h;
            }
        }
    }
    Some(mins.iter().map(|&m| (m >> 32) as u32).collect())
}

/// Estimated Jaccard similarity of the shingle sets behind two signatures.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
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

/// End of a bucket chain.
const NIL: u32 = u32::MAX;

/// One stored signature. `next[b]` links the slots that share this slot's bucket in
/// band `b`, so a bucket costs one map entry however many slots it holds.
#[derive(Debug)]
struct Slot {
    id: u64,
    kind: FingerprintKind,
    sig: [u32; SIGNATURE_LEN],
    next: [u32; BANDS],
}

/// An in-memory LSH index of signatures, laid out for a small footprint: signatures
/// live inline in one slab (about 340 bytes each), and each band maps a bucket key to
/// the head of an intrusive chain through the slab.
///
/// Invariants: every live slot is in `by_id` and on exactly one chain per band; freed
/// slots are on `free` and on no chain.
#[derive(Debug)]
pub struct Index {
    slots: Vec<Slot>,
    free: Vec<u32>,
    by_id: HashMap<u64, u32>,
    bands: Vec<HashMap<u32, u32>>,
}

impl Default for Index {
    fn default() -> Self {
        Self::new()
    }
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
            bands: vec![HashMap::new(); BANDS],
        }
    }

    /// Number of stored signatures.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Adds (or replaces) the signature stored under `id`; ignores a malformed one.
    pub fn insert(&mut self, id: u64, kind: FingerprintKind, sig: &[u32]) {
        let Ok(sig) = <[u32; SIGNATURE_LEN]>::try_from(sig) else {
            return;
        };
        self.remove(id);
        let mut slot = Slot {
            id,
            kind,
            sig,
            next: [NIL; BANDS],
        };
        let at = match self.free.pop() {
            Some(at) => at,
            None => u32::try_from(self.slots.len()).expect("fewer than 4 billion signatures"),
        };
        for (band, bucket) in self.bands.iter_mut().enumerate() {
            slot.next[band] = bucket.insert(band_key(&sig, band), at).unwrap_or(NIL);
        }
        match self.slots.get_mut(at as usize) {
            Some(old) => *old = slot,
            None => self.slots.push(slot),
        }
        self.by_id.insert(id, at);
    }

    /// Removes the signature stored under `id`, if any.
    pub fn remove(&mut self, id: u64) {
        let Some(at) = self.by_id.remove(&id) else {
            return;
        };
        let sig = self.slots[at as usize].sig;
        for band in 0..BANDS {
            let key = band_key(&sig, band);
            let after = self.slots[at as usize].next[band];
            let head = self.bands[band][&key];
            if head == at {
                if after == NIL {
                    self.bands[band].remove(&key);
                } else {
                    self.bands[band].insert(key, after);
                }
                continue;
            }
            let mut prev = head;
            while self.slots[prev as usize].next[band] != at {
                prev = self.slots[prev as usize].next[band];
            }
            self.slots[prev as usize].next[band] = after;
        }
        self.slots[at as usize].next = [NIL; BANDS];
        self.free.push(at);
    }

    /// Every stored signature that shares a band with `sig` (each once), with its
    /// similarity to `sig`.
    fn candidates(&self, sig: &[u32]) -> Vec<Match> {
        let Ok(sig) = <&[u32; SIGNATURE_LEN]>::try_from(sig) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (band, bucket) in self.bands.iter().enumerate() {
            let mut at = bucket.get(&band_key(sig, band)).copied().unwrap_or(NIL);
            while at != NIL {
                let slot = &self.slots[at as usize];
                at = slot.next[band];
                if seen.insert(slot.id) {
                    out.push(Match {
                        id: slot.id,
                        kind: slot.kind,
                        similarity: similarity(sig, &slot.sig),
                    });
                }
            }
        }
        out
    }

    /// The most similar stored signature of each kind, if any shares a band.
    pub fn nearest(&self, sig: &[u32]) -> Vec<Match> {
        let mut best: Vec<Match> = Vec::with_capacity(2);
        for found in self.candidates(sig) {
            match best.iter_mut().find(|m| m.kind == found.kind) {
                Some(m) if found.similarity > m.similarity => *m = found,
                Some(_) => {}
                None => best.push(found),
            }
        }
        best.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        best
    }

    /// How many stored signatures are at least `threshold` similar to `sig`.
    pub fn count_similar(&self, sig: &[u32], threshold: f64) -> usize {
        self.candidates(sig)
            .iter()
            .filter(|m| m.similarity >= threshold)
            .count()
    }
}

fn band_key(sig: &[u32; SIGNATURE_LEN], band: usize) -> u32 {
    let rows = &sig[band * ROWS..(band + 1) * ROWS];
    let mut bytes = [0u8; ROWS * 4];
    for (chunk, v) in bytes.chunks_exact_mut(4).zip(rows) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, band as u64) as u32
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
        index.insert(1, FingerprintKind::Scam, &signature(SCAM).unwrap());
        index.insert(2, FingerprintKind::Legitimate, &signature("Your Amazon seller account has a new policy warning. Sign in to Seller Central to review it.").unwrap());
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

    #[test]
    fn shared_buckets_survive_removal_from_any_position() {
        let base = signature(SCAM).unwrap();
        let mut near = base.clone();
        near[0] ^= 1; // differs in band 0 only: shares the other 15 buckets
        let mut index = Index::new();
        for id in 1..=4 {
            index.insert(id, FingerprintKind::Scam, &base);
        }
        index.insert(5, FingerprintKind::Scam, &near);
        assert_eq!(index.count_similar(&base, 0.9), 5);
        index.remove(3); // middle of every chain
        index.remove(4); // head of every chain
        index.remove(1); // tail
        assert_eq!(index.count_similar(&base, 0.9), 2);
        index.insert(6, FingerprintKind::Legitimate, &base); // reuses a freed slot
        assert_eq!(index.len(), 3);
        assert_eq!(index.slots.len(), 5);
        let kinds: Vec<_> = index.nearest(&base).iter().map(|m| m.kind).collect();
        assert_eq!(kinds.len(), 2);
        index.insert(2, FingerprintKind::Scam, &near); // replace moves it between buckets
        assert_eq!(index.count_similar(&base, 1.0), 1);
        assert_eq!(index.count_similar(&near, 1.0), 2);
        index.insert(7, FingerprintKind::Scam, &[1, 2, 3]); // malformed: ignored
        assert_eq!(index.len(), 3);
    }
}
