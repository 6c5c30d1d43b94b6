//! The JSON API, `/api/…`: one module per resource, and what they share (JSON bodies with
//! clear errors, ids in paths, the CSRF header).

mod admin;
mod assignments;
mod classes;
mod openapi;
mod schedule;
mod session;
mod sources;

use crate::web::error::AppError;
use crate::web::AppState;
use axum::routing::get;
use axum::{Json, Router};

pub use openapi::document as openapi_document;

pub fn router() -> Router<AppState> {
    use axum::routing::post;
    Router::new()
        .route("/api/openapi.json", get(openapi::openapi_json))
        .route("/api/airings", get(schedule::list_airings))
        .route("/api/login", post(session::login))
        .route("/api/logout", post(session::logout))
        .route(
            "/api/assignments",
            post(assignments::create_assignment).get(assignments::list_assignments),
        )
        .route(
            "/api/assignments/{id}",
            get(assignments::get_assignment)
                .patch(assignments::patch_assignment)
                .delete(assignments::delete_assignment),
        )
        .route(
            "/api/assignments/{id}/restore",
            post(assignments::restore_assignment),
        )
        .route(
            "/api/classes",
            post(classes::create_class).get(classes::list_classes),
        )
        .route("/api/classes/{id}/token", post(classes::renew_token))
        .route("/api/admin/imports", get(admin::admin_imports))
        .route("/api/admin/users", get(admin::admin_users))
        .route(
            "/api/admin/sources",
            get(sources::list_sources).post(sources::add_source),
        )
        .route(
            "/api/admin/sources/{id}",
            axum::routing::patch(sources::patch_source).delete(sources::delete_source),
        )
        .route("/api/admin/sources/{id}/run", post(sources::run_source))
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
            Err(e) => Err(AppError::body(e.status(), e.body_text())),
        }
    }
}

/// Browser sessions calling the API must send their CSRF token in `X-CSRF-Token`.
pub(super) fn csrf_header(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

pub(crate) fn parse_id(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("no {what} `{raw}`")))
}
