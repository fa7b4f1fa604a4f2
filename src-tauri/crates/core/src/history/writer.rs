//! The history's one writer: a thread that owns the write connection and takes jobs
//! over a channel, so a run's events never wait on the disk and edits never race.
//!
//! Streamed text is buffered here and written at most every [`FLUSH_EVERY`] (and at
//! each summary), in one transaction: a kill loses at most that moment, and a fast
//! stream costs a few writes a second, not one per token.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::oneshot;

use super::model::{NewRun, ResponseStatus};
use super::{liveness, time, HistoryError};
use crate::chat::ModelId;
use crate::runner::{RunEvent, RunEventKind, TargetSummary};

/// The longest streamed text waits in memory before it is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// The most targets a run may have (the runner allows 8; room for the router).
pub(crate) const MAX_TARGETS: usize = 16;

type Call = Box<dyn FnOnce(&mut Connection) + Send>;

enum Job {
    Begin {
        run: Box<NewRun>,
        reply: oneshot::Sender<Result<(i64, Vec<i64>), HistoryError>>,
    },
    Events {
        ids: Arc<[i64]>,
        events: Vec<RunEvent>,
    },
    Call(Call),
    Flush(Option<mpsc::Sender<()>>),
}

/// Handle to the writer thread.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    error: Arc<Mutex<Option<String>>>,
}

impl Writer {
    pub fn start(conn: Connection) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let error = Arc::new(Mutex::new(None));
        let mut state = State {
            conn,
            pending: HashMap::new(),
            deadline: None,
            error: error.clone(),
        };
        std::thread::Builder::new()
            .name("history-writer".into())
            .spawn(move || state.run(rx))?;
        Ok(Self { jobs, error })
    }

    pub fn take_error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    pub async fn begin_run(&self, run: NewRun) -> Result<super::RunRecorder, HistoryError> {
        if run.targets.len() > MAX_TARGETS {
            return Err(HistoryError::TooManyTargets(run.targets.len()));
        }
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Job::Begin {
                run: Box::new(run),
                reply,
            })
            .map_err(|_| HistoryError::Stopped)?;
        let (run_id, ids) = rx.await.map_err(|_| HistoryError::Stopped)??;
        Ok(RunRecorder {
            run_id,
            ids: ids.into(),
            jobs: self.jobs.clone(),
        })
    }

    /// Runs `f` on the writer thread, after writing what is buffered, and waits for it.
    /// Blocking: call from a blocking context (`spawn_blocking`), not the executor.
    pub fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, HistoryError> + Send + 'static,
    ) -> Result<T, HistoryError> {
        let (tx, rx) = mpsc::channel();
        let job: Call = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.jobs
            .send(Job::Call(job))
            .map_err(|_| HistoryError::Stopped)?;
        rx.recv().map_err(|_| HistoryError::Stopped)?
    }

    pub fn flush_and_wait(&self, timeout: Duration) {
        let (tx, rx) = mpsc::channel();
        if self.jobs.send(Job::Flush(Some(tx))).is_ok() {
            let _ = rx.recv_timeout(timeout);
        }
    }
}

/// Where one run's events go. [`record`](Self::record) never blocks; dropping the
/// recorder writes what it left buffered.
pub struct RunRecorder {
    run_id: i64,
    ids: Arc<[i64]>,
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for RunRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunRecorder")
            .field("run_id", &self.run_id)
            .field("response_ids", &self.ids)
            .finish()
    }
}

impl RunRecorder {
    /// The history id of the run.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// The response ids, by target index.
    pub fn response_ids(&self) -> &[i64] {
        &self.ids
    }

    /// Hands a batch of the runner's events to the writer; returns at once. Text is
    /// written within [`FLUSH_EVERY`]; a `summary` is written (and indexed) at once.
    pub fn record(&self, events: &[RunEvent]) {
        let wanted = events.iter().any(|e| {
            matches!(
                e.event,
                RunEventKind::Delta { .. }
                    | RunEventKind::Reasoning { .. }
                    | RunEventKind::Summary(_)
            )
        });
        if !wanted {
            return;
        }
        // Fails only when the writer is gone; `take_write_error`/the next call says so.
        let _ = self.jobs.send(Job::Events {
            ids: self.ids.clone(),
            events: events.to_vec(),
        });
    }
}

impl Drop for RunRecorder {
    fn drop(&mut self) {
        let _ = self.jobs.send(Job::Flush(None));
    }
}

#[derive(Default)]
struct Pending {
    text: String,
    reasoning: String,
}

struct State {
    conn: Connection,
    /// Text not yet written, by response id.
    pending: HashMap<i64, Pending>,
    deadline: Option<Instant>,
    error: Arc<Mutex<Option<String>>>,
}

