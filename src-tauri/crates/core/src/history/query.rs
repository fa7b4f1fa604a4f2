//! Reading the history: pages of runs (newest first, filtered, searched) and whole runs.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

use super::model::{
    ResponseRecord, ResponseStatus, RouteInfo, RunDetail, RunPage, RunQuery, RunSource, RunSummary,
    SUMMARY_PROMPT_CHARS,
};
use super::{time, History, HistoryError};
use crate::chat::{FinishReason, Usage, UsageSource};
use crate::error::{ErrorInfo, ErrorKind, TimeoutPhase};
use crate::prices::answer_cost::{Cost, CostSource};

/// Turns the user's words into an FTS5 query that cannot be a syntax error: each word
/// is a quoted phrase (so `AND`, `*`, `-`, `(`, `"` mean nothing), all must match, and
/// the last is a prefix so results come while typing. `None` when no word is left.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        // A word with no letter or digit tokenizes to nothing; FTS5 would reject it.
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let (last, rest) = words.split_last()?;
    let mut q = rest.join(" ");
    if !q.is_empty() {
        q.push(' ');
    }
    q.push_str(last);
    q.push('*');
    Some(q)
}

/// The filter every query has: deleted runs are hidden.
const LIVE: &str = "r.deleted_at IS NULL";

/// The filters of `q` other than text, as SQL over `runs r` and its parameters.
fn filters(q: &RunQuery) -> Result<(String, Vec<Value>), HistoryError> {
    let mut sql = String::from(LIVE);
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |sql: &mut String, clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(m) = q.model.as_deref().filter(|s| !s.is_empty()) {
        arg(
            &mut sql,
            " AND r.id IN (SELECT run_id FROM responses WHERE model = ?)",
            Value::Text(m.into()),
        );
    }
    if let Some(p) = q.provider.as_deref().filter(|s| !s.is_empty()) {
        arg(
            &mut sql,
            " AND r.id IN (SELECT run_id FROM responses WHERE provider = ?)",
            Value::Text(p.into()),
        );
    }
    let (from, to) = time::local_range(q.from.as_deref(), q.to.as_deref())?;
    if let Some(f) = from {
        arg(&mut sql, " AND r.created_at >= ?", Value::Text(f));
    }
    if let Some(t) = to {
        arg(&mut sql, " AND r.created_at < ?", Value::Text(t));
    }
    if q.starred {
        sql.push_str(" AND r.starred = 1");
    }
    if q.with_winner {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM responses s WHERE s.run_id = r.id AND s.winner = 1)",
        );
    }
    if let Some(t) = q.tag.as_deref().filter(|s| !s.is_empty()) {
        arg(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?)",
            Value::Text(t.into()),
        );
    }
    Ok((sql, args))
}

impl History {
    /// A page of runs, newest first. Synchronous: call it off the async executor.
    pub fn list(&self, q: &RunQuery) -> Result<RunPage, HistoryError> {
        self.read(|conn| list(conn, q))
    }

    /// A whole run; `None` when there is no such run or it is deleted.
    pub fn run(&self, id: i64) -> Result<Option<RunDetail>, HistoryError> {
        self.read(|conn| detail(conn, id))
    }
}

