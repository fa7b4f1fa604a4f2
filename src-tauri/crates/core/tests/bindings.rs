//! Every type that will cross IPC derives ts-rs's `TS` and exports cleanly, with the
//! same configuration as the shell's bindings test (numbers, never bigint).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use switchboard_core::providers::models::ModelInfo;
use switchboard_core::{CompareRequest, RunEvent};
use ts_rs::{Config, TS};

#[test]
fn ipc_types_export_to_typescript() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::new()
        .with_large_int("number")
        .with_out_dir(dir.path());
    CompareRequest::export_all(&cfg).unwrap();
    RunEvent::export_all(&cfg).unwrap();
    ModelInfo::export_all(&cfg).unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let run_event = read("RunEvent.ts");
    if std::env::var_os("SHOW_BINDINGS").is_some() {
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let p = f.unwrap().path();
            println!(
                "== {}\n{}",
                p.display(),
                std::fs::read_to_string(&p).unwrap()
            );
        }
    }
    assert!(run_event.contains("target: number"), "{run_event}");
    assert!(run_event.contains("\"event\": \"summary\""), "{run_event}");
    let usage = read("Usage.ts");
    assert!(usage.contains("cost_usd: string | null"), "{usage}");
    assert!(!usage.contains("bigint"), "{usage}");
    for f in [
        "ChatRequest.ts",
        "Target.ts",
        "Params.ts",
        "TargetSummary.ts",
        "Metrics.ts",
        "ErrorInfo.ts",
        "ErrorKind.ts",
    ] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
}
