//! iCalendar feeds (RFC 5545 with RFC 7986 names) of airings, per grade or station, and the
//! cache that lets a client re-poll for the price of one small query.
//!
//! Times are written in UTC (`Z`) throughout: every client reads them right (Outlook rejects a
//! `TZID` without its `VTIMEZONE`, Google reads floating times as UTC), and `X-WR-TIMEZONE`
//! tells clients the zone to show them in. The same data gives the same bytes: `UID`s come from
//! airing ids, `DTSTAMP` and `LAST-MODIFIED` from the airing's own update time.

mod cache;
mod family;
mod publish;
pub mod text;
mod vtimezone;

pub use cache::{FeedCache, RenderedFeed, HTTP_DATE};
pub use publish::{class_feed, publish, FeedParams};

use crate::domain::{Airing, AiringStatus, Assignment, Grade, GradeSet, Link};
use crate::i18n::Lang;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, EventStatus, Property, Trigger};
use std::collections::HashMap;

/// Which airings a feed holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedKind {
    Grade(Grade),
    Station(String),
    /// A teacher's class: the airings their work for it is linked to.
    Class(ClassFeed),
    /// A family's plan for one TV: one event per planned lesson ([`crate::family`]).
    Family(Vec<crate::family::Child>),
}

/// What a class feed needs to know of its class.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClassFeed {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub grades: GradeSet,
}

impl From<&crate::store::assignments::Class> for ClassFeed {
    fn from(c: &crate::store::assignments::Class) -> Self {
        ClassFeed {
            id: c.id,
            owner_id: c.owner_id,
            name: c.name.clone(),
            grades: c.grades,
        }
    }
}

impl FeedKind {
    /// Part of every UID, so an airing has one UID per feed.
    fn uid_part(&self) -> String {
        match self {
            FeedKind::Grade(g) => format!("grade-{}", g.code().to_ascii_lowercase()),
            FeedKind::Station(s) => format!("station-{}", s.to_ascii_lowercase()),
            FeedKind::Class(c) => format!("class-{}", c.id),
            FeedKind::Family(_) => "family".to_string(),
        }
    }

    /// Whether this feed shows an assignment's work.
    pub fn shows(&self, a: &Assignment) -> bool {
        match self {
            FeedKind::Grade(g) => a.fields.grades.contains(*g),
            FeedKind::Station(_) => true,
            // Each child's work is chosen by the child's own kind (`family::plan_loaded`).
            FeedKind::Family(children) => children.iter().any(|c| c.kind().shows(a)),
            FeedKind::Class(c) => {
                a.owner_id == c.owner_id
                    && match a.class_id {
                        Some(id) => id == c.id,
                        None => !GradeSet::from_bits(a.fields.grades.bits() & c.grades.bits())
                            .is_empty(),
                    }
            }
        }
    }
}

/// The work linked to each airing, for the assignments a feed shows.
pub struct WorkIndex<'a> {
    by_airing: HashMap<i64, Vec<&'a Assignment>>,
    by_episode: HashMap<&'a str, Vec<&'a Assignment>>,
    by_series: HashMap<&'a str, Vec<&'a Assignment>>,
}

impl<'a> WorkIndex<'a> {
    pub fn new(list: &'a [Assignment], keep: impl Fn(&Assignment) -> bool) -> WorkIndex<'a> {
        let mut idx = WorkIndex {
            by_airing: HashMap::new(),
            by_episode: HashMap::new(),
            by_series: HashMap::new(),
        };
        for a in list.iter().filter(|a| a.deleted_at.is_none() && keep(a)) {
            for l in &a.links {
                match l {
                    Link::Airing(id) => idx.by_airing.entry(*id).or_default().push(a),
                    Link::Episode(k) => idx.by_episode.entry(k.as_str()).or_default().push(a),
                    Link::Series(k) => idx.by_series.entry(k.as_str()).or_default().push(a),
                }
            }
        }
        idx
    }

    pub fn empty() -> WorkIndex<'static> {
        WorkIndex {
            by_airing: HashMap::new(),
            by_episode: HashMap::new(),
            by_series: HashMap::new(),
        }
    }

