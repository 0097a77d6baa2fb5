//! The HTTP front end: health now, the reports API later. axum lives only here.
//!
//! Invariants: handlers only read the service; responses never leak internals.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::triage::Triage;

/// What the web handlers can see.
#[derive(Clone)]
pub struct WebState {
    /// The triage service.
    pub triage: Arc<Triage>,
    /// Whether the Telegram bot is running (set by the app).
    pub bot_running: Arc<AtomicBool>,
}

/// The `/healthz` body.
#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    rules: usize,
    bot_running: bool,
}

/// All routes.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn healthz(State(state): State<WebState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        rules: state.triage.classifier().rules().len(),
        bot_running: state.bot_running.load(Ordering::SeqCst),
    })
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
