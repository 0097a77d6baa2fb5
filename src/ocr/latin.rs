//! Merging a Chinese model's reading of Latin runs with the Latin engine's reading.
//!
//! The Chinese models read Latin text well enough to find it, but drop `.`,
//! `-` and `/` in links and get letter case wrong; the Latin engine reads
//! Latin exactly but turns Chinese characters into junk letters glued to their
//! neighbours. So each run of Latin words in the Chinese reading is matched to
//! the closest stretch of the Latin reading (by edit distance, not position:
//! Tesseract's word boxes are too rough at script changes) and the two are
//! merged character by character (`text::merge_latin`).

use std::ops::Range;

use super::engine::Word;
use super::reader::{lines_of, mean_confidence};
use super::text;

/// A run takes the Latin reading when it differs in at most one character in this many.
const MAX_LATIN_CHANGE: usize = 4;

/// A Latin stretch read with at least this confidence (and more than the
/// Chinese model's) gives all its characters, not only the ones the Chinese
/// models get wrong.
const LATIN_TRUSTED: f32 = 80.0;

/// Whether a word is Latin: ASCII letters or digits and no ideograph
/// (CJK punctuation may cling to it: "203.0.113.45，").
fn is_latin(word: &Word) -> bool {
    word.text.chars().any(|c| c.is_ascii_alphanumeric())
        && !word.text.chars().any(text::is_ideograph)
}

/// Ranges of consecutive Latin words on one line that hold a Latin letter or
/// a word read with less than `sure` confidence ("92,480.00" for "$2,480.00").
pub(crate) fn runs(words: &[Word], sure: f32) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    while start < words.len() {
        if !is_latin(&words[start]) {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < words.len() && is_latin(&words[end]) && words[end].line == words[start].line {
            end += 1;
        }
        let doubtful = words[start..end]
            .iter()
            .any(|w| w.confidence < sure || w.text.chars().any(|c| c.is_ascii_alphabetic()));
        if doubtful {
            runs.push(start..end);
        }
        start = end;
    }
    runs
}

/// The Latin engine's reading of a segment as one line of text.
pub(crate) struct LatinText {
    text: String,
    /// Byte range and confidence of each word in `text`.
    words: Vec<(Range<usize>, f32)>,
}

impl LatinText {
    pub(crate) fn new(words: &[Word]) -> Self {
        let mut text = String::new();
        let mut spans = Vec::with_capacity(words.len());
        for word in words {
            if !text.is_empty() {
                text.push(' ');
            }
            spans.push((text.len()..text.len() + word.text.len(), word.confidence));
            text.push_str(&word.text);
        }
        LatinText { text, words: spans }
    }

    /// The lowest confidence of the words that `range` touches.
    fn confidence(&self, range: &Range<usize>) -> f32 {
        self.words
            .iter()
            .filter(|(span, _)| span.start < range.end && range.start < span.end)
            .map(|&(_, confidence)| confidence)
            .fold(100.0, f32::min)
    }
}

/// Replaces each run of `words` with the closest stretch of the Latin
/// reading, when that stretch is close enough to be the same text: whole when
/// the Latin engine was surer, otherwise merged character by character.
pub(crate) fn merge_runs(words: &mut Vec<Word>, runs: Vec<Range<usize>>, latin: &LatinText) {
    for run in runs.into_iter().rev() {
        let run_text = lines_of(&words[run.clone()]);
        let Some(found) = text::closest_substring(&latin.text, &run_text) else {
            continue;
        };
        let stretch = latin.text[found.clone()].trim();
        let allowed = run_text.chars().count() / MAX_LATIN_CHANGE;
        if text::edit_distance(stretch, &run_text) > allowed {
            continue;
        }
        let confidence = mean_confidence(&words[run.clone()]).unwrap_or(0.0);
        let latin_confidence = latin.confidence(&found);
        let surer = latin_confidence >= LATIN_TRUSTED && latin_confidence >= confidence;
        let merged = Word {
            text: text::merge_latin(&run_text, stretch, surer),
            line: words[run.start].line,
            left: words[run.start].left,
            right: words[run.end - 1].right,
            confidence: confidence.max(latin_confidence.min(LATIN_TRUSTED)),
        };
        words.splice(run, [merged]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, line: u32, confidence: f32) -> Word {
        Word {
            text: text.to_string(),
            line,
            left: 0,
            right: 0,
            confidence,
        }
    }

    #[test]
    fn runs_are_latin_words_with_a_letter_or_doubt() {
        let words: Vec<Word> = [
            ("TikTok", 0, 90.0),
            ("Shop", 0, 90.0),
            ("提醒", 0, 90.0),
            (":", 0, 90.0),
            ("您的", 0, 90.0),
            ("Payoneer", 0, 90.0),
            ("2211", 1, 90.0),
            ("USD", 1, 90.0),
            ("5,600", 1, 90.0),
            ("已", 1, 90.0),
            ("2407189935", 1, 90.0),
            ("笔", 2, 90.0),
            ("92,480.00", 2, 32.0),
            ("203.0.113.45，", 2, 90.0),
        ]
        .iter()
        .map(|&(text, line, confidence)| word(text, line, confidence))
        .collect();
        assert_eq!(runs(&words, 70.0), vec![0..2, 5..6, 6..9, 12..14]);
    }

    #[test]
    fn runs_take_the_closest_latin_stretch() {
        // Chinese words, Latin words (text and confidence), merged text.
        type Words<'a> = &'a [(&'a str, f32)];
        let cases: [(Words, Words, &str); 4] = [
            (
                &[("访问", 96.0), ("lzd-sellercc/login", 79.0), ("解冻", 92.0)],
                &[("jla]", 0.0), ("Izd-seller.cc/login", 28.0), ("fz.", 0.0)],
                "访问 lzd-seller.cc/login 解冻",
            ),
            (
                &[
                    ("证", 85.0),
                    ("shopify-verify.shopy/kyc", 57.0),
                    ("否则", 93.0),
                ],
                &[
                    ("iE", 84.0),
                    ("shopify-verify.shop/kyc", 88.0),
                    ("BMiT", 10.0),
                ],
                "证 shopify-verify.shop/kyc 否则",
            ),
            (
                &[
                    ("TikTok", 85.0),
                    ("Shop", 96.0),
                    ("提醒", 84.0),
                    ("您的", 96.0),
                    ("Payoneer", 91.0),
                ],
                &[("TikTok", 91.0), ("Shop#eBz:", 0.0), ("#&BYPayoneer", 30.0)],
                "TikTok Shop 提醒 您的 Payoneer",
            ),
            (
                &[("并", 96.0), ("支付", 95.0), ("2.99", 92.0), ("元", 92.0)],
                &[("HSH", 0.0), ("112.995c.", 0.0)],
                "并 支付 2.99 元",
            ),
        ];
        for (chinese, latin, merged) in cases {
            let mut words: Vec<Word> = chinese.iter().map(|&(text, c)| word(text, 0, c)).collect();
            let latin: Vec<Word> = latin.iter().map(|&(text, c)| word(text, 0, c)).collect();
            let found = runs(&words, 70.0);
            merge_runs(&mut words, found, &LatinText::new(&latin));
            assert_eq!(lines_of(&words), merged);
        }
    }
}
