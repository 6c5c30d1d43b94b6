//! `/api/classes…`: a teacher's classes and their private feed addresses.

use super::{csrf_header, parse_id, JsonBody};
use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::work;
use crate::web::AppState;
use axum::extract::Path as UrlPath;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ClassBody {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    #[schema(min_items = 1, inline, value_type = Vec<super::openapi::GradeDoc>)]
    grades: Vec<String>,
}

pub(super) fn class_json(
    state: &AppState,
    c: &crate::store::assignments::Class,
) -> serde_json::Value {
    serde_json::json!({
        "id": c.id,
        "name": c.name,
        "grades": c.grades.codes(),
        "token": c.token,
        "feed_url": work::class_feed_url(state, c),
    })
}

/// `POST /api/classes`: a class with its private feed.
#[utoipa::path(post, path = "/api/classes", tag = "classes", security(("bearer" = [])),
    request_body = ClassBody,
    responses(
        (status = 201, description = "Created", body = super::openapi::ClassDoc),
        (status = 400, description = "Fields that are wrong, each named", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 409, description = "Too many classes", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn create_class(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    JsonBody(b): JsonBody<ClassBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let c = work::create_class(&state, &auth, &b.name, &b.grades).await?;
    Ok((StatusCode::CREATED, Json(class_json(&state, &c))))
}

/// `GET /api/classes`: the signed-in teacher's classes.
#[utoipa::path(get, path = "/api/classes", tag = "classes", security(("bearer" = [])),
    responses(
        (status = 200, description = "The classes", body = super::openapi::ClassList),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn list_classes(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<serde_json::Value>, AppError> {
    let list = crate::store::assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let out: Vec<_> = list.iter().map(|c| class_json(&state, c)).collect();
    Ok(Json(serde_json::json!({ "classes": out })))
}

/// `POST /api/classes/{id}/token`: a new feed address; the old one stops working.
#[utoipa::path(post, path = "/api/classes/{id}/token", tag = "classes", security(("bearer" = [])),
    params(("id" = String, Path, description = "The class's id")),
    responses(
        (status = 200, description = "The class with its new feed", body = super::openapi::ClassDoc),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Another teacher's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such class", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn renew_token(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    auth.check_csrf(csrf_header(&headers))?;
    let c = work::renew_class_token(&state, &auth, parse_id(&id, "class")?).await?;
    Ok(Json(class_json(&state, &c)))
}
