//! Percentiles, the table (each number beside its target) and gateways.json.

use serde_json::{json, Value};

use crate::load::Rate;
use crate::procs::Mem;

/// Nearest-rank percentile of unsorted nanoseconds, in microseconds.
pub fn pct_us(samples: &[u64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut v = samples.to_vec();
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1] as f64 / 1000.0
}

/// A measure through the gateway beside the direct one of the same (interleaved) rounds.
#[derive(Default)]
pub struct Pair {
    pub direct: Vec<u64>,
    pub gateway: Vec<u64>,
}

impl Pair {
    pub fn added(&self, p: f64) -> f64 {
        pct_us(&self.gateway, p) - pct_us(&self.direct, p)
    }

    fn json(&self) -> Value {
        json!({
            "samples": self.gateway.len(),
            "p50_us": num(pct_us(&self.gateway, 50.0)),
            "p99_us": num(pct_us(&self.gateway, 99.0)),
            "direct_p50_us": num(pct_us(&self.direct, 50.0)),
            "direct_p99_us": num(pct_us(&self.direct, 99.0)),
            "added_p50_us": num(self.added(50.0)),
            "added_p99_us": num(self.added(99.0)),
        })
    }
}

pub struct Measured {
    pub latency: Pair,
    pub ttft: Pair,
    pub chunk: Pair,
    pub sweep: Vec<Rate>,
    pub idle: Mem,
    pub peak_rss_kb: u64,
    pub after: Mem,
}

impl Measured {
    pub fn best(&self) -> Option<&Rate> {
        best(&self.sweep)
    }
}

pub fn best(sweep: &[Rate]) -> Option<&Rate> {
    sweep.iter().max_by(|a, b| a.rps.total_cmp(&b.rps))
}

pub struct GatewayResult {
    pub name: &'static str,
    pub version: String,
    pub outcome: Result<Measured, String>,
}

pub struct Report {
    pub quick: bool,
    /// /proc/loadavg when the run began: how busy the machine was besides.
    pub loadavg: String,
    pub direct_sweep: Vec<Rate>,
    pub gateways: Vec<GatewayResult>,
}

fn num(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 10.0).round() / 10.0)
    } else {
        Value::Null
    }
}

fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

fn us(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.0}")
    } else {
        "-".into()
    }
}

/// One target: what, the value, the bound, whether it holds (None: not measured).
struct Verdict {
    what: String,
    value: Option<f64>,
    unit: &'static str,
    bound: String,
    ok: Option<bool>,
}

impl Report {
    fn ours(&self) -> Option<&Measured> {
        self.gateway("switchboard")
    }

    fn gateway(&self, name: &str) -> Option<&Measured> {
        self.gateways
            .iter()
            .find(|g| g.name == name)
            .and_then(|g| g.outcome.as_ref().ok())
    }

