//! Service routes: the OpenAPI document, counters, the audit log, rule reload and
//! dry-run, tokens and backup.
//!
//! Invariants: all but the OpenAPI document take `Authorized`; a reload that does not
//! compile keeps the running rules and answers `rules_invalid` with the problems; a
//! dry-run changes nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{blocking, json_body};
use crate::web::WebState;
use crate::web::auth::Authorized;
use crate::web::error::ApiError;
use crate::web::openapi;

/// The OpenAPI document of these routes.
pub(super) async fn openapi() -> Json<serde_json::Value> {
    Json(openapi::document())
}

#[derive(Serialize)]
pub(super) struct StatsAnswer {
    reports_received: u64,
    reports_stored: u64,
    pending: u64,
    confirmed: u64,
    rejected: u64,
    reports_deleted: u64,
    checks: u64,
}

/// Report and check counters.
pub(super) async fn stats(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Json<StatsAnswer>, ApiError> {
    blocking(&state, |triage| {
        let s = triage.stats()?;
        Ok(Json(StatsAnswer {
            reports_received: s.reports_received,
            reports_stored: s.reports_stored,
            pending: s.pending,
            confirmed: s.confirmed,
            rejected: s.rejected,
            reports_deleted: s.reports_deleted,
            checks: s.checks,
        }))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    after: Option<u64>,
    limit: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct AuditAnswer {
    seq: u64,
    actor: String,
    action: String,
    target: String,
    note: String,
    at: u64,
    origin: String,
}

/// The audit log, oldest first, after sequence number `after`.
pub(super) async fn audit(
    State(state): State<WebState>,
    _curator: Authorized,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditAnswer>>, ApiError> {
    let limit = query.limit.unwrap_or(100).min(10_000);
    blocking(&state, move |triage| {
        let entries = triage.audit(query.after, limit)?;
        Ok(Json(
            entries
                .into_iter()
                .map(|e| AuditAnswer {
                    seq: e.seq,
                    actor: e.decision.actor,
                    action: e.decision.action,
                    target: e.decision.target,
                    note: e.decision.note,
                    at: e.decision.at,
                    origin: e.decision.origin,
                })
                .collect(),
        ))
    })
    .await
}

#[derive(Serialize)]
pub(super) struct ReloadAnswer {
    rules: usize,
}

/// Re-reads the live rule folder; the running rules stay if it does not compile.
pub(super) async fn reload(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Json<ReloadAnswer>, ApiError> {
    let dir = state.api.rules_dir.clone();
    blocking(&state, move |triage| {
        Ok(Json(ReloadAnswer {
            rules: triage.reload_rules(&dir)?,
        }))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct DryRunBody {
    /// The candidate rule folder, on the service's machine.
    dir: std::path::PathBuf,
}

#[derive(Serialize)]
pub(super) struct DryRunAnswer {
    rules: usize,
    judged: usize,
    changes: Vec<ChangeAnswer>,
}

#[derive(Serialize)]
pub(super) struct ChangeAnswer {
    source: String,
    excerpt: String,
    level_before: &'static str,
    level_after: &'static str,
    family_before: Option<&'static str>,
    family_after: Option<&'static str>,
}

/// What a candidate rule folder would change on the stored reports and the fixtures.
pub(super) async fn dry_run(
    State(state): State<WebState>,
    _curator: Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DryRunAnswer>, ApiError> {
    let body: DryRunBody = json_body(body)?;
    let fixtures = state.api.fixtures.clone();
    blocking(&state, move |triage| {
        let run = triage.dry_run(&body.dir, &fixtures)?;
        Ok(Json(DryRunAnswer {
            rules: run.rules,
            judged: run.judged,
            changes: run
                .changes
                .into_iter()
                .map(|c| ChangeAnswer {
                    source: c.source,
                    excerpt: c.excerpt,
                    level_before: c.level_before,
                    level_after: c.level_after,
                    family_before: c.family_before,
                    family_after: c.family_after,
                })
                .collect(),
        }))
    })
    .await
}

#[derive(Serialize)]
pub(super) struct TokenAnswer {
    name: String,
    created_at: u64,
    revoked_at: Option<u64>,
}

/// Every token, without secrets.
pub(super) async fn tokens(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Json<Vec<TokenAnswer>>, ApiError> {
    blocking(&state, |triage| {
        let tokens = triage.tokens()?;
        Ok(Json(
            tokens
                .into_iter()
                .map(|t| TokenAnswer {
                    name: t.name,
                    created_at: t.created_at,
                    revoked_at: t.revoked_at,
                })
                .collect(),
        ))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct CreateTokenBody {
    name: String,
}

#[derive(Serialize)]
pub(super) struct CreatedToken {
    name: String,
    secret: String,
}

/// Creates a token; its secret is in this answer only.
pub(super) async fn create_token(
    State(state): State<WebState>,
    Authorized(curator): Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CreatedToken>, ApiError> {
    let body: CreateTokenBody = json_body(body)?;
    blocking(&state, move |triage| {
        let secret = triage.create_token(&body.name, &curator)?;
        Ok(Json(CreatedToken {
            name: body.name,
            secret: secret.expose().to_owned(),
        }))
    })
    .await
}

#[derive(Serialize)]
pub(super) struct RevokedToken {
    name: String,
    revoked: bool,
}

/// Revokes a token.
pub(super) async fn revoke_token(
    State(state): State<WebState>,
    Authorized(curator): Authorized,
    Path(name): Path<String>,
) -> Result<Json<RevokedToken>, ApiError> {
    blocking(&state, move |triage| {
        triage.revoke_token(&name, &curator)?;
        Ok(Json(RevokedToken {
            name,
            revoked: true,
        }))
    })
    .await
}

/// A backup of the whole store, taken online.
pub(super) async fn backup(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Response, ApiError> {
    blocking(&state, |triage| {
        let mut bytes = Vec::new();
        triage.backup(&mut bytes)?;
        let headers = [
            (CONTENT_TYPE, "application/octet-stream"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"sellerguard.backup\"",
            ),
        ];
        Ok((headers, bytes).into_response())
    })
    .await
}
