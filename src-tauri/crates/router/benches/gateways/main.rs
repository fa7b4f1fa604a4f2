//! `switchboard serve` beside the LiteLLM proxy and the Portkey gateway, in one run on
//! one machine: each in front of the same instant mock OpenAI upstream, driven by the
//! same load generator, with the mock called directly as the baseline.
//!
//! Run: `cargo bench -p switchboard-router --bench gateways` (`make bench` does). It
//! builds the release `switchboard` binary (or takes `SWITCHBOARD_BENCH_SERVE_BIN`), and
//! the peers as the interop suite pins them (tests/interop/venv.sh, portkey.sh). Knobs:
//! `SWITCHBOARD_BENCH_QUICK=1` (a smoke run), `SWITCHBOARD_BENCH_PEERS=litellm,portkey`
//! (`none`: only ours), `SWITCHBOARD_BENCH_DUMP=DIR` (writes DIR/gateways.json),
//! `SWITCHBOARD_BENCH_AB=label=BIN,label=BIN…` (builds of `switchboard` side by side,
//! streaming only: see ab.rs).
//!
//! Every gateway is measured in a phase of its own (the others stopped), its rounds
//! interleaved with rounds of direct calls, so "added" is the gateway minus direct
//! under the same conditions and the client's own cost cancels out.
//!
//! Without `--bench` (`cargo test --all-targets`) it only checks the mock and the client.

mod ab;
mod floors;
mod http;
mod load;
mod mock;
mod procs;
mod report;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use load::{sequential, throughput, Client, Rate, Target};
use procs::{Gateway, Sampler};
use report::{GatewayResult, Measured, Pair, Report};
use serde_json::json;
use tokio::runtime::Runtime;

/// How much of everything a run does.
struct Knobs {
    quick: bool,
    peers: Vec<&'static str>,
    warm: usize,
    /// Non-streamed calls at concurrency 1, per target, split into `rounds`.
    calls: usize,
    /// Streamed calls per target, split into `rounds`.
    streams: usize,
    rounds: usize,
    sweep: Vec<usize>,
    sweep_warm: Duration,
    window: Duration,
}

