//! The OS keychain, through the `keyring` crate: Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows. One entry per provider or custom endpoint,
//! under the service `switchboard` (the account is the provider's id).
//!
//! Every call blocks (D-Bus round trips, ~0.1 s each on Linux): async callers run them
//! on the blocking pool. When the keychain cannot be used, the error names the cause
//! and the fix; there is no fallback to a file.

use serde::Serialize;
use ts_rs::TS;

use super::api_key::ApiKey;
use secrecy::ExposeSecret;

/// The keychain service every Switchboard entry is filed under.
pub const SERVICE: &str = "switchboard";
/// Overrides [`SERVICE`]: separate profiles, and tests that must not share entries.
pub const SERVICE_ENV: &str = "SWITCHBOARD_KEYCHAIN_SERVICE";

/// Where keys are kept. The OS keychain in the product; tests of the logic around it
/// may use a map.
pub trait KeyStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError>;
    fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError>;
    /// Whether there was an entry to delete.
    fn delete(&self, account: &str) -> Result<bool, KeychainError>;
    /// e.g. "Secret Service (service `switchboard`)", for messages.
    fn describe(&self) -> String;
}

/// The platform's keychain.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

impl OsKeychain {
    /// Under [`SERVICE`], or the service named by `SWITCHBOARD_KEYCHAIN_SERVICE`.
    pub fn from_env() -> Self {
        let service = std::env::var(SERVICE_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| SERVICE.to_owned());
        Self { service }
    }

    pub fn with_service(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, account).map_err(KeychainError::from_keyring)
    }
}

impl KeyStore for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
        match self.entry(account)?.get_password() {
            // A stored value we would refuse as a key (edited by hand elsewhere) is
            // reported, not used: sending it would only fail at the provider.
            Ok(raw) => ApiKey::parse(&raw).map(Some).map_err(|e| KeychainError {
                kind: KeychainErrorKind::Other,
                detail: format!("the stored key for `{account}` is not usable: {e}"),
            }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeychainError::from_keyring(e)),
        }
    }

    fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
        self.entry(account)?
            .set_password(key.expose_secret())
            .map_err(KeychainError::from_keyring)
    }

    fn delete(&self, account: &str) -> Result<bool, KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(KeychainError::from_keyring(e)),
        }
    }

    fn describe(&self) -> String {
        format!("{} (service `{}`)", platform_name(), self.service)
    }
}

fn platform_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "the Secret Service"
    }
}

/// What went wrong with the keychain, for the UI to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeychainErrorKind {
    /// No D-Bus session bus to reach a Secret Service through.
    NoSession,
    /// A session bus, but no Secret Service provider on it.
    NoService,
    /// The keyring is locked (or its unlock prompt was dismissed).
    Locked,
    /// The Secret Service has no unlocked default keyring to keep items in.
    NoKeyring,
    /// The OS refused access.
    Denied,
    Other,
}

/// A keychain failure: the cause and the fix in words, and keyring's own message.
/// Never contains a key (keyring's messages name services and accounts only).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{cause}; {fix} ({detail})", cause = self.cause(), fix = self.fix())]
pub struct KeychainError {
    pub kind: KeychainErrorKind,
    /// keyring's message, for the curious and for bug reports.
    pub detail: String,
}

/// A keychain failure as the webview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeychainProblem {
    pub kind: KeychainErrorKind,
    /// What happened, in a sentence.
    pub cause: String,
    /// What to do about it.
    pub fix: String,
    /// The keychain's own message.
    pub detail: String,
}

impl KeychainError {
    /// Classifies keyring's error by the messages each Linux failure produces (listed
    /// in LINUX-RECIPES); the other platforms map by variant.
    pub fn from_keyring(e: keyring::Error) -> Self {
        // Display only: keyring's Debug of `BadEncoding` carries the stored bytes.
        let detail = e.to_string();
        let kind = match &e {
            keyring::Error::NoStorageAccess(_) if detail.contains("prompt was dismissed") => {
                KeychainErrorKind::Locked
            }
            keyring::Error::NoStorageAccess(_) if detail.contains("no result found") => {
                KeychainErrorKind::NoKeyring
            }
            keyring::Error::NoStorageAccess(_) => KeychainErrorKind::Denied,
            keyring::Error::PlatformFailure(_) => classify_platform(&detail),
            _ => KeychainErrorKind::Other,
        };
        Self { kind, detail }
    }

