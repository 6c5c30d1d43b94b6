//! `GET /?grade=5&lang=es`: pick a grade, subscribe to its calendar, and this week at a glance.

use super::{family_page, grade_options, grade_week, lang_options, DayView, Opt, PageQuery};
use crate::domain::{Grade, Week};
use crate::web::html::{parse_grade, parse_week, render_page, Caching};
use crate::web::AppState;
// Text in the page's language, or in English (and marked so) where no translation was given.
use crate::i18n::{Lang, PageStrings, Strings};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// The way to subscribe to one calendar: its landing page ([`super::subscribe`]), and that
/// page's address over http(s) as a QR code (our own SVG, no user text in it).
pub(super) struct FeedLinks {
    pub(super) landing: String,
    pub(super) qr_svg: String,
}

/// The landing page of the calendar `query` names (`grade=5`, `grades=2,5&classes=…`) under
/// `base`, in `lang`.
pub(super) fn feed_links(base: &str, query: &str, lang: Lang) -> FeedLinks {
    let url = super::subscribe::landing_url(base, query, lang);
    FeedLinks {
        landing: format!("/subscribe?{query}&lang={}", lang.code()),
        qr_svg: crate::packets::Qr::new(&url)
            .map(|q| q.svg(180, lang.pages().scan_to_subscribe))
            .unwrap_or_default(),
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
    w: &'static crate::i18n::plan::PlanWords,
    /// A box per grade for the family form, the chosen grade ticked.
    family_grades: Vec<Opt>,
}

/// The subscribe links of a grade's feed in `lang`.
pub(super) fn subscribe_links(base: &str, grade: Grade, lang: Lang, week: Week) -> Subscribe {
    Subscribe {
        grade_name: lang.strings().grade_name(grade),
        feed: feed_links(base, &format!("grade={}", grade.code()), lang),
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
            let switch = lang.other();
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
    fn a_grade_is_subscribed_to_through_its_landing_page() {
        let g: Grade = "5".parse().unwrap();
        let s = subscribe_links(
            "https://lessons.example.org",
            g,
            Lang::Es,
            "2020-04-13".parse().unwrap(),
        );
        assert_eq!(s.feed.landing, "/subscribe?grade=5&lang=es");
        assert!(s.feed.qr_svg.starts_with("<svg"));
        assert_eq!(s.packet_pdf, "/packets/5/2020-04-13.pdf?lang=es");
    }
}
