//! Errors from talking to a provider, sorted into a small, stable set of kinds.
//!
//! The UI and the CLI's `--json` output switch on [`ErrorKind`], never on message text.
//! Every message is the provider's own where one came back; API keys are scrubbed from
//! messages by the executor before an error is built (see [`crate::http`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The stable discriminator of a [`ProviderError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The key is missing, wrong or revoked.
    Auth,
    /// The key is valid but may not use this model or feature.
    Permission,
    /// No such model (or it is not available to this key).
    ModelNotFound,
    /// Too many requests or tokens; see `retry_after_s`.
    RateLimited,
    /// The prompt plus the requested output does not fit the model's context window.
    ContextLength,
    /// The provider rejected the request (a bad parameter, a malformed model id, …).
    InvalidRequest,
    /// A safety filter blocked the prompt or the answer.
    ContentFiltered,
    /// The provider is overloaded (Anthropic's 529, HTTP 503).
    Overloaded,
    /// The provider failed (HTTP 5xx).
    Server,
    /// Nothing arrived in time; see `phase`.
    Timeout,
    /// The connection could not be made or broke at the transport level.
    Network,
    /// The connection ended before the provider's end-of-stream marker.
    StreamInterrupted,
    /// The provider sent something that is not its documented format.
    MalformedResponse,
    /// The user cancelled.
    Cancelled,
}

impl ErrorKind {
    /// The `snake_case` name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Permission => "permission",
            Self::ModelNotFound => "model_not_found",
            Self::RateLimited => "rate_limited",
            Self::ContextLength => "context_length",
            Self::InvalidRequest => "invalid_request",
            Self::ContentFiltered => "content_filtered",
            Self::Overloaded => "overloaded",
            Self::Server => "server",
            Self::Timeout => "timeout",
            Self::Network => "network",
            Self::StreamInterrupted => "stream_interrupted",
            Self::MalformedResponse => "malformed_response",
            Self::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which wait ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutPhase {
    /// Opening the TCP/TLS connection.
    Connect,
    /// From sending the request to the first text or reasoning token.
    FirstToken,
    /// Between two chunks of an answer that had started.
    Idle,
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "connecting",
            Self::FirstToken => "waiting for the first token",
            Self::Idle => "waiting for the next chunk",
        })
    }
}

/// A failed call to a provider. `message` is the provider's own words where it sent any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("authentication failed: {message}")]
    Auth {
        status: Option<u16>,
        message: String,
    },
    #[error("permission denied: {message}")]
    Permission {
        status: Option<u16>,
        message: String,
    },
    #[error("model not found: {message}")]
    ModelNotFound {
        status: Option<u16>,
        message: String,
    },
    #[error("rate limited: {message}")]
    RateLimited {
        status: Option<u16>,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("context length exceeded: {message}")]
    ContextLength {
        status: Option<u16>,
        message: String,
    },
    #[error("invalid request: {message}")]
    InvalidRequest {
        status: Option<u16>,
        message: String,
    },
    #[error("content filtered: {message}")]
    ContentFiltered {
        status: Option<u16>,
        message: String,
    },
    #[error("provider overloaded: {message}")]
    Overloaded {
        status: Option<u16>,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("provider error: {message}")]
    Server {
        status: Option<u16>,
        message: String,
    },
    #[error("timed out {phase} (after {}s)", after.as_secs_f64())]
    Timeout {
        phase: TimeoutPhase,
        after: Duration,
    },
    #[error("network error: {message}")]
    Network { message: String },
    #[error("stream interrupted: {message}")]
    StreamInterrupted { message: String },
    #[error("malformed response: {message} (near: {excerpt})")]
    MalformedResponse { message: String, excerpt: String },
    #[error("cancelled")]
    Cancelled,
}

/// How much of an unparseable payload an error quotes.
pub const EXCERPT_CHARS: usize = 160;

