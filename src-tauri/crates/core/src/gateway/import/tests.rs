use std::collections::HashMap;
use std::sync::Arc;

use super::out::whole_weights;
use super::*;
use crate::keys::EnvKeys;
use crate::providers::Providers;
use crate::setups::{Setup, DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECS};

const DOCS: &str = include_str!("../../../tests/fixtures/gateway/litellm-docs.yaml");
const OURS: &str = include_str!("../../../tests/fixtures/gateway/litellm-switchboard.yaml");
const PORTKEY: &str = include_str!("../../../tests/fixtures/gateway/portkey-fallback.json");

/// Providers as on a machine with no variables set: every base URL is the default.
fn providers() -> Providers {
    let env: HashMap<String, String> = HashMap::new();
    Providers::new(Arc::new(env.clone()), Arc::new(EnvKeys::new(env)))
}

fn setup<'a>(imported: &'a Imported, alias: &str) -> &'a Setup {
    imported
        .setups
        .iter()
        .find(|s| s.alias == alias)
        .unwrap_or_else(|| panic!("no setup `{alias}` in {:?}", imported.setups))
}

/// Each group as `model*weight` strings.
fn groups(s: &Setup) -> Vec<Vec<String>> {
    s.groups
        .iter()
        .map(|g| {
            g.targets
                .iter()
                .map(|t| format!("{}*{}", t.model, t.weight))
                .collect()
        })
        .collect()
}

/// The note at a place starting with `at` whose message contains `text`.
fn has_note(imported: &Imported, at: &str, text: &str) -> bool {
    imported
        .notes
        .iter()
        .any(|n| n.at.starts_with(at) && n.message.contains(text))
}

fn assert_note(imported: &Imported, at: &str, text: &str) {
    assert!(
        has_note(imported, at, text),
        "no note at `{at}` saying `{text}`; notes: {:#?}",
        imported.notes
    );
}

