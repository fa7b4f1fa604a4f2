//! A Portkey gateway config: one route, so one setup. `fallback` targets become
//! groups in order, a `loadbalance` becomes one weighted group (a nested one inside a
//! fallback too), `single` its first target.

use serde_json::Value;

use super::out::{infer_provider, listed, read_param, whole_weights, Out, Param};
use super::{ImportError, Imported};
use crate::chat::Params;
use crate::gateway::Format;
use crate::providers::Providers;
use crate::setups::{
    alias_from, check_alias, Group, Setup, SetupTarget, DEFAULT_TIMEOUT_SECS, FALLBACK_STATUSES,
    RETRY_STATUSES,
};

/// A target with its share of its group, before weights are made whole.
struct Weighted {
    target: SetupTarget,
    weight: f64,
    at: String,
}

/// The keys of a target Switchboard reads.
const TARGET_KEYS: [&str; 6] = [
    "provider",
    "api_key",
    "virtual_key",
    "override_params",
    "weight",
    "custom_host",
];
/// The keys of a node with targets Switchboard reads.
const NODE_KEYS: [&str; 5] = ["strategy", "targets", "weight", "retry", "request_timeout"];

pub(super) fn import(
    config: &Value,
    name: &str,
    providers: &Providers,
) -> Result<Imported, ImportError> {
    let mut out = Out::new(providers);
    let steps = steps(config, "", &mut out);

    let mut groups = Vec::new();
    for step in steps {
        let weights: Vec<f64> = step.iter().map(|w| w.weight).collect();
        let (whole, changed) = if step.len() > 1 {
            whole_weights(&weights, false)
        } else {
            (vec![1; step.len()], false)
        };
        if changed {
            let at = step.first().map(|w| w.at.clone()).unwrap_or_default();
            out.note(
                at,
                "the weights were rounded to whole numbers, which changed their ratio slightly",
            );
        }
        let mut targets = Vec::new();
        for (w, whole) in step.into_iter().zip(whole) {
            if whole == 0 {
                out.note(&w.at, "its weight is 0, so it never gets a call; left out");
                continue;
            }
            targets.push(SetupTarget {
                weight: whole,
                ..w.target
            });
        }
        if !targets.is_empty() {
            groups.push(Group { targets });
        }
    }
    if groups.is_empty() {
        return out.finish(Format::Portkey, Vec::new());
    }

    let mut setup = Setup::with_groups(alias(name, &mut out), groups);
    let retry = config.get("retry");
    // Portkey retries nothing unless `retry` says so.
    setup.retries = retry
        .and_then(|r| r.get("attempts"))
        .and_then(Value::as_u64)
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX));
    if let Some(codes) = retry.and_then(|r| r.get("on_status_codes")) {
        status_note(
            codes,
            "retry.on_status_codes",
            "retries",
            &RETRY_STATUSES,
            &mut out,
        );
    }
    setup.timeout_secs = match config.get("request_timeout").map(Value::as_f64) {
        Some(Some(ms)) if ms > 0.0 => (ms / 1000.0).ceil().min(f64::from(u32::MAX)) as u32,
        Some(_) => {
            out.note(
                "request_timeout",
                format!("not a number of milliseconds; the setup waits {DEFAULT_TIMEOUT_SECS} s"),
            );
            DEFAULT_TIMEOUT_SECS
        }
        None => DEFAULT_TIMEOUT_SECS,
    };
    out.finish(Format::Portkey, vec![setup])
}

/// The setup's alias from the file's name (`portkey-chat.json` → `chat`, the way
/// Switchboard's exporter names the file).
fn alias(name: &str, out: &mut Out<'_>) -> String {
    let stem = name
        .strip_prefix("portkey-")
        .filter(|s| !s.is_empty())
        .unwrap_or(name);
    if check_alias(stem).is_ok() {
        return stem.to_owned();
    }
    let alias = alias_from(stem);
    out.note("the setup", format!("a Portkey config has no name of its own, and `{stem}` cannot be an alias; the setup is called `{alias}`"));
    alias
}

