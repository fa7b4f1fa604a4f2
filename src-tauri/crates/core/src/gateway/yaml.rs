//! A small YAML writer for the configs Switchboard writes.
//!
//! Hand-written rather than a serializer because of who reads the files: LiteLLM loads
//! its config with PyYAML, a YAML 1.1 parser, where `3e-06` is a string and `12:30` a
//! number (base 60) and `on` a boolean. So numbers are written as plain decimals
//! (`0.000003`), a string is written bare only when no YAML 1.1 or 1.2 parser could
//! read it as anything but that string, and everything else is double-quoted. The
//! writer also keeps a header comment, which serializers drop. Strings are written in
//! ASCII (see [`quoted`]).

use rust_decimal::Decimal;

/// A YAML node, in the order it is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Str(String),
    Int(i64),
    /// Written as a plain decimal with a point (`0.000003`, `0.0`), so every YAML
    /// parser reads a float.
    Decimal(Decimal),
    /// Written like [`Yaml::Decimal`]; not finite values as `.nan` / `.inf`.
    Float(f64),
    Bool(bool),
    Seq(Vec<Yaml>),
    /// Keys in the order given.
    Map(Vec<(String, Yaml)>),
    /// The node written on one line in flow style (`[{"a": ["b"]}]`), strings always
    /// quoted, as LiteLLM's docs write `fallbacks`.
    Flow(Box<Yaml>),
}

impl Yaml {
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// A mapping from `(key, value)` pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Yaml)>) -> Self {
        Self::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn flow(node: Yaml) -> Self {
        Self::Flow(Box::new(node))
    }
}

/// A YAML document: `comment` lines (each prefixed `# `), then `root`. Top-level keys
/// of a mapping are separated by a blank line.
pub fn document(comment: &[String], root: &Yaml) -> String {
    let mut out = String::new();
    for line in comment.iter().flat_map(|c| c.split('\n')) {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
    match root {
        Yaml::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 || !out.is_empty() {
                    out.push('\n');
                }
                entry(&mut out, 0, k, v);
            }
        }
        _ => {
            out.push_str(&inline(root));
            out.push('\n');
        }
    }
    out
}

/// `key: value` at `indent`, the value nested below when it is a non-empty
/// collection.
fn entry(out: &mut String, indent: usize, key: &str, value: &Yaml) {
    push_indent(out, indent);
    out.push_str(&scalar(key));
    out.push(':');
    nested(out, indent, value);
}

/// The rest of a line that ended with `key:` or `-`: a scalar after a space, or a
/// collection on the following lines, indented two more.
fn nested(out: &mut String, indent: usize, value: &Yaml) {
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            for (k, v) in entries {
                entry(out, indent + 2, k, v);
            }
        }
        Yaml::Seq(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                seq_item(out, indent + 2, item);
            }
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(value));
            out.push('\n');
        }
    }
}

/// `- item` at `indent`; a mapping item starts on the dash's line.
fn seq_item(out: &mut String, indent: usize, item: &Yaml) {
    push_indent(out, indent);
    out.push('-');
    match item {
        Yaml::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i == 0 {
                    out.push(' ');
                    out.push_str(&scalar(k));
                    out.push(':');
                    nested(out, indent + 2, v);
                } else {
                    entry(out, indent + 2, k, v);
                }
            }
        }
        _ => nested(out, indent, item),
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar, or an empty or flow collection, on one line.
fn inline(value: &Yaml) -> String {
    match value {
        Yaml::Str(s) => scalar(s),
        Yaml::Flow(node) => flow(node),
        other => flow(other),
    }
}

/// Flow style: strings always quoted, so no flow indicator (`,` `[` `]` `{` `}` `:`)
/// in a string can end it early.
fn flow(value: &Yaml) -> String {
    match value {
        Yaml::Str(s) => quoted(s),
        Yaml::Int(n) => n.to_string(),
        Yaml::Decimal(d) => decimal(*d),
        Yaml::Float(f) => float(*f),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Seq(items) => {
            let inner: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", inner.join(", "))
        }
        Yaml::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), flow(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Yaml::Flow(node) => flow(node),
    }
}

