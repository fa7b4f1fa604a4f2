//! Providers: a closed set of wire formats ([`ProviderKind`]), presets that name the
//! OpenAI-compatible services, and resolution of `provider/model` ids to an
//! [`Endpoint`] (base URL + key).
//!
//! Adapters are pure translation: [`build_request`] makes an [`HttpRequestSpec`], and
//! a [`StreamParser`] turns SSE events into [`ChatEvent`]s. Only [`crate::http`] does I/O.

pub mod anthropic;
pub mod compat;
pub mod gemini;
pub mod models;
pub mod openai;
pub mod status;

use std::borrow::Cow;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

use crate::chat::{ChatEvent, ChatRequest, FinishReason, ModelId, Params};
use crate::error::ProviderError;
use crate::http::HttpRequestSpec;
use crate::keys::{
    env_stem, ApiKey, Env, EnvKeys, KeyLookup, KeyOrigin, KeySource, KeyStatus, KeychainError,
    ProcessEnv,
};
use crate::sse::SseEvent;

pub use compat::{Preset, PRESETS};

/// The wire formats Switchboard speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// OpenAI Chat Completions at api.openai.com.
    #[serde(rename = "openai")]
    OpenAi,
    Anthropic,
    Gemini,
    /// Chat Completions anywhere else: the presets and custom endpoints.
    #[serde(rename = "openai_compatible")]
    OpenAiCompatible,
}

/// Where one provider is reached: everything an adapter needs besides the request.
#[derive(Clone)]
pub struct Endpoint {
    /// The provider prefix of the model id (`openai`, `openrouter`, a custom name).
    pub provider: String,
    pub kind: ProviderKind,
    /// Without a trailing slash.
    pub base_url: String,
    /// Where `base_url` came from.
    pub base_url_source: BaseUrlSource,
    pub api_key: Option<ApiKey>,
    /// Where `api_key` came from.
    pub key_origin: Option<KeyOrigin>,
    /// Why the keychain could not be read, if it could not (explains a missing key).
    pub keychain_error: Option<KeychainError>,
    /// The variable(s) the key is read from, for hints ("check OPENAI_API_KEY").
    pub key_env: Vec<String>,
    /// The header a custom endpoint wants its key in, raw (e.g. `api-key`), instead
    /// of `Authorization: Bearer`.
    pub key_header: Option<String>,
    /// Whether a request without a key is pointless (false for local servers).
    pub needs_key: bool,
    /// Extra headers sent with every request (custom endpoints, OpenRouter's X-Title).
    pub extra_headers: Vec<(String, String)>,
    /// Whether to ask for usage with `stream_options.include_usage` (OpenAI format).
    pub include_usage: bool,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("key_origin", &self.key_origin)
            .field("key_env", &self.key_env)
            .field("extra_headers", &self.extra_headers)
            .finish()
    }
}

impl Endpoint {
    /// An endpoint for tests and embedders: `kind` at `base_url` with an optional key.
    pub fn new(provider: &str, kind: ProviderKind, base_url: &str, api_key: Option<&str>) -> Self {
        Self {
            provider: provider.to_owned(),
            kind,
            base_url: base_url.trim_end_matches('/').to_owned(),
            base_url_source: BaseUrlSource::Default,
            api_key: api_key.and_then(|k| ApiKey::parse(k).ok()),
            key_origin: None,
            keychain_error: None,
            key_env: Vec::new(),
            key_header: None,
            needs_key: false,
            extra_headers: Vec::new(),
            include_usage: true,
        }
    }

    /// The auth error for a missing key: where to add one, and why the keychain did
    /// not answer if it did not.
    pub fn missing_key_error(&self) -> ProviderError {
        let p = &self.provider;
        let vars = if self.key_env.is_empty() {
            String::new()
        } else {
            format!(", or set {}", self.key_env.join(" or "))
        };
        let keychain = match &self.keychain_error {
            Some(e) => format!(" ({}; {})", e.cause(), e.fix()),
            None => String::new(),
        };
        ProviderError::Auth {
            status: None,
            message: format!(
                "no API key for {p}: add one in Settings → Providers or with `switchboard keys set {p}`{vars}{keychain}"
            ),
        }
    }
}

