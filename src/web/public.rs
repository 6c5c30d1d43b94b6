//! The family pages, in English or Spanish (`?lang=es`): `/` (pick a grade, subscribe to its
//! calendar, this week at a glance) and `/schedule` (a week's lessons for a grade with the work
//! to do). Also the HTML plumbing the teacher pages share: rendering with safe headers, error
//! pages, week windows and local times.

use super::error::AppError;
use super::AppState;
use crate::domain::{Airing, Grade, Week};
use crate::feeds::{self, FeedKind, WorkIndex};
// Text in the page's language, or in English (and marked so) where no translation was given.
use crate::i18n::{Lang, Localized as Text, PageStrings, Strings};
use crate::store::{airings, assignments, AiringFilter};
use askama::Template;
use axum::extract::{rejection::QueryRejection, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/schedule", get(schedule))
}

// ---------------------------------------------------------------------------------------------
// Shared by every HTML page.

/// Scripts are never needed, so none may run; styles are the base layout's inline block.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Who may keep a copy of a page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caching {
    /// Family pages: the same for everyone asking in the same language.
    Public,
    /// Teacher pages: one person's, with a CSRF token in them.
    Private,
}

/// Renders `page` as an HTML response with headers that keep it safe.
pub(crate) fn render_page<T: Template>(status: StatusCode, page: &T, caching: Caching) -> Response {
    let body = match page.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "something went wrong on our side; please try again later\n",
            )
                .into_response();
        }
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    match caching {
        Caching::Public => {
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        }
        Caching::Private => {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    r
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    p: &'static PageStrings,
    status: u16,
    message: String,
    back_url: &'a str,
    back_label: &'a str,
}

/// An error as a small HTML page in `lang`, with a way back to `back_url`.
pub(crate) fn error_page(lang: Lang, e: AppError, back_url: &str, back_label: &str) -> Response {
    let status = e.status();
    let page = ErrorPage {
        lang,
        p: lang.pages(),
        status: status.as_u16(),
        message: e.public_message(),
        back_url,
        back_label,
    };
    render_page(status, &page, Caching::Private)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for a query value.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `https://host/path` → `webcal://host/path`, which calendar apps open as a subscription.
pub(crate) fn webcal(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("webcal://{rest}")
}

/// The earliest and latest weeks a page may ask for; far enough apart for any school, near
/// enough that no date arithmetic can overflow.
const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 9998;

/// A `week` parameter: empty or absent is the current week in `tz`.
pub(crate) fn parse_week(raw: Option<&str>, tz: Tz) -> Result<Week, AppError> {
    use chrono::Datelike;
    match raw.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(Week::containing(Utc::now().with_timezone(&tz).date_naive())),
        Some(w) => {
            let week: Week = w
                .parse()
                .map_err(|e| AppError::BadRequest(format!("week: {e}")))?;
            if !(FIRST_YEAR..=LAST_YEAR).contains(&week.monday().year()) {
                return Err(AppError::BadRequest(format!(
                    "week: `{w}` is outside the years {FIRST_YEAR} to {LAST_YEAR}"
                )));
            }
            Ok(week)
        }
    }
}

/// A `grade` parameter: empty or absent is no grade.
pub(crate) fn parse_grade(raw: Option<&str>) -> Result<Option<Grade>, AppError> {
    match raw.map(str::trim).filter(|g| !g.is_empty()) {
        None => Ok(None),
        Some(g) => g
            .parse::<Grade>()
            .map(Some)
            .map_err(|e| AppError::BadRequest(format!("grade: {e}"))),
    }
}

/// Airings grouped by their local day, in order.
pub(crate) fn by_local_day(list: &[Airing], tz: Tz) -> Vec<(NaiveDate, Vec<&Airing>)> {
    let mut days: Vec<(NaiveDate, Vec<&Airing>)> = Vec::new();
    for a in list {
        let d = a.start.with_timezone(&a.zone(tz)).date_naive();
        match days.last_mut() {
            Some((day, items)) if *day == d => items.push(a),
            _ => days.push((d, vec![a])),
        }
    }
    days
}

/// "9:00 AM" for an instant, in `tz`.
pub(crate) fn clock(lang: Lang, t: DateTime<Utc>, tz: Tz) -> String {
    lang.clock(t.with_timezone(&tz).time())
}

/// "KCET 28.1 (KCET Kids)".
pub(crate) fn channel_label(a: &Airing) -> String {
    match a.channel_name.as_deref().filter(|n| *n != a.station) {
        Some(n) => format!("{} {} ({n})", a.station, a.channel),
        None => format!("{} {}", a.station, a.channel),
    }
}

// ---------------------------------------------------------------------------------------------
// The family pages.

#[derive(Deserialize, Default)]
struct PageQuery {
    grade: Option<String>,
    week: Option<String>,
    lang: Option<String>,
}

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

struct WorkView {
    title: Text,
    minutes: Option<i64>,
    instructions: Text,
    materials: Option<String>,
    due: Option<String>,
}

struct ItemView {
    time: String,
    end: Option<String>,
    channel: String,
    title: Text,
    episode: Option<Text>,
    description: Option<Text>,
    captions: bool,
    spanish_audio: bool,
    work: Vec<WorkView>,
}

struct DayView {
    heading: String,
    items: Vec<ItemView>,
}

struct Subscribe {
    grade_name: String,
    webcal: String,
    https: String,
    webcal_quiet: String,
    https_quiet: String,
    google: String,
    outlook: String,
    schedule_url: String,
    /// The subscribe address as a QR code (our own SVG, no user text in it).
    qr_svg: String,
    /// This week's printable packet.
    packet_pdf: String,
    packet_html: String,
}

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    switch_url: String,
    switch_code: &'static str,
    switch_name: &'static str,
    grades: Vec<Opt>,
    grade_code: String,
    langs: Vec<Opt>,
    with_week: bool,
    week_value: String,
    chosen: Option<Subscribe>,
    glance: Vec<DayView>,
    alarm_minutes: u32,
}

