//! `switchboard cost` and `switchboard prices`, end to end: costs checked by hand
//! arithmetic against the rates the catalog publishes, unknown models, the user's own
//! prices, the display currency, and refreshing prices from mock servers (ETag, 304,
//! failures that must leave the prices in use untouched), and `compare` showing each
//! answer's cost and its source.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
mod support;

use std::path::Path;

use assert_cmd::cargo::CommandCargoExt;
use mock::{start_blocking, Reply};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use support::json_lines::{json_lines, streamed_text};

/// The binary with a clean environment and its own data folder.
fn switchboard(data: &Path) -> std::process::Command {
    let mut c = std::process::Command::cargo_bin("switchboard").unwrap();
    c.env_clear().env("SWITCHBOARD_DATA_DIR", data);
    c
}

fn run_json(cmd: &mut std::process::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}"))
        .parse()
        .unwrap()
}

fn per_token(v: &Value) -> Decimal {
    dec(v) / Decimal::from(1_000_000)
}

#[test]
fn cost_equals_hand_arithmetic_on_the_published_rates() {
    let data = tempfile::tempdir().unwrap();
    let model = "anthropic/claude-sonnet-4-5";
    let p = run_json(switchboard(data.path()).args(["prices", "show", model, "--json"]));
    assert_eq!(p["origin"], "LiteLLM price map");
    let c = run_json(switchboard(data.path()).args([
        "cost",
        model,
        "--input",
        "10000",
        "--cached-input",
        "6000",
        "--cache-write",
        "3000",
        "--cache-write-1h",
        "1000",
        "--output",
        "800",
        "--reasoning",
        "300",
        "--json",
    ]));
    // 1,000 uncached input, 6,000 cache reads, 2,000 5-minute and 1,000 1-hour writes,
    // 800 output of which 300 reasoning (billed as output: no reasoning price).
    let expected = Decimal::from(1000) * per_token(&p["input_per_mtok"])
        + Decimal::from(6000) * per_token(&p["cached_input_per_mtok"])
        + Decimal::from(2000) * per_token(&p["cache_write_per_mtok"])
        + Decimal::from(1000) * per_token(&p["cache_write_1h_per_mtok"])
        + Decimal::from(800) * per_token(&p["output_per_mtok"]);
    assert_eq!(dec(&c["usd"]), expected, "{c}");
    assert_eq!(c["model"], model);
    assert_eq!(c["source"], "computed");
    assert_eq!(c["free"], false);
    assert!(
        c["price_version"]
            .as_str()
            .unwrap()
            .starts_with("litellm 1.106.2"),
        "{c}"
    );
    let b = &c["breakdown"];
    let parts = [
        "input_usd",
        "cached_input_usd",
        "cache_write_usd",
        "output_usd",
        "reasoning_usd",
    ];
    let sum: Decimal = parts.iter().map(|k| dec(&b[*k])).sum();
    assert_eq!(sum, expected);
}

#[test]
fn above_the_long_context_threshold_the_whole_request_takes_the_tier_rate() {
    let data = tempfile::tempdir().unwrap();
    let model = "gemini/gemini-2.5-pro";
    let p = run_json(switchboard(data.path()).args(["prices", "show", model, "--json"]));
    let tier = &p["tiers"][0];
    let threshold = tier["above_tokens"].as_u64().unwrap();
    let input = (threshold + 1).to_string();
    let c = run_json(switchboard(data.path()).args([
        "cost", model, "--input", &input, "--output", "1000", "--json",
    ]));
    let expected = Decimal::from(threshold + 1) * per_token(&tier["input_per_mtok"])
        + Decimal::from(1000) * per_token(&tier["output_per_mtok"]);
    assert_eq!(dec(&c["usd"]), expected);
    assert_eq!(c["breakdown"]["tier_above"], threshold);
    // At the threshold itself, the base rates.
    let at = threshold.to_string();
    let c = run_json(
        switchboard(data.path()).args(["cost", model, "--input", &at, "--output", "0", "--json"]),
    );
    assert_eq!(
        dec(&c["usd"]),
        Decimal::from(threshold) * per_token(&p["input_per_mtok"])
    );
}

