//! One model's prices, read from an entry of LiteLLM's model price map.
//!
//! The map's numbers are JSON floats in USD per token (`3e-06`). Each is turned into a
//! [`Decimal`] through its shortest round-trip decimal form, which is exactly the text
//! the map was written with, so `3e-06` becomes `0.000003` and never `0.00000299999…`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// USD per token for each kind of token; `None` where the map gives no price.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rates {
    pub input: Option<Decimal>,
    pub output: Option<Decimal>,
    /// Cache read (cached input).
    pub cache_read: Option<Decimal>,
    /// Cache write, 5-minute TTL (the default).
    pub cache_write: Option<Decimal>,
    /// Cache write, 1-hour TTL (Anthropic's `cache_creation_input_token_cost_above_1hr`).
    pub cache_write_1h: Option<Decimal>,
    /// Reasoning tokens, when the model bills them apart from output.
    pub reasoning: Option<Decimal>,
    /// Output image tokens: LiteLLM bills output at this rate when the output rate is 0.
    pub output_image: Option<Decimal>,
}

/// A long-context tier: once the prompt has more than `threshold` tokens, the WHOLE
/// request is billed at these rates (the ones given; the others stay as they were).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tier {
    pub threshold: u64,
    pub input: Option<Decimal>,
    pub output: Option<Decimal>,
    pub cache_read: Option<Decimal>,
    pub cache_write: Option<Decimal>,
    pub cache_write_1h: Option<Decimal>,
}

/// A daily window in UTC, minutes since midnight; start inclusive, end exclusive. A
/// window whose start equals its end covers the whole day; one with `start > end`
/// wraps past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: u16,
    pub end: u16,
}

impl Window {
    fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.split_once('-')?;
        let minutes = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        Some(Self {
            start: minutes(a)?,
            end: minutes(b)?,
        })
    }

    pub fn contains(&self, minute: u16) -> bool {
        if self.start < self.end {
            self.start <= minute && minute < self.end
        } else {
            minute >= self.start || minute < self.end
        }
    }
}

/// Windows that apply on some weekdays only (ISO numbers, Monday = 1), read in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekdayRule {
    pub hours: Vec<Window>,
    /// `None`: every day.
    pub weekdays: Option<Vec<u8>>,
}

/// Discounted rates while an off-peak window is open (DeepSeek's night prices).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffPeak {
    pub input: Option<Decimal>,
    pub output: Option<Decimal>,
    pub cache_read: Option<Decimal>,
    pub cache_write: Option<Decimal>,
    pub reasoning: Option<Decimal>,
    /// Windows that apply every day.
    pub hours: Vec<Window>,
    pub rules: Vec<WeekdayRule>,
}

/// Everything Switchboard reads from one entry of the map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceEntry {
    /// LiteLLM's `litellm_provider` (`openai`, `anthropic`, `gemini`…).
    pub provider: String,
    /// `chat`, `embedding`… (only chat entries are kept).
    pub mode: Option<String>,
    pub max_input_tokens: Option<u64>,
    pub max_output_tokens: Option<u64>,
    pub rates: Rates,
    /// Ascending by threshold.
    pub tiers: Vec<Tier>,
    pub off_peak: Option<OffPeak>,
    pub supports_reasoning: bool,
}

impl PriceEntry {
    /// Whether the entry prices both input and output. An entry that does not is treated
    /// as unpriced: a missing price never becomes $0.
    pub fn is_priced(&self) -> bool {
        self.rates.input.is_some() && self.rates.output.is_some()
    }

    /// Priced, and every rate it has is zero (local models, `:free` models).
    pub fn is_free(&self) -> bool {
        self.is_priced()
            && [
                self.rates.input,
                self.rates.output,
                self.rates.cache_read,
                self.rates.cache_write,
                self.rates.cache_write_1h,
                self.rates.reasoning,
            ]
            .iter()
            .flatten()
            .all(|r| r.is_zero())
            && self.tiers.is_empty()
    }

    /// The context window: `max_input_tokens`, the one LiteLLM uses for the prompt.
    pub fn context_window(&self) -> Option<u64> {
        self.max_input_tokens
    }

