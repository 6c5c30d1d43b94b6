//! The JSON API: `/api/…`.

use super::error::AppError;
use super::AppState;
use crate::domain::{Airing, Grade, Week};
use crate::store::{airings, AiringFilter};
use axum::extract::{rejection::QueryRejection, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/airings", get(list_airings))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AiringsQuery {
    station: Option<String>,
    grade: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    include_removed: bool,
    limit: Option<i64>,
}

#[derive(Serialize)]
struct AiringsBody {
    airings: Vec<AiringJson>,
}

#[derive(Serialize)]
struct AiringJson {
    id: i64,
    station: String,
    channel: String,
    channel_name: Option<String>,
    start: String,
    end: Option<String>,
    title: String,
    title_es: Option<String>,
    episode_title: Option<String>,
    episode_title_es: Option<String>,
    description: Option<String>,
    episode_key: Option<String>,
    series_key: String,
    grades: Vec<String>,
    captions: bool,
    spanish_audio: bool,
    status: &'static str,
    revision: i64,
}

impl From<Airing> for AiringJson {
    fn from(a: Airing) -> Self {
        let tz: Tz = a.tz.parse().unwrap_or(chrono_tz::UTC);
        let local = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
        AiringJson {
            id: a.id,
            start: local(a.start),
            end: a.end.map(local),
            station: a.station,
            channel: a.channel,
            channel_name: a.channel_name,
            title: a.title,
            title_es: a.title_es,
            episode_title: a.episode_title,
            episode_title_es: a.episode_title_es,
            description: a.description,
            episode_key: a.episode_key,
            series_key: a.series_key,
            grades: a.grades.codes(),
            captions: a.captions,
            spanish_audio: a.spanish_audio,
            status: a.status.as_str(),
            revision: a.revision,
        }
    }
}

const MAX_LIMIT: i64 = 10_000;

/// `GET /api/airings?station=&grade=&from=&to=`: the current week when no window is given.
async fn list_airings(
    State(state): State<AppState>,
    query: Result<Query<AiringsQuery>, QueryRejection>,
) -> Result<Json<AiringsBody>, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let tz = state.config.tz;
    let grade = q
        .grade
        .as_deref()
        .map(|g| g.parse::<Grade>())
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("grade: {e}")))?;
    let station = match q.station.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            let s = s.to_ascii_uppercase();
            let known = airings::station_zones(state.store.pool()).await?;
            if !known.iter().any(|(c, _)| *c == s) {
                return Err(AppError::NotFound(format!(
                    "no station `{s}` in the schedule"
                )));
            }
            Some(s)
        }
        _ => None,
    };
    let from = q
        .from
        .as_deref()
        .map(|v| parse_instant("from", v, tz))
        .transpose()?;
    let to =
        q.to.as_deref()
            .map(|v| parse_instant("to", v, tz))
            .transpose()?;
    let (from, to) = match (from, to) {
        (None, None) => {
            let week = Week::containing(Utc::now().with_timezone(&tz).date_naive());
            let start = crate::domain::local_midnight(week.monday(), tz);
            (
                start,
                crate::domain::local_midnight(week.monday() + chrono::Duration::days(7), tz),
            )
        }
        (Some(f), None) => (f, f + chrono::Duration::days(7)),
        (None, Some(t)) => (t - chrono::Duration::days(7), t),
        (Some(f), Some(t)) => (f, t),
    };
    if to <= from {
        return Err(AppError::BadRequest("to: must be after from".into()));
    }
    let limit = q.limit.unwrap_or(MAX_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "limit: must be between 1 and {MAX_LIMIT}"
        )));
    }
    let list = airings::list(
        state.store.pool(),
        &AiringFilter {
            station,
            grade,
            from: Some(from),
            to: Some(to),
            include_removed: q.include_removed,
            limit: Some(limit),
        },
    )
    .await?;
    Ok(Json(AiringsBody {
        airings: list.into_iter().map(AiringJson::from).collect(),
    }))
}

/// A date (`2020-04-13`, local midnight) or an RFC 3339 instant.
fn parse_instant(name: &str, v: &str, tz: Tz) -> Result<DateTime<Utc>, AppError> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(crate::domain::local_midnight(d, tz));
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::BadRequest(format!(
                "{name}: `{v}` is neither a date (2020-04-13) nor an RFC 3339 time (2020-04-13T09:00:00-07:00)"
            ))
        })
}

