//! Taking updates over from the inbox: whatever the source (webhook or long polling),
//! an update is first kept in the service's inbox, then handled here, per chat in id
//! order, and finished with its own done mark; a failing update is retried and, after
//! `MAX_TRIES`, set aside (quarantined) so the bot moves on. A private message whose
//! answer must wait (a screenshot to read, a batch's window, a chat still busy with its
//! previous update) gets its holding reply here: when it is taken over, or when it has
//! waited `HOLD_AFTER` for its chat's turn (`holding`).
//!
//! Invariants: an update is handled by at most one task at a time (`taken`); it leaves
//! the inbox only when its handler succeeded (finished) or it was quarantined, so a
//! crash mid-handling hands it over again after restart (its replies are not sent twice:
//! the outbox keys them by update). Logs above DEBUG name an update by id, never its
//! text.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tracing::Instrument;

use super::context::Ctx;
use super::holding::HOLD_AFTER;
use super::incoming::{self, Incoming};
use super::outbox::in_update;
use super::private;
use crate::triage::delivery::OpenUpdate;

/// Attempts at one update before it is set aside.
pub const MAX_TRIES: u32 = 3;
/// Pause before the first retry of a failed update (doubles per try).
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Which open updates are being handled right now.
#[derive(Default)]
pub struct Intake {
    taken: Mutex<HashSet<i64>>,
    /// Serialises `take_open`, so chat turns are handed out in id order.
    serial: tokio::sync::Mutex<()>,
}

impl Intake {
    /// Claims `update_id`; false when a task already has it.
    fn claim(&self, update_id: i64) -> bool {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(update_id)
    }

    fn release(&self, update_id: i64) {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&update_id);
    }
}

/// Runs a blocking store call off the async workers.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

/// Takes over every open update of the inbox that no task handles yet, in id order.
pub async fn take_open(ctx: &Arc<Ctx>) {
    let _serial = ctx.intake.serial.lock().await;
    let inbox = Arc::clone(&ctx.deps.inbox);
    let open = match blocking(move || inbox.open()).await {
        Ok(open) => open,
        Err(error) => {
            tracing::error!("cannot read the update inbox: {error}");
            return;
        }
    };
    let claimed: Vec<OpenUpdate> = open
        .into_iter()
        .filter(|update| ctx.intake.claim(update.update_id))
        .collect();
    if claimed.is_empty() {
        return;
    }
    // A task may have finished one of these between the read above and its claim
    // (it marks the update done, then releases it): read again, after claiming,
    // and hand over only what is still open, so no update is handled twice.
    let inbox = Arc::clone(&ctx.deps.inbox);
    let still_open: HashSet<i64> = match blocking(move || inbox.open()).await {
        Ok(open) => open.into_iter().map(|u| u.update_id).collect(),
        Err(error) => {
            tracing::error!("cannot read the update inbox: {error}");
            HashSet::new()
        }
    };
    for update in claimed {
        if still_open.contains(&update.update_id) {
            take_over(ctx, update);
        } else {
            ctx.intake.release(update.update_id);
        }
    }
}

