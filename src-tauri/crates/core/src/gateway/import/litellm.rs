//! LiteLLM proxy `config.yaml`: read into typed structs ([`litellm_config`], which the
//! router reads too), then into setups.
//!
//! A model_name is a group of deployments, load-balanced the way LiteLLM's
//! `simple-shuffle` does (by `weight`, else `rpm`, else `tpm`, else evenly);
//! `router_settings.fallbacks` chains groups. Every model_name becomes a setup,
//! except the `<alias>-fallback-<n>` groups Switchboard's exporter writes for the
//! later steps of `<alias>`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::de::{Deserializer, Error as _, IgnoredAny};
use serde::Deserialize;
use serde_yaml_ng::Value;

use super::out::{infer_provider, listed, read_param, whole_weights, Out, Param};
use super::{yaml_error, ImportError, Imported};
use crate::chat::Params;
use crate::gateway::Format;
use crate::providers::Providers;
use crate::setups::{
    check_alias, Group, Setup, SetupTarget, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECS,
};

/// A LiteLLM proxy config, as far as Switchboard reads one. What is not named here
/// is kept in the `extra` maps.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct LitellmConfig {
    #[serde(default, deserialize_with = "or_default")]
    pub model_list: Vec<ModelEntry>,
    #[serde(default, deserialize_with = "or_default")]
    pub router_settings: RouterSettings,
    #[serde(default, deserialize_with = "or_default")]
    pub general_settings: GeneralSettings,
    #[serde(default, deserialize_with = "or_default")]
    pub litellm_settings: BTreeMap<String, Value>,
    /// The variables' names only: their values are often keys.
    #[serde(default, deserialize_with = "names_only")]
    pub environment_variables: Vec<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One deployment of a model group.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelEntry {
    /// The group (what clients send as `model`).
    #[serde(deserialize_with = "scalar")]
    pub model_name: String,
    pub litellm_params: LitellmParams,
    #[serde(default, deserialize_with = "or_default")]
    pub model_info: BTreeMap<String, Value>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
    /// The 1-based line of the entry's `-` in the file, when it could be found.
    #[serde(skip)]
    pub line: Option<usize>,
}

/// Where and how a deployment is called.
#[derive(Clone, PartialEq, Deserialize)]
pub struct LitellmParams {
    /// `<provider prefix>/<model>`, or a bare model name LiteLLM infers a provider for.
    #[serde(deserialize_with = "scalar")]
    pub model: String,
    #[serde(default)]
    pub api_key: Option<KeyRef>,
    #[serde(default, deserialize_with = "opt_scalar")]
    pub api_base: Option<String>,
    #[serde(default, deserialize_with = "number")]
    pub weight: Option<f64>,
    /// Seconds.
    #[serde(default, deserialize_with = "number")]
    pub timeout: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub rpm: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub tpm: Option<f64>,
    /// Sampling parameters and everything else (`organization`, `aws_secret_access_key`…:
    /// values here may be secrets, so `Debug` shows only the keys).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl fmt::Debug for LitellmParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LitellmParams")
            .field("model", &self.model)
            .field("api_key", &self.api_key)
            .field("api_base", &self.api_base)
            .field("weight", &self.weight)
            .field("timeout", &self.timeout)
            .field("rpm", &self.rpm)
            .field("tpm", &self.tpm)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A key as the file gives it.
#[derive(Clone)]
pub enum KeyRef {
    /// `os.environ/VAR`: LiteLLM reads it from the variable.
    Env(String),
    /// Written into the file. Redacted from `Debug`.
    Inline(SecretString),
}

impl fmt::Debug for KeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(v) => f.debug_tuple("Env").field(v).finish(),
            Self::Inline(_) => f.write_str("Inline([redacted])"),
        }
    }
}

impl PartialEq for KeyRef {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Env(a), Self::Env(b)) => a == b,
            (Self::Inline(a), Self::Inline(b)) => a.expose_secret() == b.expose_secret(),
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for KeyRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = scalar(d)?;
        Ok(match env_ref(&s) {
            Some(var) => Self::Env(var.to_owned()),
            None => Self::Inline(SecretString::from(s)),
        })
    }
}

