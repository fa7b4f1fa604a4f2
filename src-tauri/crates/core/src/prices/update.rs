//! One call that refreshes every price source the data folder keeps: LiteLLM's map and
//! OpenRouter's `/models` prices. Used by `switchboard prices refresh` and by the app in
//! the background after start-up (never before the window shows).

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::openrouter::{fetch_openrouter, OPENROUTER_BASE_URL};
use super::refresh::{refresh_litellm, RefreshOutcome, LITELLM_MAP_URL};

/// Where to fetch from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSources {
    pub litellm_url: String,
    /// `None`: skip OpenRouter.
    pub openrouter_base: Option<String>,
}

impl RefreshSources {
    /// `url`, else `SWITCHBOARD_PRICES_URL`, else LiteLLM's public address; OpenRouter at
    /// `OPENROUTER_BASE_URL` or its public address.
    pub fn from_env(url: Option<String>, openrouter: bool) -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Self {
            litellm_url: url
                .or_else(|| var("SWITCHBOARD_PRICES_URL"))
                .unwrap_or_else(|| LITELLM_MAP_URL.to_owned()),
            openrouter_base: openrouter.then(|| {
                var("OPENROUTER_BASE_URL")
                    .unwrap_or_else(|| OPENROUTER_BASE_URL.to_owned())
                    .trim_end_matches('/')
                    .to_owned()
            }),
        }
    }
}

/// What a refresh did, per source; an error leaves that source's prices as they were.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RefreshReport {
    pub litellm: Option<RefreshOutcome>,
    pub litellm_error: Option<String>,
    /// Priced OpenRouter models saved (`null` when skipped or failed).
    #[ts(type = "number | null")]
    pub openrouter_models: Option<usize>,
    pub openrouter_error: Option<String>,
}

impl RefreshReport {
    pub fn failed(&self) -> bool {
        self.litellm_error.is_some() || self.openrouter_error.is_some()
    }
}

/// Refreshes both sources at once.
pub async fn refresh_all(
    data_dir: &Path,
    sources: &RefreshSources,
    now: DateTime<Utc>,
) -> RefreshReport {
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120))
        .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    let litellm = refresh_litellm(&client, &sources.litellm_url, data_dir, now);
    let openrouter = async {
        match &sources.openrouter_base {
            Some(base) => Some(fetch_openrouter(&client, base, data_dir, now).await),
            None => None,
        }
    };
    let (l, o) = tokio::join!(litellm, openrouter);
    let (litellm, litellm_error) = match l {
        Ok(x) => (Some(x), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let (openrouter_models, openrouter_error) = match o {
        Some(Ok(n)) => (Some(n), None),
        Some(Err(e)) => (None, Some(e.to_string())),
        None => (None, None),
    };
    RefreshReport {
        litellm,
        litellm_error,
        openrouter_models,
        openrouter_error,
    }
}
