//! The teacher pages, `/teach/…`: sign in and out, browse the schedule, open an airing and
//! attach work to it, edit, delete and restore that work, hand out class feeds and print class
//! packets.
//!
//! Plain HTML forms, no JavaScript. Only a browser (cookie) session opens these pages, and every
//! form that changes something carries the session's CSRF token. The changes themselves go
//! through [`super::work`], the same code the JSON API uses.

use super::api::parse_id;
use super::auth::{self, Auth, SignIn};
use super::error::{AppError, OrNotFound};
use super::public::{
    by_local_day, channel_label, clock, error_page, parse_grade, parse_week, render_page,
    url_encode, webcal, Caching,
};
use super::work::{self, LinkInput};
use super::AppState;
use crate::domain::{
    Airing, AiringStatus, Assignment, AssignmentInput, FieldError, Grade, GradeSet, Link, Week,
};
use crate::feeds::WorkIndex;
use crate::i18n::packets::PacketStrings;
use crate::i18n::{Lang, PageStrings, Strings};
use crate::store::{airings, assignments, users, AiringFilter};
use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::HashMap;

/// The teacher pages are in English; their Spanish words wait in [`PageStrings`] for a switch.
const LANG: Lang = Lang::En;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teach", get(browse))
        .route("/teach/login", get(login_form).post(login))
        .route("/teach/logout", post(logout))
        .route("/teach/airings/{id}", get(airing_page))
        .route(
            "/teach/assignments",
            get(my_assignments).post(create_assignment),
        )
        .route("/teach/assignments/{id}/edit", get(edit_form).post(edit))
        .route("/teach/assignments/{id}/delete", post(delete))
        .route("/teach/assignments/{id}/restore", post(restore))
        .route("/teach/classes", get(classes).post(create_class))
        .route("/teach/classes/{id}/renew", post(renew_class))
        .route("/teach/classes/{id}/packet/{file}", get(class_packet))
}

// ---------------------------------------------------------------------------------------------
// Sessions, errors and redirects.

