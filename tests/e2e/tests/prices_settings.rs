//! Prices & currency in Settings, driven in the real app: the catalog version comes from
//! Rust, the currency lands in the test's own settings.json, and a refresh that cannot
//! reach its sources says so and changes nothing. Nothing reaches the internet: every
//! price source points at a closed local port.

use std::path::Path;
use std::time::{Duration, Instant};

use switchboard_core::prices::catalog::Catalog;
use switchboard_e2e::{App, Error, CLOSED_PORT_URL};

/// The app's environment: price sources on a closed port, and the start-up refresh
/// left on, so it runs (and fails) behind the window as it would offline.
const OFFLINE: [(&str, &str); 3] = [
    ("SWITCHBOARD_PRICES_URL", CLOSED_PORT_URL),
    ("OPENROUTER_BASE_URL", CLOSED_PORT_URL),
    ("SWITCHBOARD_PRICES_REFRESH", "on"),
];

async fn open_prices(name: &str, extra_env: &[(&str, &str)]) -> Result<App, Error> {
    let env: Vec<(&str, &str)> = OFFLINE.iter().chain(extra_env).copied().collect();
    let app = App::launch_with_env(name, &env).await?;
    app.click("open-settings").await?;
    app.by_test_id("prices-section").await?;
    Ok(app)
}

/// Brings the section's heading to the top of the settings, for the screenshot.
async fn show_section(app: &App) -> Result<(), Error> {
    app.client
        .execute(
            "document.getElementById('settings-prices').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await?;
    Ok(())
}

/// The saved settings, once the file exists (or `None` after a short wait).
async fn settings_json(dir: &Path) -> Option<serde_json::Value> {
    let path = dir.join("settings.json");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(v) = serde_json::from_str(&text) {
                return Some(v);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_show_the_bundled_price_catalog() -> Result<(), Error> {
    // In the dark theme, so the screenshot shows the section there too.
    let app = open_prices("prices_catalog_dark", &[("GTK_THEME", "Adwaita:dark")]).await?;
    let bundled = &Catalog::bundled().meta;
    assert_eq!(app.text_of("prices-version").await?, bundled.version);
    assert_eq!(app.text_of("prices-origin").await?, "Bundled");
    let models = app.text_of("prices-models").await?.replace(',', "");
    assert_eq!(models, Catalog::bundled().entries.len().to_string());
    assert!(app
        .text_of("prices-openrouter")
        .await?
        .contains("Not fetched"));
    show_section(&app).await?;
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn currency_is_saved_to_settings_json_and_refused_codes_save_nothing() -> Result<(), Error> {
    let app = open_prices("prices_currency", &[]).await?;
    let data_dir = app.data_dir();
    show_section(&app).await?;

    // A refused code, before anything was saved: the core's message, no file.
    app.fill("currency-code", "euro").await?;
    app.fill("currency-rate", "0.92").await?;
    app.click("currency-save").await?;
    let error = app.text_of("currency-error").await?;
    assert!(error.contains("'EURO' is not a currency code"), "{error}");
    assert!(
        !data_dir.join("settings.json").exists(),
        "a refused currency must not be saved"
    );

    app.fill("currency-code", "EUR").await?;
    assert!(
        !app.is_shown("currency-error").await?,
        "editing clears the error"
    );
    app.fill("currency-rate", "0.92").await?;
    let preview = app.text_of("currency-preview").await?;
    assert!(
        preview.contains("An answer costing $0.0123 shows as €0.0113"),
        "{preview}"
    );
    app.click("currency-save").await?;
    app.text_matching("currency-preview", |t| t.contains("Saved"))
        .await?;
    let saved = settings_json(&data_dir)
        .await
        .ok_or("settings.json was not written")?;
    assert_eq!(saved["currency"]["code"], "EUR", "{saved}");
    assert_eq!(saved["currency"]["per_usd"], "0.92", "{saved}");
    assert!(app.text_of("currency-preview").await?.contains('€'));

    // A refused code after a save: the error shows, the saved file stays as it was.
    let before = std::fs::read(data_dir.join("settings.json"))?;
    app.fill("currency-code", "e1").await?;
    app.click("currency-save").await?;
    let error = app.text_of("currency-error").await?;
    assert!(error.contains("is not a currency code"), "{error}");
    assert_eq!(std::fs::read(data_dir.join("settings.json"))?, before);

    app.fill("currency-code", "EUR").await?;
    show_section(&app).await?;
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_that_cannot_reach_its_sources_says_the_prices_did_not_change(
) -> Result<(), Error> {
    let app = open_prices("prices_refresh", &[]).await?;
    let version = app.text_of("prices-version").await?;
    assert_eq!(version, Catalog::bundled().meta.version);

    app.click("prices-refresh").await?;
    let result = app
        .text_matching("prices-refresh-result", |t| t.contains("stay in use"))
        .await?;
    assert!(
        result.contains("the bundled or previously saved prices stay in use"),
        "{result}"
    );
    assert!(result.contains("LiteLLM price map"), "{result}");
    // The button is usable again and the prices in use are the same.
    app.text_matching("prices-refresh", |t| t == "Refresh prices")
        .await?;
    assert_eq!(app.text_of("prices-version").await?, version);
    assert_eq!(app.text_of("prices-origin").await?, "Bundled");
    assert!(
        !app.data_dir().join("prices").join("litellm.json").exists(),
        "a failed refresh must not save anything"
    );
    show_section(&app).await?;
    app.finish().await
}
