//! What one answer cost, in exact decimals, by LiteLLM's rules.
//!
//! The reference is LiteLLM's `cost_per_token` (`generic_cost_per_token` and the
//! per-provider wrappers around it); a CI test compares every chat model of the bundled
//! snapshot against the pinned `litellm` package. The rules, for text chat:
//!
//! - The prompt count includes cached reads and cache writes; only the rest is billed at
//!   the input rate. Cache reads are billed at the cache-read rate, cache writes at the
//!   5-minute or 1-hour write rate. A missing cache rate means "billed as input".
//! - Reasoning tokens are inside the output count and billed at the output rate unless
//!   the model has a reasoning price (xAI: always at the output rate).
//! - Long-context tiers: once the prompt passes a threshold (`> 200k`; xAI: `>=`), every
//!   token of the request is billed at the tier's rates. Rates a tier does not give keep
//!   their value from below; the reasoning price is not tiered.
//! - Off-peak windows (DeepSeek) replace the rates while open.
//! - Fireworks models without a cache-read price read cache at half the input rate.
//!
//! Not applied, because Switchboard sends standard-tier text requests: service tiers
//! (`_flex`, `_priority`, `_batches` prices), OpenAI data-residency and Vertex regional
//! uplifts, Anthropic's `provider_specific_entry` geo and speed multipliers, per-request,
//! image and audio prices.

use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::entry::{OffPeak, PriceEntry};
use crate::chat::Usage;

/// Token counts, in the convention of OpenAI and LiteLLM (see [`Usage`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    /// Every prompt token, cached and cache-written included.
    pub input: u64,
    /// ⊆ input: read from the cache.
    pub cached_input: u64,
    /// ⊆ input: written to the cache (both TTLs).
    pub cache_write: u64,
    /// ⊆ cache_write: written with the 1-hour TTL.
    pub cache_write_1h: u64,
    /// Every completion token, reasoning included.
    pub output: u64,
    /// ⊆ output.
    pub reasoning: u64,
}

impl From<&Usage> for TokenCounts {
    fn from(u: &Usage) -> Self {
        Self {
            input: u.input_tokens,
            cached_input: u.cached_input_tokens,
            cache_write: u.cache_write_tokens,
            cache_write_1h: u.cache_write_1h_tokens.min(u.cache_write_tokens),
            output: u.output_tokens,
            reasoning: u.reasoning_tokens,
        }
    }
}

/// The per-token rates a request was billed at, after tiers and off-peak windows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BilledRates {
    #[ts(type = "string")]
    pub input: Decimal,
    #[ts(type = "string")]
    pub cached_input: Decimal,
    #[ts(type = "string")]
    pub cache_write: Decimal,
    #[ts(type = "string")]
    pub cache_write_1h: Decimal,
    #[ts(type = "string")]
    pub output: Decimal,
    #[ts(type = "string")]
    pub reasoning: Decimal,
}

/// What each kind of token cost, in USD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CostBreakdown {
    /// Uncached input.
    #[ts(type = "string")]
    pub input_usd: Decimal,
    #[ts(type = "string")]
    pub cached_input_usd: Decimal,
    /// Both TTLs.
    #[ts(type = "string")]
    pub cache_write_usd: Decimal,
    /// Output other than reasoning.
    #[ts(type = "string")]
    pub output_usd: Decimal,
    #[ts(type = "string")]
    pub reasoning_usd: Decimal,
    /// The long-context tier the request was billed at (its threshold), if any.
    #[ts(type = "number | null")]
    pub tier_above: Option<u64>,
    /// Billed at off-peak rates.
    pub off_peak: bool,
    pub rates: BilledRates,
}

impl CostBreakdown {
    /// Everything on the prompt side (LiteLLM's `prompt_cost`).
    pub fn prompt_usd(&self) -> Decimal {
        self.input_usd + self.cached_input_usd + self.cache_write_usd
    }

