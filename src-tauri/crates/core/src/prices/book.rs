//! The price book: every source of prices in one place, in the order they win —
//! the user's own prices, OpenRouter's `/models` for OpenRouter models, the catalog
//! (refreshed or bundled), and "free" for local servers — and the answers the app
//! needs: what a model costs, what an answer cost, what a prompt will cost.

use std::path::Path;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::answer_cost::{Cost, CostSource};
use super::catalog::{Catalog, CatalogMeta};
use super::cost::{compute, TokenCounts};
use super::entry::PriceEntry;
use super::lookup;
use super::openrouter::{load_openrouter, OpenRouterPrices};
use super::overrides::{OverrideError, Overrides};
use super::refresh::load_refreshed;
use super::tokens::TokenCounter;
use crate::chat::{ChatRequest, Usage, UsageSource};

/// Where a model's price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PriceOrigin {
    /// Set by the user.
    Override,
    /// OpenRouter's own `/models` prices.
    Openrouter,
    /// LiteLLM's map (bundled snapshot or refreshed copy).
    Catalog,
    /// A local server (Ollama, LM Studio): free.
    Local,
}

/// A model's price, found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub key: String,
    pub entry: PriceEntry,
    pub version: String,
    pub origin: PriceOrigin,
}

/// The input side of a request before it is sent, for one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InputEstimate {
    pub model: String,
    #[ts(type = "number")]
    pub input_tokens: u64,
    /// How the tokens were counted (`tiktoken o200k_base`, an approximation…).
    pub counted_with: String,
    /// The input's cost; `null` when the model is unpriced.
    #[ts(type = "string | null")]
    pub input_usd: Option<Decimal>,
    pub free: bool,
    #[ts(type = "number | null")]
    pub context_window: Option<u64>,
    /// `false` when the prompt will not fit the model's context window.
    pub fits: Option<bool>,
    /// What to tell the user (the prompt does not fit).
    pub warning: Option<String>,
    pub price_version: Option<String>,
}

/// Providers whose models run on the user's machine: free unless priced otherwise.
const LOCAL: [&str; 4] = ["ollama", "ollama_chat", "lmstudio", "lm_studio"];

#[derive(Debug, Clone, Default)]
pub struct PriceBook {
    catalog: Option<Arc<Catalog>>,
    overrides: Overrides,
    openrouter: Option<OpenRouterPrices>,
}

impl PriceBook {
    /// The bundled snapshot alone.
    pub fn bundled() -> Self {
        Self::default()
    }

    /// What the data folder holds: the refreshed map if it is newer than the bundled
    /// snapshot, OpenRouter's prices, the user's overrides. A corrupt overrides file is
    /// returned as an error beside a book without overrides, so the app keeps working.
    pub fn load(data_dir: &Path) -> (Self, Option<OverrideError>) {
        let bundled = Catalog::bundled();
        let catalog = load_refreshed(data_dir)
            .filter(|c| date(&c.meta.snapshot_date) >= date(&bundled.meta.source_date))
            .map(Arc::new);
        let (overrides, err) = match Overrides::load(data_dir) {
            Ok(o) => (o, None),
            Err(e) => (Overrides::default(), Some(e)),
        };
        (
            Self {
                catalog,
                overrides,
                openrouter: load_openrouter(data_dir),
            },
            err,
        )
    }

    pub fn with_overrides(mut self, overrides: Overrides) -> Self {
        self.overrides = overrides;
        self
    }

    pub fn with_openrouter(mut self, prices: Option<OpenRouterPrices>) -> Self {
        self.openrouter = prices;
        self
    }

    pub fn catalog(&self) -> &Catalog {
        self.catalog
            .as_deref()
            .unwrap_or_else(|| Catalog::bundled())
    }

    pub fn catalog_meta(&self) -> &CatalogMeta {
        &self.catalog().meta
    }

