//! The teacher pages, `/teach/…`: sign in and out, browse the schedule, open an airing and
//! attach work to it, edit, delete and restore that work, hand out class feeds and print class
//! packets.
//!
//! Plain HTML forms, no JavaScript. Only a browser (cookie) session opens these pages, and every
//! form that changes something carries the session's CSRF token. The changes themselves go
//! through [`super::work`], the same code the JSON API uses.

mod airing;
mod browse;
mod classes;
mod edit;
mod form;
mod login;
mod mine;

use super::auth::{self, Auth};
use super::error::AppError;
use super::html::{clock, error_page, url_encode};
use super::AppState;
use crate::domain::{Airing, Grade, GradeSet};
use crate::i18n::Lang;
use crate::store::assignments;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono_tz::Tz;
use serde::Deserialize;

/// The cookie that keeps the language a teacher chose for the teacher pages (`en` or `es`).
pub const LANG_COOKIE: &str = "lessoncast_lang";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teach", get(browse::browse))
        .route("/teach/login", get(login::login_form).post(login::login))
        .route("/teach/logout", post(login::logout))
        .route("/teach/lang/{code}", get(choose_lang))
        .route("/teach/airings/{id}", get(airing::airing_page))
        .route(
            "/teach/assignments",
            get(mine::my_assignments).post(airing::create_assignment),
        )
        .route(
            "/teach/assignments/{id}/edit",
            get(edit::edit_form).post(edit::edit),
        )
        .route("/teach/assignments/{id}/delete", post(edit::delete))
        .route("/teach/assignments/{id}/restore", post(edit::restore))
        .route(
            "/teach/classes",
            get(classes::classes).post(classes::create_class),
        )
        .route("/teach/classes/{id}/renew", post(classes::renew_class))
        .route("/teach/classes/{id}/handout.pdf", get(classes::handout))
        .route(
            "/teach/classes/{id}/packet/{file}",
            get(classes::class_packet),
        )
}

// ---------------------------------------------------------------------------------------------
// Sessions, errors and redirects.

/// Who is signed in, and in which language, as every teacher page shows it.
pub(super) struct Who {
    email: String,
    csrf: String,
    pub(super) lang: Lang,
    switch: LangSwitch,
}

/// The link to the teacher pages in the other language, back to the same page.
pub(super) struct LangSwitch {
    href: String,
    name: &'static str,
    code: Lang,
}

impl LangSwitch {
    pub(super) fn new(lang: Lang, here: &str) -> LangSwitch {
        let to = lang.other();
        LangSwitch {
            href: format!("/teach/lang/{to}?next={}", url_encode(here)),
            name: to.pages().language_name,
            code: to,
        }
    }
}

impl Who {
    fn of(auth: &Auth, lang: Lang, here: &str) -> Who {
        Who {
            email: auth.user().email.clone(),
            csrf: auth.session.csrf.clone(),
            lang,
            switch: LangSwitch::new(lang, here),
        }
    }
}

