//! Token usage, normalized ONE way for every provider.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the numbers came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UsageSource {
    /// The provider reported them.
    #[default]
    Reported,
    /// No usage came back; counted with a tokenizer (`prices::tokens::estimate_usage`).
    Estimated,
}

/// Token counts of one answer.
///
/// The convention is OpenAI's (and LiteLLM's, which the cost code agrees with):
///
/// - `input_tokens` = ALL prompt tokens, including cached reads and cache writes.
///   Anthropic reports those three apart, so its input is
///   `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`.
/// - `cached_input_tokens` ⊆ input: read from a prompt cache.
/// - `cache_write_tokens` ⊆ input: written to a prompt cache (Anthropic), of which
///   `cache_write_1h_tokens` with the 1-hour TTL.
/// - `output_tokens` = ALL completion tokens, including reasoning. Gemini reports
///   thoughts apart, so its output is `candidatesTokenCount + thoughtsTokenCount`.
/// - `reasoning_tokens` ⊆ output (0 when the provider does not say; Anthropic counts
///   thinking inside `output_tokens` without a breakdown).
///
/// In streams, Anthropic's `output_tokens` is a running total and Gemini's
/// `usageMetadata` is cumulative: the LAST value is the answer's usage, never a sum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Usage {
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub cached_input_tokens: u64,
    #[ts(type = "number")]
    pub cache_write_tokens: u64,
    /// ⊆ cache_write_tokens: written with the 1-hour TTL (Anthropic), billed at its own rate.
    #[serde(default)]
    #[ts(type = "number")]
    pub cache_write_1h_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    #[ts(type = "number")]
    pub reasoning_tokens: u64,
    pub source: UsageSource,
    /// The cost the provider itself reported, in USD (OpenRouter's `usage.cost`),
    /// as a decimal string.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub cost_usd: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_serializes_as_a_string() {
        let u = Usage {
            cost_usd: Some(Decimal::new(123, 5)),
            ..Usage::default()
        };
        let v = serde_json::to_value(&u).unwrap();
        assert_eq!(v["cost_usd"], "0.00123");
        assert_eq!(v["source"], "reported");
    }
}