    /// The assignments linked to `airing` (itself, its episode or its series), oldest first.
    pub fn for_airing(&self, airing: &Airing) -> Vec<&'a Assignment> {
        let mut out: Vec<&Assignment> = Vec::new();
        let lists = [
            self.by_airing.get(&airing.id),
            airing
                .episode_key
                .as_deref()
                .and_then(|k| self.by_episode.get(k)),
            self.by_series.get(airing.series_key.as_str()),
        ];
        for a in lists.into_iter().flatten().flatten() {
            if !out.iter().any(|o| o.id == a.id) {
                out.push(a);
            }
        }
        out.sort_by_key(|a| a.id);
        out
    }
}

/// Everything that decides a feed's bytes besides the data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedRequest {
    pub kind: FeedKind,
    pub lang: Lang,
    /// First and last local day of the window.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Minutes before each airing for a reminder; 0 for none.
    pub alarm_minutes: u32,
}

/// Days before today a feed reaches back, and days ahead it reaches, by default.
pub const DEFAULT_DAYS_BACK: i64 = 14;
pub const DEFAULT_DAYS_AHEAD: i64 = 56;
/// Default reminder, in minutes before the airing.
pub const DEFAULT_ALARM: u32 = 15;
/// The reminders a feed can be asked for, in minutes before (0: none): what calendar apps
/// offer, and few enough that `alarm` cannot make endless distinct feeds.
pub const ALARMS: [u32; 11] = [0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 1440];
/// The longest window a feed can be asked for, to keep a feed a phone can load.
pub const MAX_WINDOW_DAYS: i64 = 400;
/// How long a removed airing stays in feeds as `STATUS:CANCELLED`, so that subscribed
/// calendars drop it rather than keep a stale copy.
pub const CANCELLED_FOR_DAYS: i64 = 14;

/// Why a feed could not be published.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// A parameter of the request is wrong; the message names it and says why.
    #[error("{0}")]
    BadParameter(String),
    #[error("no station `{0}` in the schedule")]
    NoStation(String),
    #[error("no class feed at this address: the link may have been renewed; ask the teacher for the new one")]
    NoClass,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Every turn at rendering was taken for longer than a request may wait.
    #[error("too many feeds are being made right now; try again in a minute")]
    Busy,
    /// The rendering task failed (a bug): logged, never shown.
    #[error("rendering the feed failed: {0}")]
    Render(String),
}

impl FeedRequest {
    /// A request with the default window around `today` (local date) unless `from`/`to` say.
    pub fn new(
        kind: FeedKind,
        lang: Lang,
        today: NaiveDate,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        alarm_minutes: Option<u32>,
    ) -> Result<FeedRequest, FeedError> {
        let from = from.unwrap_or(today - Duration::days(DEFAULT_DAYS_BACK));
        let to = to.unwrap_or(from.max(today) + Duration::days(DEFAULT_DAYS_AHEAD));
        if to < from {
            return Err(FeedError::BadParameter(format!(
                "to: {to} is before from: {from}"
            )));
        }
        if (to - from).num_days() > MAX_WINDOW_DAYS {
            return Err(FeedError::BadParameter(format!(
                "the window from {from} to {to} is longer than {MAX_WINDOW_DAYS} days"
            )));
        }
        let alarm_minutes = alarm_minutes.unwrap_or(DEFAULT_ALARM);
        if !ALARMS.contains(&alarm_minutes) {
            let allowed: Vec<String> = ALARMS.iter().map(u32::to_string).collect();
            return Err(FeedError::BadParameter(format!(
                "alarm: {alarm_minutes} is not one of {} (minutes before; 0 for no reminder)",
                allowed.join(", ")
            )));
        }
        Ok(FeedRequest {
            kind,
            lang,
            from,
            to,
            alarm_minutes,
        })
    }
}

/// Identifies the feed's publisher in `PRODID` and `UID`s.
pub struct Publisher<'a> {
    /// Host part for UIDs (`lessoncast.example.org`).
    pub host: &'a str,
    /// Public base URL, for links.
    pub base_url: &'a str,
    /// The zone times are shown in (`X-WR-TIMEZONE`) and weeks are counted in.
    pub tz: chrono_tz::Tz,
}

