//! The compare runner: one prompt, 1 to [`MAX_TARGETS`] targets at once.
//!
//! Each target runs in its own tokio task with its own [`CancellationToken`] (a child of
//! the run's), so one slow or failing target never delays another. Every event is sent,
//! tagged with the target's index, over one unbounded channel (no target ever waits on
//! a slow reader); each target ends with exactly one `summary` event holding the whole
//! text (kept on error and cancel), usage and metrics. The channel closes when every
//! target has sent its summary.

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::chat::{ChatEvent, ChatRequest, FinishReason, Target, Usage, UsageSource};
use crate::error::{ErrorInfo, ErrorKind, ProviderError};
use crate::http::{Executor, Timeouts};
use crate::prices::answer_cost::Cost;
use crate::prices::book::{PriceBook, Prices};
use crate::prices::tokens::{estimate_usage, TokenCounter};
use crate::providers::{Endpoint, Providers};
use crate::stream::chat_stream;

/// The most targets one comparison may have.
pub const MAX_TARGETS: usize = 8;

/// Below this generation time (first token to end) no tokens-per-second is given.
pub const MIN_GENERATION_FOR_RATE: Duration = Duration::from_millis(20);

/// What the UI (or the CLI) asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CompareRequest {
    pub request: ChatRequest,
    pub targets: Vec<Target>,
}

/// How one target ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Ok,
    Error,
    Cancelled,
}

/// Timing of one target, measured by the runner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Metrics {
    /// From sending the request to the first text or reasoning token.
    #[ts(type = "number | null")]
    pub ttft_ms: Option<u64>,
    /// From sending the request to the end (success, error or cancel).
    #[ts(type = "number")]
    pub total_ms: u64,
    /// Output tokens / (total − time to first token): the generation speed. `null` when
    /// no token arrived, or the answer came in one piece (generation shorter than
    /// [`MIN_GENERATION_FOR_RATE`]), where a rate would be noise.
    pub output_tokens_per_s: Option<f64>,
}

/// Everything about one target, sent once at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TargetSummary {
    pub model: String,
    pub status: TargetStatus,
    /// The answer, complete or partial.
    pub text: String,
    pub reasoning: String,
    pub finish_reason: Option<FinishReason>,
    /// Reported by the provider, or estimated with a tokenizer when none came back.
    pub usage: Usage,
    /// What the answer cost and where that figure came from (never $0 when unknown).
    pub cost: Cost,
    pub metrics: Metrics,
    pub error: Option<ErrorInfo>,
    /// What to do about the error ("check OPENAI_API_KEY").
    pub hint: Option<String>,
}

/// The body of a [`RunEvent`]: the provider events plus the runner's `summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEventKind {
    Started,
    Delta {
        text: String,
    },
    Reasoning {
        text: String,
    },
    Usage(Usage),
    Finished {
        finish_reason: FinishReason,
        raw: Option<String>,
    },
    Error(ErrorInfo),
    Summary(Box<TargetSummary>),
}

impl From<ChatEvent> for RunEventKind {
    fn from(ev: ChatEvent) -> Self {
        match ev {
            ChatEvent::Started => Self::Started,
            ChatEvent::Delta { text } => Self::Delta { text },
            ChatEvent::Reasoning { text } => Self::Reasoning { text },
            ChatEvent::Usage(u) => Self::Usage(u),
            ChatEvent::Finished { finish_reason, raw } => Self::Finished { finish_reason, raw },
        }
    }
}

/// One event of a run: `{"target": 0, "event": "delta", "text": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunEvent {
    /// Index into [`CompareRequest::targets`].
    pub target: u32,
    #[serde(flatten)]
    #[ts(flatten)]
    pub event: RunEventKind,
}

