//! Schema migrations: numbered SQL files embedded in the binary, tracked by
//! `PRAGMA user_version`, each run in its own transaction after a backup copy of a
//! database that holds anything.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::HistoryError;

/// `(version, sql)`, in order; version N is reached by running file N.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_setups.sql")),
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 2;

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<u32, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
}

/// Where the copy taken before migrating from `from` goes.
pub fn backup_path(db: &Path, from: u32) -> std::path::PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".bak-v{from}"));
    db.with_file_name(name)
}

/// Brings `conn` (the database at `db`) to [`SCHEMA_VERSION`]. The caller has checked
/// that it is not newer.
pub fn migrate(conn: &mut Connection, db: &Path) -> Result<(), HistoryError> {
    let current = version(conn)?;
    if current >= SCHEMA_VERSION {
        return Ok(());
    }
    let has_tables: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')",
        [],
        |r| r.get(0),
    )?;
    if current > 0 || has_tables {
        // A consistent copy even with WAL; VACUUM INTO refuses an existing file.
        let bak = backup_path(db, current);
        match std::fs::remove_file(&bak) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(HistoryError::Io { path: bak, source }),
        }
        conn.execute("VACUUM INTO ?1", [bak.to_string_lossy().as_ref()])
            .map_err(|source| HistoryError::Backup { path: bak, source })?;
    }
    for &(v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        // IMMEDIATE: a second process opening at the same moment waits here, then sees
        // the version already reached and skips the file instead of failing on it.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if version(&tx)? >= v {
            continue;
        }
        tx.execute_batch(sql)
            .and_then(|()| tx.pragma_update(None, "user_version", v))
            .map_err(|source| HistoryError::Migration { version: v, source })?;
        tx.commit()?;
    }
    Ok(())
}
