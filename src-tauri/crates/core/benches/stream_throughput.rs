//! SSE parsing throughput per provider format, and the runner's overhead per event.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-core cargo bench -p switchboard-core --bench stream_throughput`
//! A plain binary (no criterion): it prints one table. Target: parsing is never the
//! bottleneck — at least 100 MB/s of SSE on one core.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use futures::StreamExt;
use switchboard_core::chat::ChatEvent;
use switchboard_core::providers::ProviderKind;
use switchboard_core::runner::drive;
use switchboard_core::sse::events_from_chunks;
use switchboard_core::stream::parse_chunks;
use tokio_util::sync::CancellationToken;

const FULL_BYTES: usize = 4 << 20;

/// `cargo bench` passes `--bench`; anything else (`cargo test --all-targets`) gets a
/// quick smoke run on a little data, without the throughput verdict.
fn quick() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

fn target_bytes() -> usize {
    if quick() {
        64 << 10
    } else {
        FULL_BYTES
    }
}
const READ_SIZE: usize = 16 * 1024;
const TARGET_MB_S: f64 = 100.0;

const WORDS: &[&str] = &[
    " the",
    " model",
    " answers",
    ",",
    " quickly",
    " — ",
    "ünïcode",
    " and",
    " streams",
    " tokens",
    ".",
];

fn openai_body() -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < target_bytes() {
        let w = WORDS[i % WORDS.len()];
        s.push_str(&format!(
            "data: {{\"id\":\"chatcmpl-AbCdEf123\",\"object\":\"chat.completion.chunk\",\"created\":1731000000,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_50cad350e4\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{w}\"}},\"logprobs\":null,\"finish_reason\":null}}],\"usage\":null}}\n\n"
        ));
        i += 1;
    }
    s.push_str("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    s.push_str("data: {\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":99,\"total_tokens\":109}}\n\ndata: [DONE]\n\n");
    s
}

