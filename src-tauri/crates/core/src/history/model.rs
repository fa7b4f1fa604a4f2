//! The history's public types: what the app, the CLI and the UI read and send.

use serde::{Deserialize, Deserializer, Serialize};
use ts_rs::TS;

use crate::chat::{FinishReason, Message, Params, Usage};
use crate::error::ErrorInfo;
use crate::prices::answer_cost::Cost;
use crate::runner::{CompareRequest, TargetStatus};

/// Who started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RunSource {
    App,
    Cli,
    Router,
}

/// Where a response stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Being written by a live process.
    Streaming,
    Ok,
    Error,
    Cancelled,
    /// Cut by a crash or kill of the process that was writing it; the partial text is kept.
    Interrupted,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Streaming => "streaming",
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Cancelled => "cancelled",
            Self::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "streaming" => Self::Streaming,
            "ok" => Self::Ok,
            "error" => Self::Error,
            "cancelled" => Self::Cancelled,
            "interrupted" => Self::Interrupted,
            _ => return None,
        })
    }
}

impl From<TargetStatus> for ResponseStatus {
    fn from(s: TargetStatus) -> Self {
        match s {
            TargetStatus::Ok => Self::Ok,
            TargetStatus::Error => Self::Error,
            TargetStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl RunSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Cli => "cli",
            Self::Router => "router",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "app" => Self::App,
            "cli" => Self::Cli,
            "router" => Self::Router,
            _ => return None,
        })
    }
}

/// Which runs to list. Every field may be left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RunQuery {
    /// Full-text search over prompts and answers; the user's words, never FTS syntax.
    pub text: Option<String>,
    /// Exact model id, e.g. `openai/gpt-4o`.
    pub model: Option<String>,
    /// `openai`, `anthropic`, …
    pub provider: Option<String>,
    /// `YYYY-MM-DD`, local date, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, local date, inclusive.
    pub to: Option<String>,
    pub starred: bool,
    pub with_winner: bool,
    pub tag: Option<String>,
    /// Cursor: only runs with `id < before`.
    #[ts(type = "number | null")]
    pub before: Option<i64>,
    /// 0 → [`DEFAULT_LIMIT`]; capped at [`MAX_LIMIT`].
    pub limit: u32,
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

impl RunQuery {
    pub(crate) fn effective_limit(&self) -> u32 {
        match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        }
    }
}

/// One page of runs, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunPage {
    pub runs: Vec<RunSummary>,
    /// How many runs match the query (all pages).
    #[ts(type = "number")]
    pub total: u64,
    /// The `before` of the next page; `None` on the last.
    #[ts(type = "number | null")]
    pub next: Option<i64>,
}

/// A run as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunSummary {
    #[ts(type = "number")]
    pub id: i64,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub source: RunSource,
    /// User-set; the UI shows the prompt's first line otherwise.
    pub title: Option<String>,
    /// The user message of this turn, at most [`SUMMARY_PROMPT_CHARS`] characters here.
    pub prompt: String,
    /// In column order.
    pub models: Vec<String>,
    /// Sum of the priced responses, a decimal string; `None` when none is priced.
    pub cost_usd: Option<String>,
    /// Responses with no known price (never counted as $0).
    pub unpriced: u32,
    pub starred: bool,
    pub tags: Vec<String>,
    /// The winning response's model.
    pub winner: Option<String>,
    /// Responses cut by a crash or kill.
    pub interrupted: u32,
    /// Responses still being written by a live process.
    pub streaming: u32,
    /// For a text query: a short plain-text excerpt around the match.
    pub snippet: Option<String>,
}

pub const SUMMARY_PROMPT_CHARS: usize = 300;

/// A run, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunDetail {
    pub summary: RunSummary,
    /// Full.
    pub prompt: String,
    /// The request's shared system prompt.
    pub system: Option<String>,
    pub notes: Option<String>,
    /// The run this one continues (next turn) or re-runs.
    #[ts(type = "number | null")]
    pub parent_id: Option<i64>,
    pub responses: Vec<ResponseRecord>,
}

