//! `switchboard history`: the runs the app and `switchboard compare` saved — listed,
//! searched, shown, exported, summed and given a winner — in the same `history.db` as
//! the app.

mod export;
mod list;
pub(crate) mod open;
pub(crate) mod output;
pub mod record;
mod show;
mod stats;
mod winner;

use std::process::ExitCode;

use clap::{Args, Subcommand};
use switchboard_core::history::{HistoryError, RunQuery};

use crate::options::USAGE_ERROR;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// The saved runs, newest first
    List(list::ListArgs),
    /// Runs whose prompt or answers contain every word of QUERY, newest first
    Search(list::SearchArgs),
    /// One run whole: the prompt, then every model's answer with its tokens and cost
    Show(show::ShowArgs),
    /// Runs as JSON, CSV (one row per answer) or a Markdown comparison report
    Export(export::ExportArgs),
    /// Spend, tokens and wins by model, provider, day, week or month
    Stats(stats::StatsArgs),
    /// Pick the answer that won a run (by position or model id), or clear it with --clear
    Winner(winner::WinnerArgs),
    /// Move a damaged or too-new history aside (kept, never deleted) and start a fresh one
    Reset(open::ResetArgs),
}

pub fn run(args: HistoryArgs) -> ExitCode {
    let result = match args.command {
        HistoryCommand::List(a) => list::list(a),
        HistoryCommand::Search(a) => list::search(a),
        HistoryCommand::Show(a) => show::run(a),
        HistoryCommand::Export(a) => export::run(a),
        HistoryCommand::Stats(a) => stats::run(a),
        HistoryCommand::Winner(a) => winner::run(a),
        HistoryCommand::Reset(a) => open::reset(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(&f),
    }
}

/// Prints a failure (and its hints) on stderr and returns its exit status.
pub fn fail(f: &Failure) -> ExitCode {
    eprintln!("error: {}", f.message);
    for h in &f.hints {
        eprintln!("  {h}");
    }
    ExitCode::from(f.code)
}

/// Why a history command failed: what to print and the exit status (1, or
/// [`USAGE_ERROR`] for a command line that cannot run, as the other subcommands do).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// What the user can do about it, one line each.
    pub hints: Vec<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE_ERROR,
            ..Self::new(message)
        }
    }
}

impl From<HistoryError> for Failure {
    fn from(e: HistoryError) -> Self {
        match e {
            // Dates are checked when parsed; this is a second line of defence.
            HistoryError::BadDate(_) => Self::usage(e.to_string()),
            other => {
                let hints = open::hints(&other);
                Self {
                    hints,
                    ..Self::new(other.to_string())
                }
            }
        }
    }
}

/// The filters every listing takes.
#[derive(Debug, Clone, Args)]
pub struct Filters {
    /// Only runs that asked this model (`openai/gpt-4o`)
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Only runs that asked a model of this provider (`openai`, `anthropic`, …)
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
    /// Only runs from this local date on
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = day)]
    pub from: Option<String>,
    /// Only runs up to and including this local date
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = day)]
    pub to: Option<String>,
    /// Only starred runs
    #[arg(long)]
    pub starred: bool,
    /// Only runs with a winner picked
    #[arg(long)]
    pub winner: bool,
    /// Only runs with this tag
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
}

impl Filters {
    pub fn query(&self, text: Option<String>) -> RunQuery {
        RunQuery {
            text,
            model: self.model.clone(),
            provider: self.provider.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            starred: self.starred,
            with_winner: self.winner,
            tag: self.tag.clone(),
            before: None,
            limit: 0,
        }
    }
}

/// A `YYYY-MM-DD` date, checked when the command line is parsed so a typo is a usage
/// error before the history is opened.
fn day(s: &str) -> Result<String, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| format!("`{s}` is not a date: use YYYY-MM-DD"))
}