#[derive(Template)]
#[template(path = "public/schedule.html")]
struct SchedulePage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    switch_url: String,
    switch_code: &'static str,
    switch_name: &'static str,
    grades: Vec<Opt>,
    grade_code: String,
    langs: Vec<Opt>,
    with_week: bool,
    week_value: String,
    heading: String,
    prev_url: String,
    next_url: String,
    home_url: String,
    days: Vec<DayView>,
}

/// The language a family page is in: `?lang=`, else the browser's preference, else English.
fn page_lang(raw: Option<&str>, headers: &HeaderMap) -> Result<Lang, AppError> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => l
            .parse::<Lang>()
            .map_err(|e| AppError::BadRequest(format!("lang: {e}"))),
        None => Ok(headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default()),
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::En => Lang::Es,
        Lang::Es => Lang::En,
    }
}

/// The grades families pick from: PK, K, 1 … 12.
fn grade_options(lang: Lang, chosen: Option<Grade>) -> Vec<Opt> {
    let s = lang.strings();
    Grade::all()
        .filter(|g| *g != Grade::ADULT)
        .map(|g| Opt {
            value: g.code(),
            label: s.grade_name(g),
            selected: Some(g) == chosen,
        })
        .collect()
}

fn lang_options(lang: Lang) -> Vec<Opt> {
    [Lang::En, Lang::Es]
        .into_iter()
        .map(|l| Opt {
            value: l.code().to_string(),
            label: l.pages().language_name.to_string(),
            selected: l == lang,
        })
        .collect()
}

