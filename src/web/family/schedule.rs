//! `GET /schedule?grade=5&week=2020-04-13&lang=es`: a week's lessons for a grade, day by day,
//! with the work to do.

use super::{family_page, grade_options, grade_week, lang_options, DayView, Opt, PageQuery};
use crate::domain::Week;
use crate::web::html::{parse_grade, parse_week, render_page, Caching};
use crate::web::AppState;
// Text in the page's language, or in English (and marked so) where no translation was given.
use crate::i18n::{Lang, PageStrings, Strings};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Duration;

#[derive(Template)]
#[template(path = "public/schedule.html")]
pub(super) struct SchedulePage {
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
    w: &'static crate::i18n::plan::PlanWords,
    /// This grade's family plan for the week, and the home page's form to add children.
    plan_url: String,
    family_form_url: String,
    /// This week's packet, and whether the week holds today (then only today is open).
    packet_pdf: String,
    has_today: bool,
}

/// `GET /schedule?grade=5&week=2020-04-13&lang=es`
pub(super) async fn schedule(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    family_page(
        raw,
        headers,
        &["grade", "week", "lang"],
        async |q: PageQuery, lang: Lang| {
            let grade = parse_grade(lang, q.grade.as_deref())?;
            let week = parse_week(lang, q.week.as_deref(), state.config.tz)?;
            let p = lang.pages();
            let s = lang.strings();
            let days = match grade {
                Some(g) => grade_week(&state, g, week, lang).await?,
                None => Vec::new(),
            };
            let grade_code = grade.map(|g| g.code()).unwrap_or_default();
            let link = |w: Week, l: Lang| {
                format!("/schedule?grade={grade_code}&week={w}&lang={}", l.code())
            };
            let heading = match grade {
                Some(g) => format!(
                    "{} · {} {}",
                    s.grade_name(g),
                    p.week_of,
                    lang.long_date(week.monday())
                ),
                None => format!("{} {}", p.week_of, lang.long_date(week.monday())),
            };
            let switch = lang.other();
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
                w: lang.plan(),
                plan_url: format!(
                    "/family?grades={grade_code}&week={week}&lang={}",
                    lang.code()
                ),
                family_form_url: format!("/?grade={grade_code}&lang={}#family", lang.code()),
                packet_pdf: format!("/packets/{grade_code}/{week}.pdf?lang={}", lang.code()),
                has_today: days.iter().any(|d| d.today),
                grade_code,
                days,
            };
            Ok(render_page(StatusCode::OK, &page, Caching::Public))
        },
    )
    .await
}
