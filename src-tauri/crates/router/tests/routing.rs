//! Routing as a client lives it: fallbacks with the attempts header, retry-after
//! honoured, weights, cooldown, client errors not fallen back, and nothing retried
//! once a stream has begun.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::mock::openai_says;
use support::*;
use switchboard_core::setups::{Setup, SetupTarget};
use switchboard_core::TargetStatus;

/// `m429` rate-limits, `m500` fails, `m400` refuses the request, `mkey` refuses the
/// key; every other model answers with its own name.
async fn upstream() -> support::mock::Mock {
    by_model(|m| match m {
        "m429" => openai_error(429, "slow down"),
        "m500" => openai_error(500, "boom"),
        "m502" => openai_error(502, "bad gateway"),
        "m400" => openai_error(400, "temperature is out of range"),
        "mkey" => support::mock::openai_bad_key("sk-up-openai"),
        other => openai_says(&format!("from {other}")),
    })
    .await
}

/// A router whose `chat` tries `openai/first`, which answers `first`, then
/// `openai/good`, which says `good`; each retried `retries` times.
async fn first_then_good(
    first: support::mock::Reply,
    good: &'static str,
    retries: u32,
) -> (support::mock::Mock, Router) {
    let up = by_model(move |m| match m {
        "first" => first.clone(),
        _ => openai_says(good),
    })
    .await;
    let mut setup = fallbacks("chat", &["openai/first", "openai/good"]);
    setup.retries = retries;
    let r = openai_router(&up, setup).await;
    (up, r)
}

fn count(mock: &support::mock::Mock, model: &str) -> usize {
    mock.requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.json()["model"] == model)
        .count()
}

#[tokio::test]
async fn a_429_then_a_500_fall_back_to_the_next_group() {
    let up = upstream().await;
    let setup = fallbacks("chat", &["openai/m429", "openai/m500", "openai/good"]);
    let r = openai_router(&up, setup).await;
    for stream in [false, true] {
        let resp = r.ask("chat", stream).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(attempts(&resp).as_deref(), Some("3"));
        assert_eq!(deployment(&resp).as_deref(), Some("openai/good"));
        let text = resp.text().await.unwrap();
        assert!(text.contains("from good"), "{text}");
    }
    let recs = r.log.wait(2).await;
    assert!(recs
        .iter()
        .all(|r| r.attempts == 3 && r.deployment.as_deref() == Some("openai/good")));
    assert!(recs.iter().all(|r| r.summary.status == TargetStatus::Ok));
}

#[tokio::test]
async fn when_every_group_fails_the_last_error_names_what_was_tried() {
    let up = upstream().await;
    let setup = fallbacks("chat", &["openai/m429", "openai/m500", "openai/m502"]);
    let r = openai_router(&up, setup).await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 502);
    assert_eq!(attempts(&resp).as_deref(), Some("3"));
    let v: Value = resp.json().await.unwrap();
    let m = error_message(&v);
    assert!(m.contains("openai/m429, openai/m500, openai/m502"), "{m}");
    assert!(m.contains("bad gateway"), "{m}");
    let rec = &r.log.wait(1).await[0];
    assert_eq!((rec.http_status, rec.attempts), (502, 3));
    assert_eq!(rec.deployment.as_deref(), Some("openai/m502"));
    assert_eq!(rec.summary.status, TargetStatus::Error);

    // A rate limit at the end is a 429 the SDK backs off on.
    let r = openai_router(&up, fallbacks("rl", &["openai/m429"])).await;
    assert_eq!(r.ask("rl", false).await.status(), 429);
}

#[tokio::test]
async fn a_refused_provider_key_is_502_never_401() {
    let up = upstream().await;
    let r = openai_router(&up, fallbacks("chat", &["openai/mkey"])).await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 502);
    let v: Value = resp.json().await.unwrap();
    let m = error_message(&v);
    assert!(m.contains("openai refused the key"), "{m}");
    assert!(!m.contains("sk-up-openai"), "the key leaked: {m}");
    assert_eq!(v["error"]["code"], "upstream_key_refused");
    // …and it falls back without retrying the refused key.
    let mut setup = fallbacks("chat", &["openai/mkey", "openai/good"]);
    setup.retries = 3;
    let r = openai_router(&up, setup).await;
    assert_eq!(r.ask("chat", false).await.status(), 200);
    assert_eq!(count(&up, "mkey"), 2);
}

