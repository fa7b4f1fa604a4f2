//! The run history: every comparison saved, searchable, with spend over time, in
//! `history.db` (SQLite) in the data folder.
//!
//! One writer thread owns the only write connection ([`writer`]); a run's events are
//! handed to it over a channel and never wait on the disk. Reads are synchronous, each
//! on a read-only connection from a small pool, for callers to run off the async
//! executor (`spawn_blocking`). WAL lets readers and the writer — and other processes
//! (the app and `switchboard compare`) — work at once.

mod edit;
mod export;
mod liveness;
mod migrate;
mod model;
mod query;
mod router_calls;
mod stats;
pub mod testdata;
mod time;
mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use export::{ExportFormat, ExportSelection};
pub use migrate::SCHEMA_VERSION;
pub use model::{
    HistoryProblem, HistoryProblemKind, NewRun, NewTarget, ResponseRecord, ResponseStatus,
    RouteInfo, RunDetail, RunEdit, RunPage, RunQuery, RunSource, RunSummary, StatsBy, StatsRow,
    DEFAULT_LIMIT, MAX_LIMIT, SUMMARY_PROMPT_CHARS,
};
pub use router_calls::RouterCall;
pub use writer::RunRecorder;

/// The database's file name in the data folder.
pub const DB_FILE: &str = "history.db";

/// How long a connection waits for another's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs deleted longer ago than this are removed for good at open.
pub const PURGE_AFTER_DAYS: i64 = 7;

/// Read connections kept for reuse; more may be open at once, the extra are closed.
const POOL_KEEP: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "the history at {path} was written by a newer Switchboard (schema version {found}; \
         this version reads up to {supported}). Update Switchboard to read it, or start a \
         fresh history: the old file is kept beside it"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "the history at {path} cannot be read ({detail}). Start a fresh history: the old \
         file is moved aside, never deleted"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot back up the history to {path} before upgrading it: {source}")]
    Backup {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("upgrading the history to schema version {version} failed: {source}")]
    Migration {
        version: u32,
        source: rusqlite::Error,
    },
    #[error("history database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("a saved value could not be read or written: {0}")]
    Json(#[from] serde_json::Error),
    #[error("no run {0} in the history")]
    RunNotFound(i64),
    #[error("no response {0} in the history")]
    ResponseNotFound(i64),
    #[error("response {response} is not part of run {run}")]
    NotInRun { run: i64, response: i64 },
    #[error("a rating is 1 to 5, got {0}")]
    BadRating(u8),
    #[error("'{0}' is not a date: use YYYY-MM-DD")]
    BadDate(String),
    #[error("a run has at most 16 targets, got {0}")]
    TooManyTargets(usize),
    #[error("writing the export failed: {0}")]
    Export(std::io::Error),
    #[error("cannot write the export to {path}: {source}")]
    ExportFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the history's writer has stopped")]
    Stopped,
    #[error("the setup `{alias}` cannot be saved: {problems}. Fix it and save again")]
    BadSetup { alias: String, problems: String },
}

impl HistoryError {
    /// What the UI shows for an error that keeps the history from opening.
    pub fn problem(&self, db_path: &Path) -> HistoryProblem {
        let (kind, path) = match self {
            Self::TooNew { path, .. } => (HistoryProblemKind::TooNew, path.as_path()),
            Self::Corrupt { path, .. } => (HistoryProblemKind::Corrupt, path.as_path()),
            Self::Io { path, .. } | Self::Backup { path, .. } => {
                (HistoryProblemKind::Unavailable, path.as_path())
            }
            _ => (HistoryProblemKind::Unavailable, db_path),
        };
        HistoryProblem {
            kind,
            message: self.to_string(),
            path: path.display().to_string(),
        }
    }

    fn corrupt(path: &Path, e: &rusqlite::Error) -> Option<Self> {
        use rusqlite::ffi::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Some(Self::Corrupt {
                path: path.to_owned(),
                detail: e.to_string(),
            }),
            _ => None,
        }
    }
}

/// The history of one data folder. Cheap to clone; the writer stops (after writing what
/// it holds) when the last clone and the last [`RunRecorder`] are gone.
#[derive(Clone)]
pub struct History {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: writer::Writer,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Whatever is buffered reaches the disk before the history is gone.
        self.writer.flush_and_wait(Duration::from_secs(5));
    }
}

