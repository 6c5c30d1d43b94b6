//! `POST /api/login` and `/api/logout`: API tokens for scripts and apps.

use super::JsonBody;
use crate::auth::Secret;
use crate::web::auth::{self, Auth, SignIn};
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    email: String,
    password: String,
}

/// `POST /api/login`: an API token for a teacher's e-mail and password.
#[utoipa::path(post, path = "/api/login", tag = "session", request_body = LoginBody,
    responses(
        (status = 200, description = "The token, its lifetime and the user", body = super::openapi::LoginOut),
        (status = 400, description = "The body is not a login", body = super::openapi::ErrorBody),
        (status = 401, description = "Wrong e-mail or password, or the account is locked", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many attempts from this network", body = super::openapi::ErrorBody),
        (status = 503, description = "Too many sign-ins at once", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(body): JsonBody<LoginBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    match auth::sign_in(&state, client, &body.email, &Secret::new(body.password)).await? {
        SignIn::Ok(user) => {
            let (token, _) = auth::start_session(&state, &user, false).await?;
            Ok(Json(serde_json::json!({
                "token": token,
                "expires_in_days": auth::API_TOKEN_DAYS,
                "user": { "id": user.id, "email": user.email, "role": user.role.as_str() },
            })))
        }
        // One answer for a wrong password, an unknown e-mail and a locked account.
        SignIn::Wrong => Err(AppError::UnauthorizedWith(format!(
            "wrong e-mail or password; too many failed sign-ins lock an account for {} minutes",
            auth::LOCK_MINUTES
        ))),
    }
}

/// `POST /api/logout`: ends the session or token used.
#[utoipa::path(post, path = "/api/logout", tag = "session", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    auth: Auth,
) -> Result<StatusCode, AppError> {
    // A browser session signs out with its CSRF token, like any other write.
    auth.check_csrf(super::csrf_header(&headers))?;
    if let Some((token, _)) = auth::token_of(&headers) {
        crate::store::users::delete_session(state.store.pool(), &crate::auth::token_hash(&token))
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