    pub fn openrouter(&self) -> Option<&OpenRouterPrices> {
        self.openrouter.as_ref()
    }

    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// The price of a Switchboard model id (`provider/model`). A bare catalog key
    /// (`gpt-4o`, `gemini/gemini-2.5-pro`) is accepted too.
    pub fn find(&self, model_id: &str) -> Option<Found> {
        if let Some(o) = self.overrides.get(model_id) {
            return Some(Found {
                key: model_id.to_owned(),
                entry: o.to_entry(),
                version: o.version(),
                origin: PriceOrigin::Override,
            });
        }
        let (provider, model) = model_id.split_once('/').unwrap_or(("", model_id));
        if let Some(or) = self
            .openrouter
            .as_ref()
            .filter(|_| provider == "openrouter")
        {
            if let Some(entry) = or.entries.get(model) {
                return Some(Found {
                    key: model.to_owned(),
                    entry: entry.clone(),
                    version: or.version(),
                    origin: PriceOrigin::Openrouter,
                });
            }
        }
        let catalog = self.catalog();
        let from_catalog = |key: String, entry: &PriceEntry| Found {
            key,
            entry: entry.clone(),
            version: catalog.meta.version.clone(),
            origin: PriceOrigin::Catalog,
        };
        if let Some((key, entry, _)) = lookup::find(catalog, provider, model) {
            return Some(from_catalog(key, entry));
        }
        if let Some(entry) = catalog.get(model_id).filter(|e| e.is_priced()) {
            return Some(from_catalog(model_id.to_owned(), entry));
        }
        // A custom endpoint serving a model under its catalog name (a proxy in front of
        // OpenAI, a LiteLLM `openai/gpt-4o` entry with its own api_base): priced as that
        // model, as LiteLLM prices by name. Bare catalog keys are OpenAI's and the like.
        if !provider.is_empty() && lookup::litellm_provider(provider).is_none() {
            if let Some(entry) = catalog.get(model).filter(|e| e.is_priced()) {
                return Some(from_catalog(model.to_owned(), entry));
            }
        }
        LOCAL.contains(&provider).then(|| Found {
            key: model_id.to_owned(),
            entry: PriceEntry {
                provider: provider.to_owned(),
                rates: super::entry::Rates {
                    input: Some(Decimal::ZERO),
                    output: Some(Decimal::ZERO),
                    ..Default::default()
                },
                ..PriceEntry::default()
            },
            version: "local model".into(),
            origin: PriceOrigin::Local,
        })
    }

    /// Models named like `model_id`, for "did you mean".
    pub fn close_matches(&self, model_id: &str) -> Vec<String> {
        let (provider, model) = match model_id.split_once('/') {
            Some((p, m)) if lookup::litellm_provider(p).is_some() => (Some(p), m),
            _ => (None, model_id),
        };
        let mut out = lookup::close_matches(self.catalog(), provider, model, 5);
        if let Some(or) = &self.openrouter {
            let mut ids: Vec<&String> = or
                .entries
                .keys()
                .filter(|k| strsim::jaro_winkler(k, model) > 0.9)
                .collect();
            ids.sort();
            out.extend(ids.into_iter().take(3).map(|k| format!("openrouter/{k}")));
        }
        out
    }

    /// What an answer cost. The provider's own figure wins; then the price table on the
    /// reported (or estimated) usage; without a price, unpriced.
    pub fn cost(&self, model_id: &str, usage: &Usage, at: DateTime<Utc>) -> Cost {
        let found = self.find(model_id);
        let breakdown = found
            .as_ref()
            .and_then(|f| compute(&f.entry, TokenCounts::from(usage), at));
        let key = found.as_ref().map(|f| f.key.clone());
        if let Some(reported) = usage.cost_usd {
            let provider = model_id.split_once('/').map_or(model_id, |p| p.0);
            return Cost {
                usd: Some(reported),
                source: CostSource::Reported,
                free: reported.is_zero(),
                price_version: Some(format!("reported by {provider}")),
                price_key: key,
                breakdown,
            };
        }
        match (found, breakdown) {
            (Some(f), Some(b)) => Cost {
                usd: Some(b.total_usd()),
                source: if usage.source == UsageSource::Estimated {
                    CostSource::Estimated
                } else {
                    CostSource::Computed
                },
                free: f.entry.is_free(),
                price_version: Some(f.version),
                price_key: key,
                breakdown: Some(b),
            },
            _ => Cost::unpriced(),
        }
    }

