//! `GET /?grade=5&lang=es`: pick a grade, subscribe to its calendar, and this week at a glance.

use super::{family_page, grade_options, grade_week, lang_options, other, DayView, Opt, PageQuery};
use crate::domain::{Grade, Week};
use crate::feeds::{self, FeedKind};
use crate::web::html::{parse_grade, parse_week, render_page, url_encode, webcal, Caching};
use crate::web::AppState;
// Text in the page's language, or in English (and marked so) where no translation was given.
use crate::i18n::{Lang, PageStrings, Strings};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// The ways to subscribe to one feed: the calendar apps' links, the address to copy, the same
/// without reminders, and a QR code of the subscribe link (our own SVG, no user text in it).
pub(super) struct FeedLinks {
    pub(super) webcal: String,
    pub(super) https: String,
    pub(super) webcal_quiet: String,
    pub(super) https_quiet: String,
    pub(super) google: String,
    pub(super) outlook: String,
    pub(super) qr_svg: String,
}

/// How to subscribe to the feed at `path` (under `base`), named `name` in calendar apps.
pub(super) fn feed_links(base: &str, path: &str, name: &str, lang: Lang) -> FeedLinks {
    let https = format!("{base}{path}");
    let https_quiet = format!("{https}&alarm=0");
    FeedLinks {
        webcal: webcal(&https),
        webcal_quiet: webcal(&https_quiet),
        google: format!(
            "https://calendar.google.com/calendar/r?cid={}",
            url_encode(&webcal(&https))
        ),
        outlook: format!(
            "https://outlook.live.com/calendar/0/addfromweb?url={}&name={}",
            url_encode(&https),
            url_encode(name)
        ),
        qr_svg: crate::packets::Qr::new(&webcal(&https))
            .map(|q| q.svg(180, lang.pages().subscribe_apple))
            .unwrap_or_default(),
        https,
        https_quiet,
    }
}

pub(super) struct Subscribe {
    grade_name: String,
    feed: FeedLinks,
    schedule_url: String,
    /// This week's printable packet.
    packet_pdf: String,
    packet_html: String,
}

#[derive(Template)]
#[template(path = "public/home.html")]
pub(super) struct HomePage {
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
    w: &'static crate::i18n::plan::PlanWords,
    /// A box per grade for the family form, the chosen grade ticked.
    family_grades: Vec<Opt>,
}

/// The subscribe links of a grade's feed in `lang`.
pub(super) fn subscribe_links(base: &str, grade: Grade, lang: Lang, week: Week) -> Subscribe {
    let path = format!("/feeds/grades/{}.ics?lang={}", grade.code(), lang.code());
    let name = feeds::calendar_name(&FeedKind::Grade(grade), lang);
    Subscribe {
        grade_name: lang.strings().grade_name(grade),
        feed: feed_links(base, &path, &name, lang),
        schedule_url: format!("/schedule?grade={}&lang={}", grade.code(), lang.code()),
        packet_pdf: format!("/packets/{}/{week}.pdf?lang={}", grade.code(), lang.code()),
        packet_html: format!("/packets/{}/{week}.html?lang={}", grade.code(), lang.code()),
    }
}

/// `GET /?grade=5&lang=es`
pub(super) async fn home(
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
            let week = parse_week(lang, None, state.config.tz)?;
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
                w: lang.plan(),
                family_grades: grade_options(lang, grade),
            };
            Ok(render_page(StatusCode::OK, &page, Caching::Public))
        },
    )
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
        let s = s.feed;
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
}
