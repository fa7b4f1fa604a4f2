//! Saving `switchboard compare`'s run to the history as it streams. Saving never stops
//! a comparison: when the history cannot be used, a warning says why and the answers
//! still come.

use switchboard_core::history::{History, NewRun, RunRecorder, RunSource};
use switchboard_core::CompareRequest;

use super::open::hints;

/// The history to save into, or `None` with a warning saying why not.
pub fn open() -> Option<History> {
    let dir = match switchboard_core::paths::data_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("warning: this run will not be saved to the history: {e}");
            return None;
        }
    };
    match History::open(&dir) {
        Ok(h) => Some(h),
        Err(e) => {
            eprintln!("warning: this run will not be saved to the history: {e}");
            for h in hints(&e) {
                eprintln!("  {h}");
            }
            None
        }
    }
}

/// The run as it will be saved; taken before the runner consumes the request.
pub fn new_run(req: &CompareRequest) -> NewRun {
    NewRun::from_compare(req, RunSource::Cli)
}

/// Saves the run (with one `streaming` answer per model) and returns where its events
/// go, or `None` with a warning.
pub async fn begin(history: Option<&History>, run: NewRun) -> Option<RunRecorder> {
    match history?.begin_run(run).await {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("warning: this run will not be saved to the history: {e}");
            None
        }
    }
}

/// After the run: waits until everything is on disk, and says so if some of it could
/// not be written (a full disk, a read-only folder). Blocking: call it off the executor.
pub fn finish(history: &History) {
    let error = match history.flush() {
        Err(e) => Some(e.to_string()),
        Ok(()) => history.take_write_error(),
    };
    if let Some(e) = error {
        eprintln!("warning: the history could not save all of this run: {e}");
    }
}
