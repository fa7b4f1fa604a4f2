//! "Import from environment": copies keys found in the providers' environment
//! variables into the keychain, so the app finds them without a shell profile.

use serde::Serialize;
use ts_rs::TS;

use super::{from_env, Env, KeyStore, KeychainError};
use secrecy::ExposeSecret;

/// What happened to one provider's environment key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Copied into the keychain.
    Imported,
    /// The keychain already holds this same key.
    AlreadyInKeychain,
    /// The keychain holds a different key, which was kept (replace it explicitly).
    KeptKeychainKey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportedKey {
    pub provider: String,
    pub env_var: String,
    pub outcome: ImportOutcome,
}

/// Imports the key of every `(provider, env_vars)` whose variable is set. Stops at
/// the first keychain failure (the keychain is then unusable for all of them).
pub fn import_env(
    store: &dyn KeyStore,
    env: &dyn Env,
    providers: &[(String, Vec<String>)],
) -> Result<Vec<ImportedKey>, KeychainError> {
    let mut report = Vec::new();
    for (provider, vars) in providers {
        let Some(found) = from_env(env, vars) else {
            continue;
        };
        let super::KeyOrigin::Env(env_var) = found.origin else {
            continue;
        };
        let outcome = match store.get(provider)? {
            Some(existing) if existing.expose_secret() == found.key.expose_secret() => {
                ImportOutcome::AlreadyInKeychain
            }
            Some(_) => ImportOutcome::KeptKeychainKey,
            None => {
                store.set(provider, &found.key)?;
                ImportOutcome::Imported
            }
        };
        report.push(ImportedKey {
            provider: provider.clone(),
            env_var,
            outcome,
        });
    }
    Ok(report)
}
