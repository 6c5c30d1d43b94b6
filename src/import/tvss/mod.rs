//! PBS TV Schedules Service (TVSS) JSON, as `GET /tvss/{callsign}/day/{YYYYMMDD}/` (or
//! `/today/`) returns it.
//!
//! # Accepted input
//!
//! A file holds either
//!
//! - **one day response**: `{"feeds": [{"cid", "short_name", "full_name", "timezone",
//!   "digital_channel", "analog_channel", "listings": [...]}, ...]}`. The file name gives the day
//!   and the station: `KCET-20200413.json` (or `kcet_20200413.json`): the call sign is the
//!   leading letters before `-` or `_` when they are a call sign (`K` or `W` and two or three
//!   more letters), the day is the 8-digit run `YYYYMMDD`. A TVSS URL
//!   (`…/tvss/kcet/day/20200413/`) names both as well; a `…/tvss/kcet/today/` URL is the day it
//!   was fetched. `--day` dates a response that names no day; `--station` overrides the call
//!   sign. Without a station or a day the file is refused with a message that says which flag
//!   to pass.
//! - **several days**: an object keyed by day whose values are day responses,
//!   `{"20200413": {"feeds": [...]}, "20200414": {...}}`. Other keys (`"start_date"`) are skipped.
//!
//! The first key that is either `feeds` or a `YYYYMMDD` day tells which. A UTF-8 byte-order mark
//! is allowed.
//!
//! Per feed: the channel is `digital_channel` (`28.1`), else `short_name` (an analog or
//! audio-only feed is a channel of its own, never merged into another's); its display name is
//! `full_name`, else `short_name`. Each feed's `start_time`s are wall-clock times in that feed's
//! own `timezone` (one station's feeds may differ); a feed without a readable `timezone` is read
//! in the station's zone, with a warning. A feed without a digital channel whose listings repeat
//! another feed's times and titles (`ESKCTS` beside `KCTS`) is that feed's Spanish mirror: its
//! descriptions and titles become the Spanish text of the airings it repeats, which are marked
//! as having Spanish audio; its listings that repeat nothing stay airings of its own channel.
//!
//! Per listing:
//!
//! - `start_time` (required): local wall-clock `"HHMM"` on the requested day. A listing that
//!   starts earlier than the one before it in the feed has run past midnight: it is on the next
//!   day. A time that happens twice when clocks go back is the first instant after the previous
//!   listing's start, so the schedule stays in order through the repeated hour.
//! - `minutes` (required, more than zero; a number or a string of digits): the length. `duration`
//!   (the same length written as hours×100+minutes) is ignored.
//! - `title` (required), `episode_title`, `episode_description` (else `description`),
//!   `nola_root`, `nola_episode`, `closed_captions` and `hd` (booleans).
//! - Spanish audio: `language` is `es`, `spa`, `Spanish` or `Español`, or a `sap` / `audio` field
//!   mentions Spanish.
//!
//! A listing without a start, a length or a title, or at a time the clocks skip, is skipped with
//! a warning naming its line and field (`--strict` refuses the file instead); so are the listings
//! of a feed that names no channel at all. Empty strings mean "none"; `null` is treated the same;
//! other fields (`images`, …) are ignored. TVSS has no airing id, so programmes carry none.
//!
//! The file is read as a stream, one day at a time: a day's feeds are held until the day ends
//! (to find the Spanish mirrors), then handed on.

mod feed;
mod listing;
mod mirror;
mod name;
mod values;

use self::feed::{FeedSeed, OpenFeed, ReadFeed};
use self::mirror::merge_spanish_mirrors;
use self::name::{day_from_key, is_day_key, FileName};
use self::values::Key;
use super::lines::LineEnds;
use super::{Emit, ImportError, ParseContext};
use chrono::{NaiveDate, Utc};
use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// How many bytes to read between progress reports.
const PROGRESS_EVERY: u64 = 64 * 1024;

