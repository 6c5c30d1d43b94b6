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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClassBody {
    name: String,
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

pub(super) async fn list_classes(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<serde_json::Value>, AppError> {
    let list = crate::store::assignments::classes_of(state.store.pool(), auth.user().id).await?;
    let out: Vec<_> = list.iter().map(|c| class_json(&state, c)).collect();
    Ok(Json(serde_json::json!({ "classes": out })))
}

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
