//! Cross-site writes refused in one place: a request that changes something (any method but
//! GET, HEAD and OPTIONS) from a browser must come from our own pages. Browsers say where a
//! request comes from in `Sec-Fetch-Site` (and in `Origin` on every cross-site POST); a write
//! that another site started is a 403 before it reaches a handler, whatever cookies it
//! carries. Scripts and apps send neither header and are judged by their credentials as before.

use super::error::AppError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether the request's own headers say another site sent it.
pub fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // `Origin: null` (sandboxed frames, some redirects) is never ours.
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host)
}

/// The middleware: cross-site writes get a 403 that says why.
pub async fn same_site_writes(req: Request, next: Next) -> Response {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads && cross_site(req.headers()) {
        let e = AppError::Forbidden(
            "this change came from another site; make it from lessoncast's own pages".into(),
        );
        return if req.uri().path().starts_with("/api/") {
            e.into_response()
        } else {
            e.into_text_response()
        };
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_our_own_pages_may_write() {
        assert!(!cross_site(&headers(&[])), "scripts send no origin");
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        let ours = [
            ("host", "lessons.example.org"),
            ("origin", "https://lessons.example.org"),
        ];
        assert!(!cross_site(&headers(&ours)));
        let theirs = [
            ("host", "lessons.example.org"),
            ("origin", "https://evil.example"),
        ];
        assert!(cross_site(&headers(&theirs)));
        assert!(cross_site(&headers(&[("host", "a"), ("origin", "null")])));
    }
}
