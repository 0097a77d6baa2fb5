//! The cue matcher: finds which cues match a normalised text, and where.
//!
//! Keywords are one Aho-Corasick automaton. Regexes are not joined in one `RegexSet`
//! (its lazy-DFA cache thrashes past a few thousand patterns): each regex carries the
//! literals any of its matches must contain (`prefilter`), one more automaton finds
//! which of those occur, and only those candidate regexes run, each on its own (its
//! own literal search and engine choice, which on the shipped rules is several times
//! faster than small `RegexSet`s of them). A regex is built the first time it is a
//! candidate: most regexes of a large set never are. Regexes with no usable literal
//! run in small `RegexSet` shards whose caches stay warm.
//!
//! Invariants: the hits are exactly those of running every regex on its own in index
//! order (the first matching regex of a cue gives its span, leftmost-first); nothing
//! here allocates per matched literal, only per message.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::prefilter::required_literals;
use super::{Hit, is_whole_word};

/// Regexes per `RegexSet` shard: small enough that one shard's lazy DFA stays in its
/// cache on mixed text.
const SHARD_PATTERNS: usize = 64;
/// Lazy DFA cache of one shard.
const SHARD_DFA_LIMIT: usize = 8 << 20;
/// Largest compiled size of one shard.
const SHARD_SIZE_LIMIT: usize = 64 << 20;
/// Largest compiled size of one regex built on its own (`compile` validated it smaller).
const ALONE_SIZE_LIMIT: usize = 4 << 20;
/// Lazy DFA cache of one regex on its own: a message is short, and ten thousand
/// regexes with the default 2 MiB each would not fit in memory.
const ALONE_DFA_LIMIT: usize = 256 << 10;

/// Some regexes (indices into `CueMatcher::patterns`) joined in one set.
#[derive(Debug)]
struct Shard {
    set: RegexSet,
    ids: Vec<u32>,
}

/// The compiled cue matcher of a rule set.
#[derive(Debug)]
pub struct CueMatcher {
    keywords: Option<AhoCorasick>,
    keyword_cues: Vec<Vec<(usize, bool)>>,
    /// Every regex's pattern, validated (`compile`).
    patterns: Vec<String>,
    /// Each regex on its own, built the first time it is a candidate: building every
    /// one at start would cost most of the start-up and the memory of a large set.
    alone: Vec<OnceLock<Option<Regex>>>,
    regex_cue: Vec<usize>,
    /// Every distinct required literal of the filtered regexes.
    literals: Option<AhoCorasick>,
    /// Per literal pattern: the regexes (indices into `patterns`) it makes candidates.
    literal_regexes: Vec<Vec<u32>>,
    /// Regexes without a usable literal, in shards run on every text.
    always: Vec<Shard>,
}

impl CueMatcher {
    /// Builds the matcher from normalised keywords (each with its cues and whether it
    /// must stand as a whole word) and validated regex patterns (each with its cue).
    pub fn new(
        keywords: Vec<String>,
        keyword_cues: Vec<Vec<(usize, bool)>>,
        patterns: Vec<String>,
        regex_cue: Vec<usize>,
    ) -> Result<Self, String> {
        let keywords = automaton(&keywords).map_err(|e| format!("keyword automaton: {e}"))?;
        let mut literal_ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literal_regexes: Vec<Vec<u32>> = Vec::new();
        let mut unfiltered = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let Some(literals) = required_literals(pattern) else {
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
        let mut literals: Vec<(Vec<u8>, usize)> = literal_ids.into_iter().collect();
        literals.sort_by_key(|(_, id)| *id);
        let literals: Vec<Vec<u8>> = literals.into_iter().map(|(l, _)| l).collect();
        let literals = automaton(&literals).map_err(|e| format!("literal automaton: {e}"))?;
        let always = unfiltered
            .chunks(SHARD_PATTERNS)
            .map(|ids| {
                RegexSetBuilder::new(ids.iter().map(|&i| patterns[i as usize].as_str()))
                    .size_limit(SHARD_SIZE_LIMIT)
                    .dfa_size_limit(SHARD_DFA_LIMIT)
                    .build()
                    .map(|set| Shard {
                        set,
                        ids: ids.to_vec(),
                    })
                    .map_err(|e| format!("regex set: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            keywords,
            keyword_cues,
            alone: patterns.iter().map(|_| OnceLock::new()).collect(),
            patterns,
            regex_cue,
            literals,
            literal_regexes,
            always,
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
                && let Some(m) = self.alone(i as usize).and_then(|re| re.find(normalized))
            {
                hits[cue] = Some(Some(to_original(m.range())));
            }
        }
    }

    /// Regex `i` on its own, built on first use.
    fn alone(&self, i: usize) -> Option<&Regex> {
        self.alone[i]
            .get_or_init(|| {
                RegexBuilder::new(&self.patterns[i])
                    .size_limit(ALONE_SIZE_LIMIT)
                    .dfa_size_limit(ALONE_DFA_LIMIT)
                    .build()
                    .inspect_err(|e| tracing::error!("a validated regex does not build: {e}"))
                    .ok()
            })
            .as_ref()
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
        for (i, &cue) in self.regex_cue.iter().enumerate() {
            if hits[cue].is_none()
                && let Some(m) = self.alone(i).and_then(|re| re.find(normalized))
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
            let mut seen: Vec<u32> = ac
                .find_overlapping_iter(normalized)
                .map(|m| m.pattern().as_u32())
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for literal in seen {
                found.extend_from_slice(&self.literal_regexes[literal as usize]);
            }
        }
        for shard in &self.always {
            found.extend(shard.set.matches(normalized).iter().map(|i| shard.ids[i]));
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
