//! The HTTP side of the fake: routes `/bot<token>/<method>` and
//! `/file/bot<token>/<path>`, turns JSON, multipart and form bodies into one
//! JSON params object, records the call, and long-polls getUpdates.
//!
//! Invariants: every request with the right token is recorded before it is
//! answered (or held, delayed, cut); a held or delayed call is handled only after
//! its wait, and never when its connection was cut meanwhile; an injected failure is
//! used exactly once; getUpdates waits on a
//! `Notify` (registered before the queue is checked, so no wake-up is lost)
//! and never sleeps.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::methods::{dispatch, int, remember_allowed_updates};
use super::outage::CuttableListener;
use super::state::Reply;
use super::{Call, Inner};

/// Longest long poll the real server allows, in seconds.
const MAX_POLL_TIMEOUT: u64 = 50;
/// Largest request body accepted (the real limit for uploads is 50 MB).
const MAX_BODY_BYTES: usize = 50 << 20;

/// Serves the fake on `listener` until the returned task is aborted; its connections
/// fail once `cut` is cancelled.
pub fn spawn(
    listener: TcpListener,
    cut: CancellationToken,
    inner: Arc<Inner>,
) -> tokio::task::JoinHandle<()> {
    let app = Router::new().fallback(route).with_state(inner);
    let listener = CuttableListener { listener, cut };
    tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("fake Bot API server failed");
    })
}

/// Waits while `method` is held or has a delay queued; false when the connection was
/// cut meanwhile (the call stays unhandled).
async fn wait_turn(inner: &Inner, method: &str) -> bool {
    let cut = inner.cut();
    let delay = {
        let mut state = inner.state.lock().expect("fake state lock");
        state.delays.get_mut(method).and_then(VecDeque::pop_front)
    };
    if let Some(delay) = delay {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = cut.cancelled() => return false,
        }
    }
    loop {
        let released = inner.released.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        if !inner
            .state
            .lock()
            .expect("fake state lock")
            .held
            .contains(method)
        {
            return true;
        }
        tokio::select! {
            () = released => {}
            () = cut.cancelled() => return false,
        }
    }
}

async fn route(AxumState(inner): AxumState<Arc<Inner>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|segment| percent_decode_str(segment).decode_utf8_lossy().into_owned())
        .collect();
    match segments.as_slice() {
        [file, token, rest @ ..] if file == "file" && !rest.is_empty() => {
            download(&inner, token, &rest.join("/"))
        }
        [token, method] if token.starts_with("bot") => {
            api_call(inner, &token[3..], method, request).await
        }
        _ => json_response(Reply::error(404, "Not Found")),
    }
}

async fn api_call(inner: Arc<Inner>, token: &str, method: &str, request: Request) -> Response {
    if token != inner.token {
        return json_response(Reply::error(401, unauthorized(token)));
    }
    let params = match read_params(request).await {
        Ok(params) => params,
        Err(description) => return json_response(Reply::error(400, &description)),
    };
    let lower = method.to_ascii_lowercase();
    let call = Call {
        method: camel_case(method),
        params: params.clone(),
    };
    inner
        .state
        .lock()
        .expect("fake state lock")
        .calls
        .push(call.clone());
    inner.calls_changed.notify_waiters();
    if !wait_turn(&inner, &lower).await {
        return json_response(Reply::error(502, "Bad Gateway: connection cut"));
    }
    let reply = {
        let mut state = inner.state.lock().expect("fake state lock");
        let outage = state
            .outages
            .get(&lower)
            .filter(|(until, _)| std::time::Instant::now() < *until)
            .map(|(_, reply)| reply.clone());
        match outage.or_else(|| {
            state
                .failures
                .get_mut(&lower)
                .and_then(|queue| queue.pop_front())
        }) {
            Some(failure) => Some(failure),
            None if lower == "getupdates" => None,
            None => Some(
                dispatch(&mut state, &inner.bot, &lower, &params).unwrap_or_else(|| {
                    state.unexpected.push(call);
                    Reply::error(404, "Not Found")
                }),
            ),
        }
    };
    inner.calls_changed.notify_waiters();
    match reply {
        Some(reply) => json_response(reply),
        None => json_response(get_updates(&inner, &params).await),
    }
}

/// The server says "Unauthorized" for a well-formed but unknown token.
fn unauthorized(token: &str) -> &'static str {
    let well_formed = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty()
    });
    match well_formed {
        true => "Unauthorized",
        false => "Unauthorized: invalid token specified",
    }
}

