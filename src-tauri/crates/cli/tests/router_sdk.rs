//! `switchboard serve` under its real clients: the official `openai` Python SDK and the
//! official `openai` npm SDK call the router the way a user's code does — streamed and
//! not, with fallbacks, and with every error an SDK must turn into the right exception
//! — in front of mock OpenAI, Anthropic and Gemini servers (each provider's wire
//! format); then the history must hold every routed call with its route and cost.
//!
//! `make interop` runs it. By hand: `tests/interop/venv.sh && tests/interop/router-npm.sh`,
//! then `cargo test -p switchboard-cli --features live-tests --test router_sdk`.
//! SWITCHBOARD_LIVE_PYTHON (the venv's python, set by tests/interop/litellm.sh) and
//! SWITCHBOARD_LIVE_ROUTER_NPM (the npm client, set by tests/interop/router-npm.sh)
//! override where the clients are looked for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
#[path = "support/providers.rs"]
mod providers;
// Shared with the other CLI tests; this one runs `serve` and reads no `json_lines`.
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use mock::{Mock, Recorded, Reply};
use providers::{
    answer, catalog_cost, error_reply, openai_chunk, Wire, COMPLETION_TOKENS, PROMPT_TOKENS,
};
use serde_json::{json, Value};
use support::served::{history_responses, history_runs, Served};

const TOKEN: &str = "sb-router-sdk-token-4c1e";
const KEYS: [(&str, &str); 3] = [
    ("OPENAI_API_KEY", "sk-router-sdk-openai-1111"),
    ("ANTHROPIC_API_KEY", "sk-ant-router-sdk-2222"),
    ("GEMINI_API_KEY", "router-sdk-gemini-3333"),
];

const OPENAI_TEXT: &str = "Hello from the OpenAI mock.";
const ANTHROPIC_TEXT: &str = "Hello from the Anthropic mock.";
const GEMINI_TEXT: &str = "Hello from the Gemini mock.";
/// What the cut stream sends before its connection drops.
const CUT_PIECES: [&str; 2] = ["The answer starts ", "and then the line drops"];

/// Every alias, and what each deployment does (the mocks decide by model name):
/// openai gpt-4o-mini answers, gpt-4o answers 429, gpt-4.1 answers 500, gpt-4.1-mini
/// streams a little and drops the connection; anthropic claude-haiku-4-5 answers,
/// claude-opus-4-1 answers 500; gemini answers. No retries (the fallback happens at
/// once) and no cooldown (every call of the test sees the same route).
const CONFIG: &str = "model_list:
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o-mini
  - model_name: claude
    litellm_params:
      model: anthropic/claude-haiku-4-5
  - model_name: gemini
    litellm_params:
      model: gemini/gemini-2.5-flash
  - model_name: limited
    litellm_params:
      model: openai/gpt-4o
  - model_name: limited-fallback-1
    litellm_params:
      model: anthropic/claude-haiku-4-5
  - model_name: flaky
    litellm_params:
      model: openai/gpt-4.1
  - model_name: flaky-fallback-1
    litellm_params:
      model: gemini/gemini-2.5-flash
  - model_name: broken
    litellm_params:
      model: openai/gpt-4.1
  - model_name: broken-fallback-1
    litellm_params:
      model: anthropic/claude-opus-4-1
  - model_name: cut
    litellm_params:
      model: openai/gpt-4.1-mini
router_settings:
  num_retries: 0
  cooldown_time: 0
  fallbacks:
    - limited: [limited-fallback-1]
    - flaky: [flaky-fallback-1]
    - broken: [broken-fallback-1]
";
const ALIASES: usize = 7;

// ---------------------------------------------------------------------------------
// Mock providers

