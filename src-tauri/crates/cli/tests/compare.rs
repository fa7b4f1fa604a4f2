//! `switchboard compare` and `switchboard models` end to end, against mock OpenAI,
//! Anthropic and Gemini servers on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use mock::{start_blocking, Mock, Recorded, Reply, Step};
use serde_json::Value;
use support::json_lines::{json_lines, streamed_text};
use tokio::sync::Notify;

const KEY: &str = "sk-PLANTED-do-not-leak-8f3a9c";

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../core/tests/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The binary with a clean environment: no real keys or base URLs leak in, no D-Bus
/// session (so no keychain: keys come from the variables each test sets), and an empty
/// data folder (no saved base URLs or endpoints from the machine's own settings).
fn switchboard() -> std::process::Command {
    static DATA: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let data = DATA.get_or_init(|| tempfile::tempdir().unwrap());
    let mut c = std::process::Command::cargo_bin("switchboard").unwrap();
    c.env_clear().env("SWITCHBOARD_DATA_DIR", data.path());
    c
}

fn summaries(lines: &[Value]) -> Vec<Value> {
    let mut s: Vec<Value> = lines
        .iter()
        .filter(|v| v["event"] == "summary")
        .cloned()
        .collect();
    s.sort_by_key(|v| v["target"].as_u64());
    s
}

struct Three {
    oa: Mock,
    an: Mock,
    ge: Mock,
}

fn three(oa: Reply, an: Reply, ge: Reply) -> Three {
    Three {
        oa: start_blocking(move |_| oa.clone()),
        an: start_blocking(move |_| an.clone()),
        ge: start_blocking(move |_| ge.clone()),
    }
}

fn with_three(cmd: &mut std::process::Command, m: &Three) {
    cmd.env("OPENAI_BASE_URL", format!("{}/v1", m.oa.url()))
        .env("ANTHROPIC_BASE_URL", m.an.url())
        .env("GEMINI_BASE_URL", m.ge.url())
        .env("OPENAI_API_KEY", KEY)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("GEMINI_API_KEY", KEY);
}

const THREE_MODELS: [&str; 6] = [
    "-m",
    "openai/gpt-4o",
    "-m",
    "anthropic/claude-sonnet-4-5",
    "-m",
    "gemini/gemini-2.5-flash",
];

#[test]
fn compare_json_returns_exact_text_and_reported_tokens_from_three_providers() {
    let m = three(
        Reply::sse(&fixture("openai/basic.sse")),
        Reply::sse(&fixture("anthropic/basic.sse")),
        Reply::sse(&fixture("gemini/basic.sse")),
    );
    let mut cmd = switchboard();
    with_three(&mut cmd, &m);
    let out = cmd
        .args(["compare", "--json"])
        .args(THREE_MODELS)
        .arg("Say hi")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out.stdout);
    // Events stream before the summaries, tagged with target and model.
    let first = &lines[0];
    assert!(
        first["target"].is_u64() && first["model"].is_string(),
        "{first}"
    );
    assert_eq!(streamed_text(&lines, 0), "Hello, wörld — 日本語 🎉 done.");
    let s = summaries(&lines);
    assert_eq!(s.len(), 3);
    let expect = [
        (
            "openai/gpt-4o",
            "Hello, wörld — 日本語 🎉 done.",
            "",
            23,
            9,
            11,
            0,
            0,
        ),
        (
            "anthropic/claude-sonnet-4-5",
            "Hi from Claude — ünïcode ✓",
            "Two plus two.",
            2112,
            42,
            2000,
            100,
            0,
        ),
        (
            "gemini/gemini-2.5-flash",
            "Gemini says héllo 👋",
            "Thinking about it",
            8,
            37,
            4,
            0,
            30,
        ),
    ];
    for (v, (model, text, reasoning, input, output, cached, write, rtok)) in s.iter().zip(expect) {
        assert_eq!(v["model"], model);
        assert_eq!(v["status"], "ok", "{v}");
        assert_eq!(v["text"], text);
        assert_eq!(v["reasoning"], reasoning);
        assert_eq!(v["finish_reason"], "stop");
        assert_eq!(v["error"], Value::Null);
        let u = &v["usage"];
        assert_eq!(u["input_tokens"], input, "{model}");
        assert_eq!(u["output_tokens"], output, "{model}");
        assert_eq!(u["cached_input_tokens"], cached, "{model}");
        assert_eq!(u["cache_write_tokens"], write, "{model}");
        assert_eq!(u["reasoning_tokens"], rtok, "{model}");
        assert_eq!(u["source"], "reported");
        let mt = &v["metrics"];
        assert!(mt["ttft_ms"].is_u64() && mt["total_ms"].is_u64(), "{mt}");
        assert!(mt.get("output_tokens_per_s").is_some());
    }
}

