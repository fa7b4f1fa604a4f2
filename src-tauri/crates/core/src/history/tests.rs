#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use rusqlite::Connection;

use super::*;
use crate::chat::{ChatRequest, FinishReason, Message, Target, Usage, UsageSource};
use crate::error::{ErrorInfo, ErrorKind};
use crate::prices::answer_cost::{Cost, CostSource};
use crate::runner::{CompareRequest, Metrics, RunEvent, RunEventKind, TargetStatus, TargetSummary};

fn summary(model: &str, text: &str, usd: Option<&str>) -> TargetSummary {
    TargetSummary {
        model: model.into(),
        status: TargetStatus::Ok,
        text: text.into(),
        reasoning: String::new(),
        finish_reason: Some(FinishReason::Stop),
        usage: Usage {
            input_tokens: 10,
            output_tokens: 20,
            source: UsageSource::Reported,
            ..Usage::default()
        },
        cost: match usd {
            Some(u) => Cost {
                usd: Some(u.parse().unwrap()),
                source: CostSource::Computed,
                price_version: Some("litellm test".into()),
                ..Cost::unpriced()
            },
            None => Cost::unpriced(),
        },
        metrics: Metrics {
            ttft_ms: Some(120),
            total_ms: 900,
            output_tokens_per_s: None,
        },
        error: None,
        hint: None,
    }
}

fn new_run(prompt: &str, models: &[&str]) -> NewRun {
    let req = CompareRequest {
        request: ChatRequest::prompt(prompt),
        targets: models.iter().map(|m| Target::new(*m)).collect(),
    };
    NewRun::from_compare(&req, RunSource::App)
}

fn ev(target: u32, event: RunEventKind) -> RunEvent {
    RunEvent { target, event }
}

/// A finished run: each `(model, answer, cost)` ends with a summary.
async fn add_run(
    h: &History,
    prompt: &str,
    answers: &[(&str, &str, Option<&str>)],
) -> (i64, Vec<i64>) {
    let models: Vec<&str> = answers.iter().map(|a| a.0).collect();
    let rec = h.begin_run(new_run(prompt, &models)).await.unwrap();
    let events: Vec<RunEvent> = answers
        .iter()
        .enumerate()
        .map(|(i, (m, t, c))| ev(i as u32, RunEventKind::Summary(Box::new(summary(m, t, *c)))))
        .collect();
    rec.record(&events);
    let out = (rec.run_id(), rec.response_ids().to_vec());
    drop(rec);
    h.flush().unwrap();
    out
}

fn text(q: &str) -> RunQuery {
    RunQuery {
        text: Some(q.into()),
        ..RunQuery::default()
    }
}

fn ids(page: &RunPage) -> Vec<i64> {
    page.runs.iter().map(|r| r.id).collect()
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_history_is_migrated_without_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    assert_eq!(h.path(), dir.path().join("history.db"));
    drop(h);
    assert_eq!(
        user_version(&dir.path().join("history.db")),
        SCHEMA_VERSION as i64
    );
    assert!(!dir.path().join("history.db.bak-v0").exists());
    // Opening again changes nothing.
    History::open(dir.path()).unwrap();
    assert_eq!(
        user_version(&dir.path().join("history.db")),
        SCHEMA_VERSION as i64
    );
}

#[test]
fn an_old_database_is_backed_up_before_it_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE legacy (x TEXT); INSERT INTO legacy VALUES ('kept');")
            .unwrap();
    }
    History::open(dir.path()).unwrap();
    assert_eq!(user_version(&db), SCHEMA_VERSION as i64);
    let bak = dir.path().join("history.db.bak-v0");
    let c = Connection::open(&bak).unwrap();
    let v: String = c
        .query_row("SELECT x FROM legacy", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, "kept");
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 0, "the backup is the database as it was");
}

