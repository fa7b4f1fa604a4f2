//! Writing the history commands' output: JSON as the core serializes it, and the bits
//! of text every table shares (local times, costs, status marks).

use std::io::Write;

use chrono::{DateTime, Local};
use rust_decimal::Decimal;
use serde::Serialize;
use switchboard_core::history::RunSummary;
use switchboard_core::prices::money::DisplayCurrency;

use super::Failure;

/// Writes `text` and a newline to stdout. A closed stdout (`| head`) ends the output
/// quietly rather than panicking as `println!` would.
pub fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// One line of JSON: the core's type exactly as it serializes.
pub fn json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let s = serde_json::to_string(value)
        .map_err(|e| Failure::new(format!("could not write JSON: {e}")))?;
    say(&s);
    Ok(())
}

/// `2026-11-21 14:03` in local time; the stored text as it is if it is not a time.
pub fn local_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// A total and how many answers had no price: `$0.0123`, `$0.0123 + 1 unpriced`,
/// `unpriced` — never `$0` for what was not priced — or `—` when nothing finished.
pub fn total_cost(usd: Option<&str>, unpriced: u64, currency: &DisplayCurrency) -> String {
    let priced = usd.and_then(|u| u.parse::<Decimal>().ok());
    match (priced, unpriced) {
        (Some(d), 0) => currency.format(d),
        (Some(d), n) => format!("{} + {n} unpriced", currency.format(d)),
        (None, 0) => "—".to_owned(),
        (None, _) => "unpriced".to_owned(),
    }
}

/// The first line of `text`, at most `chars` characters, `…` when cut.
pub fn first_line(text: &str, chars: usize) -> String {
    let line = text.trim_start().lines().next().unwrap_or("");
    let more = line.chars().count() > chars || text.trim().lines().nth(1).is_some();
    let mut out: String = line.chars().take(chars).collect();
    if more {
        out.push('…');
    }
    out
}

/// Marks for a run's row: starred, its winner, answers cut short or still streaming.
pub fn marks(s: &RunSummary) -> String {
    let mut m = Vec::new();
    if s.starred {
        m.push("★".to_owned());
    }
    if let Some(w) = &s.winner {
        m.push(format!("winner {w}"));
    }
    if s.interrupted > 0 {
        m.push(format!("{} interrupted", s.interrupted));
    }
    if s.streaming > 0 {
        m.push(format!("{} streaming", s.streaming));
    }
    m.join(", ")
}

/// `1.23s`, or `—` when not known.
pub fn seconds(ms: Option<u64>) -> String {
    ms.map_or("—".to_owned(), |m| format!("{:.2}s", m as f64 / 1000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpriced_is_never_shown_as_zero() {
        let usd = DisplayCurrency::default();
        assert_eq!(total_cost(None, 2, &usd), "unpriced");
        assert_eq!(total_cost(Some("0.01"), 1, &usd), "$0.01 + 1 unpriced");
        assert_eq!(total_cost(None, 0, &usd), "—");
    }

    #[test]
    fn first_line_is_cut_with_an_ellipsis() {
        assert_eq!(first_line("  hello\nworld", 10), "hello…");
        assert_eq!(first_line("abcdef", 3), "abc…");
        assert_eq!(first_line("abc", 3), "abc");
    }
}
