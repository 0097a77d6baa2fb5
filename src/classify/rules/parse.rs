//! The TOML shape of a rule file, parsed with positions so every later problem can
//! name its line and column. Nothing here judges meaning; `compile` does.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::error::{Code, Locator, RuleProblem};

/// One rule file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDoc {
    /// Named cues.
    #[serde(default)]
    pub cue: BTreeMap<Spanned<String>, Spanned<CueDoc>>,
    /// Rules.
    #[serde(default)]
    pub rule: Vec<Spanned<RuleDoc>>,
}

/// A named cue: literal keywords and regexes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueDoc {
    /// Literal substrings.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Literal whole words or phrases: they match only where no letter or digit touches
    /// them (`lock` is not found in `block`).
    #[serde(default)]
    pub words: Vec<Spanned<String>>,
    /// Regexes.
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
}

/// A rule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// Stable id.
    pub id: Spanned<String>,
    /// Scam family name.
    pub family: Spanned<String>,
    /// Weight, -100..=100 without 0.
    pub weight: Spanned<i64>,
    /// Languages the rule applies to.
    #[serde(default)]
    pub langs: Option<Spanned<Vec<String>>>,
    /// Inline keywords.
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    /// Inline regexes.
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    /// Cues that must all fire.
    #[serde(default)]
    pub all: Vec<Spanned<String>>,
    /// Cues of which one must fire.
    #[serde(default)]
    pub any: Vec<Spanned<String>>,
    /// Cues none of which may fire.
    #[serde(default)]
    pub not: Vec<Spanned<String>>,
    /// Explanation for users.
    pub explain: Spanned<ExplainDoc>,
    /// Examples checked by `rules check`.
    #[serde(default)]
    pub examples: ExamplesDoc,
}

/// A bilingual explanation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainDoc {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// Examples a rule must and must not match.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamplesDoc {
    /// Texts the rule must fire on.
    #[serde(default, rename = "match")]
    pub matches: Vec<Spanned<String>>,
    /// Texts the rule must not fire on.
    #[serde(default)]
    pub no_match: Vec<Spanned<String>>,
}

/// Parses one file, or says where and why it is not a rule file: `E001` when it is
/// not TOML at all, `E002` when it is TOML of the wrong shape.
pub fn parse_file(loc: &Locator<'_>, text: &str) -> Result<FileDoc, RuleProblem> {
    let problem = |e: toml::de::Error, code| {
        let offset = e.span().map_or(0, |s| s.start);
        loc.problem(offset, code, e.message().trim().replace('\n', " "))
    };
    text.parse::<toml::Table>()
        .map_err(|e| problem(e, Code::E001))?;
    toml::from_str::<FileDoc>(text).map_err(|e| problem(e, Code::E002))
}
