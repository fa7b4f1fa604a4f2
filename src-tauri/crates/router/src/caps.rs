//! Spend caps: a daily or monthly limit in USD, for one alias or for everything the
//! router serves. Periods are calendar days and months in UTC. A cap is checked before
//! a call goes upstream and the call's cost is added when it ends, so one call may
//! overshoot a cap by its own cost — never by more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use switchboard_core::history::{History, HistoryError};

/// A cap's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapPeriod {
    Day,
    Month,
}

impl CapPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }

    fn adjective(self) -> &'static str {
        match self {
            Self::Day => "daily",
            Self::Month => "monthly",
        }
    }

    /// The start of the period holding `at`, and the start of the next one.
    pub fn bounds(self, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let day = at.date_naive();
        let (start, next) = match self {
            Self::Day => (day, day.succ_opt().unwrap_or(day)),
            Self::Month => {
                let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
                let next = if day.month() == 12 {
                    NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
                };
                (first, next.unwrap_or(first))
            }
        };
        let utc = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
        (utc(start), utc(next))
    }
}

/// A limit on what the router may spend in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendCap {
    /// The alias it limits; `None` = every call the router serves.
    pub alias: Option<String>,
    pub period: CapPeriod,
    pub usd: Decimal,
}

/// A call refused because a cap is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapReached {
    pub cap: SpendCap,
    pub spent: Decimal,
    pub resets_at: DateTime<Utc>,
    /// Until the period ends (for the `retry-after` header).
    pub retry_after: Duration,
}

impl std::fmt::Display for CapReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whom = match &self.cap.alias {
            Some(a) => format!("for `{a}`"),
            None => "of this router".to_owned(),
        };
        write!(
            f,
            "the {} spend cap {whom} (${}) is reached: ${} spent. It resets at {} UTC; raise it with --cap{} or wait",
            self.cap.period.adjective(),
            self.cap.usd.normalize(),
            self.spent.round_dp(6).normalize(),
            self.resets_at.format("%Y-%m-%d %H:%M"),
            match self.cap.period {
                CapPeriod::Day => "-day",
                CapPeriod::Month => "-month",
            },
        )
    }
}

/// What was spent, per alias, in the current day and month; shared by every request.
#[derive(Clone, Default)]
pub struct Spend {
    caps: Arc<[SpendCap]>,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// (period, period start) → alias → USD.
    spent: HashMap<(CapPeriod, DateTime<Utc>), HashMap<String, Decimal>>,
}

impl std::fmt::Debug for Spend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spend").field("caps", &self.caps).finish()
    }
}

impl Spend {
    /// Caps with nothing spent yet.
    pub fn new(caps: Vec<SpendCap>) -> Self {
        Self {
            caps: caps.into(),
            state: Arc::default(),
        }
    }

    /// Caps seeded with what was already spent this UTC day and this UTC month, by alias
    /// (from [`switchboard_core::history::History::router_spend_since`]).
    pub fn seeded(
        caps: Vec<SpendCap>,
        today: impl IntoIterator<Item = (String, Decimal)>,
        this_month: impl IntoIterator<Item = (String, Decimal)>,
        now: DateTime<Utc>,
    ) -> Self {
        let spend = Self::new(caps);
        {
            let mut st = spend.lock();
            for (period, seed) in [
                (CapPeriod::Day, today.into_iter().collect::<Vec<_>>()),
                (CapPeriod::Month, this_month.into_iter().collect()),
            ] {
                let slot = st.spent.entry((period, period.bounds(now).0)).or_default();
                for (alias, usd) in seed {
                    *slot.entry(alias).or_default() += usd;
                }
            }
        }
        spend
    }

    /// Caps seeded from `history` with what calls through the router already spent this
    /// UTC day and month, so a restart does not reset a cap (the history is not read
    /// when there are no caps).
    pub fn from_history(
        caps: Vec<SpendCap>,
        history: &History,
        now: DateTime<Utc>,
    ) -> Result<Self, HistoryError> {
        if caps.is_empty() {
            return Ok(Self::new(caps));
        }
        let today = history.router_spend_since(CapPeriod::Day.bounds(now).0)?;
        let this_month = history.router_spend_since(CapPeriod::Month.bounds(now).0)?;
        Ok(Self::seeded(caps, today, this_month, now))
    }

