//! Where API keys come from: the OS keychain first ([`keychain`]), then the
//! provider's usual environment variable. Keys travel as [`ApiKey`], which never
//! shows up in `Debug`, errors or JSON; the UI learns only a [`KeyStatus`].

pub mod api_key;
pub mod import;
pub mod keychain;
pub mod status;

use std::collections::HashMap;
use std::sync::Arc;

pub use api_key::{ApiKey, KeyFormatError};
pub use keychain::{KeyStore, KeychainError, KeychainErrorKind, KeychainProblem, OsKeychain};
pub use status::{KeySourceKind, KeyStatus};

/// Environment lookups, behind a trait so tests can hand in a map.
pub trait Env: Send + Sync {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment. Empty values count as unset.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Env for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.trim().is_empty()).cloned()
    }
}

/// Where a key in use came from (shown to the user; never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    Keychain,
    /// The environment variable it was read from.
    Env(String),
}

impl std::fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Keychain => f.write_str("the keychain"),
            Self::Env(var) => write!(f, "${var}"),
        }
    }
}

/// A key, and the place it came from.
#[derive(Debug, Clone)]
pub struct ResolvedKey {
    pub key: ApiKey,
    pub origin: KeyOrigin,
}

/// The outcome of looking for a provider's key: the key (if any) and, when the
/// keychain could not be read, why — so a missing key can be explained.
#[derive(Debug, Clone, Default)]
pub struct KeyLookup {
    pub key: Option<ResolvedKey>,
    pub keychain_error: Option<KeychainError>,
    /// A set variable the keychain's key takes precedence over (worth telling the user).
    pub shadowed_env: Option<String>,
}

/// Finds a provider's key. `env_vars` are the variables conventionally holding it, in
/// order of preference.
pub trait KeySource: Send + Sync {
    fn lookup(&self, provider: &str, env_vars: &[String]) -> KeyLookup;
    /// Where keys are kept besides the environment, for messages.
    fn describe(&self) -> String {
        "environment variables only".to_owned()
    }
}

fn from_env(env: &dyn Env, env_vars: &[String]) -> Option<ResolvedKey> {
    env_vars.iter().find_map(|name| {
        let value = env.var(name)?;
        // A variable holding something no key looks like is skipped, not sent.
        let key = ApiKey::parse(&value).ok()?;
        Some(ResolvedKey {
            key,
            origin: KeyOrigin::Env(name.clone()),
        })
    })
}

/// Keys from environment variables only (tests and embedders).
#[derive(Debug, Clone, Default)]
pub struct EnvKeys<E: Env = ProcessEnv> {
    env: E,
}

impl<E: Env> EnvKeys<E> {
    pub fn new(env: E) -> Self {
        Self { env }
    }
}

impl<E: Env> KeySource for EnvKeys<E> {
    fn lookup(&self, _provider: &str, env_vars: &[String]) -> KeyLookup {
        KeyLookup {
            key: from_env(&self.env, env_vars),
            ..KeyLookup::default()
        }
    }
}

/// The product's key source: the keychain, then the environment. A keychain that
/// cannot be read is not fatal — the environment still answers, and the error is
/// kept to explain a missing key.
#[derive(Clone)]
pub struct Keys {
    store: Arc<dyn KeyStore>,
    env: Arc<dyn Env>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("store", &self.store.describe())
            .finish()
    }
}

impl Keys {
    pub fn new(store: Arc<dyn KeyStore>, env: Arc<dyn Env>) -> Self {
        Self { store, env }
    }

    /// The OS keychain (service from `SWITCHBOARD_KEYCHAIN_SERVICE` or `switchboard`)
    /// and the process environment.
    pub fn os() -> Self {
        Self::new(Arc::new(OsKeychain::from_env()), Arc::new(ProcessEnv))
    }

    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.store
    }

    pub fn env(&self) -> &Arc<dyn Env> {
        &self.env
    }
}

impl KeySource for Keys {
    fn lookup(&self, provider: &str, env_vars: &[String]) -> KeyLookup {
        let env_key = from_env(self.env.as_ref(), env_vars);
        match self.store.get(provider) {
            Ok(Some(key)) => KeyLookup {
                key: Some(ResolvedKey {
                    key,
                    origin: KeyOrigin::Keychain,
                }),
                keychain_error: None,
                shadowed_env: env_key.and_then(|k| match k.origin {
                    KeyOrigin::Env(var) => Some(var),
                    KeyOrigin::Keychain => None,
                }),
            },
            Ok(None) => KeyLookup {
                key: env_key,
                ..KeyLookup::default()
            },
            Err(e) => KeyLookup {
                key: env_key,
                keychain_error: Some(e),
                shadowed_env: None,
            },
        }
    }

    fn describe(&self) -> String {
        self.store.describe()
    }
}

