//! An OpenRouter chat request with request-level routing (`models`, `provider`).
//!
//! OpenRouter routes one request through `models` in order (each a fallback for the
//! one before) and picks the upstream provider of each model itself. It has no weighted
//! split across models, no retry count and no timeout in the body: a load balance
//! becomes an ordered list (heaviest first), and retries and timeout belong to the
//! client (the snippets set them on the SDK).

use serde_json::{json, Map, Value};

use super::{Context, Problem};
use crate::chat::Params;
use crate::providers::ProviderFacts;
use crate::setups::{Setup, SetupTarget, Strategy};

/// The smallest similarity at which an id in OpenRouter's list is offered as the one
/// meant.
const CLOSE_MATCH: f64 = 0.85;

/// The request body for `setup`.
pub fn render(setup: &Setup, ctx: &Context<'_>) -> (String, Vec<Problem>) {
    let at = format!("setup `{}`", setup.alias);
    let mut problems = Vec::new();
    let mut ordered: Vec<&SetupTarget> = Vec::new();
    for g in &setup.groups {
        let mut ts: Vec<&SetupTarget> = g.targets.iter().collect();
        // No weights on OpenRouter: the target that was to get most calls is tried
        // first, so the common case still lands where the setup meant it to (a stable
        // sort keeps the user's order among equal weights).
        ts.sort_by_key(|t| std::cmp::Reverse(t.weight));
        ordered.extend(ts);
    }
    if matches!(
        setup.strategy(),
        Strategy::Loadbalance | Strategy::LoadbalanceThenFallback
    ) {
        problems.push(Problem::warning(
            &at,
            "OpenRouter has no weighted split across models; the load balance becomes an ordered fallback, heaviest weight first",
            "use the LiteLLM or Portkey export to keep the weights",
        ));
    }
    let mut models: Vec<String> = Vec::new();
    for t in &ordered {
        let id = openrouter_id(t, ctx, &at, &mut problems);
        if !models.contains(&id) {
            models.push(id);
        }
    }
    let mut body = Map::new();
    body.insert(
        "model".into(),
        json!(models.first().cloned().unwrap_or_default()),
    );
    body.insert("models".into(), json!(models));
    body.insert("provider".into(), json!({"allow_fallbacks": true}));
    body.insert(
        "messages".into(),
        json!([{"role": "user", "content": "Hello"}]),
    );
    if let Some(first) = ordered.first() {
        put_params(&mut body, &first.params);
        if let Some(other) = ordered.iter().skip(1).find(|t| t.params != first.params) {
            problems.push(Problem::warning(
                format!("{at}, {}", other.model),
                format!(
                    "OpenRouter takes one set of parameters per request; those of {} are sent for every model",
                    first.model
                ),
                "give the targets the same parameters, or use the LiteLLM or Portkey export",
            ));
        }
    }
    let text = serde_json::to_string_pretty(&Value::Object(body)).unwrap_or_default();
    (text, problems)
}

fn put_params(body: &mut Map<String, Value>, p: &Params) {
    if let Some(v) = p.temperature {
        body.insert("temperature".into(), json!(v));
    }
    if let Some(v) = p.top_p {
        body.insert("top_p".into(), json!(v));
    }
    if let Some(v) = p.max_tokens {
        body.insert("max_tokens".into(), json!(v));
    }
    if !p.stop.is_empty() {
        body.insert("stop".into(), json!(p.stop));
    }
    if let Some(v) = p.seed {
        body.insert("seed".into(), json!(v));
    }
    // OpenRouter's unified `reasoning` takes an effort or a token budget, not both.
    if let Some(e) = p.reasoning_effort {
        body.insert("reasoning".into(), json!({"effort": e.as_str()}));
    } else if let Some(b) = p.thinking_budget {
        body.insert("reasoning".into(), json!({"max_tokens": b}));
    }
}

