//! The learned second opinion: logistic regression over hashed word, character and cue
//! features, calibrated (Platt scaling on a held-back share of its training rows), with
//! the phrases that pushed it kept for the explanation.
//!
//! Invariants: pure (bytes in, a model out; a text in, a score out); training is
//! deterministic for a given seed and row order; a model file carries a magic number
//! and a format version and is refused whole when either is wrong or it is truncated.
//! Features are read from *normalised* text, so they fold scripts and case the way the
//! rules do; Chinese is read as character unigrams and bigrams, Latin text as words,
//! word pairs and character trigrams, digit runs as their length.

use std::ops::Range;

use xxhash_rust::xxh3::Xxh3;

use super::normalize::is_han;

/// The first bytes of a model file.
pub const MAGIC: &[u8; 4] = b"SGLM";
/// The model file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Hash buckets: 2^BITS weights.
pub const BITS: u32 = 17;

const HEADER_LEN: usize = 4 + 4 + 4 + 4 * 3;

/// Why a model file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Not a sellerguard model file.
    #[error("not a sellerguard model file (bad magic number)")]
    BadMagic,
    /// Written by another format version.
    #[error(
        "model format version {found}, this build reads version {expected}; retrain it with `sellerguard train`"
    )]
    Version {
        /// The file's version.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// Shorter or longer than its header says.
    #[error("model file is truncated or corrupt ({found} bytes, expected {expected})")]
    Size {
        /// Bytes found.
        found: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// A weight is not a finite number.
    #[error("model file holds a weight that is not a finite number")]
    NotFinite,
}

/// One feature of a message: its hash bucket and, for text features, where it is in the
/// normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    bucket: u32,
    span: Option<Range<usize>>,
}

/// The features of one message, each bucket once.
#[derive(Debug, Clone, Default)]
pub struct Features {
    items: Vec<Feature>,
}

impl Features {
    /// Reads the features of normalised `text`, plus one feature per fired cue name.
    pub fn new<'a>(text: &str, cues: impl IntoIterator<Item = &'a str>) -> Self {
        let mut items = Vec::with_capacity(text.len() / 2 + 8);
        let mut push = |kind: u64, parts: &[&[u8]], span: Option<Range<usize>>| {
            items.push(Feature {
                bucket: bucket(kind, parts),
                span,
            });
        };
        let mut previous_word: Option<(usize, &str)> = None;
        let mut previous_han: Option<(usize, char)> = None;
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if is_han(c) {
                let end = start + c.len_utf8();
                let here = &text.as_bytes()[start..end];
                push(1, &[here], Some(start..end));
                if let Some((from, _)) = previous_han {
                    push(2, &[&text.as_bytes()[from..end]], Some(from..end));
                }
                previous_han = Some((start, c));
                previous_word = None;
                continue;
            }
            previous_han = None;
            if !c.is_ascii_alphanumeric() {
                if !c.is_whitespace() && !matches!(c, '\'' | '-') {
                    previous_word = None;
                }
                continue;
            }
            let mut end = start + 1;
            while let Some(&(i, n)) = chars.peek() {
                if !n.is_ascii_alphanumeric() {
                    break;
                }
                end = i + 1;
                chars.next();
            }
            let word = &text[start..end];
            if word.bytes().all(|b| b.is_ascii_digit()) {
                push(3, &[&[word.len().min(12) as u8]], None);
                previous_word = None;
                continue;
            }
            push(4, &[word.as_bytes()], Some(start..end));
            if let Some((from, p)) = previous_word {
                push(5, &[p.as_bytes(), b" ", word.as_bytes()], Some(from..end));
            }
            if word.len() >= 4 {
                for i in 0..=word.len() - 3 {
                    push(6, &[&word.as_bytes()[i..i + 3]], None);
                }
            }
            previous_word = Some((start, word));
        }
        for cue in cues {
            push(7, &[cue.as_bytes()], None);
        }
        items.sort_unstable_by_key(|f| f.bucket);
        items.dedup_by_key(|f| f.bucket);
        Self { items }
    }

    /// The number of distinct features.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn value(&self) -> f32 {
        1.0 / (self.items.len().max(1) as f32).sqrt()
    }
}

/// The hash bucket of a feature of `kind` made of `parts` (hashed as one byte string).
fn bucket(kind: u64, parts: &[&[u8]]) -> u32 {
    let mut hasher = Xxh3::with_seed(kind);
    for part in parts {
        hasher.update(part);
    }
    (hasher.digest() & ((1 << BITS) - 1)) as u32
}