    pub fn cause(&self) -> &'static str {
        match self.kind {
            KeychainErrorKind::NoSession => {
                "the keychain cannot be reached: there is no D-Bus session bus"
            }
            KeychainErrorKind::NoService => {
                "no keychain is running: nothing provides the Secret Service on this session"
            }
            KeychainErrorKind::Locked => "the keychain is locked",
            KeychainErrorKind::NoKeyring => {
                "the keychain has no unlocked default keyring to keep keys in"
            }
            KeychainErrorKind::Denied => "the keychain refused access to Switchboard",
            KeychainErrorKind::Other => "the keychain failed",
        }
    }

    pub fn fix(&self) -> &'static str {
        match self.kind {
            KeychainErrorKind::NoSession => {
                "start Switchboard from your desktop session (or inside `dbus-run-session`); until then, keys are read from environment variables"
            }
            KeychainErrorKind::NoService => {
                "install and start a Secret Service provider (gnome-keyring or KeePassXC with Secret Service enabled); until then, keys are read from environment variables"
            }
            KeychainErrorKind::Locked => {
                "unlock your login keyring (in Passwords and Keys, or by logging in again) and try again"
            }
            KeychainErrorKind::NoKeyring => {
                "unlock your login keyring, or create a default one (Passwords and Keys → New keyring, set as default), then try again"
            }
            KeychainErrorKind::Denied => {
                "allow Switchboard access when the system asks, or check the keychain's access settings"
            }
            KeychainErrorKind::Other => "try again; until it works, keys are read from environment variables",
        }
    }

    pub fn problem(&self) -> KeychainProblem {
        KeychainProblem {
            kind: self.kind,
            cause: self.cause().to_owned(),
            fix: self.fix().to_owned(),
            detail: self.detail.clone(),
        }
    }
}

fn classify_platform(detail: &str) -> KeychainErrorKind {
    if detail.contains("locked collection") || detail.contains("IsLocked") {
        KeychainErrorKind::Locked
    } else if detail.contains("not provided by any .service files")
        || detail.contains("ServiceUnknown")
    {
        KeychainErrorKind::NoService
    } else if detail.contains("autolaunch a dbus-daemon")
        || detail.contains("Failed to connect to socket")
        || detail.contains("DBUS_SESSION_BUS_ADDRESS")
    {
        KeychainErrorKind::NoSession
    } else if detail.contains("AccessDenied") || detail.contains("denied") {
        KeychainErrorKind::Denied
    } else {
        KeychainErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(msg: &str) -> KeychainError {
        KeychainError::from_keyring(keyring::Error::PlatformFailure(msg.into()))
    }

    #[test]
    fn linux_failures_are_named_with_their_fix() {
        // The messages keyring 3.6 gives on Linux (see LINUX-RECIPES).
        let e =
            platform("DBus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11");
        assert_eq!(e.kind, KeychainErrorKind::NoSession);
        assert!(e.to_string().contains("environment variables"), "{e}");
        let e = platform(
            "DBus error: The name org.freedesktop.secrets was not provided by any .service files",
        );
        assert_eq!(e.kind, KeychainErrorKind::NoService);
        assert!(e.to_string().contains("gnome-keyring"), "{e}");
        let e = platform("DBus error: Cannot create an item in a locked collection");
        assert_eq!(e.kind, KeychainErrorKind::Locked);
        assert!(e.to_string().contains("unlock"), "{e}");
        let e = platform("DBus error: Failed to connect to socket /run/user/1/bus: No such file");
        assert_eq!(e.kind, KeychainErrorKind::NoSession);
        let e = KeychainError::from_keyring(keyring::Error::NoStorageAccess(
            "Secret Service: no result found".into(),
        ));
        assert_eq!(e.kind, KeychainErrorKind::NoKeyring);
        let e = KeychainError::from_keyring(keyring::Error::NoStorageAccess(
            "Secret Service: unlock prompt was dismissed".into(),
        ));
        assert_eq!(e.kind, KeychainErrorKind::Locked);
    }

    #[test]
    fn a_bad_encoding_never_shows_the_stored_bytes() {
        let e = KeychainError::from_keyring(keyring::Error::BadEncoding(b"sk-stored".to_vec()));
        assert!(!e.to_string().contains("sk-stored"), "{e}");
        assert!(!format!("{e:?}").contains("sk-stored"));
    }
}
