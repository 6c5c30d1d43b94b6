//! The HTTP server: the router, shared state, and graceful shutdown.

pub mod admin;
pub mod api;
pub mod auth;
pub mod client;
mod conditional;
pub mod error;
pub mod family;
pub mod feeds;
pub mod html;
pub mod origin;
pub mod packets;
pub mod revalidate;
pub mod teach;
pub mod work;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares: the app itself.
pub type AppState = crate::app::App;

/// The largest request body accepted (413 beyond it).
pub const MAX_BODY: usize = 256 * 1024;

/// Every route of the service, behind the layers every request passes.
///
/// The layers wrap the router once, not each route: `Router::layer` wraps every route in its
/// own copy of the stack, boxed, and the route's boxes are cloned for every request (for a
/// feed's 304, two dozen allocations and a fifth of its work).
pub fn router(
    state: AppState,
) -> impl tower::Service<
    axum::extract::Request,
    Response = axum::http::Response<
        impl hyper::body::Body<
                Data = bytes::Bytes,
                Error = impl Into<Box<dyn std::error::Error + Send + Sync>>,
            > + Send
            + 'static,
    >,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let timeout = state.config.request_timeout;
    tower::ServiceBuilder::new()
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        // Every response, plain-text errors included, is what it says it is and cannot be
        // framed; pages set their own stricter policies.
        .layer(tower::util::MapResponseLayer::new(
            default_headers as fn(axum::response::Response) -> axum::response::Response,
        ))
        // Small bodies only: the largest honest one is an assignment of a few tens of KB.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(origin::SameSiteWrites)
        // No request may run longer than this (a slow body included): 408.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .service(routes(state))
}

fn routes(state: AppState) -> Router {
    // Pages and JSON shrink to a fraction over brotli or gzip, which a slow phone connection
    // feels; feeds gzip themselves (once, cached).
    let compressed = Router::new()
        .merge(api::router())
        .merge(admin::router())
        .merge(teach::router())
        .merge(family::router())
        .layer(compression());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(feeds::router())
        // The print-ready HTML packet shrinks like a page; PDFs and ZIPs are compressed already.
        .merge(
            packets::router().layer(
                compression().compress_when(
                    DefaultPredicate::new()
                        .and(NotForContentType::const_new("application/pdf"))
                        .and(NotForContentType::const_new("application/zip")),
                ),
            ),
        )
        .merge(compressed)
        .fallback(not_found)
        .with_state(state)
}

/// Brotli where the browser takes it (every current one does, over https), else gzip, both
/// at level 4: brotli's own default is its slowest level (11), far too slow to spend on
/// every request an anonymous caller makes, while 4 compresses a page about as fast as gzip's
/// default and smaller.
fn compression() -> CompressionLayer {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(tower_http::compression::CompressionLevel::Precise(4))
}

/// The headers every response carries unless it set its own, in one pass (three layers
/// cost a 304 a tenth of its work): `nosniff`, `no-referrer`, and a default-deny
/// Content-Security-Policy, but not on PDFs: a browser's built-in PDF viewer may not open a
/// document under one.
fn default_headers(mut r: axum::response::Response) -> axum::response::Response {
    // A 304 has no body for these to guard: the stored response keeps its own (RFC 9111
    // §4.3.4), and a 304 carries only what updates it (RFC 9110 §15.4.5), as nginx's do.
    if r.status() == StatusCode::NOT_MODIFIED {
        return r;
    }
    let pdf = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/pdf"));
    default_headers_into(r.headers_mut(), pdf);
    r
}

/// The headers of [`default_headers`], into `headers` (`pdf`: for a PDF, no policy).
fn default_headers_into(headers: &mut axum::http::HeaderMap, pdf: bool) {
    if !headers.contains_key(header::X_CONTENT_TYPE_OPTIONS) {
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    if !pdf && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
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

/// `GET /metrics`: Prometheus (OpenMetrics) text. Counting the airings costs a query at most
/// every 15 s, whoever asks how often.
async fn metrics(State(state): State<AppState>) -> axum::response::Response {
    let m = crate::metrics::global();
    if m.airings_due() {
        match crate::store::airings::count_scheduled(state.store.pool()).await {
            Ok(n) => m.set_airings(n),
            Err(e) => tracing::warn!(error = %e, "metrics: cannot count the airings"),
        }
    }
    axum::response::IntoResponse::into_response((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        m.render(),
    ))
}

async fn not_found(
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let path = uri.path();
    if path.starts_with("/api/") {
        let e = error::AppError::NotFound(format!("nothing at {path}"));
        axum::response::IntoResponse::into_response(e)
    } else if path.starts_with("/feeds/") || path.starts_with("/packets/") {
        // Calendar apps and printers: plain text.
        error::AppError::NotFound(format!("nothing at {path}")).into_text_response()
    } else {
        // Someone typed or followed a wrong address: a page in their language.
        let asked = uri
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("lang="));
        let lang = family::page_lang(asked, &headers).unwrap_or_default();
        let p = lang.pages();
        let message = format!("{} {}", p.not_found, html::shown(path));
        html::error_page(
            lang,
            error::AppError::NotFound(message),
            &format!("/?lang={}", lang.code()),
            p.back_to_start,
        )
    }
}