/// Handles one claimed update in its own task.
fn take_over(ctx: &Arc<Ctx>, open: OpenUpdate) {
    let update_id = open.update_id;
    let span = tracing::info_span!("update", update_id);
    let update = serde_json::from_slice::<Value>(&open.raw)
        .map_err(|e| e.to_string())
        .and_then(|raw| incoming::parse(&raw).map_err(|e| e.to_string()));
    let update = match update {
        Ok(update) => update,
        Err(reason) => {
            tracing::debug!(update_id, raw = %String::from_utf8_lossy(&open.raw), "undecodable");
            let task_ctx = Arc::clone(ctx);
            let fail = async move { failed(&task_ctx, update_id, &reason).await };
            ctx.tasks.spawn(fail.instrument(span));
            return;
        }
    };
    let task_ctx = Arc::clone(ctx);
    // Forwards and album parts join their batch here, synchronously, in update order.
    if let Incoming::Message(message) = &update.incoming
        && private::is_batched(message)
    {
        let key = message.chat.id;
        let opened = ctx.batcher.add(key, (update_id, message.clone()));
        if opened {
            // A batch waits for its window: it is answered in place of one holding
            // reply, to its first message.
            if let Some(from) = &message.from {
                ctx.hold(update_id, key, message.message_id, ctx.reader(from));
            }
            let until = tokio::time::Instant::now() + ctx.options.batch_window;
            let flush = async move {
                let ids = private::flush_batch(&task_ctx, key, until).await;
                for id in ids {
                    finished(&task_ctx, id).await;
                }
            };
            let flush = in_update(update_id, flush).instrument(span);
            ctx.tasks.spawn(flush);
        }
        return;
    }
    let mut turn = ctx.order.turn(chat_key(&update.incoming));
    let busy = turn.busy();
    let mut late = None;
    if let Incoming::Message(message) = &update.incoming
        && let Some((reader, reads)) = private::holds(ctx, message)
    {
        let (chat_id, message_id) = (message.chat.id, message.message_id);
        // A screenshot waits to be read; a message queued behind one waits as long.
        if reads || (busy && ctx.holding.waiting_in(chat_id)) {
            ctx.hold(update_id, chat_id, message_id, reader);
        } else if busy {
            late = Some((chat_id, message_id, reader));
        }
    }
    let hold_ctx = Arc::clone(ctx);
    let handle = async move {
        match late {
            Some((chat_id, message_id, reader)) => tokio::select! {
                () = turn.wait() => {}
                () = tokio::time::sleep(HOLD_AFTER) => {
                    hold_ctx.hold(update_id, chat_id, message_id, reader);
                    turn.wait().await;
                }
            },
            None => turn.wait().await,
        }
        let result = tokio::spawn(in_update(
            update_id,
            private::dispatch(Arc::clone(&task_ctx), update),
        ))
        .await;
        turn.finish();
        match result {
            Ok(Ok(())) => finished(&task_ctx, update_id).await,
            Ok(Err(error)) => failed(&task_ctx, update_id, &error.to_string()).await,
            Err(_) => failed(&task_ctx, update_id, "the handler crashed").await,
        }
    };
    ctx.tasks.spawn(handle.instrument(span));
}

/// Marks `update_id` done.
async fn finished(ctx: &Arc<Ctx>, update_id: i64) {
    let inbox = Arc::clone(&ctx.deps.inbox);
    if let Err(error) = blocking(move || inbox.finish(update_id)).await {
        tracing::error!(update_id, "cannot mark the update done: {error}");
    }
    ctx.intake.release(update_id);
}

/// Counts a failed attempt; retries later, or sets the update aside after `MAX_TRIES`.
async fn failed(ctx: &Arc<Ctx>, update_id: i64, reason: &str) {
    let inbox = Arc::clone(&ctx.deps.inbox);
    let tries = match blocking(move || inbox.failed(update_id)).await {
        Ok(tries) => tries,
        Err(error) => {
            tracing::error!(update_id, "cannot count a failed attempt: {error}");
            MAX_TRIES
        }
    };
    if tries >= MAX_TRIES {
        tracing::warn!(update_id, tries, "update set aside (quarantined): {reason}");
        let inbox = Arc::clone(&ctx.deps.inbox);
        let reason = reason.to_owned();
        let aside = blocking(move || inbox.quarantine(update_id, None, &reason)).await;
        if let Err(error) = aside {
            tracing::error!(update_id, "cannot quarantine the update: {error}");
        }
        ctx.intake.release(update_id);
        return;
    }
    tracing::warn!(update_id, tries, "update failed, will retry: {reason}");
    ctx.intake.release(update_id);
    let pause = RETRY_PAUSE * 2u32.pow(tries.saturating_sub(1));
    let retry_ctx = Arc::clone(ctx);
    ctx.tasks.spawn(async move {
        tokio::select! {
            () = retry_ctx.shutdown.cancelled() => {}
            () = tokio::time::sleep(pause) => take_open(&retry_ctx).await,
        }
    });
}

/// The chat whose updates must stay in order.
fn chat_key(incoming: &Incoming) -> i64 {
    match incoming {
        Incoming::Message(message) => message.chat.id,
        Incoming::Callback(callback) => callback
            .message
            .as_ref()
            .map_or(callback.from.id, |m| m.chat.id),
        Incoming::MyMembership(change) => change.chat.id,
        Incoming::Other(_) => 0,
    }
}