/// The subscribe links of a grade's feed in `lang`.
fn subscribe_links(base: &str, grade: Grade, lang: Lang, week: Week) -> Subscribe {
    let path = format!("/feeds/grades/{}.ics?lang={}", grade.code(), lang.code());
    let https = format!("{base}{path}");
    let https_quiet = format!("{https}&alarm=0");
    let name = feeds::calendar_name(&FeedKind::Grade(grade), lang);
    Subscribe {
        grade_name: lang.strings().grade_name(grade),
        webcal: webcal(&https),
        webcal_quiet: webcal(&https_quiet),
        google: format!(
            "https://calendar.google.com/calendar/r?cid={}",
            url_encode(&webcal(&https))
        ),
        outlook: format!(
            "https://outlook.live.com/calendar/0/addfromweb?url={}&name={}",
            url_encode(&https),
            url_encode(&name)
        ),
        schedule_url: format!("/schedule?grade={}&lang={}", grade.code(), lang.code()),
        qr_svg: crate::packets::Qr::new(&webcal(&https))
            .map(|q| q.svg(180, lang.pages().subscribe_apple))
            .unwrap_or_default(),
        packet_pdf: format!("/packets/{}/{week}.pdf?lang={}", grade.code(), lang.code()),
        packet_html: format!("/packets/{}/{week}.html?lang={}", grade.code(), lang.code()),
        https,
        https_quiet,
    }
}

/// A grade's airings in a week, by local day, with the work each carries in `lang`.
async fn grade_week(
    state: &AppState,
    grade: Grade,
    week: Week,
    lang: Lang,
) -> Result<Vec<DayView>, AppError> {
    let tz = state.config.tz;
    let (from, to) = week.window(tz);
    let pool = state.store.pool();
    let list = airings::list(
        pool,
        &AiringFilter {
            grade: Some(grade),
            from: Some(from),
            to: Some(to),
            ..Default::default()
        },
    )
    .await?;
    let live = assignments::live(pool).await?;
    let kind = FeedKind::Grade(grade);
    let work = WorkIndex::new(&live, |a| kind.shows(a));
    Ok(by_local_day(&list, tz)
        .into_iter()
        .map(|(day, items)| DayView {
            heading: lang.day_heading(day),
            items: items
                .into_iter()
                .map(|a| item_view(a, lang, tz, &work))
                .collect(),
        })
        .collect())
}

fn item_view(a: &Airing, lang: Lang, tz: Tz, work: &WorkIndex<'_>) -> ItemView {
    let tz = a.zone(tz);
    ItemView {
        time: clock(lang, a.start, tz),
        end: a.end.map(|e| clock(lang, e, tz)),
        channel: channel_label(a),
        title: Text::pick(lang, &a.title, a.title_es.as_deref()),
        episode: Text::pick_some(
            lang,
            a.episode_title.as_deref(),
            a.episode_title_es.as_deref(),
        ),
        description: Text::pick_some(lang, a.description.as_deref(), a.description_es.as_deref()),
        captions: a.captions,
        spanish_audio: a.spanish_audio,
        work: work
            .for_airing(a)
            .into_iter()
            .map(|w| {
                let f = &w.fields;
                WorkView {
                    title: Text::pick(lang, &f.title, f.title_es.as_deref()),
                    minutes: f.minutes,
                    instructions: Text::pick(lang, &f.instructions, f.instructions_es.as_deref()),
                    materials: f.materials.clone(),
                    due: f.due.map(|d| lang.long_date(d)),
                }
            })
            .collect(),
    }
}

/// Runs a family page, answering errors with a page in its language (English when the
/// language itself was the problem).
async fn family_page<F>(
    query: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
    f: F,
) -> Response
where
    F: AsyncFnOnce(PageQuery, Lang) -> Result<Response, AppError>,
{
    let q = match query {
        Ok(Query(q)) => q,
        Err(e) => {
            let lang = page_lang(None, &headers).unwrap_or_default();
            return family_error(lang, AppError::BadRequest(e.body_text()));
        }
    };
    let lang = match page_lang(q.lang.as_deref(), &headers) {
        Ok(l) => l,
        Err(e) => return family_error(Lang::En, e),
    };
    match f(q, lang).await {
        Ok(r) => r,
        Err(e) => family_error(lang, e),
    }
}

fn family_error(lang: Lang, e: AppError) -> Response {
    let url = format!("/?lang={}", lang.code());
    error_page(lang, e, &url, lang.pages().back_to_start)
}

