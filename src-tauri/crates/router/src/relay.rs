//! One call: its attempts (retries within a group, then the next group), each one a
//! [`drive`] of a provider stream whose events go straight to the HTTP side over an
//! unbounded channel, and exactly one [`CallRecord`] at its end, whatever happens.
//!
//! The call is a future the HTTP side polls itself ([`Call`]): a chunk goes from the
//! provider's connection to the client's with no hop between tasks. When the client
//! goes away first, dropping the [`Call`] cancels the attempt in flight (which drops
//! the upstream request) and lets the call finish on a task of its own, so it is still
//! recorded with what it had.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::StatusCode;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use rust_decimal::Decimal;
use switchboard_core::chat::{ChatEvent, ChatRequest, FinishReason, Usage, UsageSource};
use switchboard_core::error::{ErrorInfo, ErrorKind, ProviderError, TimeoutPhase};
use switchboard_core::prices::answer_cost::{Cost, CostSource};
use switchboard_core::runner::{drive, hint, Accounting};
use switchboard_core::stream::{chat_complete, chat_stream};
use switchboard_core::{Metrics, RunEvent, TargetStatus, TargetSummary};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::openai::ApiError;
use crate::routing::{backoff, counts_as_failure, next_after, Deployment, Next, Route};
use crate::CallRecord;

/// What the client asked for, once parsed.
pub(crate) struct CallSpec {
    pub route: Arc<Route>,
    pub request: Arc<ChatRequest>,
    pub stream: bool,
    /// The client's `User-Agent`.
    pub client: Option<String>,
}

/// How a call ended, for the HTTP side.
pub(crate) enum Verdict {
    Answered {
        summary: Box<TargetSummary>,
        deployment: Arc<str>,
        attempts: u32,
    },
    Failed {
        error: ApiError,
        deployment: Option<Arc<str>>,
        attempts: u32,
    },
}

/// The deployment of each attempt, by attempt index (the `target` of its events).
#[derive(Default)]
pub(crate) struct Tried(Mutex<Vec<Arc<str>>>);

impl Tried {
    fn push(&self, id: Arc<str>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(id);
    }

    pub fn get(&self, attempt: u32) -> Arc<str> {
        let v = self.0.lock().unwrap_or_else(|e| e.into_inner());
        v.get(attempt as usize)
            .cloned()
            .unwrap_or_else(|| "".into())
    }
}

/// A call in flight.
pub(crate) struct Started {
    /// Every attempt's events, tagged with the attempt's index (streams only).
    pub events: Option<mpsc::UnboundedReceiver<RunEvent>>,
    pub verdict: oneshot::Receiver<Verdict>,
    pub tried: Arc<Tried>,
    /// The call itself: whoever answers the client polls it.
    pub call: Call,
}

/// The call's future. Poll it (it is `Unpin`) beside the events it produces; dropped
/// before its end, it cancels the call and hands the rest to a task of its own.
pub(crate) struct Call {
    fut: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    token: CancellationToken,
}

impl Call {
    pub fn is_done(&self) -> bool {
        self.fut.is_none()
    }

