//! The local OpenAI-compatible router: `POST /v1/chat/completions` (streaming and not),
//! `GET /v1/models`, `GET /health`, in front of every provider the core can call, with
//! the setups' fallbacks, load balancing and retries, and every call written to the
//! history with its cost.
//!
//! The pieces: [`app`] (the axum app and [`app::serve`]), `openai` (the wire format in
//! and out), `routing` (which deployment next, health and cooldown), `relay` (one call:
//! its attempts, streamed or not), `auth` (the bearer token), [`caps`] (spend caps),
//! [`config`] (a LiteLLM `config.yaml` → [`RouterConfig`]), [`token`] (the token kept in
//! the keychain) and [`accounting`] (the history writer that never blocks a request).

pub mod accounting;
pub mod app;
mod auth;
pub mod caps;
pub mod config;
mod openai;
mod relay;
mod routing;
pub mod token;

use std::time::Duration;

use secrecy::SecretString;
use switchboard_core::setups::Setup;

pub use app::{app, serve, AppState};
pub use caps::{CapPeriod, Spend, SpendCap};
/// One finished call, as the history keeps it.
pub use switchboard_core::history::RouterCall as CallRecord;

/// Default address the router binds: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:4141";

/// Where finished calls go. Called once per call, from the request's own task, after
/// the client has its answer: it must return at once (queue, never write).
pub trait CallLog: Send + Sync + 'static {
    fn record(&self, call: CallRecord);
}

/// Keeps nothing (`switchboard serve --no-history`, benches).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLog;

impl CallLog for NoLog {
    fn record(&self, _call: CallRecord) {}
}

/// What the router serves and how.
#[derive(Clone)]
pub struct RouterConfig {
    /// The routes: a client's `model` is a setup's alias.
    pub setups: Vec<Setup>,
    /// The bearer token every request must carry.
    pub token: SecretString,
    pub settings: RouterSettings,
    /// Spend caps (config file or flags); enforced through [`Spend`].
    pub caps: Vec<SpendCap>,
}

impl std::fmt::Debug for RouterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterConfig")
            .field("setups", &self.setups)
            .field("token", &"[redacted]")
            .field("settings", &self.settings)
            .field("caps", &self.caps)
            .finish()
    }
}

/// How the router behaves: LiteLLM's defaults where it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct RouterSettings {
    /// How long a deployment that keeps failing is skipped (LiteLLM `cooldown_time`, 5 s).
    pub cooldown: Duration,
    /// Failures within a minute before a deployment cools down (LiteLLM `allowed_fails`,
    /// 3). As in LiteLLM, a group's only deployment cools down only for errors a retry
    /// cannot cure (a refused key, an unknown model): its failures go to the next group.
    pub allowed_fails: u32,
    /// Largest request body accepted; larger gets 413.
    pub max_body_bytes: usize,
    /// Origins allowed by CORS; empty = CORS off (no headers, preflights refused);
    /// `["*"]` = any origin.
    pub cors_origins: Vec<String>,
    /// First retry backoff; doubled each retry, with jitter.
    pub backoff_base: Duration,
    /// The longest wait before a retry, `retry-after` included: a provider asking for
    /// longer is skipped (fallback) rather than waited for.
    pub max_backoff: Duration,
}

impl Default for RouterSettings {
    fn default() -> Self {
        Self {
            cooldown: Duration::from_secs(5),
            allowed_fails: 3,
            max_body_bytes: 8 * 1024 * 1024,
            cors_origins: Vec::new(),
            backoff_base: Duration::from_millis(200),
            max_backoff: Duration::from_secs(8),
        }
    }
}
