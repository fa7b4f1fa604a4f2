//! `switchboard compare`: one prompt, several models, every answer streaming at once.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use switchboard_core::chat::{ChatRequest, Message, Params, Target, UsageSource};
use switchboard_core::history::{RunDetail, RunRecorder};
use switchboard_core::model_sets;
use switchboard_core::prices::answer_cost::CostSource;
use switchboard_core::prices::book::Prices;
use switchboard_core::prices::money::DisplayCurrency;
use switchboard_core::{
    CompareRequest, RunEvent, RunEventKind, Runner, TargetStatus, TargetSummary,
};

use crate::history;
use crate::options::{runtime, ProviderArgs, USAGE_ERROR};
use crate::price_book::{load_book, load_currency, require_data_dir};

const AFTER_HELP: &str = "\
MODEL is `provider/model` as LiteLLM writes it: openai/gpt-4o, anthropic/claude-sonnet-4-5,
gemini/gemini-2.5-flash, openrouter/meta-llama/llama-3.3-70b-instruct, groq/…, mistral/…,
deepseek/…, xai/…, together_ai/…, fireworks_ai/…, ollama/llama3.2, lmstudio/…, or NAME/…
for an --endpoint.

Per-model overrides follow the model after `@`, e.g.
  -m openai/gpt-4o@temperature=0.2 -m anthropic/claude-sonnet-4-5@max_tokens=200@thinking_budget=2048

--set NAME asks the models of a set saved in the app (Save set in the playground), each
with its own params and system prompt; -m models are added after them.

Parameters (--param and @overrides): temperature, top_p, max_tokens, stop (comma-separated
or repeated), seed, reasoning_effort (low|medium|high), thinking_budget.

Keys come from OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY),
OPENROUTER_API_KEY, GROQ_API_KEY, MISTRAL_API_KEY, DEEPSEEK_API_KEY, XAI_API_KEY,
TOGETHER_API_KEY, FIREWORKS_API_KEY; base URLs from OPENAI_BASE_URL, ANTHROPIC_BASE_URL,
GEMINI_BASE_URL, OPENROUTER_BASE_URL and <PROVIDER>_BASE_URL (OLLAMA_BASE_URL, …).

Before sending, each model's prompt tokens and input cost are printed (stderr), with a
warning when the prompt will not fit its context window. Each answer's cost says where it
came from: reported by the provider, computed from the price table, estimated (no usage
came back) or unpriced (`switchboard prices set` gives a model your own price).

With --json, stdout has one JSON object per line: one {\"event\":\"estimate\",…} per model,
every event as it happens ({\"target\",\"model\",\"event\":\"delta\",\"text\"}, …), then one
{\"event\":\"summary\",…} per model with its usage and cost.

Every run is saved to the history as it streams (`switchboard history`, and the app's
sidebar), so even a run cut short by a crash keeps what had arrived; --no-save skips it.
The saved run's id is printed at the end (stderr); with --json every summary carries it
as `history_id` (null when the run is not saved).

--rerun ID sends a saved run again, exactly: its system prompt and prompt, and each model
with the params, system prompt and whole conversation it was sent, in the same order. It
takes no prompt, -m, --set, --system or --param (to ask other models, start a new
comparison); the new run is saved as a run of its own, pointing back to ID.

The exit status is non-zero only when every model failed.";

#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct CompareArgs {
    /// A model to ask, `provider/model[@KEY=VALUE…]`. Repeat for up to 8 models
    #[arg(
        short = 'm',
        long = "model",
        value_name = "MODEL",
        required_unless_present_any = ["set", "rerun"]
    )]
    pub models: Vec<String>,

    /// The models of a set saved in the app, each with its params and system prompt;
    /// any -m models are asked too, after them
    #[arg(long = "set", value_name = "NAME")]
    pub set: Option<String>,

    /// The system prompt
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,

    /// A parameter for every model. Repeatable
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,

    /// Print JSON lines (events, then one summary per model) instead of text
    #[arg(long)]
    pub json: bool,

    /// Do not save this run to the history
    #[arg(long)]
    pub no_save: bool,

    /// Send the saved run ID again, exactly as it was sent (its models, params, system
    /// prompts and messages); refuses a prompt, -m, --set, --system and --param
    #[arg(
        long,
        value_name = "ID",
        conflicts_with_all = ["prompt", "models", "set", "system", "params"]
    )]
    pub rerun: Option<i64>,

    #[command(flatten)]
    pub providers: ProviderArgs,

    /// The prompt; `-` reads it from standard input
    #[arg(required_unless_present = "rerun")]
    pub prompt: Option<String>,
}