/// `GET /?grade=5&lang=es`
async fn home(
    State(state): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    family_page(query, headers, async |q: PageQuery, lang: Lang| {
        let grade = parse_grade(q.grade.as_deref())?;
        let week = parse_week(None, state.config.tz)?;
        let (chosen, glance) = match grade {
            Some(g) => (
                Some(subscribe_links(&state.config.base_url, g, lang, week)),
                grade_week(&state, g, week, lang).await?,
            ),
            None => (None, Vec::new()),
        };
        let grade_code = grade.map(|g| g.code()).unwrap_or_default();
        let switch = other(lang);
        let page = HomePage {
            lang,
            p: lang.pages(),
            s: lang.strings(),
            switch_url: if grade_code.is_empty() {
                format!("/?lang={}", switch.code())
            } else {
                format!("/?grade={grade_code}&lang={}", switch.code())
            },
            switch_code: switch.code(),
            switch_name: switch.pages().language_name,
            grades: grade_options(lang, grade),
            grade_code,
            langs: lang_options(lang),
            with_week: false,
            week_value: String::new(),
            chosen,
            glance,
            alarm_minutes: feeds::DEFAULT_ALARM,
        };
        Ok(render_page(StatusCode::OK, &page, Caching::Public))
    })
    .await
}

/// `GET /schedule?grade=5&week=2020-04-13&lang=es`
async fn schedule(
    State(state): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    family_page(query, headers, async |q: PageQuery, lang: Lang| {
        let grade = parse_grade(q.grade.as_deref())?;
        let week = parse_week(q.week.as_deref(), state.config.tz)?;
        let p = lang.pages();
        let s = lang.strings();
        let days = match grade {
            Some(g) => grade_week(&state, g, week, lang).await?,
            None => Vec::new(),
        };
        let grade_code = grade.map(|g| g.code()).unwrap_or_default();
        let link =
            |w: Week, l: Lang| format!("/schedule?grade={grade_code}&week={w}&lang={}", l.code());
        let heading = match grade {
            Some(g) => format!(
                "{} · {} {}",
                s.grade_name(g),
                p.week_of,
                lang.long_date(week.monday())
            ),
            None => format!("{} {}", p.week_of, lang.long_date(week.monday())),
        };
        let switch = other(lang);
        let page = SchedulePage {
            lang,
            p,
            s,
            switch_url: link(week, switch),
            switch_code: switch.code(),
            switch_name: switch.pages().language_name,
            grades: grade_options(lang, grade),
            langs: lang_options(lang),
            with_week: true,
            week_value: week.to_string(),
            heading,
            prev_url: link(Week::containing(week.monday() - Duration::days(7)), lang),
            next_url: link(Week::containing(week.monday() + Duration::days(7)), lang),
            home_url: format!("/?grade={grade_code}&lang={}", lang.code()),
            grade_code,
            days,
        };
        Ok(render_page(StatusCode::OK, &page, Caching::Public))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_links_for_every_calendar() {
        let g: Grade = "5".parse().unwrap();
        let s = subscribe_links(
            "https://lessons.example.org",
            g,
            Lang::Es,
            "2020-04-13".parse().unwrap(),
        );
        assert_eq!(
            s.https,
            "https://lessons.example.org/feeds/grades/5.ics?lang=es"
        );
        assert_eq!(
            s.webcal,
            "webcal://lessons.example.org/feeds/grades/5.ics?lang=es"
        );
        assert_eq!(
            s.webcal_quiet,
            "webcal://lessons.example.org/feeds/grades/5.ics?lang=es&alarm=0"
        );
        assert_eq!(
            s.google,
            "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Flessons.example.org%2Ffeeds%2Fgrades%2F5.ics%3Flang%3Des"
        );
        assert!(s.outlook.starts_with(
            "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Flessons.example.org%2Ffeeds%2Fgrades%2F5.ics%3Flang%3Des&name=Grado%205%20%C2%B7%20Clases%20en%20la%20TV"
        ));
    }

    #[test]
    fn weeks_out_of_range_are_refused_not_overflowed() {
        let tz = chrono_tz::America::Los_Angeles;
        assert_eq!(
            parse_week(Some("2020-04-15"), tz).unwrap().to_string(),
            "2020-04-13"
        );
        assert!(parse_week(Some("262143-12-31"), tz).is_err());
        assert!(parse_week(Some("0001-01-01"), tz).is_err());
        assert!(parse_week(Some("soon"), tz).is_err());
    }
}
