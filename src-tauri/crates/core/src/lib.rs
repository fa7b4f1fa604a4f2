//! Switchboard's core: everything the app can do, without a window.
//!
//! The desktop shell, the CLI and the router are thin clients of this crate; it must
//! never depend on tauri (checked by `make test`).

pub mod about;
pub mod paths;

pub use about::AppInfo;

/// The version shared by every Switchboard crate and shown in the About panel.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
