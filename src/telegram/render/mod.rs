//! Everything the bot says, as Telegram HTML: verdict cards here, what it says in and
//! about groups in `group`, fixed texts in `texts`, in Chinese and English.
//!
//! Invariants: every piece of user or rule text is HTML-escaped; no message exceeds
//! `MAX_MESSAGE_CHARS` characters (cut on a character boundary of the *plain* text,
//! before escaping, so no entity or tag is ever split).

mod group;
mod texts;

pub use group::{
    DryRunCounts, deleted_notice, deletions_summary, dry_run_report, dry_run_summary, group_card,
    restored, settings, warning_withdrawn,
};
pub use texts::{Key, on_off, text};

use crate::classify::{Lang, Level};
use crate::triage::Card;

/// Telegram's limit for one text message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// Most indicators listed on a card.
const MAX_INDICATORS: usize = 5;

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The full verdict card for a private chat.
pub fn card(card: &Card) -> String {
    card_with(card, "")
}

/// The full card with `read` (markup, already escaped; e.g. what a screenshot said)
/// right after the verdict line, which always comes first.
pub fn card_with(card: &Card, read: &str) -> String {
    let zh = card.lang == Lang::Zh;
    let head = format!(
        "{} <b>{}</b> [{}/100]{read}",
        card.marker(),
        escape(&card.headline),
        card.score
    );
    let mut reasons = String::new();
    if !card.reasons.is_empty() {
        reasons.push_str(if zh {
            "\n\n<b>原因：</b>"
        } else {
            "\n\n<b>Why:</b>"
        });
        for reason in &card.reasons {
            reasons.push_str(&format!("\n• {}", escape(reason)));
        }
    }
    if !card.indicators.is_empty() {
        reasons.push_str(if zh {
            "\n\n<b>发现的链接和联系方式：</b>"
        } else {
            "\n\n<b>Links and contacts found:</b>"
        });
        for indicator in card.indicators.iter().take(MAX_INDICATORS) {
            reasons.push_str(&format!("\n• {}", escape(indicator)));
        }
    }
    let advice_title = if zh {
        "\n\n<b>建议：</b>\n"
    } else {
        "\n\n<b>What to do:</b>\n"
    };
    fit(&head, &reasons, advice_title, &card.advice)
}

/// `head` + `middle` + `title` + `tail`, cutting plain `tail` (escaped char by char,
/// so no entity is split) to stay within the limit; without room for any of `tail`,
/// only `head`. `tail` is plain text; the others are markup.
fn fit(head: &str, middle: &str, title: &str, tail: &str) -> String {
    let fixed = head.chars().count() + middle.chars().count() + title.chars().count();
    let Some(budget) = MAX_MESSAGE_CHARS.checked_sub(fixed + 1) else {
        return truncate_chars(head, MAX_MESSAGE_CHARS);
    };
    let escaped = escape(tail);
    if escaped.chars().count() <= budget + 1 {
        return format!("{head}{middle}{title}{escaped}");
    }
    let mut out = format!("{head}{middle}{title}");
    let mut used = 0;
    for c in tail.chars() {
        let piece = escape(c.encode_utf8(&mut [0; 4]));
        let len = piece.chars().count();
        if used + len > budget {
            break;
        }
        used += len;
        out.push_str(&piece);
    }
    out.push('…');
    out
}

/// At most `max` characters of markup-free or fully-closed text.
fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.to_owned(),
    }
}

/// Label and value of the level threshold.
pub fn level_name(level: Level, lang: Lang) -> &'static str {
    match (level, lang) {
        (Level::High, Lang::Zh) => "高",
        (Level::Medium, Lang::Zh) => "中",
        (Level::Low, Lang::Zh) => "低",
        (Level::High, Lang::En) => "high",
        (Level::Medium, Lang::En) => "medium",
        (Level::Low, Lang::En) => "low",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_characters() {
        assert_eq!(
            escape("<b>&\"x\"</b>"),
            "&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn long_tails_are_cut_before_escaping() {
        let tail = "&".repeat(5000);
        let out = fit("<b>h</b>", "", "\n", &tail);
        assert!(
            out.chars().count() <= MAX_MESSAGE_CHARS,
            "{}",
            out.chars().count()
        );
        assert!(out.ends_with("&amp;…"), "no entity is split");
        let han = "骗".repeat(5000);
        let out = fit("h", "", "\n", &han);
        assert_eq!(out.chars().count(), MAX_MESSAGE_CHARS);
    }

    #[test]
    fn too_long_middles_drop_to_the_headline() {
        let middle = "x".repeat(5000);
        assert_eq!(fit("<b>h</b>", &middle, "\n", "advice"), "<b>h</b>");
    }
}
