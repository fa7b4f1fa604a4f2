//! Gateway configs: a preview of setups exported to LiteLLM, Portkey or OpenRouter,
//! saving one to a file the user picks in the native dialog (opened from Rust: the
//! webview has no file access), and importing a config file back as setups and
//! provider settings.
//!
//! Keys cross into an export only on one path: a Portkey config with the keychain's
//! keys, after the user confirmed, written by Rust straight into the chosen file
//! (readable by the owner only). Their text never reaches the webview.

use std::path::Path;

use serde::Serialize;
use switchboard_core::gateway::import::{import, Imported};
use switchboard_core::gateway::{
    self, export_with_keys, Context, Export, ExportOptions, Format, PortkeyKeys,
};
use switchboard_core::history::History;
use switchboard_core::provider_config::ProviderConfig;
use switchboard_core::setups::Setup;
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// Runs `f` with the app's state on the blocking pool (dialogs, keychain, files).
async fn blocking<T, F>(app: AppHandle, f: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce(&AppHandle, &AppState) -> Result<T, IpcError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || f(&app, &app.state::<AppState>()))
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, format!("the task stopped: {e}")))?
}

fn invalid(message: impl Into<String>) -> IpcError {
    IpcError::new(IpcErrorKind::InvalidInput, message)
}

/// The export of `setups` with the app's providers and prices.
fn render(state: &AppState, setups: &[Setup], options: &ExportOptions) -> Export {
    let providers = state.providers();
    let prices = state.prices.get();
    let ctx = Context {
        providers: &providers,
        prices: &prices,
    };
    gateway::export(setups, options, &ctx)
}

/// The file, its problems and client code, as the dialog previews them.
#[tauri::command]
pub async fn gateway_preview(
    app: AppHandle,
    setups: Vec<Setup>,
    options: ExportOptions,
) -> Result<Export, IpcError> {
    blocking(app, move |_, state| Ok(render(state, &setups, &options))).await
}

/// Asks where to save the export (suggesting its file name) and writes it there.
/// Refuses an export with errors. With the keychain's keys (Portkey only) the user
/// must have confirmed (`confirm_keys`): the file then holds secrets and is made
/// readable by its owner only. Returns the path; `None` when the dialog was cancelled.
#[tauri::command]
pub async fn gateway_save(
    app: AppHandle,
    setups: Vec<Setup>,
    options: ExportOptions,
    confirm_keys: bool,
) -> Result<Option<String>, IpcError> {
    blocking(app, move |app, state| {
        let export = render(state, &setups, &options);
        if !export.writable() {
            let errors: Vec<String> = export
                .problems
                .iter()
                .filter(|p| p.is_error())
                .map(|p| format!("{}: {}", p.at, p.message))
                .collect();
            return Err(invalid(format!(
                "the export has errors; fix them first: {}",
                errors.join("; ")
            )));
        }
        let with_keys =
            options.format == Format::Portkey && options.portkey_keys == PortkeyKeys::Keychain;
        if with_keys && !confirm_keys {
            return Err(invalid(
                "writing real keys into a file needs your confirmation; choose Save again and confirm",
            ));
        }
        let (label, ext) = if export.language == "yaml" {
            ("YAML", "yaml")
        } else {
            ("JSON", "json")
        };
        let Some(target) = app
            .dialog()
            .file()
            .add_filter(label, &[ext])
            .set_file_name(&export.file_name)
            .blocking_save_file()
        else {
            return Ok(None);
        };
        let path = target
            .into_path()
            .map_err(|e| invalid(format!("cannot save there: {e}")))?;
        if with_keys {
            use secrecy::ExposeSecret;
            let setup = setups
                .first()
                .ok_or_else(|| invalid("there is no setup to export"))?;
            let providers = state.providers();
            let prices = state.prices.get();
            let ctx = Context {
                providers: &providers,
                prices: &prices,
            };
            let secret = export_with_keys(setup, &ctx).map_err(|e| invalid(e.to_string()))?;
            write_private(&path, secret.expose_secret())?;
        } else {
            std::fs::write(&path, &export.text).map_err(|e| write_error(&path, &e))?;
        }
        Ok(Some(path.display().to_string()))
    })
    .await
}

fn write_error(path: &Path, e: &std::io::Error) -> IpcError {
    IpcError::new(
        IpcErrorKind::Internal,
        format!(
            "cannot write {}: {e}; choose another folder",
            path.display()
        ),
    )
}

/// Writes `text` to `path`, readable and writable by its owner only (it holds keys).
fn write_private(path: &Path, text: &str) -> Result<(), IpcError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| write_error(path, &e))?;
    // An existing file keeps its mode on open: narrow it before a key is written.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| write_error(path, &e))?;
    }
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| write_error(path, &e))
}

/// Asks for a LiteLLM or Portkey config file and reads it. `None` when the dialog was
/// cancelled. Nothing is saved until [`gateway_import_apply`].
#[tauri::command]
pub async fn gateway_import_pick(app: AppHandle) -> Result<Option<Imported>, IpcError> {
    blocking(app, |app, state| {
        let Some(picked) = app
            .dialog()
            .file()
            .add_filter("Gateway config", &["yaml", "yml", "json"])
            .blocking_pick_file()
        else {
            return Ok(None);
        };
        let path = picked
            .into_path()
            .map_err(|e| invalid(format!("cannot open that file: {e}")))?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            invalid(format!(
                "cannot read {}: {e}; choose a LiteLLM config.yaml or a Portkey config (.json)",
                path.display()
            ))
        })?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let imported = import(&text, &stem, &state.providers())
            .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
        Ok(Some(imported))
    })
    .await
}