fn anthropic_body() -> String {
    let mut s = String::from("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    let mut i = 0;
    while s.len() < target_bytes() {
        let w = WORDS[i % WORDS.len()];
        s.push_str(&format!(
            "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"{w}\"}}}}\n\n"
        ));
        if i % 500 == 0 {
            s.push_str("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        }
        i += 1;
    }
    s.push_str("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":99}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    s
}

fn gemini_body() -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < target_bytes() {
        // Gemini sends a few words per chunk.
        let text: String = (0..4).map(|k| WORDS[(i + k) % WORDS.len()]).collect();
        s.push_str(&format!(
            "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":\"{text}\"}}],\"role\":\"model\"}},\"index\":0}}],\"usageMetadata\":{{\"promptTokenCount\":8,\"candidatesTokenCount\":{i},\"totalTokenCount\":{}}},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"abc\"}}\r\n\r\n",
            i + 8
        ));
        i += 1;
    }
    s.push_str("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\".\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":99,\"totalTokenCount\":107}}\r\n\r\n");
    s
}

fn chunks(body: &str) -> Vec<Vec<u8>> {
    body.as_bytes()
        .chunks(READ_SIZE)
        .map(<[u8]>::to_vec)
        .collect()
}

/// Best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap()
}

fn mb_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

fn main() {
    println!(
        "Switchboard stream benchmark ({} KiB per format, {} KiB reads, best of 5)\n",
        target_bytes() >> 10,
        READ_SIZE >> 10
    );
    println!(
        "{:<12} {:>8} {:>14} {:>20} {:>28} {:>8}",
        "format",
        "events",
        "framing MB/s",
        "framing+parse MB/s",
        "eventsource-stream framing",
        "target"
    );
    let mut all_ok = true;
    for (name, kind, body) in [
        ("openai", ProviderKind::OpenAi, openai_body()),
        ("anthropic", ProviderKind::Anthropic, anthropic_body()),
        ("gemini", ProviderKind::Gemini, gemini_body()),
    ] {
        // `make bench` times a peer (the official openai Python SDK's SSE decoder) on
        // exactly these bytes.
        if let Some(dir) = std::env::var_os("SWITCHBOARD_BENCH_DUMP") {
            std::fs::write(
                std::path::Path::new(&dir).join(format!("{name}.sse")),
                &body,
            )
            .unwrap();
        }
        let input = chunks(&body);
        let mut events = 0;
        let framing = best(5, || {
            let c = input.clone();
            let t = Instant::now();
            let evs = events_from_chunks(c);
            events = evs.len();
            black_box(evs);
            t.elapsed()
        });
        let parsing = best(5, || {
            let c = input.clone();
            let t = Instant::now();
            let out = parse_chunks(kind, c);
            assert!(
                matches!(out.last(), Some(Ok(ChatEvent::Finished { .. }))),
                "{name}: {:?}",
                out.last()
            );
            black_box(out);
            t.elapsed()
        });
        let reference = best(3, || {
            use eventsource_stream::Eventsource;
            let c = input.clone();
            let t = Instant::now();
            let s = futures::stream::iter(c.into_iter().map(Ok::<_, std::convert::Infallible>));
            let evs = futures::executor::block_on(s.eventsource().collect::<Vec<_>>());
            assert_eq!(evs.len(), events);
            black_box(evs);
            t.elapsed()
        });
        let full = mb_s(body.len(), parsing);
        let ok = full >= TARGET_MB_S;
        all_ok &= ok;
        println!(
            "{name:<12} {events:>8} {:>14.1} {:>20.1} {:>28.1} {:>8}",
            mb_s(body.len(), framing),
            full,
            mb_s(body.len(), reference),
            if quick() {
                "—"
            } else if ok {
                "ok"
            } else {
                "MISSED"
            }
        );
    }

    // Runner overhead: the same in-memory events through `runner::drive` (tagging,
    // accumulation, metrics, channel send + receive) versus consumed raw.
    let n_events: usize = if quick() { 1_000 } else { 200_000 };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let make = || {
        let mut v: Vec<Result<ChatEvent, switchboard_core::ProviderError>> =
            Vec::with_capacity(n_events + 2);
        v.push(Ok(ChatEvent::Started));
        for i in 0..n_events {
            v.push(Ok(ChatEvent::Delta {
                text: WORDS[i % WORDS.len()].to_owned(),
            }));
        }
        v.push(Ok(ChatEvent::Finished {
            finish_reason: switchboard_core::chat::FinishReason::Stop,
            raw: None,
        }));
        v
    };
    let raw = best(5, || {
        let evs = make();
        rt.block_on(async {
            let t = Instant::now();
            let mut s = futures::stream::iter(evs);
            let mut n = 0usize;
            while let Some(e) = s.next().await {
                n += black_box(&e).is_ok() as usize;
            }
            black_box(n);
            t.elapsed()
        })
    });
    let acct = switchboard_core::runner::Accounting::new(
        switchboard_core::chat::ChatRequest::prompt("hi"),
    );
    let through_runner = best(5, || {
        let evs = make();
        rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<switchboard_core::RunEvent>();
            let t = Instant::now();
            let consumer = tokio::spawn(async move {
                let mut n = 0usize;
                while let Some(ev) = rx.recv().await {
                    n += black_box(&ev).target as usize + 1;
                }
                n
            });
            let summary = drive(
                0,
                "bench/model".into(),
                &acct,
                futures::stream::iter(evs),
                CancellationToken::new(),
                &tx,
                |_| None,
            )
            .await;
            drop(tx);
            let n = consumer.await.unwrap();
            black_box((summary, n));
            t.elapsed()
        })
    });
    let per = |d: Duration| d.as_nanos() as f64 / n_events as f64;
    println!("\nrunner ({n_events} delta events): raw {:.0} ns/event, through the runner {:.0} ns/event, overhead {:.0} ns/event",
        per(raw), per(through_runner), per(through_runner) - per(raw));
    if quick() {
        println!("\n(smoke run on little data; `cargo bench` measures)");
    } else {
        println!(
            "\ntarget: framing+parse >= {TARGET_MB_S} MB/s on one core: {}",
            if all_ok { "met" } else { "MISSED" }
        );
    }
}
