//! OpenRouter's own prices, from its public model list (`GET {base}/models`, no key).
//!
//! OpenRouter prices many models LiteLLM's map does not know, and its own prices are the
//! ones it bills. Prices are decimal strings in USD per token, read exactly; `"-1"` means
//! variable or unknown (`openrouter/auto`), so such a model stays unpriced rather than
//! being priced wrong. The raw `data` array is saved as `prices/openrouter.json` so the
//! prices survive restarts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::entry::{decimal, PriceEntry, Rates};
use super::refresh::{download, prices_dir, write_atomic, Download, RefreshError};

/// OpenRouter's API base; its model list is public.
pub const OPENROUTER_BASE_URL: &str = "https://openrouter.ai/api/v1";

/// The saved list's file name inside [`prices_dir`].
pub const OPENROUTER_FILE: &str = "openrouter.json";

const WHAT: &str = "OpenRouter's model list";

fn openrouter_path(data_dir: &Path) -> PathBuf {
    prices_dir(data_dir).join(OPENROUTER_FILE)
}

/// OpenRouter's prices, keyed by its model id (`anthropic/claude-sonnet-4.5`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenRouterPrices {
    /// When the list was fetched, `YYYY-MM-DD`.
    pub fetched: String,
    /// Priced models only.
    pub entries: HashMap<String, PriceEntry>,
}

impl OpenRouterPrices {
    /// What a cost quotes as its price version.
    pub fn version(&self) -> String {
        format!("openrouter /models ({})", self.fetched)
    }
}

/// Reads a model list (`{"data":[…]}`, as served and as saved). Models without both a
/// prompt and a completion price are left out.
pub fn parse_models(json: &Value, fetched: &str) -> OpenRouterPrices {
    let entries = json
        .get("data")
        .and_then(Value::as_array)
        .map(|models| models.iter().filter_map(model_entry).collect())
        .unwrap_or_default();
    OpenRouterPrices {
        fetched: fetched.to_owned(),
        entries,
    }
}

fn model_entry(m: &Value) -> Option<(String, PriceEntry)> {
    let id = m.get("id").and_then(Value::as_str)?;
    let pricing = m.get("pricing")?;
    // `decimal` refuses negatives, so `"-1"` (variable price) reads as absent.
    let rate = |k: &str| pricing.get(k).and_then(decimal);
    let rates = Rates {
        input: Some(rate("prompt")?),
        output: Some(rate("completion")?),
        cache_read: rate("input_cache_read"),
        cache_write: rate("input_cache_write"),
        // A zero here means "billed as output", which is what no reasoning price means.
        reasoning: rate("internal_reasoning").filter(|r| !r.is_zero()),
        ..Rates::default()
    };
    let count = |v: Option<&Value>| v.and_then(Value::as_u64);
    let entry = PriceEntry {
        provider: "openrouter".into(),
        mode: Some("chat".into()),
        max_input_tokens: count(m.get("context_length")),
        max_output_tokens: count(
            m.get("top_provider")
                .and_then(|t| t.get("max_completion_tokens")),
        ),
        rates,
        supports_reasoning: m
            .get("supported_parameters")
            .and_then(Value::as_array)
            .is_some_and(|p| p.iter().any(|p| p.as_str() == Some("reasoning"))),
        ..PriceEntry::default()
    };
    Some((id.to_owned(), entry))
}

