//! Station CSV exports, in lessoncast's documented header.
//!
//! # Accepted input
//!
//! A UTF-8 text file (a byte-order mark is allowed) whose first non-blank line is a header.
//! Fields are separated by `,`; a header line with no comma but with `;` or tabs uses that
//! instead. Fields may be quoted with `"` (`""` inside quotes is one quote). Blank lines are
//! skipped.
//!
//! Header names are matched ignoring case, with spaces, `-` and `_` alike (`Episode Title`,
//! `episode-title`), in any order. Columns:
//!
//! | column | |
//! |---|---|
//! | `station` | required: call sign (`KCET`); times are local to its zone |
//! | `channel` | required: channel number (`28.1`) |
//! | `start` | required: `2020-04-13 09:00`, `2020-04-13T09:00`, either with `:ss`, `4/13/2020 9:00
//! AM`; an offset (`2020-04-13T09:00-07:00`, `…Z`) is honoured |
//! | `duration` or `end` | one required: `duration` is minutes (`30`), `h:mm` or `hh:mm:ss`; `end`
//! is like `start`, or a time alone (`09:30`, on the start's date, or the next day if not after the
//! start); `end` wins when both are filled |
//! | `title` | required |
//! | `episode_title`, `description`, `channel_name` | optional text |
//! | `title_es`, `episode_title_es`, `description_es` | optional Spanish text |
//! | `grades` | `5`, `K-3`, `4-8`, `PreK`, lists such as `K-2, 5` |
//! | `categories` | separated by `;` or `\|`; a category such as `Grades 4-8` adds those grades |
//! | `nola` | `CYBR 000405`, `CYBR-000405` or the root alone (`CYBR`) |
//! | `nola_root`, `nola_episode` | the same in two columns (these win over `nola`) |
//! | `captions`, `spanish_audio` | `yes`/`no`, `true`/`false`, `1`/`0`, `y`/`n` (`cc` for
//! captions); empty is no |
//! | `language` | `es` / `Spanish` / `Español` means Spanish audio |
//! | `id` | the source's own id for the airing, kept so re-imports match it |
//!
//! Other columns are ignored with one warning naming them. Values are trimmed; an empty value
//! means none.
//!
//! A file that cannot be read refuses the import, naming line and column: a header without a
//! required column, text that is not UTF-8. A bad row is skipped with a warning naming its line
//! and column (`--strict` refuses the file instead): fewer fields than the header (or more,
//! unless the extra ones are empty), an empty required value, a time or duration that does not
//! read, an `end` not after its `start`, a local time skipped when the clocks go forward, bad
//! `grades`. A local time that happens twice when the clocks go back is taken as the first,
//! with a warning.

mod columns;
mod records;
mod time;

use self::columns::{Col, Columns};
use self::records::{is_blank, line_of, next_record, Lines};
use self::time::{parse_clock, parse_duration, parse_stamp, Stamp};
use super::tvss::names_spanish;
use super::{Emit, ImportError, ParseContext, Programme};
use crate::domain::GradeSet;
use crate::domain::{Details, WallTime};
use crate::import::{MAX_CODE, MAX_NAME};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use std::io::{self, BufRead, Cursor, Read};

/// Rows between progress reports.
const PROGRESS_EVERY: u64 = 512;

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Reads a station CSV export and hands each row, as a [`Programme`], to `emit`.
pub fn parse(
    mut input: impl BufRead,
    ctx: &mut ParseContext,
    emit: &mut Emit,
) -> Result<(), ImportError> {
    let (head, header_at) = read_head(&mut input).map_err(|e| source_error(ctx, &e))?;
    let delimiter = delimiter_of(&head[header_at..]);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Lines::new(Cursor::new(head).chain(input), delimiter));

    let mut record = ::csv::StringRecord::new();
    let no_names = Columns::default();
    let columns = loop {
        if !next_record(&mut reader, &mut record, &no_names, ctx)? {
            return Err(ctx.invalid(
                1,
                Col::Station.name(),
                "the file is empty: it needs a header line naming station, channel, start, \
                 title and duration or end",
            ));
        }
        if !is_blank(&record) {
            let line = line_of(&mut reader, &record);
            break Columns::from_header(&record, line, ctx)?;
        }
    };

    let mut rows = 0u64;
    while next_record(&mut reader, &mut record, &columns, ctx)? {
        if is_blank(&record) {
            continue;
        }
        let line = line_of(&mut reader, &record);
        let row = Row {
            record: &record,
            columns: &columns,
            line,
        };
        match row.check_width(ctx).and_then(|()| row.programme(ctx)) {
            Ok(programme) => emit(programme)?,
            Err(err) => ctx.skip(err, 1)?,
        }
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            ctx.report_progress(reader.position().byte());
        }
    }
    ctx.report_progress(reader.position().byte());
    Ok(())
}

