//! The compare runner against mock servers: targets run at once and independently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mock.rs"]
mod mock;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use mock::{Mock, Reply, Step};
use switchboard_core::chat::{ChatRequest, Target, UsageSource};
use switchboard_core::keys::EnvKeys;
use switchboard_core::providers::Providers;
use switchboard_core::{CompareRequest, ErrorKind, RunEventKind, Runner, TargetStatus, Timeouts};
use tokio::sync::Notify;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn providers(vars: &[(&str, String)]) -> Providers {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env)))
}

#[tokio::test]
async fn three_providers_at_once_with_exact_text_and_reported_usage() {
    let oa = Mock::always(Reply::sse(&fixture("openai/basic.sse"))).await;
    let an = Mock::always(Reply::sse(&fixture("anthropic/basic.sse"))).await;
    let ge = Mock::always(Reply::sse(&fixture("gemini/basic.sse"))).await;
    let p = providers(&[
        ("OPENAI_BASE_URL", format!("{}/v1", oa.url())),
        ("ANTHROPIC_BASE_URL", an.url()),
        ("GEMINI_BASE_URL", ge.url()),
        ("OPENAI_API_KEY", "k1".into()),
        ("ANTHROPIC_API_KEY", "k2".into()),
        ("GOOGLE_API_KEY", "k3".into()),
    ]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let (_h, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets: vec![
                Target::new("openai/gpt-4o"),
                Target::new("anthropic/claude-sonnet-4-5"),
                Target::new("gemini/gemini-2.5-flash"),
            ],
        })
        .unwrap();
    let mut summaries = HashMap::new();
    while let Some(ev) = rx.recv().await {
        if let RunEventKind::Summary(s) = ev.event {
            summaries.insert(ev.target, s);
        }
    }
    assert_eq!(summaries.len(), 3);
    let s = &summaries[&0];
    assert_eq!(s.status, TargetStatus::Ok);
    assert_eq!(s.text, "Hello, wörld — 日本語 🎉 done.");
    assert_eq!((s.usage.input_tokens, s.usage.output_tokens), (23, 9));
    assert!(s.metrics.ttft_ms.is_some());
    assert_eq!(summaries[&1].text, "Hi from Claude — ünïcode ✓");
    assert_eq!(summaries[&1].usage.output_tokens, 42);
    assert_eq!(summaries[&2].text, "Gemini says héllo 👋");
    assert_eq!(summaries[&2].usage.output_tokens, 37);
    assert!(summaries
        .values()
        .all(|s| s.usage.source == UsageSource::Reported));
}

#[tokio::test]
async fn a_slow_target_never_delays_a_fast_one() {
    let gate = Arc::new(Notify::new());
    let slow_reply = Reply::sse(&fixture("openai/basic.sse")).first(Step::Wait(gate.clone()));
    let slow = Mock::always(slow_reply).await;
    let fast = Mock::always(Reply::sse(&fixture("anthropic/basic.sse"))).await;
    let p = providers(&[
        ("OPENAI_BASE_URL", format!("{}/v1", slow.url())),
        ("ANTHROPIC_BASE_URL", fast.url()),
        ("OPENAI_API_KEY", "k".into()),
        ("ANTHROPIC_API_KEY", "k".into()),
    ]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let (_h, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("hi"),
            // The slow one first: a sequential runner would block on it.
            targets: vec![Target::new("openai/slow"), Target::new("anthropic/fast")],
        })
        .unwrap();
    // Fallback so a broken runner fails the assertion instead of hanging.
    let g = gate.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(20)).await;
        g.notify_one();
    });
    let mut order = Vec::new();
    while let Some(ev) = rx.recv().await {
        let name = serde_json::to_value(&ev).unwrap()["event"]
            .as_str()
            .unwrap()
            .to_owned();
        if ev.target == 1 && name == "summary" {
            gate.notify_one();
        }
        order.push((ev.target, name));
    }
    let fast_done = order
        .iter()
        .position(|e| *e == (1, "summary".to_owned()))
        .unwrap();
    let slow_first_delta = order
        .iter()
        .position(|e| *e == (0, "delta".to_owned()))
        .unwrap();
    assert!(fast_done < slow_first_delta, "{order:?}");
}

