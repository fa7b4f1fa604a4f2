//! Money as the user reads it: USD by default, or a display currency at a rate the user
//! sets, with precision that suits tiny amounts ($0.000042, not $0.00).
//!
//! The UI formats with the same rules (`ui/src/lib/money.ts`); both are tested against
//! `data/money-format-cases.json`.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The currency amounts are shown in, and how many of it one US dollar buys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DisplayCurrency {
    /// ISO 4217 code: `USD`, `EUR`, `INR`…
    pub code: String,
    /// Units of `code` per US dollar, as a decimal string (`"0.92"`).
    #[ts(type = "string")]
    pub per_usd: Decimal,
}

impl Default for DisplayCurrency {
    fn default() -> Self {
        Self {
            code: "USD".into(),
            per_usd: Decimal::ONE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a currency code: use three letters, like EUR or INR")]
    Code(String),
    #[error("the rate must be a positive number of {0} per US dollar, like 0.92")]
    Rate(String),
}

impl DisplayCurrency {
    /// A currency with its rate; USD always has rate 1.
    pub fn new(code: &str, per_usd: Option<&str>) -> Result<Self, MoneyError> {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(MoneyError::Code(code));
        }
        if code == "USD" {
            return Ok(Self::default());
        }
        let rate = per_usd
            .and_then(|r| Decimal::from_str(r.trim()).ok())
            .filter(|r| r.is_sign_positive() && !r.is_zero())
            .ok_or_else(|| MoneyError::Rate(code.clone()))?;
        Ok(Self {
            code,
            per_usd: rate.normalize(),
        })
    }

    pub fn is_usd(&self) -> bool {
        self.code == "USD"
    }

    /// `$`, `€`, `£`, `₹`, `¥`; other currencies are written with their code.
    pub fn symbol(&self) -> Option<&'static str> {
        Some(match self.code.as_str() {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "INR" => "₹",
            "JPY" | "CNY" => "¥",
            _ => return None,
        })
    }

    /// `usd` converted and formatted: `€0.0113`, `CHF 0.0012`.
    pub fn format(&self, usd: Decimal) -> String {
        let amount = usd * self.per_usd;
        let digits = format_amount(amount);
        match self.symbol() {
            Some(s) => match digits.strip_prefix('-') {
                Some(d) => format!("-{s}{d}"),
                None => format!("{s}{digits}"),
            },
            None => format!("{} {digits}", self.code),
        }
    }
}

/// USD, formatted: `$0.0105`.
pub fn format_usd(usd: Decimal) -> String {
    DisplayCurrency::default().format(usd)
}

/// The digits of an amount, with precision for its size:
/// - 1 and more: 2 decimals, thousands separated (`1,234.57`);
/// - from 0.01: up to 4 decimals, at least 2 (`0.12`, `0.0105`);
/// - below 0.01: 3 significant digits (`0.00123`, `0.0000042`);
/// - zero: `0.00`.
pub fn format_amount(amount: Decimal) -> String {
    let neg = amount.is_sign_negative() && !amount.is_zero();
    let a = amount.abs();
    let cent = Decimal::new(1, 2);
    let s = if a.is_zero() {
        "0.00".to_owned()
    } else if a >= Decimal::ONE {
        group(
            &a.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .to_string(),
            2,
        )
    } else if a >= cent {
        let r = a.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
        // Rounding 0.99996 gives 1.0000.
        if r >= Decimal::ONE {
            "1.00".to_owned()
        } else {
            trim(&r.to_string(), 2)
        }
    } else {
        // Leading zeros after the point, then 3 significant digits.
        let zeros = a.scale() as i64 - (a.mantissa().abs().to_string().len() as i64);
        let dp = (zeros + 3).clamp(3, 28) as u32;
        let r = a.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        trim(&r.to_string(), 2)
    };
    if neg {
        format!("-{s}")
    } else {
        s
    }
}

/// Pads to at least `min` decimals, trims trailing zeros beyond it.
fn trim(s: &str, min: usize) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut frac = frac.trim_end_matches('0').to_owned();
    while frac.len() < min {
        frac.push('0');
    }
    format!("{int}.{frac}")
}

/// `1234.5` → `1,234.50`.
fn group(s: &str, dp: usize) -> String {
    let padded = trim(s, dp);
    let (int, frac) = padded.split_once('.').unwrap_or((&padded, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases the UI's formatter is tested against too.
    const CASES: &str = include_str!("../../data/money-format-cases.json");

    #[test]
    fn shared_cases() {
        let cases: serde_json::Value = serde_json::from_str(CASES).unwrap();
        for c in cases.as_array().unwrap() {
            let cur =
                DisplayCurrency::new(c["code"].as_str().unwrap(), c["per_usd"].as_str()).unwrap();
            let usd: Decimal = c["usd"].as_str().unwrap().parse().unwrap();
            assert_eq!(cur.format(usd), c["shown"].as_str().unwrap(), "{c}");
        }
    }

    #[test]
    fn bad_currencies_say_what_to_do() {
        assert_eq!(
            DisplayCurrency::new("euro", Some("1"))
                .unwrap_err()
                .to_string(),
            "'EURO' is not a currency code: use three letters, like EUR or INR"
        );
        assert!(matches!(
            DisplayCurrency::new("EUR", Some("0")),
            Err(MoneyError::Rate(_))
        ));
        assert!(DisplayCurrency::new("EUR", None).is_err());
        assert_eq!(
            DisplayCurrency::new("usd", None).unwrap(),
            DisplayCurrency::default()
        );
    }
}
