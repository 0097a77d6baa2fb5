//! What the classifier returns: a verdict that explains itself.
//!
//! Invariants: `score` is 0..=100 and `level` follows from it; every signal names the
//! rule that fired and carries its evidence as byte spans of the original text.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;

/// Score at or above which a verdict is `high`.
pub const HIGH_AT: u8 = 70;
/// Score at or above which a verdict is `medium`.
pub const MEDIUM_AT: u8 = 40;

/// How risky a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Nothing or little points to a scam.
    Low,
    /// Several cues point to a scam.
    Medium,
    /// The message looks like a known scam pattern.
    High,
}

impl Level {
    /// The level for a score.
    pub fn from_score(score: u8) -> Self {
        match score {
            s if s >= HIGH_AT => Self::High,
            s if s >= MEDIUM_AT => Self::Medium,
            _ => Self::Low,
        }
    }

    /// Whether the level counts as "flagged" (medium or high).
    pub fn is_flagged(self) -> bool {
        self >= Self::Medium
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "low" => Ok(Self::Low),
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            _ => Err(format!(
                "unknown level {s:?} (expected low, medium or high)"
            )),
        }
    }
}

/// A language the explanations are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// The language for a Telegram-style language code (`zh-hans`, `en`, ...).
    pub fn from_code(code: &str) -> Self {
        if code.to_ascii_lowercase().starts_with("zh") {
            Self::Zh
        } else {
            Self::En
        }
    }

    /// The code, `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zh" => Ok(Self::Zh),
            "en" => Ok(Self::En),
            _ => Err(format!("unknown language {s:?} (expected zh or en)")),
        }
    }
}

/// The language a message is written in, as far as its script tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextLang {
    /// Mostly Chinese characters.
    Zh,
    /// Mostly English words.
    En,
    /// Anything else, or too little text to tell.
    Other,
}

impl TextLang {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
            Self::Other => "other",
        }
    }
}

/// A text in both languages the bot speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bilingual {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Bilingual {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

macro_rules! families {
    ($($variant:ident => $name:literal, $zh:literal, $en:literal;)*) => {
        /// A scam family (see `../shared/SCAMS.md`), or `Legitimate` for legitimacy cues.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Family { $( #[doc = $en] #[serde(rename = $name)] $variant, )* }

        impl Family {
            /// Every family, in a stable order.
            pub const ALL: &[Family] = &[$(Family::$variant,)*];

            /// The stable kebab-case name used in rule files and config.
            pub fn as_str(self) -> &'static str {
                match self { $(Family::$variant => $name,)* }
            }

            /// A short human name in `lang`.
            pub fn title(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Family::$variant, Lang::Zh) => $zh, (Family::$variant, Lang::En) => $en,)*
                }
            }
        }

        impl FromStr for Family {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Family::$variant),)*
                    _ => Err(format!("unknown family {s:?}")),
                }
            }
        }
    };
}

families! {
    PlatformImpersonation => "platform-impersonation", "冒充平台人员", "platform-staff impersonation";
    FreeRegistration => "free-registration", "免费开店/代注册", "free store registration";
    StoreOperation => "store-operation", "代运营/索要店铺权限", "store operation with full authority";
    OffChannelWithdrawal => "off-channel-withdrawal", "非正规提现/结汇", "off-channel withdrawal or FX";
    LoanAdvanceFee => "loan-advance-fee", "贷款先交费", "loan with fees up front";
    SuspensionPhishing => "suspension-phishing", "封号钓鱼", "account-suspension phishing";
    FakePspNotice => "fake-psp-notice", "假冒收款机构/银行通知", "fake PSP or bank notice";
    FakeBuyer => "fake-buyer", "假买家/保证金骗局", "fake buyer or deposit scam";
    IpComplaintPhishing => "ip-complaint-phishing", "假冒侵权投诉", "IP or brand complaint phishing";
    LogisticsFee => "logistics-fee", "物流/清关费用骗局", "logistics or customs fee scam";
    GeneralSmishing => "general-smishing", "诈骗短信", "smishing";
    CodeTheft => "code-theft", "骗取验证码/更换收款账户", "code theft or payee change";
    Legitimate => "legitimate", "正规通知特征", "signs of a genuine notice";
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a signal's evidence is, as byte offsets into the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Start byte offset in the original text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// The original text at that span.
    pub text: String,
}

/// One reason the verdict is what it is.
#[derive(Debug, Clone, Serialize)]
pub struct Signal {
    /// The id of the rule (or service check) that fired.
    pub rule_id: String,
    /// The family the rule belongs to.
    pub family: Family,
    /// Its weight: positive for scam evidence, negative for legitimacy.
    pub weight: i32,
    /// What matched.
    pub evidence: Vec<Evidence>,
    /// The explanation for users.
    pub explanation: Arc<Bilingual>,
}

