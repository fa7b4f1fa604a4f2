//! Setups saved in the history database, one row per alias: the setup whole as JSON
//! (it is always read and written whole), with the alias, the run it came from and
//! its times as columns. Writes go through the history's writer thread, reads through
//! its reader pool; every call is synchronous, for callers to run off the async
//! executor.

use rusqlite::{params, Connection, OptionalExtension};

use super::{check_alias, Setup};
use crate::history::{History, HistoryError};

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A saved setup; its source run is the column's, which the database clears when the
/// run is purged.
fn parse((body, source_run): (String, Option<i64>)) -> Result<Setup, HistoryError> {
    let mut s: Setup = serde_json::from_str(&body)?;
    s.source_run = source_run;
    Ok(s)
}

fn row(conn: &Connection, alias: &str) -> Result<Option<Setup>, HistoryError> {
    conn.query_row(
        "SELECT body, source_run FROM setups WHERE alias = ?1",
        [alias],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .map(parse)
    .transpose()
}

/// Why `setup` cannot be saved, if it cannot: its errors, joined.
fn refusal(setup: &Setup) -> Option<HistoryError> {
    let mut errors: Vec<String> = setup
        .problems()
        .into_iter()
        .filter(crate::gateway::Problem::is_error)
        .map(|p| format!("{}: {} ({})", p.at, p.message, p.fix))
        .collect();
    if errors.is_empty() {
        // `problems()` checks the alias too; this holds even if it stops doing so.
        if let Err(why) = check_alias(&setup.alias) {
            errors.push(why);
        }
    }
    (!errors.is_empty()).then(|| HistoryError::BadSetup {
        alias: setup.alias.clone(),
        problems: errors.join("; "),
    })
}

impl History {
    /// Every saved setup, by alias.
    pub fn setups(&self) -> Result<Vec<Setup>, HistoryError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT body, source_run FROM setups ORDER BY alias")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(parse).collect()
        })
    }

    /// The setup saved as `alias`, if any.
    pub fn setup(&self, alias: &str) -> Result<Option<Setup>, HistoryError> {
        self.read(|conn| row(conn, alias))
    }

    /// Saves `setup` under its alias, replacing a setup saved under it. `replacing`
    /// names the setup it was edited from: when that is another alias (a rename), the
    /// old one is removed in the same transaction. A setup with errors is refused.
    pub fn save_setup(&self, setup: &Setup, replacing: Option<&str>) -> Result<(), HistoryError> {
        if let Some(e) = refusal(setup) {
            return Err(e);
        }
        let mut setup = setup.clone();
        let old = replacing.filter(|o| *o != setup.alias).map(str::to_owned);
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let now = now();
            // A run purged since (or never there) leaves the setup without a source
            // rather than failing the foreign key.
            setup.source_run = match setup.source_run {
                Some(id) => tx
                    .query_row("SELECT id FROM runs WHERE id = ?1", [id], |r| {
                        r.get::<_, i64>(0)
                    })
                    .optional()?,
                None => None,
            };
            let created: Option<String> = match &old {
                Some(o) => tx
                    .query_row("SELECT created_at FROM setups WHERE alias = ?1", [o], |r| {
                        r.get(0)
                    })
                    .optional()?,
                None => None,
            };
            if let Some(o) = &old {
                tx.execute("DELETE FROM setups WHERE alias = ?1", [o])?;
            }
            let body = serde_json::to_string(&setup)?;
            tx.execute(
                "INSERT INTO setups (alias, body, source_run, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (alias) DO UPDATE SET body = excluded.body, \
                 source_run = excluded.source_run, updated_at = excluded.updated_at",
                params![
                    setup.alias,
                    body,
                    setup.source_run,
                    created.as_deref().unwrap_or(&now),
                    now
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Removes the setup saved as `alias`; whether there was one.
    pub fn delete_setup(&self, alias: &str) -> Result<bool, HistoryError> {
        let alias = alias.to_owned();
        self.write(move |conn| {
            Ok(conn.execute("DELETE FROM setups WHERE alias = ?1", [alias])? > 0)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::setups::{SetupTarget, StrategyChoice};

    fn open() -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let h = History::open(dir.path()).unwrap();
        (dir, h)
    }

    fn setup(alias: &str, models: &[&str]) -> Setup {
        Setup::shaped(
            alias,
            StrategyChoice::Fallback,
            models.iter().map(|m| SetupTarget::new(*m)).collect(),
        )
    }

    #[test]
    fn saved_setups_are_read_back_whole_and_listed_by_alias() {
        let (_d, h) = open();
        let mut b = setup("b-chat", &["openai/gpt-4o", "anthropic/claude-x"]);
        b.groups[0].targets[0].params.temperature = Some(0.2);
        b.retries = 5;
        b.notes = Some("from the weekly run".into());
        let a = Setup::load_balance(
            "a-chat",
            vec![
                SetupTarget::new("openai/gpt-4o-mini"),
                SetupTarget::new("groq/llama"),
            ],
        );
        h.save_setup(&b, None).unwrap();
        h.save_setup(&a, None).unwrap();
        assert_eq!(h.setups().unwrap(), vec![a.clone(), b.clone()]);
        assert_eq!(h.setup("b-chat").unwrap(), Some(b));
        assert_eq!(h.setup("nope").unwrap(), None);
    }

    #[test]
    fn saving_again_replaces_and_a_rename_removes_the_old_alias() {
        let (_d, h) = open();
        h.save_setup(&setup("chat", &["openai/gpt-4o"]), None)
            .unwrap();
        let edited = setup("chat", &["anthropic/claude-x", "openai/gpt-4o"]);
        h.save_setup(&edited, None).unwrap();
        assert_eq!(h.setups().unwrap(), vec![edited.clone()]);

        let mut renamed = edited;
        renamed.alias = "support".into();
        h.save_setup(&renamed, Some("chat")).unwrap();
        assert_eq!(h.setups().unwrap(), vec![renamed]);
    }

    #[test]
    fn a_broken_setup_is_refused_with_what_to_fix() {
        let (_d, h) = open();
        let err = h
            .save_setup(&setup("my chat", &["openai/gpt-4o"]), None)
            .unwrap_err();
        assert!(matches!(err, HistoryError::BadSetup { .. }), "{err}");
        assert!(err.to_string().contains("rename the setup"), "{err}");
        let err = h.save_setup(&setup("chat", &[]), None).unwrap_err();
        assert!(err.to_string().contains("add at least one model"), "{err}");
        // A failed rename keeps the old one.
        h.save_setup(&setup("chat", &["openai/gpt-4o"]), None)
            .unwrap();
        assert!(h
            .save_setup(&setup("bad/alias", &["openai/gpt-4o"]), Some("chat"))
            .is_err());
        assert_eq!(h.setups().unwrap().len(), 1);
        assert!(h.setups().unwrap().iter().all(|s| s.alias == "chat"));
    }

    #[test]
    fn delete_says_whether_there_was_one() {
        let (_d, h) = open();
        h.save_setup(&setup("chat", &["openai/gpt-4o"]), None)
            .unwrap();
        assert!(h.delete_setup("chat").unwrap());
        assert!(!h.delete_setup("chat").unwrap());
        assert!(h.setups().unwrap().is_empty());
    }

    #[test]
    fn a_setup_keeps_the_run_it_came_from_and_outlives_it() {
        let (_d, h) = open();
        let mut s = setup("chat", &["openai/gpt-4o"]);
        s.source_run = Some(4242);
        // No run 4242: saved all the same, without a source.
        h.save_setup(&s, None).unwrap();
        let got = h.setup("chat").unwrap().unwrap();
        assert_eq!((got.groups, got.source_run), (s.groups.clone(), None));

        // A real run: kept while it is there, cleared when it is purged.
        let c = Connection::open(h.path()).unwrap();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        c.execute(
            "INSERT INTO runs (created_at, source, prompt) VALUES (?1, 'cli', 'p')",
            [now()],
        )
        .unwrap();
        let run = c.last_insert_rowid();
        s.source_run = Some(run);
        h.save_setup(&s, None).unwrap();
        assert_eq!(h.setup("chat").unwrap().unwrap().source_run, Some(run));
        c.execute("DELETE FROM runs WHERE id = ?1", [run]).unwrap();
        let left = h.setup("chat").unwrap().unwrap();
        assert_eq!((left.source_run, left.groups), (None, s.groups));
    }
}
