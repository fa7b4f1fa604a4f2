//! `switchboard export`, `import` and `setups` end to end: the real binary, a real
//! history in a temporary data folder, runs recorded by `switchboard compare` against
//! a mock provider, and keys planted in the environment that must never come out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;
// Shared with the other CLI tests; this one reads only `json_lines`.
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use mock::{openai_says, start_blocking, Mock};
use serde_json::Value;
use support::json_lines::json_lines;

const PLANTED: &str = "sk-PLANTED-gateway-key-do-not-leak-91c4";

/// One data folder (one history, one providers.json) per test, a folder for files.
struct Env {
    data: tempfile::TempDir,
    files: tempfile::TempDir,
    mock: Option<Mock>,
}

impl Env {
    fn new() -> Self {
        Self {
            data: tempfile::tempdir().unwrap(),
            files: tempfile::tempdir().unwrap(),
            mock: None,
        }
    }

    fn with_mock() -> Self {
        Self {
            mock: Some(start_blocking(|r| {
                openai_says(&format!("an answer from {}", r.json()["model"]))
            })),
            ..Self::new()
        }
    }

    /// The binary with a clean environment: this test's data folder, the planted key,
    /// and the mock as OpenAI's server when there is one.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("switchboard").unwrap();
        c.env_clear()
            .env("SWITCHBOARD_DATA_DIR", self.data.path())
            .env("OPENAI_API_KEY", PLANTED)
            .env("ANTHROPIC_API_KEY", PLANTED);
        if let Some(m) = &self.mock {
            c.env("OPENAI_BASE_URL", format!("{}/v1", m.url()));
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_key(&out);
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.files.path().join(name)
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.files.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A run of `models` recorded by `switchboard compare`; its id.
    fn compare(&self, models: &[&str], prompt: &str) -> i64 {
        let mut args = vec!["compare", "--json"];
        for m in models {
            args.extend(["-m", m]);
        }
        args.push(prompt);
        json_lines(self.ok(&args).as_bytes())
            .iter()
            .find_map(|v| v["history_id"].as_i64())
            .expect("compare saved the run")
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_no_key(out: &Output) {
    for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !String::from_utf8_lossy(bytes).contains(PLANTED),
            "the key leaked to {what}"
        );
    }
}

/// Where `needle` first appears in `hay`; fails the test when it does not.
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in:\n{hay}"))
}

#[test]
fn export_of_models_prints_a_litellm_config_with_each_model_prefixed() {
    let env = Env::new();
    let yaml = env.ok(&[
        "export",
        "litellm",
        "-m",
        "openai/gpt-4o",
        "-m",
        "anthropic/claude-sonnet-4-5",
    ]);
    // In route order: the first model serves, the second is its fallback.
    let first = at(&yaml, "model: openai/gpt-4o");
    let second = at(&yaml, "model: anthropic/claude-sonnet-4-5");
    assert!(first < second, "{yaml}");
    assert!(yaml.contains("model_name: chat"), "{yaml}");
    assert!(yaml.contains("os.environ/OPENAI_API_KEY"), "{yaml}");
    assert!(yaml.contains("fallbacks"), "{yaml}");
}