/// The teacher-facing API: sign-in, assignments, classes.
pub fn teach_router() -> Router<AppState> {
    use axum::routing::post;
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route(
            "/api/assignments",
            post(create_assignment).get(list_assignments),
        )
        .route(
            "/api/assignments/{id}",
            get(get_assignment)
                .patch(patch_assignment)
                .delete(delete_assignment),
        )
        .route("/api/assignments/{id}/restore", post(restore_assignment))
        .route("/api/classes", post(create_class).get(list_classes))
        .route("/api/classes/{id}/token", post(renew_token))
        .route("/api/admin/imports", get(admin_imports))
        .route("/api/admin/users", get(admin_users))
}

fn require_admin(auth: &Auth) -> Result<(), AppError> {
    if auth.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("only admins may see this".into()))
    }
}

/// `GET /api/admin/imports`: the last 100 import runs with their counts, warnings and errors.
async fn admin_imports(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<serde_json::Value>, AppError> {
    require_admin(&auth)?;
    let runs = crate::store::imports::recent_runs(state.store.pool(), 100).await?;
    let sources: Vec<_> = state
        .config
        .sources
        .iter()
        .map(|s| serde_json::json!({"location": s.location, "cron": s.cron, "format": s.format, "station": s.station}))
        .collect();
    Ok(Json(
        serde_json::json!({ "runs": runs, "sources": sources }),
    ))
}

/// `GET /api/admin/users`: every account (never a password or token).
async fn admin_users(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<serde_json::Value>, AppError> {
    require_admin(&auth)?;
    let users: Vec<_> = crate::store::users::list(state.store.pool())
        .await?
        .into_iter()
        .map(|u| serde_json::json!({"id": u.id, "email": u.email, "role": u.role.as_str()}))
        .collect();
    Ok(Json(serde_json::json!({ "users": users })))
}

/// A JSON body, with a 400 that says what is wrong when it does not parse.
pub struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(e) => Err(AppError::BadRequest(e.body_text())),
        }
    }
}

use super::auth::{self, Auth, SignIn};
use super::work::{self, LinkInput};
use crate::auth::Secret;
use crate::domain::{Assignment, AssignmentInput};
use axum::extract::Path as UrlPath;
use axum::http::StatusCode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    match auth::sign_in(&state, &body.email, &Secret::new(body.password)).await? {
        SignIn::Ok(user) => {
            let (token, _) = auth::start_session(&state, &user, false).await?;
            Ok(Json(serde_json::json!({
                "token": token,
                "expires_in_days": auth::API_TOKEN_DAYS,
                "user": { "id": user.id, "email": user.email, "role": user.role.as_str() },
            })))
        }
        SignIn::Wrong => Err(AppError::UnauthorizedWith(
            "wrong e-mail or password".into(),
        )),
        SignIn::Locked => Err(AppError::UnauthorizedWith(format!(
            "too many failed sign-ins: try again in {} minutes",
            auth::LOCK_MINUTES
        ))),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    _auth: Auth,
) -> Result<StatusCode, AppError> {
    if let Some((token, _)) = auth::token_of(&headers) {
        crate::store::users::delete_session(state.store.pool(), &crate::auth::token_hash(&token))
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentBody {
    title: String,
    title_es: Option<String>,
    instructions: String,
    instructions_es: Option<String>,
    materials: Option<String>,
    minutes: Option<i64>,
    grades: Vec<String>,
    due: Option<String>,
    #[serde(default)]
    links: Vec<LinkInput>,
    class: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentPatch {
    title: Option<String>,
    title_es: Option<Option<String>>,
    instructions: Option<String>,
    instructions_es: Option<Option<String>>,
    materials: Option<Option<String>>,
    minutes: Option<Option<i64>>,
    grades: Option<Vec<String>>,
    due: Option<Option<String>>,
    links: Option<Vec<LinkInput>>,
    class: Option<Option<i64>>,
}

#[derive(Serialize)]
pub struct AssignmentOut {
    id: i64,
    title: String,
    title_es: Option<String>,
    instructions: String,
    instructions_es: Option<String>,
    materials: Option<String>,
    minutes: Option<i64>,
    grades: Vec<String>,
    due: Option<String>,
    class: Option<i64>,
    links: Vec<LinkInput>,
    owner: String,
    created_at: String,
    updated_at: String,
    deleted: bool,
}

impl From<Assignment> for AssignmentOut {
    fn from(a: Assignment) -> Self {
        AssignmentOut {
            id: a.id,
            links: a.links.iter().map(LinkInput::from).collect(),
            title: a.fields.title,
            title_es: a.fields.title_es,
            instructions: a.fields.instructions,
            instructions_es: a.fields.instructions_es,
            materials: a.fields.materials,
            minutes: a.fields.minutes,
            grades: a.fields.grades.codes(),
            due: a.fields.due.map(|d| d.to_string()),
            class: a.class_id,
            owner: a.owner_email,
            created_at: a.created_at.to_rfc3339(),
            updated_at: a.updated_at.to_rfc3339(),
            deleted: a.deleted_at.is_some(),
        }
    }
}

/// Browser sessions calling the API must send their CSRF token in `X-CSRF-Token`.
fn csrf_header(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

async fn create_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    JsonBody(b): JsonBody<AssignmentBody>,
) -> Result<(StatusCode, Json<AssignmentOut>), AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let input = AssignmentInput {
        title: b.title,
        title_es: b.title_es,
        instructions: b.instructions,
        instructions_es: b.instructions_es,
        materials: b.materials,
        minutes: b.minutes,
        grades: b.grades,
        due: b.due,
    };
    let a = work::create(&state, &auth, &input, &b.links, b.class).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    include_deleted: bool,
}

async fn list_assignments(
    State(state): State<AppState>,
    auth: Auth,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let list = crate::store::assignments::list(
        state.store.pool(),
        Some(auth.user().id),
        q.include_deleted,
    )
    .await?;
    let out: Vec<AssignmentOut> = list.into_iter().map(Into::into).collect();
    Ok(Json(serde_json::json!({ "assignments": out })))
}

pub(crate) fn parse_id(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("no {what} `{raw}`")))
}

