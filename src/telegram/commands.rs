//! Commands (/start, /help, /lang, /check, /report, /privacy, /forgetme, /settings,
//! and the curator commands in `curator`) and inline-button presses.
//!
//! Invariants: reports and forget requests go to `ReportSink` and the user is told
//! truthfully whether they were recorded; a report carries its origin (chat, message,
//! reporter), so an update handled again files it once and thanks once; settings change only for group admins.

use teloxide::payloads::EditMessageTextSetters;
use teloxide::prelude::Requester;
use teloxide::types::{ChatId, MessageId, ParseMode};

use super::context::{Ctx, Judged};
use super::incoming::{Callback, Chat, Content, IncomingMessage, Text};
use super::private::{HandlerResult, send_card};
use super::render::{self, Key};
use super::send::Target;
use super::{CuratorOptions, curator, group, notices, review};
use crate::classify::Lang;
use crate::triage::Triage;
use crate::triage::card::more_advice;
use crate::triage::feedback::{Filed, Report, ReportKind};
use crate::triage::metrics::CheckSource;

/// Runs a command from `message` (private chat or group).
pub async fn command(ctx: &Ctx, message: &IncomingMessage, lang: Lang) -> HandlerResult {
    let Content::Command {
        name,
        addressee,
        args,
    } = &message.content
    else {
        return Ok(());
    };
    if addressee
        .as_deref()
        .is_some_and(|bot| !bot.eq_ignore_ascii_case(&ctx.me_username))
    {
        return Ok(());
    }
    let Some(from) = &message.from else {
        return Ok(());
    };
    let reader = ctx.reader(from);
    let mut target = Target::reply(message.chat.id, message.message_id, message.topic_id);
    if !message.chat.is_group() {
        target = target.in_script(reader.script);
    }
    let say = |key: Key, lang: Lang| render::text(key, lang).to_owned();
    match name.as_str() {
        "start" if message.chat.is_group() => {
            let intro = group::intro_command(ctx, message.chat.id, lang).await;
            ctx.send(&target, intro, None).await
        }
        "start" => ctx.send(&target, say(Key::Welcome, lang), None).await,
        "help" => ctx.send(&target, say(Key::Help, lang), None).await,
        "privacy" => ctx.send(&target, say(Key::Privacy, lang), None).await,
        "lang" => {
            let chosen = match args.as_str() {
                "" => Some(if lang == Lang::Zh { Lang::En } else { Lang::Zh }),
                other => other.to_ascii_lowercase().parse::<Lang>().ok(),
            };
            let Some(chosen) = chosen else {
                ctx.send(&target, say(Key::LangUsage, lang), None).await;
                return Ok(());
            };
            let mut prefs = ctx.deps.prefs.user(from.id)?;
            prefs.lang = Some(chosen);
            ctx.deps.prefs.set_user(from.id, prefs)?;
            ctx.send(&target, say(Key::LangSet, chosen), None).await
        }
        "forgetme" => {
            ctx.deps.prefs.forget_user(from.id)?;
            let key = match ctx.deps.reports.forget(from.id) {
                Ok(_) => Key::Forgotten,
                Err(error) => {
                    tracing::error!("forget failed: {error}");
                    Key::ReportFailed
                }
            };
            ctx.send(&target, say(key, lang), None).await
        }
        "check" | "report" => {
            let Some(replied) = &message.reply_to else {
                ctx.send(&target, say(Key::ReplyNeeded, lang), None).await;
                return Ok(());
            };
            let Some(text) = replied.judgeable() else {
                ctx.send(&target, say(Key::NothingToJudge, lang), None)
                    .await;
                return Ok(());
            };
            if name == "check" && message.chat.is_group() {
                let verdict = ctx.verdict_in(&text, CheckSource::Group);
                let card = ctx.card_for(&verdict, lang);
                let html = render::group_card(&card, &ctx.me_username);
                ctx.send(&target, html, None).await;
                return Ok(());
            }
            if name == "check" {
                send_card(ctx, &target, &text, reader).await;
                return Ok(());
            }
            let verdict = ctx.verdict(&text);
            let judged = Judged {
                text,
                level: verdict.level,
                family: verdict.family,
                lang,
            };
            let origin = origin(message.chat.id, message.message_id, from.id);
            let (key, review) = report(
                ctx,
                ReportKind::Scam,
                from.id,
                &message.chat,
                judged,
                origin,
            );
            ctx.send(&target, say(key, lang), None).await;
            review.post(ctx).await;
            return Ok(());
        }
        name if curator::COMMANDS.contains(&name) => {
            curator::command(ctx, message, name, args, lang).await;
            return Ok(());
        }
        "settings" if message.chat.is_group() => {
            group::settings_command(ctx, message, lang).await;
            return Ok(());
        }
        _ if message.chat.is_group() => return Ok(()),
        _ => {
            ctx.send(&target, say(Key::UnknownCommand, lang), None)
                .await
        }
    };
    Ok(())
}