    /// Input tokens and input cost of `req` for `model_id`, before sending, and whether
    /// the prompt fits the model's context window.
    pub fn estimate(&self, model_id: &str, req: &ChatRequest, at: DateTime<Utc>) -> InputEstimate {
        let (provider, model) = model_id.split_once('/').unwrap_or(("", model_id));
        let counter = TokenCounter::for_model(provider, model);
        let input_tokens = counter.count_request(req);
        let found = self.find(model_id);
        let tokens = TokenCounts {
            input: input_tokens,
            ..TokenCounts::default()
        };
        let cost = found.as_ref().and_then(|f| compute(&f.entry, tokens, at));
        let context_window = found.as_ref().and_then(|f| f.entry.context_window());
        let fits = context_window.map(|w| input_tokens <= w);
        let warning = match (fits, context_window) {
            (Some(false), Some(w)) => Some(format!(
                "the prompt (about {input_tokens} tokens) will not fit {model_id}'s context window of {w} tokens"
            )),
            _ => None,
        };
        InputEstimate {
            model: model_id.to_owned(),
            input_tokens,
            counted_with: counter.label().to_owned(),
            input_usd: cost.as_ref().map(|c| c.prompt_usd()),
            free: found.as_ref().is_some_and(|f| f.entry.is_free()),
            context_window,
            fits,
            warning,
            price_version: found.map(|f| f.version),
        }
    }
}

fn date(d: &Option<String>) -> &str {
    d.as_deref().unwrap_or("")
}

/// The price book shared by the runner, the app and the CLI; replaced whole when prices
/// are refreshed or edited, so a reader never sees half an update.
#[derive(Debug, Clone, Default)]
pub struct Prices(Arc<RwLock<Arc<PriceBook>>>);

