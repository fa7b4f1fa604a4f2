//! Where API keys come from. This issue reads the providers' usual environment
//! variables; the keychain issue adds a [`KeySource`] in front of them.
//!
//! Keys are held as [`SecretString`]: never in `Debug`, errors or JSON.

use std::collections::HashMap;

use secrecy::SecretString;

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

/// A key, and the place it came from (shown to the user; never the key itself).
#[derive(Debug, Clone)]
pub struct ResolvedKey {
    pub key: SecretString,
    /// e.g. `env:OPENAI_API_KEY`.
    pub origin: String,
}

/// Finds a provider's key. `env_vars` are the variables conventionally holding it, in
/// order of preference.
pub trait KeySource: Send + Sync {
    fn api_key(&self, provider: &str, env_vars: &[String]) -> Option<ResolvedKey>;
}

/// Keys from environment variables.
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
    fn api_key(&self, _provider: &str, env_vars: &[String]) -> Option<ResolvedKey> {
        env_vars.iter().find_map(|name| {
            self.env.var(name).map(|v| ResolvedKey {
                key: SecretString::from(v.trim().to_owned()),
                origin: format!("env:{name}"),
            })
        })
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
            .api_key(
                "gemini",
                &["GEMINI_API_KEY".into(), "GOOGLE_API_KEY".into()],
            )
            .unwrap();
        assert_eq!(k.origin, "env:GOOGLE_API_KEY");
        assert!(!format!("{k:?}").contains("\"g\""));
    }

    #[test]
    fn env_stem_uppercases_and_underscores() {
        assert_eq!(env_stem("my-llm.local"), "MY_LLM_LOCAL");
    }
}
