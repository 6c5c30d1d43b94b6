//! The one place where errors become HTTP responses: JSON under `/api`, plain text for feeds
//! and packets, and (through `html::error_page`) pages elsewhere. Internal errors are logged
//! here, once, and never shown in detail.

use crate::feeds::FeedError;
use crate::packets::PublishError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// What a request can fail with.
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
    #[error("{0}")]
    Conflict(String),
    /// A body over the limit: 413.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts from one client: a 429, to retry after this many seconds.
    #[error("too many sign-in attempts from your network; try again in {0} seconds")]
    TooMany(u64),
    /// Too much at once: a 503 the client may retry.
    #[error("{0}")]
    Busy(String),
    /// Our side failed (the database, drawing a packet): logged where it becomes a response.
    #[error("{0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// What the client sees of an internal error.
const INTERNAL: &str = "something went wrong on our side; please try again later";

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("not found".into()),
            StoreError::AlreadyExists => AppError::Conflict("that already exists".into()),
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl From<FeedError> for AppError {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::BadParameter(m) => AppError::BadRequest(m),
            e @ (FeedError::NoStation(_) | FeedError::NoClass) => AppError::NotFound(e.to_string()),
            FeedError::Store(e) => e.into(),
            e @ FeedError::Busy => AppError::Busy(e.to_string()),
            e @ FeedError::Render(_) => AppError::Internal(Box::new(e)),
        }
    }
}

impl From<crate::app::CheckError> for AppError {
    fn from(e: crate::app::CheckError) -> Self {
        AppError::Busy(e.to_string())
    }
}

impl From<PublishError> for AppError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Store(e) => e.into(),
            PublishError::Draw(e) => AppError::Internal(Box::new(e)),
            e @ PublishError::FarWeek { .. } => AppError::NotFound(e.to_string()),
            e @ PublishError::Busy => AppError::Busy(e.to_string()),
        }
    }
}

impl AppError {
    /// A family that could not be read: a 400 that says why in the page's language, or the
    /// store's failure.
    pub fn family(e: crate::family::FamilyError, lang: crate::i18n::Lang) -> AppError {
        match e {
            crate::family::FamilyError::Store(e) => e.into(),
            e => AppError::BadRequest(e.message(lang)),
        }
    }

    /// A body that could not be read: 413 when it was too large, else 400 with the reason.
    pub fn body(status: StatusCode, text: String) -> AppError {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "the request body is larger than {} KB",
                super::MAX_BODY / 1024
            ))
        } else {
            AppError::BadRequest(text)
        }
    }
}

/// Turns a store's "not found" into a 404 that says what was not found.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> Result<T, AppError>;
}

impl<T> OrNotFound<T> for Result<T, StoreError> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> Result<T, AppError> {
        self.map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound(what()),
            other => other.into(),
        })
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::UnauthorizedWith(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message the client sees: never the detail of an internal error.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => INTERNAL.into(),
            other => other.to_string(),
        }
    }

    /// Logs an internal error; every response is made through here.
    fn reported(self) -> Self {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = %e, "request failed");
        }
        self
    }

    /// The status and the client's message, the error logged if it is ours: for error pages.
    pub fn into_status_and_message(self) -> (StatusCode, String) {
        let e = self.reported();
        (e.status(), e.public_message())
    }

    /// As plain text, for feeds and packets.
    pub fn into_text_response(self) -> Response {
        let retry = self.retry_after();
        let (status, message) = self.into_status_and_message();
        let mut r = (status, format!("{message}\n")).into_response();
        if let Some(seconds) = retry {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        r
    }

    /// Seconds a client should wait before trying again, for a 429 or a 503.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooMany(seconds) => Some(*seconds),
            AppError::Busy(_) => Some(10),
            _ => None,
        }
    }
}

/// JSON errors, for the API.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let e = self.reported();
        let status = e.status();
        let mut body = serde_json::json!({ "error": e.public_message() });
        if let AppError::Invalid(fields) = &e {
            body["fields"] = serde_json::json!(fields);
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = e.retry_after() {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"lessoncast\""),
            );
        }
        response
    }
}