#[tokio::test]
async fn retry_after_is_honoured_before_retrying_the_same_deployment() {
    let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let t = times.clone();
    let up = support::mock::Mock::start(move |_| {
        let mut t = t.lock().unwrap();
        t.push(Instant::now());
        if t.len() == 1 {
            openai_error(429, "slow down").with_header("retry-after", "1")
        } else {
            openai_says("finally")
        }
    })
    .await;
    let mut setup = single("chat", "openai/gpt-4o");
    setup.retries = 2;
    let r = openai_router(&up, setup).await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(attempts(&resp).as_deref(), Some("2"));
    let t = times.lock().unwrap();
    let gap = t[1] - t[0];
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_falls_back_at_once() {
    let slow = openai_error(429, "come back in a minute").with_header("retry-after", "60");
    let (up, r) = first_then_good(slow, "other", 3).await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(attempts(&resp).as_deref(), Some("2"));
    assert_eq!(count(&up, "first"), 1);
}

#[tokio::test]
async fn retries_prefer_another_deployment_of_the_group() {
    let up = upstream().await;
    let mut setup = Setup::load_balance(
        "chat",
        vec![
            SetupTarget::new("openai/m500"),
            SetupTarget::new("openai/good"),
        ],
    );
    setup.retries = 1;
    let r = openai_router(&up, setup).await;
    for _ in 0..10 {
        let resp = r.ask("chat", false).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(deployment(&resp).as_deref(), Some("openai/good"));
    }
}

#[tokio::test]
async fn weights_two_to_one_split_the_calls_two_to_one() {
    let up = upstream().await;
    let mut a = SetupTarget::new("openai/a");
    a.weight = 2;
    let b = SetupTarget::new("openai/b");
    let r = openai_router(&up, Setup::load_balance("chat", vec![a, b])).await;
    let n = 120;
    for _ in 0..n {
        assert_eq!(r.ask("chat", false).await.status(), 200);
    }
    let (ca, cb) = (count(&up, "a"), count(&up, "b"));
    assert_eq!(ca + cb, n);
    // Expected 80/40; ±20 is about four standard deviations.
    assert!((60..=100).contains(&ca), "a got {ca}, b got {cb}");
}

#[tokio::test]
async fn a_deployment_that_keeps_failing_cools_down_and_its_siblings_take_its_calls() {
    let up = upstream().await;
    let mut lb = Setup::load_balance(
        "chat",
        vec![
            SetupTarget::new("openai/m500"),
            SetupTarget::new("openai/good"),
        ],
    );
    lb.retries = 1;
    let mut opts = Opts::new(vec![lb]).openai(&up);
    opts.settings.allowed_fails = 2;
    opts.settings.cooldown = Duration::from_secs(60);
    let r = opts.start().await;
    for _ in 0..20 {
        assert_eq!(r.ask("chat", false).await.status(), 200);
    }
    // Picked half the time until it had failed twice, then skipped for the cooldown
    // (fewer than two picks in 20 calls has a chance of about 2e-5).
    assert_eq!(count(&up, "m500"), 2);
    assert_eq!(count(&up, "good"), 20);
}

#[tokio::test]
async fn a_groups_only_deployment_is_not_cooled_down_for_errors_a_retry_may_cure() {
    // LiteLLM's rule: a fallback step of one deployment is tried on every call (the
    // next group takes the failures), so a primary that recovers is used at once.
    let up = upstream().await;
    let mut opts = Opts::new(vec![fallbacks("chat", &["openai/m500", "openai/good"])]).openai(&up);
    opts.settings.allowed_fails = 2;
    opts.settings.cooldown = Duration::from_secs(60);
    let r = opts.start().await;
    for _ in 0..4 {
        let resp = r.ask("chat", false).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(attempts(&resp).as_deref(), Some("2"));
    }
    assert_eq!(count(&up, "m500"), 4);
}

#[tokio::test]
async fn a_client_error_is_returned_at_once_without_fallback() {
    let up = upstream().await;
    let mut setup = fallbacks("chat", &["openai/m400", "openai/good"]);
    setup.retries = 2;
    let r = openai_router(&up, setup).await;
    let resp = r.ask("chat", true).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(attempts(&resp).as_deref(), Some("1"));
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert!(error_message(&v).contains("temperature is out of range"));
    assert_eq!(count(&up, "good"), 0);
    assert_eq!(count(&up, "m400"), 1);
    assert_eq!(r.log.wait(1).await[0].http_status, 400);
}

#[tokio::test]
async fn a_stream_cut_after_its_first_byte_ends_with_an_error_event_and_no_retry() {
    let (up, r) = first_then_good(openai_cut("Hello wor"), "should not be called", 2).await;
    let resp = r.ask("chat", true).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(deployment(&resp).as_deref(), Some("openai/first"));
    let text = resp.text().await.unwrap();
    let chunks = sse_data(&text);
    assert_eq!(joined(&chunks, "content"), "Hello wor");
    let last = chunks.last().unwrap();
    assert!(error_message(last).contains("broke off"), "{text}");
    assert!(!chunks.iter().any(|c| c == "[DONE]"), "{text}");
    assert_eq!(count(&up, "first"), 1);
    assert_eq!(count(&up, "good"), 0);
}

#[tokio::test]
async fn the_non_streamed_answer_of_a_cut_stream_is_retried() {
    // Nothing reached the client yet, so the cut is retried like a 5xx.
    let (_up, r) = first_then_good(openai_cut("Hello wor"), "whole", 0).await;
    let v: Value = r.ask("chat", false).await.json().await.unwrap();
    assert_eq!(answer(&v), "whole");
}
