//! `switchboard compare` and `models` against a REAL OpenAI-compatible server, not our
//! mocks. `make interop` runs these against a LiteLLM proxy (pinned, from PyPI) that
//! answers with LiteLLM's `mock_response`; against Ollama or llama.cpp's llama-server:
//!
//! ```sh
//! SWITCHBOARD_LIVE_BASE_URL=http://127.0.0.1:11434/v1 SWITCHBOARD_LIVE_MODEL=llama3.2 \
//!   cargo test -p switchboard-cli --features live-tests --test live_server
//! ```
//! (`SWITCHBOARD_LIVE_KEY` for a server that wants a key; `SWITCHBOARD_LIVE_TEXT` for
//! one whose exact answer is known.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use support::json_lines::{json_lines, streamed_text};

struct Live {
    base: String,
    model: String,
    key: Option<String>,
    text: Option<String>,
}

fn live() -> Live {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Live {
        base: var("SWITCHBOARD_LIVE_BASE_URL")
            .expect("set SWITCHBOARD_LIVE_BASE_URL (make interop does) to a running server's /v1"),
        model: var("SWITCHBOARD_LIVE_MODEL").expect("set SWITCHBOARD_LIVE_MODEL"),
        key: var("SWITCHBOARD_LIVE_KEY"),
        text: var("SWITCHBOARD_LIVE_TEXT"),
    }
}

/// `switchboard SUBCOMMAND --endpoint local=BASE` with only the endpoint's key in its
/// environment, and a data folder of the test's own: `compare` saves its runs to the
/// history, and a test never writes into the user's.
fn switchboard(live: &Live, key: Option<&str>, subcommand: &str) -> std::process::Command {
    let data = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("live-server-data");
    let mut c = std::process::Command::cargo_bin("switchboard").unwrap();
    c.env_clear()
        .env("SWITCHBOARD_DATA_DIR", data)
        .arg(subcommand)
        .args(["--endpoint", &format!("local={}", live.base)]);
    if let Some(k) = key {
        c.env("LOCAL_API_KEY", k);
    }
    c
}

fn compare(live: &Live, key: Option<&str>, models: &[String]) -> (Option<i32>, Vec<Value>) {
    let mut cmd = switchboard(live, key, "compare");
    cmd.args(["--json", "--param", "max_tokens=64"]);
    for m in models {
        cmd.args(["-m", m]);
    }
    let out = cmd.arg("Say hello in five words.").output().unwrap();
    (out.status.code(), json_lines(&out.stdout))
}

fn summary(lines: &[Value], target: u64) -> &Value {
    lines
        .iter()
        .find(|v| v["event"] == "summary" && v["target"] == target)
        .unwrap_or_else(|| panic!("no summary for target {target}: {lines:?}"))
}

#[test]
fn compare_streams_the_whole_answer_with_reported_usage() {
    let live = live();
    let (code, lines) = compare(
        &live,
        live.key.as_deref(),
        &[format!("local/{}", live.model)],
    );
    let s = summary(&lines, 0);
    assert_eq!(code, Some(0), "{s}");
    assert_eq!(s["status"], "ok", "{s}");
    let text = s["text"].as_str().unwrap();
    assert!(!text.is_empty());
    if let Some(expected) = &live.text {
        assert_eq!(text, expected);
    }
    assert_eq!(
        streamed_text(&lines, 0),
        text,
        "the deltas must add up to the answer"
    );
    assert!(
        lines.iter().filter(|v| v["event"] == "delta").count() > 1,
        "the answer should arrive in several chunks"
    );
    assert_eq!(s["finish_reason"], "stop");
    assert_eq!(s["usage"]["source"], "reported", "{s}");
    assert!(s["usage"]["output_tokens"].as_u64().unwrap() > 0);
    assert!(s["usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert!(s["metrics"]["ttft_ms"].is_u64());
}

#[test]
fn an_unknown_model_is_a_typed_error_beside_a_good_answer() {
    let live = live();
    let (code, lines) = compare(
        &live,
        live.key.as_deref(),
        &[
            format!("local/{}", live.model),
            "local/no-such-model-switchboard".to_owned(),
        ],
    );
    assert_eq!(code, Some(0), "one target succeeded, so the run succeeds");
    assert_eq!(summary(&lines, 0)["status"], "ok");
    let bad = summary(&lines, 1);
    assert_eq!(bad["status"], "error");
    let kind = bad["error"]["kind"].as_str().unwrap();
    assert!(
        ["model_not_found", "invalid_request"].contains(&kind),
        "unexpected kind {kind}: {bad}"
    );
    assert!(!bad["error"]["message"].as_str().unwrap().is_empty());
}

#[test]
fn a_wrong_key_fails_with_the_servers_message_and_does_not_echo_the_key() {
    let live = live();
    if live.key.is_none() {
        // A keyless local server (Ollama) accepts any key: nothing to check there.
        return;
    }
    let wrong = "sk-switchboard-WRONG-key-31337";
    let (code, lines) = compare(&live, Some(wrong), &[format!("local/{}", live.model)]);
    assert_eq!(code, Some(1), "every target failed");
    let s = summary(&lines, 0);
    assert_eq!(s["status"], "error", "{s}");
    // The kind follows the server's status: 401 is `auth` (the mock-server tests pin
    // that per provider); LiteLLM without a database answers 400 "No connected db.",
    // which is `invalid_request` with LiteLLM's own message.
    assert!(s["error"]["kind"].is_string(), "{s}");
    assert!(!s["error"]["message"].as_str().unwrap().is_empty(), "{s}");
    let all = serde_json::to_string(&lines).unwrap();
    assert!(!all.contains(wrong), "the key leaked into the output");
}

#[test]
fn models_lists_the_served_model() {
    let live = live();
    let out = switchboard(&live, live.key.as_deref(), "models")
        .args(["local", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&live.model), "{text}");
}
