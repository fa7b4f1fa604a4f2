//! Your prices: the user's own price for a model (a negotiated rate, a self-hosted
//! model, a custom endpoint the catalog cannot know), kept in `prices/overrides.json` —
//! the same file `switchboard prices set/unset` edits — and used by every cost at once.

use std::path::Path;
use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use switchboard_core::prices::book::{Found, PriceBook, PriceOrigin, Prices};
use switchboard_core::prices::overrides::{Overrides, PriceOverride};
use tauri::State;
use ts_rs::TS;

use super::prices::reload;
use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// One of the user's own prices, as the "Your prices" table lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PriceOverrideRow {
    /// The Switchboard model id (`provider/model`).
    pub model: String,
    pub price: PriceOverride,
}

/// A price as typed in the form: US dollars per million tokens, as decimal strings.
/// Blank optional fields are the same as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
pub struct PriceOverrideInput {
    pub input_per_mtok: String,
    pub output_per_mtok: String,
    pub cached_input_per_mtok: Option<String>,
    pub cache_write_per_mtok: Option<String>,
    pub reasoning_per_mtok: Option<String>,
    /// In tokens.
    #[ts(type = "number | null")]
    pub context_window: Option<u64>,
}

/// What the price list (not the user's own price) says a model costs, per million
/// tokens, as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ModelPriceInfo {
    /// The entry the price came from (`gpt-4o`, `gemini/gemini-2.5-pro`).
    pub key: String,
    pub origin: PriceOrigin,
    /// `litellm 1.106.2 (2026-10-21)`, `openrouter /models (…)`, `local model`.
    pub version: String,
    #[ts(type = "string | null")]
    pub input_per_mtok: Option<Decimal>,
    #[ts(type = "string | null")]
    pub output_per_mtok: Option<Decimal>,
    #[ts(type = "string | null")]
    pub cached_input_per_mtok: Option<Decimal>,
    #[ts(type = "number | null")]
    pub context_window: Option<u64>,
    /// Every price is zero (a local model).
    pub free: bool,
}

impl ModelPriceInfo {
    pub fn of(found: Found) -> Self {
        let per_million =
            |d: Option<Decimal>| d.map(|d| (d * Decimal::from(1_000_000)).normalize());
        let rates = &found.entry.rates;
        Self {
            input_per_mtok: per_million(rates.input),
            output_per_mtok: per_million(rates.output),
            cached_input_per_mtok: per_million(rates.cache_read),
            context_window: found.entry.context_window(),
            free: found.entry.is_free(),
            key: found.key,
            origin: found.origin,
            version: found.version,
        }
    }
}

/// The user's own prices in use, by model.
#[tauri::command]
pub fn list_price_overrides(state: State<'_, AppState>) -> Vec<PriceOverrideRow> {
    rows(state.prices.get().overrides())
}

/// Validates and saves the user's price for `model`; costs use it at once.
#[tauri::command]
pub fn set_price_override(
    state: State<'_, AppState>,
    model: String,
    price: PriceOverrideInput,
) -> Result<Vec<PriceOverrideRow>, IpcError> {
    let _one_edit_at_a_time = state.overrides_lock();
    set_override(
        state.data_dir(),
        &state.prices,
        &model,
        &price,
        Utc::now().date_naive(),
    )
}

/// Removes the user's price for `model`; costs go back to the price list at once.
#[tauri::command]
pub fn remove_price_override(
    state: State<'_, AppState>,
    model: String,
) -> Result<Vec<PriceOverrideRow>, IpcError> {
    let _one_edit_at_a_time = state.overrides_lock();
    remove_override(state.data_dir(), &state.prices, &model)
}

/// What the price list says `model` costs, for the form's hint; `None` when unknown.
#[tauri::command]
pub fn model_price(state: State<'_, AppState>, model: String) -> Option<ModelPriceInfo> {
    listed_price(&state.prices.get(), &model)
}

/// Every override, sorted by model.
pub fn rows(overrides: &Overrides) -> Vec<PriceOverrideRow> {
    // A BTreeMap: already sorted by model.
    overrides
        .0
        .iter()
        .map(|(model, price)| PriceOverrideRow {
            model: model.clone(),
            price: price.clone(),
        })
        .collect()
}

/// The price of `model` ignoring the user's own: what an override would replace.
pub fn listed_price(book: &PriceBook, model: &str) -> Option<ModelPriceInfo> {
    let model = model.trim();
    if model.is_empty() {
        return None;
    }
    let found = if book.overrides().get(model).is_some() {
        book.clone()
            .with_overrides(Overrides::default())
            .find(model)
    } else {
        book.find(model)
    };
    found.map(ModelPriceInfo::of)
}

