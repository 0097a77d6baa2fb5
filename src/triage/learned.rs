//! The learned classifier: multinomial naive Bayes over hashed features (words for
//! Latin script, character bigrams for Chinese), trained from confirmed reports and
//! imported labelled corpora, and un-trained when an admin reverses a decision.
//!
//! Invariants: counts never go below zero; features are hashed with a fixed-seed
//! xxh3, so a saved model means the same after a restart; the model's output is a
//! probability that the service bounds before it becomes a signal. A shipped prior of
//! genuine notices always counts on the legitimate side (public corpora have none), and
//! is never saved with the learned counts.

use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::classify::normalize::{Normalized, is_han};

/// Hashed feature space size (a power of two).
const BUCKETS: usize = 1 << 18;
/// Laplace smoothing.
const ALPHA: f64 = 1.0;
/// Model file format version.
const FORMAT_VERSION: u32 = 1;
/// Fixed hash seed for features.
const SEED: u64 = 0x5e11_e7a7_d000_0001;

/// Why a saved model could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes are not a model of a known version.
    #[error("saved model is unreadable: {0}")]
    Corrupt(&'static str),
}

/// A naive Bayes model with two classes: scam and legitimate.
#[derive(Debug, Clone)]
pub struct Model {
    counts: [Vec<u32>; 2],
    totals: [u64; 2],
    docs: [u64; 2],
    prior: Option<Arc<Prior>>,
}

/// Legitimate-side counts that are always added and never saved.
#[derive(Debug)]
struct Prior {
    counts: Vec<u32>,
    total: u64,
    docs: u64,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            counts: [vec![0; BUCKETS], vec![0; BUCKETS]],
            totals: [0; 2],
            docs: [0; 2],
            prior: None,
        }
    }
}

impl Model {
    /// Sets the genuine-notice prior (replacing any earlier one).
    pub fn set_prior<'a>(&mut self, notices: impl IntoIterator<Item = &'a str>) {
        let mut prior = Prior {
            counts: vec![0; BUCKETS],
            total: 0,
            docs: 0,
        };
        for text in notices {
            for f in features(text) {
                prior.counts[f] = prior.counts[f].saturating_add(1);
                prior.total += 1;
            }
            prior.docs += 1;
        }
        self.prior = Some(Arc::new(prior));
    }

    /// Legitimate-side count of feature `f`, prior included.
    fn legit(&self, f: usize) -> u32 {
        self.counts[1][f].saturating_add(self.prior.as_ref().map_or(0, |p| p.counts[f]))
    }

    /// Documents seen per class: (scam, legitimate).
    pub fn documents(&self) -> (u64, u64) {
        (self.docs[0], self.docs[1])
    }

    /// Whether the model has seen both classes, so its output means something.
    pub fn is_trained(&self) -> bool {
        self.docs[0] > 0 && self.docs[1] + self.prior.as_ref().map_or(0, |p| p.docs) > 0
    }

    /// Learns one document.
    pub fn learn(&mut self, text: &str, scam: bool) {
        let class = usize::from(!scam);
        for f in features(text) {
            self.counts[class][f] = self.counts[class][f].saturating_add(1);
            self.totals[class] += 1;
        }
        self.docs[class] += 1;
    }

    /// Forgets one document learnt earlier with the same label.
    pub fn unlearn(&mut self, text: &str, scam: bool) {
        let class = usize::from(!scam);
        if self.docs[class] == 0 {
            return;
        }
        for f in features(text) {
            if self.counts[class][f] > 0 {
                self.counts[class][f] -= 1;
                self.totals[class] = self.totals[class].saturating_sub(1);
            }
        }
        self.docs[class] -= 1;
    }

    /// The probability that `text` is a scam, or `None` if the model is untrained or
    /// the text has no features.
    pub fn scam_probability(&self, text: &str) -> Option<f64> {
        if !self.is_trained() {
            return None;
        }
        let features = features(text);
        if features.is_empty() {
            return None;
        }
        let vocabulary = BUCKETS as f64;
        let (prior_total, prior_docs) = self.prior.as_ref().map_or((0, 0), |p| (p.total, p.docs));
        let den_scam = (self.totals[0] as f64 + ALPHA * vocabulary).ln();
        let den_legit = ((self.totals[1] + prior_total) as f64 + ALPHA * vocabulary).ln();
        let mut log_odds = (self.docs[0] as f64).ln() - ((self.docs[1] + prior_docs) as f64).ln();
        for f in features {
            log_odds += (f64::from(self.counts[0][f]) + ALPHA).ln() - den_scam;
            log_odds -= (f64::from(self.legit(f)) + ALPHA).ln() - den_legit;
        }
        Some(1.0 / (1.0 + (-log_odds).exp()))
    }

    /// Serialises the model (version, document counts, sparse non-zero counts).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        for c in 0..2 {
            out.extend_from_slice(&self.docs[c].to_le_bytes());
            let nonzero: Vec<(usize, u32)> = self.counts[c]
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .collect();
            out.extend_from_slice(&(nonzero.len() as u32).to_le_bytes());
            for (i, n) in nonzero {
                out.extend_from_slice(&(i as u32).to_le_bytes());
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut r = Reader(bytes);
        if r.u32()? != FORMAT_VERSION {
            return Err(ModelError::Corrupt("unknown format version"));
        }
        let mut model = Self::default();
        for c in 0..2 {
            model.docs[c] = r.u64()?;
            for _ in 0..r.u32()? {
                let i = r.u32()? as usize;
                let n = r.u32()?;
                *model.counts[c]
                    .get_mut(i)
                    .ok_or(ModelError::Corrupt("feature out of range"))? = n;
                model.totals[c] += u64::from(n);
            }
        }
        if !r.0.is_empty() {
            return Err(ModelError::Corrupt("trailing bytes"));
        }
        Ok(model)
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let (head, rest) = self
            .0
            .split_at_checked(N)
            .ok_or(ModelError::Corrupt("truncated"))?;
        self.0 = rest;
        Ok(head.try_into().expect("split at N"))
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        self.take::<4>().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, ModelError> {
        self.take::<8>().map(u64::from_le_bytes)
    }
}

