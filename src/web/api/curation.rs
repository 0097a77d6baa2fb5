//! Curator routes for reports and contacts: file a report, list pending groups, decide
//! a report or its whole cluster (first decision wins), block, allow and look up a
//! contact, export, forget and purge.
//!
//! Invariants: every handler takes `Authorized`; every decision goes to the service
//! with that curator, which writes the audit log.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{blocking, json_body};
use crate::classify::Message;
use crate::triage::answer::ReportAnswer;
use crate::triage::contacts::ContactRecord;
use crate::triage::{ReportId, ReportSource, Review};
use crate::web::WebState;
use crate::web::auth::Authorized;
use crate::web::error::ApiError;

#[derive(Deserialize)]
pub(super) struct ReportBody {
    text: String,
    reporter: String,
}

#[derive(Serialize)]
pub(super) struct FiledAnswer {
    id: String,
    needs_review: Vec<String>,
}

/// Files a report as `reporter` (hashed by the service).
pub(super) async fn file_report(
    State(state): State<WebState>,
    _curator: Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<FiledAnswer>, ApiError> {
    let body: ReportBody = json_body(body)?;
    blocking(&state, move |triage| {
        let filed = triage.report(Message::text(&body.text), &body.reporter, ReportSource::Api)?;
        let needs_review = filed.needs_review.iter().map(ToString::to_string).collect();
        Ok(Json(FiledAnswer {
            id: filed.id.to_string(),
            needs_review,
        }))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct Limit {
    limit: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct GroupAnswer {
    key: String,
    reports: Vec<ReportAnswer>,
}

/// Pending reports grouped by contact or near-duplicate cluster, biggest first.
pub(super) async fn groups(
    State(state): State<WebState>,
    _curator: Authorized,
    Query(query): Query<Limit>,
) -> Result<Json<Vec<GroupAnswer>>, ApiError> {
    let limit = query.limit.unwrap_or(200).min(5_000);
    blocking(&state, move |triage| {
        let groups = triage.pending(limit)?;
        Ok(Json(
            groups
                .iter()
                .map(|g| GroupAnswer {
                    key: g.key.clone(),
                    reports: g.reports.iter().map(ReportAnswer::from).collect(),
                })
                .collect(),
        ))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct DecisionBody {
    /// `confirm`, `reject` or `ignore-reporter`.
    decision: String,
    #[serde(default)]
    note: String,
}

#[derive(Serialize)]
pub(super) struct DecidedAnswer {
    decision: String,
    decided: Vec<String>,
}

/// Decides report `id` alone.
pub(super) async fn decide_report(
    state: State<WebState>,
    curator: Authorized,
    id: Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DecidedAnswer>, ApiError> {
    decide(state, curator, id, body, false).await
}

/// Decides report `id` and its cluster, as the bot's review card does.
pub(super) async fn decide_group(
    state: State<WebState>,
    curator: Authorized,
    id: Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<DecidedAnswer>, ApiError> {
    decide(state, curator, id, body, true).await
}

async fn decide(
    State(state): State<WebState>,
    Authorized(curator): Authorized,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
    cluster: bool,
) -> Result<Json<DecidedAnswer>, ApiError> {
    let id: ReportId = id.parse().map_err(ApiError::bad_request)?;
    let body: DecisionBody = json_body(body)?;
    let review = match body.decision.as_str() {
        "confirm" => Some(Review::Confirm),
        "reject" => Some(Review::Reject),
        "ignore-reporter" => None,
        other => {
            return Err(ApiError::bad_request(format!(
                "decision {other:?}: expected confirm, reject or ignore-reporter"
            )));
        }
    };
    blocking(&state, move |triage| {
        let decided = match review {
            Some(review) if cluster => triage.review_cluster(id, review, &curator, &body.note)?,
            Some(review) => vec![triage.review(id, review, &curator, &body.note)?],
            None => vec![triage.ignore_reporter_of(id, &curator, &body.note)?],
        };
        Ok(Json(DecidedAnswer {
            decision: body.decision,
            decided: decided.iter().map(|r| r.id.to_string()).collect(),
        }))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct JudgeBody {
    value: String,
    #[serde(default)]
    note: String,
}

#[derive(Serialize)]
pub(super) struct JudgedAnswer {
    key: String,
    status: &'static str,
}

/// Blocks a contact (confirms it as a scam's).
pub(super) async fn block(
    state: State<WebState>,
    curator: Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<JudgedAnswer>, ApiError> {
    judge(state, curator, body, true).await
}

/// Allow-lists a contact.
pub(super) async fn allow(
    state: State<WebState>,
    curator: Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<JudgedAnswer>, ApiError> {
    judge(state, curator, body, false).await
}

async fn judge(
    State(state): State<WebState>,
    Authorized(curator): Authorized,
    body: Result<Bytes, BytesRejection>,
    block: bool,
) -> Result<Json<JudgedAnswer>, ApiError> {
    let body: JudgeBody = json_body(body)?;
    blocking(&state, move |triage| {
        let key = triage.judge_indicator(&body.value, block, &curator, &body.note)?;
        let status = if block { "blocked" } else { "allowed" };
        Ok(Json(JudgedAnswer { key, status }))
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct LookUp {
    value: String,
}

#[derive(Serialize)]
pub(super) struct ContactAnswer {
    key: String,
    reports: u64,
    reporters: u64,
    first_seen: Option<u64>,
    last_seen: Option<u64>,
    status: &'static str,
    family: Option<String>,
    summary: String,
}

impl From<ContactRecord> for ContactAnswer {
    fn from(c: ContactRecord) -> Self {
        let summary = format!(
            "{}: reported {} time(s) by {} people, first seen {}, last seen {}, status {}",
            c.key,
            c.reports,
            c.reporters,
            c.first_seen.map_or("never".into(), |t| t.to_string()),
            c.last_seen.map_or("never".into(), |t| t.to_string()),
            c.status
        );
        Self {
            key: c.key,
            reports: c.reports,
            reporters: c.reporters,
            first_seen: c.first_seen,
            last_seen: c.last_seen,
            status: c.status,
            family: c.family,
            summary,
        }
    }
}

/// One contact's record.
pub(super) async fn look_up(
    State(state): State<WebState>,
    _curator: Authorized,
    Query(query): Query<LookUp>,
) -> Result<Json<ContactAnswer>, ApiError> {
    blocking(&state, move |triage| {
        Ok(Json(triage.look_up_contact(&query.value)?.into()))
    })
    .await
}

#[derive(Serialize)]
pub(super) struct JudgedContact {
    key: String,
    status: &'static str,
}

/// Every blocked and allowed contact.
pub(super) async fn contacts(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Json<Vec<JudgedContact>>, ApiError> {
    blocking(&state, |triage| {
        let judged = triage.judged_contacts()?;
        Ok(Json(
            judged
                .into_iter()
                .map(|(key, status)| JudgedContact { key, status })
                .collect(),
        ))
    })
    .await
}

/// Every report as JSON Lines (`reports export`'s format).
pub(super) async fn export(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Response, ApiError> {
    blocking(&state, |triage| {
        let mut out = Vec::new();
        for report in triage.export()? {
            let report = report.map_err(ApiError::internal)?;
            serde_json::to_writer(&mut out, &ReportAnswer::from(&report))
                .map_err(ApiError::internal)?;
            out.push(b'\n');
        }
        Ok(([(CONTENT_TYPE, "application/x-ndjson")], out).into_response())
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct ForgetBody {
    reporter: String,
}

#[derive(Serialize)]
pub(super) struct CountAnswer {
    count: usize,
}

/// Removes a reporter's reports and their share of every count.
pub(super) async fn forget(
    State(state): State<WebState>,
    _curator: Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<CountAnswer>, ApiError> {
    let body: ForgetBody = json_body(body)?;
    blocking(&state, move |triage| {
        Ok(Json(CountAnswer {
            count: triage.forget(&body.reporter)?,
        }))
    })
    .await
}

/// Deletes pending reports past the retention period.
pub(super) async fn purge(
    State(state): State<WebState>,
    _curator: Authorized,
) -> Result<Json<CountAnswer>, ApiError> {
    blocking(&state, |triage| {
        Ok(Json(CountAnswer {
            count: triage.purge_expired()?,
        }))
    })
    .await
}
