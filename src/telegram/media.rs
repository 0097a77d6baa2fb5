//! Screenshots: downloads photos and image documents (getFile + file download), has
//! the triage service read them, and judges the read text together with captions.
//!
//! In a private chat the card (or why there is none) replaces the holding reply
//! ("Checking…") sent when the screenshot arrived.
//!
//! Invariants: nothing over `DOWNLOAD_LIMIT` is downloaded; OCR runs on the service's
//! own worker threads, never on the runtime; every failure becomes a short bilingual
//! explanation for the seller (private chats) or a log line (groups), never a crash.
//! Album images are read one after another so one album never fills the OCR queue.

use std::future::Future;
use std::time::Duration;

use teloxide::net::Download;
use teloxide::prelude::Requester;
use teloxide::types::{ChatAction, ChatId, FileId};

use super::context::{Ctx, Reader};
use super::incoming::{DOWNLOAD_LIMIT, ImageFile, IncomingMessage, Text};
use super::private::send_verdict;
use super::render::escape;
use super::send::Target;
use crate::classify::Lang;
use crate::triage::OcrError;
use crate::triage::card::shorten;

/// Telegram shows a chat action for about 5 s; repeat it while reading takes longer.
const ACTION_EVERY: Duration = Duration::from_secs(4);
/// Characters of read text quoted on the card.
const EXCERPT_CHARS: usize = 200;

/// Why a screenshot yielded no text.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    /// getFile or the download failed.
    #[error("cannot download the image: {0}")]
    Download(String),
    /// The image was refused or could not be read.
    #[error(transparent)]
    Ocr(#[from] OcrError),
}

impl ReadError {
    /// A short explanation for the seller.
    fn user_message(&self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReadError::Ocr(error), lang) => error.user_message(lang == Lang::Zh),
            (ReadError::Download(_), Lang::Zh) => "图片下载失败，请稍后重新发送。",
            (ReadError::Download(_), Lang::En) => {
                "I could not download the image. Please send it again in a minute."
            }
        }
    }
}

/// Private chat: reads every image of `messages` (one message, or an album or
/// forwarded batch), judges their text with the captions, and replies with one card
/// that quotes what was read; with nothing to judge, replies with why.
pub async fn reply(ctx: &Ctx, messages: &[IncomingMessage], reader: Reader) {
    let Some(first) = messages.first() else {
        return;
    };
    let chat_id = first.chat.id;
    let target = Target::reply(chat_id, first.message_id, None).in_script(reader.script);
    if ctx.deps.triage.reads_images() {
        // Sent when the update was taken over; here only if that did not happen.
        ctx.holding_reply(chat_id, first.message_id, reader).await;
    }
    let (read, failure) = while_acting(ctx, chat_id, read_all(ctx, chat_id, messages)).await;
    let mut combined = Text::default();
    for text in messages.iter().filter_map(IncomingMessage::judgeable) {
        append(&mut combined, &text.text);
        combined.hidden_links.extend(text.hidden_links);
    }
    for text in &read {
        append(&mut combined, text);
    }
    if combined.text.is_empty() {
        let lang = reader.lang();
        let why = failure.as_ref().map_or_else(
            || OcrError::NoText.user_message(lang == Lang::Zh),
            |error| error.user_message(lang),
        );
        ctx.reply_in_place(&target, escape(why), None, lang).await;
        return;
    }
    let verdict = ctx.verdict(&combined);
    let lang = reader.card_lang(&verdict);
    let mut after = String::new();
    if !read.is_empty() {
        let label = match lang {
            Lang::Zh => "🖼 截图中识别到的文字：",
            Lang::En => "🖼 Text read from the screenshot:",
        };
        let excerpt = shorten(read.join("\n").trim(), EXCERPT_CHARS);
        after.push_str(&format!(
            "\n\n{label}\n<blockquote expandable>{}</blockquote>",
            escape(&excerpt)
        ));
    }
    if let Some(error) = &failure {
        after.push_str(&format!("\n⚠️ {}", escape(error.user_message(lang))));
    }
    send_verdict(ctx, &target, &combined, &verdict, reader, &after).await;
}

