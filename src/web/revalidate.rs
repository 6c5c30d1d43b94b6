//! A feed's revalidation answered before the router: when a phone asks again for the same URL
//! with the validators of its copy, and neither the data nor the day has changed since the last
//! full answer to that URL, the 304 is decided from what that answer recorded.
//!
//! A full answer (the router, its layers and the handler: the query read, the feed found in the
//! cache, the validators compared) cost a 304 about a third of its time (hyper and the kernel
//! the rest), for a result that depends only on the URL, the day, the data version and the
//! validators. What is recorded is
//! that: per URL (and whether gzip was taken), the data version and the last day the answer
//! holds for, and the validators; never the feed itself. Anything else (no record, a newer data
//! version or one not looked up lately, another day, a client whose copy is out of date, a HEAD)
//! goes the full way, which records it again.

use super::conditional::{accepts_gzip, not_modified};
use crate::feeds::RenderedFeed;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures_util::future::{Either, MapOk, Ready, TryFutureExt};
use http_body_util::Empty;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;

/// At most this many URLs are remembered (a full map starts afresh)…
pub const MAX_KNOWN: usize = 4096;
/// …each at most this long: longer ones are answered the full way every time.
pub const MAX_TARGET: usize = 1024;

/// What a feed's full answer to one URL depends on and compared: enough to answer a
/// revalidation of the same URL the same way.
#[derive(Debug, Clone)]
struct Known {
    /// The data version the feed was rendered from.
    version: i64,
    /// The answer holds until this instant (Unix seconds): the start of the day after the one
    /// the request's window was taken from, in the service's zone.
    until: i64,
    /// The feed kind, for `/metrics`.
    kind: &'static str,
    /// The validators, as headers (each a shared buffer: a copy costs no allocation).
    etag: HeaderValue,
    etag_gzip: HeaderValue,
    last_modified: DateTime<Utc>,
    last_modified_http: HeaderValue,
}

/// The remembered answers by URL (path and query, as sent), apart for clients that take gzip
/// and those that do not.
#[derive(Default)]
pub struct Revalidations {
    known: Mutex<[HashMap<Box<[u8]>, Known>; 2]>,
}

/// The headers of a feed's answer: how long it may be kept, and the validators of the body the
/// client takes; and for a 200 (`body`), its type. A 304 carries only what updates the client's
/// stored copy (RFC 9110 §15.4.5: `ETag`, `Vary`, `Cache-Control`, and `Last-Modified` for the
/// clients that revalidate by date), as nginx's do.
pub fn feed_headers(
    out: &mut HeaderMap,
    body: bool,
    etag: Option<HeaderValue>,
    modified: Option<HeaderValue>,
) {
    if body {
        out.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
    }
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Some(etag) = etag {
        out.insert(header::ETAG, etag);
    }
    if let Some(modified) = modified {
        out.insert(header::LAST_MODIFIED, modified);
    }
}

/// The first instant (Unix seconds) of the day after `today` in `tz`; an hour from now when
/// that midnight does not exist (a zone that skips it).
fn day_after(today: NaiveDate, tz: Tz) -> i64 {
    today
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map_or_else(|| Utc::now().timestamp() + 3600, |t| t.timestamp())
}

impl Revalidations {
    /// Records the full answer to `target`: the feed of `kind` rendered for `today` (in `tz`).
    pub fn remember(
        &self,
        target: &[u8],
        gzip: bool,
        kind: &'static str,
        feed: &RenderedFeed,
        today: NaiveDate,
        tz: Tz,
    ) {
        if target.len() > MAX_TARGET {
            return;
        }
        let until = day_after(today, tz);
        let Ok(mut known) = self.known.lock() else {
            return;
        };
        // An earlier answer recorded the same URL at the same version and day.
        if known[gzip as usize]
            .get(target)
            .is_some_and(|k| k.version == feed.version && k.until == until)
        {
            return;
        }
        let (Ok(etag), Ok(etag_gzip), Ok(last_modified_http)) = (
            HeaderValue::from_str(&feed.etag),
            HeaderValue::from_str(&feed.etag_gzip),
            HeaderValue::from_str(&feed.last_modified_http),
        ) else {
            return;
        };
        let entries: usize = known.iter().map(HashMap::len).sum();
        let older = known
            .iter()
            .flat_map(HashMap::values)
            .any(|k| k.version < feed.version);
        if entries >= MAX_KNOWN || older {
            known.iter_mut().for_each(HashMap::clear);
        }
        known[gzip as usize].insert(
            target.into(),
            Known {
                version: feed.version,
                until,
                kind,
                etag,
                etag_gzip,
                last_modified: feed.last_modified,
                last_modified_http,
            },
        );
    }

