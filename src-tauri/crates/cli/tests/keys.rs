//! `switchboard keys` against the real OS keychain: a gnome-keyring Secret Service on
//! the test's D-Bus session (`make rust` runs everything under scripts/with-keyring.sh).
//! Each test files its entries under a service of its own, so tests never share keys
//! and never touch the user's `switchboard` entries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../core/tests/support/mock.rs"]
mod mock;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use assert_cmd::cargo::CommandCargoExt;
use mock::{bearer, openai_bad_key, openai_models, openai_says, start_blocking, Mock, Recorded};
use serde_json::Value;

const KEY: &str = "sk-PLANTED-keychain-key-do-not-leak-5f2e";
const ENV_KEY: &str = "sk-PLANTED-env-key-do-not-leak-77aa";

/// One keychain service and data folder per test.
struct Sandbox {
    service: String,
    data: tempfile::TempDir,
    bus: String,
}

impl Sandbox {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_else(|_| {
            panic!(
                "these tests need a D-Bus session with an unlocked Secret Service: \
                 run them with `make rust` (or scripts/with-keyring.sh cargo test)"
            )
        });
        Self {
            service: format!(
                "switchboard-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ),
            data: tempfile::tempdir().unwrap(),
            bus,
        }
    }

    /// The CLI with a clean environment, this sandbox's keychain service and data folder.
    fn cli(&self) -> Command {
        let mut c = Command::cargo_bin("switchboard").unwrap();
        c.env_clear()
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("SWITCHBOARD_KEYCHAIN_SERVICE", &self.service)
            .env("SWITCHBOARD_DATA_DIR", self.data.path());
        c
    }

    /// `switchboard keys set PROVIDER` with `key` on stdin.
    fn set(&self, provider: &str, key: &str) -> Output {
        run_with_stdin(self.cli().args(["keys", "set", provider]), key)
    }

