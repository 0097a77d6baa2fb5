//! The HTTP front end: health, the JSON API under `/api/v1` (`api`), and the Telegram
//! webhook endpoint in webhook mode. axum lives only here.
//!
//! Invariants: handlers only convert input to a service call and its result to output;
//! curator routes need a live bearer token (`auth`), and so does `/metrics` unless
//! `[http] public_metrics` is on; a webhook
//! request without the exact secret token is refused from its headers, before its
//! body is read; an update is answered 200 only once the service's inbox holds it
//! durably (a redelivery is answered 200 and kept once); responses never leak
//! internals.

pub mod api;
mod auth;
mod console;
mod error;
mod openapi;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use tokio::sync::Notify;

use crate::config::Secret;
use crate::triage::Triage;
use crate::triage::delivery::{Inbox, update_id_of};

/// The header Telegram sends the webhook secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// Largest webhook body read; an update is a few kilobytes.
const MAX_UPDATE_BYTES: usize = 1 << 20;

/// Where webhook updates arrive and where they go.
#[derive(Clone)]
pub struct Webhook {
    /// Route path (the webhook URL's path).
    pub path: String,
    /// Secret token Telegram must send.
    pub secret: Secret,
    /// Where updates are kept until the bot has handled them.
    pub inbox: Arc<dyn Inbox>,
    /// Woken after each update kept.
    pub arrived: Arc<Notify>,
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
    /// The bot's update inbox (health counts what it set aside).
    pub inbox: Arc<dyn Inbox>,
    /// What the JSON API needs beyond the service.
    pub api: api::ApiOptions,
}

/// The `/healthz` body.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    rules: usize,
    bot_running: bool,
    polling_failing: bool,
    /// Updates set aside because they could not be handled (`None`: unreadable).
    quarantined_updates: Option<usize>,
}

/// All routes.
pub fn router(state: WebState) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .nest("/api/v1", api::routes())
        .nest("/console", console::routes());
    if let Some(webhook) = &state.webhook {
        router = router.route(&webhook.path, post(webhook_update));
    }
    router.with_state(state)
}

/// One update POSTed by Telegram: secret checked from the headers, body read
/// (bounded), kept in the inbox, then acknowledged.
async fn webhook_update(State(state): State<WebState>, request: Request) -> StatusCode {
    let Some(webhook) = &state.webhook else {
        return StatusCode::NOT_FOUND;
    };
    let token = request.headers().get(SECRET_HEADER).map(|v| v.as_bytes());
    let expected = webhook.secret.expose().as_bytes();
    // Constant time, so the secret cannot be guessed byte by byte from response times.
    if !token.is_some_and(|t| constant_time_eq::constant_time_eq(t, expected)) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), MAX_UPDATE_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE;
    };
    let Some(update_id) = update_id_of(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let inbox = Arc::clone(&webhook.inbox);
    let kept = tokio::task::spawn_blocking(move || inbox.receive(&[(update_id, body.to_vec())]));
    match kept.await {
        Ok(Ok(_)) => {
            webhook.arrived.notify_one();
            StatusCode::OK
        }
        Ok(Err(error)) => {
            tracing::error!(update_id, "cannot keep a webhook update: {error}");
            // Telegram delivers it again later.
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
    let inbox = Arc::clone(&state.inbox);
    let quarantined = tokio::task::spawn_blocking(move || inbox.quarantined().map(|q| q.len()));
    let health = Health {
        status,
        rules: state.triage.classifier().rules().len(),
        bot_running,
        polling_failing,
        quarantined_updates: quarantined.await.ok().and_then(Result::ok),
    };
    (code, Json(health))
}

/// The service's metrics in Prometheus text format, for a curator token (or anyone,
/// when public).
async fn metrics(_reader: auth::MetricsReader, State(state): State<WebState>) -> impl IntoResponse {
    let triage = Arc::clone(&state.triage);
    let text = tokio::task::spawn_blocking(move || triage.metrics_text()).await;
    let content_type = [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")];
    match text {
        Ok(text) => (StatusCode::OK, content_type, text),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            content_type,
            String::new(),
        ),
    }
}

/// Serves `router(state)` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
