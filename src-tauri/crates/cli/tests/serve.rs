//! `switchboard serve` end to end: the real binary serving a LiteLLM config (or the saved
//! setups) in front of a mock provider, called over HTTP; every call saved in a real
//! history in a temporary data folder. Keys planted in the environment must never come
//! out of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
// Shared with the other CLI tests; this one runs `serve` and reads no `json_lines`.
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::process::Command;

use mock::{openai_says, start_blocking, Mock, Reply, Step};
use serde_json::{json, Value};
use support::served::{history_responses, history_runs, switchboard, Served};

const PLANTED: &str = "sk-PLANTED-serve-key-do-not-leak-5d2e";
const TOKEN: &str = "sb-test-token-7f3a";

/// A config as `switchboard export litellm` writes one (OpenAI at its usual address,
/// which the tests move to the mock with OPENAI_BASE_URL).
const CONFIG: &str = "model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/MY_PROVIDER_KEY
router_settings:
  num_retries: 0
";

struct Env {
    data: tempfile::TempDir,
    mock: Mock,
}

impl Env {
    fn new(mock: Mock) -> Self {
        Self {
            data: tempfile::tempdir().unwrap(),
            mock,
        }
    }

    fn cmd(&self) -> Command {
        let mut c = switchboard(self.data.path(), TOKEN);
        c.env("MY_PROVIDER_KEY", PLANTED)
            .env("OPENAI_BASE_URL", format!("{}/v1", self.mock.url()));
        c
    }

    fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
        let p = self.data.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn chat(url: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/chat/completions"))
        .header("user-agent", "serve-test/1.0")
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn all_bytes_of(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            all.extend(std::fs::read(&p).unwrap());
        }
    }
    all
}

