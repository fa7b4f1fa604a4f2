//! `switchboard models PROVIDER`: what a provider offers.

use std::process::ExitCode;

use clap::Args;
use switchboard_core::http::Executor;
use switchboard_core::providers::models::list_models;

use crate::options::{runtime, ProviderArgs, USAGE_ERROR};

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// A provider prefix (openai, anthropic, gemini, openrouter, groq, mistral, deepseek,
    /// xai, together_ai, fireworks_ai, ollama, lmstudio) or a custom endpoint's name
    pub provider: String,

    /// Print one JSON object `{"provider", "models": [{"id", "display_name", "context_length"}]}`
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub providers: ProviderArgs,
}

pub fn run(args: ModelsArgs) -> ExitCode {
    let setup = (|| {
        let providers = args.providers.providers()?;
        let ep = providers
            .endpoint(&args.provider)
            .map_err(|e| e.to_string())?;
        let exec = Executor::new(args.providers.timeouts()?).map_err(|e| e.to_string())?;
        Ok::<_, String>((ep, exec, runtime()?))
    })();
    let (ep, exec, rt) = match setup {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    match rt.block_on(list_models(&exec, &ep)) {
        Ok(models) if args.json => {
            let v = serde_json::json!({"provider": ep.provider, "models": models});
            println!("{v}");
            ExitCode::SUCCESS
        }
        Ok(models) => {
            for m in models {
                match m.context_length {
                    Some(c) => println!("{}/{}\t{c}", ep.provider, m.id),
                    None => println!("{}/{}", ep.provider, m.id),
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let hint = switchboard_core::runner::hint(e.kind(), &ep);
            if args.json {
                let v =
                    serde_json::json!({"provider": ep.provider, "error": e.info(), "hint": hint});
                println!("{v}");
            } else {
                eprintln!("error [{}]: {e}", e.kind());
                if let Some(h) = hint {
                    eprintln!("hint: {h}");
                }
            }
            ExitCode::FAILURE
        }
    }
}