/// `d` as a plain decimal with a point: `0.000003`, `15.0`.
fn decimal(d: Decimal) -> String {
    // rust_decimal's Display never uses an exponent; normalize drops trailing zeros.
    with_point(d.normalize().to_string())
}

fn float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.into()
    } else {
        // Rust's Display for f64 never uses an exponent either.
        with_point(f.to_string())
    }
}

/// A point keeps a whole number a float for YAML 1.1 (`1` would be an int).
fn with_point(s: String) -> String {
    if s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

/// A string, bare when that is safe, otherwise double-quoted.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        quoted(s)
    }
}

/// Whether `s` reads back as this same string when written bare, in PyYAML (YAML
/// 1.1) and in YAML 1.2 parsers, in block context.
///
/// Deliberately narrow: only `[A-Za-z0-9_./:@-]`, starting with a letter, `_` or `/`
/// (numbers, `.inf`, `-x` and the like start with a digit, a sign or a point; `@` is
/// reserved), not ending with `:` (a mapping key), and not one of YAML 1.1's booleans
/// or nulls. Whatever fails is quoted, which is always correct, only less pretty.
fn is_plain_safe(s: &str) -> bool {
    const WORDS: [&str; 11] = [
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | ':' | '@' | '-'))
        && !s.ends_with(':')
        && !WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// A double-quoted scalar, in ASCII. A JSON string is a valid one; beyond that,
