//! The history in the real app: a run killed mid-stream (`kill -9` of the app) is there
//! after a restart, its partial answer saved and marked interrupted; a finished run is
//! found by full-text search, opens exactly as it was, and counts in the spend dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../src-tauri/crates/core/tests/support/mock.rs"]
mod mock;

use std::time::{Duration, Instant};

use mock::{openai_models, openai_says, start_blocking, Mock, Recorded, Reply, Step};
use serde_json::json;
use switchboard_e2e::{app_binary, App, Error};

const OPENAI_KEY: &str = "sk-history-ui-openai-0001";

fn chunk(text: &str) -> Vec<u8> {
    let c = json!({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    format!("data: {c}\n\n").into_bytes()
}

/// `gpt-4o-mini` streams "word0 word1 …" a word every 30 ms (30 s in all); any other
/// model answers at once with a sentence about tapirs.
fn openai() -> Mock {
    start_blocking(|r: &Recorded| {
        if r.path.ends_with("/models") {
            return openai_models(&["gpt-4o", "gpt-4o-mini"]);
        }
        if r.json()["model"].as_str() == Some("gpt-4o-mini") {
            let mut reply = Reply::sse_chunks(vec![]);
            for i in 0..1000 {
                reply = reply
                    .with_step(Step::Bytes(chunk(&format!("word{i} "))))
                    .with_step(Step::Sleep(Duration::from_millis(30)));
            }
            return reply.with_step(Step::Bytes(b"data: [DONE]\n\n".to_vec()));
        }
        openai_says("Tapirs are **odd-toed** ungulates.")
    })
}

async fn launch(name: &str, root: &std::path::Path, openai: &Mock) -> Result<App, Error> {
    let url = format!("{}/v1", openai.url());
    App::launch_in(
        name,
        root,
        &[("OPENAI_BASE_URL", &url), ("OPENAI_API_KEY", OPENAI_KEY)],
    )
    .await
}

async fn pick_model(app: &App, model: &str) -> Result<(), Error> {
    app.click("add-first-column").await?;
    app.click("column-model-0").await?;
    app.fill("model-search", &format!("{model}\u{E007}"))
        .await?;
    Ok(())
}

/// Runs `script` until it returns something other than null (or `patience` passes).
async fn wait_for(
    app: &App,
    what: &str,
    script: &str,
    patience: Duration,
) -> Result<serde_json::Value, Error> {
    let deadline = Instant::now() + patience;
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

/// The id of the newest run in the sidebar, once one is listed.
async fn newest_run(app: &App) -> Result<String, Error> {
    let id = wait_for(
        app,
        "a run in the sidebar",
        "const row = document.querySelector('[data-testid^=history-row-]');\
         return row ? row.dataset.testid.slice('history-row-'.length) : null;",
        Duration::from_secs(15),
    )
    .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_mid_stream_is_in_the_history_after_a_restart_marked_interrupted(
) -> Result<(), Error> {
    let openai = openai();
    let root = tempfile::tempdir()?;

    let app = launch("history-kill-before", root.path(), &openai).await?;
    pick_model(&app, "openai/gpt-4o-mini").await?;
    app.fill("prompt-input", "Count slowly").await?;
    app.click("send-button").await?;
    // Some words on screen, then longer than the history's flush interval (250 ms).
    let shown = wait_for(
        &app,
        "words on screen",
        "const t = document.querySelector('[data-testid=column-0] [data-testid=answer-text]');\
         return t && t.textContent.includes('word20 ') ? t.textContent : null;",
        Duration::from_secs(20),
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    // kill -9: no chance to flush anything or to end the run cleanly.
    let killed = std::process::Command::new("pkill")
        .args(["-KILL", "-f", &app_binary().display().to_string()])
        .status()?;
    assert!(killed.success(), "the app process was found and killed");
    drop(app);
    assert!(shown
        .as_str()
        .unwrap_or_default()
        .starts_with("word0 word1 "));

    let app = launch("history-kill-after", root.path(), &openai).await?;
    let id = newest_run(&app).await?;
    app.screenshot("history-kill-after-restart").await?;
    let row = app
        .client
        .execute(
            "return document.querySelector(`[data-testid=history-row-${arguments[0]}]`).textContent;",
            vec![json!(id)],
        )
        .await?;
    let row = row.as_str().unwrap_or_default().to_owned();
    assert!(
        row.contains("Count slowly"),
        "the run's prompt is listed: {row:?}"
    );
    assert!(row.contains("gpt-4o-mini"), "and its model: {row:?}");
    assert!(
        app.is_shown("history-interrupted").await?,
        "the row is marked interrupted: {row:?}"
    );
    app.click(&format!("history-row-{id}")).await?;
    let status = app.text_of("run-status-0").await?;
    assert!(status.to_lowercase().contains("interrupted"), "{status:?}");
    let text = app.text_of("run-text-0").await?;
    assert!(
        text.starts_with("word0 word1 word2") && text.contains("word20"),
        "the partial answer survived the kill: {text:?}"
    );
    assert!(!text.contains("word999"), "only what had arrived: {text:?}");
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_run_is_found_by_search_and_opens_as_it_was() -> Result<(), Error> {
    let openai = openai();
    let root = tempfile::tempdir()?;
    let app = launch("history-search", root.path(), &openai).await?;
    pick_model(&app, "openai/gpt-4o").await?;
    app.fill("prompt-input", "Tell me about tapirs").await?;
    app.click("send-button").await?;
    let id = newest_run(&app).await?;
    // Found by a word of the answer (not of the prompt) once it has finished.
    wait_for(
        &app,
        "the finished run",
        "const m = document.querySelector('[data-testid=column-0] [data-testid=metrics]');\
         return m && m.dataset.status === 'ok' ? true : null;",
        Duration::from_secs(15),
    )
    .await?;
    app.fill("history-search", "ungulates").await?;
    let found = wait_for(
        &app,
        "the search result",
        "const rows = [...document.querySelectorAll('[data-testid^=history-row-]')];\
         return rows.length === 1 ? rows[0].textContent : null;",
        Duration::from_secs(10),
    )
    .await?;
    assert!(
        found.as_str().unwrap_or_default().contains("tapirs"),
        "{found}"
    );
    app.click(&format!("history-row-{id}")).await?;
    let prompt = app.text_of("run-prompt").await?;
    assert!(prompt.ends_with("Tell me about tapirs"), "{prompt:?}");
    let text = app.text_of("run-text-0").await?;
    assert!(text.contains("Tapirs are odd-toed ungulates."), "{text:?}");
    let html = app
        .client
        .execute(
            "return document.querySelector('[data-testid=run-text-0] strong')?.textContent ?? null;",
            vec![],
        )
        .await?;
    assert_eq!(html, json!("odd-toed"), "the answer renders as markdown");

    // The spend dashboard counts it: the model's row, its one response and its cost.
    app.click("open-spend").await?;
    let row = wait_for(
        &app,
        "the model's row in the spend dashboard",
        "const r = document.querySelector('[data-testid=\"spend-model-openai/gpt-4o\"]');         return r ? r.textContent : null;",
        Duration::from_secs(10),
    )
    .await?;
    let row = row.as_str().unwrap_or_default();
    assert!(row.contains("$0.0000425"), "the answer's cost: {row:?}");
    let why = app
        .client
        .execute(
            "const p = document.querySelector('[data-testid$=-unavailable]'); return p ? p.title : null;",
            vec![],
        )
        .await?;
    assert!(why.is_null(), "the spend chart is drawn: {why}");
    app.screenshot("spend").await?;
    app.finish().await
}
