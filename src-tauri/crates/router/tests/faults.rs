//! Faults: an upstream cut mid-stream, a slow upstream, a client that goes away, and
//! 1,000 streams at once — with memory and open files back near their baseline after.
//!
//! The tests here take turns (one lock): the burst test measures the whole process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use futures::future::join_all;
use support::mock::{openai_says, read_request, Mock, Step};
use support::*;
use switchboard_core::{ErrorKind, TargetStatus};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::const_new(());

#[tokio::test]
async fn an_upstream_cut_mid_stream_keeps_the_partial_text_in_the_record() {
    let _turn = SERIAL.lock().await;
    let up = Mock::always(openai_cut("Hello wor")).await;
    let r = Opts::new(vec![single("chat", "openai/gpt-4o")])
        .openai(&up)
        .start()
        .await;
    let text = r
        .post(&chat_body("chat", "Say hello world", true))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(joined(&sse_data(&text), "content"), "Hello wor");
    let rec = &r.log.wait(1).await[0];
    assert_eq!(rec.summary.status, TargetStatus::Error);
    assert_eq!(rec.summary.text, "Hello wor");
    assert_eq!(
        rec.summary.error.as_ref().unwrap().kind,
        ErrorKind::StreamInterrupted
    );
    // The client got a 200 (the stream had begun) and the partial answer is billed.
    assert_eq!((rec.http_status, rec.attempts), (200, 1));
    assert!(rec.summary.usage.output_tokens > 0);
    assert!(rec.summary.cost.usd.is_some());
}

#[tokio::test]
async fn a_slow_upstream_past_the_setups_timeout_falls_back() {
    let _turn = SERIAL.lock().await;
    let up = by_model(|m| match m {
        "slow" => openai_says("too late").first(Step::Sleep(Duration::from_secs(10))),
        other => openai_says(&format!("from {other}")),
    })
    .await;
    let mut setup = fallbacks("chat", &["openai/slow", "openai/good"]);
    setup.timeout_secs = 1;
    let r = Opts::new(vec![setup]).openai(&up).start().await;
    for stream in [true, false] {
        let resp = r.post(&chat_body("chat", "hi", stream)).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            header(&resp, "x-switchboard-attempts").as_deref(),
            Some("2")
        );
        assert!(resp.text().await.unwrap().contains("from good"));
    }
    let recs = r.log.wait(2).await;
    assert!(recs
        .iter()
        .all(|c| c.attempts == 2 && c.summary.status == TargetStatus::Ok));
}

#[tokio::test]
async fn a_client_that_disconnects_cancels_the_upstream_request() {
    let _turn = SERIAL.lock().await;
    // A provider that sends one chunk, then waits; it reports when its client (the
    // router) closes the connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        read_request(&mut sock).await.unwrap().unwrap();
        let chunk = serde_json::json!({"id": "c", "object": "chat.completion.chunk", "model": "m",
            "choices": [{"index": 0, "delta": {"content": "Once upon"}, "finish_reason": null}]});
        sock.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n",
        )
        .await
        .unwrap();
        sock.write_all(format!("data: {chunk}\n\n").as_bytes())
            .await
            .unwrap();
        let mut buf = [0u8; 256];
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let _ = closed_tx.send(());
    });
    let mut opts = Opts::new(vec![single("chat", "openai/gpt-4o")]);
    opts.env.push(("OPENAI_BASE_URL", format!("{url}/v1")));
    opts.env.push(("OPENAI_API_KEY", "sk-up".into()));
    let r = opts.start().await;
    let mut resp = r.post(&chat_body("chat", "tell me a story", true)).await;
    assert_eq!(resp.status(), 200);
    let mut got = String::new();
    while !got.contains("Once upon") {
        let chunk = resp.chunk().await.unwrap().unwrap();
        got.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    drop(resp);
    tokio::time::timeout(Duration::from_secs(10), closed_rx)
        .await
        .expect("the upstream connection stayed open after the client left")
        .unwrap();
    let rec = &r.log.wait(1).await[0];
    assert_eq!(rec.summary.status, TargetStatus::Cancelled);
    assert_eq!(rec.summary.text, "Once upon");
    assert_eq!(rec.http_status, 499);
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The soft limit on open files; each stream holds four here (client, router in,
/// router out, mock), all in this one process.
fn fd_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX)
}

const STREAMS: usize = 1000;

async fn burst(r: &Router, client: &reqwest::Client) {
    let calls = (0..STREAMS).map(|i| {
        let client = client.clone();
        let url = format!("{}/v1/chat/completions", r.url);
        async move {
            let body = chat_body("chat", &format!("n{i}"), true);
            let resp = client
                .post(url)
                .bearer_auth(TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            let text = resp.text().await.unwrap();
            assert_eq!(joined(&sse_data(&text), "content"), format!("echo n{i}"));
        }
    });
    join_all(calls).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_streams_complete_and_leave_nothing_behind() {
    let _turn = SERIAL.lock().await;
    if fd_limit() < (STREAMS as u64) * 4 + 256 {
        // Raise our own soft limit to the hard one (as a shell's `ulimit -n` would).
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("prlimit")
            .args(["--pid", &pid, "--nofile=16384:"])
            .status();
    }
    assert!(
        fd_limit() >= (STREAMS as u64) * 4 + 256,
        "open-file limit too low: {}",
        fd_limit()
    );
    let up = Mock::start(|req| {
        let prompt = req.json()["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        openai_says(&format!("echo {prompt}"))
    })
    .await;
    let r = Opts::new(vec![single("chat", "openai/gpt-4o")])
        .openai(&up)
        .start()
        .await;
    // No idle client connections kept: what is open after a burst is the router's.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();

    // Warm-up bursts grow the allocator's arenas and the runtime to their working
    // size (measured here: RSS plateaus after the second burst); what the test
    // itself keeps (records, the mock's requests) is dropped after each burst.
    let run = |k: usize| {
        let (r, up, client) = (&r, &up, &client);
        async move {
            burst(r, client).await;
            let recs = r.log.wait(STREAMS).await;
            assert!(
                recs.iter()
                    .all(|c| c.summary.status == TargetStatus::Ok && c.http_status == 200),
                "burst {k}"
            );
            drop(recs);
            r.log.take();
            up.requests.lock().unwrap().clear();
        }
    };
    run(1).await;
    run(2).await;
    let (fds0, rss0) = settle(open_fds()).await;
    for k in 3..=4 {
        run(k).await;
        let (fds, rss) = settle(fds0).await;
        eprintln!(
            "burst {k}: {fds} open files (baseline {fds0}), RSS {rss} KiB (baseline {rss0} KiB)"
        );
        // Margins: a few descriptors the runtime may open lazily; 32 MiB of allocator
        // slack (glibc keeps freed memory in per-thread arenas; a leak of 16 KiB per
        // stream would exceed it over the two bursts).
        assert!(
            fds <= fds0 + 8,
            "open files: {fds0} before, {fds} after burst {k}"
        );
        assert!(
            rss <= rss0 + 32 * 1024,
            "RSS: {rss0} KiB before, {rss} KiB after burst {k}"
        );
    }
}

/// Waits (bounded) for closed connections to be reaped, down to `target` open files,
/// then reads open files and RSS.
async fn settle(target: usize) -> (usize, u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while open_fds() > target + 8 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (open_fds(), rss_kib())
}