/// What kind of thing an indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorKind {
    /// A URL or bare domain; the value is the host.
    Url,
    /// A phone number in E.164-like form.
    Phone,
    /// An e-mail address.
    Email,
    /// A WeChat ID.
    Wechat,
    /// A QQ number.
    Qq,
    /// A Telegram handle.
    Telegram,
    /// A WhatsApp number.
    Whatsapp,
}

impl IndicatorKind {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Wechat => "wechat",
            Self::Qq => "qq",
            Self::Telegram => "telegram",
            Self::Whatsapp => "whatsapp",
        }
    }
}

/// A contact point or link found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    /// What it is.
    pub kind: IndicatorKind,
    /// Its canonical value (host for URLs, digits for numbers, lower-case IDs).
    pub value: String,
    /// For URLs and e-mails: the registrable domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The official channel it belongs to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub official: Option<String>,
    /// The brand it imitates, for a non-official domain that carries a brand name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imitates: Option<String>,
    /// Whether the link goes through a URL shortener.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shortener: bool,
    /// Whether it came from a hidden link target rather than the visible text.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// Where it is in the original text (absent for hidden link targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

impl Indicator {
    /// The key it is stored under: `kind:value`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.value)
    }
}

/// The classifier's answer for one message.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// 0 (nothing suspicious) to 100 (a known scam pattern).
    pub score: u8,
    /// The level that follows from the score.
    pub level: Level,
    /// The scam family with the most evidence, if any fired.
    pub family: Option<Family>,
    /// The language of the message.
    pub lang: TextLang,
    /// Every signal that fired, strongest first.
    pub signals: Vec<Signal>,
    /// Every indicator found.
    pub indicators: Vec<Indicator>,
}

/// The rule that recognises a member warning others about a scam (`rules/grammar.toml`).
pub const MEMBER_WARNING_RULE: &str = "legit.member-warning";

impl Verdict {
    /// Whether the message warns others about a scam (quotes it, names it a scam, tells
    /// people not to click) rather than being the scam: groups never warn about or delete
    /// such a message.
    pub fn warns_about_scam(&self) -> bool {
        self.signals
            .iter()
            .any(|s| s.rule_id == MEMBER_WARNING_RULE)
    }

    /// Recomputes score, level and family from the signals (after a caller adds some).
    pub fn rescore(&mut self) {
        self.signals
            .sort_by(|a, b| b.weight.cmp(&a.weight).then(a.rule_id.cmp(&b.rule_id)));
        self.score = combine(self.signals.iter().map(|s| s.weight));
        self.level = Level::from_score(self.score);
        self.family = main_family(&self.signals);
    }
}

/// Combines weights: positive ones as independent evidence (noisy-OR), damped by the
/// negative ones combined the same way.
pub fn combine(weights: impl IntoIterator<Item = i32>) -> u8 {
    let (mut scam_absent, mut legit_absent) = (1.0_f64, 1.0_f64);
    for w in weights {
        let p = f64::from(w.clamp(-100, 100)).abs() / 100.0;
        if w > 0 {
            scam_absent *= 1.0 - p;
        } else {
            legit_absent *= 1.0 - p;
        }
    }
    let score = 100.0 * (1.0 - scam_absent) * legit_absent;
    score.round().clamp(0.0, 100.0) as u8
}

/// The family with the largest summed positive weight.
fn main_family(signals: &[Signal]) -> Option<Family> {
    let mut totals: Vec<(Family, i32)> = Vec::new();
    for s in signals.iter().filter(|s| s.weight > 0) {
        match totals.iter_mut().find(|(f, _)| *f == s.family) {
            Some((_, total)) => *total += s.weight,
            None => totals.push((s.family, s.weight)),
        }
    }
    totals
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(f, _)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_combine_as_evidence_not_as_a_sum() {
        assert_eq!(combine([]), 0);
        assert_eq!(combine([20]), 20);
        assert_eq!(combine([50, 50]), 75);
        assert_eq!(combine([50, 50, -50]), 38);
        assert_eq!(combine([100, -100]), 0);
        assert_eq!(combine([300]), 100);
    }

    #[test]
    fn levels_follow_scores() {
        assert_eq!(Level::from_score(39), Level::Low);
        assert_eq!(Level::from_score(40), Level::Medium);
        assert_eq!(Level::from_score(70), Level::High);
    }

    #[test]
    fn family_names_round_trip() {
        for f in Family::ALL {
            assert_eq!(f.as_str().parse::<Family>(), Ok(*f));
        }
    }
}
