//! Exported gateway configs in the REAL gateways: the pinned LiteLLM proxy and the
//! pinned open-source Portkey gateway load what Switchboard exports and route calls of
//! the official `openai` Python SDK to mock providers (OpenAI, Anthropic, Gemini and
//! DeepSeek wire formats, byte for byte), with fallback and load balance.
//!
//! `make interop` runs it: `tests/interop/litellm.sh` gives the venv's python
//! (`SWITCHBOARD_LIVE_PYTHON`, with `litellm` beside it) and `tests/interop/portkey.sh`
//! the gateway's start script (`SWITCHBOARD_LIVE_PORTKEY`). Each gateway is started
//! once, by its own test, which runs its cases in sequence against it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
#[path = "support/providers.rs"]
mod providers;

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use mock::{Mock, Recorded};
use providers::{answer, error_reply, Wire, COMPLETION_TOKENS, PROMPT_TOKENS};
use serde_json::{json, Value};
use switchboard_core::gateway::{self, Context, ExportOptions, Format};
use switchboard_core::keys::EnvKeys;
use switchboard_core::prices::book::PriceBook;
use switchboard_core::providers::Providers;
use switchboard_core::setups::{Setup, SetupTarget, DEFAULT_RETRIES};

// ---------------------------------------------------------------------------------
// Mock providers

/// A mock provider that answers `text` in its wire format, or fails with a status for
/// as many requests as `fail` still says.
struct Provider {
    mock: Mock,
    fail: Arc<Mutex<(u16, usize)>>,
    text: String,
    wire: Wire,
}

impl Provider {
    fn start(wire: Wire, text: &str) -> Provider {
        let fail = Arc::new(Mutex::new((200, 0)));
        let (f, t) = (fail.clone(), text.to_owned());
        let mock = mock::start_blocking(move |r| {
            let mut f = f.lock().unwrap();
            if f.1 > 0 {
                f.1 -= 1;
                error_reply(wire, f.0)
            } else {
                answer(wire, &t, r)
            }
        });
        Provider {
            mock,
            fail,
            text: text.to_owned(),
            wire,
        }
    }

    /// Fails every request with `status` (`None`: answers again).
    fn fail_with(&self, status: Option<u16>) {
        *self.fail.lock().unwrap() = status.map_or((200, 0), |s| (s, usize::MAX));
    }

    /// Fails the next `times` requests with `status`, then answers.
    fn fail_times(&self, status: u16, times: usize) {
        *self.fail.lock().unwrap() = (status, times);
    }

    fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.mock.requests.lock().unwrap())
    }

    fn url(&self) -> String {
        self.mock.url()
    }
}

// ---------------------------------------------------------------------------------
// What the mocks saw

const KEYS: [(&str, &str); 4] = [
    ("OPENAI_API_KEY", "sk-interop-openai-1111"),
    ("ANTHROPIC_API_KEY", "sk-ant-interop-2222"),
    ("GEMINI_API_KEY", "interop-gemini-3333"),
    ("DEEPSEEK_API_KEY", "sk-interop-deepseek-4444"),
];

fn key(var: &str) -> &'static str {
    KEYS.iter().find(|(k, _)| *k == var).unwrap().1
}

/// The provider key a request carried, wherever its wire format puts it.
fn sent_key(wire: Wire, r: &Recorded) -> String {
    match wire {
        Wire::OpenAi => mock::bearer(r).to_owned(),
        Wire::Anthropic => r.header("x-api-key").unwrap_or_default().to_owned(),
        // The header, or (older clients) the `key` query parameter.
        Wire::Gemini => r
            .header("x-goog-api-key")
            .map(str::to_owned)
            .or_else(|| {
                r.path
                    .split_once('?')
                    .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("key=")))
                    .map(str::to_owned)
            })
            .unwrap_or_default(),
    }
}

