//! One file per feature; each command is a few lines that call the core.

mod about;

/// The invoke handler with every command the webview may call (see `build.rs` for the
/// matching ACL list and `capabilities/` for what is granted).
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![about::app_info]
}
