//! `switchboard export litellm|portkey|openrouter`: a run, saved setups or a list of
//! models become a gateway config — checked before anything is written, printed to
//! stdout (pipeable) or written to a file with ready client code.

mod secret_file;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args, ValueEnum};
use switchboard_core::chat::Params;
use switchboard_core::gateway::{self, Context, Export, ExportOptions, Format, PortkeyKeys};
use switchboard_core::providers::Providers;
use switchboard_core::setups::from_run::from_run;
use switchboard_core::setups::{Setup, SetupTarget, StrategyChoice};

use crate::history::open::open;
use crate::history::output::{json, say};
use crate::history::{fail, Failure};
use crate::options::saved_config;
use crate::price_book::load_book;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A LiteLLM proxy config.yaml (takes several setups)
    Litellm,
    /// A Portkey gateway config (JSON)
    Portkey,
    /// An OpenRouter request body with `models` and `provider`
    Openrouter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Each model in turn, the next when one fails
    Fallback,
    /// Calls spread over the models by weight
    Loadbalance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeysArg {
    /// `${OPENAI_API_KEY}`-style placeholders, filled in by the client (open-source gateway)
    Placeholders,
    /// Names of virtual keys made in Portkey's dashboard (hosted Portkey)
    VirtualKeys,
    /// The real keys from the keychain, into the -o file only, after confirmation
    Keychain,
}

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("source").required(true).args(["run", "setups", "models"])),
    after_help = "\
Examples:
  switchboard export litellm --run 42 -o config.yaml     the run's winner first, the others as fallbacks
  switchboard export portkey -m openai/gpt-4o -m anthropic/claude-sonnet-4-5 --weights 3,1
  switchboard export litellm --setup chat --setup support > config.yaml

Without -o the file goes to stdout; problems go to stderr and a config with an error is
never written (exit status 1)."
)]
pub struct ExportArgs {
    /// The gateway to export to
    #[arg(value_enum)]
    pub format: FormatArg,
    /// A run from `switchboard history list`: its winner first, then the other models
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// A saved setup (`switchboard setups list`). Repeatable for litellm
    #[arg(long = "setup", value_name = "NAME")]
    pub setups: Vec<String>,
    /// A model, `provider/model[@KEY=VALUE…]`, in route order. Repeatable
    #[arg(short = 'm', long = "model", value_name = "MODEL")]
    pub models: Vec<String>,
    /// Fallback (the default) or load balance; --weights alone means load balance
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// One weight per model, in order (load balance)
    #[arg(long, value_name = "W,W,...", value_delimiter = ',')]
    pub weights: Vec<u32>,
    /// The name clients send as `model` (default: from the run's title, or `chat`)
    #[arg(long, value_name = "NAME")]
    pub alias: Option<String>,
    /// Retries of a failed call before falling back
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// Per-call timeout, seconds
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u32>,
    /// Where a Portkey config's keys come from
    #[arg(long, value_enum, default_value = "placeholders")]
    pub portkey_keys: KeysArg,
    /// Write the config to FILE (atomically) and print how to call it
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Confirm writing real keys into the file (--portkey-keys keychain)
    #[arg(long)]
    pub yes: bool,
    /// Also save the setup(s) in the history, for `setups` and the app
    #[arg(long)]
    pub save: bool,
    /// Print the whole export (text, problems, client code) as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ExportArgs) -> ExitCode {
    match export(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(&f),
    }
}

impl FormatArg {
    fn format(self) -> Format {
        match self {
            Self::Litellm => Format::Litellm,
            Self::Portkey => Format::Portkey,
            Self::Openrouter => Format::Openrouter,
        }
    }
}

