//! LiteLLM proxy `config.yaml`.
//!
//! Each setup becomes one `model_name` per group: the first group is the alias itself,
//! group k ≥ 2 is `<alias>-fallback-<k-1>` (the import recognizes fallback groups by
//! this name), and `router_settings.fallbacks` chains them. Keys are `os.environ/…`
//! references; prices go into `model_info` so LiteLLM's spend agrees with Switchboard's.
//!
//! LiteLLM accepts a lot without a word (an unknown prefix drops the deployment, a
//! fallback to a missing name is kept), so what it would not say is said here.

use std::collections::{BTreeMap, BTreeSet};

use super::yaml::{self, Yaml};
use super::{Context, Problem};
use crate::prices::book::PriceOrigin;
use crate::providers::{ProviderFacts, ProviderKind};
use crate::setups::{Setup, SetupTarget, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECS};

/// The proxy's own key, read from the environment like the providers' keys.
pub const MASTER_KEY_ENV: &str = "LITELLM_MASTER_KEY";

/// The `model_name` of a setup's group `index` (0-based): the alias, then
/// `<alias>-fallback-1`, `<alias>-fallback-2`…
pub fn group_name(alias: &str, index: usize) -> String {
    if index == 0 {
        alias.to_owned()
    } else {
        format!("{alias}-fallback-{index}")
    }
}

/// The config for `setups`, and the problems LiteLLM would not report.
pub fn render(setups: &[Setup], ctx: &Context<'_>) -> (String, Vec<Problem>) {
    let mut r = Renderer {
        ctx,
        problems: Vec::new(),
        key_vars: BTreeSet::new(),
        own_prices: BTreeSet::new(),
        unpriced: BTreeSet::new(),
        custom: false,
    };
    let mut model_list = Vec::new();
    let mut fallbacks = Vec::new();
    // model_name → the alias of the setup that made it.
    let mut owners: BTreeMap<String, &str> = BTreeMap::new();
    for s in setups {
        // Empty groups are reported by `Setup::problems`; skipping them here keeps
        // every fallback pointing at a name that exists.
        let groups: Vec<_> = s.groups.iter().filter(|g| !g.targets.is_empty()).collect();
        let names: Vec<String> = (0..groups.len()).map(|i| group_name(&s.alias, i)).collect();
        for (name, group) in names.iter().zip(&groups) {
            match owners.get(name.as_str()) {
                // The same alias twice is reported once, by `gateway::export`.
                Some(other) if *other != s.alias => r.problems.push(Problem::error(
                    format!("setup `{}`", s.alias),
                    format!(
                        "its model_name `{name}` is also a model_name of setup `{other}`, so LiteLLM would mix their deployments"
                    ),
                    "rename one of the two setups",
                )),
                Some(_) => {}
                None => {
                    owners.insert(name.clone(), &s.alias);
                }
            }
            let first = group.targets.first().map_or(1, |t| t.weight);
            let weighted = group.targets.iter().any(|t| t.weight != first);
            for t in &group.targets {
                model_list.push(r.deployment(s, name, t, weighted));
            }
        }
        if names.len() > 1 {
            let rest = names[1..].iter().map(|n| Yaml::str(n.as_str())).collect();
            fallbacks.push(Yaml::map([(s.alias.as_str(), Yaml::Seq(rest))]));
        }
    }

    let retries: BTreeSet<u32> = setups.iter().map(|s| s.retries).collect();
    let num_retries = retries.last().copied().unwrap_or(DEFAULT_RETRIES);
    if retries.len() > 1 {
        r.problems.push(Problem::warning(
            "router_settings.num_retries",
            format!(
                "the setups retry a different number of times and LiteLLM takes one number for the whole file: {num_retries} (the most) is written"
            ),
            "export the setups separately, or give them the same retries",
        ));
    }
    let timeout = setups
        .iter()
        .map(|s| s.timeout_secs)
        .max()
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    let mut router = vec![
        ("routing_strategy", Yaml::str("simple-shuffle")),
        ("num_retries", Yaml::Int(num_retries.into())),
        ("timeout", Yaml::Int(timeout.into())),
    ];
    if !fallbacks.is_empty() {
        router.push(("fallbacks", Yaml::flow(Yaml::Seq(fallbacks))));
    }
    let root = Yaml::map([
        ("model_list", Yaml::Seq(model_list)),
        ("router_settings", Yaml::map(router)),
        (
            "general_settings",
            Yaml::map([(
                "master_key",
                Yaml::str(format!("os.environ/{MASTER_KEY_ENV}")),
            )]),
        ),
    ]);
    let header = r.header(setups);
    (yaml::document(&header, &root), r.problems)
}

