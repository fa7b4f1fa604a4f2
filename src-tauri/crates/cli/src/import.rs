//! `switchboard import FILE`: a LiteLLM `config.yaml` or a Portkey config becomes saved
//! setups and provider settings, with a report of everything that was not understood.
//! Nothing the user already set is overwritten: a setup of the same name needs
//! `--replace`, and a provider setting already there is kept.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use switchboard_core::gateway::import::{import, Imported};
use switchboard_core::provider_config::ProviderConfig;
use switchboard_core::providers::Providers;

use crate::history::open::{data_dir, open};
use crate::history::output::{json, say};
use crate::history::{fail, Failure};
use crate::setups::describe;

#[derive(Debug, Args)]
#[command(after_help = "\
Keys written into the file are never imported: the report says where they were. Keys
are read from the environment variables the file names, or from the keychain
(`switchboard keys set PROVIDER`).")]
pub struct ImportArgs {
    /// A LiteLLM proxy config.yaml or a Portkey config (JSON)
    pub file: PathBuf,
    /// Show what would be imported; save nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replace saved setups that have the same alias
    #[arg(long)]
    pub replace: bool,
    /// Print the report as one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// What `--json` prints: what the file held and what was done with it.
#[derive(Debug, Serialize)]
struct Report<'a> {
    file: String,
    dry_run: bool,
    imported: &'a Imported,
    /// Aliases saved (new or replaced).
    saved: Vec<String>,
    /// Of those, the ones that replaced a saved setup.
    replaced: Vec<String>,
    /// Aliases in the file that are already saved (a real import needs `--replace`).
    already_saved: Vec<String>,
    /// Provider settings added to `providers.json`, as text.
    providers_added: Vec<String>,
    /// Provider settings in the file that were not added: yours were kept, or they
    /// were not valid.
    providers_kept: Vec<String>,
}

pub fn run(args: ImportArgs) -> ExitCode {
    match run_import(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(&f),
    }
}

fn run_import(a: &ImportArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", a.file.display())))?;
    let stem = a
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".to_owned());
    let config = saved_config()?;
    let providers = Providers::system(&config);
    let imported = import(&text, &stem, &providers)
        .map_err(|e| Failure::new(format!("cannot import {}: {e}", a.file.display())))?;
    let mut report = Report {
        file: a.file.display().to_string(),
        dry_run: a.dry_run,
        imported: &imported,
        saved: Vec::new(),
        replaced: Vec::new(),
        already_saved: Vec::new(),
        providers_added: Vec::new(),
        providers_kept: Vec::new(),
    };
    if !a.json {
        say(&describe_import(&a.file, &imported));
    }
    if !a.dry_run {
        save_setups(a, &imported, &mut report)?;
        merge_providers(config, &imported.providers, &mut report)?;
    } else {
        // What a real import would do, without writing it.
        let history = open()?;
        for s in &imported.setups {
            if history.setup(&s.alias)?.is_some() {
                report.already_saved.push(s.alias.clone());
            }
        }
        let _ = merge(config, &imported.providers, &mut report);
    }
    if a.json {
        return json(&report);
    }
    say(&describe_outcome(&report));
    Ok(())
}

/// The provider settings as saved; a broken file stops the import so it is never
/// overwritten with only the imported entries.
fn saved_config() -> Result<ProviderConfig, Failure> {
    let dir = data_dir()?;
    ProviderConfig::load(&dir).map_err(|e| {
        let mut f = Failure::new(format!("cannot read the provider settings: {e}"));
        f.hints.push(format!(
            "fix or move {} and import again",
            ProviderConfig::path(&dir).display()
        ));
        f
    })
}

/// Every setup of the file, or none: a clash or a broken setup stops the import first.
fn save_setups(
    a: &ImportArgs,
    imported: &Imported,
    report: &mut Report<'_>,
) -> Result<(), Failure> {
    let history = open()?;
    let mut clashes = Vec::new();
    for s in &imported.setups {
        let errors: Vec<String> = s
            .problems()
            .into_iter()
            .filter(|p| p.is_error())
            .map(|p| p.to_string())
            .collect();
        if !errors.is_empty() {
            for e in &errors {
                eprintln!("{e}");
            }
            return Err(Failure::new(format!(
                "nothing was imported: the setup `{}` cannot be saved as it is (listed above)",
                s.alias
            )));
        }
        if history.setup(&s.alias)?.is_some() {
            clashes.push(s.alias.clone());
        }
    }
    if !clashes.is_empty() && !a.replace {
        let names = clashes
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut f = Failure::new(format!(
            "nothing was imported: a setup named {names} is already saved"
        ));
        f.hints.push(format!(
            "add --replace to replace it, or `switchboard setups show {}` to see it first",
            clashes[0]
        ));
        return Err(f);
    }
    report.already_saved.clone_from(&clashes);
    for s in &imported.setups {
        history.save_setup(s, None)?;
        report.saved.push(s.alias.clone());
    }
    report.replaced = clashes;
    Ok(())
}

