//! The history with 100,000 runs × 4 responses (issue 7): how long the sidebar's first
//! page, a full-text search and opening a run take, on a real SQLite file. Prints each
//! number beside its target and writes `history.json` to `SWITCHBOARD_BENCH_DUMP`.
//!
//! `cargo bench -p switchboard-core --bench history` (part of `make bench`).
//! `SWITCHBOARD_BENCH_HISTORY_RUNS=N` changes the size (to iterate).

use std::time::Instant;

use switchboard_core::history::{testdata, History, RunQuery, StatsBy};

type Error = Box<dyn std::error::Error>;

/// Searches a user would type: a common word, a rare one, two words, a prefix being
/// typed, a phrase with punctuation, and one that matches nothing.
const SEARCHES: &[&str] = &[
    "latency",
    "kubernetes",
    "rust tokio",
    "kube",
    "invoice refund",
    "\"fallback\" retry-after",
    "zzzznotaword",
];

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values.get(i).copied().unwrap_or(f64::NAN)
}

fn time_ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let out = f();
    (t.elapsed().as_secs_f64() * 1000.0, out)
}

struct Row {
    what: String,
    value: f64,
    target: Option<f64>,
}

fn main() -> Result<(), Error> {
    let runs: u64 = std::env::var("SWITCHBOARD_BENCH_HISTORY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let mut rows = Vec::new();
    let mut row = |what: &str, value: f64, target: Option<f64>| {
        eprintln!("{what}: {value:.2} ms");
        rows.push(Row {
            what: what.to_owned(),
            value,
            target,
        });
    };

    let (empty_open, history) = time_ms(|| History::open(dir.path()));
    let history = history?;
    let (generate_ms, last) = time_ms(|| testdata::generate(&history, runs, 4, 42));
    let last = last?;
    drop(history);
    eprintln!(
        "generated {runs} runs × 4 responses in {:.1} s",
        generate_ms / 1000.0
    );
    let size_mb = std::fs::metadata(dir.path().join("history.db"))?.len() as f64 / 1e6;

    // Opening is part of the app's start: with the big file it must cost what the empty
    // one does (no scan of the tables at open).
    let mut opens = Vec::new();
    for _ in 0..5 {
        let (ms, h) = time_ms(|| History::open(dir.path()));
        drop(h?);
        opens.push(ms);
    }
    let history = History::open(dir.path())?;

    // The first page, as the sidebar asks for it at start.
    let mut first_page = Vec::new();
    for _ in 0..200 {
        let (ms, page) = time_ms(|| history.list(&RunQuery::default()));
        if page?.runs.is_empty() {
            return Err("the first page is empty".into());
        }
        first_page.push(ms);
    }
    // A page deep in the list (scrolled far down), by its cursor.
    let mut deep_page = Vec::new();
    for i in 0..100 {
        let q = RunQuery {
            before: Some(last - 1_000 - i * 700),
            ..RunQuery::default()
        };
        deep_page.push(time_ms(|| history.list(&q)).0);
    }

    // Full-text search, each query 30 times, as typed into the search box.
    let mut search = Vec::new();
    let mut per_query = Vec::new();
    for text in SEARCHES {
        let q = RunQuery {
            text: Some((*text).to_owned()),
            ..RunQuery::default()
        };
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..30 {
            let (ms, page) = time_ms(|| history.list(&q));
            found = page?.total;
            times.push(ms);
        }
        per_query.push(serde_json::json!({"query": text, "matches": found,
            "p50_ms": percentile(&mut times.clone(), 50.0), "p95_ms": percentile(&mut times.clone(), 95.0)}));
        search.extend(times);
    }

    // Opening runs spread over the whole history.
    let mut open_run = Vec::new();
    let step = (last / 500).max(1);
    for i in 0..500 {
        let id = last - i * step;
        let (ms, run) = time_ms(|| history.run(id));
        run?;
        open_run.push(ms);
    }

    let (stats_model, _) = time_ms(|| history.stats(StatsBy::Model, None, None));
    let (stats_day, _) = time_ms(|| history.stats(StatsBy::Day, None, None));
    let (tallies, _) = time_ms(|| history.spend_totals(chrono::Local::now()));

    row("open the empty history", empty_open, None);
    row(
        &format!("open the history of {runs} runs: median"),
        percentile(&mut opens, 50.0),
        Some(empty_open.max(5.0) * 2.0),
    );
    row(
        "sidebar's first page: p50",
        percentile(&mut first_page.clone(), 50.0),
        None,
    );
    row(
        "sidebar's first page: p95",
        percentile(&mut first_page, 95.0),
        Some(20.0),
    );
    row(
        "a page far down the list: p95",
        percentile(&mut deep_page, 95.0),
        Some(20.0),
    );
    row(
        "full-text search: p50",
        percentile(&mut search.clone(), 50.0),
        None,
    );
    row(
        "full-text search: p95",
        percentile(&mut search, 95.0),
        Some(50.0),
    );
    row(
        "open a run: p50",
        percentile(&mut open_run.clone(), 50.0),
        None,
    );
    row(
        "open a run: p95",
        percentile(&mut open_run, 95.0),
        Some(20.0),
    );
    row("stats by model (all time)", stats_model, None);
    row("stats by day (all time)", stats_day, None);
    row("spend tallies (today, month, per model)", tallies, None);

    println!();
    println!(
        "Switchboard history bench — {runs} runs × 4 responses, {size_mb:.0} MB on disk, generated in {:.1} s",
        generate_ms / 1000.0
    );
    println!("{:<52} {:>10}   {:>10}", "measure", "ms", "target");
    for r in &rows {
        let (target, verdict) = match r.target {
            Some(t) if r.value <= t => (format!("≤ {t:.0}"), "ok"),
            Some(t) => (format!("≤ {t:.0}"), "MISSED"),
            None => (String::new(), ""),
        };
        println!(
            "{:<52} {:>10.2}   {:>10}  {verdict}",
            r.what, r.value, target
        );
    }
    if let Some(dump) = std::env::var_os("SWITCHBOARD_BENCH_DUMP") {
        let json = serde_json::json!({
            "runs": runs, "responses_per_run": 4, "size_mb": size_mb, "generate_s": generate_ms / 1000.0,
            "rows": rows.iter().map(|r| serde_json::json!({"what": r.what, "ms": r.value, "target_ms": r.target})).collect::<Vec<_>>(),
            "searches": per_query,
        });
        let path = std::path::Path::new(&dump).join("history.json");
        std::fs::write(&path, serde_json::to_string_pretty(&json)?)?;
        eprintln!("written: {}", path.display());
    }
    Ok(())
}
