//! Spend over time: sums of finished responses by model, provider, day, week or month,
//! and the playground's tallies. Money is summed from the stored decimal strings with
//! `Decimal` (exact), never in SQL floats; unpriced responses are counted apart.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::Connection;
use rust_decimal::Decimal;

use super::model::{StatsBy, StatsRow};
use super::{time, History, HistoryError};
use crate::prices::answer_cost::CostSource;
use crate::spend::{Ledger, SpendRecord, SpendTotals};

#[derive(Default)]
struct Acc {
    responses: u64,
    input: u64,
    output: u64,
    usd: Decimal,
    priced: u64,
    unpriced: u64,
    wins: u64,
}

/// `decimal_sum(text)`: the exact sum of decimal strings, as a decimal string; NULL
/// when no value was a decimal (all unpriced). Summing in SQL keeps a year of responses
/// one grouped query instead of a row-by-row walk in Rust.
struct DecimalSum;

impl Aggregate<Option<Decimal>, Option<String>> for DecimalSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Decimal>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<Decimal>) -> rusqlite::Result<()> {
        if let Some(d) = ctx
            .get::<Option<String>>(0)?
            .and_then(|s| s.parse::<Decimal>().ok())
        {
            let sum = acc.unwrap_or_default().checked_add(d).ok_or_else(|| {
                rusqlite::Error::UserFunctionError("decimal_sum overflowed".into())
            })?;
            *acc = Some(sum);
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<Decimal>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.flatten().map(|d| d.normalize().to_string()))
    }
}

/// Adds `decimal_sum` to a connection.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function(
        "decimal_sum",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        DecimalSum,
    )
}

impl History {
    /// Finished responses of runs created between the local dates `from` and `to`
    /// (inclusive, `YYYY-MM-DD`, either open), grouped by `by`. Deleted runs are left
    /// out. Times sort oldest first; models and providers by spend, the largest first.
    pub fn stats(
        &self,
        by: StatsBy,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<StatsRow>, HistoryError> {
        let (from, to) = time::local_range(from, to)?;
        // SQL groups by model, provider or local day; weeks and months are merged from
        // days here (a few hundred rows), where ISO weeks are easy to get right.
        let key = match by {
            StatsBy::Model => "s.model",
            StatsBy::Provider => "s.provider",
            StatsBy::Day | StatsBy::Week | StatsBy::Month => "date(r.created_at, 'localtime')",
        };
        // INDEXED BY: the planner would rather walk the model index to skip a sort, then
        // read every (large) response row; the covering index never touches them.
        let rows: Vec<(String, Acc)> = self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {key}, count(*), total(s.input_tokens), total(s.output_tokens), \
                 decimal_sum(s.cost_usd), count(s.cost_usd), \
                 sum(s.cost_usd IS NULL AND s.cost_source = 'unpriced'), sum(s.winner) \
                 FROM responses s INDEXED BY responses_stats JOIN runs r ON r.id = s.run_id \
                 WHERE r.deleted_at IS NULL AND s.status != 'streaming' \
                 AND (?1 IS NULL OR r.created_at >= ?1) AND (?2 IS NULL OR r.created_at < ?2) \
                 GROUP BY 1"
            ))?;
            let rows = stmt
                .query_map([from, to], |r| {
                    let n = |i: usize| -> rusqlite::Result<u64> {
                        Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
                    };
                    let usd: Option<String> = r.get(4)?;
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        Acc {
                            responses: n(1)?,
                            input: r.get::<_, f64>(2)?.max(0.0) as u64,
                            output: r.get::<_, f64>(3)?.max(0.0) as u64,
                            usd: usd.and_then(|u| u.parse().ok()).unwrap_or_default(),
                            priced: n(5)?,
                            unpriced: n(6)?,
                            wins: n(7)?,
                        },
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
        for (day, a) in rows {
            let key = match by {
                StatsBy::Week => match NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                    Ok(d) => {
                        let w = d.iso_week();
                        format!("{}-W{:02}", w.year(), w.week())
                    }
                    Err(_) => day,
                },
                StatsBy::Month => day.chars().take(7).collect(),
                _ => day,
            };
            let g = groups.entry(key).or_default();
            g.responses += a.responses;
            g.input += a.input;
            g.output += a.output;
            g.usd += a.usd;
            g.priced += a.priced;
            g.unpriced += a.unpriced;
            g.wins += a.wins;
        }
        let mut out: Vec<(Decimal, StatsRow)> = groups
            .into_iter()
            .map(|(key, a)| {
                let priced = a.priced > 0;
                let row = StatsRow {
                    key,
                    responses: a.responses,
                    input_tokens: a.input,
                    output_tokens: a.output,
                    cost_usd: priced.then(|| a.usd.normalize().to_string()),
                    unpriced: a.unpriced,
                    avg_cost_usd: priced
                        .then(|| (a.usd / Decimal::from(a.priced)).normalize().to_string()),
                    wins: a.wins,
                };
                (a.usd, row)
            })
            .collect();
        if matches!(by, StatsBy::Model | StatsBy::Provider) {
            // Stable: equal spends stay in key order.
            out.sort_by_key(|(usd, _)| std::cmp::Reverse(*usd));
        }
        Ok(out.into_iter().map(|(_, row)| row).collect())
    }

    /// Today's, this month's and each model's spend as of `now` (its time zone), in the
    /// shape the playground shows — computed from the history, so it can replace
    /// `spend.jsonl`. Counts what the spend ledger counted: every finished answer, and
    /// an unfinished one only when the provider processed tokens.
    pub fn spend_totals<Tz: TimeZone>(
        &self,
        now: DateTime<Tz>,
    ) -> Result<SpendTotals, HistoryError> {
        let tz = now.timezone();
        let today = now.date_naive();
        let first = today.with_day(1).unwrap_or(today);
        let since = time::local_day_start(&tz, first);
        let ledger = self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT s.ended_at, s.model, s.cost_usd, s.cost_source FROM responses s \
                 JOIN runs r ON r.id = s.run_id \
                 WHERE r.deleted_at IS NULL AND s.ended_at >= ?1 \
                 AND s.status IN ('ok', 'error', 'cancelled') \
                 AND (s.status = 'ok' OR s.input_tokens > 0 OR s.output_tokens > 0)",
            )?;
            let mut rows = stmt.query([since])?;
            let mut ledger = Ledger::default();
            while let Some(r) = rows.next()? {
                let Some(at) = time::parse(&r.get::<_, String>(0)?) else {
                    continue;
                };
                let usd: Option<Decimal> =
                    r.get::<_, Option<String>>(2)?.and_then(|c| c.parse().ok());
                let source: Option<String> = r.get(3)?;
                let source = source
                    .and_then(|s| serde_json::from_value(serde_json::Value::String(s)).ok())
                    .unwrap_or(CostSource::Unpriced);
                ledger.records.push(SpendRecord {
                    at: at.with_timezone(&Utc),
                    model: r.get(1)?,
                    usd,
                    source,
                });
            }
            Ok(ledger)
        })?;
        Ok(SpendTotals::of(&ledger, &now))
    }
}
