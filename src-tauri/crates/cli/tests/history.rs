//! `switchboard compare` saving to the history and `switchboard history` reading it
//! back, end to end: the real binary, a real SQLite file in a temporary data folder,
//! mock providers on 127.0.0.1 — and the run cut by `kill -9` mid-stream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
mod support;

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use mock::{start_blocking, Framing, Mock, Reply, Step};
use rust_decimal::Decimal;
use serde_json::Value;
use support::json_lines::{json_lines, streamed_text};

const KEY: &str = "sk-test-history";

/// One data folder (and so one history) per test; the mock, when there is one.
struct Env {
    data: tempfile::TempDir,
    mock: Option<Mock>,
}

impl Env {
    fn new(mock: Option<Mock>) -> Self {
        Self {
            data: tempfile::tempdir().unwrap(),
            mock,
        }
    }

    /// The binary with a clean environment: only this test's data folder and mock.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("switchboard").unwrap();
        c.env_clear().env("SWITCHBOARD_DATA_DIR", self.data.path());
        if let Some(m) = &self.mock {
            c.env("OPENAI_BASE_URL", format!("{}/v1", m.url()))
                .env("OPENAI_API_KEY", KEY);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs a command that must succeed and returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// `compare --json`: its lines, and the run id its summaries carry.
    fn compare(&self, models: &[&str], prompt: &str) -> (Vec<Value>, Option<i64>) {
        let mut args = vec!["compare", "--json"];
        for m in models {
            args.extend(["-m", m]);
        }
        args.push(prompt);
        let lines = json_lines(self.ok(&args).as_bytes());
        let id = summaries(&lines)
            .first()
            .and_then(|v| v["history_id"].as_i64());
        (lines, id)
    }
}

fn summaries(lines: &[Value]) -> Vec<Value> {
    let mut s: Vec<Value> = lines
        .iter()
        .filter(|v| v["event"] == "summary")
        .cloned()
        .collect();
    s.sort_by_key(|v| v["target"].as_u64());
    s
}

/// An OpenAI stream answering `text` with the given usage.
fn says(text: &str, prompt_tokens: u64, completion_tokens: u64) -> Reply {
    let content = serde_json::json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    let stop = serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = serde_json::json!({"choices": [], "usage": {"prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}});
    Reply::sse(&format!(
        "data: {content}\n\ndata: {stop}\n\ndata: {usage}\n\ndata: [DONE]\n\n"
    ))
}

/// The answer each request's model gets: `gpt-4o` is priced in the bundled catalog,
/// `mystery-model` is not.
fn answers(model: &str) -> Reply {
    match model {
        "mystery-model" => says("A mystery answer about giraffes.", 7, 4),
        _ => says("Zebras have stripes, said gpt-4o.", 11, 6),
    }
}

fn answering_mock() -> Mock {
    start_blocking(|r| answers(r.json()["model"].as_str().unwrap_or_default()))
}

fn decimal(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"))
        .parse()
        .unwrap()
}

#[test]
fn compare_saves_a_run_that_list_and_show_return() {
    let env = Env::new(Some(answering_mock()));
    let (lines, id) = env.compare(&["openai/gpt-4o", "openai/mystery-model"], "Tell me");
    let id = id.expect("a saved run's summaries carry its id");
    let s = summaries(&lines);
    assert_eq!(s.len(), 2);
    for v in &s {
        assert_eq!(v["history_id"], id, "every summary carries the run id");
    }

    let page = env.json(&["history", "list", "--json"]);
    assert_eq!(page["total"], 1);
    let run = &page["runs"][0];
    assert_eq!(run["id"], id);
    assert_eq!(run["source"], "cli");
    assert_eq!(run["prompt"], "Tell me");
    assert_eq!(
        run["models"],
        serde_json::json!(["openai/gpt-4o", "openai/mystery-model"])
    );
    // The run's cost is the priced answer's; the other is counted as unpriced, not $0.
    assert_eq!(decimal(&run["cost_usd"]), decimal(&s[0]["cost"]["usd"]));
    assert_eq!(run["unpriced"], 1);
    assert_eq!(run["interrupted"], 0);
    assert_eq!(run["streaming"], 0);

    let detail = env.json(&["history", "show", &id.to_string(), "--json"]);
    assert_eq!(detail["prompt"], "Tell me");
    let r = detail["responses"].as_array().unwrap();
    assert_eq!(r.len(), 2);
    for (i, (model, input, output)) in [("openai/gpt-4o", 11, 6), ("openai/mystery-model", 7, 4)]
        .into_iter()
        .enumerate()
    {
        assert_eq!(r[i]["model"], model);
        assert_eq!(r[i]["status"], "ok");
        assert_eq!(r[i]["finish_reason"], "stop");
        assert_eq!(r[i]["text"], streamed_text(&lines, i as u64));
        assert_eq!(r[i]["text"], s[i]["text"]);
        assert_eq!(r[i]["usage"]["input_tokens"], input);
        assert_eq!(r[i]["usage"]["output_tokens"], output);
        assert_eq!(r[i]["cost"]["source"], s[i]["cost"]["source"]);
        assert!(r[i]["total_ms"].is_u64());
    }
    assert_eq!(r[0]["text"], "Zebras have stripes, said gpt-4o.");
    assert_eq!(r[0]["cost"]["source"], "computed");
    assert_eq!(decimal(&r[0]["cost"]["usd"]), decimal(&s[0]["cost"]["usd"]));
    assert_eq!(r[1]["cost"]["source"], "unpriced");
    assert_eq!(r[1]["cost"]["usd"], Value::Null);

    // The text forms say the same.
    let table = env.ok(&["history", "list"]);
    assert!(table.contains("openai/mystery-model"), "{table}");
    assert!(table.contains("+ 1 unpriced"), "{table}");
    let shown = env.ok(&["history", "show", &id.to_string()]);
    assert!(shown.contains("Zebras have stripes"), "{shown}");
    assert!(shown.contains("tokens 11 in / 6 out"), "{shown}");
    assert!(shown.contains("(computed"), "{shown}");
    assert!(shown.contains("cost unpriced"), "{shown}");
}

#[test]
fn text_mode_compare_prints_the_saved_id_on_stderr() {
    let env = Env::new(Some(answering_mock()));
    let out = env.run(&["compare", "-m", "openai/gpt-4o", "hello"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("saved to the history as run 1"), "{stderr}");
}

#[test]
fn no_save_saves_nothing() {
    let env = Env::new(Some(answering_mock()));
    let out = env.run(&[
        "compare",
        "--json",
        "--no-save",
        "-m",
        "openai/gpt-4o",
        "hi",
    ]);
    assert!(out.status.success());
    let lines = json_lines(&out.stdout);
    assert_eq!(summaries(&lines)[0]["history_id"], Value::Null);
    let page = env.json(&["history", "list", "--json"]);
    assert_eq!(page["total"], 0);
    assert_eq!(page["runs"], serde_json::json!([]));
}

#[test]
fn search_finds_a_word_from_an_answer() {
    let env = Env::new(Some(answering_mock()));
    let (_, zebra) = env.compare(&["openai/gpt-4o"], "First question");
    let (_, giraffe) = env.compare(&["openai/mystery-model"], "Second question");
    let page = env.json(&["history", "search", "giraffes", "--json"]);
    assert_eq!(page["total"], 1);
    assert_eq!(page["runs"][0]["id"], giraffe.unwrap());
    let snippet = page["runs"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("giraffes"), "{snippet}");

    let page = env.json(&["history", "search", "zebras", "--json"]);
    assert_eq!(page["total"], 1);
    assert_eq!(page["runs"][0]["id"], zebra.unwrap());
    // Both prompts have "question"; a filter narrows it.
    let page = env.json(&["history", "search", "question", "--json"]);
    assert_eq!(page["total"], 2);
    let page = env.json(&[
        "history",
        "search",
        "question",
        "--model",
        "openai/gpt-4o",
        "--json",
    ]);
    assert_eq!(page["total"], 1);

    let text = env.ok(&["history", "search", "giraffes"]);
    assert!(text.contains("giraffes"), "{text}");
    let none = env.ok(&["history", "search", "hippopotamus"]);
    assert!(none.contains("No run matches"), "{none}");
}

#[test]
fn export_writes_csv_markdown_and_json_files() {
    let env = Env::new(Some(answering_mock()));
    let (_, id) = env.compare(&["openai/gpt-4o", "openai/mystery-model"], "Compare us");
    let id = id.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).display().to_string();

    let out = env.run(&[
        "history",
        "export",
        "--format",
        "csv",
        "-o",
        &file("runs.csv"),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "with -o nothing goes to stdout");
    assert!(String::from_utf8_lossy(&out.stderr).contains("exported 1 run"));
    let csv = std::fs::read_to_string(file("runs.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "a header and one row per answer: {csv}");
    assert!(rows[0].starts_with("run_id,"));
    assert!(rows[1].starts_with(&format!("{id},")));
    assert!(rows[1].contains("openai/gpt-4o,ok,11,6,"), "{csv}");
    assert!(
        rows[2].contains("openai/mystery-model,ok,7,4,,unpriced"),
        "{csv}"
    );

    env.ok(&[
        "history",
        "export",
        "--format",
        "md",
        "-o",
        &file("runs.md"),
    ]);
    let md = std::fs::read_to_string(file("runs.md")).unwrap();
    assert!(md.contains("Compare us"), "{md}");
    assert!(md.contains("Zebras have stripes"), "{md}");
    assert!(md.contains("| openai/mystery-model |"), "{md}");

    env.ok(&["history", "export", "-o", &file("runs.json")]);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(file("runs.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["summary"]["id"], id);
    assert_eq!(
        json[0]["responses"][1]["text"],
        "A mystery answer about giraffes."
    );

    // A query narrows it, and stdout is the default.
    let md = env.ok(&[
        "history",
        "export",
        "--format",
        "md",
        "--query",
        "nothing-like-it",
    ]);
    assert!(!md.contains("Compare us"), "{md}");

    // Only the three files: no temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["runs.csv", "runs.json", "runs.md"]);
}

#[test]
fn stats_by_model_sums_cost_exactly() {
    // Every request gets a different number of output tokens, so the costs differ.
    let n = std::sync::Arc::new(AtomicU64::new(0));
    let counter = n.clone();
    let mock = start_blocking(move |_| {
        let k = counter.fetch_add(1, Ordering::SeqCst);
        says("priced answer", 1000 + 7 * k, 333 + 13 * k)
    });
    let env = Env::new(Some(mock));
    let mut expected = Decimal::ZERO;
    for prompt in ["one", "two", "three"] {
        let (lines, _) = env.compare(&["openai/gpt-4o"], prompt);
        expected += decimal(&summaries(&lines)[0]["cost"]["usd"]);
    }
    env.compare(&["openai/mystery-model"], "four");
    let rows = env.json(&["history", "stats", "--by", "model", "--json"]);
    let rows = rows.as_array().unwrap();
    let gpt = rows.iter().find(|r| r["key"] == "openai/gpt-4o").unwrap();
    assert_eq!(gpt["responses"], 3);
    assert_eq!(decimal(&gpt["cost_usd"]), expected);
    assert_eq!(gpt["unpriced"], 0);
    assert_eq!(gpt["input_tokens"], 1000 + 1007 + 1014);
    let mystery = rows
        .iter()
        .find(|r| r["key"] == "openai/mystery-model")
        .unwrap();
    assert_eq!(mystery["cost_usd"], Value::Null, "unpriced is never $0");
    assert_eq!(mystery["unpriced"], 1);

    let by_provider = env.json(&["history", "stats", "--by", "provider", "--json"]);
    assert_eq!(by_provider[0]["key"], "openai");
    assert_eq!(decimal(&by_provider[0]["cost_usd"]), expected);
    for by in ["day", "week", "month"] {
        let rows = env.json(&["history", "stats", "--by", by, "--json"]);
        assert_eq!(rows[0]["responses"], 4, "{by}");
    }
    let table = env.ok(&["history", "stats"]);
    assert!(
        table.contains("openai/gpt-4o") && table.contains("total"),
        "{table}"
    );
    assert!(table.contains("unpriced"), "{table}");
}

#[test]
fn a_corrupt_history_is_explained_and_reset_keeps_the_old_file() {
    let env = Env::new(Some(answering_mock()));
    let db = env.data.path().join("history.db");
    std::fs::write(&db, b"this is not a database, but it is the user's file").unwrap();

    let out = env.run(&["history", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be read"), "{stderr}");
    assert!(
        stderr.contains("switchboard history reset --keep-old"),
        "{stderr}"
    );

    // The comparison still runs; it says why it is not saved.
    let out = env.run(&["compare", "-m", "openai/gpt-4o", "hi"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("will not be saved"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Zebras"));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"this is not a database, but it is the user's file",
        "never touched"
    );

    let said = env.ok(&["history", "reset", "--keep-old"]);
    let old = said
        .lines()
        .find_map(|l| l.strip_prefix("The old history was moved to "))
        .unwrap_or_else(|| panic!("{said}"));
    assert_eq!(
        std::fs::read(old).unwrap(),
        b"this is not a database, but it is the user's file"
    );
    assert_eq!(env.json(&["history", "list", "--json"])["total"], 0);
    // A healthy history is not reset without --force.
    assert_eq!(
        env.run(&["history", "reset", "--keep-old"]).status.code(),
        Some(1)
    );
}

#[test]
fn unknown_run_and_bad_dates_are_clear_errors() {
    let env = Env::new(None);
    let out = env.run(&["history", "show", "42"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run 42"));
    let out = env.run(&["history", "list", "--from", "2026-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

/// Issue 7's test: `kill -9` of `switchboard compare` mid-stream keeps the partial
/// answer, marked interrupted.
#[test]
fn kill_9_mid_stream_keeps_the_partial_answer_marked_interrupted() {
    // 200 words, one every 50 ms: ten seconds, far longer than the test waits.
    let words: Vec<String> = (0..200).map(|i| format!("word{i} ")).collect();
    let full: String = words.concat();
    let mut steps = Vec::new();
    for w in &words {
        let chunk = serde_json::json!({"choices": [{"index": 0, "delta": {"content": w}}]});
        steps.push(Step::Bytes(format!("data: {chunk}\n\n").into_bytes()));
        steps.push(Step::Sleep(Duration::from_millis(50)));
    }
    let reply = Reply {
        status: 200,
        headers: vec![("content-type".into(), "text/event-stream".into())],
        steps,
        framing: Framing::Close,
    };
    let env = Env::new(Some(start_blocking(move |_| reply.clone())));
    let mut child = env
        .cmd()
        .args(["compare", "--json", "-m", "openai/gpt-4o", "Count slowly"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Keep reading so the child never blocks on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let drain = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stdout.read_to_end(&mut all);
    });

    // The run is in the history, still streaming, before any answer is complete.
    let deadline = Instant::now() + Duration::from_secs(8);
    let id = loop {
        let page = env.json(&["history", "list", "--json"]);
        if let Some(run) = page["runs"].get(0) {
            assert_eq!(run["streaming"], 1, "{run}");
            break run["id"].as_i64().unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "the run was not saved when it started"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    // Then some of the answer, written while it streams.
    let saved = loop {
        let v = env.json(&["history", "show", &id.to_string(), "--json"]);
        let r = &v["responses"][0];
        assert_eq!(r["status"], "streaming", "{r}");
        let text = r["text"].as_str().unwrap().to_owned();
        if text.len() >= "word0 word1 ".len() {
            break text;
        }
        assert!(Instant::now() < deadline, "no partial text was saved");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(full.starts_with(&saved));

    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no summary.
    child.wait().unwrap();
    drain.join().unwrap();

    let v = env.json(&["history", "show", &id.to_string(), "--json"]);
    let r = &v["responses"][0];
    assert_eq!(r["status"], "interrupted", "{r}");
    let text = r["text"].as_str().unwrap();
    assert!(!text.is_empty());
    assert!(
        full.starts_with(text),
        "the saved text is a prefix of what was sent: {text}"
    );
    assert!(text.len() >= saved.len(), "nothing already saved is lost");
    assert!(text.len() < full.len(), "the stream was cut");

    let page = env.json(&["history", "list", "--json"]);
    assert_eq!(page["runs"][0]["id"], id);
    assert_eq!(page["runs"][0]["interrupted"], 1);
    assert_eq!(page["runs"][0]["streaming"], 0);
    let table = env.ok(&["history", "list"]);
    assert!(table.contains("1 interrupted"), "{table}");
    let shown = env.ok(&["history", "show", &id.to_string()]);
    assert!(shown.contains("INTERRUPTED"), "{shown}");
    assert!(shown.contains(text.trim_end()), "{shown}");
    // Search reaches the partial text too.
    let found = env.json(&["history", "search", "word1", "--json"]);
    assert_eq!(found["runs"][0]["id"], id);
}

/// Issue 7: the winner is picked from the CLI, by model or by position, into the same
/// history the app reads; `--clear` removes it.
#[test]
fn winner_by_model_or_position_is_saved_listed_and_cleared() {
    let env = Env::new(Some(answering_mock()));
    let (_, id) = env.compare(&["openai/gpt-4o", "openai/mystery-model"], "Pick one");
    let id = id.unwrap();
    let ids = id.to_string();
    let winners = |detail: &Value| -> Vec<bool> {
        detail["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["winner"].as_bool().unwrap())
            .collect()
    };

    // By model id; --json prints the run's summary.
    let summary = env.json(&["history", "winner", &ids, "openai/mystery-model", "--json"]);
    assert_eq!(summary["id"], id);
    assert_eq!(summary["winner"], "openai/mystery-model");
    let detail = env.json(&["history", "show", &ids, "--json"]);
    assert_eq!(winners(&detail), [false, true]);
    let page = env.json(&["history", "list", "--json"]);
    assert_eq!(page["runs"][0]["winner"], "openai/mystery-model");
    let page = env.json(&["history", "list", "--winner", "--json"]);
    assert_eq!(page["total"], 1);

    // By position, 0-based as `history show --json` numbers them: one winner at a time.
    let said = env.ok(&["history", "winner", &ids, "0"]);
    assert!(
        said.contains("the winner is openai/gpt-4o (position 0)"),
        "{said}"
    );
    let detail = env.json(&["history", "show", &ids, "--json"]);
    assert_eq!(detail["responses"][0]["position"], 0);
    assert_eq!(winners(&detail), [true, false]);
    let shown = env.ok(&["history", "show", &ids]);
    assert!(shown.contains("── openai/gpt-4o ── winner"), "{shown}");
    let stats = env.json(&["history", "stats", "--by", "model", "--json"]);
    let gpt = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "openai/gpt-4o")
        .unwrap();
    assert_eq!(gpt["wins"], 1);

    // --clear removes it.
    let summary = env.json(&["history", "winner", &ids, "--clear", "--json"]);
    assert_eq!(summary["winner"], Value::Null);
    let detail = env.json(&["history", "show", &ids, "--json"]);
    assert_eq!(winners(&detail), [false, false]);
    assert_eq!(
        env.json(&["history", "list", "--json"])["runs"][0]["winner"],
        Value::Null
    );
    assert!(env
        .ok(&["history", "winner", &ids, "--clear"])
        .contains("no winner"));

    // Bad targets and runs are clear errors that change nothing.
    env.ok(&["history", "winner", &ids, "openai/gpt-4o"]);
    for (args, code, says) in [
        (vec!["7"], 1, "no answer at position 7"),
        (vec!["openai/nope"], 1, "did not ask openai/nope"),
        (vec![], 2, "required"),
        (vec!["0", "--clear"], 2, "cannot be used"),
    ] {
        let mut all = vec!["history", "winner", ids.as_str()];
        all.extend(args.iter().copied());
        let out = env.run(&all);
        assert_eq!(out.status.code(), Some(code), "{all:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{all:?}: {stderr}");
    }
    let out = env.run(&["history", "winner", &ids, "openai/nope"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("its answers: 0 openai/gpt-4o, 1 openai/mystery-model"),
        "{stderr}"
    );
    let out = env.run(&["history", "winner", "99", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run 99"));
    let detail = env.json(&["history", "show", &ids, "--json"]);
    assert_eq!(winners(&detail), [true, false], "errors change nothing");
}

#[test]
fn winner_by_a_model_asked_twice_asks_for_the_position() {
    let env = Env::new(Some(answering_mock()));
    let (_, id) = env.compare(&["openai/gpt-4o", "openai/gpt-4o"], "Twice");
    let ids = id.unwrap().to_string();
    let out = env.run(&["history", "winner", &ids, "openai/gpt-4o"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("positions 0, 1"), "{stderr}");
    assert!(stderr.contains("give the position"), "{stderr}");
    env.ok(&["history", "winner", &ids, "1"]);
    let detail = env.json(&["history", "show", &ids, "--json"]);
    assert_eq!(detail["responses"][0]["winner"], false);
    assert_eq!(detail["responses"][1]["winner"], true);
}

/// The chat requests the mock received, each as its JSON body, sorted by model (the
/// models are asked at once, so they arrive in any order).
fn chat_bodies(env: &Env, from: usize) -> Vec<Value> {
    let mock = env.mock.as_ref().unwrap();
    let mut bodies: Vec<Value> = mock.requests.lock().unwrap()[from..]
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .map(|r| r.json())
        .collect();
    bodies.sort_by_key(|b| b["model"].as_str().unwrap_or_default().to_owned());
    bodies
}

/// Issue 7: re-run from the CLI sends the saved run again, exactly, and saves it anew.
#[test]
fn compare_rerun_sends_the_saved_run_again_and_saves_a_new_run() {
    let env = Env::new(Some(answering_mock()));
    let first = env.ok(&[
        "compare",
        "--json",
        "--system",
        "Be brief",
        "--param",
        "seed=7",
        "-m",
        "openai/gpt-4o@temperature=0.3",
        "-m",
        "openai/mystery-model@max_tokens=50",
        "Tell me about zebras",
    ]);
    let first = summaries(&json_lines(first.as_bytes()))[0]["history_id"]
        .as_i64()
        .unwrap();
    let sent = chat_bodies(&env, 0);
    assert_eq!(sent.len(), 2);
    let seen = env.mock.as_ref().unwrap().requests();

    let lines = json_lines(
        env.ok(&["compare", "--json", "--rerun", &first.to_string()])
            .as_bytes(),
    );
    let s = summaries(&lines);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0]["model"], "openai/gpt-4o");
    assert_eq!(s[1]["model"], "openai/mystery-model");
    let second = s[0]["history_id"].as_i64().expect("the re-run is saved");
    assert_ne!(second, first);

    // The same models, each with the same messages, system prompt and params.
    let resent = chat_bodies(&env, seen);
    assert_eq!(resent, sent);
    assert_eq!(resent[0]["model"], "gpt-4o");
    assert_eq!(resent[0]["temperature"], 0.3);
    assert_eq!(resent[1]["max_tokens"], 50);
    let messages = resent[0]["messages"].to_string();
    assert!(messages.contains("Be brief"), "{messages}");
    assert!(messages.contains("Tell me about zebras"), "{messages}");

    // A second run, with the first's prompt and what each model was sent.
    let page = env.json(&["history", "list", "--json"]);
    assert_eq!(page["total"], 2);
    let a = env.json(&["history", "show", &first.to_string(), "--json"]);
    let b = env.json(&["history", "show", &second.to_string(), "--json"]);
    assert_eq!(b["prompt"], a["prompt"]);
    assert_eq!(b["prompt"], "Tell me about zebras");
    assert_eq!(b["system"], a["system"]);
    assert_eq!(b["parent_id"], first);
    assert_eq!(b["summary"]["models"], a["summary"]["models"]);
    for (ra, rb) in a["responses"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["responses"].as_array().unwrap())
    {
        for field in ["position", "model", "params", "system", "messages"] {
            assert_eq!(rb[field], ra[field], "{field}");
        }
        assert_eq!(rb["status"], "ok");
    }

    // Text mode says which run it re-ran.
    let out = env.run(&["compare", "--rerun", &first.to_string()]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a re-run of run 1"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("giraffes"));
}

#[test]
fn compare_rerun_of_an_unknown_run_or_unreadable_history_fails() {
    let env = Env::new(Some(answering_mock()));
    let out = env.run(&["compare", "--rerun", "42"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run 42"));
    // -m, --set, --system, --param or a prompt with --rerun: refused.
    for extra in [
        &["-m", "openai/gpt-4o"][..],
        &["--system", "x"],
        &["--param", "seed=1"],
        &["--set", "mine"],
        &["hello"],
    ] {
        let mut args = vec!["compare", "--rerun", "1"];
        args.extend(extra);
        assert_eq!(env.run(&args).status.code(), Some(2), "{args:?}");
    }
    assert_eq!(env.mock.as_ref().unwrap().requests(), 0, "nothing was sent");

    std::fs::write(env.data.path().join("history.db"), b"not a database").unwrap();
    let out = env.run(&["compare", "--rerun", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be read"), "{stderr}");
    assert!(stderr.contains("history reset --keep-old"), "{stderr}");
}
