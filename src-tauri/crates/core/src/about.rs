//! What the About panel shows: read from the core so the UI proves the IPC wiring.

use serde::Serialize;
use ts_rs::TS;

use crate::paths::{self, PathError};

/// Version and data folder of this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    /// Semantic version of the running build.
    pub version: String,
    /// Absolute path of the folder that holds the history database and settings.
    pub data_dir: String,
}

impl AppInfo {
    pub fn current() -> Result<Self, PathError> {
        Ok(Self {
            version: crate::VERSION.to_owned(),
            data_dir: paths::data_dir()?.display().to_string(),
        })
    }
}