/// The language of the teacher pages: the one the teacher chose (kept in [`LANG_COOKIE`]),
/// else the browser's first language we have, else English.
pub(super) fn teach_lang(headers: &HeaderMap) -> Lang {
    auth::cookie(headers, LANG_COOKIE)
        .and_then(|c| c.parse::<Lang>().ok())
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// `GET /teach/lang/{en|es}?next=/teach/…`: keeps the teacher's choice of language for a
/// year (no account needed: the sign-in page has it too), then goes back to the page.
async fn choose_lang(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    query: Result<Query<login::NextQuery>, QueryRejection>,
) -> Response {
    let Ok(lang) = code.parse::<Lang>() else {
        let v = super::html::shown(&code);
        return teach_error(teach_lang(&headers))(AppError::NotFound(format!(
            "`{v}` {} / `{v}` {}",
            Lang::En.pages().bad_lang,
            Lang::Es.pages().bad_lang
        )));
    };
    let next = query.map(|Query(q)| q.next).unwrap_or_default();
    // Back to the page the link was on: a teacher page, the sign-in form among them.
    let back = match next.strip_prefix("/teach/login") {
        Some(rest) if rest.is_empty() || rest.starts_with('?') => {
            let to_login = next.len() <= 2000 && next.chars().all(|c| c.is_ascii_graphic());
            if to_login {
                next.as_str()
            } else {
                "/teach/login"
            }
        }
        _ => safe_next(&next),
    };
    let mut r = Redirect::to(back).into_response();
    let secure = if state.config.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={lang}; Path=/teach; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The browser session, if the request has one. API tokens do not open pages.
pub(super) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Auth>, AppError> {
    Ok(auth::lookup(state, headers)
        .await?
        .filter(|a| a.from_cookie))
}

/// The error as a teacher page in `lang`.
pub(super) fn teach_error(lang: Lang) -> impl Fn(AppError) -> Response {
    move |e| error_page(lang, e, "/teach", lang.pages().back_to_schedule)
}

/// Where to go after signing in: only back into the teacher pages, and only to an address that
/// is safe as a header.
pub(super) fn safe_next(next: &str) -> &str {
    let ok = (next == "/teach" || next.starts_with("/teach/") || next.starts_with("/teach?"))
        && !next.starts_with("/teach/login")
        && !next.starts_with("/teach/logout")
        && next.len() <= 2000
        && next.chars().all(|c| c.is_ascii_graphic());
    if ok {
        next
    } else {
        "/teach"
    }
}

pub(super) fn to_login(back_to: Option<&Uri>) -> Response {
    let next = back_to
        .and_then(|u| u.path_and_query())
        .map(|pq| pq.as_str())
        .map(safe_next)
        .filter(|n| *n != "/teach");
    match next {
        Some(n) => Redirect::to(&format!("/teach/login?next={}", url_encode(n))).into_response(),
        None => Redirect::to("/teach/login").into_response(),
    }
}

/// Runs a page that needs a signed-in teacher, in the teacher's language: without a session
/// the browser goes to the sign-in form (and comes back to `uri` afterwards); errors become
/// pages.
pub(super) async fn with_teacher<F>(
    state: &AppState,
    headers: &HeaderMap,
    uri: Option<&Uri>,
    f: F,
) -> Response
where
    F: AsyncFnOnce(Auth, Who) -> Result<Response, AppError>,
{
    let lang = teach_lang(headers);
    let here = uri
        .and_then(|u| u.path_and_query())
        .map_or("/teach", |pq| pq.as_str());
    match signed_in(state, headers).await {
        Ok(Some(auth)) => {
            let who = Who::of(&auth, lang, here);
            f(auth, who).await.unwrap_or_else(teach_error(lang))
        }
        Ok(None) => to_login(uri),
        Err(e) => teach_error(lang)(e),
    }
}

/// The form body, or a page saying why it could not be read.
pub(super) fn form_or_400<T>(form: Result<Form<T>, FormRejection>) -> Result<T, AppError> {
    form.map(|Form(f)| f)
        .map_err(|e| AppError::body(e.status(), e.body_text()))
}

pub(super) fn see_other(to: &'static str) -> Response {
    Redirect::to(to).into_response()
}

// ---------------------------------------------------------------------------------------------
// Small views shared by several pages.

pub(super) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// "K-3", "4-8", "PK, 5": the shortest way to write a set of grades that reads back the same.
pub(super) fn grade_ranges(set: GradeSet) -> String {
    let all: Vec<Grade> = Grade::all().collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < all.len() {
        if !set.contains(all[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < all.len() && set.contains(all[i + 1]) {
            i += 1;
        }
        parts.push(if start == i {
            all[i].code()
        } else {
            format!("{}-{}", all[start].code(), all[i].code())
        });
        i += 1;
    }
    parts.join(", ")
}

/// "Monday, April 13, 9:00 AM–9:30 AM".
pub(super) fn when(lang: Lang, a: &Airing, tz: Tz) -> String {
    let tz = a.zone(tz);
    let day = lang.day_heading(a.start.with_timezone(&tz).date_naive());
    match a.end {
        Some(end) => format!(
            "{day}, {}–{}",
            clock(lang, a.start, tz),
            clock(lang, end, tz)
        ),
        None => format!("{day}, {}", clock(lang, a.start, tz)),
    }
}

pub(super) fn episode_of(a: &Airing) -> Option<String> {
    a.details
        .episode_title
        .clone()
        .filter(|e| !e.trim().is_empty())
}

pub(super) fn class_options(list: &[assignments::Class], selected: &str) -> Vec<Opt> {
    list.iter()
        .map(|c| Opt {
            value: c.id.to_string(),
            label: format!("{} ({})", c.name, grade_ranges(c.grades)),
            selected: c.id.to_string() == selected,
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CsrfForm {
    csrf: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_ranges_read_back_as_the_same_grades() {
        for text in ["4-8", "PK-3", "PK, 5", "K, 2-4, 9-ADULT", "5", ""] {
            let set = GradeSet::parse_list(text).unwrap();
            assert_eq!(grade_ranges(set), text);
        }
    }

    #[test]
    fn after_sign_in_only_teacher_pages_are_a_destination() {
        assert_eq!(safe_next("/teach/airings/5"), "/teach/airings/5");
        assert_eq!(
            safe_next("/teach?grade=5&week=2020-04-13"),
            "/teach?grade=5&week=2020-04-13"
        );
        assert_eq!(safe_next("https://evil.example/teach"), "/teach");
        assert_eq!(safe_next("//evil.example/teach"), "/teach");
        assert_eq!(safe_next("/teacher"), "/teach");
        assert_eq!(safe_next("/teach/logout"), "/teach");
        assert_eq!(safe_next("/teach/\u{e9}"), "/teach");
    }
}