#[test]
fn a_version_1_history_with_runs_is_upgraded_keeping_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(include_str!("migrations/0001_init.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    // A finished run, as version 1 wrote it (pid 0: no live writer).
    let id = plant_streaming_run(&db, 0, "kept across the upgrade", "an answer");
    let h = History::open(dir.path()).unwrap();
    assert_eq!(user_version(&db), SCHEMA_VERSION as i64);
    let run = h.run(id).unwrap().expect("the run survives the upgrade");
    assert_eq!(run.prompt, "kept across the upgrade");
    assert_eq!(run.responses[0].text, "an answer");
    // The copy taken first is version 1, with the run in it.
    let bak = Connection::open(dir.path().join("history.db.bak-v1")).unwrap();
    let (v, n): (i64, i64) = (
        bak.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap(),
        bak.query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .unwrap(),
    );
    assert_eq!((v, n), (1, 1));
    // And the new table is there to use.
    let s = crate::setups::Setup::fallback(
        "kept",
        vec![crate::setups::SetupTarget::new("openai/gpt-4o")],
    );
    h.save_setup(&s, None).unwrap();
    assert_eq!(h.setups().unwrap(), vec![s]);
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let err = History::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            HistoryError::TooNew {
                found: 99,
                supported: SCHEMA_VERSION,
                ..
            }
        ),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("99") && msg.contains("Update Switchboard"),
        "{msg}"
    );
    let p = err.problem(&db);
    assert_eq!(p.kind, HistoryProblemKind::TooNew);
    assert_eq!(p.path, db.display().to_string());
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(user_version(&db), 99);

    let (h, moved) = History::open_fresh(dir.path()).unwrap();
    let moved = moved.unwrap();
    assert!(moved
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("history.db.broken-"));
    assert_eq!(std::fs::read(&moved).unwrap(), before);
    assert_eq!(h.list(&RunQuery::default()).unwrap().total, 0);
}

#[test]
fn a_file_that_is_not_a_database_is_corrupt_never_wiped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let garbage = b"this is not a database, it is a shopping list\n".repeat(200);
    std::fs::write(&db, &garbage).unwrap();
    let err = History::open(dir.path()).unwrap_err();
    assert!(matches!(err, HistoryError::Corrupt { .. }), "{err}");
    assert_eq!(err.problem(&db).kind, HistoryProblemKind::Corrupt);
    // Twice: no crash loop, and still untouched.
    assert!(matches!(
        History::open(dir.path()),
        Err(HistoryError::Corrupt { .. })
    ));
    assert_eq!(std::fs::read(&db).unwrap(), garbage);

    let (_h, moved) = History::open_fresh(dir.path()).unwrap();
    assert_eq!(std::fs::read(moved.unwrap()).unwrap(), garbage);
    assert_eq!(user_version(&db), SCHEMA_VERSION as i64);
}

#[test]
fn a_database_with_a_damaged_body_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    std::fs::write(&db, &bytes).unwrap();
    let err = History::open(dir.path()).unwrap_err();
    assert!(matches!(err, HistoryError::Corrupt { .. }), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[tokio::test]
async fn a_streamed_run_is_readable_mid_stream_and_complete_after_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let mut req = CompareRequest {
        request: ChatRequest {
            system: Some("be brief".into()),
            ..ChatRequest::prompt("tell me about otters")
        },
        targets: vec![
            Target::new("openai/gpt-4o"),
            Target::new("anthropic/claude-x"),
        ],
    };
    req.targets[1].messages = Some(vec![Message::user("otters, please")]);
    let rec = h
        .begin_run(NewRun::from_compare(&req, RunSource::Cli))
        .await
        .unwrap();
    let run_id = rec.run_id();

    let mut expected = String::new();
    for i in 0..40 {
        let piece = format!("w{i} ");
        expected.push_str(&piece);
        rec.record(&[
            ev(0, RunEventKind::Delta { text: piece }),
            ev(1, RunEventKind::Reasoning { text: "hm".into() }),
        ]);
    }
    // Nothing blocks on record(); the writer flushes within FLUSH_EVERY.
    tokio::time::sleep(writer::FLUSH_EVERY * 3).await;
    let mid = h.run(run_id).unwrap().unwrap();
    assert_eq!(mid.summary.streaming, 2);
    assert_eq!(mid.summary.source, RunSource::Cli);
    assert_eq!(mid.responses[0].text, expected);
    assert_eq!(mid.responses[0].status, ResponseStatus::Streaming);
    assert_eq!(mid.responses[1].reasoning, "hm".repeat(40));
    assert_eq!(mid.system.as_deref(), Some("be brief"));
    assert_eq!(
        mid.responses[1].messages,
        vec![Message::user("otters, please")]
    );
    assert_eq!(mid.responses[0].system.as_deref(), Some("be brief"));

    let mut s0 = summary("openai/gpt-4o", &format!("{expected}done"), Some("0.0105"));
    s0.finish_reason = Some(FinishReason::Length);
    let mut s1 = summary("anthropic/claude-x", "partial", None);
    s1.status = TargetStatus::Error;
    s1.error = Some(ErrorInfo {
        kind: ErrorKind::RateLimited,
        message: "slow down".into(),
        status: Some(429),
        retry_after_s: Some(2.5),
        phase: None,
    });
    rec.record(&[
        ev(0, RunEventKind::Summary(Box::new(s0))),
        ev(1, RunEventKind::Summary(Box::new(s1))),
    ]);
    h.flush().unwrap();
    let done = h.run(run_id).unwrap().unwrap();
    let r0 = &done.responses[0];
    assert_eq!(r0.status, ResponseStatus::Ok);
    assert_eq!(r0.text, format!("{expected}done"));
    assert_eq!(r0.finish_reason, Some(FinishReason::Length));
    let cost = r0.cost.as_ref().unwrap();
    assert_eq!(cost.usd.unwrap().to_string(), "0.0105");
    assert_eq!(cost.price_version.as_deref(), Some("litellm test"));
    assert_eq!(r0.usage.as_ref().unwrap().output_tokens, 20);
    assert_eq!((r0.ttft_ms, r0.total_ms), (Some(120), Some(900)));
    let r1 = &done.responses[1];
    assert_eq!(r1.status, ResponseStatus::Error);
    let e = r1.error.as_ref().unwrap();
    assert_eq!(
        (e.kind, e.status, e.retry_after_s),
        (ErrorKind::RateLimited, Some(429), Some(2.5))
    );
    assert_eq!(done.summary.streaming, 0);
    assert_eq!(done.summary.cost_usd.as_deref(), Some("0.0105"));
    assert_eq!(done.summary.unpriced, 1);
    assert_eq!(done.summary.models, ["openai/gpt-4o", "anthropic/claude-x"]);
    // Indexed once finished.
    assert_eq!(ids(&h.list(&text("w39 done")).unwrap()), [run_id]);
}

