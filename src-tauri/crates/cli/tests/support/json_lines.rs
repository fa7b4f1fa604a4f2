//! Reading `switchboard compare --json` output, for the CLI's test files.

use serde_json::Value;

/// Every line of stdout as JSON; a line that is not JSON fails the test.
pub fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The text one target streamed, its `delta` events joined in order.
pub fn streamed_text(lines: &[Value], target: u64) -> String {
    lines
        .iter()
        .filter(|v| v["event"] == "delta" && v["target"] == target)
        .map(|v| v["text"].as_str().unwrap())
        .collect()
}