/// Hashed features: Latin words (digits folded to `#`), Chinese character bigrams
/// (and single characters for one-character runs), and link markers.
fn features(text: &str) -> Vec<usize> {
    let normalized = Normalized::new(text);
    let mut out = Vec::new();
    let mut push =
        |s: &str| out.push(xxh3_64_with_seed(s.as_bytes(), SEED) as usize & (BUCKETS - 1));
    for token in normalized.as_str().split(|c: char| c.is_whitespace()) {
        if token.contains("://") || token.starts_with("www.") {
            push("⟨link⟩");
            continue;
        }
        let mut word = String::new();
        let mut han = Vec::new();
        let flush_word = |word: &mut String, push: &mut dyn FnMut(&str)| {
            if !word.is_empty() {
                push(word);
                word.clear();
            }
        };
        let flush_han = |han: &mut Vec<char>, push: &mut dyn FnMut(&str)| {
            if han.len() == 1 {
                push(&han[0].to_string());
            }
            for pair in han.windows(2) {
                push(&pair.iter().collect::<String>());
            }
            han.clear();
        };
        for c in token.chars() {
            if is_han(c) {
                flush_word(&mut word, &mut push);
                han.push(c);
            } else if c.is_alphanumeric() {
                flush_han(&mut han, &mut push);
                word.push(if c.is_ascii_digit() { '#' } else { c });
            } else {
                flush_word(&mut word, &mut push);
                flush_han(&mut han, &mut push);
            }
        }
        flush_word(&mut word, &mut push);
        flush_han(&mut han, &mut push);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trained() -> Model {
        let mut m = Model::default();
        for t in [
            "WINNER! claim your prize now call 09061701461",
            "free entry to win cash prize text WIN to 80086",
            "您已中奖，请点击领取奖金",
            "恭喜中奖 领取大奖",
        ] {
            m.learn(t, true);
        }
        for t in [
            "are we meeting for lunch today",
            "ok see you at home later",
            "今天晚上一起吃饭吗",
            "明天开会记得带电脑",
        ] {
            m.learn(t, false);
        }
        m
    }

    #[test]
    fn learns_and_unlearns() {
        let mut m = trained();
        let p = m.scam_probability("claim your cash prize now").unwrap();
        assert!(p > 0.9, "{p}");
        assert!(m.scam_probability("see you at lunch").unwrap() < 0.1);
        assert!(m.scam_probability("恭喜您中奖").unwrap() > 0.75);
        let before = m.to_bytes();
        m.learn("one more prize text", true);
        m.unlearn("one more prize text", true);
        assert_eq!(m.to_bytes(), before);
    }

    #[test]
    fn the_prior_pulls_notices_back_and_is_not_saved() {
        let mut m = Model::default();
        m.learn("您的账户存在异常，请点击链接验证，否则冻结", true);
        m.learn("ok see you later", false);
        let notice = "【招商银行】您尾号1234的账户收入人民币500元，余额800元";
        let without = m.scam_probability(notice).unwrap();
        let saved = m.to_bytes();
        m.set_prior([
            "【工商银行】您尾号8888的账户支出人民币20元，余额300元",
            "【建设银行】账户收入人民币100元，余额900元",
        ]);
        assert!(m.scam_probability(notice).unwrap() < without);
        assert_eq!(m.to_bytes(), saved);
    }

    #[test]
    fn untrained_says_nothing() {
        assert_eq!(Model::default().scam_probability("win a prize"), None);
        assert_eq!(trained().scam_probability("!!!"), None);
    }

    #[test]
    fn round_trips_and_refuses_garbage() {
        let m = trained();
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.documents(), m.documents());
        assert_eq!(back.scam_probability("prize"), m.scam_probability("prize"));
        assert!(Model::from_bytes(&[1, 0, 0]).is_err());
        assert!(Model::from_bytes(&[9, 0, 0, 0]).is_err());
        let mut bytes = m.to_bytes();
        bytes.push(0);
        assert!(Model::from_bytes(&bytes).is_err());
    }
}