    /// Everything on the completion side (LiteLLM's `completion_cost`).
    pub fn completion_usd(&self) -> Decimal {
        self.output_usd + self.reasoning_usd
    }

    pub fn total_usd(&self) -> Decimal {
        self.prompt_usd() + self.completion_usd()
    }
}

/// Fireworks bills cache reads at half the input rate when it publishes no cache price
/// (LiteLLM's `FIREWORKS_AI_DEFAULT_CACHE_READ_RATE_RATIO`).
const FIREWORKS_CACHE_READ_RATIO: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

/// The cost of `t` tokens on `entry` at time `at` (for off-peak windows). `None` when the
/// entry does not price both input and output: an unknown price is never zero.
pub fn compute(entry: &PriceEntry, t: TokenCounts, at: DateTime<Utc>) -> Option<CostBreakdown> {
    let r = &entry.rates;
    let mut input = r.input?;
    let mut output = r.output?;
    if output.is_zero() {
        if let Some(image) = r.output_image {
            output = image;
        }
    }
    let fireworks = entry.provider == "fireworks_ai" && r.cache_read.is_none();
    let mut cache_read = r.cache_read;
    if fireworks {
        cache_read = Some(input * FIREWORKS_CACHE_READ_RATIO);
    }
    let mut cache_write = r.cache_write;
    let mut cache_write_1h = r.cache_write_1h;

    // Long-context tiers, lowest first: each one crossed overrides what it prices.
    let inclusive = entry.provider == "xai";
    let mut tier_above = None;
    for tier in &entry.tiers {
        let crossed = t.input > tier.threshold || (inclusive && t.input == tier.threshold);
        if !crossed {
            continue;
        }
        tier_above = Some(tier.threshold);
        input = tier.input.unwrap_or(input);
        output = tier.output.unwrap_or(output);
        cache_write = tier.cache_write.or(cache_write);
        cache_write_1h = tier.cache_write_1h.or(cache_write_1h);
        cache_read = tier.cache_read.or(cache_read);
    }

    // Off-peak rates replace the standard ones while a window is open.
    let off_peak = entry
        .off_peak
        .as_ref()
        .filter(|op| is_open(op, at))
        .map(|op| fireworks_off_peak(op, fireworks.then_some(cache_read).flatten()));
    let op = off_peak.as_ref();
    // A missing cache price is billed as input (at the off-peak input rate if open).
    let input_for_missing = op.and_then(|o| o.input).unwrap_or(input);
    let cache_read = op
        .and_then(|o| o.cache_read)
        .unwrap_or(cache_read.unwrap_or(input_for_missing));
    let cache_write = op
        .and_then(|o| o.cache_write)
        .unwrap_or(cache_write.unwrap_or(input_for_missing));
    let cache_write_1h = cache_write_1h.unwrap_or(cache_write);
    let input = op.and_then(|o| o.input).unwrap_or(input);
    let output = op.and_then(|o| o.output).unwrap_or(output);
    let reasoning = if entry.provider == "xai" {
        output
    } else {
        op.and_then(|o| o.reasoning)
            .or(r.reasoning)
            .unwrap_or(output)
    };

    let d = Decimal::from;
    let write_5m = t.cache_write.saturating_sub(t.cache_write_1h);
    let uncached = t
        .input
        .saturating_sub(t.cached_input)
        .saturating_sub(t.cache_write);
    let (text_out, reasoning_out) = if entry.provider == "xai" {
        (t.output, 0)
    } else {
        (t.output.saturating_sub(t.reasoning), t.reasoning)
    };
    // Normalized: `0.04875`, not `0.04875000` (exact either way).
    Some(CostBreakdown {
        input_usd: (d(uncached) * input).normalize(),
        cached_input_usd: (d(t.cached_input) * cache_read).normalize(),
        cache_write_usd: (d(write_5m) * cache_write + d(t.cache_write_1h) * cache_write_1h)
            .normalize(),
        output_usd: (d(text_out) * output).normalize(),
        reasoning_usd: (d(reasoning_out) * reasoning).normalize(),
        tier_above,
        off_peak: off_peak.is_some(),
        rates: BilledRates {
            input: input.normalize(),
            cached_input: cache_read.normalize(),
            cache_write: cache_write.normalize(),
            cache_write_1h: cache_write_1h.normalize(),
            output: output.normalize(),
            reasoning: reasoning.normalize(),
        },
    })
}