/// One target's answer, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseRecord {
    #[ts(type = "number")]
    pub id: i64,
    /// Column / target index.
    pub position: u32,
    pub model: String,
    pub params: Params,
    /// What this target was sent.
    pub system: Option<String>,
    /// The whole conversation this target was sent.
    pub messages: Vec<Message>,
    pub text: String,
    pub reasoning: String,
    pub status: ResponseStatus,
    pub finish_reason: Option<FinishReason>,
    pub error: Option<ErrorInfo>,
    pub usage: Option<Usage>,
    /// With its source and price version (the per-token breakdown is not kept).
    pub cost: Option<Cost>,
    #[ts(type = "number | null")]
    pub ttft_ms: Option<u64>,
    #[ts(type = "number | null")]
    pub total_ms: Option<u64>,
    pub winner: bool,
    /// 1..=5.
    pub rating: Option<u8>,
    /// How the local router served it; `None` for the playground and the CLI.
    #[serde(default)]
    pub route: Option<RouteInfo>,
}

/// A router call's route: what the client asked for and what answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RouteInfo {
    /// The `model` the client sent (a setup's alias).
    pub alias: String,
    /// The deployment that answered, or the last one tried.
    pub deployment: Option<String>,
    /// Calls made upstream, retries and fallbacks included.
    pub attempts: u32,
    /// The client's `User-Agent`.
    pub client: Option<String>,
}

/// A change to a run; absent fields are left as they are. `title: null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct RunEdit {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub starred: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub notes: Option<Option<String>>,
    /// Replaces every tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tags: Option<Vec<String>>,
}

/// [`RunEdit`] as it arrives: kept apart so ts-rs never sees `deserialize_with`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RawEdit {
    #[serde(deserialize_with = "present")]
    title: Option<Option<String>>,
    starred: Option<bool>,
    #[serde(deserialize_with = "present")]
    notes: Option<Option<String>>,
    tags: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for RunEdit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RawEdit::deserialize(d)?;
        Ok(Self {
            title: r.title,
            starred: r.starred,
            notes: r.notes,
            tags: r.tags,
        })
    }
}

/// Tells `"title": null` (clear it) from a missing `title` (leave it): serde's default
/// reads both as `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// How stats are grouped. Day, week and month are local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatsBy {
    Model,
    Provider,
    Day,
    Week,
    Month,
}

/// One group of finished responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatsRow {
    /// The model, the provider, `2026-11-21`, `2026-W47` or `2026-11`.
    pub key: String,
    #[ts(type = "number")]
    pub responses: u64,
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    /// Sum of the priced responses; `None` when none is priced.
    pub cost_usd: Option<String>,
    #[ts(type = "number")]
    pub unpriced: u64,
    /// Over the priced responses only.
    pub avg_cost_usd: Option<String>,
    #[ts(type = "number")]
    pub wins: u64,
}

/// What is wrong with the history, for the UI to say and offer a way out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryProblem {
    pub kind: HistoryProblemKind,
    pub message: String,
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryProblemKind {
    /// Not a readable SQLite database: start fresh (the old file is kept).
    Corrupt,
    /// Written by a newer Switchboard: update, or start fresh.
    TooNew,
    /// The folder or file cannot be used (permissions, full disk, …).
    Unavailable,
}

/// A run about to start: what was asked, and of whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    pub source: RunSource,
    /// The user message of this turn.
    pub prompt: String,
    /// The request's shared system prompt.
    pub system: Option<String>,
    pub title: Option<String>,
    pub parent_id: Option<i64>,
    pub targets: Vec<NewTarget>,
}

/// One target of a [`NewRun`], with what it is actually sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTarget {
    pub model: String,
    /// The request's params with the target's laid over them.
    pub params: Params,
    pub system: Option<String>,
    pub messages: Vec<Message>,
}

impl NewRun {
    /// The run of a comparison: the prompt is the request's last user message, and each
    /// target keeps its effective request ([`crate::chat::Target::request_for`]).
    pub fn from_compare(req: &CompareRequest, source: RunSource) -> Self {
        let prompt = req
            .request
            .messages
            .iter()
            .rev()
            .find(|m| m.role == crate::chat::Role::User)
            .map(|m| m.content.clone())
            .unwrap_or_default();
        let targets = req
            .targets
            .iter()
            .map(|t| {
                let eff = t.request_for(&req.request);
                NewTarget {
                    model: t.model.clone(),
                    params: req.request.params.overlay(&t.params),
                    system: eff.system.clone(),
                    messages: eff.messages.clone(),
                }
            })
            .collect();
        Self {
            source,
            prompt,
            system: req.request.system.clone(),
            title: None,
            parent_id: None,
            targets,
        }
    }
}