    fn verdicts(&self) -> Vec<Verdict> {
        let ours = self.ours();
        let at_most = |what: &str, value: Option<f64>, unit: &'static str, max: f64| Verdict {
            what: what.into(),
            value,
            unit,
            bound: format!("≤ {max} {unit}"),
            ok: value.map(|v| v <= max),
        };
        let mut out = vec![at_most(
            "switchboard added latency p99, concurrency 1",
            ours.map(|m| m.latency.added(99.0)),
            "µs",
            200.0,
        )];
        for (peer, times) in [("litellm", 10.0), ("portkey", 3.0)] {
            let ratio = match (
                ours.and_then(Measured::best),
                self.gateway(peer).and_then(Measured::best),
            ) {
                (Some(a), Some(b)) if b.rps > 0.0 => Some(a.rps / b.rps),
                _ => None,
            };
            out.push(Verdict {
                what: format!("switchboard max req/s ÷ {peer}'s"),
                value: ratio,
                unit: "×",
                bound: format!("≥ {times}×"),
                ok: ratio.map(|r| r >= times),
            });
        }
        out.push(at_most(
            "switchboard added delay per chunk p99",
            ours.map(|m| m.chunk.added(99.0)),
            "µs",
            50.0,
        ));
        out.push(at_most(
            "switchboard serve idle memory (RSS)",
            ours.map(|m| mb(m.idle.rss_kb)),
            "MB",
            30.0,
        ));
        out
    }

    pub fn print(&self) {
        let names: Vec<&str> = self.gateways.iter().map(|g| g.name).collect();
        let mut header = format!("{:<34} {:>12}", "measure", "direct");
        for n in &names {
            header.push_str(&format!(" {n:>14}"));
        }
        header.push_str("   target (switchboard)");
        println!();
        println!("{header}");
        println!("{}", "-".repeat(header.chars().count()));

        // The direct column pools the direct rounds of every gateway's phase.
        let pooled = |f: &dyn Fn(&Measured) -> &Pair| -> Vec<u64> {
            self.gateways
                .iter()
                .filter_map(|g| g.outcome.as_ref().ok())
                .flat_map(|m| f(m).direct.iter().copied())
                .collect()
        };
        let row = |what: &str, direct: String, cell: &dyn Fn(&Measured) -> String, target: &str| {
            let mut line = format!("{what:<34} {direct:>12}");
            for g in &self.gateways {
                let c = match &g.outcome {
                    Ok(m) => cell(m),
                    Err(_) => "missing".into(),
                };
                line.push_str(&format!(" {c:>14}"));
            }
            if !target.is_empty() {
                line.push_str(&format!("   {target}"));
            }
            println!("{line}");
        };
        let lat = pooled(&|m| &m.latency);
        let ttft = pooled(&|m| &m.ttft);
        let chunk = pooled(&|m| &m.chunk);
        row(
            "latency c=1 p50 (µs)",
            us(pct_us(&lat, 50.0)),
            &|m| us(pct_us(&m.latency.gateway, 50.0)),
            "",
        );
        row(
            "latency c=1 p99 (µs)",
            us(pct_us(&lat, 99.0)),
            &|m| us(pct_us(&m.latency.gateway, 99.0)),
            "",
        );
        row(
            "added latency c=1 p50 (µs)",
            "".into(),
            &|m| us(m.latency.added(50.0)),
            "",
        );
        row(
            "added latency c=1 p99 (µs)",
            "".into(),
            &|m| us(m.latency.added(99.0)),
            "≤ 200 µs",
        );
        let rate = |r: Option<&Rate>| {
            r.map_or("-".into(), |r| format!("{:.0} c={}", r.rps, r.concurrency))
        };
        row(
            "max non-streamed req/s",
            rate(best(&self.direct_sweep)),
            &|m| rate(m.best()),
            "≥ 10× litellm, ≥ 3× portkey",
        );
        row(
            "time to first token p50 (µs)",
            us(pct_us(&ttft, 50.0)),
            &|m| us(pct_us(&m.ttft.gateway, 50.0)),
            "",
        );
        row(
            "added time to first token p50 (µs)",
            "".into(),
            &|m| us(m.ttft.added(50.0)),
            "",
        );
        row(
            "added time to first token p99 (µs)",
            "".into(),
            &|m| us(m.ttft.added(99.0)),
            "",
        );
        row(
            "delay per chunk p50 (µs)",
            us(pct_us(&chunk, 50.0)),
            &|m| us(pct_us(&m.chunk.gateway, 50.0)),
            "",
        );
        row(
            "delay per chunk p99 (µs)",
            us(pct_us(&chunk, 99.0)),
            &|m| us(pct_us(&m.chunk.gateway, 99.0)),
            "",
        );
        row(
            "added delay per chunk p50 (µs)",
            "".into(),
            &|m| us(m.chunk.added(50.0)),
            "",
        );
        row(
            "added delay per chunk p99 (µs)",
            "".into(),
            &|m| us(m.chunk.added(99.0)),
            "≤ 50 µs",
        );
        let mem = |kb: u64| format!("{:.1}", mb(kb));
        row(
            "memory idle, RSS (MB)",
            "".into(),
            &|m| mem(m.idle.rss_kb),
            "≤ 30 MB",
        );
        row(
            "memory idle, PSS (MB)",
            "".into(),
            &|m| m.idle.pss_kb.map_or("-".into(), mem),
            "",
        );
        row(
            "memory peak under load, RSS (MB)",
            "".into(),
            &|m| mem(m.peak_rss_kb),
            "",
        );
        row(
            "memory after load, RSS (MB)",
            "".into(),
            &|m| mem(m.after.rss_kb),
            "",
        );
        row(
            "memory after load, PSS (MB)",
            "".into(),
            &|m| m.after.pss_kb.map_or("-".into(), mem),
            "",
        );
        row("processes", "".into(), &|m| m.idle.procs.to_string(), "");

        println!();
        for g in &self.gateways {
            match &g.outcome {
                Ok(m) => {
                    let sweep: Vec<String> = m
                        .sweep
                        .iter()
                        .map(|r| {
                            let errs = if r.errors > 0 {
                                format!(" ({} errors)", r.errors)
                            } else {
                                String::new()
                            };
                            format!("c={} {:.0}/s{errs}", r.concurrency, r.rps)
                        })
                        .collect();
                    println!("{:<12} {}: {}", g.name, g.version, sweep.join(", "));
                    if let Some(e) = m.sweep.iter().find_map(|r| r.first_error.as_ref()) {
                        println!("{:<12} first error under load: {e}", "");
                    }
                }
                Err(reason) => println!(
                    "{:<12} MISSING: {}",
                    g.name,
                    reason.replace('\n', "\n             ")
                ),
            }
        }
        let sweep: Vec<String> = self
            .direct_sweep
            .iter()
            .map(|r| format!("c={} {:.0}/s", r.concurrency, r.rps))
            .collect();
        println!(
            "{:<12} the mock through the same client: {}",
            "direct",
            sweep.join(", ")
        );

        println!();
        println!("added = the gateway's percentile minus direct's, from rounds that alternate the two on");
        println!("one keep-alive connection each; time to first token = request written → first chunk read;");
        println!("delay per chunk = read by the client − written by the mock, chunks 2..{} (the first is in", crate::mock::CHUNKS);
        println!("the time to first token); memory = the gateway's whole process tree (idle: 1 s after ready).");
        println!("floors: tcp relay = bytes copied read → write by a process of its own, no HTTP;");
        println!("axum passthru = axum in, reqwest out, the answer's bytes untouched (the router's stack, no work).");
        println!("machine load at the start (1, 5, 15 min): {}", self.loadavg);
        println!();
        println!(
            "targets{}:",
            if self.quick {
                " (QUICK run: smoke numbers, not a verdict)"
            } else {
                ""
            }
        );
        for v in self.verdicts() {
            let value = v
                .value
                .map_or("not measured".into(), |x| format!("{x:.1} {}", v.unit));
            let verdict = match v.ok {
                // Gateway minus direct below zero: the machine's jitter outweighs the gateway.
                Some(true) if v.value.is_some_and(|x| x < 0.0) => "ok (below the noise)",
                Some(true) => "ok",
                Some(false) => "MISSED",
                None => "-",
            };
            println!("  {:<48} {:>16}   {:<10} {verdict}", v.what, value, v.bound);
        }
    }

    pub fn json(&self, knobs: Value) -> Value {
        let gateways: serde_json::Map<String, Value> = self
            .gateways
            .iter()
            .map(|g| {
                let v = match &g.outcome {
                    Ok(m) => json!({
                        "status": "measured",
                        "version": g.version,
                        "latency_c1": m.latency.json(),
                        "throughput": {
                            "best_rps": m.best().map(|r| num(r.rps)),
                            "best_concurrency": m.best().map(|r| r.concurrency),
                            "sweep": m.sweep.iter().map(rate_json).collect::<Vec<_>>(),
                        },
                        "stream_ttft": m.ttft.json(),
                        "stream_chunk_delay": m.chunk.json(),
                        "memory": {
                            "processes": m.idle.procs,
                            "idle_rss_mb": num(mb(m.idle.rss_kb)),
                            "idle_pss_mb": m.idle.pss_kb.map(|k| num(mb(k))),
                            "peak_rss_mb": num(mb(m.peak_rss_kb)),
                            "after_rss_mb": num(mb(m.after.rss_kb)),
                            "after_pss_mb": m.after.pss_kb.map(|k| num(mb(k))),
                        },
                    }),
                    Err(reason) => {
                        json!({"status": "missing", "version": g.version, "reason": reason})
                    }
                };
                (g.name.to_owned(), v)
            })
            .collect();
        json!({
            "bench": "gateways",
            "quick": self.quick,
            "command": "cargo bench -p switchboard-router --bench gateways",
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "loadavg_at_start": self.loadavg,
            "knobs": knobs,
            "direct": {
                "throughput": {
                    "best_rps": best(&self.direct_sweep).map(|r| num(r.rps)),
                    "sweep": self.direct_sweep.iter().map(rate_json).collect::<Vec<_>>(),
                },
            },
            "gateways": gateways,
            "targets": self.verdicts().iter().map(|v| json!({
                "what": v.what,
                "value": v.value.map(num),
                "unit": v.unit,
                "target": v.bound,
                "ok": v.ok,
            })).collect::<Vec<_>>(),
        })
    }
}

fn rate_json(r: &Rate) -> Value {
    json!({"concurrency": r.concurrency, "rps": num(r.rps), "errors": r.errors, "first_error": r.first_error})
}