/// What the model says about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Opinion {
    /// Calibrated probability that the message is a scam.
    pub probability: f32,
    /// Normalised-text spans of the features that pushed it most towards `scam`,
    /// strongest first (the model's signal only ever speaks for that side).
    pub phrases: Vec<Range<usize>>,
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    bias: f32,
    platt_a: f32,
    platt_b: f32,
    weights: Vec<f32>,
}

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Passes over the rows.
    pub epochs: usize,
    /// Seed of the shuffles and of the calibration split.
    pub seed: u64,
    /// L2 regularisation strength.
    pub l2: f32,
    /// Share of rows held back to calibrate the probabilities.
    pub calibration_share: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: 12,
            seed: 20_261_202,
            l2: 1e-6,
            calibration_share: 0.15,
        }
    }
}

impl LinearModel {
    /// Reads a model file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let version = u32_at(4);
        if version != FORMAT_VERSION {
            return Err(ModelError::Version {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let expected = HEADER_LEN + 4 * (1usize << BITS);
        if bytes.len() != expected || u32_at(8) != BITS {
            return Err(ModelError::Size {
                found: bytes.len(),
                expected,
            });
        }
        let f32_at = |i: usize| f32::from_bits(u32_at(i));
        let weights: Vec<f32> = (HEADER_LEN..bytes.len()).step_by(4).map(f32_at).collect();
        let model = Self {
            bias: f32_at(12),
            platt_a: f32_at(16),
            platt_b: f32_at(20),
            weights,
        };
        let finite = [model.bias, model.platt_a, model.platt_b]
            .iter()
            .chain(&model.weights)
            .all(|w| w.is_finite());
        if finite {
            Ok(model)
        } else {
            Err(ModelError::NotFinite)
        }
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 4 * self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&BITS.to_le_bytes());
        for v in [self.bias, self.platt_a, self.platt_b] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Trains on `(features, is_scam)` rows.
    pub fn train(rows: &[(Features, bool)], options: TrainOptions) -> Self {
        let mut rng = SplitMix(options.seed);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        shuffle(&mut order, &mut rng);
        let held = ((rows.len() as f32) * options.calibration_share) as usize;
        let (calibration, training) = order.split_at(held.min(rows.len()));
        let mut training = training.to_vec();
        let positives = training.iter().filter(|&&i| rows[i].1).count().max(1);
        let negatives = (training.len() - positives.min(training.len())).max(1);
        let total = (positives + negatives) as f32;
        let class_weight = |scam: bool| {
            if scam {
                total / (2.0 * positives as f32)
            } else {
                total / (2.0 * negatives as f32)
            }
        };
        let mut model = Self {
            bias: 0.0,
            platt_a: 1.0,
            platt_b: 0.0,
            weights: vec![0.0; 1 << BITS],
        };
        // AdaGrad: per-bucket learning rates, so rare phrases learn as fast as common ones.
        let mut squares = vec![1e-6_f32; 1 << BITS];
        let mut bias_square = 1e-6_f32;
        let rate = 0.5_f32;
        for _ in 0..options.epochs {
            shuffle(&mut training, &mut rng);
            for &i in &training {
                let (features, scam) = &rows[i];
                let p = sigmoid(model.logit(features));
                let error = (p - if *scam { 1.0 } else { 0.0 }) * class_weight(*scam);
                let v = features.value();
                for f in &features.items {
                    let b = f.bucket as usize;
                    let g = error * v + options.l2 * model.weights[b];
                    squares[b] += g * g;
                    model.weights[b] -= rate * g / squares[b].sqrt();
                }
                bias_square += error * error;
                model.bias -= rate * error / bias_square.sqrt();
            }
        }
        let logits: Vec<(f32, bool)> = calibration
            .iter()
            .map(|&i| (model.logit(&rows[i].0), rows[i].1))
            .collect();
        (model.platt_a, model.platt_b) = platt(&logits);
        model
    }

    /// The model's opinion of a message.
    pub fn judge(&self, features: &Features) -> Opinion {
        let probability = sigmoid(self.platt_a * self.logit(features) + self.platt_b);
        let v = features.value();
        let mut pushes: Vec<(f32, &Range<usize>)> = features
            .items
            .iter()
            .filter_map(|f| {
                let push = self.weights[f.bucket as usize] * v;
                f.span.as_ref().filter(|_| push > 0.0).map(|s| (push, s))
            })
            .collect();
        pushes.sort_by(|a, b| b.0.total_cmp(&a.0));
        Opinion {
            probability,
            phrases: pushes.into_iter().take(3).map(|(_, s)| s.clone()).collect(),
        }
    }

    fn logit(&self, features: &Features) -> f32 {
        let v = features.value();
        self.bias
            + features
                .items
                .iter()
                .map(|f| self.weights[f.bucket as usize] * v)
                .sum::<f32>()
    }
}

/// Fits `p = sigmoid(a * z + b)` to held-back `(logit, is_scam)` pairs by gradient
/// descent on the log loss; the identity when there is too little to fit.
fn platt(logits: &[(f32, bool)]) -> (f32, f32) {
    let positives = logits.iter().filter(|(_, s)| *s).count();
    if positives < 5 || logits.len() - positives < 5 {
        return (1.0, 0.0);
    }
    let (mut a, mut b) = (1.0_f32, 0.0_f32);
    for _ in 0..500 {
        let (mut ga, mut gb) = (0.0_f32, 0.0_f32);
        for &(z, scam) in logits {
            let error = sigmoid(a * z + b) - if scam { 1.0 } else { 0.0 };
            ga += error * z;
            gb += error;
        }
        let n = logits.len() as f32;
        a -= 0.5 * ga / n;
        b -= 0.5 * gb / n;
    }
    if a.is_finite() && b.is_finite() && a > 0.0 {
        (a, b)
    } else {
        (1.0, 0.0)
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// A small deterministic generator for the shuffles (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn shuffle(items: &mut [usize], rng: &mut SplitMix) {
    for i in (1..items.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::normalize::Normalized;

    fn features(text: &str) -> Features {
        Features::new(Normalized::new(text).as_str(), [])
    }

    fn toy_rows() -> Vec<(Features, bool)> {
        let scams = [
            "点击链接领取补贴 http://a.top",
            "your parcel is held pay the fee at x.top",
            "账户冻结请点击链接解冻",
            "verify your account now at y.xyz",
            "免费开店加微信",
            "pay the customs fee now",
        ];
        let legit = [
            "您尾号1234卡支出100元",
            "your order has shipped",
            "验证码123456请勿泄露",
            "see you at dinner tonight",
            "会议改到下午三点",
            "thanks for the photos",
        ];
        let mut rows = Vec::new();
        for _ in 0..10 {
            rows.extend(scams.iter().map(|t| (features(t), true)));
            rows.extend(legit.iter().map(|t| (features(t), false)));
        }
        rows
    }

    #[test]
    fn learns_and_explains_with_spans() {
        let model = LinearModel::train(&toy_rows(), TrainOptions::default());
        let text = Normalized::new("请点击链接领取补贴");
        let opinion = model.judge(&Features::new(text.as_str(), []));
        assert!(opinion.probability > 0.7, "{opinion:?}");
        assert!(!opinion.phrases.is_empty());
        for span in &opinion.phrases {
            assert!(text.as_str().get(span.clone()).is_some());
        }
        let legit = model.judge(&features("your order has shipped, see you at dinner"));
        assert!(legit.probability < 0.3, "{legit:?}");
    }

    #[test]
    fn training_is_deterministic_and_round_trips() {
        let a = LinearModel::train(&toy_rows(), TrainOptions::default());
        let b = LinearModel::train(&toy_rows(), TrainOptions::default());
        assert_eq!(a, b);
        assert_eq!(LinearModel::from_bytes(&a.to_bytes()).unwrap(), a);
    }

    #[test]
    fn bad_files_are_refused() {
        let bytes = LinearModel::train(&toy_rows(), TrainOptions::default()).to_bytes();
        assert_eq!(LinearModel::from_bytes(b"nope"), Err(ModelError::BadMagic));
        let mut other = bytes.clone();
        other[4] = 9;
        assert!(matches!(
            LinearModel::from_bytes(&other),
            Err(ModelError::Version { found: 9, .. })
        ));
        assert!(matches!(
            LinearModel::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Size { .. })
        ));
        let mut nan = bytes;
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(LinearModel::from_bytes(&nan), Err(ModelError::NotFinite));
    }

    #[test]
    fn chinese_reads_as_characters_and_pairs() {
        assert_eq!(features("冻结").len(), 3);
        assert_eq!(features("verify now").len(), features("VERIFY  now").len());
    }
}
