//! Long polling with raw JSON updates: fetch, take over each update once, spawn its
//! handler, and persist the cursor.
//!
//! Invariants: an update whose id is not above the persisted cursor is never handled
//! again; a malformed update is logged with its id and skipped; a failing getUpdates
//! backs off (respecting `retry_after`) and never ends the loop; cancellation ends
//! the loop between or during polls.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use teloxide::RequestError;
use teloxide::requests::{JsonRequest, Payload, Request};
use tracing::Instrument;

use super::context::Ctx;
use super::incoming::{self, Incoming};
use super::{TelegramError, private};

/// Update kinds we ask for.
const ALLOWED_UPDATES: [&str; 3] = ["message", "callback_query", "my_chat_member"];

/// getUpdates whose result stays raw JSON (see `incoming`).
#[derive(Serialize)]
struct GetUpdatesRaw {
    offset: i64,
    timeout: u32,
    allowed_updates: [&'static str; 3],
}

impl Payload for GetUpdatesRaw {
    type Output = Vec<Value>;
    const NAME: &'static str = "GetUpdates";
}

/// Polls until shutdown.
pub async fn run(ctx: Arc<Ctx>) -> Result<(), TelegramError> {
    let prefs = Arc::clone(&ctx.deps.prefs);
    let mut last = prefs.last_update_id()?;
    loop {
        let request = JsonRequest::new(
            ctx.raw.clone(),
            GetUpdatesRaw {
                offset: last.map_or(0, |id| id + 1),
                timeout: ctx.options.poll_timeout_secs,
                allowed_updates: ALLOWED_UPDATES,
            },
        );
        let result = tokio::select! {
            () = ctx.shutdown.cancelled() => return Ok(()),
            result = request.send() => result,
        };
        let updates = match result {
            Ok(updates) => updates,
            Err(error) => {
                let pause = backoff(&error);
                tracing::warn!("getUpdates failed: {error}; retrying in {pause:?}");
                tokio::select! {
                    () = ctx.shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(pause) => continue,
                }
            }
        };
        for raw in updates {
            let Some(update_id) = raw["update_id"].as_i64() else {
                tracing::warn!("skipping an update without update_id: {raw}");
                continue;
            };
            if last.is_some_and(|last| update_id <= last) {
                tracing::info!(update_id, "skipping an update already taken over");
                continue;
            }
            last = Some(update_id);
            if let Err(error) = prefs.set_last_update_id(update_id) {
                tracing::error!(update_id, "cannot persist the update cursor: {error}");
            }
            take_over(&ctx, update_id, &raw);
        }
    }
}

fn take_over(ctx: &Arc<Ctx>, update_id: i64, raw: &Value) {
    let update = match incoming::parse(raw) {
        Ok(update) => update,
        Err(error) => {
            tracing::warn!(update_id, "skipping malformed update: {error}");
            return;
        }
    };
    let span = tracing::info_span!("update", update_id);
    let task_ctx = Arc::clone(ctx);
    // Forwards and album parts join their batch here, synchronously, in update order.
    if let Incoming::Message(message) = &update.incoming
        && private::is_batched(message)
    {
        let key = message.chat.id;
        if ctx.batcher.add(key, message.clone()) {
            let until = tokio::time::Instant::now() + ctx.options.batch_window;
            let flush = async move { private::flush_batch(&task_ctx, key, until).await };
            ctx.tasks.spawn(flush.instrument(span));
        }
        return;
    }
    let mut turn = ctx.order.turn(chat_key(&update.incoming));
    ctx.tasks.spawn(
        async move {
            turn.wait().await;
            if let Err(error) = private::dispatch(task_ctx, update).await {
                tracing::warn!("update failed: {error}");
            }
            turn.finish();
        }
        .instrument(span),
    );
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

fn backoff(error: &RequestError) -> Duration {
    match error {
        RequestError::RetryAfter(seconds) => seconds.duration(),
        _ => Duration::from_secs(2),
    }
}