    /// Moves the call on (if it has not ended), then takes the next event it produced.
    ///
    /// The events are taken without registering the task's waker: every event comes
    /// from polling the call right here, so a send could only wake the task that is
    /// already running. Such a self-wake is not free: tokio re-queues the task as a
    /// yield and wakes an idle worker thread to share the work — one thread wake-up
    /// per chunk, on another core, that the client's own wake-up then waits behind.
    /// Pending is returned only when the call is pending (its own wakers are set);
    /// once it has ended its sender is gone, so the channel ends too.
    pub fn poll_event(
        &mut self,
        events: &mut mpsc::UnboundedReceiver<RunEvent>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<RunEvent>> {
        self.advance(cx);
        take_ready(events)
    }

    /// Polls the call once, unless it has ended.
    pub fn advance(&mut self, cx: &mut Context<'_>) {
        if let Some(fut) = self.fut.as_mut() {
            if fut.as_mut().poll(cx).is_ready() {
                self.fut = None;
            }
        }
    }
}

/// The next event already sent, without registering a waker (see [`Call::poll_event`]).
/// `try_recv`, not `poll_recv` with a no-op waker: it spends none of the task's
/// cooperative budget, so it never answers "not yet" for a queued event and leaves the
/// wake-up to a waker that does nothing.
pub(crate) fn take_ready(events: &mut mpsc::UnboundedReceiver<RunEvent>) -> Poll<Option<RunEvent>> {
    match events.try_recv() {
        Ok(ev) => Poll::Ready(Some(ev)),
        Err(mpsc::error::TryRecvError::Disconnected) => Poll::Ready(None),
        Err(mpsc::error::TryRecvError::Empty) => Poll::Pending,
    }
}

impl Future for Call {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.advance(cx);
        if self.is_done() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if let Some(fut) = self.fut.take() {
            // The client went away: stop the attempt, and let the call end (and be
            // recorded) on its own.
            self.token.cancel();
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(fut);
            }
        }
    }
}

/// Starts a call; nothing happens until its [`Call`] is polled.
pub(crate) fn start(state: &AppState, spec: CallSpec) -> Started {
    let token = CancellationToken::new();
    let (tx, rx) = mpsc::unbounded_channel();
    let (vtx, vrx) = oneshot::channel();
    let tried = Arc::new(Tried::default());
    // A non-streamed answer is read from the summary: its events go nowhere.
    let events = spec.stream.then_some(rx);
    let fut = run(state.clone(), spec, tx, token.clone(), vtx, tried.clone());
    Started {
        events,
        verdict: vrx,
        tried,
        call: Call {
            fut: Some(Box::pin(fut)),
            token,
        },
    }
}

/// Whether a streamed attempt had sent something to the client: from then on
/// nothing is retried (the HTTP side commits on the same events).
fn committed(s: &TargetSummary) -> bool {
    s.metrics.ttft_ms.is_some() || s.finish_reason.is_some()
}

