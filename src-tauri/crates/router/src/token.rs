//! The router's bearer token: `SWITCHBOARD_ROUTER_TOKEN` when set (servers, CI), else
//! the one kept in the OS keychain under the account [`ACCOUNT`], made on first use.
//! A config's `general_settings.master_key` takes precedence over both (see
//! [`crate::config`]). The token is a secret like a provider key: it is never logged,
//! never sent to the webview and never written to a file by Switchboard.

use secrecy::{ExposeSecret, SecretString};
use switchboard_core::keys::{ApiKey, KeyStore, KeychainError, OsKeychain};

/// Overrides the keychain's token.
pub const TOKEN_ENV: &str = "SWITCHBOARD_ROUTER_TOKEN";
/// The keychain account the token is kept under (beside the providers' keys).
pub const ACCOUNT: &str = "router-token";
/// What every generated token starts with, so it is recognisable in a client's config.
pub const PREFIX: &str = "sb-";

/// Where the token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `SWITCHBOARD_ROUTER_TOKEN`.
    Env,
    /// The keychain, made earlier.
    Keychain,
    /// Made now and saved in the keychain.
    Generated,
    /// The config file's `general_settings.master_key`.
    MasterKey,
}

impl TokenSource {
    /// How `serve` names it.
    pub fn describe(self) -> String {
        match self {
            Self::Env => format!("from ${TOKEN_ENV}"),
            Self::Keychain => format!("kept in the keychain (account `{ACCOUNT}`)"),
            Self::Generated => format!("new, saved in the keychain (account `{ACCOUNT}`)"),
            Self::MasterKey => "the config's general_settings.master_key".to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the router's token could not be read from or saved to the keychain: {0}. Set {TOKEN_ENV} to a token of your choice instead")]
    Keychain(#[from] KeychainError),
    #[error("{TOKEN_ENV} is not usable as a token: {0}")]
    BadEnv(String),
    #[error("no random numbers for a token: {0}")]
    Random(String),
}

/// The token, from the environment or the platform's keychain (blocking: D-Bus on Linux).
pub fn router_token() -> Result<(SecretString, TokenSource), TokenError> {
    token_from(std::env::var(TOKEN_ENV).ok(), &OsKeychain::from_env())
}

/// The token from `env` (the variable's value) or `store`; made and saved when neither
/// has one.
pub fn token_from(
    env: Option<String>,
    store: &dyn KeyStore,
) -> Result<(SecretString, TokenSource), TokenError> {
    if let Some(v) = env.filter(|v| !v.trim().is_empty()) {
        let key = ApiKey::parse(&v).map_err(|e| TokenError::BadEnv(e.to_string()))?;
        return Ok((secret(&key), TokenSource::Env));
    }
    if let Some(key) = store.get(ACCOUNT)? {
        return Ok((secret(&key), TokenSource::Keychain));
    }
    let made = generate()?;
    let key = ApiKey::parse(made.expose_secret()).map_err(|e| TokenError::Random(e.to_string()))?;
    store.set(ACCOUNT, &key)?;
    Ok((made, TokenSource::Generated))
}

/// Replaces the keychain's token with a new one (the old one stops working at the next
/// start).
pub fn rotate(store: &dyn KeyStore) -> Result<SecretString, TokenError> {
    let made = generate()?;
    let key = ApiKey::parse(made.expose_secret()).map_err(|e| TokenError::Random(e.to_string()))?;
    store.set(ACCOUNT, &key)?;
    Ok(made)
}

fn secret(key: &ApiKey) -> SecretString {
    SecretString::from(key.expose_secret().to_owned())
}

/// `sb-` and 32 random bytes in hex: 256 bits from the OS's generator.
fn generate() -> Result<SecretString, TokenError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    let mut s = String::with_capacity(PREFIX.len() + 64);
    s.push_str(PREFIX);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    Ok(SecretString::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    #[derive(Default)]
    struct MapStore(Mutex<HashMap<String, String>>);

    impl KeyStore for MapStore {
        fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
            Ok(self
                .0
                .lock()
                .unwrap()
                .get(account)
                .map(|v| ApiKey::parse(v).unwrap()))
        }
        fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
            self.0
                .lock()
                .unwrap()
                .insert(account.into(), key.expose_secret().into());
            Ok(())
        }
        fn delete(&self, account: &str) -> Result<bool, KeychainError> {
            Ok(self.0.lock().unwrap().remove(account).is_some())
        }
        fn describe(&self) -> String {
            "map".into()
        }
    }

    #[test]
    fn made_once_then_read_back_and_the_env_wins() {
        let store = MapStore::default();
        let (first, src) = token_from(None, &store).unwrap();
        assert_eq!(src, TokenSource::Generated);
        let t = first.expose_secret();
        assert!(t.starts_with(PREFIX) && t.len() == PREFIX.len() + 64, "{t}");
        let (again, src) = token_from(None, &store).unwrap();
        assert_eq!(src, TokenSource::Keychain);
        assert_eq!(again.expose_secret(), t);
        let (env, src) = token_from(Some("mine-123".into()), &store).unwrap();
        assert_eq!((env.expose_secret(), src), ("mine-123", TokenSource::Env));
        assert!(matches!(
            token_from(Some("two words".into()), &store),
            Err(TokenError::BadEnv(_))
        ));
        let rotated = rotate(&store).unwrap();
        assert_ne!(rotated.expose_secret(), t);
    }
}
