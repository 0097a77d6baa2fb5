//! Where updates come from (long polling with raw JSON, or a webhook fed by the web
//! server), taking each over once, spawning its handler, and persisting the cursor.
//!
//! Invariants: an update whose id is not above the persisted cursor is never handled
//! again; a malformed update is logged with its id and skipped; a failing getUpdates
//! backs off (respecting `retry_after`) and never ends the loop, and after
//! `FAILING_AFTER` failures in a row the health check says so until a poll succeeds; polling removes a
//! webhook left set, webhook mode sets it; cancellation ends the loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use teloxide::RequestError;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::requests::{JsonRequest, Payload, Request};
use teloxide::types::AllowedUpdate;
use tokio::sync::mpsc;
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

/// Where updates come from.
#[derive(Debug)]
pub enum UpdateSource {
    /// getUpdates long polling (removes a webhook left set).
    LongPolling,
    /// Telegram POSTs to `url`; the web server forwards each raw update here.
    Webhook {
        /// Public https URL to register.
        url: String,
        /// Secret token Telegram sends with each request.
        secret: crate::config::Secret,
        /// Raw updates from the web server.
        updates: mpsc::Receiver<Value>,
    },
}

/// Failed getUpdates in a row after which the bot reports itself failing.
pub const FAILING_AFTER: u32 = 3;

/// Takes updates from `source` until shutdown; `failing` is set while long polling
/// has failed `FAILING_AFTER` times in a row.
pub async fn run(
    ctx: Arc<Ctx>,
    source: UpdateSource,
    failing: &AtomicBool,
) -> Result<(), TelegramError> {
    match source {
        UpdateSource::LongPolling => {
            remove_webhook(&ctx).await?;
            poll(ctx, failing).await
        }
        UpdateSource::Webhook {
            url,
            secret,
            updates,
        } => receive(ctx, &url, &secret, updates).await,
    }
}

/// getUpdates fails while a webhook is set: remove one left from webhook mode.
async fn remove_webhook(ctx: &Ctx) -> Result<(), TelegramError> {
    let info = ctx.raw.get_webhook_info().send().await;
    let info = info.map_err(|e| TelegramError::Webhook(e.to_string()))?;
    if info.url.is_some() {
        tracing::warn!("a webhook was set; deleting it to use long polling");
        let deleted = ctx.raw.delete_webhook().send().await;
        deleted.map_err(|e| TelegramError::Webhook(e.to_string()))?;
    }
    Ok(())
}

async fn receive(
    ctx: Arc<Ctx>,
    url: &str,
    secret: &crate::config::Secret,
    mut updates: mpsc::Receiver<Value>,
) -> Result<(), TelegramError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| TelegramError::Webhook(e.to_string()))?;
    let allowed = [
        AllowedUpdate::Message,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ];
    ctx.raw
        .set_webhook(parsed)
        .secret_token(secret.expose())
        .allowed_updates(allowed)
        .send()
        .await
        .map_err(|e| TelegramError::Webhook(e.to_string()))?;
    let mut last = ctx.deps.prefs.last_update_id()?;
    loop {
        let raw = tokio::select! {
            () = ctx.shutdown.cancelled() => return Ok(()),
            raw = updates.recv() => raw,
        };
        let Some(raw) = raw else {
            return Ok(());
        };
        accept(&ctx, &mut last, &raw);
    }
}

async fn poll(ctx: Arc<Ctx>, failing: &AtomicBool) -> Result<(), TelegramError> {
    let mut last = ctx.deps.prefs.last_update_id()?;
    let mut failures = 0;
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
            Ok(updates) => {
                failures = 0;
                failing.store(false, Ordering::SeqCst);
                updates
            }
            Err(error) => {
                failures += 1;
                if failures >= FAILING_AFTER {
                    failing.store(true, Ordering::SeqCst);
                }
                let pause = backoff(&error);
                tracing::warn!(
                    "getUpdates failed ({failures} in a row): {error}; retrying in {pause:?}"
                );
                tokio::select! {
                    () = ctx.shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(pause) => continue,
                }
            }
        };
        for raw in updates {
            accept(&ctx, &mut last, &raw);
        }
    }
}

/// Takes `raw` over unless its id is not above `last`; persists the cursor first.
fn accept(ctx: &Arc<Ctx>, last: &mut Option<i64>, raw: &Value) {
    let Some(update_id) = raw["update_id"].as_i64() else {
        tracing::warn!("skipping an update without update_id: {raw}");
        return;
    };
    if last.is_some_and(|last| update_id <= last) {
        tracing::info!(update_id, "skipping an update already taken over");
        return;
    }
    *last = Some(update_id);
    if let Err(error) = ctx.deps.prefs.set_last_update_id(update_id) {
        tracing::error!(update_id, "cannot persist the update cursor: {error}");
    }
    take_over(ctx, update_id, raw);
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
            let flush = async move {
                private::flush_batch(&task_ctx, key, until).await;
                Ok(())
            };
            ctx.tasks.spawn(guarded(update_id, flush).instrument(span));
        }
        return;
    }
    let mut turn = ctx.order.turn(chat_key(&update.incoming));
    let handle = async move {
        turn.wait().await;
        let result = private::dispatch(task_ctx, update).await;
        turn.finish();
        result
    };
    ctx.tasks.spawn(guarded(update_id, handle.instrument(span)));
}

/// Runs `handler` in its own task so that an error or a panic is logged with the
/// update id and never reaches the loop.
async fn guarded(
    update_id: i64,
    handler: impl Future<Output = private::HandlerResult> + Send + 'static,
) {
    match tokio::spawn(handler).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(update_id, "update failed: {error}"),
        Err(error) => tracing::error!(update_id, "update handler crashed: {error}"),
    }
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