/// Fireworks' half-price cache default (`defaulted`, when it applies) carries into the
/// off-peak block too, unless the block names its own cache price: half the off-peak
/// input rate, or the default itself.
fn fireworks_off_peak(op: &OffPeak, defaulted: Option<Decimal>) -> OffPeak {
    let mut op = op.clone();
    if let Some(default) = defaulted {
        if op.cache_read.is_none() {
            op.cache_read = Some(op.input.map_or(default, |i| i * FIREWORKS_CACHE_READ_RATIO));
        }
    }
    op
}

/// Whether an off-peak window is open at `at` (UTC).
pub fn is_open(op: &OffPeak, at: DateTime<Utc>) -> bool {
    let minute = (at.hour() * 60 + at.minute()) as u16;
    let weekday = at.weekday().number_from_monday() as u8;
    op.hours.iter().any(|w| w.contains(minute))
        || op.rules.iter().any(|rule| {
            rule.weekdays.as_ref().is_none_or(|d| d.contains(&weekday))
                && rule.hours.iter().any(|w| w.contains(minute))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::entry::PriceEntry;
    use chrono::TimeZone;
    use serde_json::json;

    fn entry(v: serde_json::Value) -> PriceEntry {
        PriceEntry::from_json(v.as_object().unwrap())
    }

    fn noon() -> DateTime<Utc> {
        // A Wednesday.
        Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap()
    }

    fn usd(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn sonnet() -> PriceEntry {
        entry(json!({
            "litellm_provider": "anthropic",
            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
            "cache_read_input_token_cost": 3e-07,
            "cache_creation_input_token_cost": 3.75e-06,
            "cache_creation_input_token_cost_above_1hr": 6e-06,
            "input_cost_per_token_above_200k_tokens": 6e-06,
            "output_cost_per_token_above_200k_tokens": 2.25e-05,
            "cache_read_input_token_cost_above_200k_tokens": 6e-07,
            "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06
        }))
    }

    #[test]
    fn plain_tokens_cost_exactly() {
        let t = TokenCounts {
            input: 1000,
            output: 500,
            ..Default::default()
        };
        let c = compute(&sonnet(), t, noon()).unwrap();
        assert_eq!(c.input_usd, usd("0.003"));
        assert_eq!(c.output_usd, usd("0.0075"));
        assert_eq!(c.total_usd(), usd("0.0105"));
        assert_eq!(c.tier_above, None);
    }

    #[test]
    fn cached_and_cache_writes_are_inside_the_input_count() {
        let t = TokenCounts {
            input: 10_000,
            cached_input: 6_000,
            cache_write: 3_000,
            cache_write_1h: 1_000,
            output: 100,
            reasoning: 0,
        };
        let c = compute(&sonnet(), t, noon()).unwrap();
        // 1,000 uncached at 3e-6; 6,000 read at 3e-7; 2,000 5m writes at 3.75e-6 + 1,000 1h at 6e-6.
        assert_eq!(c.input_usd, usd("0.003"));
        assert_eq!(c.cached_input_usd, usd("0.0018"));
        assert_eq!(c.cache_write_usd, usd("0.0135"));
    }

    #[test]
    fn above_the_threshold_the_whole_request_is_billed_at_the_tier() {
        let t = TokenCounts {
            input: 200_001,
            cached_input: 1,
            output: 10,
            ..Default::default()
        };
        let c = compute(&sonnet(), t, noon()).unwrap();
        assert_eq!(c.tier_above, Some(200_000));
        assert_eq!(c.input_usd, usd("1.2"));
        assert_eq!(c.cached_input_usd, usd("0.0000006"));
        assert_eq!(c.output_usd, usd("0.000225"));
        // Exactly at the threshold: not above.
        let at = TokenCounts {
            input: 200_000,
            ..Default::default()
        };
        assert_eq!(compute(&sonnet(), at, noon()).unwrap().tier_above, None);
    }

    #[test]
    fn reasoning_is_output_unless_it_has_its_own_price() {
        let t = TokenCounts {
            input: 0,
            output: 1000,
            reasoning: 400,
            ..Default::default()
        };
        let c = compute(&sonnet(), t, noon()).unwrap();
        assert_eq!(c.output_usd + c.reasoning_usd, usd("0.015"));
        let own = entry(json!({
            "litellm_provider": "gemini", "input_cost_per_token": 1e-07,
            "output_cost_per_token": 4e-07, "output_cost_per_reasoning_token": 3.5e-06
        }));
        let c = compute(&own, t, noon()).unwrap();
        assert_eq!(c.output_usd, usd("0.00024"));
        assert_eq!(c.reasoning_usd, usd("0.0014"));
    }

    #[test]
    fn xai_tiers_are_inclusive_and_reasoning_is_output() {
        let grok = entry(json!({
            "litellm_provider": "xai", "input_cost_per_token": 2e-07,
            "output_cost_per_token": 5e-07, "output_cost_per_reasoning_token": 9e-06,
            "input_cost_per_token_above_128k_tokens": 4e-07
        }));
        let t = TokenCounts {
            input: 128_000,
            output: 10,
            reasoning: 5,
            ..Default::default()
        };
        let c = compute(&grok, t, noon()).unwrap();
        assert_eq!(c.tier_above, Some(128_000));
        assert_eq!(c.reasoning_usd, Decimal::ZERO);
        assert_eq!(c.output_usd, usd("0.000005"));
    }

    #[test]
    fn missing_cache_prices_bill_as_input_and_fireworks_reads_at_half() {
        let plain = entry(json!({
            "litellm_provider": "mistral", "input_cost_per_token": 2e-06, "output_cost_per_token": 6e-06
        }));
        let t = TokenCounts {
            input: 100,
            cached_input: 100,
            ..Default::default()
        };
        assert_eq!(
            compute(&plain, t, noon()).unwrap().cached_input_usd,
            usd("0.0002")
        );
        let mut fw = plain.clone();
        fw.provider = "fireworks_ai".into();
        assert_eq!(
            compute(&fw, t, noon()).unwrap().cached_input_usd,
            usd("0.0001")
        );
    }

    #[test]
    fn off_peak_prices_apply_inside_the_window_only() {
        let ds = entry(json!({
            "litellm_provider": "deepseek", "input_cost_per_token": 6.6e-07,
            "output_cost_per_token": 1.98e-06, "cache_read_input_token_cost": 5.5e-08,
            "off_peak_pricing": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07,
                "windows": [{"hours_utc": ["00:00-01:00"], "weekdays": [1, 2, 3, 4, 5]},
                            {"hours_utc": "00:00-00:00", "weekdays": [6, 7]}]}
        }));
        let t = TokenCounts {
            input: 1000,
            output: 1000,
            ..Default::default()
        };
        let day = compute(&ds, t, noon()).unwrap();
        assert!(!day.off_peak);
        assert_eq!(day.total_usd(), usd("0.00264"));
        let night = Utc.with_ymd_and_hms(2026, 11, 18, 0, 30, 0).unwrap();
        let c = compute(&ds, t, night).unwrap();
        assert!(c.off_peak);
        assert_eq!(c.total_usd(), usd("0.00075"));
        let saturday = Utc.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap();
        assert!(compute(&ds, t, saturday).unwrap().off_peak);
    }

    #[test]
    fn no_price_means_no_cost_not_zero() {
        let half = entry(json!({"input_cost_per_token": 1e-06}));
        assert_eq!(compute(&half, TokenCounts::default(), noon()), None);
    }
}