#[tokio::test]
async fn dropping_the_history_writes_what_was_buffered() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let rec = h.begin_run(new_run("q", &["a/b"])).await.unwrap();
    let id = rec.run_id();
    rec.record(&[ev(
        0,
        RunEventKind::Delta {
            text: "kept".into(),
        },
    )]);
    drop(rec);
    drop(h);
    let h = History::open(dir.path()).unwrap();
    assert_eq!(h.run(id).unwrap().unwrap().responses[0].text, "kept");
}

/// What a kill -9 leaves: streaming rows whose writer holds no lock.
fn plant_streaming_run(db: &Path, pid: u32, prompt: &str, partial: &str) -> i64 {
    let c = Connection::open(db).unwrap();
    c.execute(
        "INSERT INTO runs (created_at, source, prompt, writer_pid) VALUES (?1, 'cli', ?2, ?3)",
        rusqlite::params![time::now(), prompt, pid],
    )
    .unwrap();
    let run = c.last_insert_rowid();
    c.execute(
        "INSERT INTO responses (run_id, position, model, provider, params, messages, text, status, \
         started_at, updated_at) VALUES (?1, 0, 'openai/gpt-4o', 'openai', '{}', '[]', ?2, \
         'streaming', ?3, ?3)",
        rusqlite::params![run, partial, time::now()],
    )
    .unwrap();
    run
}

#[test]
fn a_dead_writers_responses_are_interrupted_and_a_live_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    drop(History::open(dir.path()).unwrap());
    let db = dir.path().join("history.db");
    // Pids far above any real one: no process can own them.
    let dead = plant_streaming_run(
        &db,
        3_999_999_001,
        "dead prompt",
        "half an answer about zebras",
    );
    let stale_lock = dir.path().join("history-locks/3999999001.lock");
    std::fs::write(&stale_lock, "").unwrap();
    // A live writer in "another process": its lock is held (here, by this test).
    let live = plant_streaming_run(&db, 3_999_999_002, "live prompt", "still going");
    let lock = std::fs::File::create(dir.path().join("history-locks/3999999002.lock")).unwrap();
    lock.try_lock().unwrap();

    let h = History::open(dir.path()).unwrap();
    let d = h.run(dead).unwrap().unwrap();
    assert_eq!(d.responses[0].status, ResponseStatus::Interrupted);
    assert_eq!(d.responses[0].text, "half an answer about zebras");
    assert_eq!(d.summary.interrupted, 1);
    assert!(
        !stale_lock.exists(),
        "a dead writer's lock file is cleaned up"
    );
    // The partial text is searchable.
    assert_eq!(ids(&h.list(&text("zebras")).unwrap()), [dead]);
    let l = h.run(live).unwrap().unwrap();
    assert_eq!(l.responses[0].status, ResponseStatus::Streaming);
    assert_eq!(l.summary.streaming, 1);
    drop(h);

    // Once the live writer is gone too, the next open marks it.
    drop(lock);
    let h = History::open(dir.path()).unwrap();
    assert_eq!(
        h.run(live).unwrap().unwrap().responses[0].status,
        ResponseStatus::Interrupted
    );
}