/// The calendar's display name, e.g. "Grade 5 · Lessons on TV" or "KCET".
pub fn calendar_name(kind: &FeedKind, lang: Lang) -> String {
    let s = lang.strings();
    match kind {
        FeedKind::Grade(g) => format!("{} · {}", s.grade_name(*g), s.lessons_on_tv),
        FeedKind::Station(c) => format!("{c} · {}", s.lessons_on_tv),
        FeedKind::Class(c) => format!("{} · {}", c.name, s.lessons_on_tv),
        FeedKind::Family(children) => {
            let names: Vec<String> = children.iter().map(|c| c.label(lang)).collect();
            format!("{} · {}", lang.plan().title, names.join(", "))
        }
    }
}

/// Renders the feed for `airings` (already chosen for the request's kind and window).
pub fn render(
    req: &FeedRequest,
    airings: &[Airing],
    work: &WorkIndex<'_>,
    publisher: &Publisher<'_>,
) -> String {
    let mut cal = calendar(req, publisher);
    let remind = reminded(airings, work);
    for a in airings {
        cal.push(event(
            req,
            a,
            &work.for_airing(a),
            remind.contains(&a.id),
            publisher,
        ));
    }
    finish(cal, req, publisher)
}

/// A gap shorter than this between two airings on a channel keeps them in one block.
const BLOCK_GAP: i64 = 5 * 60;

/// The airings that get a reminder: each that carries work, and the first of each block (one
/// that follows no airing of the feed on its channel within [`BLOCK_GAP`]), but never two at
/// one minute: of those starting together, the one with work keeps it (else the first by
/// channel). A listing feed then rings when a block of lessons begins and for each lesson
/// with work, not for all 19 airings of a day.
pub fn reminded(airings: &[Airing], work: &WorkIndex<'_>) -> std::collections::HashSet<i64> {
    let live: Vec<&Airing> = airings
        .iter()
        .filter(|a| a.status == AiringStatus::Scheduled)
        .collect();
    let mut by_channel: HashMap<(&str, &str), Vec<&Airing>> = HashMap::new();
    for a in &live {
        by_channel
            .entry((a.station.as_str(), a.channel.as_str()))
            .or_default()
            .push(a);
    }
    // (start minute, has no work, station, channel, id) of each candidate.
    let mut candidates: Vec<(i64, bool, &str, &str, i64)> = Vec::new();
    for list in by_channel.values_mut() {
        list.sort_by_key(|a| (a.start, a.id));
        let mut reach: Option<i64> = None;
        for a in list.iter() {
            let start = a.start.timestamp();
            let starts_block = reach.is_none_or(|r| start - r > BLOCK_GAP);
            let has_work = !work.for_airing(a).is_empty();
            if starts_block || has_work {
                candidates.push((start / 60, !has_work, &a.station, &a.channel, a.id));
            }
            let end = a.end.map_or(start, |e| e.timestamp());
            reach = Some(reach.map_or(end, |r| r.max(end)));
        }
    }
    candidates.sort();
    let mut out = std::collections::HashSet::new();
    let mut last_minute = None;
    for (minute, _, _, _, id) in candidates {
        if last_minute != Some(minute) {
            out.insert(id);
            last_minute = Some(minute);
        }
    }
    out
}

/// The calendar's own properties, before its events.
pub(crate) fn calendar(req: &FeedRequest, publisher: &Publisher<'_>) -> Calendar {
    let s = req.lang.strings();
    let name = calendar_name(&req.kind, req.lang);
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property((
            "PRODID",
            concat!(
                "-//lessoncast//lessoncast ",
                env!("CARGO_PKG_VERSION"),
                "//EN"
            ),
        ))
        .append_property(("CALSCALE", "GREGORIAN"))
        // RFC 5545 has LANGUAGE only as a parameter of a text property (libical reports a
        // calendar-level LANGUAGE property), so each text we write says its language.
        .append_property(
            icalendar::Property::new("NAME", text::escaped(&name))
                .add_parameter("LANGUAGE", req.lang.code())
                .done(),
        )
        .append_property(("X-WR-CALNAME", text::clean(&name).as_str()))
        .append_property(("X-WR-TIMEZONE", publisher.tz.name()))
        // No METHOD: PUBLISH would require an ORGANIZER on every event (RFC 5546 §3.2.1),
        // which a broadcast schedule has none of; subscribing clients need neither.
        .append_property(("X-PUBLISHED-TTL", "PT6H"))
        .append_property(
            icalendar::Property::new("REFRESH-INTERVAL", "PT6H")
                .add_parameter("VALUE", "DURATION")
                .done(),
        )
        .append_property(
            icalendar::Property::new(
                "DESCRIPTION",
                text::clean(match req.kind {
                    FeedKind::Grade(_) => s.grade_feed_description,
                    FeedKind::Station(_) => s.station_feed_description,
                    FeedKind::Class(_) => s.class_feed_description,
                    FeedKind::Family(_) => req.lang.plan().intro,
                }),
            )
            .add_parameter("LANGUAGE", req.lang.code())
            .done(),
        );
    cal
}

