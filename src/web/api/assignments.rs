//! `/api/assignments…`: a teacher's work, created, listed, changed, deleted and restored.

use super::{csrf_header, parse_id, JsonBody};
use crate::domain::{Assignment, AssignmentInput};
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::work::{self, LinkInput};
use crate::web::AppState;
use axum::extract::Path as UrlPath;
use axum::extract::{rejection::QueryRejection, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

type JsonMap = serde_json::Map<String, serde_json::Value>;

/// A new assignment: its fields ([`AssignmentInput`]), what it is linked to, and its class.
#[derive(Deserialize)]
#[serde(try_from = "JsonMap")]
pub(super) struct AssignmentBody {
    input: AssignmentInput,
    links: Vec<LinkInput>,
    class: Option<i64>,
}

/// A change: only the fields it names change (`null` clears an optional one), and `links` or
/// `class` when named.
#[derive(Deserialize)]
#[serde(try_from = "JsonMap")]
pub(super) struct AssignmentPatch {
    fields: JsonMap,
    links: Option<Vec<LinkInput>>,
    class: Option<Option<i64>>,
}

/// Takes `key` out of `map` and reads it as a `T`, saying which key was wrong.
fn take<T: serde::de::DeserializeOwned>(map: &mut JsonMap, key: &str) -> Result<Option<T>, String> {
    map.remove(key)
        .map(|v| serde_json::from_value(v).map_err(|e| format!("{key}: {e}")))
        .transpose()
}

impl TryFrom<JsonMap> for AssignmentBody {
    type Error = String;

    fn try_from(mut map: JsonMap) -> Result<Self, String> {
        let links = take(&mut map, "links")?.unwrap_or_default();
        let class = take::<Option<i64>>(&mut map, "class")?.flatten();
        let input = serde_json::from_value(map.into()).map_err(|e| e.to_string())?;
        Ok(AssignmentBody {
            input,
            links,
            class,
        })
    }
}

impl TryFrom<JsonMap> for AssignmentPatch {
    type Error = String;

    fn try_from(mut map: JsonMap) -> Result<Self, String> {
        Ok(AssignmentPatch {
            links: take(&mut map, "links")?,
            class: take(&mut map, "class")?,
            fields: map,
        })
    }
}

impl AssignmentPatch {
    /// `current` with this change's fields in place of its own.
    fn applied_to(self, current: &AssignmentInput) -> Result<AssignmentInput, AppError> {
        let bad = |e: serde_json::Error| AppError::BadRequest(e.to_string());
        let serde_json::Value::Object(mut merged) = serde_json::to_value(current).map_err(bad)?
        else {
            return Err(AppError::BadRequest(
                "an assignment is a JSON object".into(),
            ));
        };
        merged.extend(self.fields);
        serde_json::from_value(merged.into()).map_err(bad)
    }
}

#[derive(Serialize)]
pub struct AssignmentOut {
    id: i64,
    #[serde(flatten)]
    fields: AssignmentInput,
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
            fields: (&a.fields).into(),
            class: a.class_id,
            owner: a.owner_email,
            created_at: a.created_at.to_rfc3339(),
            updated_at: a.updated_at.to_rfc3339(),
            deleted: a.deleted_at.is_some(),
        }
    }
}

/// `POST /api/assignments`: new work, linked to airings, episodes or series.
#[utoipa::path(post, path = "/api/assignments", tag = "assignments", security(("bearer" = [])),
    request_body = super::openapi::AssignmentIn,
    responses(
        (status = 201, description = "Created", body = super::openapi::AssignmentDoc),
        (status = 400, description = "Fields that are wrong, each named", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 409, description = "Too many assignments", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn create_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    JsonBody(b): JsonBody<AssignmentBody>,
) -> Result<(StatusCode, Json<AssignmentOut>), AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let a = work::create(&state, &auth, &b.input, &b.links, b.class).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Also the deleted ones.
    #[serde(default)]
    include_deleted: bool,
}

/// `GET /api/assignments`: the signed-in teacher's work, newest first.
#[utoipa::path(get, path = "/api/assignments", tag = "assignments", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "The teacher's assignments", body = super::openapi::AssignmentList),
        (status = 400, description = "A parameter is wrong", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn list_assignments(
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

/// `GET /api/assignments/{id}`
#[utoipa::path(get, path = "/api/assignments/{id}", tag = "assignments", security(("bearer" = [])),
    params(("id" = String, Path, description = "The assignment's id")),
    responses(
        (status = 200, description = "The assignment", body = super::openapi::AssignmentDoc),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Another teacher's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such assignment", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn get_assignment(
    State(state): State<AppState>,
    auth: Auth,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
    Ok(Json(a.into()))
}

/// `PATCH /api/assignments/{id}`: only the fields named change.
#[utoipa::path(patch, path = "/api/assignments/{id}", tag = "assignments", security(("bearer" = [])),
    params(("id" = String, Path, description = "The assignment's id")),
    request_body = super::openapi::AssignmentPatchDoc,
    responses(
        (status = 200, description = "The assignment as changed", body = super::openapi::AssignmentDoc),
        (status = 400, description = "Fields that are wrong, each named", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Another teacher's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such assignment", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn patch_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
    JsonBody(mut p): JsonBody<AssignmentPatch>,
) -> Result<Json<AssignmentOut>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let id = parse_id(&id, "assignment")?;
    let current = work::owned(&state, &auth, id).await?;
    let links = p.links.take();
    let class = p.class.take();
    let input = p.applied_to(&(&current.fields).into())?;
    let a = work::update(&state, &auth, id, &input, links.as_deref(), class).await?;
    Ok(Json(a.into()))
}

/// `DELETE /api/assignments/{id}`: deleted, and restorable.
#[utoipa::path(delete, path = "/api/assignments/{id}", tag = "assignments", security(("bearer" = [])),
    params(("id" = String, Path, description = "The assignment's id")),
    responses(
        (status = 200, description = "The assignment, deleted", body = super::openapi::AssignmentDoc),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Another teacher's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such assignment", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn delete_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let a = work::set_deleted(&state, &auth, parse_id(&id, "assignment")?, true).await?;
    Ok(Json(a.into()))
}

/// `POST /api/assignments/{id}/restore`: undoes a delete.
#[utoipa::path(post, path = "/api/assignments/{id}/restore", tag = "assignments", security(("bearer" = [])),
    params(("id" = String, Path, description = "The assignment's id")),
    responses(
        (status = 200, description = "The assignment, restored", body = super::openapi::AssignmentDoc),
        (status = 400, description = "It would exceed a limit", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Another teacher's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such assignment", body = super::openapi::ErrorBody),
        (status = 409, description = "Too many assignments", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn restore_assignment(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let a = work::set_deleted(&state, &auth, parse_id(&id, "assignment")?, false).await?;
    Ok(Json(a.into()))
}