/// The OpenAI mock: gpt-4o rate-limits, gpt-4.1 fails, gpt-4.1-mini's stream drops
/// mid-answer; every other model answers.
fn openai(r: &Recorded) -> Reply {
    let body = r.json();
    match body["model"].as_str().unwrap_or_default() {
        "gpt-4o" => error_reply(Wire::OpenAi, 429),
        "gpt-4.1" => error_reply(Wire::OpenAi, 500),
        model @ "gpt-4.1-mini" if body["stream"] == true => {
            // Two pieces of text, then the connection drops mid-answer (no finish, no
            // [DONE], no last chunk of the chunked body).
            let events: String = [
                openai_chunk(
                    model,
                    json!({"role": "assistant", "content": ""}),
                    Value::Null,
                ),
                openai_chunk(model, json!({"content": CUT_PIECES[0]}), Value::Null),
                openai_chunk(model, json!({"content": CUT_PIECES[1]}), Value::Null),
            ]
            .iter()
            .map(|e| format!("data: {e}\n\n"))
            .collect();
            Reply::sse(&events).chunked(false)
        }
        _ => answer(Wire::OpenAi, OPENAI_TEXT, r),
    }
}

/// The Anthropic mock: claude-opus-4-1 fails, every other model answers.
fn anthropic(r: &Recorded) -> Reply {
    if r.json()["model"] == "claude-opus-4-1" {
        error_reply(Wire::Anthropic, 500)
    } else {
        answer(Wire::Anthropic, ANTHROPIC_TEXT, r)
    }
}

struct Mocks {
    openai: Mock,
    anthropic: Mock,
    gemini: Mock,
}

impl Mocks {
    fn start() -> Self {
        Self {
            openai: mock::start_blocking(openai),
            anthropic: mock::start_blocking(anthropic),
            gemini: mock::start_blocking(|r| answer(Wire::Gemini, GEMINI_TEXT, r)),
        }
    }

    /// The model each request asked for, per provider (Gemini's from its path).
    fn models(m: &Mock) -> Vec<String> {
        m.requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                if r.path.contains("/models/") {
                    let after = r.path.split("/models/").nth(1).unwrap();
                    after.split(':').next().unwrap().to_owned()
                } else {
                    r.json()["model"].as_str().unwrap_or_default().to_owned()
                }
            })
            .collect()
    }
}

fn count(models: &[String], model: &str) -> usize {
    models.iter().filter(|m| *m == model).count()
}

// ---------------------------------------------------------------------------------
// The router

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// `switchboard …` with the test's data folder, the mocks as the providers and the
/// dummy keys; nothing from the developer's environment.
fn switchboard(data: &Path, m: &Mocks) -> Command {
    let mut c = support::served::switchboard(data, TOKEN);
    c.env("OPENAI_BASE_URL", format!("{}/v1", m.openai.url()))
        .env("ANTHROPIC_BASE_URL", m.anthropic.url())
        .env("GEMINI_BASE_URL", m.gemini.url())
        .env("NO_PROXY", "127.0.0.1,localhost");
    for (k, v) in KEYS {
        c.env(k, v);
    }
    c
}

// ---------------------------------------------------------------------------------
// The SDKs

#[derive(Clone, Copy, Debug)]
enum Sdk {
    Python,
    Npm,
}