/// The groups `node` routes through, in order.
fn steps(node: &Value, at: &str, out: &mut Out<'_>) -> Vec<Vec<Weighted>> {
    let Some(targets) = node.get("targets") else {
        return target(node, at, out)
            .map(|w| vec![vec![w]])
            .unwrap_or_default();
    };
    let here = if at.is_empty() {
        "the config".to_owned()
    } else {
        at.to_owned()
    };
    let Some(targets) = targets.as_array() else {
        out.note(
            format!("{here}.targets"),
            "not a list; nothing imported from it",
        );
        return Vec::new();
    };
    if !at.is_empty() {
        let other: Vec<&String> = node
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| {
                !NODE_KEYS.contains(&k.as_str())
                    || matches!(k.as_str(), "retry" | "request_timeout")
            })
            .collect();
        if !other.is_empty() {
            out.note(
                at,
                format!("{} on a nested strategy not reproduced", listed(&other)),
            );
        }
    } else {
        let other: Vec<&String> = node
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| !NODE_KEYS.contains(&k.as_str()))
            .collect();
        if !other.is_empty() {
            out.note(
                "the config",
                format!("{} not used by Switchboard", listed(&other)),
            );
        }
    }
    let child_at = |i: usize| {
        if at.is_empty() {
            format!("targets[{i}]")
        } else {
            format!("{at}.targets[{i}]")
        }
    };
    let strategy = node.get("strategy");
    let mode = strategy.and_then(|s| s.get("mode")).and_then(Value::as_str);
    match mode {
        Some("fallback") => {
            if let Some(codes) = strategy.and_then(|s| s.get("on_status_codes")) {
                status_note(
                    codes,
                    &format!("{here}.strategy.on_status_codes"),
                    "falls back",
                    &FALLBACK_STATUSES,
                    out,
                );
            }
            targets
                .iter()
                .enumerate()
                .flat_map(|(i, t)| steps(t, &child_at(i), out))
                .collect()
        }
        Some("loadbalance") => {
            let mut group = Vec::new();
            for (i, t) in targets.iter().enumerate() {
                let cat = child_at(i);
                let share = weight(t, &cat, out);
                let mut sub = steps(t, &cat, out);
                if sub.len() > 1 {
                    out.note(&cat, "a fallback inside a load balance is not reproduced; only its first step is kept");
                }
                let Some(first) = sub.drain(..).next() else {
                    continue;
                };
                // A nested group shares this target's weight in its own ratio.
                let total: f64 = first.iter().map(|w| w.weight).sum();
                for w in first {
                    let part = if total > 0.0 { w.weight / total } else { 0.0 };
                    group.push(Weighted {
                        weight: share * part,
                        ..w
                    });
                }
            }
            if group.is_empty() {
                Vec::new()
            } else {
                vec![group]
            }
        }
        Some("conditional") => {
            out.note(
                here,
                "conditional routing is not supported; its targets were not imported",
            );
            Vec::new()
        }
        Some("single") | None => {
            if mode.is_none() {
                out.note(
                    &here,
                    "no strategy.mode; Portkey then calls the first target, and so does the setup",
                );
            } else if targets.len() > 1 {
                out.note(
                    &here,
                    "`single` calls only the first target; the others were not imported",
                );
            }
            targets
                .first()
                .map(|t| steps(t, &child_at(0), out))
                .unwrap_or_default()
        }
        Some(other) => {
            out.note(
                format!("{here}.strategy.mode"),
                format!("`{other}` is not a Portkey strategy; nothing imported from it"),
            );
            Vec::new()
        }
    }
}

fn weight(t: &Value, at: &str, out: &mut Out<'_>) -> f64 {
    match t.get("weight") {
        None => 1.0,
        Some(w) => w.as_f64().unwrap_or_else(|| {
            out.note(at, "its weight is not a number; 1 is used");
            1.0
        }),
    }
}