fn export(a: &ExportArgs) -> Result<(), Failure> {
    let keychain = a.portkey_keys == KeysArg::Keychain;
    if keychain {
        check_keychain_use(a)?;
    }
    let setups = build(a)?;
    let opts = ExportOptions {
        format: a.format.format(),
        portkey_keys: match a.portkey_keys {
            KeysArg::Placeholders => PortkeyKeys::Placeholders,
            KeysArg::VirtualKeys => PortkeyKeys::VirtualKeys,
            KeysArg::Keychain => PortkeyKeys::Keychain,
        },
    };
    let providers = Providers::system(&saved_config());
    let prices = load_book();
    let ctx = Context {
        providers: &providers,
        prices: &prices,
    };
    let out = gateway::export(&setups, &opts, &ctx);
    for p in &out.problems {
        eprintln!("{p}");
    }
    if !out.writable() {
        if a.json {
            json(&out)?;
        }
        let n = out.problems.iter().filter(|p| p.is_error()).count();
        return Err(Failure::new(format!(
            "nothing was written: the export has {n} error{} (listed above)",
            if n == 1 { "" } else { "s" }
        )));
    }
    match (&a.output, keychain) {
        (Some(path), true) => {
            confirm_keys(a, path)?;
            let setup = setups
                .first()
                .ok_or_else(|| Failure::new("there is no setup to export"))?;
            let secret =
                gateway::export_with_keys(setup, &ctx).map_err(|e| Failure::new(e.to_string()))?;
            secret_file::write(path, &secret)
                .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "wrote {} with real keys in it (readable by you only); keep it out of version control",
                path.display()
            );
        }
        (Some(path), false) => {
            switchboard_core::atomic_file::write_atomic(path, out.text.as_bytes())
                .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("wrote {}", path.display());
        }
        (None, _) => {}
    }
    if a.save {
        save(&setups)?;
    }
    if a.json {
        return json(&out);
    }
    match &a.output {
        Some(path) if !out.snippets.is_empty() => say(&how_to_call(&out, path)),
        Some(_) => {}
        None => print_text(&out.text),
    }
    Ok(())
}

/// Keys go only into a file the user named, after they said yes.
fn check_keychain_use(a: &ExportArgs) -> Result<(), Failure> {
    if a.format != FormatArg::Portkey {
        return Err(Failure::usage(
            "--portkey-keys keychain is for Portkey configs; LiteLLM and OpenRouter read keys from the environment",
        ));
    }
    if a.output.is_none() {
        let mut f = Failure::usage(
            "--portkey-keys keychain writes real keys, so only into a file: add -o FILE",
        );
        f.hints
            .push("keys are never printed to the terminal or a pipe".into());
        return Err(f);
    }
    Ok(())
}