pub(crate) fn list(conn: &Connection, q: &RunQuery) -> Result<RunPage, HistoryError> {
    let limit = q.effective_limit() as usize;
    let (mut where_sql, mut args) = filters(q)?;
    let text = q.text.as_deref().and_then(fts_query);
    // Only "not deleted": the totals can then come from counts that need not read
    // every row (the deleted runs are few and have their own index).
    let unfiltered = where_sql == LIVE;
    let (total, page): (i64, Vec<(i64, Option<String>)>) = match text {
        None => {
            let total: i64 = if unfiltered {
                conn.query_row(
                    "SELECT (SELECT count(*) FROM runs) \
                     - (SELECT count(*) FROM runs WHERE deleted_at IS NOT NULL)",
                    [],
                    |r| r.get(0),
                )?
            } else {
                conn.query_row(
                    &format!("SELECT count(*) FROM runs r WHERE {where_sql}"),
                    params_from_iter(args.iter()),
                    |r| r.get(0),
                )?
            };
            if let Some(b) = q.before {
                args.push(Value::Integer(b));
                where_sql.push_str(&format!(" AND r.id < ?{}", args.len()));
            }
            args.push(Value::Integer(limit as i64 + 1));
            let sql = format!(
                "SELECT r.id FROM runs r WHERE {where_sql} ORDER BY r.id DESC LIMIT ?{}",
                args.len()
            );
            let ids = conn
                .prepare(&sql)?
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok((r.get::<_, i64>(0)?, None))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            (total, ids)
        }
        Some(fts) => {
            args.push(Value::Text(fts));
            let m = args.len();
            let total: i64 = if unfiltered {
                conn.query_row(
                    &format!(
                        "SELECT (SELECT count(*) FROM search WHERE search MATCH ?{m}) \
                         - (SELECT count(*) FROM runs r WHERE r.deleted_at IS NOT NULL AND \
                         EXISTS (SELECT 1 FROM search WHERE search MATCH ?{m} AND rowid = r.id))"
                    ),
                    params_from_iter(args.iter()),
                    |r| r.get(0),
                )?
            } else {
                conn.query_row(
                    &format!(
                        "SELECT count(*) FROM search s CROSS JOIN runs r ON r.id = s.rowid \
                         WHERE search MATCH ?{m} AND {where_sql}"
                    ),
                    params_from_iter(args.iter()),
                    |r| r.get(0),
                )?
            };
            // Walk the matches newest first (rowid = run id) and stop after one page,
            // however many runs match. CROSS JOIN keeps the search outermost.
            let mut sql = format!(
                "SELECT s.rowid, snippet(search, 0, '', '', '…', 12) FROM search s \
                 CROSS JOIN runs r ON r.id = s.rowid \
                 WHERE search MATCH ?{m} AND {where_sql}"
            );
            if let Some(b) = q.before {
                args.push(Value::Integer(b));
                sql.push_str(&format!(" AND s.rowid < ?{}", args.len()));
            }
            args.push(Value::Integer(limit as i64 + 1));
            sql.push_str(&format!(" ORDER BY s.rowid DESC LIMIT ?{}", args.len()));
            let page = conn
                .prepare(&sql)?
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            (total, page)
        }
    };
    let total = u64::try_from(total).unwrap_or(0);
    let more = page.len() > limit;
    let page = &page[..page.len().min(limit)];
    let mut runs = summaries(conn, &page.iter().map(|(id, _)| *id).collect::<Vec<_>>())?;
    for (run, (_, snippet)) in runs.iter_mut().zip(page) {
        // One line: the excerpt spans the prompt and answers, and a list shows it in
        // one row.
        run.snippet = snippet
            .as_deref()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Ok(RunPage {
        next: if more {
            runs.last().map(|r| r.id)
        } else {
            None
        },
        runs,
        total,
    })
}

fn truncate(s: &str, chars: usize) -> String {
    match s.char_indices().nth(chars) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// Summaries of `ids`, in that order (missing ids are skipped).
pub(crate) fn summaries(conn: &Connection, ids: &[i64]) -> Result<Vec<RunSummary>, HistoryError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut by_id: HashMap<i64, RunSummary> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT id, created_at, source, title, substr(prompt, 1, {SUMMARY_PROMPT_CHARS}), starred \
         FROM runs WHERE id IN ({list})"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let source: String = r.get(2)?;
        let prompt: String = r.get(4)?;
        by_id.insert(
            id,
            RunSummary {
                id,
                created_at: r.get(1)?,
                source: RunSource::parse(&source).unwrap_or(RunSource::App),
                title: r.get(3)?,
                prompt: truncate(&prompt, SUMMARY_PROMPT_CHARS),
                models: Vec::new(),
                cost_usd: None,
                unpriced: 0,
                starred: r.get(5)?,
                tags: Vec::new(),
                winner: None,
                interrupted: 0,
                streaming: 0,
                snippet: None,
            },
        );
    }
    let mut costs: HashMap<i64, Decimal> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT run_id, model, status, cost_usd, cost_source, winner FROM responses \
         WHERE run_id IN ({list}) ORDER BY run_id, position"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let Some(s) = by_id.get_mut(&r.get::<_, i64>(0)?) else {
            continue;
        };
        let model: String = r.get(1)?;
        match ResponseStatus::parse(&r.get::<_, String>(2)?) {
            Some(ResponseStatus::Interrupted) => s.interrupted += 1,
            Some(ResponseStatus::Streaming) => s.streaming += 1,
            _ => {}
        }
        let cost: Option<String> = r.get(3)?;
        let source: Option<String> = r.get(4)?;
        match cost.and_then(|c| c.parse::<Decimal>().ok()) {
            Some(c) => *costs.entry(s.id).or_default() += c,
            None if source.as_deref() == Some("unpriced") => s.unpriced += 1,
            None => {}
        }
        if r.get::<_, bool>(5)? {
            s.winner = Some(model.clone());
        }
        s.models.push(model);
    }
    for (id, c) in costs {
        if let Some(s) = by_id.get_mut(&id) {
            s.cost_usd = Some(c.normalize().to_string());
        }
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT run_id, tag FROM run_tags WHERE run_id IN ({list}) ORDER BY run_id, tag"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(s) = by_id.get_mut(&r.get::<_, i64>(0)?) {
            s.tags.push(r.get(1)?);
        }
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// prompt, system, notes, parent_id.
type RunHead = (String, Option<String>, Option<String>, Option<i64>);

