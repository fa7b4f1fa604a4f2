//! The user's settings that are not secrets: `settings.json` in the data folder.
//! (Keys never live here; they are in the OS keychain.)

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::prices::money::DisplayCurrency;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// The currency costs are shown in (USD by default).
    #[serde(default)]
    pub currency: DisplayCurrency,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings from {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the settings in {path} are not valid ({source}); fix or delete the file")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot save settings to {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

impl Settings {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json")
    }

    /// The saved settings; defaults when there are none.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        let path = Self::path(data_dir);
        match std::fs::read_to_string(&path) {
            Ok(s) => {
                serde_json::from_str(&s).map_err(|source| SettingsError::Corrupt { path, source })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(SettingsError::Read { path, source }),
        }
    }

    /// Writes the file whole, atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let path = Self::path(data_dir);
        let write = |source| SettingsError::Write {
            path: path.clone(),
            source,
        };
        let json = serde_json::to_string_pretty(self).map_err(|e| write(io::Error::other(e)))?;
        crate::atomic_file::write_atomic(&path, json.as_bytes()).map_err(write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_round_trips_and_defaults_to_usd() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Settings::load(dir.path()).unwrap().currency.is_usd());
        let s = Settings {
            currency: DisplayCurrency::new("INR", Some("84.25")).unwrap(),
        };
        s.save(dir.path()).unwrap();
        let back = Settings::load(dir.path()).unwrap();
        assert_eq!(back, s);
        let raw = std::fs::read_to_string(Settings::path(dir.path())).unwrap();
        assert!(raw.contains("\"84.25\""), "{raw}");
        std::fs::write(Settings::path(dir.path()), "[").unwrap();
        assert!(matches!(
            Settings::load(dir.path()),
            Err(SettingsError::Corrupt { .. })
        ));
    }
}