/// Where a report is filed from: the chat and message (the `/report` command, or the
/// card whose button was pressed) and who filed it, so handling the same update again
/// files nothing new.
fn origin(chat_id: i64, message_id: i32, reporter_id: i64) -> String {
    format!("telegram:{chat_id}:{message_id}:{reporter_id}")
}

/// A review card owed to curators, posted after the reporter was answered (so the
/// answer's place among the update's replies never depends on whether a card is due).
struct ReviewDue(Option<(Filed, Text, Chat)>);

impl ReviewDue {
    async fn post(self, ctx: &Ctx) {
        if let Some((filed, text, chat)) = self.0 {
            review::review_card(ctx, &filed, &text, &chat).await;
        }
    }
}

/// Hands one report to the sink; returns what to tell the reporter, and the review
/// card to post for curators when it needs one.
fn report(
    ctx: &Ctx,
    kind: ReportKind,
    reporter_id: i64,
    chat: &Chat,
    judged: Judged,
    origin: String,
) -> (Key, ReviewDue) {
    let text = judged.text.clone();
    let report = Report {
        kind,
        reporter_id,
        chat_id: chat.id,
        text: judged.text.text,
        hidden_links: judged.text.hidden_links,
        level: Some(judged.level),
        family: judged.family,
        origin: Some(origin),
    };
    match ctx.deps.reports.report(report) {
        Ok(filed) if filed.repeat => (Key::AlreadyReported, ReviewDue(None)),
        Ok(filed) if kind == ReportKind::Scam => {
            let due = ReviewDue(Some((filed, text, chat.clone())));
            (Key::Reported, due)
        }
        Ok(_) => (Key::MarkedLegit, ReviewDue(None)),
        Err(error) => {
            tracing::error!("report failed: {error}");
            (Key::ReportFailed, ReviewDue(None))
        }
    }
}

/// Handles a press on one of our inline buttons.
pub async fn callback(ctx: &Ctx, callback: Callback) -> HandlerResult {
    let lang = ctx.user_lang(callback.from.id, callback.from.language_code.as_deref());
    let Some(message) = &callback.message else {
        ctx.answer(&callback.id, Some(render::text(Key::CardExpired, lang)))
            .await;
        return Ok(());
    };
    let chat_id = message.chat.id;
    if let Some(setting) = callback.data.strip_prefix("s:") {
        return group::settings_button(ctx, &callback, message, setting).await;
    }
    if let Some(index) = callback.data.strip_prefix("g:n:") {
        return notices::undo(ctx, &callback, message, index).await;
    }
    if let Some(data) = callback.data.strip_prefix("cv:") {
        review::button(ctx, &callback, data).await;
        return Ok(());
    }
    let judged = ctx.card(chat_id, message.message_id);
    match (callback.data.as_str(), judged) {
        ("r:s" | "r:l", Some(judged)) => {
            let kind = match callback.data.as_str() {
                "r:s" => ReportKind::Scam,
                _ => ReportKind::Legitimate,
            };
            let origin = origin(chat_id, message.message_id, callback.from.id);
            let (key, review) = report(ctx, kind, callback.from.id, &message.chat, judged, origin);
            ctx.answer(&callback.id, Some(render::text(key, lang)))
                .await;
            review.post(ctx).await;
        }
        ("m", Some(judged)) => {
            ctx.answer(&callback.id, None).await;
            let lang = judged.lang;
            let advice = ctx.deps.triage.advice();
            let region = ctx.reader(&callback.from).region;
            let text = more_advice(advice, judged.level, judged.family, lang, region);
            let mut target = Target::reply(chat_id, message.message_id, message.topic_id);
            if !message.chat.is_group() {
                target = target.in_script(ctx.reader(&callback.from).script);
            }
            let html = render::escape(&text);
            let html = if html.chars().count() > render::MAX_MESSAGE_CHARS {
                render::escape(&crate::triage::card::shorten(&text, 3000))
            } else {
                html
            };
            ctx.send(&target, html, None).await;
        }
        ("m", None) => {
            ctx.answer(&callback.id, Some(render::text(Key::MoreAdviceGone, lang)))
                .await;
        }
        _ => {
            ctx.answer(&callback.id, Some(render::text(Key::CardExpired, lang)))
                .await;
        }
    }
    Ok(())
}