    pub fn caps(&self) -> &[SpendCap] {
        &self.caps
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Err` when a cap that applies to `alias` is reached.
    pub fn check(&self, alias: &str, now: DateTime<Utc>) -> Result<(), CapReached> {
        if self.caps.is_empty() {
            return Ok(());
        }
        let st = self.lock();
        for cap in self.caps.iter() {
            if cap.alias.as_deref().is_some_and(|a| a != alias) {
                continue;
            }
            let (start, next) = cap.period.bounds(now);
            let spent = st
                .spent
                .get(&(cap.period, start))
                .map_or(Decimal::ZERO, |m| match &cap.alias {
                    Some(a) => m.get(a).copied().unwrap_or_default(),
                    None => m.values().copied().sum(),
                });
            if spent >= cap.usd {
                return Err(CapReached {
                    cap: cap.clone(),
                    spent,
                    resets_at: next,
                    retry_after: (next - now).to_std().unwrap_or_default(),
                });
            }
        }
        Ok(())
    }

    /// Adds a finished call's cost.
    pub fn add(&self, alias: &str, usd: Decimal, now: DateTime<Utc>) {
        if self.caps.is_empty() || usd.is_zero() {
            return;
        }
        let mut st = self.lock();
        for period in [CapPeriod::Day, CapPeriod::Month] {
            let start = period.bounds(now).0;
            // Old periods are never read again.
            st.spent.retain(|(p, s), _| *p != period || *s == start);
            *st.spent
                .entry((period, start))
                .or_default()
                .entry(alias.to_owned())
                .or_default() += usd;
        }
    }

    /// Each cap with what was spent against it so far in its period.
    pub fn status(&self, now: DateTime<Utc>) -> Vec<(SpendCap, Decimal)> {
        let st = self.lock();
        self.caps
            .iter()
            .map(|cap| {
                let start = cap.period.bounds(now).0;
                let spent =
                    st.spent
                        .get(&(cap.period, start))
                        .map_or(Decimal::ZERO, |m| match &cap.alias {
                            Some(a) => m.get(a).copied().unwrap_or_default(),
                            None => m.values().copied().sum(),
                        });
                (cap.clone(), spent)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn usd(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_daily_cap_per_alias_refuses_once_reached_and_resets_at_midnight_utc() {
        let spend = Spend::new(vec![SpendCap {
            alias: Some("chat".into()),
            period: CapPeriod::Day,
            usd: usd("1.00"),
        }]);
        let noon = at("2026-11-22T12:00:00Z");
        spend.add("chat", usd("0.60"), noon);
        assert!(spend.check("chat", noon).is_ok());
        spend.add("chat", usd("0.45"), noon);
        let hit = spend.check("chat", noon).unwrap_err();
        assert_eq!(hit.spent, usd("1.05"));
        assert_eq!(hit.resets_at, at("2026-11-23T00:00:00Z"));
        assert_eq!(hit.retry_after, Duration::from_secs(12 * 3600));
        let msg = hit.to_string();
        assert!(msg.contains("daily spend cap for `chat` ($1)"), "{msg}");
        assert!(msg.contains("$1.05 spent"), "{msg}");
        // Other aliases are not limited by it; the next day starts at zero.
        assert!(spend.check("other", noon).is_ok());
        assert!(spend.check("chat", at("2026-11-23T00:00:01Z")).is_ok());
    }

    #[test]
    fn an_overall_monthly_cap_counts_every_alias_and_the_seed() {
        let now = at("2026-11-22T12:00:00Z");
        let spend = Spend::seeded(
            vec![SpendCap {
                alias: None,
                period: CapPeriod::Month,
                usd: usd("5"),
            }],
            [],
            [("a".to_owned(), usd("3"))],
            now,
        );
        assert!(spend.check("b", now).is_ok());
        spend.add("b", usd("2"), now);
        let hit = spend.check("b", now).unwrap_err();
        assert_eq!(hit.spent, usd("5"));
        assert_eq!(hit.resets_at, at("2026-12-01T00:00:00Z"));
        assert_eq!(spend.status(now)[0].1, usd("5"));
    }

    #[test]
    fn december_rolls_over_to_january() {
        let (start, next) = CapPeriod::Month.bounds(at("2026-12-31T23:59:59Z"));
        assert_eq!(start, at("2026-12-01T00:00:00Z"));
        assert_eq!(next, at("2027-01-01T00:00:00Z"));
    }
}
