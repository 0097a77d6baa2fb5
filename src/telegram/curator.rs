//! Curators in chat: `/pending`, `/stats`, `/block`, `/allow` and `/reload` for the
//! configured admin ids, and review cards with confirm / reject / ignore-reporter
//! buttons posted to the admin chat when a report needs a curator's look.
//!
//! Invariants: only `admin_ids` change anything; everyone else gets a polite refusal
//! and nothing happens. Decisions are the service's (`Triage::review`,
//! `judge_indicator`, `ignore_reporter_of`, `reload_rules`); this module only converts.
//! Button data is `cv:<c|r|i>:<report id>`, well under Telegram's 64 bytes. Every text
//! is HTML-escaped and at most 4096 characters.

use std::sync::Arc;

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::commands;
use super::context::Ctx;
use super::incoming::{Callback, IncomingMessage, Text, User};
use super::render::{self, MAX_MESSAGE_CHARS, escape};
use super::send::Target;
use crate::classify::{Lang, Message};
use crate::triage::feedback::Filed;
use crate::triage::{LoadError, ReportId, Review, ReviewTrigger};

/// Most pending groups listed by `/pending`.
const PENDING_GROUPS: usize = 10;
/// Most reports read for `/pending`.
const PENDING_SCAN: usize = 500;
/// Report ids and excerpts shown per pending group.
const PER_GROUP: usize = 3;
/// Characters of a reported text shown in `/pending`.
const SHORT_EXCERPT: usize = 80;
/// Characters of a reported text shown on a review card.
const CARD_EXCERPT: usize = 600;

/// The curator command names.
pub const COMMANDS: [&str; 5] = ["pending", "stats", "block", "allow", "reload"];

/// Picks the English or Chinese text.
fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

/// Whether `user_id` may curate.
fn is_curator(ctx: &Ctx, user_id: i64) -> bool {
    ctx.options.curators.admin_ids.contains(&user_id)
}

/// The decision-log identity of a curator (a keyed hash, never the raw id).
fn actor(ctx: &Ctx, user: &User) -> String {
    ctx.deps.triage.telegram_actor(user.id)
}

/// Runs curator command `name` with `args` from `message`.
pub async fn command(ctx: &Ctx, message: &IncomingMessage, name: &str, args: &str, lang: Lang) {
    let Some(from) = &message.from else { return };
    let target = Target::reply(message.chat.id, message.message_id, message.topic_id);
    if !is_curator(ctx, from.id) {
        let refusal = pick(
            lang,
            "Sorry, only sellerguard curators can use this command.",
            "抱歉，只有 sellerguard 审核员可以使用这个命令。",
        );
        ctx.send(&target, refusal.to_owned(), None).await;
        return;
    }
    let html = match name {
        "pending" => pending(ctx, lang),
        "stats" => stats(ctx, lang),
        "block" | "allow" => judge(ctx, from, args, name == "block", lang),
        "reload" => reload(ctx, lang).await,
        _ => return,
    };
    ctx.send(&target, html, None).await;
}

fn pending(ctx: &Ctx, lang: Lang) -> String {
    let groups = match ctx.deps.triage.pending(PENDING_SCAN) {
        Ok(groups) => groups,
        Err(error) => return failed(&error, lang),
    };
    if groups.is_empty() {
        return pick(lang, "Nothing is waiting for review.", "没有待审核的举报。").to_owned();
    }
    let mut out = format!(
        "<b>{}</b> ({})",
        pick(lang, "Pending reports", "待审核举报"),
        groups.len()
    );
    for group in groups.iter().take(PENDING_GROUPS) {
        let mut entry = format!(
            "\n\n<b>{}</b> × {}",
            escape(&group.key),
            group.reports.len()
        );
        for report in group.reports.iter().take(PER_GROUP) {
            entry.push_str(&format!(
                "\n• <code>{}</code> {}",
                report.id,
                escape(&excerpt(&report.text, SHORT_EXCERPT))
            ));
        }
        if out.chars().count() + entry.chars().count() > MAX_MESSAGE_CHARS - 10 {
            out.push_str("\n…");
            break;
        }
        out.push_str(&entry);
    }
    out
}

