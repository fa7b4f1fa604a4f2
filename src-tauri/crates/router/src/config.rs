//! `switchboard serve --config FILE`: the LiteLLM proxy's `config.yaml`, the subset
//! Switchboard exports — `model_list`, `router_settings` (fallbacks, num_retries,
//! timeout, routing_strategy, cooldown_time, allowed_fails), `general_settings.master_key`
//! and `litellm_settings` (num_retries, request_timeout, max_budget + budget_duration).
//!
//! The file is read by the same importer the app uses ([`switchboard_core::gateway::import`]),
//! so a config routes the same whether it is imported or served. What the router does
//! not reproduce comes back as warnings (with the entry's line); a value it cannot use
//! stops it with the line named.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use switchboard_core::gateway::import::litellm::KeyRef;
use switchboard_core::gateway::import::{self, litellm_config, ImportError, Imported};
use switchboard_core::keys::ApiKey;
use switchboard_core::keys::{Env, KeyLookup, KeyOrigin, KeySource, ResolvedKey};
use switchboard_core::provider_config::ProviderConfig;
use switchboard_core::providers::Providers;
use switchboard_core::setups::Setup;

use crate::{CapPeriod, RouterSettings, SpendCap};

/// A config file, read.
#[derive(Debug)]
pub struct Loaded {
    pub setups: Vec<Setup>,
    pub settings: RouterSettings,
    pub caps: Vec<SpendCap>,
    /// `general_settings.master_key`, resolved: the token clients must send.
    pub master_key: Option<SecretString>,
    /// Base URLs and OpenAI-compatible servers the file names (`api_base`).
    pub providers: ProviderConfig,
    /// Provider → the variable the file reads its key from (`os.environ/VAR`).
    pub key_env: BTreeMap<String, String>,
    /// What is not reproduced, each with where it is: printed at start.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Invalid {
        line: Option<usize>,
        message: String,
    },
}

impl ConfigError {
    fn at(text: &str, key: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            line: line_of(text, key),
            message: message.into(),
        }
    }
}

impl From<ImportError> for ConfigError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Syntax { line, message } => Self::Invalid { line, message },
            other => Self::Invalid {
                line: None,
                message: other.to_string(),
            },
        }
    }
}

/// Reads a LiteLLM `config.yaml`. `providers` knows the provider ids (its keys are not
/// read); `env` resolves `os.environ/VAR` for the master key.
pub fn load(text: &str, providers: &Providers, env: &dyn Env) -> Result<Loaded, ConfigError> {
    let cfg = litellm_config(text)?;
    if cfg.model_list.is_empty() {
        return Err(ConfigError::at(
            text,
            "model_list",
            "the config has no model_list entries: nothing to serve (export one with `switchboard export litellm`)",
        ));
    }
    let Imported {
        setups,
        providers: provider_config,
        key_env,
        notes,
        ..
    } = import::import(text, "config", providers)?;
    if setups.is_empty() {
        let why: Vec<String> = notes
            .iter()
            .map(|n| format!("{}: {}", n.at, n.message))
            .collect();
        return Err(ConfigError::Invalid {
            line: cfg.model_list.first().and_then(|e| e.line),
            message: format!("no entry of model_list can be served: {}", why.join("; ")),
        });
    }

    let rs = &cfg.router_settings;
    let mut settings = RouterSettings::default();
    if let Some(c) = rs.cooldown_time {
        if !c.is_finite() || c < 0.0 {
            return Err(ConfigError::at(
                text,
                "cooldown_time",
                "cooldown_time must be a number of seconds ≥ 0",
            ));
        }
        settings.cooldown = Duration::from_secs_f64(c);
    }
    if let Some(n) = rs.allowed_fails {
        settings.allowed_fails = n.max(1);
    }

    let master_key = match &cfg.general_settings.master_key {
        None => None,
        Some(KeyRef::Inline(k)) => Some(k.clone()),
        Some(KeyRef::Env(var)) => match env.var(var) {
            Some(v) => Some(SecretString::from(v)),
            None => {
                return Err(ConfigError::at(
                    text,
                    "master_key",
                    format!("general_settings.master_key reads ${var}, which is not set: set it, or remove master_key to use the router's own token"),
                ))
            }
        },
    };
    if let Some(k) = &master_key {
        if ApiKey::parse(k.expose_secret()).is_err() {
            return Err(ConfigError::at(
                text,
                "master_key",
                "general_settings.master_key is empty or has spaces: clients could not send it as a bearer token",
            ));
        }
    }

    let caps = budget_cap(text, &cfg.litellm_settings)?;
    let warnings = notes
        .into_iter()
        .filter_map(|n| {
            let message = unreproduced(&n.at, &n.message)?;
            Some(format!("{}: {message}", n.at))
        })
        .collect();
    Ok(Loaded {
        setups,
        settings,
        caps,
        master_key,
        providers: provider_config,
        key_env,
        warnings,
    })
}

