//! `switchboard serve`: the local router, headless — an OpenAI-compatible endpoint in
//! front of the saved setups (or a LiteLLM `config.yaml`), with the keys from the
//! keychain, every call saved to the history with its cost.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use switchboard_core::http::{Executor, Timeouts};
use switchboard_core::keys::{Env, Keys, ProcessEnv};
use switchboard_core::prices::book::Prices;
use switchboard_core::providers::Providers;
use switchboard_core::setups::Setup;
use switchboard_router::accounting::{HistoryLog, DEFAULT_CAPACITY};
use switchboard_router::token::{router_token, TokenSource, TOKEN_ENV};
use switchboard_router::{
    config, AppState, CallLog, CapPeriod, NoLog, RouterConfig, RouterSettings, Spend, SpendCap,
};

use crate::options::{runtime, saved_config, USAGE_ERROR};
use crate::price_book::load_book;
use crate::setups::describe;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A LiteLLM proxy config.yaml to serve (model_list, router_settings, master_key).
    /// Without it, the setups saved in the app are served.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The address to listen on. Anything but loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port to listen on; 0 picks a free one (printed when ready).
    #[arg(long, short = 'p', default_value_t = 4141)]
    pub port: u16,
    /// Listen on a non-loopback address: anyone who can reach it and has the token can
    /// spend on your keys.
    #[arg(long)]
    pub allow_remote: bool,
    /// Allow browser calls from this origin (repeatable; `*` for any). Off by default.
    #[arg(long = "cors", value_name = "ORIGIN")]
    pub cors: Vec<String>,
    /// Do not save calls to the history (spend caps then count from zero).
    #[arg(long)]
    pub no_history: bool,
    /// Print the token clients must send, then serve.
    #[arg(long)]
    pub print_token: bool,
    /// Stop serving (429) once today's spend (UTC) reaches this many USD, over every alias
    /// (0 pauses every call).
    #[arg(long, value_name = "USD")]
    pub cap_day: Option<Decimal>,
    /// The same over the current UTC month.
    #[arg(long, value_name = "USD")]
    pub cap_month: Option<Decimal>,
    /// A cap for one alias: ALIAS:day:USD or ALIAS:month:USD (repeatable).
    #[arg(long = "cap", value_name = "ALIAS:PERIOD:USD")]
    pub caps: Vec<String>,
}

/// Why serve cannot start: the message and the exit status.
struct Stop(u8, String);

pub fn run(args: ServeArgs) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop(code, message)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

fn usage(message: impl Into<String>) -> Stop {
    Stop(USAGE_ERROR, message.into())
}

fn failed(message: impl Into<String>) -> Stop {
    Stop(1, message.into())
}

