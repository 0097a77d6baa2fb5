//! Who is calling: a curator with a bearer token, or (on the public check routes, when
//! the operator turned them on) an anonymous client limited per IP address; `/metrics`
//! wants a curator token too unless the operator made it public.
//!
//! Invariants: a curator route (and `/metrics` unless `public_metrics`) without a live
//! token is refused before its handler runs; the token is compared as a keyed hash by the service and never logged.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::WebState;
use super::error::ApiError;
use crate::triage::{Curator, Origin};

/// A request made with a live curator token.
pub struct Authorized(pub Curator);

/// A request allowed to check a message: a curator, or an anonymous client within
/// its rate limit while public checks are on.
pub enum CheckCaller {
    /// With a token, acting from the API (or the CLI, with the service's token).
    Curator(Origin),
    /// Without one, from this address.
    Public(IpAddr),
}

/// The bearer secret of a request, if it has one.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?;
    value.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The curator `parts`' bearer token stands for, acting from `origin`.
pub fn curator_of(
    state: &WebState,
    secret: &str,
    origin: Origin,
) -> Result<Option<Curator>, ApiError> {
    Ok(state.triage.authenticate(secret, origin)?)
}

impl FromRequestParts<WebState> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, ApiError> {
        let secret = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        curator_of(state, secret, Origin::Api)?
            .map(Authorized)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// A request allowed to read `/metrics`: with a live curator token, or any request
/// while `[http] public_metrics` is on.
pub struct MetricsReader;

impl FromRequestParts<WebState> for MetricsReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, ApiError> {
        if state.api.public_metrics {
            return Ok(MetricsReader);
        }
        Authorized::from_request_parts(parts, state)
            .await
            .map(|_| MetricsReader)
    }
}

impl FromRequestParts<WebState> for CheckCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, ApiError> {
        if let Some(secret) = bearer(parts) {
            return match curator_of(state, secret, Origin::Api)? {
                Some(curator) => Ok(CheckCaller::Curator(curator.origin)),
                None => Err(ApiError::unauthorized()),
            };
        }
        let Some(limiter) = &state.api.public_checks else {
            return Err(ApiError::unauthorized());
        };
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        if !limiter.allow(client) {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many checks from this address; try again in a minute",
            ));
        }
        Ok(CheckCaller::Public(client))
    }
}