/// Who is signed in, as every teacher page shows it.
struct Who {
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
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Auth>, AppError> {
    Ok(auth::lookup(state, headers)
        .await?
        .filter(|a| a.from_cookie))
}

fn teach_error(e: AppError) -> Response {
    error_page(LANG, e, "/teach", LANG.pages().back_to_schedule)
}

/// Where to go after signing in: only back into the teacher pages, and only to an address that
/// is safe as a header.
fn safe_next(next: &str) -> &str {
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

fn to_login(back_to: Option<&Uri>) -> Response {
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
async fn with_teacher<F>(state: &AppState, headers: &HeaderMap, uri: Option<&Uri>, f: F) -> Response
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
fn form_or_400<T>(form: Result<Form<T>, FormRejection>) -> Result<T, AppError> {
    form.map(|Form(f)| f)
        .map_err(|e| AppError::BadRequest(e.body_text()))
}

fn see_other(to: &'static str) -> Response {
    Redirect::to(to).into_response()
}

// ---------------------------------------------------------------------------------------------
// Small views shared by several pages.

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// "K-3", "4-8", "PK, 5": the shortest way to write a set of grades that reads back the same.
fn grade_ranges(set: GradeSet) -> String {
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
fn when(a: &Airing, tz: Tz) -> String {
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

fn episode_of(a: &Airing) -> Option<String> {
    a.episode_title.clone().filter(|e| !e.trim().is_empty())
}

fn class_options(list: &[assignments::Class], selected: &str) -> Vec<Opt> {
    list.iter()
        .map(|c| Opt {
            value: c.id.to_string(),
            label: format!("{} ({})", c.name, grade_ranges(c.grades)),
            selected: c.id.to_string() == selected,
        })
        .collect()
}

/// One problem with a form, by the id of the field it belongs to.
struct ErrorView {
    field: String,
    label: &'static str,
    message: String,
}

/// The fields of the forms in the order they are shown, so the summary reads top to bottom.
const FIELD_ORDER: &[&str] = &[
    "name",
    "title",
    "title_es",
    "instructions",
    "instructions_es",
    "materials",
    "minutes",
    "grades",
    "due",
    "class",
    "scope",
];

fn error_views(errors: Vec<FieldError>) -> Vec<ErrorView> {
    let p = LANG.pages();
    let mut views: Vec<ErrorView> = errors
        .into_iter()
        .map(|e| {
            // Links are chosen with the scope radio buttons.
            let field = if e.field.starts_with("links") {
                "scope".to_string()
            } else {
                e.field
            };
            let label = match field.as_str() {
                "title" => p.field_title,
                "title_es" => p.field_title_es,
                "instructions" => p.field_instructions,
                "instructions_es" => p.field_instructions_es,
                "materials" => p.field_materials,
                "minutes" => p.field_minutes,
                "grades" => p.field_grades,
                "due" => p.field_due,
                "class" => p.field_class,
                "scope" => p.attach_to,
                "name" => p.class_name,
                _ => "",
            };
            ErrorView {
                field,
                label,
                message: e.message,
            }
        })
        .collect();
    let rank = |f: &str| {
        FIELD_ORDER
            .iter()
            .position(|o| *o == f)
            .unwrap_or(usize::MAX)
    };
    views.sort_by_key(|v| rank(&v.field));
    views
}

fn messages_for(errors: &[ErrorView], field: &str) -> Option<String> {
    let list: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect();
    (!list.is_empty()).then(|| list.join("; "))
}

/// An assignment form as the teacher filled it in (or as stored), with its problems.
#[derive(Default)]
struct FormView {
    title: String,
    title_es: String,
    instructions: String,
    instructions_es: String,
    materials: String,
    minutes: String,
    grades: String,
    due: String,
    class: String,
    errors: Vec<ErrorView>,
}

impl FormView {
    fn err(&self, field: &str) -> Option<String> {
        messages_for(&self.errors, field)
    }

    fn of_assignment(a: &Assignment) -> FormView {
        let f = &a.fields;
        FormView {
            title: f.title.clone(),
            title_es: f.title_es.clone().unwrap_or_default(),
            instructions: f.instructions.clone(),
            instructions_es: f.instructions_es.clone().unwrap_or_default(),
            materials: f.materials.clone().unwrap_or_default(),
            minutes: f.minutes.map(|m| m.to_string()).unwrap_or_default(),
            grades: grade_ranges(f.grades),
            due: f.due.map(|d| d.to_string()).unwrap_or_default(),
            class: a.class_id.map(|c| c.to_string()).unwrap_or_default(),
            errors: Vec::new(),
        }
    }
}

/// The fields of an assignment form, as posted. Every field may be missing, so that a post
/// without its CSRF token is refused for that, not for its shape.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignmentForm {
    csrf: String,
    airing: String,
    title: String,
    title_es: String,
    instructions: String,
    instructions_es: String,
    materials: String,
    minutes: String,
    grades: String,
    due: String,
    scope: String,
    class: String,
}

impl AssignmentForm {
    fn view(&self, errors: Vec<FieldError>) -> FormView {
        FormView {
            title: self.title.clone(),
            title_es: self.title_es.clone(),
            instructions: self.instructions.clone(),
            instructions_es: self.instructions_es.clone(),
            materials: self.materials.clone(),
            minutes: self.minutes.clone(),
            grades: self.grades.clone(),
            due: self.due.clone(),
            class: self.class.clone(),
            errors: error_views(errors),
        }
    }

    /// The input to validate, plus the problems only a form can have (a number that is not
    /// one, an unknown class choice).
    fn input(&self) -> (AssignmentInput, Option<Option<i64>>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let optional = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
        let minutes = match self.minutes.trim() {
            "" => None,
            m => match m.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(
                        "minutes",
                        format!("`{m}` is not a whole number of minutes"),
                    ));
                    None
                }
            },
        };
        let class = match self.class.trim() {
            "" => Some(None),
            c => match c.parse::<i64>() {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    errors.push(FieldError::new("class", "choose one of your classes"));
                    None
                }
            },
        };
        let input = AssignmentInput {
            title: self.title.clone(),
            title_es: optional(&self.title_es),
            instructions: self.instructions.clone(),
            instructions_es: optional(&self.instructions_es),
            materials: optional(&self.materials),
            minutes,
            grades: vec![self.grades.clone()],
            due: optional(&self.due),
        };
        (input, class, errors)
    }
}

