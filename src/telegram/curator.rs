//! Curators in chat: `/pending` (reports counted, each group with its own cluster
//! decision buttons), `/stats`, `/block`, `/allow` and `/reload` for the configured
//! admin ids; review cards and their buttons are `review`'s.
//!
//! Invariants: only `admin_ids` change anything; everyone else gets a polite refusal
//! and nothing happens. Decisions are the service's (`Triage::review_cluster`,
//! `judge_indicator`, `reload_rules`); this module only converts. Every text is
//! HTML-escaped and at most 4096 characters.

use std::sync::Arc;

use teloxide::types::InlineKeyboardMarkup;

use super::context::Ctx;
use super::incoming::{IncomingMessage, User};
use super::render::{MAX_MESSAGE_CHARS, escape};
use super::review;
use super::send::Target;
use crate::classify::Lang;
use crate::triage::{Curator, LoadError};

/// Most pending groups listed by `/pending`.
const PENDING_GROUPS: usize = 10;
/// Most reports read for `/pending`.
const PENDING_SCAN: usize = 500;
/// Report ids and excerpts shown per pending group.
const PER_GROUP: usize = 3;
/// Characters of a reported text shown in `/pending`.
const SHORT_EXCERPT: usize = 80;

/// The curator command names.
pub const COMMANDS: [&str; 5] = ["pending", "stats", "block", "allow", "reload"];

/// Picks the English or Chinese text.
pub fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

/// Whether `user_id` may curate.
pub fn is_curator(ctx: &Ctx, user_id: i64) -> bool {
    ctx.options.curators.admin_ids.contains(&user_id)
}

/// The audit-log identity of a curator (a keyed hash, never the raw id), acting from
/// Telegram; remembers their first name so "already decided by" can name them.
pub fn actor(ctx: &Ctx, user: &User) -> Curator {
    if !user.first_name.is_empty() {
        let mut names = ctx.curator_names.lock().unwrap_or_else(|e| e.into_inner());
        names.insert(user.id, user.first_name.clone());
    }
    Curator::telegram(ctx.deps.triage.telegram_actor(user.id))
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
        "pending" => {
            let (html, buttons) = pending(ctx, lang);
            ctx.send(&target, html, Some(buttons)).await;
            return;
        }
        "stats" => stats(ctx, lang),
        "block" | "allow" => judge(ctx, from, args, name == "block", lang),
        "reload" => reload(ctx, lang).await,
        _ => return,
    };
    ctx.send(&target, html, None).await;
}

/// The `/pending` list: how many reports in how many groups, each group numbered
/// with its report ids and excerpts, and one row of decision buttons per group.
pub fn pending(ctx: &Ctx, lang: Lang) -> (String, InlineKeyboardMarkup) {
    let groups = match ctx.deps.triage.pending(PENDING_SCAN) {
        Ok(groups) => groups,
        Err(error) => return (failed(&error, lang), InlineKeyboardMarkup::default()),
    };
    if groups.is_empty() {
        let none = pick(lang, "Nothing is waiting for review.", "没有待审核的举报。");
        return (none.to_owned(), InlineKeyboardMarkup::default());
    }
    let reports: usize = groups.iter().map(|g| g.reports.len()).sum();
    let mut out = match lang {
        Lang::En => format!(
            "<b>Pending reports: {reports}</b> in {} groups",
            groups.len()
        ),
        Lang::Zh => format!("<b>待审核举报：{reports} 条</b>，共 {} 组", groups.len()),
    };
    let mut heads = Vec::new();
    for (n, group) in groups.iter().take(PENDING_GROUPS).enumerate() {
        let mut entry = format!(
            "\n\n<b>{}.</b> <b>{}</b> × {}",
            n + 1,
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
        heads.extend(group.reports.first().map(|r| r.id));
    }
    (out, review::pending_buttons(&heads, lang))
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

pub fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max).collect();
    cut.push('…');
    cut
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