/// Group: the message's text with what its image says, read quietly (no chat
/// action); a failure is only logged.
pub async fn group_text(ctx: &Ctx, message: &IncomingMessage) -> Option<Text> {
    let mut text = message.judgeable().unwrap_or_default();
    if let Some(image) = &message.image {
        let sender = message
            .from
            .as_ref()
            .map_or(message.chat.id, |from| from.id);
        match read(ctx, sender, image).await {
            Ok(read) => append(&mut text, &read),
            Err(error) => log_failure(message.chat.id, &error),
        }
    }
    (!text.text.trim().is_empty()).then_some(text)
}

/// The text of every image in order, and the first failure, if any.
async fn read_all(
    ctx: &Ctx,
    chat_id: i64,
    messages: &[IncomingMessage],
) -> (Vec<String>, Option<ReadError>) {
    let mut texts = Vec::new();
    let mut failure = None;
    for image in messages.iter().filter_map(|m| m.image.as_ref()) {
        match read(ctx, chat_id, image).await {
            Ok(text) => texts.push(text),
            Err(error) => {
                log_failure(chat_id, &error);
                failure.get_or_insert(error);
            }
        }
    }
    (texts, failure)
}

/// Downloads `image` of `sender` (refusing it when too large) and reads its text.
async fn read(ctx: &Ctx, sender: i64, image: &ImageFile) -> Result<String, ReadError> {
    let too_large = |bytes: u64| OcrError::FileTooLarge {
        bytes,
        limit: DOWNLOAD_LIMIT,
    };
    if !ctx.deps.triage.reads_images() {
        return Err(OcrError::EngineUnavailable {
            reason: "screenshot reading is off".into(),
            packages: String::new(),
        }
        .into());
    }
    if let Some(bytes) = image.file_size.filter(|&b| b > DOWNLOAD_LIMIT) {
        return Err(too_large(bytes).into());
    }
    let request = ctx.bot.get_file(FileId(image.file_id.clone()));
    let file = ctx
        .call(request)
        .await
        .map_err(|e| ReadError::Download(e.to_string()))?;
    if u64::from(file.size) > DOWNLOAD_LIMIT {
        return Err(too_large(u64::from(file.size)).into());
    }
    let mut bytes = Vec::new();
    ctx.raw
        .download_file(&file.path, &mut bytes)
        .await
        .map_err(|e| {
            ctx.download_failed(&e);
            ReadError::Download(e.to_string())
        })?;
    let read = ctx.deps.triage.read_image(sender, bytes).await?;
    Ok(read.text)
}

/// Runs `work` while showing "typing" in `chat_id` (first before any work).
async fn while_acting<T>(ctx: &Ctx, chat_id: i64, work: impl Future<Output = T>) -> T {
    tokio::pin!(work);
    let mut tick = tokio::time::interval(ACTION_EVERY);
    loop {
        tokio::select! {
            biased;
            _ = tick.tick() => {
                let action = ctx.bot.send_chat_action(ChatId(chat_id), ChatAction::Typing);
                if let Err(error) = ctx.call(action).await {
                    tracing::debug!(chat_id, "sendChatAction failed: {error}");
                }
            }
            out = &mut work => return out,
        }
    }
}

/// Logs a failed read; OCR being off was logged once at start, so only at debug.
fn log_failure(chat_id: i64, error: &ReadError) {
    match error {
        ReadError::Ocr(OcrError::EngineUnavailable { .. }) => {
            tracing::debug!(chat_id, "screenshot not read: {error}");
        }
        _ => tracing::info!(chat_id, "screenshot not read: {error}"),
    }
}

fn append(text: &mut Text, more: &str) {
    if more.trim().is_empty() {
        return;
    }
    if !text.text.is_empty() {
        text.text.push_str("\n\n");
    }
    text.text.push_str(more);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_explain_themselves_in_both_languages() {
        let cases = [
            (ReadError::Ocr(OcrError::NoText), Lang::En, "No text found"),
            (ReadError::Ocr(OcrError::NoText), Lang::Zh, "没有识别到文字"),
            (
                ReadError::Download("x".into()),
                Lang::En,
                "could not download",
            ),
            (ReadError::Download("x".into()), Lang::Zh, "下载失败"),
        ];
        for (error, lang, expected) in cases {
            let message = error.user_message(lang);
            assert!(message.contains(expected), "{error:?} {lang:?}: {message}");
        }
    }

    #[test]
    fn append_separates_parts_and_skips_blank_ones() {
        let mut text = Text::default();
        append(&mut text, "caption");
        append(&mut text, "  ");
        append(&mut text, "read");
        assert_eq!(text.text, "caption\n\nread");
    }
}
