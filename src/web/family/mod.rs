//! The family pages, in English or Spanish (`?lang=es`): `/` ([`home`]: pick a grade, subscribe
//! to its calendar, this week at a glance) and `/schedule` ([`schedule`]: a week's lessons for
//! a grade with the work to do). What both show of an airing and its work is here.

mod home;
mod plan;
mod schedule;
mod subscribe;

use crate::domain::{Airing, Grade, Week};
use crate::feeds::{FeedKind, WorkIndex};
use crate::web::error::AppError;
use crate::web::html::{by_local_day, channel_label, clock, error_page, shown};
use crate::web::AppState;
// Text in the page's language, or in English (and marked so) where no translation was given.
use crate::i18n::{Lang, Localized as Text};
use crate::store::{airings, assignments, AiringFilter};
use axum::extract::Query;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono_tz::Tz;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/schedule", get(schedule::schedule))
        .route("/family", get(plan::family_plan))
        .route("/subscribe", get(subscribe::subscribe))
}

/// A family page's parameters. Anything else is refused with a page that names it, in the
/// page's language, except the tracking tags that messaging and social apps add to links
/// people share (a family opening a shared link must see the page, not an error).
#[derive(Default)]
pub(super) struct PageQuery {
    pub(super) grade: Option<String>,
    /// `/family`: each child's grade, and class links.
    pub(super) grades: Option<String>,
    pub(super) classes: Option<String>,
    /// `/subscribe`: one teacher's class link.
    pub(super) class: Option<String>,
    pub(super) week: Option<String>,
    pub(super) lang: Option<String>,
    /// A family parameter came more than once (a box per child) or empty (a blank field):
    /// the address is not yet the short one to bookmark.
    pub(super) untidy: bool,
}

/// Tags that apps add to shared links, ignored.
const TRACKING: [&str; 7] = [
    "fbclid",
    "gclid",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
];

/// What is wrong with a family page's parameters, before their values are read.
enum Problem {
    Unknown(String),
    Twice(String),
}

impl PageQuery {
    /// The parameters of a query string, and the first one unknown or given twice.
    fn read(raw: Option<&str>, allowed: &[&str]) -> (PageQuery, Option<Problem>) {
        let pairs: Vec<(String, String)> = raw
            .and_then(|q| format!("/?{q}").parse::<axum::http::Uri>().ok())
            .and_then(|uri| Query::<Vec<(String, String)>>::try_from_uri(&uri).ok())
            .map(|Query(pairs)| pairs)
            .unwrap_or_default();
        let mut q = PageQuery::default();
        let mut problem = None;
        for (name, value) in pairs {
            if !allowed.contains(&name.as_str()) && !TRACKING.contains(&name.as_str()) {
                problem.get_or_insert(Problem::Unknown(name));
                continue;
            }
            if matches!(name.as_str(), "grades" | "classes") && value.trim().is_empty() {
                q.untidy = true;
                continue;
            }
            let slot = match name.as_str() {
                "grade" => &mut q.grade,
                "grades" => &mut q.grades,
                "classes" => &mut q.classes,
                "class" => &mut q.class,
                "week" => &mut q.week,
                "lang" => &mut q.lang,
                n if TRACKING.contains(&n) => continue,
                _ => {
                    problem.get_or_insert(Problem::Unknown(name));
                    continue;
                }
            };
            match slot {
                // Each child is a checkbox of the family form: `grades=2&grades=5` is `2,5`.
                Some(first) if matches!(name.as_str(), "grades" | "classes") => {
                    first.push(',');
                    first.push_str(&value);
                    q.untidy = true;
                }
                Some(first) if *first != value => {
                    problem.get_or_insert(Problem::Twice(name));
                }
                Some(_) => {}
                None => *slot = Some(value),
            }
        }
        (q, problem)
    }
}

