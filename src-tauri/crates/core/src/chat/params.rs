//! Sampling and reasoning parameters, normalized across providers.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How hard a reasoning model should think. Mapped per provider: OpenAI's
/// `reasoning_effort`, OpenRouter's `reasoning.effort`, and a thinking budget for
/// Anthropic and Gemini (see [`ReasoningEffort::budget_tokens`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReasoningEffort {
    Low,
    Medium,
    High,
}

impl ReasoningEffort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// The thinking budget used for providers that take a budget, not an effort.
    pub fn budget_tokens(self) -> u32 {
        match self {
            Self::Low => 1024,
            Self::Medium => 8192,
            Self::High => 24576,
        }
    }
}

/// Every field is optional: unset means "the provider's default". A target's params are
/// laid over the request's with [`Params::overlay`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Params {
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub top_p: Option<f64>,
    /// Maximum output tokens (Anthropic requires one; 4096 is sent when unset).
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Stop sequences; empty = none.
    #[serde(default)]
    pub stop: Vec<String>,
    /// Sampling seed (OpenAI-compatible and Gemini; Anthropic has none).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub seed: Option<i64>,
    #[serde(default)]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Thinking budget in tokens (Anthropic `thinking.budget_tokens`, Gemini
    /// `thinkingBudget`, OpenRouter `reasoning.max_tokens`).
    #[serde(default)]
    pub thinking_budget: Option<u32>,
}

/// A `KEY=VALUE` that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("expected KEY=VALUE, got `{0}`")]
    NotKeyValue(String),
    #[error("unknown parameter `{0}` (known: temperature, top_p, max_tokens, stop, seed, reasoning_effort, thinking_budget)")]
    UnknownKey(String),
    #[error("bad value for {key}: `{value}` ({expected})")]
    BadValue {
        key: String,
        value: String,
        expected: &'static str,
    },
}

impl Params {
    /// `self` with every field `over` sets replacing ours.
    pub fn overlay(&self, over: &Params) -> Params {
        Params {
            temperature: over.temperature.or(self.temperature),
            top_p: over.top_p.or(self.top_p),
            max_tokens: over.max_tokens.or(self.max_tokens),
            stop: if over.stop.is_empty() {
                self.stop.clone()
            } else {
                over.stop.clone()
            },
            seed: over.seed.or(self.seed),
            reasoning_effort: over.reasoning_effort.or(self.reasoning_effort),
            thinking_budget: over.thinking_budget.or(self.thinking_budget),
        }
    }

    /// Sets one parameter from `KEY=VALUE` text. `stop` accumulates and splits on commas.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        let bad = |expected| ParamError::BadValue {
            key: key.to_owned(),
            value: value.to_owned(),
            expected,
        };
        match key.trim() {
            "temperature" => {
                self.temperature = Some(value.parse().map_err(|_| bad("a number"))?);
            }
            "top_p" => self.top_p = Some(value.parse().map_err(|_| bad("a number"))?),
            "max_tokens" | "max_output_tokens" | "max_completion_tokens" => {
                self.max_tokens = Some(value.parse().map_err(|_| bad("a whole number"))?);
            }
            "stop" => self.stop.extend(
                value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            ),
            "seed" => self.seed = Some(value.parse().map_err(|_| bad("an integer"))?),
            "reasoning_effort" => {
                self.reasoning_effort = Some(match value {
                    "low" => ReasoningEffort::Low,
                    "medium" => ReasoningEffort::Medium,
                    "high" => ReasoningEffort::High,
                    _ => return Err(bad("low, medium or high")),
                });
            }
            "thinking_budget" => {
                self.thinking_budget = Some(value.parse().map_err(|_| bad("a whole number"))?);
            }
            other => return Err(ParamError::UnknownKey(other.to_owned())),
        }
        Ok(())
    }

    /// Parses `KEY=VALUE`.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), ParamError> {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| ParamError::NotKeyValue(pair.to_owned()))?;
        self.set(k, v)
    }

    /// The thinking budget asked for, directly or through an effort.
    pub fn effective_thinking_budget(&self) -> Option<u32> {
        self.thinking_budget
            .or(self.reasoning_effort.map(ReasoningEffort::budget_tokens))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_prefers_the_target() {
        let base = Params {
            temperature: Some(1.0),
            max_tokens: Some(10),
            ..Params::default()
        };
        let over = Params {
            temperature: Some(0.2),
            ..Params::default()
        };
        let got = base.overlay(&over);
        assert_eq!(got.temperature, Some(0.2));
        assert_eq!(got.max_tokens, Some(10));
    }

    #[test]
    fn set_parses_every_key() {
        let mut p = Params::default();
        for kv in [
            "temperature=0.5",
            "top_p=0.9",
            "max_tokens=100",
            "stop=a,b",
            "stop=c",
            "seed=7",
            "reasoning_effort=high",
            "thinking_budget=2048",
        ] {
            p.set_pair(kv).unwrap();
        }
        assert_eq!(p.stop, vec!["a", "b", "c"]);
        assert_eq!(p.reasoning_effort, Some(ReasoningEffort::High));
        assert_eq!(p.seed, Some(7));
        assert!(p.set_pair("bogus=1").is_err());
        assert!(p.set_pair("temperature=hot").is_err());
        assert!(p.set_pair("temperature").is_err());
    }
}
