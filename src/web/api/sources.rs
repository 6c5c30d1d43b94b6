//! `/api/admin/sources…`: the schedule sources, for admins: listed with how their runs went,
//! added, changed, removed, and run now. The same fields as `lessoncast source list --json`.

use super::admin::require_admin;
use super::{csrf_header, parse_id, JsonBody};
use crate::sources::run::Outcome;
use crate::sources::{Kind, SourceSpec, SourceView};
use crate::store::sources as stored;
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::AppState;
use axum::extract::Path as UrlPath;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;

/// A source's fields as sent: all of them to add one (`name`, `kind`, `location` required),
/// those that change to edit one. An empty `station` or `tz` clears it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceIn {
    name: Option<String>,
    kind: Option<Kind>,
    /// A URL (kind `url`) or a call sign (kind `tvss`).
    location: Option<String>,
    /// auto, xmltv, tvss or csv.
    format: Option<String>,
    station: Option<String>,
    tz: Option<String>,
    /// With seconds, read in the district's zone; default every 6 hours.
    cron: Option<String>,
    days: Option<u32>,
    kids: Option<bool>,
    enabled: Option<bool>,
}

/// A source's problem: the admin pages that show it are in English.
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let message = message.into();
    AppError::Invalid(vec![crate::domain::FieldError::new(
        field,
        message.clone(),
        message,
    )])
}

impl SourceIn {
    /// `base` with these fields in its place, checked.
    fn applied_to(self, mut spec: SourceSpec) -> Result<SourceSpec, AppError> {
        if let Some(v) = self.name {
            spec.name = v;
        }
        if let Some(k) = self.kind {
            if k != spec.kind {
                spec.format = if k == Kind::Tvss {
                    crate::import::Format::Tvss
                } else {
                    crate::import::Format::Auto
                };
            }
            spec.kind = k;
        }
        if let Some(v) = self.location {
            spec.location = v;
        }
        if let Some(f) = self.format {
            spec.format = f.parse().map_err(|m: String| invalid("format", m))?;
        }
        if let Some(s) = self.station {
            spec.station = Some(s).filter(|s| !s.trim().is_empty());
        }
        if let Some(t) = self.tz {
            spec.tz = if t.trim().is_empty() {
                None
            } else {
                Some(t.trim().parse().map_err(|_| {
                    invalid(
                        "tz",
                        format!("`{t}` is not a time zone such as America/Chicago"),
                    )
                })?)
            };
        }
        if let Some(c) = self.cron {
            spec.cron = c;
        }
        if let Some(d) = self.days {
            spec.days = d;
        }
        if let Some(k) = self.kids {
            spec.kids = k;
        }
        if let Some(e) = self.enabled {
            spec.enabled = e;
        }
        spec.check().map_err(|e| invalid(e.field, e.message))
    }
}

/// A store error, saying so when the source's name is taken.
fn name_taken(e: crate::store::StoreError, name: &str) -> AppError {
    match e {
        crate::store::StoreError::AlreadyExists => {
            AppError::Conflict(format!("a source called `{name}` already exists"))
        }
        e => e.into(),
    }
}

fn view(state: &AppState, s: &crate::sources::Source) -> SourceView {
    s.view(state.config.tz, chrono::Utc::now())
}

/// `GET /api/admin/sources`: every source with its last run, last success, last error, next
/// run and consecutive failures.
#[utoipa::path(get, path = "/api/admin/sources", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The sources", body = super::openapi::SourceList),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn list_sources(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<serde_json::Value>, AppError> {
    require_admin(&auth)?;
    let list = stored::list(state.store.pool()).await?;
    let views: Vec<SourceView> = list.iter().map(|s| view(&state, s)).collect();
    Ok(Json(serde_json::json!({ "sources": views })))
}

