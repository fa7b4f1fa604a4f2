//! The cost tallies: what answers cost today, this month and per model, from the spend
//! ledger (`spend.jsonl`) that `start_compare` feeds.

use switchboard_core::spend::SpendTotals;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Today's, this month's and each model's spend, in local time, including every answer
/// whose summary has already reached the webview.
#[tauri::command]
pub async fn spend_totals(state: State<'_, AppState>) -> Result<SpendTotals, IpcError> {
    Ok(state.spend()?.totals().await?)
}
