//! The real app, driven the way a user drives it: clicks in the webview, results that
//! came from Rust. Each test leaves a screenshot in `target/e2e/<test>.png`.

use switchboard_e2e::{App, Error};

/// The version every crate of the workspace shares; the app reports it from the core.
const VERSION: &str = env!("CARGO_PKG_VERSION");

#[tokio::test(flavor = "multi_thread")]
async fn about_panel_shows_version_and_data_dir_read_from_the_core() -> Result<(), Error> {
    let app = App::launch("about_panel").await?;
    app.click("open-about").await?;
    app.by_test_id("about-panel").await?;
    assert_eq!(app.text_of("about-version").await?, VERSION);
    assert_eq!(
        app.text_of("about-data-dir").await?,
        app.data_dir().display().to_string(),
        "the About panel must show the data folder the app was started with"
    );
    assert!(!app.is_shown("about-error").await?);
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn main_window_shows_the_product_layout() -> Result<(), Error> {
    let app = App::launch("main_window").await?;
    for part in [
        "history-sidebar",
        "compare-area",
        "prompt-composer",
        "status-bar",
    ] {
        app.by_test_id(part).await?;
        assert!(app.is_shown(part).await?, "{part} is not visible");
    }
    // The status bar's version is another round trip to Rust, made at start-up.
    assert_eq!(app.text_of("status-version").await?, VERSION);
    let title = app.client.title().await?;
    assert_eq!(title, "Switchboard");
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_view_opens_and_goes_back() -> Result<(), Error> {
    let app = App::launch("settings_view").await?;
    app.click("open-settings").await?;
    app.by_test_id("settings-view").await?;
    assert!(app.is_shown("settings-view").await?);
    assert!(
        !app.is_shown("compare-area").await?,
        "settings replaces the compare area"
    );
    app.screenshot("open").await?;
    app.click("settings-back").await?;
    app.by_test_id("compare-area").await?;
    assert!(app.is_shown("compare-area").await?);
    assert!(!app.is_shown("settings-view").await?);
    app.finish().await
}

/// Reads the page's idea of the OS theme and the luminance (0–255) of its background.
async fn theme_of(app: &App) -> Result<(bool, f64), Error> {
    let v = app
        .client
        .execute(
            "const bg = getComputedStyle(document.body).backgroundColor;\
             const [r, g, b] = bg.match(/\\d+(\\.\\d+)?/g).map(Number);\
             return [matchMedia('(prefers-color-scheme: dark)').matches, 0.2126*r + 0.7152*g + 0.0722*b];",
            vec![],
        )
        .await?;
    let dark = v[0].as_bool().ok_or("no boolean from matchMedia")?;
    let luminance = v[1].as_f64().ok_or("no background luminance")?;
    Ok((dark, luminance))
}

#[tokio::test(flavor = "multi_thread")]
async fn dark_os_theme_gives_a_dark_window() -> Result<(), Error> {
    // GTK_THEME=…:dark is how a GTK desktop says "dark"; WebKitGTK passes it on as
    // prefers-color-scheme.
    let app = App::launch_with_env("theme_dark", &[("GTK_THEME", "Adwaita:dark")]).await?;
    app.by_test_id("compare-area").await?;
    let (dark, luminance) = theme_of(&app).await?;
    assert!(dark, "the webview should report prefers-color-scheme: dark");
    assert!(
        luminance < 80.0,
        "background luminance {luminance} is not dark"
    );
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn light_os_theme_gives_a_light_window() -> Result<(), Error> {
    let app = App::launch_with_env("theme_light", &[("GTK_THEME", "Adwaita")]).await?;
    app.by_test_id("compare-area").await?;
    let (dark, luminance) = theme_of(&app).await?;
    assert!(!dark);
    assert!(
        luminance > 180.0,
        "background luminance {luminance} is not light"
    );
    app.finish().await
}
