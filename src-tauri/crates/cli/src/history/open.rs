//! Opening the history for a command, with what to do when it cannot be opened, and
//! `switchboard history reset`, the way out of a damaged or too-new file.

use std::path::PathBuf;

use clap::Args;
use switchboard_core::history::{History, HistoryError, RunQuery};

use super::output::say;
use super::Failure;

/// The data folder, as every subcommand resolves it (`SWITCHBOARD_DATA_DIR` first).
pub fn data_dir() -> Result<PathBuf, Failure> {
    switchboard_core::paths::data_dir().map_err(|e| Failure::new(e.to_string()))
}

/// The history of the data folder. A damaged or too-new file is an error with the way
/// out; it is never changed here.
pub fn open() -> Result<History, Failure> {
    let dir = data_dir()?;
    History::open(&dir).map_err(Failure::from)
}

/// What the user can do about an error that keeps the history from opening.
pub fn hints(e: &HistoryError) -> Vec<String> {
    const RESET: &str = "to start a fresh history and keep this file beside it: \
                         switchboard history reset --keep-old";
    match e {
        HistoryError::TooNew { .. } => vec![
            "update Switchboard to read it, or".to_owned(),
            RESET.to_owned(),
        ],
        HistoryError::Corrupt { .. } => vec![RESET.to_owned()],
        HistoryError::Io { .. } => vec![
            "check that the data folder is writable and the disk is not full \
             (SWITCHBOARD_DATA_DIR picks another folder)"
                .to_owned(),
        ],
        _ => Vec::new(),
    }
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Required: says you know the old file is moved aside (to
    /// `history.db.broken-<time>`), kept, not deleted
    #[arg(long, required = true)]
    pub keep_old: bool,
    /// Reset even though the history opens fine
    #[arg(long)]
    pub force: bool,
}

pub fn reset(args: ResetArgs) -> Result<(), Failure> {
    if !args.keep_old {
        return Err(Failure::usage("reset needs --keep-old"));
    }
    let dir = data_dir()?;
    // Only an explicit flag sets a readable history aside: resetting a healthy file is
    // almost always a mistake, even though nothing is lost.
    if !args.force {
        if let Ok(h) = History::open(&dir) {
            let runs = h.list(&RunQuery::default()).map(|p| p.total).unwrap_or(0);
            let mut f = Failure::new(format!(
                "the history at {} opens fine ({runs} runs); nothing to reset",
                h.path().display()
            ));
            f.hints.push(
                "to set it aside anyway: switchboard history reset --keep-old --force".into(),
            );
            return Err(f);
        }
    }
    let (history, moved) = History::open_fresh(&dir)?;
    match moved {
        Some(old) => say(&format!(
            "The old history was moved to {}\nA fresh, empty history is at {}",
            old.display(),
            history.path().display()
        )),
        None => say(&format!(
            "There was no history file; a fresh, empty one is at {}",
            history.path().display()
        )),
    }
    Ok(())
}
