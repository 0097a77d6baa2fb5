//! `POST /api/v1/check` (a text) and `POST /api/v1/check/image` (a screenshot, as
//! multipart `image` with optional `caption` and `lang`): the verdict as JSON, with
//! the plain-text card.
//!
//! Invariants: a text over `MAX_TEXT_BYTES` or blank is refused before judging; an
//! image goes through the same OCR limits as the bot's screenshots.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicI64, Ordering};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{MAX_IMAGE_BYTES, blocking, json_body};
use crate::classify::{Lang, Message};
use crate::triage::card::reading_lang;
use crate::triage::metrics::CheckSource;
use crate::triage::{MAX_TEXT_BYTES, Origin, Triage};
use crate::web::WebState;
use crate::web::auth::CheckCaller;
use crate::web::error::ApiError;

/// Senders of curators' images: each upload its own (only public clients are held to
/// one image at a time).
static NEXT_CURATOR_UPLOAD: AtomicI64 = AtomicI64::new(i64::MIN);

#[derive(Deserialize)]
pub(super) struct CheckBody {
    text: String,
    lang: Option<String>,
}

/// Judges a text.
pub(super) async fn text(
    State(state): State<WebState>,
    caller: CheckCaller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body: CheckBody = json_body(body)?;
    let lang = parse_lang(body.lang.as_deref())?;
    check_text(&body.text)?;
    let source = caller.source();
    blocking(&state, move |triage| {
        Ok(judge(triage, &body.text, lang, None, source))
    })
    .await
}

/// Judges a screenshot with its caption.
pub(super) async fn image(
    State(state): State<WebState>,
    caller: CheckCaller,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let (mut image, mut caption, mut lang) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(multipart_error)?;
        match name.as_str() {
            "image" => image = Some(bytes.to_vec()),
            "caption" => caption = Some(utf8(bytes, "caption")?),
            "lang" => lang = Some(utf8(bytes, "lang")?),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "unknown form field {name:?}"
                )));
            }
        }
    }
    let image = image.ok_or_else(|| ApiError::bad_request("the form has no `image` field"))?;
    let lang = parse_lang(lang.as_deref())?;
    let source = caller.source();
    let sender = match caller {
        CheckCaller::Curator(_) => NEXT_CURATOR_UPLOAD.fetch_add(1, Ordering::Relaxed),
        CheckCaller::Public(ip) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            ip.hash(&mut hasher);
            i64::from_ne_bytes(hasher.finish().to_ne_bytes()).abs()
        }
    };
    let read = state.triage.read_image(sender, image).await?;
    let text = match &caption {
        Some(caption) => format!("{caption}\n{}", read.text),
        None => read.text.clone(),
    };
    blocking(&state, move |triage| {
        Ok(judge(triage, &text, lang, Some(&read.text), source))
    })
    .await
}

/// The verdict on `text` as a JSON response, counted as a check from `source`.
fn judge(
    triage: &Triage,
    text: &str,
    lang: Option<Lang>,
    ocr_text: Option<&str>,
    source: CheckSource,
) -> Response {
    let verdict = triage.check_from(Message::text(text), source);
    let lang = reading_lang(lang, verdict.lang, Lang::En);
    let mut answer = triage.answer(&verdict, lang, true);
    answer.ocr_text = ocr_text;
    match serde_json::to_vec(&answer) {
        Ok(bytes) => ([(CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

impl CheckCaller {
    /// Where the check counts as coming from: the CLI for the service's own token,
    /// else the API.
    fn source(&self) -> CheckSource {
        match self {
            CheckCaller::Curator(Origin::Cli) => CheckSource::Cli,
            _ => CheckSource::Api,
        }
    }
}

fn check_text(text: &str) -> Result<(), ApiError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "text_too_long",
            format!("the text is over {MAX_TEXT_BYTES} bytes"),
        ));
    }
    if text.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_text",
            "nothing to check: the text is empty",
        ));
    }
    Ok(())
}

/// `en`, `zh` or none.
pub(super) fn parse_lang(lang: Option<&str>) -> Result<Option<Lang>, ApiError> {
    lang.map(|l| l.parse::<Lang>().map_err(ApiError::bad_request))
        .transpose()
}

fn utf8(bytes: Bytes, field: &str) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request(format!("form field `{field}` is not UTF-8")))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            format!("the upload is over {MAX_IMAGE_BYTES} bytes"),
        )
    } else {
        ApiError::bad_request(e.body_text())
    }
}
