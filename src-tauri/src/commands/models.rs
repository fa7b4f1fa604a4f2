//! The model picker's data: what a provider offers (its live list), each model with the
//! price in use and its context window, or why the list could not be had.

use serde::Serialize;
use switchboard_core::error::ErrorInfo;
use switchboard_core::providers::models::list_models;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use super::price_overrides::ModelPriceInfo;
use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// One model in the picker.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ModelChoice {
    /// The full Switchboard id, `provider/model`.
    pub id: String,
    pub display_name: Option<String>,
    /// From the provider's list, else from the price list.
    #[ts(type = "number | null")]
    pub context_window: Option<u64>,
    /// The price in use (your own price first); `null`: unpriced.
    pub price: Option<ModelPriceInfo>,
}

/// A provider's models, or the error that kept them from us (a missing or refused key,
/// a local server that is not running) with what to do.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProviderModels {
    pub provider: String,
    pub models: Vec<ModelChoice>,
    pub error: Option<ErrorInfo>,
    pub hint: Option<String>,
}

/// Lists `provider`'s models live.
#[tauri::command]
pub async fn provider_models(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: String,
) -> Result<ProviderModels, IpcError> {
    let ep = tauri::async_runtime::spawn_blocking(move || {
        app.state::<AppState>().providers().endpoint(&provider)
    })
    .await
    .map_err(|e| IpcError::new(IpcErrorKind::Internal, format!("the task stopped: {e}")))??;
    let exec = state.http()?;
    let book = state.prices.get();
    Ok(match list_models(&exec, &ep).await {
        Ok(listed) => ProviderModels {
            models: listed
                .into_iter()
                .map(|m| {
                    let id = format!("{}/{}", ep.provider, m.id);
                    let price = book.find(&id).map(ModelPriceInfo::of);
                    ModelChoice {
                        context_window: m
                            .context_length
                            .or_else(|| price.as_ref().and_then(|p| p.context_window)),
                        display_name: m.display_name,
                        price,
                        id,
                    }
                })
                .collect(),
            error: None,
            hint: None,
            provider: ep.provider,
        },
        Err(e) => ProviderModels {
            hint: switchboard_core::runner::hint(e.kind(), &ep),
            error: Some(e.info()),
            models: Vec::new(),
            provider: ep.provider,
        },
    })
}
