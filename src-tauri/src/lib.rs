//! The desktop shell: a builder, the managed state, the command list. Everything else
//! lives in `switchboard-core`.

mod commands;
mod error;
mod router_host;
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

/// WebKitGTK's rendering switches a user (or a test) may set; when one is set, the app
/// leaves the choice alone.
const WEBKIT_RENDERING_VARS: [&str; 3] = [
    "WEBKIT_DISABLE_COMPOSITING_MODE",
    "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
    "WEBKIT_FORCE_COMPOSITING_MODE",
];

/// Without a GPU render node (a VM, a headless server, a remote desktop), WebKitGTK
/// composites every frame with GL on Mesa's software rasterizer (llvmpipe), which took
/// about one core of two while eight answers streamed, and the page drew ~4 frames/s.
/// Painting without compositing (on the CPU, only what changed) drew ~17 frames/s on the
/// same machine, cut the delta-to-paint time by two thirds and started faster
/// (`make bench-ui`). So, when there is no `/dev/dri/renderD*` and the user has not
/// chosen, turn compositing off. Call before any thread starts (it sets an environment
/// variable).
pub fn prefer_software_rendering_without_gpu() {
    if !cfg!(target_os = "linux")
        || WEBKIT_RENDERING_VARS
            .iter()
            .any(|var| std::env::var_os(var).is_some())
    {
        return;
    }
    let has_render_node = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    if !has_render_node {
        std::env::set_var(WEBKIT_RENDERING_VARS[0], "1");
    }
}

/// When the process began (see [`mark_start`]); now, if nothing marked it.
fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// Builds and runs the app; returns a failure exit code instead of panicking when the
/// window system or webview cannot start, so the user sees why in the terminal.
pub fn run() -> std::process::ExitCode {
    // The dialog plugin is used from Rust only (the export's save dialog): the webview
    // is granted none of its commands.
    // The clipboard plugin likewise: "Copy token" writes the router's token from Rust.
    let mut builder = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init());
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
        .manage(router_host::RouterHost::default())
        .setup(|app| {
            // The window exists by now; prices are refreshed behind it when due.
            commands::prices::start_background_refresh(&app.state::<state::AppState>());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => {
            app.run(|app, event| {
                if let tauri::RunEvent::Exit = event {
                    // The router's calls in flight end and are written before the
                    // process goes; the port is free for the next start.
                    app.state::<router_host::RouterHost>().stop_on_exit();
                }
            });
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("switchboard: the app could not start: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
