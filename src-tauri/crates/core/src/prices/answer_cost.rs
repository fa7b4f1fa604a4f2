//! The cost of one answer as shown to the user: an amount (or none) and where it came
//! from. An unknown price has NO amount — it can only be shown as "unpriced", never $0.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::cost::CostBreakdown;
use super::money::DisplayCurrency;

/// Where a cost came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The provider said what it charged (OpenRouter's `usage.cost`). Preferred.
    Reported,
    /// Reported token counts × the price table (`price_version` says which).
    Computed,
    /// No usage came back (a stream cut short): tokens counted with a tokenizer.
    Estimated,
    /// No price is known for the model.
    Unpriced,
}

/// What one answer cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Cost {
    /// USD as a decimal string; `null` when unpriced.
    #[ts(type = "string | null")]
    pub usd: Option<Decimal>,
    pub source: CostSource,
    /// The model is free (every price it has is zero): shown as "free".
    pub free: bool,
    /// Which prices: `litellm 1.106.2 (2026-10-21)`, `openrouter /models (…)`,
    /// `your price (set …)`, `reported by openrouter`.
    pub price_version: Option<String>,
    /// The catalog key the price came from (`gpt-4o`, `gemini/gemini-2.5-pro`).
    pub price_key: Option<String>,
    /// Each kind of token's share, when a price table was used.
    pub breakdown: Option<CostBreakdown>,
}

impl Cost {
    pub fn unpriced() -> Self {
        Self {
            usd: None,
            source: CostSource::Unpriced,
            free: false,
            price_version: None,
            price_key: None,
            breakdown: None,
        }
    }

    /// `$0.0105`, `≈$0.0105` (estimated), `free`, `unpriced`, in `currency`.
    pub fn display(&self, currency: &DisplayCurrency) -> String {
        match self.usd {
            None => "unpriced".into(),
            Some(_) if self.free => "free".into(),
            Some(usd) if self.source == CostSource::Estimated => {
                format!("≈{}", currency.format(usd))
            }
            Some(usd) => currency.format(usd),
        }
    }
}

impl CostSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Computed => "computed",
            Self::Estimated => "estimated",
            Self::Unpriced => "unpriced",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpriced_is_never_shown_as_zero() {
        let c = Cost::unpriced();
        assert_eq!(c.display(&DisplayCurrency::default()), "unpriced");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["usd"], serde_json::Value::Null);
        assert_eq!(v["source"], "unpriced");
    }

    #[test]
    fn free_estimated_and_computed_read_differently() {
        let mut c = Cost {
            usd: Some(Decimal::ZERO),
            source: CostSource::Computed,
            free: true,
            ..Cost::unpriced()
        };
        let usd = DisplayCurrency::default();
        assert_eq!(c.display(&usd), "free");
        c.free = false;
        c.usd = Some("0.0105".parse().unwrap());
        assert_eq!(c.display(&usd), "$0.0105");
        c.source = CostSource::Estimated;
        assert_eq!(c.display(&usd), "≈$0.0105");
        let eur = DisplayCurrency::new("EUR", Some("0.5")).unwrap();
        assert_eq!(c.display(&eur), "≈€0.00525");
    }
}