async fn run(
    state: AppState,
    spec: CallSpec,
    tx: mpsc::UnboundedSender<RunEvent>,
    token: CancellationToken,
    vtx: oneshot::Sender<Verdict>,
    tried: Arc<Tried>,
) {
    let t0 = Instant::now();
    let route = spec.route.clone();
    let mut rec = Recorder::new(&state, &spec, t0);
    let settings = state.settings();
    let acct = Accounting {
        request: spec.request.clone(),
        prices: state.prices().get(),
    };
    let ignore_cooling = route.all_cooling(t0);
    let mut attempts: u32 = 0;
    let mut names: Vec<Arc<str>> = Vec::new();
    let mut last: Option<(Arc<str>, ErrorInfo, Option<String>)> = None;
    let verdict: Option<Verdict> = 'call: {
        for (gi, group) in route.groups.iter().enumerate() {
            let mut failed: Vec<usize> = Vec::new();
            let mut exhausted: Vec<usize> = Vec::new();
            // The wait owed before a deployment may be retried.
            let mut owed: Vec<(usize, Duration)> = Vec::new();
            let mut retries = 0u32;
            while let Some(di) = route.pick(gi, &failed, &exhausted, ignore_cooling, Instant::now())
            {
                if let Some(pos) = owed.iter().position(|(i, _)| *i == di) {
                    let (_, wait) = owed.swap_remove(pos);
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = token.cancelled() => break 'call None,
                    }
                }
                let dep = &group[di];
                tried.push(dep.id.clone());
                names.push(dep.id.clone());
                let offset = t0.elapsed();
                let summary =
                    attempt(&state, &route, dep, attempts, &spec, &acct, &tx, &token).await;
                attempts += 1;
                let status = summary.status;
                let error = summary.error.clone();
                let hint = summary.hint.clone();
                let text_filtered = !summary.text.is_empty();
                let was_committed = committed(&summary);
                rec.attempt(attempts, dep.id.clone(), summary, offset);
                let info = match (status, error) {
                    (TargetStatus::Ok, _) => {
                        break 'call Some(rec.answered(dep.id.clone(), attempts));
                    }
                    (TargetStatus::Cancelled, _) => break 'call None,
                    (TargetStatus::Error, None) => ProviderError::Server {
                        status: None,
                        message: "the attempt failed without an error".into(),
                    }
                    .info(),
                    (TargetStatus::Error, Some(info)) => info,
                };
                if spec.stream && was_committed {
                    // The client has the first bytes: the error goes inside the stream
                    // (the HTTP side sends it); nothing is retried.
                    let error =
                        final_error(&route.alias, &names, &dep.id, &info, hint.as_deref(), true);
                    rec.http_status = StatusCode::OK.as_u16();
                    break 'call Some(Verdict::Failed {
                        error,
                        deployment: Some(dep.id.clone()),
                        attempts,
                    });
                }
                if !spec.stream && info.kind == ErrorKind::ContentFiltered && text_filtered {
                    // OpenAI's way: what was written, with finish_reason content_filter.
                    break 'call Some(rec.answered(dep.id.clone(), attempts));
                }
                // As LiteLLM does: a group's only deployment is not cooled down for
                // failures a retry may cure (429, 5xx, timeouts) — the next group takes
                // those calls, and the primary is tried again as soon as it recovers.
                if counts_as_failure(info.kind)
                    && (group.len() > 1 || next_after(info.kind) != Next::Retry)
                {
                    dep.failed(Instant::now(), settings.allowed_fails, settings.cooldown);
                }
                let next = next_after(info.kind);
                let retry_after = info.retry_after_s.map(Duration::from_secs_f64);
                last = Some((dep.id.clone(), info, hint));
                match next {
                    Next::Stop => break 'call None,
                    Next::Return => {
                        break 'call last_failure(&route, &names, &last, attempts, &mut rec)
                    }
                    Next::Fallback => break,
                    Next::Retry => {
                        if retries >= route.retries {
                            break;
                        }
                        retries += 1;
                        if !failed.contains(&di) {
                            failed.push(di);
                        }
                        match retry_after {
                            // Longer than we would wait: not this deployment again.
                            Some(after) if after > settings.max_backoff => exhausted.push(di),
                            Some(after) => owed.push((di, after)),
                            None => owed.push((
                                di,
                                backoff(settings.backoff_base, retries - 1, settings.max_backoff),
                            )),
                        }
                    }
                }
            }
        }
        last_failure(&route, &names, &last, attempts, &mut rec)
    };
    match verdict {
        Some(v) => {
            let _ = vtx.send(v);
        }
        None => rec.cancelled = true,
    }
    drop(tx);
    drop(acct);
    // The recorder then holds the only reference to the request and moves it into the
    // record instead of copying the conversation.
    drop(spec);
    // `rec` records as it drops.
}

/// The verdict once no deployment is left (or the request itself was refused).
fn last_failure(
    route: &Route,
    names: &[Arc<str>],
    last: &Option<(Arc<str>, ErrorInfo, Option<String>)>,
    attempts: u32,
    rec: &mut Recorder,
) -> Option<Verdict> {
    let error = match last {
        Some((dep, info, hint)) => {
            final_error(&route.alias, names, dep, info, hint.as_deref(), false)
        }
        None => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream_error",
            format!(
                "`{}` has no deployment that can be called; check the setup in Switchboard",
                route.alias
            ),
        ),
    };
    rec.http_status = error.status.as_u16();
    Some(Verdict::Failed {
        error,
        deployment: last.as_ref().map(|(d, _, _)| d.clone()),
        attempts,
    })
}

