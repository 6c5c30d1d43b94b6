//! Wall-clock time in a zone, and the one set of rules for turning it into instants: a time
//! the clocks skip stands for none, a time they repeat for two, earliest first.
//!
//! Every reader of local times (the XMLTV, TVSS and CSV parsers, the demo week's move to the
//! current week, local midnights) goes through [`WallTime`], so the repeated hour of the night
//! the clocks go back is read the same way everywhere: as its first occurrence, unless what
//! comes before says otherwise (an end after its start, a listing after the one before it).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// The instants a wall-clock time stands for in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallTime {
    Once(DateTime<Utc>),
    /// The clocks go back over it: the earlier and the later instant.
    Twice(DateTime<Utc>, DateTime<Utc>),
    /// The clocks go forward over it.
    Skipped,
}

impl WallTime {
    pub fn of<Z: TimeZone>(zone: &Z, local: &NaiveDateTime) -> WallTime {
        match zone.from_local_datetime(local) {
            chrono::LocalResult::Single(t) => WallTime::Once(t.with_timezone(&Utc)),
            chrono::LocalResult::Ambiguous(a, b) => {
                WallTime::Twice(a.with_timezone(&Utc), b.with_timezone(&Utc))
            }
            chrono::LocalResult::None => WallTime::Skipped,
        }
    }

    /// The rule when nothing else tells: the first occurrence.
    pub fn earliest(self) -> Option<DateTime<Utc>> {
        match self {
            WallTime::Once(t) | WallTime::Twice(t, _) => Some(t),
            WallTime::Skipped => None,
        }
    }

    /// The first occurrence after `t` (an end after its start), else the last one.
    pub fn after(self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            WallTime::Once(x) => Some(x),
            WallTime::Twice(a, b) => Some(if a > t { a } else { b }),
            WallTime::Skipped => None,
        }
    }

    /// Every instant it stands for, earliest first.
    pub fn instants(self) -> Vec<DateTime<Utc>> {
        match self {
            WallTime::Once(t) => vec![t],
            WallTime::Twice(a, b) => vec![a, b],
            WallTime::Skipped => Vec::new(),
        }
    }

    pub fn is_repeated(self) -> bool {
        matches!(self, WallTime::Twice(..))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::America::Los_Angeles as LA;

    fn local(d: &str, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn the_repeated_hour_is_its_first_occurrence_unless_an_earlier_time_says_otherwise() {
        let w = WallTime::of(&LA, &local("2020-11-01", 1, 30));
        let (first, second) = match w {
            WallTime::Twice(a, b) => (a, b),
            other => panic!("{other:?}"),
        };
        assert_eq!(first.to_rfc3339(), "2020-11-01T08:30:00+00:00");
        assert_eq!(second.to_rfc3339(), "2020-11-01T09:30:00+00:00");
        assert_eq!(w.earliest(), Some(first));
        assert_eq!(w.after(first), Some(second));
        assert_eq!(w.instants(), vec![first, second]);
        assert!(w.is_repeated());
    }

    #[test]
    fn a_skipped_time_stands_for_no_instant() {
        let w = WallTime::of(&LA, &local("2020-03-08", 2, 30));
        assert_eq!(w, WallTime::Skipped);
        assert_eq!(w.earliest(), None);
        assert!(w.instants().is_empty());
        let w = WallTime::of(&LA, &local("2020-04-13", 9, 0));
        assert_eq!(
            w.earliest().map(|t| t.to_rfc3339()).as_deref(),
            Some("2020-04-13T16:00:00+00:00")
        );
    }
}
