//! The router in-process on 127.0.0.1:0, in front of mock providers, with a call log
//! that keeps what it is given.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../core/tests/support/mock.rs"]
pub mod mock;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use serde_json::Value;
use switchboard_core::http::Executor;
use switchboard_core::keys::EnvKeys;
use switchboard_core::prices::book::{PriceBook, Prices};
use switchboard_core::providers::Providers;
use switchboard_core::setups::{Setup, SetupTarget};
use switchboard_core::Timeouts;
use switchboard_router::{
    AppState, CallLog, CallRecord, RouterConfig, RouterSettings, Spend, SpendCap,
};

pub const TOKEN: &str = "sb-test-token-0123456789";

/// Keeps every record.
#[derive(Default)]
pub struct Collect(Mutex<Vec<CallRecord>>);

impl CallLog for Collect {
    fn record(&self, call: CallRecord) {
        self.0.lock().unwrap().push(call);
    }
}

impl Collect {
    pub fn all(&self) -> Vec<CallRecord> {
        self.0.lock().unwrap().clone()
    }

    /// Takes every record kept so far.
    pub fn take(&self) -> Vec<CallRecord> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// Waits (bounded) until `n` records are in: a call is recorded just after its
    /// client has the answer.
    pub async fn wait(&self, n: usize) -> Vec<CallRecord> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.all();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} of {n} calls were recorded",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

pub struct Router {
    pub url: String,
    pub log: Arc<Collect>,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Router {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// What a test router is built from.
pub struct Opts {
    pub setups: Vec<Setup>,
    pub settings: RouterSettings,
    pub env: Vec<(&'static str, String)>,
    pub caps: Vec<SpendCap>,
}

impl Opts {
    pub fn new(setups: Vec<Setup>) -> Self {
        Self {
            setups,
            settings: RouterSettings {
                backoff_base: Duration::from_millis(1),
                ..RouterSettings::default()
            },
            env: Vec::new(),
            caps: Vec::new(),
        }
    }

    /// Every OpenAI-format deployment goes to `mock`.
    pub fn openai(mut self, mock: &mock::Mock) -> Self {
        self.env
            .push(("OPENAI_BASE_URL", format!("{}/v1", mock.url())));
        self.env.push(("OPENAI_API_KEY", "sk-up-openai".into()));
        self
    }

    pub fn anthropic(mut self, mock: &mock::Mock) -> Self {
        self.env.push(("ANTHROPIC_BASE_URL", mock.url()));
        self.env
            .push(("ANTHROPIC_API_KEY", "sk-up-anthropic".into()));
        self
    }

    pub fn gemini(mut self, mock: &mock::Mock) -> Self {
        self.env.push(("GEMINI_BASE_URL", mock.url()));
        self.env.push(("GEMINI_API_KEY", "up-gemini".into()));
        self
    }

    pub async fn start(self) -> Router {
        let env: HashMap<String, String> = self
            .env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let providers = Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env)));
        let log = Arc::new(Collect::default());
        let state = AppState::new(
            RouterConfig {
                setups: self.setups,
                token: SecretString::from(TOKEN),
                settings: self.settings,
                caps: self.caps.clone(),
            },
            &providers,
            Prices::new(PriceBook::bundled()),
            Executor::new(Timeouts::default()).unwrap(),
            log.clone(),
            Spend::new(self.caps),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(switchboard_router::serve(
            listener,
            state.clone(),
            async move {
                let _ = rx.await;
            },
        ));
        Router {
            url,
            log,
            state,
            stop: Some(tx),
        }
    }
}

/// A router with the one setup `setups` in front of `up` for every OpenAI-format
/// deployment.
pub async fn openai_router(up: &mock::Mock, setup: Setup) -> Router {
    Opts::new(vec![setup]).openai(up).start().await
}

/// A mock that always answers `reply`, and a router serving `alias` as `model` in front
/// of it (the provider told by the model's prefix: `openai/`, `anthropic/`, `gemini/`).
pub async fn serving(alias: &str, model: &str, reply: mock::Reply) -> (mock::Mock, Router) {
    let up = mock::Mock::always(reply).await;
    let opts = Opts::new(vec![single(alias, model)]);
    let opts = match model.split('/').next() {
        Some("anthropic") => opts.anthropic(&up),
        Some("gemini") => opts.gemini(&up),
        _ => opts.openai(&up),
    };
    let r = opts.start().await;
    (up, r)
}

/// One setup of one model.
pub fn single(alias: &str, model: &str) -> Setup {
    Setup::fallback(alias, vec![SetupTarget::new(model)])
}

/// `models` in order, each a fallback for the one before, with no retries.
pub fn fallbacks(alias: &str, models: &[&str]) -> Setup {
    let mut s = Setup::fallback(alias, models.iter().map(|m| SetupTarget::new(*m)).collect());
    s.retries = 0;
    s
}

pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../core/tests/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

pub fn chat_body(alias: &str, prompt: &str, stream: bool) -> Value {
    serde_json::json!({
        "model": alias,
        "messages": [{"role": "user", "content": prompt}],
        "stream": stream,
    })
}

impl Router {
    /// `alias` asked "hi", streamed or not.
    pub async fn ask(&self, alias: &str, stream: bool) -> reqwest::Response {
        self.post(&chat_body(alias, "hi", stream)).await
    }