/// The calendar as text: folded at 75 octets, with the zone's VTIMEZONE before the events.
pub(crate) fn finish(mut cal: Calendar, req: &FeedRequest, publisher: &Publisher<'_>) -> String {
    let text = refold(&cal.done().to_string());
    // The zone's VTIMEZONE, written by hand: the icalendar crate would give it a UID and DTSTAMP,
    // which a VTIMEZONE must not have.
    let tz = vtimezone::vtimezone(publisher.tz, chrono::Datelike::year(&req.from));
    match text
        .find("BEGIN:VEVENT\r\n")
        .or_else(|| text.find("END:VCALENDAR\r\n"))
    {
        Some(at) => format!("{}{tz}{}", &text[..at], &text[at..]),
        None => text,
    }
}

/// Folds content lines at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence, counting
/// the continuation line's leading space. The icalendar crate folds too, but its last piece of
/// a long line can reach 76 octets, which strict clients reject; so its folds are undone and
/// redone here.
fn refold(ical: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(ical.len() + ical.len() / 64 * 3);
    for logical in ical.replace("\r\n ", "").split_terminator("\r\n") {
        let mut rest = logical;
        let mut room = LIMIT;
        while rest.len() > room {
            let mut cut = room;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&rest[..cut]);
            out.push_str("\r\n ");
            rest = &rest[cut..];
            room = LIMIT - 1;
        }
        out.push_str(rest);
        out.push_str("\r\n");
    }
    out
}

/// The work one event shows in full; more is counted and pointed to (the week's page and
/// packet have it all). With the limits on text, this bounds an event's size whatever
/// teachers link to a series, so a grade feed stays small enough for a phone to fetch.
pub const WORK_PER_EVENT: usize = 5;
/// Characters of a work's instructions, and of its materials, an event shows.
pub const FEED_INSTRUCTIONS: usize = 1_500;
pub const FEED_MATERIALS: usize = 300;

/// `text` up to `max` characters, cut at a word where there is one, then `continues`.
fn cut(text: &str, max: usize, continues: &str) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => {
            let head = &text[..end];
            let head = match head.rfind(char::is_whitespace) {
                Some(space) if space > end / 2 => &head[..space],
                _ => head,
            };
            format!("{}… {continues}", head.trim_end())
        }
    }
}