    /// The 304 for `req`, if it revalidates a URL answered at data version `version` (the
    /// current one) on the same day, and the client's copy is that answer's.
    fn answer<B>(&self, req: &Request<B>, version: i64) -> Option<Response<Empty<Bytes>>> {
        let target = req.uri().path_and_query()?.as_str().as_bytes();
        // A URL longer than any recorded one is not even hashed.
        if req.method() != Method::GET
            || !target.starts_with(b"/feeds/")
            || target.len() > MAX_TARGET
        {
            return None;
        }
        let headers = req.headers();
        let if_none_match = headers.get(header::IF_NONE_MATCH);
        let if_modified_since = headers.get(header::IF_MODIFIED_SINCE);
        if if_none_match.is_none() && if_modified_since.is_none() {
            return None;
        }
        let gzip = accepts_gzip(headers);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(i64::MAX, |d| d.as_secs() as i64);
        let known = {
            let known = self.known.lock().ok()?;
            let k = known[gzip as usize].get(target)?;
            if k.version != version || now >= k.until {
                return None;
            }
            k.clone()
        };
        let etags = [known.etag.to_str().ok()?, known.etag_gzip.to_str().ok()?];
        if !not_modified(
            if_none_match,
            if_modified_since,
            &etags,
            known.last_modified,
        ) {
            return None;
        }
        let mut response = Response::new(Empty::new());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        let out = response.headers_mut();
        out.reserve(4);
        let etag = if gzip { known.etag_gzip } else { known.etag };
        feed_headers(out, false, Some(etag), Some(known.last_modified_http));
        crate::metrics::global().feed_request(known.kind, crate::metrics::FeedAnswer::NotModified);
        tracing::debug!(target = %req.uri(), "feed revalidated before the router: 304");
        Some(response)
    }
}

/// The service every connection's requests go to: a revalidation [`Revalidations`] can answer
/// is answered here, anything else goes on to `inner` (the router and its layers).
///
/// A hyper service (called by reference), so that a request answered here costs no copy of the
/// service stack behind it: hyper's adapter for tower services clones the stack per request.
pub struct Revalidate<S> {
    app: crate::app::App,
    inner: hyper_util::service::TowerToHyperService<S>,
}

impl<S> Revalidate<S> {
    pub fn new(app: crate::app::App, inner: S) -> Self {
        Revalidate {
            app,
            inner: hyper_util::service::TowerToHyperService::new(inner),
        }
    }
}

type Body<B> = http_body_util::Either<Empty<Bytes>, B>;

