//! The load generator: the same HTTP/1.1 keep-alive client for the direct baseline and
//! every gateway, with each request prebuilt so the client does as little as possible
//! between the clock and the socket.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::http::{find, Conn};
use crate::mock::{stamp, CHUNKS};

/// Longest any one request may take before the run counts it failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where a request goes and what it carries.
pub struct Target {
    pub name: String,
    pub addr: SocketAddr,
    plain: Vec<u8>,
    streamed: Vec<u8>,
}

impl Target {
    /// `model` and `headers` (e.g. `authorization`) as this target wants them.
    pub fn new(
        name: &str,
        port: u16,
        path: &str,
        model: &str,
        headers: &[(&str, String)],
    ) -> Target {
        let request = |stream: bool| {
            let body = if stream {
                format!(
                    r#"{{"model":"{model}","messages":[{{"role":"user","content":"Say hello"}}],"max_tokens":32,"stream":true}}"#
                )
            } else {
                format!(
                    r#"{{"model":"{model}","messages":[{{"role":"user","content":"Say hello"}}],"max_tokens":32}}"#
                )
            };
            let mut out = format!(
                "POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nuser-agent: switchboard-bench\r\naccept: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                if stream { "text/event-stream" } else { "application/json" },
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            out.into_bytes()
        };
        Target {
            name: name.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            plain: request(false),
            streamed: request(true),
        }
    }
}

/// One request's timings.
#[derive(Debug, Default)]
pub struct Sample {
    /// Request written → whole answer read (nanoseconds).
    pub total: u64,
    /// Request written → the first content chunk read (streams).
    pub ttft: u64,
    /// Each content chunk after the first: read − written by the mock.
    pub chunk_delays: Vec<u64>,
}

/// A client of one target: one keep-alive connection, reopened when the server closes it.
pub struct Client {
    target: Arc<Target>,
    conn: Option<Conn>,
}

impl Client {
    pub fn new(target: Arc<Target>) -> Client {
        Client { target, conn: None }
    }

    async fn connect(&mut self) -> Result<(), String> {
        if self.conn.is_none() {
            let s = TcpStream::connect(self.target.addr).await.map_err(|e| {
                format!(
                    "{}: cannot connect to {}: {e}",
                    self.target.name, self.target.addr
                )
            })?;
            self.conn = Some(Conn::new(s).map_err(|e| e.to_string())?);
        }
        Ok(())
    }

    /// One call; a connection the server closed while idle is reopened once.
    pub async fn call(&mut self, stream: bool) -> Result<Sample, String> {
        for attempt in 0..2 {
            let reused = self.conn.is_some();
            self.connect().await?;
            match tokio::time::timeout(TIMEOUT, self.once(stream)).await {
                Ok(Ok(s)) => return Ok(s),
                Ok(Err(Failure::Stale)) if reused && attempt == 0 => self.conn = None,
                Ok(Err(Failure::Stale)) => {
                    self.conn = None;
                    return Err(format!(
                        "{} closed the connection without answering",
                        self.target.name
                    ));
                }
                Ok(Err(Failure::Other(e))) => {
                    self.conn = None;
                    return Err(format!("{}: {e}", self.target.name));
                }
                Err(_) => {
                    self.conn = None;
                    return Err(format!(
                        "{}: no complete answer within {TIMEOUT:?}",
                        self.target.name
                    ));
                }
            }
        }
        Err(format!("{} keeps closing the connection", self.target.name))
    }

