//! The `switchboard` binary as a user runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;

fn switchboard() -> Command {
    Command::cargo_bin("switchboard").unwrap()
}

#[test]
fn version_flag_prints_the_crate_version() {
    let out = switchboard().arg("--version").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("switchboard {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_the_subcommands() {
    let out = switchboard().arg("--help").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("info"), "{stdout}");
}

#[test]
fn info_json_reports_the_data_dir_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchboard()
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .args(["info", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data_dir"], dir.path().display().to_string());
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn empty_data_dir_variable_is_a_clear_error() {
    let out = switchboard()
        .env("SWITCHBOARD_DATA_DIR", "")
        .arg("info")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("SWITCHBOARD_DATA_DIR"), "{stderr}");
}
