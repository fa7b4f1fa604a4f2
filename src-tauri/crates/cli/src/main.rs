//! `switchboard`: the headless face of Switchboard. Every subcommand is a thin call
//! into `switchboard-core`, the same code the desktop app runs.

mod compare;
mod cost;
mod export;
mod history;
mod import;
mod keys;
mod models;
mod options;
mod price_book;
mod prices;
mod serve;
mod setups;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version = switchboard_core::VERSION,
    about = "Compare models side by side, track cost, and export gateway configs — headless",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the version and the data folder this installation uses
    Info {
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Send one prompt to several models at once and compare the answers
    Compare(compare::CompareArgs),
    /// List the models a provider offers
    Models(models::ModelsArgs),
    /// What token counts cost on a model, with the breakdown and where the price is from
    Cost(cost::CostArgs),
    /// Show, refresh and set prices, and the currency costs are shown in
    Prices(prices::PricesArgs),
    /// Keys in the OS keychain: set, list, test, delete, import from the environment
    Keys(keys::KeysArgs),
    /// Saved runs: list, search, show, export, spend stats
    History(history::HistoryArgs),
    /// Turn a run, saved setups or models into a LiteLLM, Portkey or OpenRouter config
    Export(export::ExportArgs),
    /// Read a LiteLLM config.yaml or a Portkey config into saved setups and provider settings
    Import(import::ImportArgs),
    /// Saved setups (named routes): list, show, delete
    Setups(setups::SetupsArgs),
    /// Serve the saved setups (or a LiteLLM config.yaml) as a local OpenAI-compatible
    /// endpoint; every call is saved to the history with its cost
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Info { json } => info(json),
        Command::Compare(args) => compare::run(args),
        Command::Models(args) => models::run(args),
        Command::Cost(args) => cost::run(args),
        Command::Prices(args) => prices::run(args),
        Command::Keys(args) => keys::run(args),
        Command::History(args) => history::run(args),
        Command::Export(args) => export::run(args),
        Command::Import(args) => import::run(args),
        Command::Setups(args) => setups::run(args),
        Command::Serve(args) => serve::run(args),
    }
}

fn info(json: bool) -> ExitCode {
    match switchboard_core::AppInfo::current() {
        Ok(info) if json => match serde_json::to_string(&info) {
            Ok(s) => {
                println!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(info) => {
            println!("switchboard {}", info.version);
            println!("data folder: {}", info.data_dir);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