/// The upstream error as the client sees it: a status its SDK handles well (never
/// 401, which the SDKs blame on the router's token), and which deployments were tried.
fn final_error(
    alias: &str,
    names: &[Arc<str>],
    dep: &str,
    info: &ErrorInfo,
    hint: Option<&str>,
    mid_stream: bool,
) -> ApiError {
    let hint = hint.map(|h| format!(" ({h})")).unwrap_or_default();
    let provider = dep.split_once('/').map_or(dep, |(p, _)| p);
    let tried = if names.len() > 1 {
        format!(
            " `{alias}` tried {} attempts: {}.",
            names.len(),
            tried_list(names)
        )
    } else {
        String::new()
    };
    let (status, kind, code) = match info.kind {
        ErrorKind::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_error",
            "rate_limit_exceeded",
        ),
        ErrorKind::Timeout => (
            StatusCode::GATEWAY_TIMEOUT,
            "upstream_error",
            "upstream_timeout",
        ),
        ErrorKind::InvalidRequest => (
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "invalid_request",
        ),
        ErrorKind::ContextLength => (
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "context_length_exceeded",
        ),
        ErrorKind::ContentFiltered => (
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "content_filter",
        ),
        ErrorKind::Auth | ErrorKind::Permission => (
            StatusCode::BAD_GATEWAY,
            "upstream_error",
            "upstream_key_refused",
        ),
        ErrorKind::Cancelled => (
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "cancelled",
        ),
        k => (StatusCode::BAD_GATEWAY, "upstream_error", k.as_str()),
    };
    let message = match info.kind {
        ErrorKind::Auth | ErrorKind::Permission => format!(
            "{provider} refused the key the router sent for {dep} (the router's own token was fine): {}{hint}.{tried}",
            info.message
        ),
        _ if mid_stream => format!("{dep} failed after the answer had begun: {}{hint}", info.message),
        _ => format!("{dep}: {}{hint}.{tried}", info.message),
    };
    let retry_after = (info.kind == ErrorKind::RateLimited)
        .then(|| info.retry_after_s.map(Duration::from_secs_f64))
        .flatten();
    ApiError::new(status, kind, message)
        .code(code)
        .retry_after(retry_after)
}

