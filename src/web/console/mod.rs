//! The curators' web console, served by the same process under `/console`:
//! server-rendered pages (maud), bilingual (zh/en), plain forms (one click, no script
//! to build or fetch): token login, the review queue with cluster decisions, contacts,
//! the audit log, the rule dry-run and per-day charts.
//!
//! Invariants: every page but the login needs the session cookie, which holds a random
//! session id, never the token (HttpOnly, SameSite=Strict, path `/console`, Secure when
//! a TLS proxy says the request came over https); the service checks the session and
//! its token on every request (`Triage::session_curator`), so a revoked token or 12
//! idle hours log out at once, as does logout; a request without a live session is
//! refused (401, the login page); a form posted from another site (an `Origin` that is
//! not this host) is refused (403) on top of SameSite=Strict; every decision goes to
//! the service as a `console` curator.

mod charts;
mod pages;
mod text;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::Markup;
use serde::Deserialize;

use super::WebState;
use crate::classify::Lang;
use crate::triage::{Curator, Review, Triage, TriageError};

/// The session cookie (it holds the session id).
const SESSION: &str = "sg_session";
/// The language cookie.
const LANG: &str = "sg_lang";
/// Days shown in the charts.
const CHART_DAYS: usize = 28;

/// The `/console` routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(queue))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_lang))
        .route("/decide", post(decide))
        .route("/contacts", get(contacts).post(judge))
        .route("/audit", get(audit))
        .route("/dry-run", get(dry_run_page).post(dry_run))
        .route("/charts", get(charts))
}

/// The value of cookie `name`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The reader's language: the cookie, else the browser's, else English.
fn lang_of(headers: &HeaderMap) -> Lang {
    if let Some(lang) = cookie(headers, LANG).and_then(|l| l.parse().ok()) {
        return lang;
    }
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    if accept.is_some_and(|a| a.trim_start().starts_with("zh")) {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The reader's language, for pages anyone may see.
pub struct Reader(Lang);

impl FromRequestParts<WebState> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &WebState) -> Result<Self, Response> {
        Ok(Reader(lang_of(&parts.headers)))
    }
}

/// A logged-in curator and their language.
pub struct Session {
    curator: Curator,
    lang: Lang,
}

impl FromRequestParts<WebState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let refused = || (StatusCode::UNAUTHORIZED, pages::login(lang, false)).into_response();
        if parts.method != Method::GET && !same_origin(&parts.headers) {
            return Err((StatusCode::FORBIDDEN, "posted from another site").into_response());
        }
        let id = cookie(&parts.headers, SESSION).ok_or_else(refused)?;
        match state.triage.session_curator(id) {
            Ok(Some(curator)) => Ok(Session { curator, lang }),
            Ok(None) => Err(refused()),
            Err(e) => Err(failure(e)),
        }
    }
}

/// Whether a form comes from this site: no `Origin` (not a browser, or one that does
/// not send it; SameSite=Strict still keeps the cookie from other sites), or one
/// whose host is the request's `Host` or, behind a reverse proxy that rewrites it,
/// `X-Forwarded-Host`.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some((_, origin_host)) = origin.split_once("://") else {
        return false;
    };
    [HOST.as_str(), "x-forwarded-host"].iter().any(|name| {
        let host = headers.get(*name).and_then(|v| v.to_str().ok());
        host.is_some_and(|h| h.split(',').next().map(str::trim) == Some(origin_host))
    })
}

/// The session cookie set to `value` (cleared when `None`): HttpOnly, SameSite=Strict,
/// path `/console`, and Secure when a TLS proxy forwarded the request as https
/// (`X-Forwarded-Proto`); the console itself speaks plain HTTP.
fn session_cookie(headers: &HeaderMap, value: Option<&str>) -> String {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    let secure = if https { "; Secure" } else { "" };
    let (value, expiry) = match value {
        Some(value) => (value, ""),
        None => ("", "; Max-Age=0"),
    };
    format!("{SESSION}={value}; HttpOnly; SameSite=Strict; Path=/console{secure}{expiry}")
}

/// A service failure as a page (logged, never shown in detail).
fn failure(e: impl std::fmt::Display) -> Response {
    tracing::error!("console request failed: {e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the service failed; see its log",
    )
        .into_response()
}

/// Runs `f` on the service off the async threads, rendering its page.
async fn page(
    state: &WebState,
    f: impl FnOnce(&Triage) -> Result<Markup, TriageError> + Send + 'static,
) -> Response {
    let triage = std::sync::Arc::clone(&state.triage);
    match tokio::task::spawn_blocking(move || f(&triage)).await {
        Ok(Ok(markup)) => markup.into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => failure(e),
    }
}

/// A 303 to `to`, with `cookie` set when given.
fn see_other(to: &str, cookie: Option<String>) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response();
    if let Some(cookie) = cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

async fn login_page(Reader(lang): Reader) -> Markup {
    pages::login(lang, false)
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(
    State(state): State<WebState>,
    Reader(lang): Reader,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "posted from another site").into_response();
    }
    match state.triage.open_session(form.token.trim()) {
        Ok(Some(id)) => {
            let cookie = session_cookie(&headers, Some(id.expose()));
            see_other("/console", Some(cookie))
        }
        Ok(None) => (StatusCode::UNAUTHORIZED, pages::login(lang, true)).into_response(),
        Err(e) => failure(e),
    }
}

async fn logout(State(state): State<WebState>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION) {
        state.triage.close_session(id);
    }
    see_other("/console/login", Some(session_cookie(&headers, None)))
}

