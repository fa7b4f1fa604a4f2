//! Which processes are still writing to the history.
//!
//! Each process that opens a history holds an exclusive lock on
//! `history-locks/<pid>.lock` for as long as it lives; the OS drops the lock when the
//! process ends, however it ends (kill -9 included). An opener that can take a pid's
//! lock knows that writer is gone. A pid alone is not enough: pids are reused, and a
//! reused pid of an unrelated program holds no such lock.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const LOCK_DIR: &str = "history-locks";

/// The locks this process holds, by file: kept until the process ends.
fn held() -> &'static Mutex<HashMap<PathBuf, File>> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, File>>> = OnceLock::new();
    HELD.get_or_init(|| Mutex::new(HashMap::new()))
}

fn lock_path(data_dir: &Path, pid: u32) -> PathBuf {
    data_dir.join(LOCK_DIR).join(format!("{pid}.lock"))
}

/// Takes this process's lock in `data_dir` (once; later calls are no-ops). True when
/// taken now: this process had not opened this history before, so rows that carry our
/// pid were left by an earlier process that had the same pid (pids restart at boot).
pub fn hold_own_lock(data_dir: &Path) -> std::io::Result<bool> {
    let path = lock_path(data_dir, std::process::id());
    let mut held = held().lock().unwrap_or_else(|e| e.into_inner());
    if held.contains_key(&path) {
        return Ok(false);
    }
    std::fs::create_dir_all(data_dir.join(LOCK_DIR))?;
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            // Only another process with our pid could hold it: a stale pid namespace
            // (containers). Nothing to gain by failing the open over it.
        }
        Err(TryLockError::Error(e)) => return Err(e),
    }
    held.insert(path, f);
    Ok(true)
}

/// True when `pid` may still be writing: its lock is held. Our own pid is alive unless
/// `first_open` (see [`hold_own_lock`]).
pub fn is_alive(data_dir: &Path, pid: u32, first_open: bool) -> bool {
    if pid == std::process::id() {
        return !first_open;
    }
    let path = lock_path(data_dir, pid);
    let f = match OpenOptions::new().write(true).open(&path) {
        Ok(f) => f,
        // No lock file: that writer never held one here, or it was cleaned up.
        Err(_) => return false,
    };
    match f.try_lock() {
        Ok(()) => {
            // Dead: its lock file is litter now (removed while we hold it, so no new
            // process with that pid can be between its lock and our removal).
            let _ = std::fs::remove_file(&path);
            drop(f);
            false
        }
        Err(TryLockError::WouldBlock) => true,
        // Cannot tell: never mark a possibly live writer's rows.
        Err(TryLockError::Error(_)) => true,
    }
}