/// All the problems of a form, the form's own first, then the assignment's.
fn all_errors(mut pre: Vec<FieldError>, input: &AssignmentInput) -> Vec<FieldError> {
    if let Err(more) = input.validate() {
        pre.extend(more);
    }
    pre
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
    csrf: String,
}

// ---------------------------------------------------------------------------------------------
// Sign in and out.

#[derive(Template)]
#[template(path = "teach/login.html")]
struct LoginPage {
    lang: Lang,
    p: &'static PageStrings,
    email: String,
    next: String,
    error: Option<String>,
}

impl LoginPage {
    fn new(email: String, next: &str, error: Option<String>) -> LoginPage {
        LoginPage {
            lang: LANG,
            p: LANG.pages(),
            email,
            next: safe_next(next).to_string(),
            error,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

/// `GET /teach/login`
async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Response {
    let next = query.map(|Query(q)| q.next).unwrap_or_default();
    match signed_in(&state, &headers).await {
        Ok(Some(_)) => Redirect::to(safe_next(&next)).into_response(),
        Ok(None) => render_page(
            StatusCode::OK,
            &LoginPage::new(String::new(), &next, None),
            Caching::Private,
        ),
        Err(e) => teach_error(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    email: String,
    password: String,
    next: String,
}

/// `POST /teach/login`
async fn login(
    State(state): State<AppState>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let result = async {
        let f = form_or_400(form)?;
        let p = LANG.pages();
        let refused = |message: String| {
            render_page(
                StatusCode::UNAUTHORIZED,
                &LoginPage::new(f.email.clone(), &f.next, Some(message)),
                Caching::Private,
            )
        };
        match auth::sign_in(
            &state,
            &f.email,
            &crate::auth::Secret::new(f.password.clone()),
        )
        .await?
        {
            SignIn::Ok(user) => {
                let (token, _) = auth::start_session(&state, &user, true).await?;
                let mut r = Redirect::to(safe_next(&f.next)).into_response();
                if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&state, Some(&token))) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
                Ok(r)
            }
            SignIn::Wrong => Ok(refused(p.wrong_login.to_string())),
            SignIn::Locked => Ok(refused(format!(
                "{} {} {}",
                p.locked_before,
                auth::LOCK_MINUTES,
                p.locked_after
            ))),
        }
    }
    .await;
    result.unwrap_or_else(teach_error)
}

/// `POST /teach/logout`: ends the session and forgets the cookie.
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let result = async {
        if let Some(a) = signed_in(&state, &headers).await? {
            let f = form_or_400(form)?;
            a.check_csrf(Some(&f.csrf))?;
            if let Some((token, _)) = auth::token_of(&headers) {
                users::delete_session(state.store.pool(), &crate::auth::token_hash(&token)).await?;
            }
        }
        let mut r = see_other("/teach/login");
        if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&state, None)) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        Ok(r)
    }
    .await;
    result.unwrap_or_else(teach_error)
}

// ---------------------------------------------------------------------------------------------
// Browse the schedule.

#[derive(Deserialize, Default)]
struct BrowseQuery {
    station: Option<String>,
    grade: Option<String>,
    week: Option<String>,
}

struct Row {
    id: i64,
    time: String,
    channel: String,
    title: String,
    episode: Option<String>,
    grades: String,
    work: usize,
}

struct BrowseDay {
    heading: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "teach/browse.html")]
struct BrowsePage {
    lang: Lang,
    p: &'static PageStrings,
    who: Who,
    nav: &'static str,
    heading: String,
    stations: Vec<Opt>,
    grades: Vec<Opt>,
    week_value: String,
    prev_url: String,
    next_url: String,
    days: Vec<BrowseDay>,
}

