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
    let reply = whole_if_asked(&rec, handler(&rec));
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

/// Whether the request asks for the whole answer in one body rather than a stream:
/// `"stream": false` (or none) for OpenAI and Anthropic, `:generateContent` for Gemini.
pub fn wants_whole(r: &Recorded) -> bool {
    if r.path.contains(":generateContent") {
        return true;
    }
    if r.path.contains(":streamGenerateContent") || r.method != "POST" {
        return false;
    }
    let chat = r.path.ends_with("/chat/completions") || r.path.ends_with("/v1/messages");
    chat && serde_json::from_str::<serde_json::Value>(&r.body)
        .is_ok_and(|b| b.get("stream") != Some(&serde_json::Value::Bool(true)))
}

/// A scripted 200 event stream, answered as the provider answers a request that asked
/// for the whole answer: the same text, reasoning, usage and stop reason in one JSON
/// body of the provider's own shape, after the script's pauses. A stream that breaks
/// off (no end marker) becomes a body cut off half-way, as a connection dying while a
/// provider writes its answer; an error event becomes that error with a 500. Any
/// other reply is sent as scripted.
fn whole_if_asked(r: &Recorded, reply: Reply) -> Reply {
    let sse = reply
        .headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.contains("text/event-stream"));
    if reply.status != 200 || !sse || !wants_whole(r) {
        return reply;
    }
    let mut bytes = Vec::new();
    let mut steps = Vec::new();
    for step in reply.steps {
        match step {
            Step::Bytes(b) => bytes.extend(b),
            other => steps.push(other),
        }
    }
    let datas: Vec<String> = String::from_utf8_lossy(&bytes)
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter_map(|ev| {
            let lines: Vec<&str> = ev
                .lines()
                .filter_map(|l| l.strip_prefix("data:").map(str::trim_start))
                .collect();
            (!lines.is_empty()).then(|| lines.join("\n"))
        })
        .collect();
    let whole = if r.path.contains(":generateContent") {
        gemini_whole(&datas)
    } else if r.path.ends_with("/v1/messages") {
        anthropic_whole(&datas)
    } else {
        openai_whole(&datas)
    };
    let mut out = match whole {
        Whole::Body(body) => Reply::json(&body.to_string()).chunked(true),
        Whole::Cut(body) => {
            let text = body.to_string();
            Reply::json(&text[..text.len() / 2]).chunked(false)
        }
        Whole::Error(body) => Reply::error(500, &body),
    };
    steps.append(&mut out.steps);
    out.steps = steps;
    out
}

enum Whole {
    Body(serde_json::Value),
    Cut(serde_json::Value),
    Error(String),
}

fn openai_whole(datas: &[String]) -> Whole {
    use serde_json::{json, Value};
    let (mut text, mut reasoning) = (String::new(), String::new());
    let (mut finish, mut usage, mut done) = (Value::Null, Value::Null, false);
    let mut model = Value::Null;
    for d in datas {
        if d == "[DONE]" {
            done = true;
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(d) else {
            continue;
        };
        if v.get("error").is_some() {
            return Whole::Error(d.clone());
        }
        model = v["model"].clone();
        if let Some(c) = v["choices"].get(0) {
            let delta = &c["delta"];
            text.push_str(delta["content"].as_str().unwrap_or_default());
            for k in ["reasoning_content", "reasoning"] {
                reasoning.push_str(delta[k].as_str().unwrap_or_default());
            }
            if !c["finish_reason"].is_null() {
                finish = c["finish_reason"].clone();
            }
        }
        if !v["usage"].is_null() {
            usage = v["usage"].clone();
        }
    }
    let mut message = json!({"role": "assistant", "content": text, "refusal": null});
    if !reasoning.is_empty() {
        message["reasoning_content"] = json!(reasoning);
    }
    let body = json!({"id": "chatcmpl-whole", "object": "chat.completion", "created": 1731000000,
        "model": model, "choices": [{"index": 0, "message": message, "logprobs": null,
        "finish_reason": finish}], "usage": usage});
    if done {
        Whole::Body(body)
    } else {
        Whole::Cut(body)
    }
}

fn anthropic_whole(datas: &[String]) -> Whole {
    use serde_json::{json, Value};
    let mut message = json!({});
    let mut blocks: Vec<Value> = Vec::new();
    let mut done = false;
    for d in datas {
        let Ok(v) = serde_json::from_str::<Value>(d) else {
            continue;
        };
        match v["type"].as_str().unwrap_or_default() {
            "message_start" => message = v["message"].clone(),
            "content_block_start" => blocks.push(v["content_block"].clone()),
            "content_block_delta" => {
                let i = v["index"].as_u64().unwrap_or(0) as usize;
                let delta = &v["delta"];
                if let Some(b) = blocks.get_mut(i) {
                    for (dk, bk) in [("text", "text"), ("thinking", "thinking")] {
                        if let Some(t) = delta[dk].as_str() {
                            let joined = format!("{}{t}", b[bk].as_str().unwrap_or_default());
                            b[bk] = json!(joined);
                        }
                    }
                }
            }
            "message_delta" => {
                message["stop_reason"] = v["delta"]["stop_reason"].clone();
                if let Some(o) = v["usage"]["output_tokens"].as_u64() {
                    message["usage"]["output_tokens"] = json!(o);
                }
            }
            "message_stop" => done = true,
            "error" => return Whole::Error(d.clone()),
            _ => {}
        }
    }
    message["content"] = Value::Array(blocks);
    if done {
        Whole::Body(message)
    } else {
        Whole::Cut(message)
    }
}

fn gemini_whole(datas: &[String]) -> Whole {
    use serde_json::{json, Value};
    let (mut text, mut thought) = (String::new(), String::new());
    let (mut finish, mut usage, mut feedback) = (Value::Null, Value::Null, Value::Null);
    for d in datas {
        let Ok(v) = serde_json::from_str::<Value>(d) else {
            continue;
        };
        if v.get("error").is_some() {
            return Whole::Error(d.clone());
        }
        if !v["promptFeedback"].is_null() {
            feedback = v["promptFeedback"].clone();
        }
        if let Some(c) = v["candidates"].get(0) {
            for p in c["content"]["parts"].as_array().into_iter().flatten() {
                let t = p["text"].as_str().unwrap_or_default();
                if p["thought"] == true {
                    thought.push_str(t)
                } else {
                    text.push_str(t)
                }
            }
            if !c["finishReason"].is_null() {
                finish = c["finishReason"].clone();
            }
        }
        if !v["usageMetadata"].is_null() {
            usage = v["usageMetadata"].clone();
        }
    }
    let mut parts = Vec::new();
    if !thought.is_empty() {
        parts.push(json!({"text": thought, "thought": true}));
    }
    parts.push(json!({"text": text}));
    let mut body = json!({"candidates": [{"content": {"parts": parts, "role": "model"},
        "finishReason": finish, "index": 0}], "usageMetadata": usage});
    if !feedback.is_null() {
        body = json!({"promptFeedback": feedback, "usageMetadata": usage});
        return Whole::Body(body);
    }
    if finish.is_null() {
        Whole::Cut(body)
    } else {
        Whole::Body(body)
    }
}
