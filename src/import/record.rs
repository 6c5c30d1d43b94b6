//! What every schedule format is turned into, and how parsers report problems.

use super::zone::ZoneHint;
use crate::domain::Details;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::sync::Arc;

/// One programme as a source describes it, already in UTC, before grade rules and identity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Programme {
    /// Line in the file where the programme starts (for JSON: the line of its listing object).
    pub line: u64,
    /// Station call sign, upper case (`KCET`). Shared: every programme of a channel has the
    /// same one (as have its channel and name).
    pub station: Arc<str>,
    /// Over-the-air channel number (`28.1`), or the source's channel id when it has no number.
    pub channel: Arc<str>,
    /// The channel's display name (`KCET`, `PBS SoCal Kids`), when known.
    pub channel_name: Option<Arc<str>>,
    pub start: DateTime<Utc>,
    /// `None` when the source gave no end (XMLTV: neither `stop` nor `length`, and no next
    /// programme on the channel).
    pub end: Option<DateTime<Utc>>,
    /// The end is not in the source: it is the start of the next programme on the channel
    /// (XMLTV without `stop` or `<length>`). A stated end wins over a guessed one.
    pub end_guessed: bool,
    /// What the source says about the station's zone (see [`super::zone`]).
    pub zone: ZoneHint,
    /// One of several programmes sharing a slot on purpose (XMLTV `clumpidx`).
    pub clump: bool,
    /// Titles, description, the grades the source itself names, captions and Spanish audio.
    pub details: Details,
    pub categories: Vec<String>,
    /// PBS NOLA root (`CYBR`) and episode number (`000123`), when the source gives them.
    pub nola_root: Option<String>,
    pub nola_episode: Option<String>,
    /// A source episode identifier that is not NOLA: XMLTV `dd_progid` (`EP02420905.0022`),
    /// `xmltv_ns` (`1.11.0/1` → `S2E12`) or `onscreen`.
    pub episode_num: Option<String>,
    pub hd: bool,
    pub previously_shown: bool,
    /// The source's own id for this airing, if it has one (a CSV `id` column).
    pub source_id: Option<String>,
}

/// The longest call sign or channel number kept, and the longest channel name.
pub const MAX_CODE: usize = 32;
pub const MAX_NAME: usize = 200;

/// At most this many warnings are kept per file and field; the rest are counted, and said in
/// one summary warning (whose line is 0).
pub const WARNINGS_PER_FIELD: u64 = 200;

/// Which warnings to keep: the first [`WARNINGS_PER_FIELD`] of each file and field.
#[derive(Debug, Default)]
pub struct WarningCap {
    seen: std::collections::HashMap<(String, String), u64>,
}

impl WarningCap {
    /// Counts `w`; whether it is among the ones kept.
    pub fn admit(&mut self, w: &Warning) -> bool {
        if let Some(n) = self.seen.get_mut(&(w.file.clone(), w.field.clone())) {
            *n += 1;
            return *n <= WARNINGS_PER_FIELD;
        }
        self.seen.insert((w.file.clone(), w.field.clone()), 1);
        true
    }

    /// One warning for each file and field that had more than were kept, saying how many
    /// more; the counts start again.
    pub fn summaries(&mut self) -> Vec<Warning> {
        let mut out: Vec<Warning> = self
            .seen
            .drain()
            .filter(|(_, n)| *n > WARNINGS_PER_FIELD)
            .map(|((file, field), n)| Warning {
                file,
                line: 0,
                message: format!(
                    "and {} more warnings about {field} like those above, not listed",
                    n - WARNINGS_PER_FIELD
                ),
                field,
            })
            .collect();
        out.sort_by(|a, b| (&a.file, &a.field).cmp(&(&b.file, &b.field)));
        out
    }
}

/// Where a problem was found: file (or URL), line or record, field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub field: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}", self.file, self.line)?;
        } else {
            write!(f, "{}", self.file)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        Ok(())
    }
}

/// Something worth telling the user that does not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = Location {
            file: self.file.clone(),
            line: self.line,
            field: self.field.clone(),
        };
        write!(f, "{loc}: {}", self.message)
    }
}

