//! One provider call as a stream of normalized events: the executor sends the request,
//! [`crate::sse`] frames the body, the adapter's [`StreamParser`] translates, and the
//! first-token and idle timeouts are enforced here.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use tokio::time::{Instant, Sleep};

use crate::chat::{ChatEvent, ChatRequest, Params};
use crate::error::{ProviderError, TimeoutPhase};
use crate::http::{
    map_body_error, read_capped, redact_all, BodyError, Executor, HttpRequestSpec, Timeouts,
};
use crate::providers::{
    build_request, parse_complete, Endpoint, ProviderKind, ResolvedRequest, StreamParser,
};
use crate::sse::{self, SseEvent};

type Item = Result<ChatEvent, ProviderError>;
type SseStream = Pin<Box<dyn Stream<Item = Result<SseEvent, ProviderError>> + Send>>;

struct Live {
    events: SseStream,
    parser: StreamParser,
    pending: VecDeque<Item>,
    got_token: bool,
    start: Instant,
    /// Milliseconds after `start` at which the last bytes arrived.
    last_bytes_ms: Arc<AtomicU64>,
    timeouts: Timeouts,
    /// The first-token or idle deadline: one timer for the stream, moved on per
    /// event (a new one per event would take the timer wheel's lock twice a chunk).
    timer: Pin<Box<Sleep>>,
    secrets: Vec<String>,
    ended: bool,
}

enum State {
    Init {
        exec: Executor,
        spec: Box<HttpRequestSpec>,
        kind: ProviderKind,
    },
    Live(Box<Live>),
    Done,
}

/// The HTTP request for one answer (the request's params under the target's), or, when
/// the endpoint has no key it needs, the one-item stream that says so.
fn request_for(
    endpoint: &Endpoint,
    model: &str,
    request: &ChatRequest,
    target_params: &Params,
    stream: bool,
) -> Result<HttpRequestSpec, BoxStream<'static, Item>> {
    if endpoint.needs_key && endpoint.api_key.is_none() {
        let err = endpoint.missing_key_error();
        return Err(futures::stream::once(async move { Err(err) }).boxed());
    }
    let params = request.params.overlay(target_params);
    Ok(build_request(
        &ResolvedRequest {
            request,
            model,
            params,
            stream,
        },
        endpoint,
    ))
}

/// Streams one answer from `endpoint`. The request is sent when the stream is first
/// polled. Yields `Started`, then deltas, then `Usage` (if reported) and `Finished`;
/// or an `Err` as the last item. Errors never contain the endpoint's key.
pub fn chat_stream(
    exec: Executor,
    endpoint: &Endpoint,
    model: &str,
    request: &ChatRequest,
    target_params: &Params,
) -> BoxStream<'static, Item> {
    let spec = match request_for(endpoint, model, request, target_params, true) {
        Ok(spec) => spec,
        Err(failed) => return failed,
    };
    let state = State::Init {
        exec,
        spec: Box::new(spec),
        kind: endpoint.kind,
    };
    futures::stream::unfold(state, step).boxed()
}

async fn step(state: State) -> Option<(Item, State)> {
    match state {
        State::Done => None,
        State::Init { exec, spec, kind } => {
            let start = Instant::now();
            let timeouts = exec.timeouts();
            let secrets = spec.secrets();
            let sent = tokio::time::timeout(timeouts.first_token, exec.send(&spec)).await;
            let resp = match sent {
                Err(_) => return Some((Err(exec.request_timeout_error()), State::Done)),
                Ok(Err(ProviderError::Timeout {
                    phase: TimeoutPhase::Connect,
                    ..
                })) => {
                    let e = ProviderError::Timeout {
                        phase: TimeoutPhase::Connect,
                        after: timeouts.connect,
                    };
                    return Some((Err(e), State::Done));
                }
                Ok(Err(e)) => return Some((Err(redact_all(e, &secrets)), State::Done)),
                Ok(Ok(r)) => r,
            };
            let last_bytes_ms = Arc::new(AtomicU64::new(0));
            let mark = last_bytes_ms.clone();
            let bytes = resp.bytes_stream().map(move |r| {
                mark.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
                r.map_err(map_body_error)
            });
            let live = Live {
                events: Box::pin(sse::events(bytes)),
                parser: StreamParser::new(kind),
                pending: VecDeque::new(),
                got_token: false,
                start,
                last_bytes_ms,
                timer: Box::pin(tokio::time::sleep_until(start + timeouts.first_token)),
                timeouts,
                secrets,
                ended: false,
            };
            Some((Ok(ChatEvent::Started), State::Live(Box::new(live))))
        }
        State::Live(mut live) => loop {
            if let Some(item) = live.pending.pop_front() {
                return match item {
                    Ok(ev) => Some((Ok(ev), State::Live(live))),
                    Err(e) => Some((Err(redact_all(e, &live.secrets)), State::Done)),
                };
            }
            if live.ended || live.parser.is_done() {
                return None;
            }
            match next_event(&mut live).await {
                Err(e) => return Some((Err(redact_all(e, &live.secrets)), State::Done)),
                Ok(Some(ev)) => {
                    let out = live.parser.on_event(&ev);
                    if out.iter().any(|r| {
                        matches!(r, Ok(ChatEvent::Delta { .. } | ChatEvent::Reasoning { .. }))
                    }) {
                        live.got_token = true;
                    }
                    live.pending.extend(out);
                }
                Ok(None) => {
                    live.ended = true;
                    let out = live.parser.on_end();
                    live.pending.extend(out);
                }
            }
        },
    }
}

