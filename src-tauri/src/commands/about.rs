use switchboard_core::AppInfo;

use crate::error::IpcError;

/// Version and data folder, for the About panel.
#[tauri::command]
pub fn app_info() -> Result<AppInfo, IpcError> {
    Ok(AppInfo::current()?)
}