/// One target, or `None` with a note saying why not.
fn target(t: &Value, at: &str, out: &mut Out<'_>) -> Option<Weighted> {
    let at = if at.is_empty() { "the config" } else { at };
    let Some(obj) = t.as_object() else {
        out.note(at, "not a target; skipped");
        return None;
    };
    let str_of = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let params_obj = obj.get("override_params").and_then(Value::as_object);
    let Some(model) = params_obj
        .and_then(|p| p.get("model"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|m| !m.is_empty())
    else {
        out.note(at, "no override_params.model: the model would come from each request, and a setup needs one; skipped");
        return None;
    };
    let slug = str_of("provider");
    let hosted = slug
        .filter(|s| s.starts_with('@'))
        .or(str_of("virtual_key"));
    let provider = match slug.filter(|s| !s.starts_with('@')) {
        Some(slug) => match provider_of(slug) {
            Some(p) => p,
            None => {
                out.note(
                    at,
                    format!("{slug} is not a provider Switchboard calls; skipped"),
                );
                return None;
            }
        },
        None => match infer_provider(model) {
            Some(p) if hosted.is_some() => {
                out.note(at, format!("the provider is hidden behind a hosted Portkey key; `{model}` is read as {p}/{model}"));
                p
            }
            _ => {
                out.note(
                    at,
                    format!("no provider, and `{model}` does not tell which; skipped"),
                );
                return None;
            }
        },
    };
    let mut provider = provider.to_owned();
    if let Some(host) = str_of("custom_host") {
        if provider == "openai" {
            provider = out.openai_server(host, at)?;
        } else {
            let url = host.trim_end_matches('/');
            // Portkey wants Anthropic's host with /v1 and Ollama's root; Switchboard's
            // Anthropic base has no /v1 and its Ollama base is the /v1 API.
            let url = match provider.as_str() {
                "anthropic" => url.strip_suffix("/v1").unwrap_or(url).to_owned(),
                "ollama" if !url.ends_with("/v1") => format!("{url}/v1"),
                _ => url.to_owned(),
            };
            out.preset_base(&provider, &url, at);
        }
    }
    if let Some(key) = str_of("api_key") {
        match key.strip_prefix("${").and_then(|k| k.strip_suffix('}')) {
            Some(var) if !var.is_empty() => out.key_var(&provider, var, at),
            _ => out.inline_key(&provider, at),
        }
    }
    if let Some(vk) = hosted {
        out.note(
            at,
            format!("hosted Portkey key `{vk}`: keep the provider's key in Switchboard's keychain with `switchboard keys set {provider}`"),
        );
    }
    let mut params = Params::default();
    let mut unused = Vec::new();
    for (k, v) in params_obj.into_iter().flatten() {
        if k == "model" {
            continue;
        }
        match read_param(&mut params, k, v) {
            Param::Read => {}
            Param::Unknown => unused.push(k),
            Param::Bad(why) => out.note(at, format!("override_params: {why}; not imported")),
        }
    }
    if !unused.is_empty() {
        out.note(
            at,
            format!(
                "override_params {} not used by Switchboard",
                listed(&unused)
            ),
        );
    }
    let other: Vec<&String> = obj
        .keys()
        .filter(|k| !TARGET_KEYS.contains(&k.as_str()))
        .collect();
    if !other.is_empty() {
        out.note(at, format!("{} not used by Switchboard", listed(&other)));
    }
    Some(Weighted {
        target: SetupTarget {
            model: format!("{provider}/{model}"),
            weight: 1,
            params,
        },
        weight: weight(t, at, out).max(0.0),
        at: at.to_owned(),
    })
}

/// Portkey's provider slug as Switchboard's provider id.
fn provider_of(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "openai" => "openai",
        "anthropic" => "anthropic",
        "google" => "gemini",
        "openrouter" => "openrouter",
        "groq" => "groq",
        "mistral-ai" => "mistral",
        "deepseek" => "deepseek",
        "x-ai" => "xai",
        "together-ai" => "together_ai",
        "fireworks-ai" => "fireworks_ai",
        "ollama" => "ollama",
        "lm-studio" => "lmstudio",
        _ => return None,
    })
}

/// A note when Portkey's status codes differ from the ones Switchboard acts on.
fn status_note(codes: &Value, at: &str, what: &str, ours: &[u16], out: &mut Out<'_>) {
    let mut codes: Vec<u64> = codes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    codes.sort_unstable();
    let ours: Vec<u64> = ours.iter().map(|&c| u64::from(c)).collect();
    if codes != ours {
        out.note(
            at,
            format!(
                "Switchboard {what} on {} (and on timeouts and network errors), not on exactly these codes",
                ours.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ),
        );
    }
}