/// `GET /teach?station=&grade=&week=`
async fn browse(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<BrowseQuery>, QueryRejection>,
) -> Response {
    with_teacher(&state, &headers, Some(&uri), async |auth: Auth| {
        let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let tz = state.config.tz;
        let pool = state.store.pool();
        let p = LANG.pages();
        let known = airings::station_zones(pool).await?;
        let station = match q
            .station
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => {
                let s = s.to_ascii_uppercase();
                if !known.iter().any(|(c, _)| *c == s) {
                    return Err(AppError::BadRequest(format!(
                        "station: there is no station `{s}` in the schedule"
                    )));
                }
                Some(s)
            }
        };
        let grade = parse_grade(q.grade.as_deref())?;
        let week = parse_week(q.week.as_deref(), tz)?;
        let (from, to) = week.window(tz);
        let list = airings::list(
            pool,
            &AiringFilter {
                station: station.clone(),
                grade,
                from: Some(from),
                to: Some(to),
                ..Default::default()
            },
        )
        .await?;
        let live = assignments::live(pool).await?;
        let work = WorkIndex::new(&live, |_| true);
        let days = by_local_day(&list, tz)
            .into_iter()
            .map(|(day, items)| BrowseDay {
                heading: LANG.day_heading(day),
                rows: items
                    .into_iter()
                    .map(|a| Row {
                        id: a.id,
                        time: match a.end {
                            Some(e) => format!(
                                "{}–{}",
                                clock(LANG, a.start, a.zone(tz)),
                                clock(LANG, e, a.zone(tz))
                            ),
                            None => clock(LANG, a.start, a.zone(tz)),
                        },
                        channel: channel_label(a),
                        title: a.title.clone(),
                        episode: episode_of(a),
                        grades: grade_ranges(a.grades),
                        work: work.for_airing(a).len(),
                    })
                    .collect(),
            })
            .collect();
        let station_code = station.clone().unwrap_or_default();
        let grade_code = grade.map(|g| g.code()).unwrap_or_default();
        let link = |w: Week| {
            format!(
                "/teach?station={}&grade={}&week={w}",
                url_encode(&station_code),
                url_encode(&grade_code)
            )
        };
        let page = BrowsePage {
            lang: LANG,
            p,
            who: Who::of(&auth),
            nav: "schedule",
            heading: format!(
                "{} · {} {}",
                p.nav_schedule,
                p.week_of,
                LANG.long_date(week.monday())
            ),
            stations: known
                .iter()
                .map(|(c, _)| Opt {
                    value: c.clone(),
                    label: c.clone(),
                    selected: station.as_deref() == Some(c.as_str()),
                })
                .collect(),
            grades: Grade::all()
                .map(|g| Opt {
                    value: g.code(),
                    label: LANG.strings().grade_name(g),
                    selected: Some(g) == grade,
                })
                .collect(),
            week_value: week.to_string(),
            prev_url: link(Week::containing(week.monday() - Duration::days(7))),
            next_url: link(Week::containing(week.monday() + Duration::days(7))),
            days,
        };
        Ok(render_page(StatusCode::OK, &page, Caching::Private))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// One airing, and attaching work to it.

struct AiringView {
    id: i64,
    title: String,
    title_es: Option<String>,
    episode: Option<String>,
    description: Option<String>,
    description_es: Option<String>,
    when: String,
    channel: String,
    grades: String,
    captions: bool,
    spanish_audio: bool,
    removed: bool,
    has_episode: bool,
}

struct OtherAiring {
    id: i64,
    when: String,
    channel: String,
    removed: bool,
}

struct AttachedWork {
    id: i64,
    title: String,
    instructions: String,
    materials: Option<String>,
    minutes: Option<i64>,
    owner: String,
    scope: &'static str,
    mine: bool,
}

#[derive(Template)]
#[template(path = "teach/airing.html")]
struct AiringPage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    who: Who,
    nav: &'static str,
    a: AiringView,
    others: Vec<OtherAiring>,
    work: Vec<AttachedWork>,
    form: FormView,
    scopes: Vec<Opt>,
    classes: Vec<Opt>,
}

/// How an assignment reaches an airing, in words.
fn scope_label(w: &Assignment, a: &Airing) -> &'static str {
    let p = LANG.pages();
    for l in &w.links {
        match l {
            Link::Airing(id) if *id == a.id => return p.scope_airing,
            Link::Episode(k) if Some(k) == a.episode_key.as_ref() => return p.scope_episode,
            Link::Series(k) if *k == a.series_key => return p.scope_series,
            _ => {}
        }
    }
    ""
}

