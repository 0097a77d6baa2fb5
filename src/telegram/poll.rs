//! Where updates come from: long polling with raw JSON, or a webhook whose requests
//! the web server keeps in the service's inbox. Either way an update is in the inbox
//! before it is taken over (`intake`); long polling then moves its cursor (the
//! getUpdates offset) past it.
//!
//! Invariants: the polling cursor moves past an update only once the inbox holds it
//! (or it was set aside); a getUpdates answer that does not decode is retried one
//! update at a time, and the update that keeps breaking it is set aside after
//! `intake::MAX_TRIES` (its id logged, never its text); a failing getUpdates backs off
//! (respecting `retry_after`) and never ends the loop, and after `FAILING_AFTER`
//! failures in a row the health check says so until a poll succeeds; polling removes a
//! webhook left set, webhook mode sets it; cancellation ends the loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use teloxide::RequestError;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::requests::{JsonRequest, Payload};
use teloxide::types::AllowedUpdate;
use tokio::sync::Notify;

use super::TelegramError;
use super::context::Ctx;
use super::intake::{self, MAX_TRIES, blocking};
use super::send::describe;
use crate::triage::delivery::update_id_of;

/// Update kinds we ask for.
const ALLOWED_UPDATES: [&str; 3] = ["message", "callback_query", "my_chat_member"];

/// getUpdates whose result stays raw JSON (see `incoming`).
#[derive(Serialize)]
struct GetUpdatesRaw {
    offset: i64,
    timeout: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u8>,
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
    /// Telegram POSTs to `url`; the web server keeps each update in the inbox and
    /// wakes `arrived`.
    Webhook {
        /// Public https URL to register.
        url: String,
        /// Secret token Telegram sends with each request.
        secret: crate::config::Secret,
        /// Woken after each update kept in the inbox.
        arrived: Arc<Notify>,
    },
}

/// Failed getUpdates in a row after which the bot reports itself failing.
pub const FAILING_AFTER: u32 = 3;

/// Takes updates from `source` until shutdown, first those left open by the last run;
/// `failing` is set while long polling has failed `FAILING_AFTER` times in a row.
pub async fn run(
    ctx: Arc<Ctx>,
    source: UpdateSource,
    failing: &AtomicBool,
) -> Result<(), TelegramError> {
    match source {
        UpdateSource::LongPolling => {
            remove_webhook(&ctx).await?;
            intake::take_open(&ctx).await;
            poll(ctx, failing).await
        }
        UpdateSource::Webhook {
            url,
            secret,
            arrived,
        } => receive(ctx, &url, &secret, &arrived).await,
    }
}

/// getUpdates fails while a webhook is set: remove one left from webhook mode.
async fn remove_webhook(ctx: &Ctx) -> Result<(), TelegramError> {
    let info = ctx.call(ctx.raw.get_webhook_info()).await;
    let info = info.map_err(|e| TelegramError::Webhook(e.to_string()))?;
    if info.url.is_some() {
        tracing::warn!("a webhook was set; deleting it to use long polling");
        let deleted = ctx.call(ctx.raw.delete_webhook()).await;
        deleted.map_err(|e| TelegramError::Webhook(e.to_string()))?;
    }
    Ok(())
}

async fn receive(
    ctx: Arc<Ctx>,
    url: &str,
    secret: &crate::config::Secret,
    arrived: &Notify,
) -> Result<(), TelegramError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| TelegramError::Webhook(e.to_string()))?;
    let allowed = [
        AllowedUpdate::Message,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ];
    let request = ctx
        .raw
        .set_webhook(parsed)
        .secret_token(secret.expose())
        .allowed_updates(allowed);
    ctx.call(request)
        .await
        .map_err(|e| TelegramError::Webhook(e.to_string()))?;
    loop {
        intake::take_open(&ctx).await;
        tokio::select! {
            () = ctx.shutdown.cancelled() => return Ok(()),
            () = arrived.notified() => {}
        }
    }
}

/// The polling cursor and how the last getUpdates answer went.
struct Cursor {
    last: Option<i64>,
    /// Ask for one update at a time (after an answer that did not decode).
    single: bool,
    /// Undecodable answers in a row at this offset.
    broken: u32,
}