#[tokio::test]
async fn cancelling_one_target_keeps_its_partial_text_and_spares_the_other() {
    let mut hanging =
        Reply::sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"so far\"}}]}\n\n");
    hanging.steps.push(Step::Sleep(Duration::from_secs(60)));
    let hang = Mock::always(hanging).await;
    let ok = Mock::always(Reply::sse(&fixture("gemini/basic.sse"))).await;
    let p = providers(&[
        ("OPENAI_BASE_URL", format!("{}/v1", hang.url())),
        ("GEMINI_BASE_URL", ok.url()),
        ("OPENAI_API_KEY", "k".into()),
        ("GEMINI_API_KEY", "k".into()),
    ]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let (handle, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets: vec![Target::new("openai/x"), Target::new("gemini/y")],
        })
        .unwrap();
    let mut summaries = HashMap::new();
    while let Some(ev) = rx.recv().await {
        if ev.target == 0 && matches!(ev.event, RunEventKind::Delta { .. }) {
            assert!(handle.cancel(0));
        }
        if let RunEventKind::Summary(s) = ev.event {
            summaries.insert(ev.target, s);
        }
    }
    assert_eq!(summaries[&0].status, TargetStatus::Cancelled);
    assert_eq!(summaries[&0].text, "so far");
    assert_eq!(
        summaries[&0].error.as_ref().unwrap().kind,
        ErrorKind::Cancelled
    );
    assert_eq!(summaries[&1].status, TargetStatus::Ok);
    assert!(!handle.cancel(5));
}

#[tokio::test]
async fn cancel_all_ends_every_target() {
    let gate = Arc::new(Notify::new());
    let a = Mock::always(Reply::sse(&fixture("openai/basic.sse")).first(Step::Wait(gate.clone())))
        .await;
    let p = providers(&[
        ("OPENAI_BASE_URL", format!("{}/v1", a.url())),
        ("OPENAI_API_KEY", "k".into()),
    ]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let (handle, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets: vec![Target::new("openai/a"), Target::new("openai/b")],
        })
        .unwrap();
    let mut cancelled = 0;
    let mut started = 0;
    while let Some(ev) = rx.recv().await {
        match ev.event {
            RunEventKind::Started => {
                started += 1;
                if started == 2 {
                    handle.cancel_all();
                }
            }
            RunEventKind::Summary(s) if s.status == TargetStatus::Cancelled => cancelled += 1,
            _ => {}
        }
    }
    assert_eq!(cancelled, 2);
}

#[tokio::test]
async fn no_usage_from_the_server_means_estimated_usage() {
    let m = Mock::always(Reply::sse(&fixture("openai/no_usage.sse"))).await;
    let p = providers(&[("OLLAMA_BASE_URL", format!("{}/v1", m.url()))]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let (_h, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("12345678"),
            targets: vec![Target::new("ollama/llama3.2")],
        })
        .unwrap();
    let mut summary = None;
    while let Some(ev) = rx.recv().await {
        if let RunEventKind::Summary(s) = ev.event {
            summary = Some(s);
        }
    }
    let s = summary.unwrap();
    assert_eq!(s.status, TargetStatus::Ok);
    assert_eq!(s.text, "Local answer");
    assert_eq!(s.usage.source, UsageSource::Estimated);
    // 8 characters ≈ 2 tokens, plus the chat format's 3 per message + 1 role + 3 priming.
    assert_eq!(s.usage.input_tokens, 9);
    assert_eq!(s.usage.output_tokens, 3);
    // A local model costs nothing, and says so.
    assert!(s.cost.free);
    assert_eq!(s.cost.display(&Default::default()), "free");
    // No key is needed for a local server.
    assert!(m.last_request().header("authorization").is_none());
}

#[tokio::test]
async fn an_unknown_provider_fails_only_its_own_target() {
    let m = Mock::always(Reply::sse(&fixture("openai/basic.sse"))).await;
    let p = providers(&[
        ("OPENAI_BASE_URL", format!("{}/v1", m.url())),
        ("OPENAI_API_KEY", "k".into()),
    ]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let (_h, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets: vec![Target::new("nope/x"), Target::new("openai/gpt-4o")],
        })
        .unwrap();
    let mut summaries = HashMap::new();
    while let Some(ev) = rx.recv().await {
        if let RunEventKind::Summary(s) = ev.event {
            summaries.insert(ev.target, s);
        }
    }
    assert_eq!(
        summaries[&0].error.as_ref().unwrap().kind,
        ErrorKind::InvalidRequest
    );
    assert_eq!(summaries[&1].status, TargetStatus::Ok);
}