#[test]
fn a_docs_style_litellm_config_becomes_setups_with_its_routing() {
    let imp = import(DOCS, "config", &providers()).unwrap();
    assert_eq!(imp.format, Format::Litellm);
    let aliases: Vec<&str> = imp.setups.iter().map(|s| s.alias.as_str()).collect();
    assert_eq!(
        aliases,
        [
            "gpt-4o",
            "claude",
            "local-llama",
            "vllm",
            "groq-llama",
            "gemini"
        ]
    );

    // Balanced by rpm as simple-shuffle does when no weight is set (1440:480 = 3:1),
    // then its fallback; the fallback to a name not in model_list is dropped.
    let gpt = setup(&imp, "gpt-4o");
    assert_eq!(
        groups(gpt),
        [
            vec!["openai/gpt-4o*3", "openai/gpt-4o*1"],
            vec!["anthropic/claude-sonnet-4-5*1"]
        ]
    );
    assert_eq!(gpt.retries, 3);
    // claude's deployment waits 20 s, the others the router's 30 s: the longest wins.
    assert_eq!(gpt.timeout_secs, 30);
    assert_note(&imp, "model_name `gpt-4o`", "different times (20 s, 30 s)");
    assert_eq!(setup(&imp, "claude").timeout_secs, 30);
    assert_note(
        &imp,
        "router_settings.fallbacks (gpt-4o)",
        "`missing-model` is not a model_name",
    );

    let claude = setup(&imp, "claude");
    assert_eq!(
        groups(claude),
        [
            vec!["anthropic/claude-sonnet-4-5*1"],
            vec!["ollama/llama3.1*1"]
        ]
    );
    let p = &claude.groups[0].targets[0].params;
    assert_eq!((p.temperature, p.max_tokens), (Some(0.2), Some(1024)));

    assert_eq!(
        groups(setup(&imp, "local-llama")),
        [vec!["ollama/llama3.1*1"]]
    );
    assert_eq!(
        setup(&imp, "local-llama").timeout_secs,
        30,
        "the router's timeout"
    );
    assert_eq!(
        groups(setup(&imp, "vllm")),
        [vec!["localhost-8000/meta-llama/Llama-3.1-8B-Instruct*1"]]
    );
    // An OpenAI-compatible api_base that is Groq's own URL is Groq.
    assert_eq!(
        groups(setup(&imp, "groq-llama")),
        [vec!["groq/llama-3.3-70b-versatile*1"]]
    );

    // Provider settings: Ollama's server root becomes its /v1 API; the vLLM server
    // becomes a custom endpoint named after its host.
    assert_eq!(
        imp.providers.base_urls,
        BTreeMap::from([("ollama".to_owned(), "http://gpu-box:11434/v1".to_owned())])
    );
    assert_eq!(imp.providers.custom.len(), 1);
    assert_eq!(imp.providers.custom[0].name, "localhost-8000");
    assert_eq!(imp.providers.custom[0].base_url, "http://localhost:8000/v1");
    assert_eq!(
        imp.key_env,
        BTreeMap::from(
            [
                ("anthropic", "CLAUDE_KEY"),
                ("gemini", "GEMINI_API_KEY"),
                ("groq", "GROQ_API_KEY"),
                ("openai", "OPENAI_API_KEY"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        )
    );

    // What was not understood, each with where it was.
    assert_note(
        &imp,
        "model_list[0] (gpt-4o), line 4",
        "azure is not a provider Switchboard calls",
    );
    assert_note(
        &imp,
        "model_list[8] (vertex)",
        "vertex_ai is not a provider Switchboard calls",
    );
    assert_note(
        &imp,
        "model_list[2] (gpt-4o)",
        "`organization` is kept by LiteLLM",
    );
    assert_note(&imp, "model_list[1] (gpt-4o)", "`rpm` is a rate limit");
    assert_note(
        &imp,
        "model_list[3] (claude)",
        "read from CLAUDE_KEY; Switchboard reads ANTHROPIC_API_KEY",
    );
    assert_note(
        &imp,
        "model_list[3] (claude)",
        "`switchboard keys set anthropic`",
    );
    assert_note(
        &imp,
        "model_list[5] (vllm), line 35",
        "an inline key in model_list[5] (vllm)",
    );
    assert_note(
        &imp,
        "model_list[5] (vllm)",
        "`switchboard keys set localhost-8000`",
    );
    assert_note(
        &imp,
        "router_settings.routing_strategy",
        "usage-based-routing-v2 is not reproduced",
    );
    assert_note(&imp, "router_settings.cooldown_time", "not reproduced");
    assert_note(&imp, "router_settings.allowed_fails", "not reproduced");
    assert_note(&imp, "router_settings.redis_host", "not used");
    assert_note(
        &imp,
        "litellm_settings",
        "`drop_params`, `success_callback` are not used",
    );
    assert_note(
        &imp,
        "general_settings.master_key",
        "inline master key was not imported",
    );
    assert_note(&imp, "general_settings", "`database_url` is not used");
    assert_note(
        &imp,
        "environment_variables",
        "`LANGFUSE_SECRET_KEY` is not imported",
    );
}

#[test]
fn switchboards_own_litellm_shape_imports_without_loss() {
    let imp = import(OURS, "litellm-config", &providers()).unwrap();
    // The -fallback-<n> groups are steps of `summarize`, not setups of their own.
    assert_eq!(imp.setups.len(), 1, "{:?}", imp.setups);
    let s = &imp.setups[0];
    assert_eq!(s.alias, "summarize");
    assert_eq!(
        groups(s),
        [
            vec!["anthropic/claude-sonnet-4-5*1"],
            vec!["openai/gpt-4o-mini*2", "gemini/gemini-2.5-flash*1"],
            vec!["ollama/qwen3:8b*1"],
        ]
    );
    assert_eq!((s.retries, s.timeout_secs), (1, 45));
    let first = &s.groups[0].targets[0].params;
    assert_eq!(
        (first.temperature, first.max_tokens),
        (Some(0.3), Some(800))
    );
    let gemini = &s.groups[1].targets[1].params;
    assert_eq!(
        gemini.reasoning_effort,
        Some(crate::chat::ReasoningEffort::Low)
    );
    let ollama = &s.groups[2].targets[0].params;
    assert_eq!(
        (ollama.stop.clone(), ollama.seed),
        (vec!["###".to_owned()], Some(7))
    );

    // Gemini's /v1beta is LiteLLM's; Ollama's root is its default server.
    assert_eq!(
        imp.providers.base_urls,
        BTreeMap::from([(
            "gemini".to_owned(),
            "https://eu-gemini.example.com".to_owned()
        )])
    );
    assert!(imp.providers.custom.is_empty());
    assert_eq!(
        imp.key_env.get("openai").map(String::as_str),
        Some("OPENAI_API_KEY")
    );
    // Only the prices, which Switchboard keeps in its own catalog, are worth a word.
    assert_eq!(imp.notes.len(), 1, "{:#?}", imp.notes);
    assert_note(&imp, "model_info", "`summarize`");
    assert_note(&imp, "model_info", "Settings → Prices");
}

#[test]
fn a_portkey_fallback_with_a_nested_load_balance_becomes_one_setup() {
    let imp = import(PORTKEY, "prod-router", &providers()).unwrap();
    assert_eq!(imp.format, Format::Portkey);
    assert_eq!(imp.setups.len(), 1);
    let s = &imp.setups[0];
    assert_eq!(s.alias, "prod-router");
    assert_eq!(
        groups(s),
        [
            vec!["anthropic/claude-sonnet-4-5*1"],
            vec!["openai/gpt-4o*7", "gemini/gemini-2.5-flash*3"],
            vec!["ollama/llama3.1*1"],
        ]
    );
    assert_eq!(s.retries, 3);
    assert_eq!(s.timeout_secs, 13, "12.5 s rounded up");
    assert_eq!(s.groups[0].targets[0].params.max_tokens, Some(1024));
    assert_eq!(s.groups[1].targets[1].params.temperature, Some(0.5));
    assert_eq!(
        imp.providers.base_urls,
        BTreeMap::from([("ollama".to_owned(), "http://gpu-box:11434/v1".to_owned())])
    );
    assert!(imp.key_env.is_empty());

    assert_note(
        &imp,
        "targets[0]",
        "hosted Portkey key `anthropic-prod-a1b2c3`",
    );
    assert_note(&imp, "targets[0]", "read as anthropic/claude-sonnet-4-5");
    assert_note(
        &imp,
        "targets[1].targets[0]",
        "hosted Portkey key `openai-team-x`",
    );
    assert_note(
        &imp,
        "targets[1].targets[1]",
        "an inline key in targets[1].targets[1] was not imported",
    );
    assert_note(
        &imp,
        "targets[1].targets[1]",
        "`switchboard keys set gemini`",
    );
    assert_note(&imp, "targets[1].targets[1]", "`logprobs` is not used");
    assert_note(
        &imp,
        "targets[2]",
        "azure-openai is not a provider Switchboard calls",
    );
    assert_note(&imp, "the config", "`cache` is not used");
    assert_note(
        &imp,
        "retry.on_status_codes",
        "Switchboard retries on 429, 500",
    );
}

#[test]
fn portkey_placeholders_fractions_and_custom_hosts_are_read() {
    let text = r#"{"strategy": {"mode": "loadbalance"}, "targets": [
        {"provider": "openai", "api_key": "${OPENAI_API_KEY}", "weight": 0.5, "override_params": {"model": "gpt-4o"}},
        {"provider": "openai", "api_key": "${VLLM_KEY}", "custom_host": "http://localhost:8000/v1", "weight": 0.25, "override_params": {"model": "qwen"}},
        {"provider": "anthropic", "custom_host": "https://claude.example.com/v1", "weight": 0.25, "override_params": {"model": "claude-haiku-4-5"}}]}"#;
    let imp = import(text, "portkey-chat", &providers()).unwrap();
    let s = &imp.setups[0];
    assert_eq!(
        s.alias, "chat",
        "the exporter's file name gives back the alias"
    );
    assert_eq!(
        groups(s),
        [vec![
            "openai/gpt-4o*2",
            "localhost-8000/qwen*1",
            "anthropic/claude-haiku-4-5*1"
        ]]
    );
    assert_eq!(s.retries, 0, "Portkey retries nothing without `retry`");
    assert_eq!(s.timeout_secs, DEFAULT_TIMEOUT_SECS);
    assert_eq!(
        imp.key_env.get("openai").map(String::as_str),
        Some("OPENAI_API_KEY")
    );
    assert_eq!(
        imp.key_env.get("localhost-8000").map(String::as_str),
        Some("VLLM_KEY")
    );
    assert_note(
        &imp,
        "targets[1]",
        "read from VLLM_KEY; Switchboard reads LOCALHOST_8000_API_KEY",
    );
    assert_eq!(
        imp.providers.base_urls.get("anthropic").map(String::as_str),
        Some("https://claude.example.com"),
        "Switchboard's Anthropic base has no /v1"
    );
}