fn merge_providers(
    config: ProviderConfig,
    from_file: &ProviderConfig,
    report: &mut Report<'_>,
) -> Result<(), Failure> {
    let (merged, changed) = merge(config, from_file, report);
    if changed {
        let dir = data_dir()?;
        merged
            .save(&dir)
            .map_err(|e| Failure::new(format!("cannot save the provider settings: {e}")))?;
    }
    Ok(())
}

/// `config` with what the file adds: base URLs and custom endpoints the user has not
/// set. Never replaces an entry the user has. Whether anything was added.
fn merge(
    mut config: ProviderConfig,
    from_file: &ProviderConfig,
    report: &mut Report<'_>,
) -> (ProviderConfig, bool) {
    let mut changed = false;
    for (id, url) in &from_file.base_urls {
        match config.base_urls.get(id) {
            Some(mine) if mine == url => {}
            Some(mine) => report.providers_kept.push(format!(
                "base URL of {id}: kept yours ({mine}); the file has {url}"
            )),
            None => match config.set_base_url(id, Some(url)) {
                Ok(_) => {
                    report
                        .providers_added
                        .push(format!("base URL of {id}: {url}"));
                    changed = true;
                }
                Err(e) => report
                    .providers_kept
                    .push(format!("base URL of {id}: not added ({e})")),
            },
        }
    }
    for ep in &from_file.custom {
        match config.custom.iter().find(|c| c.name == ep.name) {
            Some(mine) if mine.base_url == ep.base_url => {}
            Some(mine) => report.providers_kept.push(format!(
                "custom endpoint {}: kept yours ({}); the file has {}",
                ep.name, mine.base_url, ep.base_url
            )),
            None => match config.upsert_custom(None, ep.clone()) {
                Ok(saved) => {
                    report.providers_added.push(format!(
                        "custom endpoint {}: {} (use it as {}/MODEL)",
                        saved.name, saved.base_url, saved.name
                    ));
                    changed = true;
                }
                Err(e) => report
                    .providers_kept
                    .push(format!("custom endpoint {}: not added ({e})", ep.name)),
            },
        }
    }
    (config, changed)
}

/// What the file holds: its setups, provider settings, key variables and notes.
fn describe_import(file: &Path, imported: &Imported) -> String {
    let format = match imported.format {
        switchboard_core::gateway::Format::Litellm => "a LiteLLM config",
        switchboard_core::gateway::Format::Portkey => "a Portkey config",
        switchboard_core::gateway::Format::Openrouter => "an OpenRouter request",
    };
    let n = imported.setups.len();
    let mut out = vec![format!(
        "{} is {format}: {n} setup{}.",
        file.display(),
        if n == 1 { "" } else { "s" }
    )];
    for s in &imported.setups {
        out.push(String::new());
        out.push(describe(s));
    }
    let p = &imported.providers;
    if !p.base_urls.is_empty() || !p.custom.is_empty() {
        out.push(String::new());
        out.push("Provider settings in the file:".to_owned());
        for (id, url) in &p.base_urls {
            out.push(format!("  {id}: base URL {url}"));
        }
        for c in &p.custom {
            out.push(format!(
                "  {}: OpenAI-compatible endpoint at {}",
                c.name, c.base_url
            ));
        }
    }
    if !imported.key_env.is_empty() {
        out.push(String::new());
        out.push("Keys are read from (never imported):".to_owned());
        for (provider, var) in &imported.key_env {
            out.push(format!(
                "  {provider}: ${var} — or `switchboard keys set {provider}`"
            ));
        }
    }
    if !imported.notes.is_empty() {
        out.push(String::new());
        out.push("Notes:".to_owned());
        for n in &imported.notes {
            out.push(format!("  {}: {}", n.at, n.message));
        }
    }
    out.join("\n")
}

fn describe_outcome(r: &Report<'_>) -> String {
    let mut out = vec![String::new()];
    if r.dry_run {
        out.push("Dry run: nothing was saved.".to_owned());
        for a in &r.already_saved {
            out.push(format!(
                "  `{a}` is already saved: importing it needs --replace"
            ));
        }
        for p in &r.providers_added {
            out.push(format!("  would add {p}"));
        }
    } else {
        for s in &r.saved {
            let how = if r.replaced.contains(s) {
                "replaced"
            } else {
                "saved"
            };
            out.push(format!("Setup `{s}` {how}: `switchboard setups show {s}`."));
        }
        for p in &r.providers_added {
            out.push(format!("Added {p}."));
        }
    }
    for p in &r.providers_kept {
        out.push(format!("Not changed: {p}."));
    }
    out.join("\n")
}
