//! The desktop shell: a builder, the managed state, the command list. Everything else
//! lives in `switchboard-core`.

mod commands;
mod error;
mod state;

#[cfg(test)]
mod bindings;

use std::sync::OnceLock;
use std::time::Instant;

use tauri::Manager;

pub use error::{IpcError, IpcErrorKind};

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes when the process began; `main` calls it first, so start-up timings
/// (`ui_ready`) cover everything the app does before its window is usable.
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// Without a GPU render node (a VM, a headless server, a remote desktop), WebKitGTK runs
/// its GPU rasterizer on Mesa's software GL, which costs more CPU than rasterizing on the
/// CPU directly: measured on such a machine (`make bench-ui`), cold start went from
/// 3.5–3.8 s to 1.1–1.2 s and streaming from ~2 to ~4 frames/s. So, when there is no
/// `/dev/dri/renderD*` and the user has not chosen, ask WebKit for CPU rendering.
/// Call before any thread starts (it sets an environment variable).
pub fn prefer_cpu_rendering_without_gpu() {
    const VAR: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
    if !cfg!(target_os = "linux") || std::env::var_os(VAR).is_some() {
        return;
    }
    let has_render_node = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    if !has_render_node {
        std::env::set_var(VAR, "1");
    }
}

/// When the process began (see [`mark_start`]); now, if nothing marked it.
fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// Builds and runs the app; returns a failure exit code instead of panicking when the
/// window system or webview cannot start, so the user sees why in the terminal.
pub fn run() -> std::process::ExitCode {
    let mut builder = tauri::Builder::default();
    if commands::ready::report_ready() {
        // Tells the page, before its own scripts run, to report when it is interactive;
        // ordinary runs get no script and make no call.
        builder = builder.plugin(
            tauri::plugin::Builder::<tauri::Wry>::new("report-ready")
                .js_init_script("window.__SWITCHBOARD_REPORT_READY__ = true;")
                .build(),
        );
    }
    let result = builder
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
