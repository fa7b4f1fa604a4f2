//! One line of the ledger, and the file of them.

use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::SpendError;
use crate::prices::answer_cost::CostSource;
use crate::runner::{TargetStatus, TargetSummary};

/// What one answer cost: `{"at":"2026-11-21T12:00:00Z","model":"openai/gpt-4o",
/// "usd":"0.0105","source":"computed"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendRecord {
    /// When the answer ended, UTC (RFC 3339).
    pub at: DateTime<Utc>,
    pub model: String,
    /// A decimal string; `null` when the model is unpriced (never counted as $0).
    pub usd: Option<Decimal>,
    pub source: CostSource,
}

impl SpendRecord {
    /// The record of a finished answer, as its summary prices it. `None` for an answer
    /// that failed or was stopped before the provider processed anything (no tokens
    /// either way): it cost nothing and is not an answer to count.
    pub fn of(summary: &TargetSummary, at: DateTime<Utc>) -> Option<Self> {
        let processed = summary.usage.input_tokens > 0 || summary.usage.output_tokens > 0;
        (summary.status == TargetStatus::Ok || processed).then(|| Self {
            at,
            model: summary.model.clone(),
            usd: summary.cost.usd,
            source: summary.cost.source,
        })
    }
}

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("spend.jsonl")
}

/// Appends one line per record. A line left unfinished by a crash is closed first, so
/// it costs that one line, never the new ones.
pub fn append(data_dir: &Path, records: &[SpendRecord]) -> Result<(), SpendError> {
    if records.is_empty() {
        return Ok(());
    }
    let path = path(data_dir);
    let write = |source| SpendError::Write {
        path: path.clone(),
        source,
    };
    let mut text = String::new();
    for r in records {
        let line = serde_json::to_string(r).map_err(|e| write(std::io::Error::other(e)))?;
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::create_dir_all(data_dir).map_err(write)?;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(&path)
        .map_err(write)?;
    if !ends_with_newline(&mut f).map_err(write)? {
        text.insert(0, '\n');
    }
    // One write: readers never see half a line from us.
    f.write_all(text.as_bytes()).map_err(write)
}

/// True for an empty file or one whose last byte is a newline.
fn ends_with_newline(f: &mut std::fs::File) -> std::io::Result<bool> {
    let len = f.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(true);
    }
    f.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// The ledger's readable lines, and how many were not (skipped, never fatal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub records: Vec<SpendRecord>,
    pub skipped: u32,
}

/// Reads the whole ledger; an empty one when nothing was recorded yet.
pub fn read(data_dir: &Path) -> Result<Ledger, SpendError> {
    let path = path(data_dir);
    let f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
        Err(source) => return Err(SpendError::Read { path, source }),
    };
    let mut ledger = Ledger::default();
    // Split on bytes: a line of invalid UTF-8 is one skipped line, not a failed read.
    for line in std::io::BufReader::new(f).split(b'\n') {
        let line = line.map_err(|source| SpendError::Read {
            path: path.clone(),
            source,
        })?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(&line) {
            Ok(r) => ledger.records.push(r),
            Err(_) => ledger.skipped += 1,
        }
    }
    Ok(ledger)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Usage, UsageSource};
    use crate::prices::answer_cost::Cost;
    use chrono::TimeZone;

    fn rec(usd: Option<&str>) -> SpendRecord {
        SpendRecord {
            at: Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap(),
            model: "openai/gpt-4o".into(),
            usd: usd.map(|u| u.parse().unwrap()),
            source: if usd.is_some() {
                CostSource::Computed
            } else {
                CostSource::Unpriced
            },
        }
    }

    #[test]
    fn a_line_is_rfc3339_utc_with_a_decimal_string() {
        let line = serde_json::to_string(&rec(Some("0.0105"))).unwrap();
        assert_eq!(
            line,
            r#"{"at":"2026-11-21T12:00:00Z","model":"openai/gpt-4o","usd":"0.0105","source":"computed"}"#
        );
        let unpriced = serde_json::to_value(rec(None)).unwrap();
        assert_eq!(unpriced["usd"], serde_json::Value::Null);
    }

    #[test]
    fn appended_lines_read_back_and_bad_lines_are_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), Ledger::default());
        append(dir.path(), &[rec(Some("0.01")), rec(None)]).unwrap();
        // A crash mid-line, then garbage and a blank line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(path(dir.path()))
            .unwrap();
        f.write_all(b"not json\n\n\xff\xfe\n{\"at\":\"2026-11-2")
            .unwrap();
        drop(f);
        append(dir.path(), &[rec(Some("0.02"))]).unwrap();
        let l = read(dir.path()).unwrap();
        assert_eq!(l.records, [rec(Some("0.01")), rec(None), rec(Some("0.02"))]);
        assert_eq!(l.skipped, 3);
    }

    #[test]
    fn only_answers_the_provider_processed_are_recorded() {
        let at = Utc::now();
        let mut s = TargetSummary {
            model: "openai/gpt-4o".into(),
            status: TargetStatus::Error,
            text: String::new(),
            reasoning: String::new(),
            finish_reason: None,
            usage: Usage {
                source: UsageSource::Estimated,
                ..Usage::default()
            },
            cost: Cost {
                usd: Some(Decimal::ZERO),
                source: CostSource::Estimated,
                ..Cost::unpriced()
            },
            metrics: Default::default(),
            error: None,
            hint: None,
        };
        // Refused before any token: nothing processed, nothing billed.
        assert_eq!(SpendRecord::of(&s, at), None);
        // Cut short after the prompt was read: billed, and recorded as priced.
        s.usage.input_tokens = 12;
        s.cost.usd = Some("0.00003".parse().unwrap());
        let r = SpendRecord::of(&s, at).unwrap();
        assert_eq!(r.usd, s.cost.usd);
        assert_eq!(r.source, CostSource::Estimated);
        // A finished answer is always recorded, unpriced ones as unpriced.
        s.status = TargetStatus::Ok;
        s.cost = Cost::unpriced();
        assert_eq!(SpendRecord::of(&s, at).unwrap().usd, None);
    }
}