impl State {
    fn run(&mut self, rx: mpsc::Receiver<Job>) {
        loop {
            let job = match self.deadline {
                Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(job) => Some(job),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match rx.recv() {
                    Ok(job) => Some(job),
                    Err(_) => break,
                },
            };
            match job {
                None => self.flush(Vec::new()),
                Some(Job::Begin { run, reply }) => {
                    let _ = reply.send(begin(&mut self.conn, &run));
                }
                Some(Job::Events { ids, events }) => self.events(&ids, events),
                Some(Job::Call(f)) => {
                    self.flush(Vec::new());
                    f(&mut self.conn);
                }
                Some(Job::Flush(done)) => {
                    self.flush(Vec::new());
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
            }
            if self.deadline.is_some_and(|d| d <= Instant::now()) {
                self.flush(Vec::new());
            }
        }
        // Every sender is gone: write what is left.
        self.flush(Vec::new());
    }

    fn events(&mut self, ids: &[i64], events: Vec<RunEvent>) {
        let mut summaries = Vec::new();
        for ev in events {
            let Some(&id) = ids.get(ev.target as usize) else {
                continue;
            };
            match ev.event {
                RunEventKind::Delta { text } => self.pending.entry(id).or_default().text += &text,
                RunEventKind::Reasoning { text } => {
                    self.pending.entry(id).or_default().reasoning += &text
                }
                RunEventKind::Summary(s) => {
                    // The summary holds the whole text: what was buffered is in it.
                    self.pending.remove(&id);
                    summaries.push((id, s));
                }
                _ => {}
            }
        }
        if !summaries.is_empty() {
            self.flush(summaries);
        } else if !self.pending.is_empty() && self.deadline.is_none() {
            self.deadline = Some(Instant::now() + FLUSH_EVERY);
        }
    }

    /// Writes the buffered text and `summaries` in one transaction.
    fn flush(&mut self, summaries: Vec<(i64, Box<TargetSummary>)>) {
        self.deadline = None;
        if self.pending.is_empty() && summaries.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        if let Err(e) = write(&mut self.conn, &pending, &summaries) {
            *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
        }
    }
}

/// One flush: appends the buffered text and writes the summaries, in one transaction.
fn write(
    conn: &mut Connection,
    pending: &HashMap<i64, Pending>,
    summaries: &[(i64, Box<TargetSummary>)],
) -> Result<(), HistoryError> {
    let tx = conn.transaction()?;
    let now = time::now();
    {
        let mut append = tx.prepare_cached(
            "UPDATE responses SET text = text || ?2, reasoning = reasoning || ?3, \
             updated_at = ?4 WHERE id = ?1 AND status = 'streaming'",
        )?;
        for (id, p) in pending {
            append.execute(params![id, p.text, p.reasoning, now])?;
        }
    }
    for (id, s) in summaries {
        finish(&tx, *id, s, &now)?;
    }
    tx.commit()?;
    Ok(())
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The `snake_case` name serde gives a unit variant.
pub(crate) fn enum_str<T: serde::Serialize>(v: &T) -> Option<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

fn begin(conn: &mut Connection, run: &NewRun) -> Result<(i64, Vec<i64>), HistoryError> {
    let tx = conn.transaction()?;
    let now = time::now();
    tx.execute(
        "INSERT INTO runs (created_at, source, title, prompt, system, parent_id, writer_pid) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            run.source.as_str(),
            run.title,
            run.prompt,
            run.system,
            run.parent_id,
            std::process::id()
        ],
    )?;
    let run_id = tx.last_insert_rowid();
    let mut ids = Vec::with_capacity(run.targets.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO responses (run_id, position, model, provider, params, system, messages, \
             status, started_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'streaming', ?8, ?8)",
        )?;
        for (pos, t) in run.targets.iter().enumerate() {
            let provider = ModelId::parse(&t.model).map(|m| m.provider).unwrap_or("");
            insert.execute(params![
                run_id,
                pos as i64,
                t.model,
                provider,
                serde_json::to_string(&t.params)?,
                t.system,
                serde_json::to_string(&t.messages)?,
                now
            ])?;
            ids.push(tx.last_insert_rowid());
        }
    }
    index(&tx, run_id)?;
    tx.commit()?;
    Ok((run_id, ids))
}

/// (Re)indexes a run: one search row per run (rowid = run id) holding the prompt and
/// every answer that has ended. One row per run keeps "newest first, one page" a
/// backwards walk that stops early, and the match count a plain count of rows.
fn index(conn: &Connection, run_id: i64) -> Result<(), HistoryError> {
    let mut body: String = conn
        .prepare_cached("SELECT prompt FROM runs WHERE id = ?1")?
        .query_row([run_id], |r| r.get(0))?;
    {
        let mut stmt = conn.prepare_cached(
            "SELECT text FROM responses WHERE run_id = ?1 AND status != 'streaming' \
             ORDER BY position",
        )?;
        let mut rows = stmt.query([run_id])?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            if !text.is_empty() {
                body.push_str("\n\n");
                body.push_str(&text);
            }
        }
    }
    conn.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([run_id])?;
    conn.prepare_cached("INSERT INTO search (rowid, body) VALUES (?1, ?2)")?
        .execute(params![run_id, body])?;
    Ok(())
}