/// `os.environ/VAR` → `VAR`.
fn env_ref(s: &str) -> Option<&str> {
    s.trim()
        .strip_prefix("os.environ/")
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RouterSettings {
    #[serde(default, deserialize_with = "opt_scalar")]
    pub routing_strategy: Option<String>,
    #[serde(default, deserialize_with = "count")]
    pub num_retries: Option<u32>,
    /// Seconds.
    #[serde(default, deserialize_with = "number")]
    pub timeout: Option<f64>,
    /// `[{"chat": ["chat-backup", "other"]}]`.
    #[serde(default, deserialize_with = "or_default")]
    pub fallbacks: Vec<BTreeMap<String, Vec<String>>>,
    /// Seconds.
    #[serde(default, deserialize_with = "number")]
    pub cooldown_time: Option<f64>,
    #[serde(default, deserialize_with = "count")]
    pub allowed_fails: Option<u32>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct GeneralSettings {
    #[serde(default)]
    pub master_key: Option<KeyRef>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Reads a LiteLLM proxy config. Syntax and shape errors carry their line.
pub fn litellm_config(text: &str) -> Result<LitellmConfig, ImportError> {
    let mut cfg: LitellmConfig = serde_yaml_ng::from_str(text).map_err(yaml_error)?;
    let lines = entry_lines(text);
    if lines.len() == cfg.model_list.len() {
        for (e, line) in cfg.model_list.iter_mut().zip(lines) {
            e.line = Some(line);
        }
    }
    Ok(cfg)
}

/// The lines (1-based) of the `- ` items of a block-style `model_list`, in order.
/// Flow style (`model_list: [...]`) gives none, and the caller then keeps no lines
/// rather than guess.
fn entry_lines(text: &str) -> Vec<usize> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut lines = text.lines().enumerate();
    let Some(list_indent) = lines.by_ref().find_map(|(_, l)| {
        let t = l.trim_start();
        (t.starts_with("model_list:")
            && t["model_list:".len()..]
                .trim()
                .split('#')
                .next()
                .is_some_and(|r| r.trim().is_empty()))
        .then(|| indent(l))
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut item_indent = None;
    for (i, l) in lines {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent(l);
        let is_item = t == "-" || t.starts_with("- ");
        match item_indent {
            None if is_item && ind >= list_indent => {
                item_indent = Some(ind);
                out.push(i + 1);
            }
            None => break,
            Some(d) if ind < d || (ind == d && !is_item) => break,
            Some(d) if ind == d => out.push(i + 1),
            Some(_) => {}
        }
    }
    out
}

/// One deployment Switchboard can call.
struct Deployment {
    target: SetupTarget,
    at: String,
    weight: Option<f64>,
    rpm: Option<f64>,
    tpm: Option<f64>,
    timeout: Option<f64>,
    num_retries: Option<u32>,
}

/// The prefixes LiteLLM calls an OpenAI-compatible server with, at `api_base`.
const OPENAI_COMPATIBLE: [&str; 3] = ["openai", "custom_openai", "hosted_vllm"];

pub(super) fn import(text: &str, providers: &Providers) -> Result<Imported, ImportError> {
    let cfg = litellm_config(text)?;
    let mut out = Out::new(providers);

    // model_name → its deployments, in the order the names first appear.
    let mut names: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<Deployment>> = BTreeMap::new();
    let mut priced = Vec::new();
    let mut info_keys = Vec::new();
    for (i, e) in cfg.model_list.iter().enumerate() {
        let at = match e.line {
            Some(l) => format!("model_list[{i}] ({}), line {l}", e.model_name),
            None => format!("model_list[{i}] ({})", e.model_name),
        };
        if !groups.contains_key(&e.model_name) {
            names.push(e.model_name.clone());
            groups.insert(e.model_name.clone(), Vec::new());
        }
        for k in e.model_info.keys() {
            if k.contains("cost") {
                if !priced.contains(&e.model_name) {
                    priced.push(e.model_name.clone());
                }
            } else if !info_keys.contains(k) {
                info_keys.push(k.clone());
            }
        }
        if !e.extra.is_empty() {
            out.note(
                &at,
                format!("{} not used by Switchboard", listed(e.extra.keys())),
            );
        }
        if let Some(d) = deployment(e, &at, &mut out) {
            if let Some(g) = groups.get_mut(&e.model_name) {
                g.push(d);
            }
        }
    }
    if !priced.is_empty() {
        out.note(
            "model_info",
            format!(
                "the prices in model_info of {} not imported: Switchboard uses its own price catalog; set an override in Settings → Prices if yours differ",
                listed(priced.iter())
            ),
        );
    }
    if !info_keys.is_empty() {
        out.note(
            "model_info",
            format!("{} not used by Switchboard", listed(info_keys.iter())),
        );
    }

    let balanced: BTreeMap<String, Vec<SetupTarget>> = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                balance(n, groups.get(n).map_or(&[][..], Vec::as_slice), &mut out),
            )
        })
        .collect();

    let rs = &cfg.router_settings;
    let fallbacks = fallbacks(&cfg, &names, &mut out);
    // `<alias>-fallback-<n>` groups that are fallbacks of `<alias>`: steps of that
    // setup (Switchboard's own naming), not setups of their own.
    let steps: HashSet<&str> = fallbacks
        .iter()
        .flat_map(|(alias, fbs)| {
            fbs.iter()
                .filter(move |fb| {
                    fb.strip_prefix(alias.as_str())
                        .and_then(|r| r.strip_prefix("-fallback-"))
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(String::as_str)
        })
        .collect();

    let default_retries = rs
        .num_retries
        .or_else(|| setting_number(&cfg.litellm_settings, "num_retries").map(|n| n as u32))
        // LiteLLM's router defaults to openai.DEFAULT_MAX_RETRIES, which is 2.
        .unwrap_or(DEFAULT_RETRIES);
    let default_timeout = rs
        .timeout
        .or_else(|| setting_number(&cfg.litellm_settings, "request_timeout"))
        .filter(|t| *t > 0.0);

    let mut setups: Vec<Setup> = Vec::new();
    for name in &names {
        if steps.contains(name.as_str()) {
            continue;
        }
        let at = format!("model_name `{name}`");
        if name.contains('*') {
            out.note(&at, "wildcard routes are not reproduced; skipped");
            continue;
        }
        let mut chain: Vec<&str> = vec![name.as_str()];
        if let Some((_, fbs)) = fallbacks.iter().find(|(a, _)| a == name) {
            chain.extend(fbs.iter().map(String::as_str));
        }
        let mut setup_groups = Vec::new();
        let mut deployments: Vec<&Deployment> = Vec::new();
        for (k, step) in chain.iter().enumerate() {
            let targets = balanced.get(*step).cloned().unwrap_or_default();
            if targets.is_empty() {
                if k > 0 {
                    out.note(
                        format!("router_settings.fallbacks ({name})"),
                        format!("`{step}` has no deployment Switchboard can call; left out of the fallbacks"),
                    );
                }
                continue;
            }
            deployments.extend(groups.get(*step).into_iter().flatten());
            setup_groups.push(Group { targets });
        }
        if setup_groups.is_empty() {
            out.note(&at, "no deployment of it could be imported; no setup made");
            continue;
        }
        if balanced.get(name).is_none_or(Vec::is_empty) {
            out.note(
                &at,
                "its own deployments could not be imported; the setup starts with its fallbacks",
            );
        }
        let alias = alias_for(name, &setups, &at, &mut out);
        let mut setup = Setup::with_groups(alias, setup_groups);
        setup.retries = groups
            .get(name)
            .into_iter()
            .flatten()
            .find_map(|d| d.num_retries)
            .unwrap_or(default_retries);
        setup.timeout_secs = timeout(&deployments, default_timeout, &at, &mut out);
        setups.push(setup);
    }

    router_notes(rs, &mut out);
    settings_notes(&cfg, &mut out);
    out.finish(Format::Litellm, setups)
}

/// The target of one model_list entry, or `None` with a note saying why not.
fn deployment(e: &ModelEntry, at: &str, out: &mut Out<'_>) -> Option<Deployment> {
    let p = &e.litellm_params;
    let model = p.model.trim();
    let api_base = p
        .api_base
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty());
    let base_env = api_base.and_then(env_ref);
    let (provider, name) = match model.split_once('/') {
        Some((prefix, name)) => {
            let provider = match prefix {
                _ if OPENAI_COMPATIBLE.contains(&prefix) => match (api_base, base_env) {
                    (_, Some(var)) => {
                        out.note(at, format!("the server's address is read from {var}, which Switchboard cannot see; skipped (add the server under Settings → Providers and pick it)"));
                        return None;
                    }
                    (Some(url), None) => out.openai_server(url, at)?,
                    (None, None) if prefix == "openai" => "openai".to_owned(),
                    (None, None) => {
                        out.note(at, format!("{prefix} needs an api_base; skipped"));
                        return None;
                    }
                },
                "anthropic" | "gemini" | "openrouter" | "groq" | "mistral" | "deepseek" | "xai"
                | "together_ai" | "fireworks_ai" => prefix.to_owned(),
                "ollama" | "ollama_chat" => "ollama".to_owned(),
                "lm_studio" => "lmstudio".to_owned(),
                _ => {
                    out.note(
                        at,
                        format!("{prefix} is not a provider Switchboard calls; skipped"),
                    );
                    return None;
                }
            };
            (provider, name.trim())
        }
        None => match infer_provider(model) {
            Some(provider) => {
                let also = if provider == "gemini" {
                    " (LiteLLM may send it to Vertex AI instead; write gemini/ to be sure)"
                } else {
                    ""
                };
                out.note(at, format!("`{model}` has no provider prefix; LiteLLM infers one, and it is read as {provider}/{model}{also}"));
                (provider.to_owned(), model)
            }
            None => {
                out.note(at, format!("`{model}` has no provider prefix and its provider cannot be told; skipped (write it as provider/model)"));
                return None;
            }
        },
    };
    if name.is_empty() {
        out.note(
            at,
            format!("`{model}` names no model after the provider; skipped"),
        );
        return None;
    }
    let preset_base = !OPENAI_COMPATIBLE.contains(&model.split_once('/').map_or("", |(p, _)| p));
    match (api_base, base_env) {
        (_, Some(var)) if preset_base => out.note(
            at,
            format!("the api_base is read from {var}; set {provider}'s base URL in Settings → Providers if it is not the default"),
        ),
        (Some(url), None) if preset_base => {
            let url = switchboard_base(&provider, url);
            out.preset_base(&provider, &url, at);
        }
        _ => {}
    }
    match &p.api_key {
        Some(KeyRef::Env(var)) => out.key_var(&provider, var, at),
        Some(KeyRef::Inline(k)) if !k.expose_secret().trim().is_empty() => {
            out.inline_key(&provider, at)
        }
        _ => {}
    }

    let mut params = Params::default();
    let mut unused = Vec::new();
    let mut num_retries = None;
    for (k, v) in &p.extra {
        if k == "num_retries" {
            num_retries = v.as_u64().and_then(|n| u32::try_from(n).ok());
            continue;
        }
        // A custom endpoint's headers (Switchboard's exporter writes them too).
        if k == "extra_headers" && crate::providers::compat::preset(&provider).is_none() {
            let headers: BTreeMap<String, String> =
                serde_yaml_ng::from_value(v.clone()).unwrap_or_default();
            out.custom_headers(&provider, headers, at);
            continue;
        }
        let json = serde_json::to_value(v).unwrap_or_default();
        match read_param(&mut params, k, &json) {
            Param::Read => {}
            Param::Unknown => unused.push(k.clone()),
            Param::Bad(why) => out.note(at, format!("{why}; not imported")),
        }
    }
    for (k, v) in [("rpm", p.rpm), ("tpm", p.tpm)] {
        if v.is_some() {
            out.note(
                at,
                format!("`{k}` is a rate limit LiteLLM enforces and Switchboard does not (with no weight set, both balance the group by it)"),
            );
        }
    }
    if !unused.is_empty() {
        out.note(
            at,
            format!(
                "{} kept by LiteLLM, not used by Switchboard",
                listed(unused.iter())
            ),
        );
    }
    Some(Deployment {
        target: SetupTarget {
            model: format!("{provider}/{name}"),
            weight: 1,
            params,
        },
        at: at.to_owned(),
        weight: p.weight,
        rpm: p.rpm,
        tpm: p.tpm,
        timeout: p.timeout,
        num_retries,
    })
}

/// LiteLLM's `api_base` for a preset as Switchboard's base URL: Switchboard's Gemini
/// base has no `/v1beta` and its Anthropic base no `/v1`, which LiteLLM's do; LiteLLM
/// calls Ollama at the server's root, Switchboard at its OpenAI-compatible `/v1`.
fn switchboard_base(provider: &str, url: &str) -> String {
    let url = url.trim_end_matches('/');
    match provider {
        "gemini" => url.strip_suffix("/v1beta").unwrap_or(url).to_owned(),
        "anthropic" => url.strip_suffix("/v1").unwrap_or(url).to_owned(),
        "ollama" if !url.ends_with("/v1") => format!("{url}/v1"),
        _ => url.to_owned(),
    }
}

/// A group's targets with whole-number weights, the way `simple-shuffle` picks: by
/// `weight` if any deployment has one (the others get 0), else by `rpm`, else by
/// `tpm`, else evenly. Deployments that would never be picked are left out.
fn balance(name: &str, deps: &[Deployment], out: &mut Out<'_>) -> Vec<SetupTarget> {
    if deps.len() <= 1 {
        return deps.iter().map(|d| d.target.clone()).collect();
    }
    let by = |f: fn(&Deployment) -> Option<f64>| -> Option<Vec<f64>> {
        deps.iter()
            .any(|d| f(d).is_some_and(|w| w > 0.0))
            .then(|| deps.iter().map(|d| f(d).unwrap_or(0.0).max(0.0)).collect())
    };
    let (weights, metric) = if let Some(w) = by(|d| d.weight) {
        (w, "weight")
    } else if let Some(w) = by(|d| d.rpm) {
        (w, "rpm")
    } else if let Some(w) = by(|d| d.tpm) {
        (w, "tpm")
    } else {
        return deps.iter().map(|d| d.target.clone()).collect();
    };
    // Explicit weights stay as written (2 and 4 stay 2 and 4); rates are reduced
    // (900 and 100 rpm become 9 and 1).
    let (whole, changed) = whole_weights(&weights, metric != "weight");
    if changed {
        out.note(
            format!("model_name `{name}`"),
            format!(
                "the {metric}s were rounded to whole numbers, which changed their ratio slightly"
            ),
        );
    }
    let mut targets = Vec::new();
    for (d, w) in deps.iter().zip(whole) {
        if w == 0 {
            out.note(
                &d.at,
                format!("it has no {metric} while others in its group do, so LiteLLM never calls it; left out"),
            );
            continue;
        }
        targets.push(SetupTarget {
            weight: w,
            ..d.target.clone()
        });
    }
    if let [only] = targets.as_mut_slice() {
        only.weight = 1;
    }
    targets
}

/// `router_settings.fallbacks` (or the older `litellm_settings.fallbacks`), each
/// alias with its fallbacks in order; fallbacks to names not in model_list dropped.
fn fallbacks(
    cfg: &LitellmConfig,
    names: &[String],
    out: &mut Out<'_>,
) -> Vec<(String, Vec<String>)> {
    let (list, at) = if cfg.router_settings.fallbacks.is_empty() {
        let old = cfg.litellm_settings.get("fallbacks").and_then(|v| {
            serde_yaml_ng::from_value::<Vec<BTreeMap<String, Vec<String>>>>(v.clone()).ok()
        });
        if cfg.litellm_settings.contains_key("fallbacks") && old.is_none() {
            out.note(
                "litellm_settings.fallbacks",
                "not understood (expected [{\"name\": [\"fallback\", …]}]); no fallbacks imported",
            );
        }
        (old.unwrap_or_default(), "litellm_settings.fallbacks")
    } else {
        (
            cfg.router_settings.fallbacks.clone(),
            "router_settings.fallbacks",
        )
    };
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    for (alias, fbs) in list.into_iter().flatten() {
        let here = format!("{at} ({alias})");
        if !names.contains(&alias) {
            out.note(
                &here,
                format!("`{alias}` is not a model_name in model_list; ignored"),
            );
            continue;
        }
        if found.iter().any(|(a, _)| *a == alias) {
            out.note(&here, "listed twice; the first list is kept");
            continue;
        }
        let mut kept = Vec::new();
        for fb in fbs {
            if !names.contains(&fb) {
                out.note(&here, format!("`{fb}` is not a model_name in model_list (LiteLLM would fail over to nothing); dropped"));
            } else if fb == alias || kept.contains(&fb) {
                out.note(&here, format!("`{fb}` is listed again; dropped"));
            } else {
                kept.push(fb);
            }
        }
        found.push((alias, kept));
    }
    found
}

/// `name` if a client can send it as a setup's alias, else a close one.
fn alias_for(name: &str, setups: &[Setup], at: &str, out: &mut Out<'_>) -> String {
    if check_alias(name).is_ok() && !setups.iter().any(|s| s.alias == name) {
        return name.to_owned();
    }
    let mut alias: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') {
                c
            } else {
                '-'
            }
        })
        .collect();
    alias.truncate(crate::setups::MAX_ALIAS_LEN - 4);
    if alias.trim_matches('-').is_empty() {
        alias = "chat".into();
    }
    let base = alias.clone();
    let mut n = 2;
    while setups.iter().any(|s| s.alias == alias) {
        alias = format!("{base}-{n}");
        n += 1;
    }
    out.note(
        at,
        format!(
            "a setup cannot be called `{name}`; it is named `{alias}` (send that as the model)"
        ),
    );
    alias
}

