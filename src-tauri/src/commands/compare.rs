//! Comparisons from the playground: one request to up to eight models, the events
//! streamed to the webview over a channel in per-frame batches (see `core::batch`),
//! and any column — or all — stoppable while it runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use switchboard_core::batch::{forward_batched, FRAME};
use switchboard_core::runner::{CompareError, RunHandle};
use switchboard_core::{CompareRequest, RunEvent, Runner, Timeouts};
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
    let runner = Runner::new(state.providers(), Timeouts::default())
        .map_err(|e| IpcError::new(IpcErrorKind::Internal, e.to_string()))?
        .with_prices(state.prices.clone());
    let (handle, rx) = runner.start(request)?;
    let id = runs.next.fetch_add(1, Ordering::Relaxed);
    runs.handles().insert(id, handle.clone());
    tauri::async_runtime::spawn(async move {
        let delivered = forward_batched(rx, FRAME, |batch| events.send(batch).is_ok()).await;
        if !delivered {
            // The page that asked is gone (reloaded or closed): nobody will read the
            // answers, so stop paying for them.
            handle.cancel_all();
        }
        app.state::<Runs>().handles().remove(&id);
    });
    Ok(id)
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