/// A provider as a gateway config sees it (no key, only where the key is read from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderFacts {
    /// The canonical id (`gemini` for `google`), or the custom endpoint's name.
    pub id: String,
    pub kind: ProviderKind,
    /// `None` for a custom endpoint.
    pub preset: Option<&'static Preset>,
    /// Without a trailing slash, as Switchboard calls it (settings, then variable).
    pub base_url: String,
    /// Whether `base_url` is the provider's public default (so configs can omit it).
    pub default_base_url: bool,
    /// The variable a gateway should read the key from (`OPENAI_API_KEY`).
    pub key_env: String,
    pub needs_key: bool,
    /// A custom endpoint's raw key header (`api-key`), if not `Authorization: Bearer`.
    pub key_header: Option<String>,
}

/// A user-defined OpenAI-compatible server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomEndpoint {
    pub name: String,
    pub base_url: String,
    /// Key variable; defaults to `<NAME>_API_KEY`. A custom endpoint works without a key.
    pub key_env: Option<String>,
    pub extra_headers: Vec<(String, String)>,
    /// Send the key raw in this header instead of `Authorization: Bearer`.
    pub key_header: Option<String>,
}

/// Where an endpoint's base URL came from, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BaseUrlSource {
    /// Saved in Switchboard's provider settings (or a custom endpoint's own URL).
    Settings,
    /// The SDK's variable, e.g. `OPENAI_BASE_URL`.
    Env,
    /// The provider's public endpoint.
    Default,
}

/// The request with the target's overrides applied, as an adapter translates it.
#[derive(Debug, Clone)]
pub struct ResolvedRequest<'a> {
    pub request: &'a ChatRequest,
    /// The provider's own model name (the part after `provider/`).
    pub model: &'a str,
    pub params: Params,
    /// Ask for a stream of events (`true`) or for the whole answer in one JSON body.
    pub stream: bool,
}

/// Builds the HTTP request for `kind`: streamed or not, as `req.stream` says.
pub fn build_request(req: &ResolvedRequest<'_>, endpoint: &Endpoint) -> HttpRequestSpec {
    let spec = match endpoint.kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            openai::build_request(req, endpoint)
        }
        ProviderKind::Anthropic => anthropic::build_request(req, endpoint),
        ProviderKind::Gemini => gemini::build_request(req, endpoint),
    };
    with_extra_headers(spec, endpoint)
}

/// The `accept` header for a streamed or a whole answer (every format's the same).
pub(crate) fn accept(stream: bool) -> &'static str {
    if stream {
        "text/event-stream"
    } else {
        "application/json"
    }
}

/// Adds the endpoint's key, if it has one, in the header its provider kind expects:
/// `authorization: Bearer …` (OpenAI format), `x-api-key` (Anthropic),
/// `x-goog-api-key` (Gemini). Always as a secret header, scrubbed from errors.
pub(crate) fn with_key(spec: HttpRequestSpec, endpoint: &Endpoint) -> HttpRequestSpec {
    let Some(key) = &endpoint.api_key else {
        return spec;
    };
    if let Some(header) = &endpoint.key_header {
        return spec.secret_header(header, SecretString::from(key.expose_secret().to_owned()));
    }
    let (name, value) = match endpoint.kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            ("authorization", format!("Bearer {}", key.expose_secret()))
        }
        ProviderKind::Anthropic => ("x-api-key", key.expose_secret().to_owned()),
        ProviderKind::Gemini => ("x-goog-api-key", key.expose_secret().to_owned()),
    };
    spec.secret_header(name, SecretString::from(value))
}

pub(crate) fn with_extra_headers(
    mut spec: HttpRequestSpec,
    endpoint: &Endpoint,
) -> HttpRequestSpec {
    for (k, v) in &endpoint.extra_headers {
        spec = spec.header(k, v.clone());
    }
    spec
}

