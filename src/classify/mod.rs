//! The classifier: pure, synchronous, infallible at classify time.
//!
//! `Classifier::new` takes rule *text* and the official channels and compiles them
//! once; `classify` then turns a message into a `Verdict` that explains itself. No
//! I/O, no clock, no globals: everything it knows arrives through its arguments.

pub mod channels;
pub mod indicators;
pub mod masked;
pub mod model;
pub mod normalize;
pub mod rules;
pub mod verdict;

use std::ops::Range;
use std::sync::Arc;

pub use channels::{Channels, Claim, OfficialEntry};
pub use rules::{Code, RuleErrors, RuleProblem, RuleSet, RuleSource};
pub use verdict::{
    Bilingual, Evidence, Family, Indicator, IndicatorKind, Lang, Level, Signal, TextLang, Verdict,
};

use indicators::{Extractor, is_mobile};
use masked::MaskedLinks;
use model::{Features, LinearModel, Opinion};
use normalize::{Normalized, is_han};
use rules::{Builtin, Hit, LANG_EN, LANG_ZH};

/// What to classify: the visible text and any hidden link targets beside it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Message<'a> {
    /// The text (or caption, or OCR output).
    pub text: &'a str,
    /// Targets of links whose visible text differs (Telegram `text_link` entities).
    pub hidden_links: &'a [String],
}

impl<'a> Message<'a> {
    /// A message with only text.
    pub fn text(text: &'a str) -> Self {
        Self {
            text,
            hidden_links: &[],
        }
    }
}

/// A compiled classifier: rules, official channels and indicator extractors.
#[derive(Debug)]
pub struct Classifier {
    rules: RuleSet,
    channels: Channels,
    extractor: Extractor,
    masked: MaskedLinks,
    model: Option<Arc<LinearModel>>,
}

/// What the classifier reads off a message before any rule fires.
struct Reading {
    normalized: Normalized,
    indicators: Vec<Indicator>,
    hits: Vec<Option<Hit>>,
}

impl Classifier {
    /// Compiles `sources`; returns the classifier and the warnings, or every problem.
    pub fn new(
        sources: &[RuleSource],
        channels: Channels,
    ) -> Result<(Self, Vec<RuleProblem>), RuleErrors> {
        let (rules, warnings) = rules::compile(sources)?;
        let classifier = Self {
            rules,
            channels,
            extractor: Extractor::new(),
            masked: MaskedLinks::new(),
            model: None,
        };
        Ok((classifier, warnings))
    }

    /// The compiled rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The official channels.
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// The same classifier with a learned model as second opinion (or none).
    pub fn with_model(mut self, model: Option<Arc<LinearModel>>) -> Self {
        self.model = model;
        self
    }

    /// The learned model, if one is loaded.
    pub fn model(&self) -> Option<&Arc<LinearModel>> {
        self.model.as_ref()
    }

    /// Judges one message.
    pub fn classify(&self, message: Message<'_>) -> Verdict {
        let original = message.text;
        let Reading {
            normalized,
            indicators,
            hits,
        } = self.read(message);
        let text = normalized.as_str();
        let (langs, lang) = detect_langs(text);
        let mut signals: Vec<Signal> = self
            .rules
            .fire(&hits, langs)
            .into_iter()
            .map(|fired| Signal {
                rule_id: fired.rule.id.clone(),
                family: fired.rule.family,
                weight: fired.rule.weight,
                evidence: evidence(original, fired.evidence),
                explanation: fired.rule.explanation.clone(),
            })
            .collect();
        // The model's signal is positive and at most 30: it cannot change a verdict that
        // no rule pointed at, nor one already high, so it is not computed for those.
        let rules_score = verdict::combine(signals.iter().map(|s| s.weight).filter(|w| *w > 0));
        let model_matters = rules_score > 0 && Level::from_score(rules_score) < Level::High;
        if let Some(model) = self.model.as_ref().filter(|_| model_matters) {
            let opinion = model.judge(&self.features_of(text, &hits));
            let spans = opinion
                .phrases
                .iter()
                .map(|r| Some(normalized.original_span(r.clone())))
                .collect();
            if let Some(signal) = model_signal(&opinion, evidence(original, spans), &signals) {
                signals.push(signal);
            }
        }
        let mut verdict = Verdict {
            score: 0,
            level: Level::Low,
            family: None,
            lang,
            signals,
            indicators,
        };
        verdict.rescore();
        verdict
    }

