//! The spend tallies (today, this month, per model) and the records they are summed
//! from, with `Decimal`, never floats. The history database (`history::History::
//! spend_totals`) now keeps every answer and feeds them; `spend.jsonl`, one JSON line per
//! answer, is what earlier versions wrote — still readable with [`read`].

mod record;
mod totals;

use std::path::PathBuf;

pub use record::{append, path, read, Ledger, SpendRecord};
pub use totals::{ModelSpend, SpendTotals};

/// `spend.jsonl` cannot be read or appended to, or the writer has stopped.
#[derive(Debug, thiserror::Error)]
pub enum SpendError {
    #[error("cannot read the spend ledger in {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot add to the spend ledger in {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the spend ledger's writer has stopped")]
    Stopped,
}
