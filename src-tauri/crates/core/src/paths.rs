//! Where Switchboard keeps its files.

use std::path::PathBuf;

/// Environment variable that overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "SWITCHBOARD_DATA_DIR";

/// Folder name under the platform's app-data folder.
const APP_FOLDER: &str = "switchboard";

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error(
        "no data folder: this platform reports no app-data folder; set {DATA_DIR_ENV} to a writable folder"
    )]
    NoPlatformDataDir,
    #[error("{DATA_DIR_ENV} is set but empty; unset it or give it a folder")]
    EmptyOverride,
}

/// The data folder: `SWITCHBOARD_DATA_DIR` when set, else the platform's app-data
/// folder (`$XDG_DATA_HOME/switchboard` on Linux, `~/Library/Application Support/switchboard`
/// on macOS, `%APPDATA%\switchboard` on Windows). Nothing is created here.
pub fn data_dir() -> Result<PathBuf, PathError> {
    resolve_data_dir(std::env::var_os(DATA_DIR_ENV), dirs::data_dir())
}

fn resolve_data_dir(
    env_override: Option<std::ffi::OsString>,
    platform: Option<PathBuf>,
) -> Result<PathBuf, PathError> {
    match env_override {
        Some(v) if v.is_empty() => Err(PathError::EmptyOverride),
        Some(v) => Ok(PathBuf::from(v)),
        None => platform
            .map(|p| p.join(APP_FOLDER))
            .ok_or(PathError::NoPlatformDataDir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_over_platform_folder() {
        let got = resolve_data_dir(Some("/tmp/sb".into()), Some("/home/u/.local/share".into()));
        assert_eq!(got.unwrap(), PathBuf::from("/tmp/sb"));
    }

    #[test]
    fn platform_folder_gets_app_subfolder() {
        let got = resolve_data_dir(None, Some("/home/u/.local/share".into()));
        assert_eq!(
            got.unwrap(),
            PathBuf::from("/home/u/.local/share/switchboard")
        );
    }

    #[test]
    fn empty_override_is_an_error_that_names_the_variable() {
        let err = resolve_data_dir(Some("".into()), Some("/x".into())).unwrap_err();
        assert!(err.to_string().contains(DATA_DIR_ENV));
    }

    #[test]
    fn no_platform_folder_explains_the_fix() {
        let err = resolve_data_dir(None, None).unwrap_err();
        assert!(err.to_string().contains(DATA_DIR_ENV));
    }
}