    /// The features the learned model reads off a message (for training).
    pub fn features(&self, message: Message<'_>) -> Features {
        let reading = self.read(message);
        self.features_of(reading.normalized.as_str(), &reading.hits)
    }

    /// The names of the cues a message fires, in cue order (for `rules explain`).
    pub fn fired_cues(&self, message: Message<'_>) -> Vec<&str> {
        let reading = self.read(message);
        (0..reading.hits.len())
            .filter(|&i| reading.hits[i].is_some())
            .map(|i| self.rules.cue_name(i))
            .collect()
    }

    fn features_of(&self, text: &str, hits: &[Option<Hit>]) -> Features {
        let fired = (0..hits.len())
            .filter(|&i| hits[i].is_some())
            .map(|i| self.rules.cue_name(i));
        Features::new(text, fired)
    }

    fn read(&self, message: Message<'_>) -> Reading {
        let original = message.text;
        let normalized = Normalized::new(original);
        let text = normalized.as_str();
        let indicators =
            self.extractor
                .extract(&normalized, original, message.hidden_links, &self.channels);
        let mut hits: Vec<Option<Hit>> = vec![None; self.rules.cue_count()];
        builtin_hits(&indicators, &mut hits);
        let claims = self.channels.claims(text);
        let masked = self.masked.find(text);
        grammar_hits(
            &claims,
            masked.map(|r| normalized.original_span(r)),
            &indicators,
            |r| normalized.original_span(r),
            &mut hits,
        );
        self.rules
            .match_cues(text, |r| normalized.original_span(r), &mut hits);
        Reading {
            normalized,
            indicators,
            hits,
        }
    }

    /// Runs every rule's embedded examples; returns the ones that misbehave.
    pub fn check_examples(&self) -> Vec<RuleProblem> {
        self.rules.check_examples(|text, rule_id| {
            self.classify(Message::text(text))
                .signals
                .iter()
                .any(|s| s.rule_id == rule_id)
        })
    }
}

/// The id of the learned model's signal.
pub const MODEL_RULE: &str = "model.base";

/// The learned model's opinion as a signal. It assists, never decides: it speaks only
/// when fairly sure a message is a scam (calibrated probability at least 0.7), and on its
/// own it stays below `medium` (at most 30, at a probability of 1). It never damps:
/// measured on held-out sources, even a damping of at most 5 cost more caught scams
/// (phishing e-mails, unlike the SMS it learnt from) than it saved false alarms.
fn model_signal(opinion: &Opinion, evidence: Vec<Evidence>, signals: &[Signal]) -> Option<Signal> {
    let p = f64::from(opinion.probability);
    let weight = if p >= 0.7 {
        (100.0 * (p - 0.7)).round() as i32
    } else {
        0
    };
    if weight == 0 {
        return None;
    }
    let percent = (p * 100.0).round();
    let quoted: Vec<String> = evidence.iter().map(|e| format!("“{}”", e.text)).collect();
    let (zh, en) = if quoted.is_empty() {
        (
            format!("模型（用真实消息训练）认为它像诈骗消息（{percent}%）。"),
            format!("A model trained on real messages finds it scam-like ({percent}%)."),
        )
    } else {
        (
            format!(
                "模型（用真实消息训练）认为它像诈骗消息（{percent}%），主要因为：{}。",
                quoted.join("、")
            ),
            format!(
                "A model trained on real messages finds it scam-like ({percent}%), mostly because of {}.",
                quoted.join(", ")
            ),
        )
    };
    let family = signals
        .iter()
        .filter(|s| s.weight > 0)
        .map(|s| s.family)
        .next()
        .unwrap_or(Family::GeneralSmishing);
    Some(Signal {
        rule_id: MODEL_RULE.to_string(),
        family,
        weight,
        evidence,
        explanation: Arc::new(Bilingual { zh, en }),
    })
}