pub(super) struct Opt {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

pub(super) struct WorkView {
    pub(super) title: Text,
    pub(super) minutes: Option<i64>,
    pub(super) instructions: Text,
    pub(super) materials: Option<Text>,
    pub(super) due: Option<String>,
}

pub(super) struct ItemView {
    pub(super) time: String,
    pub(super) end: Option<String>,
    pub(super) channel: String,
    pub(super) title: Text,
    pub(super) episode: Option<Text>,
    pub(super) description: Option<Text>,
    pub(super) captions: bool,
    pub(super) spanish_audio: bool,
    pub(super) work: Vec<WorkView>,
}

pub(super) struct DayView {
    pub(super) heading: String,
    pub(super) items: Vec<ItemView>,
    /// The day is today in the district's zone.
    pub(super) today: bool,
}

/// The language a family page is in: `?lang=`, else the browser's preference, else English.
pub(super) fn page_lang(raw: Option<&str>, headers: &HeaderMap) -> Result<Lang, AppError> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        // The language asked for is not one we have: say so in both.
        Some(l) => l.parse::<Lang>().map_err(|_| {
            AppError::BadRequest(format!(
                "lang: `{v}` {} / `{v}` {}",
                Lang::En.pages().bad_lang,
                Lang::Es.pages().bad_lang,
                v = shown(l)
            ))
        }),
        None => Ok(headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default()),
    }
}

/// The grades families pick from: PK, K, 1 … 12.
pub(super) fn grade_options(lang: Lang, chosen: Option<Grade>) -> Vec<Opt> {
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

pub(super) fn lang_options(lang: Lang) -> Vec<Opt> {
    [Lang::En, Lang::Es]
        .into_iter()
        .map(|l| Opt {
            value: l.code().to_string(),
            label: l.pages().language_name.to_string(),
            selected: l == lang,
        })
        .collect()
}

/// A grade's airings in a week, by local day, with the work each carries in `lang`.
pub(super) async fn grade_week(
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
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    Ok(by_local_day(&list, tz)
        .into_iter()
        .map(|(day, items)| DayView {
            heading: lang.day_heading(day),
            today: day == today,
            items: items
                .into_iter()
                .map(|a| item_view(a, lang, tz, &work))
                .collect(),
        })
        .collect())
}

pub(super) fn item_view(a: &Airing, lang: Lang, tz: Tz, work: &WorkIndex<'_>) -> ItemView {
    let tz = a.zone(tz);
    ItemView {
        time: clock(lang, a.start, tz),
        end: a.end.map(|e| clock(lang, e, tz)),
        channel: channel_label(a),
        title: Text::pick(lang, &a.details.title, a.details.title_es.as_deref()),
        episode: Text::pick_some(
            lang,
            a.details.episode_title.as_deref(),
            a.details.episode_title_es.as_deref(),
        ),
        description: Text::pick_some(
            lang,
            a.details.description.as_deref(),
            a.details.description_es.as_deref(),
        ),
        captions: a.details.captions,
        spanish_audio: a.details.spanish_audio,
        work: work
            .for_airing(a)
            .into_iter()
            .map(|w| {
                let f = &w.fields;
                WorkView {
                    title: Text::pick(lang, &f.title, f.title_es.as_deref()),
                    minutes: f.minutes,
                    instructions: Text::pick(lang, &f.instructions, f.instructions_es.as_deref()),
                    materials: Text::pick_some(
                        lang,
                        f.materials.as_deref(),
                        f.materials_es.as_deref(),
                    ),
                    due: f.due.map(|d| lang.due_date(d)),
                }
            })
            .collect(),
    }
}

/// Runs a family page, answering errors with a page in its language (English when the
/// language itself was the problem).
pub(super) async fn family_page<F>(
    raw: Option<String>,
    headers: HeaderMap,
    allowed: &[&str],
    f: F,
) -> Response
where
    F: AsyncFnOnce(PageQuery, Lang) -> Result<Response, AppError>,
{
    let (q, problem) = PageQuery::read(raw.as_deref(), allowed);
    let lang = match page_lang(q.lang.as_deref(), &headers) {
        Ok(l) => l,
        Err(e) => return family_error(Lang::En, e),
    };
    if let Some(problem) = problem {
        let p = lang.pages();
        let message = match problem {
            Problem::Unknown(name) => format!("`{}` {}", shown(&name), p.unknown_parameter),
            Problem::Twice(name) => format!("`{}` {}", shown(&name), p.repeated_parameter),
        };
        return family_error(lang, AppError::BadRequest(message));
    }
    match f(q, lang).await {
        Ok(r) => r,
        Err(e) => family_error(lang, e),
    }
}

pub(super) fn family_error(lang: Lang, e: AppError) -> Response {
    let url = format!("/?lang={}", lang.code());
    error_page(lang, e, &url, lang.pages().back_to_start)
}
