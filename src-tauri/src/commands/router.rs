//! The Router view's commands: start and stop the local router, its status, its spend
//! caps, and "Copy token" (the token goes to the clipboard from here; the webview never
//! holds it).

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
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

/// The port and caps saved in the data folder (the defaults without them).
fn saved_prefs(state: &AppState) -> RouterPrefs {
    state.data_dir().map(RouterPrefs::load).unwrap_or_default()
}

/// Starts the router on `port` (the saved one when absent) and remembers that port.
#[tauri::command]
pub async fn router_start(
    app: AppHandle,
    state: State<'_, AppState>,
    host: State<'_, RouterHost>,
    port: Option<u16>,
) -> Result<RouterStatus, IpcError> {
    let saved = saved_prefs(&state);
    let port = port.unwrap_or(saved.port);
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
        caps: saved.caps(),
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
        // Remembering the port is a convenience: the router runs even if it fails. The
        // caps are read again so the save keeps them as they are on disk.
        let prefs = RouterPrefs {
            port,
            ..RouterPrefs::load(dir)
        };
        if let Err(e) = prefs.save(dir) {
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

/// Saves the overall daily and monthly spend caps (USD; empty = no cap), applied at the
/// next start. Refused while the router runs, so the caps shown are the ones in force.
#[tauri::command]
pub async fn router_set_caps(
    state: State<'_, AppState>,
    host: State<'_, RouterHost>,
    day_usd: Option<String>,
    month_usd: Option<String>,
) -> Result<RouterStatus, IpcError> {
    let day = parse_cap(day_usd.as_deref(), "daily")?;
    let month = parse_cap(month_usd.as_deref(), "monthly")?;
    if host.is_running().await {
        return Err(IpcError::new(
            IpcErrorKind::InvalidInput,
            "Stop the router to change its spend caps: they apply when it starts.",
        ));
    }
    let dir = state.data_dir()?;
    let prefs = RouterPrefs {
        cap_day_usd: day,
        cap_month_usd: month,
        ..RouterPrefs::load(dir)
    };
    prefs.save(dir)?;
    status_of(&state, &host).await
}

/// A cap as typed: nothing (or blanks) is no cap; otherwise a USD amount, 0 or more (0
/// refuses every call: a way to pause spending). `which` is "daily" or "monthly".
fn parse_cap(text: Option<&str>, which: &str) -> Result<Option<Decimal>, IpcError> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<Decimal>() {
        Ok(usd) if !usd.is_sign_negative() => Ok(Some(usd.normalize())),
        _ => Err(IpcError::new(
            IpcErrorKind::InvalidInput,
            format!("The {which} cap is an amount in USD, like 5 or 0.50."),
        )),
    }
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
        return Ok(host.status(&RouterPrefs::default(), Vec::new()).await);
    }
    // Stopped: the setups a start would serve (none yet is the view's empty state).
    let setups = super::setups::with_history(state, |h| Ok(h.setups()?)).await?;
    Ok(host.status(&saved_prefs(state), setups).await)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn usd(s: &str) -> Option<Decimal> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_empty_cap_is_no_cap() {
        assert_eq!(parse_cap(None, "daily").unwrap(), None);
        assert_eq!(parse_cap(Some(""), "daily").unwrap(), None);
        assert_eq!(parse_cap(Some("   "), "monthly").unwrap(), None);
    }

    #[test]
    fn a_cap_is_an_amount_of_zero_or_more() {
        assert_eq!(parse_cap(Some(" 5 "), "daily").unwrap(), usd("5"));
        assert_eq!(parse_cap(Some("0.50"), "daily").unwrap(), usd("0.5"));
        assert_eq!(parse_cap(Some("0"), "monthly").unwrap(), usd("0"));
    }

    #[test]
    fn words_and_negative_amounts_are_refused_naming_the_cap() {
        for bad in ["five", "-1", "5 USD", "1,5"] {
            let e = parse_cap(Some(bad), "daily").unwrap_err();
            assert_eq!(e.kind, IpcErrorKind::InvalidInput, "{bad}");
            assert_eq!(
                e.message, "The daily cap is an amount in USD, like 5 or 0.50.",
                "{bad}"
            );
        }
        let e = parse_cap(Some("-0.01"), "monthly").unwrap_err();
        assert!(e.message.starts_with("The monthly cap"), "{}", e.message);
    }
}
