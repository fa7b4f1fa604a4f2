//! Switchboard's core: everything the app can do, without a window.
//!
//! The desktop shell, the CLI and the router are thin clients of this crate; it must
//! never depend on tauri (checked by `make test`).
//!
//! Streaming: [`chat`] holds the normalized request/event/usage types, [`providers`] the
//! pure adapters, [`sse`] the framing, [`http`] the one executor, [`stream`] one call as
//! a stream, and [`runner`] the comparison of up to eight models at once.

pub mod about;
pub mod atomic_file;
pub mod batch;
pub mod chat;
pub mod error;
pub mod gateway;
pub mod history;
pub mod http;
pub mod json_file;
pub mod keys;
pub mod model_sets;
pub mod paths;
pub mod prices;
pub mod provider_config;
pub mod providers;
pub mod runner;
pub mod settings;
pub mod setups;
pub mod spend;
pub mod sse;
pub mod stream;

pub use about::AppInfo;
pub use error::{ErrorInfo, ErrorKind, ProviderError, TimeoutPhase};
pub use http::Timeouts;
pub use runner::{
    CompareError, CompareRequest, Metrics, RunEvent, RunEventKind, RunHandle, Runner, TargetStatus,
    TargetSummary,
};

/// The version shared by every Switchboard crate and shown in the About panel.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