#[test]
fn weights_in_fractions_keep_their_ratio_as_whole_numbers() {
    assert_eq!(whole_weights(&[0.7, 0.3], false), (vec![7, 3], false));
    assert_eq!(
        whole_weights(&[0.5, 0.25, 0.25], false),
        (vec![2, 1, 1], false)
    );
    assert_eq!(
        whole_weights(&[2.0, 4.0], false),
        (vec![2, 4], false),
        "written weights stay"
    );
    assert_eq!(
        whole_weights(&[900.0, 100.0], true),
        (vec![9, 1], false),
        "rates are reduced"
    );
    let (w, changed) = whole_weights(&[1.0 / 3.0, 2.0 / 3.0], false);
    assert!(changed);
    assert_eq!(w, [333, 667], "the closest ratio in thousandths");
}

#[test]
fn a_portkey_conditional_route_cannot_be_imported_and_says_why() {
    let text = r#"{"strategy": {"mode": "conditional", "conditions": []}, "targets": [
        {"provider": "openai", "override_params": {"model": "gpt-4o"}}]}"#;
    let err = import(text, "x", &providers()).unwrap_err();
    let ImportError::Empty(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(
        msg.starts_with("no model in the file could be imported"),
        "{msg}"
    );
    assert!(
        msg.contains("conditional routing is not supported"),
        "{msg}"
    );
}