/// Replaces the text and keyboard of a message the bot sent.
pub async fn edit(
    ctx: &Ctx,
    chat_id: i64,
    message_id: i32,
    html: String,
    markup: teloxide::types::InlineKeyboardMarkup,
) {
    let request = ctx
        .bot
        .edit_message_text(ChatId(chat_id), MessageId(message_id), html)
        .parse_mode(ParseMode::Html)
        .reply_markup(markup);
    if let Err(error) = ctx.call(request).await {
        ctx.failed(chat_id, &error);
    }
}

/// Replaces only the keyboard of a message the bot sent.
pub async fn edit_markup(
    ctx: &Ctx,
    chat_id: i64,
    message_id: i32,
    markup: teloxide::types::InlineKeyboardMarkup,
) {
    use teloxide::payloads::EditMessageReplyMarkupSetters;
    let request = ctx
        .bot
        .edit_message_reply_markup(ChatId(chat_id), MessageId(message_id))
        .reply_markup(markup);
    if let Err(error) = ctx.call(request).await {
        ctx.failed(chat_id, &error);
    }
}

/// Registers the command menu in English (default) and Chinese, and for each curator
/// (in their private chat, and in the admin chat) a menu that adds the curator
/// commands; failures only warn.
pub async fn register(bot: &teloxide::Bot, triage: &Triage, curators: &CuratorOptions) {
    use teloxide::payloads::SetMyCommandsSetters;
    use teloxide::types::{BotCommand, BotCommandScope, Recipient};
    const PUBLIC: [(&str, &str, &str); 8] = [
        (
            "start",
            "What I do and what I store",
            "我能做什么、保存什么",
        ),
        ("help", "How to check a message", "如何检查消息"),
        (
            "check",
            "Reply to a message to check it",
            "回复某条消息进行检查",
        ),
        (
            "report",
            "Reply to a message to report a scam",
            "回复某条消息举报诈骗",
        ),
        (
            "lang",
            "Language: /lang en or /lang zh",
            "语言：/lang en 或 /lang zh",
        ),
        ("privacy", "What I store", "我保存什么"),
        (
            "forgetme",
            "Delete what I keep about you",
            "删除我保存的关于你的数据",
        ),
        ("settings", "Group settings (admins)", "群组设置（管理员）"),
    ];
    const CURATOR: [(&str, &str, &str); 5] = [
        ("pending", "Reports awaiting review", "待审核的举报"),
        ("stats", "Report statistics", "举报统计"),
        (
            "block",
            "/block VALUE: confirm a scam contact",
            "/block 值：确认诈骗联系方式",
        ),
        (
            "allow",
            "/allow VALUE: mark a contact legitimate",
            "/allow 值：标记为正规联系方式",
        ),
        ("reload", "Reload the rule files", "重新加载规则文件"),
    ];
    let menu = |lang: Lang, curator: bool| -> Vec<BotCommand> {
        let extra: &[(&str, &str, &str)] = if curator { &CURATOR } else { &[] };
        PUBLIC
            .iter()
            .chain(extra)
            .map(|(name, en, zh)| BotCommand::new(*name, if lang == Lang::Zh { *zh } else { *en }))
            .collect()
    };
    let chats = curators
        .admin_ids
        .iter()
        .copied()
        .chain(curators.admin_chat_id);
    let scopes = std::iter::once(None).chain(chats.map(|id| {
        Some(BotCommandScope::Chat {
            chat_id: Recipient::Id(ChatId(id)),
        })
    }));
    for scope in scopes {
        for lang in [Lang::En, Lang::Zh] {
            let mut request = bot.set_my_commands(menu(lang, scope.is_some()));
            if lang == Lang::Zh {
                request = request.language_code("zh");
            }
            if let Some(scope) = &scope {
                request = request.scope(scope.clone());
            }
            if let Err(error) = super::api::call(triage, request).await {
                tracing::warn!("setMyCommands failed: {error}");
            }
        }
    }
}
