//! Every Bot API call the bot makes goes through [`call`] (or [`Ctx::call`]): a failed
//! call is counted in the service's metrics by method (`sendMessage`, `getUpdates`, ...)
//! and code (the HTTP status Telegram answered with, or `network`, `timeout`, ...).
//!
//! Invariants: the method label is the request type's own Bot API name, never text
//! from the answer; teloxide drops the answer's `error_code`, so the status is read
//! back from the description's standard prefix ("Bad Request: ..." is 400), and a
//! description without one counts as `unknown`.

use teloxide::requests::{HasPayload, Output, Payload, Request};
use teloxide::{DownloadError, RequestError};

use super::context::Ctx;
use crate::triage::Triage;
use crate::triage::metrics::BotApiFailure;

/// HTTP reason phrases Telegram starts its error descriptions with.
const STATUSES: [(&str, u16); 11] = [
    ("Bad Request", 400),
    ("Unauthorized", 401),
    ("Forbidden", 403),
    ("Not Found", 404),
    ("Conflict", 409),
    ("Request Entity Too Large", 413),
    ("Too Many Requests", 429),
    ("Internal Server Error", 500),
    ("Bad Gateway", 502),
    ("Service Unavailable", 503),
    ("Gateway Timeout", 504),
];

/// Sends `request`; a failure is counted for the triage service's metrics.
pub async fn call<R>(triage: &Triage, request: R) -> Result<Output<R>, RequestError>
where
    R: Request<Err = RequestError>,
{
    let result = request.send().await;
    if let Err(error) = &result {
        triage.bot_api_failed(&method_name::<R>(), failure(error));
    }
    result
}

impl Ctx {
    /// Sends `request` and counts a failure (see [`call`]).
    pub async fn call<R>(&self, request: R) -> Result<Output<R>, RequestError>
    where
        R: Request<Err = RequestError>,
    {
        call(&self.deps.triage, request).await
    }

    /// Counts a failed file download (the Bot API's file endpoint).
    pub fn download_failed(&self, error: &DownloadError) {
        let failure = match error {
            DownloadError::Network(e) if e.is_timeout() => BotApiFailure::Timeout,
            DownloadError::Network(_) => BotApiFailure::Network,
            DownloadError::Io(_) => BotApiFailure::Io,
        };
        self.deps.triage.bot_api_failed("downloadFile", failure);
    }
}

/// The documented spelling of `R`'s method: teloxide names payloads `SendMessage`
/// (and `...Inline` for the inline variants of one method).
fn method_name<R: HasPayload>() -> String {
    let name = <R::Payload as Payload>::NAME.trim_end_matches("Inline");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The `code` a failed call counts under.
pub fn failure(error: &RequestError) -> BotApiFailure {
    match error {
        RequestError::RetryAfter(_) => BotApiFailure::Status(429),
        RequestError::MigrateToChatId(_) => BotApiFailure::Status(400),
        RequestError::Network(e) if e.is_timeout() => BotApiFailure::Timeout,
        RequestError::Network(_) => BotApiFailure::Network,
        RequestError::InvalidJson { .. } => BotApiFailure::InvalidAnswer,
        RequestError::Io(_) => BotApiFailure::Io,
        RequestError::Api(teloxide::ApiError::Unknown(description)) => status_of(description),
        RequestError::Api(known) => status_of(&known.to_string()),
    }
}

/// The status a description starts with ("Forbidden: bot was blocked" is 403).
fn status_of(description: &str) -> BotApiFailure {
    STATUSES
        .iter()
        .find(|(phrase, _)| description.starts_with(phrase))
        .map_or(BotApiFailure::Unknown, |&(_, code)| {
            BotApiFailure::Status(code)
        })
}

#[cfg(test)]
mod tests {
    use teloxide::ApiError;
    use teloxide::payloads::{EditMessageTextInline, GetUpdates, SendMessage};
    use teloxide::requests::JsonRequest;
    use teloxide::types::Seconds;

    use super::*;

    fn check(error: RequestError, expected: BotApiFailure) {
        assert_eq!(failure(&error), expected, "{error}");
    }

    #[test]
    fn codes_come_from_the_answer() {
        let unknown = |d: &str| RequestError::Api(ApiError::Unknown(d.into()));
        check(unknown("Internal Server Error"), BotApiFailure::Status(500));
        check(unknown("Bad Gateway: upstream"), BotApiFailure::Status(502));
        check(
            unknown("Bad Request: chat not found"),
            BotApiFailure::Status(400),
        );
        check(unknown("something else"), BotApiFailure::Unknown);
        check(
            RequestError::Api(ApiError::BotBlocked),
            BotApiFailure::Status(403),
        );
        check(
            RequestError::Api(ApiError::MessageNotModified),
            BotApiFailure::Status(400),
        );
        check(
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates),
            BotApiFailure::Status(409),
        );
        check(
            RequestError::RetryAfter(Seconds::from_seconds(3)),
            BotApiFailure::Status(429),
        );
    }

    #[test]
    fn methods_are_named_as_the_bot_api_documents_them() {
        assert_eq!(method_name::<JsonRequest<SendMessage>>(), "sendMessage");
        assert_eq!(method_name::<JsonRequest<GetUpdates>>(), "getUpdates");
        assert_eq!(
            method_name::<JsonRequest<EditMessageTextInline>>(),
            "editMessageText"
        );
    }
}