fn serve(args: ServeArgs) -> Result<(), Stop> {
    if !args.host.is_loopback() && !args.allow_remote {
        return Err(usage(format!(
            "{} is reachable from other machines; the router spends on your keys, so listening there needs --allow-remote (and a firewall you trust)",
            args.host
        )));
    }
    let mut caps = parse_caps(&args)?;
    // Opened once: it holds the saved setups (without --config) and takes the calls.
    let history = if args.no_history && args.config.is_some() {
        None
    } else {
        Some(crate::history::open::open().map_err(|f| failed(f.message))?)
    };
    let env: Arc<dyn Env> = Arc::new(ProcessEnv);
    let keys = Keys::os();
    let app_providers = saved_config();

    // Routes, settings and providers: from the file, or from the app's saved setups.
    let (setups, mut settings, master_key, providers, warnings, source) = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
            // The app's own base URLs and servers, so an `api_base` that is one of
            // them is read as that provider, not as a new server.
            let mut known = Providers::from_env();
            app_providers.apply_to(&mut known);
            let loaded = config::load(&text, &known, env.as_ref())
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            let providers =
                config::providers_for(&loaded, Arc::new(keys.clone()), env.clone(), &app_providers);
            caps.extend(loaded.caps.iter().cloned());
            (
                loaded.setups,
                loaded.settings,
                loaded.master_key,
                providers,
                loaded.warnings,
                path.display().to_string(),
            )
        }
        None => {
            let setups = match &history {
                Some(h) => h.setups().map_err(|e| failed(e.to_string()))?,
                None => Vec::new(),
            };
            if setups.is_empty() {
                return Err(usage(
                    "no setups are saved, so there is nothing to serve: save one in the app (Setups), with `switchboard export … --save` or `switchboard import FILE`, or serve a LiteLLM config with --config FILE",
                ));
            }
            let providers = Providers::system(&app_providers);
            (
                setups,
                RouterSettings::default(),
                None,
                providers,
                Vec::new(),
                "the saved setups".to_owned(),
            )
        }
    };
    settings.cors_origins = args.cors.clone();

    let (token, token_source) = match master_key {
        Some(k) => (k, TokenSource::MasterKey),
        None => router_token().map_err(|e| failed(e.to_string()))?,
    };

    // --no-history without --config: the setups were read, the calls are not kept.
    let history = history.filter(|_| !args.no_history);
    let now = chrono::Utc::now();
    let spend = match &history {
        Some(h) => Spend::from_history(caps.clone(), h, now).map_err(|e| failed(e.to_string()))?,
        None => Spend::new(caps.clone()),
    };
    let history_log = match &history {
        Some(h) => Some(
            HistoryLog::start(h.clone(), DEFAULT_CAPACITY)
                .map_err(|e| failed(format!("cannot start the history writer: {e}")))?,
        ),
        None => None,
    };
    let log: Arc<dyn CallLog> = match &history_log {
        Some(l) => Arc::new(l.clone()),
        None => Arc::new(NoLog),
    };

    let longest = setups.iter().map(|s| s.timeout_secs).max().unwrap_or(60);
    let timeouts = Timeouts {
        first_token: Duration::from_secs(u64::from(longest) + 5),
        ..Timeouts::default()
    };
    let exec = Executor::new(timeouts).map_err(|e| failed(e.to_string()))?;
    let config = RouterConfig {
        setups: setups.clone(),
        token: token.clone(),
        settings,
        caps: caps.clone(),
    };
    let state = AppState::new(
        config,
        &providers,
        Prices::new(load_book()),
        exec,
        log,
        spend,
    );

    let rt = runtime().map_err(failed)?;
    let watched = history_log.clone();
    let history_path = history.as_ref().map(|h| h.path().display().to_string());
    rt.block_on(async move {
        let addr = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            failed(match e.kind() {
                std::io::ErrorKind::AddrInUse => format!("port {} is in use (another router or app?): stop it, or pick another with --port (0 picks a free one)", args.port),
                _ => format!("cannot listen on {addr}: {e}"),
            })
        })?;
        let bound = listener.local_addr().map_err(|e| failed(e.to_string()))?;
        // Listening for Ctrl-C and SIGTERM before saying "Serving": a script that stops
        // it right after must get a clean stop.
        let stop = shutdown_signal().map_err(|e| failed(format!("cannot listen for Ctrl-C: {e}")))?;
        announce(&args, bound, &setups, &source, token_source, &token, &caps, &warnings, &state, history_path);

        let watch = watched.map(|l| tokio::spawn(report_drops(l)));
        let served = switchboard_router::serve(listener, state, stop).await;
        if let Some(w) = watch {
            w.abort();
        }
        served.map_err(|e| failed(format!("the router stopped: {e}")))?;
        Ok::<(), Stop>(())
    })?;

    if let Some(l) = history_log {
        let saved = l.flush(Duration::from_secs(5));
        let (failed_n, err) = l.failed();
        eprintln!(
            "Stopped. {} calls saved to the history{}{}{}",
            l.written(),
            if saved {
                ""
            } else {
                " (some were still being written)"
            },
            if l.dropped() > 0 {
                format!("; {} not saved (the writer fell behind)", l.dropped())
            } else {
                String::new()
            },
            match (failed_n, err) {
                (0, _) => String::new(),
                (n, Some(e)) => format!("; {n} could not be saved: {e}"),
                (n, None) => format!("; {n} could not be saved"),
            }
        );
    } else {
        eprintln!("Stopped.");
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn announce(
    args: &ServeArgs,
    bound: SocketAddr,
    setups: &[Setup],
    source: &str,
    token_source: TokenSource,
    token: &SecretString,
    caps: &[SpendCap],
    warnings: &[String],
    state: &AppState,
    history: Option<String>,
) {
    // The first line is what scripts wait for.
    println!(
        "Serving {} setup{} on http://{bound}/v1",
        setups.len(),
        if setups.len() == 1 { "" } else { "s" }
    );
    println!("  from {source}");
    for s in setups {
        println!("  {}: {}", s.alias, describe(s));
    }
    println!(
        "  token: {} — clients send it as `Authorization: Bearer …`{}",
        token_source.describe(),
        if args.print_token || token_source == TokenSource::Env {
            String::new()
        } else {
            format!(" (`switchboard serve --print-token` shows it; {TOKEN_ENV} sets your own)")
        }
    );
    if args.print_token {
        println!("  {}", token.expose_secret());
    }
    match history {
        Some(p) => println!("  calls are saved to the history: {p}"),
        None => println!("  calls are not saved (--no-history)"),
    }
    for c in caps {
        println!(
            "  spend cap: ${} a {} for {}",
            c.usd.normalize(),
            c.period.as_str(),
            c.alias
                .as_deref()
                .map_or("everything".to_owned(), |a| format!("`{a}`"))
        );
    }
    if !args.cors.is_empty() {
        println!("  CORS allowed for: {}", args.cors.join(", "));
    }
    if !bound.ip().is_loopback() {
        eprintln!("warning: listening on {bound}: any machine that can reach it and has the token can spend on your keys");
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
    for p in state.problems() {
        eprintln!("warning: {p}");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

/// Says so when calls could not be queued for the history (every 5 s at most).
async fn report_drops(log: HistoryLog) {
    let mut seen = 0;
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        let now = log.dropped();
        if now > seen {
            eprintln!("warning: {} calls were not saved to the history: it fell behind ({} since the start)", now - seen, now);
            seen = now;
        }
    }
}

/// Completes on Ctrl-C or SIGTERM; the handlers are installed when this returns.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

fn parse_caps(args: &ServeArgs) -> Result<Vec<SpendCap>, Stop> {
    let mut caps = Vec::new();
    // 0 is a cap too: it refuses every call (a pause), as in the app's Router view.
    let amount = |usd: Decimal, flag: &str| {
        if usd.is_sign_negative() {
            Err(usage(format!("{flag} needs an amount in USD, 0 or more")))
        } else {
            Ok(usd)
        }
    };
    if let Some(usd) = args.cap_day {
        caps.push(SpendCap {
            alias: None,
            period: CapPeriod::Day,
            usd: amount(usd, "--cap-day")?,
        });
    }
    if let Some(usd) = args.cap_month {
        caps.push(SpendCap {
            alias: None,
            period: CapPeriod::Month,
            usd: amount(usd, "--cap-month")?,
        });
    }
    for c in &args.caps {
        let bad = || {
            usage(format!(
                "--cap {c}: expected ALIAS:day:USD or ALIAS:month:USD, e.g. --cap chat:day:5"
            ))
        };
        let mut parts = c.rsplitn(3, ':');
        let (Some(usd), Some(period), Some(alias)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let period = match period {
            "day" | "daily" => CapPeriod::Day,
            "month" | "monthly" => CapPeriod::Month,
            _ => return Err(bad()),
        };
        let usd: Decimal = usd.trim_start_matches('$').parse().map_err(|_| bad())?;
        caps.push(SpendCap {
            alias: Some(alias.to_owned()),
            period,
            usd: amount(usd, "--cap")?,
        });
    }
    Ok(caps)
}