impl Knobs {
    fn from_env() -> Knobs {
        let quick =
            std::env::var("SWITCHBOARD_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let peers = match std::env::var("SWITCHBOARD_BENCH_PEERS") {
            Err(_) => vec!["litellm", "portkey"],
            Ok(list) => list
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty() && *p != "none")
                .filter_map(|p| match p {
                    "litellm" => Some("litellm"),
                    "portkey" => Some("portkey"),
                    other => {
                        eprintln!("gateways: unknown peer {other:?} in SWITCHBOARD_BENCH_PEERS (known: litellm, portkey)");
                        None
                    }
                })
                .collect(),
        };
        let sweep = vec![1, 8, 32, 64];
        if quick {
            Knobs {
                quick,
                peers,
                warm: 30,
                calls: 300,
                streams: 30,
                rounds: 3,
                sweep,
                sweep_warm: Duration::from_millis(200),
                window: Duration::from_millis(700),
            }
        } else {
            Knobs {
                quick,
                peers,
                warm: 200,
                calls: 2000,
                // 500 × 19 chunk delays a side: a p99 from ~95 samples above it, not ~38.
                streams: 500,
                rounds: 10,
                sweep,
                sweep_warm: Duration::from_millis(500),
                window: Duration::from_secs(3),
            }
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "quick": self.quick,
            "peers": self.peers,
            "warmup_calls": self.warm,
            "calls_c1": self.calls,
            "streams": self.streams,
            "rounds": self.rounds,
            "stream_chunks": mock::CHUNKS,
            "chunk_spacing_ms": mock::SPACING.as_secs_f64() * 1000.0,
            "sweep_concurrency": self.sweep,
            "sweep_window_s": self.window.as_secs_f64(),
        })
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(exit) = floors::run_if_asked(&args) {
        return exit;
    }
    let bench = args.iter().any(|a| a == "--bench");
    let mock = match mock::start() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("gateways: cannot start the mock upstream: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("load")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gateways: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let direct = Arc::new(Target::new(
        "direct",
        mock.port,
        "/v1/chat/completions",
        "bench-model",
        &[("authorization", "Bearer sk-bench-upstream-0000".to_owned())],
    ));
    if !bench {
        return smoke(&rt, direct);
    }

    settle();
    if let Ok(spec) = std::env::var("SWITCHBOARD_BENCH_AB") {
        return match ab::run(&spec, &rt, direct) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gateways: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let knobs = Knobs::from_env();
    let loadavg = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    println!(
        "gateways: {} run, {} CPUs, peers: {}; mock streams {} chunks {:?} apart",
        if knobs.quick { "QUICK" } else { "full" },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if knobs.peers.is_empty() {
            "none".to_owned()
        } else {
            knobs.peers.join(", ")
        },
        mock::CHUNKS,
        mock::SPACING,
    );
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("gateways: no temporary folder: {e}");
            return ExitCode::FAILURE;
        }
    };

    eprintln!("gateways: direct (the mock, no gateway)");
    let direct_sweep = rt.block_on(sweep(direct.clone(), &knobs));

    let mut gateways = Vec::new();
    let ours = procs::switchboard_bin()
        .and_then(|bin| procs::start_switchboard(&bin, dir.path(), mock.port));
    gateways.push(measure("switchboard", ours, &direct, &knobs, &rt));
    for floor in floors::Floor::ALL {
        eprintln!("gateways: starting the {} (a floor)", floor.name());
        let started = floors::start(floor, dir.path(), mock.port);
        gateways.push(measure(floor.name(), started, &direct, &knobs, &rt));
    }
    for peer in &knobs.peers {
        eprintln!("gateways: starting {peer}");
        let started = match *peer {
            "litellm" => procs::start_litellm(dir.path(), mock.port),
            _ => procs::start_portkey(dir.path(), mock.port),
        };
        gateways.push(measure(peer, started, &direct, &knobs, &rt));
    }

    let report = Report {
        quick: knobs.quick,
        loadavg,
        direct_sweep,
        gateways,
    };
    report.print();
    if let Some(dump) = std::env::var_os("SWITCHBOARD_BENCH_DUMP") {
        let file = std::path::Path::new(&dump).join("gateways.json");
        let text = serde_json::to_string_pretty(&report.json(knobs.json())).unwrap_or_default();
        match std::fs::create_dir_all(&dump).and_then(|()| std::fs::write(&file, text)) {
            Ok(()) => println!("wrote {}", file.display()),
            Err(e) => eprintln!("gateways: cannot write {}: {e}", file.display()),
        }
    }
    ExitCode::SUCCESS
}

/// Writes out what the build just before left in the page cache. `cargo bench` starts
/// the run right after linking, and the kernel writes those pages back over the next
/// ~30 s (`vm.dirty_expire_centisecs`): disk interrupts and flusher threads on the same
/// two cores, landing on whichever gateway is measured first. Measured here: ~35 MB
/// still dirty 15 s after a small rebuild, hundreds after a fresh one.
fn settle() {
    eprintln!("gateways: sync (the build's writes, before any timing)");
    match std::process::Command::new("sync").status() {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("gateways: sync failed ({other:?}); timings may carry the build's writeback")
        }
    }
}