impl<S, ReqBody, ResBody> hyper::service::Service<Request<ReqBody>> for Revalidate<S>
where
    S: tower::Service<Request<ReqBody>, Response = Response<ResBody>, Error = Infallible> + Clone,
{
    type Response = Response<Body<ResBody>>;
    type Error = Infallible;
    #[allow(clippy::type_complexity)]
    type Future = Either<
        Ready<Result<Self::Response, Infallible>>,
        MapOk<
            hyper_util::service::TowerToHyperServiceFuture<S, Request<ReqBody>>,
            fn(Response<ResBody>) -> Self::Response,
        >,
    >;

    fn call(&self, req: Request<ReqBody>) -> Self::Future {
        // Only while the data version looked up lately is still trusted: otherwise the full
        // answer looks it up again.
        if let Some((version, _)) = self.app.trusted_version() {
            if let Some(r) = self.app.revalidations.answer(&req, version) {
                return Either::Left(futures_util::future::ready(Ok(
                    r.map(http_body_util::Either::Left)
                )));
            }
        }
        let full: fn(Response<ResBody>) -> Self::Response =
            |r| r.map(http_body_util::Either::Right);
        Either::Right(self.inner.call(req).map_ok(full))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const URL: &str = "/feeds/grades/5.ics?lang=es&from=2026-11-30&to=2026-12-27";

    fn feed(version: i64) -> RenderedFeed {
        let modified = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        RenderedFeed::new(format!("BEGIN:VCALENDAR v{version}"), modified, version)
    }

    fn today() -> NaiveDate {
        Utc::now()
            .with_timezone(&chrono_tz::America::Los_Angeles)
            .date_naive()
    }

    fn get(url: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut r = Request::get(url);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(()).unwrap()
    }

    fn known(f: &RenderedFeed) -> Revalidations {
        let r = Revalidations::default();
        r.remember(
            URL.as_bytes(),
            false,
            "grade",
            f,
            today(),
            chrono_tz::America::Los_Angeles,
        );
        r
    }

    #[test]
    fn a_revalidation_of_a_known_url_is_the_full_answers_304() {
        let f = feed(7);
        let r = known(&f);
        let answer = r
            .answer(&get(URL, &[("if-none-match", &f.etag)]), 7)
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_MODIFIED);
        let h = answer.headers();
        assert_eq!(h["etag"], f.etag.as_str());
        assert_eq!(h["last-modified"], f.last_modified_http.as_str());
        assert_eq!(h["cache-control"], "public, max-age=300");
        assert_eq!(h["vary"], "Accept-Encoding");
        // Only what updates the stored copy (RFC 9110 §15.4.5).
        assert_eq!(h.len(), 4, "{h:?}");
        // By date too, as Apple Calendar asks.
        let by_date = get(URL, &[("if-modified-since", &f.last_modified_http)]);
        assert!(r.answer(&by_date, 7).is_some());
    }

    #[test]
    fn anything_else_goes_the_full_way() {
        let f = feed(7);
        let r = known(&f);
        let inm = [("if-none-match", f.etag.as_str())];
        // Another data version (or none trusted), another URL, no validators, a copy that is
        // out of date, a HEAD, a client that takes gzip (recorded apart).
        assert!(r.answer(&get(URL, &inm), 8).is_none());
        assert!(r.answer(&get(&format!("{URL}&alarm=0"), &inm), 7).is_none());
        assert!(r.answer(&get(URL, &[]), 7).is_none());
        assert!(r
            .answer(&get(URL, &[("if-none-match", "\"old\"")]), 7)
            .is_none());
        let head = Request::head(URL)
            .header("if-none-match", &f.etag)
            .body(())
            .unwrap();
        assert!(r.answer(&head, 7).is_none());
        let gzip = [
            ("if-none-match", f.etag_gzip.as_str()),
            ("accept-encoding", "gzip"),
        ];
        assert!(r.answer(&get(URL, &gzip), 7).is_none());
        r.remember(
            URL.as_bytes(),
            true,
            "grade",
            &f,
            today(),
            chrono_tz::America::Los_Angeles,
        );
        let answer = r.answer(&get(URL, &gzip), 7).unwrap();
        assert_eq!(answer.headers()["etag"], f.etag_gzip.as_str());
    }

    #[test]
    fn an_answer_holds_for_its_day_only() {
        let f = feed(7);
        let r = Revalidations::default();
        let yesterday = today().pred_opt().unwrap().pred_opt().unwrap();
        r.remember(
            URL.as_bytes(),
            false,
            "grade",
            &f,
            yesterday,
            chrono_tz::America::Los_Angeles,
        );
        assert!(r
            .answer(&get(URL, &[("if-none-match", &f.etag)]), 7)
            .is_none());
        // The day after a day ends at its local midnight, DST nights included.
        let tz = chrono_tz::America::Los_Angeles;
        let spring = NaiveDate::from_ymd_opt(2020, 3, 7).unwrap();
        let midnight = tz.with_ymd_and_hms(2020, 3, 8, 0, 0, 0).unwrap();
        assert_eq!(day_after(spring, tz), midnight.timestamp());
        let fall = NaiveDate::from_ymd_opt(2020, 10, 31).unwrap();
        let midnight = tz.with_ymd_and_hms(2020, 11, 1, 0, 0, 0).unwrap();
        assert_eq!(day_after(fall, tz), midnight.timestamp());
    }

    #[test]
    fn what_is_remembered_is_bounded_and_a_newer_version_forgets_the_older() {
        let f = feed(7);
        let r = Revalidations::default();
        let tz = chrono_tz::America::Los_Angeles;
        for i in 0..MAX_KNOWN + 10 {
            r.remember(
                format!("/feeds/grades/5.ics?n={i}").as_bytes(),
                false,
                "grade",
                &f,
                today(),
                tz,
            );
        }
        let count = |r: &Revalidations| {
            r.known
                .lock()
                .unwrap()
                .iter()
                .map(HashMap::len)
                .sum::<usize>()
        };
        assert!(count(&r) <= MAX_KNOWN);
        r.remember(&[b'/'; MAX_TARGET + 1], false, "grade", &f, today(), tz);
        assert!(count(&r) <= MAX_KNOWN);
        r.remember(URL.as_bytes(), false, "grade", &feed(8), today(), tz);
        assert_eq!(count(&r), 1);
    }
}