/// Asserts every request reached the provider's chat endpoint for `model`, with its
/// key, and returns how many there were.
fn check_requests(p: &Provider, model: &str, key_var: &str, stream: bool, what: &str) -> usize {
    let reqs = p.take();
    for r in &reqs {
        assert_eq!(r.method, "POST", "{what}: {r:?}");
        match p.wire {
            Wire::OpenAi => {
                assert_eq!(r.path, "/v1/chat/completions", "{what}");
                assert_eq!(r.json()["model"], model, "{what}: {}", r.body);
            }
            Wire::Anthropic => {
                assert_eq!(r.path, "/v1/messages", "{what}");
                assert_eq!(r.json()["model"], model, "{what}: {}", r.body);
                assert_eq!(r.header("anthropic-version"), Some("2023-06-01"), "{what}");
            }
            Wire::Gemini => {
                let method = if stream {
                    "streamGenerateContent"
                } else {
                    "generateContent"
                };
                let want = format!("/v1beta/models/{model}:{method}");
                assert!(
                    r.path == want || r.path.starts_with(&format!("{want}?")),
                    "{what}: Gemini got {} (wanted {want})",
                    r.path
                );
            }
        }
        assert_eq!(
            sent_key(p.wire, r),
            key(key_var),
            "{what}: wrong key: {r:?}"
        );
    }
    reqs.len()
}

// ---------------------------------------------------------------------------------
// Processes

