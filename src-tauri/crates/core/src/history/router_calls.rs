//! Calls served by the local router, saved as runs of their own (source `router`, one
//! response each) so they show in the history, the search, the stats and the spend
//! tallies beside the playground's runs.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::model::RunSource;
use super::{time, writer, History, HistoryError};
use crate::chat::{ChatRequest, ModelId, Role};
use crate::runner::TargetSummary;

/// One finished router call, as the router's accounting hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouterCall {
    /// The `model` the client sent.
    pub alias: String,
    /// The deployment that answered (or the last one tried); `None` when the call
    /// never reached one (a spend cap, an unknown alias).
    pub deployment: Option<String>,
    /// Upstream calls made, retries and fallbacks included.
    pub attempts: u32,
    /// The client's `User-Agent`.
    pub client: Option<String>,
    /// What the client sent.
    pub request: ChatRequest,
    pub stream: bool,
    /// The status the router answered with.
    pub http_status: u16,
    /// The answer: `model` is the deployment (or the alias), with its text, usage,
    /// cost, timing and error.
    pub summary: TargetSummary,
}

impl History {
    /// Saves finished router calls in one transaction. Blocking: the router calls it
    /// from its accounting thread, never from a request.
    pub fn record_router_calls(&self, calls: Vec<RouterCall>) -> Result<(), HistoryError> {
        if calls.is_empty() {
            return Ok(());
        }
        self.write(move |conn| {
            let tx = conn.transaction()?;
            for call in &calls {
                insert(&tx, call)?;
            }
            tx.commit()?;
            Ok(())
        })
    }
}

fn insert(conn: &rusqlite::Connection, call: &RouterCall) -> Result<(), HistoryError> {
    let now = time::now();
    let req = &call.request;
    let prompt = req
        .messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .map(|m| m.content.as_str())
        .unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO runs (created_at, source, title, prompt, system) VALUES (?1, ?2, NULL, ?3, ?4)",
    )?
    .execute(params![now, RunSource::Router.as_str(), prompt, req.system])?;
    let run_id = conn.last_insert_rowid();
    let model = &call.summary.model;
    let provider = ModelId::parse(model).map(|m| m.provider).unwrap_or("");
    conn.prepare_cached(
        "INSERT INTO responses (run_id, position, model, provider, params, system, messages, \
         status, started_at, updated_at, alias, deployment, attempts, client) \
         VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, 'streaming', ?7, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        run_id,
        model,
        provider,
        serde_json::to_string(&req.params)?,
        req.system,
        serde_json::to_string(&req.messages)?,
        started_at(&call.summary),
        call.alias,
        call.deployment,
        call.attempts,
        call.client,
    ])?;
    let id = conn.last_insert_rowid();
    writer::finish(conn, id, &call.summary, &now)
}

/// When the call began: now minus its duration.
fn started_at(s: &TargetSummary) -> String {
    let total = chrono::Duration::milliseconds(i64::try_from(s.metrics.total_ms).unwrap_or(0));
    time::format(chrono::Utc::now() - total)
}

impl History {
    /// What router calls that ended at or after `since` cost, by alias (unpriced calls
    /// count nothing). Seeds the router's spend caps when it starts.
    pub fn router_spend_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::collections::BTreeMap<String, rust_decimal::Decimal>, HistoryError> {
        let since = time::format(since);
        self.read(move |conn| {
            let mut out = std::collections::BTreeMap::new();
            let mut stmt = conn.prepare_cached(
                "SELECT alias, cost_usd FROM responses \
                 WHERE alias IS NOT NULL AND cost_usd IS NOT NULL AND ended_at >= ?1",
            )?;
            let mut rows = stmt.query([since])?;
            while let Some(r) = rows.next()? {
                let alias: String = r.get(0)?;
                let usd: String = r.get(1)?;
                if let Ok(d) = usd.parse::<rust_decimal::Decimal>() {
                    *out.entry(alias).or_default() += d;
                }
            }
            Ok(out)
        })
    }
}
