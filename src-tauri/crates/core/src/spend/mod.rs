//! The spend ledger: what every finished answer cost, so the playground's tallies
//! (today, this month, per model) survive restarts. One JSON line per answer in
//! `spend.jsonl` in the data folder — appended, never rewritten — summed with
//! `Decimal`, never floats. Deliberately small: the history database will take this
//! over, and the file is easy to import then.

mod ledger;
mod record;
mod totals;

use std::path::PathBuf;

pub use ledger::SpendLedger;
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
