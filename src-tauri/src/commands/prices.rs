//! Prices and currency: what the price book holds, refreshing it, the display currency,
//! and what a prompt will cost before it is sent.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use switchboard_core::prices::book::{InputEstimate, PriceBook, Prices};
use switchboard_core::prices::catalog::CatalogMeta;
use switchboard_core::prices::money::DisplayCurrency;
use switchboard_core::prices::refresh;
use switchboard_core::prices::update::{refresh_all, RefreshReport, RefreshSources};
use switchboard_core::settings::Settings;
use switchboard_core::CompareRequest;
use tauri::State;
use ts_rs::TS;

use crate::error::{IpcError, IpcErrorKind};
use crate::state::{refresh_disabled, AppState, REFRESH_ENV};

/// What the Settings view shows about prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PriceStatus {
    /// The catalog in use: the bundled snapshot or a refreshed copy.
    pub catalog: CatalogMeta,
    /// Chat models the catalog prices.
    pub models: u32,
    /// OpenRouter's prices in use (`openrouter /models (2026-11-21)`), if fetched.
    pub openrouter: Option<String>,
    pub openrouter_models: u32,
    /// Models priced by the user.
    pub overrides: u32,
    pub currency: DisplayCurrency,
}

impl PriceStatus {
    pub fn of(book: &PriceBook, currency: &DisplayCurrency) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            catalog: book.catalog_meta().clone(),
            models: count(book.catalog().entries.len()),
            openrouter: book.openrouter().map(|p| p.version()),
            openrouter_models: count(book.openrouter().map_or(0, |p| p.entries.len())),
            overrides: count(book.overrides().0.len()),
            currency: currency.clone(),
        }
    }
}

#[tauri::command]
pub fn price_status(state: State<'_, AppState>) -> PriceStatus {
    let currency = state.settings().currency.clone();
    PriceStatus::of(&state.prices.get(), &currency)
}

/// Fetches LiteLLM's map and OpenRouter's prices now; a failed source keeps its prices.
#[tauri::command]
pub async fn refresh_prices(state: State<'_, AppState>) -> Result<RefreshReport, IpcError> {
    let dir = state.data_dir()?.to_owned();
    let sources = RefreshSources::from_env(None, true);
    Ok(refresh_and_reload(
        &dir,
        &state.prices,
        &state.refresh_lock,
        &sources,
        Utc::now(),
    )
    .await)
}

#[tauri::command]
pub fn get_currency(state: State<'_, AppState>) -> DisplayCurrency {
    state.settings().currency.clone()
}

/// Validates and saves the display currency; a refused code or rate changes nothing.
#[tauri::command]
pub fn set_currency(
    state: State<'_, AppState>,
    code: String,
    rate: Option<String>,
) -> Result<DisplayCurrency, IpcError> {
    // Held across the save, so two saves never interleave.
    let mut settings = state.settings();
    let currency = save_currency(state.data_dir(), &code, rate.as_deref())?;
    settings.currency = currency.clone();
    Ok(currency)
}

/// Input tokens and input cost of the request, one estimate per target (each with its
/// own system prompt and conversation, when it has them).
#[tauri::command]
pub async fn estimate_inputs(
    state: State<'_, AppState>,
    request: CompareRequest,
) -> Result<Vec<InputEstimate>, IpcError> {
    let book = state.prices.get();
    // Tokenizing a long prompt for several models is CPU work: off the async workers.
    tauri::async_runtime::spawn_blocking(move || estimates(&book, &request, Utc::now()))
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, format!("estimating failed: {e}")))
}

pub fn estimates(
    book: &PriceBook,
    request: &CompareRequest,
    at: DateTime<Utc>,
) -> Vec<InputEstimate> {
    request
        .targets
        .iter()
        .map(|t| book.estimate(&t.model, &t.request_for(&request.request), at))
        .collect()
}