impl Prices {
    pub fn new(book: PriceBook) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(book))))
    }

    /// The current book (cheap: one `Arc` clone under a read lock held for no longer).
    pub fn get(&self) -> Arc<PriceBook> {
        match self.0.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the book with what `data_dir` holds now, loading under the write lock:
    /// reloads after a refresh and after an edit of the user's prices run one after the
    /// other, so the last one always reads the newest files (none can put back a book
    /// read before another's save). Returns a corrupt-overrides error, if any.
    pub fn reload(&self, data_dir: &Path) -> Option<OverrideError> {
        let mut guard = match self.0.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (book, err) = PriceBook::load(data_dir);
        *guard = Arc::new(book);
        err
    }

    pub fn replace(&self, book: PriceBook) {
        let book = Arc::new(book);
        match self.0.write() {
            Ok(mut b) => *b = book,
            Err(poisoned) => *poisoned.into_inner() = book,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::overrides::PriceOverride;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap()
    }

    fn usage(input: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            ..Usage::default()
        }
    }

    #[test]
    fn a_custom_endpoint_serving_a_catalog_model_is_priced_by_its_name_as_litellm_does() {
        let book = PriceBook::bundled();
        let proxied = book.find("127.0.0.1-4000/gpt-4o-mini").unwrap();
        assert_eq!(proxied.key, "gpt-4o-mini");
        assert_eq!(
            proxied.entry.rates.input,
            book.find("openai/gpt-4o-mini").unwrap().entry.rates.input
        );
        // A name the catalog does not know stays unpriced (never $0).
        assert!(book.find("my-vllm/my-own-finetune-7b").is_none());
    }

    #[test]
    fn computed_from_the_catalog_with_its_version() {
        let book = PriceBook::bundled();
        let c = book.cost("openai/gpt-4o", &usage(1_000_000, 0), at());
        assert_eq!(c.source, CostSource::Computed);
        let input = book
            .find("openai/gpt-4o")
            .unwrap()
            .entry
            .rates
            .input
            .unwrap();
        assert_eq!(c.usd, Some(input * Decimal::from(1_000_000)));
        assert_eq!(c.price_key.as_deref(), Some("gpt-4o"));
        assert!(c.price_version.unwrap().starts_with("litellm "));
        assert!(!c.free);
    }

    #[test]
    fn unknown_models_are_unpriced_never_zero() {
        let book = PriceBook::bundled();
        for id in [
            "openai/gpt-99-ultra",
            "my-vllm/llama",
            "openrouter/x/y",
            "nonsense",
        ] {
            let c = book.cost(id, &usage(1000, 1000), at());
            assert_eq!(c.usd, None, "{id}");
            assert_eq!(c.source, CostSource::Unpriced, "{id}");
            assert!(!c.free, "{id}");
            let e = book.estimate(id, &ChatRequest::prompt("hi"), at());
            assert_eq!(e.input_usd, None, "{id}");
        }
    }

    #[test]
    fn reported_cost_wins_and_estimated_usage_is_marked() {
        let book = PriceBook::bundled();
        let mut u = usage(100, 100);
        u.cost_usd = Some("0.0042".parse().unwrap());
        let c = book.cost("openrouter/anthropic/claude-sonnet-4.5", &u, at());
        assert_eq!(c.source, CostSource::Reported);
        assert_eq!(c.usd.unwrap().to_string(), "0.0042");
        assert_eq!(c.price_version.as_deref(), Some("reported by openrouter"));
        let mut u = usage(100, 100);
        u.source = UsageSource::Estimated;
        assert_eq!(
            book.cost("anthropic/claude-sonnet-4-5", &u, at()).source,
            CostSource::Estimated
        );
    }

    #[test]
    fn overrides_win_and_local_models_are_free() {
        let mut o = Overrides::default();
        o.set(
            "openai/gpt-4o",
            PriceOverride {
                input_per_mtok: "1".parse().unwrap(),
                output_per_mtok: "2".parse().unwrap(),
                cached_input_per_mtok: None,
                cache_write_per_mtok: None,
                reasoning_per_mtok: None,
                context_window: None,
                set_on: "2026-11-21".into(),
            },
        )
        .unwrap();
        let book = PriceBook::bundled().with_overrides(o);
        let c = book.cost("openai/gpt-4o", &usage(1_000_000, 1_000_000), at());
        assert_eq!(c.usd.unwrap(), Decimal::from(3));
        assert_eq!(
            c.price_version.as_deref(),
            Some("your price (set 2026-11-21)")
        );
        let local = book.cost("ollama/my-finetune:7b", &usage(5000, 5000), at());
        assert!(local.free);
        assert_eq!(local.usd, Some(Decimal::ZERO));
    }

    #[test]
    fn the_context_window_check_warns() {
        let book = PriceBook::bundled();
        let window = book
            .find("openai/gpt-4o")
            .unwrap()
            .entry
            .context_window()
            .unwrap();
        let big = "word ".repeat(window as usize + 10);
        let e = book.estimate("openai/gpt-4o", &ChatRequest::prompt(big), at());
        assert_eq!(e.fits, Some(false));
        assert!(e.warning.unwrap().contains("will not fit openai/gpt-4o"));
        let small = book.estimate("openai/gpt-4o", &ChatRequest::prompt("Hello"), at());
        assert_eq!(small.fits, Some(true));
        assert!(small.input_usd.unwrap() > Decimal::ZERO);
        assert!(small.counted_with.contains("o200k"));
    }

    #[test]
    fn reload_reads_the_users_prices_saved_since() {
        let dir = tempfile::tempdir().unwrap();
        let prices = Prices::new(PriceBook::bundled());
        let mut o = Overrides::default();
        o.set(
            "my-vllm/llama",
            PriceOverride {
                input_per_mtok: "1".parse().unwrap(),
                output_per_mtok: "1".parse().unwrap(),
                cached_input_per_mtok: None,
                cache_write_per_mtok: None,
                reasoning_per_mtok: None,
                context_window: None,
                set_on: "2026-11-21".into(),
            },
        )
        .unwrap();
        o.save(dir.path()).unwrap();
        assert!(prices.get().find("my-vllm/llama").is_none());
        assert!(prices.reload(dir.path()).is_none());
        assert!(prices.get().find("my-vllm/llama").is_some());
        std::fs::write(Overrides::path(dir.path()), "{").unwrap();
        assert!(prices.reload(dir.path()).is_some());
    }

    #[test]
    fn the_shared_book_is_replaced_whole() {
        let prices = Prices::new(PriceBook::bundled());
        let before = prices.get();
        prices.replace(PriceBook::bundled().with_overrides(Overrides::default()));
        assert!(!Arc::ptr_eq(&before, &prices.get()));
    }
}
