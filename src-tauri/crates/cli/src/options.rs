//! Options shared by the subcommands that talk to providers.

use std::time::Duration;

use clap::Args;
use switchboard_core::provider_config::ProviderConfig;
use switchboard_core::providers::{CustomEndpoint, Providers};
use switchboard_core::Timeouts;

/// Exit status for a command line that cannot run (bad flag values).
pub const USAGE_ERROR: u8 = 2;

#[derive(Debug, Clone, Args)]
pub struct ProviderArgs {
    /// A custom OpenAI-compatible endpoint, then usable as `NAME/model`. Its key, if any,
    /// comes from the keychain (`switchboard keys set NAME`) or `<NAME>_API_KEY`
    /// (upper-cased, `-` and `.` as `_`). Endpoints saved in the app work without this
    /// flag. Repeatable
    #[arg(long = "endpoint", value_name = "NAME=BASE_URL")]
    pub endpoints: Vec<String>,

    /// An extra HTTP header for a custom endpoint. Repeatable
    #[arg(long = "endpoint-header", value_name = "NAME:HEADER=VALUE")]
    pub endpoint_headers: Vec<String>,

    /// Seconds to wait for the connection to open
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout_connect: f64,

    /// Seconds to wait from the request to the first token (reasoning models are slow)
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub timeout_first_token: f64,

    /// Seconds to wait between two chunks once an answer has started
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout_idle: f64,
}

fn secs(name: &str, v: f64) -> Result<Duration, String> {
    if v.is_finite() && v > 0.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(format!("--{name} must be a positive number of seconds"))
    }
}

impl ProviderArgs {
    pub fn timeouts(&self) -> Result<Timeouts, String> {
        Ok(Timeouts {
            connect: secs("timeout-connect", self.timeout_connect)?,
            first_token: secs("timeout-first-token", self.timeout_first_token)?,
            idle: secs("timeout-idle", self.timeout_idle)?,
        })
    }

    /// The providers as the app sees them — keys from the keychain then the
    /// environment, base URLs and custom endpoints from the app's provider settings —
    /// plus the custom endpoints given on the command line.
    pub fn providers(&self) -> Result<Providers, String> {
        let mut providers = Providers::system(&saved_config());
        let mut customs: Vec<CustomEndpoint> = Vec::new();
        for e in &self.endpoints {
            let (name, url) = e
                .split_once('=')
                .ok_or_else(|| format!("--endpoint expects NAME=BASE_URL, got `{e}`"))?;
            let name = name.trim();
            if name.is_empty() || name.contains('/') || name.contains('@') {
                return Err(format!(
                    "--endpoint name `{name}` must be non-empty without `/` or `@`"
                ));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "--endpoint {name}: the base URL must start with http:// or https://"
                ));
            }
            customs.push(CustomEndpoint {
                name: name.to_owned(),
                base_url: url.to_owned(),
                key_env: None,
                extra_headers: Vec::new(),
                key_header: None,
            });
        }
        for h in &self.endpoint_headers {
            let bad = || format!("--endpoint-header expects NAME:HEADER=VALUE, got `{h}`");
            let (name, rest) = h.split_once(':').ok_or_else(bad)?;
            let (header, value) = rest.split_once('=').ok_or_else(bad)?;
            let c = customs.iter_mut().find(|c| c.name == name).ok_or_else(|| {
                format!("--endpoint-header names `{name}`, which no --endpoint defines")
            })?;
            c.extra_headers
                .push((header.trim().to_owned(), value.to_owned()));
        }
        for c in customs {
            providers.add_custom(c);
        }
        Ok(providers)
    }
}

/// The provider settings saved by the app (`providers.json`). Without a data folder
/// there are none; a broken file is reported and skipped, so the built-in providers
/// still work.
pub fn saved_config() -> ProviderConfig {
    let Ok(dir) = switchboard_core::paths::data_dir() else {
        return ProviderConfig::default();
    };
    ProviderConfig::load(&dir).unwrap_or_else(|e| {
        eprintln!("warning: {e}; using the built-in providers only");
        ProviderConfig::default()
    })
}

/// A multi-threaded runtime for the commands that do I/O.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))
}