async fn find_airing(state: &AppState, raw_id: &str) -> Result<Airing, AppError> {
    let id = parse_id(raw_id, "airing")?;
    airings::get_by_id(state.store.pool(), id)
        .await
        .or_not_found(|| format!("no airing {id}"))
}

/// The airing page, with the attach form as given (blank, or as posted with its problems).
async fn airing_response(
    state: &AppState,
    auth: &Auth,
    a: Airing,
    form: FormView,
    scope: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tz = state.config.tz;
    let pool = state.store.pool();
    let p = LANG.pages();
    let others = match a.episode_key.as_deref() {
        Some(k) => airings::of_episode(pool, k)
            .await?
            .into_iter()
            .filter(|o| o.id != a.id)
            .map(|o| OtherAiring {
                id: o.id,
                when: when(&o, tz),
                channel: channel_label(&o),
                removed: o.status == AiringStatus::Removed,
            })
            .collect(),
        None => Vec::new(),
    };
    let live = assignments::live(pool).await?;
    let index = WorkIndex::new(&live, |_| true);
    let me = auth.user().id;
    let work = index
        .for_airing(&a)
        .into_iter()
        .map(|w| AttachedWork {
            id: w.id,
            title: w.fields.title.clone(),
            instructions: w.fields.instructions.clone(),
            materials: w.fields.materials.clone(),
            minutes: w.fields.minutes,
            owner: w.owner_email.clone(),
            scope: scope_label(w, &a),
            mine: w.owner_id == me || auth.is_admin(),
        })
        .collect();
    let classes = assignments::classes_of(pool, me).await?;
    let default_scope = if a.episode_key.is_some() {
        "episode"
    } else {
        "airing"
    };
    let scope = if scope.is_empty() {
        default_scope
    } else {
        scope
    };
    let mut scopes = vec![("airing", p.scope_airing)];
    if a.episode_key.is_some() {
        scopes.push(("episode", p.scope_episode));
    }
    scopes.push(("series", p.scope_series));
    let page = AiringPage {
        lang: LANG,
        p,
        s: LANG.strings(),
        who: Who::of(auth),
        nav: "schedule",
        scopes: scopes
            .into_iter()
            .map(|(v, l)| Opt {
                value: v.to_string(),
                label: l.to_string(),
                selected: v == scope,
            })
            .collect(),
        classes: class_options(&classes, &form.class),
        form,
        others,
        work,
        a: AiringView {
            id: a.id,
            when: when(&a, tz),
            channel: channel_label(&a),
            grades: grade_ranges(a.grades),
            episode: episode_of(&a),
            has_episode: a.episode_key.is_some(),
            removed: a.status == AiringStatus::Removed,
            captions: a.captions,
            spanish_audio: a.spanish_audio,
            title_es: spanish_title(&a),
            title: a.title,
            description: a.description.filter(|d| !d.trim().is_empty()),
            description_es: a.description_es.filter(|d| !d.trim().is_empty()),
        },
    };
    Ok(render_page(status, &page, Caching::Private))
}

/// `GET /teach/airings/{id}`
async fn airing_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    with_teacher(&state, &headers, Some(&uri), async |auth: Auth| {
        let a = find_airing(&state, &id).await?;
        let form = FormView {
            grades: grade_ranges(a.grades),
            ..Default::default()
        };
        airing_response(&state, &auth, a, form, "", StatusCode::OK).await
    })
    .await
}

/// The link the scope radio buttons choose, from the airing's own keys (never the client's).
fn link_for(scope: &str, a: &Airing) -> Result<LinkInput, FieldError> {
    match scope.trim() {
        "airing" => Ok(LinkInput {
            airing: Some(a.id),
            ..Default::default()
        }),
        "episode" | "" => match &a.episode_key {
            Some(k) => Ok(LinkInput {
                episode: Some(k.clone()),
                ..Default::default()
            }),
            None if scope.trim().is_empty() => Ok(LinkInput {
                airing: Some(a.id),
                ..Default::default()
            }),
            None => Err(FieldError::new(
                "links",
                "this airing names no episode: attach the work to this airing or the series",
            )),
        },
        "series" => Ok(LinkInput {
            series: Some(a.series_key.clone()),
            ..Default::default()
        }),
        other => Err(FieldError::new(
            "links",
            format!("`{other}` is not a choice: pick this airing, the episode or the series"),
        )),
    }
}

