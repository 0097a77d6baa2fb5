//! Required literals of a regex: a set of byte strings of which every match contains
//! at least one, so a regex need only run on texts where one occurs.
//!
//! Invariants: sound, never clever: literals come from `regex-syntax`'s own
//! extractor (prefixes and suffixes, bounded by its limits), taken from the whole
//! pattern, from one part of a concatenation, or from every branch of an alternation.
//! A pattern whose literal set would be empty, hold the empty string, or grow past
//! `MAX_LITERALS` gets none (it then runs on every text).

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};

/// Most literals kept for one regex.
const MAX_LITERALS: usize = 64;

/// The literals every match of `pattern` contains one of, or `None` when there is no
/// usable set.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let best = required(&hir)?;
    Some(best.literals)
}

/// One candidate literal set and how selective it is.
#[derive(Debug, Clone)]
struct Literals {
    literals: Vec<Vec<u8>>,
}

impl Literals {
    fn from_seq(seq: &Seq) -> Option<Self> {
        let literals = seq.literals()?;
        if literals.is_empty() || literals.len() > MAX_LITERALS {
            return None;
        }
        if literals.iter().any(|l| l.as_bytes().is_empty()) {
            return None;
        }
        let mut literals: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
        literals.sort();
        literals.dedup();
        Some(Self { literals })
    }

    /// Longer shortest literal first (rarer in text), then fewer literals.
    fn score(&self) -> (usize, std::cmp::Reverse<usize>) {
        let shortest = self.literals.iter().map(Vec::len).min().unwrap_or(0);
        (shortest.min(8), std::cmp::Reverse(self.literals.len()))
    }
}

fn required(hir: &Hir) -> Option<Literals> {
    let mut options: Vec<Literals> = [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .filter_map(|kind| Literals::from_seq(&Extractor::new().kind(kind).extract(hir)))
        .collect();
    match hir.kind() {
        HirKind::Capture(capture) => options.extend(required(&capture.sub)),
        HirKind::Concat(parts) => options.extend(parts.iter().filter_map(required)),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(required(branch)?.literals);
            }
            union.sort();
            union.dedup();
            if union.len() <= MAX_LITERALS {
                options.push(Literals { literals: union });
            }
        }
        _ => {}
    }
    options.into_iter().max_by_key(Literals::score)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, expected: Option<&[&str]>) {
        let got = required_literals(pattern);
        let got: Option<Vec<String>> = got.map(|ls| {
            ls.iter()
                .map(|l| String::from_utf8_lossy(l).into())
                .collect()
        });
        let expected: Option<Vec<String>> =
            expected.map(|ls| ls.iter().map(|l| l.to_string()).collect());
        assert_eq!(got, expected, "{pattern}");
    }

    #[test]
    fn literals_every_match_contains() {
        check(r"(?-u:\b)otp(?-u:\b)", Some(&["otp"]));
        check(r"\d{6,}", None);
        check(r"尾号\d{4}(?s:.){0,40}(?:收入|支出)", Some(&["尾号"]));
        check(r"\d+\s*(?:usd|eur)", Some(&["eur", "usd"]));
        check(r"(?:a|bc)\d+", Some(&["a", "bc"]));
        check(r"x?", None);
        check(
            r"[a-z]+@(?:gmail|qq)\.com",
            Some(&["@gmail.com", "@qq.com"]),
        );
        check(r"(\d+) (?:dollars|\d+ yuan)", Some(&[" yuan", "dollars"]));
    }
}