fn stats(ctx: &Ctx, lang: Lang) -> String {
    let stats = match ctx.deps.triage.stats() {
        Ok(stats) => stats,
        Err(error) => return failed(&error, lang),
    };
    let rows = [
        (pick(lang, "checks", "检查次数"), stats.checks),
        (
            pick(lang, "reports received", "收到的举报"),
            stats.reports_received,
        ),
        (
            pick(lang, "reports stored", "保存的举报"),
            stats.reports_stored,
        ),
        (pick(lang, "pending", "待审核"), stats.pending),
        (pick(lang, "confirmed", "已确认"), stats.confirmed),
        (pick(lang, "rejected", "已驳回"), stats.rejected),
        (pick(lang, "deleted", "已删除"), stats.reports_deleted),
    ];
    let mut out = format!("<b>{}</b>", pick(lang, "Statistics", "统计"));
    for (label, value) in rows {
        out.push_str(&format!("\n{label}: {value}"));
    }
    out
}

fn judge(ctx: &Ctx, from: &User, args: &str, block: bool, lang: Lang) -> String {
    if args.trim().is_empty() {
        let usage = if block {
            pick(
                lang,
                "Usage: /block VALUE (a link, phone number or ID)",
                "用法：/block 值（链接、电话号码或账号）",
            )
        } else {
            pick(
                lang,
                "Usage: /allow VALUE (a link, phone number or ID)",
                "用法：/allow 值（链接、电话号码或账号）",
            )
        };
        return usage.to_owned();
    }
    match ctx
        .deps
        .triage
        .judge_indicator(args, block, &actor(ctx, from), "telegram")
    {
        Ok(key) if block => format!(
            "{} <code>{}</code>",
            pick(
                lang,
                "🚫 Blocked as a scam contact:",
                "🚫 已确认为诈骗联系方式："
            ),
            escape(&key)
        ),
        Ok(key) => format!(
            "{} <code>{}</code>",
            pick(lang, "✅ Allow-listed:", "✅ 已加入白名单："),
            escape(&key)
        ),
        Err(error) => failed(&error, lang),
    }
}

async fn reload(ctx: &Ctx, lang: Lang) -> String {
    let triage = Arc::clone(&ctx.deps.triage);
    let dir = ctx.options.curators.rules_dir.clone();
    let result = tokio::task::spawn_blocking(move || triage.reload_rules(&dir)).await;
    match result {
        Ok(Ok(count)) => match lang {
            Lang::Zh => format!("✅ 规则已重新加载：现在运行 {count} 条规则。"),
            Lang::En => format!("✅ Rules reloaded: {count} rules now run."),
        },
        Ok(Err(error)) => reload_failed(&error, lang),
        Err(error) => {
            tracing::error!("rule reload panicked: {error}");
            pick(
                lang,
                "Reload failed; the running rules stay.",
                "重新加载失败，继续使用当前规则。",
            )
            .to_owned()
        }
    }
}

/// The problems of a failed reload, cut at whole lines to fit one message.
fn reload_failed(error: &LoadError, lang: Lang) -> String {
    let head = pick(
        lang,
        "❌ The rule files have problems; the running rules stay:",
        "❌ 规则文件有问题，继续使用当前规则：",
    );
    let problems = match error {
        LoadError::Rules(errors) => errors.to_string(),
        other => other.to_string(),
    };
    let head = format!("<b>{head}</b>\n<pre>");
    let tail = "</pre>";
    let budget = MAX_MESSAGE_CHARS - head.chars().count() - tail.chars().count();
    format!("{head}{}{tail}", fit_lines(&problems, budget))
}

