//! One broadcast of an episode on a channel.

use super::GradeSet;
use chrono::{DateTime, Utc};

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
    pub title: String,
    pub title_es: Option<String>,
    pub episode_title: Option<String>,
    pub episode_title_es: Option<String>,
    pub description: Option<String>,
    pub description_es: Option<String>,
    pub series_key: String,
    pub episode_key: Option<String>,
    pub grades: GradeSet,
    pub captions: bool,
    pub spanish_audio: bool,
    pub status: AiringStatus,
    /// Grows by one each time an import changes the airing (iCalendar `SEQUENCE`).
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    /// The station's IANA time zone, e.g. `America/Los_Angeles`.
    pub tz: String,
}
