//! The floors: what sitting between the client and the provider costs before a gateway
//! does anything of its own, measured like any gateway in every run. Each is this bench
//! binary run again as a process of its own:
//!
//! - `--tcp-relay LISTEN UPSTREAM`: bytes copied, two threads a connection, blocking
//!   read → write; no HTTP, no runtime. Any process in the path pays this.
//! - `--axum-passthrough LISTEN UPSTREAM`: the stack the router is built on (axum in,
//!   reqwest out, on a tokio runtime) passing the provider's answer back untouched —
//!   no SSE framing, no JSON, no accounting, no retries. The router's own work is what
//!   it adds on top of this.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::serve::ListenerExt;
use futures::TryStreamExt;

use crate::load::Target;
use crate::procs::{self, Gateway};

#[derive(Clone, Copy)]
pub enum Floor {
    TcpRelay,
    AxumPassthrough,
}

impl Floor {
    pub const ALL: [Floor; 2] = [Floor::TcpRelay, Floor::AxumPassthrough];

    fn flag(self) -> &'static str {
        match self {
            Floor::TcpRelay => "--tcp-relay",
            Floor::AxumPassthrough => "--axum-passthrough",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Floor::TcpRelay => "tcp relay",
            Floor::AxumPassthrough => "axum passthru",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Floor::TcpRelay => "read → write, 2 threads a connection",
            Floor::AxumPassthrough => "axum in, reqwest out, bytes untouched",
        }
    }
}

/// `Some(exit)` when this process was started as one of the floors.
pub fn run_if_asked(args: &[String]) -> Option<ExitCode> {
    let [_, flag, listen, upstream] = args else {
        return None;
    };
    let floor = Floor::ALL.into_iter().find(|f| f.flag() == flag)?;
    let (Ok(listen), Ok(upstream)) = (listen.parse::<u16>(), upstream.parse::<u16>()) else {
        return Some(ExitCode::FAILURE);
    };
    let served = match floor {
        Floor::TcpRelay => relay(listen, upstream),
        Floor::AxumPassthrough => passthrough(listen, upstream),
    };
    Some(match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", floor.name());
            ExitCode::FAILURE
        }
    })
}

fn relay(listen: u16, upstream: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", listen))?;
    for client in listener.incoming() {
        let Ok(client) = client else { continue };
        std::thread::spawn(move || {
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            let up = std::thread::spawn(move || pump(c2, s2));
            pump(server, client);
            let _ = up.join();
        });
    }
    Ok(())
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[derive(Clone)]
struct Upstream {
    client: reqwest::Client,
    url: String,
}

fn passthrough(listen: u16, upstream: u16) -> std::io::Result<()> {
    // The same runtime `switchboard serve` runs on.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .build()
            .map_err(std::io::Error::other)?;
        let state = Upstream {
            client,
            url: format!("http://127.0.0.1:{upstream}/v1/chat/completions"),
        };
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(forward))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", listen))
            .await?
            .tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
        axum::serve(listener, app).await
    })
}

async fn forward(
    State(up): State<Upstream>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let mut req = up.client.post(&up.url).body(body);
    for name in ["authorization", "content-type", "accept"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            let kind = resp.headers().get("content-type").cloned();
            let body =
                axum::body::Body::from_stream(resp.bytes_stream().map_err(std::io::Error::other));
            let mut out = axum::response::Response::new(body);
            *out.status_mut() = status;
            if let Some(kind) = kind {
                out.headers_mut().insert("content-type", kind);
            }
            out
        }
        Err(e) => {
            let mut out = axum::response::Response::new(axum::body::Body::from(e.to_string()));
            *out.status_mut() = axum::http::StatusCode::BAD_GATEWAY;
            out
        }
    }
}

/// Starts `floor` in front of the mock.
pub fn start(floor: Floor, dir: &std::path::Path, mock_port: u16) -> Result<Gateway, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = procs::free_port()?;
    let log = dir.join(format!("{}.log", floor.name().replace(' ', "-")));
    let mut cmd = procs::command(exe, dir);
    cmd.args([floor.flag(), &port.to_string(), &mock_port.to_string()]);
    let child = procs::spawn(cmd, &log)?;
    let pid = child.id();
    let gateway = Gateway::new(
        child,
        pid,
        floor.describe().into(),
        log,
        Arc::new(Target::new(
            floor.name(),
            port,
            "/v1/chat/completions",
            "bench-model",
            &[("authorization", format!("Bearer {}", procs::UPSTREAM_KEY))],
        )),
    );
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(format!("the {} did not listen within 10 s", floor.name()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(gateway)
}