/// An importer's note as the router sees it: `None` for what the app does not
/// reproduce but the router does (cooldown, the master key, key variables, the budget).
fn unreproduced(at: &str, message: &str) -> Option<String> {
    if at.starts_with("router_settings.cooldown_time")
        || at.starts_with("router_settings.allowed_fails")
        || at.starts_with("general_settings.master_key")
        || message.starts_with("the key is read from")
    {
        return None;
    }
    if at == "litellm_settings" {
        // "`a`, `budget_duration`, `max_budget` are not used by Switchboard"
        let names: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
        let left: Vec<String> = names
            .iter()
            .filter(|n| !matches!(**n, "max_budget" | "budget_duration"))
            .map(|n| format!("`{n}`"))
            .collect();
        return match left.len() {
            0 => None,
            n if n == names.len() => Some(message.to_owned()),
            1 => Some(format!("{} is not used by Switchboard", left[0])),
            _ => Some(format!("{} are not used by Switchboard", left.join(", "))),
        };
    }
    Some(message.to_owned())
}

/// `litellm_settings.max_budget` (USD) per `budget_duration` (`1d`, `30d`, `1mo`): a cap
/// over everything the router serves.
fn budget_cap(
    text: &str,
    settings: &BTreeMap<String, serde_yaml_ng::Value>,
) -> Result<Vec<SpendCap>, ConfigError> {
    let Some(budget) = settings.get("max_budget") else {
        return Ok(Vec::new());
    };
    let usd = match budget {
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::String(s) => s.trim().to_owned(),
        _ => String::new(),
    };
    let usd: Decimal = usd
        .parse()
        .ok()
        .filter(|d: &Decimal| *d > Decimal::ZERO)
        .ok_or_else(|| {
            ConfigError::at(
                text,
                "max_budget",
                "max_budget must be an amount in USD above 0",
            )
        })?;
    let period = match settings.get("budget_duration").and_then(serde_yaml_ng::Value::as_str).map(str::trim) {
        None | Some("30d" | "1mo" | "1M" | "month") => CapPeriod::Month,
        Some("1d" | "24h" | "day") => CapPeriod::Day,
        Some(other) => {
            return Err(ConfigError::at(
                text,
                "budget_duration",
                format!("budget_duration `{other}` is not supported: use 1d (a UTC day) or 30d / 1mo (a UTC month)"),
            ))
        }
    };
    Ok(vec![SpendCap {
        alias: None,
        period,
        usd,
    }])
}

/// The 1-based line of the first `key:` in `text`.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let needle = format!("{key}:");
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(&needle)
        })
        .map(|i| i + 1)
}

/// Keys as the config reads them: `os.environ/VAR` from the environment first, then
/// the keychain (and the provider's usual variables) — so a config written for LiteLLM
/// works with the keys already kept in Switchboard.
pub struct ConfigKeys {
    pub inner: Arc<dyn KeySource>,
    pub env: Arc<dyn Env>,
    /// Provider → variable, from [`Loaded::key_env`].
    pub vars: BTreeMap<String, String>,
}

