//! `switchboard history stats`: spend, tokens and wins of finished answers, grouped.

use clap::{Args, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use rust_decimal::Decimal;
use switchboard_core::history::{StatsBy, StatsRow};
use switchboard_core::prices::money::DisplayCurrency;

use super::open::open;
use super::output::{json, say, total_cost};
use super::Failure;
use crate::price_book::load_currency;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    Model,
    Provider,
    Day,
    Week,
    Month,
}

impl From<By> for StatsBy {
    fn from(b: By) -> Self {
        match b {
            By::Model => Self::Model,
            By::Provider => Self::Provider,
            By::Day => Self::Day,
            By::Week => Self::Week,
            By::Month => Self::Month,
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// How to group: models and providers by spend, the largest first; days, weeks
    /// (ISO) and months oldest first, in local time
    #[arg(long, value_enum, default_value = "model")]
    pub by: By,
    /// Only runs from this local date on
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::day)]
    pub from: Option<String>,
    /// Only runs up to and including this local date
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::day)]
    pub to: Option<String>,
    /// Print the core's rows as one JSON array instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: StatsArgs) -> Result<(), Failure> {
    let history = open()?;
    let rows = history.stats(a.by.into(), a.from.as_deref(), a.to.as_deref())?;
    if a.json {
        return json(&rows);
    }
    if rows.is_empty() {
        say("No finished answers in the history yet.");
        return Ok(());
    }
    say(&table(&rows, a.by, &load_currency()));
    if rows.iter().any(|r| r.unpriced > 0) {
        say(
            "unpriced: answers of models with no known price, not counted in the cost; \
             `switchboard prices set` gives a model your own price",
        );
    }
    Ok(())
}

fn table(rows: &[StatsRow], by: By, currency: &DisplayCurrency) -> String {
    let key = match by {
        By::Model => "model",
        By::Provider => "provider",
        By::Day => "day",
        By::Week => "week",
        By::Month => "month",
    };
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header([key, "answers", "in", "out", "cost", "avg/answer", "wins"]);
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    let mut total = Total::default();
    for r in rows {
        total.add(r);
        t.add_row(vec![
            Cell::new(&r.key),
            right(r.responses.to_string()),
            right(r.input_tokens.to_string()),
            right(r.output_tokens.to_string()),
            right(total_cost(r.cost_usd.as_deref(), r.unpriced, currency)),
            right(
                r.avg_cost_usd
                    .as_deref()
                    .and_then(|a| a.parse::<Decimal>().ok())
                    .map_or("—".to_owned(), |a| currency.format(a)),
            ),
            right(r.wins.to_string()),
        ]);
    }
    if rows.len() > 1 {
        let usd = total.priced.then(|| total.usd.normalize().to_string());
        t.add_row(vec![
            Cell::new("total"),
            right(total.responses.to_string()),
            right(total.input.to_string()),
            right(total.output.to_string()),
            right(total_cost(usd.as_deref(), total.unpriced, currency)),
            right(String::new()),
            right(total.wins.to_string()),
        ]);
    }
    t.to_string()
}

/// The sum of the rows, money added as `Decimal` (exact) from the core's strings.
#[derive(Default)]
struct Total {
    responses: u64,
    input: u64,
    output: u64,
    usd: Decimal,
    priced: bool,
    unpriced: u64,
    wins: u64,
}

impl Total {
    fn add(&mut self, r: &StatsRow) {
        self.responses += r.responses;
        self.input += r.input_tokens;
        self.output += r.output_tokens;
        if let Some(c) = r
            .cost_usd
            .as_deref()
            .and_then(|c| c.parse::<Decimal>().ok())
        {
            self.usd += c;
            self.priced = true;
        }
        self.unpriced += r.unpriced;
        self.wins += r.wins;
    }
}