/// Marks the built-in cues the indicators make fire.
fn builtin_hits(indicators: &[Indicator], hits: &mut [Option<Hit>]) {
    let span = |i: &Indicator| i.evidence.as_ref().map(|e| e.start..e.end);
    let mut set = |b: Builtin, i: &Indicator| {
        hits[b.id()].get_or_insert_with(|| span(i));
    };
    let mut links = 0;
    let mut official_links = 0;
    for i in indicators {
        match i.kind {
            IndicatorKind::Url => {
                links += 1;
                set(Builtin::Link, i);
                if i.official.is_some() {
                    official_links += 1;
                    set(Builtin::OfficialLink, i);
                } else {
                    set(Builtin::UnofficialLink, i);
                }
                if i.imitates.is_some() {
                    set(Builtin::BrandDomain, i);
                }
                if i.shortener {
                    set(Builtin::Shortener, i);
                }
                if i.value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    set(Builtin::IpLink, i);
                }
            }
            IndicatorKind::Email => {
                set(Builtin::Email, i);
                if i.imitates.is_some() {
                    set(Builtin::BrandDomain, i);
                }
            }
            IndicatorKind::Phone => {
                set(Builtin::Phone, i);
                if is_mobile(&i.value) {
                    set(Builtin::Mobile, i);
                    set(Builtin::PrivateContact, i);
                }
            }
            IndicatorKind::Wechat => private(&mut set, Builtin::Wechat, i),
            IndicatorKind::Qq => private(&mut set, Builtin::Qq, i),
            IndicatorKind::Telegram => private(&mut set, Builtin::Telegram, i),
            IndicatorKind::Whatsapp => private(&mut set, Builtin::Whatsapp, i),
        }
    }
    if links > 0 && links == official_links && hits[Builtin::PrivateContact.id()].is_none() {
        let first = indicators
            .iter()
            .find(|i| i.official.is_some())
            .and_then(span);
        hits[Builtin::OnlyOfficialLinks.id()] = Some(first);
    }
}

/// Marks the built-in cues of the scam grammar: who the message claims to be
/// (`@claimed_sender`), whether it points to that sender's own channel
/// (`@sender_channel`), a masked link, and any way out of the official channel.
fn grammar_hits(
    claims: &[Claim],
    masked: Option<Range<usize>>,
    indicators: &[Indicator],
    to_original: impl Fn(Range<usize>) -> Range<usize>,
    hits: &mut [Option<Hit>],
) {
    let named = |entity: &str| claims.iter().any(|c| !c.sender && c.entity == entity);
    if let Some(claim) = claims.iter().find(|c| !c.sender) {
        hits[Builtin::ClaimedSender.id()] = Some(Some(to_original(claim.range.clone())));
    }
    let own_link = indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::Url && i.official.as_deref().is_some_and(&named));
    if let Some(link) = own_link {
        hits[Builtin::SenderChannel.id()] = Some(link.evidence.as_ref().map(|e| e.start..e.end));
    } else {
        // A sender ID inside a link (`10086-jf.cc`) is a disguise, not the sender's number.
        let in_link = |r: &Range<usize>| {
            indicators.iter().any(|i| {
                matches!(i.kind, IndicatorKind::Url | IndicatorKind::Email)
                    && i.evidence
                        .as_ref()
                        .is_some_and(|e| e.start < r.end && r.start < e.end)
            })
        };
        let quoted = claims
            .iter()
            .filter(|c| c.sender)
            .map(|c| to_original(c.range.clone()))
            .find(|r| !in_link(r));
        if let Some(range) = quoted {
            hits[Builtin::SenderChannel.id()] = Some(Some(range));
        }
    }
    if let Some(range) = masked {
        hits[Builtin::MaskedLink.id()] = Some(Some(range));
    }
    let first =
        |cues: &[Builtin], hits: &[Option<Hit>]| cues.iter().find_map(|b| hits[b.id()].clone());
    // "Click the link" next to a real link means that link: a masked or implied link
    // is a way out only in a message that shows none.
    let shows_a_link = indicators.iter().any(|i| i.kind == IndicatorKind::Url);
    let links: &[Builtin] = if shows_a_link {
        &[Builtin::BrandDomain, Builtin::Shortener, Builtin::IpLink]
    } else {
        &[Builtin::MaskedLink]
    };
    let contacts = [Builtin::Phone, Builtin::PrivateContact, Builtin::Email];
    let unofficial = indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::Url && i.official.is_none() && looks_like_a_link(i))
        .map(|i| i.evidence.as_ref().map(|e| e.start..e.end));
    let link = unofficial.or_else(|| first(links, hits));
    let contact = first(&contacts, hits);
    for (cue, hit) in [
        (Builtin::OffChannelLink, link.clone()),
        (Builtin::OffChannelContact, contact.clone()),
        (Builtin::OffChannel, link.or(contact)),
    ] {
        if hit.is_some() {
            hits[cue.id()] = hit;
        }
    }
}

