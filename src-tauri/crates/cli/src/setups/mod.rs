//! `switchboard setups`: the named routes saved in `history.db` (by `export --save`,
//! `import` or the app) — listed, shown and deleted.

mod describe;

use std::process::ExitCode;

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};

use crate::history::open::open;
use crate::history::output::{json, say};
use crate::history::{fail, Failure};

pub use describe::{describe, strategy_name};

#[derive(Debug, Args)]
pub struct SetupsArgs {
    #[command(subcommand)]
    pub command: SetupsCommand,
}

#[derive(Debug, Subcommand)]
pub enum SetupsCommand {
    /// Every saved setup: its alias, strategy and models
    List {
        /// Print the setups as one JSON array instead of a table
        #[arg(long)]
        json: bool,
    },
    /// One setup whole: strategy, groups with their models and weights, retries,
    /// timeout and the run it was made from
    Show {
        /// The setup's alias, as `setups list` shows it
        name: String,
        /// Print the setup as one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Remove a saved setup (exported files are not touched)
    Delete {
        /// The setup's alias
        name: String,
    },
}

pub fn run(args: SetupsArgs) -> ExitCode {
    let result = match args.command {
        SetupsCommand::List { json } => list(json),
        SetupsCommand::Show { name, json } => show(&name, json),
        SetupsCommand::Delete { name } => delete(&name),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(&f),
    }
}

/// No setup saved as `name`, with where to look.
pub fn not_found(name: &str) -> Failure {
    let mut f = Failure::new(format!("no setup named `{name}` is saved"));
    f.hints
        .push("`switchboard setups list` shows the saved setups".into());
    f
}

fn list(as_json: bool) -> Result<(), Failure> {
    let setups = open()?.setups()?;
    if as_json {
        return json(&setups);
    }
    if setups.is_empty() {
        say("No setups saved yet: `switchboard export … --save` or `switchboard import FILE` saves one.");
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["alias", "strategy", "models", "from run"]);
    for s in &setups {
        table.add_row(vec![
            Cell::new(&s.alias),
            Cell::new(strategy_name(s.strategy())),
            Cell::new(
                s.targets()
                    .map(|t| t.model.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Cell::new(s.source_run.map_or("—".to_owned(), |r| r.to_string())),
        ]);
    }
    say(&table.to_string());
    Ok(())
}

fn show(name: &str, as_json: bool) -> Result<(), Failure> {
    let setup = open()?.setup(name)?.ok_or_else(|| not_found(name))?;
    if as_json {
        return json(&setup);
    }
    say(&describe(&setup));
    Ok(())
}

fn delete(name: &str) -> Result<(), Failure> {
    if !open()?.delete_setup(name)? {
        return Err(not_found(name));
    }
    say(&format!("Deleted the setup `{name}`."));
    Ok(())
}