    async fn once(&mut self, stream: bool) -> Result<Sample, Failure> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(Failure::Stale);
        };
        let request = if stream {
            &self.target.streamed
        } else {
            &self.target.plain
        };
        let start = Instant::now();
        conn.stream
            .write_all(request)
            .await
            .map_err(|_| Failure::Stale)?;
        let head = match conn.read_head().await {
            Ok(Some(h)) => h,
            Ok(None) => return Err(Failure::Stale),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Err(Failure::Stale)
            }
            Err(e) => return Err(Failure::Other(e.to_string())),
        };
        let status = head.status();
        let mut sample = Sample::default();
        let mut body = Vec::new();
        let mut sse = Sse::default();
        let bodiless = status == 204 || status == 304;
        conn.read_body(&head, bodiless, |data, at| {
            if status == 200 && stream {
                sse.feed(data, at);
            } else if status != 200 && body.len() < 2000 {
                body.extend_from_slice(data);
            }
        })
        .await
        .map_err(|e| Failure::Other(format!("reading the answer: {e}")))?;
        sample.total = nanos(start.elapsed());
        if head.close {
            self.conn = None;
        }
        if status != 200 {
            return Err(Failure::Other(format!(
                "answered {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(400)
                    .collect::<String>()
            )));
        }
        if stream {
            if sse.arrivals.len() != CHUNKS {
                return Err(Failure::Other(format!(
                    "the stream carried {} of the mock's {CHUNKS} chunks{}",
                    sse.arrivals.len(),
                    sse.odd
                        .as_deref()
                        .map(|o| format!(" (e.g. {o})"))
                        .unwrap_or_default()
                )));
            }
            sample.ttft = sse.arrivals[0].1.saturating_sub(stamp(start));
            sample.chunk_delays = sse.arrivals[1..]
                .iter()
                .map(|(sent, got)| got.saturating_sub(*sent))
                .collect();
        }
        Ok(sample)
    }
}

enum Failure {
    /// Nothing came back on a connection: the server had closed it.
    Stale,
    Other(String),
}

/// SSE events out of a body, each content chunk's stamp with when it arrived.
#[derive(Default)]
struct Sse {
    pending: Vec<u8>,
    /// (the mock's stamp, arrival stamp)
    arrivals: Vec<(u64, u64)>,
    /// A data line that carried no stamp, for the error message.
    odd: Option<String>,
}

impl Sse {
    fn feed(&mut self, data: &[u8], at: Instant) {
        let got = stamp(at);
        self.pending.extend_from_slice(data);
        loop {
            let (end, sep) = match (
                find(&self.pending, b"\n\n"),
                find(&self.pending, b"\r\n\r\n"),
            ) {
                (Some(a), Some(b)) if b < a => (b, 4),
                (Some(a), _) => (a, 2),
                (None, Some(b)) => (b, 4),
                (None, None) => return,
            };
            let event: Vec<u8> = self.pending.drain(..end + sep).collect();
            let text = String::from_utf8_lossy(&event[..end]);
            for line in text.lines() {
                let Some(data) = line.strip_prefix("data:") else {
                    continue;
                };
                let data = data.trim();
                if data == "[DONE]" {
                    continue;
                }
                match serde_json::from_str::<serde_json::Value>(data) {
                    Ok(v) => {
                        let content = v["choices"][0]["delta"]["content"].as_str().unwrap_or("");
                        if let Ok(sent) = content.parse::<u64>() {
                            self.arrivals.push((sent, got));
                        } else if !content.is_empty() && self.odd.is_none() {
                            self.odd = Some(data.chars().take(200).collect());
                        }
                    }
                    Err(_) if self.odd.is_none() => {
                        self.odd = Some(data.chars().take(200).collect())
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `n` calls one after the other on `client`.
pub async fn sequential(
    client: &mut Client,
    n: usize,
    stream: bool,
) -> Result<Vec<Sample>, String> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(client.call(stream).await?);
    }
    Ok(out)
}

/// Non-streamed requests per second with `c` connections each calling back to back:
/// counted over `window` after `warm`.
pub struct Rate {
    pub concurrency: usize,
    pub rps: f64,
    pub errors: u64,
    pub first_error: Option<String>,
}

pub async fn throughput(target: Arc<Target>, c: usize, warm: Duration, window: Duration) -> Rate {
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::with_capacity(c);
    for _ in 0..c {
        let (target, done, errors, first_error, stop) = (
            target.clone(),
            done.clone(),
            errors.clone(),
            first_error.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(target);
            while !stop.load(Ordering::Relaxed) {
                match client.call(false).await {
                    Ok(_) => {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut f) = first_error.lock() {
                            f.get_or_insert(e);
                        }
                        // A gateway that refuses calls is not hammered in a tight loop.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(warm).await;
    let (n0, e0, t0) = (
        done.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        Instant::now(),
    );
    tokio::time::sleep(window).await;
    let (n1, e1, t1) = (
        done.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        Instant::now(),
    );
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let first_error = first_error.lock().ok().and_then(|mut f| f.take());
    Rate {
        concurrency: c,
        rps: (n1 - n0) as f64 / (t1 - t0).as_secs_f64(),
        errors: e1 - e0,
        first_error,
    }
}