#[test]
fn rows_with_our_pid_from_before_this_process_opened_the_history_are_interrupted() {
    // After a reboot, the new app can get the pid of the one that was killed.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(include_str!("migrations/0001_init.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let old = plant_streaming_run(&db, std::process::id(), "p", "before the reboot");
    let h = History::open(dir.path()).unwrap();
    assert_eq!(
        h.run(old).unwrap().unwrap().responses[0].status,
        ResponseStatus::Interrupted
    );
    drop(h);
    // Once this process has the history open, its own streaming rows are live.
    let ours = plant_streaming_run(&db, std::process::id(), "q", "ours, still going");
    let h = History::open(dir.path()).unwrap();
    assert_eq!(
        h.run(ours).unwrap().unwrap().responses[0].status,
        ResponseStatus::Streaming
    );
}

#[tokio::test]
async fn search_finds_prompts_and_answers_and_skips_deleted_runs() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let (a, _) = add_run(
        &h,
        "how do otters sleep",
        &[("openai/gpt-4o", "they hold hands", Some("0.1"))],
    )
    .await;
    let (b, _) = add_run(
        &h,
        "capital of France",
        &[("anthropic/c", "Paris, of course", Some("0.2"))],
    )
    .await;
    let (c, _) = add_run(
        &h,
        "otters again",
        &[("openai/gpt-4o", "more otter facts", None)],
    )
    .await;

    assert_eq!(ids(&h.list(&text("otters")).unwrap()), [c, a]);
    assert_eq!(
        ids(&h.list(&text("paris")).unwrap()),
        [b],
        "answers are searched"
    );
    assert_eq!(
        ids(&h.list(&text("hold han")).unwrap()),
        [a],
        "the last word is a prefix"
    );
    let page = h.list(&text("hands")).unwrap();
    assert_eq!(page.total, 1);
    assert!(page.runs[0].snippet.as_deref().unwrap().contains("hands"));

    assert_eq!(h.delete_runs(&[a]).unwrap(), 1);
    assert_eq!(ids(&h.list(&text("otters")).unwrap()), [c]);
    assert!(h.run(a).unwrap().is_none());
    assert_eq!(h.restore_runs(&[a]).unwrap(), 1);
    assert_eq!(ids(&h.list(&text("otters")).unwrap()), [c, a]);

    // Text and another filter together.
    let page = h
        .list(&RunQuery {
            model: Some("openai/gpt-4o".into()),
            ..text("otters")
        })
        .unwrap();
    assert_eq!((ids(&page), page.total), (vec![c, a], 2));
    h.delete_runs(&[c]).unwrap();
    assert_eq!(
        h.list(&text("otters")).unwrap().total,
        1,
        "deleted matches are not counted"
    );
    h.restore_runs(&[c]).unwrap();

    for hostile in [
        "\"",
        "\"otters",
        "otters AND",
        "AND",
        "OR otters",
        "NOT",
        "*",
        "otters*",
        "-",
        "-otters",
        "(",
        "otters)",
        "NEAR(otters",
        "col:otters",
        "^otters",
        "' OR 1=1 --",
        "{}",
        "\u{0}",
        "   ",
    ] {
        let page = h
            .list(&text(hostile))
            .unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
        if ["\"otters", "otters*", "-otters", "otters)", "^otters"].contains(&hostile) {
            assert!(!page.runs.is_empty(), "{hostile:?} finds the otters");
        }
    }
}

