//! Providers settings in the real app, against the real keychain (gnome-keyring on the
//! test's D-Bus session) and a mock OpenAI-compatible provider on 127.0.0.1:
//! a key set in the UI is in the keychain (libsecret's `secret-tool` finds it), passes
//! the key test, is what `switchboard compare` sends, and appears nowhere else — not in
//! the page, the IPC answers, the data folder, the logs or the CLI's output. Without a
//! Secret Service, the settings say why and how to fix it, and env keys still work.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../src-tauri/crates/core/tests/support/mock.rs"]
mod mock;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use mock::{bearer, openai_bad_key, openai_models, openai_says, start_blocking, Mock, Recorded};
use switchboard_e2e::{App, Error};

const KEY: &str = "sk-PLANTED-ui-key-do-not-leak-3c1d";
const LAB_KEY: &str = "lab-PLANTED-key-do-not-leak-9e0b";
const ENV_KEY: &str = "sk-PLANTED-env-key-do-not-leak-a4f6";

/// Accepts `Bearer KEY` / `Bearer ENV_KEY` (or the lab key in `api-key`); lists two
/// models; streams one short answer. Echoes a refused key, as OpenAI does.
fn provider() -> Mock {
    start_blocking(|r: &Recorded| {
        let sent = bearer(r);
        if ![KEY, ENV_KEY].contains(&sent) && r.header("api-key") != Some(LAB_KEY) {
            openai_bad_key(sent)
        } else if r.path.ends_with("/models") {
            openai_models(&["gpt-4o", "gpt-4o-mini"])
        } else {
            openai_says("hello from the mock")
        }
    })
}

/// Wraps `fetch` — the IPC bridge's transport (the `ipc:` custom protocol) — so every
/// answer the webview receives from a command is kept in `window.__ipcAnswers`.
/// Installed before the settings open, so their first list is in.
async fn record_ipc(app: &App) -> Result<(), Error> {
    app.client
        .execute(
            "const original = window.fetch.bind(window);\
             window.__ipcAnswers = [];\
             window.fetch = async (input, init) => {\
               const response = await original(input, init);\
               const url = String(input && input.url ? input.url : input);\
               if (url.includes('ipc')) {\
                 const body = await response.clone().text();\
                 window.__ipcAnswers.push({url, body});\
               }\
               return response;\
             };",
            vec![],
        )
        .await?;
    Ok(())
}