/// Why an import stopped. Nothing of it was stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The schedule itself is wrong at a known place.
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
    /// The source cannot be read at all (missing file, unreachable URL, unknown format).
    #[error("{source_name}: {message}")]
    Source {
        source_name: String,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl ImportError {
    /// The error as the JSON object `lessoncast import --json` prints:
    /// `{"file","line","field","message"}` (`source` names the file when the error does not).
    pub fn to_json(&self, source: &str) -> serde_json::Value {
        let (file, line, field, message) = match self {
            ImportError::Invalid { at, message } => (
                at.file.as_str(),
                at.line,
                at.field.as_str(),
                message.clone(),
            ),
            ImportError::Source {
                source_name,
                message,
            } => (source_name.as_str(), 0, "", message.clone()),
            ImportError::Store(e) => (source, 0, "", e.to_string()),
        };
        let file = if file.is_empty() { source } else { file };
        serde_json::json!({ "file": file, "line": line, "field": field, "message": message })
    }
}

/// What a parser is told about the file it reads, and where it leaves its warnings.
pub struct ParseContext {
    /// File name or URL, as the user named it (used in every message).
    pub file: String,
    /// `--station CALLSIGN`, or the call sign a TVSS file name gives (`KCET-20200413.json`).
    pub station: Option<String>,
    /// The zone for local times when the source does not give one (station's zone, else
    /// `LESSONCAST_TZ`).
    pub default_tz: Tz,
    /// `--tz`: the station's zone, for local times that name none.
    pub given_tz: Option<Tz>,
    /// `--day`: the day of a TVSS response that names none.
    pub day: Option<NaiveDate>,
    /// `--strict`: a bad record refuses the file instead of being skipped.
    pub strict: bool,
    /// Records skipped with a warning.
    pub skipped: u64,
    /// Known stations' zones (call sign → zone), to check a TVSS feed's `timezone` against.
    pub station_tz: std::collections::HashMap<String, Tz>,
    pub warnings: Vec<Warning>,
    /// Counts warnings by field, so that a file with a million bad records keeps a few
    /// hundred of them and one summary, not a million.
    pub cap: WarningCap,
    /// Called now and then with the number of bytes read so far (for a progress bar).
    pub progress: Option<Box<dyn FnMut(u64) + Send>>,
    /// Spans of channels the file speaks for as a whole (a TVSS feed's day).
    pub covers: Vec<Cover>,
}

/// A channel's span that a file gives the whole schedule of: an airing of the channel that
/// starts in it and is not in the file is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub station: String,
    pub channel: String,
    /// Epoch seconds: the first and last start the span holds.
    pub from: i64,
    pub to: i64,
}

impl ParseContext {
    pub fn new(file: impl Into<String>, default_tz: Tz) -> Self {
        ParseContext {
            file: file.into(),
            station: None,
            default_tz,
            given_tz: None,
            day: None,
            strict: false,
            skipped: 0,
            station_tz: Default::default(),
            warnings: Vec::new(),
            cap: WarningCap::default(),
            progress: None,
            covers: Vec::new(),
        }
    }

    /// The zone local times of `station` are in, when the source names none: `--tz`, else the
    /// station's stored zone, else `LESSONCAST_TZ`.
    pub fn tz_for(&self, station: &str) -> Tz {
        self.given_tz
            .or_else(|| self.station_tz.get(station).copied())
            .unwrap_or(self.default_tz)
    }

    /// Skips `records` bad records (one programme, row or listing, or a feed of them) with a
    /// warning that says where and why; with `--strict`, refuses the file instead. Errors that
    /// are not about a record (an unreadable file) always refuse.
    pub fn skip(&mut self, err: ImportError, records: u64) -> Result<(), ImportError> {
        match err {
            ImportError::Invalid { at, message } if !self.strict => {
                let what = if records == 1 {
                    "skipped".to_string()
                } else {
                    format!("{records} records skipped")
                };
                let w = Warning {
                    file: at.file,
                    line: at.line,
                    field: at.field,
                    message: format!("{message} ({what}; --strict refuses the file instead)"),
                };
                if self.cap.admit(&w) {
                    self.warnings.push(w);
                }
                self.skipped += records;
                Ok(())
            }
            other => Err(other),
        }
    }

    pub fn invalid(&self, line: u64, field: &str, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            at: Location {
                file: self.file.clone(),
                line,
                field: field.to_string(),
            },
            message: message.into(),
        }
    }

    /// `value` cut to `max` characters, with a warning, when it is longer: for fields that
    /// name something short (a call sign, a channel number, a channel's name), so that one
    /// huge value copied into every programme cannot fill memory.
    pub fn short(&mut self, line: u64, field: &str, value: String, max: usize) -> String {
        match value.char_indices().nth(max) {
            None => value,
            Some((cut, _)) => {
                self.warn(
                    line,
                    field,
                    format!(
                        "{field} is {} characters long; only its first {max} are kept",
                        value.chars().count()
                    ),
                );
                value[..cut].to_string()
            }
        }
    }

    pub fn warn(&mut self, line: u64, field: &str, message: impl Into<String>) {
        let w = Warning {
            file: self.file.clone(),
            line,
            field: field.to_string(),
            message: message.into(),
        };
        if self.cap.admit(&w) {
            self.warnings.push(w);
        }
    }

    /// For parser tests: a record was skipped with the warning `--strict` refuses it with.
    #[cfg(test)]
    pub(crate) fn assert_skipped(&self, at: &Location, message: &str) {
        assert!(self.skipped >= 1, "nothing skipped: {:?}", self.warnings);
        assert!(
            self.warnings.iter().any(|w| w.line == at.line
                && w.field == at.field
                && w.message.starts_with(message)),
            "no skip warning at {at}: {:?}",
            self.warnings
        );
    }

    pub fn report_progress(&mut self, bytes: u64) {
        if let Some(p) = self.progress.as_mut() {
            p(bytes);
        }
    }
}

/// Where parsers hand each programme; returning an error stops the parse.
pub type Emit<'a> = dyn FnMut(Programme) -> Result<(), ImportError> + 'a;
