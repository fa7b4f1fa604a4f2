// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    switchboard_app_lib::mark_start();
    switchboard_app_lib::prefer_software_rendering_without_gpu();
    switchboard_app_lib::run()
}
