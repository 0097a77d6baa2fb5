//! Groups: every message is judged; `triage::group` decides whether the bot warns,
//! deletes or stays silent (low never acts, warnings about scams are left alone), and
//! the bot speaks the group's language, in the message's forum topic. Warnings are
//! rate-limited per group; deletions are not, only their notices (`notices`). Admins
//! change settings with /settings; the bot introduces itself once and says whether it
//! can read every message. In dry-run mode nothing is posted or deleted in the group:
//! the admin who turned it on gets, privately, the verdict line and what the bot would
//! have done (unless they said /forgetme: then no one is told until an admin turns dry
//! run off).
//!
//! Invariants: settings change only for admins (getChatMember, cached); delete mode is
//! used only while the bot has `can_delete_messages`; the threshold is medium or high;
//! a group's settings and language tally follow it when it becomes a supergroup.

use std::sync::Arc;

use teloxide::prelude::Requester;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId};

use super::context::{Acted, Ctx, Judged};
use super::incoming::{Callback, Content, IncomingMessage, MembershipChange};
use super::limits::GROUP_ANONYMOUS_BOT;
use super::media;
use super::notices;
use super::private::HandlerResult;
use super::render::{self, Key};
use super::send::Target;
use super::{commands, dry_run};
use crate::classify::Lang;
use crate::triage::group::{self as policy, GroupAction};
use crate::triage::metrics::CheckSource;
use crate::triage::prefs::{ChatPrefs, DryRun};

/// Handles a message in a group or supergroup.
pub async fn message(ctx: &Arc<Ctx>, message: IncomingMessage) -> HandlerResult {
    let prefs = &ctx.deps.prefs;
    let chat_id = message.chat.id;
    if let Some(to) = message.migrate_to_chat_id {
        prefs.move_chat(chat_id, to)?;
        ctx.group_langs.move_chat(chat_id, to);
        ctx.admins.forget_chat(chat_id);
        return Ok(());
    }
    if let Some(from) = message.migrate_from_chat_id {
        prefs.move_chat(from, chat_id)?;
        ctx.group_langs.move_chat(from, chat_id);
        return Ok(());
    }
    let Some(sender) = message.from.clone() else {
        return Ok(());
    };
    let chat = prefs.chat(chat_id)?;
    if let Content::Command { .. } = message.content {
        let lang = chat
            .lang
            .or_else(|| ctx.group_langs.majority(chat_id))
            .unwrap_or_else(|| ctx.user_lang(sender.id, sender.language_code.as_deref()));
        return commands::command(ctx, &message, lang).await;
    }
    if sender.is_bot && sender.id != GROUP_ANONYMOUS_BOT {
        return Ok(());
    }
    let text = match &message.image {
        Some(_) if chat.read_screenshots => media::group_text(ctx, &message).await,
        _ => message.judgeable(),
    };
    let Some(text) = text else {
        return Ok(());
    };
    let verdict = ctx.verdict_in(&text, CheckSource::Group);
    let spoken = ctx.group_langs.observe(chat_id, verdict.lang);
    let plan = policy::plan(&verdict, &chat);
    let action = plan.action;
    if action == GroupAction::Ignore {
        return Ok(());
    }
    let lang = chat.lang.unwrap_or(spoken);
    let card = ctx.card_for(&verdict, lang);
    let acted = Acted {
        judged: Judged {
            text,
            level: verdict.level,
            family: verdict.family,
            lang,
        },
        sender: sender.first_name.clone(),
        card,
        warning: None,
        undone: false,
    };
    if let DryRun::On { report_to } = plan.dry_run {
        if let Some(admin) = report_to {
            let would_delete = action == GroupAction::Delete && ctx.bot_can_delete(chat_id).await;
            dry_run::report(ctx, admin, &message, &acted, would_delete).await;
        }
        return Ok(());
    }
    if action == GroupAction::Delete && ctx.bot_can_delete(chat_id).await {
        let request = ctx
            .bot
            .delete_message(ChatId(chat_id), MessageId(message.message_id));
        let deleted = ctx.call(request).await;
        match deleted {
            Ok(_) => {
                notices::deleted(ctx, chat_id, message.topic_id, acted);
                return Ok(());
            }
            Err(error) => ctx.failed(chat_id, &error),
        }
    }
    if !ctx.buckets.take(chat_id) {
        tracing::info!(chat_id, "warning suppressed: group rate limit");
        return Ok(());
    }
    notices::warn(ctx, &message, acted).await;
    Ok(())
}

/// The bot's membership changed: introduce itself in a new group, remember blocks.
pub async fn membership(ctx: &Ctx, change: MembershipChange) -> HandlerResult {
    let chat_id = change.chat.id;
    if !change.chat.is_group() {
        if chat_id > 0 {
            ctx.set_blocked(chat_id, change.new_status == "kicked");
        }
        return Ok(());
    }
    ctx.admins.forget_chat(chat_id);
    if !change.joined() {
        return Ok(());
    }
    let mut prefs = ctx.deps.prefs.chat(chat_id)?;
    if prefs.introduced {
        return Ok(());
    }
    let lang = prefs
        .lang
        .or_else(|| ctx.group_langs.majority(chat_id))
        .unwrap_or_else(|| ctx.user_lang(change.by.id, change.by.language_code.as_deref()));
    let target = Target {
        chat_id,
        ..Target::default()
    };
    let sees_all = ctx.reads_all_messages || change.new_status == "administrator";
    if ctx
        .send(&target, intro(sees_all, lang), None)
        .await
        .is_some()
    {
        prefs.introduced = true;
        ctx.deps.prefs.set_chat(chat_id, prefs)?;
    }
    Ok(())
}

