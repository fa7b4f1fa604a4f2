//! What the providers settings and `switchboard keys list` show: each provider with
//! its base URL, where that came from, and its key's [`KeyStatus`] — and the result of
//! testing a key with a cheap authenticated call (listing models).

use serde::Serialize;
use ts_rs::TS;

use super::{BaseUrlSource, ProviderKind, Providers, ResolveError, PRESETS};
use crate::error::ErrorInfo;
use crate::http::Executor;
use crate::keys::{KeyStatus, KeychainProblem};
use crate::provider_config::{HeaderPair, ProviderConfig};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProviderStatus {
    /// The model-id prefix and keychain account (`openai`, a custom name).
    pub id: String,
    pub label: String,
    /// A user-defined endpoint rather than a built-in provider.
    pub custom: bool,
    pub wire: ProviderKind,
    pub base_url: String,
    pub base_url_source: BaseUrlSource,
    /// The variable that overrides a built-in's base URL.
    pub base_url_env: Option<String>,
    /// A built-in's public endpoint.
    pub default_base_url: Option<String>,
    /// Whether requests need a key (local servers do not).
    pub needs_key: bool,
    pub key: KeyStatus,
    /// A custom endpoint's extra headers.
    pub headers: Vec<HeaderPair>,
    /// A custom endpoint's key header (`None`: `Authorization: Bearer`).
    pub key_header: Option<String>,
}

/// The keychain as a whole: what it is and, if it cannot be used, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KeychainStatus {
    /// e.g. "the Secret Service (service `switchboard`)".
    pub backend: String,
    pub problem: Option<KeychainProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProvidersOverview {
    pub keychain: KeychainStatus,
    pub providers: Vec<ProviderStatus>,
}

/// Every provider's status. The keychain lookups (a D-Bus round trip each on Linux)
/// run side by side, so the list takes one round trip, not one per provider.
pub fn overview(providers: &Providers, config: &ProviderConfig) -> ProvidersOverview {
    let ids = providers.ids();
    let statuses: Vec<Result<ProviderStatus, ResolveError>> = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| s.spawn(move || status(providers, config, id)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(ResolveError::UnknownProvider("(lookup failed)".into()))
                })
            })
            .collect()
    });
    let providers_list: Vec<ProviderStatus> = statuses.into_iter().filter_map(Result::ok).collect();
    let problem = providers_list
        .iter()
        .find_map(|p| p.key.keychain_error.clone());
    ProvidersOverview {
        keychain: KeychainStatus {
            backend: providers.key_backend(),
            problem,
        },
        providers: providers_list,
    }
}

/// One provider's status. Blocks on the keychain.
pub fn status(
    providers: &Providers,
    config: &ProviderConfig,
    id: &str,
) -> Result<ProviderStatus, ResolveError> {
    let (ep, key) = providers.endpoint_and_key(id)?;
    let preset = PRESETS.iter().find(|p| p.id == ep.provider);
    let custom = config.custom.iter().find(|c| c.name == ep.provider);
    Ok(ProviderStatus {
        label: preset.map_or_else(|| ep.provider.clone(), |p| p.label.to_owned()),
        custom: preset.is_none(),
        wire: ep.kind,
        base_url: ep.base_url.clone(),
        base_url_source: ep.base_url_source,
        base_url_env: preset.map(|p| p.base_url_env.to_owned()),
        default_base_url: preset.map(|p| p.default_base_url.to_owned()),
        needs_key: ep.needs_key,
        key,
        headers: custom.map(|c| c.headers.clone()).unwrap_or_default(),
        key_header: custom.and_then(|c| c.key_header.clone()),
        id: ep.provider,
    })
}

/// The result of testing a provider's key.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KeyCheck {
    pub provider: String,
    pub ok: bool,
    /// How many models the provider listed (when it answered).
    pub models: Option<u32>,
    pub error: Option<ErrorInfo>,
    /// What to do about the error.
    pub hint: Option<String>,
}

/// Tests the key a provider would use now, by listing its models: cheap, needs the
/// key on every provider that has one, and costs nothing. Resolve the endpoint on a
/// blocking thread first (the keychain blocks).
pub async fn check_key(exec: &Executor, ep: &super::Endpoint) -> KeyCheck {
    match super::models::list_models(exec, ep).await {
        Ok(models) => KeyCheck {
            provider: ep.provider.clone(),
            ok: true,
            models: Some(u32::try_from(models.len()).unwrap_or(u32::MAX)),
            error: None,
            hint: None,
        },
        Err(e) => KeyCheck {
            provider: ep.provider.clone(),
            ok: false,
            models: None,
            hint: crate::runner::hint(e.kind(), ep),
            error: Some(e.info()),
        },
    }
}

/// The providers `import-env` looks at: each id with the variables its key is read from.
pub fn key_variables(providers: &Providers) -> Vec<(String, Vec<String>)> {
    providers
        .ids()
        .into_iter()
        .filter_map(|id| providers.key_env(&id).ok().map(|vars| (id, vars)))
        .collect()
}
