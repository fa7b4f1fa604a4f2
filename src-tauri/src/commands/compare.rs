//! Comparisons from the playground: one request to up to eight models, the events
//! streamed to the webview over a channel in per-frame batches (see `core::batch`),
//! and any column — or all — stoppable while it runs. Every run is saved to the history
//! as it streams (text, then each answer's summary with its cost).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use switchboard_core::batch::{forward_batched, FRAME};
use switchboard_core::history::{NewRun, RunRecorder, RunSource};
use switchboard_core::runner::{CompareError, RunHandle};
use switchboard_core::{CompareRequest, RunEvent, Runner};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};
use ts_rs::TS;

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

/// A comparison that has started.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StartedRun {
    /// For `stop_compare`.
    pub id: u32,
    /// The run in the history; `None` when it could not be saved (see `history_error`).
    #[ts(type = "number | null")]
    pub history_id: Option<i64>,
    /// Why this run is not being saved (a full disk, a read-only or corrupt history);
    /// the answers stream all the same.
    pub history_error: Option<String>,
}

/// Starts a comparison, saves it to the history as it streams, and returns its ids.
/// Events arrive on `events` in batches until every target has sent its summary; then
/// the channel goes quiet.
#[tauri::command]
pub async fn start_compare(
    app: AppHandle,
    state: State<'_, AppState>,
    runs: State<'_, Runs>,
    request: CompareRequest,
    events: Channel<Vec<RunEvent>>,
) -> Result<StartedRun, IpcError> {
    start(app, state, runs, request, events).await
}

async fn start(
    app: AppHandle,
    state: State<'_, AppState>,
    runs: State<'_, Runs>,
    request: CompareRequest,
    events: Channel<Vec<RunEvent>>,
) -> Result<StartedRun, IpcError> {
    let runner =
        Runner::with_executor(state.http()?, state.providers()).with_prices(state.prices.clone());
    let new_run = NewRun::from_compare(&request, RunSource::App);
    // A request the runner refuses is not saved; from here on a crash leaves the run in
    // the history with whatever had arrived, marked interrupted at the next start.
    let (handle, mut rx) = runner.start(request)?;
    let history = state.history();
    let (recorder, history_error) = match &history {
        Ok(h) => match h.begin_run(new_run).await {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(format!("This run is not being saved: {e}"))),
        },
        Err(e) => (None, Some(format!("This run is not being saved: {e}"))),
    };
    let history = history.ok();
    let history_id = recorder.as_ref().map(RunRecorder::run_id);
    if let Some(id) = history_id {
        let _ = app.emit(super::history::CHANGED_EVENT, id);
    }
    let id = runs.next.fetch_add(1, Ordering::Relaxed);
    runs.handles().insert(id, handle.clone());
    tauri::async_runtime::spawn(async move {
        let delivered = forward_batched(&mut rx, FRAME, |batch| {
            // Handed to the history's writer before the webview sees the batch, so
            // tallies asked for after a summary arrives include it.
            if let Some(recorder) = &recorder {
                recorder.record(&batch);
            }
            events.send(batch).is_ok()
        })
        .await;
        if !delivered {
            // The page that asked is gone (reloaded or closed): nobody will read the
            // answers, so stop paying for them.
            handle.cancel_all();
            // The stopped answers still send their summaries: their partial text and
            // what they cost so far are saved all the same.
            while let Some(ev) = rx.recv().await {
                if let Some(recorder) = &recorder {
                    recorder.record(std::slice::from_ref(&ev));
                }
            }
        }
        // Dropping the recorder writes what it still holds.
        drop(recorder);
        if let (Some(id), Some(h)) = (history_id, history) {
            // A write that failed on the way (a full disk) is told, not swallowed: the
            // answers are still on screen, the saved run may lack their end.
            let failed = tauri::async_runtime::spawn_blocking(move || {
                h.flush()
                    .err()
                    .map(|e| e.to_string())
                    .or_else(|| h.take_write_error())
            })
            .await
            .ok()
            .flatten();
            if let Some(e) = failed {
                let _ = app.emit(
                    super::history::WRITE_FAILED_EVENT,
                    format!("This run was not saved whole: {e}"),
                );
            }
            let _ = app.emit(super::history::CHANGED_EVENT, id);
        }
        app.state::<Runs>().handles().remove(&id);
    });
    Ok(StartedRun {
        id,
        history_id,
        history_error,
    })
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
    use switchboard_core::RunEventKind;

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

    #[tokio::test]
    async fn a_recorded_batch_is_in_the_tallies_once_the_history_is_flushed() {
        use switchboard_core::chat::{ChatRequest, Target};
        use switchboard_core::history::History;
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let request = CompareRequest {
            request: ChatRequest::prompt("hi"),
            targets: (0..3)
                .map(|t| Target::new(format!("openai/m{t}")))
                .collect(),
        };
        let recorder = history
            .begin_run(NewRun::from_compare(&request, RunSource::App))
            .await
            .unwrap();
        recorder.record(&[
            RunEvent {
                target: 0,
                event: RunEventKind::Delta { text: "hi".into() },
            },
            summary(0, TargetStatus::Ok, 10, Some("0.25")),
            summary(1, TargetStatus::Cancelled, 7, Some("0.05")),
            // Refused before the provider read anything: not an answer, not counted.
            summary(2, TargetStatus::Error, 0, Some("0")),
        ]);
        history.flush().unwrap();
        let totals = history.spend_totals(chrono::Local::now()).unwrap();
        assert_eq!(totals.today_usd.to_string(), "0.3");
        let models: Vec<&str> = totals.per_model.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(models, ["openai/m0", "openai/m1"]);
    }
}
