//! `GET /family?grades=2,5&classes=TOKEN&week=2020-04-13&lang=es`: the family plan for one TV,
//! today first, then the rest of the week; each lesson with the child, time, channel, what to
//! watch, what to do after and where else it airs; clashes no repeat avoids said in words.

use super::{family_page, PageQuery};
use crate::family::{self, FamilyPlan};
use crate::i18n::plan::PlanWords;
use crate::i18n::{Lang, Localized as Text, PageStrings, Strings};
use crate::web::error::AppError;
use crate::web::html::{channel_label, clock, parse_week, render_page, Caching};
use crate::web::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate, Utc};

/// One planned lesson as the page shows it.
pub(super) struct LessonView {
    child: String,
    time: String,
    end: Option<String>,
    channel: String,
    title: Text,
    episode: Option<Text>,
    work: Text,
    minutes: Option<i64>,
    instructions: Text,
    materials: Option<Text>,
    due: Option<String>,
    late: bool,
    also: Vec<String>,
    /// "At the same time as Grade 2's Peg + Cat".
    clash: Option<String>,
}

pub(super) struct PlanDay {
    heading: String,
    lessons: Vec<LessonView>,
}

/// A group of days: today, the rest of the week, earlier this week.
pub(super) struct Part {
    heading: &'static str,
    /// Shown open (today, and the week when today is not in it).
    open: bool,
    days: Vec<PlanDay>,
}

#[derive(Template)]
#[template(path = "public/plan.html")]
pub(super) struct PlanPage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    w: &'static PlanWords,
    switch_url: String,
    switch_code: &'static str,
    switch_name: &'static str,
    heading: String,
    children: Vec<String>,
    prev_url: String,
    next_url: String,
    parts: Vec<Part>,
    unplaced: Vec<LessonView>,
    clashes: Vec<String>,
    nothing: bool,
    schedule_links: Vec<(String, String)>,
    proven: bool,
    /// The ways to subscribe to the same plan as a calendar feed.
    feed: super::home::FeedLinks,
    /// The same plan as a packet: PDF, and the print-ready page.
    packet_pdf: String,
    packet_html: String,
}

/// `GET /family`
pub(super) async fn family_plan(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    family_page(
        raw,
        headers,
        &["grades", "classes", "week", "lang"],
        async |q: PageQuery, lang: Lang| {
            let week = parse_week(lang, q.week.as_deref(), state.config.tz)?;
            let children = family::family(&state, q.grades.as_deref(), q.classes.as_deref())
                .await
                .map_err(|e| AppError::family(e, lang))?;
            // The family as the form sent it (a box per grade, a pasted class link) becomes the
            // short address to bookmark and share.
            let tokens = family::tokens(q.classes.as_deref());
            let link = family::link(&children, &tokens);
            let given = |v: &Option<String>| v.as_deref().unwrap_or("").to_string();
            let canonical = family::link(&children, &[]);
            let canonical_grades = canonical.strip_prefix("grades=").unwrap_or("");
            if q.untidy
                || given(&q.grades) != canonical_grades
                || given(&q.classes) != tokens.join(",")
            {
                let mut to = format!("/family?{link}");
                for (name, v) in [("week", &q.week), ("lang", &q.lang)] {
                    if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
                        to.push_str(&format!("&{name}={}", crate::web::html::url_encode(v)));
                    }
                }
                return Ok(axum::response::Redirect::to(&to).into_response());
            }
            let now = Utc::now();
            let plan = family::plan_week(&state, children, week, now).await?;
            let today = now.with_timezone(&plan.tz).date_naive();
            let page = view(&plan, &q, lang, today, &state.config.base_url);
            Ok(render_page(StatusCode::OK, &page, Caching::Public))
        },
    )
    .await
}

