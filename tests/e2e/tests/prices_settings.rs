//! Prices & currency in Settings, driven in the real app: the catalog version comes from
//! Rust, the currency lands in the test's own settings.json, a refresh that cannot
//! reach its sources says so and changes nothing, and a price of the user's own is what
//! the `switchboard` CLI prices with at once. Nothing reaches the internet: every price
//! source points at a closed local port.

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
    // The providers list above loads from the keychain and then grows the page: wait
    // for it, or a click aimed below it can land where the button was a moment before.
    app.by_test_id("provider-row-lmstudio").await?;
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

/// Brings the "Your prices" block to the top of the settings, for the screenshot.
async fn show_your_prices(app: &App) -> Result<(), Error> {
    app.by_test_id("your-prices").await?;
    app.client
        .execute(
            // Scrolls only the settings' own scroller: scrollIntoView would also shift
            // the window when the block cannot reach the top.
            "const block = document.querySelector('[data-testid=\"your-prices\"]');\
             let scroller = block.parentElement;\
             while (scroller && getComputedStyle(scroller).overflowY !== 'auto') {\
               scroller = scroller.parentElement;\
             }\
             scroller.scrollTop += block.getBoundingClientRect().top\
               - scroller.getBoundingClientRect().top - 16;",
            vec![],
        )
        .await?;
    Ok(())
}

/// Waits until no element with this `data-testid` is left (asked in one script, so an
/// element removed while it is looked at is never a stale reference).
async fn until_gone(app: &App, id: &str) -> Result<(), Error> {
    let script = format!("return document.querySelectorAll('[data-testid=\"{id}\"]').length;");
    let started = Instant::now();
    while app.client.execute(&script, vec![]).await? != serde_json::json!(0) {
        if started.elapsed() > Duration::from_secs(20) {
            return Err(format!("{id} is still there").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

    // Typing a model the price list knows shows its price, before anything is saved.
    app.fill("override-model", "openai/gpt-4o").await?;
    let hint = app.text_of("override-catalog-hint").await?;
    assert!(
        hint.starts_with("The price list says $2.50 / $10.00 per million (input / output)"),
        "{hint}"
    );
    assert!(hint.contains(&bundled.version), "{hint}");
    show_your_prices(&app).await?;
    app.screenshot("your-prices-hint").await?;
    assert!(!app
        .data_dir()
        .join("prices")
        .join("overrides.json")
        .exists());

    show_section(&app).await?;
    app.finish().await
}

const MY_MODEL: &str = "my-vllm/llama-3-70b";

/// `switchboard cost my-vllm/llama-3-70b` for 1M input and 500k output tokens, as JSON.
fn cli_cost(app: &App) -> Result<std::process::Output, Error> {
    app.cli(&[
        "cost", MY_MODEL, "--input", "1000000", "--output", "500000", "--json",
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn your_price_is_what_the_cli_prices_with_until_it_is_removed() -> Result<(), Error> {
    let app = open_prices("prices_your_prices", &[]).await?;
    let overrides = app.data_dir().join("prices").join("overrides.json");
    show_your_prices(&app).await?;
    assert!(app
        .text_of("overrides-list")
        .await?
        .contains("No prices of your own yet"));

    // Refused: Rust's message names the field, and nothing is written.
    app.fill("override-model", MY_MODEL).await?;
    let unknown = app.text_of("override-no-catalog").await?;
    assert!(unknown.contains("not in the price list"), "{unknown}");
    app.fill("override-input", "0.6").await?;
    app.fill("override-output", "abc").await?;
    app.click("override-save").await?;
    let error = app.text_of("override-error").await?;
    assert!(
        error.starts_with("Output price \"abc\" is not a number"),
        "{error}"
    );
    assert!(!overrides.exists(), "a refused price must not be saved");
    assert!(!app.is_shown("override-row").await?);

    app.fill("override-output", "2.4").await?;
    assert!(
        !app.is_shown("override-error").await?,
        "editing clears the error"
    );
    app.click("override-save").await?;
    let row = app
        .text_matching("override-row", |t| t.contains(MY_MODEL))
        .await?;
    assert!(row.contains("$0.60") && row.contains("$2.40"), "{row}");
    assert!(overrides.exists());
    // The form is ready for the next one.
    assert_eq!(app.value_of("override-model").await?, "");

    // The CLI, on the same data folder, prices the model with it.
    let out = cli_cost(&app)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let cost: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(cost["usd"], "1.8", "{cost}");
    let version = cost["price_version"].as_str().unwrap_or_default();
    assert!(version.starts_with("your price"), "{cost}");

    show_your_prices(&app).await?;
    app.screenshot("row").await?;

    // Removed in the app: the CLI no longer knows a price.
    app.click("override-remove").await?;
    until_gone(&app, "override-row").await?;
    app.text_matching("overrides-list", |t| {
        t.contains("No prices of your own yet")
    })
    .await?;
    let out = cli_cost(&app)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no price known for `my-vllm/llama-3-70b`"),
        "{stderr}"
    );

    show_your_prices(&app).await?;
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
