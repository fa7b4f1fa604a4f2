//! The instant OpenAI upstream every gateway (and the direct baseline) calls: a JSON
//! completion with usage at once, or an SSE stream of `CHUNKS` chunks `SPACING` apart.
//! Each streamed chunk's content is the moment the mock wrote it (nanoseconds since
//! [`epoch`]); the load generator lives in the same process and clock, so a chunk's
//! delay is its arrival time minus its content, whatever sat in between.
//!
//! Streams are paced only while the bench measures streaming ([`set_paced`]): a gateway
//! may ask the upstream for a stream even when its client did not (all three ask as
//! their client asked, but a non-streamed measure must never wait on the pacing).
//! Unpaced, the same chunks go out in one write.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

use crate::http::{chunk, find, Conn};

/// Content chunks per stream.
pub const CHUNKS: usize = 20;
/// Between two content chunks (tokio's timer rounds up to the millisecond).
pub const SPACING: Duration = Duration::from_millis(1);

static EPOCH: OnceLock<Instant> = OnceLock::new();
static PACED: AtomicBool = AtomicBool::new(false);

/// Whether streams go out `SPACING` apart (true) or at once.
pub fn set_paced(paced: bool) {
    PACED.store(paced, Ordering::Relaxed);
}

/// The clock the mock stamps chunks with and the client reads them by.
pub fn epoch() -> Instant {
    *EPOCH.get_or_init(Instant::now)
}

pub fn stamp(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_nanos()).unwrap_or(u64::MAX)
}

/// The running mock, on a runtime of its own so its work never queues behind the load
/// generator's tasks. Stops when dropped.
pub struct Mock {
    pub port: u16,
    _rt: Runtime,
}

pub fn start() -> io::Result<Mock> {
    epoch();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mock-upstream")
        .enable_all()
        .build()?;
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    rt.spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(async move {
                // A client that goes away mid-answer is not the mock's problem.
                let _ = serve(s).await;
            });
        }
    });
    Ok(Mock { port, _rt: rt })
}

async fn serve(s: TcpStream) -> io::Result<()> {
    let mut conn = Conn::new(s)?;
    let mut body = Vec::new();
    while let Some(head) = conn.read_head().await? {
        body.clear();
        conn.read_body(&head, false, |d, _| body.extend_from_slice(d))
            .await?;
        if head.method() == "POST" && head.path().ends_with("/chat/completions") {
            let stream = find(&body, b"\"stream\":true").is_some()
                || find(&body, b"\"stream\": true").is_some();
            if stream {
                let usage = find(&body, b"include_usage").is_some();
                stream_answer(&mut conn, usage).await?;
            } else {
                let text = COMPLETION.as_bytes();
                let mut out = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    text.len()
                )
                .into_bytes();
                out.extend_from_slice(text);
                conn.stream.write_all(&out).await?;
            }
        } else {
            let text = br#"{"error":{"message":"the bench mock serves POST /v1/chat/completions only","type":"invalid_request_error"}}"#;
            let mut out = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                text.len()
            )
            .into_bytes();
            out.extend_from_slice(text);
            conn.stream.write_all(&out).await?;
        }
        if head.close {
            break;
        }
    }
    Ok(())
}

const COMPLETION: &str = r#"{"id":"chatcmpl-bench","object":"chat.completion","created":1731000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench mock.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}"#;

fn event(delta: &str, finish: &str) -> Vec<u8> {
    chunk(format!(
        "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,\"model\":\"bench-model\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}]}}\n\n"
    ).as_bytes())
}

async fn stream_answer(conn: &mut Conn, usage: bool) -> io::Result<()> {
    let paced = PACED.load(Ordering::Relaxed);
    let start = tokio::time::Instant::now();
    // The head goes out with the first chunk.
    let mut out = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for i in 0..CHUNKS {
        if paced && i > 0 {
            let at = start + SPACING * u32::try_from(i).unwrap_or(u32::MAX);
            tokio::time::sleep_until(at).await;
        }
        let role = if i == 0 { r#""role":"assistant","# } else { "" };
        let delta = format!(r#"{{{role}"content":"{}"}}"#, stamp(Instant::now()));
        out.extend(event(&delta, "null"));
        if paced {
            conn.stream.write_all(&out).await?;
            out.clear();
        }
    }
    let mut tail = out;
    tail.extend(event("{}", "\"stop\""));
    if usage {
        tail.extend(chunk(
            b"data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,\"model\":\"bench-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":20,\"total_tokens\":31}}\n\n",
        ));
    }
    tail.extend(chunk(b"data: [DONE]\n\n"));
    tail.extend_from_slice(b"0\r\n\r\n");
    conn.stream.write_all(&tail).await
}
