//! Text normalisation before matching, with a map back to the original text.
//!
//! Invariants: the normalised text is lower case, NFKC-folded (full-width to
//! half-width), free of invisible characters and combining marks, Cyrillic/Greek
//! look-alikes folded to Latin, Traditional Chinese converted to Simplified, runs of
//! white space collapsed to one space (none between two Chinese characters, which
//! do not use spaces), and digit groups split by single spaces, dots
//! or dashes joined. Every byte of the normalised text knows the byte range of the
//! original character it came from, so evidence spans point at what the user sent.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// A normalised text and, for each of its bytes, the original character it came from.
#[derive(Debug, Clone)]
pub struct Normalized {
    text: String,
    /// `origin[i]` is the byte range in the original text of the character that
    /// produced normalised byte `i`.
    origin: Vec<(u32, u32)>,
}

impl Normalized {
    /// Normalises `original`.
    pub fn new(original: &str) -> Self {
        let mut chars = Vec::with_capacity(original.len());
        let mut pending_space: Option<(u32, u32)> = None;
        for (pos, c) in original.char_indices() {
            let src = (pos as u32, (pos + c.len_utf8()) as u32);
            if is_invisible(c) {
                continue;
            }
            if c.is_whitespace() {
                pending_space.get_or_insert(src);
                continue;
            }
            decompose_compatible(c, |d| {
                if is_combining_mark(d) || is_invisible(d) {
                    return;
                }
                if d.is_whitespace() {
                    pending_space.get_or_insert(src);
                    return;
                }
                if let Some(space) = pending_space.take()
                    && let Some(&(last, _)) = chars.last()
                    && !(is_han(last) && is_han(d))
                {
                    chars.push((' ', space));
                }
                for lower in d.to_lowercase() {
                    chars.push((fold_confusable(lower), src));
                }
            });
        }
        join_split_digits(&mut chars);
        to_simplified(&mut chars);

        let mut text = String::with_capacity(chars.len() + chars.len() / 2);
        let mut origin = Vec::with_capacity(text.capacity());
        for (c, src) in chars {
            text.push(c);
            origin.extend(std::iter::repeat_n(src, c.len_utf8()));
        }
        Self { text, origin }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text to a byte range of the original.
    pub fn original_span(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || range.end > self.origin.len() {
            let at = self.origin.get(range.start).map_or(0, |o| o.0 as usize);
            return at..at;
        }
        self.origin[range.start].0 as usize..self.origin[range.end - 1].1 as usize
    }
}

/// Characters that render as nothing and are used to break up keywords.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Folds lower-case Cyrillic and Greek letters that look like Latin ones.
fn fold_confusable(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' | 'ь' => 'b',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ε' | 'ё' => 'e',
        'ɡ' => 'g',
        'һ' | 'н' => 'h',
        'і' | 'ι' | 'ı' | 'ї' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'η' | 'п' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' | 'ս' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => c,
    }
}

/// Joins digit groups split by single spaces, dashes or dots, or by a dash between
/// spaces (`138 1234 5678`, `1 - 808 - 555 - 0143`).
///
/// A run is joined only when it holds at least five digits and does not read as a
/// decimal number (`5,000.00`, `1.5`) or a dotted IPv4 address.
fn join_split_digits(chars: &mut Vec<(char, (u32, u32))>) {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].0.is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Scan digit groups separated by exactly one separator.
        let start = i;
        let mut groups = Vec::new();
        let mut seps = Vec::new();
        let mut end = i;
        loop {
            let g_start = end;
            while end < chars.len() && chars[end].0.is_ascii_digit() {
                end += 1;
            }
            groups.push(end - g_start);
            let digit_at = |k: usize| chars.get(k).is_some_and(|(c, _)| c.is_ascii_digit());
            let spaced_dash = chars
                .get(end..end + 3)
                .is_some_and(|w| w.iter().map(|(c, _)| *c).eq([' ', '-', ' ']));
            let sep_len =
                if matches!(chars.get(end), Some((' ' | '-' | '.', _))) && digit_at(end + 1) {
                    1
                } else if spaced_dash && digit_at(end + 3) {
                    3
                } else {
                    break;
                };
            seps.push(chars[end + sep_len / 2].0);
            end += sep_len;
        }
        let digits: usize = groups.iter().sum();
        let dotted = seps.iter().filter(|&&s| s == '.').count();
        let is_ipv4 = dotted == 3 && seps.len() == 3 && groups.iter().all(|&g| g <= 3);
        let is_decimal = dotted == 1 && seps.last() == Some(&'.') && groups.last() <= Some(&2);
        let join = !seps.is_empty() && digits >= 5 && !is_ipv4 && !is_decimal;
        out.extend(
            chars[start..end]
                .iter()
                .filter(|(c, _)| !join || c.is_ascii_digit()),
        );
        i = end;
    }
    *chars = out;
}

/// Converts Traditional Chinese characters to Simplified, one character for one.
fn to_simplified(chars: &mut [(char, (u32, u32))]) {
    if !chars.iter().any(|(c, _)| is_han(*c)) {
        return;
    }
    let text: String = chars.iter().map(|(c, _)| *c).collect();
    let simplified = fast2s::convert(&text);
    for (slot, c) in chars.iter_mut().zip(simplified.chars()) {
        // fast2s maps 帳 to 帐; accounts are written 账 in Simplified Chinese.
        slot.0 = if c == '帐' { '账' } else { c };
    }
}

/// Whether `c` is a CJK ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(
            Normalized::new(input).as_str(),
            expected,
            "input: {input:?}"
        );
    }

    #[test]
    fn folds_what_scammers_use_to_hide_words() {
        let cases = [
            ("ＡＭＡＺＯＮ", "amazon"),
            ("аmazon", "amazon"),
            ("am\u{200B}az\u{200D}on", "amazon"),
            ("亞馬遜賣家帳號", "亚马逊卖家账号"),
            ("加 微 信 领 取", "加微信领取"),
            ("亚马逊 seller 中心", "亚马逊 seller 中心"),
            ("加 V信：abc123", "加 v信:abc123"),
            ("138 1234 5678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("138.1234.5678", "13812345678"),
            ("  a \n\t b  ", "a b"),
            ("café", "cafe"),
            ("①②③", "123"),
        ];
        for (input, expected) in cases {
            check(input, expected);
        }
    }

    #[test]
    fn keeps_numbers_that_are_not_split_identifiers() {
        check("余额5,000.00元", "余额5,000.00元");
        check("rate 1.5 today", "rate 1.5 today");
        check("http://192.168.10.1/login", "http://192.168.10.1/login");
        check("step 1 - 2", "step 1 - 2");
    }

    #[test]
    fn spans_point_at_the_original() {
        let original = "請加 Ｖ信：ａｂｃ１２３";
        let n = Normalized::new(original);
        let at = n.as_str().find("abc123").unwrap();
        let span = n.original_span(at..at + "abc123".len());
        assert_eq!(&original[span], "ａｂｃ１２３");
    }

    #[test]
    fn empty_and_degenerate_input() {
        check("", "");
        check("\u{200B}\u{FEFF}", "");
        let n = Normalized::new("abc");
        assert_eq!(n.original_span(5..9), 0..0);
    }
}