#[tokio::test]
async fn pages_follow_the_cursor_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let mut all = Vec::new();
    for i in 0..7 {
        all.push(
            add_run(
                &h,
                &format!("prompt {i} shared"),
                &[("a/m", "answer", None)],
            )
            .await
            .0,
        );
    }
    all.reverse();
    for q in [RunQuery::default(), text("shared")] {
        let mut q = RunQuery { limit: 3, ..q };
        let mut seen = Vec::new();
        loop {
            let page = h.list(&q).unwrap();
            assert_eq!(page.total, 7);
            assert!(page.runs.len() <= 3);
            seen.extend(ids(&page));
            match page.next {
                Some(n) => q.before = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }
    assert_eq!(
        RunQuery {
            limit: 10_000,
            ..RunQuery::default()
        }
        .effective_limit(),
        MAX_LIMIT
    );
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let (a, a_resp) = add_run(
        &h,
        "one",
        &[
            ("openai/gpt-4o", "x", Some("1")),
            ("anthropic/c", "y", Some("1")),
        ],
    )
    .await;
    let (b, _) = add_run(&h, "two", &[("gemini/g", "z", Some("1"))]).await;
    h.update_run(
        b,
        RunEdit {
            starred: Some(true),
            tags: Some(vec!["keep".into(), " ".into()]),
            ..RunEdit::default()
        },
    )
    .unwrap();
    h.set_winner(a, Some(a_resp[1])).unwrap();

    let q = |f: fn(&mut RunQuery)| {
        let mut q = RunQuery::default();
        f(&mut q);
        ids(&h.list(&q).unwrap())
    };
    assert_eq!(q(|q| q.model = Some("openai/gpt-4o".into())), [a]);
    assert_eq!(q(|q| q.provider = Some("gemini".into())), [b]);
    assert_eq!(q(|q| q.starred = true), [b]);
    assert_eq!(q(|q| q.with_winner = true), [a]);
    assert_eq!(q(|q| q.tag = Some("keep".into())), [b]);
    let today = chrono::Local::now().date_naive();
    let day = |d: chrono::NaiveDate| Some(d.format("%Y-%m-%d").to_string());
    assert_eq!(
        q(|q| {
            let t = chrono::Local::now().date_naive();
            q.from = Some(t.format("%Y-%m-%d").to_string());
            q.to = q.from.clone();
        }),
        [b, a]
    );
    let page = h
        .list(&RunQuery {
            to: day(today.pred_opt().unwrap()),
            ..RunQuery::default()
        })
        .unwrap();
    assert_eq!(page.total, 0);
    assert!(matches!(
        h.list(&RunQuery {
            from: Some("yesterday".into()),
            ..RunQuery::default()
        }),
        Err(HistoryError::BadDate(_))
    ));
    let s = h.run(b).unwrap().unwrap().summary;
    assert_eq!(s.tags, ["keep"]);
    assert!(s.starred);
}

#[tokio::test]
async fn edits_winner_and_rating() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let (run, resp) = add_run(
        &h,
        "p",
        &[("a/x", "1", None), ("b/y", "2", None), ("c/z", "3", None)],
    )
    .await;
    let (other, other_resp) = add_run(&h, "q", &[("a/x", "1", None)]).await;

    assert_eq!(
        h.set_winner(run, Some(resp[0])).unwrap().winner.as_deref(),
        Some("a/x")
    );
    assert_eq!(
        h.set_winner(run, Some(resp[2])).unwrap().winner.as_deref(),
        Some("c/z")
    );
    let d = h.run(run).unwrap().unwrap();
    assert_eq!(d.responses.iter().filter(|r| r.winner).count(), 1);
    assert!(d.responses[2].winner);
    assert!(matches!(
        h.set_winner(run, Some(other_resp[0])),
        Err(HistoryError::NotInRun { .. })
    ));
    assert!(h.set_winner(run, None).unwrap().winner.is_none());
    assert!(h.run(other).unwrap().unwrap().summary.winner.is_none());

    h.rate(resp[1], Some(5)).unwrap();
    assert!(matches!(
        h.rate(resp[1], Some(0)),
        Err(HistoryError::BadRating(0))
    ));
    assert!(matches!(
        h.rate(resp[1], Some(6)),
        Err(HistoryError::BadRating(6))
    ));
    assert!(matches!(
        h.rate(999_999, Some(3)),
        Err(HistoryError::ResponseNotFound(_))
    ));
    assert_eq!(h.run(run).unwrap().unwrap().responses[1].rating, Some(5));
    h.rate(resp[1], None).unwrap();
    assert_eq!(h.run(run).unwrap().unwrap().responses[1].rating, None);

    let s = h
        .update_run(
            run,
            RunEdit {
                title: Some(Some("Named".into())),
                notes: Some(Some("n".into())),
                ..RunEdit::default()
            },
        )
        .unwrap();
    assert_eq!(s.title.as_deref(), Some("Named"));
    // JSON: an absent field is left alone, null clears it.
    let edit: RunEdit = serde_json::from_str(r#"{"title": null}"#).unwrap();
    assert_eq!(edit.title, Some(None));
    assert_eq!(edit.notes, None);
    let s = h.update_run(run, edit).unwrap();
    assert_eq!(s.title, None);
    assert_eq!(h.run(run).unwrap().unwrap().notes.as_deref(), Some("n"));
    assert!(matches!(
        h.update_run(424_242, RunEdit::default()),
        Err(HistoryError::RunNotFound(_))
    ));
}

#[tokio::test]
async fn stats_sum_money_exactly_and_count_unpriced_apart() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let (r1, resp) = add_run(
        &h,
        "a",
        &[("openai/x", "t", Some("0.1")), ("local/y", "t", None)],
    )
    .await;
    add_run(
        &h,
        "b",
        &[
            ("openai/x", "t", Some("0.2")),
            ("anthropic/z", "t", Some("0.000001")),
        ],
    )
    .await;
    let (gone, _) = add_run(&h, "c", &[("openai/x", "t", Some("5"))]).await;
    h.delete_runs(&[gone]).unwrap();
    h.set_winner(r1, Some(resp[0])).unwrap();

    let rows = h.stats(StatsBy::Model, None, None).unwrap();
    let x = rows.iter().find(|r| r.key == "openai/x").unwrap();
    assert_eq!(
        x.cost_usd.as_deref(),
        Some("0.3"),
        "exact, never 0.30000000000000004"
    );
    assert_eq!(x.avg_cost_usd.as_deref(), Some("0.15"));
    assert_eq!(
        (x.responses, x.wins, x.input_tokens, x.output_tokens),
        (2, 1, 20, 40)
    );
    let y = rows.iter().find(|r| r.key == "local/y").unwrap();
    assert_eq!(
        (y.cost_usd.as_deref(), y.unpriced, y.responses),
        (None, 1, 1)
    );
    assert_eq!(rows[0].key, "openai/x", "the largest spend first");

    let p = h.stats(StatsBy::Provider, None, None).unwrap();
    assert_eq!(
        p.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["openai", "anthropic", "local"]
    );
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let days = h.stats(StatsBy::Day, Some(&today), Some(&today)).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].key, today);
    assert_eq!(days[0].cost_usd.as_deref(), Some("0.300001"));
    assert_eq!(days[0].unpriced, 1);
    assert_eq!(
        h.stats(StatsBy::Month, None, None).unwrap()[0].key,
        today[..7]
    );
    assert!(h.stats(StatsBy::Week, None, None).unwrap()[0]
        .key
        .contains("-W"));
}

