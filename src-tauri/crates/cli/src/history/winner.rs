//! `switchboard history winner RUN TARGET`: picks the answer that won a run (or clears
//! it with `--clear`), as the app's winner button does, in the same `history.db`.

use clap::Args;
use switchboard_core::history::{ResponseRecord, RunDetail};

use super::open::open;
use super::output::{json, say};
use super::Failure;

#[derive(Debug, Args)]
#[command(after_help = "\
TARGET is the answer's position in the run, 0 for the first (the order `history show`
lists the answers in, and their `position` in `history show --json`), or its model id,
e.g. openai/gpt-4o. When the run asked the same model twice, give the position.")]
pub struct WinnerArgs {
    /// The run's id, as `history list` shows it
    pub run: i64,
    /// The winning answer: its position (0-based) or its model id
    #[arg(required_unless_present = "clear", conflicts_with = "clear")]
    pub target: Option<String>,
    /// Remove the run's winner instead
    #[arg(long)]
    pub clear: bool,
    /// Print the run's `RunSummary` as one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: WinnerArgs) -> Result<(), Failure> {
    let history = open()?;
    let Some(run) = history.run(a.run)? else {
        let mut f = Failure::new(format!("no run {} in the history", a.run));
        f.hints
            .push("`switchboard history list` shows the saved runs and their ids".into());
        return Err(f);
    };
    let picked = match &a.target {
        Some(t) if !a.clear => Some(resolve(&run, t)?),
        _ => None,
    };
    let summary = history.set_winner(run.summary.id, picked.map(|r| r.id))?;
    if a.json {
        return json(&summary);
    }
    say(&match (picked, &summary.winner) {
        (Some(r), _) => format!(
            "Run {}: the winner is {} (position {})",
            summary.id, r.model, r.position
        ),
        (None, Some(m)) => format!("Run {}: the winner is {m}", summary.id),
        (None, None) => format!("Run {}: no winner", summary.id),
    });
    Ok(())
}

/// The answer TARGET names: a position (a model id always has a `/`, so a number is
/// never a model), else the one answer from that model.
fn resolve<'a>(run: &'a RunDetail, target: &str) -> Result<&'a ResponseRecord, Failure> {
    let target = target.trim();
    let id = run.summary.id;
    let found: Vec<&ResponseRecord> = match target.parse::<u32>() {
        Ok(pos) => run.responses.iter().filter(|r| r.position == pos).collect(),
        Err(_) => run.responses.iter().filter(|r| r.model == target).collect(),
    };
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let what = if target.parse::<u32>().is_ok() {
                format!("run {id} has no answer at position {target}")
            } else {
                format!("run {id} did not ask {target}")
            };
            let mut f = Failure::new(what);
            f.hints.push(format!("its answers: {}", answers(run)));
            Err(f)
        }
        many => {
            let positions: Vec<String> = many.iter().map(|r| r.position.to_string()).collect();
            let mut f = Failure::new(format!(
                "run {id} asked {target} {} times (positions {}): give the position instead",
                many.len(),
                positions.join(", ")
            ));
            f.hints.push(format!(
                "e.g. switchboard history winner {id} {}",
                positions[0]
            ));
            Err(f)
        }
    }
}

/// `0 openai/gpt-4o, 1 anthropic/claude-sonnet-4-5`.
fn answers(run: &RunDetail) -> String {
    if run.responses.is_empty() {
        return "none".into();
    }
    run.responses
        .iter()
        .map(|r| format!("{} {}", r.position, r.model))
        .collect::<Vec<_>>()
        .join(", ")
}
