//! Routing of updates, and private chats: every text, caption or forward gets a
//! verdict card as a reply; albums and messages forwarded together get one card. The
//! card is in the reader's `/lang` choice, else the message's language, else their
//! app's; Traditional-Chinese apps get Traditional text (`send`).
//!
//! A card whose message got a holding reply ("Checking…": a batch waiting for its
//! window, a message waiting for its turn) replaces it in place.
//!
//! Invariants: handlers only convert; a user who writes to us is no longer blocked;
//! the card's buttons carry short data (`r:s`, `r:l`, `m`) and the judged text stays
//! in the bot's memory, never in the button.

use std::sync::Arc;

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::context::{Ctx, Judged, Reader};
use super::incoming::{Content, Incoming, IncomingMessage, Text, Update};
use super::render::{self, Key};
use super::send::Target;
use super::{commands, group, media};
use crate::classify::{Lang, Verdict};

/// Why an update could not be handled.
pub type HandlerResult = Result<(), crate::triage::prefs::PrefsError>;

/// Routes one update to its handler.
pub async fn dispatch(ctx: Arc<Ctx>, update: Update) -> HandlerResult {
    match update.incoming {
        Incoming::Message(message) if message.chat.is_group() => {
            group::message(&ctx, message).await
        }
        Incoming::Message(message) if message.chat.id > 0 => message_in_private(ctx, message).await,
        Incoming::Message(_) => Ok(()),
        Incoming::Callback(callback) => commands::callback(&ctx, callback).await,
        Incoming::MyMembership(change) => group::membership(&ctx, change).await,
        Incoming::Other(kind) => {
            tracing::debug!("ignoring a {kind} update");
            Ok(())
        }
    }
}

async fn message_in_private(ctx: Arc<Ctx>, message: IncomingMessage) -> HandlerResult {
    let Some(from) = message.from.clone() else {
        return Ok(());
    };
    if ctx.is_blocked(from.id) {
        ctx.set_blocked(from.id, false);
    }
    let reader = ctx.reader(&from);
    let lang = reader.lang();
    if let Content::Command { .. } = message.content {
        return commands::command(&ctx, &message, lang).await;
    }
    if message.image.is_some() {
        media::reply(&ctx, std::slice::from_ref(&message), reader).await;
        return Ok(());
    }
    let target = Target::reply(message.chat.id, message.message_id, None).in_script(reader.script);
    match message.judgeable() {
        Some(text) => send_card(&ctx, &target, &text, reader).await,
        None => {
            let key = match message.content {
                Content::Image => Key::Image,
                Content::Unsupported(_) => Key::Unsupported,
                _ => return Ok(()),
            };
            ctx.send(&target, render::text(key, lang).to_owned(), None)
                .await;
        }
    }
    Ok(())
}

/// The reader of a private `message` that gets a card (so a holding reply while the
/// card must wait), and whether it has a screenshot to read (so it waits for sure).
pub fn holds(ctx: &Ctx, message: &IncomingMessage) -> Option<(Reader, bool)> {
    if message.chat.is_group() || message.chat.id <= 0 {
        return None;
    }
    if matches!(message.content, Content::Command { .. }) {
        return None;
    }
    if message.image.is_none() && message.judgeable().is_none() {
        return None;
    }
    let reads = message.image.is_some() && ctx.deps.triage.reads_images();
    let from = message.from.as_ref()?;
    Some((ctx.reader(from), reads))
}

/// Whether `message` is a forward or album part in a private chat: judged together
/// with the others that arrive within the batch window.
pub fn is_batched(message: &IncomingMessage) -> bool {
    message.chat.id > 0
        && !message.chat.is_group()
        && !matches!(message.content, Content::Command { .. })
        && (message.origin.is_some() || message.media_group_id.is_some())
}

/// Waits for the batch window of `chat_id` to close, then judges the batch once;
/// returns the updates it answered.
pub async fn flush_batch(ctx: &Ctx, chat_id: i64, until: tokio::time::Instant) -> Vec<i64> {
    let (update_ids, messages): (Vec<i64>, Vec<IncomingMessage>) = ctx
        .batcher
        .take_at(chat_id, until, ctx.shutdown.cancelled())
        .await
        .into_iter()
        .unzip();
    answer_batch(ctx, &messages).await;
    update_ids
}

async fn answer_batch(ctx: &Ctx, messages: &[IncomingMessage]) {
    let Some(first) = messages.first() else {
        return;
    };
    let Some(from) = &first.from else {
        return;
    };
    if ctx.is_blocked(from.id) {
        ctx.set_blocked(from.id, false);
    }
    let reader = ctx.reader(from);
    if messages.iter().any(|m| m.image.is_some()) {
        media::reply(ctx, messages, reader).await;
        return;
    }
    let target = Target::reply(first.chat.id, first.message_id, None).in_script(reader.script);
    let mut combined = Text::default();
    for text in messages.iter().filter_map(IncomingMessage::judgeable) {
        if !combined.text.is_empty() {
            combined.text.push_str("\n\n");
        }
        combined.text.push_str(&text.text);
        combined.hidden_links.extend(text.hidden_links);
    }
    if combined.text.is_empty() {
        let nothing = render::text(Key::Image, reader.lang()).to_owned();
        ctx.reply_in_place(&target, nothing, None, reader.lang())
            .await;
        return;
    }
    send_card(ctx, &target, &combined, reader).await;
}

/// Judges `text` and replies with the full card, in the language `reader` reads it
/// in, and its buttons.
pub async fn send_card(ctx: &Ctx, target: &Target, text: &Text, reader: Reader) {
    let verdict = ctx.verdict(text);
    send_verdict(ctx, target, text, &verdict, reader, "").await;
}

/// Replies with the full card for `verdict` of `text` in the language and region
/// `reader` reads it in, `read` (escaped markup: what a screenshot said) right after
/// the verdict line.
pub async fn send_verdict(
    ctx: &Ctx,
    target: &Target,
    text: &Text,
    verdict: &Verdict,
    reader: Reader,
    read: &str,
) {
    let lang = reader.card_lang(verdict);
    let card = ctx.card_in(verdict, lang, reader.region);
    let html = render::card_with(&card, read);
    let markup = Some(card_buttons(lang));
    if let Some(id) = ctx.reply_in_place(target, html, markup, lang).await {
        let judged = Judged {
            text: text.clone(),
            level: verdict.level,
            family: verdict.family,
            lang,
        };
        ctx.remember_card(target.chat_id, id, judged);
    }
}

fn card_buttons(lang: Lang) -> InlineKeyboardMarkup {
    let zh = lang == Lang::Zh;
    let label = |en: &str, zh_label: &str| {
        if zh {
            zh_label.to_owned()
        } else {
            en.to_owned()
        }
    };
    InlineKeyboardMarkup::new([
        vec![
            InlineKeyboardButton::callback(label("🚩 Report as scam", "🚩 举报诈骗"), "r:s"),
            InlineKeyboardButton::callback(label("👍 Looks legitimate", "👍 看起来正常"), "r:l"),
        ],
        vec![InlineKeyboardButton::callback(
            label("💡 More advice", "💡 更多建议"),
            "m",
        )],
    ])
}