/// Listings one day may hold (a day of a station's feeds is a few hundred): a file over this is
/// not a TVSS day, and is refused before it fills memory.
const MAX_LISTINGS_PER_DAY: usize = 20_000;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Reads a TVSS file and hands each listing, as a [`Programme`], to `emit`.
pub fn parse(
    mut input: impl BufRead,
    ctx: &mut ParseContext,
    emit: &mut Emit,
) -> Result<(), ImportError> {
    let named = FileName::read(&ctx.file);
    let flag = ctx
        .station
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let station = match (flag, named.station) {
        (Some(s), _) => s.to_uppercase(),
        (None, Some(s)) => s,
        (None, None) => {
            return Err(ctx.invalid(
                0,
                "station",
                "cannot tell the station: the file name does not start with a call sign \
                 (name it CALLSIGN-YYYYMMDD.json) and no --station was given; pass --station \
                 CALLSIGN",
            ))
        }
    };
    // The day of a response that names none: --day, else the day a `today` URL was fetched.
    let file_day = named.day.or(ctx.day).or_else(|| {
        named
            .today
            .then(|| Utc::now().with_timezone(&ctx.tz_for(&station)).date_naive())
    });

    let lines = Rc::new(Cell::new(1));
    let bytes = Rc::new(Cell::new(0));
    match input.fill_buf() {
        Ok(head) if head.starts_with(UTF8_BOM) => {
            input.consume(UTF8_BOM.len());
            bytes.set(UTF8_BOM.len() as u64);
        }
        Ok(_) => {}
        Err(e) => return Err(source_error(ctx, &e)),
    }
    let reader = Counting {
        inner: input,
        ends: LineEnds::default(),
        lines: Rc::clone(&lines),
        bytes: Rc::clone(&bytes),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut run = Run {
        ctx,
        emit,
        station,
        file_day,
        lines,
        bytes,
        reported: 0,
        stopped: None,
        at: At::default(),
    };
    let outcome = (&mut de)
        .deserialize_map(FileVisitor { run: &mut run })
        .and_then(|()| de.end());
    if let Some(err) = run.stopped.take() {
        return Err(err);
    }
    match outcome {
        Ok(()) => {
            let read = run.bytes.get();
            run.ctx.report_progress(read);
            Ok(())
        }
        Err(e) => Err(run.json_error(&e)),
    }
}

/// `language` values that mean Spanish: `es`, `es-MX`, `spa`, `Spanish`, `Español`, alone or in
/// a list (`en, es`).
pub(super) fn names_spanish(language: &str) -> bool {
    language
        .split([',', ';', '/', '|'])
        .map(str::trim)
        .any(|t| {
            t.eq_ignore_ascii_case("es")
                || t.eq_ignore_ascii_case("spa")
                || t.eq_ignore_ascii_case("spanish")
                || t.eq_ignore_ascii_case("espanol")
                || t.to_lowercase() == "español"
                || t.get(..3)
                    .is_some_and(|p| p.eq_ignore_ascii_case("es-") || p.eq_ignore_ascii_case("es_"))
        })
}

/// Free text such as a `sap` or `audio` field ("Spanish SAP", "Stereo, Español").
fn mentions_spanish(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("spanish")
        || lower.contains("español")
        || lower.contains("espanol")
        || names_spanish(text)
}

fn source_error(ctx: &ParseContext, e: &io::Error) -> ImportError {
    ImportError::Source {
        source_name: ctx.file.clone(),
        message: format!("cannot read: {e}"),
    }
}

/// Counts lines and bytes as serde_json pulls them, for line numbers and progress.
struct Counting<R> {
    inner: R,
    ends: LineEnds,
    lines: Rc<Cell<u64>>,
    bytes: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.inner.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        let newlines = self.ends.count(&available[..n]);
        self.inner.consume(n);
        // A lone `\r` ends a line too; JSON allows either as whitespace (and neither raw inside
        // a string), so it is handed on as `\n` for serde_json, which counts only `\n`.
        if n > 0 && buf[n - 1] == b'\r' {
            let next = self.inner.fill_buf()?.first().copied();
            if next != Some(b'\n') {
                buf[n - 1] = b'\n';
            }
        }
        for i in 0..n.saturating_sub(1) {
            if buf[i] == b'\r' && buf[i + 1] != b'\n' {
                buf[i] = b'\n';
            }
        }
        self.lines.set(self.lines.get() + newlines);
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}

/// Where in the file the parse is, for messages.
#[derive(Default)]
struct At {
    day: Option<NaiveDate>,
    /// 1-based feed number within the day; 0 outside feeds.
    feed: usize,
    /// The feed's short name once known.
    feed_name: String,
    /// 1-based listing number within the feed; 0 outside listings.
    listing: usize,
    /// The listing field being read.
    field: &'static str,
}

impl At {
    fn place(&self) -> String {
        let feed = if self.feed_name.is_empty() {
            self.feed.to_string()
        } else {
            self.feed_name.clone()
        };
        let day = self.day.map(|d| format!(" on {d}")).unwrap_or_default();
        match (self.listing, self.feed) {
            (0, 0) => match self.day {
                Some(d) => format!("day {d}"),
                None => "the file".to_string(),
            },
            (0, _) => format!("feed {feed}{day}"),
            (n, _) => format!("listing {n} of feed {feed}{day}"),
        }
    }
}

/// Everything the visitors share.
struct Run<'a, 'e> {
    ctx: &'a mut ParseContext,
    emit: &'a mut Emit<'e>,
    station: String,
    file_day: Option<NaiveDate>,
    lines: Rc<Cell<u64>>,
    bytes: Rc<Cell<u64>>,
    reported: u64,
    /// Why the parse stopped, when it was not serde_json's doing.
    stopped: Option<ImportError>,
    at: At,
}

impl Run<'_, '_> {
    fn line(&self) -> u64 {
        self.lines.get()
    }

    /// Keeps `err` for `parse` to return and makes the deserializer unwind.
    fn stop<E: de::Error>(&mut self, err: ImportError) -> E {
        self.stopped = Some(err);
        E::custom("import stopped")
    }

    fn progress(&mut self) {
        let read = self.bytes.get();
        if read - self.reported >= PROGRESS_EVERY {
            self.reported = read;
            self.ctx.report_progress(read);
        }
    }

    fn json_error(&self, e: &serde_json::Error) -> ImportError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Io => ImportError::Source {
                source_name: self.ctx.file.clone(),
                message: format!("cannot read: {e}"),
            },
            Category::Syntax | Category::Eof => {
                self.ctx
                    .invalid(e.line() as u64, "json", format!("not valid JSON: {e}"))
            }
            Category::Data => {
                let field = if self.at.field.is_empty() {
                    "json"
                } else {
                    self.at.field
                };
                self.ctx
                    .invalid(e.line() as u64, field, format!("{}: {e}", self.at.place()))
            }
        }
    }

    /// A day's feeds have been read: opens each, reads its listings in its own zone (skipping
    /// the bad ones), folds the Spanish mirrors into the feeds they repeat, and hands every
    /// programme on.
    fn day_done(&mut self, day: NaiveDate, feeds: Vec<ReadFeed>) -> Result<(), ImportError> {
        let mut opened = Vec::with_capacity(feeds.len());
        for (i, read) in feeds.into_iter().enumerate() {
            let index = i + 1;
            self.at = At {
                day: Some(day),
                feed: index,
                feed_name: read.header.label(index),
                ..At::default()
            };
            let mut feed = match read.header.open(self, day, index) {
                Ok(feed) => feed,
                Err(err) => {
                    if !read.listings.is_empty() {
                        self.ctx.skip(err, read.listings.len() as u64)?;
                    }
                    continue;
                }
            };
            let mut programmes = Vec::with_capacity(read.listings.len());
            for raw in read.listings {
                self.at.listing = raw.index;
                match feed.programme(self, raw) {
                    Ok(p) => programmes.push(p),
                    Err(err) => self.ctx.skip(err, 1)?,
                }
            }
            opened.push(OpenFeed {
                label: feed.label,
                short_name: read.header.short_name.flatten(),
                full_name: read.header.full_name.flatten(),
                has_digital_channel: matches!(read.header.digital_channel, Some(Some(_))),
                line: read.header.line,
                programmes,
            });
        }
        self.at = At::default();
        merge_spanish_mirrors(&mut opened, self.ctx);
        for feed in opened {
            for p in feed.programmes {
                (self.emit)(p)?;
            }
        }
        self.progress();
        Ok(())
    }
}

