//! What the bot says in and about groups, as Telegram HTML: the short group card,
//! deletion notices and their burst summary, dry-run reports and their summary, undo
//! texts and the /settings body.
//!
//! Invariants: as for all of `render`: every piece of user text is escaped, no
//! message exceeds `MAX_MESSAGE_CHARS`.

use super::{Key, MAX_MESSAGE_CHARS, escape, fit, level_name, on_off, text, truncate_chars};
use crate::classify::Lang;
use crate::triage::Card;
use crate::triage::prefs::{ChatPrefs, DryRun};

/// The short group card: a warning under a scam message, or the answer to `/check`
/// in a group. "Message me privately" links to the bot (`bot` is its username).
pub fn group_card(card: &Card, bot: &str) -> String {
    let zh = card.lang == Lang::Zh;
    let head = format!("{} <b>{}</b>", card.marker(), escape(&card.headline));
    let reason = card
        .reasons
        .first()
        .map(|r| format!("\n• {}", escape(r)))
        .unwrap_or_default();
    let tail = match (card.level.is_flagged(), zh) {
        (true, true) => "请勿点击链接或添加私人联系方式。",
        (true, false) => "Do not click its links or move to a private contact.",
        (false, _) => "",
    };
    let link = format!(
        "\n<a href=\"https://t.me/{}?start=group\">{}</a>",
        escape(bot),
        if zh {
            "私聊我获取详细建议"
        } else {
            "Message me privately for advice"
        }
    );
    let body = fit(
        &head,
        &reason,
        if tail.is_empty() { "" } else { "\n" },
        tail,
    );
    format!("{body}{link}")
}

/// The notice posted after deleting one scam message in a group.
pub fn deleted_notice(card: &Card, sender: &str) -> String {
    let zh = card.lang == Lang::Zh;
    let sender = escape(sender);
    let text = if zh {
        format!(
            "🗑 我删除了 {sender} 的一条疑似诈骗消息：{}",
            escape(&card.headline)
        )
    } else {
        format!(
            "🗑 I removed a message from {sender} that looks like a scam: {}",
            escape(&card.headline)
        )
    };
    truncate_chars(&text, MAX_MESSAGE_CHARS)
}

/// The one notice for a burst of deletions: how many, and who posted each.
pub fn deletions_summary(removed: &[(&str, &Card)], lang: Lang) -> String {
    let mut out = match lang {
        Lang::Zh => format!("🗑 我删除了 {} 条疑似诈骗消息：", removed.len()),
        Lang::En => format!(
            "🗑 I removed {} messages that look like scams:",
            removed.len()
        ),
    };
    for (n, (sender, card)) in removed.iter().enumerate() {
        let line = format!(
            "\n{}. {} — {}",
            n + 1,
            escape(sender),
            escape(&card.headline)
        );
        if out.chars().count() + line.chars().count() > MAX_MESSAGE_CHARS - 2 {
            out.push_str("\n…");
            break;
        }
        out.push_str(&line);
    }
    out
}

/// What the bot tells an admin privately in dry-run mode: the verdict line first, then
/// what it would have done in `group` about `sender`'s message, and the message.
pub fn dry_run_report(
    card: &Card,
    would_delete: bool,
    group: &str,
    sender: &str,
    text: &str,
) -> String {
    let head = format!(
        "{} <b>{}</b> [{}/100]",
        card.marker(),
        escape(&card.headline),
        card.score
    );
    let (group, sender) = (escape(group), escape(sender));
    let would = match (card.lang, would_delete) {
        (Lang::Zh, true) => {
            format!("🧪 试运行，群组“{group}”：我本会删除 {sender} 的这条消息并发布通知。")
        }
        (Lang::Zh, false) => {
            format!("🧪 试运行，群组“{group}”：我本会回复警告 {sender} 的这条消息。")
        }
        (Lang::En, true) => format!(
            "🧪 Dry run in “{group}”: I would have deleted this message from {sender} and posted a notice."
        ),
        (Lang::En, false) => {
            format!(
                "🧪 Dry run in “{group}”: I would have warned about this message from {sender}."
            )
        }
    };
    let tail = match card.lang {
        Lang::Zh => "群里没有发布任何内容。可在该群的 /settings 中关闭试运行。",
        Lang::En => "Nothing was posted in the group. Turn dry run off in its /settings.",
    };
    let quoted = escape(&crate::triage::card::shorten(text, 500));
    format!("{head}\n{would}\n<blockquote>{quoted}</blockquote>\n{tail}")
}

/// What a dry-run summary counts: the reports held back, and how many a window sends
/// one by one.
#[derive(Debug, Clone, Copy)]
pub struct DryRunCounts {
    /// Messages the bot would have warned about.
    pub warnings: usize,
    /// Messages it would have deleted.
    pub deletions: usize,
    /// Reports sent one by one per group and minute.
    pub one_by_one: u32,
}

