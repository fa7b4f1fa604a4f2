//! The price catalog: LiteLLM's model price map, cut down to the chat models of the
//! providers Switchboard speaks, with where it came from.
//!
//! Two copies exist: the snapshot bundled in the binary (made by
//! `scripts/prices/update-snapshot.sh` from the pinned `litellm` wheel), and the map
//! fetched at run time (see [`super::refresh`]) saved in the data folder in the same
//! format. The newer valid one wins; the bundled one is always there to fall back on.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::entry::PriceEntry;

/// The bundled snapshot (`scripts/prices/update-snapshot.sh` writes it).
pub const BUNDLED_JSON: &str = include_str!("../../data/litellm-prices.json");

/// LiteLLM's `litellm_provider` values Switchboard speaks (`scripts/prices/snapshot.py`
/// keeps the same list; a test checks the snapshot holds nothing else).
pub const PROVIDERS: [&str; 12] = [
    "openai",
    "anthropic",
    "gemini",
    "openrouter",
    "groq",
    "mistral",
    "deepseek",
    "xai",
    "together_ai",
    "fireworks_ai",
    "ollama",
    "lm_studio",
];

/// Whether an entry of the full map belongs in the catalog: a chat model of a provider
/// Switchboard speaks.
pub fn keep_entry(entry: &Map<String, Value>) -> bool {
    entry.get("mode").and_then(Value::as_str) == Some("chat")
        && entry
            .get("litellm_provider")
            .and_then(Value::as_str)
            .is_some_and(|p| PROVIDERS.contains(&p))
}

/// Where a catalog came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogMeta {
    /// `litellm`.
    pub source: String,
    /// What a cost quotes as its price version: `litellm 1.106.2 (2026-10-21)` for the
    /// bundled snapshot, `litellm map fetched 2026-11-21` for a refreshed one.
    pub version: String,
    /// The `litellm` package the snapshot was taken from (bundled only).
    #[serde(default)]
    pub litellm_version: Option<String>,
    /// The date of the map itself (bundled: the wheel's build date).
    #[serde(default)]
    pub source_date: Option<String>,
    /// When the snapshot was made or the map fetched.
    #[serde(default)]
    pub snapshot_date: Option<String>,
    /// The address a refreshed map came from.
    #[serde(default)]
    pub url: Option<String>,
    /// The HTTP `ETag` of a refreshed map, sent back as `If-None-Match`.
    #[serde(default)]
    pub etag: Option<String>,
    /// RFC 3339 time of the last check against the public address (even a 304).
    #[serde(default)]
    pub checked_at: Option<String>,
    /// Whether this is the copy bundled in the binary.
    #[serde(default)]
    pub bundled: bool,
}

/// A parsed catalog.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub meta: CatalogMeta,
    pub entries: HashMap<String, PriceEntry>,
}

/// The file format: the meta fields and `models` (entries in LiteLLM's own format).
#[derive(Deserialize)]
struct File {
    #[serde(flatten)]
    meta: CatalogMeta,
    models: Map<String, Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the price catalog is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the price catalog has no chat models")]
    Empty,
}

impl Catalog {
    /// Reads a catalog file (the bundled snapshot's format). Entries that are not kept
    /// by [`keep_entry`] are dropped.
    pub fn parse(json: &str) -> Result<Self, CatalogError> {
        let file: File = serde_json::from_str(json)?;
        let catalog = Self::from_models(file.meta, &file.models);
        if catalog.entries.is_empty() {
            return Err(CatalogError::Empty);
        }
        Ok(catalog)
    }

    /// Builds a catalog from LiteLLM's full map (or its `models` part).
    pub fn from_models(meta: CatalogMeta, models: &Map<String, Value>) -> Self {
        let entries = models
            .iter()
            .filter_map(|(k, v)| {
                let e = v.as_object().filter(|e| keep_entry(e))?;
                Some((k.clone(), PriceEntry::from_json(e)))
            })
            .collect();
        Self { meta, entries }
    }

    /// The snapshot bundled in the binary, parsed once.
    pub fn bundled() -> &'static Catalog {
        static BUNDLED: OnceLock<Catalog> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // The snapshot is checked by tests; if it were ever broken the app still
            // starts, with every model unpriced rather than priced wrong.
            let mut c = Self::parse(BUNDLED_JSON).unwrap_or_default();
            c.meta.bundled = true;
            c
        })
    }

    pub fn get(&self, key: &str) -> Option<&PriceEntry> {
        self.entries.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_snapshot_parses_and_says_where_it_came_from() {
        let c = Catalog::bundled();
        assert!(c.meta.bundled);
        assert_eq!(c.meta.source, "litellm");
        let v = c.meta.litellm_version.as_deref().unwrap();
        assert!(c.meta.version.contains(v), "{}", c.meta.version);
        assert!(c.meta.source_date.is_some() && c.meta.snapshot_date.is_some());
        assert!(c.entries.len() > 300, "{}", c.entries.len());
    }

    #[test]
    fn the_snapshot_holds_only_chat_models_of_our_providers_and_rust_keeps_them_all() {
        // The script and `keep_entry` must agree: nothing in the snapshot is dropped here.
        let file: serde_json::Value = serde_json::from_str(BUNDLED_JSON).unwrap();
        let models = file["models"].as_object().unwrap();
        for (k, v) in models {
            assert!(
                keep_entry(v.as_object().unwrap()),
                "{k} should not be in the snapshot"
            );
        }
        assert_eq!(models.len(), Catalog::bundled().entries.len());
        let gpt = Catalog::bundled().get("gpt-4o").unwrap();
        assert_eq!(gpt.provider, "openai");
        assert!(gpt.is_priced());
    }

    #[test]
    fn other_modes_and_providers_are_dropped() {
        let models = serde_json::json!({
            "a": {"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 1, "output_cost_per_token": 1},
            "b": {"mode": "embedding", "litellm_provider": "openai"},
            "c": {"mode": "chat", "litellm_provider": "bedrock"},
            "sample_spec": {"mode": "one of chat, embedding"}
        });
        let c = Catalog::from_models(CatalogMeta::default(), models.as_object().unwrap());
        assert_eq!(c.entries.keys().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn garbage_is_an_error_not_an_empty_price_list() {
        assert!(Catalog::parse("{").is_err());
        assert!(matches!(
            Catalog::parse(r#"{"source":"litellm","version":"x","models":{}}"#),
            Err(CatalogError::Empty)
        ));
    }
}