#[tokio::test]
async fn each_column_sends_and_counts_its_own_system_prompt_and_conversation() {
    use switchboard_core::chat::Message;
    let m = Mock::always(Reply::sse(&fixture("openai/no_usage.sse"))).await;
    let p = providers(&[("OLLAMA_BASE_URL", format!("{}/v1", m.url()))]);
    let runner = Runner::new(p, Timeouts::default()).unwrap();
    let mut own = Target::new("ollama/own");
    own.system = Some("answer in French".into());
    own.messages = Some(vec![
        Message::user("first question, asked at some length to weigh more tokens"),
        Message::assistant("first answer, also of some length"),
        Message::user("second question"),
    ]);
    let mut bare = Target::new("ollama/bare");
    bare.system = Some(String::new());
    let (_h, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest {
                system: Some("be brief".into()),
                ..ChatRequest::prompt("shared prompt")
            },
            targets: vec![Target::new("ollama/shared"), own, bare],
        })
        .unwrap();
    let mut summaries = HashMap::new();
    while let Some(ev) = rx.recv().await {
        if let RunEventKind::Summary(s) = ev.event {
            summaries.insert(ev.target, s);
        }
    }
    let bodies: HashMap<String, serde_json::Value> = m
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            let b = r.json();
            (b["model"].as_str().unwrap().to_owned(), b)
        })
        .collect();
    let roles = |model: &str| -> Vec<(String, String)> {
        bodies[model]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["role"].as_str().unwrap().to_owned(),
                    m["content"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pair = |r: &str, c: &str| (r.to_owned(), c.to_owned());
    assert_eq!(
        roles("shared"),
        [pair("system", "be brief"), pair("user", "shared prompt")]
    );
    assert_eq!(
        roles("own"),
        [
            pair("system", "answer in French"),
            pair(
                "user",
                "first question, asked at some length to weigh more tokens"
            ),
            pair("assistant", "first answer, also of some length"),
            pair("user", "second question"),
        ]
    );
    // A blank override drops the shared system prompt.
    assert_eq!(roles("bare"), [pair("user", "shared prompt")]);
    // No usage came back: each column is counted with what it sent.
    assert!(summaries
        .values()
        .all(|s| s.usage.source == UsageSource::Estimated));
    let input = |i: u32| summaries[&i].usage.input_tokens;
    assert!(input(1) > input(0), "{} vs {}", input(1), input(0));
    assert!(input(0) > input(2), "{} vs {}", input(0), input(2));
}

/// Counts the key lookups (each a keychain round trip in the app), answering from `keys`.
struct Counting {
    keys: EnvKeys<HashMap<String, String>>,
    lookups: std::sync::atomic::AtomicUsize,
}

impl switchboard_core::keys::KeySource for Counting {
    fn lookup(&self, provider: &str, env_vars: &[String]) -> switchboard_core::keys::KeyLookup {
        self.lookups
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.keys.lookup(provider, env_vars)
    }
}

#[tokio::test]
async fn columns_of_one_provider_look_its_key_up_once_per_run() {
    let oa = Mock::always(Reply::sse(&fixture("openai/basic.sse"))).await;
    let env: HashMap<String, String> = [
        ("OPENAI_BASE_URL".to_owned(), format!("{}/v1", oa.url())),
        ("OPENAI_API_KEY".to_owned(), "k1".to_owned()),
    ]
    .into();
    let keys = Arc::new(Counting {
        keys: EnvKeys::new(env.clone()),
        lookups: Default::default(),
    });
    let runner = Runner::new(
        Providers::new(Arc::new(env), keys.clone()),
        Timeouts::default(),
    )
    .unwrap();
    let mut targets: Vec<Target> = (0..7)
        .map(|i| Target::new(format!("openai/gpt-4o-{i}")))
        .collect();
    // Another provider (with no key) is looked up on its own, and fails on its own.
    targets.push(Target::new("anthropic/claude-sonnet-4-5"));
    let (_h, mut rx) = runner
        .start(CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets,
        })
        .unwrap();
    let mut summaries = HashMap::new();
    while let Some(ev) = rx.recv().await {
        if let RunEventKind::Summary(s) = ev.event {
            summaries.insert(ev.target, s);
        }
    }
    assert!((0..7).all(
        |i| summaries[&i].status == TargetStatus::Ok && summaries[&i].text.starts_with("Hello")
    ));
    assert_eq!(summaries[&7].status, TargetStatus::Error);
    assert_eq!(oa.requests(), 7);
    // Each request went with the model its column named.
    let mut models: Vec<String> = oa
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.json()["model"].as_str().unwrap().to_owned())
        .collect();
    models.sort();
    assert_eq!(
        models,
        (0..7).map(|i| format!("gpt-4o-{i}")).collect::<Vec<_>>()
    );
    assert_eq!(keys.lookups.load(std::sync::atomic::Ordering::SeqCst), 2);
}