async fn poll(ctx: Arc<Ctx>, failing: &AtomicBool) -> Result<(), TelegramError> {
    let mut cursor = Cursor {
        last: ctx.deps.prefs.last_update_id()?,
        single: false,
        broken: 0,
    };
    let mut failures = 0;
    loop {
        let request = JsonRequest::new(
            ctx.raw.clone(),
            GetUpdatesRaw {
                offset: cursor.last.map_or(0, |id| id + 1),
                timeout: ctx.options.poll_timeout_secs,
                limit: cursor.single.then_some(1),
                allowed_updates: ALLOWED_UPDATES,
            },
        );
        let result = tokio::select! {
            () = ctx.shutdown.cancelled() => return Ok(()),
            result = ctx.call(request) => result,
        };
        let pause = match result {
            Ok(updates) => {
                failures = 0;
                failing.store(false, Ordering::SeqCst);
                cursor.single = false;
                cursor.broken = 0;
                keep(&ctx, &mut cursor, updates).await
            }
            Err(RequestError::InvalidJson { raw, .. }) => {
                undecodable(&ctx, &mut cursor, &raw).await
            }
            Err(error) => {
                failures += 1;
                if failures >= FAILING_AFTER {
                    failing.store(true, Ordering::SeqCst);
                }
                let pause = backoff(&error);
                tracing::warn!(
                    "getUpdates failed ({failures} in a row): {}; retrying in {pause:?}",
                    describe(&error)
                );
                Some(pause)
            }
        };
        if let Some(pause) = pause {
            tokio::select! {
                () = ctx.shutdown.cancelled() => return Ok(()),
                () = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Keeps `updates` in the inbox, moves the cursor past them and takes them over;
/// a pause when the inbox failed (the same updates come again).
async fn keep(ctx: &Arc<Ctx>, cursor: &mut Cursor, updates: Vec<Value>) -> Option<Duration> {
    if updates.is_empty() {
        return None;
    }
    let mut records = Vec::with_capacity(updates.len());
    let mut highest = cursor.last;
    for update in &updates {
        let Some(update_id) = update["update_id"].as_i64() else {
            tracing::warn!("skipping an update without update_id");
            continue;
        };
        highest = Some(highest.map_or(update_id, |h| h.max(update_id)));
        records.push((update_id, serde_json::to_vec(update).unwrap_or_default()));
    }
    let inbox = Arc::clone(&ctx.deps.inbox);
    if let Err(error) = blocking(move || inbox.receive(&records)).await {
        tracing::error!("cannot keep updates in the inbox: {error}; fetching them again");
        return Some(Duration::from_secs(2));
    }
    advance(ctx, cursor, highest);
    intake::take_open(ctx).await;
    None
}

fn advance(ctx: &Ctx, cursor: &mut Cursor, to: Option<i64>) {
    let Some(to) = to else {
        return;
    };
    cursor.last = Some(to);
    if let Err(error) = ctx.deps.prefs.set_last_update_id(to) {
        tracing::error!(update_id = to, "cannot persist the update cursor: {error}");
    }
}

/// A getUpdates answer did not decode: ask one update at a time; once that single
/// update keeps breaking the answer, set it aside and move past it.
async fn undecodable(ctx: &Arc<Ctx>, cursor: &mut Cursor, raw: &str) -> Option<Duration> {
    if !cursor.single {
        tracing::warn!("a getUpdates answer did not decode; reading one update at a time");
        cursor.single = true;
        return None;
    }
    let Some(update_id) = update_id_of(raw.as_bytes()) else {
        tracing::warn!("a getUpdates answer did not decode and names no update; retrying");
        return Some(Duration::from_secs(2));
    };
    cursor.broken += 1;
    tracing::warn!(update_id, tries = cursor.broken, "update does not decode");
    tracing::debug!(update_id, raw, "undecodable getUpdates answer");
    if cursor.broken < MAX_TRIES {
        return Some(Duration::from_millis(500));
    }
    let inbox = Arc::clone(&ctx.deps.inbox);
    let body = raw.as_bytes().to_vec();
    let aside = blocking(move || inbox.quarantine(update_id, Some(&body), "does not decode")).await;
    if let Err(error) = aside {
        tracing::error!(update_id, "cannot quarantine the update: {error}; retrying");
        return Some(Duration::from_secs(2));
    }
    tracing::warn!(
        update_id,
        "update set aside (quarantined): it does not decode"
    );
    cursor.single = false;
    cursor.broken = 0;
    advance(ctx, cursor, Some(update_id));
    None
}

fn backoff(error: &RequestError) -> Duration {
    match error {
        RequestError::RetryAfter(seconds) => seconds.duration(),
        _ => Duration::from_secs(2),
    }
}