struct Renderer<'c, 'p> {
    ctx: &'c Context<'p>,
    problems: Vec<Problem>,
    /// The variables the file reads keys from, for the header.
    key_vars: BTreeSet<String>,
    /// Models priced by the user's own prices, for the header.
    own_prices: BTreeSet<String>,
    /// Models already warned about, so each is named once.
    unpriced: BTreeSet<String>,
    /// Whether a custom endpoint is in the file (its key variable must be set).
    custom: bool,
}

/// How LiteLLM reaches a provider: its prefix and the `api_base` to write, if any.
struct Route {
    prefix: &'static str,
    api_base: Option<String>,
}

impl Renderer<'_, '_> {
    fn deployment(&mut self, setup: &Setup, name: &str, t: &SetupTarget, weighted: bool) -> Yaml {
        let at = format!("setup `{}`, {}", setup.alias, t.model);
        let mut params: Vec<(&str, Yaml)> = Vec::new();
        let facts = self.ctx.split(&t.model);
        match &facts {
            Some((facts, model)) => match route(facts) {
                Some(route) => {
                    params.push(("model", Yaml::str(format!("{}/{model}", route.prefix))));
                    // Presets that run without a key (local servers) get none; a custom
                    // endpoint may or may not want one, and LiteLLM's OpenAI client
                    // insists on some value, so it always reads one.
                    if facts.needs_key || facts.preset.is_none() {
                        params.push((
                            "api_key",
                            Yaml::str(format!("os.environ/{}", facts.key_env)),
                        ));
                        self.key_vars.insert(facts.key_env.clone());
                    }
                    if let Some(base) = route.api_base {
                        params.push(("api_base", Yaml::str(base)));
                    }
                    if facts.preset.is_none() {
                        self.custom = true;
                        self.custom_extras(&at, facts, &mut params);
                    }
                }
                None => {
                    self.problems.push(Problem::error(
                        &at,
                        format!("LiteLLM has no way to reach provider `{}`", facts.id),
                        "use a provider LiteLLM knows, or an OpenAI-compatible custom endpoint",
                    ));
                    params.push(("model", Yaml::str(t.model.as_str())));
                }
            },
            None => {
                // A model id without a provider is reported by `Setup::problems`.
                if let Some((provider, _)) = t.model.split_once('/').filter(|(p, _)| !p.is_empty())
                {
                    self.problems.push(Problem::error(
                        &at,
                        format!("unknown provider `{provider}`: LiteLLM would silently drop this deployment"),
                        format!(
                            "use a known provider ({}) or add `{provider}` as a custom endpoint in Settings → Providers",
                            self.ctx.providers.ids().join(", ")
                        ),
                    ));
                }
                params.push(("model", Yaml::str(t.model.as_str())));
            }
        }
        if weighted {
            params.push(("weight", Yaml::Int(t.weight.into())));
        }
        params.push(("timeout", Yaml::Int(setup.timeout_secs.into())));
        let kind = facts.as_ref().map(|(f, _)| f.kind);
        self.params(&at, t, kind, &mut params);
        let mut entry = vec![
            ("model_name", Yaml::str(name)),
            ("litellm_params", Yaml::map(params)),
        ];
        if let Some(info) = self.prices(&at, &t.model) {
            entry.push(("model_info", info));
        }
        Yaml::map(entry)
    }

