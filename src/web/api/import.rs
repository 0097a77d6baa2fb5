//! `POST /api/v1/reports/import`: a labelled file (the `eval` formats) sent as JSON,
//! imported by the service as `reports import` does directly; how the command line
//! imports while `serve` holds the data directory.
//!
//! Invariants: the body is at most [`MAX_IMPORT_BYTES`]; the file is parsed and
//! validated by the service exactly as the direct path parses it (a bad row is
//! `422 invalid_input` naming the file and line, and nothing is imported); the import
//! is audited by the service as one entry for the token's curator.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde::{Deserialize, Serialize};

use super::{blocking, json_body_within};
use crate::triage::LabelMap;
use crate::web::WebState;
use crate::web::auth::Authorized;
use crate::web::error::ApiError;

/// Largest import body: a labelled corpus of a few hundred thousand rows.
pub const MAX_IMPORT_BYTES: usize = 64 << 20;
/// Longest file name.
const MAX_NAME: usize = 1024;

/// How scam rows are stored.
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ImportAs {
    /// Decided as scams (teaching the model and the index).
    Confirmed,
    /// Awaiting a curator.
    #[default]
    Pending,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportBody {
    /// The file's name: its extension picks the format; it names the file in errors.
    name: String,
    /// The file's text.
    data: String,
    #[serde(rename = "as", default)]
    status: ImportAs,
    /// Extra label prefixes counted as scam.
    #[serde(default)]
    positive: Vec<String>,
    /// Extra label prefixes counted as legitimate.
    #[serde(default)]
    negative: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct ImportAnswer {
    reports: usize,
    legitimate: usize,
}

pub(super) async fn import(
    State(state): State<WebState>,
    Authorized(curator): Authorized,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportAnswer>, ApiError> {
    let body: ImportBody = json_body_within(body, MAX_IMPORT_BYTES)?;
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "name: 1-{MAX_NAME} bytes without control characters"
        )));
    }
    let labels = LabelMap {
        positive: body.positive,
        negative: body.negative,
    };
    let confirmed = matches!(body.status, ImportAs::Confirmed);
    blocking(&state, move |triage| {
        let summary = triage.import_file(&name, &body.data, &labels, confirmed, &curator)?;
        Ok(Json(ImportAnswer {
            reports: summary.reports,
            legitimate: summary.legitimate,
        }))
    })
    .await
}
