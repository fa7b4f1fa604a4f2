//! `switchboard serve` run for real: started on a free port, its address read from the
//! first line it prints, stopped with SIGTERM; and what it saved, read back with
//! `switchboard history … --json`.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

/// `switchboard …` with the test's data folder and router token and nothing from the
/// developer's environment.
pub fn switchboard(data: &Path, token: &str) -> Command {
    let mut c = Command::cargo_bin("switchboard").unwrap();
    c.env_clear()
        .env("SWITCHBOARD_DATA_DIR", data)
        .env("SWITCHBOARD_ROUTER_TOKEN", token)
        // No keychain here: keys and the token come from the environment.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    c
}

/// A running `switchboard serve`, killed at the end of the test even when it fails.
pub struct Served {
    child: Child,
    /// The first line it printed: `Serving N setups on http://127.0.0.1:PORT/v1`.
    pub banner: String,
    /// The OpenAI base URL it serves, from the banner (`http://127.0.0.1:PORT/v1`).
    pub url: String,
}

impl Served {
    /// Starts `cmd` (a `serve` command) and waits until it says it is serving.
    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        out.read_line(&mut banner).unwrap();
        if banner.is_empty() {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("switchboard serve did not start: {err}");
        }
        assert!(banner.starts_with("Serving "), "{banner}");
        let url = banner.trim().rsplit(' ').next().unwrap().to_owned();
        // The rest of the output, read so serve never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = out.read_to_string(&mut rest);
        });
        Self { child, banner, url }
    }

    /// SIGTERM; once it has stopped, what it printed on stderr and its exit code (-1
    /// when a signal ended it).
    pub fn stop(&mut self) -> (String, i32) {
        let kill = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            e.read_to_string(&mut err).unwrap();
        }
        (err, status.code().unwrap_or(-1))
    }

    /// [`Served::stop`], asserting a clean exit; returns stderr.
    pub fn stop_cleanly(&mut self) -> String {
        let (err, code) = self.stop();
        assert_eq!(code, 0, "serve did not stop cleanly: {err}");
        err
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd`, asserts it succeeded and reads its stdout as JSON.
pub fn json_out(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every saved run, newest first, from `history list --json` (`cmd` is a bare
/// `switchboard` with the test's data folder).
pub fn history_runs(mut cmd: Command) -> Vec<Value> {
    let list = json_out(cmd.args(["history", "list", "--json", "--limit", "1000"]));
    list["runs"].as_array().unwrap().clone()
}

/// The responses of one saved run, from `history show ID --json`.
pub fn history_responses(mut cmd: Command, run: &Value) -> Vec<Value> {
    let id = run["id"].as_i64().unwrap().to_string();
    let shown = json_out(cmd.args(["history", "show", &id, "--json"]));
    shown["responses"].as_array().unwrap().clone()
}
