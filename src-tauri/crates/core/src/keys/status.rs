//! [`KeyStatus`]: everything the UI and `switchboard keys list` may know about a key —
//! whether one is set, where it comes from and its last four characters. Never the key.

use serde::Serialize;
use ts_rs::TS;

use super::{KeyLookup, KeyOrigin, KeychainProblem};

/// Where the key in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeySourceKind {
    Keychain,
    Env,
    /// No key anywhere.
    None,
}

impl KeySourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keychain => "keychain",
            Self::Env => "env",
            Self::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeyStatus {
    pub set: bool,
    pub source: KeySourceKind,
    /// The variable the key in use was read from (when `source` is `env`).
    pub env_var: Option<String>,
    /// The variables this provider's key is read from, in order.
    pub env_vars: Vec<String>,
    /// A set variable that the keychain's key takes precedence over.
    pub shadowed_env: Option<String>,
    /// The key's last four characters (none for very short keys).
    pub last4: Option<String>,
    /// Why the keychain could not be read, when it could not.
    pub keychain_error: Option<KeychainProblem>,
}

impl KeyStatus {
    pub fn from_lookup(lookup: &KeyLookup, env_vars: &[String]) -> Self {
        let (source, env_var) = match lookup.key.as_ref().map(|k| &k.origin) {
            Some(KeyOrigin::Keychain) => (KeySourceKind::Keychain, None),
            Some(KeyOrigin::Env(var)) => (KeySourceKind::Env, Some(var.clone())),
            None => (KeySourceKind::None, None),
        };
        Self {
            set: lookup.key.is_some(),
            source,
            env_var,
            env_vars: env_vars.to_vec(),
            shadowed_env: lookup.shadowed_env.clone(),
            last4: lookup.key.as_ref().and_then(|k| k.key.last4()),
            keychain_error: lookup.keychain_error.as_ref().map(|e| e.problem()),
        }
    }

    /// "keychain …1234", "$OPENAI_API_KEY …cdef", "not set": one phrase for a table.
    pub fn describe(&self) -> String {
        let tail = self
            .last4
            .as_deref()
            .map(|l| format!(" …{l}"))
            .unwrap_or_default();
        match (self.source, &self.env_var) {
            (KeySourceKind::Keychain, _) => format!("keychain{tail}"),
            (KeySourceKind::Env, Some(var)) => format!("${var}{tail}"),
            (KeySourceKind::Env, None) => format!("environment{tail}"),
            (KeySourceKind::None, _) => "not set".to_owned(),
        }
    }
}
