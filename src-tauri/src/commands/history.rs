//! The history of runs (`history.db` in the data folder): list and search, open, edit,
//! delete with undo, stats, export, and the way out when the file cannot be used. Every
//! call runs on the blocking pool: SQLite work never waits on the async executor.

use serde::Serialize;
use switchboard_core::history::{
    ExportFormat, ExportSelection, History, HistoryError, HistoryProblem, RunDetail, RunEdit,
    RunPage, RunQuery, RunSummary, StatsBy, StatsRow,
};
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// The app-wide notice that a run was added, finished or changed (payload: its id).
pub const CHANGED_EVENT: &str = "history-changed";
/// A run's answers could not all be written (payload: what went wrong, for the user).
pub const WRITE_FAILED_EVENT: &str = "history-write-failed";

impl From<HistoryError> for IpcError {
    fn from(e: HistoryError) -> Self {
        let kind = match e {
            HistoryError::RunNotFound(_) | HistoryError::ResponseNotFound(_) => {
                IpcErrorKind::NotFound
            }
            HistoryError::BadRating(_)
            | HistoryError::BadDate(_)
            | HistoryError::NotInRun { .. }
            | HistoryError::TooManyTargets(_)
            | HistoryError::BadSetup { .. } => IpcErrorKind::InvalidInput,
            _ => IpcErrorKind::History,
        };
        Self::new(kind, e.to_string())
    }
}

/// Runs `work` with the open history on the blocking pool.
async fn with_history<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&History) -> Result<T, HistoryError> + Send + 'static,
) -> Result<T, IpcError> {
    let history = state.history()?;
    tauri::async_runtime::spawn_blocking(move || work(&history).map_err(IpcError::from))
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))?
}

fn changed(app: &AppHandle, id: i64) {
    // A notice only: a window that misses it refreshes on its next query.
    let _ = app.emit(CHANGED_EVENT, id);
}

#[tauri::command]
pub async fn history_list(
    state: State<'_, AppState>,
    query: RunQuery,
) -> Result<RunPage, IpcError> {
    with_history(&state, move |h| h.list(&query)).await
}

#[tauri::command]
pub async fn history_run(state: State<'_, AppState>, id: i64) -> Result<RunDetail, IpcError> {
    with_history(&state, move |h| {
        h.run(id)?.ok_or(HistoryError::RunNotFound(id))
    })
    .await
}

#[tauri::command]
pub async fn history_update(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    edit: RunEdit,
) -> Result<RunSummary, IpcError> {
    let summary = with_history(&state, move |h| h.update_run(id, edit)).await?;
    changed(&app, id);
    Ok(summary)
}

#[tauri::command]
pub async fn history_set_winner(
    app: AppHandle,
    state: State<'_, AppState>,
    run_id: i64,
    response_id: Option<i64>,
) -> Result<RunSummary, IpcError> {
    let summary = with_history(&state, move |h| h.set_winner(run_id, response_id)).await?;
    changed(&app, run_id);
    Ok(summary)
}

#[tauri::command]
pub async fn history_rate(
    state: State<'_, AppState>,
    response_id: i64,
    rating: Option<u8>,
) -> Result<(), IpcError> {
    with_history(&state, move |h| h.rate(response_id, rating)).await
}

#[tauri::command]
pub async fn history_delete(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<i64>,
) -> Result<u32, IpcError> {
    let first = ids.first().copied();
    let n = with_history(&state, move |h| h.delete_runs(&ids)).await?;
    if let Some(id) = first {
        changed(&app, id);
    }
    Ok(n)
}

#[tauri::command]
pub async fn history_restore(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<i64>,
) -> Result<u32, IpcError> {
    let first = ids.first().copied();
    let n = with_history(&state, move |h| h.restore_runs(&ids)).await?;
    if let Some(id) = first {
        changed(&app, id);
    }
    Ok(n)
}

#[tauri::command]
pub async fn history_stats(
    state: State<'_, AppState>,
    by: StatsBy,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<StatsRow>, IpcError> {
    with_history(&state, move |h| h.stats(by, from.as_deref(), to.as_deref())).await
}

/// Why the history cannot be used, if it cannot.
#[tauri::command]
pub fn history_status(state: State<'_, AppState>) -> Option<HistoryProblem> {
    state.history_problem()
}

/// Moves the unusable history file aside (never deleting it) and starts a new one.
/// Returns where the old file went ("" when there was none).
#[tauri::command]
pub async fn history_start_fresh(state: State<'_, AppState>) -> Result<String, IpcError> {
    let dir = state.data_dir()?.to_owned();
    let (history, moved) = tauri::async_runtime::spawn_blocking(move || History::open_fresh(&dir))
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))??;
    state.set_history(history);
    Ok(moved.map(|p| p.display().to_string()).unwrap_or_default())
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    /// Where the file was saved; `None` when the user cancelled the dialog.
    pub path: Option<String>,
    pub runs: u32,
}

/// Asks where to save (the native dialog, opened from Rust: the webview has no file
/// access) and writes the selected runs there.
#[tauri::command]
pub async fn history_export(
    app: AppHandle,
    state: State<'_, AppState>,
    selection: ExportSelection,
    format: ExportFormat,
) -> Result<ExportResult, IpcError> {
    let history = state.history()?;
    let (ext, name) = match format {
        ExportFormat::Json => ("json", "JSON"),
        ExportFormat::Csv => ("csv", "CSV"),
        ExportFormat::Markdown => ("md", "Markdown"),
    };
    tauri::async_runtime::spawn_blocking(move || {
        let Some(target) = app
            .dialog()
            .file()
            .add_filter(name, &[ext])
            .set_file_name(format!("switchboard-history.{ext}"))
            .blocking_save_file()
        else {
            return Ok(ExportResult {
                path: None,
                runs: 0,
            });
        };
        let path = target
            .into_path()
            .map_err(|e| IpcError::new(IpcErrorKind::InvalidInput, e.to_string()))?;
        let runs = history.export_to_file(&selection, format, &path)?;
        Ok(ExportResult {
            path: Some(path.display().to_string()),
            runs,
        })
    })
    .await
    .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::chat::{ChatRequest, Target};
    use switchboard_core::history::{NewRun, RunSource};
    use switchboard_core::CompareRequest;

    #[tokio::test]
    async fn an_export_lands_whole_at_the_chosen_path() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let request = CompareRequest {
            request: ChatRequest::prompt("Say hi, with a comma, and \"quotes\""),
            targets: vec![Target::new("openai/gpt-4o")],
        };
        let rec = history
            .begin_run(NewRun::from_compare(&request, RunSource::App))
            .await
            .unwrap();
        drop(rec);
        history.flush().unwrap();
        let path = dir.path().join("out.csv");
        let runs = history
            .export_to_file(&ExportSelection::Ids(vec![1]), ExportFormat::Csv, &path)
            .unwrap();
        assert_eq!(runs, 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("run_id,"), "{text}");
        assert!(
            text.contains("\"Say hi, with a comma, and \"\"quotes\"\"\""),
            "{text}"
        );
        // Nothing else was left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("history"))
            .collect();
        assert_eq!(names, vec!["out.csv".to_owned()]);
    }

    #[test]
    fn a_missing_run_is_not_found_and_a_bad_rating_is_invalid_input() {
        assert_eq!(
            IpcError::from(HistoryError::RunNotFound(7)).kind,
            IpcErrorKind::NotFound
        );
        assert_eq!(
            IpcError::from(HistoryError::BadRating(9)).kind,
            IpcErrorKind::InvalidInput
        );
    }
}
