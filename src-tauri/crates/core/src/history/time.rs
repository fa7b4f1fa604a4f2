//! Times as the database keeps them: RFC 3339 UTC with milliseconds, fixed width, so
//! text order is time order.

use chrono::{DateTime, Local, NaiveDate, SecondsFormat, TimeZone, Utc};

use super::HistoryError;

pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now() -> String {
    format(Utc::now())
}

pub fn days_ago(days: i64) -> String {
    format(Utc::now() - chrono::Duration::days(days))
}

pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `YYYY-MM-DD` from the user.
pub fn parse_day(s: &str) -> Result<NaiveDate, HistoryError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| HistoryError::BadDate(s.into()))
}

/// The instant local `day` begins, as stored text. A midnight that does not exist
/// (a DST jump) is taken at the earliest valid instant after it.
pub fn local_day_start<Tz: TimeZone>(tz: &Tz, day: NaiveDate) -> String {
    let mut t = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return format(dt.with_timezone(&Utc));
        }
        t += chrono::Duration::hours(1);
    }
    format(t.and_utc())
}

/// `[from, to)` bounds of the inclusive local-date range the user gave.
pub fn local_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<String>, Option<String>), HistoryError> {
    let start = from
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_day(s).map(|d| local_day_start(&Local, d)))
        .transpose()?;
    let end = to
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_day(s).map(|d| local_day_start(&Local, d.succ_opt().unwrap_or(d))))
        .transpose()?;
    Ok((start, end))
}
