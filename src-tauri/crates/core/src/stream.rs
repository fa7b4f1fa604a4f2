//! One provider call as a stream of normalized events: the executor sends the request,
//! [`crate::sse`] frames the body, the adapter's [`StreamParser`] translates, and the
//! first-token and idle timeouts are enforced here.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
use crate::sse::{self, SseDecoder, SseEvent};

type Item = Result<ChatEvent, ProviderError>;
type Body = Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;
type Sending = Pin<Box<dyn Future<Output = Result<Box<Live>, ProviderError>> + Send>>;

/// A stream being read: bytes → SSE events → the adapter's events, one hand-written
/// state machine. This is the path every chunk of every answer takes, so it keeps no
/// per-chunk allocation of its own (queues are reused) and no combinator layers.
struct Live {
    body: Body,
    decoder: SseDecoder,
    /// SSE events framed from reads, not yet translated.
    framed: VecDeque<Result<SseEvent, ProviderError>>,
    parser: StreamParser,
    /// Translated events, not yet yielded.
    pending: VecDeque<Item>,
    got_token: bool,
    start: Instant,
    /// When the last bytes arrived.
    last_bytes: Instant,
    timeouts: Timeouts,
    /// The first-token or idle deadline: one timer for the stream. It is not moved on
    /// per chunk: when it fires, the deadline is worked out again from the last bytes
    /// and, if that is later, the timer is set to it.
    timer: Pin<Box<Sleep>>,
    secrets: Vec<String>,
    ended: bool,
}

enum State {
    Sending(Sending),
    Live(Box<Live>),
    Done,
}

/// One streamed answer (see [`chat_stream`]).
struct ChatStream {
    state: State,
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
    let kind = endpoint.kind;
    ChatStream {
        state: State::Sending(Box::pin(send(exec, spec, kind))),
    }
    .boxed()
}

/// Sends the request and waits for the answer's head, under the first-token deadline.
async fn send(
    exec: Executor,
    spec: HttpRequestSpec,
    kind: ProviderKind,
) -> Result<Box<Live>, ProviderError> {
    let start = Instant::now();
    let timeouts = exec.timeouts();
    let secrets = spec.secrets();
    let resp = match tokio::time::timeout(timeouts.first_token, exec.send(&spec)).await {
        Err(_) => return Err(exec.request_timeout_error()),
        Ok(Err(ProviderError::Timeout {
            phase: TimeoutPhase::Connect,
            ..
        })) => {
            return Err(ProviderError::Timeout {
                phase: TimeoutPhase::Connect,
                after: timeouts.connect,
            })
        }
        Ok(Err(e)) => return Err(redact_all(e, &secrets)),
        Ok(Ok(r)) => r,
    };
    Ok(Box::new(Live {
        body: Box::pin(resp.bytes_stream()),
        decoder: SseDecoder::new(),
        framed: VecDeque::new(),
        parser: StreamParser::new(kind),
        pending: VecDeque::new(),
        got_token: false,
        start,
        last_bytes: start,
        timer: Box::pin(tokio::time::sleep_until(start + timeouts.first_token)),
        timeouts,
        secrets,
        ended: false,
    }))
}

impl Stream for ChatStream {
    type Item = Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        let this = &mut *self;
        match &mut this.state {
            State::Done => Poll::Ready(None),
            State::Sending(fut) => match fut.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(live)) => {
                    this.state = State::Live(live);
                    Poll::Ready(Some(Ok(ChatEvent::Started)))
                }
                Poll::Ready(Err(e)) => {
                    this.state = State::Done;
                    Poll::Ready(Some(Err(e)))
                }
            },
            State::Live(live) => {
                let next = live.poll_item(cx);
                if matches!(next, Poll::Ready(None | Some(Err(_)))) {
                    this.state = State::Done;
                }
                next
            }
        }
    }
}

impl Live {
    /// The next translated event: from what is queued, else from the SSE events
    /// already framed, else from the next read — under the first-token deadline before
    /// any token and the idle deadline (from the last bytes received) after.
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Poll::Ready(Some(item.map_err(|e| redact_all(e, &self.secrets))));
            }
            if self.ended || self.parser.is_done() {
                return Poll::Ready(None);
            }
            if let Some(ev) = self.framed.pop_front() {
                match ev {
                    Ok(ev) => self.translate(&ev),
                    Err(e) => {
                        // Nothing after a framing error counts: it ends the stream.
                        self.framed.clear();
                        self.pending.push_back(Err(e));
                    }
                }
                continue;
            }
            match self.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    self.last_bytes = Instant::now();
                    self.decoder.decode(&bytes, &mut self.framed);
                }
                Poll::Ready(Some(Err(e))) => self.pending.push_back(Err(map_body_error(e))),
                Poll::Ready(None) => {
                    self.ended = true;
                    let out = self.parser.on_end();
                    self.pending.extend(out);
                }
                Poll::Pending => return self.poll_deadline(cx).map(|e| Some(Err(e))),
            }
        }
    }

    fn translate(&mut self, ev: &SseEvent) {
        let out = self.parser.on_event(ev);
        if !self.got_token
            && out
                .iter()
                .any(|r| matches!(r, Ok(ChatEvent::Delta { .. } | ChatEvent::Reasoning { .. })))
        {
            self.got_token = true;
            // From now on the idle deadline, which may be earlier than the first-token one.
            let (idle, _, _) = self.deadline();
            self.timer.as_mut().reset(idle);
        }
        self.pending.extend(out);
    }

    /// The deadline in force, its phase and its length: the first token's (from the
    /// request) until a token came, then the idle one (from the last bytes).
    fn deadline(&self) -> (Instant, TimeoutPhase, std::time::Duration) {
        if self.got_token {
            (
                self.last_bytes + self.timeouts.idle,
                TimeoutPhase::Idle,
                self.timeouts.idle,
            )
        } else {
            (
                self.start + self.timeouts.first_token,
                TimeoutPhase::FirstToken,
                self.timeouts.first_token,
            )
        }
    }

    /// Ready with the timeout once the deadline has passed with nothing read.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<ProviderError> {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let (deadline, phase, after) = self.deadline();
            if deadline <= Instant::now() {
                return Poll::Ready(ProviderError::Timeout { phase, after });
            }
            // Bytes came since the timer was set: wait from them.
            self.timer.as_mut().reset(deadline);
        }
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
