//! A setup as text: what `setups show` and `import` print.

use std::fmt::Write;

use switchboard_core::chat::Params;
use switchboard_core::setups::{Setup, Strategy};

pub fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Single => "single model",
        Strategy::Fallback => "fallback",
        Strategy::Loadbalance => "load balance",
        Strategy::LoadbalanceThenFallback => "load balance, then fallback",
    }
}

/// The parameters a target sets, `temperature=0.2 max_tokens=512`; empty when none.
fn params(p: &Params) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(p) else {
        return String::new();
    };
    map.iter()
        .filter(|(_, v)| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)))
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Alias, strategy, each group's targets (with weights when they share the load),
/// retries, timeout, the source run and notes.
pub fn describe(s: &Setup) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  ({})", s.alias, strategy_name(s.strategy()));
    let several = s.groups.len() > 1;
    for (i, g) in s.groups.iter().enumerate() {
        let lead = match (several, i) {
            (false, _) => "  ".to_owned(),
            (true, 0) => "  1. ".to_owned(),
            (true, n) => format!("  {}. then ", n + 1),
        };
        let balanced = g.targets.len() > 1;
        for (j, t) in g.targets.iter().enumerate() {
            let prefix = if j == 0 {
                lead.clone()
            } else {
                " ".repeat(lead.chars().count())
            };
            let mut line = format!("{prefix}{}", t.model);
            if balanced {
                let _ = write!(line, "  weight {}", t.weight);
            }
            let p = params(&t.params);
            if !p.is_empty() {
                let _ = write!(line, "  [{p}]");
            }
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(out, "  retries {}, timeout {}s", s.retries, s.timeout_secs);
    if let Some(r) = s.source_run {
        let _ = writeln!(out, "  from run {r} (`switchboard history show {r}`)");
    }
    if let Some(n) = s.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        let _ = writeln!(out, "  notes: {n}");
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::setups::{Group, SetupTarget};

    #[test]
    fn a_setup_reads_as_its_route() {
        let mut first = SetupTarget::new("openai/gpt-4o");
        first.weight = 3;
        first.params.temperature = Some(0.2);
        let mut s = Setup::with_groups(
            "chat",
            vec![
                Group {
                    targets: vec![first, SetupTarget::new("openai/gpt-4o-mini")],
                },
                Group {
                    targets: vec![SetupTarget::new("anthropic/claude-x")],
                },
            ],
        );
        s.source_run = Some(12);
        let text = describe(&s);
        assert!(
            text.starts_with("chat  (load balance, then fallback)"),
            "{text}"
        );
        assert!(
            text.contains("1. openai/gpt-4o  weight 3  [temperature=0.2]"),
            "{text}"
        );
        assert!(text.contains("2. then anthropic/claude-x"), "{text}");
        assert!(text.contains("retries 2, timeout 60s"), "{text}");
        assert!(text.contains("from run 12"), "{text}");
    }
}
