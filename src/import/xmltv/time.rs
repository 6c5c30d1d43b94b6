//! XMLTV times (`YYYYMMDDhhmmss ±zone` and their truncated forms) and the zone each is written in.

use super::super::zone::{self};
use crate::domain::WallTime;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// What an XMLTV time says about the zone it was written in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Written {
    /// No zone: UTC by the DTD, and no evidence of the station's zone.
    Bare,
    /// A UTC offset, written as digits or as an abbreviation (`BST`).
    Offset(i32),
    /// An IANA zone name.
    Zone(Tz),
}

/// An XMLTV time: `YYYYMMDDhhmmss` or a leading part of it (down to `YYYY`; missing parts are
/// the start of the period), optionally followed by a zone: `+HHMM`, `-HH:MM`, `-HH`, `Z`, an
/// abbreviation the zone database knows (`UTC`, `GMT`, `BST`, `CEST`, `PST`, `EDT`) or an IANA
/// name (`America/Los_Angeles`, local time there). No zone means UTC. The error says, quoting
/// `value`, what is wrong.
#[cfg(test)]
pub(super) fn parse_time(value: &str) -> Result<DateTime<Utc>, String> {
    parse_time_written(value).map(|(t, _)| t)
}

/// [`parse_time`], with what the time says about its zone.
pub(super) fn parse_time_written(value: &str) -> Result<(DateTime<Utc>, Written), String> {
    let text = value.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (stamp, zone) = text.split_at(digits);
    if !matches!(digits, 4 | 6 | 8 | 10 | 12 | 14) {
        return Err(format!(
            "\"{value}\" is not an XMLTV time: expected YYYYMMDDhhmmss (or its first digits, \
             at least YYYY), optionally followed by a zone such as +0000"
        ));
    }
    let b = stamp.as_bytes();
    let two = |i: usize, missing: u32| -> u32 {
        if i + 2 <= b.len() {
            u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0')
        } else {
            missing
        }
    };
    let year = (two(0, 0) * 100 + two(2, 0)) as i32;
    let (month, day) = (two(4, 1), two(6, 1));
    let (hour, minute, second) = (two(8, 0), two(10, 0), two(12, 0));
    if !(1..=12).contains(&month) {
        return Err(format!(
            "\"{value}\" is not a real date: there is no month {month:02}"
        ));
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        format!("\"{value}\" is not a real date: {year:04}-{month:02} has no day {day:02}")
    })?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!(
            "\"{value}\" is not a real time of day: {hour:02}:{minute:02}:{second:02}"
        ));
    }
    let local = date
        .and_hms_opt(hour, minute, second)
        .ok_or_else(|| format!("\"{value}\" is not a real time of day"))?;

    let zone = zone.trim();
    if zone.is_empty() {
        return Ok((local.and_utc(), Written::Bare));
    }
    let seconds = if zone.starts_with(['+', '-']) {
        Some(
            parse_offset(zone)
                .ok_or_else(|| {
                    format!(
                        "\"{value}\": \"{zone}\" is not a valid offset from UTC (write +HHMM, \
                         -HH:MM or -HH with hours below 24 and minutes below 60, e.g. -0800)"
                    )
                })?
                .local_minus_utc(),
        )
    } else {
        zone::abbreviation_offset(zone)
    };
    if let Some(seconds) = seconds {
        let offset = FixedOffset::east_opt(seconds)
            .ok_or_else(|| format!("\"{value}\": bad zone \"{zone}\""))?;
        let at = local_in(&offset, &local, value, zone)?;
        return Ok((at, Written::Offset(seconds)));
    }
    let tz: Tz = zone.parse().map_err(|_| {
        format!(
            "\"{value}\": \"{zone}\" is not a time zone (write an offset such as +0100, an \
             abbreviation such as BST or EST, or a zone such as Europe/London)"
        )
    })?;
    Ok((local_in(&tz, &local, value, zone)?, Written::Zone(tz)))
}

/// `+HHMM`, `-HHMM`, `±HH:MM` or the ISO 8601 `±HH`.
pub(super) fn parse_offset(zone: &str) -> Option<FixedOffset> {
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let body = &zone[1..];
    let digits = match body.len() {
        2 => format!("{body}00"),
        5 if body.as_bytes()[2] == b':' => body.replacen(':', "", 1),
        _ => body.to_string(),
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The instant of wall-clock time `local` in `zone`: the earlier one when the clocks go back,
/// an error when they skip it.
pub(super) fn local_in<Z: TimeZone>(
    zone: &Z,
    local: &chrono::NaiveDateTime,
    value: &str,
    zone_text: &str,
) -> Result<DateTime<Utc>, String> {
    WallTime::of(zone, local).earliest().ok_or_else(|| {
        format!("\"{value}\": {local} does not exist in {zone_text} (the clocks skip that time)")
    })
}