#[test]
fn a_litellm_config_with_nothing_switchboard_calls_is_empty() {
    let text = "model_list:\n  - model_name: chat\n    litellm_params:\n      model: bedrock/anthropic.claude-v2\n";
    let err = import(text, "config", &providers()).unwrap_err();
    assert!(
        err.to_string()
            .contains("bedrock is not a provider Switchboard calls"),
        "{err}"
    );
}

#[test]
fn a_key_written_into_a_file_is_never_kept() {
    let secrets = [
        "sk-planted-inline-key-1234567890",
        "sk-planted-master-9876",
        "planted-db-password",
        "sk-lf-planted-secret",
        "AIza-planted-inline-portkey",
    ];
    for (text, name) in [(DOCS, "config"), (PORTKEY, "prod")] {
        let imp = import(text, name, &providers()).unwrap();
        let debug = format!("{imp:?}");
        let json = serde_json::to_string(&imp).unwrap();
        for s in secrets {
            assert!(
                !debug.contains(s),
                "`{s}` is in the import's Debug: {debug}"
            );
            assert!(!json.contains(s), "`{s}` is in the import's JSON: {json}");
        }
    }
    // The typed config keeps the inline key for the router, but never shows it.
    let cfg = litellm_config(DOCS).unwrap();
    let debug = format!("{cfg:?}");
    assert!(!debug.contains("sk-planted-inline-key"), "{debug}");
    assert!(!debug.contains("sk-lf-planted-secret"), "{debug}");
}

