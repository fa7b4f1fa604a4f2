//! The cost tallies: what answers cost today, this month and per model, from the run
//! history that `start_compare` feeds.

use switchboard_core::spend::SpendTotals;
use tauri::State;

use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// Today's, this month's and each model's spend, in local time, including every answer
/// whose summary has already reached the webview (the writer is flushed first: it was
/// handed each summary before the webview was).
#[tauri::command]
pub async fn spend_totals(state: State<'_, AppState>) -> Result<SpendTotals, IpcError> {
    let history = state.history()?;
    tauri::async_runtime::spawn_blocking(move || {
        history.flush()?;
        history.spend_totals(chrono::Local::now())
    })
    .await
    .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))?
    .map_err(IpcError::from)
}