/// Checks `model` and `input`, then saves the price to `prices/overrides.json` (keeping
/// every other model's) and swaps in a price book that uses it. Nothing is written when
/// anything is refused or the saved file cannot be read.
pub fn set_override(
    data_dir: Result<&Path, IpcError>,
    prices: &Prices,
    model: &str,
    input: &PriceOverrideInput,
    today: NaiveDate,
) -> Result<Vec<PriceOverrideRow>, IpcError> {
    let model = model_id(model)?;
    let price = parse_input(input, today)?;
    let dir = data_dir?;
    // Read fresh (the CLI may have changed it); a corrupt file is reported, never overwritten.
    let mut all = Overrides::load(dir)?;
    all.set(model, price)?;
    all.save(dir)?;
    reload(dir, prices);
    Ok(rows(&all))
}

/// Removes the price for `model` from `prices/overrides.json` and swaps in a price book
/// without it. An error when there is none.
pub fn remove_override(
    data_dir: Result<&Path, IpcError>,
    prices: &Prices,
    model: &str,
) -> Result<Vec<PriceOverrideRow>, IpcError> {
    let model = model.trim();
    let dir = data_dir?;
    let mut all = Overrides::load(dir)?;
    if all.0.remove(model).is_none() {
        return Err(IpcError::new(
            IpcErrorKind::InvalidInput,
            format!("you have set no price for {model}"),
        ));
    }
    all.save(dir)?;
    reload(dir, prices);
    Ok(rows(&all))
}

/// A trimmed `provider/model` id, or why it is not one.
fn model_id(model: &str) -> Result<&str, IpcError> {
    let model = model.trim();
    let valid = model
        .split_once('/')
        .is_some_and(|(provider, name)| !provider.is_empty() && !name.is_empty())
        && !model.chars().any(char::is_whitespace);
    if valid {
        return Ok(model);
    }
    let message = if model.is_empty() {
        "Model is missing: write it as provider/model, like my-vllm/llama-3-70b or openai/gpt-4o"
            .to_owned()
    } else {
        format!(
            "Model \"{model}\" is not a model id: write it as provider/model, like my-vllm/llama-3-70b or openai/gpt-4o"
        )
    };
    Err(IpcError::new(IpcErrorKind::InvalidInput, message))
}

fn parse_input(input: &PriceOverrideInput, today: NaiveDate) -> Result<PriceOverride, IpcError> {
    let optional = |field: &str, text: &Option<String>| match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => usd_per_mtok(field, t).map(Some),
    };
    if input.context_window == Some(0) {
        return Err(IpcError::new(
            IpcErrorKind::InvalidInput,
            "Context window must be a whole number of tokens above zero, like 128000",
        ));
    }
    Ok(PriceOverride {
        input_per_mtok: usd_per_mtok("Input price", input.input_per_mtok.trim())?,
        output_per_mtok: usd_per_mtok("Output price", input.output_per_mtok.trim())?,
        cached_input_per_mtok: optional("Cached input price", &input.cached_input_per_mtok)?,
        cache_write_per_mtok: optional("Cache write price", &input.cache_write_per_mtok)?,
        reasoning_per_mtok: optional("Reasoning price", &input.reasoning_per_mtok)?,
        context_window: input.context_window,
        set_on: today.format("%Y-%m-%d").to_string(),
    })
}