/// A comparison that cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("a comparison needs at least one model")]
    NoTargets,
    #[error("a comparison takes at most {MAX_TARGETS} models, got {0}")]
    TooManyTargets(usize),
    #[error("the request has no messages")]
    NoMessages,
    /// A column's own conversation is empty. `column` counts from 1, as the user sees it.
    #[error("column {column} ({model}) has no messages")]
    TargetNoMessages { column: usize, model: String },
    #[error(transparent)]
    Client(#[from] ProviderError),
}

/// Cancels a running comparison, one target or all.
#[derive(Debug, Clone)]
pub struct RunHandle {
    all: CancellationToken,
    targets: Vec<CancellationToken>,
}

impl RunHandle {
    /// Cancels one target; its summary keeps the partial text. False if no such target.
    pub fn cancel(&self, target: usize) -> bool {
        match self.targets.get(target) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels every target.
    pub fn cancel_all(&self) {
        self.all.cancel();
    }
}

/// Starts comparisons: owns the shared executor and the provider resolution.
#[derive(Debug, Clone)]
pub struct Runner {
    exec: Executor,
    providers: Providers,
    prices: Prices,
}

/// What a target's usage and cost are worked out from at its end.
#[derive(Debug, Clone)]
pub struct Accounting {
    /// The target's effective request ([`Target::request_for`]): what was sent, so a
    /// column with its own conversation is counted with that conversation.
    pub request: Arc<ChatRequest>,
    pub prices: Arc<PriceBook>,
}

impl Accounting {
    /// Priced with the bundled catalog.
    pub fn new(request: ChatRequest) -> Self {
        Self {
            request: Arc::new(request),
            prices: Arc::new(PriceBook::bundled()),
        }
    }
}

impl Runner {
    /// A runner with an executor (HTTP client) of its own.
    pub fn new(providers: Providers, timeouts: Timeouts) -> Result<Self, ProviderError> {
        Ok(Self::with_executor(Executor::new(timeouts)?, providers))
    }

    /// A runner over an existing executor: an app keeps one, so every comparison shares
    /// its connection pool (and its warm TLS sessions) instead of building a client.
    pub fn with_executor(exec: Executor, providers: Providers) -> Self {
        Self {
            exec,
            providers,
            prices: Prices::new(PriceBook::bundled()),
        }
    }

    /// Prices answers with `prices` (shared: a refresh shows in the next run).
    pub fn with_prices(mut self, prices: Prices) -> Self {
        self.prices = prices;
        self
    }

