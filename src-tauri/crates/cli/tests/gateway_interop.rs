//! Exported gateway configs in the REAL gateways: the pinned LiteLLM proxy and the
//! pinned open-source Portkey gateway load what Switchboard exports and route calls of
//! the official `openai` Python SDK to mock providers (OpenAI, Anthropic, Gemini and
//! DeepSeek wire formats, byte for byte), with fallback and load balance. And
//! `switchboard serve --config` on the very file exported for LiteLLM, driven by the
//! same client through the same scenarios, side by side with the LiteLLM proxy: the
//! same answers from the same deployments, the same load split, the same costs (in
//! its history too).
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
// Shared with the other CLI tests; this one runs `serve` and reads no `json_lines`.
#[allow(dead_code)]
mod support;

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use mock::{Mock, Recorded};
use providers::{answer, catalog_cost, error_reply, Wire, PROMPT_TOKENS};
use serde_json::{json, Value};
use support::served::{history_responses, history_runs, Served};
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
/// from the next one and every mock saw what it should. Whether the primary was tried
/// at all is the caller's to assert (a gateway may skip one cooling down). Every
/// provider must be asked the way the client asked: streamed or whole (Gemini's path
/// shows which).
#[allow(clippy::too_many_arguments)]
fn fallback_case(
    gw: &str,
    m: &Mocks,
    call: &dyn Fn(bool) -> Replies,
    status: u16,
    depth: usize,
    stream: bool,
) -> Fallback {
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
    Fallback {
        reply: replies.into_iter().next().unwrap(),
        tried,
        requests: tried + second + third,
    }
}

/// What a fallback call got.
struct Fallback {
    /// The SDK's reply.
    reply: Value,
    /// How often the primary was called.
    tried: usize,
    /// How many requests the providers got for the call.
    requests: usize,
}

/// Calls over a 2:1 load balance: both deployments serve, the heavier more often.
/// With 120 calls the heavier gets fewer than half about once in 20,000 runs.
const BALANCE_CALLS: usize = 120;

fn balance_case(gw: &str, m: &Mocks, call: &dyn Fn(&[&str]) -> Replies) -> Vec<Value> {
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
    replies
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
// LiteLLM, and `switchboard serve` on the same file

/// The two gateways that read the exported LiteLLM config. Every scenario runs against
/// both, one after the other, through the same checks; where they differ by design
/// (their own headers), each one's behaviour is asserted by [`Reader::check_route`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reader {
    Litellm,
    Switchboard,
}

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::Litellm => "litellm",
            Reader::Switchboard => "switchboard serve",
        }
    }

    /// What the call cost, in the gateway's own header: the same number under each
    /// one's name (`x-litellm-response-cost`, `x-switchboard-cost`). `None` when the
    /// gateway did not price it (no header, or LiteLLM's `None`).
    fn cost(self, reply: &Value) -> Option<f64> {
        let name = match self {
            Reader::Litellm => "x-litellm-response-cost",
            Reader::Switchboard => "x-switchboard-cost",
        };
        header(reply, name).and_then(|v| v.parse().ok())
    }

    /// Which deployment answered and after how many fallbacks, as each gateway says it
    /// in its headers: both name the deployment as the file writes it (`provider/model`),
    /// LiteLLM in `x-litellm-model-name`, Switchboard in `x-switchboard-deployment`. The
    /// rest differs by design: LiteLLM also names the deployment's `api_base` and counts
    /// the fallbacks it went through; Switchboard counts every attempt (with no retries,
    /// one per group tried). Where Switchboard is not what LiteLLM is, it goes in `diffs`.
    fn check_route(
        self,
        reply: &Value,
        to: &To,
        (fallbacks, requests): (usize, usize),
        what: &str,
        diffs: &mut Diffs,
    ) {
        let h = &reply["headers"];
        match self {
            Reader::Litellm => {
                assert_eq!(
                    header(reply, "x-litellm-model-name"),
                    Some(to.deployment),
                    "{what}: {h}"
                );
                assert_eq!(
                    header(reply, "x-litellm-model-api-base"),
                    Some(to.api_base.as_str()),
                    "{what}: {h}"
                );
                // The model_list name that answered, and whether it took a fallback
                // (LiteLLM counts how deep it went, and a flat list of fallbacks is one
                // level however far down the answer came from).
                assert_eq!(
                    header(reply, "x-litellm-model-group"),
                    Some(to.group),
                    "{what}: {h}"
                );
                let attempted = header(reply, "x-litellm-attempted-fallbacks")
                    .map_or(0, |v| v.parse::<usize>().unwrap());
                assert_eq!(attempted > 0, fallbacks > 0, "{what}: {h}");
            }
            Reader::Switchboard => {
                let named = header(reply, "x-switchboard-deployment");
                // By design, `openai/<model>` at an api_base Switchboard does not know
                // is that server, named after its address (`127.0.0.1-PORT/<model>`);
                // which server got the call is checked by the mocks' counts.
                let model = to
                    .deployment
                    .split_once('/')
                    .map_or(to.deployment, |(_, m)| m);
                let server_named = to.deployment.starts_with("openai/")
                    && named.is_some_and(|n| {
                        n.starts_with("127.0.0.1-") && n.ends_with(&format!("/{model}"))
                    });
                diffs.check(
                    named == Some(to.deployment) || server_named,
                    format!(
                        "{what}: answered by {named:?}, LiteLLM names it {}",
                        to.deployment
                    ),
                );
                // Every request the providers got for the call is an attempt.
                assert_eq!(
                    header(reply, "x-switchboard-attempts"),
                    Some(requests.to_string().as_str()),
                    "{what}: {h}"
                );
            }
        }
    }
}