async fn get_assignment(
    State(state): State<AppState>,
    auth: Auth,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
    Ok(Json(a.into()))
}

async fn patch_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
    JsonBody(p): JsonBody<AssignmentPatch>,
) -> Result<Json<AssignmentOut>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let id = parse_id(&id, "assignment")?;
    let current = work::owned(&state, &auth, id).await?;
    let mut input = work::input_of(&current);
    if let Some(v) = p.title {
        input.title = v;
    }
    if let Some(v) = p.title_es {
        input.title_es = v;
    }
    if let Some(v) = p.instructions {
        input.instructions = v;
    }
    if let Some(v) = p.instructions_es {
        input.instructions_es = v;
    }
    if let Some(v) = p.materials {
        input.materials = v;
    }
    if let Some(v) = p.minutes {
        input.minutes = v;
    }
    if let Some(v) = p.grades {
        input.grades = v;
    }
    if let Some(v) = p.due {
        input.due = v;
    }
    let a = work::update(&state, &auth, id, &input, p.links.as_deref(), p.class).await?;
    Ok(Json(a.into()))
}

async fn delete_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let a = work::set_deleted(&state, &auth, parse_id(&id, "assignment")?, true).await?;
    Ok(Json(a.into()))
}

async fn restore_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let a = work::set_deleted(&state, &auth, parse_id(&id, "assignment")?, false).await?;
    Ok(Json(a.into()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassBody {
    name: String,
    grades: Vec<String>,
}

fn class_json(state: &AppState, c: &crate::store::assignments::Class) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "name": c.name,
        "grades": c.grades.codes(),
        "token": c.token,
        "feed_url": work::class_feed_url(state, c),
    })
}

async fn create_class(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    JsonBody(b): JsonBody<ClassBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let c = work::create_class(&state, &auth, &b.name, &b.grades).await?;
    Ok((StatusCode::CREATED, Json(class_json(&state, &c))))
}

async fn list_classes(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<serde_json::Value>, AppError> {
    let list = crate::store::assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let out: Vec<_> = list.iter().map(|c| class_json(&state, c)).collect();
    Ok(Json(serde_json::json!({ "classes": out })))
}

async fn renew_token(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let c = work::renew_class_token(&state, &auth, parse_id(&id, "class")?).await?;
    Ok(Json(class_json(&state, &c)))
}
