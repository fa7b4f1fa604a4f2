//! The body of a streamed answer: the committed attempt's events → OpenAI chunks.
//! Events that are ready together go out as one write.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{BufMut, Bytes, BytesMut};
use futures::Stream;
use switchboard_core::{ErrorKind, RunEvent, RunEventKind, TargetStatus};
use tokio::sync::mpsc;

use super::{finish_reason, ApiError, ChunkWriter, DONE};
use crate::relay::{take_ready, Call};

/// Past this many bytes, a write goes out even if more events are ready.
const COALESCE: usize = 16 * 1024;

pub(crate) struct SseBody {
    events: mpsc::UnboundedReceiver<RunEvent>,
    /// The attempt the client gets (the channel also carries earlier, failed ones).
    attempt: u32,
    writer: ChunkWriter,
    include_usage: bool,
    first: Option<Bytes>,
    finished: bool,
    done: bool,
    /// The call producing the events, polled here: no hop between tasks per chunk.
    /// Dropping the body (the client went away) cancels it.
    call: Call,
}

impl SseBody {
    pub fn new(
        events: mpsc::UnboundedReceiver<RunEvent>,
        attempt: u32,
        writer: ChunkWriter,
        include_usage: bool,
        call: Call,
    ) -> Self {
        Self {
            events,
            attempt,
            writer,
            include_usage,
            first: None,
            finished: false,
            done: false,
            call,
        }
    }

    /// Sets what goes out before any event: the role chunk and the event that
    /// committed the call to this attempt.
    pub fn begin(&mut self, first: RunEventKind) {
        let mut out = BytesMut::new();
        self.writer.role(&mut out);
        self.write(first, &mut out);
        self.first = Some(out.freeze());
    }

    /// The whole stream of an answer that had no text at all.
    pub fn finish_now(&mut self, summary_event: RunEventKind) {
        let mut out = BytesMut::new();
        self.writer.role(&mut out);
        self.write(summary_event, &mut out);
        self.first = Some(out.freeze());
        self.done = true;
    }

    /// OpenAI ends a filtered answer with a reason, not an error.
    fn filtered(&mut self, out: &mut BytesMut) {
        if !self.finished {
            self.writer.finish(out, "content_filter");
            self.finished = true;
        }
    }

    pub fn write(&mut self, ev: RunEventKind, out: &mut BytesMut) {
        match ev {
            RunEventKind::Delta { text } if !text.is_empty() => self.writer.text(out, false, &text),
            RunEventKind::Reasoning { text } if !text.is_empty() => {
                self.writer.text(out, true, &text);
            }
            RunEventKind::Finished {
                finish_reason: r, ..
            } => {
                self.writer.finish(out, finish_reason(Some(r)));
                self.finished = true;
            }
            RunEventKind::Error(info) if info.kind == ErrorKind::ContentFiltered => {
                self.filtered(out);
            }
            RunEventKind::Error(info) => {
                let err = ApiError::new(
                    axum::http::StatusCode::BAD_GATEWAY,
                    "upstream_error",
                    format!("the answer broke off: {}", info.message),
                )
                .code(info.kind.as_str());
                out.put_slice(&err.sse_event());
                self.done = true;
            }
            RunEventKind::Summary(s) => {
                if s.status == TargetStatus::Ok && !self.finished {
                    self.writer.finish(out, finish_reason(s.finish_reason));
                    self.finished = true;
                }
                if self.include_usage {
                    self.writer.usage(out, &s.usage, s.cost.usd);
                }
                out.put_slice(DONE);
                self.done = true;
            }
            _ => {}
        }
    }
}

impl Stream for SseBody {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        // Moves the call on: what it produces is in `events` right after.
        this.call.advance(cx);
        if let Some(b) = this.first.take() {
            return Poll::Ready(Some(Ok(b)));
        }
        if this.done {
            return Poll::Ready(None);
        }
        let mut out = BytesMut::new();
        let mut next = take_ready(&mut this.events);
        loop {
            match next {
                Poll::Ready(Some(ev)) => {
                    if ev.target == this.attempt {
                        this.write(ev.event, &mut out);
                    }
                    if this.done || out.len() >= COALESCE {
                        break;
                    }
                }
                Poll::Ready(None) => {
                    // The call ended without its summary (it should not): say so
                    // rather than end as if the answer were whole.
                    let err = ApiError::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "server_error",
                        "the router stopped this answer before its end",
                    );
                    out.put_slice(&err.sse_event());
                    this.done = true;
                    break;
                }
                Poll::Pending if out.is_empty() => return Poll::Pending,
                Poll::Pending => break,
            }
            next = take_ready(&mut this.events);
        }
        Poll::Ready(Some(Ok(out.freeze())))
    }
}
