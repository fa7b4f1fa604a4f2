//! The local router in the real app: a setup imported with the CLI is served from the
//! Router view; a chat completion sent with the token from the keychain comes back from
//! the mock provider, shows in the live log with its deployment and cost, and is a run
//! in the history marked "via router" and in the spend dashboard. The token never
//! appears in the page; Stop frees the port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../src-tauri/crates/core/tests/support/mock.rs"]
mod mock;

use std::process::Command;
use std::time::{Duration, Instant};

use mock::{openai_models, openai_says, start_blocking, Mock, Recorded};
use serde_json::json;
use switchboard_e2e::{App, Error};

const OPENAI_KEY: &str = "sk-router-ui-openai-0001";

/// One setup, one deployment: the alias a client sends as `model`.
const CONFIG: &str = "\
model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/OPENAI_API_KEY
";

fn openai() -> Mock {
    start_blocking(|r: &Recorded| {
        if r.path.ends_with("/models") {
            return openai_models(&["gpt-4o-mini"]);
        }
        openai_says("Tapirs are odd-toed ungulates.")
    })
}

/// The default port when nothing holds it (the README's screenshot shows it), else any free one.
fn router_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:4141")
        .or_else(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    listener.local_addr().unwrap().port()
}

/// The router's token as the keychain keeps it (account `router-token`).
fn token_in_keychain(service: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", "router-token"])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by make deps");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !token.is_empty()).then_some(token)
}

