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
    /// No usage came back; estimated by [`Usage::estimate`].
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
/// - `cache_write_tokens` ⊆ input: written to a prompt cache (Anthropic).
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

/// Characters per token assumed by [`Usage::estimate`]: the usual rule of thumb for
/// English with BPE tokenizers. Rough on purpose; a real tokenizer may replace it.
pub const CHARS_PER_TOKEN: usize = 4;

impl Usage {
    /// Estimated usage when the provider sent none: `ceil(chars / 4)` for the prompt and
    /// for the answer (text + reasoning), marked [`UsageSource::Estimated`].
    pub fn estimate(prompt_chars: usize, output_chars: usize, reasoning_chars: usize) -> Self {
        let tokens = |chars: usize| chars.div_ceil(CHARS_PER_TOKEN) as u64;
        let reasoning = tokens(reasoning_chars);
        Self {
            input_tokens: tokens(prompt_chars),
            output_tokens: tokens(output_chars) + reasoning,
            reasoning_tokens: reasoning,
            source: UsageSource::Estimated,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_rounds_up_and_is_marked() {
        let u = Usage::estimate(9, 4, 1);
        assert_eq!(u.input_tokens, 3);
        assert_eq!(u.output_tokens, 2);
        assert_eq!(u.reasoning_tokens, 1);
        assert_eq!(u.source, UsageSource::Estimated);
    }

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
