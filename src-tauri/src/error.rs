//! The one error type that crosses IPC. The UI switches on `kind`, never on `message`.

use serde::Serialize;
use ts_rs::TS;

/// Stable discriminator of an [`IpcError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IpcErrorKind {
    /// The data folder cannot be determined or used.
    DataDir,
    /// What the user typed was refused; the message says what to type instead.
    InvalidInput,
    /// `settings.json` cannot be read or saved.
    Settings,
    /// Your own prices (`prices/overrides.json`) cannot be read or saved.
    Prices,
    /// The OS keychain cannot be used; the message names the cause and the fix.
    Keychain,
    /// The provider settings (`providers.json`) cannot be read or saved.
    ProviderSettings,
    /// The saved model sets (`model_sets.json`) cannot be read or saved.
    ModelSets,
    /// The spend ledger (`spend.jsonl`) cannot be read.
    Spend,
    /// The run history (`history.db`) cannot be opened, read or written.
    History,
    /// What was asked for is not there (a run deleted meanwhile).
    NotFound,
    /// Anything not yet given a kind of its own.
    Internal,
}

/// An error as the webview receives it: a kind to switch on and a message to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub kind: IpcErrorKind,
    pub message: String,
}

impl IpcError {
    pub fn new(kind: IpcErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<switchboard_core::paths::PathError> for IpcError {
    fn from(e: switchboard_core::paths::PathError) -> Self {
        Self::new(IpcErrorKind::DataDir, e.to_string())
    }
}

impl From<switchboard_core::settings::SettingsError> for IpcError {
    fn from(e: switchboard_core::settings::SettingsError) -> Self {
        Self::new(IpcErrorKind::Settings, e.to_string())
    }
}

impl From<switchboard_core::prices::overrides::OverrideError> for IpcError {
    fn from(e: switchboard_core::prices::overrides::OverrideError) -> Self {
        use switchboard_core::prices::overrides::OverrideError;
        let kind = match e {
            OverrideError::Negative => IpcErrorKind::InvalidInput,
            OverrideError::File(_) => IpcErrorKind::Prices,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<switchboard_core::prices::money::MoneyError> for IpcError {
    fn from(e: switchboard_core::prices::money::MoneyError) -> Self {
        Self::new(IpcErrorKind::InvalidInput, e.to_string())
    }
}

impl From<switchboard_core::keys::KeychainError> for IpcError {
    fn from(e: switchboard_core::keys::KeychainError) -> Self {
        Self::new(IpcErrorKind::Keychain, e.to_string())
    }
}

impl From<switchboard_core::keys::KeyFormatError> for IpcError {
    fn from(e: switchboard_core::keys::KeyFormatError) -> Self {
        Self::new(IpcErrorKind::InvalidInput, e.to_string())
    }
}

impl From<switchboard_core::providers::ResolveError> for IpcError {
    fn from(e: switchboard_core::providers::ResolveError) -> Self {
        Self::new(IpcErrorKind::InvalidInput, e.to_string())
    }
}

impl From<switchboard_core::provider_config::ProviderConfigError> for IpcError {
    fn from(e: switchboard_core::provider_config::ProviderConfigError) -> Self {
        use switchboard_core::provider_config::ProviderConfigError as E;
        let kind = match e {
            E::Invalid(_) => IpcErrorKind::InvalidInput,
            E::File(_) => IpcErrorKind::ProviderSettings,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<switchboard_core::model_sets::ModelSetError> for IpcError {
    fn from(e: switchboard_core::model_sets::ModelSetError) -> Self {
        use switchboard_core::model_sets::ModelSetError as E;
        let kind = match e {
            E::Invalid(_) => IpcErrorKind::InvalidInput,
            E::File(_) => IpcErrorKind::ModelSets,
        };
        Self::new(kind, e.to_string())
    }
}

impl From<switchboard_core::spend::SpendError> for IpcError {
    fn from(e: switchboard_core::spend::SpendError) -> Self {
        Self::new(IpcErrorKind::Spend, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let e = IpcError::new(IpcErrorKind::DataDir, "no data folder");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "data_dir", "message": "no data folder"})
        );
    }

    #[test]
    fn override_errors_are_prices_errors_and_a_negative_price_is_invalid_input() {
        use switchboard_core::prices::overrides::OverrideError;
        let corrupt = OverrideError::File(switchboard_core::json_file::JsonFileError::Corrupt {
            what: "your prices",
            path: "/data/prices/overrides.json".into(),
            source: serde_json::from_str::<serde_json::Value>("{").unwrap_err(),
        });
        let message = corrupt.to_string();
        let e = IpcError::from(corrupt);
        assert_eq!(e.kind, IpcErrorKind::Prices);
        assert_eq!(e.message, message);
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "prices");
        assert_eq!(
            IpcError::from(OverrideError::Negative).kind,
            IpcErrorKind::InvalidInput
        );
    }

    #[test]
    fn a_refused_currency_is_invalid_input_with_the_cores_message() {
        let core =
            switchboard_core::prices::money::DisplayCurrency::new("euro", Some("1")).unwrap_err();
        let e = IpcError::from(core.clone());
        assert_eq!(e.kind, IpcErrorKind::InvalidInput);
        assert_eq!(e.message, core.to_string());
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "invalid_input");
    }
}
