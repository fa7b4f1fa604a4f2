//! `switchboard keys`: the same keychain the app uses. A key is read from stdin or a
//! hidden prompt — never from an argument, which would land in the shell's history
//! and in `ps` — and is never printed back: only its source and last four characters.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::json;
use switchboard_core::http::Executor;
use switchboard_core::keys::import::{import_env, ImportOutcome};
use switchboard_core::keys::{ApiKey, KeySourceKind, Keys};
use switchboard_core::provider_config::ProviderConfig;
use switchboard_core::providers::status::{check_key, key_variables, overview};
use switchboard_core::providers::Providers;

use crate::options::{runtime, saved_config, ProviderArgs, USAGE_ERROR};

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Save a provider's key in the OS keychain. Pipe the key in
    /// (`printf %s "$KEY" | switchboard keys set openai`) or type it at the hidden prompt
    Set {
        /// A provider (openai, anthropic, gemini, openrouter, …) or a custom endpoint's name
        provider: String,
        /// (Refused: a key on the command line ends up in your shell history)
        #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
        stray: Vec<String>,
    },
    /// Every provider: whether a key is set, where it comes from, its last four characters
    List {
        /// Print one JSON object instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Check the key a provider would use now, with a cheap authenticated call (listing models)
    Test {
        provider: String,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        providers: ProviderArgs,
    },
    /// Remove a provider's key from the keychain
    Delete { provider: String },
    /// Copy the keys found in the providers' environment variables into the keychain
    ImportEnv {
        /// Print one JSON array instead of text
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: KeysArgs) -> ExitCode {
    match args.command {
        KeysCommand::Set { provider, stray } => set(&provider, &stray),
        KeysCommand::List { json } => list(json),
        KeysCommand::Test {
            provider,
            json,
            providers,
        } => test(&provider, json, &providers),
        KeysCommand::Delete { provider } => delete(&provider),
        KeysCommand::ImportEnv { json } => import(json),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE_ERROR)
}

/// The store, providers and provider settings every subcommand shares: the app's,
/// exactly (providers.json read once).
fn system() -> (Keys, Providers, ProviderConfig) {
    let keys = Keys::os();
    let config = saved_config();
    let providers = Providers::with_keys(keys.clone(), &config);
    (keys, providers, config)
}

fn read_key(provider: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        rpassword::prompt_password(format!("{provider} API key (input hidden): "))
            .map_err(|e| format!("could not read the key: {e}"))
    } else {
        let mut raw = String::new();
        stdin
            .lock()
            .read_to_string(&mut raw)
            .map_err(|e| format!("could not read the key from stdin: {e}"))?;
        Ok(raw)
    }
}

fn set(provider: &str, stray: &[String]) -> ExitCode {
    if !stray.is_empty() {
        // Say nothing of what was given: it may be the key.
        return usage(format!(
            "`keys set` takes no key on the command line (it would stay in your shell history); \
             pipe it in: printf %s \"$KEY\" | switchboard keys set {provider}, or run `switchboard keys set {provider}` and type it at the hidden prompt"
        ));
    }
    let (keys, providers, _) = system();
    let id = match providers.canonical(provider) {
        Ok(id) => id,
        Err(e) => return usage(e),
    };
    let key = match read_key(&id).map(|raw| ApiKey::parse(&raw).map_err(|e| e.to_string())) {
        Ok(Ok(k)) => k,
        Ok(Err(e)) | Err(e) => return usage(e),
    };
    if let Err(e) = keys.store().set(&id, &key) {
        return fail(e);
    }
    let tail = key.last4().map(|l| format!(" (…{l})")).unwrap_or_default();
    println!("saved the {id} key{tail} in {}", keys.store().describe());
    if let Ok(status) = providers.key_status(&id) {
        if let Some(var) = status.shadowed_env {
            println!("note: ${var} is also set; the keychain's key is used");
        }
    }
    ExitCode::SUCCESS
}

