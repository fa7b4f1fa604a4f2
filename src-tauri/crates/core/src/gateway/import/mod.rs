//! Importing gateway configs: a LiteLLM `config.yaml` or a Portkey config becomes
//! setups and provider settings, with a report of what was not understood. Keys
//! written into a file are never imported (the report says where they were).

pub mod litellm;
mod out;
mod portkey;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Format;
use crate::provider_config::ProviderConfig;
use crate::providers::Providers;
use crate::setups::Setup;

pub use litellm::{litellm_config, LitellmConfig};

/// What a config file became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Imported {
    pub format: Format,
    pub setups: Vec<Setup>,
    /// Base URLs of presets that differ from the default, and OpenAI-compatible
    /// servers as custom endpoints: to merge into the provider settings.
    pub providers: ProviderConfig,
    /// The variable each provider's key is read from in the file, by provider id.
    pub key_env: BTreeMap<String, String>,
    /// What was not understood, skipped or changed, each with where it was.
    pub notes: Vec<ImportNote>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportNote {
    /// `model_list[2] (chat)`, `router_settings.cooldown_time`, `targets[1]`.
    pub at: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not YAML / JSON at all: where and why.
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax {
        line: Option<usize>,
        message: String,
    },
    /// Parsed, but neither a LiteLLM config (`model_list`) nor a Portkey config
    /// (`targets`, `provider`, `strategy`).
    #[error("this is neither a LiteLLM config.yaml (no `model_list`) nor a Portkey config (no `targets` or `provider`)")]
    Unrecognized,
    /// Recognized, but nothing in it can be a setup.
    #[error("{0}")]
    Empty(String),
}

/// Reads `text` as a LiteLLM or Portkey config. `name` (the file's stem) names the
/// setup of a Portkey config, which has no alias of its own.
pub fn import(text: &str, name: &str, providers: &Providers) -> Result<Imported, ImportError> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    // JSON is YAML, but serde_json names JSON mistakes better (a missing comma, not
    // "did not find expected ',' or '}'").
    if body.starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(body).map_err(|e| syntax(e.line(), &e.to_string()))?;
        let serde_json::Value::Object(map) = &value else {
            return Err(ImportError::Unrecognized);
        };
        if is_portkey(map.keys()) {
            return portkey::import(&value, name, providers);
        }
        if map.contains_key("model_list") {
            return litellm::import(text, providers);
        }
        return Err(ImportError::Unrecognized);
    }
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(yaml_error)?;
    let serde_yaml_ng::Value::Mapping(map) = &value else {
        return Err(ImportError::Unrecognized);
    };
    if map.contains_key("model_list") {
        return litellm::import(text, providers);
    }
    if is_portkey(map.keys().filter_map(serde_yaml_ng::Value::as_str)) {
        // A Portkey config written as YAML: read it as the JSON it stands for.
        let json = serde_json::to_value(&value).map_err(|_| ImportError::Unrecognized)?;
        return portkey::import(&json, name, providers);
    }
    Err(ImportError::Unrecognized)
}

fn is_portkey<S: AsRef<str>>(mut keys: impl Iterator<Item = S>) -> bool {
    keys.any(|k| {
        matches!(
            k.as_ref(),
            "targets" | "provider" | "strategy" | "virtual_key"
        )
    })
}

/// A parse error, its position moved out of the message into `line`.
fn syntax(line: usize, message: &str) -> ImportError {
    ImportError::Syntax {
        line: (line > 0).then_some(line),
        message: strip_position(message),
    }
}

pub(crate) fn yaml_error(e: serde_yaml_ng::Error) -> ImportError {
    syntax(e.location().map_or(0, |l| l.line()), &e.to_string())
}

/// `expected value at line 3 column 5` → `expected value`; the line is reported apart
/// (and libyaml's second position, of the enclosing mapping, would only confuse).
fn strip_position(message: &str) -> String {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        rest = &rest[at + " at line ".len()..];
        rest = &rest[digits(rest)..];
        if let Some(after) = rest.strip_prefix(" column ") {
            rest = &after[digits(after)..];
        }
    }
    out.push_str(rest);
    out
}
