//! Portkey gateway config (JSON).
//!
//! The shape follows the gateway's own schema (`@portkey-ai/gateway` 1.15.2, checked
//! with zod on every request): a node is either a target (`provider` + `api_key`, or a
//! provider that needs no key such as `ollama`) or a `strategy` with `targets`. One
//! target is written flat at the top; a fallback is a `fallback` node whose steps are
//! targets or nested `loadbalance` nodes. `retry` and `request_timeout` sit at the top
//! and are inherited by every target (the gateway copies them down).

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};

use super::{Context, PortkeyKeys, Problem};
use crate::chat::Params;
use crate::providers::{ProviderFacts, ProviderKind};
use crate::setups::{Group, Setup, SetupTarget, FALLBACK_STATUSES, RETRY_STATUSES};

/// The hosts the gateway trusts as `custom_host` when `TRUSTED_CUSTOM_HOSTS` is unset.
const DEFAULT_TRUSTED: [&str; 4] = ["localhost", "127.0.0.1", "::1", "host.docker.internal"];

/// The config for `setup`; `key` gives the `api_key` value of a provider (a
/// placeholder, or the real key in [`super::export_with_keys`]).
pub fn render(
    setup: &Setup,
    ctx: &Context<'_>,
    keys: PortkeyKeys,
    key: &dyn Fn(&ProviderFacts) -> Option<SecretString>,
) -> (String, Vec<Problem>) {
    let mut r = Renderer {
        setup,
        ctx,
        keys,
        key,
        problems: Vec::new(),
    };
    let steps: Vec<Value> = setup
        .groups
        .iter()
        .filter(|g| !g.targets.is_empty())
        .map(|g| r.step(g))
        .collect();
    let mut root = match <[Value; 1]>::try_from(steps) {
        Ok([only]) => into_map(only),
        Err(steps) => {
            let mut m = Map::new();
            m.insert(
                "strategy".into(),
                json!({"mode": "fallback", "on_status_codes": FALLBACK_STATUSES}),
            );
            m.insert("targets".into(), Value::Array(steps));
            m
        }
    };
    if setup.retries > 0 {
        root.insert(
            "retry".into(),
            json!({"attempts": setup.retries, "on_status_codes": RETRY_STATUSES}),
        );
    }
    root.insert(
        "request_timeout".into(),
        json!(u64::from(setup.timeout_secs) * 1000),
    );
    let text = serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default();
    (text, r.problems)
}

fn into_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

struct Renderer<'a, 'c> {
    setup: &'a Setup,
    ctx: &'a Context<'c>,
    keys: PortkeyKeys,
    key: &'a dyn Fn(&ProviderFacts) -> Option<SecretString>,
    problems: Vec<Problem>,
}

impl Renderer<'_, '_> {
    fn at(&self, model: &str) -> String {
        format!("setup `{}`, {model}", self.setup.alias)
    }

    /// One step of the route: a target, or a load-balanced node of targets.
    fn step(&mut self, g: &Group) -> Value {
        if let [only] = g.targets.as_slice() {
            return Value::Object(self.target(only));
        }
        let targets: Vec<Value> = g
            .targets
            .iter()
            .map(|t| {
                let mut m = self.target(t);
                // Weight 0 is reported by `Setup::problems`; written as it is so the
                // preview shows where.
                m.insert("weight".into(), json!(t.weight));
                Value::Object(m)
            })
            .collect();
        json!({"strategy": {"mode": "loadbalance"}, "targets": targets})
    }

    fn target(&mut self, t: &SetupTarget) -> Map<String, Value> {
        let mut m = Map::new();
        let Some((facts, model)) = self.ctx.split(&t.model) else {
            // A missing prefix is already a setup problem; an unknown one is ours.
            if let Some((prefix, _)) = t.model.split_once('/').filter(|(p, _)| !p.is_empty()) {
                self.problems.push(Problem::error(
                    self.at(&t.model),
                    format!("`{prefix}` is not a provider Switchboard knows, so it has no Portkey provider"),
                    "add it as a custom endpoint in Settings → Providers, or pick another model",
                ));
            }
            m.insert("override_params".into(), json!({"model": t.model}));
            return m;
        };
        let Some(slug) = slug(&facts) else {
            self.problems.push(Problem::error(
                self.at(&t.model),
                format!("Portkey has no provider for {}", facts.id),
                "remove it or choose the LiteLLM export",
            ));
            m.insert("override_params".into(), json!({"model": model}));
            return m;
        };
        m.insert("provider".into(), json!(slug));
        if let Some(host) = custom_host(&facts, slug) {
            self.check_host(&t.model, &host);
            m.insert("custom_host".into(), json!(host));
        }
        self.put_key(&mut m, &facts, slug);
        if let Some(header) = &facts.key_header {
            self.problems.push(Problem::warning(
                self.at(&t.model),
                format!("{} takes its key in the `{header}` header, and Portkey sends it as `Authorization: Bearer`", facts.id),
                "put the endpoint behind a proxy that accepts a bearer token, or use the LiteLLM export",
            ));
        }
        m.insert(
            "override_params".into(),
            Value::Object(self.params(&t.model, model, &t.params, &facts)),
        );
        m
    }