#[test]
fn compare_json_gives_a_typed_error_for_each_failure_mode() {
    let cut = {
        let b = fixture("openai/basic.sse");
        let i = b.find("data: [DONE]").unwrap();
        b[..i - 40].to_owned()
    };
    let malformed =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json\n\n"
            .to_owned();
    let mid_error = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\ndata: {\"error\":{\"message\":\"upstream exploded\",\"type\":\"server_error\"}}\n\n".to_owned();
    let mock = start_blocking(move |r: &Recorded| {
        let model = r.json()["model"].as_str().unwrap_or_default().to_owned();
        match model.as_str() {
            "auth" => Reply::error(
                401,
                r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            ),
            "ratelimit" => Reply::error(
                429,
                r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#,
            )
            .with_header("retry-after", "3"),
            "server" => Reply::error(
                500,
                r#"{"error":{"message":"The server had an error","type":"server_error"}}"#,
            ),
            "cut" => Reply::sse(&cut),
            "malformed" => Reply::sse(&malformed),
            "miderror" => Reply::sse(&mid_error),
            "missing" => Reply::error(
                404,
                r#"{"error":{"message":"The model `missing` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#,
            ),
            _ => Reply::sse("").first(Step::Sleep(Duration::from_secs(30))),
        }
    });
    let an = start_blocking(|_| {
        Reply::error(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
    });
    let out = switchboard()
        .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
        .env("OPENAI_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", an.url())
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["compare", "--json", "--timeout-first-token", "3"])
        .args([
            "-m",
            "openai/auth",
            "-m",
            "openai/ratelimit",
            "-m",
            "openai/server",
            "-m",
            "openai/cut",
        ])
        .args([
            "-m",
            "openai/malformed",
            "-m",
            "openai/miderror",
            "-m",
            "anthropic/claude",
            "-m",
            "openai/silent",
        ])
        .arg("hi")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "every target failed");
    let s = summaries(&json_lines(&out.stdout));
    let kinds: Vec<&str> = s
        .iter()
        .map(|v| v["error"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "auth",
            "rate_limited",
            "server",
            "stream_interrupted",
            "malformed_response",
            "server",
            "overloaded",
            "timeout"
        ]
    );
    assert!(s.iter().all(|v| v["status"] == "error"));
    assert_eq!(s[0]["error"]["status"], 401);
    assert!(s[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Incorrect API key provided"));
    assert_eq!(s[1]["error"]["retry_after_s"], 3.0);
    assert_eq!(
        s[3]["text"], "Hello, wörld — 日本語 🎉 done.",
        "partial text is kept"
    );
    assert_eq!(s[4]["text"], "a");
    assert!(s[5]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("upstream exploded"));
    assert_eq!(s[6]["error"]["status"], 529);
    assert_eq!(s[7]["error"]["phase"], "first_token");
    // Error events precede the summaries.
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.iter().filter(|v| v["event"] == "error").count(), 8);
}

#[test]
fn exit_status_is_zero_when_at_least_one_target_succeeds() {
    let m = three(
        Reply::sse(&fixture("openai/basic.sse")),
        Reply::error(
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        ),
        Reply::error(500, "{}"),
    );
    let mut cmd = switchboard();
    with_three(&mut cmd, &m);
    let out = cmd
        .args(["compare", "--json"])
        .args(THREE_MODELS)
        .arg("hi")
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn a_slow_target_never_delays_a_fast_one() {
    let gate = Arc::new(Notify::new());
    let slow_reply = Reply::sse(&fixture("openai/basic.sse")).first(Step::Wait(gate.clone()));
    let m = three(
        slow_reply,
        Reply::sse(&fixture("anthropic/basic.sse")),
        Reply::sse(&fixture("gemini/basic.sse")),
    );
    let mut cmd = switchboard();
    with_three(&mut cmd, &m);
    let mut child = cmd
        .args(["compare", "--json"])
        .args(THREE_MODELS)
        .arg("hi")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Fallback so a broken runner fails the assertion instead of hanging.
    let g = gate.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(20));
        g.notify_one();
    });
    let stdout = child.stdout.take().unwrap();
    let mut order = Vec::new();
    let mut fast_done = 0;
    for line in BufReader::new(stdout).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let key = (
            v["target"].as_u64().unwrap(),
            v["event"].as_str().unwrap().to_owned(),
        );
        if key.0 != 0 && key.1 == "summary" {
            fast_done += 1;
            if fast_done == 2 {
                gate.notify_one();
            }
        }
        order.push(key);
    }
    assert!(child.wait().unwrap().success());
    let pos = |t: u64, e: &str| order.iter().position(|k| k.0 == t && k.1 == e).unwrap();
    let slow_first_delta = pos(0, "delta");
    assert!(pos(1, "summary") < slow_first_delta, "{order:?}");
    assert!(pos(2, "summary") < slow_first_delta, "{order:?}");
}