    /// Reads one entry of the map. Unknown fields are ignored; a price that is not a
    /// number is treated as absent.
    pub fn from_json(entry: &Map<String, Value>) -> Self {
        let rate = |k: &str| entry.get(k).and_then(decimal);
        let mut tiers: BTreeMap<u64, Tier> = BTreeMap::new();
        for (key, value) in entry {
            let Some((field, threshold)) = tier_key(key) else {
                continue;
            };
            let Some(v) = decimal(value) else { continue };
            let tier = tiers.entry(threshold).or_insert_with(|| Tier {
                threshold,
                ..Tier::default()
            });
            match field {
                "input_cost_per_token" => tier.input = Some(v),
                "output_cost_per_token" => tier.output = Some(v),
                "cache_read_input_token_cost" => tier.cache_read = Some(v),
                "cache_creation_input_token_cost" => tier.cache_write = Some(v),
                "cache_creation_input_token_cost_above_1hr" => tier.cache_write_1h = Some(v),
                _ => {}
            }
        }
        Self {
            provider: entry
                .get("litellm_provider")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            mode: entry.get("mode").and_then(Value::as_str).map(str::to_owned),
            max_input_tokens: entry.get("max_input_tokens").and_then(count),
            max_output_tokens: entry.get("max_output_tokens").and_then(count),
            rates: Rates {
                input: rate("input_cost_per_token"),
                output: rate("output_cost_per_token"),
                cache_read: rate("cache_read_input_token_cost"),
                cache_write: rate("cache_creation_input_token_cost"),
                cache_write_1h: rate("cache_creation_input_token_cost_above_1hr"),
                reasoning: rate("output_cost_per_reasoning_token"),
                output_image: rate("output_cost_per_image_token"),
            },
            tiers: tiers.into_values().collect(),
            off_peak: entry
                .get("off_peak_pricing")
                .and_then(Value::as_object)
                .map(off_peak),
            supports_reasoning: entry
                .get("supports_reasoning")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

/// The rate fields that may carry a long-context tier.
const TIER_FIELDS: [&str; 5] = [
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "cache_creation_input_token_cost",
];

/// `input_cost_per_token_above_200k_tokens` → (`input_cost_per_token`, 200000). Keys of
/// other service tiers (`…_tokens_priority`, `…_tokens_batches`) are not standard prices
/// and return `None`.
pub fn tier_key(key: &str) -> Option<(&'static str, u64)> {
    let rest = key.strip_suffix("_tokens")?;
    let (field, threshold) = rest.rsplit_once("_above_")?;
    let field = TIER_FIELDS.iter().find(|f| **f == field)?;
    let threshold = match threshold.strip_suffix('k') {
        Some(k) => k.parse::<u64>().ok()?.checked_mul(1000)?,
        None => threshold.parse().ok()?,
    };
    Some((field, threshold))
}

/// A JSON number (or numeric string, as in a YAML config) as an exact decimal.
pub fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        // Display of f64 is its shortest round-trip form without exponent: the text the
        // map was written with.
        Value::Number(n) => {
            let f = n.as_f64().filter(|f| f.is_finite() && *f >= 0.0)?;
            f.to_string().parse().ok()
        }
        Value::String(s) => {
            let d = s
                .trim()
                .parse::<Decimal>()
                .ok()
                .or_else(|| Decimal::from_scientific(s.trim()).ok())?;
            (!d.is_sign_negative()).then_some(d)
        }
        _ => None,
    }
}

fn count(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

fn windows(v: Option<&Value>) -> Vec<Window> {
    match v {
        Some(Value::String(s)) => Window::parse(s).into_iter().collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .filter_map(Window::parse)
            .collect(),
        _ => Vec::new(),
    }
}

fn weekday(v: &Value) -> Option<u8> {
    match v {
        Value::Number(n) => n.as_u64().filter(|d| (1..=7).contains(d)).map(|d| d as u8),
        Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            days.iter()
                .position(|d| s.starts_with(d))
                .map(|i| i as u8 + 1)
        }
        _ => None,
    }
}

fn off_peak(o: &Map<String, Value>) -> OffPeak {
    let rate = |k: &str| o.get(k).and_then(decimal);
    let rules = o
        .get("windows")
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .filter_map(Value::as_object)
                .map(|r| WeekdayRule {
                    hours: windows(r.get("hours_utc")),
                    weekdays: r
                        .get("weekdays")
                        .and_then(Value::as_array)
                        .map(|d| d.iter().filter_map(weekday).collect()),
                })
                .filter(|r| !r.hours.is_empty())
                .collect()
        })
        .unwrap_or_default();
    OffPeak {
        input: rate("input_cost_per_token"),
        output: rate("output_cost_per_token"),
        cache_read: rate("cache_read_input_token_cost"),
        cache_write: rate("cache_creation_input_token_cost"),
        reasoning: rate("output_cost_per_reasoning_token"),
        hours: windows(o.get("hours_utc")),
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(v: Value) -> PriceEntry {
        PriceEntry::from_json(v.as_object().unwrap())
    }

    #[test]
    fn floats_become_the_decimals_they_were_written_as() {
        let e = entry(json!({
            "litellm_provider": "openai", "mode": "chat",
            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
            "cache_read_input_token_cost": 3e-09, "max_input_tokens": 128000
        }));
        assert_eq!(e.rates.input.unwrap().to_string(), "0.000003");
        assert_eq!(e.rates.output.unwrap().to_string(), "0.000015");
        assert_eq!(e.rates.cache_read.unwrap().to_string(), "0.000000003");
        assert_eq!(e.context_window(), Some(128000));
        assert!(e.is_priced() && !e.is_free());
    }

    #[test]
    fn tiers_are_collected_and_sorted_and_other_service_tiers_ignored() {
        let e = entry(json!({
            "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
            "input_cost_per_token_above_272k_tokens": 3e-06,
            "input_cost_per_token_above_128k_tokens": 2e-06,
            "output_cost_per_token_above_128k_tokens": 4e-06,
            "cache_creation_input_token_cost_above_1hr_above_128k_tokens": 5e-06,
            "input_cost_per_token_above_200k_tokens_priority": 9e-06,
            "input_cost_per_token_above_200k_tokens_batches": 9e-06
        }));
        let thresholds: Vec<u64> = e.tiers.iter().map(|t| t.threshold).collect();
        assert_eq!(thresholds, [128_000, 272_000]);
        assert_eq!(e.tiers[0].output.unwrap().to_string(), "0.000004");
        assert_eq!(e.tiers[0].cache_write_1h.unwrap().to_string(), "0.000005");
        assert_eq!(e.tiers[0].cache_write, None);
    }

    #[test]
    fn a_missing_price_is_unpriced_never_zero() {
        let e = entry(json!({"input_cost_per_token": 1e-06, "mode": "chat"}));
        assert!(!e.is_priced());
        assert!(!e.is_free());
        let free = entry(json!({"input_cost_per_token": 0.0, "output_cost_per_token": 0}));
        assert!(free.is_priced() && free.is_free());
        let junk = entry(json!({"input_cost_per_token": "n/a", "output_cost_per_token": -1}));
        assert!(!junk.is_priced());
    }

    #[test]
    fn off_peak_windows_parse() {
        let e = entry(json!({"off_peak_pricing": {
            "input_cost_per_token": 1.5e-07,
            "windows": [
                {"hours_utc": ["00:00-01:00", "10:00-00:00"], "weekdays": [1, 2, 3, 4, 5]},
                {"hours_utc": "00:00-00:00", "weekdays": ["sat", "Sunday"]}
            ]
        }}));
        let op = e.off_peak.unwrap();
        assert_eq!(op.rules.len(), 2);
        assert_eq!(op.rules[1].weekdays, Some(vec![6, 7]));
        let late = op.rules[0].hours[1];
        assert!(late.contains(23 * 60 + 59) && late.contains(600) && !late.contains(599));
        assert!(op.rules[1].hours[0].contains(0) && op.rules[1].hours[0].contains(1439));
    }

    #[test]
    fn tier_keys() {
        assert_eq!(
            tier_key("input_cost_per_token_above_200k_tokens"),
            Some(("input_cost_per_token", 200_000))
        );
        assert_eq!(
            tier_key("cache_creation_input_token_cost_above_1hr_above_100k_tokens"),
            Some(("cache_creation_input_token_cost_above_1hr", 100_000))
        );
        assert_eq!(tier_key("cache_creation_input_token_cost_above_1hr"), None);
        assert_eq!(
            tier_key("input_cost_per_token_above_200k_tokens_flex"),
            None
        );
    }
}
