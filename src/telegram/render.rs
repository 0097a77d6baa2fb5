//! Everything the bot says, as Telegram HTML: verdict cards, warnings and fixed texts
//! in Chinese and English.
//!
//! Invariants: every piece of user or rule text is HTML-escaped; no message exceeds
//! `MAX_MESSAGE_CHARS` characters (cut on a character boundary of the *plain* text,
//! before escaping, so no entity or tag is ever split).

use crate::classify::{Lang, Level};
use crate::triage::Card;
use crate::triage::prefs::{ChatPrefs, DryRun};

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

/// One bilingual fixed text.
pub fn text(key: Key, lang: Lang) -> &'static str {
    let (en, zh) = match key {
        Key::Welcome => (
            "👋 Hi! I check messages that may be scams aimed at online sellers.\n\
             Forward me a suspicious message (or paste its text) and I reply with a risk \
             level, the reasons and what to do.\n\n\
             What I store: your language choice, whether you blocked me, and messages you \
             report with the buttons or /report. Messages I check are never written to disk. \
             /privacy explains more; /forgetme deletes what I keep about you.\n\n\
             中文：转发可疑消息给我，我会告诉你风险等级、原因和应对方法。发送 /lang zh 切换中文。",
            "👋 你好！我帮跨境卖家识别诈骗消息。\n\
             把可疑消息转发给我（或粘贴文字），我会回复风险等级、原因和应对建议。\n\n\
             我保存的内容：你的语言设置、你是否屏蔽了我，以及你通过按钮或 /report 举报的消息。\
             被检查的消息不会写入磁盘。详见 /privacy；/forgetme 删除我保存的关于你的数据。\n\n\
             English: forward me a suspicious message and I tell you the risk, why and what to do. \
             Send /lang en for English.",
        ),
        Key::Help => (
            "Forward or paste a message to check it. Several messages forwarded together \
             are judged together.\n\
             /check — reply to a message with it to check that message\n\
             /report — reply to a message to report it as a scam\n\
             /lang en|zh — language\n/privacy — what I store\n/forgetme — delete your data\n\
             In groups, admins use /settings.",
            "转发或粘贴消息即可检查。一起转发的多条消息会合并判断。\n\
             /check — 回复某条消息使用，检查该消息\n/report — 回复某条消息使用，举报为诈骗\n\
             /lang en|zh — 语言\n/privacy — 我保存什么\n/forgetme — 删除你的数据\n\
             群管理员可使用 /settings。",
        ),
        Key::Privacy => (
            "What I store: your language choice; whether you blocked me; in groups, the \
             group's settings; messages you report (text, your user id, the verdict) so \
             curators can improve the rules; that you already answered about a message (a \
             hash of you and of its text, never the text, for 90 days) so it counts once; in \
             a group in dry run, the id of the admin who turned it on. Checked messages are \
             never written to disk; the text under my most recent cards stays in memory only \
             so the buttons work, until a restart. /forgetme deletes your language choice, \
             your reports and your answers, and your id as any group's dry-run admin.",
            "我保存：你的语言设置；你是否屏蔽了我；群组的设置；你举报的消息（文字、你的用户 ID、\
             判断结果），供维护者改进规则；你对某条消息是否已作答（只存你和消息文字的哈希，不存文字，保留90天），\
             以免重复计数；试运行中的群组会保存开启它的管理员 ID。被检查的消息不会写入磁盘；\
             最近结果卡片对应的文字只暂存在内存中，供按钮使用，重启即清除。\
             /forgetme 删除你的语言设置、举报和作答记录，以及你作为群组试运行管理员的 ID。",
        ),
        Key::LangSet => ("Language set to English.", "已切换为中文。"),
        Key::LangUsage => ("Use /lang en or /lang zh.", "用法：/lang en 或 /lang zh。"),
        Key::Forgotten => (
            "Done: I deleted your language choice and your reports.",
            "已删除你的语言设置和举报记录。",
        ),
        Key::ReplyNeeded => (
            "Send this command as a reply to the message you mean.",
            "请回复你要处理的那条消息并发送此命令。",
        ),
        Key::NothingToJudge => (
            "That message has no text I can check.",
            "那条消息没有可检查的文字。",
        ),
        Key::Image => (
            "I could not read this image. Please paste the message text, or forward the \
             original message.",
            "无法读取这张图片。请粘贴消息文字，或直接转发原消息。",
        ),
        Key::Unsupported => (
            "I can only check text. Please forward the message or paste its text.",
            "我只能检查文字。请转发原消息或粘贴其文字。",
        ),
        Key::UnknownCommand => (
            "I do not know that command. /help lists them.",
            "没有这个命令。/help 查看全部命令。",
        ),
        Key::Reported => (
            "Thank you, your report was recorded for the curators.",
            "谢谢，你的举报已记录，将由维护者审核。",
        ),
        Key::AlreadyReported => (
            "You already told me about this message; it counts once.",
            "你已经举报过这条消息，只计一次。",
        ),
        Key::MarkedLegit => (
            "Thank you, noted as legitimate for the curators.",
            "谢谢，已记录为正常消息，将由维护者审核。",
        ),
        Key::ReportFailed => (
            "Sorry, I could not record that right now. Please try again later.",
            "抱歉，暂时无法记录，请稍后再试。",
        ),
        Key::CardExpired => (
            "I no longer have that message; forward it again to report it.",
            "我已找不到那条消息，请重新转发后再举报。",
        ),
        Key::GroupIntro => (
            "👋 Hi! I warn this group about scam messages aimed at sellers. By default I \
             only speak up when a message is very likely a scam, and never about members \
             who warn others. Messages I check are never written to disk.\n\
             Admins: /settings.",
            "👋 大家好！我会提醒本群的卖家注意诈骗消息，默认只在消息很可能是诈骗时发言，\
             不会针对提醒大家防骗的成员。被检查的消息不会写入磁盘。\n\
             管理员可使用 /settings。",
        ),
        Key::ReadsAll => (
            "✅ I can read every message in this group.",
            "✅ 我可以读取本群的每条消息。",
        ),
        Key::PrivacyOn => (
            "⚠️ Privacy mode is on: I only see commands and replies to me, so I cannot \
             check other messages. To fix it, make me an admin of this group, or in \
             @BotFather send /setprivacy, choose me, pick Disable, then remove me and add me \
             again.",
            "⚠️ 隐私模式已开启：我只能看到命令和回复我的消息，无法检查其他消息。\
             解决方法：把我设为本群管理员；或在 @BotFather 发送 /setprivacy，选择我并选 Disable，\
             然后把我移出本群再重新加入。",
        ),
        Key::NotAScam => ("↩️ Not a scam (admins)", "↩️ 不是诈骗（管理员）"),
        Key::AlreadyUndone => (
            "An admin already said this is not a scam.",
            "管理员已判定这不是诈骗。",
        ),
        Key::AdminsOnly => (
            "Sorry, only group admins can change my settings.",
            "抱歉，只有群管理员可以修改我的设置。",
        ),
        Key::NeedDeleteRight => (
            "I need the “Delete messages” admin right first.",
            "请先授予我“删除消息”的管理员权限。",
        ),
        Key::SettingsTitle => ("⚙️ Group settings", "⚙️ 群组设置"),
        Key::Checking => ("⏳ Checking…", "⏳ 正在检查…"),
        Key::AnsweredBelow => ("⬇️ Answered in the next message.", "⬇️ 结果见下一条消息。"),
        Key::DryRunOn => (
            "Dry run on: nothing happens here; I tell you privately what I would do. Start a private chat with me first.",
            "试运行已开启：我不会在群里警告或删除，而是私信告诉你我会怎么做。请先私聊我并点“开始”。",
        ),
        Key::MoreAdviceGone => (
            "Forward the message again for the full advice.",
            "请重新转发该消息以获取完整建议。",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Names of the fixed texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// /start.
    Welcome,
    /// /help.
    Help,
    /// /privacy.
    Privacy,
    /// /lang done.
    LangSet,
    /// /lang without a valid argument.
    LangUsage,
    /// /forgetme done.
    Forgotten,
    /// A reply-only command without a reply.
    ReplyNeeded,
    /// The replied message has no text.
    NothingToJudge,
    /// A photo without caption.
    Image,
    /// A sticker, voice, ...
    Unsupported,
    /// An unknown command.
    UnknownCommand,
    /// Report recorded.
    Reported,
    /// The same person answered about the same message before.
    AlreadyReported,
    /// Legitimate mark recorded.
    MarkedLegit,
    /// The report sink failed.
    ReportFailed,
    /// The card's message is no longer known.
    CardExpired,
    /// Introduction in a group.
    GroupIntro,
    /// The bot sees every group message.
    ReadsAll,
    /// Privacy mode hides messages from the bot, and how to fix it.
    PrivacyOn,
    /// The "not a scam" button on group warnings and deletion notices.
    NotAScam,
    /// "Not a scam" pressed again.
    AlreadyUndone,
    /// Non-admin used /settings.
    AdminsOnly,
    /// Delete mode without the right.
    NeedDeleteRight,
    /// /settings header.
    SettingsTitle,
    /// The holding reply while an answer must wait (a screenshot being read).
    Checking,
    /// A holding reply whose answer could not replace it and went out anew.
    AnsweredBelow,
    /// Dry-run mode turned on (a button answer, at most 200 characters).
    DryRunOn,
    /// "More advice" for an unknown card.
    MoreAdviceGone,
}

/// "on"/"off" in `lang`, for settings toggles.
pub fn on_off(on: bool, lang: Lang) -> &'static str {
    match (on, lang == Lang::Zh) {
        (true, true) => "开",
        (false, true) => "关",
        (true, false) => "on",
        (false, false) => "off",
    }
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

    #[test]
    fn too_long_middles_drop_to_the_headline() {
        let middle = "x".repeat(5000);
        assert_eq!(fit("<b>h</b>", &middle, "\n", "advice"), "<b>h</b>");
    }
}