/// `provider/model@k=v@k=v` → a target.
fn parse_target(spec: &str) -> Result<Target, String> {
    let mut parts = spec.split('@');
    let model = parts.next().unwrap_or_default().trim().to_owned();
    let mut params = Params::default();
    for kv in parts {
        params.set_pair(kv).map_err(|e| format!("{spec}: {e}"))?;
    }
    let mut target = Target::new(model);
    target.params = params;
    Ok(target)
}

/// The targets of the set saved as `name` (any case), or which sets there are.
fn saved_set(name: &str) -> Result<Vec<Target>, String> {
    let dir = require_data_dir()?;
    if let Some(set) = model_sets::find(&dir, name).map_err(|e| e.to_string())? {
        return Ok(set.targets);
    }
    let names: Vec<String> = model_sets::load(&dir)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|s| s.name)
        .collect();
    Err(if names.is_empty() {
        format!("no model set is called `{name}`: none is saved yet (save one in the app)")
    } else {
        format!(
            "no model set is called `{name}`; saved sets: {}",
            names.join(", ")
        )
    })
}

/// The comparison the command line asks for: `rerun`'s request when given, else the
/// prompt and models.
fn build(
    args: &CompareArgs,
    rerun: Option<&RunDetail>,
) -> Result<(CompareRequest, Runner), String> {
    let req = match rerun {
        Some(run) => history::record::rerun_request(run),
        None => request(args)?,
    };
    let providers = args.providers.providers()?;
    for t in &req.targets {
        providers.check(&t.model).map_err(|e| e.to_string())?;
    }
    let runner = Runner::new(providers, args.providers.timeouts()?)
        .map_err(|e| e.to_string())?
        .with_prices(Prices::new(load_book()));
    Ok((req, runner))
}

/// The prompt, system prompt, params and models of the command line.
fn request(args: &CompareArgs) -> Result<CompareRequest, String> {
    let prompt = args.prompt.as_deref().ok_or("a prompt is needed")?;
    let prompt = if prompt == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("could not read the prompt from stdin: {e}"))?;
        s
    } else {
        prompt.to_owned()
    };
    if prompt.trim().is_empty() {
        return Err("the prompt is empty".into());
    }
    let mut params = Params::default();
    for p in &args.params {
        params.set_pair(p).map_err(|e| format!("--param {e}"))?;
    }
    let mut targets = match &args.set {
        Some(name) => saved_set(name)?,
        None => Vec::new(),
    };
    for m in &args.models {
        targets.push(parse_target(m)?);
    }
    let request = ChatRequest {
        system: args.system.clone(),
        messages: vec![Message::user(prompt)],
        params,
    };
    Ok(CompareRequest { request, targets })
}