/// Whether an unofficial URL reads as a link someone is meant to open rather than two
/// words joined by a missing space (`days.so`, `Hello.How`): it has a scheme, `www.` or
/// a path, is hidden behind other text, or ends in a top-level domain links use.
fn looks_like_a_link(i: &Indicator) -> bool {
    const TLDS: &[&str] = &[
        "com", "net", "org", "info", "biz", "top", "xyz", "cc", "vip", "shop", "site", "online",
        "club", "live", "app", "io", "co", "me", "us", "uk", "cn", "tw", "hk", "ru", "de", "fr",
        "link", "click", "icu", "buzz", "work", "cyou", "sbs", "bond", "lol", "world", "store",
        "tk", "ml", "ga", "cf", "gq", "pw", "ws", "in", "tv", "ly", "gd", "de", "es", "it", "nl",
        "ca", "au", "sg", "my", "ph", "vn", "th", "id", "br", "mx", "pe", "bd", "pk", "ng", "ke",
        "za", "eg", "ae", "sa", "tr", "pl", "se", "be", "ch", "at", "ie", "nz", "jp", "kr", "su",
        "asia", "mobi", "pro", "page", "digital", "support", "services", "help", "center",
    ];
    let Some(evidence) = &i.evidence else {
        return true;
    };
    let text = evidence.text.to_ascii_lowercase();
    if i.hidden || i.shortener || text.contains("://") || text.starts_with("www.") {
        return true;
    }
    let host = text.split(['/', '?', '#']).next().unwrap_or("");
    if text.len() > host.len() + 1 {
        return true;
    }
    let tld = host.rsplit('.').next().unwrap_or("");
    let lower_case = evidence.text.split(['/', '?', '#']).next() == Some(host);
    lower_case && TLDS.contains(&tld)
}

fn private(set: &mut impl FnMut(Builtin, &Indicator), kind: Builtin, i: &Indicator) {
    set(kind, i);
    set(Builtin::PrivateContact, i);
}

/// Turns cue spans into evidence, merged and without duplicates.
fn evidence(original: &str, hits: Vec<Hit>) -> Vec<Evidence> {
    let mut spans: Vec<Range<usize>> = hits.into_iter().flatten().collect();
    spans.sort_by_key(|r| (r.start, r.end));
    spans.dedup();
    spans
        .into_iter()
        .filter(|r| original.get(r.clone()).is_some())
        .map(|r| Evidence {
            text: original[r.clone()].to_string(),
            start: r.start,
            end: r.end,
        })
        .collect()
}

/// English function words that tell English from other Latin-script languages.
const ENGLISH_WORDS: &[&str] = &[
    "the", "you", "your", "to", "is", "and", "for", "of", "in", "on", "call", "please", "now",
    "we", "are", "this", "with", "account", "click", "have", "will", "our", "it", "be", "my", "i",
    "a",
];

/// Which rule languages apply to a normalised text, and its main language.
fn detect_langs(text: &str) -> (u8, TextLang) {
    let han = text.chars().filter(|&c| is_han(c)).count();
    let latin = text.bytes().filter(u8::is_ascii_alphabetic).count();
    let english = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| ENGLISH_WORDS.contains(&w));
    let mut mask = 0;
    if han >= 2 {
        mask |= LANG_ZH;
    }
    if latin >= 4 {
        mask |= LANG_EN;
    }
    let lang = if han >= 2 && han * 4 >= latin {
        TextLang::Zh
    } else if latin >= 4 && english {
        TextLang::En
    } else {
        TextLang::Other
    };
    (if mask == 0 { LANG_ZH | LANG_EN } else { mask }, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
[cue.lockword]
words = ["lock", "on hold"]

[[rule]]
id = "t.lock"
family = "general-smishing"
weight = 50
all = ["lockword"]
explain = { zh = "锁定", en = "locked" }
"#;

    fn classifier() -> Classifier {
        let source = RuleSource {
            name: "t.toml".into(),
            text: RULES.into(),
        };
        Classifier::new(&[source], Channels::default()).unwrap().0
    }

    #[test]
    fn words_match_only_whole_words() {
        let c = classifier();
        let fires = |text: &str| {
            c.classify(Message::text(text))
                .signals
                .iter()
                .any(|s| s.rule_id == "t.lock")
        };
        assert!(fires("We will LOCK your card"));
        assert!(fires("your parcel is on hold."));
        assert!(fires("账户lock了"));
        assert!(!fires("please unblock the door"));
        assert!(!fires("the clock is on holding pattern"));
    }
}
