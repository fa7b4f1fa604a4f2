//! Gateway configs: setups exported as a LiteLLM proxy `config.yaml`, a Portkey
//! config or an OpenRouter request (with ready client code for each), and LiteLLM and
//! Portkey configs imported back as setups.
//!
//! Everything here is pure text in, text out: no file, network or keychain access,
//! except [`export_with_keys`], the one path that reads keys, and only into a secret
//! the caller writes to a file. Keys never appear in [`Export::text`].
//!
//! Gateways accept many broken configs silently (LiteLLM drops a deployment with an
//! unknown prefix and accepts a fallback to a name that does not exist); so every
//! export is validated here first, and a config with an [`Severity::Error`] problem is
//! never written.

pub mod import;
pub mod litellm;
pub mod openrouter;
pub mod portkey;
pub mod snippets;
pub mod yaml;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::prices::book::PriceBook;
use crate::providers::{ProviderFacts, Providers};
use crate::setups::Setup;

/// The formats a setup is exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// LiteLLM proxy `config.yaml`.
    Litellm,
    /// A Portkey gateway config (JSON).
    Portkey,
    /// An OpenRouter chat request body with `models` and `provider`.
    Openrouter,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Litellm => "litellm",
            Self::Portkey => "portkey",
            Self::Openrouter => "openrouter",
        }
    }
}

/// Where a Portkey config's keys come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PortkeyKeys {
    /// The open-source gateway: `"api_key": "${OPENAI_API_KEY}"`, filled in from the
    /// environment by the client code that sends the config.
    #[default]
    Placeholders,
    /// Hosted Portkey: `"virtual_key": "<provider>"`, the names of virtual keys the
    /// user creates in Portkey's dashboard.
    VirtualKeys,
    /// The real keys from the keychain — only through [`export_with_keys`], only into
    /// a file, only when the user confirmed. [`export`] renders placeholders for it.
    Keychain,
}

/// What the user chose besides the setups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportOptions {
    pub format: Format,
    #[serde(default)]
    pub portkey_keys: PortkeyKeys,
}

impl ExportOptions {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            portkey_keys: PortkeyKeys::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The config would not work as meant: nothing is written.
    Error,
    /// It works, with something the user should know.
    Warning,
}

/// One thing wrong with a setup or an export, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Problem {
    pub severity: Severity,
    /// Where: `setup \`chat\``, `setup \`chat\`, openai/gpt-4o`.
    pub at: String,
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn error(
        at: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            at: at.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }

    pub fn warning(
        at: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(at, message, fix)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{what}: {}: {} — {}", self.at, self.message, self.fix)
    }
}

/// Ready client code for an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Snippet {
    /// `curl`, `Python`, `TypeScript`.
    pub title: String,
    /// For highlighting: `bash`, `python`, `typescript`.
    pub language: String,
    pub code: String,
}

/// An export, ready to preview, copy or write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Export {
    pub format: Format,
    /// The file's content (never a key). Rendered even when there are errors, so the
    /// preview shows where they are; [`Export::writable`] says whether it may be saved.
    pub text: String,
    /// A file name to suggest: `litellm-config.yaml`, `portkey-chat.json`…
    pub file_name: String,
    /// For highlighting: `yaml` or `json`.
    pub language: String,
    pub problems: Vec<Problem>,
    pub snippets: Vec<Snippet>,
}

impl Export {
    /// No error among the problems.
    pub fn writable(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }
}

/// What an export reads besides the setups: providers (prefixes, base URLs, key
/// variables — never keys) and prices.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub providers: &'a Providers,
    pub prices: &'a PriceBook,
}

impl Context<'_> {
    /// The provider of a `provider/model` id and the model's own name.
    pub fn split<'m>(&self, model_id: &'m str) -> Option<(ProviderFacts, &'m str)> {
        let (provider, model) = model_id.split_once('/')?;
        let facts = self.providers.facts(provider).ok()?;
        Some((facts, model))
    }
}

