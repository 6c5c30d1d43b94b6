//! `GET /feeds/…`: calendar feeds, read-only, cached, with `ETag`/`Last-Modified` and gzip.

use super::error::AppError;
use super::AppState;
use crate::domain::Grade;
use crate::feeds::{self, FeedKind, FeedRequest, Publisher, RenderedFeed};
use crate::i18n::Lang;
use crate::store::{airings, AiringFilter};
use axum::extract::{rejection::QueryRejection, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feeds/grades/{file}", get(grade_feed))
        .route("/feeds/stations/{file}", get(station_feed))
        .route("/feeds/classes/{file}", get(class_feed))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    pub lang: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub alarm: Option<String>,
}

async fn grade_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let code = ics_name(&file)?;
        let grade: Grade = code.parse().map_err(|e: crate::domain::GradeError| {
            AppError::NotFound(format!("no grade feed `{code}`: {e}"))
        })?;
        serve_feed(&state, FeedKind::Grade(grade), query, &headers).await
    }
    .await;
    result.unwrap_or_else(AppError::into_text_response)
}

async fn station_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let callsign = ics_name(&file)?.to_ascii_uppercase();
        serve_feed(&state, FeedKind::Station(callsign), query, &headers).await
    }
    .await;
    result.unwrap_or_else(AppError::into_text_response)
}

async fn class_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let token = ics_name(&file)?;
        let not_found = || AppError::NotFound("no class feed at this address: the link may have been renewed; ask the teacher for the new one".into());
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        let class = crate::store::assignments::class_by_token(state.store.pool(), token)
            .await?
            .ok_or_else(not_found)?;
        let kind = FeedKind::Class(feeds::ClassFeed {
            id: class.id,
            owner_id: class.owner_id,
            name: class.name,
            grades: class.grades,
        });
        serve_feed(&state, kind, query, &headers).await
    }
    .await;
    result.unwrap_or_else(AppError::into_text_response)
}

fn ics_name(file: &str) -> Result<&str, AppError> {
    file.strip_suffix(".ics")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::NotFound(format!("no feed `{file}`: feeds end in .ics")))
}

/// Turns query parameters into a feed request, saying which one is wrong.
pub fn feed_request(
    kind: FeedKind,
    q: &FeedQuery,
    today: NaiveDate,
) -> Result<FeedRequest, AppError> {
    let bad = AppError::BadRequest;
    let lang = match q.lang.as_deref() {
        Some(l) => l.parse::<Lang>().map_err(|e| bad(format!("lang: {e}")))?,
        None => Lang::En,
    };
    let date = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
        v.as_deref()
            .map(|s| {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| bad(format!("{name}: `{s}` is not a date such as 2020-04-13")))
            })
            .transpose()
    };
    let alarm = q
        .alarm
        .as_deref()
        .map(|a| {
            a.trim().parse::<u32>().map_err(|_| {
                bad(format!(
                    "alarm: `{a}` is not a number of minutes (0 for no reminder)"
                ))
            })
        })
        .transpose()?;
    FeedRequest::new(
        kind,
        lang,
        today,
        date("from", &q.from)?,
        date("to", &q.to)?,
        alarm,
    )
    .map_err(|e| bad(e.to_string()))
}

/// Renders (or finds in the cache) the feed for `req`.
pub async fn rendered(state: &AppState, req: &FeedRequest) -> Result<Arc<RenderedFeed>, AppError> {
    let (version, modified) = match state.feeds.recent_version() {
        Some(v) => v,
        None => {
            let v = airings::data_version(state.store.pool()).await?;
            state.feeds.remember_version(v);
            v
        }
    };
    if let Some(feed) = state.feeds.get(req, version) {
        return Ok(feed);
    }
    // A station's feed is in the station's zone; others in the zone of most of their airings.
    let mut station_tz = None;
    if let FeedKind::Station(callsign) = &req.kind {
        let known = airings::station_zones(state.store.pool()).await?;
        match known.iter().find(|(c, _)| c == callsign) {
            Some((_, tz)) => station_tz = tz.parse::<chrono_tz::Tz>().ok(),
            None => {
                return Err(AppError::NotFound(format!(
                    "no station `{callsign}` in the schedule"
                )))
            }
        }
    }
    let tz = state.config.tz;
    let (from, to) = feeds::window(req, tz);
    let (station, grade) = match &req.kind {
        FeedKind::Grade(g) => (None, Some(*g)),
        FeedKind::Station(s) => (Some(s.clone()), None),
        FeedKind::Class(_) => (None, None),
    };
    let assignments = crate::store::assignments::live(state.store.pool()).await?;
    let work = feeds::WorkIndex::new(&assignments, |a| req.kind.shows(a));
    let cancelled_since = Utc::now() - chrono::Duration::days(feeds::CANCELLED_FOR_DAYS);
    let list: Vec<_> = airings::list(
        state.store.pool(),
        &AiringFilter {
            station,
            grade,
            from: Some(from),
            to: Some(to),
            include_removed: true,
            limit: None,
        },
    )
    .await?
    .into_iter()
    .filter(|a| {
        a.status == crate::domain::AiringStatus::Scheduled || a.updated_at >= cancelled_since
    })
    // A class feed holds only the airings its work is linked to.
    .filter(|a| !matches!(req.kind, FeedKind::Class(_)) || !work.for_airing(a).is_empty())
    .collect();
    let host = host_of(&state.config.base_url);
    let tz = station_tz.unwrap_or_else(|| crate::domain::common_zone(&list, tz));
    let body = feeds::render(
        req,
        &list,
        &work,
        &Publisher {
            host: &host,
            base_url: &state.config.base_url,
            tz,
        },
    );
    let last_modified = DateTime::from_timestamp(modified, 0).unwrap_or_default();
    let feed = Arc::new(RenderedFeed::new(body, last_modified, version));
    state.feeds.put(req.clone(), feed.clone());
    Ok(feed)
}

pub fn host_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    rest.split(['/', ':'])
        .next()
        .unwrap_or("lessoncast")
        .to_string()
}

async fn serve_feed(
    state: &AppState,
    kind: FeedKind,
    query: Result<Query<FeedQuery>, QueryRejection>,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let today = Utc::now().with_timezone(&state.config.tz).date_naive();
    let req = feed_request(kind, &q, today)?;
    let feed = rendered(state, &req).await?;

    let gzip = accepts_gzip(headers);
    let etag = if gzip { &feed.etag_gzip } else { &feed.etag };
    let mut out = HeaderMap::new();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        out.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&feed.last_modified_http) {
        out.insert(header::LAST_MODIFIED, v);
    }
    if not_modified(headers, &feed) {
        return Ok((StatusCode::NOT_MODIFIED, out).into_response());
    }
    let body = if gzip {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        feed.gzip.clone()
    } else {
        feed.body.clone()
    };
    Ok((StatusCode::OK, out, body).into_response())
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|enc| {
            let mut parts = enc.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// `If-None-Match` wins when both validators come (RFC 9110); Apple sends only
/// `If-Modified-Since`.
fn not_modified(headers: &HeaderMap, feed: &RenderedFeed) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return inm.split(',').map(str::trim).any(|t| {
            let t = t.trim_start_matches("W/");
            t == "*" || t == feed.etag || t == feed.etag_gzip
        });
    }
    if let Some(ims) = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(since) = DateTime::parse_from_rfc2822(ims) {
            return feed.last_modified.timestamp() <= since.timestamp();
        }
    }
    false
}
