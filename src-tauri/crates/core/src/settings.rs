//! The user's settings that are not secrets: `settings.json` in the data folder.
//! (Keys never live here; they are in the OS keychain.)

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

/// `settings.json` cannot be read or saved.
pub type SettingsError = crate::json_file::JsonFileError;

const WHAT: &str = "the settings";

impl Settings {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json")
    }

    /// The saved settings; defaults when there are none.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        crate::json_file::load(&Self::path(data_dir), WHAT)
    }

    /// Writes the file whole, atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        crate::json_file::save(&Self::path(data_dir), WHAT, self)
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