/// `a ×2, b`: the deployments in the order tried.
fn tried_list(names: &[Arc<str>]) -> String {
    let mut out: Vec<(Arc<str>, u32)> = Vec::new();
    for n in names {
        match out.last_mut() {
            Some((last, k)) if last == n => *k += 1,
            _ => out.push((n.clone(), 1)),
        }
    }
    out.iter()
        .map(|(n, k)| {
            if *k > 1 {
                format!("{n} ×{k}")
            } else {
                n.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One attempt on one deployment, to its end.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    state: &AppState,
    route: &Route,
    dep: &Deployment,
    index: u32,
    spec: &CallSpec,
    acct: &Accounting,
    tx: &mpsc::UnboundedSender<RunEvent>,
    token: &CancellationToken,
) -> TargetSummary {
    let cancel = token.child_token();
    match &dep.target {
        Ok(res) => {
            // The client's explicit values win over the setup's: the setup's params
            // are defaults for what the client left unset.
            let params = dep.params.overlay(&spec.request.params);
            // A client that wants the whole answer gets it the way the provider gives
            // it whole (as LiteLLM asks): one body to read instead of a stream of
            // chunks to parse and gather, and the usage every provider reports then.
            let call = if spec.stream {
                chat_stream
            } else {
                chat_complete
            };
            let stream = call(
                state.exec().clone(),
                &res.endpoint,
                &res.model,
                &spec.request,
                &params,
            );
            let stream = Deadline::new(stream, route.timeout, !spec.stream);
            drive(index, dep.id.to_string(), acct, stream, cancel, tx, |k| {
                hint(k, &res.endpoint)
            })
            .await
        }
        Err(why) => {
            // Cannot be called (unknown provider…): fails like a refused key, so the
            // call falls back.
            let err = ProviderError::Auth {
                status: None,
                message: why.clone(),
            };
            let stream = futures::stream::once(async move { Err(err) });
            drive(index, dep.id.to_string(), acct, stream, cancel, tx, |_| {
                None
            })
            .await
        }
    }
}

type Item = Result<ChatEvent, ProviderError>;

/// The setup's per-attempt deadline: until the first token of a stream (then the
/// executor's idle timeout takes over), or for the whole of a non-streamed answer.
struct Deadline {
    inner: BoxStream<'static, Item>,
    sleep: Option<Pin<Box<Sleep>>>,
    after: Duration,
    whole: bool,
    got_token: bool,
    done: bool,
}

impl Deadline {
    fn new(inner: BoxStream<'static, Item>, after: Duration, whole: bool) -> Self {
        Self {
            inner,
            sleep: Some(Box::pin(tokio::time::sleep(after))),
            after,
            whole,
            got_token: false,
            done: false,
        }
    }
}

impl Stream for Deadline {
    type Item = Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match this.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(ev))) => {
                if matches!(
                    ev,
                    ChatEvent::Delta { .. }
                        | ChatEvent::Reasoning { .. }
                        | ChatEvent::Finished { .. }
                ) {
                    this.got_token = true;
                    if !this.whole {
                        this.sleep = None;
                    }
                }
                return Poll::Ready(Some(Ok(ev)));
            }
            Poll::Ready(other) => {
                this.done = true;
                return Poll::Ready(other);
            }
            Poll::Pending => {}
        }
        if let Some(sleep) = this.sleep.as_mut() {
            if sleep.as_mut().poll(cx).is_ready() {
                this.done = true;
                let phase = if this.got_token {
                    TimeoutPhase::Idle
                } else {
                    TimeoutPhase::FirstToken
                };
                return Poll::Ready(Some(Err(ProviderError::Timeout {
                    phase,
                    after: this.after,
                })));
            }
        }
        Poll::Pending
    }
}

/// A call as the client sent it, for [`Recorder::refused`].
#[derive(Clone, Copy)]
pub(crate) struct Refusal<'a> {
    pub alias: &'a str,
    pub request: &'a Arc<ChatRequest>,
    pub stream: bool,
    pub client: Option<&'a str>,
}

/// Writes the call's one [`CallRecord`] when dropped: on success, error, cancel,
/// a client gone, or a panic in the call's task.
pub(crate) struct Recorder {
    state: AppState,
    alias: String,
    client: Option<String>,
    request: Arc<ChatRequest>,
    stream: bool,
    t0: Instant,
    attempts: u32,
    deployment: Option<Arc<str>>,
    summary: Option<TargetSummary>,
    /// When the last attempt began, after the call's start.
    offset: Duration,
    pub http_status: u16,
    pub cancelled: bool,
}

impl Recorder {
    fn new(state: &AppState, spec: &CallSpec, t0: Instant) -> Self {
        Self::of(
            state,
            Refusal {
                alias: &spec.route.alias,
                request: &spec.request,
                stream: spec.stream,
                client: spec.client.as_deref(),
            },
            t0,
        )
    }

    fn of(state: &AppState, call: Refusal<'_>, t0: Instant) -> Self {
        Self {
            state: state.clone(),
            alias: call.alias.to_owned(),
            client: call.client.map(str::to_owned),
            request: call.request.clone(),
            stream: call.stream,
            t0,
            attempts: 0,
            deployment: None,
            summary: None,
            offset: Duration::ZERO,
            http_status: 500,
            cancelled: false,
        }
    }