/// Where `switchboard serve` did not do what LiteLLM did with the same file: gathered
/// over the whole run so one failure lists them all, after every scenario has run
/// (the same difference once, with how often it was seen).
#[derive(Default)]
struct Diffs(Vec<(String, usize)>);

impl Diffs {
    fn check(&mut self, same: bool, how: String) {
        if same {
            return;
        }
        match self.0.iter_mut().find(|(h, _)| *h == how) {
            Some((_, n)) => *n += 1,
            None => {
                eprintln!("DIFFERS FROM LITELLM: {how}");
                self.0.push((how, 1));
            }
        }
    }

    fn assert_none(&self) {
        let listed: Vec<String> = self
            .0
            .iter()
            .map(|(how, n)| match n {
                1 => format!("- {how}"),
                n => format!("- {how} ({n} times)"),
            })
            .collect();
        assert!(
            listed.is_empty(),
            "switchboard serve did not route or price the exported file as LiteLLM did:\n{}",
            listed.join("\n")
        );
    }
}

/// A deployment of the exported file: its name, its id, and the `api_base` the file gives it.
struct To {
    /// Its `model_name` in the file.
    group: &'static str,
    deployment: &'static str,
    api_base: String,
}

fn same_usd(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// The costs both gateways reported, call by call.
#[derive(Default)]
struct Ledger {
    /// LiteLLM's cost per deployment (the mocks' usage is fixed: one number each).
    litellm: BTreeMap<&'static str, f64>,
    /// Every call `switchboard serve` answered, in order: alias, deployment, its cost
    /// header.
    served: Vec<(&'static str, &'static str, Option<f64>)>,
}

impl Ledger {
    fn note(&mut self, reader: Reader, alias: &'static str, to: &To, reply: &Value) {
        let cost = reader.cost(reply);
        match reader {
            Reader::Litellm => {
                if let Some(c) = cost.filter(|c| *c > 0.0) {
                    let seen = *self.litellm.entry(to.deployment).or_insert(c);
                    assert!(
                        same_usd(seen, c),
                        "litellm priced the same usage on {} at {seen} and {c}",
                        to.deployment
                    );
                }
            }
            Reader::Switchboard => self.served.push((alias, to.deployment, cost)),
        }
    }
}

#[test]
fn litellm_proxy_and_switchboard_serve_route_the_same_exported_config_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let m = Mocks::start();
    let env = m.env();
    // Started first: it imports the SDK while the gateways start.
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
    // writes what the core exports; the gateways load two setups in one file.
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

    // Both gateways read the file with the same environment: the provider keys and the
    // master key it names (`os.environ/…`), nothing pointing a provider elsewhere.
    let master = format!("sk-interop-{}", random_hex());
    let litellm = python().parent().unwrap().join("litellm");
    let port = free_port();
    let mut cmd = gateway_command(&litellm);
    cmd.arg("--config")
        .arg(&file)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("LITELLM_MASTER_KEY", &master)
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .env("LITELLM_LOG", "ERROR");
    let mut gw = spawn(cmd, &tmp.path().join("litellm.log"), port);

    let data = tmp.path().join("serve-data");
    // The router's own token is set too, to show the file's master key wins over it.
    let mut cmd = support::served::switchboard(&data, "sb-interop-not-the-master-key");
    cmd.args(["serve", "--port", "0", "--config"])
        .arg(&file)
        .env("LITELLM_MASTER_KEY", &master)
        .env("NO_PROXY", "127.0.0.1,localhost");
    for (k, v) in KEYS {
        cmd.env(k, v);
    }
    let mut served = Served::start(cmd);
    assert!(
        served
            .banner
            .starts_with("Serving 2 setups on http://127.0.0.1:"),
        "{}",
        served.banner
    );
    gw.wait_ready("/health/liveliness", Duration::from_secs(180));

    let readers = [
        (Reader::Litellm, format!("http://127.0.0.1:{port}/v1")),
        (Reader::Switchboard, served.url.clone()),
    ];
    // The same client, the same key (the file's master key) for both.
    let call = |base: &str, model: &str, stream: bool, extra: &[&str]| {
        sdk.lock()
            .unwrap()
            .call(base, &master, model, stream, extra)
    };
    let on_fail = |reader: Reader, what: &str| match reader {
        Reader::Litellm => format!("{what}\nLiteLLM's log:\n{}", gw.log()),
        Reader::Switchboard => what.to_owned(),
    };
    let to = |group: &'static str, deployment: &'static str, p: &Provider| To {
        group,
        deployment,
        api_base: match p.wire {
            Wire::OpenAi => format!("{}/v1", p.url()),
            Wire::Anthropic => p.url(),
            Wire::Gemini => format!("{}/v1beta", p.url()),
        },
    };
    let chat_to = [
        to("chat", CHAT[0], &m.openai),
        to("chat-fallback-1", CHAT[1], &m.anthropic),
        to("chat-fallback-2", CHAT[2], &m.gemini),
    ];
    let balanced_to = [
        to("balanced", BALANCED[0].0, &m.openai),
        to("balanced", BALANCED[1].0, &m.deepseek),
    ];
    let mut ledger = Ledger::default();
    let mut diffs = Diffs::default();

    // All is well: the first choice answers, streamed and not, at the catalog's price.
    for stream in [false, true] {
        for (reader, base) in &readers {
            let what = format!("{}: chat, stream={stream}", reader.name());
            m.heal();
            let r = call(base, "chat", stream, &[])
                .unwrap_or_else(|e| panic!("{}", on_fail(*reader, &format!("{what}: {e}"))));
            eprintln!("{what}: {}", r[0]["headers"]);
            assert_eq!(r[0]["text"], m.openai.text, "{what}: {}", r[0]);
            if stream {
                assert!(r[0]["chunks"].as_u64().unwrap() >= 2, "{what}: {}", r[0]);
            }
            assert_eq!(
                check_requests(&m.openai, "gpt-4o", "OPENAI_API_KEY", stream, &what),
                1,
                "{what}"
            );
            for p in [&m.anthropic, &m.gemini, &m.deepseek] {
                assert!(p.take().is_empty(), "{what}: a fallback was called");
            }
            assert_eq!(
                r[0]["usage"]["prompt_tokens"], PROMPT_TOKENS,
                "{what}: {}",
                r[0]
            );
            reader.check_route(&r[0], &chat_to[0], (0, 1), &what, &mut diffs);
            if !stream {
                // Both price a whole answer in a header, at Switchboard's catalog price
                // for the same usage.
                let cost = reader.cost(&r[0]);
                let want = catalog_cost(CHAT[0]);
                let same = cost.is_some_and(|c| same_usd(c, want));
                match reader {
                    Reader::Litellm => assert!(
                        same,
                        "{what}: charged {cost:?}, the catalog says {want}: {}",
                        r[0]["headers"]
                    ),
                    Reader::Switchboard => diffs.check(
                        same,
                        format!("{what}: charged {cost:?}, LiteLLM and the catalog {want}"),
                    ),
                }
            }
            ledger.note(*reader, "chat", &chat_to[0], &r[0]);
        }
    }

    // Fallback past one provider answering 429 or 500, and past two, streamed and not:
    // the same deployment answers through either gateway.
    let mut cases = Vec::new();
    for status in [429, 500] {
        for stream in [false, true] {
            cases.push((status, 1, stream));
        }
    }
    for stream in [false, true] {
        cases.push((429, 2, stream));
    }
    for (status, depth, stream) in cases {
        for (reader, base) in &readers {
            let what = format!(
                "{}: fallback past {depth} answering {status}, stream={stream}",
                reader.name()
            );
            let chat_call = |stream: bool| call(base, "chat", stream, &[]);
            let f = fallback_case(reader.name(), &m, &chat_call, status, depth, stream);
            let primary = format!("{what}: the primary ({}) was not tried", CHAT[0]);
            match reader {
                Reader::Litellm => assert!(f.tried >= 1, "{primary}"),
                // LiteLLM never cools down a model group of one deployment (unless
                // ~1,000 calls a minute all fail, or on a 401/404): the exported file
                // sets no `allowed_fails`, so its default cooldown rules apply.
                Reader::Switchboard => diffs.check(
                    f.tried >= 1,
                    format!("{primary}: serve cooled it down after earlier failures; LiteLLM still calls it"),
                ),
            }
            let (to, route) = (&chat_to[depth], (depth, f.requests));
            reader.check_route(&f.reply, to, route, &what, &mut diffs);
            ledger.note(*reader, "chat", to, &f.reply);
        }
    }

    // The 2:1 load balance, 120 calls through each, split within the same bounds.
    for (reader, base) in &readers {
        let replies = balance_case(reader.name(), &m, &|extra| {
            call(base, "balanced", false, extra)
        });
        for r in &replies {
            let to = if r["text"] == m.openai.text {
                &balanced_to[0]
            } else {
                &balanced_to[1]
            };
            let what = format!("{}: load balance", reader.name());
            reader.check_route(r, to, (0, 1), &what, &mut diffs);
            ledger.note(*reader, "balanced", to, r);
        }
    }
    drop(gw);

    // LiteLLM's cost for each deployment is what Switchboard charged for it, in its
    // header (whole answers) and in the history (every call, streams too).
    eprintln!("litellm's costs: {:?}", ledger.litellm);
    let stderr = served.stop_cleanly();
    let n = ledger.served.len();
    assert!(
        stderr.contains(&format!("{n} calls saved to the history")),
        "{stderr}"
    );
    // Everything the exporter writes is something serve reproduces, but by design:
    // the prices (`model_info`) — serve prices from its own catalog, the one the export
    // copied them from — and an OpenAI-compatible server it does not know, which
    // becomes a custom endpoint (named above).
    for w in stderr.lines().filter(|l| l.starts_with("warning:")) {
        let by_design = w.starts_with("warning: model_info: the prices in model_info of")
            || w.contains("becomes the custom endpoint `127.0.0.1-");
        diffs.check(
            by_design,
            format!("serve warned about the exported file: {w}"),
        );
    }
    let mut runs = history_runs(support::served::switchboard(&data, "unused"));
    runs.reverse();
    assert_eq!(runs.len(), n, "calls saved: {runs:#?}");
    let mut unpriced = BTreeMap::<String, usize>::new();
    for (i, (run, (alias, deployment, header_cost))) in runs.iter().zip(&ledger.served).enumerate()
    {
        assert_eq!(run["source"], "router", "{run}");
        let saved = history_responses(support::served::switchboard(&data, "unused"), run);
        let r = &saved[0];
        let what = format!("saved call {i} ({alias} → {deployment})");
        assert_eq!(r["route"]["alias"], *alias, "{what}: {r}");
        assert_eq!(r["status"], "ok", "{what}: {r}");
        assert_eq!(r["usage"]["input_tokens"], PROMPT_TOKENS, "{what}: {r}");
        let saved_as = r["route"]["deployment"].as_str().unwrap_or_default();
        let usd: Option<f64> = r["cost"]["usd"].as_str().map(|u| u.parse().unwrap());
        if let (Some(usd), Some(h)) = (usd, header_cost) {
            assert!(
                same_usd(usd, *h),
                "{what}: saved {usd}, the header said {h}"
            );
        }
        let theirs = ledger
            .litellm
            .get(deployment)
            .copied()
            .unwrap_or_else(|| panic!("{what}: LiteLLM never priced {deployment}"));
        match usd {
            Some(usd) => diffs.check(
                same_usd(usd, theirs),
                format!("{what}: saved at {usd}, LiteLLM charged {theirs} for the same call"),
            ),
            // One line per deployment, not one per call.
            None => {
                *unpriced
                    .entry(format!("{deployment} (saved as {saved_as})"))
                    .or_default() += 1
            }
        }
    }
    for (deployment, calls) in unpriced {
        diffs.check(
            false,
            format!(
                "{calls} calls to {deployment} saved with no cost; LiteLLM charged {} each",
                ledger.litellm[deployment.split(' ').next().unwrap()]
            ),
        );
    }
    diffs.assert_none();
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
            let f = fallback_case("portkey", &m, &chat_call, status, 1, stream);
            assert!(f.tried >= 1, "portkey: the primary was never tried");
        }
    }
    for stream in [false, true] {
        let f = fallback_case("portkey", &m, &chat_call, 429, 2, stream);
        assert!(f.tried >= 1, "portkey: the primary was never tried");
    }
    balance_case("portkey", &m, &|extra| call(&configs[1], false, extra));
    drop(gw);
}
