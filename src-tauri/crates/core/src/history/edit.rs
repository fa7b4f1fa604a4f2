//! Changes the user makes to saved runs. Each goes through the writer thread (the one
//! writer), and each is synchronous: call it off the async executor.

use rusqlite::{params, Connection, OptionalExtension};

use super::model::{RunEdit, RunSummary};
use super::{query, time, writer, History, HistoryError};

fn live_run(conn: &Connection, id: i64) -> Result<(), HistoryError> {
    conn.query_row(
        "SELECT 1 FROM runs WHERE id = ?1 AND deleted_at IS NULL",
        [id],
        |_| Ok(()),
    )
    .optional()?
    .ok_or(HistoryError::RunNotFound(id))
}

impl History {
    /// Renames, stars, annotates or retags a run; returns it as the list shows it.
    pub fn update_run(&self, id: i64, edit: RunEdit) -> Result<RunSummary, HistoryError> {
        self.inner.writer.call(move |conn| {
            let tx = conn.transaction()?;
            live_run(&tx, id)?;
            if let Some(title) = &edit.title {
                let title = title.as_deref().map(str::trim).filter(|t| !t.is_empty());
                tx.execute(
                    "UPDATE runs SET title = ?2 WHERE id = ?1",
                    params![id, title],
                )?;
            }
            if let Some(starred) = edit.starred {
                tx.execute(
                    "UPDATE runs SET starred = ?2 WHERE id = ?1",
                    params![id, starred],
                )?;
            }
            if let Some(notes) = &edit.notes {
                let notes = notes.as_deref().filter(|n| !n.trim().is_empty());
                tx.execute(
                    "UPDATE runs SET notes = ?2 WHERE id = ?1",
                    params![id, notes],
                )?;
            }
            if let Some(tags) = &edit.tags {
                tx.execute("DELETE FROM run_tags WHERE run_id = ?1", [id])?;
                let mut insert =
                    tx.prepare("INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?1, ?2)")?;
                for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
                    insert.execute(params![id, tag])?;
                }
            }
            tx.commit()?;
            Ok(())
        })?;
        self.summary(id)
    }

    /// Makes `response_id` the run's only winner, or clears the winner with `None`.
    pub fn set_winner(
        &self,
        run_id: i64,
        response_id: Option<i64>,
    ) -> Result<RunSummary, HistoryError> {
        self.inner.writer.call(move |conn| {
            let tx = conn.transaction()?;
            live_run(&tx, run_id)?;
            if let Some(rid) = response_id {
                let of = writer::run_of(&tx, rid)?;
                if of != run_id {
                    return Err(HistoryError::NotInRun {
                        run: run_id,
                        response: rid,
                    });
                }
            }
            // Clear first: the unique index allows one winner per run at any moment.
            tx.execute(
                "UPDATE responses SET winner = 0 WHERE run_id = ?1 AND winner = 1",
                [run_id],
            )?;
            if let Some(rid) = response_id {
                tx.execute("UPDATE responses SET winner = 1 WHERE id = ?1", [rid])?;
            }
            tx.commit()?;
            Ok(())
        })?;
        self.summary(run_id)
    }

    /// Rates a response 1 to 5, or clears its rating.
    pub fn rate(&self, response_id: i64, rating: Option<u8>) -> Result<(), HistoryError> {
        if let Some(r) = rating.filter(|r| !(1..=5).contains(r)) {
            return Err(HistoryError::BadRating(r));
        }
        self.inner.writer.call(move |conn| {
            writer::run_of(conn, response_id)?;
            conn.execute(
                "UPDATE responses SET rating = ?2 WHERE id = ?1",
                params![response_id, rating],
            )?;
            Ok(())
        })
    }

    /// Soft-deletes runs: hidden from lists, search and stats, restorable for
    /// [`super::PURGE_AFTER_DAYS`] days. Returns how many were deleted.
    pub fn delete_runs(&self, ids: &[i64]) -> Result<u32, HistoryError> {
        let ids = ids.to_vec();
        self.inner.writer.call(move |conn| {
            let tx = conn.transaction()?;
            let now = time::now();
            let mut n = 0;
            for id in ids {
                n += tx.execute(
                    "UPDATE runs SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                    params![id, now],
                )?;
            }
            tx.commit()?;
            Ok(n as u32)
        })
    }

    /// Undoes [`delete_runs`](Self::delete_runs). Returns how many came back.
    pub fn restore_runs(&self, ids: &[i64]) -> Result<u32, HistoryError> {
        let ids = ids.to_vec();
        self.inner.writer.call(move |conn| {
            let tx = conn.transaction()?;
            let mut n = 0;
            for id in ids {
                n += tx.execute(
                    "UPDATE runs SET deleted_at = NULL WHERE id = ?1 AND deleted_at IS NOT NULL",
                    [id],
                )?;
            }
            tx.commit()?;
            Ok(n as u32)
        })
    }

    fn summary(&self, id: i64) -> Result<RunSummary, HistoryError> {
        self.read(|conn| {
            query::summaries(conn, &[id])?
                .pop()
                .ok_or(HistoryError::RunNotFound(id))
        })
    }
}
