//! The learned classifier: multinomial naive Bayes over hashed features (Latin words and
//! word pairs, Chinese character bigrams), trained from confirmed reports and imported
//! labelled corpora, and un-trained when an admin reverses a decision.
//!
//! Invariants: counts never go below zero; features are hashed with a fixed-seed
//! xxh3, so a saved model means the same after a restart; smoothing runs over the
//! features seen in some class and unseen features are ignored, so the size of the hash
//! space does not bias the answer; the model's output is a probability that the service
//! bounds before it becomes a signal. A shipped prior of genuine notices is a class of
//! its own on the legitimate side (public corpora have none, and a few notices must not
//! be drowned by a large corpus), and is never saved with the learned counts.

use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::classify::normalize::{Normalized, is_han};

/// Hashed feature space size (a power of two).
const BUCKETS: usize = 1 << 18;
/// Additive smoothing, over the features seen in training (not the whole hash space).
/// Chosen on validation splits of the training parts (see EVALUATION.md): 1.0 let
/// the many rare features of short texts pull every message towards the larger class.
const ALPHA: f64 = 0.1;
/// Model file format version (2: features counted once per document, word bigrams).
const FORMAT_VERSION: u32 = 2;
/// Fixed hash seed for features.
const SEED: u64 = 0x5e11_e7a7_d000_0001;

/// Why a saved model could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes are not a model of a known version.
    #[error("saved model is unreadable: {0}")]
    Corrupt(&'static str),
    /// The model was saved with other features; it must be taught again.
    #[error("saved model has format version {0}, this version reads {FORMAT_VERSION}")]
    OldVersion(u32),
}

/// A naive Bayes model with two learned classes, scam and legitimate, and a third,
/// fixed class of genuine notices (the prior) on the legitimate side.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scam, legitimate.
    classes: [Class; 2],
    prior: Option<Arc<Class>>,
    /// Buckets counted in any class, the prior included: the smoothing vocabulary.
    vocabulary: u64,
}

/// One class's feature counts.
#[derive(Debug, Clone)]
struct Class {
    counts: Vec<u32>,
    total: u64,
    docs: u64,
}

impl Class {
    fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS],
            total: 0,
            docs: 0,
        }
    }

    /// Log class prior plus log-likelihood of `features`, Laplace-smoothed over
    /// `vocabulary` features.
    fn log_score(&self, features: &[usize], vocabulary: f64) -> f64 {
        let den = (self.total as f64 + ALPHA * vocabulary).ln();
        let mut score = (self.docs as f64).ln();
        for &f in features {
            score += (f64::from(self.counts[f]) + ALPHA).ln() - den;
        }
        score
    }
}

impl Default for Model {
    fn default() -> Self {
        Self {
            classes: [Class::new(), Class::new()],
            prior: None,
            vocabulary: 0,
        }
    }
}

