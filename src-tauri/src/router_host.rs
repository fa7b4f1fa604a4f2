//! The local router inside the app: started and stopped from the Router view, run on
//! the app's tokio runtime, serving the setups saved in the history with the keys from
//! the keychain. Every call is written to the history (through the router's own
//! accounting writer, off the request path) and told to the webview as a light summary
//! for the live log. The token stays here: the webview learns only that there is one,
//! and "Copy token" puts it on the clipboard from Rust.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use switchboard_core::history::History;
use switchboard_core::prices::answer_cost::CostSource;
use switchboard_core::runner::TargetStatus;
use switchboard_core::setups::Setup;
use switchboard_router::accounting::HistoryLog;
use switchboard_router::{
    CallLog, CallRecord, CapPeriod, RouterConfig, RouterSettings, Spend, SpendCap,
};
use tokio::sync::oneshot;
use ts_rs::TS;

use crate::error::{IpcError, IpcErrorKind};

/// The port the router listens on unless the user picks another.
pub const DEFAULT_PORT: u16 = 4141;
/// Calls waiting for the history writer before any more are counted as dropped.
const LOG_CAPACITY: usize = 10_000;
/// How long quitting the app waits for calls in flight to end and be written.
const EXIT_GRACE: Duration = Duration::from_secs(3);

/// One served setup as the Router view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ServedSetup {
    /// What a client sends as `model`.
    pub alias: String,
    /// Its deployments (`provider/model`), in the order they are tried.
    pub deployments: Vec<String>,
}

impl ServedSetup {
    pub fn of(setup: &Setup) -> Self {
        Self {
            alias: setup.alias.clone(),
            deployments: setup
                .groups
                .iter()
                .flat_map(|g| g.targets.iter().map(|t| t.model.clone()))
                .collect(),
        }
    }
}

/// Where the router stands, for the Router view and the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RouterStatus {
    pub running: bool,
    /// The port it listens on (running) or will listen on (stopped).
    pub port: u16,
    /// `http://127.0.0.1:PORT/v1` while running: what an SDK's base URL is set to.
    pub base_url: Option<String>,
    /// Served while running; while stopped, the saved setups a start would serve.
    pub setups: Vec<ServedSetup>,
    /// Deployments that cannot be called as configured (no key, unknown provider).
    pub problems: Vec<String>,
    /// Calls served since this start.
    #[ts(type = "number")]
    pub calls: u64,
    /// What those calls cost (priced ones; unpriced ones are counted apart), USD.
    #[ts(type = "string")]
    pub cost_usd: Decimal,
    /// Calls without a price: never counted as $0.
    #[ts(type = "number")]
    pub unpriced_calls: u64,
    /// Calls the history writer could not keep up with (not saved; counted, never hidden).
    #[ts(type = "number")]
    pub dropped: u64,
    /// Why calls could not be saved to the history (a full disk), with how many.
    pub save_error: Option<String>,
    /// The daily cap on everything served, USD: the one in force while running, the
    /// saved one (applied at the next start) while stopped. `null` = no cap.
    #[ts(type = "string | null")]
    pub cap_day_usd: Option<Decimal>,
    /// The monthly cap, the same way.
    #[ts(type = "string | null")]
    pub cap_month_usd: Option<Decimal>,
    /// While running, each cap with what was spent against it this UTC day or month
    /// (calls through the router before this start included). Empty while stopped.
    pub cap_spend: Vec<CapSpend>,
}

/// What was spent against one cap in its current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CapSpend {
    #[ts(type = "\"day\" | \"month\"")]
    pub period: CapPeriod,
    #[ts(type = "string")]
    pub cap_usd: Decimal,
    #[ts(type = "string")]
    pub spent_usd: Decimal,
}

/// One finished call, as the live log shows it (no prompt or answer text).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RouterCallRow {
    /// When it ended, RFC 3339.
    pub at: String,
    /// The `model` the client sent.
    pub alias: String,
    /// The deployment that answered (or the last one tried).
    pub deployment: Option<String>,
    pub status: TargetStatus,
    /// The status the router answered with.
    pub http_status: u16,
    /// Upstream calls made, retries and fallbacks included.
    pub attempts: u32,
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    /// USD as a decimal string; `null` when unpriced.
    #[ts(type = "string | null")]
    pub cost_usd: Option<Decimal>,
    pub cost_source: CostSource,
    #[ts(type = "number")]
    pub latency_ms: u64,
    /// The client's `User-Agent`.
    pub client: Option<String>,
    pub stream: bool,
    /// What went wrong, when it did.
    pub error: Option<String>,
}

