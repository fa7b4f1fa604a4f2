//! `switchboard serve` end to end: the real binary serving a LiteLLM config (or the saved
//! setups) in front of a mock provider, called over HTTP; every call saved in a real
//! history in a temporary data folder. Keys planted in the environment must never come
//! out of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use mock::{openai_says, start_blocking, Mock, Reply};
use serde_json::{json, Value};

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
        let mut c = Command::cargo_bin("switchboard").unwrap();
        c.env_clear()
            .env("SWITCHBOARD_DATA_DIR", self.data.path())
            .env("SWITCHBOARD_ROUTER_TOKEN", TOKEN)
            .env("MY_PROVIDER_KEY", PLANTED)
            .env("OPENAI_BASE_URL", format!("{}/v1", self.mock.url()))
            // No keychain here: keys and the token come from the environment.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
        c
    }

    fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
        let p = self.data.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

/// A running `serve`: its base URL (from the first line it prints) and its output.
struct Served {
    child: Child,
    base: String,
    stdout: String,
}

fn serve(mut cmd: Command) -> Served {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    if first.is_empty() {
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        panic!("serve did not start: {err}");
    }
    let base = first
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches("/v1")
        .to_owned();
    assert!(first.starts_with("Serving "), "{first}");
    // The rest of the banner is read at the end.
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let _ = rest;
    Served {
        child,
        base,
        stdout: first,
    }
}

impl Served {
    /// SIGTERM, then what it printed on stderr and its exit status.
    fn stop(mut self) -> (String, i32) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (err, status.code().unwrap_or(-1))
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn chat(base: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/v1/chat/completions"))
        .header("user-agent", "serve-test/1.0")
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn history_json(env: &Env) -> Value {
    let out = env
        .cmd()
        .args(["history", "list", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
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
    let served = serve(cmd);
    assert!(
        served
            .stdout
            .contains("Serving 1 setup on http://127.0.0.1:"),
        "{}",
        served.stdout
    );

    let base = served.base.clone();
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

    let (stderr, code) = served.stop();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 calls saved to the history"), "{stderr}");
    assert!(!stderr.contains(PLANTED) && !stderr.contains(TOKEN));

    let runs = history_json(&env);
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(
        runs.len(),
        1,
        "only the routed call is saved, not the refused ones"
    );
    let id = runs[0]["id"].as_i64().unwrap();
    let out = env
        .cmd()
        .args(["history", "show", &id.to_string(), "--json"])
        .output()
        .unwrap();
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &run["responses"][0];
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
    let served = serve(cmd);
    let (stderr, code) = served.stop();
    assert_eq!(code, 0);
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
    let served = serve(cmd);
    let base = served.base.clone();
    let (models, text) = rt().block_on(async {
        let models: Value = reqwest::Client::new()
            .get(format!("{base}/v1/models"))
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
    let (stderr, code) = served.stop();
    assert_eq!(code, 0, "{stderr}");
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
    let served = serve(cmd);
    let base = served.base.clone();
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
    let (_, code) = served.stop();
    assert_eq!(code, 0);
    assert_eq!(env.mock.requests(), 1);
    let runs = history_json(&env);
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2, "{runs}");
}

#[test]
fn a_failing_upstream_is_an_openai_shaped_error_and_still_saved() {
    let env = Env::new(start_blocking(|_| {
        Reply::error(500, r#"{"error":{"message":"boom","type":"server_error"}}"#)
    }));
    let cfg = env.write("config.yaml", CONFIG);
    let mut cmd = env.cmd();
    cmd.args(["serve", "--port", "0", "--config"]).arg(&cfg);
    let served = serve(cmd);
    let base = served.base.clone();
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
    let runs = history_json(&env);
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1);
}