#[tokio::test]
async fn spend_totals_come_from_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    add_run(
        &h,
        "a",
        &[("openai/x", "t", Some("0.1")), ("local/y", "t", None)],
    )
    .await;
    add_run(
        &h,
        "b",
        &[
            ("openai/x", "t", Some("0.2")),
            ("anthropic/z", "t", Some("0.05")),
        ],
    )
    .await;
    // A response still streaming is not spend yet.
    let _rec = h.begin_run(new_run("c", &["openai/x"])).await.unwrap();
    h.flush().unwrap();
    let t = h.spend_totals(chrono::Local::now()).unwrap();
    assert_eq!(t.today_usd.to_string(), "0.35");
    assert_eq!(t.month_usd.to_string(), "0.35");
    assert_eq!(t.unpriced_answers, 1);
    assert_eq!(t.per_model[0].model, "openai/x");
    assert_eq!(t.per_model[0].usd.to_string(), "0.3");
    assert_eq!(t.per_model[0].answers, 2);
    // Next month, none of it is this month's.
    let later = chrono::Local::now() + chrono::Duration::days(40);
    assert_eq!(h.spend_totals(later).unwrap().month_usd.to_string(), "0");
}

#[tokio::test]
async fn exports_json_csv_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let prompt = "list, with \"quotes\"\nand a second line";
    let (run, resp) = add_run(
        &h,
        prompt,
        &[
            (
                "openai/gpt-4o",
                "GPT's answer with ``` fences",
                Some("0.0105"),
            ),
            ("anthropic/c", "Claude's answer", None),
        ],
    )
    .await;
    h.set_winner(run, Some(resp[1])).unwrap();
    add_run(&h, "another", &[("a/b", "x", None)]).await;

    let mut json = Vec::new();
    let n = h
        .export(
            &ExportSelection::Ids(vec![run]),
            ExportFormat::Json,
            &mut json,
        )
        .unwrap();
    assert_eq!(n, 1);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v[0]["prompt"], prompt);
    assert_eq!(v[0]["responses"][1]["text"], "Claude's answer");
    assert_eq!(v[0]["responses"][0]["cost"]["usd"], "0.0105");

    let mut csv = Vec::new();
    let n = h
        .export(
            &ExportSelection::Query(RunQuery::default()),
            ExportFormat::Csv,
            &mut csv,
        )
        .unwrap();
    assert_eq!(n, 2);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with("run_id,created_at,prompt,model,status,"),
        "{csv}"
    );
    let quoted = "\"list, with \"\"quotes\"\"\nand a second line\"";
    assert!(
        csv.contains(&format!(
            ",{quoted},openai/gpt-4o,ok,10,20,0.0105,computed,app,120,900,false,"
        )),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            ",{quoted},anthropic/c,ok,10,20,,unpriced,app,120,900,true,"
        )),
        "{csv}"
    );
    assert_eq!(
        csv.matches("\r\n").count(),
        4,
        "a header and one row per response"
    );

    let mut md = Vec::new();
    h.export(
        &ExportSelection::Ids(vec![run]),
        ExportFormat::Markdown,
        &mut md,
    )
    .unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("GPT's answer with ``` fences"), "{md}");
    assert!(
        md.contains("````text\nGPT's answer"),
        "a longer fence than the answer's: {md}"
    );
    assert!(md.contains("Claude's answer"));
    assert!(md.contains("**Winner: anthropic/c**"), "{md}");
    assert!(md.contains("$0.0105 (computed)"));
    assert!(md.contains("unpriced"));
    assert!(md.contains("120 ms"));
}