/// The setup's timeout: the longest its deployments wait (each its own `timeout`,
/// else the router's), else Switchboard's default.
fn timeout(deps: &[&Deployment], router: Option<f64>, at: &str, out: &mut Out<'_>) -> u32 {
    let secs = |t: f64| t.ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
    let mut found: Vec<u32> = deps
        .iter()
        .filter_map(|d| d.timeout.filter(|t| *t > 0.0).or(router).map(secs))
        .collect();
    found.sort_unstable();
    found.dedup();
    if found.len() > 1 {
        let all: Vec<String> = found.iter().map(|t| format!("{t} s")).collect();
        out.note(
            at,
            format!(
                "its deployments wait different times ({}); the setup waits the longest for each call",
                all.join(", ")
            ),
        );
    }
    found.last().copied().unwrap_or(DEFAULT_TIMEOUT_SECS)
}

fn router_notes(rs: &RouterSettings, out: &mut Out<'_>) {
    if let Some(s) = rs
        .routing_strategy
        .as_deref()
        .filter(|s| *s != "simple-shuffle")
    {
        out.note(
            "router_settings.routing_strategy",
            format!("{s} is not reproduced; each group is load-balanced by weight"),
        );
    }
    for (key, set) in [
        ("cooldown_time", rs.cooldown_time.is_some()),
        ("allowed_fails", rs.allowed_fails.is_some()),
    ] {
        if set {
            out.note(
                format!("router_settings.{key}"),
                "not reproduced: Switchboard does not take a failing deployment out of rotation; it retries it, then falls back",
            );
        }
    }
    for key in rs.extra.keys() {
        out.note(format!("router_settings.{key}"), "not used by Switchboard");
    }
}

