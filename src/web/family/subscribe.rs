//! `GET /subscribe?grade=5` (or `grades=2,5&classes=…` for a family, or `class=TOKEN` for a
//! teacher's class) `&lang=es`: where every QR code and share link leads, over the site's own
//! http(s) address. For each platform the steps that work as it documents them today: iPhone
//! and iPad by `webcal://`; Android through Google Calendar's "From URL" on a computer, or the
//! ICSx⁵ app on the phone alone; Outlook.com and Microsoft 365 by their add-from-web forms; the
//! address to copy; and a plain word on reminders, with the printed packet as the fallback.

use super::{family_page, PageQuery};
use crate::family::{self, FamilyError};
use crate::feeds::{self, FeedKind};
use crate::i18n::subscribe::SubscribeWords;
use crate::i18n::{Lang, PageStrings, Strings};
use crate::store::assignments;
use crate::web::error::AppError;
use crate::web::html::{parse_grade, render_page, url_encode, webcal, Caching};
use crate::web::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// Google Calendar's page for adding a calendar by its address (a computer's browser only).
const GOOGLE_ADD_BY_URL: &str = "https://calendar.google.com/calendar/r/settings/addbyurl";

#[derive(Template)]
#[template(path = "public/subscribe.html")]
pub(super) struct SubscribePage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    w: &'static SubscribeWords,
    switch_url: String,
    switch_code: &'static str,
    switch_name: &'static str,
    /// The calendar's name, as calendar apps show it.
    name: String,
    https: String,
    https_quiet: String,
    webcal: String,
    google: &'static str,
    outlook: String,
    office: String,
    /// This week's packet, where the calendar has a public one (a grade's, a family's).
    packet: Option<String>,
    /// The family plan, for a grade or a family.
    plan: Option<String>,
}

/// `query` (`grade=5`, `grades=2,5&classes=…`, `class=TOKEN`) as the landing page's address
/// under `base`, in `lang`: what QR codes and share links carry.
pub fn landing_url(base: &str, query: &str, lang: Lang) -> String {
    format!(
        "{}/subscribe?{query}&lang={}",
        base.trim_end_matches('/'),
        lang.code()
    )
}

/// `GET /subscribe`
pub(super) async fn subscribe(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    family_page(
        raw,
        headers,
        &["grade", "grades", "classes", "class", "lang"],
        async |q: PageQuery, lang: Lang| {
            let w = lang.subscribe();
            let week = crate::web::html::parse_week(lang, None, state.config.tz)?;
            let family_given = q.grades.is_some() || q.classes.is_some();
            let l = lang.code();
            // Each calendar: what it is, its feed, the query that names it, its packet and plan.
            let (kind, path, query, packet, plan, caching) =
                match (q.grade.as_deref(), family_given, q.class.as_deref()) {
                    (Some(_), false, None) => {
                        let g = parse_grade(lang, q.grade.as_deref())?
                            .ok_or_else(|| AppError::BadRequest(w.pick_calendar.to_string()))?;
                        let code = g.code();
                        (
                            FeedKind::Grade(g),
                            format!("/feeds/grades/{code}.ics?lang={l}"),
                            format!("grade={code}"),
                            Some(format!("/packets/{code}/{week}.pdf?lang={}", lang.code())),
                            Some(format!("/family?grades={code}&lang={}", lang.code())),
                            Caching::Public,
                        )
                    }
                    (None, true, None) => {
                        let children =
                            family::family(&state, q.grades.as_deref(), q.classes.as_deref())
                                .await
                                .map_err(|e| AppError::family(e, lang))?;
                        let tokens = family::tokens(q.classes.as_deref());
                        let link = family::link(&children, &tokens);
                        // A class link is one teacher's: no shared cache keeps it.
                        let caching = if tokens.is_empty() {
                            Caching::Public
                        } else {
                            Caching::Private
                        };
                        (
                            FeedKind::Family(children),
                            format!("/feeds/family.ics?{link}&lang={l}"),
                            link.clone(),
                            Some(format!(
                                "/packets/family/{week}.pdf?{link}&lang={}",
                                lang.code()
                            )),
                            Some(format!("/family?{link}&lang={}", lang.code())),
                            caching,
                        )
                    }
                    (None, false, Some(raw)) => {
                        let token = family::tokens(Some(raw))
                            .into_iter()
                            .next()
                            .unwrap_or_default();
                        let shown: String = token.chars().take(8).collect();
                        let class = if token.len() == 64 {
                            assignments::class_by_token(state.store.pool(), &token).await?
                        } else {
                            None
                        };
                        let class = class
                            .ok_or_else(|| AppError::family(FamilyError::NoClass(shown), lang))?;
                        (
                            FeedKind::Class((&class).into()),
                            format!("/feeds/classes/{token}.ics?lang={l}"),
                            format!("class={token}"),
                            None,
                            None,
                            Caching::Private,
                        )
                    }
                    (None, false, None) => {
                        return Err(AppError::BadRequest(w.pick_calendar.to_string()))
                    }
                    _ => return Err(AppError::BadRequest(w.one_only.to_string())),
                };
            let base = state.config.base_url.trim_end_matches('/');
            let https = format!("{base}{path}");
            let name = feeds::calendar_name(&kind, lang);
            let add_from_web = |host: &str| {
                format!(
                    "https://{host}/calendar/0/addfromweb?url={}&name={}",
                    url_encode(&https),
                    url_encode(&name)
                )
            };
            let switch = lang.other();
            let (outlook, office) = (
                add_from_web("outlook.live.com"),
                add_from_web("outlook.office.com"),
            );
            let page = SubscribePage {
                lang,
                p: lang.pages(),
                s: lang.strings(),
                w,
                switch_url: format!("/subscribe?{query}&lang={}", switch.code()),
                switch_code: switch.code(),
                switch_name: switch.pages().language_name,
                name,
                webcal: webcal(&https),
                https_quiet: format!("{https}&alarm=0"),
                google: GOOGLE_ADD_BY_URL,
                outlook,
                office,
                https,
                packet,
                plan,
            };
            Ok(render_page(StatusCode::OK, &page, caching))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_landing_address_carries_the_calendar_and_the_language() {
        assert_eq!(
            landing_url("https://lessons.example.org/", "grade=5", Lang::Es),
            "https://lessons.example.org/subscribe?grade=5&lang=es"
        );
    }
}