    /// A custom endpoint's headers, and a warning when it wants its key in a header
    /// LiteLLM does not send.
    fn custom_extras(&mut self, at: &str, facts: &ProviderFacts, params: &mut Vec<(&str, Yaml)>) {
        if let Some(header) = &facts.key_header {
            self.problems.push(Problem::warning(
                at,
                format!(
                    "`{}` takes its key in the `{header}` header, but LiteLLM sends it as `Authorization: Bearer`; the server may refuse the calls",
                    facts.id
                ),
                "check that the server also accepts a Bearer key, or put LiteLLM's `extra_headers` in by hand",
            ));
        }
        let headers: Vec<(String, Yaml)> = self
            .ctx
            .providers
            .custom()
            .iter()
            .filter(|c| c.name == facts.id)
            .flat_map(|c| c.extra_headers.iter())
            .map(|(k, v)| (k.clone(), Yaml::str(v.as_str())))
            .collect();
        if !headers.is_empty() {
            params.push(("extra_headers", Yaml::Map(headers)));
        }
    }

    /// The target's parameters that are set, as LiteLLM takes them.
    fn params(
        &mut self,
        at: &str,
        t: &SetupTarget,
        kind: Option<ProviderKind>,
        out: &mut Vec<(&str, Yaml)>,
    ) {
        let p = &t.params;
        let anthropic = kind == Some(ProviderKind::Anthropic);
        // Mirrors Switchboard's Anthropic adapter: with thinking on, Anthropic refuses
        // temperature and top_p, and it has no seed at all (LiteLLM would refuse the
        // call for an unsupported parameter rather than drop it).
        let thinking = anthropic && p.effective_thinking_budget().is_some();
        if let Some(v) = p.temperature.filter(|_| !thinking) {
            out.push(("temperature", Yaml::Float(v)));
        }
        if let Some(v) = p.top_p.filter(|_| !thinking) {
            out.push(("top_p", Yaml::Float(v)));
        }
        if let Some(v) = p.max_tokens {
            out.push(("max_tokens", Yaml::Int(v.into())));
        }
        if !p.stop.is_empty() {
            out.push((
                "stop",
                Yaml::Seq(p.stop.iter().map(|s| Yaml::str(s.as_str())).collect()),
            ));
        }
        if let Some(v) = p.seed.filter(|_| !anthropic) {
            out.push(("seed", Yaml::Int(v)));
        }
        if let Some(v) = p.reasoning_effort {
            out.push(("reasoning_effort", Yaml::str(v.as_str())));
        }
        if let Some(budget) = p.thinking_budget {
            self.problems.push(Problem::warning(
                at,
                format!("its thinking budget ({budget} tokens) is not exported: LiteLLM's config has no setting for it that works with every provider"),
                "set a reasoning effort instead, or add the provider's own thinking parameter to its litellm_params by hand",
            ));
        }
    }

    /// `model_info` with the model's prices per token; a warning when it has none.
    fn prices(&mut self, at: &str, model_id: &str) -> Option<Yaml> {
        let found = self
            .ctx
            .prices
            .find(model_id)
            .filter(|f| f.entry.is_priced());
        let Some(found) = found else {
            if self.unpriced.insert(model_id.to_owned()) {
                self.problems.push(Problem::warning(
                    at,
                    "Switchboard has no price for this model, so LiteLLM will record $0 for it",
                    "set a price in Settings → Prices",
                ));
            }
            return None;
        };
        if found.origin == PriceOrigin::Override {
            self.own_prices.insert(model_id.to_owned());
        }
        let rates = &found.entry.rates;
        let mut info = Vec::new();
        for (key, rate) in [
            ("input_cost_per_token", rates.input),
            ("output_cost_per_token", rates.output),
            ("cache_read_input_token_cost", rates.cache_read),
            ("cache_creation_input_token_cost", rates.cache_write),
        ] {
            if let Some(d) = rate {
                info.push((key, Yaml::Decimal(d)));
            }
        }
        Some(Yaml::map(info))
    }