    fn put_key(&mut self, m: &mut Map<String, Value>, facts: &ProviderFacts, slug: &str) {
        if self.keys == PortkeyKeys::VirtualKeys && facts.needs_key {
            m.insert("virtual_key".into(), json!(facts.id));
            // The gateway's schema wants every target to carry `provider` and `api_key`,
            // or a retry or timeout of its own; a virtual-key target has no api_key, so
            // it carries the setup's timeout (the same value it would inherit).
            m.insert(
                "request_timeout".into(),
                json!(u64::from(self.setup.timeout_secs) * 1000),
            );
            return;
        }
        // A local Ollama needs no key, and the schema accepts it without one; a
        // placeholder there would only ask users for a variable nothing reads.
        if slug == "ollama" && !facts.needs_key && self.keys == PortkeyKeys::Placeholders {
            return;
        }
        match (self.key)(facts) {
            Some(k) => {
                m.insert("api_key".into(), json!(k.expose_secret()));
            }
            // Ollama is the one keyless provider the schema accepts without api_key;
            // an OpenAI-format local server gets an empty key so the config validates.
            None if slug != "ollama" && !facts.needs_key => {
                m.insert("api_key".into(), json!(""));
            }
            None => {}
        }
    }

    fn params(
        &mut self,
        id: &str,
        model: &str,
        p: &Params,
        facts: &ProviderFacts,
    ) -> Map<String, Value> {
        let mut o = Map::new();
        o.insert("model".into(), json!(model));
        if let Some(v) = p.temperature {
            o.insert("temperature".into(), json!(v));
        }
        if let Some(v) = p.top_p {
            o.insert("top_p".into(), json!(v));
        }
        if let Some(v) = p.max_tokens {
            o.insert("max_tokens".into(), json!(v));
        }
        if !p.stop.is_empty() {
            o.insert("stop".into(), json!(p.stop));
        }
        if let Some(v) = p.seed {
            o.insert("seed".into(), json!(v));
        }
        if let Some(e) = p.reasoning_effort {
            if matches!(
                facts.kind,
                ProviderKind::OpenAi | ProviderKind::OpenAiCompatible
            ) {
                o.insert("reasoning_effort".into(), json!(e.as_str()));
            } else {
                self.problems.push(Problem::warning(
                    self.at(id),
                    "reasoning effort is not exported: Portkey passes reasoning_effort only to OpenAI-format providers",
                    "set the thinking budget in Portkey's override_params by hand if you need it",
                ));
            }
        }
        if p.thinking_budget.is_some() {
            self.problems.push(Problem::warning(
                self.at(id),
                "the thinking budget is not exported: Portkey has no provider-neutral field for it",
                "add the provider's own thinking field to override_params by hand if you need it",
            ));
        }
        o
    }

    /// Warns when the gateway will refuse `host` (its SSRF guard) or, for hosted
    /// Portkey, cannot reach it.
    fn check_host(&mut self, id: &str, url: &str) {
        let Some(host) = host_of(url) else { return };
        if DEFAULT_TRUSTED.contains(&host.as_str()) || host.ends_with(".localhost") {
            if self.keys == PortkeyKeys::VirtualKeys {
                self.problems.push(Problem::warning(
                    self.at(id),
                    format!("hosted Portkey calls from its cloud and cannot reach {host} on your machine"),
                    "use the open-source gateway (keys as placeholders) for local servers",
                ));
            }
            return;
        }
        if is_private(&host) {
            self.problems.push(Problem::warning(
                self.at(id),
                format!("the Portkey gateway refuses custom_host {host}, a private-network address, unless it is listed in TRUSTED_CUSTOM_HOSTS"),
                format!("start the gateway with TRUSTED_CUSTOM_HOSTS=localhost,127.0.0.1,{host} (the list replaces the default one)"),
            ));
        }
    }
}