/// The OpenRouter id of a target's model, with a problem when there is none or it is
/// not in OpenRouter's list. Unmappable ids are returned as they are, for the preview.
fn openrouter_id(
    t: &SetupTarget,
    ctx: &Context<'_>,
    at: &str,
    problems: &mut Vec<Problem>,
) -> String {
    let here = format!("{at}, {}", t.model);
    let Some((facts, model)) = ctx.split(&t.model) else {
        if let Some((prefix, _)) = t.model.split_once('/').filter(|(p, _)| !p.is_empty()) {
            problems.push(Problem::error(
                &here,
                format!("`{prefix}` is not a provider Switchboard knows"),
                "pick a model through OpenRouter (openrouter/…), or add the provider as a custom endpoint",
            ));
        }
        return t.model.clone();
    };
    let Some(id) = map_id(&facts, model) else {
        problems.push(Problem::error(
            &here,
            format!(
                "OpenRouter cannot reach {}: it calls models in its own cloud, under its own ids",
                label(&facts)
            ),
            "remove it or choose the LiteLLM or Portkey export",
        ));
        return t.model.clone();
    };
    if let Some(known) = ctx.prices.openrouter().filter(|p| !p.entries.is_empty()) {
        if !known.entries.contains_key(&id) {
            let close = known
                .entries
                .keys()
                .map(|k| (strsim::jaro_winkler(&id, k), k))
                .filter(|(s, _)| *s >= CLOSE_MATCH)
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
            let fix = match close {
                Some((_, k)) => format!("check the id; did you mean {k}? (as openrouter/{k})"),
                None => {
                    "check the id on openrouter.ai/models and pick it as openrouter/<id>".to_owned()
                }
            };
            problems.push(Problem::warning(
                &here,
                format!("{id} is not in OpenRouter's model list"),
                fix,
            ));
        }
    }
    id
}

fn label(facts: &ProviderFacts) -> String {
    facts.preset.map_or_else(
        || format!("the custom endpoint {}", facts.id),
        |p| p.label.to_owned(),
    )
}

/// OpenRouter's id for a model of a Switchboard provider; `None` for providers it
/// does not serve under their own names (local servers, custom endpoints, and
/// hosts whose model names are their own, like Groq's).
fn map_id(facts: &ProviderFacts, model: &str) -> Option<String> {
    let preset = facts.preset?;
    let id = match preset.id {
        "openrouter" => model.to_owned(),
        "openai" => format!("openai/{model}"),
        "anthropic" => format!("anthropic/{}", anthropic_slug(model)),
        "gemini" => format!("google/{model}"),
        "xai" => format!("x-ai/{model}"),
        "mistral" => format!("mistralai/{model}"),
        "deepseek" => format!("deepseek/{model}"),
        // Together and Fireworks name open models `org/model`, which is how OpenRouter
        // names them too (lower-case); a bare name has no counterpart.
        "together_ai" | "fireworks_ai" if model.contains('/') => {
            let m = model
                .strip_prefix("accounts/fireworks/models/")
                .unwrap_or(model);
            m.to_ascii_lowercase()
        }
        _ => return None,
    };
    Some(id)
}