/// The largest whole answer read into memory (a stream has no such bound: it is
/// handled a chunk at a time).
pub const MAX_COMPLETE_BODY: usize = 64 << 20;

/// Asks `endpoint` for the whole answer in one body (no stream) and yields the same
/// events [`chat_stream`] would: `Started` once the provider answered, then the text,
/// reasoning, `Usage` and `Finished` at once; or an `Err` as the last item. Only the
/// connect timeout applies: the caller bounds the whole call (a long answer takes as
/// long as it takes to write, with nothing sent meanwhile). Errors never contain the
/// endpoint's key.
pub fn chat_complete(
    exec: Executor,
    endpoint: &Endpoint,
    model: &str,
    request: &ChatRequest,
    target_params: &Params,
) -> BoxStream<'static, Item> {
    let spec = match request_for(endpoint, model, request, target_params, false) {
        Ok(spec) => spec,
        Err(failed) => return failed,
    };
    let kind = endpoint.kind;
    let fut = async move {
        let secrets = spec.secrets();
        let resp = match exec.send(&spec).await {
            Ok(r) => r,
            Err(e) => return vec![Err(redact_all(e, &secrets))],
        };
        let body = match read_capped(resp, MAX_COMPLETE_BODY).await {
            Ok(body) => body,
            Err(e) => {
                let e = match e {
                    BodyError::TooLarge => ProviderError::malformed(
                        format!("the answer is larger than {} MiB", MAX_COMPLETE_BODY >> 20),
                        "",
                    ),
                    BodyError::Transport(e) => redact_all(map_body_error(e), &secrets),
                };
                return vec![Ok(ChatEvent::Started), Err(e)];
            }
        };
        // Each adapter's events end at their first error, as a stream's do.
        let events = parse_complete(kind, &String::from_utf8_lossy(&body))
            .into_iter()
            .map(|item| item.map_err(|e| redact_all(e, &secrets)));
        std::iter::once(Ok(ChatEvent::Started))
            .chain(events)
            .collect()
    };
    futures::stream::once(fut)
        .flat_map(futures::stream::iter)
        .boxed()
}

/// The next SSE event, under the first-token deadline before any token and the idle
/// deadline (measured from the last bytes received) after.
async fn next_event(live: &mut Live) -> Result<Option<SseEvent>, ProviderError> {
    loop {
        let (deadline, phase, after) = if live.got_token {
            let last = std::time::Duration::from_millis(live.last_bytes_ms.load(Ordering::Relaxed));
            (
                live.start + last + live.timeouts.idle,
                TimeoutPhase::Idle,
                live.timeouts.idle,
            )
        } else {
            (
                live.start + live.timeouts.first_token,
                TimeoutPhase::FirstToken,
                live.timeouts.first_token,
            )
        };
        if live.timer.deadline() != deadline {
            live.timer.as_mut().reset(deadline);
        }
        let next = tokio::select! {
            biased;
            ev = live.events.next() => Ok(ev),
            () = live.timer.as_mut() => Err(()),
        };
        match next {
            Ok(None) => return Ok(None),
            Ok(Some(r)) => return r.map(Some),
            Err(()) => {
                // Bytes may have arrived without completing an event: extend the wait.
                if phase == TimeoutPhase::Idle {
                    let last = std::time::Duration::from_millis(
                        live.last_bytes_ms.load(Ordering::Relaxed),
                    );
                    if live.start + last + live.timeouts.idle > Instant::now() {
                        continue;
                    }
                }
                return Err(ProviderError::Timeout { phase, after });
            }
        }
    }
}

/// Parses a complete in-memory byte stream, split into `chunks`, with `kind`'s parser,
/// exactly as a live stream would be (end-of-stream included). For tests and benches.
pub fn parse_chunks(kind: ProviderKind, chunks: Vec<Vec<u8>>) -> Vec<Item> {
    let mut parser = StreamParser::new(kind);
    let mut out = Vec::new();
    for ev in sse::events_from_chunks(chunks) {
        match ev {
            Ok(ev) => out.extend(parser.on_event(&ev)),
            Err(e) => {
                out.push(Err(e));
                return out;
            }
        }
        if parser.is_done() {
            return out;
        }
    }
    out.extend(parser.on_end());
    out
}
