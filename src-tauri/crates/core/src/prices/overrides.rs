//! Prices the user sets for a model, over any catalog price: a negotiated rate, a
//! self-hosted model, a custom endpoint the catalog cannot know. Saved in
//! `prices/overrides.json` in the data folder, in USD per million tokens (how providers
//! publish prices).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::entry::{PriceEntry, Rates};

/// One model's own prices, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PriceOverride {
    #[ts(type = "string")]
    pub input_per_mtok: Decimal,
    #[ts(type = "string")]
    pub output_per_mtok: Decimal,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub cached_input_per_mtok: Option<Decimal>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub cache_write_per_mtok: Option<Decimal>,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub reasoning_per_mtok: Option<Decimal>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub context_window: Option<u64>,
    /// The day it was set (`YYYY-MM-DD`), quoted as the price version.
    pub set_on: String,
}

const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

impl PriceOverride {
    /// As a catalog entry, in USD per token.
    pub fn to_entry(&self) -> PriceEntry {
        let per_token = |d: Decimal| d / MILLION;
        PriceEntry {
            provider: "override".into(),
            mode: Some("chat".into()),
            max_input_tokens: self.context_window,
            rates: Rates {
                input: Some(per_token(self.input_per_mtok)),
                output: Some(per_token(self.output_per_mtok)),
                cache_read: self.cached_input_per_mtok.map(per_token),
                cache_write: self.cache_write_per_mtok.map(per_token),
                reasoning: self.reasoning_per_mtok.map(per_token),
                ..Rates::default()
            },
            ..PriceEntry::default()
        }
    }

    pub fn version(&self) -> String {
        format!("your price (set {})", self.set_on)
    }
}

const WHAT: &str = "your prices";

#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error(transparent)]
    File(#[from] crate::json_file::JsonFileError),
    #[error("a price must be zero or more US dollars per million tokens")]
    Negative,
}

/// Every override, by Switchboard model id (`provider/model`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides(pub BTreeMap<String, PriceOverride>);

impl Overrides {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("prices").join("overrides.json")
    }

    /// The saved overrides; none when the file does not exist. A corrupt file is an
    /// error, so a later save never overwrites prices the user typed.
    pub fn load(data_dir: &Path) -> Result<Self, OverrideError> {
        Ok(crate::json_file::load(&Self::path(data_dir), WHAT)?)
    }

    /// Writes the file whole, atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), OverrideError> {
        Ok(crate::json_file::save(&Self::path(data_dir), WHAT, self)?)
    }

    /// Sets one model's prices (validated).
    pub fn set(&mut self, model: &str, o: PriceOverride) -> Result<(), OverrideError> {
        let all = [
            Some(o.input_per_mtok),
            Some(o.output_per_mtok),
            o.cached_input_per_mtok,
            o.cache_write_per_mtok,
            o.reasoning_per_mtok,
        ];
        if all
            .iter()
            .flatten()
            .any(|d| d.is_sign_negative() && !d.is_zero())
        {
            return Err(OverrideError::Negative);
        }
        self.0.insert(model.to_owned(), o);
        Ok(())
    }

    pub fn get(&self, model: &str) -> Option<&PriceOverride> {
        self.0.get(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(input: &str, output: &str) -> PriceOverride {
        PriceOverride {
            input_per_mtok: input.parse().unwrap(),
            output_per_mtok: output.parse().unwrap(),
            cached_input_per_mtok: Some("0.3".parse().unwrap()),
            cache_write_per_mtok: None,
            reasoning_per_mtok: None,
            context_window: Some(32_000),
            set_on: "2026-11-21".into(),
        }
    }

    #[test]
    fn per_million_becomes_per_token() {
        let e = o("3", "15").to_entry();
        assert_eq!(e.rates.input.unwrap().to_string(), "0.000003");
        assert_eq!(e.rates.output.unwrap().to_string(), "0.000015");
        assert_eq!(e.rates.cache_read.unwrap().to_string(), "0.0000003");
        assert_eq!(e.context_window(), Some(32_000));
        assert!(e.is_priced());
        assert!(o("0", "0").to_entry().is_priced());
    }

    #[test]
    fn saved_and_loaded_and_a_corrupt_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Overrides::load(dir.path()).unwrap(), Overrides::default());
        let mut all = Overrides::default();
        all.set("my-vllm/llama-3-70b", o("0.5", "0.9")).unwrap();
        all.save(dir.path()).unwrap();
        assert_eq!(Overrides::load(dir.path()).unwrap(), all);

        std::fs::write(Overrides::path(dir.path()), "{ oops").unwrap();
        let err = Overrides::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        assert!(matches!(
            all.clone().set("x/y", o("-1", "1")),
            Err(OverrideError::Negative)
        ));
    }
}
