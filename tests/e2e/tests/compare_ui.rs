//! The playground in the real app, against mock providers that speak each provider's
//! format byte for byte: Claude, GPT, Gemini and a local model stream side by side with
//! their tokens and cost; a rate-limited column shows its error and when to retry while
//! the others finish; Stop halts one column and keeps its text; an answer full of HTML
//! and script renders as text and runs nothing. The first runs in the light theme, the
//! second in the dark one (their screenshots are the README's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../src-tauri/crates/core/tests/support/mock.rs"]
mod mock;

use std::time::{Duration, Instant};

use mock::{openai_models, openai_says, start_blocking, Mock, Recorded, Reply, Step};
use serde_json::json;
use switchboard_e2e::{App, Error};

const OPENAI_KEY: &str = "sk-compare-ui-openai-0001";
const ANTHROPIC_KEY: &str = "sk-ant-compare-ui-0002";
const GEMINI_KEY: &str = "gemini-compare-ui-key-0003";

const ANTHROPIC_STREAM: &str =
    include_str!("../../../src-tauri/crates/core/tests/data/anthropic/basic.sse");
const GEMINI_STREAM: &str =
    include_str!("../../../src-tauri/crates/core/tests/data/gemini/basic.sse");

/// A short markdown answer with a code block.
const GPT_ANSWER: &str = "**GPT** says hello, in Python:\n\n```python\nprint(\"hello\")\n```\n";

/// The hostile answer: raw HTML with handlers, a script, javascript: links.
const XSS: &str =
    "Hostile <img src=x onerror=\"window.__xss=1\"> <script>window.__xss=2</script>\n\n\
[click me](javascript:window.__xss=3) <a href=\"javascript:window.__xss=4\">and me</a>\n\n\
<svg onload=\"window.__xss=5\"></svg><iframe src=\"javascript:window.__xss=6\"></iframe>";

