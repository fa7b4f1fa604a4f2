//! Errors in OpenAI's shape, `{"error":{"message","type","param","code"}}`, so the
//! OpenAI SDKs raise the right exception with our message in it.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::caps::CapReached;

/// A refusal or failure, as the client sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// OpenAI's `type`.
    pub kind: &'static str,
    pub param: Option<String>,
    pub code: Option<&'static str>,
    /// Sent as `retry-after` (whole seconds, rounded up).
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind,
            param: None,
            code: None,
            retry_after: None,
        }
    }

    /// A 400 the client can fix.
    pub fn invalid(message: impl Into<String>, param: Option<String>) -> Self {
        Self {
            param,
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// A 400 for something OpenAI accepts but the router cannot carry yet.
    pub fn unsupported(param: impl Into<String>) -> Self {
        let param = param.into();
        Self {
            code: Some("unsupported_parameter"),
            ..Self::invalid(
                format!(
                    "`{param}` is not supported by the Switchboard router yet: it relays text chat only (no tools, images, audio, logprobs or several choices). Remove it from the request."
                ),
                Some(param),
            )
        }
    }

    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    /// A missing or wrong router token.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_request_error", message)
            .code("invalid_api_key")
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request_error",
            format!(
                "the request body is larger than the router accepts ({limit} bytes); shorten the conversation or raise the router's body limit"
            ),
        )
        .code("request_too_large")
    }

    /// An alias no setup serves.
    pub fn unknown_model(alias: &str, served: &[&str]) -> Self {
        let list = if served.is_empty() {
            "none: add a setup in Switchboard".to_owned()
        } else {
            served.join(", ")
        };
        Self {
            param: Some("model".into()),
            ..Self::new(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                format!("The model `{alias}` does not exist on this router. It serves: {list}."),
            )
            .code("model_not_found")
        }
    }

    pub fn spend_cap(hit: &CapReached) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "spend_cap_reached",
            hit.to_string(),
        )
        .code("spend_cap_reached")
        .retry_after(Some(hit.retry_after))
    }

    /// The JSON body, `{"error":{…}}`.
    pub fn body(&self) -> Bytes {
        let v = serde_json::json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        });
        Bytes::from(v.to_string())
    }

    /// The same error as one SSE event, for a stream that has already begun.
    pub fn sse_event(&self) -> Bytes {
        let body = self.body();
        let mut out = Vec::with_capacity(body.len() + 8);
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\n\n");
        Bytes::from(out)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, self.body()).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(after) = self.retry_after {
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
