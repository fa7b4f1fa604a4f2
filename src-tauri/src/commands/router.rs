//! The Router view's commands: start and stop the local router, its status, and "Copy
//! token" (the token goes to the clipboard from here; the webview never holds it).

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use tauri::{AppHandle, Emitter, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::{IpcError, IpcErrorKind};
use crate::router_host::{
    keychain_token, RouterCallEvent, RouterHost, RouterPrefs, RouterStatus, StartInput,
};
use crate::state::AppState;

/// The event each finished router call sends to the webview (payload: [`RouterCallEvent`]).
pub const CALL_EVENT: &str = "router-call";
/// The app-wide notice that the router started or stopped (payload: its status).
pub const STATUS_EVENT: &str = "router-status";

/// How long Stop waits for calls in flight before cutting them.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The port saved in the data folder (the default without one).
fn saved_port(state: &AppState) -> u16 {
    state
        .data_dir()
        .map(RouterPrefs::load)
        .unwrap_or_default()
        .port
}

/// Starts the router on `port` (the saved one when absent) and remembers that port.
#[tauri::command]
pub async fn router_start(
    app: AppHandle,
    state: State<'_, AppState>,
    host: State<'_, RouterHost>,
    port: Option<u16>,
) -> Result<RouterStatus, IpcError> {
    let port = port.unwrap_or_else(|| saved_port(&state));
    if port == 0 {
        return Err(IpcError::new(
            IpcErrorKind::InvalidInput,
            "Choose a port between 1024 and 65535 (4141 is the usual one).",
        ));
    }
    let emitter = app.clone();
    let on_call = Arc::new(move |event: RouterCallEvent| {
        let _ = emitter.emit(CALL_EVENT, &event);
    });
    // Router calls are runs in the history: its list and the spend tallies read again.
    let emitter = app.clone();
    let on_saved = Arc::new(move || {
        let _ = emitter.emit(super::history::CHANGED_EVENT, Option::<i64>::None);
    });
    host.start(StartInput {
        port,
        history: state.history()?,
        providers: state.providers(),
        prices: state.prices.clone(),
        exec: state.http()?,
        on_call,
        on_saved,
        token: keychain_token,
    })
    .await?;
    if let Ok(dir) = state.data_dir() {
        // Remembering the port is a convenience: the router runs even if it fails.
        if let Err(e) = (RouterPrefs { port }).save(dir) {
            eprintln!("switchboard: {}", e.message);
        }
    }
    let status = status_of(&state, &host).await?;
    let _ = app.emit(STATUS_EVENT, &status);
    Ok(status)
}

/// Stops the router; its status afterwards.
#[tauri::command]
pub async fn router_stop(
    app: AppHandle,
    state: State<'_, AppState>,
    host: State<'_, RouterHost>,
) -> Result<RouterStatus, IpcError> {
    host.stop(STOP_GRACE).await;
    let status = status_of(&state, &host).await?;
    let _ = app.emit(STATUS_EVENT, &status);
    Ok(status)
}

/// Whether the router runs, where, what it serves, and this session's totals.
#[tauri::command]
pub async fn router_status(
    state: State<'_, AppState>,
    host: State<'_, RouterHost>,
) -> Result<RouterStatus, IpcError> {
    status_of(&state, &host).await
}

/// Puts the router's token on the clipboard (made and kept in the keychain on first use).
#[tauri::command]
pub async fn router_copy_token(
    app: AppHandle,
    host: State<'_, RouterHost>,
) -> Result<(), IpcError> {
    let token = host.token().await?;
    app.clipboard()
        .write_text(token.expose_secret().to_owned())
        .map_err(|e| {
            IpcError::new(
                IpcErrorKind::Internal,
                format!("The clipboard refused the token: {e}. Set SWITCHBOARD_ROUTER_TOKEN yourself and restart the router to use a token you know."),
            )
        })
}

async fn status_of(state: &AppState, host: &RouterHost) -> Result<RouterStatus, IpcError> {
    if host.is_running().await {
        return Ok(host.status(0, Vec::new()).await);
    }
    // Stopped: the setups a start would serve (none yet is the view's empty state).
    let setups = super::setups::with_history(state, |h| Ok(h.setups()?)).await?;
    Ok(host.status(saved_port(state), setups).await)
}
