//! Saved setups (named routes, kept in the history database): list, save, delete, and
//! a new one shaped from a history run. Every call runs on the blocking pool.

use switchboard_core::history::{History, HistoryError};
use switchboard_core::setups::{from_run::from_run, Setup, StrategyChoice};
use tauri::State;

use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// Runs `work` with the open history on the blocking pool.
pub(crate) async fn with_history<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&History) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    let history = state.history()?;
    tauri::async_runtime::spawn_blocking(move || work(&history))
        .await
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, format!("the task stopped: {e}")))?
}

/// The setup's own errors as one refusal (a warning never stops a save).
fn check(setup: &Setup) -> Result<(), IpcError> {
    let errors: Vec<String> = setup
        .problems()
        .into_iter()
        .filter(|p| p.is_error())
        .map(|p| format!("{}: {} — {}", p.at, p.message, p.fix))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(IpcError::new(IpcErrorKind::InvalidInput, errors.join("; ")))
    }
}

/// Every saved setup.
#[tauri::command]
pub async fn setups_list(state: State<'_, AppState>) -> Result<Vec<Setup>, IpcError> {
    with_history(&state, |h| Ok(h.setups()?)).await
}

/// Saves `setup`, as a new one or in place of the one named `replacing` (an edit,
/// which may rename it). Returns it as saved.
#[tauri::command]
pub async fn setup_save(
    state: State<'_, AppState>,
    setup: Setup,
    replacing: Option<String>,
) -> Result<Setup, IpcError> {
    check(&setup)?;
    with_history(&state, move |h| {
        // The store replaces a setup saved under the same alias; only an edit of that
        // very setup may do so, never a new one or a rename onto another.
        if replacing.as_deref() != Some(setup.alias.as_str()) && h.setup(&setup.alias)?.is_some() {
            return Err(IpcError::new(
                IpcErrorKind::InvalidInput,
                format!(
                    "a setup named `{}` is already saved; choose another alias or edit that one",
                    setup.alias
                ),
            ));
        }
        h.save_setup(&setup, replacing.as_deref())?;
        Ok(h.setup(&setup.alias)?.unwrap_or(setup))
    })
    .await
}

/// Deletes a saved setup; whether there was one.
#[tauri::command]
pub async fn setup_delete(state: State<'_, AppState>, alias: String) -> Result<bool, IpcError> {
    with_history(&state, move |h| Ok(h.delete_setup(&alias)?)).await
}

/// A setup made from a history run's targets, arranged as `choice` says; not saved.
#[tauri::command]
pub async fn setup_from_run(
    state: State<'_, AppState>,
    run_id: i64,
    choice: StrategyChoice,
) -> Result<Setup, IpcError> {
    with_history(&state, move |h| {
        let run = h.run(run_id)?.ok_or(HistoryError::RunNotFound(run_id))?;
        Ok(from_run(&run, None, choice))
    })
    .await
}