#[test]
fn fts_queries_are_quoted_with_a_prefix_last() {
    assert_eq!(
        query::fts_query("otters hold"),
        Some("\"otters\" \"hold\"*".into())
    );
    assert_eq!(
        query::fts_query("say \"hi\""),
        Some("\"say\" \"\"\"hi\"\"\"*".into())
    );
    assert_eq!(query::fts_query(" - * ( "), None);
}

#[test]
fn deleted_runs_are_purged_after_a_week() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    testdata::generate(&h, 3, 2, 7).unwrap();
    h.delete_runs(&[1, 2]).unwrap();
    drop(h);
    let c = Connection::open(dir.path().join("history.db")).unwrap();
    c.execute(
        "UPDATE runs SET deleted_at = ?1 WHERE id = 1",
        [time::days_ago(8)],
    )
    .unwrap();
    drop(c);
    let h = History::open(dir.path()).unwrap();
    assert_eq!(
        h.restore_runs(&[1, 2]).unwrap(),
        1,
        "run 1 is gone for good"
    );
    let c = Connection::open(dir.path().join("history.db")).unwrap();
    let left: i64 = c
        .query_row("SELECT count(*) FROM search WHERE rowid = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
    let responses: i64 = c
        .query_row("SELECT count(*) FROM responses WHERE run_id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(responses, 0);
}

#[test]
fn generated_history_lists_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(dir.path()).unwrap();
    let last = testdata::generate(&h, 2_000, 4, 42).unwrap();
    let page = h.list(&RunQuery::default()).unwrap();
    assert_eq!(page.total, 2_000);
    assert_eq!(page.runs[0].id, last);
    assert_eq!(page.runs[0].models.len(), 4);
    let page = h.list(&text("latency")).unwrap();
    assert!(page.total > 100);
    assert_eq!(page.runs.len(), DEFAULT_LIMIT as usize);
    assert!(h
        .run(last)
        .unwrap()
        .unwrap()
        .responses
        .iter()
        .all(|r| r.status == ResponseStatus::Ok));
    assert!(!h.stats(StatsBy::Model, None, None).unwrap().is_empty());
}