impl Sdk {
    /// The `User-Agent` prefix each SDK sends (the history keeps it as the client).
    fn agent(self) -> &'static str {
        match self {
            Sdk::Python => "OpenAI/Python",
            Sdk::Npm => "OpenAI/JS",
        }
    }

    fn command(self) -> Command {
        let mut c = match self {
            Sdk::Python => {
                let python = std::env::var_os("SWITCHBOARD_LIVE_PYTHON")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| {
                        let venv = std::env::var_os("INTEROP_VENV")
                            .map(PathBuf::from)
                            .unwrap_or_else(|| repo().join("target/interop-venv"));
                        venv.join("bin/python")
                    });
                assert!(
                    python.exists(),
                    "no {} with the openai SDK: run tests/interop/venv.sh (make interop does), or set SWITCHBOARD_LIVE_PYTHON",
                    python.display()
                );
                let mut c = Command::new(python);
                c.arg(repo().join("tests/interop/router_client.py"));
                c
            }
            Sdk::Npm => {
                let client = std::env::var_os("SWITCHBOARD_LIVE_ROUTER_NPM")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| repo().join("tests/interop/router-npm/client.mjs"));
                let installed = client.with_file_name("node_modules/openai/package.json");
                assert!(
                    installed.exists(),
                    "the openai npm SDK is not installed beside {}: run tests/interop/router-npm.sh (make interop does)",
                    client.display()
                );
                let mut c = Command::new("node");
                c.arg(client);
                c
            }
        };
        // Only what the test passes may point the SDK somewhere.
        for var in [
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "OPENAI_ORG_ID",
            "OPENAI_PROJECT_ID",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            c.env_remove(var);
        }
        c.env("NO_PROXY", "127.0.0.1,localhost");
        c
    }

    /// Runs the calls in one process, in order; one JSON object per call, by name.
    fn run(self, base_url: &str, calls: &[Value]) -> BTreeMap<String, Value> {
        let mut child = self
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {self:?} client: {e}"));
        let spec = json!({"base_url": base_url, "api_key": TOKEN, "calls": calls});
        child
            .stdin
            .take()
            .unwrap()
            .write_all(spec.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "the {self:?} client failed ({:?}):\n{stdout}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let results: BTreeMap<String, Value> = stdout
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                (v["name"].as_str().unwrap().to_owned(), v)
            })
            .collect();
        assert_eq!(results.len(), calls.len(), "{self:?}: {stdout}");
        for (name, r) in &results {
            eprintln!("{self:?} {name}: {r}");
        }
        results
    }
}

fn call(name: &str, model: &str, stream: bool, include_usage: bool) -> Value {
    json!({"name": name, "model": model, "stream": stream, "include_usage": include_usage})
}

/// Every scenario, for one SDK.
fn calls() -> Vec<Value> {
    let mut c = vec![
        call("stream-gpt", "gpt", true, true),
        call("stream-claude", "claude", true, true),
        call("stream-gemini", "gemini", true, true),
        call("stream-gpt-no-usage", "gpt", true, false),
        call("json-gpt", "gpt", false, false),
        call("json-claude", "claude", false, false),
        call("json-gemini", "gemini", false, false),
        call("fallback-429", "limited", false, false),
        call("fallback-429-stream", "limited", true, true),
        call("fallback-500", "flaky", false, false),
        call("fallback-500-stream", "flaky", true, true),
        call("unknown-alias", "no-such-alias", false, false),
        call("all-fail", "broken", false, false),
        call("all-fail-stream", "broken", true, false),
        call("cut-stream", "cut", true, true),
    ];
    let mut wrong = call("wrong-token", "gpt", false, false);
    wrong["api_key"] = json!("sb-not-the-token");
    c.push(wrong);
    c
}

/// Calls the router saves (all but the wrong token), per SDK.
const SAVED_PER_SDK: usize = 15;

