//! Generates the app's ACL manifest: every command listed here gets an `allow-…`
//! permission, and the webview may call only what `capabilities/` grants.

/// Every `#[tauri::command]` the app registers; keep in step with `commands::handler()`.
const COMMANDS: &[&str] = &[
    "app_info",
    "start_compare",
    "stop_compare",
    "provider_models",
    "list_model_sets",
    "save_model_set",
    "delete_model_set",
    "spend_totals",
    "history_list",
    "history_run",
    "history_update",
    "history_set_winner",
    "history_rate",
    "history_delete",
    "history_restore",
    "history_stats",
    "history_status",
    "history_start_fresh",
    "history_export",
    "setups_list",
    "setup_save",
    "setup_delete",
    "setup_from_run",
    "gateway_preview",
    "gateway_save",
    "gateway_import_pick",
    "gateway_import_apply",
    "router_start",
    "router_stop",
    "router_status",
    "router_set_caps",
    "router_copy_token",
    "price_status",
    "refresh_prices",
    "get_currency",
    "set_currency",
    "estimate_inputs",
    "list_price_overrides",
    "set_price_override",
    "remove_price_override",
    "model_price",
    "list_providers",
    "set_key",
    "delete_key",
    "test_key",
    "import_env_keys",
    "set_base_url",
    "save_custom_endpoint",
    "remove_custom_endpoint",
    "ui_ready",
];

fn main() {
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
