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
use axum::extract::rejection::FormRejection;
use axum::extract::Form;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono_tz::Tz;
use serde::Deserialize;

/// The teacher pages are in English; their Spanish words wait in
/// [`PageStrings`](crate::i18n::PageStrings) for a switch.
pub(super) const LANG: Lang = Lang::En;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teach", get(browse::browse))
        .route("/teach/login", get(login::login_form).post(login::login))
        .route("/teach/logout", post(login::logout))
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

/// Who is signed in, as every teacher page shows it.
pub(super) struct Who {
    email: String,
    csrf: String,
}

impl Who {
    fn of(auth: &Auth) -> Who {
        Who {
            email: auth.user().email.clone(),
            csrf: auth.session.csrf.clone(),
        }
    }
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

pub(super) fn teach_error(e: AppError) -> Response {
    error_page(LANG, e, "/teach", LANG.pages().back_to_schedule)
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

/// Runs a page that needs a signed-in teacher: without a session the browser goes to the
/// sign-in form (and comes back to `uri` afterwards); errors become pages.
pub(super) async fn with_teacher<F>(
    state: &AppState,
    headers: &HeaderMap,
    uri: Option<&Uri>,
    f: F,
) -> Response
where
    F: AsyncFnOnce(Auth) -> Result<Response, AppError>,
{
    match signed_in(state, headers).await {
        Ok(Some(auth)) => f(auth).await.unwrap_or_else(teach_error),
        Ok(None) => to_login(uri),
        Err(e) => teach_error(e),
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
pub(super) fn when(a: &Airing, tz: Tz) -> String {
    let tz = a.zone(tz);
    let day = LANG.day_heading(a.start.with_timezone(&tz).date_naive());
    match a.end {
        Some(end) => format!(
            "{day}, {}–{}",
            clock(LANG, a.start, tz),
            clock(LANG, end, tz)
        ),
        None => format!("{day}, {}", clock(LANG, a.start, tz)),
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