/// `--yes`, or `y` typed at the terminal.
fn confirm_keys(a: &ExportArgs, path: &Path) -> Result<(), Failure> {
    if a.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() && std::io::stderr().is_terminal() {
        eprint!(
            "Write your real API keys from the keychain into {}? Anyone who can read the file can use them. [y/N] ",
            path.display()
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if stdin.read_line(&mut answer).is_ok()
            && matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
        {
            return Ok(());
        }
        return Err(Failure::new(
            "nothing was written: the keys were not confirmed",
        ));
    }
    let mut f = Failure::new(
        "nothing was written: --portkey-keys keychain puts real keys in the file and needs a confirmation",
    );
    f.hints.push(
        "add --yes to confirm, run it in a terminal to be asked, or use --portkey-keys placeholders"
            .into(),
    );
    Err(f)
}

/// The setups the command line names, with its overrides applied.
fn build(a: &ExportArgs) -> Result<Vec<Setup>, Failure> {
    let choice = match (a.strategy, a.weights.is_empty()) {
        (Some(StrategyArg::Fallback), _) => StrategyChoice::Fallback,
        (Some(StrategyArg::Loadbalance), _) | (None, false) => StrategyChoice::Loadbalance,
        (None, true) => StrategyChoice::Fallback,
    };
    let mut setups = if let Some(id) = a.run {
        let Some(run) = open()?.run(id)? else {
            let mut f = Failure::new(format!("no run {id} in the history"));
            f.hints
                .push("`switchboard history list` shows the saved runs and their ids".into());
            return Err(f);
        };
        vec![from_run(&run, a.alias.as_deref(), choice)]
    } else if !a.setups.is_empty() {
        let history = open()?;
        let mut out = Vec::new();
        for name in &a.setups {
            let s = history
                .setup(name)?
                .ok_or_else(|| crate::setups::not_found(name))?;
            out.push(match a.strategy {
                // Reshaped only when asked: a saved setup keeps its own route.
                Some(_) => reshape(s, choice),
                None if !a.weights.is_empty() => reshape(s, choice),
                None => s,
            });
        }
        out
    } else {
        let targets = a
            .models
            .iter()
            .map(|m| target(m))
            .collect::<Result<Vec<_>, _>>()?;
        vec![Setup::shaped(
            a.alias.clone().unwrap_or_else(|| "chat".to_owned()),
            choice,
            targets,
        )]
    };
    if let Some(alias) = &a.alias {
        if setups.len() > 1 {
            return Err(Failure::usage(
                "--alias names one setup, and several were chosen: rename them with `setups` or export one at a time",
            ));
        }
        for s in &mut setups {
            s.alias.clone_from(alias);
        }
    }
    for s in &mut setups {
        if let Some(r) = a.retries {
            s.retries = r;
        }
        if let Some(t) = a.timeout {
            s.timeout_secs = t;
        }
        if !a.weights.is_empty() {
            let n = s.targets().count();
            if a.weights.len() != n {
                return Err(Failure::usage(format!(
                    "--weights gives {} weight{} for the {n} model{} of `{}`: give one per model, in order",
                    a.weights.len(),
                    if a.weights.len() == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" },
                    s.alias
                )));
            }
            let mut w = a.weights.iter();
            for t in s.groups.iter_mut().flat_map(|g| g.targets.iter_mut()) {
                if let Some(&weight) = w.next() {
                    t.weight = weight;
                }
            }
        }
    }
    Ok(setups)
}

/// `setup`'s targets, in order, arranged as `choice` says; everything else kept.
fn reshape(setup: Setup, choice: StrategyChoice) -> Setup {
    let targets: Vec<SetupTarget> = setup.targets().cloned().collect();
    Setup {
        groups: Setup::shaped(&setup.alias, choice, targets).groups,
        ..setup
    }
}

/// `provider/model@k=v@k=v` → a target with those parameters.
fn target(spec: &str) -> Result<SetupTarget, Failure> {
    let mut parts = spec.split('@');
    let model = parts.next().unwrap_or_default().trim();
    let mut params = Params::default();
    for kv in parts {
        params
            .set_pair(kv)
            .map_err(|e| Failure::usage(format!("{spec}: {e}")))?;
    }
    let mut t = SetupTarget::new(model);
    t.params = params;
    Ok(t)
}

fn save(setups: &[Setup]) -> Result<(), Failure> {
    let history = open()?;
    for s in setups {
        let existed = history.setup(&s.alias)?.is_some();
        history.save_setup(s, None)?;
        eprintln!(
            "saved the setup `{}`{}",
            s.alias,
            if existed {
                " (replacing the one saved before)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// The file's text, as it is, for a pipe or a redirect.
fn print_text(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

/// The client code of an export, one section per language, naming the file where it
/// was written (the snippets name the suggested file name).
fn how_to_call(out: &Export, written: &Path) -> String {
    let written = written.display().to_string();
    let mut text = String::from("How to call it:\n");
    for s in &out.snippets {
        let code = if written.contains(char::is_whitespace) {
            s.code.clone()
        } else {
            s.code.replace(&out.file_name, &written)
        };
        text.push_str(&format!("\n── {} ──\n{}\n", s.title, code.trim_end()));
    }
    text.trim_end().to_owned()
}
