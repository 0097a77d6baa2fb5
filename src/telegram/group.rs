//! Groups: every message is judged, but the bot speaks only at or above the group's
//! threshold (default `high`), within a per-group rate limit, in the message's forum
//! topic. Admins change settings with /settings; the bot introduces itself once.
//!
//! Invariants: settings change only for admins (getChatMember, cached); delete mode is
//! used only while the bot has `can_delete_messages`; a group's settings follow it
//! when it becomes a supergroup.

use teloxide::prelude::Requester;
use teloxide::requests::Request;
use teloxide::types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, UserId};

use super::commands::{self, next_level};
use super::context::Ctx;
use super::incoming::{Callback, Content, IncomingMessage, MembershipChange};
use super::limits::MemberRights;
use super::media;
use super::private::HandlerResult;
use super::render::{self, Key};
use super::send::Target;
use crate::classify::Lang;
use crate::triage::prefs::ChatPrefs;

/// The user Telegram shows for anonymous group admins.
const GROUP_ANONYMOUS_BOT: i64 = 1_087_968_824;

/// Handles a message in a group or supergroup.
pub async fn message(ctx: &Ctx, message: IncomingMessage) -> HandlerResult {
    let prefs = &ctx.deps.prefs;
    if let Some(to) = message.migrate_to_chat_id {
        prefs.move_chat(message.chat.id, to)?;
        ctx.admins.forget_chat(message.chat.id);
        return Ok(());
    }
    if let Some(from) = message.migrate_from_chat_id {
        prefs.move_chat(from, message.chat.id)?;
        return Ok(());
    }
    let Some(sender) = message.from.clone() else {
        return Ok(());
    };
    let chat = prefs.chat(message.chat.id)?;
    let lang = chat
        .lang
        .unwrap_or_else(|| ctx.user_lang(sender.id, sender.language_code.as_deref()));
    if let Content::Command { .. } = message.content {
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
    let (_, card) = ctx.judge(&text, lang);
    if card.level < chat.threshold {
        return Ok(());
    }
    if !ctx.buckets.take(message.chat.id) {
        tracing::info!(
            chat_id = message.chat.id,
            "warning suppressed: group rate limit"
        );
        return Ok(());
    }
    if chat.delete_scams && bot_can_delete(ctx, message.chat.id).await {
        let deleted = ctx
            .bot
            .delete_message(ChatId(message.chat.id), MessageId(message.message_id))
            .send()
            .await;
        match deleted {
            Ok(_) => {
                let target = Target {
                    chat_id: message.chat.id,
                    reply_to: None,
                    topic_id: message.topic_id,
                };
                let notice = render::deleted_notice(&card, &sender.first_name);
                ctx.send(&target, notice, None).await;
                return Ok(());
            }
            Err(error) => ctx.failed(message.chat.id, &error),
        }
    }
    let target = Target::reply(message.chat.id, message.message_id, message.topic_id);
    ctx.send(&target, render::group_warning(&card), None).await;
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
        .unwrap_or_else(|| ctx.user_lang(change.by.id, change.by.language_code.as_deref()));
    let target = Target {
        chat_id,
        ..Target::default()
    };
    if ctx
        .send(
            &target,
            render::text(Key::GroupIntro, lang).to_owned(),
            None,
        )
        .await
        .is_some()
    {
        prefs.introduced = true;
        ctx.deps.prefs.set_chat(chat_id, prefs)?;
    }
    Ok(())
}

/// /settings: the keyboard for admins, a polite refusal for others.
pub async fn settings_command(ctx: &Ctx, message: &IncomingMessage, lang: Lang) {
    let target = Target::reply(message.chat.id, message.message_id, message.topic_id);
    let Some(from) = &message.from else {
        return;
    };
    if !is_admin(ctx, message.chat.id, from.id).await {
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

/// A press on a /settings button (`s:t`, `s:l`, `s:d`, `s:o`).
pub async fn settings_button(
    ctx: &Ctx,
    callback: &Callback,
    message: &IncomingMessage,
    setting: &str,
) -> HandlerResult {
    let chat_id = message.chat.id;
    let user_lang = ctx.user_lang(callback.from.id, callback.from.language_code.as_deref());
    if !message.chat.is_group() || !is_admin(ctx, chat_id, callback.from.id).await {
        ctx.answer(&callback.id, Some(render::text(Key::AdminsOnly, user_lang)))
            .await;
        return Ok(());
    }
    let mut prefs = ctx.deps.prefs.chat(chat_id)?;
    match setting {
        "t" => prefs.threshold = next_level(prefs.threshold),
        "l" => {
            prefs.lang = match prefs.lang {
                None => Some(Lang::En),
                Some(Lang::En) => Some(Lang::Zh),
                Some(Lang::Zh) => None,
            }
        }
        "d" if !prefs.delete_scams && !bot_can_delete(ctx, chat_id).await => {
            let lang = prefs.lang.unwrap_or(user_lang);
            ctx.answer(&callback.id, Some(render::text(Key::NeedDeleteRight, lang)))
                .await;
            return Ok(());
        }
        "d" => prefs.delete_scams = !prefs.delete_scams,
        "o" => prefs.read_screenshots = !prefs.read_screenshots,
        _ => {
            ctx.answer(&callback.id, None).await;
            return Ok(());
        }
    }
    ctx.deps.prefs.set_chat(chat_id, prefs.clone())?;
    ctx.answer(&callback.id, None).await;
    let lang = prefs.lang.unwrap_or(user_lang);
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
    let level = render::level_name(prefs.threshold, lang);
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
    ])
}

async fn is_admin(ctx: &Ctx, chat_id: i64, user_id: i64) -> bool {
    if user_id == GROUP_ANONYMOUS_BOT {
        return true;
    }
    rights(ctx, chat_id, user_id).await.admin
}

async fn bot_can_delete(ctx: &Ctx, chat_id: i64) -> bool {
    rights(ctx, chat_id, ctx.me_id).await.can_delete
}

/// getChatMember, cached; an error counts as "no rights" and is not cached.
async fn rights(ctx: &Ctx, chat_id: i64, user_id: i64) -> MemberRights {
    if let Some(rights) = ctx.admins.get(chat_id, user_id) {
        return rights;
    }
    let Ok(user) = u64::try_from(user_id) else {
        return MemberRights {
            admin: false,
            can_delete: false,
        };
    };
    match ctx
        .bot
        .get_chat_member(ChatId(chat_id), UserId(user))
        .send()
        .await
    {
        Ok(member) => {
            let rights = MemberRights {
                admin: member.is_privileged(),
                can_delete: member.kind.can_delete_messages(),
            };
            ctx.admins.put(chat_id, user_id, rights);
            rights
        }
        Err(error) => {
            ctx.failed(chat_id, &error);
            MemberRights {
                admin: false,
                can_delete: false,
            }
        }
    }
}