/// Reads through the first non-blank line (the header), so the delimiter can be chosen before
/// the CSV reader starts. Returns those bytes, without a byte-order mark, and where the header
/// line starts in them. Stops at `\n` or `\r`, so a file without line breaks is not read whole.
fn read_head(input: &mut impl BufRead) -> io::Result<(Vec<u8>, usize)> {
    const LIMIT: usize = 1 << 20;
    let mut head = Vec::new();
    let mut line_start = 0;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok((head, line_start));
        }
        let end = available.iter().position(|&b| b == b'\n' || b == b'\r');
        let take = end.map_or(available.len(), |i| i + 1);
        let first = head.is_empty();
        head.extend_from_slice(&available[..take]);
        input.consume(take);
        if first && head.starts_with(UTF8_BOM) {
            head.drain(..UTF8_BOM.len());
        }
        if end.is_some() || head.len() >= LIMIT {
            if head[line_start..].iter().any(|b| !b.is_ascii_whitespace()) || head.len() >= LIMIT {
                return Ok((head, line_start));
            }
            line_start = head.len();
        }
    }
}

/// `,` unless the header line has none and has `;` or tabs.
fn delimiter_of(header: &[u8]) -> u8 {
    let count = |c: u8| header.iter().filter(|&&b| b == c).count();
    let (semicolons, tabs) = (count(b';'), count(b'\t'));
    if count(b',') > 0 || semicolons + tabs == 0 {
        b','
    } else if semicolons >= tabs {
        b';'
    } else {
        b'\t'
    }
}

fn source_error(ctx: &ParseContext, e: &io::Error) -> ImportError {
    ImportError::Source {
        source_name: ctx.file.clone(),
        message: format!("cannot read: {e}"),
    }
}

/// One row of the file.
struct Row<'r> {
    record: &'r ::csv::StringRecord,
    columns: &'r Columns,
    line: u64,
}