fn header<'v>(r: &'v Value, name: &str) -> Option<&'v str> {
    r["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

fn attempts(r: &Value) -> u32 {
    header(r, "x-switchboard-attempts")
        .unwrap_or_else(|| panic!("no x-switchboard-attempts: {r}"))
        .parse()
        .unwrap()
}

/// Checks what one SDK saw.
fn check(sdk: Sdk, r: &BTreeMap<String, Value>) {
    let ok = |name: &str| -> &Value {
        let v = &r[name];
        assert_eq!(v["ok"], true, "{sdk:?} {name}: the SDK raised: {v}");
        v
    };
    let failed = |name: &str, class: &str, status: Option<u16>| -> &Value {
        let v = &r[name];
        assert_eq!(v["ok"], false, "{sdk:?} {name}: no error was raised: {v}");
        assert_eq!(v["error"], class, "{sdk:?} {name}: {v}");
        assert_eq!(v["status"], json!(status), "{sdk:?} {name}: {v}");
        v
    };
    let usage_is_the_mocks = |name: &str, v: &Value| {
        assert_eq!(
            v["usage"]["prompt_tokens"], PROMPT_TOKENS,
            "{sdk:?} {name}: {v}"
        );
        assert_eq!(
            v["usage"]["completion_tokens"], COMPLETION_TOKENS,
            "{sdk:?} {name}: {v}"
        );
    };
    // The call answered `text`, and the headers say `deployment` did.
    let routed = |name: &str, text: &str, deployment: &str| -> &Value {
        let v = ok(name);
        assert_eq!(v["text"], text, "{sdk:?} {name}: {v}");
        assert_eq!(
            header(v, "x-switchboard-deployment"),
            Some(deployment),
            "{sdk:?} {name}: {v}"
        );
        v
    };
    // …at the first try, to the end, with the mocks' usage.
    let answered = |name: &str, text: &str, deployment: &str| -> &Value {
        let v = routed(name, text, deployment);
        assert_eq!(v["finish_reason"], "stop", "{sdk:?} {name}: {v}");
        assert_eq!(v["model"], deployment, "{sdk:?} {name}: {v}");
        usage_is_the_mocks(name, v);
        assert_eq!(attempts(v), 1, "{sdk:?} {name}: {v}");
        v
    };

    // 1. Streams from each provider's wire format: the text, a real stream, the usage
    // chunk when asked for (and only then).
    for (name, text, deployment) in [
        ("stream-gpt", OPENAI_TEXT, "openai/gpt-4o-mini"),
        (
            "stream-claude",
            ANTHROPIC_TEXT,
            "anthropic/claude-haiku-4-5",
        ),
        ("stream-gemini", GEMINI_TEXT, "gemini/gemini-2.5-flash"),
    ] {
        let v = answered(name, text, deployment);
        // The role chunk, two pieces of text, the finish, the usage.
        assert!(v["chunks"].as_u64().unwrap() >= 4, "{sdk:?} {name}: {v}");
    }
    let v = ok("stream-gpt-no-usage");
    assert_eq!(v["text"], OPENAI_TEXT, "{sdk:?}: {v}");
    assert_eq!(v["usage"], Value::Null, "{sdk:?}: usage sent unasked: {v}");

    // 2. Whole answers: text, usage, finish reason, and the route in the headers.
    for (name, text, deployment) in [
        ("json-gpt", OPENAI_TEXT, "openai/gpt-4o-mini"),
        ("json-claude", ANTHROPIC_TEXT, "anthropic/claude-haiku-4-5"),
        ("json-gemini", GEMINI_TEXT, "gemini/gemini-2.5-flash"),
    ] {
        let v = answered(name, text, deployment);
        let cost: f64 = header(v, "x-switchboard-cost")
            .unwrap_or_else(|| panic!("{sdk:?} {name}: no cost header: {v}"))
            .parse()
            .unwrap();
        assert!(
            (cost - catalog_cost(deployment)).abs() < 1e-12,
            "{sdk:?} {name}: {v}"
        );
    }

    // 3. Fallbacks: the first group answers 429 (or 500), the second answers; the SDK
    // just gets the answer, and the headers say what happened.
    for (name, text, deployment) in [
        ("fallback-429", ANTHROPIC_TEXT, "anthropic/claude-haiku-4-5"),
        (
            "fallback-429-stream",
            ANTHROPIC_TEXT,
            "anthropic/claude-haiku-4-5",
        ),
        ("fallback-500", GEMINI_TEXT, "gemini/gemini-2.5-flash"),
        (
            "fallback-500-stream",
            GEMINI_TEXT,
            "gemini/gemini-2.5-flash",
        ),
    ] {
        let v = routed(name, text, deployment);
        assert!(attempts(v) >= 2, "{sdk:?} {name}: {v}");
        if name.ends_with("-stream") {
            usage_is_the_mocks(name, v);
        }
    }

    // 4. Errors, as the exceptions each SDK has for them.
    let v = failed("wrong-token", "AuthenticationError", Some(401));
    assert_eq!(v["code"], "invalid_api_key", "{sdk:?}: {v}");
    let v = failed("unknown-alias", "NotFoundError", Some(404));
    assert_eq!(v["code"], "model_not_found", "{sdk:?}: {v}");
    let msg = v["message"].as_str().unwrap();
    assert!(
        msg.contains("no-such-alias") && msg.contains("gpt"),
        "{sdk:?}: the 404 should name the alias and what is served: {msg}"
    );
    for name in ["all-fail", "all-fail-stream"] {
        let v = failed(name, "InternalServerError", Some(502));
        let msg = v["message"].as_str().unwrap();
        assert!(
            msg.contains("openai/gpt-4.1") && msg.contains("anthropic/claude-opus-4-1"),
            "{sdk:?} {name}: the message should name the deployments tried: {msg}"
        );
        assert_eq!(attempts(v), 2, "{sdk:?} {name}: {v}");
        assert_eq!(v["text"], "", "{sdk:?} {name}: {v}");
    }
    // A stream cut by the provider after some text: the SDK raises, after having
    // given exactly the text the provider sent.
    let v = failed("cut-stream", "APIError", None);
    assert_eq!(v["text"], CUT_PIECES.concat(), "{sdk:?}: {v}");
    assert_eq!(
        header(v, "x-switchboard-deployment"),
        Some("openai/gpt-4.1-mini"),
        "{sdk:?}: {v}"
    );
}

// ---------------------------------------------------------------------------------
// The history

/// Every saved response, from `history list` and `history show`.
fn saved(data: &Path, m: &Mocks) -> Vec<Value> {
    history_runs(switchboard(data, m))
        .iter()
        .flat_map(|run| {
            assert_eq!(run["source"], "router", "{run}");
            history_responses(switchboard(data, m), run)
        })
        .collect()
}

/// What one SDK's calls left in the history: alias, deployment, attempts, text and a
/// cost wherever the answer is priced.
fn check_history(sdk: Sdk, all: &[Value]) {
    let mine: Vec<&Value> = all
        .iter()
        .filter(|r| {
            r["route"]["client"]
                .as_str()
                .is_some_and(|c| c.starts_with(sdk.agent()))
        })
        .collect();
    assert_eq!(
        mine.len(),
        SAVED_PER_SDK,
        "{sdk:?}: calls saved with its User-Agent: {mine:#?}"
    );
    let find = |alias: &str| -> Vec<&Value> {
        mine.iter()
            .copied()
            .filter(|r| r["route"]["alias"] == alias)
            .collect()
    };
    for (alias, n, deployment, tries, text) in [
        ("gpt", 3, "openai/gpt-4o-mini", 1, OPENAI_TEXT),
        ("claude", 2, "anthropic/claude-haiku-4-5", 1, ANTHROPIC_TEXT),
        ("gemini", 2, "gemini/gemini-2.5-flash", 1, GEMINI_TEXT),
        (
            "limited",
            2,
            "anthropic/claude-haiku-4-5",
            2,
            ANTHROPIC_TEXT,
        ),
        ("flaky", 2, "gemini/gemini-2.5-flash", 2, GEMINI_TEXT),
    ] {
        let rs = find(alias);
        assert_eq!(rs.len(), n, "{sdk:?} {alias}: {rs:#?}");
        for r in rs {
            let what = format!("{sdk:?} {alias}: {r}");
            assert_eq!(r["status"], "ok", "{what}");
            assert_eq!(r["route"]["deployment"], deployment, "{what}");
            assert_eq!(r["model"], deployment, "{what}");
            assert_eq!(r["route"]["attempts"], tries, "{what}");
            assert_eq!(r["text"], text, "{what}");
            assert_eq!(r["usage"]["input_tokens"], PROMPT_TOKENS, "{what}");
            assert_eq!(r["usage"]["output_tokens"], COMPLETION_TOKENS, "{what}");
            assert_eq!(r["cost"]["source"], "computed", "{what}");
            let usd: f64 = r["cost"]["usd"].as_str().unwrap().parse().unwrap();
            assert!(
                (usd - catalog_cost(deployment)).abs() < 1e-12,
                "{what}: cost {usd}, the catalog says {}",
                catalog_cost(deployment)
            );
        }
    }
    let broken = find("broken");
    assert_eq!(broken.len(), 2, "{sdk:?}: {broken:#?}");
    for r in broken {
        assert_eq!(r["status"], "error", "{sdk:?}: {r}");
        assert_eq!(
            r["route"]["deployment"], "anthropic/claude-opus-4-1",
            "{sdk:?}: {r}"
        );
        assert_eq!(r["route"]["attempts"], 2, "{sdk:?}: {r}");
        assert!(r["error"]["message"].is_string(), "{sdk:?}: {r}");
    }
    // Refused before any provider: saved with the 404 and a cost of exactly nothing.
    let unknown = find("no-such-alias");
    assert_eq!(unknown.len(), 1, "{sdk:?}: {unknown:#?}");
    assert_eq!(unknown[0]["status"], "error", "{sdk:?}: {}", unknown[0]);
    assert!(
        unknown[0]["route"]["deployment"].is_null(),
        "{sdk:?}: {}",
        unknown[0]
    );
    assert_eq!(
        unknown[0]["route"]["attempts"], 0,
        "{sdk:?}: {}",
        unknown[0]
    );
    assert_eq!(unknown[0]["cost"]["usd"], "0", "{sdk:?}: {}", unknown[0]);
    let cut = find("cut");
    assert_eq!(cut.len(), 1, "{sdk:?}: {cut:#?}");
    assert_eq!(cut[0]["status"], "error", "{sdk:?}: {}", cut[0]);
    assert_eq!(cut[0]["text"], CUT_PIECES.concat(), "{sdk:?}: {}", cut[0]);
    assert_eq!(
        cut[0]["route"]["deployment"], "openai/gpt-4.1-mini",
        "{sdk:?}: {}",
        cut[0]
    );
}

// ---------------------------------------------------------------------------------

#[test]
fn the_openai_python_and_npm_sdks_stream_fall_back_and_fail_cleanly_through_the_router() {
    let data = tempfile::tempdir().unwrap();
    let m = Mocks::start();
    let cfg = data.path().join("config.yaml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let mut cmd = switchboard(data.path(), &m);
    cmd.args(["serve", "--port", "0", "--config"]).arg(&cfg);
    let mut served = Served::start(cmd);
    assert!(
        served
            .banner
            .starts_with(&format!("Serving {ALIASES} setups on http://127.0.0.1:")),
        "{}",
        served.banner
    );

    for sdk in [Sdk::Python, Sdk::Npm] {
        let results = sdk.run(&served.url, &calls());
        check(sdk, &results);
    }

    // What reached the providers: each SDK's calls, fallbacks included, with the
    // providers' keys (never the router's token).
    let (o, a, g) = (
        Mocks::models(&m.openai),
        Mocks::models(&m.anthropic),
        Mocks::models(&m.gemini),
    );
    assert_eq!(count(&o, "gpt-4o-mini"), 2 * 3, "{o:?}");
    assert_eq!(count(&o, "gpt-4o"), 2 * 2, "{o:?}");
    assert_eq!(count(&o, "gpt-4.1"), 2 * 4, "{o:?}");
    assert_eq!(count(&o, "gpt-4.1-mini"), 2, "{o:?}");
    assert_eq!(count(&a, "claude-haiku-4-5"), 2 * 4, "{a:?}");
    assert_eq!(count(&a, "claude-opus-4-1"), 2 * 2, "{a:?}");
    assert_eq!(count(&g, "gemini-2.5-flash"), 2 * 4, "{g:?}");
    for r in m.openai.requests.lock().unwrap().iter() {
        assert_eq!(mock::bearer(r), KEYS[0].1, "{r:?}");
    }
    for r in m.anthropic.requests.lock().unwrap().iter() {
        assert_eq!(r.header("x-api-key"), Some(KEYS[1].1), "{r:?}");
    }
    for r in m.gemini.requests.lock().unwrap().iter() {
        assert_eq!(r.header("x-goog-api-key"), Some(KEYS[2].1), "{r:?}");
    }

    let stderr = served.stop_cleanly();
    let total = 2 * SAVED_PER_SDK;
    assert!(
        stderr.contains(&format!("{total} calls saved to the history")),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN), "the token is in serve's output");

    let all = saved(data.path(), &m);
    assert_eq!(all.len(), total, "{all:#?}");
    for sdk in [Sdk::Python, Sdk::Npm] {
        check_history(sdk, &all);
    }
}
