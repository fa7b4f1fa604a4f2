//! Writing a file so readers see the old one or the new one, never half of one: prices,
//! the user's own prices and settings are all saved this way.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `bytes` to `path` through a temporary file in the same folder (same file
/// system), synced, then renamed over it. Creates the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Like [`write_atomic`], for content written as it is produced (an export of many
/// runs): `write` fills the temporary file through a buffer; `path` is replaced only
/// once it has returned Ok, and the temporary file is removed on any failure.
pub fn write_atomic_with<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<T> {
    // Unique per process and call, so two writers at once never share a temp file.
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
        let value = write(&mut out)?;
        let f = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        // On disk before the rename, so a crash cannot leave an empty file behind.
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomic_with(&path, |out| {
            out.write_all(b"half of the new")?;
            Err::<(), _>(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("export.csv")]);

        let n = write_atomic_with(&path, |out| out.write_all(b"new").map(|()| 3)).unwrap();
        assert_eq!(
            (n, std::fs::read_to_string(&path).unwrap()),
            (3, "new".to_owned())
        );
    }
}