    pub async fn post(&self, body: &Value) -> reqwest::Response {
        client()
            .post(format!("{}/v1/chat/completions", self.url))
            .bearer_auth(TOKEN)
            .header("user-agent", "router-tests/1")
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// The `data:` payloads of an SSE body, `[DONE]` included as a string.
pub fn sse_data(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter_map(|ev| ev.strip_prefix("data: "))
        .map(|d| {
            if d == "[DONE]" {
                Value::String(d.into())
            } else {
                serde_json::from_str(d).unwrap()
            }
        })
        .collect()
}

/// The answer's text, joined from its chunks' `field` (`content`, `reasoning_content`).
pub fn joined(chunks: &[Value], field: &str) -> String {
    chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"][field].as_str())
        .collect()
}

/// The finish reasons sent.
pub fn finishes(chunks: &[Value]) -> Vec<String> {
    chunks
        .iter()
        .filter_map(|c| c["choices"][0]["finish_reason"].as_str())
        .map(str::to_owned)
        .collect()
}

pub fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The deployment that answered, from `x-switchboard-deployment`.
pub fn deployment(r: &reqwest::Response) -> Option<String> {
    header(r, "x-switchboard-deployment")
}

/// How many attempts the call took, from `x-switchboard-attempts`.
pub fn attempts(r: &reqwest::Response) -> Option<String> {
    header(r, "x-switchboard-attempts")
}

/// The error message of an OpenAI-shaped error body.
pub fn error_message(v: &Value) -> &str {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message: {v}"))
}

/// The text of a non-streamed completion.
pub fn answer(v: &Value) -> &Value {
    &v["choices"][0]["message"]["content"]
}

/// A mock that answers by the upstream model name with `reply(model)`.
pub async fn by_model(reply: impl Fn(&str) -> mock::Reply + Send + Sync + 'static) -> mock::Mock {
    mock::Mock::start(move |r| {
        let model = r.json()["model"].as_str().unwrap_or_default().to_owned();
        reply(&model)
    })
    .await
}

/// A short OpenAI stream that cuts after `text` (no finish, no `[DONE]`).
pub fn openai_cut(text: &str) -> mock::Reply {
    let chunk = serde_json::json!({"id": "c", "object": "chat.completion.chunk", "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": null}]});
    mock::Reply::sse(&format!("data: {chunk}\n\n"))
}

/// An OpenAI error reply.
pub fn openai_error(status: u16, message: &str) -> mock::Reply {
    mock::Reply::error(
        status,
        &serde_json::json!({"error": {"message": message, "type": "x", "code": null}}).to_string(),
    )
}