#[test]
fn a_litellm_config_is_served_and_every_call_lands_in_the_history_with_its_cost() {
    let env = Env::new(start_blocking(|_| openai_says("served through the router")));
    let cfg = env.write("config.yaml", CONFIG);
    let mut cmd = env.cmd();
    cmd.args(["serve", "--config"])
        .arg(&cfg)
        .args(["--port", "0"]);
    let mut served = Served::start(cmd);
    assert!(
        served
            .banner
            .contains("Serving 1 setup on http://127.0.0.1:"),
        "{}",
        served.banner
    );

    let base = served.url.clone();
    let (text, deployment, no_token, bad_token) = rt().block_on(async {
        let r = chat(
            &base,
            Some(TOKEN),
            json!({"model": "chat", "messages": [{"role": "user", "content": "hello"}]}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let deployment = r.headers()["x-switchboard-deployment"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = r.json().await.unwrap();
        let text = body["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        let no_token = chat(&base, None, json!({"model": "chat", "messages": []})).await;
        let bad_token = chat(
            &base,
            Some("sb-wrong"),
            json!({"model": "chat", "messages": []}),
        )
        .await;
        (
            text,
            deployment,
            no_token.status(),
            bad_token.json::<Value>().await.unwrap(),
        )
    });
    assert_eq!(text, "served through the router");
    assert_eq!(deployment, "openai/gpt-4o-mini");
    assert_eq!(no_token, 401);
    // OpenAI's own answer to a wrong key, which every SDK understands.
    assert_eq!(bad_token["error"]["code"], "invalid_api_key", "{bad_token}");
    // The provider got the key the config names, from the environment.
    assert_eq!(mock::bearer(&env.mock.last_request()), PLANTED);

    let stderr = served.stop_cleanly();
    assert!(stderr.contains("1 calls saved to the history"), "{stderr}");
    assert!(!stderr.contains(PLANTED) && !stderr.contains(TOKEN));

    let runs = history_runs(env.cmd());
    assert_eq!(
        runs.len(),
        1,
        "only the routed call is saved, not the refused ones"
    );
    let r = &history_responses(env.cmd(), &runs[0])[0];
    assert_eq!(r["text"], "served through the router");
    assert_eq!(r["route"]["alias"], "chat");
    assert_eq!(r["route"]["client"], "serve-test/1.0");
    assert_eq!(r["usage"]["input_tokens"], 5);
    assert_eq!(r["cost"]["source"], "computed", "{r}");
    assert!(r["cost"]["usd"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);

    let files = all_bytes_of(env.data.path());
    let hay = String::from_utf8_lossy(&files);
    assert!(
        !hay.contains(PLANTED),
        "the provider key reached the data folder"
    );
    assert!(
        !hay.contains(TOKEN),
        "the router token reached the data folder"
    );
}

#[test]
fn a_bad_config_stops_it_with_the_line_and_nothing_listens() {
    let env = Env::new(start_blocking(|_| openai_says("never")));
    let cfg = env.write(
        "config.yaml",
        "model_list:\n  - model_name: chat\n    litellm_params:\n      model: openai/gpt-4o\nrouter_settings:\n  cooldown_time: soon\n",
    );
    let out = env
        .cmd()
        .args(["serve", "--port", "0", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.yaml: line 6:"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn listening_beyond_loopback_needs_a_flag_and_warns() {
    let env = Env::new(start_blocking(|_| openai_says("hi")));
    let cfg = env.write("config.yaml", CONFIG);
    let out = env
        .cmd()
        .args(["serve", "--host", "0.0.0.0", "--port", "0", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));

    let mut cmd = env.cmd();
    cmd.args([
        "serve",
        "--host",
        "0.0.0.0",
        "--allow-remote",
        "--no-history",
        "--port",
        "0",
        "--config",
    ])
    .arg(&cfg);
    let stderr = Served::start(cmd).stop_cleanly();
    assert!(
        stderr.contains("warning: listening on 0.0.0.0:"),
        "{stderr}"
    );
}

#[test]
fn without_a_config_the_saved_setups_are_served_and_with_none_it_says_how_to_get_one() {
    let env = Env::new(start_blocking(|_| openai_says("from a saved setup")));
    let out = env.cmd().args(["serve", "--port", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no setups are saved"));

    let cfg = env.write("config.yaml", CONFIG);
    let imported = env.cmd().arg("import").arg(&cfg).output().unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    let mut cmd = env.cmd();
    // The saved setup reads OpenAI's key from the usual variable and its server from
    // the imported provider settings.
    cmd.env("OPENAI_API_KEY", PLANTED)
        .args(["serve", "--port", "0"]);
    let mut served = Served::start(cmd);
    let base = served.url.clone();
    let (models, text) = rt().block_on(async {
        let models: Value = reqwest::Client::new()
            .get(format!("{base}/models"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = chat(
            &base,
            Some(TOKEN),
            json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await;
        let body: Value = r.json().await.unwrap();
        (models, body["choices"][0]["message"]["content"].clone())
    });
    assert_eq!(models["data"][0]["id"], "chat", "{models}");
    assert_eq!(text, "from a saved setup");
    served.stop_cleanly();
}

#[test]
fn a_spend_cap_answers_429_with_when_it_resets() {
    let env = Env::new(start_blocking(|_| openai_says("spend")));
    let cfg = env.write("config.yaml", CONFIG);
    let mut cmd = env.cmd();
    cmd.args([
        "serve",
        "--port",
        "0",
        "--cap",
        "chat:day:0.0000001",
        "--config",
    ])
    .arg(&cfg);
    let mut served = Served::start(cmd);
    let base = served.url.clone();
    let (first, second, retry_after, body) = rt().block_on(async {
        let req = json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]});
        let first = chat(&base, Some(TOKEN), req.clone()).await.status();
        // The first call's cost is counted when it ends, just after its answer: the
        // next calls may race it, so ask until the cap answers (a few tries at most).
        let mut r = chat(&base, Some(TOKEN), req.clone()).await;
        for _ in 0..50 {
            if r.status() == 429 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            r = chat(&base, Some(TOKEN), req.clone()).await;
        }
        let status = r.status();
        let retry_after = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        (first, status, retry_after, r.json::<Value>().await.unwrap())
    });
    assert_eq!(first, 200);
    assert_eq!(second, 429, "{body}");
    assert_eq!(body["error"]["code"], "spend_cap_reached");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("daily spend cap for `chat`"), "{msg}");
    assert!(retry_after.unwrap() <= 86_400);
    // The refused call never went upstream, and the history shows it was refused.
    served.stop_cleanly();
    assert_eq!(env.mock.requests(), 1);
    let runs = history_runs(env.cmd());
    assert_eq!(runs.len(), 2, "{runs:?}");
}

#[test]
fn a_zero_cap_pauses_every_call_and_a_negative_one_is_refused() {
    let env = Env::new(start_blocking(|_| openai_says("never")));
    let cfg = env.write("config.yaml", CONFIG);
    let out = env
        .cmd()
        .args(["serve", "--port", "0", "--cap-day=-1", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--cap-day needs an amount in USD, 0 or more"),
        "{err}"
    );

    let mut cmd = env.cmd();
    cmd.args(["serve", "--port", "0", "--cap-month", "0", "--config"])
        .arg(&cfg);
    let mut served = Served::start(cmd);
    let base = served.url.clone();
    let status = rt().block_on(async {
        let req = json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]});
        chat(&base, Some(TOKEN), req).await.status()
    });
    assert_eq!(status, 429);
    served.stop_cleanly();
    assert_eq!(
        env.mock.requests(),
        0,
        "a paused router sends nothing upstream"
    );
}

/// A streamed call's whole text, read chunk by chunk as an SDK reads it.
async fn streamed_text(resp: reqwest::Response) -> String {
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    body.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|v| {
            v["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

fn streamed(content: &str) -> Value {
    json!({"model": "chat", "stream": true, "messages": [{"role": "user", "content": content}]})
}

#[test]
fn a_call_waiting_on_its_provider_holds_up_no_other() {
    // The provider holds the "slow" answer half-way until the test lets it go.
    let gate = std::sync::Arc::new(tokio::sync::Notify::new());
    let held = gate.clone();
    let env = Env::new(start_blocking(move |r| {
        if r.body.contains("slow") {
            let mut reply = openai_says("the slow answer");
            reply.steps.insert(1, Step::Wait(held.clone()));
            reply
        } else {
            openai_says("a quick answer")
        }
    }));
    let cfg = env.write("config.yaml", CONFIG);

    let mut cmd = env.cmd();
    cmd.args(["serve", "--port", "0", "--no-history", "--config"])
        .arg(&cfg);
    let mut served = Served::start(cmd);
    let base = served.url.clone();
    let calls = async {
        // Its first chunk is through (the router answered), the rest is held.
        let slow = chat(&base, Some(TOKEN), streamed("slow")).await;
        let mut quick = Vec::new();
        for _ in 0..4 {
            quick.push(streamed_text(chat(&base, Some(TOKEN), streamed("quick")).await).await);
        }
        gate.notify_one();
        (streamed_text(slow).await, quick)
    };
    // A lost wake-up would hang here: fail instead.
    let (slow, quick) = rt()
        .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(60), calls).await })
        .expect("the calls did not finish within a minute");
    assert_eq!(quick, vec!["a quick answer"; 4]);
    assert_eq!(slow, "the slow answer");
    served.stop_cleanly();
}

#[test]
fn a_failing_upstream_is_an_openai_shaped_error_and_still_saved() {
    let env = Env::new(start_blocking(|_| {
        Reply::error(500, r#"{"error":{"message":"boom","type":"server_error"}}"#)
    }));
    let cfg = env.write("config.yaml", CONFIG);
    let mut cmd = env.cmd();
    cmd.args(["serve", "--port", "0", "--config"]).arg(&cfg);
    let mut served = Served::start(cmd);
    let base = served.url.clone();
    let (status, body) = rt().block_on(async {
        let r = chat(
            &base,
            Some(TOKEN),
            json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await;
        (r.status(), r.json::<Value>().await.unwrap())
    });
    assert_eq!(status, 502, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("openai/gpt-4o-mini"),
        "{body}"
    );
    let (stderr, _) = served.stop();
    assert!(stderr.contains("1 calls saved"), "{stderr}");
    assert_eq!(history_runs(env.cmd()).len(), 1);
}
