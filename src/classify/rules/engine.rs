//! The cue matcher: finds which cues match a normalised text, and where.
//!
//! Keywords are one Aho-Corasick automaton. Regexes are not joined in one `RegexSet`
//! (its lazy-DFA cache thrashes past a few thousand patterns): each regex carries the
//! literals any of its matches must contain (`prefilter`), one more automaton finds
//! which of those occur, and only those candidate regexes run. Regexes with no usable
//! literal are run through small `RegexSet` shards whose caches stay warm.
//!
//! Invariants: the hits are exactly those of running every regex on its own in index
//! order (the first matching regex of a cue gives its span, leftmost-first); nothing
//! here allocates per matched literal, only per message.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexSet, RegexSetBuilder};

use super::prefilter::required_literals;
use super::{Hit, is_whole_word};

/// Regexes without literals per `RegexSet` shard: small enough that one shard's lazy
/// DFA stays in its cache on mixed text.
const SHARD_PATTERNS: usize = 64;
/// Lazy DFA cache of one shard.
const SHARD_DFA_LIMIT: usize = 8 << 20;
/// Largest compiled size of one shard.
const SHARD_SIZE_LIMIT: usize = 64 << 20;

/// The compiled cue matcher of a rule set.
#[derive(Debug)]
pub struct CueMatcher {
    keywords: Option<AhoCorasick>,
    keyword_cues: Vec<Vec<(usize, bool)>>,
    regexes: Vec<Regex>,
    regex_cue: Vec<usize>,
    /// The required literals of every filtered regex, one pattern per distinct literal.
    literals: Option<AhoCorasick>,
    /// Per literal pattern: the regexes (indices into `regexes`) it makes candidates.
    literal_regexes: Vec<Vec<u32>>,
    /// Regexes with no usable literal, in shards, each with its regex indices.
    shards: Vec<(RegexSet, Vec<u32>)>,
}

impl CueMatcher {
    /// Builds the matcher from normalised keywords (each with its cues and whether it
    /// must stand as a whole word) and compiled regexes (each with its cue).
    pub fn new(
        keywords: Vec<String>,
        keyword_cues: Vec<Vec<(usize, bool)>>,
        regexes: Vec<Regex>,
        regex_cue: Vec<usize>,
    ) -> Result<Self, String> {
        let keywords = automaton(&keywords).map_err(|e| format!("keyword automaton: {e}"))?;
        let mut literal_ids: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        let mut literal_regexes: Vec<Vec<u32>> = Vec::new();
        let mut unfiltered = Vec::new();
        for (i, re) in regexes.iter().enumerate() {
            let Some(literals) = required_literals(re.as_str()) else {
                unfiltered.push(i as u32);
                continue;
            };
            for literal in literals {
                let next = literal_regexes.len();
                let id = *literal_ids.entry(literal).or_insert(next);
                if id == next {
                    literal_regexes.push(Vec::new());
                }
                literal_regexes[id].push(i as u32);
            }
        }
        let mut patterns: Vec<(Vec<u8>, usize)> = literal_ids.into_iter().collect();
        patterns.sort_by_key(|(_, id)| *id);
        let patterns: Vec<Vec<u8>> = patterns.into_iter().map(|(p, _)| p).collect();
        let literals = automaton(&patterns).map_err(|e| format!("literal automaton: {e}"))?;
        let shards = unfiltered
            .chunks(SHARD_PATTERNS)
            .map(|ids| {
                RegexSetBuilder::new(ids.iter().map(|&i| regexes[i as usize].as_str()))
                    .size_limit(SHARD_SIZE_LIMIT)
                    .dfa_size_limit(SHARD_DFA_LIMIT)
                    .build()
                    .map(|set| (set, ids.to_vec()))
                    .map_err(|e| format!("regex set: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            keywords,
            keyword_cues,
            regexes,
            regex_cue,
            literals,
            literal_regexes,
            shards,
        })
    }

    /// Finds where each cue matches in normalised text; `to_original` maps a
    /// normalised byte range to the original. Keyword hits come first, then regex
    /// hits for cues still without one.
    pub fn match_cues(
        &self,
        normalized: &str,
        to_original: impl Fn(Range<usize>) -> Range<usize>,
        hits: &mut [Option<Hit>],
    ) {
        self.match_keywords(normalized, &to_original, hits);
        for i in self.candidates(normalized) {
            let cue = self.regex_cue[i as usize];
            if hits[cue].is_none()
                && let Some(m) = self.regexes[i as usize].find(normalized)
            {
                hits[cue] = Some(Some(to_original(m.range())));
            }
        }
    }

    /// Keyword hits: the first occurrence (overlapping, by end) of any of a cue's
    /// keywords, whole words checked where asked.
    fn match_keywords(
        &self,
        normalized: &str,
        to_original: &impl Fn(Range<usize>) -> Range<usize>,
        hits: &mut [Option<Hit>],
    ) {
        let Some(ac) = &self.keywords else {
            return;
        };
        let bytes = normalized.as_bytes();
        for m in ac.find_overlapping_iter(normalized) {
            let mut whole = None;
            for &(cue, whole_word) in &self.keyword_cues[m.pattern().as_usize()] {
                if whole_word && !*whole.get_or_insert_with(|| is_whole_word(bytes, m.range())) {
                    continue;
                }
                hits[cue].get_or_insert_with(|| Some(to_original(m.range())));
            }
        }
    }

    /// What `match_cues` must find: keywords, then every regex on its own, in order.
    #[cfg(test)]
    pub(super) fn match_cues_reference(
        &self,
        normalized: &str,
        to_original: impl Fn(Range<usize>) -> Range<usize>,
        hits: &mut [Option<Hit>],
    ) {
        self.match_keywords(normalized, &to_original, hits);
        for (re, &cue) in self.regexes.iter().zip(&self.regex_cue) {
            if hits[cue].is_none()
                && let Some(m) = re.find(normalized)
            {
                hits[cue] = Some(Some(to_original(m.range())));
            }
        }
    }

    /// The regexes that may match, in index order, each once: those whose required
    /// literal occurs, and the unfiltered ones that match.
    fn candidates(&self, normalized: &str) -> Vec<u32> {
        let mut found: Vec<u32> = Vec::new();
        if let Some(ac) = &self.literals {
            let mut seen: Vec<u32> = Vec::new();
            for m in ac.find_overlapping_iter(normalized) {
                seen.push(m.pattern().as_u32());
            }
            seen.sort_unstable();
            seen.dedup();
            for p in seen {
                found.extend_from_slice(&self.literal_regexes[p as usize]);
            }
        }
        for (set, ids) in &self.shards {
            found.extend(set.matches(normalized).iter().map(|i| ids[i]));
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

fn automaton<P: AsRef<[u8]>>(patterns: &[P]) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .map(Some)
        .map_err(|e| e.to_string())
}
