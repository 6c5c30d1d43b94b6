//! A `VTIMEZONE` for the feed's zone, in the yearly `RRULE` form every client accepts (Outlook
//! refuses `RDATE` lists), derived from the zone database's rules for a given year.
//!
//! Event times stay in UTC, so no event depends on it: it tells clients which zone the calendar
//! lives in, next to `X-WR-TIMEZONE`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetName, Tz};

/// One change of offset: when (UTC), from which offset to which (seconds east of UTC), and the
/// zone's abbreviation after it.
struct Transition {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
    name: Option<String>,
}

fn offset_at(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

fn transitions(tz: Tz, year: i32) -> Vec<Transition> {
    let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut t = Utc.from_utc_datetime(&start);
    let end = t + Duration::days(366);
    let mut prev = offset_at(tz, t);
    // Hour steps find every change of the year; zone changes happen on the hour or half hour,
    // so the quarter-hour search below pins it down.
    while t < end {
        let next = t + Duration::hours(1);
        let off = offset_at(tz, next);
        if off != prev {
            let mut at = t;
            while offset_at(tz, at) == prev {
                at += Duration::minutes(15);
            }
            let name = tz
                .offset_from_utc_datetime(&at.naive_utc())
                .abbreviation()
                .map(str::to_string);
            out.push(Transition {
                at,
                from: prev,
                to: off,
                name,
            });
            prev = off;
        }
        t = next;
    }
    out
}

fn fmt_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

/// The `n`th `weekday` of `month` in `year`; `n = -1` for the last.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: i32) -> Option<NaiveDate> {
    if n > 0 {
        NaiveDate::from_weekday_of_month_opt(year, month, weekday, n as u8)
    } else {
        (1..=5)
            .rev()
            .find_map(|k| NaiveDate::from_weekday_of_month_opt(year, month, weekday, k))
    }
}

/// The `VTIMEZONE` text (CRLF lines) for `tz` with the rules in force in `year`.
pub fn vtimezone(tz: Tz, year: i32) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let found = transitions(tz, year);
    if found.is_empty() {
        let at = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| Utc.from_utc_datetime(&n))
            .unwrap_or_default();
        let off = fmt_offset(offset_at(tz, at));
        out.push_str(&format!(
            "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{off}\r\nTZOFFSETTO:{off}\r\nEND:STANDARD\r\n"
        ));
    }
    for tr in found {
        // The onset in the local time in force before it, as RFC 5545 wants.
        let local = tr.at.naive_utc() + Duration::seconds(tr.from as i64);
        let day = local.date();
        let weekday = day.weekday();
        let n = ((day.day() - 1) / 7 + 1) as i32;
        let last = day + Duration::days(7);
        let n = if last.month() != day.month() && n >= 4 {
            -1
        } else {
            n
        };
        let first = nth_weekday(1970, day.month(), weekday, n).unwrap_or(day);
        let kind = if tr.to > tr.from {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        let byday = format!("{}{}", n, &weekday.to_string()[..2].to_ascii_uppercase());
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}T{}\r\nRRULE:FREQ=YEARLY;BYMONTH={};BYDAY={byday}\r\n\
             TZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            first.format("%Y%m%d"),
            local.format("%H%M%S"),
            day.month(),
            fmt_offset(tr.from),
            fmt_offset(tr.to),
        ));
        if let Some(name) = tr
            .name
            .filter(|n| n.chars().all(|c| c.is_ascii_alphabetic()))
        {
            out.push_str(&format!("TZNAME:{name}\r\n"));
        }
        out.push_str(&format!("END:{kind}\r\n"));
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn los_angeles_springs_forward_on_the_second_sunday_of_march() {
        let v = vtimezone(chrono_tz::America::Los_Angeles, 2026);
        assert!(v.contains("TZID:America/Los_Angeles\r\n"));
        assert!(v.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n\
             TZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nTZNAME:PDT\r\nEND:DAYLIGHT\r\n"
        ), "{v}");
        assert!(v.contains(
            "BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n\
             TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nTZNAME:PST\r\nEND:STANDARD\r\n"
        ), "{v}");
    }

    #[test]
    fn a_zone_without_summer_time_has_one_standard_part() {
        let v = vtimezone(chrono_tz::America::Phoenix, 2026);
        assert!(
            v.contains("TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0700\r\n"),
            "{v}"
        );
        assert!(!v.contains("DAYLIGHT"));
    }

    #[test]
    fn last_sunday_rules_say_so() {
        let v = vtimezone(chrono_tz::Europe::London, 2026);
        assert!(v.contains("BYMONTH=3;BYDAY=-1SU"), "{v}");
        assert!(v.contains("BYMONTH=10;BYDAY=-1SU"), "{v}");
    }
}
