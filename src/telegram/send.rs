//! Sending through the throttled client, with the failure handling every send needs:
//! every reply is owed in the outbox before it is sent; a failure is either retried
//! (5xx, network, 429) or final (4xx); a user who blocked the bot is remembered and not
//! retried; text and buttons for a reader of Traditional Chinese are converted from the
//! Simplified strings here, before the reply is owed. A reply may replace a holding
//! reply ("Checking…"): it is owed as an edit of that message, and if the edit is
//! refused it goes out as a new message and the holding message says so. A holding
//! reply itself is tried once, at once, and never queued or retried.
//!
//! Invariants: nothing is sent to a private chat whose user is marked blocked; a
//! "blocked"/"deactivated" answer marks the user; every failure is logged, without
//! the raw answer body; an edit that changes nothing (done before a restart) counts as
//! done.

use std::sync::Arc;
use std::time::Duration;

use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::Requester;
use teloxide::types::{
    CallbackQueryId, ChatId, InlineKeyboardMarkup, MessageId, ParseMode, ReplyParameters, ThreadId,
};
use teloxide::{ApiError, RequestError};
use tokio::time::Instant;

use super::context::Ctx;
use super::intake::blocking;
use super::outbox::{holding_key, next_key};
use crate::triage::delivery::{Replaced, ReplyKey, StoredReply};
use crate::triage::script::Script;

/// Where and how to send.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// Chat.
    pub chat_id: i64,
    /// Reply to this message.
    pub reply_to: Option<i32>,
    /// Forum topic.
    pub topic_id: Option<i32>,
    /// The script Chinese text and buttons are shown in.
    pub script: Script,
}

impl Target {
    /// A reply to `message_id` in `chat_id`, in `topic_id` if any.
    pub fn reply(chat_id: i64, message_id: i32, topic_id: Option<i32>) -> Self {
        Self {
            chat_id,
            reply_to: Some(message_id),
            topic_id,
            script: Script::Simplified,
        }
    }

    /// This target, for a reader of `script`.
    pub fn in_script(self, script: Script) -> Self {
        Self { script, ..self }
    }
}

/// `markup` with every button label in `script`.
pub fn convert_buttons(markup: &InlineKeyboardMarkup, script: Script) -> InlineKeyboardMarkup {
    let mut markup = markup.clone();
    for button in markup.inline_keyboard.iter_mut().flatten() {
        button.text = script.convert(&button.text);
    }
    markup
}

/// What became of one attempt at sending a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Sent; the new message's id.
    Sent(i32),
    /// Not sent for now (5xx, timeout, 429): retry, after the server's pause if it
    /// named one.
    Retry(Option<Duration>),
    /// Refused for good (400, 403): dropped with a log line.
    GiveUp,
}

