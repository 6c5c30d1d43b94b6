//! `GET /api/admin/imports` and `/api/admin/users`: import history and accounts, for admins.

use crate::web::auth::Auth;
use crate::web::error::AppError;
use crate::web::AppState;
use axum::extract::State;
use axum::Json;

pub(super) fn require_admin(auth: &Auth) -> Result<(), AppError> {
    if auth.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("only admins may see this".into()))
    }
}

/// `GET /api/admin/imports`: the last 100 import runs with their counts, warnings and errors.
#[utoipa::path(get, path = "/api/admin/imports", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Import runs and configured sources", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn admin_imports(
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
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every account", body = Object),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not an admin", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn admin_users(
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
