//! The verdict card: what a seller reads, independent of how a front end draws it.
//!
//! Invariants: every card has a marker, a one-line headline, at most `MAX_REASONS`
//! reasons (strongest first, no repeats) and advice; all text is in one language and
//! is plain (front ends escape it for their own markup).

use crate::classify::{Family, IndicatorKind, Lang, Level, TextLang, Verdict};

use super::Advice;
use super::advice::Region;

/// Most reasons shown on a card (the strongest; the card must fit a phone screen).
pub const MAX_REASONS: usize = 2;
/// Longest evidence quote shown, in characters.
const MAX_QUOTE: usize = 60;

/// A rendered verdict, ready for any front end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The level.
    pub level: Level,
    /// The score, 0..=100.
    pub score: u8,
    /// The main family, if any.
    pub family: Option<Family>,
    /// One line: level and what it looks like.
    pub headline: String,
    /// Why, in plain words, each with what matched.
    pub reasons: Vec<String>,
    /// Links and contacts found, with whether they are official.
    pub indicators: Vec<String>,
    /// What to do, with the safe channel.
    pub advice: String,
    /// The language of the card.
    pub lang: Lang,
    /// Whether the message warns others about a scam (and is not one itself).
    pub member_warning: bool,
}

impl Card {
    /// Builds the card for `verdict` in `lang`, for a reader in `region` (whose
    /// hotlines and reporting addresses follow the advice).
    pub fn new(verdict: &Verdict, advice: &Advice, lang: Lang, region: Region) -> Self {
        let zh = lang == Lang::Zh;
        let family_title = verdict.family.map(|f| f.title(lang));
        let member_warning = verdict.warns_about_scam() && !verdict.level.is_flagged();
        let headline = match (verdict.level, family_title, zh) {
            _ if member_warning && zh => {
                "防骗提醒：这条消息在提醒别人，本身不是诈骗；别使用其中引用的链接和号码".to_string()
            }
            _ if member_warning => {
                "A scam warning: it warns others and is not the scam itself; do not use what it quotes"
                    .to_string()
            }
            (Level::High, Some(f), true) => format!("高风险：很可能是诈骗（{f}）"),
            (Level::High, Some(f), false) => format!("High risk: very likely a scam ({f})"),
            (Level::High, None, true) => "高风险：很可能是诈骗".to_string(),
            (Level::High, None, false) => "High risk: very likely a scam".to_string(),
            (Level::Medium, Some(f), true) => format!("中风险：有多个可疑特征（{f}）"),
            (Level::Medium, Some(f), false) => format!("Medium risk: several warning signs ({f})"),
            (Level::Medium, None, true) => "中风险：有多个可疑特征".to_string(),
            (Level::Medium, None, false) => "Medium risk: several warning signs".to_string(),
            (Level::Low, _, true) => "低风险：未发现明显的诈骗特征".to_string(),
            (Level::Low, _, false) => "Low risk: no clear scam pattern found".to_string(),
        };
        let flagged = verdict.level.is_flagged();
        let mut reasons: Vec<String> = Vec::new();
        // A member's warning says so first; otherwise the strongest reasons lead.
        let mut ordered: Vec<&crate::classify::Signal> = verdict.signals.iter().collect();
        if member_warning {
            ordered.sort_by_key(|s| s.rule_id != crate::classify::verdict::MEMBER_WARNING_RULE);
        }
        for signal in ordered.into_iter().filter(|s| !flagged || s.weight > 0) {
            let mut reason = signal.explanation.get(lang).to_string();
            if let Some(quote) = signal
                .evidence
                .iter()
                .map(|e| e.text.trim())
                .find(|t| !t.is_empty())
            {
                let open = if zh { "（“" } else { " (\u{201C}" };
                let close = if zh { "”）" } else { "\u{201D})" };
                reason = format!("{reason}{open}{}{close}", shorten(quote, MAX_QUOTE));
            }
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
            if reasons.len() == MAX_REASONS {
                break;
            }
        }
        let indicators = verdict
            .indicators
            .iter()
            .map(|i| describe_indicator(i, lang))
            .collect();
        // The first screen: the family's safe channel. What to do after being caught
        // and the general rules are "More advice" (`more_advice`).
        let safe_channel = if flagged {
            advice.for_family(verdict.family, lang)
        } else {
            advice.general(lang)
        };
        let advice = advice.with_reporting(safe_channel, region, lang, true);
        Self {
            level: verdict.level,
            score: verdict.score,
            family: verdict.family,
            headline,
            reasons,
            indicators,
            advice,
            lang,
            member_warning,
        }
    }