pub fn run(args: CompareArgs) -> ExitCode {
    // A re-run reads the saved run first: an unknown id or an unreadable history is an
    // error (exit 1), where saving only warns.
    let rerun = match args.rerun.map(history::record::rerun).transpose() {
        Ok(r) => r,
        Err(f) => return history::fail(&f),
    };
    let (req, runner, rt) = match build(&args, rerun.as_ref().map(|(_, run)| run))
        .and_then(|(req, runner)| Ok((req, runner, runtime()?)))
    {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let labels = labels(&req.targets);
    let currency = load_currency();
    print_estimates(&req, &runner, &labels, &currency, args.json);
    // Opened before the run (off the executor: opening reads and may upgrade the file).
    let history = if args.no_save {
        None
    } else if let Some((h, _)) = rerun {
        Some(h)
    } else {
        history::record::open()
    };
    let mut new_run = history::record::new_run(&req);
    new_run.parent_id = args.rerun;
    let result = rt.block_on(async {
        let (handle, mut rx) = match runner.start(req) {
            Ok(x) => x,
            Err(e) => return Err(e.to_string()),
        };
        // Saved before the first event is read: events wait in the channel meanwhile,
        // so every delta reaches the history.
        let recorder = history::record::begin(history.as_ref(), new_run).await;
        let history_id = recorder.as_ref().map(RunRecorder::run_id);
        let mut out = if args.json {
            Output::Json { history_id }
        } else if std::io::stdout().is_terminal() {
            Output::Live(Live {
                current: None,
                at_line_start: true,
                color: std::env::var_os("NO_COLOR").is_none(),
            })
        } else {
            Output::Sections
        };
        let mut summaries = Vec::new();
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        let mut interrupted = false;
        loop {
            let ev = tokio::select! {
                ev = rx.recv() => ev,
                _ = &mut ctrl_c, if !interrupted => {
                    interrupted = true;
                    handle.cancel_all();
                    continue;
                }
            };
            let Some(ev) = ev else { break };
            // What else has already arrived goes with it: one hand-off to the history's
            // writer per batch, not per token.
            let mut batch = vec![ev];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(more) => batch.push(more),
                    Err(_) => break,
                }
            }
            for ev in &batch {
                out.event(ev, &labels);
            }
            if let Some(r) = &recorder {
                r.record(&batch);
            }
            for ev in batch {
                if let RunEventKind::Summary(s) = ev.event {
                    summaries.push((ev.target, *s));
                }
            }
        }
        // Dropping the recorder hands the writer what it still holds.
        drop(recorder);
        Ok((summaries, history_id))
    });
    let (mut summaries, history_id) = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    if let Some(h) = &history {
        history::record::finish(h);
    }
    summaries.sort_by_key(|(i, _)| *i);
    if !args.json {
        print_table(&summaries, &labels, &currency);
    }
    if let (false, Some(id)) = (args.json, history_id) {
        let of = args
            .rerun
            .map(|p| format!(", a re-run of run {p}"))
            .unwrap_or_default();
        eprintln!("saved to the history as run {id}{of} (switchboard history show {id})");
    }
    if summaries.iter().all(|(_, s)| s.status != TargetStatus::Ok) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Display names: the model id, numbered when the same model appears twice.
fn labels(targets: &[Target]) -> Vec<String> {
    targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if targets.iter().filter(|o| o.model == t.model).count() > 1 {
                format!("{}#{}", t.model, i + 1)
            } else {
                t.model.clone()
            }
        })
        .collect()
}

/// The most events handed to the history's writer at once.
const MAX_BATCH: usize = 256;

enum Output {
    /// One JSON object per line; summaries carry the run's id in the history.
    Json { history_id: Option<i64> },
    /// A terminal: text as it streams, every line prefixed by its model.
    Live(Live),
    /// Not a terminal: each answer as one section when it ends.
    Sections,
}

