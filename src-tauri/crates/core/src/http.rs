//! The one shared HTTP executor. Adapters describe requests as [`HttpRequestSpec`];
//! only this module touches reqwest. It owns the connect timeout, turns an error status
//! and its body into a typed [`ProviderError`], and scrubs keys from every message.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::error::{excerpt, ErrorKind, ProviderError, TimeoutPhase};

/// How long each wait may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the connection (TCP + TLS). Default 10 s.
    pub connect: Duration,
    /// From sending the request to the first text or reasoning token. Default 60 s:
    /// reasoning models think silently for a long time.
    pub first_token: Duration,
    /// Between two chunks once the answer has started. Default 30 s.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            first_token: Duration::from_secs(60),
            idle: Duration::from_secs(30),
        }
    }
}

/// A header value; secrets are redacted in `Debug` and scrubbed from errors.
#[derive(Clone)]
pub enum HeaderValue {
    Plain(String),
    Secret(SecretString),
}

impl std::fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(s) => write!(f, "{s:?}"),
            Self::Secret(_) => f.write_str("[redacted]"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

/// A request as an adapter describes it: pure data, no I/O.
#[derive(Debug, Clone)]
pub struct HttpRequestSpec {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, HeaderValue)>,
    pub body: Option<Value>,
}

impl HttpRequestSpec {
    pub fn post(url: String, body: Value) -> Self {
        Self {
            method: HttpMethod::Post,
            url,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn get(url: String) -> Self {
        Self {
            method: HttpMethod::Get,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers
            .push((name.to_owned(), HeaderValue::Plain(value.into())));
        self
    }

    pub fn secret_header(mut self, name: &str, value: SecretString) -> Self {
        self.headers
            .push((name.to_owned(), HeaderValue::Secret(value)));
        self
    }

    /// The secret header values, to scrub from anything shown to the user.
    pub fn secrets(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter_map(|(_, v)| match v {
                HeaderValue::Secret(s) => {
                    let raw = s.expose_secret();
                    // `Bearer sk-…` → scrub the key itself too.
                    Some(raw.strip_prefix("Bearer ").unwrap_or(raw).to_owned())
                }
                HeaderValue::Plain(_) => None,
            })
            .collect()
    }
}

/// Scrubs every secret from an error's messages.
pub fn redact_all(mut err: ProviderError, secrets: &[String]) -> ProviderError {
    for s in secrets {
        err = err.redact(s);
    }
    err
}

/// The shared executor: one reqwest client (connection pool) for every provider.
#[derive(Debug, Clone)]
pub struct Executor {
    client: reqwest::Client,
    timeouts: Timeouts,
}

impl Executor {
    pub fn new(timeouts: Timeouts) -> Result<Self, ProviderError> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Network {
                message: format!("could not build the HTTP client: {e}"),
            })?;
        Ok(Self { client, timeouts })
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Sends the request and returns the response if its status is a success; otherwise
    /// reads the body and returns the typed error. Errors are not yet redacted.
    pub async fn send(&self, spec: &HttpRequestSpec) -> Result<reqwest::Response, ProviderError> {
        let mut rb = match spec.method {
            HttpMethod::Get => self.client.get(&spec.url),
            HttpMethod::Post => self.client.post(&spec.url),
        };
        for (name, value) in &spec.headers {
            rb = match value {
                HeaderValue::Plain(v) => rb.header(name.as_str(), v.as_str()),
                HeaderValue::Secret(s) => {
                    let mut hv = reqwest::header::HeaderValue::from_str(s.expose_secret())
                        .map_err(|_| ProviderError::Auth {
                            status: None,
                            message:
                                "the API key contains characters not allowed in an HTTP header"
                                    .into(),
                        })?;
                    hv.set_sensitive(true);
                    rb.header(name.as_str(), hv)
                }
            };
        }
        if let Some(body) = &spec.body {
            let bytes = serde_json::to_vec(body).map_err(|e| ProviderError::InvalidRequest {
                status: None,
                message: format!("could not encode the request: {e}"),
            })?;
            rb = rb
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes);
        }
        let resp = rb.send().await.map_err(map_send_error)?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let retry_after = retry_after_from_headers(resp.headers());
        let body = resp.text().await.unwrap_or_default();
        Err(classify_error(Some(status.as_u16()), &body, retry_after))
    }

    /// Sends a request and reads a JSON body (model lists).
    pub async fn get_json(&self, spec: &HttpRequestSpec) -> Result<Value, ProviderError> {
        let secrets = spec.secrets();
        let run = async {
            let resp = self.send(spec).await?;
            let text = resp.text().await.map_err(map_body_error)?;
            serde_json::from_str(&text)
                .map_err(|e| ProviderError::malformed(format!("not JSON: {e}"), &text))
        };
        let timeout = self.timeouts.first_token;
        match tokio::time::timeout(timeout, run).await {
            Ok(r) => r.map_err(|e| redact_all(e, &secrets)),
            Err(_) => Err(ProviderError::Timeout {
                phase: TimeoutPhase::FirstToken,
                after: timeout,
            }),
        }
    }

    pub(crate) fn request_timeout_error(&self) -> ProviderError {
        ProviderError::Timeout {
            phase: TimeoutPhase::FirstToken,
            after: self.timeouts.first_token,
        }
    }
}

/// Why a body could not be read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Larger than the limit (declared or as read).
    TooLarge,
    Transport(reqwest::Error),
}