/// Fetches `{base_url}/models`, saves it to `prices/openrouter.json` and returns how
/// many models it prices. A list that prices nothing is refused like a broken download.
pub async fn fetch_openrouter(
    client: &reqwest::Client,
    base_url: &str,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<usize, RefreshError> {
    let url = format!("{}/models", base_url.trim_end_matches('/'));
    let Download::Body { bytes, .. } = download(client, &url, None, WHAT).await? else {
        // Unconditional requests never get a 304 through `download`.
        return Err(RefreshError::Status {
            what: WHAT,
            status: 304,
        });
    };
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| RefreshError::InvalidJson {
        what: WHAT,
        message: e.to_string(),
    })?;
    let Some(data) = body.get("data").filter(|d| d.is_array()) else {
        return Err(RefreshError::InvalidJson {
            what: WHAT,
            message: "no `data` list of models".into(),
        });
    };
    let fetched = now.format("%Y-%m-%d").to_string();
    let prices = parse_models(&body, &fetched);
    if prices.entries.is_empty() {
        return Err(RefreshError::TooFewModels {
            what: WHAT,
            models: 0,
            minimum: 1,
        });
    }
    let path = openrouter_path(data_dir);
    let file = json!({ "fetched": fetched, "url": url, "data": data });
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| RefreshError::Save {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write_atomic(&path, &bytes)?;
    Ok(prices.entries.len())
}

/// The saved OpenRouter prices, if the file is there, parses and prices something.
pub fn load_openrouter(data_dir: &Path) -> Option<OpenRouterPrices> {
    let text = std::fs::read_to_string(openrouter_path(data_dir)).ok()?;
    let file: Value = serde_json::from_str(&text).ok()?;
    let fetched = file.get("fetched").and_then(Value::as_str)?;
    let prices = parse_models(&file, fetched);
    (!prices.entries.is_empty()).then_some(prices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn sample() -> Value {
        json!({"data": [
            {"id": "anthropic/claude-sonnet-4.5", "context_length": 1000000,
             "pricing": {"prompt": "0.000003", "completion": "0.000015", "request": "0",
                         "image": "0.0048", "input_cache_read": "0.0000003",
                         "input_cache_write": "0.00000375", "internal_reasoning": "0"},
             "top_provider": {"max_completion_tokens": 64000},
             "supported_parameters": ["reasoning", "tools"]},
            {"id": "openrouter/auto", "context_length": 2000000,
             "pricing": {"prompt": "-1", "completion": "-1"}},
            {"id": "meta-llama/llama-3.3-70b-instruct:free", "context_length": 131072,
             "pricing": {"prompt": "0", "completion": "0", "request": "0", "image": "0"},
             "top_provider": {"max_completion_tokens": null}},
            {"id": "x/thinker", "context_length": 32768,
             "pricing": {"prompt": "1e-7", "completion": "0.0000004",
                         "internal_reasoning": "0.0000005"}},
            {"id": "no/pricing"}
        ]})
    }

    #[test]
    fn prices_are_read_exactly_with_cache_prices_and_limits() {
        let p = parse_models(&sample(), "2026-11-21");
        let e = &p.entries["anthropic/claude-sonnet-4.5"];
        assert_eq!(e.provider, "openrouter");
        assert_eq!(e.mode.as_deref(), Some("chat"));
        assert_eq!(e.rates.input, Some(d("0.000003")));
        assert_eq!(e.rates.output, Some(d("0.000015")));
        assert_eq!(e.rates.cache_read.unwrap().to_string(), "0.0000003");
        assert_eq!(e.rates.cache_write.unwrap().to_string(), "0.00000375");
        assert_eq!(e.rates.reasoning, None);
        assert_eq!(e.context_window(), Some(1_000_000));
        assert_eq!(e.max_output_tokens, Some(64_000));
        assert!(e.supports_reasoning);
        assert!(e.is_priced() && !e.is_free());
    }

    #[test]
    fn variable_prices_are_skipped_and_free_models_are_free() {
        let p = parse_models(&sample(), "2026-11-21");
        assert!(!p.entries.contains_key("openrouter/auto"));
        assert!(!p.entries.contains_key("no/pricing"));
        let free = &p.entries["meta-llama/llama-3.3-70b-instruct:free"];
        assert!(free.is_free());
        assert_eq!(free.max_output_tokens, None);
        assert_eq!(p.entries.len(), 3);
    }

    #[test]
    fn a_reasoning_price_is_kept_when_non_zero_and_scientific_strings_parse() {
        let p = parse_models(&sample(), "2026-11-21");
        let e = &p.entries["x/thinker"];
        assert_eq!(e.rates.input, Some(d("0.0000001")));
        assert_eq!(e.rates.reasoning, Some(d("0.0000005")));
    }

    #[test]
    fn version_names_the_fetch_date() {
        let p = parse_models(&json!({"data": []}), "2026-11-21");
        assert_eq!(p.version(), "openrouter /models (2026-11-21)");
        assert!(p.entries.is_empty());
    }
}