/// `my-llm` → `MY_LLM`: the stem of a custom endpoint's `<NAME>_API_KEY` and
/// `<NAME>_BASE_URL`.
pub fn env_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_set_variable_wins_and_origin_is_named() {
        let env: HashMap<String, String> = [
            ("GOOGLE_API_KEY".to_owned(), "g".to_owned()),
            ("GEMINI_API_KEY".to_owned(), "".to_owned()),
        ]
        .into_iter()
        .collect();
        let keys = EnvKeys::new(env);
        let k = keys
            .lookup(
                "gemini",
                &["GEMINI_API_KEY".into(), "GOOGLE_API_KEY".into()],
            )
            .key
            .unwrap();
        assert_eq!(k.origin, KeyOrigin::Env("GOOGLE_API_KEY".into()));
        assert_eq!(k.origin.to_string(), "$GOOGLE_API_KEY");
        assert!(!format!("{k:?}").contains("\"g\""));
    }

    /// The logic around the keychain, over a map (the real keychain is exercised in
    /// tests/keychain.rs and the CLI and E2E suites).
    #[derive(Default)]
    struct MemoryStore {
        map: std::sync::Mutex<HashMap<String, ApiKey>>,
        broken: Option<KeychainError>,
    }

    impl KeyStore for MemoryStore {
        fn get(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
            match &self.broken {
                Some(e) => Err(e.clone()),
                None => Ok(self.map.lock().unwrap().get(account).cloned()),
            }
        }
        fn set(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
            match &self.broken {
                Some(e) => Err(e.clone()),
                None => {
                    self.map
                        .lock()
                        .unwrap()
                        .insert(account.to_owned(), key.clone());
                    Ok(())
                }
            }
        }
        fn delete(&self, account: &str) -> Result<bool, KeychainError> {
            Ok(self.map.lock().unwrap().remove(account).is_some())
        }
        fn describe(&self) -> String {
            "memory".into()
        }
    }

    fn env_of(pairs: &[(&str, &str)]) -> Arc<dyn Env> {
        Arc::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<HashMap<String, String>>(),
        )
    }

    #[test]
    fn the_keychain_wins_over_the_environment_and_says_so() {
        let store = Arc::new(MemoryStore::default());
        let env = env_of(&[("OPENAI_API_KEY", "sk-from-env-0000")]);
        let keys = Keys::new(store.clone(), env);
        let vars = vec!["OPENAI_API_KEY".to_owned()];
        let status = KeyStatus::from_lookup(&keys.lookup("openai", &vars), &vars);
        assert_eq!(status.source, KeySourceKind::Env);
        assert_eq!(status.describe(), "$OPENAI_API_KEY …0000");
        store
            .set("openai", &ApiKey::parse("sk-from-keychain-1111").unwrap())
            .unwrap();
        let status = KeyStatus::from_lookup(&keys.lookup("openai", &vars), &vars);
        assert_eq!(status.source, KeySourceKind::Keychain);
        assert_eq!(status.last4.as_deref(), Some("1111"));
        assert_eq!(status.shadowed_env.as_deref(), Some("OPENAI_API_KEY"));
        let json = serde_json::to_string(&status).unwrap();
        assert!(!json.contains("sk-from"), "{json}");
    }

    #[test]
    fn a_broken_keychain_falls_back_to_the_environment_and_keeps_the_reason() {
        let store = Arc::new(MemoryStore {
            broken: Some(KeychainError {
                kind: KeychainErrorKind::NoService,
                detail: "The name org.freedesktop.secrets was not provided by any .service files"
                    .into(),
            }),
            ..MemoryStore::default()
        });
        let keys = Keys::new(store, env_of(&[("GROQ_API_KEY", "gsk-env-key-2222")]));
        let groq = keys.lookup("groq", &["GROQ_API_KEY".to_owned()]);
        assert_eq!(
            groq.key.unwrap().origin,
            KeyOrigin::Env("GROQ_API_KEY".into())
        );
        let vars = ["XAI_API_KEY".to_owned()];
        let xai = keys.lookup("xai", &vars);
        assert!(xai.key.is_none());
        let status = KeyStatus::from_lookup(&xai, &vars);
        let problem = status.keychain_error.unwrap();
        assert_eq!(problem.kind, KeychainErrorKind::NoService);
        assert!(problem.fix.contains("environment variables"));
    }

    #[test]
    fn import_copies_new_keys_and_keeps_different_ones() {
        let store = MemoryStore::default();
        store
            .set("anthropic", &ApiKey::parse("sk-ant-keychain-3333").unwrap())
            .unwrap();
        store
            .set("groq", &ApiKey::parse("gsk-same-key-4444").unwrap())
            .unwrap();
        let env = env_of(&[
            ("OPENAI_API_KEY", "sk-openai-env-5555"),
            ("ANTHROPIC_API_KEY", "sk-ant-env-6666"),
            ("GROQ_API_KEY", "gsk-same-key-4444"),
        ]);
        let providers: Vec<(String, Vec<String>)> = [
            ("openai", "OPENAI_API_KEY"),
            ("anthropic", "ANTHROPIC_API_KEY"),
            ("groq", "GROQ_API_KEY"),
            ("xai", "XAI_API_KEY"),
        ]
        .iter()
        .map(|(p, v)| ((*p).to_owned(), vec![(*v).to_owned()]))
        .collect();
        let report = import::import_env(&store, env.as_ref(), &providers).unwrap();
        let outcomes: Vec<_> = report
            .iter()
            .map(|r| (r.provider.as_str(), r.outcome))
            .collect();
        use import::ImportOutcome::*;
        assert_eq!(
            outcomes,
            [
                ("openai", Imported),
                ("anthropic", KeptKeychainKey),
                ("groq", AlreadyInKeychain)
            ]
        );
        assert_eq!(
            store.get("openai").unwrap().unwrap().last4().as_deref(),
            Some("5555")
        );
        assert_eq!(
            store.get("anthropic").unwrap().unwrap().last4().as_deref(),
            Some("3333")
        );
    }

    #[test]
    fn env_stem_uppercases_and_underscores() {
        assert_eq!(env_stem("my-llm.local"), "MY_LLM_LOCAL");
    }
}
