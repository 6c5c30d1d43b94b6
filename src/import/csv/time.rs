//! Dates, clock times, offsets and lengths as station spreadsheets write them.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};

/// A date and time as written: local, or with its own offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stamp {
    Local(NaiveDateTime),
    Fixed(DateTime<FixedOffset>),
}

/// A whole number of `min..=max` ASCII digits.
pub(super) fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if !(min..=max).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `2020-04-13`, `4/13/2020`, `4/13/20`, `2020/04/13`, `20200413`.
pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
    let (y, m, d) = if s.contains('-') {
        let mut it = s.split('-');
        let ymd = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        (
            number(ymd.0, 4, 4)?,
            number(ymd.1, 1, 2)?,
            number(ymd.2, 1, 2)?,
        )
    } else if s.contains('/') {
        let mut it = s.split('/');
        let (a, b, c) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        if a.len() == 4 {
            (number(a, 4, 4)?, number(b, 1, 2)?, number(c, 1, 2)?)
        } else {
            let year = match c.len() {
                2 => 2000 + number(c, 2, 2)?,
                _ => number(c, 4, 4)?,
            };
            (year, number(a, 1, 2)?, number(b, 1, 2)?)
        }
    } else {
        let ymd = number(s, 8, 8)?;
        (ymd / 10000, ymd / 100 % 100, ymd % 100)
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// `9:00`, `09:00:30`, `9:00 AM`, `12:30pm`, `09:00-07:00`, `16:00:00Z`: a time of day and, if
/// written, its offset from UTC.
pub(super) fn parse_clock(s: &str) -> Option<(NaiveTime, Option<FixedOffset>)> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(s.len());
    let (clock, rest) = s.split_at(split);
    let mut parts = clock.split(':');
    let hour = number(parts.next()?, 1, 2)?;
    let minute = number(parts.next()?, 2, 2)?;
    let second = match parts.next() {
        None => 0,
        Some(p) => {
            let (whole, fraction) = p.split_once('.').unwrap_or((p, "0"));
            number(fraction, 1, 9)?;
            number(whole, 2, 2)?
        }
    };
    if parts.next().is_some() {
        return None;
    }
    let rest = rest.trim();
    let (hour, offset) = if rest.is_empty() {
        (hour, None)
    } else if let Some(pm) = meridiem(rest) {
        if !(1..=12).contains(&hour) {
            return None;
        }
        (hour % 12 + if pm { 12 } else { 0 }, None)
    } else {
        (hour, Some(parse_offset(rest)?))
    };
    Some((NaiveTime::from_hms_opt(hour, minute, second)?, offset))
}

/// `AM`, `pm`, `a.m.` → whether it is after noon.
pub(super) fn meridiem(s: &str) -> Option<bool> {
    let letters: String = s
        .chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match letters.as_str() {
        "am" | "a" => Some(false),
        "pm" | "p" => Some(true),
        _ => None,
    }
}

/// `Z`, `UTC`, `+02:00`, `-0700`, `-07`.
pub(super) fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("gmt")
    {
        return FixedOffset::east_opt(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &s[1..];
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (number(h, 2, 2)?, number(m, 2, 2)?),
        None if body.len() == 4 && body.is_ascii() => {
            (number(&body[..2], 2, 2)?, number(&body[2..], 2, 2)?)
        }
        None => (number(body, 2, 2)?, 0),
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * i32::try_from(h * 3600 + m * 60).ok()?)
}

/// A date, then `T` or spaces, then a time (see [`parse_clock`]).
pub(super) fn parse_stamp(s: &str) -> Option<Stamp> {
    let s = s.trim();
    let (split, separator) = s
        .char_indices()
        .find(|&(_, c)| c == 'T' || c == 't' || c.is_whitespace())?;
    let date = parse_date(&s[..split])?;
    let (time, offset) = parse_clock(&s[split + separator.len_utf8()..])?;
    let local = date.and_time(time);
    Some(match offset {
        None => Stamp::Local(local),
        Some(offset) => Stamp::Fixed(offset.from_local_datetime(&local).single()?),
    })
}

/// `30` (minutes), `1:30` (h:mm) or `00:30:00` (hh:mm:ss).
pub(super) fn parse_duration(s: &str) -> Option<TimeDelta> {
    let mut parts = s.split(':');
    let first = parts.next()?;
    let seconds = match (parts.next(), parts.next(), parts.next()) {
        (None, _, _) => i64::from(number(first, 1, 6)?) * 60,
        (Some(m), None, _) => {
            let m = number(m, 2, 2).filter(|m| *m < 60)?;
            i64::from(number(first, 1, 3)?) * 3600 + i64::from(m) * 60
        }
        (Some(m), Some(sec), None) => {
            let m = number(m, 2, 2).filter(|m| *m < 60)?;
            let sec = number(sec, 2, 2).filter(|s| *s < 60)?;
            i64::from(number(first, 1, 3)?) * 3600 + i64::from(m) * 60 + i64::from(sec)
        }
        _ => return None,
    };
    TimeDelta::try_seconds(seconds)
}