/// The event the webview's live log listens to: the call and the session's totals after it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RouterCallEvent {
    pub call: RouterCallRow,
    #[ts(type = "number")]
    pub calls: u64,
    #[ts(type = "string")]
    pub cost_usd: Decimal,
    #[ts(type = "number")]
    pub unpriced_calls: u64,
}

impl RouterCallRow {
    pub fn of(call: &CallRecord, at: chrono::DateTime<chrono::Utc>) -> Self {
        let s = &call.summary;
        Self {
            at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            alias: call.alias.clone(),
            deployment: call.deployment.clone(),
            status: s.status,
            http_status: call.http_status,
            attempts: call.attempts,
            input_tokens: s.usage.input_tokens,
            output_tokens: s.usage.output_tokens,
            cost_usd: s.cost.usd,
            cost_source: s.cost.source,
            latency_ms: s.metrics.total_ms,
            client: call.client.clone(),
            stream: call.stream,
            error: s.error.as_ref().map(|e| e.message.clone()),
        }
    }
}

/// The session's running totals, shared with the accounting observer.
#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    unpriced: AtomicU64,
    usd: Mutex<Decimal>,
}

impl Tally {
    /// Adds one call; the totals after it.
    fn add(&self, cost: Option<Decimal>) -> (u64, Decimal, u64) {
        let calls = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let mut usd = self.usd.lock().unwrap_or_else(|p| p.into_inner());
        match cost {
            Some(c) => *usd += c,
            None => {
                self.unpriced.fetch_add(1, Ordering::Relaxed);
            }
        }
        (calls, *usd, self.unpriced.load(Ordering::Relaxed))
    }

    fn totals(&self) -> (u64, Decimal, u64) {
        let usd = *self.usd.lock().unwrap_or_else(|p| p.into_inner());
        (
            self.calls.load(Ordering::Relaxed),
            usd,
            self.unpriced.load(Ordering::Relaxed),
        )
    }
}

/// A router that is serving.
struct Running {
    port: u16,
    state: switchboard_router::AppState,
    /// The caps in force and what was spent against them (shared with `state`).
    spend: Spend,
    log: HistoryLog,
    tally: Arc<Tally>,
    token: SecretString,
    shutdown: oneshot::Sender<()>,
    task: tauri::async_runtime::JoinHandle<std::io::Result<()>>,
    /// Tells the app when calls are in the history (see [`notify_when_saved`]).
    saved_notifier: tauri::async_runtime::JoinHandle<()>,
}

/// What starting needs from the app.
pub struct StartInput {
    pub port: u16,
    /// Spend caps, seeded at start with what the router spent earlier this period.
    pub caps: Vec<SpendCap>,
    pub history: History,
    pub providers: switchboard_core::providers::Providers,
    pub prices: switchboard_core::prices::book::Prices,
    pub exec: switchboard_core::http::Executor,
    /// Told of every finished call (the live log), on the request's task: returns at once.
    pub on_call: Arc<dyn Fn(RouterCallEvent) + Send + Sync>,
    /// Told once calls told to `on_call` are in the history (several at once coalesce).
    pub on_saved: Arc<dyn Fn() + Send + Sync>,
    /// Where the bearer token comes from ([`keychain_token`] in the app; blocking).
    pub token: fn() -> Result<SecretString, IpcError>,
}

/// The router's token: `SWITCHBOARD_ROUTER_TOKEN`, else the keychain's (made on first
/// use). Blocking (D-Bus on Linux).
pub fn keychain_token() -> Result<SecretString, IpcError> {
    switchboard_router::token::router_token()
        .map(|(token, _source)| token)
        .map_err(|e| {
            IpcError::new(
                IpcErrorKind::Keychain,
                format!("The router's token cannot be read or made: {e}"),
            )
        })
}

/// The router the app runs: at most one at a time. Start and stop take turns.
#[derive(Default)]
pub struct RouterHost {
    running: tokio::sync::Mutex<Option<Running>>,
}