async fn set_lang(Path(lang): Path<String>) -> Response {
    let lang: Lang = lang.parse().unwrap_or(Lang::En);
    let cookie = format!("{LANG}={}; SameSite=Strict; Path=/console", lang.as_str());
    see_other("/console", Some(cookie))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn queue(
    State(state): State<WebState>,
    session: Session,
    Query(q): Query<NoticeQuery>,
) -> Response {
    page(&state, move |triage| {
        Ok(pages::queue(
            session.lang,
            &triage.pending(500)?,
            q.notice.as_deref(),
        ))
    })
    .await
}

#[derive(Deserialize)]
struct DecideForm {
    id: String,
    decision: String,
}

async fn decide(
    State(state): State<WebState>,
    session: Session,
    Form(form): Form<DecideForm>,
) -> Response {
    let Ok(id) = form.id.parse() else {
        return (StatusCode::BAD_REQUEST, "not a report id").into_response();
    };
    let done = act(&state, session.curator, move |triage, curator| {
        let decided = match form.decision.as_str() {
            "confirm" => triage
                .review_cluster(id, Review::Confirm, curator, "")?
                .len(),
            "reject" => triage
                .review_cluster(id, Review::Reject, curator, "")?
                .len(),
            _ => triage.ignore_reporter_of(id, curator, "").map(|_| 1)?,
        };
        Ok(decided.to_string())
    })
    .await;
    after_action(session.lang, done, |notice| {
        see_other(&format!("/console?notice={}", encode(notice)), None)
    })
}

/// Runs curator action `f` off the async threads; its outcome for a notice.
async fn act(
    state: &WebState,
    curator: Curator,
    f: impl FnOnce(&Triage, &Curator) -> Result<String, TriageError> + Send + 'static,
) -> Result<Result<String, TriageError>, Response> {
    let triage = std::sync::Arc::clone(&state.triage);
    tokio::task::spawn_blocking(move || f(&triage, &curator))
        .await
        .map_err(failure)
}

/// The page after an action: `redirect` with a notice of what was done, or why it was
/// not (a refusal the curator can act on); any other failure is a failure page.
fn after_action(
    lang: Lang,
    done: Result<Result<String, TriageError>, Response>,
    redirect: impl FnOnce(&str) -> Response,
) -> Response {
    let notice = match done {
        Err(response) => return response,
        Ok(Ok(what)) => format!("{}: {what}", text::t(lang, text::Key::Decided)),
        Ok(Err(
            e @ (TriageError::AlreadyDecided { .. }
            | TriageError::UnknownReport(_)
            | TriageError::NotAnIndicator(_)),
        )) => format!("{}: {e}", text::t(lang, text::Key::Refused)),
        Ok(Err(e)) => return failure(e),
    };
    redirect(&notice)
}

#[derive(Deserialize)]
struct ContactQuery {
    value: Option<String>,
    notice: Option<String>,
}

async fn contacts(
    State(state): State<WebState>,
    session: Session,
    Query(q): Query<ContactQuery>,
) -> Response {
    page(&state, move |triage| {
        let found = match q.value.as_deref().filter(|v| !v.trim().is_empty()) {
            Some(value) => match triage.look_up_contact(value) {
                Ok(found) => Some(found),
                Err(TriageError::NotAnIndicator(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let judged = triage.judged_contacts()?;
        Ok(pages::contacts(
            session.lang,
            found.as_ref(),
            &judged,
            q.notice.as_deref(),
        ))
    })
    .await
}

#[derive(Deserialize)]
struct JudgeForm {
    value: String,
    action: String,
}

async fn judge(
    State(state): State<WebState>,
    session: Session,
    Form(form): Form<JudgeForm>,
) -> Response {
    let block = form.action == "block";
    let value = form.value.clone();
    let done = act(&state, session.curator, move |triage, curator| {
        triage.judge_indicator(&value, block, curator, "")
    })
    .await;
    after_action(session.lang, done, |notice| {
        let (value, notice) = (encode(&form.value), encode(notice));
        see_other(
            &format!("/console/contacts?value={value}&notice={notice}"),
            None,
        )
    })
}

async fn audit(State(state): State<WebState>, session: Session) -> Response {
    page(&state, move |triage| {
        Ok(pages::audit(session.lang, &triage.audit_latest(500)?))
    })
    .await
}

async fn dry_run_page(session: Session) -> Markup {
    pages::dry_run(session.lang, "", None)
}

#[derive(Deserialize)]
struct DryRunForm {
    dir: String,
}

async fn dry_run(
    State(state): State<WebState>,
    session: Session,
    Form(form): Form<DryRunForm>,
) -> Response {
    let fixtures = state.api.fixtures.clone();
    page(&state, move |triage| {
        let run = triage.dry_run(std::path::Path::new(&form.dir), &fixtures);
        let problems = run.as_ref().err().map(ToString::to_string);
        let result = match (&run, &problems) {
            (Ok(run), _) => Some(Ok(run)),
            (Err(_), Some(p)) => Some(Err(p.as_str())),
            (Err(_), None) => None,
        };
        Ok(pages::dry_run(session.lang, &form.dir, result))
    })
    .await
}

async fn charts(State(state): State<WebState>, session: Session) -> Response {
    page(&state, move |triage| {
        Ok(pages::charts(session.lang, &triage.activity(CHART_DAYS)?))
    })
    .await
}

/// Percent-encodes `text` for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
