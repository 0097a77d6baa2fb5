//! The API's one error shape: JSON `{code, message}` with a stable `code` and an HTTP
//! status, converted from the service's typed errors.
//!
//! Invariants: codes are a public interface (append only); store and internal
//! failures are logged here and answered with a generic message, never their detail.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::triage::{LoadError, OcrError, TriageError};

/// An API error: status, stable code, message for the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The request is malformed (`bad_request`).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// No valid bearer token (`unauthorized`).
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this route needs `Authorization: Bearer <token>` with a live curator token",
        )
    }

    /// The body is over the route's limit (`payload_too_large`).
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is over {limit} bytes"),
        )
    }

    /// No such route (`not_found`).
    pub fn no_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such API route")
    }

    /// Something failed inside; logged, never shown (`internal`).
    pub fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!("API request failed: {what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the service failed; see its log",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<TriageError> for ApiError {
    fn from(e: TriageError) -> Self {
        let (status, code) = match &e {
            TriageError::NoStore => (StatusCode::SERVICE_UNAVAILABLE, "no_store"),
            TriageError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            TriageError::Empty => (StatusCode::UNPROCESSABLE_ENTITY, "empty_text"),
            TriageError::UnknownReport(_) => (StatusCode::NOT_FOUND, "unknown_report"),
            TriageError::AlreadyAnswered { .. } => (StatusCode::CONFLICT, "already_reported"),
            TriageError::AlreadyDecided { .. } | TriageError::ContactDecided { .. } => {
                (StatusCode::CONFLICT, "already_decided")
            }
            TriageError::NotAnIndicator(_) => (StatusCode::UNPROCESSABLE_ENTITY, "not_a_contact"),
            TriageError::UnknownToken(_) => (StatusCode::NOT_FOUND, "unknown_token"),
            TriageError::BadTokenName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_token_name"),
            TriageError::Dataset(_)
            | TriageError::Store(crate::store::StoreError::InvalidInput(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
            }
            TriageError::Random(_) | TriageError::Store(_) => return Self::internal(e),
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<LoadError> for ApiError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Rules(_) | LoadError::Config(_) | LoadError::Dataset(_) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "rules_invalid",
                e.to_string(),
            ),
            LoadError::Store(_) | LoadError::Model { .. } => Self::internal(e),
        }
    }
}

impl From<OcrError> for ApiError {
    fn from(e: OcrError) -> Self {
        let (status, code) = match &e {
            OcrError::FileTooLarge { .. } | OcrError::TooManyPixels { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "image_too_large")
            }
            OcrError::UnknownFormat | OcrError::Corrupt(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "image_unreadable")
            }
            OcrError::NoText => (StatusCode::UNPROCESSABLE_ENTITY, "image_without_text"),
            OcrError::GaveWay(_) => (StatusCode::PAYLOAD_TOO_LARGE, "image_too_dense"),
            OcrError::Busy | OcrError::OwnerBusy | OcrError::Timeout(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "ocr_busy")
            }
            OcrError::EngineUnavailable { .. } | OcrError::EngineFailed(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "ocr_unavailable")
            }
        };
        Self::new(status, code, e.to_string())
    }
}
