//! What the app holds while it runs: the data folder, the shared price book and the
//! user's settings. Loaded once at start-up from disk only — never from the network.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use switchboard_core::history::{History, HistoryProblem};
use switchboard_core::http::Executor;
use switchboard_core::keys::Keys;
use switchboard_core::prices::book::{PriceBook, Prices};
use switchboard_core::provider_config::ProviderConfig;
use switchboard_core::providers::Providers;
use switchboard_core::settings::Settings;
use switchboard_core::Timeouts;

use crate::error::{IpcError, IpcErrorKind};

/// Set to `off` to skip the background price refresh at start-up (tests, offline use).
pub const REFRESH_ENV: &str = "SWITCHBOARD_PRICES_REFRESH";

pub struct AppState {
    /// The data folder, or why there is none (every command that needs it says so).
    data_dir: Result<PathBuf, IpcError>,
    /// The price book every cost and estimate uses; replaced whole after a refresh.
    pub prices: Prices,
    settings: Mutex<Settings>,
    /// Base URLs and custom endpoints (`providers.json`); edited under this lock.
    provider_config: Mutex<ProviderConfig>,
    /// The OS keychain (then the environment): where every key comes from.
    pub keys: Keys,
    /// One edit of `prices/overrides.json` at a time: two saves never interleave.
    overrides_lock: Mutex<()>,
    /// One refresh at a time: a click during the start-up refresh waits for it.
    pub refresh_lock: Arc<tokio::sync::Mutex<()>>,
    /// The one HTTP client (connection pool) every comparison and model list uses, or
    /// why it could not be built; built on first use, not while the window waits.
    http: OnceLock<Result<Executor, IpcError>>,
    /// One edit of `model_sets.json` at a time.
    model_sets_lock: Mutex<()>,
    /// The run history, or what keeps it from opening (a corrupt file, one from a newer
    /// version, no data folder). Swapped whole by "start a fresh history"; the lock is
    /// held only to clone the handle, never across database work.
    history: RwLock<Result<History, HistoryProblem>>,
}

impl AppState {
    /// Reads what the data folder holds. Never fails: a broken file is logged and the
    /// bundled prices or default settings are used instead.
    pub fn load() -> Self {
        match switchboard_core::paths::data_dir() {
            Ok(dir) => Self::load_from(dir),
            Err(e) => {
                eprintln!("switchboard: {e}; using the bundled prices and default settings");
                Self::without_data_dir(IpcError::from(e))
            }
        }
    }

    /// The state for `data_dir`.
    pub fn load_from(data_dir: PathBuf) -> Self {
        let (book, overrides_error) = PriceBook::load(&data_dir);
        if let Some(e) = overrides_error {
            eprintln!("switchboard: your own prices were not loaded: {e}");
        }
        let settings = Settings::load(&data_dir).unwrap_or_else(|e| {
            eprintln!("switchboard: {e}; using the default settings");
            Settings::default()
        });
        // A broken providers.json is reported and left on disk for the user to fix;
        // saving a change from the UI replaces it.
        let provider_config = ProviderConfig::load(&data_dir).unwrap_or_else(|e| {
            eprintln!("switchboard: {e}; using the built-in providers only");
            ProviderConfig::default()
        });
        let history = History::open(&data_dir).map_err(|e| {
            let problem = e.problem(&data_dir.join(switchboard_core::history::DB_FILE));
            eprintln!("switchboard: {}", problem.message);
            problem
        });
        Self {
            history: RwLock::new(history),
            data_dir: Ok(data_dir),
            prices: Prices::new(book),
            settings: Mutex::new(settings),
            provider_config: Mutex::new(provider_config),
            keys: Keys::os(),
            overrides_lock: Mutex::default(),
            refresh_lock: Arc::default(),
            http: OnceLock::new(),
            model_sets_lock: Mutex::default(),
        }
    }

    fn without_data_dir(error: IpcError) -> Self {
        Self {
            history: RwLock::new(Err(HistoryProblem {
                kind: switchboard_core::history::HistoryProblemKind::Unavailable,
                message: error.message.clone(),
                path: String::new(),
            })),
            data_dir: Err(error),
            prices: Prices::new(PriceBook::bundled()),
            settings: Mutex::new(Settings::default()),
            provider_config: Mutex::default(),
            keys: Keys::os(),
            overrides_lock: Mutex::default(),
            refresh_lock: Arc::default(),
            http: OnceLock::new(),
            model_sets_lock: Mutex::default(),
        }
    }

    pub fn data_dir(&self) -> Result<&Path, IpcError> {
        self.data_dir.as_deref().map_err(Clone::clone)
    }

    /// The settings in use (a poisoned lock still holds usable settings).
    pub fn settings(&self) -> MutexGuard<'_, Settings> {
        self.settings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The provider settings, held while they are read, changed and saved.
    pub fn provider_config(&self) -> MutexGuard<'_, ProviderConfig> {
        self.provider_config
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The providers as configured now: keys from the keychain, then the environment.
    pub fn providers(&self) -> Providers {
        Providers::with_keys(self.keys.clone(), &self.provider_config())
    }

    /// Held while `prices/overrides.json` is read, changed and saved.
    pub fn overrides_lock(&self) -> MutexGuard<'_, ()> {
        self.overrides_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Held while `model_sets.json` is read, changed and saved.
    pub fn model_sets_lock(&self) -> MutexGuard<'_, ()> {
        self.model_sets_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The app's HTTP executor (a cheap clone sharing one connection pool).
    pub fn http(&self) -> Result<Executor, IpcError> {
        self.http.get_or_init(http_client).clone()
    }

    /// The run history (a cheap clone of its handle), or why it cannot be used.
    pub fn history(&self) -> Result<History, IpcError> {
        match &*self.history.read().unwrap_or_else(|p| p.into_inner()) {
            Ok(h) => Ok(h.clone()),
            Err(p) => Err(IpcError::new(IpcErrorKind::History, p.message.clone())),
        }
    }

    /// What keeps the history from opening, if anything.
    pub fn history_problem(&self) -> Option<HistoryProblem> {
        self.history
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .err()
            .cloned()
    }

    /// Uses `history` from now on (after "start a fresh history").
    pub fn set_history(&self, history: History) {
        *self.history.write().unwrap_or_else(|p| p.into_inner()) = Ok(history);
    }
}

/// The one HTTP client, built by the first command that needs it. Building it fails only when the system's TLS
/// set-up is broken; every command that needs it then says so.
fn http_client() -> Result<Executor, IpcError> {
    Executor::new(Timeouts::default())
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))
}

/// Whether the start-up refresh is switched off by [`REFRESH_ENV`].
pub fn refresh_disabled(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("off"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_settings_file_falls_back_to_usd() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(Settings::path(dir.path()), "{not json").unwrap();
        let state = AppState::load_from(dir.path().to_owned());
        assert!(state.settings().currency.is_usd());
        assert_eq!(state.data_dir().unwrap(), dir.path());
    }

    #[test]
    fn without_a_data_folder_commands_get_the_reason() {
        let state = AppState::without_data_dir(IpcError::new(IpcErrorKind::DataDir, "no home"));
        let e = state.data_dir().unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::DataDir);
        assert!(state.prices.get().catalog_meta().bundled);
    }

    #[test]
    fn only_off_switches_the_refresh_off() {
        assert!(refresh_disabled(Some("off")));
        assert!(refresh_disabled(Some(" OFF ")));
        assert!(!refresh_disabled(Some("on")));
        assert!(!refresh_disabled(Some("")));
        assert!(!refresh_disabled(None));
    }
}