impl Row<'_> {
    /// The trimmed value of `col`, `None` when the column is absent or the value empty.
    fn get(&self, col: Col) -> Option<&str> {
        let i = self.columns.at[col as usize]?;
        let v = self.record.get(i)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn text(&self, col: Col) -> Option<String> {
        self.get(col).map(str::to_string)
    }

    fn invalid(&self, ctx: &ParseContext, col: Col, message: String) -> ImportError {
        ctx.invalid(self.line, col.name(), message)
    }

    fn required(&self, ctx: &ParseContext, col: Col) -> Result<&str, ImportError> {
        self.get(col)
            .ok_or_else(|| self.invalid(ctx, col, format!("{} is empty", col.name())))
    }

    /// As many fields as the header; more only when the extra ones are empty.
    fn check_width(&self, ctx: &ParseContext) -> Result<(), ImportError> {
        let (have, want) = (self.record.len(), self.columns.names.len());
        let message = || format!("row has {have} fields, the header has {want}");
        if have < want {
            return Err(ctx.invalid(self.line, &self.columns.name(have), message()));
        }
        if self.record.iter().skip(want).any(|f| !f.trim().is_empty()) {
            return Err(ctx.invalid(
                self.line,
                "",
                format!("{} (is a field with a comma in it not quoted?)", message()),
            ));
        }
        Ok(())
    }

    fn flag(&self, ctx: &ParseContext, col: Col) -> Result<bool, ImportError> {
        let Some(v) = self.get(col) else {
            return Ok(false);
        };
        match v.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "t" | "1" => Ok(true),
            "cc" if col == Col::Captions => Ok(true),
            "no" | "n" | "false" | "f" | "0" => Ok(false),
            _ => Err(self.invalid(
                ctx,
                col,
                format!("{} is \"{v}\"; expected yes or no", col.name()),
            )),
        }
    }

    fn programme(&self, ctx: &mut ParseContext) -> Result<Programme, ImportError> {
        let station = self.required(ctx, Col::Station)?.to_uppercase();
        let station = ctx.short(self.line, Col::Station.name(), station, MAX_CODE);
        let channel = self.required(ctx, Col::Channel)?.to_string();
        let channel = ctx.short(self.line, Col::Channel.name(), channel, MAX_CODE);
        let start_text = self.required(ctx, Col::Start)?;
        let title = self.required(ctx, Col::Title)?.to_string();
        let tz = ctx.tz_for(&station);

        let start = match parse_stamp(start_text) {
            Some(Stamp::Fixed(t)) => t.with_timezone(&Utc),
            Some(Stamp::Local(local)) => {
                let wall = WallTime::of(&tz, &local);
                let Some(first) = wall.earliest() else {
                    return Err(self.invalid(ctx, Col::Start, skipped("start", local, tz)));
                };
                if wall.is_repeated() {
                    ctx.warn(self.line, Col::Start.name(), twice(local, tz, first));
                }
                first
            }
            None => {
                return Err(self.invalid(
                    ctx,
                    Col::Start,
                    format!(
                        "start \"{start_text}\" is not a date and time; write 2020-04-13 09:00, \
                         4/13/2020 9:00 AM or 2020-04-13T09:00-07:00"
                    ),
                ))
            }
        };
        let end = self.end(ctx, tz, start)?;

        let grades = match self.get(Col::Grades) {
            Some(g) => GradeSet::parse_list(g)
                .map_err(|e| self.invalid(ctx, Col::Grades, e.to_string()))?,
            None => GradeSet::EMPTY,
        };
        let categories: Vec<String> = self
            .get(Col::Categories)
            .map(|c| {
                c.split([';', '|'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let grades = categories
            .iter()
            .filter_map(|c| GradeSet::from_category(c))
            .fold(grades, GradeSet::union);

        let (nola_root, nola_episode) = self.get(Col::Nola).map_or((None, None), split_nola);
        let spanish_audio = self.flag(ctx, Col::SpanishAudio)?
            || self.get(Col::Language).is_some_and(names_spanish);

        Ok(Programme {
            line: self.line,
            station: station.into(),
            channel: channel.into(),
            channel_name: self.text(Col::ChannelName).map(|n| {
                ctx.short(self.line, Col::ChannelName.name(), n, MAX_NAME)
                    .into()
            }),
            start,
            end: Some(end),
            end_guessed: false,
            zone: Default::default(),
            clump: false,
            details: Details {
                title,
                title_es: self.text(Col::TitleEs),
                episode_title: self.text(Col::EpisodeTitle),
                episode_title_es: self.text(Col::EpisodeTitleEs),
                description: self.text(Col::Description),
                description_es: self.text(Col::DescriptionEs),
                grades,
                captions: self.flag(ctx, Col::Captions)?,
                spanish_audio,
            },
            categories,
            nola_root: self
                .get(Col::NolaRoot)
                .map(str::to_ascii_uppercase)
                .or(nola_root),
            nola_episode: self.text(Col::NolaEpisode).or(nola_episode),
            episode_num: None,
            hd: false,
            previously_shown: false,
            source_id: self.text(Col::Id),
        })
    }

    /// From `end` when filled, else from `duration`.
    fn end(
        &self,
        ctx: &mut ParseContext,
        tz: Tz,
        start: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, ImportError> {
        if let Some(text) = self.get(Col::End) {
            let end = self.parse_end(ctx, tz, start, text)?;
            if end <= start {
                return Err(self.invalid(
                    ctx,
                    Col::End,
                    format!("end \"{text}\" is not after the start ({start})"),
                ));
            }
            return Ok(end);
        }
        let Some(text) = self.get(Col::Duration) else {
            let col = if self.columns.at[Col::Duration as usize].is_some() {
                Col::Duration
            } else {
                Col::End
            };
            return Err(self.invalid(ctx, col, "row has neither a duration nor an end".into()));
        };
        parse_duration(text)
            .filter(|d| *d > TimeDelta::zero())
            .and_then(|d| start.checked_add_signed(d))
            .ok_or_else(|| {
                self.invalid(
                    ctx,
                    Col::Duration,
                    format!(
                        "duration \"{text}\" is not a length; write minutes (30), h:mm (1:30) \
                         or hh:mm:ss (00:30:00)"
                    ),
                )
            })
    }

    fn parse_end(
        &self,
        ctx: &mut ParseContext,
        tz: Tz,
        start: DateTime<Utc>,
        text: &str,
    ) -> Result<DateTime<Utc>, ImportError> {
        let unreadable = || {
            self.invalid(
                ctx,
                Col::End,
                format!(
                    "end \"{text}\" is not a date and time or a time; write 2020-04-13 09:30, \
                     09:30 or 9:30 AM"
                ),
            )
        };
        let local = match parse_stamp(text) {
            Some(Stamp::Fixed(t)) => return Ok(t.with_timezone(&Utc)),
            Some(Stamp::Local(local)) => local,
            None => {
                let (time, offset) = parse_clock(text).ok_or_else(unreadable)?;
                let date = start.with_timezone(&tz).date_naive();
                if let Some(offset) = offset {
                    // A time with its own offset, on the start's date, else the day after.
                    let on = |d: NaiveDate| offset.from_local_datetime(&d.and_time(time)).single();
                    let end = on(date).map(|t| t.with_timezone(&Utc));
                    return match end {
                        Some(end) if end > start => Ok(end),
                        _ => date
                            .checked_add_days(Days::new(1))
                            .and_then(on)
                            .map(|t| t.with_timezone(&Utc))
                            .ok_or_else(unreadable),
                    };
                }
                let today = date.and_time(time);
                let after_start = |local: NaiveDateTime| {
                    WallTime::of(&tz, &local)
                        .after(start)
                        .is_none_or(|t| t > start)
                };
                if after_start(today) {
                    today
                } else {
                    date.checked_add_days(Days::new(1))
                        .ok_or_else(unreadable)?
                        .and_time(time)
                }
            }
        };
        let wall = WallTime::of(&tz, &local);
        let Some(end) = wall.after(start) else {
            return Err(self.invalid(ctx, Col::End, skipped("end", local, tz)));
        };
        if wall.is_repeated() {
            ctx.warn(self.line, Col::End.name(), twice(local, tz, end));
        }
        Ok(end)
    }
}

fn skipped(what: &str, local: NaiveDateTime, tz: Tz) -> String {
    format!(
        "{what} {} does not exist in {} (the clocks go forward over it)",
        local.format("%Y-%m-%d %H:%M"),
        tz.name()
    )
}

fn twice(local: NaiveDateTime, tz: Tz, taken: DateTime<Utc>) -> String {
    format!(
        "{} happens twice in {} (the clocks go back); taking {}; write an offset \
         (2020-11-01T01:30-08:00) to choose",
        local.format("%Y-%m-%d %H:%M"),
        tz.name(),
        taken.format("%Y-%m-%dT%H:%MZ")
    )
}

/// `CYBR 000405`, `CYBR-000405`, `CYBR000405` or `CYBR`.
fn split_nola(nola: &str) -> (Option<String>, Option<String>) {
    let some = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    let (root, episode) = match nola.find([' ', '-', '_']) {
        Some(i) => (&nola[..i], &nola[i + 1..]),
        None => {
            let digits = nola.bytes().rev().take_while(u8::is_ascii_digit).count();
            if nola.len() == 10 && digits >= 6 && nola.is_ascii() {
                nola.split_at(4)
            } else {
                (nola, "")
            }
        }
    };
    (some(root).map(|r| r.to_ascii_uppercase()), some(episode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Grade;
    use crate::import::Location;
    use chrono_tz::America::Los_Angeles;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("bad test instant {s}: {e}"))
    }

    fn run(input: &[u8]) -> (Result<Vec<Programme>, ImportError>, ParseContext) {
        run_with(input, false)
    }

    fn run_with(input: &[u8], strict: bool) -> (Result<Vec<Programme>, ImportError>, ParseContext) {
        let mut ctx = ParseContext::new("kcet.csv", Los_Angeles);
        ctx.strict = strict;
        let mut got = Vec::new();
        let mut emit = |p: Programme| {
            got.push(p);
            Ok(())
        };
        let result = parse(input, &mut ctx, &mut emit);
        (result.map(|()| got), ctx)
    }

    fn read(input: &str) -> Vec<Programme> {
        match run(input.as_bytes()).0 {
            Ok(got) => got,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    /// The error `--strict` refuses `input` with; without `--strict`, a bad row must be skipped
    /// with a warning at the same place (a file-level error refuses either way).
    fn refused(input: &[u8]) -> (Location, String) {
        let (at, message) = match run_with(input, true).0 {
            Ok(got) => panic!("expected an error, got {got:?}"),
            Err(ImportError::Invalid { at, message }) => (at, message),
            Err(e) => panic!("expected an invalid schedule, got {e}"),
        };
        if let (Ok(_), ctx) = run(input) {
            ctx.assert_skipped(&at, &message);
        }
        (at, message)
    }

    const HEAD: &str = "station,channel,start,duration,title\n";

    /// The start of a one-row file with `start` as written.
    fn start_of(start: &str) -> DateTime<Utc> {
        read(&format!("{HEAD}KCET,28.1,{start},30,A\n"))[0].start
    }

    #[test]
    fn reads_every_column_of_the_documented_header() {
        let csv = "\
station,channel,channel_name,start,duration,title,episode_title,description,grades,nola,\
title_es,episode_title_es,description_es,captions,language,categories,id
kcet,28.1,KCET,2020-04-13 09:00,30,Cyberchase,The Poddleville Case,Math.,4-5,CYBR 000405,\
Cyberchase (es),El caso,Matemáticas.,yes,es,Grades 6;Children|Math,kcet-123
";
        let got = read(csv);
        assert_eq!(got.len(), 1);
        let p = &got[0];
        assert_eq!(p.line, 2);
        assert_eq!(&*p.station, "KCET");
        assert_eq!(&*p.channel, "28.1");
        assert_eq!(p.channel_name.as_deref(), Some("KCET"));
        assert_eq!(p.start, utc("2020-04-13T16:00:00Z"));
        assert_eq!(p.end, Some(utc("2020-04-13T16:30:00Z")));
        assert_eq!(p.details.title, "Cyberchase");
        assert_eq!(
            p.details.episode_title.as_deref(),
            Some("The Poddleville Case")
        );
        assert_eq!(p.details.description.as_deref(), Some("Math."));
        assert_eq!(p.details.title_es.as_deref(), Some("Cyberchase (es)"));
        assert_eq!(p.details.episode_title_es.as_deref(), Some("El caso"));
        assert_eq!(p.details.description_es.as_deref(), Some("Matemáticas."));
        assert_eq!(p.nola_root.as_deref(), Some("CYBR"));
        assert_eq!(p.nola_episode.as_deref(), Some("000405"));
        assert!(p.details.captions);
        assert!(p.details.spanish_audio);
        assert_eq!(p.categories, ["Grades 6", "Children", "Math"]);
        assert_eq!(p.details.grades.codes(), ["4", "5", "6"]);
        assert_eq!(p.source_id.as_deref(), Some("kcet-123"));
    }

    #[test]
    fn columns_come_in_any_order_and_spelling() {
        let csv = "Title;Episode Title;START;Channel-Name;duration;STATION;channel\n\
                   Nature;Pandas;2020-04-13 09:30;KCET;60;KCET;28.1\n";
        let got = read(csv);
        let p = &got[0];
        assert_eq!(p.details.title, "Nature");
        assert_eq!(p.details.episode_title.as_deref(), Some("Pandas"));
        assert_eq!(p.channel_name.as_deref(), Some("KCET"));
        assert_eq!(&*p.channel, "28.1");
        assert_eq!(p.start, utc("2020-04-13T16:30:00Z"));
    }

    #[test]
    fn a_semicolon_or_tab_header_sets_the_delimiter() {
        let semi =
            read("station;channel;start;duration;title\nKCET;28.1;2020-04-13 09:00;30;\"A; B\"\n");
        assert_eq!(semi[0].details.title, "A; B");
        let tab = read(
            "station\tchannel\tstart\tduration\ttitle\nKCET\t28.1\t2020-04-13 09:00\t30\tA, B\n",
        );
        assert_eq!(tab[0].details.title, "A, B");
    }

    #[test]
    fn each_start_form_reads_as_the_same_local_time() {
        let nine = utc("2020-04-13T16:00:00Z");
        for start in [
            "2020-04-13 09:00",
            "2020-04-13T09:00",
            "2020-04-13 09:00:00",
            "2020-04-13T09:00:00",
            "4/13/2020 9:00 AM",
            "04/13/2020 09:00 am",
            "4/13/2020 9:00",
            "\"4/13/2020 9:00AM\"",
        ] {
            assert_eq!(start_of(start), nine, "{start}");
        }
        assert_eq!(start_of("2020-04-13 09:00:30"), utc("2020-04-13T16:00:30Z"));
        assert_eq!(start_of("4/13/2020 12:30 PM"), utc("2020-04-13T19:30:00Z"));
        assert_eq!(start_of("4/13/2020 12:05 AM"), utc("2020-04-13T07:05:00Z"));
        assert_eq!(start_of("4/13/2020 1:15 PM"), utc("2020-04-13T20:15:00Z"));
    }

    #[test]
    fn an_explicit_offset_is_honoured() {
        assert_eq!(
            start_of("2020-04-13T09:00-04:00"),
            utc("2020-04-13T13:00:00Z")
        );
        assert_eq!(
            start_of("2020-04-13T09:00:00-07:00"),
            utc("2020-04-13T16:00:00Z")
        );
        assert_eq!(
            start_of("2020-04-13T16:00:00Z"),
            utc("2020-04-13T16:00:00Z")
        );
        assert_eq!(
            start_of("2020-04-13 09:00 +0100"),
            utc("2020-04-13T08:00:00Z")
        );
    }

    #[test]
    fn times_are_in_the_stations_zone() {
        let mut ctx = ParseContext::new("kcet.csv", Los_Angeles);
        ctx.station_tz
            .insert("WGBH".into(), chrono_tz::America::New_York);
        let mut got = Vec::new();
        let mut emit = |p: Programme| {
            got.push(p);
            Ok(())
        };
        let csv =
            format!("{HEAD}wgbh,2.1,2020-04-13 09:00,30,A\nKCET,28.1,2020-04-13 09:00,30,B\n");
        parse(csv.as_bytes(), &mut ctx, &mut emit).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got[0].start, utc("2020-04-13T13:00:00Z"));
        assert_eq!(got[1].start, utc("2020-04-13T16:00:00Z"));
    }

    #[test]
    fn a_start_that_does_not_read_is_invalid() {
        for bad in [
            "2020-04-13",
            "13/13/2020 9:00",
            "2020-04-13 25:00",
            "tomorrow",
            "2020-04-13 9:00 XM",
        ] {
            let (at, message) = refused(format!("{HEAD}KCET,28.1,{bad},30,A\n").as_bytes());
            assert_eq!((at.line, at.field.as_str()), (2, "start"), "{bad}");
            assert!(message.contains(bad), "{message}");
        }
    }

    #[test]
    fn odd_characters_in_a_time_are_refused_not_a_crash() {
        assert_eq!(
            start_of("2020-04-13\u{a0}09:00"),
            utc("2020-04-13T16:00:00Z")
        );
        for bad in [
            "2020-04-13 09:00 +1\u{e9}2",
            "2020-04-13\u{3000}09:00\u{e9}",
        ] {
            let (at, _) = refused(format!("{HEAD}KCET,28.1,{bad},30,A\n").as_bytes());
            assert_eq!(at.field, "start", "{bad}");
        }
    }

    #[test]
    fn a_start_in_the_spring_forward_gap_is_invalid() {
        let (at, message) = refused(format!("{HEAD}KCET,28.1,2020-03-08 02:30,30,A\n").as_bytes());
        assert_eq!((at.line, at.field.as_str()), (2, "start"));
        assert!(
            message.contains("does not exist in America/Los_Angeles"),
            "{message}"
        );
        assert_eq!(start_of("2020-03-08 03:00"), utc("2020-03-08T10:00:00Z"));
        assert_eq!(start_of("2020-03-08 01:59"), utc("2020-03-08T09:59:00Z"));
    }

    #[test]
    fn an_ambiguous_start_takes_the_first_instant_with_a_warning() {
        let (got, ctx) = run(format!("{HEAD}KCET,28.1,2020-11-01 01:30,30,A\n").as_bytes());
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got[0].start, utc("2020-11-01T08:30:00Z")); // 01:30 PDT
        assert_eq!(got[0].end, Some(utc("2020-11-01T09:00:00Z")));
        assert_eq!(ctx.warnings.len(), 1);
        assert_eq!(
            (ctx.warnings[0].line, ctx.warnings[0].field.as_str()),
            (2, "start")
        );
        assert!(
            ctx.warnings[0].message.contains("happens twice"),
            "{:?}",
            ctx.warnings
        );
        // The second 01:30 needs its offset.
        assert_eq!(
            start_of("2020-11-01T01:30-08:00"),
            utc("2020-11-01T09:30:00Z")
        );
    }

    #[test]
    fn each_duration_form_gives_the_length() {
        for (duration, end) in [
            ("30", "2020-04-13T16:30:00Z"),
            ("90", "2020-04-13T17:30:00Z"),
            ("1:30", "2020-04-13T17:30:00Z"),
            ("0:45", "2020-04-13T16:45:00Z"),
            ("00:30:00", "2020-04-13T16:30:00Z"),
            ("01:00:30", "2020-04-13T17:00:30Z"),
        ] {
            let got = read(&format!("{HEAD}KCET,28.1,2020-04-13 09:00,{duration},A\n"));
            assert_eq!(got[0].end, Some(utc(end)), "{duration}");
        }
    }

    #[test]
    fn a_bad_or_zero_duration_is_invalid() {
        for bad in ["0", "0:00", "half an hour", "1:75", "-30", "1:2:3:4"] {
            let (at, _) = refused(format!("{HEAD}KCET,28.1,2020-04-13 09:00,{bad},A\n").as_bytes());
            assert_eq!((at.line, at.field.as_str()), (2, "duration"), "{bad}");
        }
    }

    #[test]
    fn each_end_form_gives_the_end() {
        let head = "station,channel,start,end,title\n";
        for (end, want) in [
            ("2020-04-13 09:30", "2020-04-13T16:30:00Z"),
            ("2020-04-13T09:30:00", "2020-04-13T16:30:00Z"),
            ("4/13/2020 9:30 AM", "2020-04-13T16:30:00Z"),
            ("09:30", "2020-04-13T16:30:00Z"),
            ("9:30 AM", "2020-04-13T16:30:00Z"),
            ("2020-04-13T12:30-04:00", "2020-04-13T16:30:00Z"),
        ] {
            let got = read(&format!("{head}KCET,28.1,2020-04-13 09:00,{end},A\n"));
            assert_eq!(got[0].end, Some(utc(want)), "{end}");
        }
    }

    #[test]
    fn an_end_time_not_after_the_start_is_the_next_day() {
        let head = "station,channel,start,end,title\n";
        let got = read(&format!("{head}KCET,28.1,2020-04-13 23:30,00:30,Late\n"));
        assert_eq!(got[0].start, utc("2020-04-14T06:30:00Z"));
        assert_eq!(got[0].end, Some(utc("2020-04-14T07:30:00Z")));
    }

    #[test]
    fn an_end_not_after_the_start_is_invalid() {
        let head = "station,channel,start,end,title\n";
        for end in [
            "2020-04-13 09:00",
            "2020-04-13 08:00",
            "2020-04-13T09:00-07:00",
        ] {
            let (at, message) =
                refused(format!("{head}KCET,28.1,2020-04-13 09:00,{end},A\n").as_bytes());
            assert_eq!((at.line, at.field.as_str()), (2, "end"), "{end}");
            assert!(message.contains("not after"), "{message}");
        }
    }

    #[test]
    fn end_wins_over_duration_and_fills_in_for_an_empty_one() {
        let head = "station,channel,start,duration,end,title\n";
        let got = read(&format!(
            "{head}KCET,28.1,2020-04-13 09:00,30,10:00,A\nKCET,28.1,2020-04-13 10:00,30,,B\n"
        ));
        assert_eq!(got[0].end, Some(utc("2020-04-13T17:00:00Z")));
        assert_eq!(got[1].end, Some(utc("2020-04-13T17:30:00Z")));
        let (at, _) = refused(format!("{head}KCET,28.1,2020-04-13 09:00,,,A\n").as_bytes());
        assert_eq!(at.field, "duration");
    }

    #[test]
    fn a_header_missing_a_required_column_is_invalid_at_line_1() {
        let (at, message) = refused(b"station,channel,duration,title\nKCET,28.1,30,A\n");
        assert_eq!((at.line, at.field.as_str()), (1, "start"));
        assert!(message.contains("no start column"), "{message}");
        let (at, message) = refused(b"station,channel,start,title\n");
        assert_eq!((at.line, at.field.as_str()), (1, "duration"));
        assert!(
            message.contains("neither a duration nor an end"),
            "{message}"
        );
        let (at, _) = refused(b"");
        assert_eq!(at.line, 1);
    }

    #[test]
    fn a_row_with_a_missing_column_is_invalid() {
        let csv = "station,channel,start,duration,title,episode_title,description,grades,id\n\
                   KCET,28.1,2020-04-13 09:00,30,A\n";
        let (at, message) = refused(csv.as_bytes());
        assert_eq!((at.line, at.field.as_str()), (2, "episode_title"));
        assert_eq!(message, "row has 5 fields, the header has 9");
    }

    #[test]
    fn a_row_with_extra_fields_is_invalid_unless_they_are_empty() {
        let got = read(&format!("{HEAD}KCET,28.1,2020-04-13 09:00,30,A,,\n"));
        assert_eq!(got.len(), 1);
        let (at, message) =
            refused(format!("{HEAD}KCET,28.1,2020-04-13 09:00,30,A, B\n").as_bytes());
        assert_eq!(at.line, 2);
        assert!(
            message.starts_with("row has 6 fields, the header has 5"),
            "{message}"
        );
    }

    #[test]
    fn an_empty_required_field_is_invalid() {
        for (row, field) in [
            (" ,28.1,2020-04-13 09:00,30,A", "station"),
            ("KCET,,2020-04-13 09:00,30,A", "channel"),
            ("KCET,28.1,,30,A", "start"),
            ("KCET,28.1,2020-04-13 09:00,30,\"\"", "title"),
        ] {
            let (at, message) = refused(format!("{HEAD}{row}\n").as_bytes());
            assert_eq!((at.line, at.field.as_str()), (2, field), "{row}");
            assert_eq!(message, format!("{field} is empty"));
        }
    }

    #[test]
    fn bad_grades_are_invalid() {
        let csv = "station,channel,start,duration,title,grades\n\
                   KCET,28.1,2020-04-13 09:00,30,A,4-8\n\
                   KCET,28.1,2020-04-13 09:30,30,B,4-14\n";
        let (at, message) = refused(csv.as_bytes());
        assert_eq!((at.line, at.field.as_str()), (3, "grades"));
        assert!(message.contains("4-14"), "{message}");
    }

    #[test]
    fn invalid_utf8_is_invalid_naming_line_and_field() {
        let mut csv = format!("{HEAD}KCET,28.1,2020-04-13 09:00,30,A\n").into_bytes();
        csv.extend_from_slice(b"KCET,28.1,2020-04-13 09:30,30,Ni\xf1os\n");
        let (at, message) = refused(&csv);
        assert_eq!((at.line, at.field.as_str()), (3, "title"));
        assert!(message.contains("UTF-8"), "{message}");
    }

    #[test]
    fn unknown_columns_get_one_warning_naming_them() {
        let csv = "station,channel,start,duration,title,rating,Genre\n\
                   KCET,28.1,2020-04-13 09:00,30,A,TV-G,Kids\n\
                   KCET,28.1,2020-04-13 09:30,30,B,TV-G,Kids\n";
        let (got, ctx) = run(csv.as_bytes());
        assert_eq!(got.map(|g| g.len()).unwrap_or(0), 2);
        assert_eq!(ctx.warnings.len(), 1);
        assert_eq!(ctx.warnings[0].line, 1);
        assert_eq!(
            ctx.warnings[0].message,
            "ignoring unknown columns: rating, Genre"
        );
    }

    #[test]
    fn a_bom_and_blank_lines_are_skipped_and_lines_counted() {
        let csv = format!(
            "\u{feff}\n{HEAD}KCET,28.1,2020-04-13 09:00,30,A\n\n,,,,\nKCET,28.1,2020-04-13 09:30,30,B\r\n"
        );
        let got = read(&csv);
        assert_eq!(got.len(), 2);
        assert_eq!(&*got[0].station, "KCET");
        assert_eq!((got[0].line, got[1].line), (3, 6));
        let (at, _) = refused("\u{feff}station,channel,start,title\n".as_bytes());
        assert_eq!((at.line, at.field.as_str()), (1, "duration"));
    }

    #[test]
    fn flags_read_yes_and_no_in_their_spellings() {
        let head = "station,channel,start,duration,title,captions,spanish_audio,language\n";
        let rows = [
            ("yes", "", "", true, false),
            ("CC", "no", "Spanish", true, true),
            ("1", "true", "en", true, true),
            ("n", "0", "Español", false, true),
            ("", "", "", false, false),
            ("False", "Y", "", false, true),
        ];
        for (captions, spanish, language, want_cc, want_es) in rows {
            let got = read(&format!(
                "{head}KCET,28.1,2020-04-13 09:00,30,A,{captions},{spanish},{language}\n"
            ));
            assert_eq!(
                (got[0].details.captions, got[0].details.spanish_audio),
                (want_cc, want_es),
                "{captions} {spanish} {language}"
            );
        }
        let (at, _) =
            refused(format!("{head}KCET,28.1,2020-04-13 09:00,30,A,maybe,,\n").as_bytes());
        assert_eq!((at.line, at.field.as_str()), (2, "captions"));
    }

    #[test]
    fn nola_codes_read_in_their_spellings() {
        assert_eq!(
            split_nola("CYBR 000405"),
            (Some("CYBR".into()), Some("000405".into()))
        );
        assert_eq!(
            split_nola("cybr-000405"),
            (Some("CYBR".into()), Some("000405".into()))
        );
        assert_eq!(
            split_nola("CYBR000405"),
            (Some("CYBR".into()), Some("000405".into()))
        );
        assert_eq!(split_nola("CYBR"), (Some("CYBR".into()), None));
        let csv = "station,channel,start,duration,title,nola,nola_episode\n\
                   KCET,28.1,2020-04-13 09:00,30,A,NATU,003712\n";
        let p = &read(csv)[0];
        assert_eq!(p.nola_root.as_deref(), Some("NATU"));
        assert_eq!(p.nola_episode.as_deref(), Some("003712"));
    }

    #[test]
    fn categories_name_grades_too() {
        let csv = "station,channel,start,duration,title,categories\n\
                   KCET,28.1,2020-04-13 09:00,30,A,PreK | Children\n";
        let p = &read(csv)[0];
        assert!(p.details.grades.contains(Grade::PK));
        assert_eq!(p.categories, ["PreK", "Children"]);
    }

    #[test]
    fn an_emit_error_stops_the_parse() {
        let csv =
            format!("{HEAD}KCET,28.1,2020-04-13 09:00,30,A\nKCET,28.1,2020-04-13 09:30,30,B\n");
        let mut ctx = ParseContext::new("kcet.csv", Los_Angeles);
        let mut seen = 0;
        let mut emit = |_p: Programme| {
            seen += 1;
            Err(ImportError::Source {
                source_name: "store".into(),
                message: "full".into(),
            })
        };
        assert!(parse(csv.as_bytes(), &mut ctx, &mut emit).is_err());
        assert_eq!(seen, 1);
    }

    /// The line each row is reported on, as its warnings name it.
    fn lines_of_rows(input: &[u8]) -> Vec<u64> {
        let (got, _) = run(input);
        got.unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|p| p.line)
            .collect()
    }

    #[test]
    fn rows_are_numbered_as_an_editor_numbers_them_whatever_the_line_endings() {
        let rows = [
            "KCET,28.1,2020-04-13 09:00,30,A",
            "KCET,28.1,2020-04-13 09:30,30,B",
        ];
        for end in ["\n", "\r\n", "\r"] {
            let text = format!("{}{end}{}{end}{}{end}", HEAD.trim_end(), rows[0], rows[1]);
            assert_eq!(lines_of_rows(text.as_bytes()), [2, 3], "{end:?}");
            // Blank lines before the header and between rows.
            let text = format!(
                "{end}{end}{}{end}{end}{}{end}{end}{end}{}{end}",
                HEAD.trim_end(),
                rows[0],
                rows[1]
            );
            assert_eq!(lines_of_rows(text.as_bytes()), [5, 8], "{end:?}");
        }
    }

    #[test]
    fn a_quoted_field_over_several_lines_keeps_later_rows_on_their_lines() {
        let text = "station,channel,start,duration,title,description\r\n\
                    KCET,28.1,2020-04-13 09:00,30,A,\"one\r\n\r\ntwo\"\r\n\
                    KCET,28.1,2020-04-13 09:30,30,B,x\r\n";
        let (got, _) = run(text.as_bytes());
        let got = got.unwrap();
        assert_eq!(
            got[0].details.description.as_deref(),
            Some("one\r\n\r\ntwo")
        );
        assert_eq!(got.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 5]);
    }

    #[test]
    fn quotes_are_read_as_the_csv_crate_reads_them_for_line_numbers() {
        // A quote inside an unquoted field is a character; a doubled one inside quotes too.
        let text = "station,channel,start,duration,title,description\n\
                    KCET,28.1,2020-04-13 09:00,30,A,a 5\" screen\n\
                    \n\
                    KCET,28.1,2020-04-13 09:30,30,B,\"say \"\"hi\"\"\n\nthere\"\n\
                    \n\
                    KCET,28.1,2020-04-13 10:00,30,C,x\n";
        let (got, _) = run(text.as_bytes());
        let got = got.unwrap();
        assert_eq!(got[0].details.description.as_deref(), Some("a 5\" screen"));
        assert_eq!(
            got[1].details.description.as_deref(),
            Some("say \"hi\"\n\nthere")
        );
        assert_eq!(got.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 4, 8]);
    }

    #[test]
    fn a_bad_row_in_a_crlf_file_is_reported_on_its_own_line() {
        let text = "station,channel,start,duration,title\r\n\
                    KCET,28.1,2020-04-13 09:00,30,A\r\n\
                    \r\n\
                    KCET,28.1,tomorrow,30,B\r\n";
        let (at, _) = refused(text.as_bytes());
        assert_eq!((at.line, at.field.as_str()), (4, "start"));
    }

    #[test]
    fn reads_the_fixture_week() {
        let csv = include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/csv/kcet-2020-04-13.csv"
        ));
        let (got, ctx) = run(csv);
        let got = got.unwrap_or_else(|e| panic!("{e}"));
        assert!(got.len() >= 4);
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        assert!(got.iter().all(|p| p.end.is_some_and(|e| e > p.start)));
    }
}