fn settings_notes(cfg: &LitellmConfig, out: &mut Out<'_>) {
    let read = ["num_retries", "request_timeout", "fallbacks"];
    let other: Vec<&String> = cfg
        .litellm_settings
        .keys()
        .filter(|k| !read.contains(&k.as_str()))
        .collect();
    if !other.is_empty() {
        out.note(
            "litellm_settings",
            format!("{} not used by Switchboard", listed(other.into_iter())),
        );
    }
    if let Some(KeyRef::Inline(_)) = cfg.general_settings.master_key {
        out.note(
            "general_settings.master_key",
            "an inline master key was not imported; LiteLLM can read it from a variable (os.environ/LITELLM_MASTER_KEY)",
        );
    }
    if !cfg.general_settings.extra.is_empty() {
        out.note(
            "general_settings",
            format!(
                "{} not used by Switchboard",
                listed(cfg.general_settings.extra.keys())
            ),
        );
    }
    if !cfg.environment_variables.is_empty() {
        out.note(
            "environment_variables",
            format!(
                "{} not imported (their values may be keys): keep provider keys in the keychain with `switchboard keys set <provider>`",
                listed(cfg.environment_variables.iter())
            ),
        );
    }
    for key in cfg.extra.keys() {
        out.note(key.clone(), "not used by Switchboard");
    }
}

