//! The rule set: rule files compiled once into an immutable matcher.
//!
//! Invariants: a `RuleSet` only exists if every file compiled without error; all
//! keywords live in one Aho-Corasick automaton and a regex runs only when a literal
//! it needs occurs (`engine`), so matching cost stays flat as rules are added.
//! Compiling takes rule *text*, never paths.

mod compile;
mod engine;
mod error;
mod parse;
mod prefilter;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::sync::Arc;

pub use compile::compile;
pub use error::{Code, RuleErrors, RuleProblem};

use engine::CueMatcher;

use super::verdict::{Bilingual, Family};

/// A rule file's name and contents.
#[derive(Debug, Clone)]
pub struct RuleSource {
    /// The name problems are reported under (usually the path).
    pub name: String,
    /// The TOML text.
    pub text: String,
}

/// Cues computed from indicators rather than written in rule files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Any link.
    Link,
    /// A link to an official domain.
    OfficialLink,
    /// A link to a non-official domain.
    UnofficialLink,
    /// Links, all official, and no private contact.
    OnlyOfficialLinks,
    /// A brand inside a non-official domain.
    BrandDomain,
    /// A URL shortener.
    Shortener,
    /// A link to a bare IP address.
    IpLink,
    /// Any phone number.
    Phone,
    /// A mobile number.
    Mobile,
    /// An e-mail address.
    Email,
    /// A WeChat ID.
    Wechat,
    /// A QQ number.
    Qq,
    /// A Telegram handle or link.
    Telegram,
    /// A WhatsApp number.
    Whatsapp,
    /// Any private contact channel.
    PrivateContact,
    /// The message names an entity from the lexicon (who it claims to be).
    ClaimedSender,
    /// A link to a claimed entity's own domain, or one of its sender IDs or numbers.
    SenderChannel,
    /// A link masked by whoever quoted the message, or one only implied.
    MaskedLink,
    /// A way out of the official channel: an unofficial, masked or look-alike link, a
    /// phone number, a private contact or an e-mail address.
    OffChannel,
    /// An unofficial, masked, look-alike, shortened or bare-IP link (a link is itself an
    /// ask: it is there to be clicked).
    OffChannelLink,
    /// A phone number, private contact or e-mail address.
    OffChannelContact,
}

impl Builtin {
    /// Every built-in cue with its name; the position is its cue id.
    pub const ALL: [(&'static str, Builtin); 21] = [
        ("@link", Builtin::Link),
        ("@official_link", Builtin::OfficialLink),
        ("@unofficial_link", Builtin::UnofficialLink),
        ("@only_official_links", Builtin::OnlyOfficialLinks),
        ("@brand_domain", Builtin::BrandDomain),
        ("@shortener", Builtin::Shortener),
        ("@ip_link", Builtin::IpLink),
        ("@phone", Builtin::Phone),
        ("@mobile", Builtin::Mobile),
        ("@email", Builtin::Email),
        ("@wechat", Builtin::Wechat),
        ("@qq", Builtin::Qq),
        ("@telegram", Builtin::Telegram),
        ("@whatsapp", Builtin::Whatsapp),
        ("@private_contact", Builtin::PrivateContact),
        ("@claimed_sender", Builtin::ClaimedSender),
        ("@sender_channel", Builtin::SenderChannel),
        ("@masked_link", Builtin::MaskedLink),
        ("@offchannel", Builtin::OffChannel),
        ("@offchannel_link", Builtin::OffChannelLink),
        ("@offchannel_contact", Builtin::OffChannelContact),
    ];

    /// The cue id of this built-in.
    pub fn id(self) -> usize {
        Self::ALL
            .iter()
            .position(|(_, b)| *b == self)
            .expect("every built-in is listed")
    }
}

/// Whether `range` of `text` stands on its own: no ASCII letter or digit right before
/// or after it.
fn is_whole_word(text: &[u8], range: Range<usize>) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric();
    !range
        .start
        .checked_sub(1)
        .and_then(|i| text.get(i))
        .is_some_and(word)
        && !text.get(range.end).is_some_and(word)
}

/// Bit mask of message languages a rule applies to.
pub const LANG_ZH: u8 = 1;
/// See [`LANG_ZH`].
pub const LANG_EN: u8 = 2;

/// Where a cue matched: `Some(range)` in the original text, `None` when the match
/// has no visible place (a hidden link target).
pub type Hit = Option<Range<usize>>;

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Family.
    pub family: Family,
    /// Weight.
    pub weight: i32,
    langs: u8,
    all: Vec<usize>,
    any: Vec<usize>,
    not: Vec<usize>,
    /// Explanation for users.
    pub explanation: Arc<Bilingual>,
    examples: Vec<Example>,
}

/// A rule's embedded example and where it is written.
#[derive(Debug)]
struct Example {
    text: String,
    should_match: bool,
    file: String,
    line: usize,
    col: usize,
}

/// An immutable, compiled set of rules.
#[derive(Debug)]
pub struct RuleSet {
    cue_names: Vec<String>,
    matcher: CueMatcher,
    rules: Vec<Rule>,
}

/// A rule that fired and the original-text spans of the cues that made it fire.
#[derive(Debug)]
pub struct Fired<'a> {
    /// The rule.
    pub rule: &'a Rule,
    /// Evidence spans.
    pub evidence: Vec<Hit>,
}

impl RuleSet {
    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The number of cues, built-in ones included.
    pub fn cue_count(&self) -> usize {
        self.cue_names.len()
    }

    /// The name of cue `id` (built-in ones start with `@`).
    pub fn cue_name(&self, id: usize) -> &str {
        &self.cue_names[id]
    }

    /// Finds where each cue matches in normalised text; `to_original` maps a
    /// normalised byte range to the original. `hits` must hold one slot per cue and
    /// may already carry built-in hits.
    pub fn match_cues(
        &self,
        normalized: &str,
        to_original: impl Fn(Range<usize>) -> Range<usize>,
        hits: &mut [Option<Hit>],
    ) {
        self.matcher.match_cues(normalized, to_original, hits);
    }

    /// The rules that fire for these cue hits and message languages.
    pub fn fire(&self, hits: &[Option<Hit>], langs: u8) -> Vec<Fired<'_>> {
        let fired = |cue: &usize| hits[*cue].is_some();
        self.rules
            .iter()
            .filter(|r| r.langs & langs != 0)
            .filter(|r| r.all.iter().all(fired))
            .filter(|r| r.any.is_empty() || r.any.iter().any(fired))
            .filter(|r| !r.not.iter().any(fired))
            .map(|rule| Fired {
                rule,
                evidence: rule
                    .all
                    .iter()
                    .chain(&rule.any)
                    .filter_map(|c| hits[*c].clone())
                    .collect(),
            })
            .collect()
    }

    /// Runs every rule's examples through `fires(text, rule_id)` and reports each
    /// example that does not behave as declared.
    pub fn check_examples(&self, fires: impl Fn(&str, &str) -> bool) -> Vec<RuleProblem> {
        let mut problems = Vec::new();
        for rule in &self.rules {
            for ex in &rule.examples {
                if fires(&ex.text, &rule.id) != ex.should_match {
                    let expectation = if ex.should_match {
                        "should match"
                    } else {
                        "should not match"
                    };
                    problems.push(RuleProblem {
                        file: ex.file.clone(),
                        line: ex.line,
                        col: ex.col,
                        code: Code::E008,
                        message: format!("rule {} {expectation} example {:?}", rule.id, ex.text),
                    });
                }
            }
        }
        problems
    }
}
