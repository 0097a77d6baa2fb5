//! The HTTP front end: health, and the Telegram webhook endpoint in webhook mode.
//! axum lives only here.
//!
//! Invariants: handlers only read the service or hand raw updates on; a webhook
//! request without the exact secret token is refused before its body is read;
//! responses never leak internals.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::config::Secret;
use crate::triage::Triage;

/// The header Telegram sends the webhook secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Where webhook updates arrive and where they go.
#[derive(Clone)]
pub struct Webhook {
    /// Route path (the webhook URL's path).
    pub path: String,
    /// Secret token Telegram must send.
    pub secret: Secret,
    /// Raw updates for the bot.
    pub updates: mpsc::Sender<serde_json::Value>,
}

/// What the web handlers can see.
#[derive(Clone)]
pub struct WebState {
    /// The triage service.
    pub triage: Arc<Triage>,
    /// Whether the Telegram bot is running (set by the app).
    pub bot_running: Arc<AtomicBool>,
    /// Whether the bot's getUpdates has failed several times in a row (set by the bot).
    pub polling_failing: Arc<AtomicBool>,
    /// The webhook endpoint, in webhook mode.
    pub webhook: Option<Webhook>,
}

/// The `/healthz` body.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    rules: usize,
    bot_running: bool,
    polling_failing: bool,
}

/// All routes.
pub fn router(state: WebState) -> Router {
    let mut router = Router::new().route("/healthz", get(healthz));
    if let Some(webhook) = &state.webhook {
        router = router.route(&webhook.path, post(webhook_update));
    }
    router.with_state(state)
}

/// One update POSTed by Telegram: checked, parsed as JSON and handed to the bot.
async fn webhook_update(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(webhook) = &state.webhook else {
        return StatusCode::NOT_FOUND;
    };
    let token = headers.get(SECRET_HEADER).map(|v| v.as_bytes());
    let expected = webhook.secret.expose().as_bytes();
    // Constant time, so the secret cannot be guessed byte by byte from response times.
    if !token.is_some_and(|t| constant_time_eq::constant_time_eq(t, expected)) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(update) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    match webhook.updates.try_send(update) {
        Ok(()) => StatusCode::OK,
        // Busy or shutting down: Telegram delivers it again later.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// `ok` (200), or `failing` (503) while the running bot cannot fetch updates.
async fn healthz(State(state): State<WebState>) -> (StatusCode, Json<Health>) {
    let bot_running = state.bot_running.load(Ordering::SeqCst);
    let polling_failing = bot_running && state.polling_failing.load(Ordering::SeqCst);
    let (code, status) = if polling_failing {
        (StatusCode::SERVICE_UNAVAILABLE, "failing")
    } else {
        (StatusCode::OK, "ok")
    };
    let health = Health {
        status,
        rules: state.triage.classifier().rules().len(),
        bot_running,
        polling_failing,
    };
    (code, Json(health))
}

/// Serves `router(state)` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