impl Model {
    /// Sets the genuine-notice prior (replacing any earlier one).
    pub fn set_prior<'a>(&mut self, notices: impl IntoIterator<Item = &'a str>) {
        let mut prior = Class::new();
        for text in notices {
            for f in features(text) {
                prior.counts[f] = prior.counts[f].saturating_add(1);
                prior.total += 1;
            }
            prior.docs += 1;
        }
        self.prior = Some(Arc::new(prior));
        self.recount_vocabulary();
    }

    /// Whether bucket `f` is counted in any class.
    fn is_seen(&self, f: usize) -> bool {
        self.classes.iter().any(|c| c.counts[f] > 0)
            || self.prior.as_ref().is_some_and(|p| p.counts[f] > 0)
    }

    fn recount_vocabulary(&mut self) {
        self.vocabulary = (0..BUCKETS).filter(|&f| self.is_seen(f)).count() as u64;
    }

    /// Documents seen per class: (scam, legitimate).
    pub fn documents(&self) -> (u64, u64) {
        (self.classes[0].docs, self.classes[1].docs)
    }

    /// Whether the model has seen both classes, so its output means something.
    pub fn is_trained(&self) -> bool {
        self.classes[0].docs > 0
            && self.classes[1].docs + self.prior.as_ref().map_or(0, |p| p.docs) > 0
    }

    /// Learns one document.
    pub fn learn(&mut self, text: &str, scam: bool) {
        let class = usize::from(!scam);
        for f in features(text) {
            if !self.is_seen(f) {
                self.vocabulary += 1;
            }
            let c = &mut self.classes[class];
            c.counts[f] = c.counts[f].saturating_add(1);
            c.total += 1;
        }
        self.classes[class].docs += 1;
    }

    /// Forgets one document learnt earlier with the same label.
    pub fn unlearn(&mut self, text: &str, scam: bool) {
        let class = usize::from(!scam);
        if self.classes[class].docs == 0 {
            return;
        }
        for f in features(text) {
            let c = &mut self.classes[class];
            if c.counts[f] > 0 {
                c.counts[f] -= 1;
                c.total = c.total.saturating_sub(1);
                if !self.is_seen(f) {
                    self.vocabulary -= 1;
                }
            }
        }
        self.classes[class].docs -= 1;
    }

    /// The probability that `text` is a scam, or `None` if the model is untrained or
    /// has seen none of the text's features (unseen features are ignored).
    pub fn scam_probability(&self, text: &str) -> Option<f64> {
        self.log_odds(text)
            .map(|log_odds| 1.0 / (1.0 + (-log_odds).exp()))
    }

    /// The natural log of the odds that `text` is a scam.
    ///
    /// The legitimate side is a mixture of the learned legitimate documents and the
    /// genuine notices, each with its own word distribution, so a hundred notices are
    /// not drowned by thousands of chat messages.
    fn log_odds(&self, text: &str) -> Option<f64> {
        if !self.is_trained() {
            return None;
        }
        let features: Vec<usize> = features(text)
            .into_iter()
            .filter(|&f| self.is_seen(f))
            .collect();
        if features.is_empty() {
            return None;
        }
        let vocabulary = self.vocabulary as f64;
        let scam = self.classes[0].log_score(&features, vocabulary);
        let legit: Vec<f64> = std::iter::once(&self.classes[1])
            .chain(self.prior.as_deref())
            .filter(|c| c.docs > 0)
            .map(|c| c.log_score(&features, vocabulary))
            .collect();
        let top = legit.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let legit = top + legit.iter().map(|s| (s - top).exp()).sum::<f64>().ln();
        Some(scam - legit)
    }

    /// Serialises the model (version, document counts, sparse non-zero counts).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        for class in &self.classes {
            out.extend_from_slice(&class.docs.to_le_bytes());
            let nonzero: Vec<(usize, u32)> = class
                .counts
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

    /// Reads a model written by [`Model::to_bytes`]; one of an older format version is
    /// refused with [`ModelError::OldVersion`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut r = Reader(bytes);
        match r.u32()? {
            FORMAT_VERSION => {}
            old @ 1..FORMAT_VERSION => return Err(ModelError::OldVersion(old)),
            _ => return Err(ModelError::Corrupt("unknown format version")),
        }
        let mut model = Self::default();
        for class in &mut model.classes {
            class.docs = r.u64()?;
            for _ in 0..r.u32()? {
                let i = r.u32()? as usize;
                let n = r.u32()?;
                *class
                    .counts
                    .get_mut(i)
                    .ok_or(ModelError::Corrupt("feature out of range"))? = n;
                class.total += u64::from(n);
            }
        }
        if !r.0.is_empty() {
            return Err(ModelError::Corrupt("trailing bytes"));
        }
        model.recount_vocabulary();
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

/// Currency signs, kept as words of their own.
fn is_currency(c: char) -> bool {
    matches!(c, '$' | '£' | '€' | '¥')
}