/// `cargo test --all-targets`: the mock answers the client, plain and streamed.
fn smoke(rt: &Runtime, direct: Arc<Target>) -> ExitCode {
    let mut client = Client::new(direct);
    mock::set_paced(true);
    let result = rt.block_on(async {
        sequential(&mut client, 20, false).await?;
        sequential(&mut client, 2, true).await
    });
    match result {
        Ok(s) if s.iter().all(|s| s.chunk_delays.len() == mock::CHUNKS - 1) => {
            println!("gateways: mock and client ok (run `cargo bench` for numbers)");
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("gateways: streams lost chunks");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("gateways: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn sweep(target: Arc<Target>, knobs: &Knobs) -> Vec<Rate> {
    let mut out = Vec::new();
    for &c in &knobs.sweep {
        let r = throughput(target.clone(), c, knobs.sweep_warm, knobs.window).await;
        eprintln!(
            "gateways:   {} c={c}: {:.0} req/s{}",
            target.name,
            r.rps,
            if r.errors > 0 {
                format!(", {} errors", r.errors)
            } else {
                String::new()
            }
        );
        out.push(r);
    }
    out
}

fn measure(
    name: &'static str,
    started: Result<Gateway, String>,
    direct: &Arc<Target>,
    knobs: &Knobs,
    rt: &Runtime,
) -> GatewayResult {
    let gw = match started {
        Ok(g) => g,
        Err(reason) => {
            eprintln!("gateways: {name} is missing: {reason}");
            return GatewayResult {
                name,
                version: String::new(),
                outcome: Err(reason),
            };
        }
    };
    eprintln!("gateways: {name} ({}) ready, pid {}", gw.version, gw.pid);
    // Settled after start-up, before any call.
    std::thread::sleep(Duration::from_secs(1));
    let idle = procs::mem(gw.pid, true);
    let outcome = rt
        .block_on(phases(&gw, direct, knobs))
        .map(|(latency, ttft, chunk, sweep, peak_rss_kb)| {
            std::thread::sleep(Duration::from_secs(1));
            Measured {
                latency,
                ttft,
                chunk,
                sweep,
                idle,
                peak_rss_kb,
                after: procs::mem(gw.pid, true),
            }
        })
        .map_err(|e| {
            format!(
                "{e}\n{name}'s log ({}):\n{}",
                gw.log.display(),
                gw.log_tail()
            )
        });
    if let Err(e) = &outcome {
        eprintln!("gateways: {name} failed: {e}");
    }
    GatewayResult {
        name,
        version: gw.version.clone(),
        outcome,
    }
}

type Phases = (Pair, Pair, Pair, Vec<Rate>, u64);

async fn phases(gw: &Gateway, direct: &Arc<Target>, knobs: &Knobs) -> Result<Phases, String> {
    let mut d = Client::new(direct.clone());
    let mut g = Client::new(gw.target.clone());
    // Does it answer at all, both ways?
    g.call(false).await?;
    g.call(true).await?;
    eprintln!("gateways:   {} answers; warming up", gw.target.name);
    for stream in [false, true] {
        let n = if stream { knobs.warm / 10 } else { knobs.warm };
        mock::set_paced(stream);
        sequential(&mut d, n, stream).await?;
        sequential(&mut g, n, stream).await?;
    }
    mock::set_paced(false);

    // Concurrency 1, in rounds that alternate which goes first.
    let mut latency = Pair::default();
    let per_round = knobs.calls / knobs.rounds;
    for r in 0..knobs.rounds {
        for is_direct in [r % 2 == 0, r % 2 == 1] {
            let (client, into) = if is_direct {
                (&mut d, &mut latency.direct)
            } else {
                (&mut g, &mut latency.gateway)
            };
            into.extend(
                sequential(client, per_round, false)
                    .await?
                    .iter()
                    .map(|s| s.total),
            );
        }
    }
    eprintln!("gateways:   {} latency done; streaming", gw.target.name);
    let (mut ttft, mut chunk) = (Pair::default(), Pair::default());
    mock::set_paced(true);
    let per_round = (knobs.streams / knobs.rounds).max(1);
    for r in 0..knobs.rounds {
        for is_direct in [r % 2 == 0, r % 2 == 1] {
            let (client, t, c) = if is_direct {
                (&mut d, &mut ttft.direct, &mut chunk.direct)
            } else {
                (&mut g, &mut ttft.gateway, &mut chunk.gateway)
            };
            for s in sequential(client, per_round, true).await? {
                t.push(s.ttft);
                c.extend(s.chunk_delays);
            }
        }
    }
    mock::set_paced(false);
    eprintln!(
        "gateways:   {} streaming done; concurrency sweep",
        gw.target.name
    );
    let sampler = Sampler::start(gw.pid);
    let rates = sweep(gw.target.clone(), knobs).await;
    let peak = sampler.finish();
    Ok((latency, ttft, chunk, rates, peak))
}
