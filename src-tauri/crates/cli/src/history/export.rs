//! `switchboard history export`: the matching runs as JSON, CSV or a Markdown report,
//! to stdout or to a file that appears whole or not at all.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use switchboard_core::history::{ExportFormat, ExportSelection, HistoryError};

use super::open::open;
use super::{Failure, Filters};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
    #[value(alias = "markdown")]
    Md,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Json => Self::Json,
            Format::Csv => Self::Csv,
            Format::Md => Self::Markdown,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// json: every run whole; csv: one row per answer; md: a comparison report
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Only runs whose prompt or answers contain these words
    #[arg(long, value_name = "Q")]
    pub query: Option<String>,
    /// Write to FILE (replaced only once the export is complete) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filters: Filters,
}

pub fn run(a: ExportArgs) -> Result<(), Failure> {
    let history = open()?;
    let what = ExportSelection::Query(a.filters.query(a.query.clone()));
    let format = ExportFormat::from(a.format);
    match &a.output {
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            match history.export(&what, format, &mut out) {
                Ok(_) => {}
                // The reader went away (`| head`): what it wanted, it got.
                Err(HistoryError::Export(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    return Ok(())
                }
                Err(e) => return Err(e.into()),
            }
            match out.flush() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Failure::new(format!("writing the export failed: {e}")))
                }
                _ => Ok(()),
            }
        }
        Some(path) => {
            if path.file_name().is_none() {
                return Err(Failure::usage(format!(
                    "-o {}: not a file name",
                    path.display()
                )));
            }
            let n = history.export_to_file(&what, format, path)?;
            eprintln!(
                "exported {n} run{} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
            Ok(())
        }
    }
}