/// The introduction: what the bot does, and whether it reads every message here (and
/// how to make it, if not).
pub fn intro(sees_all: bool, lang: Lang) -> String {
    let status = if sees_all {
        Key::ReadsAll
    } else {
        Key::PrivacyOn
    };
    format!(
        "{}\n\n{}",
        render::text(Key::GroupIntro, lang),
        render::text(status, lang)
    )
}

/// /start in a group: the introduction, with whether the bot reads every message.
pub async fn intro_command(ctx: &Ctx, chat_id: i64, lang: Lang) -> String {
    let sees_all = ctx.reads_all_messages || ctx.rights(chat_id, ctx.me_id).await.admin;
    intro(sees_all, lang)
}

/// /settings: the keyboard for admins, a polite refusal for others.
pub async fn settings_command(ctx: &Ctx, message: &IncomingMessage, lang: Lang) {
    let target = Target::reply(message.chat.id, message.message_id, message.topic_id);
    let Some(from) = &message.from else {
        return;
    };
    if !ctx.is_admin(message.chat.id, from.id).await {
        ctx.send(
            &target,
            render::text(Key::AdminsOnly, lang).to_owned(),
            None,
        )
        .await;
        return;
    }
    let prefs = match ctx.deps.prefs.chat(message.chat.id) {
        Ok(prefs) => prefs,
        Err(error) => {
            tracing::error!("cannot read group settings: {error}");
            return;
        }
    };
    let lang = prefs.lang.unwrap_or(lang);
    ctx.send(
        &target,
        render::settings(&prefs, lang),
        Some(keyboard(&prefs, lang)),
    )
    .await;
}

/// A press on a /settings button (`s:t`, `s:l`, `s:d`, `s:o`, `s:r` dry run).
pub async fn settings_button(
    ctx: &Ctx,
    callback: &Callback,
    message: &IncomingMessage,
    setting: &str,
) -> HandlerResult {
    if !ctx.pressed_by_admin(callback, message).await {
        return Ok(());
    }
    let chat_id = message.chat.id;
    let user_lang = ctx.user_lang(callback.from.id, callback.from.language_code.as_deref());
    let mut prefs = ctx.deps.prefs.chat(chat_id)?;
    match setting {
        "t" => prefs.threshold = prefs.threshold.next(),
        "l" => {
            prefs.lang = match prefs.lang {
                None => Some(Lang::En),
                Some(Lang::En) => Some(Lang::Zh),
                Some(Lang::Zh) => None,
            }
        }
        "d" if !prefs.delete_scams && !ctx.bot_can_delete(chat_id).await => {
            let lang = prefs.lang.unwrap_or(user_lang);
            ctx.answer(&callback.id, Some(render::text(Key::NeedDeleteRight, lang)))
                .await;
            return Ok(());
        }
        "d" => prefs.delete_scams = !prefs.delete_scams,
        "o" => prefs.read_screenshots = !prefs.read_screenshots,
        "r" => {
            prefs.dry_run = match prefs.dry_run {
                DryRun::On { .. } => DryRun::Off,
                DryRun::Off => DryRun::On {
                    report_to: Some(callback.from.id),
                },
            };
        }
        _ => {
            ctx.answer(&callback.id, None).await;
            return Ok(());
        }
    }
    ctx.deps.prefs.set_chat(chat_id, prefs.clone())?;
    let lang = prefs.lang.unwrap_or(user_lang);
    let notice =
        (setting == "r" && prefs.dry_run.is_on()).then(|| render::text(Key::DryRunOn, user_lang));
    ctx.answer(&callback.id, notice).await;
    commands::edit(
        ctx,
        chat_id,
        message.message_id,
        render::settings(&prefs, lang),
        keyboard(&prefs, lang),
    )
    .await;
    Ok(())
}

fn keyboard(prefs: &ChatPrefs, lang: Lang) -> InlineKeyboardMarkup {
    let zh = lang == Lang::Zh;
    let on_off = |b: bool| render::on_off(b, lang);
    let level = render::level_name(prefs.threshold.level(), lang);
    let group_lang = prefs
        .lang
        .map_or(if zh { "自动" } else { "auto" }, Lang::as_str);
    let button = |en: String, zh_text: String, data: &str| {
        InlineKeyboardButton::callback(if zh { zh_text } else { en }, data.to_owned())
    };
    InlineKeyboardMarkup::new([
        vec![button(
            format!("⚠️ Warn at: {level}"),
            format!("⚠️ 警告级别：{level}"),
            "s:t",
        )],
        vec![button(
            format!("🌐 Language: {group_lang}"),
            format!("🌐 语言：{group_lang}"),
            "s:l",
        )],
        vec![button(
            format!("🗑 Delete scams: {}", on_off(prefs.delete_scams)),
            format!("🗑 删除诈骗消息：{}", on_off(prefs.delete_scams)),
            "s:d",
        )],
        vec![button(
            format!("🖼 Read screenshots: {}", on_off(prefs.read_screenshots)),
            format!("🖼 识别截图：{}", on_off(prefs.read_screenshots)),
            "s:o",
        )],
        vec![button(
            format!("🧪 Dry run: {}", on_off(prefs.dry_run.is_on())),
            format!("🧪 试运行：{}", on_off(prefs.dry_run.is_on())),
            "s:r",
        )],
    ])
}
