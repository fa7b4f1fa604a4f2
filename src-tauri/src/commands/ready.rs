//! Start-up timing for `make bench`: with `SWITCHBOARD_REPORT_READY` set, the page calls
//! `ui_ready` once its first screen is painted and answers input, and the app prints how
//! long that took since `main` began. Without the variable the page never calls it.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set (to anything) to have the page report when it is interactive.
pub const REPORT_READY_ENV: &str = "SWITCHBOARD_REPORT_READY";

/// Whether this run reports when the page is interactive.
pub fn report_ready() -> bool {
    std::env::var_os(REPORT_READY_ENV).is_some()
}

/// Prints `switchboard: interactive after N ms` to stderr, the first time only: a page
/// reload is not a cold start.
#[tauri::command]
pub fn ui_ready() {
    static REPORTED: AtomicBool = AtomicBool::new(false);
    if !report_ready() || REPORTED.swap(true, Ordering::Relaxed) {
        return;
    }
    let ms = crate::started().elapsed().as_millis();
    eprintln!("switchboard: interactive after {ms} ms");
}