fn event(
    req: &FeedRequest,
    a: &Airing,
    work: &[&Assignment],
    remind: bool,
    publisher: &Publisher<'_>,
) -> Event {
    let s = req.lang.strings();
    let lang = req.lang;
    let title = lang.pick(&a.details.title, a.details.title_es.as_deref());
    let episode = a
        .details
        .episode_title
        .as_deref()
        .map(|en| lang.pick(en, a.details.episode_title_es.as_deref()));
    let channel = format!("{} {}", a.station, a.channel);
    let summary = match episode {
        Some(ep) if !ep.is_empty() => format!("{channel} · {title}: {ep}"),
        _ => format!("{channel} · {title}"),
    };

    let mut description = Vec::new();
    if a.status == AiringStatus::Removed {
        description.push(s.cancelled.to_string());
    }
    for w in work.iter().take(WORK_PER_EVENT) {
        let f = &w.fields;
        let mut head = format!(
            "{}: {}",
            s.work_to_do,
            lang.pick(&f.title, f.title_es.as_deref())
        );
        if let Some(m) = f.minutes {
            head.push_str(&format!(" ({m} {})", s.minutes));
        }
        description.push(head);
        description.push(cut(
            lang.pick(&f.instructions, f.instructions_es.as_deref()),
            FEED_INSTRUCTIONS,
            s.continues,
        ));
        if let Some(m) = &f.materials {
            let m = lang.pick(m, f.materials_es.as_deref());
            description.push(format!(
                "{}: {}",
                s.materials,
                cut(m, FEED_MATERIALS, s.continues)
            ));
        }
        if let Some(d) = f.due {
            description.push(format!("{}: {}", s.due, req.lang.due_date(d)));
        }
        description.push(String::new());
    }
    if work.len() > WORK_PER_EVENT {
        description.push(format!("+{} {}", work.len() - WORK_PER_EVENT, s.more_work));
        description.push(String::new());
    }
    let mut watch = format!("{} {channel}", s.watch_on);
    if let Some(n) = a.channel_name.as_deref().filter(|n| *n != a.station) {
        watch.push_str(&format!(" ({n})"));
    }
    description.push(watch);
    if a.details.captions {
        description.push(s.captions.to_string());
    }
    if a.details.spanish_audio {
        description.push(s.spanish_audio.to_string());
    }
    if let Some(d) = a.details.description.as_deref() {
        description.push(String::new());
        description.push(
            lang.pick(d, a.details.description_es.as_deref())
                .to_string(),
        );
    }
    description.push(String::new());
    description.push(s.free_tv.to_string());
    // The family page of that week, for the grade of the feed (or the airing's first grade).
    let grade = match &req.kind {
        FeedKind::Grade(g) => Some(*g),
        _ => a.details.grades.iter().next(),
    };
    if let Some(g) = grade {
        let week =
            crate::domain::Week::containing(a.start.with_timezone(&publisher.tz).date_naive());
        description.push(format!(
            "{}: {}/schedule?grade={}&week={week}&lang={}",
            s.more,
            publisher.base_url,
            g.code(),
            lang.code()
        ));
    }

    let mut categories: Vec<String> = a.details.grades.iter().map(|g| s.grade_name(g)).collect();
    categories.insert(0, title.to_string());

    let stamp = a.updated_at;
    let mut e = airing_event(
        &format!("airing-{}-{}@{}", a.id, req.kind.uid_part(), publisher.host),
        a,
        stamp,
        &summary,
        &description.join("\n"),
        &channel,
        lang,
    );
    e.status(match a.status {
        AiringStatus::Scheduled => EventStatus::Confirmed,
        AiringStatus::Removed => EventStatus::Cancelled,
    })
    .add_multi_property(
        "CATEGORIES",
        &categories
            .iter()
            .map(|c| text::escaped(c))
            .collect::<Vec<_>>()
            .join(","),
    );
    if remind && req.alarm_minutes > 0 && a.status == AiringStatus::Scheduled {
        e.alarm(reminder(
            &format!("alarm-{}-{}@{}", a.id, req.kind.uid_part(), publisher.host),
            &format!("{}: {summary}", s.starts_soon),
            req.alarm_minutes,
            stamp,
        ));
    }
    e.done()
}

/// The part of an airing's event every feed writes alike: its UID, stamps and `SEQUENCE`
/// (the airing's revision), summary and description in `lang` (the icalendar crate escapes
/// those two itself; each carries its `LANGUAGE`), channel, start and end.
pub(crate) fn airing_event(
    uid: &str,
    a: &Airing,
    stamp: DateTime<Utc>,
    summary: &str,
    description: &str,
    channel: &str,
    lang: Lang,
) -> Event {
    let text_in = |name: &str, value: &str| {
        Property::new(name, text::clean(value))
            .add_parameter("LANGUAGE", lang.code())
            .done()
    };
    let mut e = Event::new();
    e.uid(uid)
        .timestamp(stamp)
        .last_modified(stamp)
        .sequence(u32::try_from(a.revision.saturating_sub(1)).unwrap_or(0))
        .append_property(text_in("SUMMARY", summary))
        .append_property(text_in("DESCRIPTION", description))
        .location(&text::clean(channel))
        .starts(a.start);
    if let Some(end) = a.end {
        e.ends(end);
    }
    e
}

