//! Refreshing prices at run time against mock servers on 127.0.0.1: LiteLLM's map with
//! ETags, and OpenRouter's own list. A failed refresh must never touch good prices.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mock.rs"]
mod mock;

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use mock::{Mock, Recorded, Reply};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use switchboard_core::prices::openrouter::{fetch_openrouter, load_openrouter};
use switchboard_core::prices::refresh::{
    due, load_refreshed, prices_dir, refresh_litellm, RefreshOutcome,
};

const ETAG: &str = "W/\"map-v1\"";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// An upstream-shaped map: `chat` OpenAI models plus entries the catalog must drop.
fn upstream(chat_models: usize) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(
        "sample_spec".into(),
        json!({"mode": "one of: chat, embedding", "input_cost_per_token": 0.0}),
    );
    for i in 0..chat_models {
        map.insert(
            format!("gpt-test-{i}"),
            json!({"litellm_provider": "openai", "mode": "chat",
                   "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
                   "max_input_tokens": 128000, "some_new_field": [1, 2]}),
        );
    }
    map.insert(
        "text-embedding-test".into(),
        json!({"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 1e-07}),
    );
    map.insert(
        "bedrock/claude-test".into(),
        json!({"litellm_provider": "bedrock", "mode": "chat",
               "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}),
    );
    Value::Object(map)
}

fn saved_path(dir: &Path) -> std::path::PathBuf {
    prices_dir(dir).join("litellm.json")
}

fn saved(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(saved_path(dir)).unwrap()).unwrap()
}

/// Serves the map with an ETag, and a 304 to a request that sends that ETag back.
async fn map_server(map: Value) -> Mock {
    let body = map.to_string();
    Mock::start(move |r: &Recorded| {
        if r.header("if-none-match") == Some(ETAG) {
            Reply::error(304, "")
        } else {
            Reply::json(&body).with_header("etag", ETAG)
        }
    })
    .await
}

async fn refresh(mock: &Mock, dir: &Path, at: DateTime<Utc>) -> Result<RefreshOutcome, String> {
    let url = format!("{}/model_prices_and_context_window.json", mock.url());
    refresh_litellm(&reqwest::Client::new(), &url, dir, at)
        .await
        .map_err(|e| e.to_string())
}

/// A data folder holding a good refreshed map, and that file's bytes.
async fn with_good_map() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let good = map_server(upstream(120)).await;
    refresh(&good, dir.path(), now()).await.unwrap();
    let bytes = std::fs::read(saved_path(dir.path())).unwrap();
    (dir, bytes)
}

#[tokio::test]
async fn first_refresh_saves_the_catalog_with_its_etag_and_count() {
    let dir = tempfile::tempdir().unwrap();
    let mock = map_server(upstream(120)).await;
    let out = refresh(&mock, dir.path(), now()).await.unwrap();
    assert_eq!(
        out,
        RefreshOutcome::Updated {
            models: 120,
            version: "litellm map fetched 2026-11-21".into()
        }
    );
    assert_eq!(mock.last_request().header("if-none-match"), None);
    let file = saved(dir.path());
    assert_eq!(file["source"], "litellm");
    assert_eq!(file["etag"], ETAG);
    assert_eq!(file["snapshot_date"], "2026-11-21");
    assert_eq!(file["checked_at"], "2026-11-21T10:00:00Z");
    assert_eq!(file["bundled"], false);
    assert!(file["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1"));
    // Entries are copied as they came, fields Switchboard does not read included.
    assert_eq!(
        file["models"]["gpt-test-7"]["some_new_field"],
        json!([1, 2])
    );

    let c = load_refreshed(dir.path()).unwrap();
    assert_eq!(c.entries.len(), 120);
    assert_eq!(c.meta.version, "litellm map fetched 2026-11-21");
    assert!(!c.meta.bundled);
    let e = c.get("gpt-test-0").unwrap();
    assert_eq!(e.rates.output, Some(Decimal::new(15, 6)));
}

#[tokio::test]
async fn other_modes_and_providers_are_not_kept() {
    let (dir, _) = with_good_map().await;
    let models = saved(dir.path())["models"].as_object().unwrap().clone();
    assert_eq!(models.len(), 120);
    for dropped in ["sample_spec", "text-embedding-test", "bedrock/claude-test"] {
        assert!(!models.contains_key(dropped), "{dropped} was kept");
    }
}

#[tokio::test]
async fn second_refresh_asks_with_the_etag_and_a_304_only_updates_checked_at() {
    let (dir, _) = with_good_map().await;
    let before = saved(dir.path());
    let mock = map_server(upstream(120)).await;
    let later = now() + TimeDelta::hours(30);
    let out = refresh(&mock, dir.path(), later).await.unwrap();
    assert_eq!(out, RefreshOutcome::NotModified);
    assert_eq!(mock.last_request().header("if-none-match"), Some(ETAG));

    let mut after = saved(dir.path());
    assert_eq!(after["checked_at"], "2026-11-22T16:00:00Z");
    after["checked_at"] = before["checked_at"].clone();
    assert_eq!(after, before, "only checked_at may change on a 304");
    assert_eq!(load_refreshed(dir.path()).unwrap().entries.len(), 120);
    assert!(!due(dir.path(), later + TimeDelta::hours(1)));
}

/// Runs a refresh against `reply` over a good saved map: it must fail, say so, and
/// leave the saved file byte for byte as it was.
async fn assert_refused(reply: Reply, expect_in_message: &str) {
    let (dir, good) = with_good_map().await;
    let bad = Mock::always(reply).await;
    let err = refresh(&bad, dir.path(), now() + TimeDelta::days(2))
        .await
        .unwrap_err();
    assert!(err.contains(expect_in_message), "{err}");
    assert!(
        err.contains("bundled or previously saved prices stay in use"),
        "{err}"
    );
    assert_eq!(std::fs::read(saved_path(dir.path())).unwrap(), good);
    let names: Vec<_> = std::fs::read_dir(prices_dir(dir.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["litellm.json"], "no temp file may be left behind");
}

#[tokio::test]
async fn a_server_error_keeps_the_saved_prices() {
    assert_refused(Reply::error(500, "upstream broke"), "HTTP 500").await;
}

#[tokio::test]
async fn a_body_cut_off_mid_json_keeps_the_saved_prices() {
    let body = upstream(120).to_string();
    assert_refused(Reply::json(&body[..body.len() / 2]), "not valid JSON").await;
}

#[tokio::test]
async fn a_connection_cut_mid_download_keeps_the_saved_prices() {
    let body = upstream(120).to_string();
    let reply = Reply::json(&body[..body.len() / 2]).chunked(false);
    assert_refused(reply, "could not download the LiteLLM price map").await;
}

#[tokio::test]
async fn invalid_json_keeps_the_saved_prices() {
    assert_refused(
        Reply::json("<html>rate limited</html>").with_header("etag", "\"x\""),
        "not valid JSON",
    )
    .await;
}

#[tokio::test]
async fn a_map_with_too_few_chat_models_keeps_the_saved_prices() {
    let reply = Reply::json(&upstream(99).to_string()).with_header("etag", "\"small\"");
    assert_refused(reply, "only 99 usable models").await;
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_refused_without_reading_it() {
    let reply = Reply::json("{}").with_header("content-length", &(65 * 1024 * 1024).to_string());
    assert_refused(reply, "larger than 64 MiB").await;
}

#[tokio::test]
async fn a_corrupt_saved_file_is_ignored_and_replaced_by_a_full_download() {
    let (dir, _) = with_good_map().await;
    std::fs::write(saved_path(dir.path()), b"{\"models\": {trunc").unwrap();
    assert!(load_refreshed(dir.path()).is_none());
    assert!(due(dir.path(), now()));

    // Its ETag must not be sent: a 304 would keep the broken file forever.
    let mock = map_server(upstream(120)).await;
    let out = refresh(&mock, dir.path(), now()).await.unwrap();
    assert!(matches!(out, RefreshOutcome::Updated { models: 120, .. }));
    assert_eq!(mock.last_request().header("if-none-match"), None);
    assert!(load_refreshed(dir.path()).is_some());
}

#[tokio::test]
async fn a_refresh_is_due_when_never_checked_or_a_day_old() {
    let dir = tempfile::tempdir().unwrap();
    assert!(due(dir.path(), now()), "never checked");
    assert!(load_refreshed(dir.path()).is_none());

    let mock = map_server(upstream(120)).await;
    refresh(&mock, dir.path(), now()).await.unwrap();
    assert!(!due(dir.path(), now()));
    assert!(!due(dir.path(), now() + TimeDelta::hours(23)));
    assert!(due(dir.path(), now() + TimeDelta::hours(24)));
    assert!(
        due(dir.path(), now() - TimeDelta::hours(1)),
        "a check in the future means the clock moved back"
    );
}

fn openrouter_models() -> Value {
    json!({"data": [
        {"id": "anthropic/claude-sonnet-4.5", "context_length": 1000000,
         "pricing": {"prompt": "0.000003", "completion": "0.000015", "request": "0",
                     "image": "0.0048", "input_cache_read": "0.0000003",
                     "input_cache_write": "0.00000375", "internal_reasoning": "0"},
         "top_provider": {"max_completion_tokens": 64000}},
        {"id": "openrouter/auto", "context_length": 2000000,
         "pricing": {"prompt": "-1", "completion": "-1"}},
        {"id": "deepseek/deepseek-r1:free", "context_length": 163840,
         "pricing": {"prompt": "0", "completion": "0"},
         "top_provider": {"max_completion_tokens": null}}
    ]})
}

#[tokio::test]
async fn openrouter_prices_are_fetched_saved_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Mock::always(Reply::json(&openrouter_models().to_string())).await;
    let base = format!("{}/api/v1", mock.url());
    let n = fetch_openrouter(&reqwest::Client::new(), &base, dir.path(), now())
        .await
        .unwrap();
    assert_eq!(n, 2, "openrouter/auto has no fixed price");
    let r = mock.last_request();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/api/v1/models")
    );
    assert_eq!(r.header("authorization"), None, "the list is public");

    let p = load_openrouter(dir.path()).unwrap();
    assert_eq!(p.version(), "openrouter /models (2026-11-21)");
    let sonnet = &p.entries["anthropic/claude-sonnet-4.5"];
    assert_eq!(sonnet.rates.input.unwrap().to_string(), "0.000003");
    assert_eq!(sonnet.rates.cache_write.unwrap().to_string(), "0.00000375");
    assert_eq!(sonnet.context_window(), Some(1_000_000));
    assert!(p.entries["deepseek/deepseek-r1:free"].is_free());
    assert!(!p.entries.contains_key("openrouter/auto"));
}

#[tokio::test]
async fn a_broken_openrouter_list_keeps_the_saved_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = Mock::always(Reply::json(&openrouter_models().to_string())).await;
    let client = reqwest::Client::new();
    fetch_openrouter(&client, &good.url(), dir.path(), now())
        .await
        .unwrap();
    let path = prices_dir(dir.path()).join("openrouter.json");
    let before = std::fs::read(&path).unwrap();

    for (reply, expect) in [
        (Reply::error(502, "bad gateway"), "HTTP 502"),
        (Reply::json("{\"data\": [{\"id\""), "not valid JSON"),
        (Reply::json("{\"error\": \"nope\"}"), "no `data` list"),
        (
            Reply::json(
                r#"{"data":[{"id":"openrouter/auto","pricing":{"prompt":"-1","completion":"-1"}}]}"#,
            ),
            "only 0 usable models",
        ),
    ] {
        let bad = Mock::always(reply).await;
        let err = fetch_openrouter(&client, &bad.url(), dir.path(), now())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{expect}");
    }
    assert!(load_openrouter(dir.path()).is_some());
}

#[tokio::test]
async fn a_corrupt_openrouter_file_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load_openrouter(dir.path()).is_none());
    std::fs::create_dir_all(prices_dir(dir.path())).unwrap();
    std::fs::write(prices_dir(dir.path()).join("openrouter.json"), "not json").unwrap();
    assert!(load_openrouter(dir.path()).is_none());
}