#[test]
fn the_typed_litellm_config_keeps_every_field_and_each_entrys_line() {
    let cfg = litellm_config(DOCS).unwrap();
    assert_eq!(cfg.model_list.len(), 9);
    let lines: Vec<Option<usize>> = cfg.model_list.iter().map(|e| e.line).collect();
    let expected: Vec<Option<usize>> = [4, 11, 16, 22, 29, 35, 40, 45, 49]
        .into_iter()
        .map(Some)
        .collect();
    assert_eq!(lines, expected);
    let first = &cfg.model_list[0].litellm_params;
    assert_eq!(first.model, "azure/gpt-4o-eu");
    assert_eq!(first.rpm, Some(6.0));
    assert_eq!(
        first.api_key,
        Some(litellm::KeyRef::Env("AZURE_API_KEY_EU".into()))
    );
    assert!(first.extra.contains_key("api_version"));
    assert_eq!(cfg.model_list[3].litellm_params.timeout, Some(20.0));
    let rs = &cfg.router_settings;
    assert_eq!(
        rs.routing_strategy.as_deref(),
        Some("usage-based-routing-v2")
    );
    assert_eq!(
        (
            rs.num_retries,
            rs.timeout,
            rs.cooldown_time,
            rs.allowed_fails
        ),
        (Some(3), Some(30.0), Some(30.0), Some(1))
    );
    assert_eq!(rs.fallbacks[0]["gpt-4o"], ["claude", "missing-model"]);
    assert!(rs.extra.contains_key("redis_host"));
    assert!(cfg.general_settings.extra.contains_key("database_url"));
    assert!(cfg.litellm_settings.contains_key("drop_params"));
    assert_eq!(cfg.environment_variables, ["LANGFUSE_SECRET_KEY"]);

    let ours = litellm_config(OURS).unwrap();
    assert_eq!(
        ours.general_settings.master_key,
        Some(litellm::KeyRef::Env("LITELLM_MASTER_KEY".into()))
    );
    assert_eq!(ours.model_list[1].litellm_params.weight, Some(2.0));
}

#[test]
fn litellm_quirks_are_reproduced_or_named() {
    let text = r#"
model_list:
- model_name: openai/gpt-4o
  litellm_params:
    model: gpt-4o-mini
    api_key: os.environ/OPENAI_API_KEY
- model_name: mixed
  litellm_params: {model: openai/gpt-4o, weight: 3}
- model_name: mixed
  litellm_params: {model: anthropic/claude-haiku-4-5}
- model_name: mystery
  litellm_params: {model: some-model}
- model_name: "*"
  litellm_params: {model: "openai/*"}
litellm_settings:
  num_retries: 4
  request_timeout: 12.5
  fallbacks: [{"mixed": ["openai/gpt-4o"]}]
"#;
    let imp = import(text, "config", &providers()).unwrap();
    let aliases: Vec<&str> = imp.setups.iter().map(|s| s.alias.as_str()).collect();
    assert_eq!(aliases, ["openai-gpt-4o", "mixed"]);
    assert_note(
        &imp,
        "model_name `openai/gpt-4o`",
        "it is named `openai-gpt-4o`",
    );
    assert_note(&imp, "model_list[0]", "read as openai/gpt-4o-mini");
    // A deployment without a weight beside one with a weight never gets a call.
    let mixed = setup(&imp, "mixed");
    assert_eq!(
        groups(mixed),
        [vec!["openai/gpt-4o*1"], vec!["openai/gpt-4o-mini*1"]]
    );
    assert_note(&imp, "model_list[2] (mixed)", "LiteLLM never calls it");
    assert_note(
        &imp,
        "model_list[3] (mystery)",
        "its provider cannot be told",
    );
    assert_note(&imp, "model_name `*`", "wildcard");
    // The older place for retries, timeout and fallbacks.
    assert_eq!((mixed.retries, mixed.timeout_secs), (4, 13));
    assert_ne!(mixed.retries, DEFAULT_RETRIES);
}

#[test]
fn retries_default_to_litellms_own_default() {
    let text = "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/gpt-4o\n";
    let imp = import(text, "config", &providers()).unwrap();
    // litellm/router.py: num_retries falls back to openai.DEFAULT_MAX_RETRIES (2).
    assert_eq!(imp.setups[0].retries, 2);
    assert_eq!(imp.setups[0].timeout_secs, DEFAULT_TIMEOUT_SECS);
    assert!(imp.notes.is_empty(), "{:?}", imp.notes);
}

#[test]
fn a_yaml_mistake_names_its_line() {
    let text = "model_list:\n  - model_name: chat\n    litellm_params:\n      model: openai/gpt-4o\n     api_key: os.environ/OPENAI_API_KEY\n";
    let err = import(text, "config", &providers()).unwrap_err();
    let ImportError::Syntax { line, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(5), "{message}");
    assert!(err.to_string().starts_with("line 5: "), "{err}");
    assert!(
        !message.contains("at line"),
        "the line is said once: {message}"
    );
}