#[test]
fn an_unknown_provider_is_an_error_that_names_it_and_writes_nothing() {
    let env = Env::new();
    let out_file = env.file("config.yaml");
    let out = env.run(&[
        "export",
        "litellm",
        "-m",
        "openai/gpt-4o",
        "-m",
        "nosuchcloud/big-model",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error:") && err.contains("nosuchcloud"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout either");
    assert!(env.files().is_empty(), "no file: {:?}", env.files());
    // To stdout, the same: the config is not printed.
    let out = env.run(&["export", "litellm", "-m", "nosuchcloud/big-model"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_run_exports_with_its_winner_first() {
    let env = Env::with_mock();
    let run = env.compare(&["openai/gpt-4o", "openai/gpt-4o-mini"], "Name a colour");
    let id = run.to_string();
    env.ok(&["history", "winner", &id, "openai/gpt-4o-mini"]);

    let yaml = env.ok(&["export", "litellm", "--run", &id]);
    let winner = at(&yaml, "model: openai/gpt-4o-mini");
    let other = at(&yaml, "model: openai/gpt-4o\n");
    assert!(winner < other, "the winner serves first:\n{yaml}");
    // The alias is made from the prompt.
    assert!(yaml.contains("model_name: name-a-colour"), "{yaml}");

    // Saved, it is a setup that remembers its run.
    env.ok(&[
        "export", "portkey", "--run", &id, "--alias", "colours", "--save",
    ]);
    let shown = env.json(&["setups", "show", "colours", "--json"]);
    assert_eq!(shown["source_run"], run);
    assert_eq!(
        shown["groups"][0]["targets"][0]["model"],
        "openai/gpt-4o-mini"
    );
    let text = env.ok(&["setups", "show", "colours"]);
    assert!(
        text.contains("fallback") && text.contains(&format!("from run {run}")),
        "{text}"
    );
}

#[test]
fn weights_make_a_load_balance_and_must_match_the_models() {
    let env = Env::new();
    let out = env.run(&[
        "export",
        "portkey",
        "-m",
        "openai/gpt-4o",
        "-m",
        "anthropic/claude-sonnet-4-5",
        "--weights",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("one per model"), "{}", stderr(&out));

    let v = env.json(&[
        "export",
        "portkey",
        "-m",
        "openai/gpt-4o",
        "-m",
        "anthropic/claude-sonnet-4-5",
        "--weights",
        "3,1",
        "--json",
    ]);
    let config: Value = serde_json::from_str(v["text"].as_str().unwrap()).unwrap();
    assert_eq!(config["strategy"]["mode"], "loadbalance", "{config}");
    let weights: Vec<u64> = config["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["weight"].as_u64().unwrap())
        .collect();
    assert_eq!(weights, [3, 1]);
}

#[test]
fn keychain_keys_need_a_file_and_a_confirmation() {
    let env = Env::new();
    let file = env.file("portkey.json");
    let f = file.to_str().unwrap();
    let base = [
        "export",
        "portkey",
        "-m",
        "openai/gpt-4o",
        "--portkey-keys",
        "keychain",
    ];

    // Not a terminal, no --yes: refused, nothing written.
    let out = env.cmd().args(base).args(["-o", f]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_no_key(&out);
    assert!(env.files().is_empty(), "{:?}", env.files());

    // Never to stdout.
    let out = env.cmd().args(base).arg("--yes").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("-o FILE"), "{}", stderr(&out));
    assert_no_key(&out);

    // Confirmed: the key is in the file, and the file is the user's only.
    let out = env
        .cmd()
        .args(base)
        .args(["-o", f, "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_key(&out);
    assert!(std::fs::read_to_string(&file).unwrap().contains(PLANTED));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_planted_key_never_appears_in_a_placeholder_export() {
    let env = Env::new();
    let models = ["-m", "openai/gpt-4o", "-m", "anthropic/claude-sonnet-4-5"];
    for format in ["litellm", "portkey", "openrouter"] {
        for keys in ["placeholders", "virtual-keys"] {
            let file = env.file(&format!("{format}-{keys}.out"));
            for extra in [vec![], vec!["--json"], vec!["-o", file.to_str().unwrap()]] {
                let out = env
                    .cmd()
                    .arg("export")
                    .arg(format)
                    .args(models)
                    .args(["--portkey-keys", keys])
                    .args(&extra)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{format} {extra:?}: {}", stderr(&out));
                assert_no_key(&out);
            }
            let written = std::fs::read_to_string(&file).unwrap();
            assert!(!written.is_empty());
            assert!(!written.contains(PLANTED), "the key leaked into {format}");
        }
    }
}

const LITELLM: &str = "\
model_list:
  - model_name: support
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
  - model_name: support-backup
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
router_settings:
  num_retries: 3
  fallbacks: [{\"support\": [\"support-backup\"]}]
";

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_imported_litellm_config_is_a_setup_and_replacing_it_needs_replace() {
    let env = Env::new();
    let file = env.file("config.yaml");
    write(&file, LITELLM);
    let f = file.to_str().unwrap();

    let dry = env.ok(&["import", f, "--dry-run"]);
    assert!(
        dry.contains("support") && dry.contains("nothing was saved"),
        "{dry}"
    );
    assert_eq!(
        env.json(&["setups", "list", "--json"]),
        serde_json::json!([])
    );

    let report = env.ok(&["import", f]);
    assert!(report.contains("openai/gpt-4o"), "{report}");
    let list = env.json(&["setups", "list", "--json"]);
    let support = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["alias"] == "support")
        .unwrap_or_else(|| panic!("no `support` setup in {list}"));
    let models: Vec<&str> = support["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["targets"].as_array().unwrap())
        .map(|t| t["model"].as_str().unwrap())
        .collect();
    assert_eq!(models, ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]);
    assert_eq!(support["retries"], 3);

    // Again: the saved one is not replaced unless asked (a dry run says so first).
    let dry = env.ok(&["import", f, "--dry-run"]);
    assert!(dry.contains("`support` is already saved"), "{dry}");
    let out = env.run(&["import", f]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
    let json = env.json(&["import", f, "--replace", "--json"]);
    assert_eq!(json["replaced"][0], "support", "{json}");

    // And it exports back to a config with the same route.
    let yaml = env.ok(&["export", "litellm", "--setup", "support"]);
    assert!(
        at(&yaml, "model: openai/gpt-4o") < at(&yaml, "model: anthropic/claude-sonnet-4-5"),
        "{yaml}"
    );

    env.ok(&["setups", "delete", "support"]);
    let out = env.run(&["setups", "show", "support"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("setups list"), "{}", stderr(&out));
}

#[test]
fn an_import_adds_provider_settings_but_keeps_the_users_own() {
    let env = Env::new();
    std::fs::write(
        env.data.path().join("providers.json"),
        r#"{"base_urls": {"openai": "https://mine.example/v1"}, "custom": []}"#,
    )
    .unwrap();
    let file = env.file("config.yaml");
    write(
        &file,
        "\
model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o
      api_base: https://theirs.example/v1
  - model_name: local
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: https://claude-proxy.example
",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(env.data.path().join("providers.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(saved["base_urls"]["openai"], "https://mine.example/v1");
    assert_eq!(
        saved["base_urls"]["anthropic"],
        "https://claude-proxy.example"
    );
}

#[test]
fn written_to_a_file_the_export_prints_how_to_call_it() {
    let env = Env::new();
    let piped = env.ok(&[
        "export",
        "portkey",
        "-m",
        "openai/gpt-4o",
        "--alias",
        "prod",
    ]);
    let file = env.file("gateway.json");
    let f = file.to_str().unwrap();
    let out = env.run(&[
        "export",
        "portkey",
        "-m",
        "openai/gpt-4o",
        "--alias",
        "prod",
        "-o",
        f,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("wrote {f}")),
        "{}",
        stderr(&out)
    );
    // The same config as the pipe gets, in the file; the calls on stdout name the file.
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.trim_end(), piped.trim_end());
    let how = String::from_utf8(out.stdout).unwrap();
    for section in ["curl", "Python", "TypeScript"] {
        assert!(how.contains(&format!("── {section} ──")), "{how}");
    }
    assert!(how.contains(f), "{how}");
}