/// A stateful parser from one provider's SSE events to normalized events.
#[derive(Debug)]
pub enum StreamParser {
    OpenAi(openai::OpenAiParser),
    Anthropic(anthropic::AnthropicParser),
    Gemini(gemini::GeminiParser),
}

impl StreamParser {
    pub fn new(kind: ProviderKind) -> Self {
        match kind {
            ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
                Self::OpenAi(openai::OpenAiParser::default())
            }
            ProviderKind::Anthropic => Self::Anthropic(anthropic::AnthropicParser::default()),
            ProviderKind::Gemini => Self::Gemini(gemini::GeminiParser::default()),
        }
    }

    /// Translates one SSE event. An `Err` ends the stream.
    pub fn on_event(&mut self, ev: &SseEvent) -> Vec<Result<ChatEvent, ProviderError>> {
        match self {
            Self::OpenAi(p) => p.on_event(ev),
            Self::Anthropic(p) => p.on_event(ev),
            Self::Gemini(p) => p.on_event(ev),
        }
    }

    /// The connection ended: emits the final usage and `finished`, or
    /// `stream_interrupted` when the provider's end marker never came.
    pub fn on_end(&mut self) -> Vec<Result<ChatEvent, ProviderError>> {
        match self {
            Self::OpenAi(p) => p.on_end(),
            Self::Anthropic(p) => p.on_end(),
            Self::Gemini(p) => p.on_end(),
        }
    }

    /// Whether the provider's end marker has been seen (no more events will matter).
    pub fn is_done(&self) -> bool {
        match self {
            Self::OpenAi(p) => p.is_done(),
            Self::Anthropic(p) => p.is_done(),
            Self::Gemini(_) => false,
        }
    }
}

/// The events of a whole (non-streamed) answer, `body` being the provider's JSON:
/// the same events its stream would have given — text, reasoning, usage, `Finished`
/// (or the error the provider wrote in a 200 body).
pub fn parse_complete(kind: ProviderKind, body: &str) -> Vec<Result<ChatEvent, ProviderError>> {
    match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => openai::complete_events(body),
        ProviderKind::Anthropic => anthropic::complete_events(body),
        ProviderKind::Gemini => gemini::complete_events(body),
    }
}

/// A JSON string in a stream event, borrowed from the event when it has no escapes.
/// (A bare `Option<Cow<str>>` always copies, even under `#[serde(borrow)]`.)
#[derive(Debug, Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// The provider's filter stopped the answer; `field` is the wire field that said so
/// (`finish_reason`, `stop_reason`, `finishReason`), `raw` its value.
fn content_filtered(field: &str, raw: &str) -> ProviderError {
    ProviderError::ContentFiltered {
        status: None,
        message: format!("the provider's content filter stopped the answer ({field}: {raw})"),
    }
}

/// How an answer ended, from the provider's raw reason (none means a plain stop):
/// `Finished`, or a `content_filtered` error when the provider's filter stopped it.
fn finish(raw: Option<String>, field: &str) -> Result<ChatEvent, ProviderError> {
    let reason = raw
        .as_deref()
        .map_or(FinishReason::Stop, FinishReason::from_provider);
    if reason == FinishReason::ContentFilter {
        return Err(content_filtered(field, raw.as_deref().unwrap_or_default()));
    }
    Ok(ChatEvent::Finished {
        finish_reason: reason,
        raw,
    })
}

/// Reads one event's data into its wire struct; anything else is `malformed_response`.
fn parse_event<'a, T: Deserialize<'a>>(data: &'a str) -> Result<T, ProviderError> {
    serde_json::from_str(data).map_err(|e| {
        ProviderError::malformed(format!("an event is not the expected JSON ({e})"), data)
    })
}

/// A non-empty text as a delta or reasoning event.
fn text_event(t: Option<Text<'_>>, reasoning: bool) -> Option<Result<ChatEvent, ProviderError>> {
    let text = t.filter(|t| !t.0.is_empty())?.0.into_owned();
    Some(Ok(if reasoning {
        ChatEvent::Reasoning { text }
    } else {
        ChatEvent::Delta { text }
    }))
}

