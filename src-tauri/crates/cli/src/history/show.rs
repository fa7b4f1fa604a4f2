//! `switchboard history show ID`: one run exactly as it was saved.

use clap::Args;
use switchboard_core::history::{ResponseRecord, ResponseStatus, RunDetail};
use switchboard_core::prices::money::DisplayCurrency;

use super::open::open;
use super::output::{json, local_time, say, seconds, total_cost};
use super::Failure;
use crate::price_book::load_currency;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The run's id, as `history list` shows it
    pub id: i64,
    /// Print the core's `RunDetail` as one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: ShowArgs) -> Result<(), Failure> {
    let history = open()?;
    let Some(run) = history.run(a.id)? else {
        let mut f = Failure::new(format!("no run {} in the history", a.id));
        f.hints
            .push("`switchboard history list` shows the saved runs and their ids".into());
        return Err(f);
    };
    if a.json {
        return json(&run);
    }
    say(&render(&run, &load_currency()));
    Ok(())
}

fn render(run: &RunDetail, currency: &DisplayCurrency) -> String {
    let s = &run.summary;
    let mut out = format!(
        "Run {} · {} · saved by the {} · total {}",
        s.id,
        local_time(&s.created_at),
        s.source.as_str(),
        total_cost(s.cost_usd.as_deref(), u64::from(s.unpriced), currency)
    );
    if s.starred {
        out.push_str(" · ★ starred");
    }
    out.push('\n');
    if let Some(t) = &s.title {
        out.push_str(&format!("Title: {t}\n"));
    }
    if !s.tags.is_empty() {
        out.push_str(&format!("Tags: {}\n", s.tags.join(", ")));
    }
    if let Some(sys) = &run.system {
        out.push_str(&format!("\n── system ──\n{}\n", sys.trim_end()));
    }
    out.push_str(&format!("\n── prompt ──\n{}\n", run.prompt.trim_end()));
    for r in &run.responses {
        out.push('\n');
        out.push_str(&response(r, currency));
    }
    if let Some(n) = &run.notes {
        out.push_str(&format!("\n── notes ──\n{}\n", n.trim_end()));
    }
    out.trim_end().to_owned()
}

fn response(r: &ResponseRecord, currency: &DisplayCurrency) -> String {
    let mut head = format!("── {} ──", r.model);
    if r.winner {
        head.push_str(" winner");
    }
    let mut facts = vec![format!("status {}", r.status.as_str())];
    if let Some(f) = &r.finish_reason {
        facts.push(format!(
            "finish {}",
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("{f:?}"))
        ));
    }
    if let Some(u) = &r.usage {
        facts.push(format!(
            "tokens {} in / {} out",
            u.input_tokens, u.output_tokens
        ));
    }
    facts.push(match &r.cost {
        Some(c) if c.usd.is_none() => "cost unpriced".to_owned(),
        Some(c) => {
            let mut cost = format!("cost {} ({}", c.display(currency), c.source.as_str());
            if let Some(v) = &c.price_version {
                cost.push_str(&format!(", {v}"));
            }
            cost.push(')');
            cost
        }
        // Interrupted or still streaming: never priced, so no cost rather than $0.
        None => "cost —".to_owned(),
    });
    facts.push(format!(
        "ttft {} · total {}",
        seconds(r.ttft_ms),
        seconds(r.total_ms)
    ));
    if let Some(rating) = r.rating {
        facts.push(format!("rated {rating}/5"));
    }
    let mut out = format!("{head}\n{}\n", facts.join(" · "));
    match r.status {
        ResponseStatus::Interrupted => out.push_str(
            "INTERRUPTED: the process writing this answer stopped mid-stream; \
             the partial text that had arrived is below.\n",
        ),
        ResponseStatus::Streaming => {
            out.push_str("STILL STREAMING in another process; the text so far is below.\n")
        }
        _ => {}
    }
    if let Some(e) = &r.error {
        out.push_str(&format!("error ({}): {}\n", e.kind.as_str(), e.message));
    }
    if !r.reasoning.is_empty() {
        out.push_str(&format!(
            "(thinking)\n{}\n(answer)\n",
            r.reasoning.trim_end()
        ));
    }
    if r.text.is_empty() {
        out.push_str("(no text)\n");
    } else {
        out.push_str(r.text.trim_end());
        out.push('\n');
    }
    out
}
