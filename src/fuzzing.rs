//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_corpus.rs`, which replays
//! their seeds as an ordinary test: arbitrary bytes through each parser, the query parsers and
//! feed rendering, checking what must hold for any input. Each returns normally or panics
//! naming the broken rule; none may panic on its own.

use crate::domain::{
    parse_date, Airing, AiringStatus, Assignment, AssignmentInput, Details, Grade, GradeSet, Link,
    Week,
};
use crate::feeds::{self, FeedKind, FeedParams, Publisher, WorkIndex};
use crate::i18n::Lang;
use crate::import::{csv, tvss, xmltv, ImportError, ParseContext, Programme};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Inputs are cut to this many bytes: the parsers stream, so longer inputs find nothing new
/// and only slow the fuzzer down.
const MAX_INPUT: usize = 256 * 1024;

fn context(file: &str) -> ParseContext {
    let mut ctx = ParseContext::new(file, chrono_tz::America::Los_Angeles);
    // A TVSS file needs a station; the others ignore it.
    ctx.station = Some("KCET".into());
    ctx.day = NaiveDate::from_ymd_opt(2020, 4, 13);
    ctx
}

/// Runs `parse` over `data` and checks what it produced and reported.
fn parse_with(
    data: &[u8],
    file: &str,
    parse: impl FnOnce(
        &[u8],
        &mut ParseContext,
        &mut dyn FnMut(Programme) -> Result<(), ImportError>,
    ) -> Result<(), ImportError>,
) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let mut ctx = context(file);
    let mut emitted = 0usize;
    let result = parse(data, &mut ctx, &mut |p: Programme| {
        emitted += 1;
        if let Some(end) = p.end {
            assert!(
                end >= p.start,
                "{file}: a programme that ends before it starts: {p:?}"
            );
        }
        assert!(
            !p.station.is_empty(),
            "{file}: a programme without a station"
        );
        Ok(())
    });
    // Whatever the input, the warnings kept stay bounded (the rest are counted).
    assert!(
        ctx.warnings.len() <= 10_000,
        "{file}: {} warnings kept",
        ctx.warnings.len()
    );
    if let Err(e) = result {
        // An error names the file.
        assert!(e.to_string().contains(file), "{file}: {e}");
    }
    let _ = emitted;
}

pub fn xmltv(data: &[u8]) {
    parse_with(data, "fuzz.xml", |d, ctx, emit| xmltv::parse(d, ctx, emit));
}

pub fn tvss(data: &[u8]) {
    parse_with(data, "KCET-20200413.json", |d, ctx, emit| {
        tvss::parse(d, ctx, emit)
    });
}

pub fn csv(data: &[u8]) {
    parse_with(data, "fuzz.csv", |d, ctx, emit| csv::parse(d, ctx, emit));
}

/// A query string through the parsers of URL parameters: the feed parameters, and the
/// dates, weeks, grades and languages every route reads.
pub fn query(data: &[u8]) {
    let data = &data[..data.len().min(4096)];
    let text = String::from_utf8_lossy(data);
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    for part in text.split('&') {
        let value = part.split_once('=').map_or(part, |(_, v)| v);
        if let Ok(d) = parse_date(value) {
            let _ = Week::containing(d).monday();
        }
        if let Ok(w) = value.parse::<Week>() {
            // Any week that parses has a Monday and a Sunday inside the calendar.
            let _ = (w.monday(), w.monday() + TimeDelta::days(6));
        }
        let _ = value.parse::<Grade>();
        let _ = GradeSet::parse_list(value);
        let _ = value.parse::<Lang>();
    }
    if let Ok(uri) = format!("/feeds/grades/5.ics?{text}").parse::<axum::http::Uri>() {
        if let Ok(axum::extract::Query(params)) =
            axum::extract::Query::<FeedParams>::try_from_uri(&uri)
        {
            let grade = "5".parse::<Grade>().ok();
            if let Some(g) = grade {
                if let Ok(req) = params.request(FeedKind::Grade(g), today) {
                    // A window that was accepted is bounded.
                    let (from, to) = feeds::window(&req, chrono_tz::America::Los_Angeles);
                    assert!(to > from, "window {from}..{to}");
                    assert!(
                        to - from <= TimeDelta::days(feeds::MAX_WINDOW_DAYS + 2),
                        "window {from}..{to}"
                    );
                }
            }
        }
    }
}

