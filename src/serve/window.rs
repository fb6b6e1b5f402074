//! The collection window (report.yaml's `collection:`): whether the
//! service takes uploads and sign-offs today, and how pages say it. Dates
//! are UTC calendar days: a window "closes" at the end of its day.

use crate::config::{Collection, Date};
use serde_json::{Value, json};

/// Where today stands in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Before `opens`.
    NotOpen(Date),
    /// Open (no dates, or between them).
    Open,
    /// After `closes`.
    Closed(Date),
}

/// The calendar day (UTC) of a time in seconds since 1970.
pub(super) fn day_of(t: i64) -> Date {
    let (y, m, d) = crate::format::civil_date(t.div_euclid(86_400));
    Date {
        year: y as i32,
        month: m as u8,
        day: d as u8,
    }
}

pub(super) fn phase(c: &Collection, now: i64) -> Phase {
    let today = day_of(now);
    match (c.opens, c.closes) {
        (Some(o), _) if today < o => Phase::NotOpen(o),
        (_, Some(x)) if today > x => Phase::Closed(x),
        _ => Phase::Open,
    }
}

/// Signed off after the due date (a day later or more).
pub(super) fn late(c: &Collection, signed_at: i64) -> bool {
    c.due.is_some_and(|due| day_of(signed_at) > due)
}

/// Past the due date and not signed off.
pub(super) fn overdue(c: &Collection, now: i64) -> bool {
    c.due.is_some_and(|due| day_of(now) > due)
}

/// Why an upload or a sign-off is not taken today, if it is not: `None`
/// inside the window, and for a return the team reopened (its correction
/// is asked for, whatever the date).
pub(super) fn refusal(c: &Collection, now: i64, reopened: bool) -> Option<String> {
    match phase(c, now) {
        Phase::Open => None,
        _ if reopened => None,
        Phase::NotOpen(o) => Some(format!(
            "the collection opens on {}; you can upload and sign off from then",
            long(o)
        )),
        Phase::Closed(x) => Some(format!(
            "the collection closed on {}; to send a return now, contact the national programme team",
            long(x)
        )),
    }
}

/// `30 June 2026`.
pub(super) fn long(d: Date) -> String {
    d.long()
}

/// What every page is told of the window.
pub(super) fn view(c: &Collection, now: i64) -> Value {
    json!({
        "opens": c.opens.map(long),
        "due": c.due.map(long),
        "closes": c.closes.map(long),
        "phase": match phase(c, now) {
            Phase::NotOpen(_) => "not_open",
            Phase::Open => "open",
            Phase::Closed(_) => "closed",
        },
        "overdue": overdue(c, now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<Date> {
        Date::parse(s)
    }

    /// 2026-06-30 00:00 UTC and the last second of that day.
    const START_30_JUNE: i64 = 1_782_777_600;

    #[test]
    fn the_window_is_whole_days() {
        assert_eq!(day_of(START_30_JUNE), d("2026-06-30").unwrap());
        assert_eq!(day_of(START_30_JUNE + 86_399), d("2026-06-30").unwrap());
        let c = Collection {
            opens: d("2026-04-01"),
            due: d("2026-06-30"),
            closes: d("2026-07-31"),
        };
        // The due day itself is on time; the next day is late.
        assert!(!late(&c, START_30_JUNE + 86_399));
        assert!(late(&c, START_30_JUNE + 86_400));
        assert_eq!(phase(&c, START_30_JUNE), Phase::Open);
        assert_eq!(
            phase(&c, START_30_JUNE - 100 * 86_400),
            Phase::NotOpen(d("2026-04-01").unwrap())
        );
        // Closed from the day after `closes` (31 July is day +31).
        assert_eq!(phase(&c, START_30_JUNE + 31 * 86_400), Phase::Open);
        assert_eq!(
            phase(&c, START_30_JUNE + 32 * 86_400),
            Phase::Closed(d("2026-07-31").unwrap())
        );
        assert!(refusal(&c, START_30_JUNE + 32 * 86_400, false).is_some());
        assert!(refusal(&c, START_30_JUNE + 32 * 86_400, true).is_none());
        assert_eq!(long(d("2026-06-30").unwrap()), "30 June 2026");
        // No dates: always open, never late.
        let none = Collection::default();
        assert_eq!(phase(&none, 0), Phase::Open);
        assert!(!late(&none, i64::MAX / 2));
    }
}