/// everything outside ASCII is escaped, because LiteLLM opens its config with the
/// system's encoding (cp1252 on many Windows machines), and PyYAML would also read
/// U+0085, U+2028 and U+2029 inside quotes as line breaks.
pub fn quoted(s: &str) -> String {
    let json = serde_json::Value::String(s.to_owned()).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let code = u32::from(c);
        match code {
            0x20..=0x7E => out.push(c),
            0..=0xFFFF => out.push_str(&format!("\\u{code:04X}")),
            _ => out.push_str(&format!("\\U{code:08X}")),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn read(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
    }

    /// Writes `s` as a value and as a key and reads both back.
    fn round_trip(s: &str) {
        let doc = document(&[], &Yaml::map([("k", Yaml::str(s)), (s, Yaml::Int(1))]));
        assert!(
            doc.is_ascii(),
            "LiteLLM may read the file as cp1252:\n{doc}"
        );
        let v = read(&doc);
        assert_eq!(v["k"], json!(s), "value {s:?} did not survive:\n{doc}");
        assert_eq!(v[s], json!(1), "key {s:?} did not survive:\n{doc}");
    }

    /// PyYAML (YAML 1.1, what LiteLLM reads its config with) gets back every string as
    /// written, as a value and as a key. Skipped, with a note, where PyYAML is missing:
    /// the interop suite loads the files in LiteLLM itself.
    fn pyyaml_reads_the_same(cases: &[&str]) {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let has_pyyaml = Command::new("python3")
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_pyyaml {
            eprintln!("PyYAML is not installed: skipping the PyYAML check");
            return;
        }
        let doc = document(
            &[],
            &Yaml::map([
                (
                    "values",
                    Yaml::Seq(cases.iter().map(|s| Yaml::str(*s)).collect()),
                ),
                ("keys", Yaml::map(cases.iter().map(|s| (*s, Yaml::Int(1))))),
            ]),
        );
        let script = "import sys, yaml, json\nc = yaml.safe_load(sys.stdin.read())\nprint(json.dumps([c['values'], list(c['keys'])]))";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(doc.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "PyYAML refused:\n{}\n{doc}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(read, json!([cases, cases]), "{doc}");
    }

    #[test]
    fn strings_a_yaml_parser_would_read_as_something_else_are_quoted() {
        let cases = [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "true",
            "null",
            "~",
            "",
            "1e3",
            "3e-06",
            "0x10",
            "0o17",
            "1_000",
            "12:30",
            ".inf",
            "-.inf",
            ".NaN",
            "0755",
            "2024-01-02",
            "+1",
            "-",
            "-x",
            "?x",
            "*ref",
            "&anchor",
            "!tag",
            "%x",
            "@x",
            "`x",
            "|",
            ">",
            "a: b",
            "a #b",
            "#x",
            "x:",
            "[a]",
            "{a}",
            "a,b",
            "'a'",
            "\"a\"",
            " lead",
            "trail ",
            "two\nlines",
            "tab\there",
            "naïve",
            "模型",
            "emoji 🙂",
            "\u{2028}",
            "\u{85}",
            "del\u{7f}",
            "=",
            "<<",
        ];
        for s in cases {
            round_trip(s);
        }
        pyyaml_reads_the_same(&cases);
        for s in [
            "yes", "12:30", "1e3", "on", "null", "", "-x", "a: b", "x:", "@x",
        ] {
            assert!(scalar(s).starts_with('"'), "{s:?} should be quoted");
        }
    }

    #[test]
    fn ordinary_names_stay_bare() {
        for s in [
            "chat",
            "anthropic/claude-sonnet-4-5",
            "os.environ/OPENAI_API_KEY",
            "https://api.anthropic.com",
            "http://localhost:11434",
            "simple-shuffle",
            "chat-fallback-1",
        ] {
            assert_eq!(scalar(s), s);
            round_trip(s);
        }
    }

    #[test]
    fn prices_are_plain_decimals_that_read_back_as_floats() {
        let d = |s: &str| Yaml::Decimal(s.parse().unwrap());
        let doc = document(
            &[],
            &Yaml::map([
                ("tiny", d("0.000003")),
                ("whole", d("15")),
                ("zero", d("0")),
                ("trailing", d("0.0000150")),
                ("f", Yaml::Float(0.7)),
                ("one", Yaml::Float(1.0)),
                ("small", Yaml::Float(1e-7)),
            ]),
        );
        for line in doc.lines() {
            let value = line.split_once(": ").map_or("", |(_, v)| v);
            assert!(
                !value.contains(['e', 'E']),
                "an exponent was written: {line}"
            );
        }
        assert!(doc.contains("tiny: 0.000003\n"), "{doc}");
        assert!(doc.contains("trailing: 0.000015\n"), "{doc}");
        let v = read(&doc);
        assert_eq!(v["tiny"].as_f64(), Some(0.000003));
        assert_eq!(v["whole"].as_f64(), Some(15.0));
        assert!(v["zero"].is_f64(), "{doc}");
        assert_eq!(v["one"].as_f64(), Some(1.0));
        assert_eq!(v["small"].as_f64(), Some(1e-7));
    }

    #[test]
    fn nested_lists_maps_and_flow_read_back_as_written() {
        let root = Yaml::map([
            (
                "model_list",
                Yaml::Seq(vec![Yaml::map([
                    ("model_name", Yaml::str("chat")),
                    (
                        "litellm_params",
                        Yaml::map([
                            ("model", Yaml::str("openai/gpt-4o")),
                            ("stop", Yaml::Seq(vec![Yaml::str("END"), Yaml::str("\n\n")])),
                        ]),
                    ),
                ])]),
            ),
            ("empty", Yaml::Seq(vec![])),
            ("nothing", Yaml::Map(vec![])),
            (
                "fallbacks",
                Yaml::flow(Yaml::Seq(vec![Yaml::map([(
                    "a:b, c",
                    Yaml::Seq(vec![Yaml::str("x]"), Yaml::str("y")]),
                )])])),
            ),
            (
                "list_of_lists",
                Yaml::Seq(vec![Yaml::Seq(vec![Yaml::Int(1), Yaml::Bool(true)])]),
            ),
        ]);
        let doc = document(
            &["made by a test".into(), String::new(), "second".into()],
            &root,
        );
        assert!(
            doc.starts_with("# made by a test\n#\n# second\n\nmodel_list:\n"),
            "{doc}"
        );
        assert_eq!(
            read(&doc),
            json!({
                "model_list": [{"model_name": "chat",
                    "litellm_params": {"model": "openai/gpt-4o", "stop": ["END", "\n\n"]}}],
                "empty": [],
                "nothing": {},
                "fallbacks": [{"a:b, c": ["x]", "y"]}],
                "list_of_lists": [[1, true]],
            })
        );
    }
}