/// `text` escaped, keeping whole lines while they fit in `budget` characters; a cut
/// is marked with a last line `…`.
fn fit_lines(text: &str, budget: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = escape(line);
        let needed = line.chars().count() + usize::from(!out.is_empty());
        if out.chars().count() + needed > budget.saturating_sub(2) {
            if out.is_empty() {
                let cut: String = line.chars().take(budget.saturating_sub(2)).collect();
                // Never end inside an entity such as `&amp;`.
                let cut = match (cut.rfind('&'), cut.rfind(';')) {
                    (Some(amp), semi) if semi.is_none_or(|s| s < amp) => cut[..amp].to_owned(),
                    _ => cut,
                };
                out.push_str(&cut);
            }
            out.push_str("\n…");
            return out;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
    }
    out
}

fn failed(error: &dyn std::fmt::Display, lang: Lang) -> String {
    format!(
        "{} {}",
        pick(lang, "⚠️", "⚠️ 失败："),
        escape(&error.to_string())
    )
}

fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max).collect();
    cut.push('…');
    cut
}

/// Posts one review card to the admin chat when `filed` needs a curator's look.
pub async fn review_card(ctx: &Ctx, filed: &Filed, text: &Text) {
    let (Some(chat_id), Some(id)) = (ctx.options.curators.admin_chat_id, filed.id) else {
        return;
    };
    if filed.needs_review.is_empty() {
        return;
    }
    let lang = ctx
        .deps
        .prefs
        .chat(chat_id)
        .ok()
        .and_then(|p| p.lang)
        .unwrap_or(Lang::En);
    let verdict = ctx.deps.triage.check(Message {
        text: &text.text,
        hidden_links: &text.hidden_links,
    });
    let indicators: Vec<String> = verdict.indicators.iter().map(|i| i.key()).collect();
    let mut head = format!(
        "🗂 <b>{}</b> <code>{id}</code>",
        pick(lang, "Review needed: report", "需要审核：举报")
    );
    for trigger in &filed.needs_review {
        head.push_str("\n• ");
        head.push_str(&escape(&describe(trigger, lang)));
    }
    let html = card_html(lang, head, &indicators, &text.text);
    let target = Target {
        chat_id,
        ..Target::default()
    };
    ctx.send(&target, html, Some(buttons(id, lang, true))).await;
}

/// A review card: its head (HTML: the report id and why it needs review, or the
/// decision taken), the report's indicators and an excerpt of the message.
fn card_html(lang: Lang, head: String, indicators: &[String], text: &str) -> String {
    let mut html = head;
    if !indicators.is_empty() {
        html.push_str(&format!(
            "\n\n<b>{}</b> {}",
            pick(lang, "Indicators:", "链接和联系方式："),
            escape(&indicators.join(", "))
        ));
    }
    html.push_str(&format!(
        "\n\n<b>{}</b>\n{}",
        pick(lang, "Message:", "消息："),
        escape(&excerpt(text, CARD_EXCERPT))
    ));
    html
}

fn describe(trigger: &ReviewTrigger, lang: Lang) -> String {
    match (trigger, lang) {
        (ReviewTrigger::Indicator { key, reporters }, Lang::En) => {
            format!("{key} was reported by {reporters} different people")
        }
        (ReviewTrigger::Indicator { key, reporters }, Lang::Zh) => {
            format!("{key} 已被 {reporters} 位不同用户举报")
        }
        (ReviewTrigger::Cluster { size }, Lang::En) => {
            format!("{size} pending reports are near-duplicates of this message")
        }
        (ReviewTrigger::Cluster { size }, Lang::Zh) => {
            format!("{size} 条待审核举报与这条消息几乎相同")
        }
    }
}

/// The card's buttons; after "ignore reporter" only the verdict buttons remain.
fn buttons(id: ReportId, lang: Lang, with_ignore: bool) -> InlineKeyboardMarkup {
    let button = |text: &str, action: char| {
        InlineKeyboardButton::callback(text.to_owned(), format!("cv:{action}:{id}"))
    };
    let mut row = vec![
        button(pick(lang, "🚨 Confirm scam", "🚨 确认诈骗"), 'c'),
        button(pick(lang, "✅ Legitimate", "✅ 正规消息"), 'r'),
    ];
    if with_ignore {
        row.push(button(
            pick(lang, "🙈 Ignore reporter", "🙈 忽略举报人"),
            'i',
        ));
    }
    InlineKeyboardMarkup::new([row])
}