/// Runs `script` until it returns something other than null (or 20 s pass).
async fn wait_for(app: &App, what: &str, script: &str) -> Result<serde_json::Value, Error> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = app.client.execute(script, vec![]).await?;
        if !v.is_null() {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_router_serves_a_setup_logs_the_call_and_keeps_it_in_the_history() -> Result<(), Error>
{
    let openai = openai();
    let root = tempfile::tempdir()?;
    let url = format!("{}/v1", openai.url());
    let app = App::launch_in(
        "router-view",
        root.path(),
        &[("OPENAI_BASE_URL", &url), ("OPENAI_API_KEY", OPENAI_KEY)],
    )
    .await?;
    let file = root.path().join("config.yaml");
    std::fs::write(&file, CONFIG)?;
    let out = app.cli(&["import", &file.display().to_string()])?;
    assert!(
        out.status.success(),
        "the CLI imported the config: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    app.click("open-router").await?;
    // textContent: WebDriver's visible text leaves out the ellipsized deployments line.
    let served = wait_for(
        &app,
        "the setup served",
        "const e = document.querySelector('[data-testid=router-setup-chat]'); return e ? e.textContent : null;",
    )
    .await?;
    assert!(
        served
            .as_str()
            .unwrap_or_default()
            .contains("openai/gpt-4o-mini"),
        "{served}"
    );
    let port = router_port();
    app.fill("router-port", &port.to_string()).await?;
    app.click("router-start").await?;
    let state = app
        .text_matching("router-state", |t| t.starts_with("Serving"))
        .await?;
    assert_eq!(state, format!("Serving on port {port}"));
    let bar = app.text_of("status-router").await?;
    assert_eq!(bar, format!("Router on :{port}"));

    // The token was made on this first start and kept in the keychain.
    let token = token_in_keychain(app.keychain_service())
        .expect("the router's token is in the keychain after a start");
    let base = format!("http://127.0.0.1:{port}/v1");
    let http = reqwest::Client::new();
    let refused = http
        .post(format!("{base}/chat/completions"))
        .json(&json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await?;
    assert_eq!(refused.status(), 401, "no token, no answer");
    let answer: serde_json::Value = http
        .post(format!("{base}/chat/completions"))
        .bearer_auth(&token)
        .header("user-agent", "router-e2e/1.0")
        .json(&json!({"model": "chat", "messages": [{"role": "user", "content": "What is a tapir?"}]}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "Tapirs are odd-toed ungulates."
    );
    assert_eq!(
        mock::bearer(&openai.last_request()),
        OPENAI_KEY,
        "the keychain's provider key went upstream"
    );

    // The live log shows the call with its deployment and a cost (gpt-4o-mini is priced).
    let row = wait_for(
        &app,
        "the call in the live log",
        "const r = document.querySelector('[data-testid=router-log-row]');\
         return r ? { deployment: r.querySelector('[data-testid=router-log-deployment]').textContent,\
                      status: r.querySelector('[data-testid=router-log-status]').textContent,\
                      cost: r.querySelector('[data-testid=router-log-cost]').textContent } : null;",
    )
    .await?;
    assert_eq!(row["deployment"], "openai/gpt-4o-mini");
    assert_eq!(row["status"], "200");
    let cost = row["cost"].as_str().unwrap_or_default().to_owned();
    let cost = cost.as_str();
    assert!(
        cost.starts_with('$'),
        "a priced call shows its cost: {cost:?}"
    );
    let calls = app.text_matching("router-calls", |t| t == "1").await?;
    assert_eq!(calls, "1");

    // The token is on the clipboard's side of the fence only: never in the page.
    app.click("router-copy-token").await?;
    app.text_matching("router-notice", |t| t.contains("Token copied"))
        .await?;
    let html = app
        .client
        .execute("return document.documentElement.outerHTML;", vec![])
        .await?;
    let html = html.as_str().unwrap_or_default();
    assert!(!html.contains(&token), "the token is not in the page");
    assert!(
        html.contains("SWITCHBOARD_ROUTER_TOKEN"),
        "the snippets read it from the environment"
    );
    app.screenshot("live-log").await?;

    // Copy token put the keychain's token on the system clipboard: pasted into the
    // search box (Ctrl+V), it is the token. (Then cleared: the page keeps nothing.)
    app.fill("history-search", "\u{E009}v\u{E000}").await?;
    let pasted = app.value_of("history-search").await?;
    app.fill("history-search", "x\u{E003}").await?;
    assert_eq!(pasted, token, "the clipboard holds the router's token");

    // The call is a run in the history, saying how the router served it.
    let run = wait_for(
        &app,
        "the router's run in the history",
        "const row = document.querySelector('[data-testid^=history-row-]');\
         return row ? row.dataset.testid.slice('history-row-'.length) : null;",
    )
    .await?;
    app.click(&format!("history-row-{}", run.as_str().unwrap_or_default()))
        .await?;
    let route = app.text_of("run-route-0").await?;
    assert_eq!(route, "via router: chat → openai/gpt-4o-mini, 1 attempt");
    app.screenshot("history-run").await?;
    app.click("run-back").await?;

    // The spend dashboard counts it beside the playground's runs.
    app.click("open-spend").await?;
    let spent = wait_for(
        &app,
        "the deployment's row in the spend dashboard",
        "const r = document.querySelector('[data-testid=\"spend-model-openai/gpt-4o-mini\"]');\
         return r ? r.textContent : null;",
    )
    .await?;
    assert!(
        spent.as_str().unwrap_or_default().contains(cost),
        "the call's cost {cost} is in the spend dashboard: {spent}"
    );

    // Stop frees the port.
    app.click("open-router").await?;
    app.click("router-stop").await?;
    app.text_matching("router-state", |t| t == "Stopped")
        .await?;
    assert_eq!(app.text_of("status-router").await?, "Router off");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens on {port} once stopped"
    );

    // A daily cap as large as what the router already spent today: after a restart the
    // earlier call counts, so the next one is refused with a 429 and never sent.
    let spent_usd = cost.trim_start_matches('$').to_owned();
    app.fill("router-cap-day", &spent_usd).await?;
    app.click("router-caps-save").await?;
    app.text_matching("router-caps-save", |t| t == "Saved")
        .await?;
    app.click("router-start").await?;
    app.text_matching("router-state", |t| t.starts_with("Serving"))
        .await?;
    let line = app
        .text_matching("router-cap-status", |t| t.contains("Today"))
        .await?;
    assert!(
        line.contains(cost),
        "today's spend against the cap: {line:?}"
    );
    let sent_before = openai.requests();
    let capped = http
        .post(format!("{base}/chat/completions"))
        .bearer_auth(&token)
        .json(&json!({"model": "chat", "messages": [{"role": "user", "content": "Again?"}]}))
        .send()
        .await?;
    assert_eq!(capped.status(), 429, "the cap is reached");
    let body: serde_json::Value = capped.json().await?;
    assert_eq!(body["error"]["type"], "spend_cap_reached");
    assert_eq!(openai.requests(), sent_before, "a capped call is not sent");
    assert!(
        app.value_of("router-cap-day").await?.contains(&spent_usd),
        "the cap in force is shown"
    );
    app.screenshot("caps").await?;
    app.click("router-stop").await?;
    app.text_matching("router-state", |t| t == "Stopped")
        .await?;
    app.finish().await
}
