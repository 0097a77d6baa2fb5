//! Compiles parsed rule files into a `RuleSet`, collecting every problem with its
//! position instead of stopping at the first.
//!
//! Invariants: built-in cues take the first cue ids; keywords are normalised like
//! messages; each regex is validated on its own (so an error names its line) under a
//! size limit, then handed to the cue matcher (`engine`), which runs a regex only where
//! a literal it needs occurs.

use std::collections::HashMap;
use std::sync::Arc;

use toml::Spanned;

use super::engine::CueMatcher;
use super::error::{Code, Locator, RuleErrors, RuleProblem};
use super::parse::{FileDoc, RuleDoc, parse_file};
use super::{Builtin, Example, LANG_EN, LANG_ZH, Rule, RuleSet, RuleSource};
use crate::classify::normalize::Normalized;
use crate::classify::verdict::{Bilingual, Family};

/// Longest regex source: a long alternation of literals can stay under
/// `REGEX_SIZE_LIMIT` and still take minutes and gigabytes to compile into the set.
const MAX_PATTERN_BYTES: usize = 16 << 10;
/// Largest compiled size of one regex: a pattern larger than this is refused.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Whether `pattern` parses and compiles (to a forward NFA only: cheap, then dropped)
/// within `REGEX_SIZE_LIMIT`; the matcher builds what it runs.
fn validate_regex(pattern: &str) -> Result<(), String> {
    use regex_automata::nfa::thompson::{Compiler, NFA};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    Compiler::new()
        .configure(NFA::config().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build_from_hir(&hir)
        .map(drop)
        .map_err(|e| match e.size_limit() {
            Some(limit) => format!("Compiled regex exceeds size limit of {limit} bytes."),
            None => e.to_string(),
        })
}

/// Compiles rule files. On success returns the set and its warnings; on any error
/// returns every problem found (errors and warnings).
pub fn compile(sources: &[RuleSource]) -> Result<(RuleSet, Vec<RuleProblem>), RuleErrors> {
    let mut c = Compiler::default();
    for (name, _) in Builtin::ALL {
        c.cue_ids.insert(name.to_string(), c.cue_names.len());
        c.cue_names.push(name.to_string());
    }
    let mut docs = Vec::new();
    for source in sources {
        let loc = Locator::new(&source.name, &source.text);
        match parse_file(&loc, &source.text) {
            Ok(doc) => docs.push((source, doc)),
            Err(p) => c.problems.push(p),
        }
    }
    for (source, doc) in &docs {
        c.declare_cues(&Locator::new(&source.name, &source.text), doc);
    }
    for (source, doc) in &docs {
        let loc = Locator::new(&source.name, &source.text);
        for rule in &doc.rule {
            c.add_rule(&loc, rule);
        }
    }
    c.finish()
}

#[derive(Default)]
struct Compiler {
    problems: Vec<RuleProblem>,
    cue_names: Vec<String>,
    cue_ids: HashMap<String, usize>,
    /// Per normalised literal: the cues it belongs to, each with whether it must stand
    /// as a whole word.
    keyword_cues: HashMap<String, Vec<(usize, bool)>>,
    regexes: Vec<String>,
    regex_cue: Vec<usize>,
    rules: Vec<Rule>,
    rule_ids: HashMap<String, ()>,
}

impl Compiler {
    fn declare_cues(&mut self, loc: &Locator<'_>, doc: &FileDoc) {
        for (name, cue) in &doc.cue {
            let at = name.span().start;
            if name.get_ref().starts_with('@') || self.cue_ids.contains_key(name.get_ref()) {
                let msg = format!(
                    "cue {:?} is already defined (cue names are global)",
                    name.get_ref()
                );
                self.problems.push(loc.problem(at, Code::E003, msg));
                continue;
            }
            let id = self.new_cue(name.get_ref());
            let doc = cue.get_ref();
            if doc.keywords.is_empty() && doc.words.is_empty() && doc.regex.is_empty() {
                let msg = format!("cue {:?} has no keywords, words or regex", name.get_ref());
                self.problems.push(loc.problem(at, Code::E009, msg));
            }
            self.add_literals(loc, id, &doc.words, true);
            self.add_patterns(loc, id, &doc.keywords, &doc.regex);
        }
    }

    fn new_cue(&mut self, name: &str) -> usize {
        let id = self.cue_names.len();
        self.cue_ids.insert(name.to_string(), id);
        self.cue_names.push(name.to_string());
        id
    }

    fn add_literals(
        &mut self,
        loc: &Locator<'_>,
        cue: usize,
        literals: &[Spanned<String>],
        whole_word: bool,
    ) {
        for kw in literals {
            let normalized = Normalized::new(kw.get_ref()).as_str().to_string();
            if normalized.is_empty() {
                self.problems.push(loc.problem(
                    kw.span().start,
                    Code::E009,
                    "keyword is empty after normalisation",
                ));
                continue;
            }
            let cues = self.keyword_cues.entry(normalized).or_default();
            if !cues.contains(&(cue, whole_word)) {
                cues.push((cue, whole_word));
            }
        }
    }

    fn add_patterns(
        &mut self,
        loc: &Locator<'_>,
        cue: usize,
        keywords: &[Spanned<String>],
        regexes: &[Spanned<String>],
    ) {
        self.add_literals(loc, cue, keywords, false);
        for re in regexes {
            self.add_regex(loc, cue, re);
        }
    }

    fn add_regex(&mut self, loc: &Locator<'_>, cue: usize, re: &Spanned<String>) {
        let at = re.span().start;
        let pattern = fast2s::convert(re.get_ref());
        if pattern
            .replace(r"(?-u:\b)", "")
            .replace(r"(?-u:\B)", "")
            .contains(r"\b")
        {
            self.problems.push(loc.problem(
                at,
                Code::W001,
                r"\b is the Unicode word boundary, slow on Chinese text: write (?-u:\b)",
            ));
        }
        if let Some(upper) = uppercase_literal(&pattern) {
            let msg = format!("upper-case {upper:?} never matches normalised (lower-case) text");
            self.problems.push(loc.problem(at, Code::W002, msg));
        }
        if pattern.len() > MAX_PATTERN_BYTES {
            let msg = format!(
                "regex is {} bytes long; the most is {MAX_PATTERN_BYTES} (split it, or use keywords)",
                pattern.len()
            );
            self.problems.push(loc.problem(at, Code::E004, msg));
            return;
        }
        match validate_regex(&pattern) {
            Ok(()) => {
                self.regexes.push(pattern);
                self.regex_cue.push(cue);
            }
            Err(e) => {
                let msg = format!("regex does not compile: {}", one_line(&e.to_string()));
                self.problems.push(loc.problem(at, Code::E004, msg));
            }
        }
    }

    fn add_rule(&mut self, loc: &Locator<'_>, rule: &Spanned<RuleDoc>) {
        let doc = rule.get_ref();
        let before = self.problems.len();
        let id = doc.id.get_ref();
        if !is_valid_id(id) {
            let msg =
                format!("rule id {id:?} must be lower-case letters and digits joined by . or -");
            self.problems
                .push(loc.problem(doc.id.span().start, Code::E010, msg));
        }
        if self.rule_ids.insert(id.clone(), ()).is_some() {
            let msg = format!("rule id {id:?} is used twice (ids are global)");
            self.problems
                .push(loc.problem(doc.id.span().start, Code::E003, msg));
        }
        let family = match doc.family.get_ref().parse::<Family>() {
            Ok(f) => Some(f),
            Err(e) => {
                let msg = format!("{e}; see rules/README.md for the list");
                self.problems
                    .push(loc.problem(doc.family.span().start, Code::E006, msg));
                None
            }
        };
        let weight = *doc.weight.get_ref();
        let legit = family == Some(Family::Legitimate);
        let range_ok = (-100..=100).contains(&weight) && weight != 0;
        if !range_ok || (family.is_some() && legit != (weight < 0)) {
            let msg = format!(
                "weight {weight} must be in 1..=100, or -100..=-1 for family \"legitimate\" only"
            );
            self.problems
                .push(loc.problem(doc.weight.span().start, Code::E007, msg));
        }
        let langs = self.langs(loc, doc);
        let explain = doc.explain.get_ref();
        if explain.zh.trim().is_empty() || explain.en.trim().is_empty() {
            self.problems.push(loc.problem(
                doc.explain.span().start,
                Code::E010,
                "explain needs both zh and en text",
            ));
        }
        let mut all = self.resolve(loc, &doc.all);
        let any = self.resolve(loc, &doc.any);
        let not = self.resolve(loc, &doc.not);
        if !doc.keywords.is_empty() || !doc.regex.is_empty() {
            let inline = self.new_cue(&format!("rule:{id}"));
            self.add_patterns(loc, inline, &doc.keywords, &doc.regex);
            all.push(inline);
        }
        if all.is_empty() && any.is_empty() {
            let msg = format!("rule {id} has nothing to match: give keywords, regex, all or any");
            self.problems
                .push(loc.problem(rule.span().start, Code::E009, msg));
        }
        let has_error = self.problems[before..].iter().any(|p| !p.code.is_warning());
        let (Some(family), false) = (family, has_error) else {
            return;
        };
        let examples = doc
            .examples
            .matches
            .iter()
            .map(|t| (t, true))
            .chain(doc.examples.no_match.iter().map(|t| (t, false)))
            .map(|(text, should_match)| {
                let p = loc.problem(text.span().start, Code::E008, "");
                Example {
                    text: text.get_ref().clone(),
                    should_match,
                    file: p.file,
                    line: p.line,
                    col: p.col,
                }
            })
            .collect();
        self.rules.push(Rule {
            id: id.clone(),
            family,
            weight: weight as i32,
            langs,
            all,
            any,
            not,
            explanation: Arc::new(Bilingual {
                zh: explain.zh.trim().to_string(),
                en: explain.en.trim().to_string(),
            }),
            examples,
        });
    }

    fn langs(&mut self, loc: &Locator<'_>, doc: &RuleDoc) -> u8 {
        let Some(langs) = &doc.langs else {
            return LANG_ZH | LANG_EN;
        };
        let mut mask = 0;
        for lang in langs.get_ref() {
            match lang.as_str() {
                "zh" => mask |= LANG_ZH,
                "en" => mask |= LANG_EN,
                other => {
                    let msg = format!("unknown language {other:?} (expected \"zh\" or \"en\")");
                    self.problems
                        .push(loc.problem(langs.span().start, Code::E006, msg));
                }
            }
        }
        if mask == 0 { LANG_ZH | LANG_EN } else { mask }
    }

    fn resolve(&mut self, loc: &Locator<'_>, names: &[Spanned<String>]) -> Vec<usize> {
        let mut ids = Vec::new();
        for name in names {
            match self.cue_ids.get(name.get_ref()) {
                Some(&id) => ids.push(id),
                None => {
                    let msg = format!(
                        "unknown cue {:?}; define it under [cue.NAME] or use a built-in @cue",
                        name.get_ref()
                    );
                    self.problems
                        .push(loc.problem(name.span().start, Code::E005, msg));
                }
            }
        }
        ids
    }

    fn finish(self) -> Result<(RuleSet, Vec<RuleProblem>), RuleErrors> {
        let mut problems = self.problems;
        problems.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        if problems.iter().any(|p| !p.code.is_warning()) {
            return Err(RuleErrors(problems));
        }
        let (patterns, keyword_cues): (Vec<String>, Vec<Vec<(usize, bool)>>) =
            self.keyword_cues.into_iter().unzip();
        let matcher = CueMatcher::new(patterns, keyword_cues, self.regexes, self.regex_cue)
            .map_err(|e| RuleErrors(vec![internal(one_line(&e))]))?;
        let set = RuleSet {
            cue_names: self.cue_names,
            matcher,
            rules: self.rules,
        };
        Ok((set, problems))
    }
}

fn internal(message: String) -> RuleProblem {
    RuleProblem {
        file: "(all rules)".into(),
        line: 1,
        col: 1,
        code: Code::E004,
        message,
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split(['.', '-']).all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The first upper-case ASCII letter that is a literal (not an escape such as `\D`,
/// a class name such as `\p{Han}`, or a group name).
fn uppercase_literal(pattern: &str) -> Option<char> {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some('p' | 'P') = chars.next()
                    && chars.peek() == Some(&'{')
                {
                    chars.by_ref().find(|&c| c == '}');
                }
            }
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                if chars.peek() == Some(&'P') {
                    chars.next();
                }
                if chars.peek() == Some(&'<') {
                    chars.by_ref().find(|&c| c == '>');
                }
            }
            c if c.is_ascii_uppercase() => return Some(c),
            _ => {}
        }
    }
    None
}