/// The summary of the dry-run reports held back from an admin in one window.
pub fn dry_run_summary(group: &str, counts: DryRunCounts, lang: Lang) -> String {
    let group = escape(group);
    let DryRunCounts {
        warnings,
        deletions,
        one_by_one,
    } = counts;
    let more = warnings + deletions;
    match lang {
        Lang::Zh => format!(
            "🧪 试运行，群组“{group}”：另有 {more} 条消息，其中我本会警告 {warnings} 条、删除 {deletions} 条。\
             每个群每分钟最多逐条私信 {one_by_one} 条，其余在此汇总；群里没有发布任何内容。"
        ),
        Lang::En => format!(
            "🧪 Dry run in “{group}”: and {more} more messages, of which I would have warned \
             about {warnings} and deleted {deletions}. At most {one_by_one} reports a minute per \
             group come one by one; the rest are counted here. Nothing was posted in the group."
        ),
    }
}

/// What replaces a warning an admin withdrew.
pub fn warning_withdrawn(admin: &str, lang: Lang) -> String {
    let admin = escape(admin);
    match lang {
        Lang::Zh => format!("✅ 管理员 {admin} 认为这条消息不是诈骗，警告已撤回。"),
        Lang::En => format!("✅ {admin} (admin) says this is not a scam; warning withdrawn."),
    }
}

/// A deleted message an admin said was not a scam, posted again.
pub fn restored(admin: &str, sender: &str, text: &str, lang: Lang) -> String {
    let head = match lang {
        Lang::Zh => format!(
            "✅ 管理员 {} 认为 {} 的这条消息不是诈骗。原文：\n",
            escape(admin),
            escape(sender)
        ),
        Lang::En => format!(
            "✅ {} (admin) says this message from {} was not a scam. It said:\n",
            escape(admin),
            escape(sender)
        ),
    };
    let open = "<blockquote>";
    let close = "</blockquote>";
    let budget = MAX_MESSAGE_CHARS - head.chars().count() - open.len() - close.len() - 1;
    let quoted = escape(&crate::triage::card::shorten(text, budget / 6));
    format!("{head}{open}{quoted}{close}")
}

/// The /settings message body.
pub fn settings(prefs: &ChatPrefs, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let on_off = |b: bool| on_off(b, lang);
    let group_lang = match (prefs.lang, zh) {
        (Some(l), _) => l.as_str(),
        (None, true) => "自动",
        (None, false) => "auto",
    };
    let dry_run = match (prefs.dry_run, zh) {
        (DryRun::On { report_to: None }, true) => {
            "开，但开启它的管理员已要求我删除其数据，所以不会私信任何人；关闭后再开启即可由你接收"
        }
        (DryRun::On { report_to: None }, false) => {
            "on, but the admin who turned it on asked me to forget them, so no one is told; turn it off and on again to be told yourself"
        }
        (dry_run, _) => on_off(dry_run.is_on()),
    };
    let lines = if zh {
        format!(
            "警告级别：{}\n语言：{}\n删除诈骗消息：{}\n识别截图：{}\n试运行（只私信告诉开启的管理员）：{}",
            level_name(prefs.threshold.level(), lang),
            group_lang,
            on_off(prefs.delete_scams),
            on_off(prefs.read_screenshots),
            dry_run
        )
    } else {
        format!(
            "Warn at: {}\nLanguage: {}\nDelete scam messages: {}\nRead screenshots: {}\nDry run (only tell the admin who turned it on, privately): {}",
            level_name(prefs.threshold.level(), lang),
            group_lang,
            on_off(prefs.delete_scams),
            on_off(prefs.read_screenshots),
            dry_run
        )
    };
    format!(
        "<b>{}</b>\n{}",
        text(Key::SettingsTitle, lang),
        escape(&lines)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dry_run_summary_counts_what_was_held_back_in_both_languages() {
        let counts = DryRunCounts {
            warnings: 2,
            deletions: 7,
            one_by_one: 5,
        };
        let en = dry_run_summary("<Shop>", counts, Lang::En);
        assert!(
            en.starts_with("🧪 Dry run in “&lt;Shop&gt;”: and 9 more messages"),
            "{en}"
        );
        assert!(
            en.contains("warned about 2 and deleted 7. At most 5 reports"),
            "{en}"
        );
        let zh = dry_run_summary("店铺群", counts, Lang::Zh);
        assert!(
            zh.contains("另有 9 条消息，其中我本会警告 2 条、删除 7 条"),
            "{zh}"
        );
        assert!(zh.contains("最多逐条私信 5 条"), "{zh}");
    }
}