/// One OpenAI stream chunk carrying `text`.
fn chunk(text: &str) -> Vec<u8> {
    let c = json!({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    format!("data: {c}\n\n").into_bytes()
}

/// A long OpenAI stream: `words` chunks `pause` apart (about 30 s: long enough to stop).
fn slow_stream(words: usize, pause: Duration) -> Reply {
    let mut reply = Reply::sse_chunks(vec![]);
    for i in 0..words {
        reply = reply
            .with_step(Step::Bytes(chunk(&format!("word{i} "))))
            .with_step(Step::Sleep(pause));
    }
    reply.with_step(Step::Bytes(b"data: [DONE]\n\n".to_vec()))
}

/// OpenAI, answering by model: `gpt-4o` briefly, `gpt-4o-mini` slowly, `gpt-4.1` with a
/// 429 and `retry-after`, `gpt-xss` with the hostile answer.
fn openai() -> Mock {
    start_blocking(|r: &Recorded| {
        if r.path.ends_with("/models") {
            return openai_models(&["gpt-4o", "gpt-4o-mini"]);
        }
        match r.json()["model"].as_str().unwrap_or_default() {
            "gpt-4o-mini" => slow_stream(1000, Duration::from_millis(30)),
            "gpt-4.1" => Reply::error(
                429,
                r#"{"error":{"message":"Rate limit reached for gpt-4.1 on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
            )
            .with_header("retry-after", "17"),
            "gpt-xss" => openai_says(XSS),
            _ => openai_says(GPT_ANSWER),
        }
    })
}

async fn launch(
    name: &str,
    theme: &str,
    openai: &Mock,
    anthropic: &Mock,
    gemini: &Mock,
) -> Result<App, Error> {
    let openai_url = format!("{}/v1", openai.url());
    let ollama_url = format!("{}/v1", openai.url());
    App::launch_with_env(
        name,
        &[
            ("OPENAI_BASE_URL", &openai_url),
            ("OPENAI_API_KEY", OPENAI_KEY),
            ("ANTHROPIC_BASE_URL", &anthropic.url()),
            ("ANTHROPIC_API_KEY", ANTHROPIC_KEY),
            ("GEMINI_BASE_URL", &gemini.url()),
            ("GEMINI_API_KEY", GEMINI_KEY),
            ("OLLAMA_BASE_URL", &ollama_url),
            ("GTK_THEME", theme),
        ],
    )
    .await
}

/// Anthropic: its model list, and the recorded stream for any message.
fn anthropic() -> Mock {
    start_blocking(|r: &Recorded| {
        if r.path.starts_with("/v1/models") {
            Reply::json(
                r#"{"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},{"type":"model","id":"claude-haiku-4-5","display_name":"Claude Haiku 4.5","created_at":"2025-10-01T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-haiku-4-5"}"#,
            )
        } else {
            Reply::sse(ANTHROPIC_STREAM)
        }
    })
}

/// Gemini: its model list, and the recorded stream for any generation.
fn gemini() -> Mock {
    start_blocking(|r: &Recorded| {
        if r.path.starts_with("/v1beta/models?") {
            Reply::json(
                r#"{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"supportedGenerationMethods":["generateContent"]},{"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro","inputTokenLimit":1048576,"supportedGenerationMethods":["generateContent"]}]}"#,
            )
        } else {
            Reply::sse(GEMINI_STREAM)
        }
    })
}

/// Adds a column and picks `model` in it through the model picker (typed in full).
async fn add_model(app: &App, index: usize, model: &str) -> Result<(), Error> {
    if index == 0 {
        app.click("add-first-column").await?;
    } else {
        app.click("add-column").await?;
    }
    app.click(&format!("column-model-{index}")).await?;
    // Enter picks the active row: the listed model when the list has it (an exact id
    // ranks first), else "use as typed".
    app.fill("model-search", &format!("{model}\u{E007}"))
        .await?;
    let picked = app
        .client
        .execute(
            "return document.querySelector(`[data-testid=column-${arguments[0]}]`).dataset.model;",
            vec![json!(index)],
        )
        .await?;
    assert_eq!(picked, json!(model), "column {index} got its model");
    Ok(())
}

/// Text of the element matching `selector` inside column `index` ("" when absent).
async fn in_column(app: &App, index: usize, selector: &str) -> Result<String, Error> {
    let v = app
        .client
        .execute(
            "const el = document.querySelector(`[data-testid=column-${arguments[0]}] ${arguments[1]}`);\
             return el ? el.textContent.trim() : '';",
            vec![json!(index), json!(selector)],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until column `index`'s latest answer has `status` (ok, error, cancelled…).
async fn wait_status(app: &App, index: usize, status: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = app
            .client
            .execute(
                "const m = document.querySelector(`[data-testid=column-${arguments[0]}] [data-testid=metrics]`);\
                 return m ? m.dataset.status : null;",
                vec![json!(index)],
            )
            .await?;
        if v == json!(status) {
            return Ok(());
        }
        if Instant::now() > deadline {
            let text = in_column(app, index, "[data-testid=answer]").await?;
            return Err(format!("column {index} never reached {status}: {v} / {text:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn claude_gpt_gemini_and_a_local_model_stream_side_by_side_with_tokens_and_cost(
) -> Result<(), Error> {
    let openai = openai();
    let (anthropic, gemini) = (anthropic(), gemini());
    let app = launch("compare-ui", "Adwaita", &openai, &anthropic, &gemini).await?;
    app.by_test_id("compare-area").await?;

    let models = [
        "anthropic/claude-sonnet-4-5",
        "openai/gpt-4o",
        "gemini/gemini-2.5-flash",
        "ollama/llama3.2",
    ];
    for (i, m) in models.iter().enumerate() {
        add_model(&app, i, m).await?;
    }
    app.fill("prompt-input", "Say hello in five words.").await?;
    // The estimate before sending: tokens in and the input cost, per column.
    app.text_matching("column-estimate-1", |t| {
        t.contains("tok in") && t.contains('$')
    })
    .await?;
    app.click("send-button").await?;

    for i in 0..models.len() {
        wait_status(&app, i, "ok").await?;
    }
    let text = |i| in_column(&app, i, "[data-testid=answer-text]");
    assert_eq!(text(0).await?, "Hi from Claude — ünïcode ✓");
    assert!(text(1).await?.starts_with("GPT says hello, in Python:"));
    assert_eq!(text(2).await?, "Gemini says héllo 👋");
    assert!(text(3).await?.starts_with("GPT says hello, in Python:"));
    // Code is highlighted, with its copy button.
    assert_eq!(
        in_column(&app, 1, "[data-testid=answer-text] pre code").await?,
        "print(\"hello\")"
    );
    assert_eq!(
        in_column(&app, 1, "[data-testid=answer-text] .md-code-copy").await?,
        "Copy"
    );
    // Markdown rendered: the bold is <strong>, not asterisks.
    let strong = in_column(&app, 1, "[data-testid=answer-text] strong").await?;
    assert_eq!(strong, "GPT");
    // Reasoning is shown apart.
    assert!(in_column(&app, 0, "[data-testid=answer-reasoning]")
        .await?
        .contains("Two plus two."));

    // Tokens as each provider reported them: Anthropic's input includes cache reads and
    // writes (12 + 100 + 2000); Gemini's output includes thoughts (7 + 30).
    let tokens = |i| in_column(&app, i, "[data-testid=metric-tokens]");
    assert_eq!(tokens(0).await?, "2112 → 42");
    assert_eq!(tokens(1).await?, "5 → 3");
    assert_eq!(tokens(2).await?, "8 → 37");
    // A cost with its source for each priced model; the local model is free, never $0.
    for i in 0..3 {
        let cost = in_column(&app, i, "[data-testid=metric-cost]").await?;
        assert!(
            cost.starts_with('$') && cost.ends_with("list"),
            "column {i}: {cost:?}"
        );
        assert!(
            !cost.starts_with("$0 ") && cost != "$0",
            "column {i}: {cost:?}"
        );
    }
    assert_eq!(
        in_column(&app, 3, "[data-testid=metric-cost]").await?,
        "free list"
    );
    assert!(in_column(&app, 0, "[data-testid=metric-ttft]")
        .await?
        .contains("ms"));
    // Across columns: the marks, the run total and the tallies.
    let marks = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid^=mark-]')].map(e => e.textContent.trim()).sort();",
            vec![],
        )
        .await?;
    assert_eq!(marks, json!(["cheapest", "fastest", "longest"]));
    let total = app.text_of("run-total").await?;
    assert!(total.starts_with('$'), "{total}");
    assert_eq!(app.text_of("tally-run").await?, total);
    assert_eq!(app.text_of("tally-session").await?, total);
    assert_eq!(app.text_of("tally-today").await?, total);

    // What reached the providers: each model's own format, the keys from the env.
    let sent = anthropic.last_request();
    assert_eq!(sent.header("x-api-key"), Some(ANTHROPIC_KEY));
    assert_eq!(
        sent.json()["messages"][0]["content"],
        "Say hello in five words."
    );
    app.screenshot("four-models").await?;

    // The next turn: every column continues its own conversation.
    app.fill("prompt-input", "And in three?").await?;
    app.click("send-button").await?;
    wait_status(&app, 0, "ok").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while anthropic.last_request().json()["messages"]
        .as_array()
        .map_or(0, Vec::len)
        < 3
    {
        assert!(
            Instant::now() < deadline,
            "no second turn reached Anthropic"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = anthropic.last_request().json();
    assert_eq!(second["messages"][1]["role"], "assistant");
    assert_eq!(
        second["messages"][1]["content"],
        "Hi from Claude — ünïcode ✓"
    );
    assert_eq!(second["messages"][2]["content"], "And in three?");
    app.finish().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_column_a_stopped_column_and_a_hostile_answer() -> Result<(), Error> {
    let openai = openai();
    let (anthropic, gemini) = (anthropic(), gemini());
    let app = launch(
        "compare-ui-faults",
        "Adwaita:dark",
        &openai,
        &anthropic,
        &gemini,
    )
    .await?;
    app.by_test_id("compare-area").await?;
    for (i, m) in [
        "openai/gpt-4o",
        "openai/gpt-4.1",
        "openai/gpt-4o-mini",
        "openai/gpt-xss",
    ]
    .iter()
    .enumerate()
    {
        add_model(&app, i, m).await?;
    }
    app.fill("prompt-input", "Go").await?;
    app.click("send-button").await?;

    // The rate-limited column says so, with the wait the provider asked for; the others
    // are not held up by it.
    wait_status(&app, 1, "error").await?;
    let error = in_column(&app, 1, "[data-testid=answer-error]").await?;
    assert!(error.contains("Rate limited (HTTP 429)"), "{error}");
    assert!(error.contains("Rate limit reached for gpt-4.1"), "{error}");
    assert!(in_column(&app, 1, "[data-testid=answer-retry-after]")
        .await?
        .contains("17 s"));
    wait_status(&app, 0, "ok").await?;

    // Stop halts the slow column; what had arrived stays.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !in_column(&app, 2, "[data-testid=answer-text]")
        .await?
        .contains("word3")
    {
        assert!(Instant::now() < deadline, "the slow column never streamed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.click("column-stop-2").await?;
    wait_status(&app, 2, "cancelled").await?;
    let kept = in_column(&app, 2, "[data-testid=answer-text]").await?;
    assert!(kept.starts_with("word0 word1 word2 word3"), "{kept}");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        in_column(&app, 2, "[data-testid=answer-text]").await?,
        kept,
        "nothing arrives after Stop"
    );
    assert!(in_column(&app, 2, "[data-testid=answer-stopped]")
        .await?
        .starts_with("Stopped"));

    // The hostile answer: shown as text, nothing ran, no live handler or script in the DOM.
    wait_status(&app, 3, "ok").await?;
    let shown = in_column(&app, 3, "[data-testid=answer-text]").await?;
    assert!(shown.contains("Hostile"), "{shown}");
    assert!(in_column(&app, 0, "[data-testid=answer-text]")
        .await?
        .starts_with("GPT says hello"));
    assert!(
        shown.contains("<script>"),
        "raw HTML is shown as text: {shown}"
    );
    let dom = app
        .client
        .execute(
            "const col = document.querySelector('[data-testid=column-3]');\
             for (const a of col.querySelectorAll('a')) a.click();\
             return {\
               xss: window.__xss === undefined ? null : window.__xss,\
               scripts: col.querySelectorAll('script, iframe, svg[onload], img[onerror]').length,\
               handlers: [...col.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,\
               js_links: [...col.querySelectorAll('a')].filter(a => (a.getAttribute('href') || '').trim().toLowerCase().startsWith('javascript')).length,\
             };",
            vec![],
        )
        .await?;
    // Clicking the links ran nothing either (checked after a moment).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let xss_after = app
        .client
        .execute(
            "return window.__xss === undefined ? null : window.__xss;",
            vec![],
        )
        .await?;
    assert_eq!(
        dom,
        json!({"xss": null, "scripts": 0, "handlers": 0, "js_links": 0}),
        "the hostile answer left something live"
    );
    assert_eq!(xss_after, json!(null));
    app.screenshot("faults").await?;

    // Retry the failed column: it asks the provider again.
    let before = openai.requests();
    app.click("column-retry-1").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while openai.requests() == before {
        assert!(Instant::now() < deadline, "retry sent nothing");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_status(&app, 1, "error").await?;
    app.finish().await
}