#[test]
fn a_json_mistake_names_its_line() {
    let text = "{\n  \"strategy\": {\"mode\": \"fallback\"}\n  \"targets\": []\n}";
    let err = import(text, "x", &providers()).unwrap_err();
    let ImportError::Syntax { line, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(3), "{message}");
    assert!(message.contains("expected"), "{message}");
}

#[test]
fn a_wrongly_shaped_entry_names_its_line() {
    let text =
        "model_list:\n  - model_name: chat\n    litellm_params:\n      api_key: os.environ/X\n";
    let err = import(text, "config", &providers()).unwrap_err();
    let ImportError::Syntax { line, message } = &err else {
        panic!("{err:?}")
    };
    assert!(line.is_some(), "{err:?}");
    assert!(message.contains("model"), "{message}");
}

#[test]
fn other_files_are_not_recognized() {
    for text in [
        "name: my app\nversion: 2\n",
        "{\"hello\": 1}",
        "just words",
        "",
    ] {
        assert_eq!(
            import(text, "x", &providers()),
            Err(ImportError::Unrecognized),
            "{text:?}"
        );
    }
}

/// Providers with a custom endpoint and a non-default Gemini base URL, as saved in
/// the provider settings.
fn configured() -> (Providers, crate::provider_config::ProviderConfig) {
    use crate::provider_config::{CustomEndpointConfig, ProviderConfig};
    let config = ProviderConfig {
        base_urls: BTreeMap::from([(
            "gemini".to_owned(),
            "https://eu-gemini.example.com".to_owned(),
        )]),
        custom: vec![CustomEndpointConfig {
            name: "my-vllm".into(),
            base_url: "http://localhost:8000/v1".into(),
            headers: Vec::new(),
            key_header: None,
        }],
    };
    let mut p = providers();
    config.apply_to(&mut p);
    (p, config)
}

#[test]
fn export_then_import_then_export_gives_the_same_litellm_file() {
    use crate::chat::{Params, ReasoningEffort};
    use crate::gateway::{export, Context, ExportOptions};
    use crate::prices::book::PriceBook;
    use crate::setups::{Group, SetupTarget};

    let (p, _) = configured();
    let prices = PriceBook::bundled();
    let ctx = Context {
        providers: &p,
        prices: &prices,
    };
    let target = |model: &str, weight: u32| SetupTarget {
        weight,
        ..SetupTarget::new(model)
    };
    let mut summarize = Setup::with_groups(
        "summarize",
        vec![
            Group {
                targets: vec![SetupTarget {
                    params: Params {
                        temperature: Some(0.3),
                        max_tokens: Some(800),
                        stop: vec!["###".into()],
                        ..Params::default()
                    },
                    ..target("anthropic/claude-sonnet-4-5", 1)
                }],
            },
            Group {
                targets: vec![
                    target("openai/gpt-4o-mini", 3),
                    SetupTarget {
                        params: Params {
                            reasoning_effort: Some(ReasoningEffort::Low),
                            seed: Some(7),
                            ..Params::default()
                        },
                        ..target("gemini/gemini-2.5-flash", 1)
                    },
                ],
            },
            Group {
                targets: vec![target("ollama/qwen3:8b", 1)],
            },
        ],
    );
    summarize.retries = 3;
    summarize.timeout_secs = 45;
    let mut local = Setup::fallback(
        "local",
        vec![
            target("my-vllm/qwen", 1),
            target("groq/llama-3.3-70b-versatile", 1),
        ],
    );
    local.retries = 3;
    local.timeout_secs = 45;
    let setups = vec![summarize, local];

    let first = export(&setups, &ExportOptions::new(Format::Litellm), &ctx);
    assert!(first.writable(), "{:?}", first.problems);
    let imported = import(&first.text, "litellm-config", &p).unwrap();
    assert_eq!(imported.setups, setups, "notes: {:#?}", imported.notes);
    // The providers are Switchboard's own already: nothing to merge.
    assert!(
        imported.providers.base_urls.is_empty(),
        "{:?}",
        imported.providers
    );
    assert!(
        imported.providers.custom.is_empty(),
        "{:?}",
        imported.providers
    );
    let again = export(&imported.setups, &ExportOptions::new(Format::Litellm), &ctx);
    assert_eq!(again.text, first.text);
}

