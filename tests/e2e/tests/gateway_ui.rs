//! Gateway export in the real app: a LiteLLM config imported with the CLI is listed in
//! Setups; its export dialog previews it as a LiteLLM config (the alias, keys read from
//! `os.environ/`) and, one click later, as a Portkey config with a strategy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use serde_json::json;
use switchboard_e2e::{App, Error};

/// A load balance over two deployments, as LiteLLM users write it.
const CONFIG: &str = "\
model_list:
  - model_name: support-bot
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
  - model_name: support-bot
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
";

/// The text of the element `id` once it contains every one of `wanted`.
async fn text_with(app: &App, id: &str, wanted: &[&str]) -> Result<String, Error> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = app
            .client
            .execute(
                "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); return e ? e.textContent : null;",
                vec![json!(id)],
            )
            .await?;
        let text = v.as_str().unwrap_or_default().to_owned();
        if wanted.iter().all(|w| text.contains(w)) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            return Err(format!("{id} never showed {wanted:?}; it shows {text:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_setup_exports_to_litellm_and_portkey() -> Result<(), Error> {
    let root = tempfile::tempdir()?;
    let app = App::launch_in("gateway-export", root.path(), &[]).await?;
    let file = root.path().join("config.yaml");
    std::fs::write(&file, CONFIG)?;
    let out = app.cli(&["import", &file.display().to_string()])?;
    assert!(
        out.status.success(),
        "the CLI imported the config: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    app.click("open-setups").await?;
    let row = text_with(&app, "setup-row-support-bot", &["support-bot"]).await?;
    assert!(row.contains("Load balance"), "{row:?}");
    app.screenshot("gateway-setups").await?;
    app.click("setup-export-support-bot").await?;

    let litellm = text_with(&app, "export-text", &["support-bot", "os.environ/"]).await?;
    assert!(litellm.contains("model_list"), "{litellm}");
    assert!(!litellm.contains("sk-"), "no key in the preview: {litellm}");
    app.screenshot("gateway-export-litellm").await?;

    app.click("format-portkey").await?;
    let portkey = text_with(&app, "export-text", &["\"strategy\""]).await?;
    assert!(portkey.contains("loadbalance"), "{portkey}");
    app.screenshot("gateway-export-portkey").await?;

    // Real keys go only into a file, and only after the user says yes to secrets.
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=portkey-keys]');\
             s.value = 'keychain'; s.dispatchEvent(new Event('change', { bubbles: true }));\
             return null;",
            vec![],
        )
        .await?;
    text_with(&app, "export-keys-note", &["real keys"]).await?;
    app.click("export-save").await?;
    let confirm = text_with(&app, "keys-confirm", &["secrets"]).await?;
    assert!(confirm.contains("plain text"), "{confirm:?}");
    app.screenshot("gateway-export-keys-confirm").await?;
    app.click("keys-cancel").await?;
    assert!(!app.is_shown("keys-confirm").await?, "cancelled");
    app.finish().await
}
