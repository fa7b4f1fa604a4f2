//! `switchboard history export`: the matching runs as JSON, CSV or a Markdown report,
//! to stdout or to a file that appears whole or not at all.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use switchboard_core::history::{ExportFormat, ExportSelection, History, HistoryError};

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
            let n = to_file(&history, &what, format, path)?;
            eprintln!(
                "exported {n} run{} to {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
            Ok(())
        }
    }
}

/// Streams the export into a temporary file beside `path`, syncs it, then renames it
/// over `path`: a failed or interrupted export never leaves half a file where a
/// complete one was, and the rename stays on one file system.
fn to_file(
    history: &History,
    what: &ExportSelection,
    format: ExportFormat,
    path: &Path,
) -> Result<u32, Failure> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("-o {}: not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let io = |what: &str, e: std::io::Error| Failure::new(format!("{what}: {e}"));
    let result = (|| {
        let file =
            File::create(&tmp).map_err(|e| io(&format!("cannot create {}", tmp.display()), e))?;
        let mut out = BufWriter::new(file);
        let n = history.export(what, format, &mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| io("writing the export failed", e.into_error()))?;
        file.sync_all()
            .map_err(|e| io("writing the export failed", e))?;
        drop(file);
        std::fs::rename(&tmp, path)
            .map_err(|e| io(&format!("cannot write {}", path.display()), e))?;
        Ok(n)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