fn custom_key_env(c: &CustomEndpoint) -> String {
    c.key_env
        .clone()
        .unwrap_or_else(|| format!("{}_API_KEY", env_stem(&c.name)))
}

fn split(found: KeyLookup) -> (Option<ApiKey>, Option<KeyOrigin>, Option<KeychainError>) {
    match found.key {
        Some(k) => (Some(k.key), Some(k.origin), found.keychain_error),
        None => (None, None, found.keychain_error),
    }
}

/// An unknown provider prefix or a malformed model id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    BadModelId(#[from] crate::chat::ModelIdError),
    #[error("unknown provider `{0}` in the model id (known: {known}; or add a custom endpoint)", known = known_providers())]
    UnknownProvider(String),
}

fn known_providers() -> String {
    PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
}

/// Resolves model ids to endpoints: presets, custom endpoints, keys and base URLs.
#[derive(Clone)]
pub struct Providers {
    custom: Vec<CustomEndpoint>,
    /// Base URLs of presets from the provider settings, by preset id.
    base_urls: HashMap<String, String>,
    env: Arc<dyn Env>,
    keys: Arc<dyn KeySource>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Providers")
            .field("custom", &self.custom)
            .field("base_urls", &self.base_urls)
            .finish()
    }
}

impl Default for Providers {
    fn default() -> Self {
        Self::from_env()
    }
}

impl Providers {
    /// Base URLs and keys from the process environment only (no keychain).
    pub fn from_env() -> Self {
        Self::new(Arc::new(ProcessEnv), Arc::new(EnvKeys::new(ProcessEnv)))
    }

    /// What the app and the CLI use: keys from the OS keychain, then the environment;
    /// base URLs and custom endpoints from `config`, then the environment.
    pub fn system(config: &crate::provider_config::ProviderConfig) -> Self {
        Self::with_keys(crate::keys::Keys::os(), config)
    }

    /// Keys from `keys` (its store, then its environment, which also gives the base-URL
    /// variables); base URLs and custom endpoints from `config`.
    pub fn with_keys(
        keys: crate::keys::Keys,
        config: &crate::provider_config::ProviderConfig,
    ) -> Self {
        let mut p = Self::new(keys.env().clone(), Arc::new(keys));
        config.apply_to(&mut p);
        p
    }

    /// Base URLs from `env`, keys from `keys`.
    pub fn new(env: Arc<dyn Env>, keys: Arc<dyn KeySource>) -> Self {
        Self {
            custom: Vec::new(),
            base_urls: HashMap::new(),
            env,
            keys,
        }
    }

    /// Replaces a preset's base URL (from the provider settings; beats the variable).
    pub fn set_base_url(&mut self, preset_id: &str, url: &str) {
        self.base_urls
            .insert(preset_id.to_owned(), url.trim_end_matches('/').to_owned());
    }

    /// Where keys are kept, for messages ("the Secret Service (service `switchboard`)").
    pub fn key_backend(&self) -> String {
        self.keys.describe()
    }

    /// The custom endpoints, in the order added.
    pub fn custom(&self) -> &[CustomEndpoint] {
        &self.custom
    }

    /// Every provider id: the presets, then the custom endpoints.
    pub fn ids(&self) -> Vec<String> {
        PRESETS
            .iter()
            .map(|p| p.id.to_owned())
            .chain(self.custom.iter().map(|c| c.name.clone()))
            .collect()
    }

    /// The variables a provider's key is read from.
    pub fn key_env(&self, provider: &str) -> Result<Vec<String>, ResolveError> {
        if let Some(c) = self.custom.iter().find(|c| c.name == provider) {
            return Ok(vec![custom_key_env(c)]);
        }
        let preset = compat::preset(provider)
            .ok_or_else(|| ResolveError::UnknownProvider(provider.to_owned()))?;
        Ok(preset.key_env.iter().map(|s| (*s).to_owned()).collect())
    }