impl History {
    /// Opens (creating or upgrading) `data_dir/history.db`. Marks the responses of
    /// writers that are gone as interrupted and purges runs deleted over
    /// [`PURGE_AFTER_DAYS`] days ago. A file from a newer version or one that is not a
    /// database is an error and is left exactly as it was.
    pub fn open(data_dir: &Path) -> Result<Self, HistoryError> {
        std::fs::create_dir_all(data_dir).map_err(|source| HistoryError::Io {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        check_header(&path)?;
        let mut conn = open_write(&path)?;
        migrate::migrate(&mut conn, &path).map_err(|e| {
            let damaged = match &e {
                HistoryError::Sqlite(s) => HistoryError::corrupt(&path, s),
                _ => None,
            };
            damaged.unwrap_or(e)
        })?;
        let first_open = liveness::hold_own_lock(data_dir).map_err(|source| HistoryError::Io {
            path: data_dir.join("history-locks"),
            source,
        })?;
        writer::recover(&conn, data_dir, first_open)?;
        writer::purge(&conn, time::days_ago(PURGE_AFTER_DAYS))?;
        let writer = writer::Writer::start(conn).map_err(|source| HistoryError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                writer,
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Moves a bad `history.db` (and its `-wal`/`-shm`) aside to
    /// `history.db.broken-<timestamp>` and opens a new, empty history. Returns it and
    /// where the old file went (`None` when there was none).
    pub fn open_fresh(data_dir: &Path) -> Result<(Self, Option<PathBuf>), HistoryError> {
        let path = data_dir.join(DB_FILE);
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = data_dir.join(format!("{DB_FILE}.broken-{stamp}"));
        let moved = if path.exists() {
            let io = |source| HistoryError::Io {
                path: path.clone(),
                source,
            };
            std::fs::rename(&path, &aside).map_err(io)?;
            for ext in ["-wal", "-shm"] {
                let side = data_dir.join(format!("{DB_FILE}{ext}"));
                if side.exists() {
                    let to = data_dir.join(format!("{DB_FILE}.broken-{stamp}{ext}"));
                    std::fs::rename(&side, &to).map_err(io)?;
                }
            }
            Some(aside)
        } else {
            None
        };
        Ok((Self::open(data_dir)?, moved))
    }

    /// `data_dir/history.db`.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The last write that failed (a full disk, a read-only folder), if any since the
    /// last call: runs go on, and the app tells the user.
    pub fn take_write_error(&self) -> Option<String> {
        self.inner.writer.take_error()
    }

    /// Saves a new run with one `streaming` response per target and returns the
    /// recorder its events go to.
    pub async fn begin_run(&self, run: NewRun) -> Result<RunRecorder, HistoryError> {
        self.inner.writer.begin_run(run).await
    }

    /// Runs `f` on the writer thread's connection (the one writer) and waits for it:
    /// for the stores kept beside the runs, such as [`crate::setups::store`].
    pub(crate) fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, HistoryError> + Send + 'static,
    ) -> Result<T, HistoryError> {
        self.inner.writer.call(f)
    }

    /// Waits until everything handed to the writer before this call is on disk.
    pub fn flush(&self) -> Result<(), HistoryError> {
        self.inner.writer.call(|_| Ok(()))
    }

    /// Runs `f` on a read-only connection from the pool. The pool's lock is held only
    /// to pop and push, never across a query (a Mutex held across blocking work froze
    /// other apps' whole UI).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let pooled = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.inner.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(BUSY_TIMEOUT)?;
                stats::register(&c)?;
                c
            }
        };
        let out = f(&conn);
        let mut pool = self.inner.readers.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < POOL_KEEP {
            pool.push(conn);
        }
        out
    }
}

/// A non-empty file that does not start with SQLite's magic is not a database; say so
/// before SQLite touches it.
fn check_header(path: &Path) -> Result<(), HistoryError> {
    use std::io::Read;
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(HistoryError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(source) => {
                return Err(HistoryError::Io {
                    path: path.to_owned(),
                    source,
                })
            }
        }
    }
    if n == 0 || &head[..n] == b"SQLite format 3\0" {
        return Ok(());
    }
    Err(HistoryError::Corrupt {
        path: path.to_owned(),
        detail: "not an SQLite database".into(),
    })
}

/// The write connection: checks the version before changing anything in the file.
fn open_write(path: &Path) -> Result<Connection, HistoryError> {
    let corrupt = |e: rusqlite::Error| match HistoryError::corrupt(path, &e) {
        Some(c) => c,
        None => HistoryError::Sqlite(e),
    };
    let conn = Connection::open(path).map_err(corrupt)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(corrupt)?;
    let found = migrate::version(&conn).map_err(corrupt)?;
    if found > SCHEMA_VERSION {
        return Err(HistoryError::TooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    // Reading the schema finds most damage before anything is written.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(corrupt)?;
    // journal_mode answers with the mode it set: read it, or rusqlite reports rows.
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        .map_err(corrupt)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(corrupt)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(corrupt)?;
    Ok(conn)
}
