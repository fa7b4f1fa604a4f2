//! A mock provider server on 127.0.0.1 that writes raw HTTP/1.1 bytes, so tests control
//! every chunk boundary, line ending and cut. Shared by the core and CLI tests
//! (`#[path]`-included).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// A request as the mock received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// One step of a response body.
#[derive(Clone)]
pub enum Step {
    /// Written and flushed as one TCP write.
    Bytes(Vec<u8>),
    /// A pause between writes.
    Sleep(Duration),
    /// Waits until the gate is opened (for ordering tests).
    Wait(Arc<Notify>),
}

/// How the body is delimited.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Connection: close`, no length: the body ends when the socket closes.
    Close,
    /// `Transfer-Encoding: chunked`; `complete: false` cuts the connection without the
    /// terminating zero-length chunk.
    Chunked { complete: bool },
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub steps: Vec<Step>,
    pub framing: Framing,
}

impl Reply {
    /// A 200 SSE reply written in the given pieces.
    pub fn sse_chunks(chunks: Vec<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            steps: chunks.into_iter().map(Step::Bytes).collect(),
            framing: Framing::Close,
        }
    }

    /// A 200 SSE reply, one write per event (split on blank lines).
    pub fn sse(body: &str) -> Self {
        Self::sse_chunks(split_events(body.as_bytes()))
    }

    /// An error status with a JSON body.
    pub fn error(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            steps: vec![Step::Bytes(body.as_bytes().to_vec())],
            framing: Framing::Close,
        }
    }

    pub fn json(body: &str) -> Self {
        Self::error(200, body)
    }

    pub fn with_header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn chunked(mut self, complete: bool) -> Self {
        self.framing = Framing::Chunked { complete };
        self
    }

    /// Appends a step after the body.
    pub fn with_step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Inserts a step before the body.
    pub fn first(mut self, step: Step) -> Self {
        self.steps.insert(0, step);
        self
    }
}

/// Splits an SSE body after every blank line (LF or CRLF), keeping every byte.
pub fn split_events(body: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < body.len() {
        let end = if body[i..].starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if body[i..].starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        };
        match end {
            Some(e) => {
                out.push(body[start..e].to_vec());
                start = e;
                i = e;
            }
            None => i += 1,
        }
    }
    if start < body.len() {
        out.push(body[start..].to_vec());
    }
    out
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

pub struct Mock {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Mock {
    /// Serves every request with `handler`'s reply.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let recs = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let handler = handler.clone();
                let recs = recs.clone();
                tokio::spawn(async move {
                    let _ = serve(sock, handler, recs).await;
                });
            }
        });
        Mock { addr, requests }
    }

    /// Always the same reply.
    pub async fn always(reply: Reply) -> Mock {
        Mock::start(move |_| reply.clone()).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests the mock has received.
    pub fn requests(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn last_request(&self) -> Recorded {
        self.requests.lock().unwrap().last().cloned().unwrap()
    }
}

/// OpenAI's answer to `GET /models`, listing `ids`.
pub fn openai_models(ids: &[&str]) -> Reply {
    let data: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "object": "model"}))
        .collect();
    Reply::json(&serde_json::json!({"object": "list", "data": data}).to_string())
}

/// OpenAI's 401 for a refused key — which, like OpenAI, echoes the key it was sent.
pub fn openai_bad_key(sent: &str) -> Reply {
    Reply::error(
        401,
        &format!(
            r#"{{"error":{{"message":"Incorrect API key provided: {sent}","type":"invalid_request_error","code":"invalid_api_key"}}}}"#
        ),
    )
}

/// A short OpenAI chat stream: `text`, a stop, a usage chunk, `[DONE]`.
pub fn openai_says(text: &str) -> Reply {
    let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
        serde_json::json!({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let usage = serde_json::json!({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o",
        "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}});
    Reply::sse(&format!(
        "data: {}\n\ndata: {}\n\ndata: {usage}\n\ndata: [DONE]\n\n",
        chunk(
            serde_json::json!({"role": "assistant", "content": text}),
            serde_json::Value::Null
        ),
        chunk(serde_json::json!({}), serde_json::json!("stop")),
    ))
}

/// The key an OpenAI-format request carried (`Authorization: Bearer …`), or "".
pub fn bearer(r: &Recorded) -> &str {
    r.header("authorization")
        .unwrap_or_default()
        .trim_start_matches("Bearer ")
}

/// Starts a mock on a thread with its own runtime (for tests that run the CLI binary).
pub fn start_blocking(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Mock {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let m = Mock::start(handler).await;
            tx.send(m).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

/// Reads one HTTP/1.1 request (head, then a `content-length` body); `None` when the
/// client closed before sending a whole head. Shared with the UI bench's provider.
pub async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Recorded>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    let rec = Recorded {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    };
    Ok(Some(rec))
}

async fn serve(
    mut sock: TcpStream,
    handler: Handler,
    recs: Arc<Mutex<Vec<Recorded>>>,
) -> std::io::Result<()> {
    sock.set_nodelay(true)?;
    let Some(rec) = read_request(&mut sock).await? else {
        return Ok(());
    };
    recs.lock().unwrap().push(rec.clone());
    let reply = handler(&rec);
    let mut head = format!("HTTP/1.1 {} Mock\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match reply.framing {
        Framing::Close => head.push_str("connection: close\r\n\r\n"),
        Framing::Chunked { .. } => {
            head.push_str("transfer-encoding: chunked\r\nconnection: close\r\n\r\n")
        }
    }
    sock.write_all(head.as_bytes()).await?;
    sock.flush().await?;
    for step in reply.steps {
        match step {
            Step::Bytes(b) => {
                if let Framing::Chunked { .. } = reply.framing {
                    sock.write_all(format!("{:x}\r\n", b.len()).as_bytes())
                        .await?;
                    sock.write_all(&b).await?;
                    sock.write_all(b"\r\n").await?;
                } else {
                    sock.write_all(&b).await?;
                }
                sock.flush().await?;
                // Give the reader a chance to see this write on its own.
                tokio::task::yield_now().await;
            }
            Step::Sleep(d) => tokio::time::sleep(d).await,
            Step::Wait(n) => n.notified().await,
        }
    }
    if reply.framing == (Framing::Chunked { complete: true }) {
        sock.write_all(b"0\r\n\r\n").await?;
    }
    sock.flush().await?;
    sock.shutdown().await?;
    Ok(())
}