/// Checks `code` and `rate` with the core's rules, then saves them to `settings.json`
/// (keeping whatever else it holds). Nothing is written when either is refused.
pub fn save_currency(
    data_dir: Result<&Path, IpcError>,
    code: &str,
    rate: Option<&str>,
) -> Result<DisplayCurrency, IpcError> {
    let currency = DisplayCurrency::new(code, rate)?;
    let dir = data_dir?;
    // A corrupt file is reported, not overwritten.
    let mut settings = Settings::load(dir)?;
    settings.currency = currency.clone();
    settings.save(dir)?;
    Ok(currency)
}

/// Refreshes every price source (one refresh at a time) and, when anything was saved,
/// swaps in a price book loaded from the data folder.
pub async fn refresh_and_reload(
    data_dir: &Path,
    prices: &Prices,
    lock: &tokio::sync::Mutex<()>,
    sources: &RefreshSources,
    now: DateTime<Utc>,
) -> RefreshReport {
    let _one_at_a_time = lock.lock().await;
    let report = refresh_all(data_dir, sources, now).await;
    if report.litellm.is_some() || report.openrouter_models.is_some() {
        reload(data_dir, prices);
    }
    report
}

/// Replaces the price book with what the data folder holds now.
pub fn reload(data_dir: &Path, prices: &Prices) {
    if let Some(e) = prices.reload(data_dir) {
        eprintln!("switchboard: your own prices were not loaded: {e}");
    }
}

/// Whether start-up should refresh: not switched off, and the saved map is stale.
pub fn refresh_due_at_startup(env: Option<&str>, data_dir: &Path, now: DateTime<Utc>) -> bool {
    !refresh_disabled(env) && refresh::due(data_dir, now)
}

