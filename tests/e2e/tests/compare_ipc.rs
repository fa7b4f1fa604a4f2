//! The playground's transport, in the real app: `start_compare` streams a three-model
//! comparison to the webview over a Tauri channel in batches, every column's text and
//! summary arrive, a failing column reports its typed error while the others finish.
//! (The playground UI itself is issue 6; this drives the command from the page.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../src-tauri/crates/core/tests/support/mock.rs"]
mod mock;

use std::time::{Duration, Instant};

use mock::{bearer, openai_bad_key, openai_models, openai_says, start_blocking, Recorded};
use serde_json::{json, Value};
use switchboard_e2e::{App, Error};

const KEY: &str = "sk-compare-ipc-test-key-0001";

#[tokio::test(flavor = "multi_thread")]
async fn a_comparison_streams_to_the_page_in_batches_with_a_summary_per_column() -> Result<(), Error>
{
    let says = |text: &'static str| {
        start_blocking(move |r: &Recorded| {
            if bearer(r) != KEY {
                openai_bad_key(bearer(r))
            } else if r.path.ends_with("/models") {
                openai_models(&["gpt-4o"])
            } else {
                openai_says(text)
            }
        })
    };
    let (openai, groq, mistral) = (says("from openai"), says("from groq"), says("from mistral"));
    let urls = [
        format!("{}/v1", openai.url()),
        format!("{}/v1", groq.url()),
        format!("{}/v1", mistral.url()),
    ];
    let app = App::launch_with_env(
        "compare-ipc",
        &[
            ("OPENAI_BASE_URL", &urls[0]),
            ("GROQ_BASE_URL", &urls[1]),
            ("MISTRAL_BASE_URL", &urls[2]),
            ("OPENAI_API_KEY", KEY),
            ("GROQ_API_KEY", KEY),
            ("MISTRAL_API_KEY", "sk-wrong-key-for-mistral-0002"),
        ],
    )
    .await?;
    app.by_test_id("compare-area").await?;

    let request = json!({
        "request": {"system": null, "messages": [{"role": "user", "content": "hi"}], "params": {}},
        "targets": [
            {"model": "openai/gpt-4o", "params": {}},
            {"model": "groq/llama-3.3-70b-versatile", "params": {}},
            {"model": "mistral/mistral-small-latest", "params": {}},
        ]
    });
    let started = app
        .client
        .execute_async(
            "const [request, done] = arguments;\
             window.__batches = [];\
             const id = window.__TAURI_INTERNALS__.transformCallback((raw) => {\
               if ('message' in raw) window.__batches.push(raw);\
             });\
             window.__TAURI_INTERNALS__\
               .invoke('start_compare', {request, events: '__CHANNEL__:' + id})\
               .then((run) => done({run}), (error) => done({error}));",
            vec![request],
        )
        .await?;
    assert!(started["run"]["id"].is_number(), "{started}");
    // Saved to the history from the start, with nothing wrong to report.
    assert!(started["run"]["history_id"].is_number(), "{started}");
    assert!(started["run"]["history_error"].is_null(), "{started}");

    // Every column sends a summary; wait for the three.
    let deadline = Instant::now() + Duration::from_secs(30);
    let batches: Vec<Value> = loop {
        let v = app
            .client
            .execute("return window.__batches;", vec![])
            .await?;
        let batches = v.as_array().cloned().unwrap_or_default();
        let summaries = batches
            .iter()
            .flat_map(|b| b["message"].as_array().cloned().unwrap_or_default())
            .filter(|e| e["event"] == "summary")
            .count();
        if summaries == 3 {
            break batches;
        }
        assert!(Instant::now() < deadline, "only {summaries} summaries: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut ordered = batches.clone();
    ordered.sort_by_key(|b| b["index"].as_u64());
    let events: Vec<Value> = ordered
        .iter()
        .flat_map(|b| b["message"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(
        batches.len() < events.len(),
        "events arrive batched: {} batches for {} events",
        batches.len(),
        events.len()
    );
    let summary = |target: u64| {
        events
            .iter()
            .find(|e| e["event"] == "summary" && e["target"] == target)
            .cloned()
            .unwrap()
    };
    assert_eq!(summary(0)["text"], "from openai");
    assert_eq!(summary(0)["status"], "ok");
    assert_eq!(summary(1)["text"], "from groq");
    let failed = summary(2);
    assert_eq!(failed["status"], "error", "{failed}");
    assert_eq!(failed["error"]["kind"], "auth", "{failed}");
    let all = serde_json::to_string(&events)?;
    assert!(
        !all.contains("sk-wrong-key-for-mistral"),
        "a key reached the page"
    );
    assert!(!all.contains(KEY), "a key reached the page");

    // The picker's list: live models with the price in use, or the typed error.
    let listed = |provider: &str| {
        let provider = provider.to_owned();
        let client = app.client.clone();
        async move {
            client
                .execute_async(
                    "const [provider, done] = arguments;\
                     window.__TAURI_INTERNALS__.invoke('provider_models', {provider})\
                       .then(done, (error) => done({error}));",
                    vec![json!(provider)],
                )
                .await
        }
    };
    let openai_models = listed("openai").await?;
    let gpt = &openai_models["models"][0];
    assert_eq!(gpt["id"], "openai/gpt-4o", "{openai_models}");
    assert_eq!(gpt["context_window"], 128000, "{gpt}");
    assert_eq!(gpt["price"]["input_per_mtok"], "2.5", "{gpt}");
    let mistral_models = listed("mistral").await?;
    assert_eq!(mistral_models["error"]["kind"], "auth", "{mistral_models}");
    assert!(mistral_models["hint"]
        .as_str()
        .unwrap()
        .contains("MISTRAL_API_KEY"));
    app.finish().await
}