impl KeySource for ConfigKeys {
    fn lookup(&self, provider: &str, env_vars: &[String]) -> KeyLookup {
        if let Some(var) = self.vars.get(provider) {
            if let Some(key) = self.env.var(var).and_then(|v| ApiKey::parse(&v).ok()) {
                return KeyLookup {
                    key: Some(ResolvedKey {
                        key,
                        origin: KeyOrigin::Env(var.clone()),
                    }),
                    ..KeyLookup::default()
                };
            }
        }
        self.inner.lookup(provider, env_vars)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// The providers a config is served with: `base` (the app's providers.json applied),
/// then the file's base URLs and servers, with keys through [`ConfigKeys`].
pub fn providers_for(
    loaded: &Loaded,
    keys: Arc<dyn KeySource>,
    env: Arc<dyn Env>,
    app_config: &ProviderConfig,
) -> Providers {
    let keys = ConfigKeys {
        inner: keys,
        env: env.clone(),
        vars: loaded.key_env.clone(),
    };
    let mut p = Providers::new(env, Arc::new(keys));
    app_config.apply_to(&mut p);
    loaded.providers.apply_to(&mut p);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use switchboard_core::keys::EnvKeys;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    const EXPORTED: &str = "\
model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/MY_OPENAI_KEY
  - model_name: chat-fallback-1
    litellm_params:
      model: anthropic/claude-haiku-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 3
  timeout: 30
  cooldown_time: 12
  allowed_fails: 2
  fallbacks:
    - chat: [chat-fallback-1]
litellm_settings:
  max_budget: 2.5
  budget_duration: 1d
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
";

    #[test]
    fn an_exported_config_becomes_routes_settings_a_cap_and_a_token() {
        let e = env(&[("LITELLM_MASTER_KEY", "sk-master-1234")]);
        let l = load(EXPORTED, &Providers::from_env(), &e).unwrap();
        assert_eq!(l.setups.len(), 1);
        let s = &l.setups[0];
        assert_eq!(s.alias, "chat");
        let models: Vec<_> = s
            .groups
            .iter()
            .map(|g| g.targets[0].model.as_str())
            .collect();
        assert_eq!(models, ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]);
        assert_eq!((s.retries, s.timeout_secs), (3, 30));
        assert_eq!(l.settings.cooldown, Duration::from_secs(12));
        assert_eq!(l.settings.allowed_fails, 2);
        assert_eq!(l.master_key.unwrap().expose_secret(), "sk-master-1234");
        assert_eq!(
            l.caps,
            vec![SpendCap {
                alias: None,
                period: CapPeriod::Day,
                usd: "2.5".parse().unwrap()
            }]
        );
        assert_eq!(l.key_env["openai"], "MY_OPENAI_KEY");
        // Everything in it is reproduced: nothing to warn about.
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    }

    #[test]
    fn unsupported_keys_are_warnings_with_their_place_and_bad_values_name_the_line() {
        let text = "model_list:\n  - model_name: chat\n    litellm_params:\n      model: openai/gpt-4o\n      weight: heavy\n";
        let err = load(text, &Providers::from_env(), &env(&[])).unwrap_err();
        let ConfigError::Invalid { line, message } = &err;
        // The entry's parameters, where the bad value is.
        assert_eq!(*line, Some(4), "{err}");
        assert!(message.contains("heavy"), "{message}");

        let text = "model_list:\n  - model_name: chat\n    litellm_params:\n      model: openai/gpt-4o\nrouter_settings:\n  routing_strategy: latency-based-routing\n  cooldown_time: -4\n";
        let err = load(text, &Providers::from_env(), &env(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 7: cooldown_time must be a number of seconds ≥ 0"
        );

        let text = "model_list:\n  - model_name: chat\n    litellm_params:\n      model: openai/gpt-4o\n      rpm: 10\nrouter_settings:\n  routing_strategy: latency-based-routing\n  redis_host: localhost\n";
        let l = load(text, &Providers::from_env(), &env(&[])).unwrap();
        let w = l.warnings.join("\n");
        assert!(
            w.contains("routing_strategy: latency-based-routing is not reproduced"),
            "{w}"
        );
        assert!(w.contains("router_settings.redis_host: not used"), "{w}");
    }

    #[test]
    fn a_master_key_from_an_unset_variable_stops_it_with_the_line() {
        let err = load(EXPORTED, &Providers::from_env(), &env(&[])).unwrap_err();
        let s = err.to_string();
        assert!(
            s.starts_with("line 22: general_settings.master_key reads $LITELLM_MASTER_KEY"),
            "{s}"
        );
    }

    #[test]
    fn an_empty_model_list_says_what_to_do() {
        let err = load("model_list: []\n", &Providers::from_env(), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("nothing to serve"), "{err}");
    }

    #[test]
    fn the_files_variable_wins_then_the_usual_sources() {
        let e = env(&[
            ("LITELLM_MASTER_KEY", "sk-master-1234"),
            ("MY_OPENAI_KEY", "sk-from-file-var-0001"),
            ("OPENAI_API_KEY", "sk-usual-0002"),
        ]);
        let l = load(EXPORTED, &Providers::from_env(), &e).unwrap();
        // The key the router would send to OpenAI with `env` as the environment.
        let sent = |env: HashMap<String, String>| {
            let p = providers_for(
                &l,
                Arc::new(EnvKeys::new(env.clone())),
                Arc::new(env),
                &ProviderConfig::default(),
            );
            let (ep, _) = p.resolve("openai/gpt-4o-mini").unwrap();
            ep.api_key.map(|k| k.expose_secret().to_owned())
        };
        assert_eq!(sent(e.clone()).as_deref(), Some("sk-from-file-var-0001"));
        // Unset: the provider's usual sources answer.
        let mut unset = e;
        unset.remove("MY_OPENAI_KEY");
        assert_eq!(sent(unset).as_deref(), Some("sk-usual-0002"));
    }
}