/// Arbitrary teacher text (fields split at NUL bytes) and listing text, validated as the
/// server validates it and rendered into a feed; the feed must stay one calendar with one
/// event, every line within 75 octets, no bare CR or LF.
pub fn feed(data: &[u8]) {
    let data = &data[..data.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0').map(str::to_string);
    let mut next = || parts.next().unwrap_or_default();
    let title = next();
    let instructions = next();
    let materials = next();
    let listing_title = next();
    let listing_description = next();
    let input = AssignmentInput {
        title,
        title_es: None,
        instructions: instructions.clone(),
        instructions_es: Some(instructions),
        materials: Some(materials.clone()).filter(|m| !m.is_empty()),
        materials_es: Some(materials).filter(|m| !m.is_empty()),
        minutes: Some(20),
        grades: vec!["5".into()],
        due: None,
    };
    let Ok(fields) = input.validate() else {
        return;
    };
    let start = DateTime::<Utc>::from_timestamp(1_586_793_600, 0).unwrap_or_default();
    let airing = Airing {
        id: 1,
        station: "KCET".into(),
        channel: "28.1".into(),
        channel_name: Some(listing_title.clone()),
        start,
        end: Some(start + TimeDelta::minutes(30)),
        details: Details {
            title: if listing_title.is_empty() {
                "Show".into()
            } else {
                listing_title
            },
            title_es: None,
            episode_title: Some(listing_description.clone()),
            episode_title_es: None,
            description: Some(listing_description),
            description_es: None,
            grades: GradeSet::parse_list("5").unwrap_or(GradeSet::EMPTY),
            captions: true,
            spanish_audio: false,
        },
        series_key: "show".into(),
        episode_key: None,
        status: AiringStatus::Scheduled,
        revision: 1,
        updated_at: start,
        tz: "America/Los_Angeles".into(),
    };
    let work = [Assignment {
        id: 1,
        owner_id: 1,
        owner_email: "t@example.org".into(),
        class_id: None,
        fields,
        links: vec![Link::Series("show".into())],
        created_at: start,
        updated_at: start,
        deleted_at: None,
    }];
    let Some(grade) = "5".parse::<Grade>().ok() else {
        return;
    };
    for lang in [Lang::En, Lang::Es] {
        let Ok(req) = feeds::FeedRequest::new(
            FeedKind::Grade(grade),
            lang,
            start.date_naive(),
            None,
            None,
            Some(15),
        ) else {
            return;
        };
        let publisher = Publisher {
            host: "lessoncast.test",
            base_url: "http://lessoncast.test",
            tz: chrono_tz::America::Los_Angeles,
        };
        let out = feeds::render(
            &req,
            std::slice::from_ref(&airing),
            &WorkIndex::new(&work, |_| true),
            &publisher,
        );
        check_calendar(&out);
    }
}

/// The rules of RFC 5545 a hostile text could break if escaping or folding went wrong.
fn check_calendar(out: &str) {
    assert!(out.ends_with("\r\n"), "no final CRLF");
    let body = &out[..out.len() - 2];
    let mut events = 0;
    let mut depth = 0i32;
    for line in body.split("\r\n") {
        assert!(
            line.len() <= 75,
            "a line of {} octets: {line:?}",
            line.len()
        );
        assert!(!line.contains(['\r', '\n']), "a bare CR or LF in {line:?}");
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "a control character in {line:?}"
        );
        if line.starts_with(' ') {
            continue;
        }
        match line {
            "BEGIN:VEVENT" => {
                events += 1;
                depth += 1;
            }
            "END:VEVENT" => depth -= 1,
            l if l.starts_with("BEGIN:") => depth += 1,
            l if l.starts_with("END:") => depth -= 1,
            _ => {}
        }
        assert!(depth >= 0, "an END before its BEGIN");
    }
    assert_eq!(depth, 0, "unbalanced BEGIN/END");
    assert_eq!(events, 1, "hostile text made {events} events");
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_few_hostile_inputs() {
        super::xmltv(b"<tv><programme start=\"2020\" channel=\"\"><title>");
        super::tvss(b"{\"feeds\":[{\"listings\":[{\"start_time\":\"9999\"}]}]}");
        super::csv(b"date,time,title\n2020-04-13,25:00,x\n,,,,,,\n");
        super::query(b"from=-262143-01-01&to=9999-12-31&alarm=99999999999&lang=xx");
        super::feed(b"Title\r\nEND:VEVENT\0BEGIN:VEVENT\r\n\x1b[31m\0;,\\\0show\rCR\0desc");
    }
}