/// Writes a response's final row from its summary, and indexes its text.
pub(super) fn finish(
    conn: &Connection,
    id: i64,
    s: &TargetSummary,
    now: &str,
) -> Result<(), HistoryError> {
    let e = s.error.as_ref();
    let u = &s.usage;
    conn.prepare_cached(
        "UPDATE responses SET text = ?2, reasoning = ?3, status = ?4, finish_reason = ?5, \
         error_kind = ?6, error_message = ?7, error_status = ?8, error_phase = ?9, \
         retry_after = ?10, input_tokens = ?11, cached_input_tokens = ?12, \
         cache_write_tokens = ?13, cache_write_1h_tokens = ?14, output_tokens = ?15, \
         reasoning_tokens = ?16, usage_source = ?17, cost_usd = ?18, cost_source = ?19, \
         cost_free = ?20, price_version = ?21, price_key = ?22, ttft_ms = ?23, total_ms = ?24, \
         ended_at = ?25, updated_at = ?25 WHERE id = ?1",
    )?
    .execute(params![
        id,
        s.text,
        s.reasoning,
        ResponseStatus::from(s.status).as_str(),
        s.finish_reason.as_ref().and_then(enum_str),
        e.map(|e| e.kind.as_str()),
        e.map(|e| e.message.as_str()),
        e.and_then(|e| e.status),
        e.and_then(|e| e.phase.as_ref().and_then(enum_str)),
        e.and_then(|e| e.retry_after_s),
        int(u.input_tokens),
        int(u.cached_input_tokens),
        int(u.cache_write_tokens),
        int(u.cache_write_1h_tokens),
        int(u.output_tokens),
        int(u.reasoning_tokens),
        enum_str(&u.source),
        s.cost.usd.map(|d| d.normalize().to_string()),
        s.cost.source.as_str(),
        s.cost.free,
        s.cost.price_version,
        s.cost.price_key,
        s.metrics.ttft_ms.map(int),
        int(s.metrics.total_ms),
        now
    ])?;
    let run_id: i64 = conn
        .prepare_cached("SELECT run_id FROM responses WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    index(conn, run_id)
}

/// Marks the `streaming` responses of writers that are gone as interrupted, keeping
/// and indexing their partial text. A live writer's rows are never touched.
pub(crate) fn recover(
    conn: &Connection,
    data_dir: &Path,
    first_open: bool,
) -> Result<u32, HistoryError> {
    let pids: Vec<Option<i64>> = conn
        .prepare(
            "SELECT DISTINCT r.writer_pid FROM responses s JOIN runs r ON r.id = s.run_id \
             WHERE s.status = 'streaming'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut marked = 0u32;
    for pid in pids {
        let alive = pid
            .and_then(|p| u32::try_from(p).ok())
            .is_some_and(|p| liveness::is_alive(data_dir, p, first_open));
        if alive {
            continue;
        }
        let tx = conn.unchecked_transaction()?;
        let rows: Vec<(i64, i64)> = tx
            .prepare(
                "SELECT s.id, s.run_id FROM responses s JOIN runs r ON r.id = s.run_id \
                 WHERE s.status = 'streaming' AND r.writer_pid IS ?1",
            )?
            .query_map([pid], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut runs = std::collections::BTreeSet::new();
        for (id, run_id) in rows {
            // The last write is the best guess at when it stopped.
            tx.execute(
                "UPDATE responses SET status = 'interrupted', ended_at = updated_at WHERE id = ?1",
                [id],
            )?;
            runs.insert(run_id);
            marked += 1;
        }
        for run_id in runs {
            index(&tx, run_id)?;
        }
        tx.commit()?;
    }
    Ok(marked)
}

/// Removes for good the runs deleted before `cutoff`, with their search rows.
pub(crate) fn purge(conn: &Connection, cutoff: String) -> Result<u32, HistoryError> {
    let tx = conn.unchecked_transaction()?;
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM runs WHERE deleted_at IS NOT NULL AND deleted_at < ?1")?
        .query_map([&cutoff], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        tx.execute("DELETE FROM search WHERE rowid = ?1", [id])?;
        tx.execute("DELETE FROM runs WHERE id = ?1", [id])?;
    }
    tx.commit()?;
    Ok(ids.len() as u32)
}

/// The run a response belongs to.
pub(crate) fn run_of(conn: &Connection, response_id: i64) -> Result<i64, HistoryError> {
    conn.query_row(
        "SELECT run_id FROM responses WHERE id = ?1",
        [response_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(HistoryError::ResponseNotFound(response_id))
}