/// Hashed features, each counted once per document: Latin words (digits folded to
/// `#`, currency signs as words) and pairs of adjacent words, Chinese character
/// bigrams (single characters for one-character runs), and a link marker.
fn features(text: &str) -> Vec<usize> {
    let normalized = Normalized::new(text);
    let mut words: Vec<String> = Vec::new();
    let mut han: Vec<char> = Vec::new();
    let mut out = Vec::new();
    let mut push =
        |s: &str| out.push(xxh3_64_with_seed(s.as_bytes(), SEED) as usize & (BUCKETS - 1));
    let mut word = String::new();
    for token in normalized.as_str().split(' ') {
        if token.contains("://") || token.starts_with("www.") {
            words.push("⟨link⟩".to_string());
            continue;
        }
        for c in token.chars().chain([' ']) {
            if is_han(c) {
                han.push(c);
            } else if !han.is_empty() {
                flush_han(&mut han, &mut push);
            }
            let letter = !is_han(c) && c.is_alphanumeric();
            if letter {
                word.push(if c.is_ascii_digit() { '#' } else { c });
            } else if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            if is_currency(c) {
                words.push(c.to_string());
            }
        }
    }
    for w in &words {
        push(w);
    }
    for pair in words.windows(2) {
        push(&format!("{} {}", pair[0], pair[1]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn flush_han(han: &mut Vec<char>, push: &mut impl FnMut(&str)) {
    if han.len() == 1 {
        push(&han[0].to_string());
    }
    for pair in han.windows(2) {
        push(&pair.iter().collect::<String>());
    }
    han.clear();
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
        assert_eq!(back.vocabulary, m.vocabulary);
        assert_eq!(back.scam_probability("prize"), m.scam_probability("prize"));
        assert!(Model::from_bytes(&[2, 0, 0]).is_err());
        assert!(Model::from_bytes(&[9, 0, 0, 0]).is_err());
        let mut bytes = m.to_bytes();
        bytes.push(0);
        assert!(Model::from_bytes(&bytes).is_err());
    }

    #[test]
    fn an_old_format_is_refused_as_old() {
        let mut v1 = 1u32.to_le_bytes().to_vec();
        v1.extend_from_slice(&[0; 24]);
        assert!(matches!(
            Model::from_bytes(&v1),
            Err(ModelError::OldVersion(1))
        ));
    }

    #[test]
    fn class_sizes_are_normalised() {
        // "order" is half of every document in both classes: it is no evidence either
        // way, so the probability stays at the class prior (10 of 110 documents).
        let mut m = Model::default();
        for _ in 0..10 {
            m.learn("order prize", true);
        }
        for _ in 0..100 {
            m.learn("order lunch", false);
        }
        let p = m.scam_probability("order").unwrap();
        assert!((p - 10.0 / 110.0).abs() < 0.01, "{p}");
    }

    #[test]
    fn unseen_features_say_nothing() {
        let m = trained();
        assert_eq!(m.scam_probability("zebra quokka"), None);
        assert_eq!(
            m.scam_probability("claim zebra quokka"),
            m.scam_probability("claim")
        );
    }

    #[test]
    fn a_few_notices_are_not_drowned_by_much_chat() {
        let mut m = Model::default();
        for i in 0..300 {
            m.learn(&format!("see you at lunch {i} ok"), false);
        }
        for t in [
            "您的账户存在异常，请点击链接验证，否则冻结",
            "您的信用卡额度已提升，点击领取",
        ] {
            m.learn(t, true);
        }
        let notice = "【招商银行】您尾号1234的账户收入人民币500元，余额800元";
        assert!(m.scam_probability(notice).unwrap() > 0.5);
        m.set_prior(["【工商银行】您尾号8888的账户支出人民币20元，余额300元"]);
        assert!(m.scam_probability(notice).unwrap() < 0.1);
    }

    #[test]
    fn features_are_words_pairs_and_character_bigrams_once_each() {
        let hash = |s: &str| xxh3_64_with_seed(s.as_bytes(), SEED) as usize & (BUCKETS - 1);
        let f = features("Win £100 win! 中奖了 https://x.top");
        for expected in [
            "win",
            "£",
            "###",
            "win £",
            "£ ###",
            "### win",
            "中奖",
            "奖了",
            "⟨link⟩",
        ] {
            assert!(f.contains(&hash(expected)), "{expected}");
        }
        assert_eq!(f.iter().filter(|&&h| h == hash("win")).count(), 1);
        assert!(!f.contains(&hash("中")));
        assert!(features("好").contains(&hash("好")));
    }
}