/// A non-negative plain decimal (`0.6`, `2.40`, `15`), or an `invalid_input` error naming
/// `field`.
fn usd_per_mtok(field: &str, text: &str) -> Result<Decimal, IpcError> {
    let refused = |why: String| Err(IpcError::new(IpcErrorKind::InvalidInput, why));
    if text.is_empty() {
        return refused(format!(
            "{field} is missing: type US dollars per million tokens, like 0.60"
        ));
    }
    if text.starts_with('-') {
        return refused(format!(
            "{field} cannot be negative: type zero or more US dollars per million tokens"
        ));
    }
    let plain = text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|c| *c == '.').count() <= 1
        && text.chars().any(|c| c.is_ascii_digit());
    match Decimal::from_str(text) {
        Ok(d) if plain => Ok(d.normalize()),
        _ => refused(format!(
            "{field} \"{text}\" is not a number: type US dollars per million tokens, like 0.60"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use switchboard_core::chat::{Usage, UsageSource};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    fn input(i: &str, o: &str) -> PriceOverrideInput {
        PriceOverrideInput {
            input_per_mtok: i.into(),
            output_per_mtok: o.into(),
            ..PriceOverrideInput::default()
        }
    }

    fn shared(dir: &Path) -> Prices {
        Prices::new(PriceBook::load(dir).0)
    }

    fn usage(input: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            cache_write_1h_tokens: 0,
            output_tokens: output,
            reasoning_tokens: 0,
            source: UsageSource::Reported,
            cost_usd: None,
        }
    }

    #[test]
    fn set_then_list_sorted_by_model() {
        let dir = tempfile::tempdir().unwrap();
        let prices = shared(dir.path());
        let full = PriceOverrideInput {
            input_per_mtok: " 0.60 ".into(),
            output_per_mtok: "2.4".into(),
            cached_input_per_mtok: Some("0.3".into()),
            cache_write_per_mtok: Some("".into()),
            reasoning_per_mtok: None,
            context_window: Some(32_000),
        };
        let rows = set_override(
            Ok(dir.path()),
            &prices,
            " my-vllm/llama-3-70b ",
            &full,
            today(),
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.model, "my-vllm/llama-3-70b");
        assert_eq!(row.price.input_per_mtok.to_string(), "0.6");
        assert_eq!(row.price.output_per_mtok.to_string(), "2.4");
        assert_eq!(row.price.cached_input_per_mtok.unwrap().to_string(), "0.3");
        assert_eq!(row.price.cache_write_per_mtok, None);
        assert_eq!(row.price.context_window, Some(32_000));
        assert_eq!(row.price.set_on, "2026-11-21");

        let rows = set_override(
            Ok(dir.path()),
            &prices,
            "anthropic/claude-sonnet-4-5",
            &input("2", "10"),
            today(),
        )
        .unwrap();
        let models: Vec<&str> = rows.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(
            models,
            ["anthropic/claude-sonnet-4-5", "my-vllm/llama-3-70b"]
        );
        assert_eq!(self::rows(prices.get().overrides()), rows);
        // Saved where the CLI reads it.
        let saved = Overrides::load(dir.path()).unwrap();
        assert_eq!(self::rows(&saved), rows);

        let v = serde_json::to_value(&rows[1]).unwrap();
        assert_eq!(v["model"], "my-vllm/llama-3-70b");
        assert_eq!(v["price"]["input_per_mtok"], "0.6");
        assert_eq!(v["price"]["set_on"], "2026-11-21");
    }

    #[test]
    fn a_bad_number_names_the_field_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let prices = shared(dir.path());
        set_override(
            Ok(dir.path()),
            &prices,
            "my-vllm/a",
            &input("1", "2"),
            today(),
        )
        .unwrap();
        let path = Overrides::path(dir.path());
        let before = std::fs::read(&path).unwrap();
        let book = prices.get();

        let cases = [
            (input("0.6", "abc"), "Output price \"abc\" is not a number"),
            (input("", "1"), "Input price is missing"),
            (input("-1", "1"), "Input price cannot be negative"),
            (input("1e3", "1"), "Input price \"1e3\" is not a number"),
            (input("1.2.3", "1"), "Input price \"1.2.3\" is not a number"),
            (input("1_000", "1"), "Input price \"1_000\" is not a number"),
            (input(".", "1"), "Input price \".\" is not a number"),
            (
                PriceOverrideInput {
                    cached_input_per_mtok: Some("x".into()),
                    ..input("1", "2")
                },
                "Cached input price \"x\" is not a number",
            ),
            (
                PriceOverrideInput {
                    cache_write_per_mtok: Some("-0.5".into()),
                    ..input("1", "2")
                },
                "Cache write price cannot be negative",
            ),
            (
                PriceOverrideInput {
                    reasoning_per_mtok: Some("$3".into()),
                    ..input("1", "2")
                },
                "Reasoning price \"$3\" is not a number",
            ),
            (
                PriceOverrideInput {
                    context_window: Some(0),
                    ..input("1", "2")
                },
                "Context window must be a whole number",
            ),
        ];
        for (bad, message) in cases {
            let e = set_override(Ok(dir.path()), &prices, "my-vllm/b", &bad, today()).unwrap_err();
            assert_eq!(e.kind, IpcErrorKind::InvalidInput, "{bad:?}");
            assert!(e.message.starts_with(message), "{bad:?}: {}", e.message);
        }
        for model in ["llama", "", "/x", "x/", "my vllm/x"] {
            let e = set_override(Ok(dir.path()), &prices, model, &input("1", "2"), today())
                .unwrap_err();
            assert_eq!(e.kind, IpcErrorKind::InvalidInput, "{model}");
            assert!(e.message.contains("provider/model"), "{}", e.message);
        }
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(
            std::sync::Arc::ptr_eq(&book, &prices.get()),
            "a refused price must not replace the book"
        );
        // Zero is a price (free), not an error.
        set_override(
            Ok(dir.path()),
            &prices,
            "my-vllm/b",
            &input("0", "0.0"),
            today(),
        )
        .unwrap();
    }

    #[test]
    fn a_corrupt_file_is_reported_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let prices = shared(dir.path());
        let path = Overrides::path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{ oops").unwrap();

        let e = set_override(
            Ok(dir.path()),
            &prices,
            "my-vllm/a",
            &input("1", "2"),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::Prices);
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
        let e = remove_override(Ok(dir.path()), &prices, "my-vllm/a").unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::Prices);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ oops");
    }

    #[test]
    fn remove_takes_one_price_out_and_an_unknown_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let prices = shared(dir.path());
        for model in ["my-vllm/a", "my-vllm/b"] {
            set_override(Ok(dir.path()), &prices, model, &input("1", "2"), today()).unwrap();
        }
        let rows = remove_override(Ok(dir.path()), &prices, "my-vllm/a").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].model, "my-vllm/b");
        assert!(prices.get().find("my-vllm/a").is_none());
        assert_eq!(Overrides::load(dir.path()).unwrap().0.len(), 1);

        let before = std::fs::read(Overrides::path(dir.path())).unwrap();
        let e = remove_override(Ok(dir.path()), &prices, "my-vllm/a").unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::InvalidInput);
        assert_eq!(e.message, "you have set no price for my-vllm/a");
        assert_eq!(std::fs::read(Overrides::path(dir.path())).unwrap(), before);

        assert!(remove_override(Ok(dir.path()), &prices, "my-vllm/b")
            .unwrap()
            .is_empty());
        assert!(prices.get().overrides().0.is_empty());
    }

    #[test]
    fn the_shared_book_uses_the_price_right_after_it_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let prices = shared(dir.path());
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let model = "my-vllm/llama-3-70b";
        assert_eq!(prices.get().cost(model, &usage(1, 1), at).usd, None);

        set_override(
            Ok(dir.path()),
            &prices,
            model,
            &input("0.6", "2.4"),
            today(),
        )
        .unwrap();
        let cost = prices.get().cost(model, &usage(1_000_000, 500_000), at);
        assert_eq!(cost.usd.unwrap().normalize().to_string(), "1.8");
        assert_eq!(
            cost.price_version.as_deref(),
            Some("your price (set 2026-11-21)")
        );

        // Over a catalog price too.
        let catalog = prices.get().cost("openai/gpt-4o", &usage(1_000_000, 0), at);
        set_override(
            Ok(dir.path()),
            &prices,
            "openai/gpt-4o",
            &input("1", "1"),
            today(),
        )
        .unwrap();
        let own = prices.get().cost("openai/gpt-4o", &usage(1_000_000, 0), at);
        assert_ne!(own.usd, catalog.usd);
        assert_eq!(own.usd.unwrap().normalize().to_string(), "1");
    }

    #[test]
    fn the_listed_price_ignores_the_users_own() {
        let dir = tempfile::tempdir().unwrap();
        let prices = shared(dir.path());
        let listed = listed_price(&prices.get(), "openai/gpt-4o").unwrap();
        assert_eq!(listed.origin, PriceOrigin::Catalog);
        assert_eq!(listed.key, "gpt-4o");
        assert!(listed.input_per_mtok.is_some_and(|d| d > Decimal::ZERO));
        assert!(listed.context_window.is_some());
        assert!(!listed.free);
        let v = serde_json::to_value(&listed).unwrap();
        assert!(v["input_per_mtok"].is_string(), "{v}");

        set_override(
            Ok(dir.path()),
            &prices,
            "openai/gpt-4o",
            &input("1", "1"),
            today(),
        )
        .unwrap();
        assert_eq!(listed_price(&prices.get(), " openai/gpt-4o "), Some(listed));

        assert_eq!(listed_price(&prices.get(), "my-vllm/llama-3-70b"), None);
        assert_eq!(listed_price(&prices.get(), "  "), None);
        let local = listed_price(&prices.get(), "ollama/llama3.2").unwrap();
        assert_eq!(local.origin, PriceOrigin::Local);
        assert!(local.free);
    }

    #[test]
    fn validation_comes_before_the_data_folder() {
        let no_dir = || Err(IpcError::new(IpcErrorKind::DataDir, "no data folder"));
        let prices = Prices::new(PriceBook::bundled());
        let e = set_override(no_dir(), &prices, "x/y", &input("1", "abc"), today()).unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::InvalidInput);
        let e = set_override(no_dir(), &prices, "x/y", &input("1", "2"), today()).unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::DataDir);
        let e = remove_override(no_dir(), &prices, "x/y").unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::DataDir);
    }
}
