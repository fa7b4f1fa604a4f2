//! Exports: runs with their responses as JSON, one CSV row per response, or a Markdown
//! comparison report. Written as they are read, so a large export holds one page of
//! runs in memory, not the whole history.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{ResponseRecord, RunDetail, RunQuery};
use super::{History, HistoryError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Csv,
    Markdown,
}

/// Which runs to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportSelection {
    /// Every run the query matches, newest first (its `before` and `limit` are ignored).
    Query(RunQuery),
    /// These runs, in this order; deleted or unknown ids are skipped.
    Ids(Vec<i64>),
}

const CSV_HEADER: &str = "run_id,created_at,prompt,model,status,input_tokens,output_tokens,\
cost_usd,cost_source,source,ttft_ms,total_ms,winner,rating";

impl History {
    /// Writes the selected runs to the file `path` through a temporary file beside it
    /// (see [`crate::atomic_file::write_atomic_with`]): a failed export never leaves
    /// half a file where the user asked for one. Returns how many runs were written.
    /// Synchronous: call it off the async executor.
    pub fn export_to_file(
        &self,
        what: &ExportSelection,
        format: ExportFormat,
        path: &Path,
    ) -> Result<u32, HistoryError> {
        // A failure of the history itself keeps its own error; only the file's own
        // failures (and the writes into it) are reported as not writing `path`.
        let mut failed = None;
        let written = crate::atomic_file::write_atomic_with(path, |out| {
            self.export(what, format, out).map_err(|e| match e {
                HistoryError::Export(io) => io,
                other => {
                    let io = std::io::Error::other(other.to_string());
                    failed = Some(other);
                    io
                }
            })
        });
        match (written, failed) {
            (Ok(n), _) => Ok(n),
            (Err(_), Some(e)) => Err(e),
            (Err(source), None) => Err(HistoryError::ExportFile {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the selected runs to `out` in `format`; returns how many runs were
    /// written. Synchronous: call it off the async executor.
    pub fn export(
        &self,
        what: &ExportSelection,
        format: ExportFormat,
        out: &mut dyn Write,
    ) -> Result<u32, HistoryError> {
        let mut w = Exporter {
            out,
            format,
            count: 0,
        };
        w.start()?;
        match what {
            ExportSelection::Ids(ids) => {
                for id in ids {
                    if let Some(run) = self.run(*id)? {
                        w.run(&run)?;
                    }
                }
            }
            ExportSelection::Query(q) => {
                let mut q = RunQuery {
                    before: None,
                    limit: super::MAX_LIMIT,
                    ..q.clone()
                };
                loop {
                    let page = self.list(&q)?;
                    for s in &page.runs {
                        if let Some(run) = self.run(s.id)? {
                            w.run(&run)?;
                        }
                    }
                    match page.next {
                        Some(next) => q.before = Some(next),
                        None => break,
                    }
                }
            }
        }
        w.end()?;
        Ok(w.count)
    }
}

struct Exporter<'a> {
    out: &'a mut dyn Write,
    format: ExportFormat,
    count: u32,
}

impl Exporter<'_> {
    fn put(&mut self, s: &str) -> Result<(), HistoryError> {
        self.out
            .write_all(s.as_bytes())
            .map_err(HistoryError::Export)
    }

    fn start(&mut self) -> Result<(), HistoryError> {
        match self.format {
            ExportFormat::Json => self.put("["),
            ExportFormat::Csv => self.put(&format!("{CSV_HEADER}\r\n")),
            ExportFormat::Markdown => self.put("# Switchboard comparisons\n"),
        }
    }

    fn end(&mut self) -> Result<(), HistoryError> {
        match self.format {
            ExportFormat::Json => self.put("\n]\n"),
            _ => self.out.flush().map_err(HistoryError::Export),
        }
    }

    fn run(&mut self, run: &RunDetail) -> Result<(), HistoryError> {
        let first = self.count == 0;
        self.count += 1;
        match self.format {
            ExportFormat::Json => {
                let json = serde_json::to_string_pretty(run)?;
                self.put(if first { "\n" } else { ",\n" })?;
                self.put(&json)
            }
            ExportFormat::Csv => {
                for r in &run.responses {
                    let row = csv_row(run, r);
                    self.put(&row)?;
                }
                Ok(())
            }
            ExportFormat::Markdown => {
                let md = markdown(run);
                self.put(&md)
            }
        }
    }
}

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn csv_row(run: &RunDetail, r: &ResponseRecord) -> String {
    let fields = [
        run.summary.id.to_string(),
        run.summary.created_at.clone(),
        run.prompt.clone(),
        r.model.clone(),
        r.status.as_str().to_owned(),
        opt(r.usage.as_ref().map(|u| u.input_tokens)),
        opt(r.usage.as_ref().map(|u| u.output_tokens)),
        opt(r.cost.as_ref().and_then(|c| c.usd).map(|d| d.normalize())),
        opt(r.cost.as_ref().map(|c| c.source.as_str())),
        run.summary.source.as_str().to_owned(),
        opt(r.ttft_ms),
        opt(r.total_ms),
        r.winner.to_string(),
        opt(r.rating),
    ];
    let mut line = fields
        .iter()
        .map(String::as_str)
        .map(csv_field)
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A fenced block whose fence is longer than any backtick run inside, so an answer
/// full of code cannot close it early.
fn fenced(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}\n")
}

fn markdown(run: &RunDetail) -> String {
    let s = &run.summary;
    let title = s.title.clone().unwrap_or_else(|| {
        run.prompt
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(80)
            .collect()
    });
    let mut md = format!("\n## Run {}: {}\n\n", s.id, title.replace('\n', " "));
    md.push_str(&format!(
        "*{}* · source: {}",
        s.created_at,
        s.source.as_str()
    ));
    if let Some(c) = &s.cost_usd {
        md.push_str(&format!(" · total ${c}"));
    }
    if s.unpriced > 0 {
        md.push_str(&format!(" + {} unpriced", s.unpriced));
    }
    md.push_str("\n\n");
    if let Some(sys) = &run.system {
        md.push_str("**System**\n\n");
        md.push_str(&fenced(sys));
        md.push('\n');
    }
    md.push_str("**Prompt**\n\n");
    md.push_str(&fenced(&run.prompt));
    md.push_str(
        "\n| Model | Status | Tokens in → out | Time to first token | Total | Cost | Winner |\n",
    );
    md.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
    for r in &run.responses {
        let tokens = r
            .usage
            .as_ref()
            .map(|u| format!("{} → {}", u.input_tokens, u.output_tokens))
            .unwrap_or_else(|| "—".into());
        let cost = match &r.cost {
            Some(c) => match c.usd {
                Some(usd) => format!("${} ({})", usd.normalize(), c.source.as_str()),
                None => "unpriced".into(),
            },
            None => "—".into(),
        };
        let ms = |v: Option<u64>| v.map(|v| format!("{v} ms")).unwrap_or_else(|| "—".into());
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.model.replace('|', "\\|"),
            r.status.as_str(),
            tokens,
            ms(r.ttft_ms),
            ms(r.total_ms),
            cost,
            if r.winner { "🏆 winner" } else { "" }
        ));
    }
    for r in &run.responses {
        md.push_str(&format!("\n### {}", r.model));
        if r.winner {
            md.push_str(" (winner)");
        }
        md.push_str("\n\n");
        if let Some(e) = &r.error {
            md.push_str(&format!(
                "> Error ({}): {}\n\n",
                e.kind,
                e.message.replace('\n', " ")
            ));
        }
        md.push_str(&fenced(&r.text));
    }
    if let Some(w) = &s.winner {
        md.push_str(&format!("\n**Winner: {w}**\n"));
    }
    if let Some(n) = &run.notes {
        md.push_str(&format!("\n**Notes**\n\n{n}\n"));
    }
    md
}