/// What applying an import saved and what it left as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ImportApplied {
    /// Setups saved under a new alias.
    pub setups_added: Vec<String>,
    /// Setups that replaced a saved one of the same alias.
    pub setups_replaced: Vec<String>,
    /// Providers (base URLs and custom endpoints) added to the provider settings.
    pub providers_added: Vec<String>,
    /// Providers already configured, left as they were.
    pub providers_kept: Vec<String>,
}

/// Saves the imported setups (an alias already saved is an error unless `replace`)
/// and adds the imported providers to the provider settings, never overwriting one
/// that is already set.
#[tauri::command]
pub async fn gateway_import_apply(
    app: AppHandle,
    imported: Imported,
    replace: bool,
) -> Result<ImportApplied, IpcError> {
    blocking(app, move |_, state| {
        let history = state.history()?;
        let mut applied = ImportApplied::default();
        // Everything is checked before anything is saved: a refused import changes
        // nothing.
        let mut existing = Vec::new();
        for setup in &imported.setups {
            check_setup(setup)?;
            if history.setup(&setup.alias)?.is_some() {
                existing.push(setup.alias.clone());
            }
        }
        if !existing.is_empty() && !replace {
            return Err(invalid(format!(
                "a setup named {} is already saved; choose Replace, or rename it after importing",
                existing
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let dir = state.data_dir()?.to_owned();
        {
            let mut guard = state.provider_config();
            let next = merge(&guard, &imported.providers, &mut applied)?;
            if next != *guard {
                next.save(&dir)?;
                *guard = next;
            }
        }
        save_setups(&history, &imported.setups, &existing, &mut applied)?;
        Ok(applied)
    })
    .await
}

fn check_setup(setup: &Setup) -> Result<(), IpcError> {
    match setup.problems().into_iter().find(|p| p.is_error()) {
        None => Ok(()),
        Some(p) => Err(invalid(format!("{}: {} — {}", p.at, p.message, p.fix))),
    }
}

fn save_setups(
    history: &History,
    setups: &[Setup],
    existing: &[String],
    applied: &mut ImportApplied,
) -> Result<(), IpcError> {
    for setup in setups {
        if existing.contains(&setup.alias) {
            history.save_setup(setup, Some(&setup.alias))?;
            applied.setups_replaced.push(setup.alias.clone());
        } else {
            history.save_setup(setup, None)?;
            applied.setups_added.push(setup.alias.clone());
        }
    }
    Ok(())
}

/// `current` with what `imported` adds: a base URL for a preset that has none, a custom
/// endpoint whose name is free. Each is checked the way the settings page checks it.
fn merge(
    current: &ProviderConfig,
    imported: &ProviderConfig,
    applied: &mut ImportApplied,
) -> Result<ProviderConfig, IpcError> {
    let mut next = current.clone();
    for (id, url) in &imported.base_urls {
        if current.base_urls.contains_key(id) {
            applied.providers_kept.push(id.clone());
        } else {
            let id = next.set_base_url(id, Some(url))?;
            applied.providers_added.push(id);
        }
    }
    for ep in &imported.custom {
        if current.custom.iter().any(|c| c.name == ep.name) {
            applied.providers_kept.push(ep.name.clone());
        } else {
            let saved = next.upsert_custom(None, ep.clone())?;
            applied.providers_added.push(saved.name);
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::provider_config::CustomEndpointConfig;

    fn endpoint(name: &str, url: &str) -> CustomEndpointConfig {
        CustomEndpointConfig {
            name: name.into(),
            base_url: url.into(),
            headers: Vec::new(),
            key_header: None,
        }
    }

    #[test]
    fn an_import_adds_providers_without_overwriting_configured_ones() {
        let mut current = ProviderConfig::default();
        current
            .base_urls
            .insert("openai".into(), "https://mine.example/v1".into());
        current
            .custom
            .push(endpoint("local", "http://localhost:8000/v1"));
        let mut imported = ProviderConfig::default();
        imported
            .base_urls
            .insert("openai".into(), "https://theirs.example/v1".into());
        imported
            .base_urls
            .insert("groq".into(), "https://groq.example/openai/v1".into());
        imported
            .custom
            .push(endpoint("local", "http://other:9000/v1"));
        imported.custom.push(endpoint("vllm", "http://gpu:8000/v1"));

        let mut applied = ImportApplied::default();
        let next = merge(&current, &imported, &mut applied).unwrap();

        assert_eq!(next.base_urls["openai"], "https://mine.example/v1");
        assert_eq!(next.base_urls["groq"], "https://groq.example/openai/v1");
        let local = next.custom.iter().find(|c| c.name == "local").unwrap();
        assert_eq!(local.base_url, "http://localhost:8000/v1");
        assert!(next.custom.iter().any(|c| c.name == "vllm"));
        assert_eq!(applied.providers_added, vec!["groq", "vllm"]);
        assert_eq!(applied.providers_kept, vec!["openai", "local"]);
    }

    #[test]
    fn an_imported_provider_with_a_bad_url_is_refused() {
        let mut imported = ProviderConfig::default();
        imported.custom.push(endpoint("vllm", "not a url"));
        let mut applied = ImportApplied::default();
        let err = merge(&ProviderConfig::default(), &imported, &mut applied).unwrap_err();
        assert_eq!(err.kind, IpcErrorKind::InvalidInput);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_with_keys_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portkey.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "{\"api_key\": \"sk-test\"}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"api_key\": \"sk-test\"}"
        );
    }
}
