//! One broadcast of an episode on a channel.

use super::GradeSet;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Whether an airing is still in its source's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiringStatus {
    Scheduled,
    /// It disappeared from its source on a re-import; kept so that work linked to it survives.
    Removed,
}

impl AiringStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AiringStatus::Scheduled => "scheduled",
            AiringStatus::Removed => "removed",
        }
    }
}

/// What a schedule says of a programme, the same from the source's programme through the
/// airing to store to the stored airing: its titles and description in English and (when the
/// source has them) Spanish, the grades it is for, and how it can be watched.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Details {
    pub title: String,
    pub title_es: Option<String>,
    pub episode_title: Option<String>,
    pub episode_title_es: Option<String>,
    pub description: Option<String>,
    pub description_es: Option<String>,
    /// The source's own grades (a category such as "Grades 4-8", a CSV `grades` column), then
    /// once stored, the grades the rules give it too.
    pub grades: GradeSet,
    pub captions: bool,
    pub spanish_audio: bool,
}

/// An airing as the rest of the program sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Airing {
    pub id: i64,
    pub station: String,
    pub channel: String,
    pub channel_name: Option<String>,
    pub start: DateTime<Utc>,
    /// `None` when the source gave no end and nothing followed it on the channel.
    pub end: Option<DateTime<Utc>>,
    pub details: Details,
    pub series_key: String,
    pub episode_key: Option<String>,
    pub status: AiringStatus,
    /// Grows by one each time an import changes the airing (iCalendar `SEQUENCE`).
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    /// The station's IANA time zone, e.g. `America/Los_Angeles`.
    pub tz: String,
}

impl Airing {
    /// The station's zone: every local time of this airing is printed in it (`fallback` only if
    /// the stored name is not a zone).
    pub fn zone(&self, fallback: Tz) -> Tz {
        self.tz.parse().unwrap_or(fallback)
    }
}

/// The zone most of `airings` are in (their stations'), for a calendar that holds them all;
/// `fallback` when there are none.
pub fn common_zone(airings: &[Airing], fallback: Tz) -> Tz {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for a in airings {
        match counts.iter_mut().find(|(z, _)| *z == a.tz) {
            Some((_, n)) => *n += 1,
            None => counts.push((&a.tz, 1)),
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .and_then(|(z, _)| z.parse().ok())
        .unwrap_or(fallback)
}
