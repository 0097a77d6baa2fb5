//! The JSON API under `/api/v1`: routes, the body and blocking helpers every handler
//! shares, and the route table the OpenAPI document is built from.
//!
//! Invariants: handlers only convert (body -> one service call -> JSON); every
//! curator route takes `Authorized` (a live token) before it runs; bodies are bounded
//! (`MAX_JSON_BYTES`, `MAX_IMAGE_BYTES`); every error is `{code, message}`.

mod check;
mod curation;
mod import;
mod service;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::de::DeserializeOwned;

use super::WebState;
use super::error::ApiError;
use crate::config::Source;
use crate::triage::Triage;
use crate::triage::limits::ClientLimiter;

/// Largest JSON body (a checked text may be up to `MAX_TEXT_BYTES`, escaped).
pub const MAX_JSON_BYTES: usize = 2 << 20;
/// Largest image upload: Telegram's 20 MB download limit, the bot's own, plus the
/// multipart envelope.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024 + 64 * 1024;

/// What the API needs beyond the service.
#[derive(Clone)]
pub struct ApiOptions {
    /// The live rule folder (`rules/reload`).
    pub rules_dir: Source,
    /// Labelled files a dry-run judges besides the stored reports.
    pub fixtures: Vec<PathBuf>,
    /// The per-client limiter, when the public check routes are on.
    pub public_checks: Option<Arc<ClientLimiter>>,
    /// Whether `/metrics` answers without a curator token.
    pub public_metrics: bool,
}

/// Method and path of every API route, as the OpenAPI document lists them.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("get", "/api/v1/openapi.json", "This document"),
    ("post", "/api/v1/check", "Judge a text"),
    (
        "post",
        "/api/v1/check/image",
        "Judge a screenshot (multipart: image, caption, lang)",
    ),
    ("post", "/api/v1/reports", "File a report"),
    (
        "get",
        "/api/v1/reports/export",
        "Every report as JSON Lines",
    ),
    (
        "post",
        "/api/v1/reports/import",
        "Import a labelled file {name, data, as?, positive?, negative?} (64 MiB)",
    ),
    (
        "post",
        "/api/v1/reports/forget",
        "Remove a reporter's reports",
    ),
    (
        "post",
        "/api/v1/reports/purge",
        "Delete expired pending reports",
    ),
    ("post", "/api/v1/reports/{id}/decision", "Decide one report"),
    (
        "get",
        "/api/v1/groups",
        "Pending reports grouped by contact or cluster",
    ),
    (
        "post",
        "/api/v1/groups/{id}/decision",
        "Decide a report's whole cluster",
    ),
    ("get", "/api/v1/contacts", "Blocked and allowed contacts"),
    ("get", "/api/v1/contacts/lookup", "One contact's record"),
    ("post", "/api/v1/contacts/block", "Block a contact"),
    ("post", "/api/v1/contacts/allow", "Allow a contact"),
    ("get", "/api/v1/stats", "Report and check counters"),
    ("get", "/api/v1/audit", "The audit log"),
    (
        "post",
        "/api/v1/rules/reload",
        "Reload the live rule folder",
    ),
    (
        "post",
        "/api/v1/rules/dry-run",
        "What a candidate rule folder would change",
    ),
    ("get", "/api/v1/tokens", "Curator tokens (no secrets)"),
    (
        "post",
        "/api/v1/tokens",
        "Create a token (its secret is answered once)",
    ),
    ("delete", "/api/v1/tokens/{name}", "Revoke a token"),
    ("get", "/api/v1/backup", "A backup of the whole store"),
];

/// The `/api/v1` routes.
pub fn routes() -> Router<WebState> {
    let image = post(check::image).layer(DefaultBodyLimit::max(MAX_IMAGE_BYTES));
    let import = post(import::import).layer(DefaultBodyLimit::max(import::MAX_IMPORT_BYTES));
    Router::new()
        .route("/openapi.json", get(service::openapi))
        .route("/check", post(check::text))
        .route("/check/image", image)
        .route("/reports", post(curation::file_report))
        .route("/reports/export", get(curation::export))
        .route("/reports/import", import)
        .route("/reports/forget", post(curation::forget))
        .route("/reports/purge", post(curation::purge))
        .route("/reports/{id}/decision", post(curation::decide_report))
        .route("/groups", get(curation::groups))
        .route("/groups/{id}/decision", post(curation::decide_group))
        .route("/contacts", get(curation::contacts))
        .route("/contacts/lookup", get(curation::look_up))
        .route("/contacts/block", post(curation::block))
        .route("/contacts/allow", post(curation::allow))
        .route("/stats", get(service::stats))
        .route("/audit", get(service::audit))
        .route("/rules/reload", post(service::reload))
        .route("/rules/dry-run", post(service::dry_run))
        .route("/tokens", get(service::tokens).post(service::create_token))
        .route("/tokens/{name}", delete(service::revoke_token))
        .route("/backup", get(service::backup))
        .fallback(|| async { ApiError::no_route() })
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
}

/// Parses a JSON body, mapping an over-limit body to `payload_too_large`.
pub fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    json_body_within(body, MAX_JSON_BYTES)
}

/// As [`json_body`], for a route whose body limit is `limit`.
pub fn json_body_within<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request(e.body_text())
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(format!("body: {e}")))
}

/// Runs `f` on the service off the async threads (store calls wait for the disk).
pub async fn blocking<T: Send + 'static>(
    state: &WebState,
    f: impl FnOnce(&Triage) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let triage = Arc::clone(&state.triage);
    tokio::task::spawn_blocking(move || f(&triage))
        .await
        .map_err(ApiError::internal)?
}
