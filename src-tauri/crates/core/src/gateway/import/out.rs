//! What both importers build up — provider settings, key variables, notes — and the
//! translations they share: which provider an OpenAI-compatible server is, parameters,
//! weights. Nothing here keeps a key: an inline key only ever becomes a note that one
//! was there.

use std::collections::BTreeMap;

use super::{ImportError, ImportNote, Imported};
use crate::chat::{Params, ReasoningEffort};
use crate::gateway::Format;
use crate::keys::env_stem;
use crate::provider_config::{
    check_base_url, check_name, CustomEndpointConfig, HeaderPair, ProviderConfig,
};
use crate::providers::{ProviderKind, Providers, PRESETS};
use crate::setups::Setup;

const MAX_NAME_LEN: usize = 40;

pub(super) struct Out<'p> {
    pub providers: &'p Providers,
    pub config: ProviderConfig,
    pub key_env: BTreeMap<String, String>,
    pub notes: Vec<ImportNote>,
}

/// What a parameter key turned out to be.
pub(super) enum Param {
    /// Read into the params.
    Read,
    /// Not a parameter Switchboard has.
    Unknown,
    /// A parameter, with a value Switchboard cannot use: why.
    Bad(String),
}

impl<'p> Out<'p> {
    pub fn new(providers: &'p Providers) -> Self {
        Self {
            providers,
            config: ProviderConfig::default(),
            key_env: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    pub fn note(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.notes.push(ImportNote {
            at: at.into(),
            message: message.into(),
        });
    }

    /// The import, or why nothing could be imported (the notes say it, in order).
    pub fn finish(self, format: Format, setups: Vec<Setup>) -> Result<Imported, ImportError> {
        if setups.is_empty() {
            let why: Vec<String> = self
                .notes
                .iter()
                .map(|n| format!("{}: {}", n.at, n.message))
                .collect();
            let why = if why.is_empty() {
                "the file lists no model".to_owned()
            } else {
                why.join("; ")
            };
            return Err(ImportError::Empty(format!(
                "no model in the file could be imported: {why}"
            )));
        }
        Ok(Imported {
            format,
            setups,
            providers: self.config,
            key_env: self.key_env,
            notes: self.notes,
        })
    }

    /// A preset's base URL as the file has it, already in Switchboard's form (the
    /// callers add or strip `/v1`, `/v1beta`): kept when it differs from the URL
    /// Switchboard uses now.
    pub fn preset_base(&mut self, id: &str, url: &str, at: &str) {
        let url = match check_base_url(url) {
            Ok(u) => u,
            Err(e) => {
                self.note(
                    at,
                    format!(
                        "the base URL is not usable ({e}); Switchboard's base URL for {id} is kept"
                    ),
                );
                return;
            }
        };
        let current = self.providers.facts(id).map(|f| f.base_url).ok();
        if current.as_deref() == Some(url.as_str()) {
            return;
        }
        match self.config.base_urls.get(id) {
            Some(first) if *first != url => {
                let first = first.clone();
                self.note(
                    at,
                    format!("{id} is reached at {url} here and at {first} in an earlier entry; Switchboard has one base URL per provider and keeps {first}"),
                );
            }
            Some(_) => {}
            None => {
                self.config.base_urls.insert(id.to_owned(), url);
            }
        }
    }

    /// The provider that an OpenAI-compatible server at `url` is: a preset at its
    /// usual or current URL (Groq, a local Ollama…), a custom endpoint Switchboard
    /// already has, or a new custom endpoint named after the host.
    pub fn openai_server(&mut self, url: &str, at: &str) -> Option<String> {
        let url = match check_base_url(url) {
            Ok(u) => u,
            Err(e) => {
                self.note(
                    at,
                    format!("the server's base URL is not usable ({e}); skipped"),
                );
                return None;
            }
        };
        let same = |u: &str| u.trim_end_matches('/') == url;
        // The user's own endpoints first: one may sit where a preset's default is.
        if let Some(c) = self.providers.custom().iter().find(|c| same(&c.base_url)) {
            return Some(c.name.clone());
        }
        if let Some(c) = self.config.custom.iter().find(|c| same(&c.base_url)) {
            return Some(c.name.clone());
        }
        for p in PRESETS {
            let openai_format = matches!(
                p.kind,
                ProviderKind::OpenAi | ProviderKind::OpenAiCompatible
            );
            let current = self
                .providers
                .facts(p.id)
                .map(|f| f.base_url)
                .unwrap_or_default();
            if openai_format && (same(p.default_base_url) || same(&current)) {
                return Some(p.id.to_owned());
            }
        }
        let name = self.free_name(&name_from_url(&url));
        self.note(
            at,
            format!("the OpenAI-compatible server at {url} becomes the custom endpoint `{name}` (models `{name}/…`)"),
        );
        self.config.custom.push(CustomEndpointConfig {
            name: name.clone(),
            base_url: url,
            headers: Vec::new(),
            key_header: None,
        });
        Some(name)
    }

    /// `stem`, or `stem-2`, `stem-3`… if a provider of that name exists already.
    fn free_name(&self, stem: &str) -> String {
        let taken = |n: &str| {
            check_name(n).is_err()
                || self.providers.custom().iter().any(|c| c.name == n)
                || self.config.custom.iter().any(|c| c.name == n)
        };
        (1..)
            .map(|i| {
                if i == 1 {
                    stem.to_owned()
                } else {
                    let suffix = format!("-{i}");
                    let keep = stem.len().min(MAX_NAME_LEN - suffix.len());
                    format!("{}{suffix}", &stem[..keep])
                }
            })
            .find(|n| !taken(n))
            .unwrap_or_else(|| stem.to_owned())
    }

    /// Headers a file sends to a custom endpoint this import made; those that look
    /// like credentials (saved in plain text, they are refused) only get a note, which
    /// never repeats their value.
    pub fn custom_headers(&mut self, name: &str, headers: BTreeMap<String, String>, at: &str) {
        let Some(i) = self.config.custom.iter().position(|c| c.name == name) else {
            return; // an endpoint Switchboard had already: its headers are its own
        };
        for (k, v) in headers {
            let mut candidate = self.config.custom[i].clone();
            candidate.headers = vec![HeaderPair {
                name: k.clone(),
                value: v,
            }];
            match ProviderConfig::default().upsert_custom(None, candidate) {
                Ok(mut ok) => self.config.custom[i].headers.append(&mut ok.headers),
                Err(_) => self.note(
                    at,
                    format!("the `{k}` header was not imported: headers are saved in plain text, and this one looks like a credential or is not a valid header; store a key with `switchboard keys set {name}`"),
                ),
            }
        }
    }

    /// The file reads `provider`'s key from `var`.
    pub fn key_var(&mut self, provider: &str, var: &str, at: &str) {
        let reads = self.providers.key_env(provider).unwrap_or_else(|_| {
            // A custom endpoint made by this import: Switchboard reads <NAME>_API_KEY.
            vec![format!("{}_API_KEY", env_stem(provider))]
        });
        match self.key_env.get(provider) {
            Some(first) if first != var => {
                let first = first.clone();
                self.note(
                    at,
                    format!("{provider}'s key is read from {var} here and from {first} in an earlier entry; Switchboard has one key per provider — keep it in the keychain with `switchboard keys set {provider}`"),
                );
                return;
            }
            Some(_) => return,
            None => {
                self.key_env.insert(provider.to_owned(), var.to_owned());
            }
        }
        if !reads.iter().any(|r| r == var) {
            self.note(
                at,
                format!(
                    "the key is read from {var}; Switchboard reads {} — keep keys in the keychain with `switchboard keys set {provider}`",
                    reads.join(" or ")
                ),
            );
        }
    }

    /// A key written into the file: never kept, not even in the note.
    pub fn inline_key(&mut self, provider: &str, at: &str) {
        self.note(
            at,
            format!("an inline key in {at} was not imported; store it with `switchboard keys set {provider}`"),
        );
    }
}

/// A custom endpoint's name from its URL's host and port: `http://localhost:8000/v1`
/// → `localhost-8000` (lower-case letters, digits, `-`, `_`, `.`; see
/// [`check_name`]).
fn name_from_url(url: &str) -> String {
    let (host, port) = match reqwest::Url::parse(url) {
        Ok(u) => (u.host_str().unwrap_or_default().to_owned(), u.port()),
        Err(_) => (String::new(), None),
    };
    let raw = match port {
        Some(p) => format!("{host}-{p}"),
        None => host,
    };
    let mut name: String = raw
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    name = name
        .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    name.truncate(MAX_NAME_LEN);
    let name = name.trim_end_matches(['-', '.']).to_owned();
    if name.is_empty() {
        "custom".into()
    } else if check_name(&name).is_err() {
        // The host is a preset's id (`openai`): the endpoint needs a name of its own.
        format!("{}-server", &name[..name.len().min(MAX_NAME_LEN - 7)])
    } else {
        name
    }
}

/// The provider LiteLLM infers for a model name without a prefix, for the names
/// that are unambiguous.
pub(super) fn infer_provider(model: &str) -> Option<&'static str> {
    let m = model.to_ascii_lowercase();
    let openai = ["gpt-", "chatgpt-", "o1", "o3", "o4"];
    if openai.iter().any(|p| m.starts_with(p)) {
        Some("openai")
    } else if m.starts_with("claude-") {
        Some("anthropic")
    } else if m.starts_with("gemini-") {
        Some("gemini")
    } else {
        None
    }
}

/// Reads one sampling parameter as LiteLLM and Portkey write it (OpenAI's names).
pub(super) fn read_param(params: &mut Params, key: &str, value: &serde_json::Value) -> Param {
    use serde_json::Value;
    let bad = |expected: &str| Param::Bad(format!("`{key}` should be {expected}"));
    match key {
        "temperature" | "top_p" => match value.as_f64() {
            Some(v) => {
                if key == "temperature" {
                    params.temperature = Some(v);
                } else {
                    params.top_p = Some(v);
                }
                Param::Read
            }
            None => bad("a number"),
        },
        "max_tokens" | "max_completion_tokens" => {
            match value.as_u64().and_then(|v| u32::try_from(v).ok()) {
                Some(v) => {
                    params.max_tokens = Some(v);
                    Param::Read
                }
                None => bad("a whole number of tokens"),
            }
        }
        "seed" => match value.as_i64() {
            Some(v) => {
                params.seed = Some(v);
                Param::Read
            }
            None => bad("a whole number"),
        },
        "stop" => match value {
            Value::String(s) => {
                params.stop = vec![s.clone()];
                Param::Read
            }
            Value::Array(items) if items.iter().all(Value::is_string) => {
                params.stop = items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                Param::Read
            }
            _ => bad("a string or a list of strings"),
        },
        "reasoning_effort" => {
            let effort = match value.as_str() {
                Some("low") => Some(ReasoningEffort::Low),
                Some("medium") => Some(ReasoningEffort::Medium),
                Some("high") => Some(ReasoningEffort::High),
                _ => None,
            };
            match effort {
                Some(e) => {
                    params.reasoning_effort = Some(e);
                    Param::Read
                }
                None => bad("low, medium or high"),
            }
        }
        // Anthropic's shape, which LiteLLM and Portkey pass through:
        // {type: enabled, budget_tokens: N}.
        "thinking" => match value
            .get("budget_tokens")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
        {
            Some(v) => {
                params.thinking_budget = Some(v);
                Param::Read
            }
            None => bad("{type: enabled, budget_tokens: N}"),
        },
        _ => Param::Unknown,
    }
}

/// Whole-number weights in the ratio of `weights`. Whole numbers stay as they are
/// unless `reduce` (then 900/100 becomes 9/1); fractions are scaled up (0.7/0.3 →
/// 7/3). Also whether rounding changed a ratio.
pub(super) fn whole_weights(weights: &[f64], reduce: bool) -> (Vec<u32>, bool) {
    let whole = |w: &[f64]| w.iter().all(|v| (v - v.round()).abs() < 1e-9);
    let mut scaled: Vec<f64> = weights.iter().map(|w| w.max(0.0)).collect();
    let mut factor = 1.0;
    while !whole(&scaled) && factor < 1000.0 {
        factor *= 10.0;
        scaled = weights.iter().map(|w| w.max(0.0) * factor).collect();
    }
    let changed = !whole(&scaled);
    // Weights beyond u32 are nonsense; clamping keeps the call from failing.
    let mut out: Vec<u32> = scaled
        .iter()
        .map(|w| w.round().min(f64::from(u32::MAX)) as u32)
        .collect();
    if reduce || factor > 1.0 {
        let g = out.iter().copied().fold(0, gcd);
        if g > 1 {
            out.iter_mut().for_each(|w| *w /= g);
        }
    }
    (out, changed)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// "`a`, `b` are" / "`a` is", for notes naming keys (never their values).
pub(super) fn listed<S: AsRef<str>>(keys: impl IntoIterator<Item = S>) -> String {
    let keys: Vec<String> = keys
        .into_iter()
        .map(|k| format!("`{}`", k.as_ref()))
        .collect();
    let verb = if keys.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", keys.join(", "))
}