pub(crate) fn detail(conn: &Connection, id: i64) -> Result<Option<RunDetail>, HistoryError> {
    let head: Option<RunHead> = conn
        .query_row(
            "SELECT prompt, system, notes, parent_id FROM runs \
             WHERE id = ?1 AND deleted_at IS NULL",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((prompt, system, notes, parent_id)) = head else {
        return Ok(None);
    };
    let Some(summary) = summaries(conn, &[id])?.pop() else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RESPONSE_COLUMNS} FROM responses WHERE run_id = ?1 ORDER BY position"
    ))?;
    let responses = stmt
        .query_map([id], response)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(RunDetail {
        summary,
        prompt,
        system,
        notes,
        parent_id,
        responses,
    }))
}

const RESPONSE_COLUMNS: &str = "id, position, model, params, system, messages, text, reasoning, \
    status, finish_reason, error_kind, error_message, error_status, error_phase, retry_after, \
    input_tokens, cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, \
    reasoning_tokens, usage_source, cost_usd, cost_source, cost_free, price_version, price_key, \
    ttft_ms, total_ms, winner, rating, alias, deployment, attempts, client";

/// A serde `snake_case` name back to its enum.
fn from_str<T: serde::de::DeserializeOwned>(s: Option<String>) -> Option<T> {
    s.and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok())
}

fn json_col<T: serde::de::DeserializeOwned + Default>(text: String) -> T {
    // A value this build cannot read shows as empty rather than hiding the whole run.
    serde_json::from_str(&text).unwrap_or_default()
}

fn uint(v: Option<i64>) -> Option<u64> {
    v.and_then(|n| u64::try_from(n).ok())
}

fn response(r: &Row<'_>) -> rusqlite::Result<ResponseRecord> {
    let status: String = r.get(8)?;
    let error_kind: Option<String> = r.get(10)?;
    let error = from_str::<ErrorKind>(error_kind).map(|kind| ErrorInfo {
        kind,
        message: r
            .get::<_, Option<String>>(11)
            .ok()
            .flatten()
            .unwrap_or_default(),
        status: r.get::<_, Option<u16>>(12).ok().flatten(),
        phase: from_str::<TimeoutPhase>(r.get(13).ok().flatten()),
        retry_after_s: r.get(14).ok().flatten(),
    });
    let cost_source = from_str::<CostSource>(r.get(23)?);
    let cost_usd: Option<Decimal> = r.get::<_, Option<String>>(22)?.and_then(|c| c.parse().ok());
    let usage_source = from_str::<UsageSource>(r.get(21)?);
    let usage = match (uint(r.get(15)?), uint(r.get(19)?)) {
        (Some(input), Some(output)) => Some(Usage {
            input_tokens: input,
            cached_input_tokens: uint(r.get(16)?).unwrap_or(0),
            cache_write_tokens: uint(r.get(17)?).unwrap_or(0),
            cache_write_1h_tokens: uint(r.get(18)?).unwrap_or(0),
            output_tokens: output,
            reasoning_tokens: uint(r.get(20)?).unwrap_or(0),
            source: usage_source.unwrap_or_default(),
            cost_usd: cost_usd.filter(|_| cost_source == Some(CostSource::Reported)),
        }),
        _ => None,
    };
    let cost = cost_source.map(|source| Cost {
        usd: cost_usd,
        source,
        free: r.get(24).unwrap_or(false),
        price_version: r.get(25).ok().flatten(),
        price_key: r.get(26).ok().flatten(),
        breakdown: None,
    });
    Ok(ResponseRecord {
        id: r.get(0)?,
        position: r.get(1)?,
        model: r.get(2)?,
        params: json_col(r.get(3)?),
        system: r.get(4)?,
        messages: json_col(r.get(5)?),
        text: r.get(6)?,
        reasoning: r.get(7)?,
        status: ResponseStatus::parse(&status).unwrap_or(ResponseStatus::Interrupted),
        finish_reason: from_str::<FinishReason>(r.get(9)?),
        error,
        usage,
        cost,
        ttft_ms: uint(r.get(27)?),
        total_ms: uint(r.get(28)?),
        winner: r.get(29)?,
        rating: r.get(30)?,
        route: match r.get::<_, Option<String>>(31)? {
            Some(alias) => Some(RouteInfo {
                alias,
                deployment: r.get(32)?,
                attempts: r.get::<_, Option<u32>>(33)?.unwrap_or(1),
                client: r.get(34)?,
            }),
            None => None,
        },
    })
}
