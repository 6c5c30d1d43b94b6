//! `GET /feeds/…`: calendar feeds, read-only, with `ETag`/`Last-Modified` and gzip. Requests
//! become [`feeds::publish`] calls; the feed is assembled and cached there.

use super::conditional;
use super::error::AppError;
use super::revalidate;
use super::AppState;
use crate::domain::Grade;
use crate::feeds::{self, FeedKind};
use axum::extract::{rejection::QueryRejection, OriginalUri, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Utc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feeds/grades/{file}", get(grade_feed))
        .route("/feeds/stations/{file}", get(station_feed))
        .route("/feeds/classes/{file}", get(class_feed))
        .route("/feeds/family.ics", get(family_feed))
}

/// The family feed's query: the family (`grades`, `classes`) and a feed's own parameters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilyQuery {
    grades: Option<String>,
    classes: Option<String>,
    lang: Option<String>,
    from: Option<String>,
    to: Option<String>,
    alarm: Option<String>,
}

/// `GET /feeds/family.ics?grades=2,5&classes=TOKEN&lang=&alarm=&from=&to=`: the family plan.
async fn family_feed(
    State(state): State<AppState>,
    query: Result<Query<FamilyQuery>, QueryRejection>,
    asked: conditional::Asked,
    target: OriginalUri,
) -> Response {
    let result = async {
        let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let lang = q
            .lang
            .as_deref()
            .and_then(|l| l.parse::<crate::i18n::Lang>().ok())
            .unwrap_or_default();
        let children = crate::family::family(&state, q.grades.as_deref(), q.classes.as_deref())
            .await
            .map_err(|e| AppError::family(e, lang))?;
        let params = FeedQuery {
            lang: q.lang,
            from: q.from,
            to: q.to,
            alarm: q.alarm,
        };
        serve_feed(
            &state,
            FeedKind::Family(children),
            Ok(Query(params)),
            &asked,
            &target,
            "family",
        )
        .await
    }
    .await;
    answer("family", result)
}

/// A feed's query string: `?lang=&from=&to=&alarm=`.
pub type FeedQuery = feeds::FeedParams;

async fn grade_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    asked: conditional::Asked,
    target: OriginalUri,
) -> Response {
    let result = async {
        let code = ics_name(&file)?;
        let grade: Grade = code.parse().map_err(|e: crate::domain::GradeError| {
            AppError::NotFound(format!("no grade feed `{code}`: {e}"))
        })?;
        serve_feed(
            &state,
            FeedKind::Grade(grade),
            query,
            &asked,
            &target,
            "grade",
        )
        .await
    }
    .await;
    answer("grade", result)
}

async fn station_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    asked: conditional::Asked,
    target: OriginalUri,
) -> Response {
    let result = async {
        let callsign = ics_name(&file)?.to_ascii_uppercase();
        serve_feed(
            &state,
            FeedKind::Station(callsign),
            query,
            &asked,
            &target,
            "station",
        )
        .await
    }
    .await;
    answer("station", result)
}

async fn class_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FeedQuery>, QueryRejection>,
    asked: conditional::Asked,
    target: OriginalUri,
) -> Response {
    let result = async {
        let kind = feeds::class_feed(&state, ics_name(&file)?).await?;
        serve_feed(&state, kind, query, &asked, &target, "class").await
    }
    .await;
    answer("class", result)
}

/// The response, counted for `/metrics` by feed kind and answer.
fn answer(kind: &'static str, result: Result<Response, AppError>) -> Response {
    use crate::metrics::FeedAnswer;
    let how = match &result {
        Ok(r) if r.status() == StatusCode::NOT_MODIFIED => FeedAnswer::NotModified,
        Ok(_) => FeedAnswer::Ok,
        Err(_) => FeedAnswer::Error,
    };
    crate::metrics::global().feed_request(kind, how);
    result.unwrap_or_else(AppError::into_text_response)
}

fn ics_name(file: &str) -> Result<&str, AppError> {
    file.strip_suffix(".ics")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AppError::NotFound(format!("no feed `{file}`: feeds end in .ics")))
}

async fn serve_feed(
    state: &AppState,
    kind: FeedKind,
    query: Result<Query<FeedQuery>, QueryRejection>,
    asked: &conditional::Asked,
    target: &OriginalUri,
    label: &'static str,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let tz = state.config.tz;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let req = q.request(kind, today)?;
    let feed = feeds::publish(state, &req).await?;

    let gzip = asked.gzip;
    let etags = [feed.etag.as_str(), feed.etag_gzip.as_str()];
    let fresh = asked.not_modified(&etags, feed.last_modified);
    // The next revalidation of this URL can be answered before the router.
    if let Some(target) = target.path_and_query() {
        state
            .revalidations
            .remember(target.as_str().as_bytes(), gzip, label, &feed, today, tz);
    }
    // The headers go straight into the response's own map, with room for the ones every
    // response gets, so that it never grows (a map of our own would be copied into it).
    let mut response = if fresh {
        let mut r = Response::new(axum::body::Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(axum::body::Body::from(if gzip {
            feed.gzip.clone()
        } else {
            feed.body.clone()
        }))
    };
    let out = response.headers_mut();
    out.reserve(12);
    let etag = if gzip { &feed.etag_gzip } else { &feed.etag };
    revalidate::feed_headers(
        out,
        !fresh,
        HeaderValue::from_str(etag).ok(),
        HeaderValue::from_str(&feed.last_modified_http).ok(),
    );
    if gzip && !fresh {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(response)
}
