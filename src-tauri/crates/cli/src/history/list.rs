//! `switchboard history list` and `switchboard history search`: runs newest first, as a
//! table or as the core's `RunPage`.

use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};
use switchboard_core::history::{History, RunPage, RunQuery, MAX_LIMIT};

use super::open::open;
use super::output::{first_line, json, local_time, marks, say, total_cost};
use super::{Failure, Filters};
use crate::price_book::load_currency;

/// Rows shown when `--limit` is not given: a screenful.
const DEFAULT_ROWS: u32 = 20;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the core's `RunPage` as one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
    /// How many runs, newest first
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ROWS)]
    pub limit: u32,
    #[command(flatten)]
    pub filters: Filters,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find in prompts and answers (all must match; the last may be a prefix)
    pub query: String,
    /// Print the core's `RunPage` as one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
    /// How many runs, newest first
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ROWS)]
    pub limit: u32,
    #[command(flatten)]
    pub filters: Filters,
}

pub fn list(a: ListArgs) -> Result<(), Failure> {
    let history = open()?;
    let page = fetch(&history, a.filters.query(None), a.limit)?;
    print(&page, a.json, false)
}

pub fn search(a: SearchArgs) -> Result<(), Failure> {
    if !a.query.chars().any(char::is_alphanumeric) {
        return Err(Failure::usage(
            "the search has no word to look for (letters or digits)",
        ));
    }
    let history = open()?;
    let page = fetch(&history, a.filters.query(Some(a.query)), a.limit)?;
    print(&page, a.json, true)
}

/// Up to `limit` runs, walking the core's pages (each at most [`MAX_LIMIT`]).
fn fetch(history: &History, mut q: RunQuery, limit: u32) -> Result<RunPage, Failure> {
    if limit == 0 {
        return Err(Failure::usage("--limit must be at least 1"));
    }
    let mut runs = Vec::new();
    loop {
        q.limit = (limit - runs.len() as u32).min(MAX_LIMIT);
        let page = history.list(&q)?;
        runs.extend(page.runs);
        match page.next {
            Some(next) if (runs.len() as u32) < limit => q.before = Some(next),
            next => {
                return Ok(RunPage {
                    runs,
                    total: page.total,
                    next,
                })
            }
        }
    }
}

fn print(page: &RunPage, as_json: bool, searching: bool) -> Result<(), Failure> {
    if as_json {
        return json(page);
    }
    if page.runs.is_empty() {
        say(if searching {
            "No run matches."
        } else {
            "No runs saved yet: `switchboard compare` and the app save every comparison."
        });
        return Ok(());
    }
    let currency = load_currency();
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let last = if searching { "match" } else { "prompt" };
    table.set_header(["id", "when", "models", "cost", "marks", last]);
    for r in &page.runs {
        let text = match (&r.snippet, &r.title) {
            (Some(s), _) if searching => first_line(s, 80),
            (_, Some(t)) => first_line(t, 60),
            _ => first_line(&r.prompt, 60),
        };
        table.add_row(vec![
            Cell::new(r.id).set_alignment(CellAlignment::Right),
            Cell::new(local_time(&r.created_at)),
            Cell::new(r.models.join("\n")),
            Cell::new(total_cost(
                r.cost_usd.as_deref(),
                u64::from(r.unpriced),
                &currency,
            ))
            .set_alignment(CellAlignment::Right),
            Cell::new(marks(r)),
            Cell::new(text),
        ]);
    }
    say(&table.to_string());
    let shown = page.runs.len() as u64;
    if shown < page.total {
        say(&format!(
            "{shown} of {} runs; --limit N shows more, `switchboard history show ID` opens one",
            page.total
        ));
    }
    Ok(())
}