impl Output {
    fn event(&mut self, ev: &RunEvent, labels: &[String]) {
        let label = labels.get(ev.target as usize).map_or("?", String::as_str);
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (e.g. `| head`) must not stop the run; writes are best effort.
        match self {
            Output::Json { history_id } => {
                if let Ok(mut v) = serde_json::to_value(ev) {
                    if let Some(obj) = v.as_object_mut() {
                        if !obj.contains_key("model") {
                            obj.insert("model".into(), serde_json::Value::String(label.to_owned()));
                        }
                        if matches!(ev.event, RunEventKind::Summary(_)) {
                            obj.insert("history_id".into(), (*history_id).into());
                        }
                    }
                    let _ = writeln!(stdout, "{v}");
                    let _ = stdout.flush();
                }
            }
            Output::Live(live) => {
                match &ev.event {
                    RunEventKind::Delta { text } => {
                        live.write(&mut stdout, ev.target, false, label, text)
                    }
                    RunEventKind::Reasoning { text } => {
                        live.write(&mut stdout, ev.target, true, label, text)
                    }
                    RunEventKind::Summary(_) => live.end_target(&mut stdout, ev.target),
                    _ => {}
                }
                let _ = stdout.flush();
            }
            Output::Sections => {
                if let RunEventKind::Summary(s) = &ev.event {
                    let _ = writeln!(stdout, "── {label} ──");
                    if !s.reasoning.is_empty() {
                        let _ =
                            writeln!(stdout, "(thinking)\n{}\n(answer)", s.reasoning.trim_end());
                    }
                    let text = s.text.trim_end();
                    if text.is_empty() && s.error.is_some() {
                        // Say so rather than leave a blank section; the table below says why.
                        let _ = writeln!(stdout, "(no answer — the error is listed below)\n");
                    } else {
                        let _ = writeln!(stdout, "{text}\n");
                    }
                    let _ = stdout.flush();
                }
            }
        }
    }
}

/// Interleaved streaming in a terminal: whoever writes continues the current line if it
/// was the last writer, else starts a new line with its `[model]` prefix.
struct Live {
    /// The target (and whether it was reasoning) that wrote last.
    current: Option<(u32, bool)>,
    at_line_start: bool,
    color: bool,
}

impl Live {
    const COLORS: [u8; 6] = [36, 33, 35, 32, 34, 31];

    fn prefix(&self, target: u32, reasoning: bool, label: &str) -> String {
        let tag = if reasoning {
            format!("[{label} · thinking]")
        } else {
            format!("[{label}]")
        };
        if self.color {
            let c = Self::COLORS[target as usize % Self::COLORS.len()];
            format!("\x1b[1;{c}m{tag}\x1b[0m ")
        } else {
            format!("{tag} ")
        }
    }

    fn write(
        &mut self,
        out: &mut impl Write,
        target: u32,
        reasoning: bool,
        label: &str,
        text: &str,
    ) {
        let key = (target, reasoning);
        if self.current != Some(key) {
            if !self.at_line_start {
                let _ = writeln!(out);
            }
            self.at_line_start = true;
            self.current = Some(key);
        }
        let prefix = self.prefix(target, reasoning, label);
        let (dim, reset) = if reasoning && self.color {
            ("\x1b[2m", "\x1b[0m")
        } else {
            ("", "")
        };
        for piece in text.split_inclusive('\n') {
            if self.at_line_start {
                let _ = write!(out, "{prefix}");
            }
            let _ = write!(out, "{dim}{piece}{reset}");
            self.at_line_start = piece.ends_with('\n');
        }
    }

    fn end_target(&mut self, out: &mut impl Write, target: u32) {
        if self.current.is_some_and(|(t, _)| t == target) {
            if !self.at_line_start {
                let _ = writeln!(out);
            }
            self.at_line_start = true;
            self.current = None;
        }
    }
}

/// Before sending: each target's input tokens and input cost (with its own system
/// prompt, when a saved set gives it one), and a warning when the prompt will not fit a model's context window. JSON lines `{"event":"estimate"}` with
/// `--json`, one line per model on stderr otherwise.
fn print_estimates(
    req: &CompareRequest,
    runner: &Runner,
    labels: &[String],
    currency: &DisplayCurrency,
    json: bool,
) {
    let book = runner.prices().get();
    let now = chrono::Utc::now();
    for (i, t) in req.targets.iter().enumerate() {
        let e = book.estimate(&t.model, &t.request_for(&req.request), now);
        if let Some(w) = &e.warning {
            eprintln!("warning: {w}");
        }
        if json {
            let mut v = serde_json::to_value(&e).unwrap_or_default();
            v["target"] = i.into();
            v["event"] = "estimate".into();
            println!("{v}");
            continue;
        }
        let label = labels.get(i).map_or(t.model.as_str(), String::as_str);
        let cost = match e.input_usd {
            None => "input unpriced".to_owned(),
            Some(_) if e.free => "free".to_owned(),
            Some(usd) => format!("input ≈{}", currency.format(usd)),
        };
        eprintln!(
            "{label}: ≈{} prompt tokens ({}), {cost}",
            e.input_tokens, e.counted_with
        );
    }
}