/// `POST /teach/assignments`
async fn create_assignment(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<AssignmentForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth| {
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        let a = find_airing(&state, &f.airing).await?;
        let (input, class, mut pre) = f.input();
        let link = link_for(&f.scope, &a).map_err(|e| pre.push(e)).ok();
        let (Some(link), Some(class), true) = (link, class, pre.is_empty()) else {
            let errors = all_errors(pre, &input);
            return airing_response(
                &state,
                &auth,
                a,
                f.view(errors),
                &f.scope,
                StatusCode::BAD_REQUEST,
            )
            .await;
        };
        match work::create(&state, &auth, &input, &[link], class).await {
            Ok(_) => Ok(see_other("/teach/assignments")),
            Err(AppError::Invalid(errors)) => {
                airing_response(
                    &state,
                    &auth,
                    a,
                    f.view(errors),
                    &f.scope,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// My assignments: list, edit, delete, restore.

struct LinkView {
    label: String,
    href: Option<String>,
}

struct AssignmentRow {
    id: i64,
    title: String,
    instructions: String,
    grades: String,
    minutes: Option<i64>,
    due: Option<String>,
    class: Option<String>,
    links: Vec<LinkView>,
}

#[derive(Template)]
#[template(path = "teach/assignments.html")]
struct AssignmentsPage {
    lang: Lang,
    p: &'static PageStrings,
    s: &'static Strings,
    who: Who,
    nav: &'static str,
    live: Vec<AssignmentRow>,
    deleted: Vec<AssignmentRow>,
}

/// Describes links in words, looking each airing or episode up once.
struct LinkNamer<'a> {
    state: &'a AppState,
    airings: HashMap<i64, Option<Airing>>,
    episodes: HashMap<String, Option<Airing>>,
}

impl<'a> LinkNamer<'a> {
    fn new(state: &'a AppState) -> Self {
        LinkNamer {
            state,
            airings: HashMap::new(),
            episodes: HashMap::new(),
        }
    }

    async fn name(&mut self, l: &Link) -> Result<LinkView, AppError> {
        let p = LANG.pages();
        let tz = self.state.config.tz;
        let pool = self.state.store.pool();
        Ok(match l {
            Link::Airing(id) => {
                if !self.airings.contains_key(id) {
                    let a = match airings::get_by_id(pool, *id).await {
                        Ok(a) => Some(a),
                        Err(crate::store::StoreError::NotFound) => None,
                        Err(e) => return Err(e.into()),
                    };
                    self.airings.insert(*id, a);
                }
                match self.airings.get(id).and_then(Option::as_ref) {
                    Some(a) => LinkView {
                        label: format!(
                            "{}: {} · {}, {}",
                            p.scope_airing,
                            title_of(a),
                            when(a, tz),
                            channel_label(a)
                        ),
                        href: Some(format!("/teach/airings/{id}")),
                    },
                    None => LinkView {
                        label: format!("{} {id}", p.airing),
                        href: None,
                    },
                }
            }
            Link::Episode(k) => {
                if !self.episodes.contains_key(k) {
                    let first = airings::of_episode(pool, k).await?.into_iter().next();
                    self.episodes.insert(k.clone(), first);
                }
                match self.episodes.get(k).and_then(Option::as_ref) {
                    Some(a) => LinkView {
                        label: format!("{}: {}", p.scope_episode, title_of(a)),
                        href: Some(format!("/teach/airings/{}", a.id)),
                    },
                    None => LinkView {
                        label: format!("{}: {k}", p.scope_episode),
                        href: None,
                    },
                }
            }
            Link::Series(k) => LinkView {
                label: format!("{}: {k}", p.scope_series),
                href: None,
            },
        })
    }

    async fn names(&mut self, links: &[Link]) -> Result<Vec<LinkView>, AppError> {
        let mut out = Vec::with_capacity(links.len());
        for l in links {
            out.push(self.name(l).await?);
        }
        Ok(out)
    }
}

/// The title and episode in Spanish, where the source gave either.
fn spanish_title(a: &Airing) -> Option<String> {
    let nonblank = |t: &Option<String>| t.clone().filter(|t| !t.trim().is_empty());
    match (nonblank(&a.title_es), nonblank(&a.episode_title_es)) {
        (None, None) => None,
        (t, e) => {
            let title = t.unwrap_or_else(|| a.title.clone());
            match e.or_else(|| episode_of(a)) {
                Some(e) => Some(format!("{title}: {e}")),
                None => Some(title),
            }
        }
    }
}

/// "Cyberchase: Hacker's Garden Grab".
fn title_of(a: &Airing) -> String {
    match episode_of(a) {
        Some(e) => format!("{}: {e}", a.title),
        None => a.title.clone(),
    }
}

/// `GET /teach/assignments`
async fn my_assignments(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    with_teacher(&state, &headers, Some(&uri), async |auth: Auth| {
        let pool = state.store.pool();
        let list = assignments::list(pool, Some(auth.user().id), true).await?;
        let class_names: HashMap<i64, String> = assignments::classes_of(pool, auth.user().id)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let mut namer = LinkNamer::new(&state);
        let mut live = Vec::new();
        let mut deleted = Vec::new();
        for a in list {
            let row = AssignmentRow {
                id: a.id,
                links: namer.names(&a.links).await?,
                title: a.fields.title,
                instructions: a.fields.instructions,
                grades: grade_ranges(a.fields.grades),
                minutes: a.fields.minutes,
                due: a.fields.due.map(|d| LANG.long_date(d)),
                class: a.class_id.and_then(|c| class_names.get(&c).cloned()),
            };
            if a.deleted_at.is_some() {
                deleted.push(row);
            } else {
                live.push(row);
            }
        }
        let page = AssignmentsPage {
            lang: LANG,
            p: LANG.pages(),
            s: LANG.strings(),
            who: Who::of(&auth),
            nav: "assignments",
            live,
            deleted,
        };
        Ok(render_page(StatusCode::OK, &page, Caching::Private))
    })
    .await
}

#[derive(Template)]
#[template(path = "teach/edit.html")]
struct EditPage {
    lang: Lang,
    p: &'static PageStrings,
    who: Who,
    nav: &'static str,
    id: i64,
    original_title: String,
    form: FormView,
    classes: Vec<Opt>,
    links: Vec<LinkView>,
}

async fn edit_response(
    state: &AppState,
    auth: &Auth,
    a: &Assignment,
    form: FormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let classes = assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let links = LinkNamer::new(state).names(&a.links).await?;
    let page = EditPage {
        lang: LANG,
        p: LANG.pages(),
        who: Who::of(auth),
        nav: "assignments",
        id: a.id,
        original_title: a.fields.title.clone(),
        classes: class_options(&classes, &form.class),
        form,
        links,
    };
    Ok(render_page(status, &page, Caching::Private))
}

/// `GET /teach/assignments/{id}/edit`
async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    with_teacher(&state, &headers, Some(&uri), async |auth: Auth| {
        let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
        edit_response(
            &state,
            &auth,
            &a,
            FormView::of_assignment(&a),
            StatusCode::OK,
        )
        .await
    })
    .await
}

/// `POST /teach/assignments/{id}/edit`: changes the fields; the links stay as they are.
async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<AssignmentForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth| {
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
        let (input, class, pre) = f.input();
        let (Some(class), true) = (class, pre.is_empty()) else {
            let errors = all_errors(pre, &input);
            return edit_response(&state, &auth, &a, f.view(errors), StatusCode::BAD_REQUEST).await;
        };
        match work::update(&state, &auth, a.id, &input, None, Some(class)).await {
            Ok(_) => Ok(see_other("/teach/assignments")),
            Err(AppError::Invalid(errors)) => {
                edit_response(&state, &auth, &a, f.view(errors), StatusCode::BAD_REQUEST).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

async fn set_deleted(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    form: Result<Form<CsrfForm>, FormRejection>,
    deleted: bool,
) -> Response {
    with_teacher(state, headers, None, async |auth: Auth| {
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        work::set_deleted(state, &auth, parse_id(id, "assignment")?, deleted).await?;
        Ok(see_other("/teach/assignments"))
    })
    .await
}

/// `POST /teach/assignments/{id}/delete`
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    set_deleted(&state, &headers, &id, form, true).await
}

/// `POST /teach/assignments/{id}/restore`
async fn restore(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    set_deleted(&state, &headers, &id, form, false).await
}

// ---------------------------------------------------------------------------------------------
// Classes and their feeds.

struct ClassView {
    id: i64,
    name: String,
    grades: String,
    feed_url: String,
    webcal: String,
    /// This week's packet, `/teach/classes/{id}/packet/{week}`, without `.pdf` or `.html`.
    packet: String,
}

#[derive(Default)]
struct ClassFormView {
    name: String,
    grades: String,
    errors: Vec<ErrorView>,
}

impl ClassFormView {
    fn err(&self, field: &str) -> Option<String> {
        messages_for(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "teach/classes.html")]
struct ClassesPage {
    lang: Lang,
    p: &'static PageStrings,
    who: Who,
    nav: &'static str,
    classes: Vec<ClassView>,
    form: ClassFormView,
    /// The packet's words, for the links to class packets.
    pw: &'static PacketStrings,
}

async fn classes_response(
    state: &AppState,
    auth: &Auth,
    form: ClassFormView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let list = assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let this_week = Week::containing(Utc::now().with_timezone(&state.config.tz).date_naive());
    let classes = list
        .iter()
        .map(|c| {
            let feed_url = work::class_feed_url(state, c);
            ClassView {
                id: c.id,
                name: c.name.clone(),
                grades: grade_ranges(c.grades),
                webcal: webcal(&feed_url),
                feed_url,
                packet: format!("/teach/classes/{}/packet/{this_week}", c.id),
            }
        })
        .collect();
    let page = ClassesPage {
        lang: LANG,
        p: LANG.pages(),
        who: Who::of(auth),
        nav: "classes",
        classes,
        form,
        pw: LANG.packet(),
    };
    Ok(render_page(status, &page, Caching::Private))
}

/// `GET /teach/classes`
async fn classes(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    with_teacher(&state, &headers, Some(&uri), async |auth: Auth| {
        classes_response(&state, &auth, ClassFormView::default(), StatusCode::OK).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClassForm {
    csrf: String,
    name: String,
    grades: String,
}

/// `POST /teach/classes`
async fn create_class(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ClassForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth| {
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        match work::create_class(&state, &auth, &f.name, std::slice::from_ref(&f.grades)).await {
            Ok(_) => Ok(see_other("/teach/classes")),
            Err(AppError::Invalid(errors)) => {
                let form = ClassFormView {
                    name: f.name.clone(),
                    grades: f.grades.clone(),
                    errors: error_views(errors),
                };
                classes_response(&state, &auth, form, StatusCode::BAD_REQUEST).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// `POST /teach/classes/{id}/renew`: a new feed token; the old link stops working.
async fn renew_class(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    with_teacher(&state, &headers, None, async |auth: Auth| {
        let f = form_or_400(form)?;
        auth.check_csrf(Some(&f.csrf))?;
        work::renew_class_token(&state, &auth, parse_id(&id, "class")?).await?;
        Ok(see_other("/teach/classes"))
    })
    .await
}

/// `GET /teach/classes/{id}/packet/{week}.pdf` (or `.html`; `?lang=&size=&large=` as for a
/// grade's packet): the class's weekly packet, for the teacher whose class it is.
async fn class_packet(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path((id, file)): Path<(String, String)>,
    query: Result<Query<super::packets::PacketQuery>, QueryRejection>,
) -> Response {
    with_teacher(&state, &headers, Some(&uri), async |auth: Auth| {
        let class = work::own_class(&state, &auth, parse_id(&id, "class")?).await?;
        super::packets::class_packet(&state, class, &file, query, &headers).await
    })
    .await
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