/// A gateway process, ended when the test ends (also when it fails).
struct Gateway {
    child: Child,
    log: PathBuf,
    port: u16,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Gateway {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `GET path` answers 200.
    fn wait_ready(&mut self, path: &str, within: Duration) {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = get_status(self.port, path) {
                if status == 200 {
                    eprintln!("gateway on :{} ready in {:?}", self.port, start.elapsed());
                    return;
                }
            }
            if let Some(code) = self.child.try_wait().unwrap() {
                panic!(
                    "the gateway exited ({code}) before it was ready:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "the gateway was not ready within {within:?}:\n{}",
            self.log()
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The status of a plain HTTP/1.1 GET on 127.0.0.1, or None when nothing answers.
fn get_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split(' ').nth(1)?.parse().ok()
}

/// A fresh secret for LiteLLM's master key (it refuses weak ones such as `sk-1234`).
fn random_hex() -> String {
    (0..2)
        .map(|_| {
            let mut h = RandomState::new().build_hasher();
            h.write_u128(Instant::now().elapsed().as_nanos());
            format!("{:016x}", h.finish())
        })
        .collect()
}

fn python() -> PathBuf {
    PathBuf::from(std::env::var("SWITCHBOARD_LIVE_PYTHON").expect(
        "set SWITCHBOARD_LIVE_PYTHON to the interop venv's python (make interop does: tests/interop/litellm.sh)",
    ))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// A gateway's environment: the dummy provider keys and nothing that would point a
/// provider elsewhere, so only the exported config decides where calls go.
fn gateway_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    for var in [
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_API_BASE",
        "GEMINI_BASE_URL",
        "GEMINI_API_BASE",
        "DEEPSEEK_BASE_URL",
        "DEEPSEEK_API_BASE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        c.env_remove(var);
    }
    for (k, v) in KEYS {
        c.env(k, v);
    }
    c.env("NO_PROXY", "127.0.0.1,localhost");
    c
}

/// What the SDK printed for each call, or the error of the first failed call.
type Replies = Result<Vec<Value>, Value>;

/// The official openai SDK (tests/interop/gateway_client.py), one process for every
/// call of a test (importing the SDK takes seconds).
struct Sdk {
    child: Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Sdk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sdk {
    fn start() -> Mutex<Sdk> {
        let mut c = Command::new(python());
        c.arg(repo().join("tests/interop/gateway_client.py"))
            .arg("--serve")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        for (k, v) in KEYS {
            c.env(k, v);
        }
        let mut child = c.spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Mutex::new(Sdk {
            child,
            stdin,
            stdout,
        })
    }

    /// One JSON object per call, or the error of the first failed call.
    fn call(
        &mut self,
        base_url: &str,
        api_key: &str,
        model: &str,
        stream: bool,
        extra: &[&str],
    ) -> Replies {
        let mut args = vec![
            "--base-url",
            base_url,
            "--api-key",
            api_key,
            "--model",
            model,
        ];
        if stream {
            args.push("--stream");
        }
        args.extend_from_slice(extra);
        writeln!(self.stdin, "{}", json!(args)).unwrap();
        self.stdin.flush().unwrap();
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).unwrap();
            assert!(n > 0, "the openai SDK client died (its error is above)");
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            match v.get("end") {
                Some(rc) if rc == 0 => return Ok(lines),
                Some(_) => return Err(lines.pop().unwrap_or(v)),
                None => lines.push(v),
            }
        }
    }
}

fn header<'v>(reply: &'v Value, name: &str) -> Option<&'v str> {
    reply["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
}

// ---------------------------------------------------------------------------------
// Exports

/// `switchboard ARGS` as a user's shell would run it: the mocks as the providers' base
/// URLs (from the variables the SDKs read), the dummy keys in the environment, and a
/// data folder of the test's own; returns stdout.
fn switchboard(tmp: &Path, env: &[(&str, String)], args: &[&str]) -> String {
    let mut c = Command::cargo_bin("switchboard").unwrap();
    c.env_clear()
        .env("SWITCHBOARD_DATA_DIR", tmp.join("data"))
        .env("XDG_DATA_HOME", tmp.join("xdg"))
        .env("HOME", tmp)
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    for (k, v) in KEYS {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "switchboard {args:?} failed ({:?}): {}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `switchboard export ARGS -o FILE`; returns the file's text.
fn export(tmp: &Path, name: &str, env: &[(&str, String)], args: &[&str]) -> String {
    let file = tmp.join(name);
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    all.extend(["-o", file.to_str().unwrap()]);
    switchboard(tmp, env, &all);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.trim().is_empty(),
        "switchboard export {args:?} wrote an empty file"
    );
    eprintln!("--- {name}:\n{text}");
    text
}

/// What the user starts from: a comparison of the three CHAT models recorded by
/// `switchboard compare` against the mocks — columns in another order — with CHAT[0]
/// marked the winner in the history. Returns the run's id; the export of it must put
/// the winner first and the others after it in column order, i.e. CHAT's order.
fn comparison(tmp: &Path, m: &Mocks) -> String {
    let mut args = vec!["compare", "--json"];
    for model in [CHAT[1], CHAT[0], CHAT[2]] {
        args.extend(["-m", model]);
    }
    args.push("Say hello");
    let out = switchboard(tmp, &m.env(), &args);
    let id = out
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| v["history_id"].as_i64())
        .unwrap_or_else(|| panic!("compare saved no run:\n{out}"))
        .to_string();
    switchboard(tmp, &m.env(), &["history", "winner", &id, CHAT[0]]);
    // The mocks start the gateway cases with nothing recorded.
    m.heal();
    id
}

/// The same export through the core API, for what the CLI does not take (several
/// setups in one file), with `env` as the environment base URLs come from.
fn export_core(setups: &[Setup], format: Format, env: &[(&str, String)]) -> String {
    let map: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let providers = Providers::new(Arc::new(map.clone()), Arc::new(EnvKeys::new(map)));
    let prices = PriceBook::bundled();
    let ctx = Context {
        providers: &providers,
        prices: &prices,
    };
    let out = gateway::export(setups, &ExportOptions::new(format), &ctx);
    assert!(out.writable(), "the export has errors: {:?}", out.problems);
    out.text
}

fn target(model: &str, weight: u32) -> SetupTarget {
    let mut t = SetupTarget::new(model);
    t.weight = weight;
    t
}

/// The providers' base URLs as their SDKs' variables name them: OpenAI's and DeepSeek's
/// with `/v1`, Anthropic's and Gemini's bare.
fn base_urls(
    openai: &Provider,
    anthropic: &Provider,
    gemini: &Provider,
    deepseek: &Provider,
) -> Vec<(&'static str, String)> {
    vec![
        ("OPENAI_BASE_URL", format!("{}/v1", openai.url())),
        ("ANTHROPIC_BASE_URL", anthropic.url()),
        ("GEMINI_BASE_URL", gemini.url()),
        ("DEEPSEEK_BASE_URL", format!("{}/v1", deepseek.url())),
    ]
}

struct Mocks {
    openai: Provider,
    anthropic: Provider,
    gemini: Provider,
    deepseek: Provider,
}

impl Mocks {
    fn start() -> Mocks {
        Mocks {
            openai: Provider::start(Wire::OpenAi, "Hello from the OpenAI mock."),
            anthropic: Provider::start(Wire::Anthropic, "Hello from the Anthropic mock."),
            gemini: Provider::start(Wire::Gemini, "Hello from the Gemini mock."),
            deepseek: Provider::start(Wire::OpenAi, "Hello from the DeepSeek mock."),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        base_urls(&self.openai, &self.anthropic, &self.gemini, &self.deepseek)
    }

    fn all(&self) -> [&Provider; 4] {
        [&self.openai, &self.anthropic, &self.gemini, &self.deepseek]
    }

    fn heal(&self) {
        for p in self.all() {
            p.fail_with(None);
            p.take();
        }
    }
}

const CHAT: [&str; 3] = [
    "openai/gpt-4o",
    "anthropic/claude-sonnet-4-5",
    "gemini/gemini-2.5-flash",
];
const BALANCED: [(&str, u32); 2] = [("openai/gpt-4o-mini", 2), ("deepseek/deepseek-chat", 1)];

/// Calls `model` through a gateway with the primary (and, for `depth` 2, the second)
/// provider of the fallback chain failing with `status`, and checks the answer came
/// from the next one and every mock saw what it should.
fn fallback_case(
    gw: &str,
    m: &Mocks,
    call: &dyn Fn(bool) -> Replies,
    status: u16,
    depth: usize,
    stream: bool,
) {
    let what =
        format!("{gw}: fallback past {depth} provider(s) answering {status}, stream={stream}");
    m.heal();
    m.openai.fail_with(Some(status));
    if depth == 2 {
        m.anthropic.fail_with(Some(status));
    }
    let started = Instant::now();
    let replies = call(stream).unwrap_or_else(|e| panic!("{what}: the call failed: {e}"));
    let expected = if depth == 2 { &m.gemini } else { &m.anthropic };
    assert_eq!(replies[0]["text"], expected.text, "{what}: {}", replies[0]);
    if stream {
        assert!(
            replies[0]["chunks"].as_u64().unwrap() >= 2,
            "{what}: not streamed: {}",
            replies[0]
        );
    }
    let tried = check_requests(&m.openai, "gpt-4o", "OPENAI_API_KEY", stream, &what);
    assert!(tried >= 1, "{what}: the primary was never tried");
    let second = check_requests(
        &m.anthropic,
        "claude-sonnet-4-5",
        "ANTHROPIC_API_KEY",
        stream,
        &what,
    );
    let third = check_requests(
        &m.gemini,
        "gemini-2.5-flash",
        "GEMINI_API_KEY",
        stream,
        &what,
    );
    if depth == 2 {
        assert!(second >= 1, "{what}: the second was never tried");
        assert_eq!(third, 1, "{what}");
    } else {
        assert_eq!((second, third), (1, 0), "{what}");
    }
    eprintln!(
        "{what}: ok in {:?} (primary tried {tried}x, second {second}x)",
        started.elapsed()
    );
}

/// Calls over a 2:1 load balance: both deployments serve, the heavier more often.
/// With 120 calls the heavier gets fewer than half about once in 20,000 runs.
const BALANCE_CALLS: usize = 120;

fn balance_case(gw: &str, m: &Mocks, call: &dyn Fn(&[&str]) -> Replies) {
    m.heal();
    let n = BALANCE_CALLS.to_string();
    let replies = call(&["--repeat", &n]).unwrap_or_else(|e| panic!("{gw}: load balance: {e}"));
    assert_eq!(replies.len(), BALANCE_CALLS);
    for r in &replies {
        assert!(
            r["text"] == m.openai.text || r["text"] == m.deepseek.text,
            "{gw}: {r}"
        );
    }
    let what = format!("{gw}: load balance");
    let heavy = check_requests(&m.openai, "gpt-4o-mini", "OPENAI_API_KEY", false, &what);
    let light = check_requests(
        &m.deepseek,
        "deepseek-chat",
        "DEEPSEEK_API_KEY",
        false,
        &what,
    );
    eprintln!(
        "{gw}: load balance 2:1 over {BALANCE_CALLS} calls: {heavy} to openai, {light} to deepseek"
    );
    assert_eq!(
        heavy + light,
        BALANCE_CALLS,
        "{gw}: retried calls in a healthy load balance"
    );
    assert!(
        heavy > 0 && light > 0,
        "{gw}: one deployment got every call: {heavy} vs {light}"
    );
    assert!(
        heavy > light,
        "{gw}: the weight-2 deployment got fewer calls than the weight-1 one: {heavy} vs {light}"
    );
}

fn spawn(mut cmd: Command, log: &Path, port: u16) -> Gateway {
    let out = std::fs::File::create(log).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}"));
    Gateway {
        child,
        log: log.to_owned(),
        port,
    }
}

// ---------------------------------------------------------------------------------
// LiteLLM

#[test]
fn litellm_proxy_routes_exported_setups() {
    let tmp = tempfile::tempdir().unwrap();
    let m = Mocks::start();
    let env = m.env();
    // Started first: it imports the SDK while the gateway starts.
    let sdk = Sdk::start();
    // No retries: a fallback happens at once (LiteLLM waits seconds between retries).
    let mut chat = Setup::fallback("chat", CHAT.iter().map(|id| target(id, 1)).collect());
    chat.retries = 0;
    let mut balanced = Setup::load_balance(
        "balanced",
        BALANCED.iter().map(|(id, w)| target(id, *w)).collect(),
    );
    balanced.retries = 0;

    // A three-model comparison becomes the fallback route, winner first; the CLI
    // writes what the core exports; the gateway loads two setups in one file.
    let run = comparison(tmp.path(), &m);
    let cli = export(
        tmp.path(),
        "litellm-chat.yaml",
        &env,
        &[
            "litellm",
            "--run",
            &run,
            "--alias",
            "chat",
            "--retries",
            "0",
        ],
    );
    assert_eq!(
        cli,
        export_core(std::slice::from_ref(&chat), Format::Litellm, &env)
    );
    let config = export_core(&[chat, balanced], Format::Litellm, &env);
    eprintln!("--- litellm-config.yaml (two setups):\n{config}");
    for (_, k) in KEYS {
        assert!(!config.contains(k), "a key is in the exported file");
    }
    let file = tmp.path().join("litellm-config.yaml");
    std::fs::write(&file, &config).unwrap();

    let litellm = python().parent().unwrap().join("litellm");
    let port = free_port();
    let master = format!("sk-interop-{}", random_hex());
    let mut cmd = gateway_command(&litellm);
    cmd.arg("--config")
        .arg(&file)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("LITELLM_MASTER_KEY", &master)
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .env("LITELLM_LOG", "ERROR");
    let mut gw = spawn(cmd, &tmp.path().join("litellm.log"), port);
    gw.wait_ready("/health/liveliness", Duration::from_secs(180));
    let base = format!("http://127.0.0.1:{port}/v1");
    let call = |model: &str, stream: bool, extra: &[&str]| {
        sdk.lock()
            .unwrap()
            .call(&base, &master, model, stream, extra)
    };
    let on_fail = |what: &str| format!("{what}\nLiteLLM's log:\n{}", gw.log());

    // Each alias of the file answers, from its first choice when all is well.
    m.heal();
    let r = call("chat", false, &[]).unwrap_or_else(|e| panic!("{}", on_fail(&e.to_string())));
    assert_eq!(r[0]["text"], m.openai.text, "{}", r[0]);
    assert_eq!(
        check_requests(&m.openai, "gpt-4o", "OPENAI_API_KEY", false, "litellm chat"),
        1
    );

    // LiteLLM's spend for the call is Switchboard's cost for the same usage.
    let usage = switchboard_core::chat::Usage {
        input_tokens: PROMPT_TOKENS,
        output_tokens: COMPLETION_TOKENS,
        ..Default::default()
    };
    let ours = PriceBook::bundled()
        .cost("openai/gpt-4o", &usage, chrono::Utc::now())
        .usd
        .expect("gpt-4o is priced");
    let theirs: f64 = header(&r[0], "x-litellm-response-cost")
        .unwrap_or_else(|| panic!("no x-litellm-response-cost header: {}", r[0]["headers"]))
        .parse()
        .unwrap();
    let ours: f64 = ours.to_string().parse().unwrap();
    assert!(
        (ours - theirs).abs() <= 1e-12 * ours.abs(),
        "LiteLLM charged {theirs}, Switchboard says {ours}"
    );
    eprintln!("litellm: response cost {theirs} = Switchboard's {ours}");

    let chat_call = |stream: bool| call("chat", stream, &[]);
    for status in [429, 500] {
        for stream in [false, true] {
            fallback_case("litellm", &m, &chat_call, status, 1, stream);
        }
    }
    for stream in [false, true] {
        fallback_case("litellm", &m, &chat_call, 429, 2, stream);
    }
    balance_case("litellm", &m, &|extra| call("balanced", false, extra));
    drop(gw);
}

// ---------------------------------------------------------------------------------
// Portkey

fn portkey_server() -> PathBuf {
    PathBuf::from(std::env::var("SWITCHBOARD_LIVE_PORTKEY").expect(
        "set SWITCHBOARD_LIVE_PORTKEY to the gateway's start-server.js (make interop does: tests/interop/portkey.sh)",
    ))
}

#[test]
fn portkey_gateway_routes_exported_configs() {
    let tmp = tempfile::tempdir().unwrap();
    let m = Mocks::start();
    let env = m.env();
    // Started first: it imports the SDK while the gateway starts.
    let sdk = Sdk::start();
    let run = comparison(tmp.path(), &m);
    let mut configs = Vec::new();
    for (name, args) in [
        (
            "portkey-chat.json",
            vec!["--run", &run, "--alias", "chat", "--retries", "0"],
        ),
        (
            "portkey-balanced.json",
            vec![
                "-m",
                BALANCED[0].0,
                "-m",
                BALANCED[1].0,
                "--strategy",
                "loadbalance",
                "--weights",
                "2,1",
                "--alias",
                "balanced",
            ],
        ),
        ("portkey-claude.json", vec!["-m", CHAT[1]]),
        ("portkey-gemini.json", vec!["-m", CHAT[2]]),
    ] {
        let text = export(tmp.path(), name, &env, &[&["portkey"], &args[..]].concat());
        let _: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
        for (_, k) in KEYS {
            assert!(!text.contains(k), "a key is in {name}");
        }
        configs.push(tmp.path().join(name));
    }

    let port = free_port();
    let mut cmd = gateway_command("node");
    cmd.arg(portkey_server())
        .arg(format!("--port={port}"))
        .arg("--headless");
    let mut gw = spawn(cmd, &tmp.path().join("portkey.log"), port);
    gw.wait_ready("/", Duration::from_secs(60));
    let base = format!("http://127.0.0.1:{port}/v1");
    let call = |config: &Path, stream: bool, extra: &[&str]| {
        let c = config.to_str().unwrap();
        sdk.lock().unwrap().call(
            &base,
            "unused",
            "chat",
            stream,
            &[&["--portkey-config", c], extra].concat(),
        )
    };

    // Single targets: the gateway translates to Anthropic's and Gemini's own APIs.
    for stream in [false, true] {
        for (config, p, model, var) in [
            (
                &configs[2],
                &m.anthropic,
                "claude-sonnet-4-5",
                "ANTHROPIC_API_KEY",
            ),
            (&configs[3], &m.gemini, "gemini-2.5-flash", "GEMINI_API_KEY"),
        ] {
            m.heal();
            let what = format!("portkey: {model}, stream={stream}");
            let r =
                call(config, stream, &[]).unwrap_or_else(|e| panic!("{what}: {e}\n{}", gw.log()));
            assert_eq!(r[0]["text"], p.text, "{what}: {}", r[0]);
            assert_eq!(check_requests(p, model, var, stream, &what), 1, "{what}");
        }
    }

    // The exported retries (the default number): a provider that answers 429 that many
    // times and then 200 is still answered, without a fallback.
    m.heal();
    let retries = DEFAULT_RETRIES as usize;
    m.anthropic.fail_times(429, retries);
    let started = Instant::now();
    let what = format!("portkey: {retries} retries after 429");
    let r = call(&configs[2], false, &[]).unwrap_or_else(|e| panic!("{what}: {e}\n{}", gw.log()));
    assert_eq!(r[0]["text"], m.anthropic.text, "{what}: {}", r[0]);
    let tried = check_requests(
        &m.anthropic,
        "claude-sonnet-4-5",
        "ANTHROPIC_API_KEY",
        false,
        &what,
    );
    assert_eq!(tried, retries + 1, "{what}");
    eprintln!("{what}: ok in {:?}", started.elapsed());

    let chat_call = |stream: bool| call(&configs[0], stream, &[]);
    m.heal();
    let r = chat_call(false).unwrap_or_else(|e| panic!("portkey chat: {e}\n{}", gw.log()));
    assert_eq!(r[0]["text"], m.openai.text, "{}", r[0]);
    for status in [429, 500] {
        for stream in [false, true] {
            fallback_case("portkey", &m, &chat_call, status, 1, stream);
        }
    }
    for stream in [false, true] {
        fallback_case("portkey", &m, &chat_call, 429, 2, stream);
    }
    balance_case("portkey", &m, &|extra| call(&configs[1], false, extra));
    drop(gw);
}