    fn header(&self, setups: &[Setup]) -> Vec<String> {
        let aliases: Vec<&str> = setups.iter().map(|s| s.alias.as_str()).collect();
        let mut vars: Vec<&str> = self.key_vars.iter().map(String::as_str).collect();
        vars.push(MASTER_KEY_ENV);
        let mut lines = vec![
            format!(
                "LiteLLM proxy config made by Switchboard for: {}.",
                aliases.join(", ")
            ),
            String::new(),
            "No key is written here: LiteLLM reads them from the environment (os.environ/...)."
                .into(),
            format!("Set before starting: {}.", vars.join(", ")),
        ];
        if self.custom {
            lines.push(
                "A custom endpoint's variable must be set even if the server takes no key (any value)."
                    .into(),
            );
        }
        lines.extend([
            "Run: litellm --config litellm-config.yaml".into(),
            format!(
                "Then call http://localhost:4000/v1/chat/completions with model: {}.",
                aliases.first().copied().unwrap_or("<alias>")
            ),
            String::new(),
            format!(
                "Prices (model_info, USD per token) are from Switchboard's catalog: {}.",
                self.ctx.prices.catalog_meta().version
            ),
        ]);
        if !self.own_prices.is_empty() {
            let own: Vec<&str> = self.own_prices.iter().map(String::as_str).collect();
            lines.push(format!("Your own prices are used for: {}.", own.join(", ")));
        }
        lines
    }
}