fn list(as_json: bool) -> ExitCode {
    let (_, providers, config) = system();
    let view = overview(&providers, &config);
    if as_json {
        let rows: Vec<_> = view
            .providers
            .iter()
            .map(|p| {
                json!({
                    "provider": p.id,
                    "set": p.key.set,
                    "source": p.key.source,
                    "env_var": p.key.env_var,
                    "last4": p.key.last4,
                    "needs_key": p.needs_key,
                    "shadowed_env": p.key.shadowed_env,
                })
            })
            .collect();
        println!("{}", json!({"keychain": view.keychain, "keys": rows}));
        return ExitCode::SUCCESS;
    }
    if let Some(p) = &view.keychain.problem {
        eprintln!("warning: {}; {} ({})", p.cause, p.fix, p.detail);
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["provider", "key", "source", "last 4"]);
    for p in &view.providers {
        let source = match p.key.source {
            KeySourceKind::Keychain => match &p.key.shadowed_env {
                Some(var) => format!("keychain (over ${var})"),
                None => "keychain".to_owned(),
            },
            KeySourceKind::Env => format!("${}", p.key.env_var.as_deref().unwrap_or("?")),
            KeySourceKind::None if !p.needs_key => "not needed".to_owned(),
            KeySourceKind::None => format!(
                "none: `keys set {}` or ${}",
                p.id,
                p.key.env_vars.join(" or $")
            ),
        };
        table.add_row([
            p.id.clone(),
            if p.key.set { "set" } else { "-" }.to_owned(),
            source,
            p.key.last4.clone().unwrap_or_default(),
        ]);
    }
    println!("{table}");
    println!("keys are kept in {}", view.keychain.backend);
    ExitCode::SUCCESS
}

fn test(provider: &str, as_json: bool, args: &ProviderArgs) -> ExitCode {
    let setup = (|| {
        let providers = args.providers()?;
        let (ep, status) = providers
            .endpoint_and_key(provider)
            .map_err(|e| e.to_string())?;
        let exec = Executor::new(args.timeouts()?).map_err(|e| e.to_string())?;
        Ok::<_, String>((ep, status, exec, runtime()?))
    })();
    let (ep, status, exec, rt) = match setup {
        Ok(x) => x,
        Err(e) => return usage(e),
    };
    let check = rt.block_on(check_key(&exec, &ep));
    if as_json {
        println!("{}", json!({"check": check, "key": status}));
    } else if check.ok {
        println!(
            "{}: the key works ({}) — {} models listed",
            check.provider,
            status.describe(),
            check.models.unwrap_or(0)
        );
    } else if let Some(e) = &check.error {
        eprintln!(
            "{}: error [{}]: {} (key: {})",
            check.provider,
            e.kind.as_str(),
            e.message,
            status.describe()
        );
        if let Some(h) = &check.hint {
            eprintln!("hint: {h}");
        }
    }
    if check.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn delete(provider: &str) -> ExitCode {
    let (keys, providers, _) = system();
    let id = match providers.canonical(provider) {
        Ok(id) => id,
        Err(e) => return usage(e),
    };
    match keys.store().delete(&id) {
        Ok(true) => println!("removed the {id} key from {}", keys.store().describe()),
        Ok(false) => println!("there was no {id} key in {}", keys.store().describe()),
        Err(e) => return fail(e),
    }
    if let Ok(status) = providers.key_status(&id) {
        if let (KeySourceKind::Env, Some(var)) = (status.source, &status.env_var) {
            println!("note: ${var} is set and is used from now on");
        }
    }
    ExitCode::SUCCESS
}

fn import(as_json: bool) -> ExitCode {
    let (keys, providers, _) = system();
    let report = match import_env(
        keys.store().as_ref(),
        keys.env().as_ref(),
        &key_variables(&providers),
    ) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if as_json {
        println!("{}", json!(report));
        return ExitCode::SUCCESS;
    }
    if report.is_empty() {
        println!("no provider key variables are set; nothing to import");
    }
    for r in &report {
        let what = match r.outcome {
            ImportOutcome::Imported => "imported into the keychain",
            ImportOutcome::AlreadyInKeychain => "already in the keychain",
            ImportOutcome::KeptKeychainKey => {
                "not imported: the keychain holds a different key (replace it with `switchboard keys set`)"
            }
        };
        println!("{}: ${} {what}", r.provider, r.env_var);
    }
    ExitCode::SUCCESS
}