/// A reminder `minutes` before the start. The library gives every component a UID and
/// DTSTAMP; they are given here, stable, so the same data gives the same bytes.
pub(crate) fn reminder(uid: &str, text: &str, minutes: u32, stamp: DateTime<Utc>) -> Alarm {
    let mut alarm = Alarm::display(
        &text::clean(text),
        Trigger::before_start(Duration::minutes(i64::from(minutes))),
    );
    alarm.uid(uid).timestamp(stamp);
    alarm
}

/// The instants of a request's window: local midnight of `from` to local midnight after `to`.
pub fn window(req: &FeedRequest, tz: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    use crate::domain::local_midnight;
    (
        local_midnight(req.from, tz),
        local_midnight(req.to + Duration::days(1), tz),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Details;
    use crate::domain::GradeSet;
    use chrono::TimeZone;

    fn airing() -> Airing {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        Airing {
            id: 42,
            station: "KCET".into(),
            channel: "28.1".into(),
            channel_name: Some("KCET Kids".into()),
            start: t("2020-04-13T16:00:00Z"),
            end: Some(t("2020-04-13T16:30:00Z")),
            details: Details {
                title: "Cyberchase".into(),
                title_es: Some("Ciberpersecución".into()),
                episode_title: Some("The Poddleville Case".into()),
                episode_title_es: None,
                description: Some("Math; fractions, and \"END:VEVENT\"\nnew line".into()),
                description_es: None,
                grades: GradeSet::parse_list("4-5").unwrap(),
                captions: true,
                spanish_audio: true,
            },
            series_key: "cyberchase".into(),
            episode_key: Some("cyberchase/the-poddleville-case".into()),
            status: AiringStatus::Scheduled,
            revision: 3,
            updated_at: t("2026-11-20T10:00:00Z"),
            tz: "America/Los_Angeles".into(),
        }
    }

    fn request(lang: Lang, alarm: Option<u32>) -> FeedRequest {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        FeedRequest::new(
            FeedKind::Grade("5".parse().unwrap()),
            lang,
            d("2020-04-13"),
            None,
            None,
            alarm,
        )
        .unwrap()
    }

    const PUBLISHER: Publisher<'static> = Publisher {
        host: "lessoncast.test",
        base_url: "http://lessoncast.test",
        tz: chrono_tz::America::Los_Angeles,
    };

    #[test]
    fn reminders_ring_for_work_and_block_starts_never_twice_a_minute() {
        let at = |id: i64, channel: &str, hh: u32, mm: u32| {
            let mut a = airing();
            a.id = id;
            a.channel = channel.into();
            a.series_key = format!("s{id}");
            a.episode_key = None;
            a.start = Utc.with_ymd_and_hms(2020, 4, 13, hh, mm, 0).unwrap();
            a.end = Some(a.start + Duration::minutes(30));
            a
        };
        let list = vec![
            at(1, "28.1", 16, 0),  // starts a block
            at(2, "28.1", 16, 30), // follows 1: no reminder
            at(3, "28.2", 16, 30), // starts a block, at the same minute as 4
            at(4, "28.3", 16, 30), // carries work: it keeps the minute
            at(5, "28.1", 17, 0),  // follows 2
            at(6, "28.1", 18, 0),  // after a gap: a block again
        ];
        let mut w = crate::packets::tests::assignment();
        w.links = vec![crate::domain::Link::Airing(4)];
        let all = vec![w];
        let work = WorkIndex::new(&all, |_| true);
        let mut rings: Vec<i64> = reminded(&list, &work).into_iter().collect();
        rings.sort();
        assert_eq!(rings, [1, 4, 6]);
        let feed = render(&request(Lang::En, Some(15)), &list, &work, &PUBLISHER);
        assert_eq!(feed.matches("BEGIN:VALARM").count(), 3);
    }

    #[test]
    fn an_event_shows_five_pieces_of_work_each_cut_to_size_and_counts_the_rest() {
        let long = "word ".repeat(2_000);
        let list: Vec<Assignment> = (0..8)
            .map(|i| {
                let mut a = crate::packets::tests::assignment();
                a.id = i;
                a.fields.title = format!("Work {i}");
                a.fields.instructions = long.clone();
                a.fields.materials = Some(long.clone());
                a
            })
            .collect();
        let work = WorkIndex::new(&list, |_| true);
        let feed = render(&request(Lang::En, None), &[airing()], &work, &PUBLISHER);
        let text = feed.replace("\r\n ", "");
        assert_eq!(text.matches("Work to do: Work").count(), WORK_PER_EVENT);
        assert!(text.contains("+3 more pieces of work"), "{text}");
        assert!(text.contains("… (continues on this week's page"));
        // Eight times 20 KB of text, and the whole feed, zone and all, stays under 14 KB.
        assert!(feed.len() < 14_000, "{} bytes", feed.len());
        assert_eq!(cut("short", 10, "…"), "short");
        assert_eq!(cut("one two three", 9, "(more)"), "one two… (more)");
        assert_eq!(cut("ñññññ", 3, "(más)"), "ñññ… (más)");
    }

    #[test]
    fn the_same_data_gives_the_same_bytes() {
        let a = render(
            &request(Lang::En, None),
            &[airing()],
            &WorkIndex::empty(),
            &PUBLISHER,
        );
        let b = render(
            &request(Lang::En, None),
            &[airing()],
            &WorkIndex::empty(),
            &PUBLISHER,
        );
        assert_eq!(a, b);
        assert!(
            a.contains("UID:airing-42-grade-5@lessoncast.test\r\n"),
            "{a}"
        );
        assert!(a.contains("SEQUENCE:2\r\n"));
        assert!(a.contains("DTSTART:20200413T160000Z\r\n"));
        assert!(a.contains("DTSTAMP:20261120T100000Z\r\n"));
        assert!(a.contains("TRIGGER;RELATED=START:-PT900S\r\n"), "{a}");
        assert_eq!(a.matches("\r\nNAME;LANGUAGE=en:").count(), 1);
        assert!(!a.contains("\r\nLANGUAGE:"), "LANGUAGE is a parameter only");
        assert!(
            !a.contains("\r\nMETHOD:"),
            "PUBLISH would need an ORGANIZER"
        );
        assert!(a.contains("\r\nSUMMARY;LANGUAGE=en:"), "{a}");
        assert!(a.contains("PRODID:-//lessoncast//"));
        assert!(a.contains("X-WR-TIMEZONE:America/Los_Angeles\r\n"));
        assert!(a.contains("BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n"));
        assert!(a.find("END:VTIMEZONE").unwrap() < a.find("BEGIN:VEVENT").unwrap());
    }

    #[test]
    fn text_that_looks_like_icalendar_cannot_break_the_event() {
        let a = render(
            &request(Lang::En, None),
            &[airing()],
            &WorkIndex::empty(),
            &PUBLISHER,
        );
        assert_eq!(a.matches("END:VEVENT\r\n").count(), 1);
        assert!(!a.contains("\r\nEND:VEVENT\"") && !a.contains("\nnew line"));
        for line in a.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
    }

    #[test]
    fn spanish_uses_spanish_titles_and_words_and_alarms_can_be_turned_off() {
        let a = render(
            &request(Lang::Es, Some(0)),
            &[airing()],
            &WorkIndex::empty(),
            &PUBLISHER,
        );
        assert!(a.contains("Ciberpersecuci"), "{a}");
        assert!(a.contains("Véalo en KCET 28.1"), "{a}");
        assert!(!a.contains("BEGIN:VALARM"));
        assert!(a.contains("Grado 5"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let long = format!("DESCRIPTION:{}\r\n", "añb·".repeat(60));
        let folded = refold(&long);
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line:?}");
        }
        assert_eq!(folded.replace("\r\n ", ""), long);
        // Exactly 75 octets of continuation content must still fold.
        let edge = format!("X:{}\r\n", "a".repeat(73 + 75));
        assert!(refold(&edge).split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn bad_windows_and_alarms_are_refused() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let k = FeedKind::Station("KCET".into());
        let today = d("2020-04-13");
        assert!(FeedRequest::new(
            k.clone(),
            Lang::En,
            today,
            Some(d("2020-04-14")),
            Some(d("2020-04-13")),
            None
        )
        .is_err());
        assert!(FeedRequest::new(
            k.clone(),
            Lang::En,
            today,
            Some(d("2019-01-01")),
            Some(d("2021-01-01")),
            None
        )
        .is_err());
        assert!(FeedRequest::new(k, Lang::En, today, None, None, Some(20_000)).is_err());
    }
}