fn setting_number(settings: &BTreeMap<String, Value>, key: &str) -> Option<f64> {
    match settings.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| *n >= 0.0)
}

// Lenient readers: LiteLLM's own loader accepts `timeout: "30"` and `model_name: 4`.

fn or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    S(String),
    I(i64),
    F(f64),
    B(bool),
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::S(s) => s,
        Scalar::I(i) => i.to_string(),
        Scalar::F(f) => f.to_string(),
        Scalar::B(b) => b.to_string(),
    })
}

fn opt_scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "scalar")] String);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<Scalar>::deserialize(d)? {
        None => Ok(None),
        Some(Scalar::I(i)) => Ok(Some(i as f64)),
        Some(Scalar::F(f)) => Ok(Some(f)),
        Some(Scalar::S(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, got `{s}`"))),
        Some(Scalar::B(b)) => Err(D::Error::custom(format!("expected a number, got `{b}`"))),
    }
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match number(d)? {
        None => Ok(None),
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(Some(n as u32)),
        Some(n) => Err(D::Error::custom(format!(
            "expected a whole number, got {n}"
        ))),
    }
}

fn names_only<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let map: Option<BTreeMap<String, IgnoredAny>> = Option::deserialize(d)?;
    Ok(map.map(|m| m.into_keys().collect()).unwrap_or_default())
}
