//! Sending through the throttled client, with the failure handling every send needs:
//! a user who blocked the bot is remembered and not retried; text and buttons for a
//! reader of Traditional Chinese are converted from the Simplified strings here.
//!
//! Invariants: nothing is sent to a private chat whose user is marked blocked; a
//! "blocked"/"deactivated" answer marks the user; every failure is logged.

use teloxide::payloads::{AnswerCallbackQuerySetters, SendMessageSetters};
use teloxide::prelude::Requester;
use teloxide::requests::Request;
use teloxide::types::{
    CallbackQueryId, ChatId, InlineKeyboardMarkup, MessageId, ParseMode, ReplyParameters, ThreadId,
};
use teloxide::{ApiError, RequestError};

use super::context::Ctx;
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
fn convert_buttons(markup: &InlineKeyboardMarkup, script: Script) -> InlineKeyboardMarkup {
    let mut markup = markup.clone();
    for button in markup.inline_keyboard.iter_mut().flatten() {
        button.text = script.convert(&button.text);
    }
    markup
}

impl Ctx {
    /// Sends HTML `text`; returns the new message id, or `None` if not sent. A group
    /// that became a supergroup gets the message at its new id, and its settings move.
    pub async fn send(
        &self,
        target: &Target,
        text: String,
        markup: Option<InlineKeyboardMarkup>,
    ) -> Option<i32> {
        if target.chat_id > 0 && self.is_blocked(target.chat_id) {
            tracing::info!(
                chat_id = target.chat_id,
                "not sending: the user blocked the bot"
            );
            return None;
        }
        let (text, markup) = match target.script {
            Script::Simplified => (text, markup),
            script => (
                script.convert(&text),
                markup.map(|m| convert_buttons(&m, script)),
            ),
        };
        let error = match self.send_once(target, &text, markup.as_ref()).await {
            Ok(id) => return Some(id),
            Err(error) => error,
        };
        let RequestError::MigrateToChatId(ChatId(new_id)) = error else {
            self.failed(target.chat_id, &error);
            return None;
        };
        tracing::info!(
            chat_id = target.chat_id,
            new_id,
            "group became a supergroup"
        );
        if let Err(error) = self.deps.prefs.move_chat(target.chat_id, new_id) {
            tracing::error!("cannot move group settings: {error}");
        }
        self.admins.forget_chat(target.chat_id);
        let moved = Target {
            chat_id: new_id,
            ..Target::default()
        };
        match self.send_once(&moved, &text, markup.as_ref()).await {
            Ok(id) => Some(id),
            Err(error) => {
                self.failed(new_id, &error);
                None
            }
        }
    }

    async fn send_once(
        &self,
        target: &Target,
        text: &str,
        markup: Option<&InlineKeyboardMarkup>,
    ) -> Result<i32, RequestError> {
        let mut request = self
            .bot
            .send_message(ChatId(target.chat_id), text)
            .parse_mode(ParseMode::Html);
        if let Some(id) = target.reply_to {
            request = request.reply_parameters(
                ReplyParameters::new(MessageId(id)).allow_sending_without_reply(),
            );
        }
        if let Some(topic) = target.topic_id {
            request = request.message_thread_id(ThreadId(MessageId(topic)));
        }
        if let Some(markup) = markup {
            request = request.reply_markup(markup.clone());
        }
        Ok(request.send().await?.id.0)
    }

    /// Answers a button press, optionally with a short notice.
    pub async fn answer(&self, query_id: &str, text: Option<&str>) {
        let mut request = self
            .bot
            .answer_callback_query(CallbackQueryId(query_id.to_owned()));
        if let Some(text) = text {
            request = request.text(text);
        }
        if let Err(error) = request.send().await {
            tracing::warn!("answerCallbackQuery failed: {error}");
        }
    }

    /// Logs a failed call; marks a private chat's user as blocked when Telegram says so.
    pub fn failed(&self, chat_id: i64, error: &RequestError) {
        tracing::warn!(chat_id, "Bot API call failed: {error}");
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

/// Telegram says the user cannot be messaged (blocked us, deleted, never started).
fn user_gone(error: &RequestError) -> bool {
    match error {
        RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated) => true,
        RequestError::Api(ApiError::Unknown(description)) => description.starts_with("Forbidden"),
        _ => false,
    }
}