impl RouterHost {
    /// Starts serving the saved setups on 127.0.0.1:`port`. Refuses when already
    /// running, when no setup is saved, when the token cannot be had, or when the port
    /// is taken (the message names it and what to do).
    pub async fn start(&self, input: StartInput) -> Result<(), IpcError> {
        let mut running = self.running.lock().await;
        if let Some(r) = running.as_ref() {
            return Err(IpcError::new(
                IpcErrorKind::InvalidInput,
                format!(
                    "The router is already running on port {}; stop it first.",
                    r.port
                ),
            ));
        }
        let port = input.port;
        // Bind first: a busy port is the likeliest failure, and says so before any
        // keychain prompt or key lookup.
        let listener = bind(port).await?;
        let history = input.history.clone();
        let token_source = input.token;
        let caps = input.caps;
        let (setups, token, spend) = blocking(move || {
            let setups = history.setups()?;
            if setups.is_empty() {
                return Err(IpcError::new(
                    IpcErrorKind::InvalidInput,
                    "There is no setup to serve. Save a setup in Setups first, then start the router.",
                ));
            }
            let token = token_source()?;
            let spend = Spend::from_history(caps, &history, chrono::Utc::now())?;
            Ok((setups, token, spend))
        })
        .await?;

        let tally = Arc::new(Tally::default());
        let observer_tally = tally.clone();
        let on_call = input.on_call;
        let ended = Arc::new(tokio::sync::Notify::new());
        let observer_ended = ended.clone();
        let writer = HistoryLog::start(input.history, LOG_CAPACITY).map_err(|e| {
            IpcError::new(
                IpcErrorKind::Internal,
                format!("The router's history writer cannot start: {e}"),
            )
        })?;
        let log = writer
            .clone()
            .with_observer(Arc::new(move |call: &CallRecord| {
                let row = RouterCallRow::of(call, chrono::Utc::now());
                let (calls, cost_usd, unpriced_calls) = observer_tally.add(row.cost_usd);
                on_call(RouterCallEvent {
                    call: row,
                    calls,
                    cost_usd,
                    unpriced_calls,
                });
                observer_ended.notify_one();
            }));
        let config = RouterConfig {
            setups,
            token: token.clone(),
            settings: RouterSettings::default(),
            caps: spend.caps().to_vec(),
        };
        let (providers, prices, exec) = (input.providers, input.prices, input.exec);
        let call_log: Arc<dyn CallLog> = Arc::new(log.clone());
        let router_spend = spend.clone();
        let state = blocking(move || {
            Ok(switchboard_router::AppState::new(
                config,
                &providers,
                prices,
                exec,
                call_log,
                router_spend,
            ))
        })
        .await?;

        // Started only now: had anything above failed, the writer would have ended with
        // its last handle instead of being kept alive by this task.
        let saved_notifier = tauri::async_runtime::spawn(notify_when_saved(
            writer,
            tally.clone(),
            ended,
            input.on_saved,
        ));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tauri::async_runtime::spawn(switchboard_router::serve(
            listener,
            state.clone(),
            async move {
                let _ = stopped.await;
            },
        ));
        *running = Some(Running {
            port,
            state,
            spend,
            log,
            tally,
            token,
            shutdown,
            task,
            saved_notifier,
        });
        Ok(())
    }