    /// What `secret-tool` (libsecret, not our code) finds under this service.
    fn secret_tool_lookup(&self, account: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", &self.service, "username", account])
            .output()
            .expect("secret-tool (libsecret-tools) is installed by make deps");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn list(&self) -> Value {
        let out = self
            .cli()
            .args(["keys", "list", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = Command::new("secret-tool")
            .args(["clear", "service", &self.service])
            .status();
    }
}

fn run_with_stdin(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The CLI may refuse before it reads its input (an unknown provider) and exit: the
    // closed pipe is then its answer, not the test's failure (a race CI once lost).
    if let Err(e) = child.stdin.take().unwrap().write_all(input.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn row<'a>(list: &'a Value, provider: &str) -> &'a Value {
    list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["provider"] == provider)
        .unwrap_or_else(|| panic!("{provider} not listed: {list}"))
}

/// An OpenAI-compatible mock that accepts only `Bearer KEY` (or `key_header: KEY`),
/// and, like OpenAI, echoes a refused key back in its error.
fn openai_mock(key_header: Option<&'static str>) -> Mock {
    start_blocking(move |r: &Recorded| {
        let sent = match key_header {
            Some(h) => r.header(h).unwrap_or_default(),
            None => bearer(r),
        };
        if sent != KEY {
            openai_bad_key(sent)
        } else if r.path.ends_with("/models") {
            openai_models(&["gpt-4o", "gpt-4o-mini"])
        } else {
            openai_says("from the keychain")
        }
    })
}

/// Every byte of every file under `dir`.
fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn assert_no_key_in(what: &str, bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    for k in [KEY, ENV_KEY] {
        assert!(!s.contains(k), "the key leaked into {what}: {s}");
    }
}

#[test]
fn a_key_set_from_stdin_is_in_the_keychain_and_used_by_compare_and_test() {
    let sb = Sandbox::new();
    let mock = openai_mock(None);
    let mut outputs = Vec::new();

    let out = sb.set("openai", &format!("{KEY}\n"));
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("…5f2e"), "{said}");
    assert!(said.contains(&sb.service), "{said}");
    outputs.push(out);
    // libsecret itself finds the entry: it is in the real keychain.
    assert_eq!(sb.secret_tool_lookup("openai").as_deref(), Some(KEY));

    let list = sb.list();
    let openai = row(&list, "openai");
    assert_eq!(openai["set"], true);
    assert_eq!(openai["source"], "keychain");
    assert_eq!(openai["last4"], "5f2e");
    assert!(list["keychain"]["problem"].is_null(), "{list}");
    assert_eq!(row(&list, "anthropic")["set"], false);

    // `keys test` makes the cheap authenticated call with the keychain's key.
    let out = sb
        .cli()
        .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
        .args(["keys", "test", "openai"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("the key works (keychain …5f2e) — 2 models"),
        "{said}"
    );
    assert_eq!(mock.last_request().path, "/v1/models");
    outputs.push(out);

    // compare finds the same key with no environment variable at all.
    let out = sb
        .cli()
        .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
        .args(["compare", "--json", "-m", "openai/gpt-4o", "hi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("from the keychain"));
    assert_eq!(
        mock.last_request().header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    outputs.push(out);

    let out = sb
        .cli()
        .args(["keys", "delete", "openai"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("removed the openai key"));
    assert_eq!(sb.secret_tool_lookup("openai"), None);
    assert_eq!(row(&sb.list(), "openai")["set"], false);
    outputs.push(out);

    for o in &outputs {
        assert_no_key_in("the CLI's output", &o.stdout);
        assert_no_key_in("the CLI's errors", &o.stderr);
    }
    for (path, bytes) in all_files(sb.data.path()) {
        assert_no_key_in(&path.display().to_string(), &bytes);
    }
}

#[test]
fn the_keychain_wins_over_the_environment_and_import_env_fills_the_gaps() {
    let sb = Sandbox::new();
    assert!(sb.set("openai", KEY).status.success());
    let env_cli = |c: &mut Command| {
        c.env("OPENAI_API_KEY", ENV_KEY)
            .env("ANTHROPIC_API_KEY", ENV_KEY)
            .env("GEMINI_API_KEY", "   ");
    };
    let mut c = sb.cli();
    env_cli(&mut c);
    let list: Value =
        serde_json::from_slice(&c.args(["keys", "list", "--json"]).output().unwrap().stdout)
            .unwrap();
    let openai = row(&list, "openai");
    assert_eq!(openai["source"], "keychain");
    assert_eq!(openai["shadowed_env"], "OPENAI_API_KEY");
    let anthropic = row(&list, "anthropic");
    assert_eq!(anthropic["source"], "env");
    assert_eq!(anthropic["env_var"], "ANTHROPIC_API_KEY");
    assert_eq!(anthropic["last4"], "77aa");
    assert_eq!(
        row(&list, "gemini")["set"],
        false,
        "a blank variable is no key"
    );

    let mut c = sb.cli();
    env_cli(&mut c);
    let out = c.args(["keys", "import-env", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcomes: Vec<(String, String)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["provider"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("openai".to_owned(), "kept_keychain_key".to_owned()),
            ("anthropic".to_owned(), "imported".to_owned())
        ]
    );
    assert_eq!(sb.secret_tool_lookup("anthropic").as_deref(), Some(ENV_KEY));
    assert_eq!(sb.secret_tool_lookup("openai").as_deref(), Some(KEY));
    assert_no_key_in("import-env's report", &out.stdout);
}

#[test]
fn a_key_is_never_taken_from_an_argument_nor_accepted_malformed() {
    let sb = Sandbox::new();
    let out = sb
        .cli()
        .args(["keys", "set", "openai", KEY])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shell history"), "{err}");
    assert_no_key_in("the refusal", &out.stderr);
    assert_eq!(sb.secret_tool_lookup("openai"), None);

    for (input, needle) in [("", "empty"), ("sk-one sk-two", "spaces")] {
        let out = sb.set("openai", input);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
    }
    let out = sb.set("nope", KEY);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown provider `nope`"));
    assert_eq!(sb.secret_tool_lookup("openai"), None);
}

#[test]
fn a_refused_key_is_reported_with_its_source_and_never_echoed() {
    let sb = Sandbox::new();
    let mock = openai_mock(None);
    assert!(sb
        .set("openai", "sk-wrong-key-in-the-keychain-0000")
        .status
        .success());
    let out = sb
        .cli()
        .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
        .args(["keys", "test", "openai"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error [auth]"), "{err}");
    assert!(err.contains("Incorrect API key provided"), "{err}");
    assert!(
        err.contains("keys set openai"),
        "the hint names the fix: {err}"
    );
    assert!(!err.contains("sk-wrong-key-in-the-keychain-0000"), "{err}");
    // The mock did get (and echo) the key: the redaction is what kept it out.
    assert!(mock
        .last_request()
        .header("authorization")
        .unwrap()
        .contains("sk-wrong-key"));
}

#[test]
fn a_custom_endpoint_saved_by_the_app_uses_its_keychain_key_in_its_header() {
    let sb = Sandbox::new();
    let mock = openai_mock(Some("api-key"));
    // providers.json as the app's settings write it.
    std::fs::write(
        sb.data.path().join("providers.json"),
        serde_json::json!({"custom": [{
            "name": "my-lab",
            "base_url": format!("{}/v1", mock.url()),
            "headers": [{"name": "X-Team", "value": "growth"}],
            "key_header": "api-key"
        }]})
        .to_string(),
    )
    .unwrap();
    assert!(sb.set("my-lab", KEY).status.success());
    let out = sb
        .cli()
        .args(["compare", "--json", "-m", "my-lab/gpt-4o", "hi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let req = mock.last_request();
    assert_eq!(req.header("api-key"), Some(KEY));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.header("x-team"), Some("growth"));
    assert_no_key_in("compare's output", &out.stdout);
}

/// A D-Bus session bus configuration on which nothing provides the Secret Service.
const BUS_WITHOUT_SECRET_SERVICE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../tests/support/dbus-session-without-secret-service.conf"
);

#[test]
fn without_a_secret_service_the_cli_explains_and_works_with_environment_keys() {
    let sb = Sandbox::new();
    let mock = openai_mock(None);
    let cli = env!("CARGO_BIN_EXE_switchboard");
    let in_empty_session = |args: &[&str], stdin: &str| {
        let mut c = Command::new("dbus-run-session");
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SWITCHBOARD_DATA_DIR", sb.data.path())
            .env("SWITCHBOARD_KEYCHAIN_SERVICE", &sb.service)
            .env("OPENAI_API_KEY", KEY)
            .env("OPENAI_BASE_URL", format!("{}/v1", mock.url()))
            .arg("--config-file")
            .arg(BUS_WITHOUT_SECRET_SERVICE)
            .arg("--")
            .arg(cli)
            .args(args);
        run_with_stdin(&mut c, stdin)
    };

    let out = in_empty_session(&["keys", "list"], "");
    assert!(out.status.success(), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no keychain is running"), "{err}");
    assert!(err.contains("gnome-keyring"), "the fix is named: {err}");
    assert!(
        err.contains("keys are read from environment variables"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("$OPENAI_API_KEY"));

    let out = in_empty_session(&["compare", "--json", "-m", "openai/gpt-4o", "hi"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("from the keychain"));

    let out = in_empty_session(&["keys", "set", "anthropic"], "sk-ant-would-be-lost-1234");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no keychain is running"));
    // Never a silent fallback to a file: the data folder holds nothing new but the
    // history `compare` saved its run to.
    let files: Vec<_> = all_files(sb.data.path())
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            let rel = p.strip_prefix(sb.data.path()).unwrap_or(p);
            !rel.to_string_lossy().starts_with("history")
        })
        .collect();
    assert!(files.is_empty(), "{files:?}");

    // With no D-Bus session at all, the message says so.
    let out = sb
        .cli()
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .args(["keys", "set", "openai"])
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "an empty key is refused first");
    let out = run_with_stdin(
        sb.cli()
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .args(["keys", "set", "openai"]),
        KEY,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no D-Bus session bus"));
}

/// `switchboard keys set openai` in a D-Bus session whose gnome-keyring is started on
/// demand over the keyrings in `home` — nothing unlocks them, as on a desktop before
/// login does. No DISPLAY: the unlock prompt cannot open, so it fails at once.
fn set_in_a_session_over(sb: &Sandbox, home: &Path) -> Output {
    let mut c = Command::new("dbus-run-session");
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("SWITCHBOARD_KEYCHAIN_SERVICE", &sb.service)
        .env("SWITCHBOARD_DATA_DIR", sb.data.path())
        .args([
            "--",
            env!("CARGO_BIN_EXE_switchboard"),
            "keys",
            "set",
            "openai",
        ]);
    run_with_stdin(&mut c, KEY)
}

#[test]
fn a_locked_or_missing_keyring_is_named_with_how_to_fix_it() {
    let sb = Sandbox::new();

    // No keyring at all yet.
    let empty = tempfile::tempdir().unwrap();
    let out = set_in_a_session_over(&sb, empty.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no unlocked default keyring"), "{err}");
    assert!(err.contains("create a default one"), "{err}");

    // A login keyring that exists, locked: made unlocked in one session, which ends.
    let home = tempfile::tempdir().unwrap();
    let made = Command::new("dbus-run-session")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .args([
            "--",
            "sh",
            "-c",
            // The daemon writes the new keyring after --unlock returns, and not in one
            // step (CI once read a half-written file): the session (and the daemon
            // with it) must not end before the file is on disk, non-empty and no
            // longer growing.
            "printf %s pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
             && f=\"$HOME/keyrings/login.keyring\" && last=-1 \
             && for _ in $(seq 200); do \
                  if [ -s \"$f\" ]; then \
                    now=$(wc -c < \"$f\"); [ \"$now\" = \"$last\" ] && exit 0; last=$now; \
                  fi; sleep 0.1; \
                done; exit 1",
        ])
        .status()
        .unwrap();
    assert!(made.success());
    assert!(home.path().join("keyrings/login.keyring").exists());
    let out = set_in_a_session_over(&sb, home.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the keychain is locked"), "{err}");
    assert!(err.contains("unlock your login keyring"), "{err}");
    assert_no_key_in("the error", &out.stderr);
}
