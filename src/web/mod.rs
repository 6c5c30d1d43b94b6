//! The HTTP server: the router, shared state, and graceful shutdown.

pub mod admin;
pub mod api;
pub mod auth;
pub mod error;
pub mod feeds;
pub mod packets;
pub mod public;
pub mod teach;
pub mod work;

use crate::config::Config;
use crate::store::Store;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub feeds: Arc<crate::feeds::FeedCache>,
}

impl AppState {
    pub fn new(store: Store, config: Arc<Config>) -> AppState {
        AppState {
            store,
            feeds: Arc::new(crate::feeds::FeedCache::new(config.version_ttl)),
            config,
        }
    }
}

/// Every route of the service.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::router())
        .merge(api::teach_router())
        .merge(admin::router())
        .merge(feeds::router())
        .merge(packets::router())
        .merge(teach::router())
        .merge(public::router())
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    let e = error::AppError::NotFound(format!("nothing at {}", uri.path()));
    if uri.path().starts_with("/api/") {
        axum::response::IntoResponse::into_response(e)
    } else {
        e.into_text_response()
    }
}

/// Resolves on Ctrl-C or SIGTERM, for a graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
