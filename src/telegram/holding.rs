//! Holding replies: when a private reply must wait (a screenshot to read, a batch of
//! forwarded messages or an album waiting for its window, a message queued behind a
//! screenshot), a short "⏳ Checking…" goes out as soon as the update is taken over; a
//! message that waits for its chat's earlier update (a slow answer, replies paced at
//! Telegram's one a second per chat) gets it after `HOLD_AFTER` if its turn has not
//! come. The answer later replaces it (editMessageText, which the throttle does not
//! hold back), so no seller waits in silence for more than a second.
//!
//! Invariants: at most one holding reply per answered message (a `OnceCell` per chat
//! and message, whoever asks first sends it, the others wait for it); it is owed in
//! the outbox under its update's holding key and settled with its message id, so
//! handling an update again (after a restart) never sends it twice and finds the
//! message to edit; an answer that finds a holding reply is owed as an edit of it (so
//! an edit cut short by a restart is redelivered), and goes out as a new reply, with
//! the holding message saying so, if the edit is refused; the registry forgets
//! everything beyond `MAX_SLOTS`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::types::InlineKeyboardMarkup;
use tokio::sync::OnceCell;
use tracing::Instrument;

use super::context::{Ctx, Reader};
use super::outbox::{holding_key, in_update};
use super::render::{self, Key};
use super::send::Target;
use crate::classify::Lang;
use crate::triage::delivery::Replaced;

/// Holding replies remembered before the registry starts over.
const MAX_SLOTS: usize = 10_000;
/// How long a message may wait for its chat's turn before it gets a holding reply (so
/// the reply is out within a second).
pub const HOLD_AFTER: Duration = Duration::from_millis(700);

/// The holding reply of one answered message: its id once sent (`None`: not sent).
type Slot = Arc<OnceCell<Option<i32>>>;

/// Holding replies by (chat, answered message).
#[derive(Default)]
pub struct Holding {
    slots: Mutex<HashMap<(i64, i32), Slot>>,
}

impl Holding {
    fn slot(&self, chat_id: i64, message_id: i32) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= MAX_SLOTS {
            slots.clear();
        }
        Arc::clone(slots.entry((chat_id, message_id)).or_default())
    }

    /// Whether `chat_id` has a held reply not answered yet (a screenshot being read).
    pub fn waiting_in(&self, chat_id: i64) -> bool {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.keys().any(|(chat, _)| *chat == chat_id)
    }

    fn take(&self, chat_id: i64, message_id: i32) -> Option<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.remove(&(chat_id, message_id))
    }
}

impl Ctx {
    /// Starts, in the background and at once, the holding reply to message
    /// `reply_to` of private chat `chat_id` for `reader` (handling `update_id`).
    pub fn hold(self: &Arc<Self>, update_id: i64, chat_id: i64, reply_to: i32, reader: Reader) {
        // Registered now, so the chat's next update already sees it waiting; the task
        // keeps this slot, so an answer that took it first leaves nothing to send.
        let slot = self.holding.slot(chat_id, reply_to);
        let ctx = Arc::clone(self);
        let span = tracing::info_span!("holding reply", update_id);
        let send = async move {
            ctx.hold_in(&slot, chat_id, reply_to, reader).await;
        };
        self.tasks
            .spawn(in_update(update_id, send).instrument(span));
    }

    /// The holding reply to `reply_to` in `chat_id`: sent now unless it was already
    /// (or is being) sent; its id, if it went out.
    pub async fn holding_reply(&self, chat_id: i64, reply_to: i32, reader: Reader) -> Option<i32> {
        let slot = self.holding.slot(chat_id, reply_to);
        self.hold_in(&slot, chat_id, reply_to, reader).await
    }

    async fn hold_in(
        &self,
        slot: &Slot,
        chat_id: i64,
        reply_to: i32,
        reader: Reader,
    ) -> Option<i32> {
        let send = || async {
            let target = Target::reply(chat_id, reply_to, None).in_script(reader.script);
            let text = render::text(Key::Checking, reader.lang()).to_owned();
            self.send_holding(&target, text).await
        };
        *slot.get_or_init(send).await
    }

    /// Replies `html` to `target.reply_to`: in place of its holding reply when there
    /// is one (waiting for it if it is still being sent; after a restart, the one the
    /// update's first handling sent), else as a new message; `lang` is the reply's
    /// language. Returns the id of the message that now carries the reply.
    pub async fn reply_in_place(
        &self,
        target: &Target,
        html: String,
        markup: Option<InlineKeyboardMarkup>,
        lang: Lang,
    ) -> Option<i32> {
        let slot = target
            .reply_to
            .and_then(|id| self.holding.take(target.chat_id, id));
        let holding = match slot {
            Some(slot) => *slot.get_or_init(|| async { None }).await,
            None => self.sent_as(holding_key()).await,
        };
        let Some(message_id) = holding else {
            return self.send(target, html, markup).await;
        };
        let replaced = Replaced {
            message_id,
            note: render::text(Key::AnsweredBelow, lang).to_owned(),
        };
        self.send_replacing(target, html, markup, replaced).await
    }
}
