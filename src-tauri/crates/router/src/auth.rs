//! The bearer token every `/v1` request carries, checked in constant time by a layer
//! in front of the routes (never an `if` inside a handler).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::openai::ApiError;

/// The token a request presents: `Authorization: Bearer …`, else `x-api-key` (what
/// Anthropic-style clients send).
fn presented(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let v = v.as_bytes();
        let prefix = b"bearer ";
        if v.len() > prefix.len() && v[..prefix.len()].eq_ignore_ascii_case(prefix) {
            return Some(v[prefix.len()..].trim_ascii());
        }
        return Some(b"");
    }
    headers.get("x-api-key").map(|v| v.as_bytes().trim_ascii())
}

/// Middleware: 401 in OpenAI's shape unless the request carries the router's token.
pub(crate) async fn require_token(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    match presented(req.headers()) {
        None => ApiError::unauthorized(
            "This router needs its token: send `Authorization: Bearer <token>` (the OpenAI SDKs send their api_key that way). The token is shown in Switchboard's Router view and by `switchboard serve --print-token`.",
        )
        .into_response(),
        // An empty configured token never matches (it would let "Bearer " in).
        Some(t) if !state.token_bytes().is_empty() && bool::from(t.ct_eq(state.token_bytes())) => {
            next.run(req).await
        }
        Some(_) => ApiError::unauthorized(
            "The router token is wrong: use the one shown in Switchboard's Router view or by `switchboard serve --print-token` (not a provider's API key).",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_and_x_api_key_are_both_read() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert("x-api-key", HeaderValue::from_static("k1"));
        assert_eq!(presented(&h), Some(b"k1".as_slice()));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k2"));
        assert_eq!(presented(&h), Some(b"k2".as_slice()));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(presented(&h), Some(b"".as_slice()));
    }
}