    /// Whether a key is set for `provider`, where from, and its last four characters.
    /// Blocks on the keychain.
    pub fn key_status(&self, provider: &str) -> Result<KeyStatus, ResolveError> {
        self.endpoint_and_key(provider).map(|(_, key)| key)
    }

    /// The id a prefix or alias stands for (`google` → `gemini`).
    pub fn canonical(&self, provider: &str) -> Result<String, ResolveError> {
        if self.custom.iter().any(|c| c.name == provider) {
            return Ok(provider.to_owned());
        }
        compat::preset(provider)
            .map(|p| p.id.to_owned())
            .ok_or_else(|| ResolveError::UnknownProvider(provider.to_owned()))
    }

    /// Adds (or replaces) a custom OpenAI-compatible endpoint.
    pub fn add_custom(&mut self, ep: CustomEndpoint) {
        self.custom.retain(|c| c.name != ep.name);
        self.custom.push(ep);
    }

    /// Checks that a model id names a known provider, without resolving keys.
    pub fn check(&self, model_id: &str) -> Result<(), ResolveError> {
        let id = ModelId::parse(model_id)?;
        if self.custom.iter().any(|c| c.name == id.provider)
            || compat::preset(id.provider).is_some()
        {
            Ok(())
        } else {
            Err(ResolveError::UnknownProvider(id.provider.to_owned()))
        }
    }

    /// What a gateway config needs to know of a provider, without touching the
    /// keychain: its wire format, base URL (and whether it is the public default) and
    /// the variable its key is read from.
    pub fn facts(&self, provider: &str) -> Result<ProviderFacts, ResolveError> {
        if let Some(c) = self.custom.iter().find(|c| c.name == provider) {
            return Ok(ProviderFacts {
                id: c.name.clone(),
                kind: ProviderKind::OpenAiCompatible,
                preset: None,
                base_url: c.base_url.trim_end_matches('/').to_owned(),
                default_base_url: false,
                key_env: custom_key_env(c),
                needs_key: false,
                key_header: c.key_header.clone(),
            });
        }
        let preset = compat::preset(provider)
            .ok_or_else(|| ResolveError::UnknownProvider(provider.to_owned()))?;
        let (base_url, source) = self.preset_base_url(preset);
        let base_url = base_url.trim_end_matches('/').to_owned();
        Ok(ProviderFacts {
            id: preset.id.to_owned(),
            kind: preset.kind,
            preset: Some(preset),
            default_base_url: source == BaseUrlSource::Default
                || base_url == preset.default_base_url.trim_end_matches('/'),
            base_url,
            key_env: preset
                .key_env
                .first()
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            needs_key: preset.needs_key,
            key_header: None,
        })
    }

    fn preset_base_url(&self, preset: &Preset) -> (String, BaseUrlSource) {
        if let Some(url) = self.base_urls.get(preset.id) {
            (url.clone(), BaseUrlSource::Settings)
        } else if let Some(url) = self.env.var(preset.base_url_env) {
            (url, BaseUrlSource::Env)
        } else {
            (preset.default_base_url.to_owned(), BaseUrlSource::Default)
        }
    }

    /// The endpoint of a provider prefix (`openai`, `ollama_chat`, a custom name).
    /// Blocks on the keychain.
    pub fn endpoint(&self, provider: &str) -> Result<Endpoint, ResolveError> {
        self.endpoint_and_key(provider).map(|(ep, _)| ep)
    }