    /// Stops serving: no new connections, the calls in flight end (up to `grace`), and
    /// the calls they made are written. False when it was not running.
    pub async fn stop(&self, grace: Duration) -> bool {
        let Some(r) = self.running.lock().await.take() else {
            return false;
        };
        let _ = r.shutdown.send(());
        let mut task = r.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            // A stream that will not end keeps the port no longer than this.
            task.abort();
        }
        drop(r.state);
        // Whatever the writer still holds is written before the stop returns.
        let log = r.log;
        let _ = tauri::async_runtime::spawn_blocking(move || log.flush(grace)).await;
        r.saved_notifier.abort();
        true
    }

    /// Stops the router when the app quits (blocks the quitting thread briefly).
    pub fn stop_on_exit(&self) {
        tauri::async_runtime::block_on(async {
            self.stop(EXIT_GRACE).await;
        });
    }

    /// The status; `saved` (port, caps) and `stopped_setups` say what a start would do.
    pub async fn status(&self, saved: &RouterPrefs, stopped_setups: Vec<Setup>) -> RouterStatus {
        let running = self.running.lock().await;
        match running.as_ref() {
            Some(r) => {
                let (calls, cost_usd, unpriced_calls) = r.tally.totals();
                let cap_of = |period| {
                    r.spend
                        .caps()
                        .iter()
                        .find(|c| c.alias.is_none() && c.period == period)
                        .map(|c| c.usd)
                };
                RouterStatus {
                    running: true,
                    port: r.port,
                    base_url: Some(base_url(r.port)),
                    setups: r.state.setups().iter().map(ServedSetup::of).collect(),
                    problems: r.state.problems().to_vec(),
                    calls,
                    cost_usd,
                    unpriced_calls,
                    dropped: r.log.dropped(),
                    save_error: save_error(&r.log),
                    cap_day_usd: cap_of(CapPeriod::Day),
                    cap_month_usd: cap_of(CapPeriod::Month),
                    cap_spend: r
                        .spend
                        .status(chrono::Utc::now())
                        .into_iter()
                        .map(|(cap, spent)| CapSpend {
                            period: cap.period,
                            cap_usd: cap.usd,
                            spent_usd: spent,
                        })
                        .collect(),
                }
            }
            None => RouterStatus {
                running: false,
                port: saved.port,
                base_url: None,
                setups: stopped_setups.iter().map(ServedSetup::of).collect(),
                problems: Vec::new(),
                calls: 0,
                cost_usd: Decimal::ZERO,
                unpriced_calls: 0,
                dropped: 0,
                save_error: None,
                cap_day_usd: saved.cap_day_usd,
                cap_month_usd: saved.cap_month_usd,
                cap_spend: Vec::new(),
            },
        }
    }

    /// Whether it is serving now.
    pub async fn is_running(&self) -> bool {
        self.running.lock().await.is_some()
    }

    /// The token in use while running; otherwise the one a start would use (made and
    /// kept in the keychain on first use). Never leaves Rust except to the clipboard.
    pub async fn token(&self) -> Result<SecretString, IpcError> {
        if let Some(r) = self.running.lock().await.as_ref() {
            return Ok(r.token.clone());
        }
        blocking(keychain_token).await
    }
}

/// Calls `on_saved` once the calls seen so far are written (or dropped, or refused) by
/// the history writer. The observer sees a call just before it is queued, so the count
/// of calls handled, not a guess at timing, says when the history has them.
async fn notify_when_saved(
    log: HistoryLog,
    tally: Arc<Tally>,
    ended: Arc<tokio::sync::Notify>,
    on_saved: Arc<dyn Fn() + Send + Sync>,
) {
    loop {
        ended.notified().await;
        let seen = tally.calls.load(Ordering::Relaxed);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while log.written() + log.dropped() + log.failed().0 < seen
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        on_saved();
    }
}

/// "3 calls were not saved to the history: disk full".
fn save_error(log: &HistoryLog) -> Option<String> {
    match log.failed() {
        (0, _) => None,
        (n, e) => Some(format!(
            "{n} {} could not be saved to the history: {}",
            if n == 1 { "call" } else { "calls" },
            e.unwrap_or_else(|| "unknown error".into())
        )),
    }
}

/// What an SDK's base URL is set to.
pub fn base_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/v1")
}

/// Listens on loopback only: the router is for apps on this machine.
async fn bind(port: u16) -> Result<tokio::net::TcpListener, IpcError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| bind_error(port, &e))
}

/// Says which port and what to do about it.
fn bind_error(port: u16, e: &std::io::Error) -> IpcError {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => IpcError::new(
            IpcErrorKind::InvalidInput,
            format!(
                "Port {port} is already in use by another program (another Switchboard, `switchboard serve` or a LiteLLM proxy?). Stop it, or choose another port and start again."
            ),
        ),
        std::io::ErrorKind::PermissionDenied => IpcError::new(
            IpcErrorKind::InvalidInput,
            format!("Port {port} needs administrator rights on this system; choose a port above 1023."),
        ),
        _ => IpcError::new(
            IpcErrorKind::Internal,
            format!("The router cannot listen on 127.0.0.1:{port}: {e}. Choose another port and start again."),
        ),
    }
}

/// Runs blocking work (keychain, database) on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, format!("the task stopped: {e}")))?
}