/// Reads `resp`'s body, refusing more than `limit` bytes: checked against the declared
/// length first, then chunk by chunk, so a server that lies about (or omits) its length
/// still cannot make us buffer more than the limit.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if bytes.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// An error and its sources in one line, each cause said once (reqwest nests them).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

fn map_send_error(e: reqwest::Error) -> ProviderError {
    let chain = error_chain(&e);
    if e.is_connect() && (e.is_timeout() || chain.contains("timed out")) {
        ProviderError::Timeout {
            phase: TimeoutPhase::Connect,
            after: Duration::ZERO,
        }
    } else {
        ProviderError::Network { message: chain }
    }
}

/// A transport error while reading a body that had started: the stream was cut.
pub(crate) fn map_body_error(e: reqwest::Error) -> ProviderError {
    ProviderError::StreamInterrupted {
        message: format!("the connection broke mid-answer ({})", error_chain(&e)),
    }
}

/// `retry-after-ms` (preferred, fractional ms) or `retry-after` in seconds. HTTP-date
/// values are ignored.
pub fn retry_after_from_headers(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    get("retry-after")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Gemini's `"12s"` / `"1.5s"` (protobuf Duration JSON).
pub fn parse_proto_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.trim().strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

fn looks_like_context_length(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "maximum context length",
        "context length",
        "context window",
        "context_length",
        "prompt is too long",
        "too many tokens",
        "input token count",
        "exceeds the maximum number of tokens",
        "reduce the length",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// Turns an error body (any provider's shape) and its HTTP status into a typed error.
/// `status` is `None` for an error that arrived inside a stream.
///
/// Shapes understood: OpenAI `{"error":{"message","type","code"}}`, Anthropic
/// `{"type":"error","error":{"type","message"}}`, Gemini
/// `{"error":{"code","message","status","details":[…]}}`, and plain-text bodies.
pub fn classify_error(
    status: Option<u16>,
    body: &str,
    retry_after: Option<Duration>,
) -> ProviderError {
    let json: Option<Value> = serde_json::from_str(body).ok();
    classify_error_value(status, json.as_ref(), body, retry_after)
}

/// [`classify_error`] on an already-parsed body.
pub fn classify_error_value(
    status: Option<u16>,
    json: Option<&Value>,
    raw: &str,
    mut retry_after: Option<Duration>,
) -> ProviderError {
    let obj = json.map(|j| match j.get("error") {
        Some(e) if e.is_object() => e,
        _ => j,
    });
    let s = |v: Option<&Value>, k: &str| {
        v.and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let etype = s(obj, "type").unwrap_or_default();
    let code = s(obj, "code").unwrap_or_default();
    let gstatus = s(obj, "status").unwrap_or_default();
    let mut reasons: Vec<String> = Vec::new();
    if let Some(details) = obj.and_then(|o| o.get("details")).and_then(Value::as_array) {
        for d in details {
            if let Some(r) = d.get("reason").and_then(Value::as_str) {
                reasons.push(r.to_owned());
            }
            if retry_after.is_none() {
                retry_after = d
                    .get("retryDelay")
                    .and_then(Value::as_str)
                    .and_then(parse_proto_duration);
            }
        }
    }
    let message = s(obj, "message")
        .or_else(|| s(json, "message"))
        .or_else(|| s(json, "detail"))
        .or_else(|| {
            json.and_then(|j| j.get("error"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            let t = raw.trim();
            if t.is_empty() {
                status.map_or_else(
                    || "no details given".to_owned(),
                    |s| format!("HTTP {s} with an empty body"),
                )
            } else {
                excerpt(t)
            }
        });
    let has = |names: &[&str]| {
        names
            .iter()
            .any(|n| etype == *n || code == *n || gstatus == *n || reasons.iter().any(|r| r == n))
    };
    let kind = if has(&[
        "API_KEY_INVALID",
        "authentication_error",
        "invalid_api_key",
        "UNAUTHENTICATED",
    ]) {
        ErrorKind::Auth
    } else if has(&["permission_error", "PERMISSION_DENIED"]) {
        ErrorKind::Permission
    } else if has(&["not_found_error", "model_not_found", "NOT_FOUND"]) {
        ErrorKind::ModelNotFound
    } else if has(&[
        "rate_limit_error",
        "rate_limit_exceeded",
        "insufficient_quota",
        "RESOURCE_EXHAUSTED",
    ]) {
        ErrorKind::RateLimited
    } else if has(&["overloaded_error", "UNAVAILABLE"]) {
        ErrorKind::Overloaded
    } else if has(&["context_length_exceeded", "string_above_max_length"]) {
        ErrorKind::ContextLength
    } else if has(&["content_filter", "content_policy_violation"]) {
        ErrorKind::ContentFiltered
    } else if has(&["api_error", "server_error", "INTERNAL"]) {
        ErrorKind::Server
    } else {
        match status {
            Some(401) => ErrorKind::Auth,
            Some(403) => ErrorKind::Permission,
            Some(404) => ErrorKind::ModelNotFound,
            Some(413) => ErrorKind::ContextLength,
            Some(429) => ErrorKind::RateLimited,
            Some(503 | 529) => ErrorKind::Overloaded,
            Some(s) if s >= 500 => ErrorKind::Server,
            Some(_) if looks_like_context_length(&message) => ErrorKind::ContextLength,
            Some(_) => ErrorKind::InvalidRequest,
            None if looks_like_context_length(&message) => ErrorKind::ContextLength,
            None => ErrorKind::Server,
        }
    };
    let kind = if kind == ErrorKind::InvalidRequest && looks_like_context_length(&message) {
        ErrorKind::ContextLength
    } else {
        kind
    };
    ProviderError::from_kind(kind, status, message, retry_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_401_is_auth_with_the_providers_message() {
        let e = classify_error(
            Some(401),
            r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            None,
        );
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(e.to_string().contains("Incorrect API key provided"));
        assert_eq!(e.status(), Some(401));
    }

    #[test]
    fn gemini_bad_key_is_a_400_that_means_auth() {
        let body = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;
        assert_eq!(
            classify_error(Some(400), body, None).kind(),
            ErrorKind::Auth
        );
    }

    #[test]
    fn gemini_retry_info_gives_retry_after() {
        let body = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}"#;
        let e = classify_error(Some(429), body, None);
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(12)));
    }

    #[test]
    fn anthropic_529_is_overloaded() {
        let body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(
            classify_error(Some(529), body, None).kind(),
            ErrorKind::Overloaded
        );
    }

    #[test]
    fn context_length_is_recognized_by_code_and_by_message() {
        let body = r#"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}"#;
        assert_eq!(
            classify_error(Some(400), body, None).kind(),
            ErrorKind::ContextLength
        );
        let body = r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 250000 tokens > 200000 maximum"}}"#;
        assert_eq!(
            classify_error(Some(400), body, None).kind(),
            ErrorKind::ContextLength
        );
    }

    #[test]
    fn statuses_map_to_kinds() {
        for (status, kind) in [
            (403, ErrorKind::Permission),
            (404, ErrorKind::ModelNotFound),
            (422, ErrorKind::InvalidRequest),
            (500, ErrorKind::Server),
            (502, ErrorKind::Server),
            (503, ErrorKind::Overloaded),
        ] {
            assert_eq!(
                classify_error(Some(status), "oops", None).kind(),
                kind,
                "{status}"
            );
        }
        assert!(classify_error(Some(500), "", None)
            .to_string()
            .contains("500"));
    }

    #[test]
    fn proto_durations_parse() {
        assert_eq!(
            parse_proto_duration("1.5s"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_proto_duration("12"), None);
    }

    #[test]
    fn secret_headers_are_redacted_in_debug() {
        let spec = HttpRequestSpec::get("http://x".into())
            .secret_header("authorization", SecretString::from("Bearer sk-live-1234"));
        let dbg = format!("{spec:?}");
        assert!(!dbg.contains("sk-live-1234"), "{dbg}");
        assert_eq!(spec.secrets(), vec!["sk-live-1234".to_owned()]);
    }
}