#[test]
fn a_planted_key_never_appears_in_output_or_errors() {
    // Every mock echoes whatever key it was sent back in its auth error.
    let echo = |r: &Recorded| {
        let sent = r
            .header("authorization")
            .map(|v| v.trim_start_matches("Bearer ").to_owned())
            .or_else(|| r.header("x-api-key").map(str::to_owned))
            .or_else(|| r.header("x-goog-api-key").map(str::to_owned))
            .unwrap_or_default();
        Reply::error(
            401,
            &format!(
                r#"{{"error":{{"message":"Incorrect API key provided: {sent}","type":"authentication_error"}}}}"#
            ),
        )
    };
    let m = Three {
        oa: start_blocking(echo),
        an: start_blocking(echo),
        ge: start_blocking(echo),
    };
    for json in [true, false] {
        let mut cmd = switchboard();
        with_three(&mut cmd, &m);
        cmd.arg("compare");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.args(THREE_MODELS).arg("hi").output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stdout.contains("Incorrect API key provided"), "{stdout}");
        assert!(!stdout.contains(KEY), "key in stdout: {stdout}");
        assert!(!stderr.contains(KEY), "key in stderr: {stderr}");
        assert_eq!(out.status.code(), Some(1));
    }
    // The mocks did receive it: the test would be vacuous otherwise.
    assert_eq!(
        m.oa.last_request().header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[test]
fn terminal_output_has_sections_a_summary_table_and_hints() {
    let m = three(
        Reply::sse(&fixture("openai/no_usage.sse")),
        Reply::error(
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        ),
        Reply::sse(&fixture("gemini/basic.sse")),
    );
    let mut cmd = switchboard();
    with_three(&mut cmd, &m);
    let out = cmd
        .arg("compare")
        .args(THREE_MODELS)
        .arg("hi")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "── openai/gpt-4o ──",
        "Local answer",
        "Gemini says héllo 👋",
        "ttft",
        "tok/s",
        "cost",
        "auth",
        "invalid x-api-key",
        "the anthropic key from $ANTHROPIC_API_KEY was refused",
        "~ estimated",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn prompt_from_stdin_params_and_per_model_overrides_reach_the_request() {
    let m = three(
        Reply::sse(&fixture("openai/basic.sse")),
        Reply::sse(&fixture("anthropic/basic.sse")),
        Reply::sse(&fixture("gemini/basic.sse")),
    );
    let mut cmd = switchboard();
    with_three(&mut cmd, &m);
    let out = cmd
        .args([
            "compare",
            "--json",
            "--system",
            "Be terse.",
            "--param",
            "temperature=0.3",
            "--param",
            "stop=END",
        ])
        .args([
            "-m",
            "openai/gpt-4o@temperature=0.9@seed=7",
            "-m",
            "anthropic/claude-x@max_tokens=99",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all("from stdin ✓".as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let oa = m.oa.last_request().json();
    assert_eq!(oa["messages"][1]["content"], "from stdin ✓");
    assert_eq!(oa["messages"][0]["content"], "Be terse.");
    assert_eq!(oa["temperature"], 0.9);
    assert_eq!(oa["seed"], 7);
    assert_eq!(oa["stop"][0], "END");
    let an = m.an.last_request().json();
    assert_eq!(an["temperature"], 0.3);
    assert_eq!(an["max_tokens"], 99);
    assert_eq!(an["system"], "Be terse.");
    assert_eq!(an["stop_sequences"][0], "END");
}

#[test]
fn a_custom_endpoint_is_named_on_the_command_line() {
    let mock = start_blocking(|_| Reply::sse(&fixture("openai/no_usage.sse")));
    let out = switchboard()
        .env("MY_LLM_API_KEY", KEY)
        .args([
            "compare",
            "--json",
            "--endpoint",
            &format!("my-llm={}/v1", mock.url()),
        ])
        .args([
            "--endpoint-header",
            "my-llm:X-Team=blue",
            "-m",
            "my-llm/qwen2.5",
            "hi",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summaries(&json_lines(&out.stdout));
    assert_eq!(s[0]["model"], "my-llm/qwen2.5");
    assert_eq!(s[0]["text"], "Local answer");
    assert_eq!(s[0]["usage"]["source"], "estimated");
    let r = mock.last_request();
    assert_eq!(r.json()["model"], "qwen2.5");
    assert_eq!(r.header("x-team"), Some("blue"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

#[test]
fn an_unknown_provider_or_bad_param_is_a_usage_error() {
    let out = switchboard()
        .args(["compare", "-m", "nope/x", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown provider"));
    let out = switchboard()
        .args(["compare", "-m", "openai/x", "--param", "warmth=2", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_key_names_the_variable() {
    let out = switchboard()
        .args(["compare", "--json", "-m", "openai/gpt-4o", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = summaries(&json_lines(&out.stdout));
    assert_eq!(s[0]["error"]["kind"], "auth");
    assert!(s[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("OPENAI_API_KEY"));
}

#[test]
fn models_lists_a_providers_models() {
    let mock = start_blocking(|r: &Recorded| {
        assert_eq!(
            r.path,
            "/v1beta/models?pageSize=1000".to_owned()
                + if r.path.contains("pageToken") {
                    "&pageToken=p2"
                } else {
                    ""
                }
        );
        if r.path.contains("pageToken=p2") {
            Reply::json(
                r#"{"models":[{"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro"}]}"#,
            )
        } else {
            Reply::json(
                r#"{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576}],"nextPageToken":"p2"}"#,
            )
        }
    });
    let out = switchboard()
        .env("GEMINI_BASE_URL", mock.url())
        .env("GEMINI_API_KEY", KEY)
        .args(["models", "gemini", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gemini-2.5-flash", "gemini-2.5-pro"]);
    let out = switchboard()
        .env("GEMINI_BASE_URL", mock.url())
        .env("GEMINI_API_KEY", KEY)
        .args(["models", "gemini"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("gemini/gemini-2.5-flash\t1048576"));
}

#[test]
fn models_reports_a_typed_error() {
    let mock = start_blocking(|_| {
        Reply::error(
            401,
            r#"{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}"#,
        )
    });
    let out = switchboard()
        .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
        .env("OPENAI_API_KEY", KEY)
        .args(["models", "openai", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "auth");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(KEY));
}

#[test]
fn compare_json_types_the_remaining_failure_modes() {
    let filtered = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Par\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n".to_owned();
    let oa = start_blocking(move |r: &Recorded| {
        match r.json()["model"].as_str().unwrap_or_default() {
            "missing" => Reply::error(
                404,
                r#"{"error":{"message":"The model `missing` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            ),
            "forbidden" => Reply::error(
                403,
                r#"{"error":{"message":"Country, region, or territory not supported","type":"request_forbidden","param":null,"code":"unsupported_country_region_territory"}}"#,
            ),
            "toolong" => Reply::error(
                400,
                r#"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130017 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
            ),
            "badparam" => Reply::error(
                400,
                r#"{"error":{"message":"Invalid type for 'temperature': expected a decimal, but got a string instead.","type":"invalid_request_error","param":"temperature","code":"invalid_type"}}"#,
            ),
            _ => Reply::sse(&filtered),
        }
    });
    let unsafe_answer = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Well\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":1,\"totalTokenCount\":5}}\r\n\r\ndata: {\"candidates\":[{\"content\":{\"parts\":[],\"role\":\"model\"},\"finishReason\":\"SAFETY\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":1,\"totalTokenCount\":5}}\r\n\r\n".to_owned();
    let ge = start_blocking(move |r: &Recorded| {
        if r.path.contains("/models/badkey:") {
            Reply::error(
                400,
                r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#,
            )
        } else if r.path.contains("/models/quota:") {
            Reply::error(
                429,
                r#"{"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}"#,
            )
        } else {
            Reply::sse(&unsafe_answer)
        }
    });
    let out = switchboard()
        .env("OPENAI_BASE_URL", format!("{}/v1", oa.url()))
        .env("OPENAI_API_KEY", KEY)
        .env("GEMINI_BASE_URL", ge.url())
        .env("GEMINI_API_KEY", KEY)
        .args(["compare", "--json"])
        .args(["-m", "openai/missing", "-m", "openai/forbidden"])
        .args(["-m", "openai/toolong", "-m", "openai/badparam"])
        .args(["-m", "openai/filtered", "-m", "gemini/badkey"])
        .args(["-m", "gemini/quota", "-m", "gemini/unsafe"])
        .arg("hi")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "every target failed");
    let s = summaries(&json_lines(&out.stdout));
    let kinds: Vec<&str> = s
        .iter()
        .map(|v| v["error"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "model_not_found",
            "permission",
            "context_length",
            "invalid_request",
            "content_filtered",
            "auth",
            "rate_limited",
            "content_filtered"
        ]
    );
    assert!(s[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("maximum context length is 128000 tokens"));
    assert_eq!(s[4]["text"], "Par", "text before the filter is kept");
    assert_eq!(s[5]["error"]["status"], 400);
    assert_eq!(s[6]["error"]["retry_after_s"], 12.0);
    assert_eq!(s[7]["text"], "Well");
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(!all.contains(KEY));
}

#[test]
fn ctrl_c_cancels_every_target_and_keeps_the_partial_text() {
    let mock = start_blocking(|_| {
        let first =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Partial answer\"}}]}\n\n";
        Reply::sse(first).with_step(Step::Sleep(Duration::from_secs(60)))
    });
    let mut child = switchboard()
        .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
        .env("OPENAI_API_KEY", KEY)
        .args([
            "compare", "--json", "-m", "openai/a", "-m", "openai/b", "hi",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    // Wait until both targets have streamed their first words, then press Ctrl-C.
    while lines
        .iter()
        .filter(|v: &&Value| v["event"] == "delta")
        .count()
        < 2
    {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "stream ended early"
        );
        lines.push(serde_json::from_str(&line).unwrap());
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    for line in reader.lines() {
        lines.push(serde_json::from_str(&line.unwrap()).unwrap());
    }
    let status = child.wait().unwrap();
    let s = summaries(&lines);
    assert_eq!(s.len(), 2, "one summary per target after Ctrl-C");
    for v in &s {
        assert_eq!(v["status"], "cancelled", "{v}");
        assert_eq!(v["error"]["kind"], "cancelled");
        assert_eq!(v["text"], "Partial answer");
    }
    assert!(
        !status.success(),
        "a run cut short by the user is not a success"
    );
}

#[test]
fn a_saved_set_gives_its_models_params_and_system_prompts() {
    use switchboard_core::chat::Target;
    use switchboard_core::model_sets::{self, ModelSet};
    let data = tempfile::tempdir().unwrap();
    let mut french = Target::new("ollama/french");
    french.system = Some("Always answer in French, whatever the question.".into());
    french.params.temperature = Some(0.1);
    model_sets::save(
        data.path(),
        ModelSet {
            name: "Local pair".into(),
            targets: vec![french, Target::new("ollama/plain")],
        },
    )
    .unwrap();
    let mock = start_blocking(|_| Reply::sse(&fixture("openai/no_usage.sse")));
    let run = |args: &[&str]| {
        switchboard()
            .env("SWITCHBOARD_DATA_DIR", data.path())
            .env("OLLAMA_BASE_URL", format!("{}/v1", mock.url()))
            .args(["compare", "--json"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--set", "local PAIR", "-m", "ollama/extra", "hi"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out.stdout);
    let s = summaries(&lines);
    let models: Vec<&str> = s.iter().map(|v| v["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["ollama/french", "ollama/plain", "ollama/extra"]);
    let body = |model: &str| {
        mock.requests
            .lock()
            .unwrap()
            .iter()
            .map(Recorded::json)
            .find(|b| b["model"] == model)
            .unwrap()
    };
    let fr = body("french");
    assert_eq!(
        fr["messages"][0]["content"],
        "Always answer in French, whatever the question."
    );
    assert_eq!(fr["temperature"], 0.1);
    assert_eq!(body("plain")["messages"][0]["role"], "user");
    // The estimates count each column's own system prompt.
    let estimates: Vec<u64> = lines
        .iter()
        .filter(|v| v["event"] == "estimate")
        .map(|v| v["input_tokens"].as_u64().unwrap())
        .collect();
    assert!(estimates[0] > estimates[1], "{estimates:?}");

    let out = run(&["--set", "nope", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("saved sets: Local pair"), "{err}");
}