/// The router's own settings in the data folder (`router.json`): the port chosen and
/// the overall spend caps (`switchboard serve --cap-day/--cap-month`), applied at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterPrefs {
    pub port: u16,
    /// USD a UTC day; absent in files written before caps existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_day_usd: Option<Decimal>,
    /// USD a UTC month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_month_usd: Option<Decimal>,
}

impl Default for RouterPrefs {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            cap_day_usd: None,
            cap_month_usd: None,
        }
    }
}

impl RouterPrefs {
    const WHAT: &'static str = "the router settings";

    fn path(data_dir: &Path) -> std::path::PathBuf {
        data_dir.join("router.json")
    }

    /// The saved choice; the default when there is none or it cannot be read.
    pub fn load(data_dir: &Path) -> Self {
        switchboard_core::json_file::load(&Self::path(data_dir), Self::WHAT).unwrap_or_default()
    }

    pub fn save(&self, data_dir: &Path) -> Result<(), IpcError> {
        switchboard_core::json_file::save(&Self::path(data_dir), Self::WHAT, self)
            .map_err(|e| IpcError::new(IpcErrorKind::Settings, e.to_string()))
    }

    /// The caps a start enforces: overall ones, for every alias served.
    pub fn caps(&self) -> Vec<SpendCap> {
        [
            (CapPeriod::Day, self.cap_day_usd),
            (CapPeriod::Month, self.cap_month_usd),
        ]
        .into_iter()
        .filter_map(|(period, usd)| {
            usd.map(|usd| SpendCap {
                alias: None,
                period,
                usd,
            })
        })
        .collect()
    }
}

