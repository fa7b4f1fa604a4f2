//! One file per feature; each command is a few lines that call the core.

mod about;
pub mod price_overrides;
pub mod prices;

/// The invoke handler with every command the webview may call (see `build.rs` for the
/// matching ACL list and `capabilities/` for what is granted).
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        about::app_info,
        prices::price_status,
        prices::refresh_prices,
        prices::get_currency,
        prices::set_currency,
        prices::estimate_inputs,
        price_overrides::list_price_overrides,
        price_overrides::set_price_override,
        price_overrides::remove_price_override,
        price_overrides::model_price,
    ]
}
