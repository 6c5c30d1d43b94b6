//! The one place where errors become HTTP responses: JSON under `/api`, plain text elsewhere.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// What a request can fail with. Internal errors are logged and never shown in detail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<crate::domain::FieldError>),
    #[error("{0}")]
    NotFound(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    UnauthorizedWith(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) | AppError::Store(StoreError::NotFound) => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::UnauthorizedWith(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message the client sees.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Store(StoreError::NotFound) => "not found".into(),
            AppError::Store(e) => {
                tracing::error!(error = %e, "request failed");
                "something went wrong on our side; please try again later".into()
            }
            other => other.to_string(),
        }
    }

    /// As plain text, for pages and feeds.
    pub fn into_text_response(self) -> Response {
        let status = self.status();
        (status, format!("{}\n", self.public_message())).into_response()
    }
}

/// JSON errors, for the API.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = serde_json::json!({ "error": self.public_message() });
        if let AppError::Invalid(fields) = &self {
            body["fields"] = serde_json::json!(fields);
        }
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"lessoncast\""),
            );
        }
        response
    }
}
