//! One file per feature; each command is a few lines that call the core.

mod about;
pub mod compare;
pub mod export;
pub mod history;
pub mod model_sets;
pub mod models;
pub mod price_overrides;
pub mod prices;
pub mod providers;
pub mod ready;
pub mod router;
pub mod setups;
pub mod spend;

/// The invoke handler with every command the webview may call (see `build.rs` for the
/// matching ACL list and `capabilities/` for what is granted).
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        about::app_info,
        compare::start_compare,
        compare::stop_compare,
        models::provider_models,
        model_sets::list_model_sets,
        model_sets::save_model_set,
        model_sets::delete_model_set,
        spend::spend_totals,
        history::history_list,
        history::history_run,
        history::history_update,
        history::history_set_winner,
        history::history_rate,
        history::history_delete,
        history::history_restore,
        history::history_stats,
        history::history_status,
        history::history_start_fresh,
        history::history_export,
        setups::setups_list,
        setups::setup_save,
        setups::setup_delete,
        setups::setup_from_run,
        export::gateway_preview,
        export::gateway_save,
        export::gateway_import_pick,
        export::gateway_import_apply,
        router::router_start,
        router::router_stop,
        router::router_status,
        router::router_set_caps,
        router::router_copy_token,
        prices::price_status,
        prices::refresh_prices,
        prices::get_currency,
        prices::set_currency,
        prices::estimate_inputs,
        price_overrides::list_price_overrides,
        price_overrides::set_price_override,
        price_overrides::remove_price_override,
        price_overrides::model_price,
        providers::list_providers,
        providers::set_key,
        providers::delete_key,
        providers::test_key,
        providers::import_env_keys,
        providers::set_base_url,
        providers::save_custom_endpoint,
        providers::remove_custom_endpoint,
        ready::ui_ready,
    ]
}