/// The mock provider shared with the core's tests (declared here: a `#[path]` inside
/// `mod tests` would resolve from a folder that does not exist).
#[cfg(test)]
#[path = "../crates/core/tests/support/mock.rs"]
mod mock;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    use super::mock;
    use std::collections::HashMap;
    use std::sync::mpsc;

    use switchboard_core::keys::EnvKeys;
    use switchboard_core::prices::book::{PriceBook, Prices};
    use switchboard_core::providers::Providers;
    use switchboard_core::setups::{Group, SetupTarget};

    const TOKEN: &str = "sb-host-test-token-0001";

    fn chat_setup() -> Setup {
        Setup {
            alias: "chat".into(),
            groups: vec![Group {
                targets: vec![SetupTarget {
                    model: "openai/gpt-4o-mini".into(),
                    weight: 1,
                    params: Default::default(),
                }],
            }],
            retries: 0,
            timeout_secs: 30,
            source_run: None,
            notes: None,
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// What starting needs, with the provider at `upstream` and the events sent to the channels.
    fn input(
        port: u16,
        history: &History,
        upstream: &mock::Mock,
        calls: mpsc::Sender<RouterCallEvent>,
        saved: mpsc::Sender<()>,
    ) -> StartInput {
        let env: HashMap<String, String> = [
            (
                "OPENAI_BASE_URL".to_owned(),
                format!("{}/v1", upstream.url()),
            ),
            (
                "OPENAI_API_KEY".to_owned(),
                "sk-host-test-openai".to_owned(),
            ),
        ]
        .into();
        let calls = Mutex::new(calls);
        let saved = Mutex::new(saved);
        StartInput {
            port,
            caps: Vec::new(),
            history: history.clone(),
            providers: Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env))),
            prices: Prices::new(PriceBook::bundled()),
            exec: switchboard_core::http::Executor::new(switchboard_core::Timeouts::default())
                .unwrap(),
            on_call: Arc::new(move |e| {
                let _ = calls.lock().unwrap().send(e);
            }),
            on_saved: Arc::new(move || {
                let _ = saved.lock().unwrap().send(());
            }),
            token: || Ok(SecretString::from(TOKEN)),
        }
    }

    /// A history in a fresh data folder (kept alive by the returned guard) with the
    /// `chat` setup saved: what a start serves.
    fn history_with_chat() -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        history.save_setup(&chat_setup(), None).unwrap();
        (dir, history)
    }

    /// A chat call to the router on `port` for the `chat` alias.
    async fn chat_call(port: u16) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/chat/completions", base_url(port)))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"model": "chat", "messages": [{"role": "user", "content": "hi"}]}))
            .send()
            .await
            .unwrap()
    }

    /// The handlers' host runs without a window: start, a real call, the live log's
    /// event, the history, stop.
    #[tokio::test(flavor = "multi_thread")]
    async fn serves_the_saved_setups_and_every_call_reaches_the_log_and_the_history() {
        let upstream = mock::Mock::always(mock::openai_says("Hello from upstream")).await;
        let (_dir, history) = history_with_chat();
        let (calls_tx, calls) = mpsc::channel();
        let (saved_tx, saved) = mpsc::channel();
        let port = free_port();
        let host = RouterHost::default();
        host.start(input(
            port,
            &history,
            &upstream,
            calls_tx.clone(),
            saved_tx.clone(),
        ))
        .await
        .unwrap();

        let status = host.status(&RouterPrefs::default(), Vec::new()).await;
        assert!(status.running);
        assert_eq!(status.base_url.as_deref(), Some(base_url(port).as_str()));
        assert_eq!(
            status.setups,
            vec![ServedSetup {
                alias: "chat".into(),
                deployments: vec!["openai/gpt-4o-mini".into()]
            }]
        );
        // A second start is refused, saying the router already runs.
        let again = host
            .start(input(free_port(), &history, &upstream, calls_tx, saved_tx))
            .await
            .unwrap_err();
        assert!(
            again.message.contains("already running"),
            "{}",
            again.message
        );

        let answer: serde_json::Value = chat_call(port)
            .await
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            answer["choices"][0]["message"]["content"],
            "Hello from upstream"
        );

        let event = calls.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(event.calls, 1);
        assert_eq!(event.call.alias, "chat");
        assert_eq!(event.call.deployment.as_deref(), Some("openai/gpt-4o-mini"));
        assert_eq!(event.call.http_status, 200);
        assert!(event.call.cost_usd.is_some(), "gpt-4o-mini is priced");
        assert_eq!(event.cost_usd, event.call.cost_usd.unwrap());

        // Told once the history has it, not before.
        saved.recv_timeout(Duration::from_secs(10)).unwrap();
        let page = history
            .list(&switchboard_core::history::RunQuery::default())
            .unwrap();
        assert_eq!(page.runs.len(), 1);
        let run = history.run(page.runs[0].id).unwrap().unwrap();
        assert_eq!(run.responses[0].route.as_ref().unwrap().alias, "chat");

        assert!(host.stop(Duration::from_secs(5)).await);
        assert!(!host.is_running().await);
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "the port is free once stopped"
        );
        assert!(
            !host.stop(Duration::from_secs(1)).await,
            "nothing left to stop"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn with_no_setup_saved_it_says_to_save_one_and_leaves_the_port_free() {
        let upstream = mock::Mock::always(mock::openai_says("unused")).await;
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let (calls_tx, _calls) = mpsc::channel();
        let (saved_tx, _saved) = mpsc::channel();
        let port = free_port();
        let host = RouterHost::default();
        let e = host
            .start(input(port, &history, &upstream, calls_tx, saved_tx))
            .await
            .unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::InvalidInput);
        assert!(
            e.message.contains("Save a setup in Setups first"),
            "{}",
            e.message
        );
        assert!(!host.is_running().await);
        std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port was let go");
    }

    #[tokio::test]
    async fn a_busy_port_names_the_port_and_what_to_do() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let e = bind(port).await.unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::InvalidInput);
        assert!(e.message.contains(&format!("Port {port}")), "{}", e.message);
        assert!(e.message.contains("choose another port"), "{}", e.message);
    }

    /// A daily cap of $0 refuses every call before it goes upstream, in OpenAI's error
    /// shape with the type clients match on, and the status shows the cap in force.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_reached_daily_cap_answers_429_and_never_calls_upstream() {
        let upstream = mock::Mock::always(mock::openai_says("unused")).await;
        let (_dir, history) = history_with_chat();
        let (calls_tx, _calls) = mpsc::channel();
        let (saved_tx, _saved) = mpsc::channel();
        let port = free_port();
        let host = RouterHost::default();
        let prefs = RouterPrefs {
            port,
            cap_day_usd: Some(Decimal::ZERO),
            cap_month_usd: None,
        };
        host.start(StartInput {
            caps: prefs.caps(),
            ..input(port, &history, &upstream, calls_tx, saved_tx)
        })
        .await
        .unwrap();

        let answer = chat_call(port).await;
        assert_eq!(answer.status().as_u16(), 429);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["type"], "spend_cap_reached", "{body}");
        assert_eq!(upstream.requests(), 0, "a capped call never goes upstream");

        let status = host.status(&RouterPrefs::default(), Vec::new()).await;
        assert_eq!(status.cap_day_usd, Some(Decimal::ZERO));
        assert_eq!(status.cap_month_usd, None);
        assert_eq!(
            status.cap_spend,
            vec![CapSpend {
                period: CapPeriod::Day,
                cap_usd: Decimal::ZERO,
                spent_usd: Decimal::ZERO,
            }]
        );
        assert!(host.stop(Duration::from_secs(5)).await);
    }

    #[test]
    fn the_port_and_caps_are_kept_in_the_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(RouterPrefs::load(dir.path()), RouterPrefs::default());
        let prefs = RouterPrefs {
            port: 5151,
            cap_day_usd: Some("5".parse().unwrap()),
            cap_month_usd: Some("0.50".parse().unwrap()),
        };
        prefs.save(dir.path()).unwrap();
        assert_eq!(RouterPrefs::load(dir.path()), prefs);
        assert_eq!(
            prefs.caps(),
            vec![
                SpendCap {
                    alias: None,
                    period: CapPeriod::Day,
                    usd: "5".parse().unwrap()
                },
                SpendCap {
                    alias: None,
                    period: CapPeriod::Month,
                    usd: "0.50".parse().unwrap()
                },
            ]
        );

        // No caps: none are written, and none are enforced.
        let uncapped = RouterPrefs {
            port: 5151,
            ..RouterPrefs::default()
        };
        uncapped.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join("router.json")).unwrap();
        assert!(!text.contains("cap_"), "{text}");
        assert_eq!(RouterPrefs::load(dir.path()), uncapped);
        assert!(uncapped.caps().is_empty());
    }

    #[test]
    fn a_router_json_from_before_caps_still_loads_its_port() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("router.json"), r#"{"port": 5252}"#).unwrap();
        let prefs = RouterPrefs::load(dir.path());
        assert_eq!(prefs.port, 5252);
        assert_eq!((prefs.cap_day_usd, prefs.cap_month_usd), (None, None));
    }

    /// Money spent through the router before this start counts against a cap set now:
    /// a restart does not reset the day's spend to zero.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_cap_counts_what_the_router_spent_earlier_today() {
        let upstream = mock::Mock::always(mock::openai_says("Hello from upstream")).await;
        let (_dir, history) = history_with_chat();
        let (calls_tx, calls) = mpsc::channel();
        let (saved_tx, saved) = mpsc::channel();
        let host = RouterHost::default();
        let port = free_port();
        host.start(input(
            port,
            &history,
            &upstream,
            calls_tx.clone(),
            saved_tx.clone(),
        ))
        .await
        .unwrap();
        assert_eq!(chat_call(port).await.status().as_u16(), 200);
        let spent = calls
            .recv_timeout(Duration::from_secs(10))
            .unwrap()
            .call
            .cost_usd
            .unwrap();
        saved.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(host.stop(Duration::from_secs(5)).await);

        // A daily cap of exactly what was spent: reached already, and shown as such.
        let port = free_port();
        let prefs = RouterPrefs {
            port,
            cap_day_usd: Some(spent),
            cap_month_usd: Some(spent * Decimal::TEN),
        };
        host.start(StartInput {
            caps: prefs.caps(),
            ..input(port, &history, &upstream, calls_tx, saved_tx)
        })
        .await
        .unwrap();
        let status = host.status(&RouterPrefs::default(), Vec::new()).await;
        let spent_of = |period| {
            status
                .cap_spend
                .iter()
                .find(|c| c.period == period)
                .map(|c| c.spent_usd)
        };
        assert_eq!(spent_of(CapPeriod::Day), Some(spent));
        assert_eq!(spent_of(CapPeriod::Month), Some(spent));
        assert_eq!(chat_call(port).await.status().as_u16(), 429);
        assert_eq!(upstream.requests(), 1, "only the first call went upstream");
        assert!(host.stop(Duration::from_secs(5)).await);
    }

    #[test]
    fn totals_never_count_an_unpriced_call_as_zero() {
        let t = Tally::default();
        t.add(Some("0.25".parse().unwrap()));
        let (calls, usd, unpriced) = t.add(None);
        assert_eq!((calls, usd.to_string().as_str(), unpriced), (2, "0.25", 1));
    }
}