async fn get_updates(inner: &Inner, params: &Value) -> Reply {
    let offset = int(&params["offset"]).unwrap_or(0);
    let limit =
        usize::try_from(int(&params["limit"]).unwrap_or(100).clamp(1, 100)).expect("1..=100");
    let timeout = u64::try_from(int(&params["timeout"]).unwrap_or(0)).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(timeout.min(MAX_POLL_TIMEOUT));
    {
        let mut state = inner.state.lock().expect("fake state lock");
        if state.webhook_url.is_some() {
            return Reply::error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the \
                 webhook first",
            );
        }
        remember_allowed_updates(&mut state, &params["allowed_updates"]);
    }
    loop {
        let notified = inner.updates_changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let reply = {
            let mut state = inner.state.lock().expect("fake state lock");
            let updates = state.take_updates(offset, limit);
            (!updates.is_empty() || Instant::now() >= deadline)
                .then(|| updates_reply(&state, updates))
        };
        if let Some(reply) = reply {
            return reply;
        }
        // On timeout the next pass sees the deadline and answers `[]`.
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

/// The getUpdates answer; verbatim text when an update was enqueued as raw text.
fn updates_reply(state: &super::state::State, updates: Vec<Value>) -> Reply {
    let raw = |u: &Value| state.raw_updates.get(&super::state::update_id(u));
    if !updates.iter().any(|u| raw(u).is_some()) {
        return Reply::ok(Value::Array(updates));
    }
    let items: Vec<String> = updates
        .iter()
        .map(|u| raw(u).cloned().unwrap_or_else(|| u.to_string()))
        .collect();
    Reply::Verbatim(format!("{{\"ok\":true,\"result\":[{}]}}", items.join(",")))
}

fn download(inner: &Inner, token: &str, file_path: &str) -> Response {
    let not_found = || json_response(Reply::error(404, "Not Found"));
    if token.strip_prefix("bot") != Some(inner.token.as_str()) {
        return not_found();
    }
    let state = inner.state.lock().expect("fake state lock");
    match state
        .files
        .values()
        .find(|file| file.file_path == file_path)
    {
        Some(file) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            file.bytes.clone(),
        )
            .into_response(),
        None => not_found(),
    }
}

/// Merges query-string parameters and the body into one JSON object.
async fn read_params(request: Request) -> Result<Value, String> {
    let mut params = Map::new();
    if let Some(query) = request.uri().query() {
        params.extend(form_pairs(query));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        params.extend(multipart_fields(request).await?);
        return Ok(Value::Object(params));
    }
    let body = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|e| format!("Bad Request: {e}"))?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        params.extend(form_pairs(&String::from_utf8_lossy(&body)));
    } else if !body.is_empty() {
        match serde_json::from_slice(&body) {
            Ok(Value::Object(fields)) => params.extend(fields),
            _ => return Err("Bad Request: can't parse JSON object".to_owned()),
        }
    }
    Ok(Value::Object(params))
}

async fn multipart_fields(request: Request) -> Result<Map<String, Value>, String> {
    let bad = |e: &dyn std::fmt::Display| format!("Bad Request: {e}");
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| bad(&e))?;
    let mut fields = Map::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| bad(&e))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| bad(&e))?;
        let value = match file_name {
            Some(file_name) => {
                json!({"file_name": file_name, "content_type": content_type, "size": bytes.len()})
            }
            None => field_value(&String::from_utf8_lossy(&bytes)),
        };
        fields.insert(name, value);
    }
    Ok(fields)
}

/// Multipart and form fields are strings on the wire; JSON-serialised
/// objects and arrays (`reply_markup`, `reply_parameters`) become JSON again.
fn field_value(text: &str) -> Value {
    let looks_like_json = text.starts_with('{') || text.starts_with('[');
    match looks_like_json {
        true => serde_json::from_str(text).unwrap_or_else(|_| json!(text)),
        false => json!(text),
    }
}

fn form_pairs(encoded: &str) -> Map<String, Value> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), field_value(&decode(value)))
        })
        .collect()
}

/// `SendMessage` (teloxide's spelling) -> `sendMessage` (the docs').
fn camel_case(method: &str) -> String {
    let mut chars = method.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn json_response(reply: Reply) -> Response {
    if let Reply::Verbatim(text) = reply {
        return ([(header::CONTENT_TYPE, "application/json")], text).into_response();
    }
    let (status, body) = reply.into_parts();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = Body::from(serde_json::to_vec(&body).expect("JSON value serialises"));
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
