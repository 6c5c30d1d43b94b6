//! A school week, Monday to Sunday, named by its Monday.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// A week named by its Monday (`2020-04-13`). Any date in the week parses to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week(NaiveDate);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeekError {
    #[error("`{0}` is not a week: give a date as YYYY-MM-DD, e.g. 2020-04-13")]
    NotADate(String),
    #[error("`{0}` is outside the years {FIRST_YEAR} to {LAST_YEAR}")]
    OutOfRange(String),
}

/// The earliest and latest years a week may be in: any school's, and far from the edges of
/// date arithmetic.
pub const FIRST_YEAR: i32 = 1970;

impl WeekError {
    /// The message in Spanish.
    pub fn spanish(&self) -> String {
        match self {
            WeekError::NotADate(v) => {
                format!(
                    "`{v}` no es una semana: escriba una fecha como AAAA-MM-DD, p. ej. 2020-04-13"
                )
            }
            WeekError::OutOfRange(v) => {
                format!("`{v}` está fuera de los años {FIRST_YEAR} a {LAST_YEAR}")
            }
        }
    }
}
pub const LAST_YEAR: i32 = 9998;

impl Week {
    pub fn containing(date: NaiveDate) -> Week {
        Week(date - Duration::days(date.weekday().num_days_from_monday() as i64))
    }

    pub fn monday(self) -> NaiveDate {
        self.0
    }

    pub fn day(self, weekday: Weekday) -> NaiveDate {
        self.0 + Duration::days(weekday.num_days_from_monday() as i64)
    }

    /// The instants the week spans in `tz`: Monday's midnight to the next Monday's.
    pub fn window(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_midnight(self.0, tz),
            local_midnight(self.0 + Duration::days(7), tz),
        )
    }

    /// Whole weeks from `self` to `other` (negative when `other` is earlier).
    pub fn weeks_until(self, other: Week) -> i64 {
        (other.0 - self.0).num_days() / 7
    }
}

/// A date a person gives (`2020-04-13`), within [`FIRST_YEAR`] to [`LAST_YEAR`]: weeks, feed
/// windows, the API's `from` and `to`, due dates. Every such date is read here, so none can be
/// far enough out for date arithmetic to overflow.
pub fn parse_date(s: &str) -> Result<NaiveDate, WeekError> {
    let date = match iso_date(s.trim()) {
        Some(date) => date,
        None => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| WeekError::NotADate(s.to_string()))?,
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return Err(WeekError::OutOfRange(s.trim().to_string()));
    }
    Ok(date)
}

/// `YYYY-MM-DD` exactly, as every link and feed URL writes it, read without chrono's general
/// format parser (which was a tenth of a feed revalidation's work); anything else, an
/// impossible date included, is left to that parser.
fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..])?)
}

/// The instant a local day begins in `tz` (the first one, should midnight repeat; the moment
/// after the gap, should it not exist).
pub fn local_midnight(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    super::WallTime::of(&tz, &naive)
        .earliest()
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

impl FromStr for Week {
    type Err = WeekError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_date(s).map(Week::containing)
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_day_names_its_monday() {
        let w: Week = "2020-04-16".parse().unwrap();
        assert_eq!(w.to_string(), "2020-04-13");
        assert_eq!(w.day(Weekday::Fri).to_string(), "2020-04-17");
        assert!("2020-13-01".parse::<Week>().is_err());
        assert!("next week".parse::<Week>().is_err());
        assert!("0001-01-01".parse::<Week>().is_err());
    }

    /// The quick reading of `YYYY-MM-DD` agrees with chrono's, and leaves it what it cannot read.
    #[test]
    fn an_iso_date_reads_as_chrono_reads_it() {
        for s in [
            "2020-04-13",
            "2024-02-29",
            "2023-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020-4-13",
            "20-04-2013",
            "2020/04/13",
            "2020-04-1x",
            "+202-04-13",
            " 2020-04-13 ",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
            if let Some(quick) = iso_date(s.trim()) {
                assert_eq!(Some(quick), chrono, "{s:?}");
            }
            assert_eq!(
                parse_date(s).ok(),
                chrono.filter(|d| d.year() >= FIRST_YEAR),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_week_spans_local_midnights_even_across_dst() {
        let w: Week = "2020-03-02".parse().unwrap();
        let (from, to) = w.window(chrono_tz::America::Los_Angeles);
        assert_eq!(from.to_rfc3339(), "2020-03-02T08:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2020-03-09T07:00:00+00:00");
    }

    #[test]
    fn weeks_between_two_weeks() {
        let a: Week = "2020-04-13".parse().unwrap();
        let b: Week = "2026-11-23".parse().unwrap();
        assert_eq!(a.weeks_until(b), 345);
        assert_eq!(b.weeks_until(a), -345);
    }
}