    pub fn prices(&self) -> &Prices {
        &self.prices
    }

    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// Starts every target at once; must be called inside a tokio runtime. Events arrive
    /// on the receiver; it closes after the last target's `summary`.
    pub fn start(
        &self,
        req: CompareRequest,
    ) -> Result<(RunHandle, mpsc::UnboundedReceiver<RunEvent>), CompareError> {
        if req.targets.is_empty() {
            return Err(CompareError::NoTargets);
        }
        if req.targets.len() > MAX_TARGETS {
            return Err(CompareError::TooManyTargets(req.targets.len()));
        }
        for (i, t) in req.targets.iter().enumerate() {
            match &t.messages {
                Some(own) if own.is_empty() => {
                    return Err(CompareError::TargetNoMessages {
                        column: i + 1,
                        model: t.model.clone(),
                    })
                }
                None if req.request.messages.is_empty() => return Err(CompareError::NoMessages),
                _ => {}
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let all = CancellationToken::new();
        let base = Arc::new(req.request);
        let prices = self.prices.get();
        // Each provider's endpoint once per run: its key lookup is a keychain round trip
        // (D-Bus on Linux), and eight columns of one provider made eight of them at the
        // send, beside the page laying out eight columns on the same cores.
        let mut endpoints: std::collections::HashMap<String, Arc<Lookup>> = Default::default();
        let mut targets = Vec::with_capacity(req.targets.len());
        for (i, target) in req.targets.into_iter().enumerate() {
            let provider = crate::chat::ModelId::parse(&target.model)
                .map(|id| id.provider.to_owned())
                .unwrap_or_default();
            let lookup = endpoints.entry(provider).or_default().clone();
            let token = all.child_token();
            targets.push(token.clone());
            let tx = tx.clone();
            let exec = self.exec.clone();
            let providers = self.providers.clone();
            // Each target is sent, counted and priced with its own effective request.
            let acct = Accounting {
                request: match target.request_for(&base) {
                    std::borrow::Cow::Borrowed(_) => base.clone(),
                    std::borrow::Cow::Owned(own) => Arc::new(own),
                },
                prices: prices.clone(),
            };
            tokio::spawn(async move {
                let idx = i as u32;
                let resolved = resolve_once(&lookup, providers, &target.model).await;
                match resolved {
                    Ok((ep, model)) => {
                        let stream = chat_stream(exec, &ep, &model, &acct.request, &target.params);
                        drive(idx, target.model, &acct, stream, token, &tx, |k| {
                            hint(k, &ep)
                        })
                        .await;
                    }
                    Err(message) => {
                        let err = ProviderError::InvalidRequest {
                            status: None,
                            message,
                        };
                        let stream = futures::stream::once(async move { Err(err) });
                        drive(idx, target.model, &acct, stream, token, &tx, |_| None).await;
                    }
                }
            });
        }
        Ok((RunHandle { all, targets }, rx))
    }
}

/// One provider's endpoint for the targets of a run, looked up by the first that needs it.
type Lookup = tokio::sync::OnceCell<Result<Endpoint, String>>;

/// `model_id`'s endpoint and provider model name, the endpoint from `lookup` (made once
/// per provider and run). Key lookups block on the keychain: on the blocking pool.
async fn resolve_once(
    lookup: &Lookup,
    providers: Providers,
    model_id: &str,
) -> Result<(Endpoint, String), String> {
    let id = crate::chat::ModelId::parse(model_id)
        .map_err(|e| crate::providers::ResolveError::from(e).to_string())?;
    let provider = id.provider.to_owned();
    let endpoint = lookup
        .get_or_init(|| async move {
            tokio::task::spawn_blocking(move || {
                providers.endpoint(&provider).map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(format!("the key lookup stopped: {e}")))
        })
        .await;
    endpoint.clone().map(|ep| (ep, id.model.to_owned()))
}

/// What to tell the user about an error of `kind` on `ep`.
pub fn hint(kind: ErrorKind, ep: &Endpoint) -> Option<String> {
    let p = &ep.provider;
    match kind {
        // Name the key that was sent, so the user replaces the right one.
        ErrorKind::Auth => Some(match &ep.key_origin {
            Some(crate::keys::KeyOrigin::Keychain) => format!(
                "the {p} key in the keychain was refused; replace it in Settings → Providers or with `switchboard keys set {p}`"
            ),
            Some(crate::keys::KeyOrigin::Env(var)) => format!(
                "the {p} key from ${var} was refused; fix ${var}, or save a key in Settings → Providers (the keychain's key takes precedence)"
            ),
            None => format!("add a {p} key in Settings → Providers or with `switchboard keys set {p}`"),
        }),
        ErrorKind::Permission => Some("this key may not use this model".into()),
        ErrorKind::ModelNotFound => Some(format!(
            "list the models with `switchboard models {}`",
            ep.provider
        )),
        ErrorKind::RateLimited => Some("wait and retry, or lower the request rate".into()),
        ErrorKind::ContextLength => Some("shorten the prompt or lower max_tokens".into()),
        ErrorKind::Overloaded | ErrorKind::Server => {
            Some("the provider is having trouble; retry later".into())
        }
        ErrorKind::Network => Some(format!("is {} reachable?", ep.base_url)),
        ErrorKind::Timeout => {
            Some("raise the timeout with --timeout-first-token / --timeout-idle".into())
        }
        _ => None,
    }
}

/// Runs one target's event stream to its end: forwards every event tagged with
/// `target`, accumulates text, measures, and sends the summary (which it also returns).
/// Public so benchmarks and embedders can drive any stream through the same path.
pub async fn drive<S>(
    target: u32,
    model: String,
    acct: &Accounting,
    stream: S,
    cancel: CancellationToken,
    tx: &mpsc::UnboundedSender<RunEvent>,
    hint: impl Fn(ErrorKind) -> Option<String>,
) -> TargetSummary
where
    S: Stream<Item = Result<ChatEvent, ProviderError>> + Send,
{
    let start = Instant::now();
    let mut stream = std::pin::pin!(stream);
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut usage: Option<Usage> = None;
    let mut finish: Option<FinishReason> = None;
    let mut ttft: Option<Duration> = None;
    let mut error: Option<ProviderError> = None;
    let mut started = false;
    let send = |event: RunEventKind| {
        // A closed receiver means nobody listens any more; the target still finishes.
        let _ = tx.send(RunEvent { target, event });
    };
    // One waiter for the whole stream: a new one per event would lock the token's
    // tree twice per chunk.
    let mut cancelled = std::pin::pin!(cancel.cancelled());
    loop {
        // The stream first, and the waiter only when the stream has nothing ready (its
        // every poll locks the token's tree): a chunk costs one waiter poll, not two.
        // A cancel still wins over events that are ready: it is checked before each.
        let next = if cancel.is_cancelled() {
            Next::Cancelled
        } else {
            std::future::poll_fn(|cx| match stream.as_mut().poll_next(cx) {
                Poll::Ready(n) => Poll::Ready(Next::Item(n)),
                Poll::Pending => cancelled.as_mut().poll(cx).map(|()| Next::Cancelled),
            })
            .await
        };
        let next = match next {
            Next::Item(n) => n,
            Next::Cancelled => {
                error = Some(ProviderError::Cancelled);
                break;
            }
        };
        match next {
            None => break,
            Some(Ok(ev)) => {
                match &ev {
                    ChatEvent::Delta { text: t } => {
                        ttft.get_or_insert_with(|| start.elapsed());
                        text.push_str(t);
                    }
                    ChatEvent::Reasoning { text: t } => {
                        ttft.get_or_insert_with(|| start.elapsed());
                        reasoning.push_str(t);
                    }
                    ChatEvent::Usage(u) => usage = Some(u.clone()),
                    ChatEvent::Finished { finish_reason, .. } => finish = Some(*finish_reason),
                    ChatEvent::Started => started = true,
                }
                send(ev.into());
            }
            Some(Err(e)) => {
                error = Some(e);
                break;
            }
        }
    }
    let total = start.elapsed();
    let usage = match usage {
        // No usage reported: count it with a tokenizer, unless the provider never
        // accepted the request (nothing was processed: zero, still marked estimated).
        None if started => count_usage(&model, acct, &text, &reasoning).await,
        None => Usage {
            source: UsageSource::Estimated,
            ..Usage::default()
        },
        // Cut short after an early usage report (Anthropic sends input and a running
        // output count at the start): the output received so far is counted, so a cut
        // answer is not billed as one token.
        Some(u) if error.is_some() => {
            let counted = count_usage(&model, acct, &text, &reasoning).await;
            if counted.output_tokens > u.output_tokens {
                Usage {
                    output_tokens: counted.output_tokens,
                    reasoning_tokens: counted.reasoning_tokens.max(u.reasoning_tokens),
                    source: UsageSource::Estimated,
                    ..u
                }
            } else {
                u
            }
        }
        Some(u) => u,
    };
    let status = match &error {
        None => TargetStatus::Ok,
        Some(ProviderError::Cancelled) => TargetStatus::Cancelled,
        Some(_) => TargetStatus::Error,
    };
    let error_info = error.as_ref().map(ProviderError::info);
    if let Some(info) = &error_info {
        send(RunEventKind::Error(info.clone()));
    }
    let output_tokens_per_s = ttft.and_then(|t| {
        let gen = total.saturating_sub(t).as_secs_f64();
        (gen >= MIN_GENERATION_FOR_RATE.as_secs_f64() && usage.output_tokens > 0)
            .then(|| usage.output_tokens as f64 / gen)
    });
    let cost = acct.prices.cost(&model, &usage, chrono::Utc::now());
    let summary = TargetSummary {
        cost,
        model,
        status,
        text,
        reasoning,
        finish_reason: finish,
        hint: error.as_ref().and_then(|e| hint(e.kind())),
        usage,
        metrics: Metrics {
            ttft_ms: ttft.map(|d| d.as_millis() as u64),
            total_ms: total.as_millis() as u64,
            output_tokens_per_s,
        },
        error: error_info,
    };
    send(RunEventKind::Summary(Box::new(summary.clone())));
    summary
}

/// What [`drive`] waits for: the stream's next item, or the cancel.
enum Next<T> {
    Item(Option<T>),
    Cancelled,
}

/// Counts a target's tokens on tokio's blocking pool, never on an async worker: the
/// first count loads a tokenizer table (~0.3 s) and a long answer takes milliseconds,
/// which would stall the other targets streaming on that worker.
async fn count_usage(model: &str, acct: &Accounting, text: &str, reasoning: &str) -> Usage {
    let (provider, name) = model.split_once('/').unwrap_or(("", model));
    let (provider, name) = (provider.to_owned(), name.to_owned());
    let request = acct.request.clone();
    let (t, r) = (text.to_owned(), reasoning.to_owned());
    let counted =
        tokio::task::spawn_blocking(move || estimate_usage(&provider, &name, &request, &t, &r))
            .await;
    // If the tokenizer failed, the approximation (which cannot) still gives a count.
    counted.unwrap_or_else(|_| {
        TokenCounter::Approximate.estimate_usage(&acct.request, text, reasoning)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn ok(ev: ChatEvent) -> Result<ChatEvent, ProviderError> {
        Ok(ev)
    }

    #[tokio::test]
    async fn partial_text_is_kept_on_error_and_usage_is_estimated() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let stream = futures::stream::iter(vec![
            ok(ChatEvent::Started),
            ok(ChatEvent::Delta {
                text: "Hello wor".into(),
            }),
            Err(ProviderError::StreamInterrupted {
                message: "cut".into(),
            }),
        ]);
        let acct = Accounting::new(ChatRequest::prompt("Say hello world"));
        let s = drive(
            3,
            "openai/gpt-4o".into(),
            &acct,
            stream,
            CancellationToken::new(),
            &tx,
            |_| None,
        )
        .await;
        assert_eq!(s.status, TargetStatus::Error);
        assert_eq!(s.text, "Hello wor");
        assert_eq!(s.usage.source, UsageSource::Estimated);
        // Counted with GPT-4o's own tokenizer: "Hello" + " wor".
        assert_eq!(s.usage.output_tokens, 2);
        assert!(s.usage.input_tokens > 3);
        // Priced from the catalog, marked as an estimate.
        assert_eq!(
            s.cost.source,
            crate::prices::answer_cost::CostSource::Estimated
        );
        assert!(s.cost.usd.unwrap() > rust_decimal::Decimal::ZERO);
        assert_eq!(s.error.as_ref().unwrap().kind, ErrorKind::StreamInterrupted);
        drop(tx);
        let mut kinds = Vec::new();
        while let Some(ev) = rx.recv().await {
            assert_eq!(ev.target, 3);
            kinds.push(
                serde_json::to_value(&ev).unwrap()["event"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        assert_eq!(kinds, ["started", "delta", "error", "summary"]);
    }

    #[tokio::test]
    async fn a_cut_answer_after_an_early_usage_report_counts_what_arrived() {
        let (tx, _rx) = mpsc::unbounded_channel();
        let early = Usage {
            input_tokens: 50,
            cached_input_tokens: 10,
            output_tokens: 1,
            ..Usage::default()
        };
        let stream = futures::stream::iter(vec![
            ok(ChatEvent::Started),
            ok(ChatEvent::Usage(early)),
            ok(ChatEvent::Delta {
                text: "A fairly long partial answer that was cut".into(),
            }),
            Err(ProviderError::StreamInterrupted {
                message: "cut".into(),
            }),
        ]);
        let acct = Accounting::new(ChatRequest::prompt("q"));
        let s = drive(
            0,
            "anthropic/claude-sonnet-4-5".into(),
            &acct,
            stream,
            CancellationToken::new(),
            &tx,
            |_| None,
        )
        .await;
        // The reported input stays; the output is what arrived, counted.
        assert_eq!(
            (s.usage.input_tokens, s.usage.cached_input_tokens),
            (50, 10)
        );
        assert_eq!(s.usage.output_tokens, 11);
        assert_eq!(s.usage.source, UsageSource::Estimated);
        assert_eq!(
            s.cost.source,
            crate::prices::answer_cost::CostSource::Estimated
        );
    }

    #[tokio::test]
    async fn cancel_keeps_partial_text() {
        let (tx, _rx) = mpsc::unbounded_channel();
        let token = CancellationToken::new();
        let stream = futures::stream::iter(vec![ok(ChatEvent::Delta { text: "par".into() })])
            .chain(futures::stream::pending());
        let t2 = token.clone();
        let acct = Accounting::new(ChatRequest::prompt("hi"));
        let h =
            tokio::spawn(
                async move { drive(0, "m/x".into(), &acct, stream, t2, &tx, |_| None).await },
            );
        tokio::task::yield_now().await;
        token.cancel();
        let s = h.await.unwrap();
        assert_eq!(s.status, TargetStatus::Cancelled);
        assert_eq!(s.error.unwrap().kind, ErrorKind::Cancelled);
    }

    #[test]
    fn run_events_flatten_the_target_index() {
        let ev = RunEvent {
            target: 1,
            event: RunEventKind::Delta { text: "x".into() },
        };
        assert_eq!(
            serde_json::to_value(&ev).unwrap(),
            serde_json::json!({"target": 1, "event": "delta", "text": "x"})
        );
    }

    #[tokio::test]
    async fn the_runner_refuses_zero_or_nine_targets() {
        let r = Runner::new(Providers::from_env(), Timeouts::default()).unwrap();
        let req = |n: usize| CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets: (0..n).map(|_| Target::new("openai/gpt-4o")).collect(),
        };
        assert!(matches!(r.start(req(0)), Err(CompareError::NoTargets)));
        assert!(matches!(
            r.start(req(9)),
            Err(CompareError::TooManyTargets(9))
        ));
    }

    #[tokio::test]
    async fn a_column_without_messages_is_refused_by_its_number() {
        let r = Runner::new(Providers::from_env(), Timeouts::default()).unwrap();
        let mut own = Target::new("openai/gpt-4o");
        own.messages = Some(vec![crate::chat::Message::user("mine")]);
        let mut empty = Target::new("anthropic/claude-sonnet-4-5");
        empty.messages = Some(Vec::new());
        let err = r
            .start(CompareRequest {
                request: ChatRequest::prompt("hi"),
                targets: vec![own.clone(), empty],
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 2 (anthropic/claude-sonnet-4-5) has no messages"
        );
        // No shared messages: fine when every column brings its own…
        let no_shared = ChatRequest {
            messages: Vec::new(),
            ..ChatRequest::prompt("")
        };
        let (h, _rx) = r
            .start(CompareRequest {
                request: no_shared.clone(),
                targets: vec![own.clone()],
            })
            .unwrap();
        h.cancel_all();
        // …refused when one relies on the shared conversation.
        assert!(matches!(
            r.start(CompareRequest {
                request: no_shared,
                targets: vec![own, Target::new("openai/gpt-4o")],
            }),
            Err(CompareError::NoMessages)
        ));
    }
}