    /// The endpoint and what may be shown of its key, from one keychain lookup.
    pub fn endpoint_and_key(&self, provider: &str) -> Result<(Endpoint, KeyStatus), ResolveError> {
        if let Some(c) = self.custom.iter().find(|c| c.name == provider) {
            let key_env = vec![custom_key_env(c)];
            let found = self.keys.lookup(&c.name, &key_env);
            let status = KeyStatus::from_lookup(&found, &key_env);
            let (api_key, key_origin, keychain_error) = split(found);
            let ep = Endpoint {
                provider: c.name.clone(),
                kind: ProviderKind::OpenAiCompatible,
                base_url: c.base_url.trim_end_matches('/').to_owned(),
                base_url_source: BaseUrlSource::Settings,
                api_key,
                key_origin,
                keychain_error,
                key_env,
                key_header: c.key_header.clone(),
                needs_key: false,
                extra_headers: c.extra_headers.clone(),
                include_usage: true,
            };
            return Ok((ep, status));
        }
        let preset = compat::preset(provider)
            .ok_or_else(|| ResolveError::UnknownProvider(provider.to_owned()))?;
        let key_env: Vec<String> = preset.key_env.iter().map(|s| (*s).to_owned()).collect();
        let (base_url, base_url_source) = self.preset_base_url(preset);
        let found = self.keys.lookup(preset.id, &key_env);
        let status = KeyStatus::from_lookup(&found, &key_env);
        let (api_key, key_origin, keychain_error) = split(found);
        let ep = Endpoint {
            provider: preset.id.to_owned(),
            kind: preset.kind,
            base_url: base_url.trim_end_matches('/').to_owned(),
            base_url_source,
            api_key,
            key_origin,
            keychain_error,
            key_env,
            key_header: None,
            needs_key: preset.needs_key,
            extra_headers: preset
                .extra_headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            include_usage: preset.include_usage,
        };
        Ok((ep, status))
    }

    /// Splits `provider/model` and resolves the provider. Returns the endpoint and the
    /// provider's own model name.
    pub fn resolve<'a>(&self, model_id: &'a str) -> Result<(Endpoint, &'a str), ResolveError> {
        let id = ModelId::parse(model_id)?;
        Ok((self.endpoint(id.provider)?, id.model))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn providers(vars: &[(&str, &str)]) -> Providers {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env)))
    }

    #[test]
    fn stream_text_is_borrowed_unless_escaped() {
        let t: Option<Text<'_>> = serde_json::from_str(r#""hi""#).unwrap();
        assert!(matches!(t, Some(Text(Cow::Borrowed("hi")))));
        let t: Text<'_> = serde_json::from_str(r#""a\nb""#).unwrap();
        assert_eq!(t.0, "a\nb");
    }

    #[test]
    fn base_url_comes_from_the_sdk_variable() {
        let p = providers(&[
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1/"),
            ("OPENAI_API_KEY", "sk-x"),
        ]);
        let (ep, model) = p.resolve("openai/gpt-4o").unwrap();
        assert_eq!(ep.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(model, "gpt-4o");
        assert!(ep.api_key.is_some());
        assert!(!format!("{ep:?}").contains("sk-x"));
    }

    #[test]
    fn litellm_prefixes_and_aliases_resolve() {
        let p = providers(&[("TOGETHERAI_API_KEY", "t")]);
        let (ep, model) = p
            .resolve("openrouter/meta-llama/llama-3.3-70b-instruct")
            .unwrap();
        assert_eq!(ep.base_url, "https://openrouter.ai/api/v1");
        assert_eq!(model, "meta-llama/llama-3.3-70b-instruct");
        assert_eq!(
            p.resolve("ollama_chat/llama3.2").unwrap().0.provider,
            "ollama"
        );
        assert!(p.resolve("together_ai/x").unwrap().0.api_key.is_some());
        assert_eq!(p.resolve("gemini/g").unwrap().0.kind, ProviderKind::Gemini);
        assert!(matches!(
            p.resolve("nope/x"),
            Err(ResolveError::UnknownProvider(_))
        ));
    }

    #[test]
    fn custom_endpoint_takes_its_key_from_name_api_key() {
        let mut p = providers(&[("MY_LLM_API_KEY", "k")]);
        p.add_custom(CustomEndpoint {
            name: "my-llm".into(),
            base_url: "http://127.0.0.1:8080/v1".into(),
            key_env: None,
            extra_headers: vec![("x-team".into(), "a".into())],
            key_header: None,
        });
        let (ep, model) = p.resolve("my-llm/qwen").unwrap();
        assert_eq!(ep.kind, ProviderKind::OpenAiCompatible);
        assert!(ep.api_key.is_some());
        assert_eq!(model, "qwen");
    }
}