/// `POST /api/admin/sources`: a new source; it runs on the next tick, then on its cron.
#[utoipa::path(post, path = "/api/admin/sources", tag = "admin", security(("bearer" = [])),
    request_body = SourceIn,
    responses(
        (status = 201, description = "Added", body = SourceView),
        (status = 400, description = "Fields that are wrong, each named", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
        (status = 409, description = "The name is taken", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn add_source(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SourceIn>,
) -> Result<(StatusCode, Json<SourceView>), AppError> {
    require_admin(&auth)?;
    auth.check_csrf(csrf_header(&headers))?;
    let (Some(name), Some(kind), Some(location)) =
        (body.name.clone(), body.kind, body.location.clone())
    else {
        return Err(invalid(
            "name",
            "a new source needs a name, a kind (url or tvss) and a location",
        ));
    };
    let spec = body.applied_to(SourceSpec::new(&name, kind, &location))?;
    let now = chrono::Utc::now().timestamp();
    let s = stored::add(state.store.pool(), &spec, now)
        .await
        .map_err(|e| name_taken(e, &spec.name))?;
    Ok((StatusCode::CREATED, Json(view(&state, &s))))
}

async fn find(state: &AppState, raw: &str) -> Result<crate::sources::Source, AppError> {
    let id = parse_id(raw, "source")?;
    stored::by_id(state.store.pool(), id)
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NotFound => AppError::NotFound(format!("no source {id}")),
            e => e.into(),
        })
}

/// `PATCH /api/admin/sources/{id}`: changes the fields named; takes effect on every replica
/// within a second, no restart.
#[utoipa::path(patch, path = "/api/admin/sources/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The source")),
    request_body = SourceIn,
    responses(
        (status = 200, description = "Changed", body = SourceView),
        (status = 400, description = "Fields that are wrong, each named", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
        (status = 404, description = "No such source", body = super::openapi::ErrorBody),
        (status = 409, description = "The name is taken", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn patch_source(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    JsonBody(body): JsonBody<SourceIn>,
) -> Result<Json<SourceView>, AppError> {
    require_admin(&auth)?;
    auth.check_csrf(csrf_header(&headers))?;
    let current = find(&state, &id).await?;
    let spec = body.applied_to(current.spec.clone())?;
    let now = chrono::Utc::now().timestamp();
    let s = stored::update(state.store.pool(), current.id, &spec, now)
        .await
        .map_err(|e| name_taken(e, &spec.name))?;
    Ok(Json(view(&state, &s)))
}

/// `DELETE /api/admin/sources/{id}`: what it imported stays, and so do its runs.
#[utoipa::path(delete, path = "/api/admin/sources/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The source")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
        (status = 404, description = "No such source", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn delete_source(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<StatusCode, AppError> {
    require_admin(&auth)?;
    auth.check_csrf(csrf_header(&headers))?;
    let s = find(&state, &id).await?;
    stored::remove(state.store.pool(), s.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/admin/sources/{id}/run`: runs it now. Answers with the outcome when the run ends
/// within a few seconds (200: `ok`, `not_modified` or `failed` with its error), else 202 while
/// it goes on (`GET /api/admin/sources` shows how it ended). 409 if it is running already.
#[utoipa::path(post, path = "/api/admin/sources/{id}/run", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The source")),
    responses(
        (status = 200, description = "The run ended", body = Object),
        (status = 202, description = "The run goes on", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
        (status = 404, description = "No such source", body = super::openapi::ErrorBody),
        (status = 409, description = "It is running already", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn run_source(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    require_admin(&auth)?;
    auth.check_csrf(csrf_header(&headers))?;
    let s = find(&state, &id).await?;
    let name = s.spec.name.clone();
    match state.run_source(s, crate::app::RUN_NOW_WAIT).await {
        None => Ok((
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "name": name, "outcome": "running" })),
        )),
        Some(Err(e @ crate::sources::run::RunError::Busy(_))) => {
            Err(AppError::Conflict(e.to_string()))
        }
        Some(Err(e)) => Ok((
            StatusCode::OK,
            Json(serde_json::json!({ "name": name, "outcome": "failed", "error": e.to_string() })),
        )),
        Some(Ok(Outcome::Imported(r))) => {
            let mut v = serde_json::json!({ "name": name, "outcome": "ok" });
            if let (Some(o), Ok(serde_json::Value::Object(r))) =
                (v.as_object_mut(), serde_json::to_value(&r))
            {
                o.extend(r);
            }
            Ok((StatusCode::OK, Json(v)))
        }
        Some(Ok(_)) => Ok((
            StatusCode::OK,
            Json(serde_json::json!({ "name": name, "outcome": "not_modified" })),
        )),
    }
}