#[test]
fn an_unknown_model_is_an_error_naming_close_matches_never_zero() {
    let data = tempfile::tempdir().unwrap();
    let out = switchboard(data.path())
        .args([
            "cost",
            "openai/gpt-4o-mnii",
            "--input",
            "10",
            "--output",
            "10",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no price known for `openai/gpt-4o-mnii`"),
        "{err}"
    );
    assert!(err.contains("openai/gpt-4o-mini"), "{err}");
    assert!(err.contains("switchboard prices set"), "{err}");
    assert!(!err.contains('$'), "{err}");

    let out = switchboard(data.path())
        .args([
            "cost",
            "openai/gpt-4o",
            "--input",
            "10",
            "--cached-input",
            "20",
            "--output",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot exceed"));
}

#[test]
fn your_own_prices_win_and_can_be_removed() {
    let data = tempfile::tempdir().unwrap();
    let model = "my-vllm/llama-3-70b";
    let unknown = switchboard(data.path())
        .args(["cost", model, "--input", "1", "--output", "1"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    let set = switchboard(data.path())
        .args([
            "prices",
            "set",
            model,
            "--input",
            "0.6",
            "--output",
            "2.4",
            "--context",
            "8192",
        ])
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let c = run_json(switchboard(data.path()).args([
        "cost", model, "--input", "1000000", "--output", "500000", "--json",
    ]));
    assert_eq!(dec(&c["usd"]), "1.8".parse::<Decimal>().unwrap());
    assert!(
        c["price_version"]
            .as_str()
            .unwrap()
            .starts_with("your price (set "),
        "{c}"
    );
    // It is saved in the data folder, in USD per million tokens.
    let saved = std::fs::read_to_string(data.path().join("prices/overrides.json")).unwrap();
    assert!(
        saved.contains("\"0.6\"") && saved.contains(model),
        "{saved}"
    );
    let show = run_json(switchboard(data.path()).args(["prices", "show", model, "--json"]));
    assert_eq!(show["context_window"], 8192);
    assert_eq!(show["origin"], "your price");

    let unset = switchboard(data.path())
        .args(["prices", "unset", model])
        .output()
        .unwrap();
    assert!(unset.status.success());
    let again = switchboard(data.path())
        .args(["cost", model, "--input", "1", "--output", "1"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn costs_show_in_the_users_currency_and_json_keeps_usd() {
    let data = tempfile::tempdir().unwrap();
    let bad = switchboard(data.path())
        .args(["prices", "currency", "EUR"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("positive number of EUR per US dollar"));
    assert!(!data.path().join("settings.json").exists());

    let set = switchboard(data.path())
        .args(["prices", "currency", "inr", "--rate", "84.25"])
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let args = [
        "cost",
        "openai/gpt-4o",
        "--input",
        "1000",
        "--output",
        "1000",
    ];
    let text = switchboard(data.path()).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("openai/gpt-4o: ₹"), "{text}");
    let c = run_json(switchboard(data.path()).args(args).arg("--json"));
    let usd = dec(&c["usd"]);
    assert_eq!(c["currency"]["code"], "INR");
    assert_eq!(
        dec(&c["currency"]["amount"]),
        usd * "84.25".parse::<Decimal>().unwrap()
    );
    assert!(c["display"].as_str().unwrap().starts_with('₹'));
}

/// A LiteLLM-format map: the snapshot's chat models (with one price changed), plus
/// entries Switchboard must not keep.
fn upstream_map() -> String {
    let snapshot: Value =
        serde_json::from_str(switchboard_core::prices::catalog::BUNDLED_JSON).unwrap();
    let mut models = snapshot["models"].as_object().unwrap().clone();
    models["gpt-4o"]["input_cost_per_token"] = json!(1e-06);
    models.insert(
        "sample_spec".into(),
        json!({"mode": "one of chat, embedding"}),
    );
    models.insert(
        "bedrock/x".into(),
        json!({"mode": "chat", "litellm_provider": "bedrock", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}),
    );
    serde_json::to_string(&models).unwrap()
}

#[test]
fn refresh_saves_the_new_map_uses_etags_and_a_failure_keeps_the_prices() {
    let data = tempfile::tempdir().unwrap();
    let map = upstream_map();
    let good = start_blocking(move |req| {
        if req.header("if-none-match") == Some("\"v1\"") {
            Reply::error(304, "")
        } else {
            Reply::json(&map).with_header("ETag", "\"v1\"")
        }
    });
    let url = format!("{}/model_prices.json", good.url());
    let cost_in = |d: &Path| {
        dec(&run_json(switchboard(d).args([
            "cost",
            "openai/gpt-4o",
            "--input",
            "1000000",
            "--output",
            "0",
            "--json",
        ]))["usd"])
    };
    let before = cost_in(data.path());

    let out = switchboard(data.path())
        .args(["prices", "refresh", "--no-openrouter", "--url", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("LiteLLM price map: updated"), "{text}");
    // The new map's price is used at once, and named as the refreshed map.
    assert_eq!(cost_in(data.path()), Decimal::ONE);
    assert_ne!(before, Decimal::ONE);
    let status = run_json(switchboard(data.path()).args(["prices", "status", "--json"]));
    assert_eq!(status["catalog"]["bundled"], false);
    assert_eq!(status["catalog"]["etag"], "\"v1\"");
    assert!(status["catalog"]["version"]
        .as_str()
        .unwrap()
        .starts_with("litellm map fetched"));

    // The second time, the ETag goes back and a 304 changes nothing.
    let out = switchboard(data.path())
        .args(["prices", "refresh", "--no-openrouter", "--url", &url])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("already up to date"));
    assert_eq!(good.last_request().header("if-none-match"), Some("\"v1\""));
    assert_eq!(cost_in(data.path()), Decimal::ONE);

    // A broken server: an error that says the prices stay, and they do.
    let saved = std::fs::read(data.path().join("prices/litellm.json")).unwrap();
    let bad = start_blocking(|_| Reply::json("{\"truncated\": "));
    let out = switchboard(data.path())
        .args([
            "prices",
            "refresh",
            "--no-openrouter",
            "--url",
            &format!("{}/m", bad.url()),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("stay in use"), "{text}");
    assert_eq!(
        std::fs::read(data.path().join("prices/litellm.json")).unwrap(),
        saved
    );
    assert_eq!(cost_in(data.path()), Decimal::ONE);
}

#[test]
fn openrouter_models_are_priced_from_openrouters_own_list() {
    let data = tempfile::tempdir().unwrap();
    let models = json!({"data": [
        {"id": "anthropic/claude-sonnet-4.5", "context_length": 1000000,
         "pricing": {"prompt": "0.000003", "completion": "0.000015", "input_cache_read": "0.0000003"}},
        {"id": "meta-llama/llama-3.3-70b-instruct:free", "context_length": 131072,
         "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}}
    ]});
    let body = models.to_string();
    let or = start_blocking(move |_| Reply::json(&body));
    let bad_map = start_blocking(|_| Reply::error(503, "{}"));
    let out = switchboard(data.path())
        .env("OPENROUTER_BASE_URL", format!("{}/api/v1", or.url()))
        .args([
            "prices",
            "refresh",
            "--url",
            &format!("{}/map", bad_map.url()),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("OpenRouter: 2 priced models"), "{text}");
    assert!(text.contains("HTTP 503"), "{text}");
    assert_eq!(or.last_request().path, "/api/v1/models");

    let c = run_json(switchboard(data.path()).args([
        "cost",
        "openrouter/anthropic/claude-sonnet-4.5",
        "--input",
        "1000",
        "--output",
        "1000",
        "--json",
    ]));
    assert_eq!(dec(&c["usd"]), "0.018".parse::<Decimal>().unwrap());
    assert!(
        c["price_version"]
            .as_str()
            .unwrap()
            .starts_with("openrouter /models"),
        "{c}"
    );
    let free = run_json(switchboard(data.path()).args([
        "cost",
        "openrouter/meta-llama/llama-3.3-70b-instruct:free",
        "--input",
        "10",
        "--output",
        "10",
        "--json",
    ]));
    assert_eq!(free["free"], true);
    assert_eq!(free["display"], "free");
    // `-1` means OpenRouter does not know in advance: unpriced, not free.
    let auto = switchboard(data.path())
        .args([
            "cost",
            "openrouter/openrouter/auto",
            "--input",
            "10",
            "--output",
            "10",
        ])
        .output()
        .unwrap();
    assert_eq!(auto.status.code(), Some(1));
}

#[test]
fn compare_shows_each_answers_cost_and_source_and_estimates_before_sending() {
    let data = tempfile::tempdir().unwrap();
    let fixture = |p: &str| {
        std::fs::read_to_string(format!(
            "{}/../core/tests/data/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let oa = start_blocking({
        let body = fixture("openai/basic.sse");
        move |_| Reply::sse(&body)
    });
    let orr = start_blocking({
        let body = fixture("openrouter/comments_and_cost.sse");
        move |_| Reply::sse(&body)
    });
    let local = start_blocking({
        let body = fixture("openai/basic.sse");
        move |_| Reply::sse(&body)
    });
    let out = switchboard(data.path())
        .env("OPENAI_BASE_URL", format!("{}/v1", oa.url()))
        .env("OPENAI_API_KEY", "k")
        .env("OPENROUTER_BASE_URL", format!("{}/api/v1", orr.url()))
        .env("OPENROUTER_API_KEY", "k")
        .args([
            "compare",
            "--json",
            "--endpoint",
            &format!("myvllm={}/v1", local.url()),
        ])
        .args([
            "-m",
            "openai/gpt-4o",
            "-m",
            "openrouter/openai/gpt-4o",
            "-m",
            "myvllm/llama",
        ])
        .arg("Say hi")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out.stdout);
    // Estimates come first, one per target, before anything is streamed.
    let estimates: Vec<&Value> = lines
        .iter()
        .take_while(|v| v["event"] == "estimate")
        .collect();
    assert_eq!(estimates.len(), 3);
    assert!(estimates[0]["input_tokens"].as_u64().unwrap() > 0);
    assert!(dec(&estimates[0]["input_usd"]) > Decimal::ZERO);
    assert_eq!(estimates[0]["counted_with"], "tiktoken o200k_base");
    assert_eq!(estimates[2]["input_usd"], Value::Null);

    assert_eq!(streamed_text(&lines, 0), "Hello, wörld — 日本語 🎉 done.");
    let summaries: Vec<&Value> = lines.iter().filter(|v| v["event"] == "summary").collect();
    let by_model = |m: &str| *summaries.iter().find(|s| s["model"] == m).unwrap();
    // Computed from the reported usage and the catalog: the same as `switchboard cost`.
    let gpt = by_model("openai/gpt-4o");
    let u = &gpt["usage"];
    let n = |k: &str| u[k].as_u64().unwrap().to_string();
    let cost = run_json(switchboard(data.path()).args([
        "cost",
        "openai/gpt-4o",
        "--input",
        &n("input_tokens"),
        "--cached-input",
        &n("cached_input_tokens"),
        "--output",
        &n("output_tokens"),
        "--json",
    ]));
    assert_eq!(gpt["cost"]["source"], "computed");
    assert_eq!(gpt["cost"]["usd"], cost["usd"]);
    // OpenRouter's own figure wins.
    let or = by_model("openrouter/openai/gpt-4o");
    assert_eq!(or["cost"]["source"], "reported");
    assert_eq!(
        dec(&or["cost"]["usd"]),
        dec(&Value::String(
            or["usage"]["cost_usd"].as_str().unwrap().into()
        ))
    );
    // A custom endpoint nobody priced: no amount at all.
    let mine = by_model("myvllm/llama");
    assert_eq!(mine["cost"]["source"], "unpriced");
    assert_eq!(mine["cost"]["usd"], Value::Null);

    // The terminal table has the cost and its source.
    let out = switchboard(data.path())
        .env("OPENAI_BASE_URL", format!("{}/v1", oa.url()))
        .env("OPENAI_API_KEY", "k")
        .args([
            "compare",
            "--endpoint",
            &format!("myvllm={}/v1", local.url()),
        ])
        .args(["-m", "openai/gpt-4o", "-m", "myvllm/llama", "Say hi"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("┆ computed"), "{text}");
    assert!(text.contains("unpriced"), "{text}");
    assert!(!text.contains("$0.00 "), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("openai/gpt-4o: ≈") && err.contains("input ≈$"),
        "{err}"
    );
    assert!(
        err.contains("myvllm/llama: ≈") && err.contains("input unpriced"),
        "{err}"
    );
}