/// Handles a press on a review card button (`data` without the `cv:` prefix).
pub async fn button(ctx: &Ctx, callback: &Callback, data: &str) {
    let lang = ctx.user_lang(callback.from.id, callback.from.language_code.as_deref());
    if !is_curator(ctx, callback.from.id) {
        let refusal = pick(
            lang,
            "Only sellerguard curators can decide on reports.",
            "只有 sellerguard 审核员可以处理举报。",
        );
        ctx.answer(&callback.id, Some(refusal)).await;
        return;
    }
    let parsed = data
        .split_once(':')
        .and_then(|(action, id)| Some((action, id.parse::<ReportId>().ok()?)));
    let (Some((action, id)), Some(message)) = (parsed, &callback.message) else {
        ctx.answer(
            &callback.id,
            Some(render::text(render::Key::CardExpired, lang)),
        )
        .await;
        return;
    };
    let who = actor(ctx, &callback.from);
    let triage = &ctx.deps.triage;
    let result = match action {
        "c" => triage.review(id, Review::Confirm, &who, "telegram"),
        "r" => triage.review(id, Review::Reject, &who, "telegram"),
        "i" => triage.ignore_reporter_of(id, &who, "telegram"),
        _ => {
            ctx.answer(
                &callback.id,
                Some(render::text(render::Key::CardExpired, lang)),
            )
            .await;
            return;
        }
    };
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            ctx.answer(&callback.id, Some(&error.to_string())).await;
            return;
        }
    };
    ctx.answer(&callback.id, None).await;
    let name = if callback.from.first_name.is_empty() {
        callback.from.id.to_string()
    } else {
        callback.from.first_name.clone()
    };
    let decision = match (action, lang) {
        ("c", Lang::En) => format!("🚨 Confirmed as a scam by {name}"),
        ("c", Lang::Zh) => format!("🚨 {name} 确认为诈骗"),
        ("r", Lang::En) => format!("✅ Rejected as legitimate by {name}"),
        ("r", Lang::Zh) => format!("✅ {name} 判定为正规消息"),
        (_, Lang::En) => format!("🙈 Reporter ignored by {name}"),
        (_, Lang::Zh) => format!("🙈 {name} 忽略了举报人"),
    };
    // Re-rendered from the report, so the card keeps its formatting; the decision
    // takes the place of the review reasons (which are not stored).
    let head = format!(
        "🗂 <b>{}</b> <code>{id}</code>\n<b>{}</b>",
        pick(lang, "Report", "举报"),
        escape(&decision)
    );
    let html = card_html(lang, head, &report.indicators, &report.text);
    let markup = if action == "i" {
        buttons(id, lang, false)
    } else {
        InlineKeyboardMarkup::default()
    };
    commands::edit(ctx, message.chat.id, message.message_id, html, markup).await;
}

#[cfg(test)]
mod tests {
    use super::fit_lines;

    #[test]
    fn fit_lines_keeps_whole_lines_and_never_splits_an_entity() {
        let cases = [
            ("a\nb", 10, "a\nb"),
            ("a <b>\nccc", 8, "a &lt;b\n…"),
            ("a <b>\nccc", 12, "a &lt;b&gt;\n…"),
            ("aaaa\nbbbb\ncccc", 11, "aaaa\nbbbb\n…"),
            ("x&yyyy", 5, "x\n…"),
        ];
        for (text, budget, expected) in cases {
            let out = fit_lines(text, budget + 2);
            assert_eq!(out, expected, "{text:?} in {budget}");
            assert!(out.chars().count() <= budget + 2);
        }
    }
}
