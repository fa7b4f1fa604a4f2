//! Comparisons from the playground: one request to up to eight models, the events
//! streamed to the webview over a channel in per-frame batches (see `core::batch`),
//! and any column — or all — stoppable while it runs. Every answer's cost goes to the
//! spend ledger as its summary passes by.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use switchboard_core::batch::{forward_batched, FRAME};
use switchboard_core::runner::{CompareError, RunHandle};
use switchboard_core::spend::{SpendLedger, SpendRecord};
use switchboard_core::{CompareRequest, RunEvent, RunEventKind, Runner};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use crate::error::{IpcError, IpcErrorKind};
use crate::state::AppState;

/// The runs in progress, by id, so a column can be stopped.
#[derive(Default)]
pub struct Runs {
    next: AtomicU32,
    handles: Mutex<HashMap<u32, RunHandle>>,
}

impl Runs {
    fn handles(&self) -> std::sync::MutexGuard<'_, HashMap<u32, RunHandle>> {
        self.handles
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl From<CompareError> for IpcError {
    fn from(e: CompareError) -> Self {
        let kind = match e {
            CompareError::Client(_) => IpcErrorKind::Internal,
            _ => IpcErrorKind::InvalidInput,
        };
        Self::new(kind, e.to_string())
    }
}

/// Starts a comparison and returns its id. Events arrive on `events` in batches until
/// every target has sent its summary; then the channel goes quiet.
#[tauri::command]
pub async fn start_compare(
    app: AppHandle,
    state: State<'_, AppState>,
    runs: State<'_, Runs>,
    request: CompareRequest,
    events: Channel<Vec<RunEvent>>,
) -> Result<u32, IpcError> {
    let runner =
        Runner::with_executor(state.http()?, state.providers()).with_prices(state.prices.clone());
    let (handle, mut rx) = runner.start(request)?;
    // Without a data folder nothing is recorded (the tallies say why).
    let ledger = state.spend().ok().cloned();
    let id = runs.next.fetch_add(1, Ordering::Relaxed);
    runs.handles().insert(id, handle.clone());
    tauri::async_runtime::spawn(async move {
        let delivered = forward_batched(&mut rx, FRAME, |batch| {
            if let Some(ledger) = &ledger {
                record_spend(ledger, &batch);
            }
            events.send(batch).is_ok()
        })
        .await;
        if !delivered {
            // The page that asked is gone (reloaded or closed): nobody will read the
            // answers, so stop paying for them.
            handle.cancel_all();
            // The stopped answers still send their summaries: what they cost so far
            // goes to the ledger all the same.
            if let Some(ledger) = &ledger {
                while let Some(ev) = rx.recv().await {
                    record_spend(ledger, std::slice::from_ref(&ev));
                }
            }
        }
        app.state::<Runs>().handles().remove(&id);
    });
    Ok(id)
}

/// Hands the batch's finished answers to the ledger's writer (a channel send: the
/// batch goes to the webview without waiting on the disk). Queued before the batch is
/// sent, so totals the UI asks for after seeing a summary include it.
fn record_spend(ledger: &SpendLedger, batch: &[RunEvent]) {
    let now = chrono::Utc::now();
    let records: Vec<SpendRecord> = batch
        .iter()
        .filter_map(|ev| match &ev.event {
            RunEventKind::Summary(s) => SpendRecord::of(s, now),
            _ => None,
        })
        .collect();
    ledger.record(records);
}

/// Stops one target of a run (`target`), or the whole run. Each stopped target keeps
/// its partial answer and sends its summary. False when the run has already ended.
#[tauri::command]
pub fn stop_compare(runs: State<'_, Runs>, run: u32, target: Option<u32>) -> bool {
    let handles = runs.handles();
    let Some(h) = handles.get(&run) else {
        return false;
    };
    match target {
        Some(t) => h.cancel(t as usize),
        None => {
            h.cancel_all();
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::chat::{Usage, UsageSource};
    use switchboard_core::prices::answer_cost::{Cost, CostSource};
    use switchboard_core::runner::{Metrics, TargetStatus, TargetSummary};

    fn summary(target: u32, status: TargetStatus, input: u64, usd: Option<&str>) -> RunEvent {
        RunEvent {
            target,
            event: RunEventKind::Summary(Box::new(TargetSummary {
                model: format!("openai/m{target}"),
                status,
                text: String::new(),
                reasoning: String::new(),
                finish_reason: None,
                usage: Usage {
                    input_tokens: input,
                    source: UsageSource::Reported,
                    ..Usage::default()
                },
                cost: Cost {
                    usd: usd.map(|u| u.parse().unwrap()),
                    source: CostSource::Computed,
                    ..Cost::unpriced()
                },
                metrics: Metrics::default(),
                error: None,
                hint: None,
            })),
        }
    }

    #[test]
    fn the_summaries_of_a_batch_reach_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = SpendLedger::start(dir.path().to_owned(), |e| panic!("{e}")).unwrap();
        let batch = vec![
            RunEvent {
                target: 0,
                event: RunEventKind::Delta { text: "hi".into() },
            },
            summary(0, TargetStatus::Ok, 10, Some("0.25")),
            summary(1, TargetStatus::Cancelled, 7, Some("0.05")),
            // Refused before the provider read anything: not an answer, not recorded.
            summary(2, TargetStatus::Error, 0, Some("0")),
        ];
        record_spend(&ledger, &batch);
        let totals = tauri::async_runtime::block_on(ledger.totals()).unwrap();
        assert_eq!(totals.today_usd.to_string(), "0.3");
        let models: Vec<&str> = totals.per_model.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(models, ["openai/m0", "openai/m1"]);
    }
}