impl ProviderError {
    /// The stable kind the UI switches on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Auth { .. } => ErrorKind::Auth,
            Self::Permission { .. } => ErrorKind::Permission,
            Self::ModelNotFound { .. } => ErrorKind::ModelNotFound,
            Self::RateLimited { .. } => ErrorKind::RateLimited,
            Self::ContextLength { .. } => ErrorKind::ContextLength,
            Self::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            Self::ContentFiltered { .. } => ErrorKind::ContentFiltered,
            Self::Overloaded { .. } => ErrorKind::Overloaded,
            Self::Server { .. } => ErrorKind::Server,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Network { .. } => ErrorKind::Network,
            Self::StreamInterrupted { .. } => ErrorKind::StreamInterrupted,
            Self::MalformedResponse { .. } => ErrorKind::MalformedResponse,
            Self::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// The HTTP status the provider answered with, when the error came from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Auth { status, .. }
            | Self::Permission { status, .. }
            | Self::ModelNotFound { status, .. }
            | Self::RateLimited { status, .. }
            | Self::ContextLength { status, .. }
            | Self::InvalidRequest { status, .. }
            | Self::ContentFiltered { status, .. }
            | Self::Overloaded { status, .. }
            | Self::Server { status, .. } => *status,
            _ => None,
        }
    }

    /// How long the provider asked us to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } | Self::Overloaded { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Builds the error of `kind` with a message (for kinds that carry one).
    pub fn from_kind(
        kind: ErrorKind,
        status: Option<u16>,
        message: String,
        retry_after: Option<Duration>,
    ) -> Self {
        match kind {
            ErrorKind::Auth => Self::Auth { status, message },
            ErrorKind::Permission => Self::Permission { status, message },
            ErrorKind::ModelNotFound => Self::ModelNotFound { status, message },
            ErrorKind::RateLimited => Self::RateLimited {
                status,
                message,
                retry_after,
            },
            ErrorKind::ContextLength => Self::ContextLength { status, message },
            ErrorKind::InvalidRequest => Self::InvalidRequest { status, message },
            ErrorKind::ContentFiltered => Self::ContentFiltered { status, message },
            ErrorKind::Overloaded => Self::Overloaded {
                status,
                message,
                retry_after,
            },
            ErrorKind::Server => Self::Server { status, message },
            ErrorKind::Timeout => Self::Timeout {
                phase: TimeoutPhase::Idle,
                after: Duration::ZERO,
            },
            ErrorKind::Network => Self::Network { message },
            ErrorKind::StreamInterrupted => Self::StreamInterrupted { message },
            ErrorKind::MalformedResponse => Self::MalformedResponse {
                message,
                excerpt: String::new(),
            },
            ErrorKind::Cancelled => Self::Cancelled,
        }
    }

    /// A payload the provider sent that we could not read.
    pub fn malformed(message: impl Into<String>, payload: &str) -> Self {
        Self::MalformedResponse {
            message: message.into(),
            excerpt: excerpt(payload),
        }
    }

    /// Replaces every occurrence of `secret` in the messages (keys echoed back by a server).
    pub fn redact(self, secret: &str) -> Self {
        if secret.len() < 4 {
            return self;
        }
        let scrub = |s: String| {
            if s.contains(secret) {
                s.replace(secret, "[redacted]")
            } else {
                s
            }
        };
        match self {
            Self::Auth { status, message } => Self::Auth {
                status,
                message: scrub(message),
            },
            Self::Permission { status, message } => Self::Permission {
                status,
                message: scrub(message),
            },
            Self::ModelNotFound { status, message } => Self::ModelNotFound {
                status,
                message: scrub(message),
            },
            Self::RateLimited {
                status,
                message,
                retry_after,
            } => Self::RateLimited {
                status,
                message: scrub(message),
                retry_after,
            },
            Self::ContextLength { status, message } => Self::ContextLength {
                status,
                message: scrub(message),
            },
            Self::InvalidRequest { status, message } => Self::InvalidRequest {
                status,
                message: scrub(message),
            },
            Self::ContentFiltered { status, message } => Self::ContentFiltered {
                status,
                message: scrub(message),
            },
            Self::Overloaded {
                status,
                message,
                retry_after,
            } => Self::Overloaded {
                status,
                message: scrub(message),
                retry_after,
            },
            Self::Server { status, message } => Self::Server {
                status,
                message: scrub(message),
            },
            Self::Network { message } => Self::Network {
                message: scrub(message),
            },
            Self::StreamInterrupted { message } => Self::StreamInterrupted {
                message: scrub(message),
            },
            Self::MalformedResponse { message, excerpt } => Self::MalformedResponse {
                message: scrub(message),
                excerpt: scrub(excerpt),
            },
            other @ (Self::Timeout { .. } | Self::Cancelled) => other,
        }
    }

    /// The serializable form that crosses IPC and the CLI's `--json` output.
    pub fn info(&self) -> ErrorInfo {
        let phase = match self {
            Self::Timeout { phase, .. } => Some(*phase),
            _ => None,
        };
        ErrorInfo {
            kind: self.kind(),
            message: self.to_string(),
            status: self.status(),
            retry_after_s: self.retry_after().map(|d| d.as_secs_f64()),
            phase,
        }
    }
}

/// An error as the UI and `--json` see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// Human-readable, with the provider's own message. Never contains a key.
    pub message: String,
    /// The HTTP status, when the provider answered with one.
    pub status: Option<u16>,
    /// Seconds the provider asked us to wait (`retry-after`, `retry-after-ms`, Gemini's
    /// `RetryInfo.retryDelay`).
    pub retry_after_s: Option<f64>,
    /// For `timeout`: which wait ran out.
    pub phase: Option<TimeoutPhase>,
}

/// The first [`EXCERPT_CHARS`] characters of `s`, on a char boundary.
pub fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_snake_case() {
        let v = serde_json::to_value(ErrorKind::ModelNotFound).unwrap();
        assert_eq!(v, "model_not_found");
        assert_eq!(ErrorKind::StreamInterrupted.as_str(), "stream_interrupted");
    }

    #[test]
    fn redact_scrubs_a_key_echoed_in_a_message() {
        let e = ProviderError::Auth {
            status: Some(401),
            message: "Incorrect API key provided: sk-secret-123".into(),
        }
        .redact("sk-secret-123");
        assert!(!e.to_string().contains("sk-secret-123"));
        assert!(e.to_string().contains("[redacted]"));
    }

    #[test]
    fn excerpt_is_short_and_char_safe() {
        let s = "é".repeat(500);
        let e = excerpt(&s);
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    }
}