/// Portkey's provider for a Switchboard provider; local and custom OpenAI-compatible
/// servers go through `openai` with a `custom_host`.
fn slug(facts: &ProviderFacts) -> Option<&'static str> {
    let Some(preset) = facts.preset else {
        return Some("openai");
    };
    Some(match preset.id {
        "openai" | "lmstudio" => "openai",
        "anthropic" => "anthropic",
        "gemini" => "google",
        "openrouter" => "openrouter",
        "groq" => "groq",
        "mistral" => "mistral-ai",
        "deepseek" => "deepseek",
        "xai" => "x-ai",
        "together_ai" => "together-ai",
        "fireworks_ai" => "fireworks-ai",
        "ollama" => "ollama",
        _ => return None,
    })
}

/// `custom_host` for a target, when the gateway's own default would be wrong.
fn custom_host(facts: &ProviderFacts, slug: &str) -> Option<String> {
    let always = facts
        .preset
        .is_none_or(|p| matches!(p.id, "ollama" | "lmstudio"));
    if facts.default_base_url && !always {
        return None;
    }
    let base = facts.base_url.trim_end_matches('/');
    Some(match slug {
        // The gateway adds `/v1/chat/completions` to these providers' hosts itself (its
        // bases: `https://api.deepseek.com`, `https://api.together.xyz`,
        // `https://openrouter.ai/api`, Ollama's server root); Switchboard's bases end in
        // `/v1`, which would be doubled (found by the interop suite: `/v1/v1/…`).
        "ollama" | "deepseek" | "together-ai" | "openrouter" => {
            base.strip_suffix("/v1").unwrap_or(base).to_owned()
        }
        // Switchboard's Anthropic base has no `/v1`; the gateway's does.
        "anthropic" if !base.ends_with("/v1") => format!("{base}/v1"),
        // The gateway adds `/v1beta/models/…` itself.
        "google" => base.strip_suffix("/v1beta").unwrap_or(base).to_owned(),
        _ => base.to_owned(),
    })
}

/// The host of a URL, lower-case, without brackets or port.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether the gateway's SSRF guard counts `host` as private or internal.
fn is_private(host: &str) -> bool {
    const SUFFIXES: [&str; 11] = [
        ".local",
        ".localdomain",
        ".internal",
        ".intranet",
        ".lan",
        ".home",
        ".corp",
        ".test",
        ".invalid",
        ".onion",
        ".localhost",
    ];
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        let [a, b, ..] = ip.octets();
        return ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_unspecified()
            || (a == 100 && (64..128).contains(&b))
            || a == 0
            || a >= 224;
    }
    if host.contains(':') {
        return host == "::1"
            || host == "::"
            || ["fc", "fd", "fe80", "fec0"]
                .iter()
                .any(|p| host.starts_with(p));
    }
    host == "metadata" || SUFFIXES.iter().any(|s| host.ends_with(s))
}

