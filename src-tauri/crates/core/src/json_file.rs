//! The user's JSON files in the data folder (settings, provider settings, your prices):
//! read whole, with a missing file meaning "nothing saved yet", and written whole,
//! atomically, so a crash mid-save never leaves half a file.

use std::io;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A file that cannot be read, parsed or saved. `what` names its contents for the
/// message ("the settings", "your prices").
#[derive(Debug, thiserror::Error)]
pub enum JsonFileError {
    #[error("cannot read {what} in {path}: {source}")]
    Read {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{what} in {path} are not valid JSON ({source}); fix or delete the file, nothing was changed")]
    Corrupt {
        what: &'static str,
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot save {what} to {path}: {source}")]
    Write {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

/// The saved value; the default when the file does not exist. A corrupt file is an
/// error, so a later save never overwrites what the user typed.
pub fn load<T: DeserializeOwned + Default>(
    path: &Path,
    what: &'static str,
) -> Result<T, JsonFileError> {
    match std::fs::read_to_string(path) {
        Ok(s) => serde_json::from_str(&s).map_err(|source| JsonFileError::Corrupt {
            what,
            path: path.to_owned(),
            source,
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(JsonFileError::Read {
            what,
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes the value whole, pretty-printed, atomically.
pub fn save<T: Serialize>(path: &Path, what: &'static str, value: &T) -> Result<(), JsonFileError> {
    let write = |source| JsonFileError::Write {
        what,
        path: path.to_owned(),
        source,
    };
    let json = serde_json::to_string_pretty(value).map_err(|e| write(io::Error::other(e)))?;
    crate::atomic_file::write_atomic(path, json.as_bytes()).map_err(write)
}