/// Exports `setups` (one for Portkey and OpenRouter, any number for LiteLLM): the file,
/// every problem (the setups' own and the format's), and client code.
pub fn export(setups: &[Setup], opts: &ExportOptions, ctx: &Context<'_>) -> Export {
    let mut problems: Vec<Problem> = setups.iter().flat_map(Setup::problems).collect();
    if setups.is_empty() {
        problems.push(Problem::error(
            "the export",
            "there is no setup to export",
            "choose a run, a setup or models",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for s in setups {
        if !seen.insert(s.alias.as_str()) {
            problems.push(Problem::error(
                format!("setup `{}`", s.alias),
                "two setups have this alias",
                "rename one of them",
            ));
        }
    }
    let (text, file_name, language, mut more) = match opts.format {
        Format::Litellm => {
            let (text, p) = litellm::render(setups, ctx);
            (text, "litellm-config.yaml".to_owned(), "yaml", p)
        }
        Format::Portkey | Format::Openrouter => {
            let mut p = Vec::new();
            if setups.len() > 1 {
                p.push(Problem::error(
                    "the export",
                    format!(
                        "{} takes one route per request, and {} setups were chosen",
                        if opts.format == Format::Portkey {
                            "Portkey"
                        } else {
                            "OpenRouter"
                        },
                        setups.len()
                    ),
                    "export one setup at a time",
                ));
            }
            let (text, name, q) = match (opts.format, setups.first()) {
                (Format::Portkey, Some(s)) => {
                    let (t, q) = portkey::render(s, ctx, opts.portkey_keys, &placeholder);
                    (t, format!("portkey-{}.json", s.alias), q)
                }
                (_, Some(s)) => {
                    let (t, q) = openrouter::render(s, ctx);
                    (t, format!("openrouter-{}.json", s.alias), q)
                }
                (_, None) => (
                    String::new(),
                    format!("{}.json", opts.format.as_str()),
                    Vec::new(),
                ),
            };
            p.extend(q);
            (text, name, "json", p)
        }
    };
    problems.append(&mut more);
    let snippets = snippets::for_export(opts, setups, &text, ctx);
    Export {
        format: opts.format,
        text,
        file_name,
        language: language.to_owned(),
        problems,
        snippets,
    }
}

/// The placeholder for a key read from `var`, as written into a Portkey config.
pub fn placeholder(facts: &ProviderFacts) -> Option<SecretString> {
    Some(SecretString::from(format!("${{{}}}", facts.key_env)))
}

#[derive(Debug, thiserror::Error)]
pub enum KeyedExportError {
    #[error("the export has problems; fix them first: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Problems(Vec<Problem>),
    #[error("only a Portkey config takes keys; LiteLLM reads them from the environment")]
    NotPortkey,
    #[error("no key for {provider} in the keychain or the environment: add one in Settings → Providers or with `switchboard keys set {provider}`")]
    MissingKey { provider: String },
}

/// A Portkey config with the real keys from the keychain in it, for writing to a file
/// the user chose, after they confirmed. Blocks on the keychain.
pub fn export_with_keys(
    setup: &Setup,
    ctx: &Context<'_>,
) -> Result<SecretString, KeyedExportError> {
    let opts = ExportOptions {
        format: Format::Portkey,
        portkey_keys: PortkeyKeys::Keychain,
    };
    let checked = export(std::slice::from_ref(setup), &opts, ctx);
    if !checked.writable() {
        return Err(KeyedExportError::Problems(
            checked
                .problems
                .into_iter()
                .filter(Problem::is_error)
                .collect(),
        ));
    }
    let missing = std::cell::RefCell::new(None::<String>);
    let (text, _) = portkey::render(setup, ctx, PortkeyKeys::Keychain, &|f| {
        use secrecy::ExposeSecret;
        let key = ctx
            .providers
            .endpoint(&f.id)
            .ok()
            .and_then(|ep| ep.api_key)
            .map(|k| SecretString::from(k.expose_secret().to_owned()));
        if key.is_none() && f.needs_key {
            missing.borrow_mut().get_or_insert_with(|| f.id.clone());
        }
        key
    });
    if let Some(provider) = missing.into_inner() {
        return Err(KeyedExportError::MissingKey { provider });
    }
    Ok(SecretString::from(text))
}