async fn ipc_answers(app: &App) -> Result<String, Error> {
    let v = app
        .client
        .execute("return JSON.stringify(window.__ipcAnswers);", vec![])
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

async fn page_html(app: &App) -> Result<String, Error> {
    let v = app
        .client
        .execute(
            "return document.documentElement.outerHTML + [...document.querySelectorAll('input')].map(i => i.value).join('\\n');",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Scrolls the settings so the providers section starts at the top.
async fn show_providers(app: &App) -> Result<(), Error> {
    app.client
        .execute(
            "document.getElementById('settings-providers').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await?;
    Ok(())
}

fn secret_tool_lookup(service: &str, account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by make deps");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn assert_no_planted_key(what: &str, text: &str) {
    for k in [KEY, LAB_KEY, ENV_KEY] {
        assert!(!text.contains(k), "a planted key leaked into {what}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_set_in_the_ui_is_in_the_keychain_used_by_the_cli_and_nowhere_else(
) -> Result<(), Error> {
    let mock = provider();
    let base = format!("{}/v1", mock.url());
    let app = App::launch_with_env("providers-keys", &[("OPENAI_BASE_URL", &base)]).await?;
    let service = app.keychain_service().to_owned();
    app.by_test_id("open-settings").await?;
    record_ipc(&app).await?;
    app.click("open-settings").await?;

    let status = app.text_of("key-status-openai").await?;
    assert_eq!(status, "Not set");

    // Set the key: it lands in the keychain, and the row shows its last four only.
    app.click("key-edit-openai").await?;
    app.fill("key-input-openai", KEY).await?;
    app.click("key-save-openai").await?;
    app.text_matching("key-status-openai", |t| {
        t.starts_with("Keychain") && t.ends_with("3c1d")
    })
    .await?;
    assert_eq!(secret_tool_lookup(&service, "openai").as_deref(), Some(KEY));
    let value = app.value_of("key-input-openai").await?;
    assert_eq!(value, "", "the key field is write-only");

    // Test it: a models call with the keychain's key.
    app.click("key-test-openai").await?;
    let result = app
        .text_matching("key-test-result-openai", |t| t.contains("works"))
        .await?;
    assert!(result.contains("2 models"), "{result}");
    assert_eq!(mock.last_request().path, "/v1/models");

    // A custom endpoint with its key sent in `api-key`, added through the form.
    app.click("custom-add").await?;
    app.fill("custom-name", "my-lab").await?;
    app.fill("custom-base-url", &base).await?;
    app.fill("custom-key", LAB_KEY).await?;
    app.fill("custom-key-header", "api-key").await?;
    app.click("custom-header-add").await?;
    app.fill("custom-header-name-0", "X-Team").await?;
    app.fill("custom-header-value-0", "growth").await?;
    app.click("custom-save").await?;
    app.text_matching("key-status-my-lab", |t| t.starts_with("Keychain"))
        .await?;
    assert_eq!(
        secret_tool_lookup(&service, "my-lab").as_deref(),
        Some(LAB_KEY)
    );
    show_providers(&app).await?;
    app.screenshot("set").await?;

    // The CLI, on the same data folder and keychain, uses both keys.
    let cli_env = [("OPENAI_BASE_URL", base.as_str())];
    let mut cli_output = String::new();
    for model in ["openai/gpt-4o", "my-lab/gpt-4o"] {
        let out = app.cli_with_env(&["compare", "--json", "-m", model, "hi"], &cli_env)?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{model}: {stdout}\n{stderr}");
        assert!(stdout.contains("hello from the mock"), "{stdout}");
        cli_output.push_str(&stdout);
        cli_output.push_str(&stderr);
    }
    let lab = mock.last_request();
    assert_eq!(lab.header("api-key"), Some(LAB_KEY));
    assert_eq!(lab.header("x-team"), Some("growth"));
    let listed = app.cli(&["keys", "list"])?;
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("3c1d") && listed.contains("my-lab"),
        "{listed}"
    );
    cli_output.push_str(&listed);

    // Remove the key: gone from the keychain and from the row.
    app.click("key-remove-openai").await?;
    app.click("key-remove-confirm-openai").await?;
    app.text_matching("key-status-openai", |t| t == "Not set")
        .await?;
    assert_eq!(secret_tool_lookup(&service, "openai"), None);

    // The planted keys appear nowhere the app wrote: the page, every IPC answer, the
    // data folder, the logs; nor in the CLI's output.
    assert_no_planted_key("the page", &page_html(&app).await?);
    let answers = ipc_answers(&app).await?;
    assert!(
        answers.contains("list_providers") && answers.contains("set_key"),
        "{answers}"
    );
    assert_no_planted_key("the IPC answers", &answers);
    // One list when the settings opened, and after the custom endpoint was added: the
    // page does not keep asking the keychain.
    let lists = answers.matches("list_providers").count();
    assert!((1..=3).contains(&lists), "{lists} list_providers calls");
    let files = files_under(&app.data_dir());
    assert!(
        files.iter().any(|p| p.ends_with("providers.json")),
        "{files:?}"
    );
    for f in files {
        let bytes = std::fs::read(&f)?;
        assert_no_planted_key(&f.display().to_string(), &String::from_utf8_lossy(&bytes));
    }
    assert_no_planted_key("the CLI's output", &cli_output);
    app.finish().await?;
    // After the app has exited, its whole log.
    let log = std::fs::read_to_string(switchboard_e2e::log_path("providers-keys"))?;
    assert_no_planted_key("the app's log", &log);
    Ok(())
}

/// A D-Bus session bus on which nothing provides the Secret Service, for the app.
struct EmptyBus {
    daemon: Child,
    address: String,
}

impl EmptyBus {
    fn start() -> Self {
        let conf = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../support/dbus-session-without-secret-service.conf"
        );
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={conf}"))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is installed by make deps");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        Self {
            daemon,
            address: address.trim().to_owned(),
        }
    }
}

impl Drop for EmptyBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_secret_service_the_settings_explain_and_environment_keys_work(
) -> Result<(), Error> {
    let mock = provider();
    let base = format!("{}/v1", mock.url());
    let bus = EmptyBus::start();
    let app = App::launch_with_env(
        "providers-no-keychain",
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &bus.address),
            ("OPENAI_BASE_URL", &base),
            ("OPENAI_API_KEY", ENV_KEY),
        ],
    )
    .await?;
    app.click("open-settings").await?;

    let banner = app.text_of("keychain-problem").await?;
    assert!(banner.contains("No keychain is running"), "{banner}");
    assert!(
        banner.contains("gnome-keyring"),
        "the fix is named: {banner}"
    );
    assert!(banner.contains("environment variables"), "{banner}");

    let status = app
        .text_matching("key-status-openai", |t| {
            t.starts_with("From $OPENAI_API_KEY")
        })
        .await?;
    assert!(status.ends_with("a4f6"), "{status}");
    app.click("key-test-openai").await?;
    app.text_matching("key-test-result-openai", |t| t.contains("works"))
        .await?;

    // Saving a key fails with the reason, and nothing is written anywhere instead.
    app.click("key-edit-anthropic").await?;
    app.fill("key-input-anthropic", KEY).await?;
    app.click("key-save-anthropic").await?;
    let error = app
        .text_matching("provider-error-anthropic", |t| !t.is_empty())
        .await?;
    assert!(
        error.contains("no keychain is running") || error.contains("No keychain is running"),
        "{error}"
    );
    assert_eq!(app.text_of("key-status-anthropic").await?, "Not set");
    show_providers(&app).await?;
    app.screenshot("explained").await?;
    for f in files_under(&app.data_dir()) {
        let bytes = std::fs::read(&f)?;
        assert_no_planted_key(&f.display().to_string(), &String::from_utf8_lossy(&bytes));
    }
    app.finish().await
}