    /// The level marker that starts the card.
    pub fn marker(&self) -> &'static str {
        if self.member_warning {
            return "ℹ️";
        }
        match self.level {
            Level::High => "🚨",
            Level::Medium => "⚠️",
            Level::Low => "✅",
        }
    }

    /// The card as plain text (for the terminal).
    pub fn to_plain_text(&self) -> String {
        let zh = self.lang == Lang::Zh;
        let mut out = format!("{} {} [{}/100]\n", self.marker(), self.headline, self.score);
        if !self.reasons.is_empty() {
            out.push_str(if zh { "\n原因：\n" } else { "\nWhy:\n" });
            for r in &self.reasons {
                out.push_str(&format!("  • {r}\n"));
            }
        }
        if !self.indicators.is_empty() {
            out.push_str(if zh {
                "\n发现的链接和联系方式：\n"
            } else {
                "\nLinks and contacts found:\n"
            });
            for i in &self.indicators {
                out.push_str(&format!("  • {i}\n"));
            }
        }
        out.push_str(if zh {
            "\n建议：\n"
        } else {
            "\nWhat to do:\n"
        });
        for line in self.advice.lines() {
            out.push_str(&format!("  {line}\n"));
        }
        out
    }
}

fn describe_indicator(i: &crate::classify::Indicator, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let kind = match (i.kind, zh) {
        (IndicatorKind::Url, true) => "链接",
        (IndicatorKind::Url, false) => "link",
        (IndicatorKind::Phone, true) => "电话",
        (IndicatorKind::Phone, false) => "phone",
        (IndicatorKind::Email, true) => "邮箱",
        (IndicatorKind::Email, false) => "e-mail",
        (IndicatorKind::Wechat, _) => {
            if zh {
                "微信"
            } else {
                "WeChat"
            }
        }
        (IndicatorKind::Qq, _) => "QQ",
        (IndicatorKind::Telegram, _) => "Telegram",
        (IndicatorKind::Whatsapp, _) => "WhatsApp",
    };
    let mut text = format!("{kind} {}", i.value);
    if let Some(name) = &i.official {
        text.push_str(&if zh {
            format!("（{name} 官方）")
        } else {
            format!(" (official {name})")
        });
    } else if let Some(name) = &i.imitates {
        text.push_str(&if zh {
            format!("（冒充 {name}，不是官方网址）")
        } else {
            format!(" (imitates {name}; not an official address)")
        });
    } else if i.shortener {
        text.push_str(if zh {
            "（短链接，隐藏了真实网址）"
        } else {
            " (short link that hides the real address)"
        });
    }
    if i.hidden {
        text.push_str(if zh {
            "【隐藏链接】"
        } else {
            " [hidden link]"
        });
    }
    text
}

/// What "More advice" adds to a card of `level` in `family`: never the card's own
/// advice again. For a flagged message: what to do if already caught, then the
/// general rules; otherwise the family advice, if any, and what to do if caught.
/// What to do if caught ends with the reporting line of `region`.
pub fn more_advice(
    advice: &Advice,
    level: Level,
    family: Option<Family>,
    lang: Lang,
    region: Region,
) -> String {
    let caught = advice.with_reporting(advice.already_acted(lang), region, lang, false);
    if level.is_flagged() {
        format!("{caught}\n\n{}", advice.general(lang))
    } else {
        format!("{}\n\n{caught}", advice.for_family(family, lang))
    }
}

/// The language a card about a message is written in: the reader's explicit choice,
/// else the message's own language, else the reader's app language.
pub fn reading_lang(chosen: Option<Lang>, message: TextLang, app: Lang) -> Lang {
    chosen.unwrap_or(match message {
        TextLang::Zh => Lang::Zh,
        TextLang::En => Lang::En,
        TextLang::Other => app,
    })
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_beats_the_message_which_beats_the_app() {
        for (chosen, message, app, expected) in [
            (Some(Lang::En), TextLang::Zh, Lang::Zh, Lang::En),
            (None, TextLang::Zh, Lang::En, Lang::Zh),
            (None, TextLang::En, Lang::Zh, Lang::En),
            (None, TextLang::Other, Lang::Zh, Lang::Zh),
        ] {
            assert_eq!(reading_lang(chosen, message, app), expected);
        }
    }
}
