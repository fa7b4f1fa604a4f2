//! A target: one model, with its own parameter overrides.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Params;

/// One column of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Target {
    /// `provider/model`, as LiteLLM writes it: `openai/gpt-4o`,
    /// `openrouter/meta-llama/llama-3.3-70b-instruct`, or `<custom endpoint>/<model>`.
    pub model: String,
    /// Overrides laid over the request's params.
    #[serde(default)]
    pub params: Params,
}

impl Target {
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            params: Params::default(),
        }
    }
}

/// A model id split into its provider prefix and the provider's own model name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelId<'a> {
    pub provider: &'a str,
    pub model: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model id `{0}` is not `provider/model` (e.g. openai/gpt-4o)")]
pub struct ModelIdError(pub String);

impl<'a> ModelId<'a> {
    /// Splits at the first `/`: `openrouter/meta-llama/x` → (`openrouter`, `meta-llama/x`).
    pub fn parse(id: &'a str) -> Result<Self, ModelIdError> {
        match id.split_once('/') {
            Some((p, m)) if !p.is_empty() && !m.is_empty() => Ok(Self {
                provider: p,
                model: m,
            }),
            _ => Err(ModelIdError(id.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_slash() {
        let id = ModelId::parse("openrouter/meta-llama/llama-3.3-70b-instruct").unwrap();
        assert_eq!(id.provider, "openrouter");
        assert_eq!(id.model, "meta-llama/llama-3.3-70b-instruct");
        assert!(ModelId::parse("gpt-4o").is_err());
        assert!(ModelId::parse("openai/").is_err());
    }
}