/// The top level: a day response or an object keyed by day.
struct FileVisitor<'r, 'a, 'e> {
    run: &'r mut Run<'a, 'e>,
}

impl<'de> Visitor<'de> for FileVisitor<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TVSS day response ({\"feeds\": [...]}) or an object keyed by day (YYYYMMDD)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let run = self.run;
        let mut keyed_by_day = None;
        while let Some(key) = map.next_key::<String>()? {
            let day_key = is_day_key(&key);
            if keyed_by_day.is_none() && (day_key || key == "feeds") {
                keyed_by_day = Some(day_key);
            }
            match keyed_by_day {
                Some(true) if day_key => {
                    let Some(day) = day_from_key(&key) else {
                        let err = run.ctx.invalid(
                            run.line(),
                            "day",
                            format!("key \"{key}\" is not a day (YYYYMMDD)"),
                        );
                        return Err(run.stop(err));
                    };
                    map.next_value_seed(DaySeed {
                        run: &mut *run,
                        day,
                    })?;
                }
                Some(false) if key == "feeds" => {
                    let Some(day) = run.file_day else {
                        let err = run.ctx.invalid(
                            run.line(),
                            "day",
                            "cannot tell the day: name the file CALLSIGN-YYYYMMDD.json, \
                             key the file by day ({\"20200413\": {\"feeds\": …}}) or pass \
                             --day YYYY-MM-DD",
                        );
                        return Err(run.stop(err));
                    };
                    run.at = At {
                        day: Some(day),
                        ..At::default()
                    };
                    map.next_value_seed(FeedsSeed {
                        run: &mut *run,
                        day,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            run.at = At::default();
        }
        Ok(())
    }
}

/// One day response, as a value of a file keyed by day.
struct DaySeed<'r, 'a, 'e> {
    run: &'r mut Run<'a, 'e>,
    day: NaiveDate,
}

impl<'de> DeserializeSeed<'de> for DaySeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.run.at = At {
            day: Some(self.day),
            ..At::default()
        };
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DaySeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TVSS day response ({\"feeds\": [...]})")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        let line = self.run.line();
        self.run.ctx.warn(
            line,
            "day",
            format!("day {} has no schedule (null)", self.day),
        );
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let run = self.run;
        while let Some(key) = map.next_key_seed(Key(|k: &str| k == "feeds"))? {
            if key {
                map.next_value_seed(FeedsSeed {
                    run: &mut *run,
                    day: self.day,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The `feeds` array of one day.
struct FeedsSeed<'r, 'a, 'e> {
    run: &'r mut Run<'a, 'e>,
    day: NaiveDate,
}

impl<'de> DeserializeSeed<'de> for FeedsSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeedsSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of feeds")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let run = self.run;
        let mut feeds = Vec::new();
        let mut listings = 0;
        loop {
            let seed = FeedSeed {
                run: &mut *run,
                day: self.day,
                index: feeds.len() + 1,
                listings: &mut listings,
            };
            match seq.next_element_seed(seed)? {
                Some(feed) => feeds.push(feed),
                None => break,
            }
        }
        run.day_done(self.day, feeds).map_err(|e| run.stop(e))
    }
}

/// A feed-level field, seen or not, and empty or not.
type Seen = Option<Option<String>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::zone::ZoneHint;
    use crate::import::Programme;
    use chrono::DateTime;
    use chrono_tz::America::Los_Angeles;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("bad test instant {s}: {e}"))
    }

    fn run_with(ctx: &mut ParseContext, json: &[u8]) -> Result<Vec<Programme>, ImportError> {
        let mut got = Vec::new();
        let mut emit = |p: Programme| {
            got.push(p);
            Ok(())
        };
        parse(json, ctx, &mut emit)?;
        Ok(got)
    }

    fn read_named(file: &str, json: &str) -> (Result<Vec<Programme>, ImportError>, ParseContext) {
        let mut ctx = ParseContext::new(file, Los_Angeles);
        let got = run_with(&mut ctx, json.as_bytes());
        (got, ctx)
    }

    fn read(json: &str) -> Vec<Programme> {
        match read_named("KCET-20200413.json", json).0 {
            Ok(got) => got,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    /// The error `--strict` refuses the file with; without `--strict`, a bad listing must be
    /// skipped with a warning at the same place (a file-level error refuses either way).
    fn refused(file: &str, json: &str) -> (Location, String) {
        let mut ctx = ParseContext::new(file, Los_Angeles);
        ctx.strict = true;
        let (at, message) = match run_with(&mut ctx, json.as_bytes()) {
            Ok(got) => panic!("expected an error, got {got:?}"),
            Err(ImportError::Invalid { at, message }) => (at, message),
            Err(e) => panic!("expected an invalid schedule, got {e}"),
        };
        if let (Ok(_), ctx) = read_named(file, json) {
            ctx.assert_skipped(&at, &message);
        }
        (at, message)
    }

    use super::super::Location;

    /// One feed of KCET on 28.1 with the given listings.
    fn day(listings: &str) -> String {
        format!(
            r#"{{"feeds": [{{"cid": "abc", "short_name": "KCET", "full_name": "KCET Los Angeles",
  "timezone": "America/Los_Angeles", "digital_channel": "28.1", "analog_channel": "",
  "listings": [{listings}]}}]}}"#
        )
    }

    fn listing(start_time: &str, minutes: u32, title: &str) -> String {
        format!(r#"{{"start_time": "{start_time}", "minutes": {minutes}, "title": "{title}"}}"#)
    }

    fn starts(got: &[Programme]) -> Vec<DateTime<Utc>> {
        got.iter().map(|p| p.start).collect()
    }

    #[test]
    fn reads_a_day_response_named_by_its_file() {
        let json = day(r#"
    {"start_time": "0900", "minutes": 30, "duration": 30, "title": "Cyberchase",
     "episode_title": "The Poddleville Case", "description": "Math adventures.",
     "episode_description": "The gang tracks a thief.", "nola_root": "CYBR",
     "nola_episode": "000405", "program_id": 123, "show_id": "x", "type": "episode",
     "closed_captions": true, "hd": true, "stereo": true, "language": "", "airing_type": "Rerun"},
    {"start_time": "0930", "minutes": 60, "title": "Nature", "closed_captions": false, "hd": false}"#);
        let got = read(&json);
        assert_eq!(got.len(), 2);
        let first = &got[0];
        assert_eq!(&*first.station, "KCET");
        assert_eq!(&*first.channel, "28.1");
        assert_eq!(first.channel_name.as_deref(), Some("KCET Los Angeles"));
        assert_eq!(first.start, utc("2020-04-13T16:00:00Z"));
        assert_eq!(first.end, Some(utc("2020-04-13T16:30:00Z")));
        assert_eq!(first.details.title, "Cyberchase");
        assert_eq!(
            first.details.episode_title.as_deref(),
            Some("The Poddleville Case")
        );
        assert_eq!(
            first.details.description.as_deref(),
            Some("The gang tracks a thief.")
        );
        assert_eq!(first.nola_root.as_deref(), Some("CYBR"));
        assert_eq!(first.nola_episode.as_deref(), Some("000405"));
        assert!(first.details.captions && first.hd && !first.details.spanish_audio);
        assert_eq!(first.source_id, None);
        assert_eq!(first.line, 4);
        let second = &got[1];
        assert_eq!(second.start, utc("2020-04-13T16:30:00Z"));
        assert_eq!(second.end, Some(utc("2020-04-13T17:30:00Z")));
        assert!(!second.details.captions && !second.hd);
        assert_eq!(second.line, 9);
    }

    #[test]
    fn reads_a_file_keyed_by_day() {
        let one = day(&listing("0600", 30, "Monday"));
        let two = day(&listing("0600", 30, "Tuesday"));
        let json = format!(r#"{{"start_date": "20200413", "20200413": {one}, "20200414": {two}}}"#);
        let (got, _) = read_named("kcet-week.json", &json);
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            starts(&got),
            [utc("2020-04-13T13:00:00Z"), utc("2020-04-14T13:00:00Z")]
        );
        assert_eq!(got[1].details.title, "Tuesday");
        assert_eq!(&*got[1].station, "KCET");
    }

    #[test]
    fn a_file_keyed_by_day_ignores_the_day_in_its_name() {
        let json = format!(r#"{{"20200415": {}}}"#, day(&listing("0600", 30, "Wed")));
        let got = read(&json);
        assert_eq!(starts(&got), [utc("2020-04-15T13:00:00Z")]);
    }

    #[test]
    fn takes_the_call_sign_and_day_from_the_file_name() {
        let (got, _) = read_named(
            "/data/saved/klcs_20200414.json",
            &day(&listing("1200", 30, "Noon")),
        );
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&*got[0].station, "KLCS");
        assert_eq!(got[0].start, utc("2020-04-14T19:00:00Z"));
    }

    #[test]
    fn a_tvss_url_names_station_and_day() {
        let named = FileName::read("https://services.pbs.org/tvss/kcet/day/20200416/");
        assert_eq!(named.station.as_deref(), Some("KCET"));
        assert_eq!(named.day, NaiveDate::from_ymd_opt(2020, 4, 16));
    }

    #[test]
    fn the_station_flag_overrides_the_file_name() {
        let mut ctx = ParseContext::new("KCET-20200413.json", Los_Angeles);
        ctx.station = Some("koce".into());
        let got = run_with(&mut ctx, day(&listing("0900", 30, "A")).as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&*got[0].station, "KOCE");
    }

    #[test]
    fn the_station_zone_comes_from_the_context() {
        let mut ctx = ParseContext::new("WGBH-20200413.json", Los_Angeles);
        ctx.station_tz
            .insert("WGBH".into(), chrono_tz::America::New_York);
        let json =
            day(&listing("0900", 30, "A")).replace("America/Los_Angeles", "America/New_York");
        let got = run_with(&mut ctx, json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got[0].start, utc("2020-04-13T13:00:00Z"));
        assert!(ctx.warnings.is_empty());
    }

    #[test]
    fn without_a_station_the_file_is_refused() {
        let (at, message) = refused("schedule.json", &day(&listing("0900", 30, "A")));
        assert_eq!(at.field, "station");
        assert!(message.contains("cannot tell the station"), "{message}");
        assert!(message.contains("--station"), "{message}");
    }

    #[test]
    fn a_day_response_without_a_day_in_its_name_is_refused() {
        let (at, message) = refused("KCET-today.json", &day(&listing("0900", 30, "A")));
        assert_eq!(at.field, "day");
        assert!(message.contains("cannot tell the day"), "{message}");
    }

    #[test]
    fn a_listing_past_midnight_lands_on_the_next_day() {
        let listings = [
            listing("2300", 60, "Late"),
            listing("0000", 30, "Midnight"),
            listing("0030", 30, "After"),
        ]
        .join(",");
        let got = read(&day(&listings));
        assert_eq!(
            starts(&got),
            [
                utc("2020-04-14T06:00:00Z"),
                utc("2020-04-14T07:00:00Z"),
                utc("2020-04-14T07:30:00Z"),
            ]
        );
    }

    #[test]
    fn each_feed_is_read_in_its_own_zone() {
        // A Central station's day with one feed listed in Eastern time.
        let central =
            day(&listing("0900", 30, "Central")).replace("America/Los_Angeles", "America/Chicago");
        let eastern = day(&listing("0900", 30, "Eastern"))
            .replace("America/Los_Angeles", "America/New_York")
            .replace("28.1", "28.2");
        let json = format!(
            r#"{{"feeds": [{}, {}]}}"#,
            &central[11..central.len() - 2],
            &eastern[11..eastern.len() - 2]
        );
        let (got, ctx) = read_named("KERA-20200413.json", &json);
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            starts(&got),
            [utc("2020-04-13T14:00:00Z"), utc("2020-04-13T13:00:00Z")]
        );
        assert_eq!(got[0].zone, ZoneHint::Named(chrono_tz::America::Chicago));
        assert_eq!(got[1].zone, ZoneHint::Named(chrono_tz::America::New_York));
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
    }

    #[test]
    fn a_zone_link_is_that_zone_and_a_missing_zone_is_the_stations_with_a_warning() {
        for (zone, warned) in [("US/Pacific", false), ("", true), ("Mars/Olympus", true)] {
            let json = day(&listing("0900", 30, "A")).replace("America/Los_Angeles", zone);
            let (got, ctx) = read_named("KCET-20200413.json", &json);
            assert_eq!(
                got.unwrap_or_else(|e| panic!("{e}"))[0].start,
                utc("2020-04-13T16:00:00Z")
            );
            assert_eq!(
                ctx.warnings.len(),
                usize::from(warned),
                "{zone}: {:?}",
                ctx.warnings
            );
            if warned {
                let w = &ctx.warnings[0];
                assert_eq!((w.line, w.field.as_str()), (2, "timezone"));
                assert!(
                    w.message.contains("read in America/Los_Angeles"),
                    "{}",
                    w.message
                );
            }
        }
    }

    #[test]
    fn a_start_in_the_spring_forward_gap_is_invalid() {
        let listings = [listing("0130", 60, "A"), listing("0230", 30, "B")].join(",");
        let (at, message) = refused("KCET-20200308.json", &day(&listings));
        assert_eq!(at.field, "start_time");
        assert!(
            message.contains("listing 2 of feed KCET on 2020-03-08"),
            "{message}"
        );
        assert!(message.contains("does not exist"), "{message}");
    }

    #[test]
    fn the_spring_forward_night_keeps_exact_instants() {
        let listings = [listing("0130", 30, "A"), listing("0300", 30, "B")].join(",");
        let (got, _) = read_named("KCET-20200308.json", &day(&listings));
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        // 01:30 PST is 09:30 UTC; 03:00 PDT is 10:00 UTC.
        assert_eq!(
            starts(&got),
            [utc("2020-03-08T09:30:00Z"), utc("2020-03-08T10:00:00Z")]
        );
    }

    #[test]
    fn the_repeated_hour_of_the_fall_back_night_stays_in_order() {
        let listings = [
            listing("0030", 60, "A"),
            listing("0130", 60, "B"),
            listing("0130", 60, "C"),
            listing("0230", 30, "D"),
        ]
        .join(",");
        let (got, _) = read_named("KCET-20201101.json", &day(&listings));
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            starts(&got),
            [
                utc("2020-11-01T07:30:00Z"), // 00:30 PDT
                utc("2020-11-01T08:30:00Z"), // 01:30 PDT
                utc("2020-11-01T09:30:00Z"), // 01:30 PST
                utc("2020-11-01T10:30:00Z"), // 02:30 PST
            ]
        );
    }

    #[test]
    fn an_earlier_clock_time_in_the_repeated_hour_is_not_the_next_day() {
        let listings = [
            listing("0100", 30, "A"),
            listing("0130", 30, "B"),
            listing("0100", 30, "C"),
            listing("0130", 30, "D"),
            listing("0100", 30, "E"),
        ]
        .join(",");
        let (got, _) = read_named("KCET-20201101.json", &day(&listings));
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            starts(&got),
            [
                utc("2020-11-01T08:00:00Z"),
                utc("2020-11-01T08:30:00Z"),
                utc("2020-11-01T09:00:00Z"),
                utc("2020-11-01T09:30:00Z"),
                // After both 01:30s, 01:00 again can only be the next night.
                utc("2020-11-02T09:00:00Z"),
            ]
        );
    }

    #[test]
    fn a_listing_without_start_time_is_invalid() {
        for start in [r#""title": "A""#, r#""start_time": "", "title": "A""#] {
            let listings = format!(
                "{},\n{{{start}, \"minutes\": 30}}",
                listing("0900", 30, "First")
            );
            let (at, message) = refused("KCET-20200413.json", &day(&listings));
            assert_eq!(at.field, "start_time");
            assert_eq!(at.line, 4);
            assert_eq!(at.file, "KCET-20200413.json");
            assert_eq!(
                message,
                "listing 2 of feed KCET on 2020-04-13 has no start time"
            );
        }
    }

    #[test]
    fn a_start_time_that_is_not_hhmm_is_invalid() {
        for bad in ["930", "2500", "0960", "9:30", "ab12"] {
            let (at, message) = refused("KCET-20200413.json", &day(&listing(bad, 30, "A")));
            assert_eq!(at.field, "start_time", "{bad}");
            assert!(message.contains(bad), "{message}");
        }
    }

    #[test]
    fn minutes_give_the_length_and_duration_is_ignored() {
        let listings = r#"{"start_time": "0900", "minutes": 90, "duration": 130, "title": "A"},
            {"start_time": "1030", "minutes": "45", "duration": "45", "title": "B"}"#;
        let got = read(&day(listings));
        assert_eq!(got[0].end, Some(utc("2020-04-13T17:30:00Z")));
        assert_eq!(got[1].end, Some(utc("2020-04-13T18:15:00Z")));
    }

    #[test]
    fn missing_or_zero_or_bad_minutes_are_invalid() {
        for minutes in [
            r#""duration": 30"#,
            r#""minutes": 0"#,
            r#""minutes": """#,
            r#""minutes": "half""#,
        ] {
            let listings = format!(r#"{{"start_time": "0900", {minutes}, "title": "A"}}"#);
            let (at, message) = refused("KCET-20200413.json", &day(&listings));
            assert_eq!(at.field, "minutes", "{minutes}");
            assert!(
                message.starts_with("listing 1 of feed KCET on 2020-04-13"),
                "{message}"
            );
        }
    }

    #[test]
    fn an_empty_title_is_invalid() {
        let (at, message) = refused("KCET-20200413.json", &day(&listing("0900", 30, " ")));
        assert_eq!(at.field, "title");
        assert_eq!(message, "listing 1 of feed KCET on 2020-04-13 has no title");
    }

    #[test]
    fn empty_strings_mean_none() {
        let listings = r#"{"start_time": "0900", "minutes": 30, "title": "A", "episode_title": "",
            "description": "Series text.", "episode_description": "", "nola_root": "",
            "nola_episode": null, "language": ""}"#;
        let json = day(listings)
            .replace(r#""digital_channel": "28.1""#, r#""digital_channel": """#)
            .replace(r#""full_name": "KCET Los Angeles""#, r#""full_name": """#);
        let got = read(&json);
        let p = &got[0];
        assert_eq!(p.details.episode_title, None);
        assert_eq!(p.details.description.as_deref(), Some("Series text."));
        assert_eq!(p.nola_root, None);
        assert_eq!(p.nola_episode, None);
        // No digital or analog channel: the short name stands in; it also names the channel.
        assert_eq!(&*p.channel, "KCET");
        assert_eq!(p.channel_name.as_deref(), Some("KCET"));
    }

    #[test]
    fn a_feed_without_a_digital_channel_is_keyed_by_its_short_name_not_its_analog_number() {
        let json = day(&listing("0900", 30, "A"))
            .replace(r#""digital_channel": "28.1""#, r#""digital_channel": """#)
            .replace(r#""analog_channel": """#, r#""analog_channel": "28""#);
        assert_eq!(&*read(&json)[0].channel, "KCET");
    }

    #[test]
    fn spanish_audio_comes_from_language_or_sap() {
        let listings = [
            r#"{"start_time": "0900", "minutes": 30, "title": "A", "language": "Español"}"#,
            r#"{"start_time": "0930", "minutes": 30, "title": "B", "language": "SPA"}"#,
            r#"{"start_time": "1000", "minutes": 30, "title": "C", "sap": "Spanish SAP"}"#,
            r#"{"start_time": "1030", "minutes": 30, "title": "D", "audio": ["stereo", "spanish"]}"#,
            r#"{"start_time": "1100", "minutes": 30, "title": "E", "language": "en", "sap": true}"#,
        ]
        .join(",");
        let got = read(&day(&listings));
        let spanish: Vec<bool> = got.iter().map(|p| p.details.spanish_audio).collect();
        assert_eq!(spanish, [true, true, true, true, false]);
    }

    #[test]
    fn listings_before_the_channel_fields_still_get_their_channel() {
        let json = format!(
            r#"{{"feeds": [{{"listings": [{}, {}], "digital_channel": "28.2",
                "full_name": "PBS Kids", "short_name": "KCETKIDS", "timezone": "America/Los_Angeles"}}]}}"#,
            listing("0900", 30, "A"),
            listing("0930", 30, "B")
        );
        let got = read(&json);
        assert_eq!(got.len(), 2);
        assert_eq!(&*got[1].channel, "28.2");
        assert_eq!(got[1].channel_name.as_deref(), Some("PBS Kids"));
        assert_eq!(got[1].start, utc("2020-04-13T16:30:00Z"));
    }

    #[test]
    fn each_feed_is_its_own_channel_and_day() {
        let json = format!(
            r#"{{"feeds": [
                {{"short_name": "KCET", "full_name": "KCET", "timezone": "America/Los_Angeles",
                  "digital_channel": "28.1", "listings": [{}, {}]}},
                {{"short_name": "KIDS", "full_name": "PBS Kids", "timezone": "America/Los_Angeles",
                  "digital_channel": "28.2", "listings": [{}]}}]}}"#,
            listing("2330", 60, "Late"),
            listing("0030", 30, "Later"),
            listing("0600", 30, "Morning")
        );
        let got = read(&json);
        assert_eq!(got[1].start, utc("2020-04-14T07:30:00Z"));
        assert_eq!(&*got[2].channel, "28.2");
        assert_eq!(got[2].start, utc("2020-04-13T13:00:00Z"));
    }

    #[test]
    fn listings_and_errors_are_on_their_lines_whatever_the_line_endings() {
        let json = day(&[listing("0900", 30, "A"), listing("0930", 30, "")].join(",\n"));
        for end in ["\n", "\r\n", "\r"] {
            let text = json.replace('\n', end);
            let (got, ctx) = read_named("KCET-20200413.json", &text);
            let got = got.unwrap_or_else(|e| panic!("{end:?}: {e}"));
            assert_eq!(got[0].line, 3, "{end:?}");
            assert_eq!(ctx.warnings[0].line, 4, "{end:?}: {:?}", ctx.warnings);
            let broken = "{\"feeds\": [\n{\"short_name\": \"KCET\",\n\"listings\": [}\n]}"
                .replace('\n', end);
            let (at, _) = refused("KCET-20200413.json", &broken);
            assert_eq!(at.line, 3, "{end:?}");
        }
    }

    #[test]
    fn broken_json_is_invalid_at_its_line() {
        let json = "{\"feeds\": [\n{\"short_name\": \"KCET\",\n\"listings\": [}\n]}";
        let (at, message) = refused("KCET-20200413.json", json);
        assert_eq!(at.field, "json");
        assert_eq!(at.line, 3);
        assert!(message.starts_with("not valid JSON"), "{message}");
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named() {
        let listings = r#"{"start_time": "0900", "minutes": 30, "title": {"en": "A"}}"#;
        let (at, message) = refused("KCET-20200413.json", &day(listings));
        assert_eq!(at.field, "title");
        assert!(
            message.starts_with("listing 1 of feed KCET on 2020-04-13"),
            "{message}"
        );
    }

    #[test]
    fn something_other_than_an_object_is_refused() {
        let (at, _) = refused("KCET-20200413.json", "[1, 2]");
        assert_eq!(at.field, "json");
    }

    #[test]
    fn an_emit_error_stops_the_parse() {
        let listings = [listing("0900", 30, "A"), listing("0930", 30, "B")].join(",");
        let mut ctx = ParseContext::new("KCET-20200413.json", Los_Angeles);
        let mut seen = 0;
        let mut emit = |_p: Programme| {
            seen += 1;
            Err(ImportError::Source {
                source_name: "store".into(),
                message: "full".into(),
            })
        };
        let err = parse(day(&listings).as_bytes(), &mut ctx, &mut emit);
        assert!(matches!(err, Err(ImportError::Source { ref message, .. }) if message == "full"));
        assert_eq!(seen, 1);
    }

    #[test]
    fn each_day_is_handed_on_when_it_ends_while_the_file_is_still_being_read() {
        // A reader that fails inside the second day: the first day must already be out.
        struct Truncated<'a>(&'a [u8]);
        impl Read for Truncated<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::other("connection reset"));
                }
                let n = self.0.len().min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let whole = format!(
            r#"{{"20200413": {}, "20200414": {}}}"#,
            day(&listing("0900", 30, "A")),
            day(&[listing("0900", 30, "B"), listing("0930", 30, "C")].join(","))
        );
        let cut = whole.find("0930").unwrap_or(0);
        let mut ctx = ParseContext::new("KCET-week.json", Los_Angeles);
        let mut titles = Vec::new();
        let mut emit = |p: Programme| {
            titles.push(p.details.title);
            Ok(())
        };
        let input = io::BufReader::new(Truncated(&whole.as_bytes()[..cut]));
        let err = parse(input, &mut ctx, &mut emit);
        assert!(matches!(err, Err(ImportError::Source { .. })), "{err:?}");
        assert_eq!(titles, ["A"]);
    }

    /// A real station's day: its main feed, an analog feed and the analog feed's Spanish
    /// mirror, both without a digital channel.
    fn with_mirror() -> String {
        r#"{"feeds": [
 {"short_name": "KCTS", "full_name": "KCTS 9", "timezone": "America/Los_Angeles",
  "digital_channel": "9.1", "analog_channel": "", "images": [{"url": "x.png"}],
  "listings": [{"start_time": "0900", "minutes": 30, "title": "Odd Squad",
                "description": "Math agents.", "images": []}]},
 {"short_name": "KCTSA", "full_name": "KCTS Analog", "timezone": "America/Los_Angeles",
  "digital_channel": "", "analog_channel": "9",
  "listings": [{"start_time": "0900", "minutes": 30, "title": "Cyberchase",
                "episode_title": "The Case", "description": "Math adventure."},
               {"start_time": "0930", "minutes": 30, "title": "Nature", "description": null}]},
 {"short_name": "ESKCTSA", "full_name": "KCTS Español", "timezone": "America/Los_Angeles",
  "digital_channel": "", "analog_channel": "9",
  "listings": [{"start_time": "0900", "minutes": 30, "title": "Cyberchase",
                "episode_title": "El caso", "description": "Aventura de matemáticas."},
               {"start_time": "1000", "minutes": 30, "title": "Solo en español",
                "description": "Sólo aquí."}]}
]}"#
        .to_string()
    }

    #[test]
    fn a_spanish_mirror_feed_is_the_spanish_text_of_the_airings_it_repeats() {
        let (got, ctx) = read_named("KCTS-20200413.json", &with_mirror());
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        let summary: Vec<_> = got
            .iter()
            .map(|p| {
                (
                    p.channel.as_ref(),
                    p.details.title.as_str(),
                    p.details.spanish_audio,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("9.1", "Odd Squad", false),
                ("KCTSA", "Cyberchase", true),
                ("KCTSA", "Nature", false),
                ("ESKCTSA", "Solo en español", false),
            ]
        );
        let cyber = &got[1];
        assert_eq!(
            cyber.details.description.as_deref(),
            Some("Math adventure.")
        );
        assert_eq!(
            cyber.details.description_es.as_deref(),
            Some("Aventura de matemáticas.")
        );
        assert_eq!(cyber.details.episode_title_es.as_deref(), Some("El caso"));
        assert!(
            ctx.warnings.iter().any(|w| w
                .message
                .starts_with("feed ESKCTSA repeats feed KCTSA in Spanish")),
            "{:?}",
            ctx.warnings
        );
    }

    #[test]
    fn a_file_name_that_is_not_a_call_sign_names_no_station() {
        let (at, message) = refused("getListings-20190704.json", &day(&listing("0900", 30, "A")));
        assert_eq!(at.field, "station");
        assert!(message.contains("--station"), "{message}");
        let mut ctx = ParseContext::new("getListings-20190704.json", Los_Angeles);
        ctx.station = Some("KLRN".into());
        let got = run_with(&mut ctx, day(&listing("0900", 30, "A")).as_bytes()).unwrap();
        assert_eq!(&*got[0].station, "KLRN");
        assert_eq!(got[0].start, utc("2019-07-04T16:00:00Z"));
    }

    #[test]
    fn a_response_that_names_no_day_takes_the_day_flag_or_is_refused() {
        let json = day(&listing("0900", 30, "A"));
        let (at, message) = refused("KCET-today.json", &json);
        assert_eq!(at.field, "day");
        assert!(message.contains("--day"), "{message}");
        let mut ctx = ParseContext::new("KCET-today.json", Los_Angeles);
        ctx.day = "2020-04-15".parse().ok();
        let got = run_with(&mut ctx, json.as_bytes()).unwrap();
        assert_eq!(got[0].start, utc("2020-04-15T16:00:00Z"));
    }

    #[test]
    fn a_today_url_is_the_day_it_is_fetched() {
        let named = FileName::read("https://services.pbs.org/tvss/kcet/today/");
        assert_eq!(named.station.as_deref(), Some("KCET"));
        assert_eq!(named.day, None);
        assert!(named.today);
    }

    #[test]
    fn progress_is_reported_and_a_bom_is_allowed() {
        let mut json = b"\xef\xbb\xbf".to_vec();
        json.extend_from_slice(day(&listing("0900", 30, "A")).as_bytes());
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut ctx = ParseContext::new("KCET-20200413.json", Los_Angeles);
        let s = std::sync::Arc::clone(&seen);
        ctx.progress = Some(Box::new(move |b| {
            s.store(b, std::sync::atomic::Ordering::Relaxed);
        }));
        let got = run_with(&mut ctx, &json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.len(), 1);
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::Relaxed),
            json.len() as u64
        );
    }

    #[test]
    fn a_null_day_is_warned_about() {
        let json = format!(
            r#"{{"20200413": {}, "20200414": null}}"#,
            day(&listing("0900", 30, "A"))
        );
        let (got, ctx) = read_named("KCET-week.json", &json);
        assert_eq!(got.unwrap_or_else(|e| panic!("{e}")).len(), 1);
        assert_eq!(ctx.warnings.len(), 1);
        assert!(ctx.warnings[0].message.contains("2020-04-14"));
    }

    #[test]
    fn reads_the_fixture_day() {
        let json = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tvss/KCET-20200413.json"
        ));
        let mut ctx = ParseContext::new("KCET-20200413.json", Los_Angeles);
        let got = run_with(&mut ctx, json).unwrap_or_else(|e| panic!("{e}"));
        assert!(got.len() >= 4);
        assert!(got
            .windows(2)
            .all(|w| w[0].channel != w[1].channel || w[0].start < w[1].start));
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
    }
}