fn lesson(plan: &FamilyPlan, i: usize, lang: Lang) -> LessonView {
    let it = &plan.items[i];
    let f = &it.work.fields;
    let w = lang.plan();
    let child = plan.children[it.child].label(lang);
    let (time, end, channel, title, episode) = match &it.airing {
        Some(a) => {
            let tz = a.zone(plan.tz);
            (
                clock(lang, a.start, tz),
                a.end.map(|e| clock(lang, e, tz)),
                channel_label(a),
                Text::pick(lang, &a.details.title, a.details.title_es.as_deref()),
                Text::pick_some(
                    lang,
                    a.details.episode_title.as_deref(),
                    a.details.episode_title_es.as_deref(),
                ),
            )
        }
        None => (
            String::new(),
            None,
            String::new(),
            Text::pick(lang, "", None),
            None,
        ),
    };
    let clash = plan.clashes_with(i).first().map(|&j| {
        let o = &plan.items[j];
        let what = o
            .airing
            .as_ref()
            .map(|a| {
                lang.pick(&a.details.title, a.details.title_es.as_deref())
                    .to_string()
            })
            .unwrap_or_default();
        format!(
            "{}: {} · {what}",
            w.same_time_as,
            plan.children[o.child].label(lang)
        )
    });
    LessonView {
        child,
        time,
        end,
        channel,
        title,
        episode,
        work: Text::pick(lang, &f.title, f.title_es.as_deref()),
        minutes: f.minutes,
        instructions: Text::pick(lang, &f.instructions, f.instructions_es.as_deref()),
        materials: Text::pick_some(lang, f.materials.as_deref(), f.materials_es.as_deref()),
        due: f.due.map(|d| lang.due_date(d)),
        late: it.late,
        also: family::also_airs(it, lang, plan.tz),
        clash,
    }
}

fn view(plan: &FamilyPlan, q: &PageQuery, lang: Lang, today: NaiveDate, base: &str) -> PlanPage {
    let p = lang.pages();
    let w = lang.plan();
    // Lessons by local day, in time order.
    let mut days: Vec<(NaiveDate, Vec<usize>)> = Vec::new();
    let mut unplaced = Vec::new();
    for (i, it) in plan.items.iter().enumerate() {
        match &it.airing {
            Some(a) => {
                let day = a.start.with_timezone(&a.zone(plan.tz)).date_naive();
                match days.iter_mut().find(|(d, _)| *d == day) {
                    Some((_, list)) => list.push(i),
                    None => days.push((day, vec![i])),
                }
            }
            None => unplaced.push(lesson(plan, i, lang)),
        }
    }
    days.sort_by_key(|(d, _)| *d);
    let to_view = |(d, list): &(NaiveDate, Vec<usize>)| PlanDay {
        heading: lang.day_heading(*d),
        lessons: list.iter().map(|&i| lesson(plan, i, lang)).collect(),
    };
    let in_week = plan.week.monday() <= today && today < plan.week.monday() + Duration::days(7);
    let parts = if in_week {
        let pick = |f: &dyn Fn(NaiveDate) -> bool| -> Vec<PlanDay> {
            days.iter().filter(|(d, _)| f(*d)).map(to_view).collect()
        };
        vec![
            Part {
                heading: w.today,
                open: true,
                days: pick(&|d| d == today),
            },
            Part {
                heading: w.rest_of_week,
                open: false,
                days: pick(&|d| d > today),
            },
            Part {
                heading: w.earlier,
                open: false,
                days: pick(&|d| d < today),
            },
        ]
        .into_iter()
        .filter(|part| !part.days.is_empty())
        .collect()
    } else {
        vec![Part {
            heading: w.the_week,
            open: true,
            days: days.iter().map(to_view).collect(),
        }]
    };
    let switch = lang.other();
    let grades = family::grades(&plan.children);
    let link = family::link(&plan.children, &family::tokens(q.classes.as_deref()));
    let family_query = |week: crate::domain::Week, l: Lang| {
        format!("/family?{link}&week={week}&lang={}", l.code())
    };
    let packet = |ext: &str| {
        format!(
            "/packets/family/{}.{ext}?{link}&lang={}",
            plan.week,
            lang.code()
        )
    };
    PlanPage {
        lang,
        p,
        s: lang.strings(),
        w,
        switch_url: family_query(plan.week, switch),
        switch_code: switch.code(),
        switch_name: switch.pages().language_name,
        heading: format!(
            "{} · {} {}",
            w.title,
            p.week_of,
            lang.long_date(plan.week.monday())
        ),
        children: plan.children.iter().map(|c| c.label(lang)).collect(),
        prev_url: family_query(
            crate::domain::Week::containing(plan.week.monday() - Duration::days(7)),
            lang,
        ),
        next_url: family_query(
            crate::domain::Week::containing(plan.week.monday() + Duration::days(7)),
            lang,
        ),
        nothing: plan.items.is_empty(),
        parts,
        unplaced,
        clashes: plan
            .clashes
            .iter()
            .map(|&(a, b)| family::clash_words(plan, a, b, lang))
            .collect(),
        schedule_links: grades
            .iter()
            .map(|g| {
                (
                    format!(
                        "/schedule?grade={}&week={}&lang={}",
                        g.code(),
                        plan.week,
                        lang.code()
                    ),
                    lang.strings().grade_name(g),
                )
            })
            .collect(),
        proven: plan.proven,
        packet_pdf: packet("pdf"),
        packet_html: packet("html"),
        feed: super::home::feed_links(base, &link, lang),
    }
}