impl Ctx {
    /// Owes HTML `text` to `target` (durably, in the service's outbox), then sends it;
    /// returns the new message id, or `None` if it was not sent now (it is retried
    /// later unless refused for good). A group that became a supergroup gets the
    /// message at its new id, and its settings move.
    pub async fn send(
        &self,
        target: &Target,
        text: String,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Option<i32> {
        let reply = self.stored(target, text, markup, None)?;
        self.owe_and_send(next_key(), reply).await
    }

    /// As [`Ctx::send`], edited into the bot's message `replaced` (a holding reply)
    /// instead of sent anew; the id of the message that now carries the reply.
    pub async fn send_replacing(
        &self,
        target: &Target,
        text: String,
        markup: Option<InlineKeyboardMarkup>,
        replaced: Replaced,
    ) -> Option<i32> {
        let reply = self.stored(target, text, markup, Some(replaced))?;
        self.owe_and_send(next_key(), reply).await
    }

    /// Sends the holding reply `text` of the update being handled, owed under its
    /// holding key: once, at once, and only when nothing of the chat waits before it
    /// (a holding reply that cannot go out now is no use later). Returns the message
    /// that holds the place: sent now, or before a restart when the update is handled
    /// again.
    pub async fn send_holding(&self, target: &Target, text: String) -> Option<i32> {
        let key = holding_key();
        if self.postman.waiting_for(target.chat_id) {
            return None;
        }
        let reply = self.stored(target, text, None, None)?;
        if !self.owe(key, &reply).await {
            return self.sent_as(key).await;
        }
        match self.attempt(&reply).await {
            Attempt::Sent(id) => {
                let outbox = Arc::clone(&self.deps.outbox);
                if let Err(error) = blocking(move || outbox.settle_sent(key, id)).await {
                    tracing::error!("cannot settle a holding reply: {error}");
                }
                Some(id)
            }
            Attempt::Retry(_) | Attempt::GiveUp => {
                self.settle(key).await;
                None
            }
        }
    }

    /// The message the reply owed under `key` went out as, if it was kept.
    pub async fn sent_as(&self, key: ReplyKey) -> Option<i32> {
        let outbox = Arc::clone(&self.deps.outbox);
        blocking(move || outbox.sent_as(key))
            .await
            .unwrap_or_else(|error| {
                tracing::error!("cannot read a settled reply: {error}");
                None
            })
    }

    /// The reply to owe for `target`, in its reader's script; `None` for a user who
    /// blocked the bot.
    fn stored(
        &self,
        target: &Target,
        text: String,
        markup: Option<InlineKeyboardMarkup>,
        replaces: Option<Replaced>,
    ) -> Option<StoredReply> {
        if target.chat_id > 0 && self.is_blocked(target.chat_id) {
            tracing::info!(
                chat_id = target.chat_id,
                "not sending: the user blocked the bot"
            );
            return None;
        }
        let script = target.script;
        let (text, markup, replaces) = match script {
            Script::Simplified => (text, markup, replaces),
            script => (
                script.convert(&text),
                markup.map(|m| convert_buttons(&m, script)),
                replaces.map(|r| Replaced {
                    note: script.convert(&r.note),
                    ..r
                }),
            ),
        };
        Some(StoredReply {
            chat_id: target.chat_id,
            text,
            reply_to: target.reply_to,
            topic_id: target.topic_id,
            markup: markup.and_then(|m| serde_json::to_string(&m).ok()),
            replaces,
        })
    }

    /// Records `reply` as owed under `key`; false when it was owed or settled before
    /// (the update is being handled again). A store failure is logged, and the reply
    /// is sent anyway.
    async fn owe(&self, key: ReplyKey, reply: &StoredReply) -> bool {
        let outbox = Arc::clone(&self.deps.outbox);
        let owed = reply.clone();
        match blocking(move || outbox.owe(key, &owed)).await {
            Ok(owed) => {
                if !owed {
                    tracing::info!(update_id = key.update_id, "reply already owed or sent");
                }
                owed
            }
            Err(error) => {
                tracing::error!("cannot record an owed reply: {error}");
                true
            }
        }
    }

    /// Owes `reply` under `key`, then sends it unless the chat has replies waiting.
    async fn owe_and_send(&self, key: ReplyKey, reply: StoredReply) -> Option<i32> {
        if !self.owe(key, &reply).await {
            return None;
        }
        if self.postman.waiting_for(reply.chat_id) {
            self.postman.defer(key, reply, 0, Instant::now());
            return None;
        }
        match self.attempt(&reply).await {
            Attempt::Sent(id) => {
                self.settle(key).await;
                Some(id)
            }
            Attempt::Retry(after) => {
                let due = Instant::now() + after.unwrap_or(Duration::from_secs(1));
                self.postman.defer(key, reply, 1, due);
                None
            }
            Attempt::GiveUp => {
                self.settle(key).await;
                None
            }
        }
    }

    /// The reply was sent or given up on.
    pub async fn settle(&self, key: ReplyKey) {
        let outbox = Arc::clone(&self.deps.outbox);
        if let Err(error) = blocking(move || outbox.settle(key)).await {
            tracing::error!("cannot settle a reply: {error}");
        }
    }

    /// Sends `reply` once (and once more at a supergroup's new id); an edit is tried
    /// once, then sent anew if it is refused.
    pub async fn attempt(&self, reply: &StoredReply) -> Attempt {
        if let Some(replaced) = &reply.replaces {
            return self.attempt_edit(reply, replaced).await;
        }
        let error = match self.send_once(reply.chat_id, reply).await {
            Ok(id) => return Attempt::Sent(id),
            Err(error) => error,
        };
        let RequestError::MigrateToChatId(ChatId(new_id)) = error else {
            return self.disposition(reply.chat_id, &error);
        };
        tracing::info!(chat_id = reply.chat_id, new_id, "group became a supergroup");
        if let Err(error) = self.deps.prefs.move_chat(reply.chat_id, new_id) {
            tracing::error!("cannot move group settings: {error}");
        }
        self.admins.forget_chat(reply.chat_id);
        let moved = StoredReply {
            chat_id: new_id,
            reply_to: None,
            topic_id: None,
            ..reply.clone()
        };
        match self.send_once(new_id, &moved).await {
            Ok(id) => Attempt::Sent(id),
            Err(error) => self.disposition(new_id, &error),
        }
    }

    /// Whether a failed send is worth retrying; logs it either way.
    fn disposition(&self, chat_id: i64, error: &RequestError) -> Attempt {
        let what = describe(error);
        match retry_after(error) {
            Some(after) => {
                tracing::warn!(chat_id, "sending failed, will retry: {what}");
                Attempt::Retry(after)
            }
            None => {
                self.failed(chat_id, error);
                tracing::warn!(chat_id, "reply dropped: {what}");
                Attempt::GiveUp
            }
        }
    }

    /// Edits `replaced` into `reply`; if the edit is refused (the message was deleted
    /// or cannot be edited), sends `reply` as a new message and edits `replaced` into
    /// its note, best effort.
    async fn attempt_edit(&self, reply: &StoredReply, replaced: &Replaced) -> Attempt {
        let chat_id = reply.chat_id;
        let id = replaced.message_id;
        let error = match self
            .edit_once(chat_id, id, &reply.text, keyboard(reply))
            .await
        {
            Ok(()) | Err(RequestError::Api(ApiError::MessageNotModified)) => {
                return Attempt::Sent(id);
            }
            Err(error) => error,
        };
        if retry_after(&error).is_some() {
            return self.disposition(chat_id, &error);
        }
        tracing::warn!(
            chat_id,
            "cannot edit the holding reply, sending anew: {}",
            describe(&error)
        );
        match self.send_once(chat_id, reply).await {
            Ok(new) => {
                if let Err(error) = self.edit_once(chat_id, id, &replaced.note, None).await {
                    tracing::info!(
                        chat_id,
                        "the holding reply keeps its text: {}",
                        describe(&error)
                    );
                }
                Attempt::Sent(new)
            }
            Err(error) => self.disposition(chat_id, &error),
        }
    }

    async fn edit_once(
        &self,
        chat_id: i64,
        message_id: i32,
        text: &str,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Result<(), RequestError> {
        let mut edit = self
            .bot
            .edit_message_text(ChatId(chat_id), MessageId(message_id), text)
            .parse_mode(ParseMode::Html);
        if let Some(markup) = markup {
            edit = edit.reply_markup(markup);
        }
        self.call(edit).await.map(|_| ())
    }

    async fn send_once(&self, chat_id: i64, reply: &StoredReply) -> Result<i32, RequestError> {
        let mut request = self
            .bot
            .send_message(ChatId(chat_id), &reply.text)
            .parse_mode(ParseMode::Html);
        if let Some(id) = reply.reply_to {
            request = request.reply_parameters(
                ReplyParameters::new(MessageId(id)).allow_sending_without_reply(),
            );
        }
        if let Some(topic) = reply.topic_id {
            request = request.message_thread_id(ThreadId(MessageId(topic)));
        }
        if let Some(markup) = keyboard(reply) {
            request = request.reply_markup(markup);
        }
        Ok(self.call(request).await?.id.0)
    }

    /// Answers a button press, optionally with a short notice.
    pub async fn answer(&self, query_id: &str, text: Option<&str>) {
        let mut request = self
            .bot
            .answer_callback_query(CallbackQueryId(query_id.to_owned()));
        if let Some(text) = text {
            request = request.text(text);
        }
        if let Err(error) = self.call(request).await {
            tracing::warn!("answerCallbackQuery failed: {error}");
        }
    }

    /// Logs a failed call; marks a private chat's user as blocked when Telegram says so.
    pub fn failed(&self, chat_id: i64, error: &RequestError) {
        tracing::warn!(chat_id, "Bot API call failed: {}", describe(error));
        if chat_id > 0 && user_gone(error) {
            self.set_blocked(chat_id, true);
        }
    }

    /// Whether `user_id` blocked the bot.
    pub fn is_blocked(&self, user_id: i64) -> bool {
        self.deps.prefs.user(user_id).is_ok_and(|p| p.blocked)
    }

    /// Records whether `user_id` blocks the bot.
    pub fn set_blocked(&self, user_id: i64, blocked: bool) {
        let prefs = &self.deps.prefs;
        let result = prefs.user(user_id).and_then(|mut user| {
            if user.blocked == blocked {
                return Ok(());
            }
            user.blocked = blocked;
            prefs.set_user(user_id, user)
        });
        if let Err(error) = result {
            tracing::error!(user_id, "cannot record block state: {error}");
        }
    }
}

/// The inline keyboard `reply` carries, if any.
fn keyboard(reply: &StoredReply) -> Option<InlineKeyboardMarkup> {
    let markup = reply.markup.as_deref()?;
    serde_json::from_str(markup).ok()
}

/// `None` when `error` is final (the request itself was refused: 400, 403, ...);
/// `Some(pause)` when it is worth retrying (5xx, network, 429 with the server's pause).
pub fn retry_after(error: &RequestError) -> Option<Option<Duration>> {
    match error {
        RequestError::RetryAfter(seconds) => Some(Some(seconds.duration())),
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Some(None)
        }
        RequestError::Api(ApiError::Unknown(description)) if !is_refusal(description) => Some(None),
        _ => None,
    }
}

/// Descriptions of 4xx answers start with their status text.
fn is_refusal(description: &str) -> bool {
    [
        "Bad Request",
        "Forbidden",
        "Unauthorized",
        "Not Found",
        "Conflict",
    ]
    .iter()
    .any(|status| description.starts_with(status))
}

/// An error for the log, without the raw body a bad JSON answer carries (it may
/// echo the message text).
pub fn describe(error: &RequestError) -> String {
    match error {
        RequestError::InvalidJson { source, .. } => {
            format!("the answer is not valid JSON: {source}")
        }
        other => other.to_string(),
    }
}

/// Telegram says the user cannot be messaged (blocked us, deleted, never started).
fn user_gone(error: &RequestError) -> bool {
    match error {
        RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated) => true,
        RequestError::Api(ApiError::Unknown(description)) => description.starts_with("Forbidden"),
        _ => false,
    }
}
