//! Cross-site writes refused in one place: a request that changes something (any method but
//! GET, HEAD and OPTIONS) from a browser must come from our own pages. Browsers say where a
//! request comes from in `Sec-Fetch-Site` (and in `Origin` on every cross-site POST); a write
//! that another site started is a 403 before it reaches a handler, whatever cookies it
//! carries. Scripts and apps send neither header and are judged by their credentials as before.

use super::error::AppError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
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

/// The refusal a cross-site write gets, or `None` to let the request through.
fn refusal(req: &Request) -> Option<Response> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if reads || !cross_site(req.headers()) {
        return None;
    }
    let e = AppError::Forbidden(
        "this change came from another site; make it from lessoncast's own pages".into(),
    );
    Some(if req.uri().path().starts_with("/api/") {
        e.into_response()
    } else {
        e.into_text_response()
    })
}

/// The middleware: cross-site writes get a 403 that says why. A service of its own rather
/// than `axum::middleware::from_fn`, which copies the whole stack of services behind it and
/// boxes a future for every request: for a feed's 304, a sixth of its work.
#[derive(Clone, Copy, Debug, Default)]
pub struct SameSiteWrites;

impl<S> tower::Layer<S> for SameSiteWrites {
    type Service = SameSiteWritesService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SameSiteWritesService { inner }
    }
}

#[derive(Clone, Debug)]
pub struct SameSiteWritesService<S> {
    inner: S,
}

impl<S> tower::Service<Request> for SameSiteWritesService<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future =
        futures_util::future::Either<std::future::Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match refusal(&req) {
            Some(refused) => futures_util::future::Either::Left(std::future::ready(Ok(refused))),
            None => futures_util::future::Either::Right(self.inner.call(req)),
        }
    }
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
