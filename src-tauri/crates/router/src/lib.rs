//! The local OpenAI-compatible router (axum). Filled in by the router issue; the crate
//! exists now so the dependency direction (router -> core, never core -> router) holds
//! from the first commit.

/// Default address the router binds: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:4141";
