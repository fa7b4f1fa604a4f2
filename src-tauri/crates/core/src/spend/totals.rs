//! The tallies the playground shows: today, this calendar month, and each model's share
//! of the month, in the user's local time.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, TimeZone};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use super::record::Ledger;

/// What was spent, in USD decimal strings. An unpriced answer adds nothing to a sum and
/// is counted instead, so the UI can say "$0.42 + 3 unpriced", never a false total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SpendTotals {
    /// Since local midnight.
    #[ts(type = "string")]
    pub today_usd: Decimal,
    /// Since the first of this month, local time.
    #[ts(type = "string")]
    pub month_usd: Decimal,
    /// This month's spend by model, the most expensive first.
    pub per_model: Vec<ModelSpend>,
    /// This month's answers from models without a price.
    pub unpriced_answers: u32,
    /// Lines of the ledger that could not be read (skipped, not fatal).
    pub skipped_lines: u32,
}

/// One model's share of this month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ModelSpend {
    /// `provider/model`.
    pub model: String,
    /// Spent this month: its priced answers (unpriced ones add nothing).
    #[ts(type = "string")]
    pub usd: Decimal,
    /// Answers this month, priced or not.
    pub answers: u32,
    /// Of those, the ones without a price.
    pub unpriced: u32,
}

impl SpendTotals {
    /// The tallies of `ledger` as of `now`; "today" and "this month" are taken in
    /// `now`'s time zone (`chrono::Local` in the app, a fixed offset in tests).
    pub fn of<Tz: TimeZone>(ledger: &Ledger, now: &DateTime<Tz>) -> Self {
        let tz = now.timezone();
        let today = now.date_naive();
        let mut totals = Self {
            skipped_lines: ledger.skipped,
            ..Self::default()
        };
        let mut models: BTreeMap<&str, ModelSpend> = BTreeMap::new();
        for r in &ledger.records {
            let day = r.at.with_timezone(&tz).date_naive();
            if (day.year(), day.month()) != (today.year(), today.month()) {
                continue;
            }
            let m = models.entry(&r.model).or_insert_with(|| ModelSpend {
                model: r.model.clone(),
                usd: Decimal::ZERO,
                answers: 0,
                unpriced: 0,
            });
            m.answers = m.answers.saturating_add(1);
            match r.usd {
                Some(usd) => {
                    m.usd += usd;
                    totals.month_usd += usd;
                    if day == today {
                        totals.today_usd += usd;
                    }
                }
                None => {
                    m.unpriced = m.unpriced.saturating_add(1);
                    totals.unpriced_answers = totals.unpriced_answers.saturating_add(1);
                }
            }
        }
        totals.today_usd = totals.today_usd.normalize();
        totals.month_usd = totals.month_usd.normalize();
        totals.per_model = models
            .into_values()
            .map(|m| ModelSpend {
                usd: m.usd.normalize(),
                ..m
            })
            .collect();
        // BTreeMap order is by model; a stable sort keeps it among equal amounts.
        totals.per_model.sort_by_key(|m| std::cmp::Reverse(m.usd));
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::answer_cost::CostSource;
    use crate::spend::SpendRecord;
    use chrono::{FixedOffset, Utc};

    fn rec(at: &str, model: &str, usd: Option<&str>) -> SpendRecord {
        SpendRecord {
            at: at.parse::<DateTime<Utc>>().unwrap(),
            model: model.into(),
            usd: usd.map(|u| u.parse().unwrap()),
            source: if usd.is_some() {
                CostSource::Computed
            } else {
                CostSource::Unpriced
            },
        }
    }

    fn ledger(records: Vec<SpendRecord>) -> Ledger {
        Ledger {
            records,
            skipped: 0,
        }
    }

    #[test]
    fn sums_are_exact_decimals() {
        // 0.1 + 0.2 is 0.30000000000000004 in floats; ten tiny costs sum exactly.
        let mut rs = vec![
            rec("2026-11-21T10:00:00Z", "a/x", Some("0.1")),
            rec("2026-11-21T10:01:00Z", "a/x", Some("0.2")),
        ];
        rs.extend((0..10).map(|_| rec("2026-11-21T10:02:00Z", "b/y", Some("0.000001"))));
        let now: DateTime<Utc> = "2026-11-21T12:00:00Z".parse().unwrap();
        let t = SpendTotals::of(&ledger(rs), &now);
        assert_eq!(t.today_usd.to_string(), "0.30001");
        assert_eq!(t.month_usd.to_string(), "0.30001");
        assert_eq!(t.per_model[0].usd.to_string(), "0.3");
        assert_eq!(t.per_model[1].usd.to_string(), "0.00001");
        assert_eq!(t.per_model[1].answers, 10);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["today_usd"], "0.30001");
        assert_eq!(json["per_model"][0]["usd"], "0.3");
    }

    #[test]
    fn today_and_this_month_are_local_time() {
        // UTC+05:30: local midnight of Nov 21 is 18:30 UTC on Nov 20, and the month
        // began at 18:30 UTC on Oct 31.
        let ist = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let now = ist.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        let rs = vec![
            rec("2026-11-20T18:29:59Z", "a/x", Some("1")), // Nov 20 23:59:59 local
            rec("2026-11-20T18:30:00Z", "a/x", Some("2")), // Nov 21 00:00 local: today
            rec("2026-10-31T18:29:59Z", "a/x", Some("4")), // Oct 31 local: last month
            rec("2026-10-31T18:30:00Z", "a/x", Some("8")), // Nov 1 local: this month
            rec("2025-11-21T03:00:00Z", "a/x", Some("16")), // a year ago, same month
        ];
        let t = SpendTotals::of(&ledger(rs), &now);
        assert_eq!(t.today_usd, Decimal::from(2));
        assert_eq!(t.month_usd, Decimal::from(11));
        assert_eq!(t.per_model[0].answers, 3);
    }

    #[test]
    fn unpriced_answers_are_counted_never_summed_and_models_sort_by_spend() {
        let now: DateTime<Utc> = "2026-11-21T12:00:00Z".parse().unwrap();
        let rs = vec![
            rec("2026-11-21T10:00:00Z", "cheap/a", Some("0.001")),
            rec("2026-11-21T10:00:00Z", "mystery/m", None),
            rec("2026-11-02T10:00:00Z", "mystery/m", None),
            rec("2026-11-21T10:00:00Z", "dear/b", Some("0.5")),
            rec("2026-11-21T10:00:00Z", "local/free", Some("0")),
        ];
        let t = SpendTotals::of(
            &Ledger {
                records: rs,
                skipped: 2,
            },
            &now,
        );
        assert_eq!(t.unpriced_answers, 2);
        assert_eq!(t.skipped_lines, 2);
        assert_eq!(t.today_usd.to_string(), "0.501");
        let order: Vec<_> = t.per_model.iter().map(|m| m.model.as_str()).collect();
        assert_eq!(order, ["dear/b", "cheap/a", "local/free", "mystery/m"]);
        let mystery = &t.per_model[3];
        assert_eq!((mystery.answers, mystery.unpriced), (2, 2));
        assert_eq!(mystery.usd, Decimal::ZERO);
        assert_eq!(
            serde_json::to_value(&t).unwrap()["per_model"][3]["usd"],
            "0"
        );
    }

    #[test]
    fn nothing_recorded_is_zero() {
        let t = SpendTotals::of(&Ledger::default(), &Utc::now());
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["today_usd"], "0");
        assert_eq!(json["per_model"], serde_json::json!([]));
    }
}