/// What the tests of the Portkey, OpenRouter and snippet exports share.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(crate) mod fixtures {
    use std::collections::HashMap;
    use std::sync::Arc;

    use crate::keys::EnvKeys;
    use crate::provider_config::{CustomEndpointConfig, ProviderConfig};
    use crate::providers::Providers;
    use crate::setups::{Group, Setup, SetupTarget};

    /// A key planted in the environment, which no export but the keychain one may show.
    pub const PLANTED: &str = "sk-PLANTED-0123456789abcdef";

    pub fn providers(vars: &[(&str, &str)], config: &ProviderConfig) -> Providers {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut p = Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env)));
        config.apply_to(&mut p);
        p
    }

    /// Every key variable of the providers below holds [`PLANTED`].
    pub fn planted() -> Providers {
        let vars: Vec<(&str, &str)> = [
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "GEMINI_API_KEY",
            "OPENROUTER_API_KEY",
            "OLLAMA_API_KEY",
            "LAB_API_KEY",
        ]
        .into_iter()
        .map(|k| (k, PLANTED))
        .collect();
        providers(&vars, &local_config())
    }

    /// Base URLs moved off the defaults, and a custom endpoint on the LAN.
    pub fn local_config() -> ProviderConfig {
        let mut c = ProviderConfig::default();
        c.base_urls
            .insert("openai".into(), "https://llm-proxy.example.com/v1".into());
        c.base_urls.insert(
            "anthropic".into(),
            "https://claude-proxy.example.com".into(),
        );
        c.custom.push(CustomEndpointConfig {
            name: "lab".into(),
            base_url: "http://192.168.1.20:8080/v1".into(),
            headers: Vec::new(),
            key_header: None,
        });
        c
    }

    pub fn t(model: &str) -> SetupTarget {
        SetupTarget::new(model)
    }

    pub fn weighted(model: &str, weight: u32) -> SetupTarget {
        SetupTarget { weight, ..t(model) }
    }

    pub fn three_fallback() -> Setup {
        Setup::fallback(
            "chat",
            vec![
                t("anthropic/claude-sonnet-4-5"),
                t("openai/gpt-4o"),
                t("gemini/gemini-2.5-flash"),
            ],
        )
    }

    pub fn balanced() -> Setup {
        Setup::load_balance(
            "summarize",
            vec![
                weighted("openai/gpt-4o-mini", 2),
                weighted("anthropic/claude-haiku-4-5", 1),
            ],
        )
    }

    pub fn balanced_then_fallback() -> Setup {
        Setup::with_groups(
            "support",
            vec![
                Group {
                    targets: vec![
                        weighted("openai/gpt-4o", 3),
                        weighted("gemini/gemini-2.5-pro", 1),
                    ],
                },
                Group {
                    targets: vec![t("anthropic/claude-sonnet-4-5")],
                },
            ],
        )
    }

    /// Local servers, a LAN endpoint and providers behind proxies.
    pub fn local() -> Setup {
        Setup::fallback(
            "local",
            vec![
                t("ollama/llama3.2"),
                t("lab/qwen2.5-coder"),
                t("lmstudio/phi-4"),
                t("openai/gpt-4o"),
                t("anthropic/claude-sonnet-4-5"),
            ],
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::HashMap;

    use serde_json::Value;

    use super::fixtures::*;
    use super::*;
    use crate::chat::ReasoningEffort;
    use crate::gateway::{placeholder, Severity};
    use crate::prices::book::PriceBook;
    use crate::provider_config::ProviderConfig;
    use crate::providers::Providers;

    fn render_with(
        setup: &Setup,
        p: &Providers,
        keys: PortkeyKeys,
        key: &dyn Fn(&ProviderFacts) -> Option<SecretString>,
    ) -> (String, Vec<Problem>) {
        let prices = PriceBook::bundled();
        render(
            setup,
            &Context {
                providers: p,
                prices: &prices,
            },
            keys,
            key,
        )
    }

    fn render_default(setup: &Setup) -> (String, Vec<Problem>) {
        let p = providers(&[], &ProviderConfig::default());
        render_with(setup, &p, PortkeyKeys::Placeholders, &placeholder)
    }

    /// What the gateway's schema demands of every node (its zod `refine`): a provider
    /// with a key (or Ollama), or a strategy with targets, or a timeout or retry of its
    /// own; weights are numbers; the mode is one it knows.
    fn check_node(v: &Value, path: &str) {
        let o = v
            .as_object()
            .unwrap_or_else(|| panic!("{path}: not an object"));
        let has = |k: &str| o.contains_key(k);
        assert!(
            (has("provider") && has("api_key"))
                || (has("strategy") && has("targets"))
                || o.get("provider") == Some(&Value::from("ollama"))
                || has("request_timeout")
                || has("retry"),
            "{path}: the gateway would refuse this node: {v}"
        );
        if let Some(w) = o.get("weight") {
            assert!(w.is_number(), "{path}: weight {w}");
        }
        if let Some(mode) = o.get("strategy").and_then(|s| s.get("mode")) {
            let mode = mode.as_str().unwrap();
            assert!(["single", "fallback", "loadbalance", "conditional"].contains(&mode));
            if mode == "loadbalance" {
                for (i, t) in o["targets"].as_array().unwrap().iter().enumerate() {
                    assert!(t.get("weight").is_some(), "{path}.targets[{i}]: no weight");
                }
            }
        }
        if let Some(ts) = o.get("targets") {
            for (i, t) in ts.as_array().unwrap().iter().enumerate() {
                check_node(t, &format!("{path}.targets[{i}]"));
            }
        }
    }

    fn check(text: &str) -> Value {
        let v: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
        check_node(&v, "config");
        v
    }

    fn all_setups() -> Vec<Setup> {
        vec![
            three_fallback(),
            balanced(),
            balanced_then_fallback(),
            local(),
        ]
    }

    #[test]
    fn a_three_model_fallback_tries_each_in_order() {
        let (text, problems) = render_default(&three_fallback());
        assert!(problems.is_empty(), "{problems:?}");
        let v = check(&text);
        assert_eq!(v["strategy"]["mode"], "fallback");
        let providers: Vec<&str> = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["provider"].as_str().unwrap())
            .collect();
        assert_eq!(providers, ["anthropic", "openai", "google"]);
        insta::assert_snapshot!("fallback_three_models", text);
    }

    #[test]
    fn a_load_balance_keeps_its_weights() {
        let (text, problems) = render_default(&balanced());
        assert!(problems.is_empty(), "{problems:?}");
        let v = check(&text);
        assert_eq!(v["strategy"]["mode"], "loadbalance");
        let w: Vec<u64> = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["weight"].as_u64().unwrap())
            .collect();
        assert_eq!(w, [2, 1]);
        insta::assert_snapshot!("load_balance_weights", text);
    }

    #[test]
    fn a_balanced_group_then_fallback_nests_the_balance() {
        let (text, problems) = render_default(&balanced_then_fallback());
        assert!(problems.is_empty(), "{problems:?}");
        let v = check(&text);
        assert_eq!(v["strategy"]["mode"], "fallback");
        assert_eq!(v["targets"][0]["strategy"]["mode"], "loadbalance");
        assert_eq!(v["targets"][1]["provider"], "anthropic");
        insta::assert_snapshot!("balanced_then_fallback", text);
    }

    #[test]
    fn local_servers_and_moved_base_urls_get_a_custom_host() {
        let p = providers(&[], &local_config());
        let (text, problems) = render_with(&local(), &p, PortkeyKeys::Placeholders, &placeholder);
        let v = check(&text);
        let hosts: Vec<Option<&str>> = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.get("custom_host").and_then(Value::as_str))
            .collect();
        assert_eq!(
            hosts,
            [
                Some("http://localhost:11434"),
                Some("http://192.168.1.20:8080/v1"),
                Some("http://localhost:1234/v1"),
                Some("https://llm-proxy.example.com/v1"),
                Some("https://claude-proxy.example.com/v1"),
            ]
        );
        // Ollama needs no key; the OpenAI-format local servers get a placeholder.
        assert!(v["targets"][0].get("api_key").is_none());
        assert_eq!(v["targets"][2]["api_key"], "${LMSTUDIO_API_KEY}");
        // Only the LAN address is refused by the gateway's guard; localhost is trusted.
        let warned: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
        assert_eq!(warned, ["setup `local`, lab/qwen2.5-coder"], "{problems:?}");
        assert!(problems[0].fix.contains("TRUSTED_CUSTOM_HOSTS="));
        insta::assert_snapshot!("custom_local_and_base_urls", text);
    }

    #[test]
    fn gemini_behind_a_proxy_is_given_without_v1beta() {
        let mut c = ProviderConfig::default();
        c.base_urls.insert(
            "gemini".into(),
            "https://gemini-proxy.example.com/v1beta/".into(),
        );
        let p = providers(&[], &c);
        let s = Setup::fallback("g", vec![t("gemini/gemini-2.5-pro")]);
        let (text, _) = render_with(&s, &p, PortkeyKeys::Placeholders, &placeholder);
        assert_eq!(
            check(&text)["custom_host"],
            "https://gemini-proxy.example.com"
        );
    }

    #[test]
    fn a_single_target_is_written_flat_with_retry_and_timeout() {
        let mut s = Setup::fallback("one", vec![t("openai/gpt-4o")]);
        s.retries = 3;
        s.timeout_secs = 45;
        let (text, _) = render_default(&s);
        let v = check(&text);
        assert_eq!(v["provider"], "openai");
        assert_eq!(v["override_params"]["model"], "gpt-4o");
        assert_eq!(v["retry"]["attempts"], 3);
        assert_eq!(v["request_timeout"], 45_000);
        assert!(v.get("strategy").is_none());
        s.retries = 0;
        assert!(check(&render_default(&s).0).get("retry").is_none());
    }

    #[test]
    fn placeholders_and_virtual_keys_never_show_a_key() {
        let p = planted();
        for s in all_setups() {
            for keys in [PortkeyKeys::Placeholders, PortkeyKeys::VirtualKeys] {
                let (text, problems) = render_with(&s, &p, keys, &placeholder);
                check(&text);
                assert!(!text.contains(PLANTED), "{keys:?}:\n{text}");
                assert!(!format!("{problems:?}").contains(PLANTED));
            }
        }
    }

    #[test]
    fn virtual_keys_name_the_provider_and_carry_no_api_key() {
        let (text, _) = render_with(
            &three_fallback(),
            &planted(),
            PortkeyKeys::VirtualKeys,
            &placeholder,
        );
        let v = check(&text);
        for t in v["targets"].as_array().unwrap() {
            assert!(t.get("api_key").is_none(), "{t}");
        }
        assert_eq!(v["targets"][0]["virtual_key"], "anthropic");
        assert_eq!(v["targets"][2]["virtual_key"], "gemini");
    }

    #[test]
    fn hosted_portkey_cannot_reach_a_local_server() {
        let p = providers(&[], &ProviderConfig::default());
        let s = Setup::fallback("l", vec![t("ollama/llama3.2")]);
        let (_, problems) = render_with(&s, &p, PortkeyKeys::VirtualKeys, &placeholder);
        assert!(problems
            .iter()
            .any(|p| p.message.contains("cannot reach localhost")));
    }

    #[test]
    fn the_keychain_mode_writes_the_keys_it_is_given() {
        let keys: HashMap<&str, &str> =
            [("openai", "sk-real-openai"), ("anthropic", "sk-ant-real")]
                .into_iter()
                .collect();
        let key = |f: &ProviderFacts| keys.get(f.id.as_str()).map(|k| SecretString::from(*k));
        let p = providers(&[], &ProviderConfig::default());
        let s = Setup::fallback(
            "k",
            vec![t("anthropic/claude-sonnet-4-5"), t("openai/gpt-4o")],
        );
        let (text, _) = render_with(&s, &p, PortkeyKeys::Keychain, &key);
        let v = check(&text);
        assert_eq!(v["targets"][0]["api_key"], "sk-ant-real");
        assert_eq!(v["targets"][1]["api_key"], "sk-real-openai");
    }

    #[test]
    fn an_unknown_provider_is_an_error() {
        let s = Setup::fallback("x", vec![t("nope/model"), t("openai/gpt-4o")]);
        let (text, problems) = render_default(&s);
        serde_json::from_str::<Value>(&text).unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Error);
        assert!(problems[0].message.contains("`nope`"));
    }

    #[test]
    fn params_go_into_override_params_and_a_thinking_budget_is_flagged() {
        let mut a = t("openai/o4-mini");
        a.params.temperature = Some(0.2);
        a.params.max_tokens = Some(512);
        a.params.stop = vec!["END".into()];
        a.params.seed = Some(7);
        a.params.reasoning_effort = Some(ReasoningEffort::High);
        let mut b = t("anthropic/claude-sonnet-4-5");
        b.params.thinking_budget = Some(2048);
        let (text, problems) = render_default(&Setup::fallback("p", vec![a, b]));
        let v = check(&text);
        let o = &v["targets"][0]["override_params"];
        assert_eq!(o["temperature"], 0.2);
        assert_eq!(o["max_tokens"], 512);
        assert_eq!(o["stop"][0], "END");
        assert_eq!(o["seed"], 7);
        assert_eq!(o["reasoning_effort"], "high");
        assert!(v["targets"][1]["override_params"].get("thinking").is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(problems[0].message.contains("thinking budget"));
    }

    #[test]
    fn hosts_the_gateway_guards_are_recognised() {
        assert_eq!(host_of("http://[::1]:8080/v1").as_deref(), Some("::1"));
        assert_eq!(
            host_of("https://Example.com/v1").as_deref(),
            Some("example.com")
        );
        assert!(is_private("10.1.2.3"));
        assert!(is_private("gpu-box.lan"));
        assert!(!is_private("api.example.com"));
        assert!(!is_private("8.8.8.8"));
    }
}