fn print_table(summaries: &[(u32, TargetSummary)], labels: &[String], currency: &DisplayCurrency) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "model", "status", "ttft", "total", "in", "out", "tok/s", "cost", "source", "error",
    ]);
    let ms = |v: Option<u64>| v.map_or("—".to_owned(), |m| format!("{:.2}s", m as f64 / 1000.0));
    for (i, s) in summaries {
        let est = if s.usage.source == UsageSource::Estimated {
            "~"
        } else {
            ""
        };
        // Nothing was processed when the provider never answered: no count to show.
        let tokens = |n: u64| {
            if s.metrics.ttft_ms.is_none() && s.usage.source == UsageSource::Estimated && n == 0 {
                "—".to_owned()
            } else {
                format!("{est}{n}")
            }
        };
        let status = match s.status {
            TargetStatus::Ok => "ok",
            TargetStatus::Error => "error",
            TargetStatus::Cancelled => "cancelled",
        };
        let label = labels
            .get(*i as usize)
            .map_or(s.model.as_str(), String::as_str);
        table.add_row(vec![
            Cell::new(label),
            Cell::new(status),
            Cell::new(ms(s.metrics.ttft_ms)).set_alignment(CellAlignment::Right),
            Cell::new(ms(Some(s.metrics.total_ms))).set_alignment(CellAlignment::Right),
            Cell::new(tokens(s.usage.input_tokens)).set_alignment(CellAlignment::Right),
            Cell::new(tokens(s.usage.output_tokens)).set_alignment(CellAlignment::Right),
            Cell::new(
                s.metrics
                    .output_tokens_per_s
                    .map_or("—".to_owned(), |t| format!("{t:.1}")),
            )
            .set_alignment(CellAlignment::Right),
            Cell::new(s.cost.display(currency)).set_alignment(CellAlignment::Right),
            Cell::new(s.cost.source.as_str()),
            Cell::new(s.error.as_ref().map_or("", |e| e.kind.as_str())),
        ]);
    }
    println!("{table}");
    if summaries
        .iter()
        .any(|(_, s)| s.usage.source == UsageSource::Estimated && s.metrics.ttft_ms.is_some())
    {
        println!("~ estimated: the provider reported no usage; tokens counted with a tokenizer");
    }
    if summaries
        .iter()
        .any(|(_, s)| s.cost.source == CostSource::Unpriced)
    {
        println!(
            "unpriced: no price is known for the model; set one with `switchboard prices set`"
        );
    }
    for (i, s) in summaries {
        if let Some(e) = &s.error {
            let label = labels
                .get(*i as usize)
                .map_or(s.model.as_str(), String::as_str);
            println!("{label}: {}", e.message);
            if let Some(h) = &s.hint {
                println!("  hint: {h}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_follow_the_model_after_at_signs() {
        let t = parse_target("openai/gpt-4o@temperature=0.2@stop=a,b").unwrap();
        assert_eq!(t.model, "openai/gpt-4o");
        assert_eq!(t.params.temperature, Some(0.2));
        assert_eq!(t.params.stop, vec!["a", "b"]);
        assert!(parse_target("openai/gpt-4o@nope=1").is_err());
    }

    #[test]
    fn duplicate_models_get_numbered_labels() {
        let l = labels(&[Target::new("a/x"), Target::new("a/x"), Target::new("b/y")]);
        assert_eq!(l, ["a/x#1", "a/x#2", "b/y"]);
    }
}