#[test]
fn a_server_switchboard_already_knows_keeps_its_name() {
    let (p, _) = configured();
    let text = "model_list:\n  - model_name: local\n    litellm_params:\n      model: openai/qwen\n      api_base: http://localhost:8000/v1/\n      api_key: os.environ/MY_VLLM_API_KEY\n";
    let imp = import(text, "config", &p).unwrap();
    assert_eq!(groups(&imp.setups[0]), [vec!["my-vllm/qwen*1"]]);
    assert!(imp.providers.custom.is_empty());
    assert!(imp.notes.is_empty(), "{:?}", imp.notes);
}

#[test]
fn a_new_servers_plain_headers_are_kept_and_credentials_are_not() {
    let text = r#"
model_list:
  - model_name: local
    litellm_params:
      model: openai/qwen
      api_base: http://10.0.0.5:8080/v1
      extra_headers: {X-Team: research, Authorization: "Bearer planted-header-secret"}
"#;
    let imp = import(text, "config", &providers()).unwrap();
    let ep = &imp.providers.custom[0];
    assert_eq!(ep.name, "10.0.0.5-8080");
    let names: Vec<(&str, &str)> = ep
        .headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    assert_eq!(names, [("X-Team", "research")]);
    assert_note(
        &imp,
        "model_list[0] (local)",
        "the `Authorization` header was not imported",
    );
    assert!(!format!("{imp:?}").contains("planted-header-secret"));
}

#[test]
fn export_then_import_then_export_gives_the_same_portkey_file() {
    use crate::chat::Params;
    use crate::gateway::{export, Context, ExportOptions};
    use crate::prices::book::PriceBook;
    use crate::setups::{Group, SetupTarget};

    let (p, _) = configured();
    let prices = PriceBook::bundled();
    let ctx = Context {
        providers: &p,
        prices: &prices,
    };
    let weighted = |model: &str, weight: u32| SetupTarget {
        weight,
        ..SetupTarget::new(model)
    };
    // Every shape Portkey has: a plain fallback, a load balance, and a balanced group
    // followed by fallbacks — with params, a moved base URL and a custom endpoint.
    let shapes = [
        Setup::fallback(
            "chat",
            vec![
                SetupTarget {
                    params: Params {
                        temperature: Some(0.2),
                        max_tokens: Some(512),
                        ..Params::default()
                    },
                    ..SetupTarget::new("anthropic/claude-sonnet-4-5")
                },
                SetupTarget::new("openai/gpt-4o"),
                SetupTarget::new("gemini/gemini-2.5-flash"),
            ],
        ),
        Setup::load_balance(
            "spread",
            vec![
                weighted("openai/gpt-4o-mini", 2),
                weighted("my-vllm/qwen", 1),
            ],
        ),
        Setup::with_groups(
            "mixed",
            vec![
                Group {
                    targets: vec![
                        weighted("openai/gpt-4o", 3),
                        weighted("deepseek/deepseek-chat", 1),
                    ],
                },
                Group {
                    targets: vec![SetupTarget::new("anthropic/claude-sonnet-4-5")],
                },
            ],
        ),
    ];
    for setup in shapes {
        let opts = ExportOptions::new(Format::Portkey);
        let first = export(std::slice::from_ref(&setup), &opts, &ctx);
        assert!(first.writable(), "{}: {:?}", setup.alias, first.problems);
        let stem = first.file_name.trim_end_matches(".json").to_owned();
        let imported = import(&first.text, &stem, &p).unwrap();
        assert_eq!(
            imported.setups,
            vec![setup.clone()],
            "{}: notes {:#?}",
            setup.alias,
            imported.notes
        );
        let again = export(&imported.setups, &opts, &ctx);
        assert_eq!(again.text, first.text, "{}", setup.alias);
    }
}