/// Refreshes prices in the background when due. Returns at once: start-up never waits on
/// the network. Failures are logged; the prices in use stay as they are.
pub fn start_background_refresh(state: &AppState) {
    let Ok(dir) = state.data_dir().map(Path::to_owned) else {
        return;
    };
    let env = std::env::var(REFRESH_ENV).ok();
    if !refresh_due_at_startup(env.as_deref(), &dir, Utc::now()) {
        return;
    }
    let prices = state.prices.clone();
    let lock = state.refresh_lock.clone();
    tauri::async_runtime::spawn(async move {
        let sources = RefreshSources::from_env(None, true);
        let report = refresh_and_reload(&dir, &prices, &lock, &sources, Utc::now()).await;
        for e in [&report.litellm_error, &report.openrouter_error]
            .into_iter()
            .flatten()
        {
            eprintln!("switchboard: background price refresh: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::io::{Read, Write};
    use switchboard_core::chat::{ChatRequest, Target};
    use switchboard_core::prices::catalog::Catalog;
    use switchboard_core::prices::refresh::RefreshOutcome;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
    }

    /// Nothing listens on the discard port.
    const CLOSED: &str = "http://127.0.0.1:9/x";

    fn no_openrouter(url: &str) -> RefreshSources {
        RefreshSources {
            litellm_url: url.to_owned(),
            openrouter_base: None,
        }
    }

    /// Serves `body` once, as HTTP/1.1 200, on a free local port; returns its address.
    fn serve_once(body: String) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = conn.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            conn.write_all(head.as_bytes()).unwrap();
            conn.write_all(body.as_bytes()).unwrap();
        });
        format!("http://{addr}/model_prices.json")
    }

    fn litellm_map(models: usize) -> String {
        let map: serde_json::Map<String, serde_json::Value> = (0..models)
            .map(|i| {
                (
                    format!("test-model-{i}"),
                    serde_json::json!({
                        "mode": "chat",
                        "litellm_provider": "openai",
                        "input_cost_per_token": 1e-6,
                        "output_cost_per_token": 2e-6,
                        "max_input_tokens": 128000
                    }),
                )
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    #[test]
    fn status_of_the_bundled_book() {
        let book = PriceBook::bundled();
        let eur = DisplayCurrency::new("EUR", Some("0.92")).unwrap();
        let s = PriceStatus::of(&book, &eur);
        assert_eq!(s.catalog, Catalog::bundled().meta);
        assert!(s.catalog.bundled);
        assert_eq!(s.models as usize, Catalog::bundled().entries.len());
        assert!(s.models > 300);
        assert_eq!(s.openrouter, None);
        assert_eq!(s.openrouter_models, 0);
        assert_eq!(s.overrides, 0);
        assert_eq!(s.currency, eur);
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["currency"]["per_usd"], "0.92");
        assert_eq!(
            v["catalog"]["version"],
            Catalog::bundled().meta.version.as_str()
        );
    }

    #[test]
    fn a_valid_currency_is_saved_to_settings_json() {
        let dir = tempfile::tempdir().unwrap();
        let c = save_currency(Ok(dir.path()), " eur ", Some(" 0.920 ")).unwrap();
        assert_eq!(c.code, "EUR");
        assert_eq!(c.per_usd.to_string(), "0.92");
        let saved = Settings::load(dir.path()).unwrap();
        assert_eq!(saved.currency, c);
        let raw = std::fs::read_to_string(Settings::path(dir.path())).unwrap();
        assert!(raw.contains("\"EUR\"") && raw.contains("\"0.92\""), "{raw}");

        // USD needs no rate and always has rate 1.
        let usd = save_currency(Ok(dir.path()), "usd", None).unwrap();
        assert!(usd.is_usd());
        assert_eq!(Settings::load(dir.path()).unwrap().currency, usd);
    }

    #[test]
    fn a_refused_currency_says_why_and_saves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for (code, rate) in [
            ("euro", Some("1")),
            ("EUR", None),
            ("EUR", Some("0")),
            ("EUR", Some("-1")),
            ("EUR", Some("abc")),
        ] {
            let e = save_currency(Ok(dir.path()), code, rate).unwrap_err();
            assert_eq!(e.kind, IpcErrorKind::InvalidInput, "{code} {rate:?}");
            let core = DisplayCurrency::new(code, rate).unwrap_err();
            assert_eq!(e.message, core.to_string());
        }
        assert!(!Settings::path(dir.path()).exists());
        let e = save_currency(Ok(dir.path()), "euro", None).unwrap_err();
        assert_eq!(
            e.message,
            "'EURO' is not a currency code: use three letters, like EUR or INR"
        );
    }

    #[test]
    fn a_corrupt_settings_file_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(Settings::path(dir.path()), "[").unwrap();
        let e = save_currency(Ok(dir.path()), "EUR", Some("0.92")).unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::Settings);
        assert!(
            e.message.contains("fix or delete the file"),
            "{}",
            e.message
        );
        assert_eq!(
            std::fs::read_to_string(Settings::path(dir.path())).unwrap(),
            "["
        );
    }

    #[test]
    fn validation_comes_before_the_data_folder() {
        let no_dir = || Err(IpcError::new(IpcErrorKind::DataDir, "no data folder"));
        assert_eq!(
            save_currency(no_dir(), "x", None).unwrap_err().kind,
            IpcErrorKind::InvalidInput
        );
        assert_eq!(
            save_currency(no_dir(), "EUR", Some("0.9"))
                .unwrap_err()
                .kind,
            IpcErrorKind::DataDir
        );
    }

    #[test]
    fn one_estimate_per_target_and_unknown_models_stay_unpriced() {
        let book = PriceBook::bundled();
        let request = CompareRequest {
            request: ChatRequest::prompt("Name three uses of a switchboard."),
            targets: vec![
                Target::new("openai/gpt-4o"),
                Target::new("my-vllm/llama"),
                Target::new("ollama/llama3.2"),
            ],
        };
        let e = estimates(&book, &request, at());
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].model, "openai/gpt-4o");
        assert!(e[0].input_tokens > 0);
        assert!(e[0]
            .input_usd
            .is_some_and(|d| d > rust_decimal::Decimal::ZERO));
        assert_eq!(e[1].input_usd, None, "unknown prices are never $0");
        assert!(!e[1].free);
        assert!(e[2].free);
        assert!(estimates(
            &book,
            &CompareRequest {
                targets: vec![],
                ..request
            },
            at()
        )
        .is_empty());
    }

    #[test]
    fn each_target_is_estimated_with_its_own_system_prompt_and_conversation() {
        use switchboard_core::chat::Message;
        let book = PriceBook::bundled();
        let mut long = Target::new("openai/gpt-4o");
        long.system = Some("You are a meticulous reviewer who explains every step.".into());
        long.messages = Some(vec![
            Message::user("Name three uses of a switchboard."),
            Message::assistant("Telephone exchanges, lighting desks and routing signals."),
            Message::user("Now name three more, with a sentence on each."),
        ]);
        let mut bare = Target::new("openai/gpt-4o");
        bare.system = Some(String::new());
        let request = CompareRequest {
            request: ChatRequest {
                system: Some("Be brief.".into()),
                ..ChatRequest::prompt("Name three uses of a switchboard.")
            },
            targets: vec![Target::new("openai/gpt-4o"), long, bare],
        };
        let e = estimates(&book, &request, at());
        let tokens: Vec<u64> = e.iter().map(|e| e.input_tokens).collect();
        assert!(tokens[1] > tokens[0] && tokens[0] > tokens[2], "{tokens:?}");
        assert!(e[1].input_usd > e[0].input_usd && e[0].input_usd > e[2].input_usd);
    }

    #[test]
    fn a_failed_refresh_keeps_the_prices_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let prices = Prices::new(PriceBook::bundled());
        let before = prices.get();
        let lock = tokio::sync::Mutex::new(());
        let report = tauri::async_runtime::block_on(refresh_and_reload(
            dir.path(),
            &prices,
            &lock,
            &no_openrouter(CLOSED),
            at(),
        ));
        assert!(report.failed());
        assert_eq!(report.litellm, None);
        let msg = report.litellm_error.unwrap();
        assert!(
            msg.ends_with("previously saved prices stay in use"),
            "{msg}"
        );
        assert!(
            std::sync::Arc::ptr_eq(&before, &prices.get()),
            "the book was replaced"
        );
        assert!(refresh::due(dir.path(), at()), "a failure is not a check");
    }

    #[test]
    fn a_successful_refresh_swaps_in_the_new_book() {
        let dir = tempfile::tempdir().unwrap();
        let prices = Prices::new(PriceBook::bundled());
        let lock = tokio::sync::Mutex::new(());
        let url = serve_once(litellm_map(120));
        let report = tauri::async_runtime::block_on(refresh_and_reload(
            dir.path(),
            &prices,
            &lock,
            &no_openrouter(&url),
            at(),
        ));
        assert!(!report.failed(), "{report:?}");
        assert_eq!(
            report.litellm,
            Some(RefreshOutcome::Updated {
                models: 120,
                version: "litellm map fetched 2026-11-21".into()
            })
        );
        let s = PriceStatus::of(&prices.get(), &DisplayCurrency::default());
        assert!(!s.catalog.bundled);
        assert_eq!(s.catalog.version, "litellm map fetched 2026-11-21");
        assert_eq!(s.models, 120);
        assert!(s.catalog.checked_at.is_some());
        assert!(prices.get().find("openai/test-model-7").is_some());
        assert!(!refresh_due_at_startup(None, dir.path(), at()));
    }

    #[test]
    fn startup_refreshes_only_when_due_and_not_switched_off() {
        let dir = tempfile::tempdir().unwrap();
        assert!(refresh_due_at_startup(None, dir.path(), at()));
        assert!(refresh_due_at_startup(Some("on"), dir.path(), at()));
        assert!(!refresh_due_at_startup(Some("off"), dir.path(), at()));
        let saved = refresh::prices_dir(dir.path()).join(refresh::LITELLM_FILE);
        std::fs::create_dir_all(saved.parent().unwrap()).unwrap();
        std::fs::write(&saved, r#"{"checked_at": "2026-11-21T08:00:00Z"}"#).unwrap();
        assert!(!refresh_due_at_startup(None, dir.path(), at()));
        let next_day = at() + chrono::TimeDelta::hours(24);
        assert!(refresh_due_at_startup(None, dir.path(), next_day));
    }
}
