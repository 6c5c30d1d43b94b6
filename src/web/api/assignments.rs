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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AssignmentBody {
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
pub(super) struct AssignmentPatch {
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

pub(super) async fn create_assignment(
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
pub(super) struct ListQuery {
    #[serde(default)]
    include_deleted: bool,
}

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

pub(super) async fn get_assignment(
    State(state): State<AppState>,
    auth: Auth,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<AssignmentOut>, AppError> {
    let a = work::owned(&state, &auth, parse_id(&id, "assignment")?).await?;
    Ok(Json(a.into()))
}

pub(super) async fn patch_assignment(
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
