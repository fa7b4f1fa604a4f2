//! `switchboard prices`: look at, refresh and set the prices costs are computed with,
//! and the currency they are shown in.

use std::process::ExitCode;

use chrono::Utc;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde_json::json;
use switchboard_core::prices::book::PriceOrigin;
use switchboard_core::prices::money::DisplayCurrency;
use switchboard_core::prices::overrides::{Overrides, PriceOverride};
use switchboard_core::prices::refresh::RefreshOutcome;
use switchboard_core::prices::update::{refresh_all, RefreshSources};
use switchboard_core::settings::Settings;

use crate::cost::unknown;
use crate::options::{runtime, USAGE_ERROR};
use crate::price_book::{load_book, load_currency, per_million, require_data_dir};

#[derive(Debug, Args)]
pub struct PricesArgs {
    #[command(subcommand)]
    pub command: PricesCommand,
}

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// A model's prices per million tokens, context window, and where they come from
    Show {
        model: String,
        #[arg(long)]
        json: bool,
    },
    /// Fetch the newest LiteLLM price map and OpenRouter's prices into the data folder
    Refresh {
        /// Where to fetch LiteLLM's map from (default: its public address, or
        /// SWITCHBOARD_PRICES_URL)
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Skip OpenRouter's /models prices
        #[arg(long)]
        no_openrouter: bool,
        #[arg(long)]
        json: bool,
    },
    /// Which price catalog is in use, and your own prices
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Set your own price for a model (USD per million tokens); it wins over the catalog
    Set(SetArgs),
    /// Remove your own price for a model
    Unset { model: String },
    /// Show or set the currency costs are shown in: `prices currency EUR --rate 0.92`
    Currency {
        /// ISO code (USD, EUR, INR, …); omit to show the current one
        code: Option<String>,
        /// Units of the currency per US dollar
        #[arg(long, value_name = "RATE")]
        rate: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SetArgs {
    pub model: String,
    /// USD per million input tokens
    #[arg(long, value_name = "USD")]
    pub input: Decimal,
    /// USD per million output tokens
    #[arg(long, value_name = "USD")]
    pub output: Decimal,
    /// USD per million cached input tokens (default: the input price)
    #[arg(long, value_name = "USD")]
    pub cached_input: Option<Decimal>,
    /// USD per million cache-write tokens (default: the input price)
    #[arg(long, value_name = "USD")]
    pub cache_write: Option<Decimal>,
    /// USD per million reasoning tokens (default: the output price)
    #[arg(long, value_name = "USD")]
    pub reasoning: Option<Decimal>,
    /// The context window, in tokens
    #[arg(long, value_name = "TOKENS")]
    pub context: Option<u64>,
}

pub fn run(args: PricesArgs) -> ExitCode {
    let result = match args.command {
        PricesCommand::Show { model, json } => show(&model, json),
        PricesCommand::Refresh {
            url,
            no_openrouter,
            json,
        } => refresh(url, no_openrouter, json),
        PricesCommand::Status { json } => status(json),
        PricesCommand::Set(a) => set(a),
        PricesCommand::Unset { model } => unset(&model),
        PricesCommand::Currency { code, rate } => currency(code, rate),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn origin(o: PriceOrigin) -> &'static str {
    match o {
        PriceOrigin::Override => "your price",
        PriceOrigin::Openrouter => "OpenRouter /models",
        PriceOrigin::Catalog => "LiteLLM price map",
        PriceOrigin::Local => "local model",
    }
}

fn show(model: &str, as_json: bool) -> Result<ExitCode, String> {
    let book = load_book();
    // An entry without both prices is as good as none: never shown as a price.
    let Some(found) = book.find(model).filter(|f| f.entry.is_priced()) else {
        return Err(unknown(&book, model));
    };
    let e = &found.entry;
    let m = |d: Option<Decimal>| d.map(|d| per_million(d).to_string());
    if as_json {
        let tiers: Vec<_> = e
            .tiers
            .iter()
            .map(|t| {
                json!({
                    "above_tokens": t.threshold,
                    "input_per_mtok": m(t.input),
                    "output_per_mtok": m(t.output),
                    "cached_input_per_mtok": m(t.cache_read),
                    "cache_write_per_mtok": m(t.cache_write),
                })
            })
            .collect();
        let v = json!({
            "model": model,
            "key": found.key,
            "origin": origin(found.origin),
            "price_version": found.version,
            "free": e.is_free(),
            "input_per_mtok": m(e.rates.input),
            "output_per_mtok": m(e.rates.output),
            "cached_input_per_mtok": m(e.rates.cache_read),
            "cache_write_per_mtok": m(e.rates.cache_write),
            "cache_write_1h_per_mtok": m(e.rates.cache_write_1h),
            "reasoning_per_mtok": m(e.rates.reasoning),
            "tiers": tiers,
            "off_peak": e.off_peak.is_some(),
            "context_window": e.max_input_tokens,
            "max_output_tokens": e.max_output_tokens,
        });
        println!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    let cur = load_currency();
    let p = |d: Option<Decimal>| d.map_or("—".to_owned(), |d| cur.format(per_million(d)));
    println!(
        "{model}  ({}: {}, entry `{}`)",
        origin(found.origin),
        found.version,
        found.key
    );
    if e.is_free() {
        println!("  free");
    }
    println!("  per million tokens:");
    println!("    input          {}", p(e.rates.input));
    println!("    output         {}", p(e.rates.output));
    if e.rates.cache_read.is_some() {
        println!("    cached input   {}", p(e.rates.cache_read));
    }
    if e.rates.cache_write.is_some() {
        println!("    cache write    {} (5 min)", p(e.rates.cache_write));
    }
    if e.rates.cache_write_1h.is_some() {
        println!("    cache write    {} (1 hour)", p(e.rates.cache_write_1h));
    }
    if e.rates.reasoning.is_some() {
        println!("    reasoning      {}", p(e.rates.reasoning));
    }
    for t in &e.tiers {
        println!(
            "  above {} prompt tokens (whole request): input {}, output {}",
            t.threshold,
            p(t.input.or(e.rates.input)),
            p(t.output.or(e.rates.output))
        );
    }
    if e.off_peak.is_some() {
        println!("  cheaper off-peak prices apply at set hours (UTC)");
    }
    match (e.max_input_tokens, e.max_output_tokens) {
        (Some(i), Some(o)) => println!("  context window {i} tokens, output up to {o}"),
        (Some(i), None) => println!("  context window {i} tokens"),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn refresh(url: Option<String>, no_openrouter: bool, as_json: bool) -> Result<ExitCode, String> {
    let dir = require_data_dir()?;
    let sources = RefreshSources::from_env(url, !no_openrouter);
    let report = runtime()?.block_on(refresh_all(&dir, &sources, Utc::now()));
    if as_json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
    } else {
        match (&report.litellm, &report.litellm_error) {
            (Some(RefreshOutcome::Updated { models, version }), _) => {
                println!("LiteLLM price map: updated, {models} chat models ({version})");
            }
            (Some(RefreshOutcome::NotModified), _) => {
                println!("LiteLLM price map: already up to date");
            }
            (None, Some(e)) => println!("LiteLLM price map: {e}"),
            (None, None) => {}
        }
        match (&report.openrouter_models, &report.openrouter_error) {
            (Some(n), _) => println!("OpenRouter: {n} priced models"),
            (None, Some(e)) => println!("OpenRouter: {e}"),
            (None, None) => {}
        }
    }
    Ok(if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn status(as_json: bool) -> Result<ExitCode, String> {
    let book = load_book();
    let meta = book.catalog_meta();
    let or = book.openrouter().map(|p| (p.version(), p.entries.len()));
    let cur = load_currency();
    if as_json {
        let v = json!({
            "catalog": meta,
            "models": book.catalog().entries.len(),
            "openrouter": or.as_ref().map(|(v, n)| json!({"version": v, "models": n})),
            "overrides": book.overrides().0.keys().collect::<Vec<_>>(),
            "currency": cur,
        });
        println!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    let from = if meta.bundled { "bundled" } else { "refreshed" };
    println!(
        "price catalog: {} ({from}, {} chat models)",
        meta.version,
        book.catalog().entries.len()
    );
    if let Some(c) = &meta.checked_at {
        println!("  last checked {c}");
    }
    match or {
        Some((v, n)) => println!("OpenRouter prices: {v}, {n} models"),
        None => println!("OpenRouter prices: not fetched (`switchboard prices refresh`)"),
    }
    let o = &book.overrides().0;
    if o.is_empty() {
        println!("your prices: none");
    } else {
        println!("your prices:");
        for (m, p) in o {
            println!(
                "  {m}: input {}/M, output {}/M",
                cur.format(p.input_per_mtok),
                cur.format(p.output_per_mtok)
            );
        }
    }
    println!("currency: {} ({} per US dollar)", cur.code, cur.per_usd);
    Ok(ExitCode::SUCCESS)
}

fn set(a: SetArgs) -> Result<ExitCode, String> {
    let dir = require_data_dir()?;
    if !a.model.contains('/') {
        eprintln!("error: MODEL is `provider/model`, e.g. openai/gpt-4o or my-endpoint/llama-3");
        return Ok(ExitCode::from(USAGE_ERROR));
    }
    let mut all = Overrides::load(&dir).map_err(|e| e.to_string())?;
    all.set(
        &a.model,
        PriceOverride {
            input_per_mtok: a.input,
            output_per_mtok: a.output,
            cached_input_per_mtok: a.cached_input,
            cache_write_per_mtok: a.cache_write,
            reasoning_per_mtok: a.reasoning,
            context_window: a.context,
            set_on: Utc::now().format("%Y-%m-%d").to_string(),
        },
    )
    .map_err(|e| e.to_string())?;
    all.save(&dir).map_err(|e| e.to_string())?;
    println!(
        "{}: your price is now used ({} in, {} out per million tokens)",
        a.model, a.input, a.output
    );
    Ok(ExitCode::SUCCESS)
}

fn unset(model: &str) -> Result<ExitCode, String> {
    let dir = require_data_dir()?;
    let mut all = Overrides::load(&dir).map_err(|e| e.to_string())?;
    if all.0.remove(model).is_none() {
        return Err(format!("you have set no price for `{model}`"));
    }
    all.save(&dir).map_err(|e| e.to_string())?;
    println!("{model}: your price is removed");
    Ok(ExitCode::SUCCESS)
}

fn currency(code: Option<String>, rate: Option<String>) -> Result<ExitCode, String> {
    let Some(code) = code else {
        let c = load_currency();
        println!("{} ({} per US dollar)", c.code, c.per_usd);
        return Ok(ExitCode::SUCCESS);
    };
    let dir = require_data_dir()?;
    let cur = DisplayCurrency::new(&code, rate.as_deref()).map_err(|e| e.to_string())?;
    let mut s = Settings::load(&dir).map_err(|e| e.to_string())?;
    s.currency = cur;
    s.save(&dir).map_err(|e| e.to_string())?;
    println!(
        "costs are now shown in {} ({} per US dollar); USD stays in --json output",
        s.currency.code, s.currency.per_usd
    );
    Ok(ExitCode::SUCCESS)
}
