//! `switchboard cost`: what given token counts cost on a model, with the breakdown and
//! where the price came from.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use rust_decimal::Decimal;
use serde_json::json;
use switchboard_core::chat::{Usage, UsageSource};
use switchboard_core::prices::answer_cost::Cost;
use switchboard_core::prices::book::PriceBook;
use switchboard_core::prices::money::DisplayCurrency;

use crate::options::USAGE_ERROR;
use crate::price_book::{load_book, load_currency, per_million};

#[derive(Debug, Args)]
#[command(after_help = "\
MODEL is `provider/model` (openai/gpt-4o, anthropic/claude-sonnet-4-5, gemini/gemini-2.5-pro,
openrouter/…), or a key of LiteLLM's price map (gpt-4o, gemini/gemini-2.5-pro).

--input counts ALL prompt tokens, cached and cache-write included (as OpenAI and LiteLLM
count them); --output counts ALL completion tokens, reasoning included.")]
pub struct CostArgs {
    /// The model
    pub model: String,
    /// Prompt tokens, cached and cache-write included
    #[arg(long, value_name = "N")]
    pub input: u64,
    /// Completion tokens, reasoning included
    #[arg(long, value_name = "N")]
    pub output: u64,
    /// Of the input: read from the prompt cache
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub cached_input: u64,
    /// Of the input: written to the prompt cache (both TTLs)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub cache_write: u64,
    /// Of the cache writes: with the 1-hour TTL (Anthropic)
    #[arg(long = "cache-write-1h", value_name = "N", default_value_t = 0)]
    pub cache_write_1h: u64,
    /// Of the output: reasoning tokens
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub reasoning: u64,
    /// Price at this time (RFC 3339), for off-peak windows; default now
    #[arg(long, value_name = "TIME")]
    pub at: Option<DateTime<Utc>>,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

fn usage(a: &CostArgs) -> Result<Usage, String> {
    if a.cached_input + a.cache_write > a.input {
        return Err(
            "--cached-input and --cache-write are part of --input: together they cannot exceed it"
                .into(),
        );
    }
    if a.cache_write_1h > a.cache_write {
        return Err("--cache-write-1h is part of --cache-write: it cannot exceed it".into());
    }
    if a.reasoning > a.output {
        return Err("--reasoning is part of --output: it cannot exceed it".into());
    }
    Ok(Usage {
        input_tokens: a.input,
        cached_input_tokens: a.cached_input,
        cache_write_tokens: a.cache_write,
        cache_write_1h_tokens: a.cache_write_1h,
        output_tokens: a.output,
        reasoning_tokens: a.reasoning,
        source: UsageSource::Reported,
        cost_usd: None,
    })
}

/// "no price known for X" with the close matches and what to do.
pub fn unknown(book: &PriceBook, model: &str) -> String {
    let matches = book.close_matches(model);
    let mut msg = format!("no price known for `{model}`");
    if matches.is_empty() {
        msg.push_str(" (and no model with a similar name)");
    } else {
        msg.push_str(&format!(". Close matches: {}", matches.join(", ")));
    }
    msg.push_str(&format!(
        "\nSet your own price with `switchboard prices set {model} --input USD_PER_M --output USD_PER_M`"
    ));
    if model.starts_with("openrouter/") {
        msg.push_str(", or fetch OpenRouter's with `switchboard prices refresh`");
    }
    msg
}

pub fn run(a: CostArgs) -> ExitCode {
    let usage = match usage(&a) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let book = load_book();
    let cost = book.cost(&a.model, &usage, a.at.unwrap_or_else(Utc::now));
    if cost.usd.is_none() {
        eprintln!("error: {}", unknown(&book, &a.model));
        return ExitCode::FAILURE;
    }
    let currency = load_currency();
    if a.json {
        println!("{}", cost_json(&a.model, &cost, &currency));
    } else {
        print_text(&a.model, &usage, &cost, &currency);
    }
    ExitCode::SUCCESS
}

pub fn cost_json(model: &str, cost: &Cost, currency: &DisplayCurrency) -> serde_json::Value {
    let mut v = json!({
        "model": model,
        "usd": cost.usd.map(|d| d.normalize().to_string()),
        "source": cost.source.as_str(),
        "free": cost.free,
        "price_version": cost.price_version,
        "price_key": cost.price_key,
        "breakdown": cost.breakdown,
        "display": cost.display(currency),
    });
    if !currency.is_usd() {
        v["currency"] = json!({
            "code": currency.code,
            "per_usd": currency.per_usd.to_string(),
            "amount": cost.usd.map(|d| (d * currency.per_usd).normalize().to_string()),
        });
    }
    v
}

fn print_text(model: &str, u: &Usage, cost: &Cost, cur: &DisplayCurrency) {
    println!("{model}: {}", cost.display(cur));
    if let Some(b) = cost.breakdown.as_ref().filter(|_| !cost.free) {
        let r = &b.rates;
        let rows: [(&str, u64, Decimal, Decimal); 5] = [
            (
                "input",
                u.input_tokens - u.cached_input_tokens - u.cache_write_tokens,
                r.input,
                b.input_usd,
            ),
            (
                "cached input",
                u.cached_input_tokens,
                r.cached_input,
                b.cached_input_usd,
            ),
            (
                "cache write",
                u.cache_write_tokens,
                r.cache_write,
                b.cache_write_usd,
            ),
            (
                "output",
                u.output_tokens - u.reasoning_tokens,
                r.output,
                b.output_usd,
            ),
            (
                "reasoning",
                u.reasoning_tokens,
                r.reasoning,
                b.reasoning_usd,
            ),
        ];
        for (name, n, rate, usd) in rows {
            if n > 0 {
                println!(
                    "  {name:<13}{n:>10} × {:>9}/M = {}",
                    cur.format(per_million(rate)),
                    cur.format(usd)
                );
            }
        }
        if let Some(t) = b.tier_above {
            println!("  long context: the prompt is above {t} tokens, so the whole request is billed at that tier");
        }
        if b.off_peak {
            println!("  off-peak prices");
        }
    }
    let version = cost.price_version.as_deref().unwrap_or("?");
    match &cost.price_key {
        Some(k) => println!("  {} from {version} (entry `{k}`)", cost.source.as_str()),
        None => println!("  {} from {version}", cost.source.as_str()),
    }
    if !cur.is_usd() {
        if let Some(usd) = cost.usd {
            println!(
                "  = {} at {} {} per US dollar",
                switchboard_core::prices::money::format_usd(usd),
                cur.per_usd,
                cur.code
            );
        }
    }
}