/// Anthropic's API ids as OpenRouter writes them: versions with dots and no date
/// (`claude-3-5-sonnet-20241022` → `claude-3.5-sonnet`, `claude-sonnet-4-5` →
/// `claude-sonnet-4.5`).
fn anthropic_slug(model: &str) -> String {
    let parts: Vec<&str> = model
        .split('-')
        .filter(|p| !(p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit())) && *p != "latest")
        .collect();
    let one_digit = |p: &str| p.len() == 1 && p.bytes().all(|b| b.is_ascii_digit());
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        match (parts.get(i), parts.get(i + 1)) {
            (Some(a), Some(b)) if one_digit(a) && one_digit(b) => {
                out.push(format!("{a}.{b}"));
                i += 2;
            }
            (Some(a), _) => {
                out.push((*a).to_owned());
                i += 1;
            }
            (None, _) => break,
        }
    }
    out.join("-")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::chat::ReasoningEffort;
    use crate::gateway::portkey::fixtures::*;
    use crate::gateway::Severity;
    use crate::prices::book::PriceBook;
    use crate::prices::openrouter::parse_models;
    use crate::provider_config::ProviderConfig;

    /// OpenRouter's list as it names these models.
    fn listed() -> PriceBook {
        let ids = [
            "anthropic/claude-sonnet-4.5",
            "anthropic/claude-3.5-sonnet",
            "openai/gpt-4o",
            "openai/gpt-4o-mini",
            "google/gemini-2.5-flash",
            "google/gemini-2.5-pro",
            "meta-llama/llama-3.3-70b-instruct",
        ];
        let data: Vec<Value> = ids
            .iter()
            .map(
                |id| json!({"id": id, "pricing": {"prompt": "0.000001", "completion": "0.000002"}}),
            )
            .collect();
        PriceBook::bundled()
            .with_openrouter(Some(parse_models(&json!({ "data": data }), "2026-11-01")))
    }

    fn render_with(setup: &Setup, prices: &PriceBook) -> (Value, String, Vec<Problem>) {
        let p = providers(&[], &ProviderConfig::default());
        let (text, problems) = render(
            setup,
            &Context {
                providers: &p,
                prices,
            },
        );
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
        (v, text, problems)
    }

    fn models(v: &Value) -> Vec<&str> {
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_fallback_becomes_models_in_order_under_openrouter_ids() {
        let (v, text, problems) = render_with(&three_fallback(), &listed());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            models(&v),
            [
                "anthropic/claude-sonnet-4.5",
                "openai/gpt-4o",
                "google/gemini-2.5-flash"
            ]
        );
        assert_eq!(v["model"], "anthropic/claude-sonnet-4.5");
        assert_eq!(v["provider"]["allow_fallbacks"], true);
        insta::assert_snapshot!("fallback_three_models", text);
    }

    #[test]
    fn a_load_balance_is_ordered_heaviest_first_with_a_warning() {
        let s = Setup::load_balance(
            "lb",
            vec![
                weighted("openai/gpt-4o-mini", 1),
                weighted("openai/gpt-4o", 2),
            ],
        );
        let (v, text, problems) = render_with(&s, &listed());
        assert_eq!(models(&v), ["openai/gpt-4o", "openai/gpt-4o-mini"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(problems[0].message.contains("weight"));
        insta::assert_snapshot!("load_balance_weights", text);
    }

    #[test]
    fn balanced_then_fallback_keeps_the_group_order() {
        let (v, _, problems) = render_with(&balanced_then_fallback(), &listed());
        assert_eq!(
            models(&v),
            [
                "openai/gpt-4o",
                "google/gemini-2.5-pro",
                "anthropic/claude-sonnet-4.5"
            ]
        );
        assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
    }

    #[test]
    fn anthropic_ids_are_written_with_dots_and_without_dates() {
        assert_eq!(
            anthropic_slug("claude-3-5-sonnet-20241022"),
            "claude-3.5-sonnet"
        );
        assert_eq!(anthropic_slug("claude-sonnet-4-5"), "claude-sonnet-4.5");
        assert_eq!(anthropic_slug("claude-opus-4-1"), "claude-opus-4.1");
        assert_eq!(
            anthropic_slug("claude-sonnet-4-20250514"),
            "claude-sonnet-4"
        );
        assert_eq!(anthropic_slug("claude-3-haiku"), "claude-3-haiku");
        assert_eq!(
            anthropic_slug("claude-3-7-sonnet-latest"),
            "claude-3.7-sonnet"
        );
    }

    #[test]
    fn providers_openrouter_cannot_reach_are_errors() {
        let p = providers(&[], &local_config());
        let s = Setup::fallback(
            "l",
            vec![t("ollama/llama3.2"), t("lab/qwen"), t("openai/gpt-4o")],
        );
        let prices = listed();
        let (_, problems) = render(
            &s,
            &Context {
                providers: &p,
                prices: &prices,
            },
        );
        let errs: Vec<&str> = problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.at.as_str())
            .collect();
        assert_eq!(errs, ["setup `l`, ollama/llama3.2", "setup `l`, lab/qwen"]);
        assert!(problems[0].fix.contains("LiteLLM or Portkey"));
    }

    #[test]
    fn an_id_missing_from_openrouters_list_gets_a_suggestion() {
        let s = Setup::fallback(
            "m",
            vec![t("gemini/gemini-2.5-flsh"), t("openrouter/openai/gpt-4o")],
        );
        let (v, _, problems) = render_with(&s, &listed());
        assert_eq!(models(&v), ["google/gemini-2.5-flsh", "openai/gpt-4o"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(
            problems[0].fix.contains("google/gemini-2.5-flash"),
            "{problems:?}"
        );
        // Without OpenRouter's list there is nothing to check against.
        let (_, _, none) = render_with(&s, &PriceBook::bundled());
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn the_first_targets_params_are_sent_and_differences_flagged() {
        let mut a = t("openai/o4-mini");
        a.params.temperature = Some(0.3);
        a.params.max_tokens = Some(300);
        a.params.reasoning_effort = Some(ReasoningEffort::Low);
        let b = t("anthropic/claude-sonnet-4-5");
        let (v, _, problems) =
            render_with(&Setup::fallback("p", vec![a, b]), &PriceBook::bundled());
        assert_eq!(v["temperature"], 0.3);
        assert_eq!(v["max_tokens"], 300);
        assert_eq!(v["reasoning"]["effort"], "low");
        assert!(problems
            .iter()
            .any(|p| p.message.contains("one set of parameters")));
    }
}