    /// A call refused before any attempt (an alias the router does not serve, a spend
    /// cap): recorded with its error and a cost of exactly nothing, since nothing was
    /// sent to a provider (not "unpriced", which would count it among the answers
    /// whose cost is unknown).
    pub fn refused(state: &AppState, call: Refusal<'_>, error: &ApiError, kind: ErrorKind) -> Self {
        let mut r = Self::of(state, call, Instant::now());
        r.http_status = error.status.as_u16();
        let info = ErrorInfo {
            kind,
            message: error.message.clone(),
            status: None,
            retry_after_s: error.retry_after.map(|d| d.as_secs_f64()),
            phase: None,
        };
        let mut summary = empty_summary(call.alias, info);
        summary.cost = nothing_sent();
        r.summary = Some(summary);
        r
    }

    fn attempt(&mut self, attempts: u32, dep: Arc<str>, summary: TargetSummary, offset: Duration) {
        self.attempts = attempts;
        self.deployment = Some(dep);
        self.summary = Some(summary);
        self.offset = offset;
    }

    /// The verdict of a successful attempt (the summary is the last one).
    fn answered(&mut self, dep: Arc<str>, attempts: u32) -> Verdict {
        self.http_status = StatusCode::OK.as_u16();
        let mut summary = self
            .summary
            .clone()
            .unwrap_or_else(|| empty_summary(&self.alias, ProviderError::Cancelled.info()));
        if summary
            .error
            .as_ref()
            .is_some_and(|e| e.kind == ErrorKind::ContentFiltered)
        {
            summary.finish_reason = Some(FinishReason::ContentFilter);
        }
        Verdict::Answered {
            summary: Box::new(summary),
            deployment: dep,
            attempts,
        }
    }
}

/// What a call that never reached a provider cost: zero tokens, exactly $0.
fn nothing_sent() -> Cost {
    Cost {
        usd: Some(Decimal::ZERO),
        source: CostSource::Computed,
        free: false,
        price_version: Some("not sent to a provider".to_owned()),
        price_key: None,
        breakdown: None,
    }
}

fn empty_summary(model: &str, error: ErrorInfo) -> TargetSummary {
    TargetSummary {
        model: model.to_owned(),
        status: TargetStatus::Error,
        text: String::new(),
        reasoning: String::new(),
        finish_reason: None,
        usage: Usage {
            source: UsageSource::Estimated,
            ..Usage::default()
        },
        cost: Cost::unpriced(),
        metrics: Metrics::default(),
        error: Some(error),
        hint: None,
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let mut summary = self.summary.take().unwrap_or_else(|| {
            empty_summary(
                &self.alias,
                ProviderError::Server {
                    status: None,
                    message: "the router stopped handling this call before it reached a deployment"
                        .into(),
                }
                .info(),
            )
        });
        if self.cancelled {
            summary.status = TargetStatus::Cancelled;
            if summary
                .error
                .as_ref()
                .is_none_or(|e| e.kind != ErrorKind::Cancelled)
            {
                summary.error = Some(ProviderError::Cancelled.info());
            }
            // What the client would have seen had it stayed (nginx's "client closed").
            self.http_status = 499;
        }
        // Timing as the client lived it: the whole call, retries and waits included.
        let offset_ms = self.offset.as_millis() as u64;
        summary.metrics.ttft_ms = summary.metrics.ttft_ms.map(|t| t + offset_ms);
        summary.metrics.total_ms = self.t0.elapsed().as_millis() as u64;
        if let Some(usd) = summary.cost.usd {
            self.state.spend().add(&self.alias, usd, chrono::Utc::now());
        }
        let request = Arc::try_unwrap(std::mem::take(&mut self.request))
            .unwrap_or_else(|shared| (*shared).clone());
        self.state.log().record(CallRecord {
            alias: std::mem::take(&mut self.alias),
            deployment: self.deployment.as_ref().map(|d| d.to_string()),
            attempts: self.attempts,
            client: self.client.take(),
            request,
            stream: self.stream,
            http_status: self.http_status,
            summary,
        });
    }
}
