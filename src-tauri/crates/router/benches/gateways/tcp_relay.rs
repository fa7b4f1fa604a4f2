//! The floor: a bare TCP relay in a process of its own (this bench binary, run with
//! `--tcp-relay LISTEN UPSTREAM`), measured like any gateway. Two threads per connection,
//! each a blocking read → write loop; no HTTP, no parsing, no async runtime. What it
//! adds is what putting any process between the client and the provider costs on
//! this machine: every gateway pays at least that.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::load::Target;
use crate::procs::{self, Gateway};

/// The relay's own `main`: serves until killed.
pub fn run(listen: u16, upstream: u16) -> std::io::Result<()> {
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

/// Starts the relay in front of the mock.
pub fn start(dir: &std::path::Path, mock_port: u16) -> Result<Gateway, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = procs::free_port()?;
    let log = dir.join("tcp-relay.log");
    let child = Command::new(exe)
        .args(["--tcp-relay", &port.to_string(), &mock_port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the TCP relay: {e}"))?;
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err("the TCP relay did not listen within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id();
    Ok(Gateway::new(
        child,
        pid,
        "read → write, 2 threads a connection".into(),
        log,
        Arc::new(Target::new(
            "tcp relay",
            port,
            "/v1/chat/completions",
            "bench-model",
            &[("authorization", format!("Bearer {}", procs::UPSTREAM_KEY))],
        )),
    ))
}
