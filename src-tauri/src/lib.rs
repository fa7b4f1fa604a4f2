//! The desktop shell: a builder, the managed state, the command list. Everything else
//! lives in `switchboard-core`.

mod commands;
mod error;
mod state;

#[cfg(test)]
mod bindings;

use tauri::Manager;

pub use error::{IpcError, IpcErrorKind};

/// Builds and runs the app; returns a failure exit code instead of panicking when the
/// window system or webview cannot start, so the user sees why in the terminal.
pub fn run() -> std::process::ExitCode {
    let result = tauri::Builder::default()
        // Disk only (the data folder's prices and settings): start-up never waits on
        // the network.
        .manage(state::AppState::load())
        .manage(commands::compare::Runs::default())
        .setup(|app| {
            // The window exists by now; prices are refreshed behind it when due.
            commands::prices::start_background_refresh(&app.state::<state::AppState>());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("switchboard: the app could not start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