/// LiteLLM's prefix for a provider and the `api_base` it needs; `None` when LiteLLM
/// cannot reach it.
fn route(facts: &ProviderFacts) -> Option<Route> {
    let base = facts.base_url.trim_end_matches('/');
    let unless_default = |url: String| (!facts.default_base_url).then_some(url);
    let Some(preset) = facts.preset else {
        // A custom endpoint: an OpenAI-compatible server at its own URL.
        return Some(Route {
            prefix: "openai",
            api_base: Some(base.to_owned()),
        });
    };
    let route = match preset.id {
        // LiteLLM's `ollama_chat` wants the server's root (it adds `/api/chat`), and
        // `lm_studio` has no default URL at all, so both are always written.
        "ollama" => Route {
            prefix: "ollama_chat",
            api_base: Some(base.strip_suffix("/v1").unwrap_or(base).to_owned()),
        },
        "lmstudio" => Route {
            prefix: "lm_studio",
            api_base: Some(base.to_owned()),
        },
        // LiteLLM adds `/models/<model>:…` to a custom api_base without `/v1beta`.
        "gemini" => Route {
            prefix: "gemini",
            api_base: unless_default(format!("{base}/v1beta")),
        },
        // LiteLLM's prefix is Switchboard's id; Anthropic's api_base, like ours, has no
        // `/v1/messages` (LiteLLM adds it); the others are OpenAI-style bases as they are.
        id @ ("anthropic" | "openai" | "openrouter" | "groq" | "mistral" | "deepseek" | "xai"
        | "together_ai" | "fireworks_ai") => Route {
            prefix: id,
            api_base: unless_default(base.to_owned()),
        },
        // A preset LiteLLM has no prefix for still speaks OpenAI's API at its URL.
        _ if facts.kind == ProviderKind::OpenAiCompatible => Route {
            prefix: "openai",
            api_base: Some(base.to_owned()),
        },
        _ => return None,
    };
    Some(route)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::{BTreeMap, HashMap};
    use std::sync::Arc;

    use serde_json::Value;

    use super::*;
    use crate::chat::{Params, ReasoningEffort};
    use crate::gateway::{export, ExportOptions, Format, Severity};
    use crate::keys::EnvKeys;
    use crate::prices::book::PriceBook;
    use crate::provider_config::{CustomEndpointConfig, HeaderPair, ProviderConfig};
    use crate::providers::Providers;
    use crate::setups::Group;

    fn providers(vars: &[(&str, &str)], config: &ProviderConfig) -> Providers {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut p = Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env)));
        config.apply_to(&mut p);
        p
    }

    fn t(model: &str) -> SetupTarget {
        SetupTarget::new(model)
    }

    fn weighted(model: &str, weight: u32) -> SetupTarget {
        SetupTarget { weight, ..t(model) }
    }

    /// Renders with default providers and the bundled prices.
    fn render_default(setups: &[Setup]) -> (String, Vec<Problem>) {
        let p = providers(&[], &ProviderConfig::default());
        let prices = PriceBook::bundled();
        render(
            setups,
            &Context {
                providers: &p,
                prices: &prices,
            },
        )
    }

    fn errors(problems: &[Problem]) -> Vec<&Problem> {
        problems.iter().filter(|p| p.is_error()).collect()
    }

    /// What every exported config must be, read back as a YAML parser reads it:
    /// prices are numbers, every fallback names an existing model_name, and within a
    /// model_name either every deployment has a weight or none has.
    fn check_config(text: &str) -> Value {
        let v: Value =
            serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
        // LiteLLM opens the file in the system's encoding (cp1252 on Windows).
        assert!(text.is_ascii(), "not ASCII:\n{text}");
        let list = v["model_list"].as_array().expect("model_list is a list");
        let mut weights: BTreeMap<&str, Vec<bool>> = BTreeMap::new();
        for d in list {
            let name = d["model_name"].as_str().expect("model_name is a string");
            weights
                .entry(name)
                .or_default()
                .push(d["litellm_params"].get("weight").is_some());
            if let Some(info) = d.get("model_info").and_then(Value::as_object) {
                for (k, price) in info {
                    assert!(
                        price.is_f64(),
                        "{name}: {k} is not a float: {price:?}\n{text}"
                    );
                }
            }
            let key = d["litellm_params"].get("api_key").and_then(Value::as_str);
            assert!(
                key.is_none_or(|k| k.starts_with("os.environ/")),
                "{name}: a key that is not an environment reference: {key:?}"
            );
        }
        for (name, w) in &weights {
            assert!(
                w.iter().all(|x| *x) || w.iter().all(|x| !*x),
                "{name}: weights on some deployments only\n{text}"
            );
        }
        let names: BTreeSet<&str> = weights.keys().copied().collect();
        if let Some(fallbacks) = v["router_settings"].get("fallbacks") {
            for f in fallbacks.as_array().expect("fallbacks is a list") {
                for (from, to) in f.as_object().expect("a fallback is a mapping") {
                    assert!(
                        names.contains(from.as_str()),
                        "fallback from missing `{from}`\n{text}"
                    );
                    for name in to.as_array().expect("fallback targets are a list") {
                        let name = name.as_str().expect("a fallback target is a string");
                        assert!(names.contains(name), "fallback to missing `{name}`\n{text}");
                    }
                }
            }
        }
        assert_eq!(
            v["general_settings"]["master_key"],
            "os.environ/LITELLM_MASTER_KEY"
        );
        v
    }

    /// Loads `text` with PyYAML, which is what LiteLLM uses, and checks every price is
    /// a Python float (`3e-06` would be a string there).
    fn check_with_pyyaml(text: &str) {
        let has_pyyaml = std::process::Command::new("python3")
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_pyyaml {
            eprintln!("PyYAML is not installed: skipping the PyYAML load (the interop suite loads the file in LiteLLM itself)");
            return;
        }
        let script = r#"
import sys, yaml
c = yaml.safe_load(sys.stdin.read())
for d in c["model_list"]:
    for k, v in (d.get("model_info") or {}).items():
        assert isinstance(v, float), (d["model_name"], k, v)
    for k in ("timeout", "weight", "max_tokens"):
        v = d["litellm_params"].get(k)
        assert v is None or isinstance(v, int), (k, v)
names = {d["model_name"] for d in c["model_list"]}
for f in c["router_settings"].get("fallbacks", []):
    for a, bs in f.items():
        assert a in names and all(b in names for b in bs), f
print("ok")
"#;
        let mut child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "PyYAML refused it: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn check_all(text: &str) -> Value {
        check_with_pyyaml(text);
        check_config(text)
    }

    #[test]
    fn a_three_model_fallback_chains_its_groups() {
        let setup = Setup::fallback(
            "chat",
            vec![
                t("anthropic/claude-sonnet-4-5"),
                t("openai/gpt-4o"),
                t("gemini/gemini-2.5-flash"),
            ],
        );
        let (text, problems) = render_default(&[setup]);
        assert!(problems.is_empty(), "{problems:?}");
        insta::assert_snapshot!("fallback_three_models", text);
        let v = check_all(&text);
        assert_eq!(
            v["router_settings"]["fallbacks"],
            serde_json::json!([{"chat": ["chat-fallback-1", "chat-fallback-2"]}])
        );
        let list = v["model_list"].as_array().unwrap();
        assert_eq!(
            list[0]["litellm_params"]["model"],
            "anthropic/claude-sonnet-4-5"
        );
        assert_eq!(
            list[0]["litellm_params"]["api_key"],
            "os.environ/ANTHROPIC_API_KEY"
        );
        assert_eq!(
            list[2]["litellm_params"]["model"],
            "gemini/gemini-2.5-flash"
        );
        assert!(list
            .iter()
            .all(|d| d["litellm_params"].get("api_base").is_none()));
        assert!(list
            .iter()
            .all(|d| d["model_info"]["input_cost_per_token"].as_f64() > Some(0.0)));
    }

    #[test]
    fn a_load_balance_writes_its_weights_and_params() {
        let mut first = weighted("openai/gpt-4o", 2);
        first.params = Params {
            temperature: Some(0.2),
            max_tokens: Some(512),
            stop: vec!["END".into(), "\n\n".into()],
            seed: Some(7),
            ..Params::default()
        };
        let setup = Setup::load_balance(
            "balanced",
            vec![first, weighted("anthropic/claude-sonnet-4-5", 1)],
        );
        let (text, problems) = render_default(&[setup]);
        assert!(problems.is_empty(), "{problems:?}");
        insta::assert_snapshot!("load_balance_weights", text);
        let v = check_all(&text);
        let list = v["model_list"].as_array().unwrap();
        assert_eq!(list[0]["litellm_params"]["weight"], 2);
        assert_eq!(list[1]["litellm_params"]["weight"], 1);
        assert_eq!(
            list[0]["litellm_params"]["stop"],
            serde_json::json!(["END", "\n\n"])
        );
        assert_eq!(list[0]["litellm_params"]["temperature"].as_f64(), Some(0.2));
        assert!(v["router_settings"].get("fallbacks").is_none());
    }

    #[test]
    fn equal_weights_are_left_out() {
        let setup = Setup::load_balance(
            "even",
            vec![
                weighted("openai/gpt-4o", 3),
                weighted("openai/gpt-4o-mini", 3),
            ],
        );
        let (text, _) = render_default(&[setup]);
        assert!(!text.contains("weight"), "{text}");
        check_config(&text);
    }

    #[test]
    fn two_setups_share_one_file_and_the_highest_retries() {
        let chat = Setup::fallback(
            "chat",
            vec![t("openai/gpt-4o-mini"), t("groq/llama-3.3-70b-versatile")],
        );
        let mut summarize = Setup::fallback(
            "summarize",
            vec![
                t("deepseek/deepseek-chat"),
                t("mistral/mistral-large-latest"),
            ],
        );
        summarize.retries = 4;
        summarize.timeout_secs = 120;
        let (text, problems) = render_default(&[chat, summarize]);
        insta::assert_snapshot!("two_setups", text);
        let v = check_all(&text);
        assert_eq!(v["router_settings"]["num_retries"], 4);
        assert_eq!(v["router_settings"]["timeout"], 120);
        assert_eq!(
            v["router_settings"]["fallbacks"],
            serde_json::json!([{"chat": ["chat-fallback-1"]}, {"summarize": ["summarize-fallback-1"]}])
        );
        let retries: Vec<_> = problems
            .iter()
            .filter(|p| p.at.contains("num_retries"))
            .collect();
        assert_eq!(retries.len(), 1, "{problems:?}");
        assert_eq!(retries[0].severity, Severity::Warning);
        assert!(retries[0].message.contains('4'), "{}", retries[0].message);
        // The catalog has no price for this Groq model: LiteLLM would count it as free.
        assert!(
            problems
                .iter()
                .any(|p| p.at.ends_with("groq/llama-3.3-70b-versatile")
                    && p.severity == Severity::Warning
                    && p.fix.contains("Settings → Prices")),
            "{problems:?}"
        );
        // Each deployment keeps its own setup's timeout.
        let list = v["model_list"].as_array().unwrap();
        assert_eq!(list[0]["litellm_params"]["timeout"], 60);
        assert_eq!(list[2]["litellm_params"]["timeout"], 120);
    }

    #[test]
    fn custom_endpoints_local_servers_and_changed_base_urls_get_an_api_base() {
        let mut config = ProviderConfig::default();
        config
            .base_urls
            .insert("openai".into(), "http://127.0.0.1:9000/v1".into());
        config.custom.push(CustomEndpointConfig {
            name: "my-llm".into(),
            base_url: "http://10.0.0.5:8080/v1/".into(),
            headers: vec![HeaderPair {
                name: "X-Team".into(),
                value: "blue team".into(),
            }],
            key_header: Some("api-key".into()),
        });
        let p = providers(
            &[
                ("GEMINI_BASE_URL", "http://127.0.0.1:9001"),
                ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9002"),
            ],
            &config,
        );
        let prices = PriceBook::bundled();
        let setup = Setup::fallback(
            "mixed",
            vec![
                t("openai/gpt-4o"),
                t("my-llm/qwen2.5-coder"),
                t("ollama/llama3.2"),
                t("lmstudio/qwen3-8b"),
                t("gemini/gemini-2.5-flash"),
                t("anthropic/claude-sonnet-4-5"),
            ],
        );
        let (text, problems) = render(
            &[setup],
            &Context {
                providers: &p,
                prices: &prices,
            },
        );
        insta::assert_snapshot!("custom_local_and_base_urls", text);
        let v = check_all(&text);
        let params: Vec<&Value> = v["model_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["litellm_params"])
            .collect();
        assert_eq!(params[0]["api_base"], "http://127.0.0.1:9000/v1");
        assert_eq!(params[1]["model"], "openai/qwen2.5-coder");
        assert_eq!(params[1]["api_base"], "http://10.0.0.5:8080/v1");
        assert_eq!(params[1]["api_key"], "os.environ/MY_LLM_API_KEY");
        assert_eq!(params[1]["extra_headers"]["X-Team"], "blue team");
        assert_eq!(params[2]["model"], "ollama_chat/llama3.2");
        assert_eq!(params[2]["api_base"], "http://localhost:11434");
        assert!(params[2].get("api_key").is_none());
        assert_eq!(params[3]["model"], "lm_studio/qwen3-8b");
        assert_eq!(params[3]["api_base"], "http://localhost:1234/v1");
        // LiteLLM appends /models/<model>:… to a Gemini api_base, and /v1/messages to
        // an Anthropic one.
        assert_eq!(params[4]["api_base"], "http://127.0.0.1:9001/v1beta");
        assert_eq!(params[5]["api_base"], "http://127.0.0.1:9002");
        // Local models are free, not unpriced.
        assert_eq!(
            v["model_list"][2]["model_info"]["input_cost_per_token"].as_f64(),
            Some(0.0)
        );

        assert!(errors(&problems).is_empty(), "{problems:?}");
        let about = |m: &str| {
            problems
                .iter()
                .filter(move |p| p.at.ends_with(m))
                .collect::<Vec<_>>()
        };
        let custom = about("my-llm/qwen2.5-coder");
        assert!(
            custom
                .iter()
                .any(|p| p.message.contains("`api-key` header")),
            "{problems:?}"
        );
        assert!(
            custom.iter().any(|p| p.message.contains("$0")),
            "{problems:?}"
        );
        assert!(about("ollama/llama3.2").is_empty(), "{problems:?}");
        assert!(!text.contains("model_info:\n      {}"));
    }

    #[test]
    fn an_unknown_provider_is_an_error_naming_it() {
        let (text, problems) = render_default(&[Setup::fallback(
            "chat",
            vec![t("openai/gpt-4o"), t("nope/x")],
        )]);
        let e = errors(&problems);
        assert_eq!(e.len(), 1, "{problems:?}");
        assert!(
            e[0].message.contains("unknown provider `nope`"),
            "{}",
            e[0].message
        );
        assert!(e[0].fix.contains("custom endpoint"), "{}", e[0].fix);
        check_config(&text);
    }

    #[test]
    fn an_alias_that_is_another_setups_fallback_name_is_an_error() {
        let chat = Setup::fallback("chat", vec![t("openai/gpt-4o"), t("openai/gpt-4o-mini")]);
        let clash = Setup::fallback("chat-fallback-1", vec![t("anthropic/claude-sonnet-4-5")]);
        let (_, problems) = render_default(&[chat, clash]);
        let e = errors(&problems);
        assert_eq!(e.len(), 1, "{problems:?}");
        assert!(
            e[0].message.contains("`chat-fallback-1`"),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn a_zero_weight_keeps_the_export_from_being_written() {
        let setup = Setup::load_balance(
            "lb",
            vec![
                weighted("openai/gpt-4o", 0),
                weighted("openai/gpt-4o-mini", 1),
            ],
        );
        let p = providers(&[], &ProviderConfig::default());
        let prices = PriceBook::bundled();
        let out = export(
            &[setup],
            &ExportOptions::new(Format::Litellm),
            &Context {
                providers: &p,
                prices: &prices,
            },
        );
        assert!(!out.writable());
        assert!(
            out.problems
                .iter()
                .any(|p| p.message.contains("weight of 0")),
            "{:?}",
            out.problems
        );
    }

    #[test]
    fn params_anthropic_would_refuse_are_left_out_and_the_thinking_budget_is_named() {
        let mut thinking = t("anthropic/claude-sonnet-4-5");
        thinking.params = Params {
            temperature: Some(0.5),
            top_p: Some(0.9),
            seed: Some(1),
            reasoning_effort: Some(ReasoningEffort::High),
            ..Params::default()
        };
        let mut budget = t("gemini/gemini-2.5-flash");
        budget.params = Params {
            thinking_budget: Some(2048),
            seed: Some(1),
            ..Params::default()
        };
        let (text, problems) = render_default(&[Setup::fallback("think", vec![thinking, budget])]);
        let v = check_config(&text);
        let first = &v["model_list"][0]["litellm_params"];
        assert_eq!(first["reasoning_effort"], "high");
        assert!(
            first.get("temperature").is_none()
                && first.get("top_p").is_none()
                && first.get("seed").is_none()
        );
        assert_eq!(v["model_list"][1]["litellm_params"]["seed"], 1);
        let w: Vec<_> = problems
            .iter()
            .filter(|p| p.message.contains("thinking budget"))
            .collect();
        assert_eq!(w.len(), 1, "{problems:?}");
        assert_eq!(w[0].severity, Severity::Warning);
        assert!(w[0].message.contains("2048"));
    }

    #[test]
    fn the_same_setups_give_the_same_bytes() {
        let setups = [
            Setup::with_groups(
                "mixed",
                vec![
                    Group {
                        targets: vec![weighted("openai/gpt-4o", 3), weighted("xai/grok-4", 1)],
                    },
                    Group {
                        targets: vec![t("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo")],
                    },
                ],
            ),
            Setup::fallback(
                "other",
                vec![t(
                    "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct",
                )],
            ),
        ];
        let (a, pa) = render_default(&setups);
        let (b, pb) = render_default(&setups);
        assert_eq!(a, b);
        assert_eq!(pa, pb);
        check_all(&a);
    }

    #[test]
    fn the_header_says_where_keys_come_from_and_how_to_run_it() {
        let (text, _) = render_default(&[Setup::fallback(
            "chat",
            vec![t("openai/gpt-4o"), t("anthropic/claude-sonnet-4-5")],
        )]);
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "Switchboard",
            "chat",
            "ANTHROPIC_API_KEY, OPENAI_API_KEY, LITELLM_MASTER_KEY",
            "litellm --config litellm-config.yaml",
            &PriceBook::bundled().catalog_meta().version,
        ] {
            assert!(
                header.contains(needle),
                "the header lacks {needle:?}:\n{header}"
            );
        }
    }
}
