//! The providers settings: keys in the OS keychain, base URLs, custom endpoints.
//!
//! A key crosses IPC in one direction only — typed into the webview, handed to the
//! keychain here, and dropped. Everything sent back is a [`ProviderStatus`]: whether a
//! key is set, where it comes from and its last four characters.
//!
//! Keychain calls block (a D-Bus round trip on Linux), so every command that touches
//! it runs on the blocking pool, reaching the state through the app handle.

use switchboard_core::http::Executor;
use switchboard_core::keys::import::{import_env, ImportedKey};
use switchboard_core::keys::{ApiKey, KeychainErrorKind};
use switchboard_core::provider_config::CustomEndpointConfig;
use switchboard_core::providers::status::{
    check_key, key_variables, overview, status, KeyCheck, ProviderStatus, ProvidersOverview,
};
use switchboard_core::Timeouts;
use tauri::{AppHandle, Manager};

use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// Runs `f` with the app's state on the blocking pool.
async fn blocking<T, F>(app: AppHandle, f: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, IpcError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()))
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, format!("the task stopped: {e}")))?
}

fn parse_key(key: &str) -> Result<ApiKey, IpcError> {
    Ok(ApiKey::parse(key)?)
}

/// Every provider with its base URL and key status, and the keychain's state.
#[tauri::command]
pub async fn list_providers(app: AppHandle) -> Result<ProvidersOverview, IpcError> {
    blocking(app, |state| {
        let providers = state.providers();
        let config = state.provider_config().clone();
        Ok(overview(&providers, &config))
    })
    .await
}

/// Saves a key in the keychain (replacing any), and returns the provider's status.
#[tauri::command]
pub async fn set_key(
    app: AppHandle,
    provider: String,
    key: String,
) -> Result<ProviderStatus, IpcError> {
    let key = parse_key(&key)?;
    blocking(app, move |state| {
        let providers = state.providers();
        let id = providers.canonical(&provider)?;
        state.keys.store().set(&id, &key)?;
        let config = state.provider_config().clone();
        Ok(status(&providers, &config, &id)?)
    })
    .await
}

/// Removes a provider's key from the keychain (an environment key stays in use).
#[tauri::command]
pub async fn delete_key(app: AppHandle, provider: String) -> Result<ProviderStatus, IpcError> {
    blocking(app, move |state| {
        let providers = state.providers();
        let id = providers.canonical(&provider)?;
        state.keys.store().delete(&id)?;
        let config = state.provider_config().clone();
        Ok(status(&providers, &config, &id)?)
    })
    .await
}

/// Tests the key a provider would use now by listing its models.
#[tauri::command]
pub async fn test_key(app: AppHandle, provider: String) -> Result<KeyCheck, IpcError> {
    let ep = blocking(app, move |state| {
        Ok(state.providers().endpoint(&provider)?)
    })
    .await?;
    let exec = Executor::new(Timeouts::default())
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))?;
    Ok(check_key(&exec, &ep).await)
}

/// Copies keys found in the providers' environment variables into the keychain.
#[tauri::command]
pub async fn import_env_keys(app: AppHandle) -> Result<Vec<ImportedKey>, IpcError> {
    blocking(app, |state| {
        let providers = state.providers();
        let env = state.keys.env().clone();
        Ok(import_env(
            state.keys.store().as_ref(),
            env.as_ref(),
            &key_variables(&providers),
        )?)
    })
    .await
}

/// Sets (`url`) or clears (`null`) a built-in provider's base URL.
#[tauri::command]
pub async fn set_base_url(
    app: AppHandle,
    provider: String,
    url: Option<String>,
) -> Result<ProviderStatus, IpcError> {
    blocking(app, move |state| {
        let dir = state.data_dir()?.to_owned();
        let config = {
            let mut guard = state.provider_config();
            let mut next = guard.clone();
            next.set_base_url(&provider, url.as_deref())?;
            next.save(&dir)?;
            *guard = next.clone();
            next
        };
        let providers = state.providers();
        let id = providers.canonical(&provider)?;
        Ok(status(&providers, &config, &id)?)
    })
    .await
}

/// Adds a custom endpoint, or edits the one named `replacing` (which may rename it:
/// its key moves with it). `key`, when given, is saved in the keychain first, so a
/// keychain failure leaves the settings untouched.
#[tauri::command]
pub async fn save_custom_endpoint(
    app: AppHandle,
    replacing: Option<String>,
    endpoint: CustomEndpointConfig,
    key: Option<String>,
) -> Result<ProviderStatus, IpcError> {
    let key = match key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(parse_key(k)?),
    };
    blocking(app, move |state| {
        let dir = state.data_dir()?.to_owned();
        let mut guard = state.provider_config();
        let mut next = guard.clone();
        let saved = next.upsert_custom(replacing.as_deref(), endpoint)?;
        let store = state.keys.store();
        if let Some(k) = &key {
            store.set(&saved.name, k)?;
        }
        let renamed_from = replacing.filter(|old| *old != saved.name);
        if let Some(old) = &renamed_from {
            if key.is_none() {
                if let Some(k) = store.get(old)? {
                    store.set(&saved.name, &k)?;
                }
            }
        }
        next.save(&dir)?;
        *guard = next.clone();
        drop(guard);
        if let Some(old) = &renamed_from {
            store.delete(old)?;
        }
        Ok(status(&state.providers(), &next, &saved.name)?)
    })
    .await
}

/// Removes a custom endpoint and its key.
#[tauri::command]
pub async fn remove_custom_endpoint(app: AppHandle, name: String) -> Result<(), IpcError> {
    blocking(app, move |state| {
        let dir = state.data_dir()?.to_owned();
        // The key first: if the keychain refuses, nothing is removed. A keychain that
        // is not there at all holds no key to leave behind.
        match state.keys.store().delete(&name) {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind,
                    KeychainErrorKind::NoSession | KeychainErrorKind::NoService
                ) => {}
            Err(e) => return Err(e.into()),
        }
        let mut guard = state.provider_config();
        let mut next = guard.clone();
        if !next.remove_custom(&name) {
            return Err(IpcError::new(
                IpcErrorKind::InvalidInput,
                format!("there is no custom endpoint named `{name}`"),
            ));
        }
        next.save(&dir)?;
        *guard = next;
        Ok(())
    })
    .await
}
