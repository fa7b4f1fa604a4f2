//! Switchboard's cost equals LiteLLM's own `cost_per_token`, for every chat model of the
//! bundled price snapshot: plain, cached, cache-write (5-minute and 1-hour), reasoning,
//! at and above every long-context threshold, and in and out of off-peak windows.
//!
//! `make interop` runs it with the pinned `litellm` from PyPI:
//! `tests/interop/litellm_cost_reference.py` prints LiteLLM's prompt and completion cost
//! for each case; this test prices the same token counts with the same catalog entry,
//! in exact decimals, and compares.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;
use switchboard_core::prices::catalog::{Catalog, BUNDLED_JSON};
use switchboard_core::prices::cost::{compute, TokenCounts};
use switchboard_core::prices::lookup::{find, switchboard_provider};

/// LiteLLM adds up floats; we add exact decimals. They agree to 12 significant digits
/// (a float has about 16), far below a millionth of a cent on any real request.
const RELATIVE: f64 = 1e-12;

fn same(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= RELATIVE * ours.abs().max(theirs.abs()) + 1e-18
}

fn reference_cases() -> Vec<Value> {
    let python = std::env::var("SWITCHBOARD_LIVE_PYTHON").expect(
        "set SWITCHBOARD_LIVE_PYTHON to a python with the pinned litellm (make interop does)",
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let snapshot = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(snapshot.path(), BUNDLED_JSON).unwrap();
    let out = Command::new(python)
        .arg(root.join("tests/interop/litellm_cost_reference.py"))
        .arg(snapshot.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the LiteLLM reference script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_chat_model_costs_what_litellm_says() {
    let catalog = Catalog::bundled();
    let cases = reference_cases();
    let mut models = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    let mut wrong = Vec::new();
    for c in &cases {
        let key = c["key"].as_str().unwrap();
        let n = |f: &str| c[f].as_u64().unwrap();
        let tokens = TokenCounts {
            input: n("input"),
            cached_input: n("cached_input"),
            cache_write: n("cache_write"),
            cache_write_1h: n("cache_write_1h"),
            output: n("output"),
            reasoning: n("reasoning"),
        };
        let at: DateTime<Utc> = c["at"].as_str().unwrap().parse().unwrap();
        // The entry LiteLLM itself resolves for (key, provider): `{provider}/{key}` when it
        // exists (`deepseek-chat` → `deepseek/deepseek-chat`, priced differently), which is
        // Switchboard's own first rule too.
        let provider = switchboard_provider(c["provider"].as_str().unwrap());
        let (_, entry, _) = find(catalog, provider, key)
            .unwrap_or_else(|| panic!("{key}: no entry for {provider}/{key}"));
        let cost = compute(entry, tokens, at)
            .unwrap_or_else(|| panic!("{key}: LiteLLM prices it, Switchboard says unpriced"));
        let (p, q) = (
            c["prompt_cost"].as_f64().unwrap(),
            c["completion_cost"].as_f64().unwrap(),
        );
        let (ours_p, ours_q) = (
            cost.prompt_usd().to_f64().unwrap(),
            cost.completion_usd().to_f64().unwrap(),
        );
        if !same(ours_p, p) || !same(ours_q, q) {
            wrong.push(format!(
                "{key} {} at {at}: prompt {} vs LiteLLM {p:e}, completion {} vs {q:e}",
                c["case"],
                cost.prompt_usd(),
                cost.completion_usd()
            ));
        }
        models.insert(key.to_owned());
        let case = c["case"].as_str().unwrap();
        kinds.insert(case.split('_').next().unwrap().to_owned());
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ from LiteLLM:\n{}",
        wrong.len(),
        cases.len(),
        wrong[..wrong.len().min(40)].join("\n")
    );
    // Every priced chat model of the snapshot was compared, with every kind of count.
    let priced = catalog.entries.values().filter(|e| e.is_priced()).count();
    assert_eq!(models.len(), priced);
    for kind in [
        "plain",
        "cached",
        "cache",
        "reasoning",
        "everything",
        "above",
        "at",
    ] {
        assert!(kinds.contains(kind), "no {kind} case: {kinds:?}");
    }
    eprintln!(
        "{} cases over {} models agree with LiteLLM",
        cases.len(),
        models.len()
    );
}
