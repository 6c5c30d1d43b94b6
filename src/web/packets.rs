//! `GET /packets/{grade}/{week}.pdf` and `.html` (`?lang=en|es&size=letter|a4&large=1`): one
//! grade's printable weekly packet; `GET /packets/{week}.zip` (`?size=&large=`): every grade's
//! packet in every language, for staff who print in bulk. A class's packet is served the same
//! way by [`class_packet`], for the teacher pages, which decide who may have it.
//!
//! Requests become [`packets::publish`] calls; answers carry a strong `ETag` (304 on
//! `If-None-Match`) and `Last-Modified`. A bad grade, week or parameter is a 400 in plain text
//! that says which and why.

use super::conditional;
use super::error::AppError;
use super::AppState;
use crate::domain::{Grade, Week};
use crate::family;
use crate::i18n::Lang;
use crate::packets::Published;
use crate::packets::{self, FamilyScope, Format, Packet, PacketRequest, PacketScope, PaperSize};
use axum::extract::{rejection::QueryRejection, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/packets/family/{file}", get(family_packet))
        .route("/packets/{grade}/{file}", get(grade_packet))
        .route("/packets/{file}", get(week_zip))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PacketQuery {
    pub lang: Option<String>,
    pub size: Option<String>,
    pub large: Option<String>,
}

fn bad(message: String) -> AppError {
    AppError::BadRequest(message)
}

/// `2020-04-13` (any day of the week names it) → the week.
pub fn parse_week(raw: &str) -> Result<Week, AppError> {
    raw.parse().map_err(|e| bad(format!("week: {e}")))
}

pub fn parse_grade(raw: &str) -> Result<Grade, AppError> {
    raw.parse::<Grade>().map_err(|e| bad(format!("grade: {e}")))
}

/// `large=1` (also `true`, `yes`, `on`) or `large=0`.
fn parse_large(raw: Option<&str>) -> Result<bool, AppError> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("0") | Some("false") | Some("no") | Some("off") => Ok(false),
        Some("1") | Some("true") | Some("yes") | Some("on") => Ok(true),
        Some(_) => Err(bad(format!(
            "large: `{}` is not 1 or 0",
            raw.unwrap_or_default()
        ))),
    }
}

fn parse_query(
    query: Result<Query<PacketQuery>, QueryRejection>,
) -> Result<(Option<Lang>, PaperSize, bool), AppError> {
    let Query(q) = query.map_err(|e| bad(e.body_text()))?;
    parse_options(&q)
}

fn parse_options(q: &PacketQuery) -> Result<(Option<Lang>, PaperSize, bool), AppError> {
    let lang = q
        .lang
        .as_deref()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.parse::<Lang>().map_err(|e| bad(format!("lang: {e}"))))
        .transpose()?;
    let size = match q.size.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => s
            .parse::<PaperSize>()
            .map_err(|e| bad(format!("size: {e}")))?,
        None => PaperSize::Letter,
    };
    Ok((lang, size, parse_large(q.large.as_deref())?))
}

/// `WEEK.pdf` or `WEEK.html` → the week and the format.
fn parse_file(file: &str) -> Result<(Week, Format), AppError> {
    let (week, ext) = file.rsplit_once('.').ok_or_else(|| {
        bad(format!(
            "no packet `{file}`: ask for WEEK.pdf or WEEK.html, e.g. 2020-04-13.pdf"
        ))
    })?;
    let format = ext
        .parse::<Format>()
        .map_err(|e| bad(format!("{e}; e.g. {week}.pdf")))?;
    Ok((parse_week(week)?, format))
}

/// How long browsers and proxies may keep a packet: a grade's is public; a class's is one
/// teacher's, and prints the class feed's secret address.
#[derive(Clone, Copy)]
enum Sharing {
    Public,
    Private,
}

/// The packet for `scope` asked for as `file` with `query`, as a response.
async fn serve(
    state: &AppState,
    scope: PacketScope,
    file: &str,
    query: Result<Query<PacketQuery>, QueryRejection>,
    headers: &HeaderMap,
    sharing: Sharing,
) -> Result<Response, AppError> {
    let (week, format) = parse_file(file)?;
    let (lang, size, large) = parse_query(query)?;
    let request = PacketRequest {
        scope,
        week,
        lang: lang.unwrap_or_default(),
        size,
        large,
    };
    send(state, &request, format, headers, sharing).await
}

/// `request` published as `format`, as a response.
async fn send(
    state: &AppState,
    request: &PacketRequest,
    format: Format,
    headers: &HeaderMap,
    sharing: Sharing,
) -> Result<Response, AppError> {
    let published = packets::publish(state, request, format).await?;
    let name = Packet::file_name(request, format);
    Ok(respond(
        headers,
        published,
        format.content_type(),
        (format == Format::Pdf).then(|| format!("inline; filename=\"{name}\"")),
        format == Format::Html,
        sharing,
    ))
}

async fn grade_packet(
    State(state): State<AppState>,
    Path((grade, file)): Path<(String, String)>,
    query: Result<Query<PacketQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let grade = parse_grade(&grade)?;
        serve(
            &state,
            PacketScope::Grade(grade),
            &file,
            query,
            &headers,
            Sharing::Public,
        )
        .await
    }
    .await;
    result.unwrap_or_else(AppError::into_text_response)
}

/// `GET /packets/family/{week}.pdf|html?grades=2,5&classes=TOKEN&lang=&size=&large=`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FamilyPacketQuery {
    grades: Option<String>,
    classes: Option<String>,
    lang: Option<String>,
    size: Option<String>,
    large: Option<String>,
}

/// A family's packet: the family plan for one TV on paper, the same plan as `/family`. With a
/// class link it prints that link, so it is kept by nobody but the family's browser.
async fn family_packet(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<FamilyPacketQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let Query(q) = query.map_err(|e| bad(e.body_text()))?;
        let (lang, size, large) = parse_options(&PacketQuery {
            lang: q.lang,
            size: q.size,
            large: q.large,
        })?;
        let lang = lang.unwrap_or_default();
        let (week, format) = parse_file(&file)?;
        let children = family::family(&state, q.grades.as_deref(), q.classes.as_deref())
            .await
            .map_err(|e| AppError::family(e, lang))?;
        let tokens = family::tokens(q.classes.as_deref());
        let sharing = if tokens.is_empty() {
            Sharing::Public
        } else {
            Sharing::Private
        };
        let scope = PacketScope::Family(FamilyScope::new(
            children,
            &tokens,
            week,
            state.config.tz,
            Utc::now(),
        ));
        let request = PacketRequest {
            scope,
            week,
            lang,
            size,
            large,
        };
        send(&state, &request, format, &headers, sharing).await
    }
    .await;
    result.unwrap_or_else(AppError::into_text_response)
}

/// A class's packet (`{week}.pdf` or `.html`, with the grade packets' `?lang=&size=&large=`):
/// the airings its work is linked to and only that work, the class feed's code on the cover.
/// The caller has checked that whoever asks may have it.
pub async fn class_packet(
    state: &AppState,
    class: crate::store::assignments::Class,
    file: &str,
    query: Result<Query<PacketQuery>, QueryRejection>,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let scope = PacketScope::Class {
        feed: (&class).into(),
        token: class.token,
    };
    serve(state, scope, file, query, headers, Sharing::Private).await
}

async fn week_zip(
    State(state): State<AppState>,
    Path(file): Path<String>,
    query: Result<Query<PacketQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let week = file.strip_suffix(".zip").ok_or_else(|| {
            bad(format!(
                "no packets `{file}`: ask for WEEK.zip (every grade and language), or \
                 GRADE/WEEK.pdf, e.g. /packets/2020-04-13.zip or /packets/5/2020-04-13.pdf"
            ))
        })?;
        let week = parse_week(week)?;
        let (lang, size, large) = parse_query(query)?;
        if lang.is_some() {
            return Err(bad(
                "lang: the ZIP holds every language; leave lang out".into()
            ));
        }
        let published = packets::publish_zip(&state, week, size, large).await?;
        let name = format!("lessoncast-{week}-packets.zip");
        Ok::<_, AppError>(respond(
            &headers,
            published,
            "application/zip",
            Some(format!("attachment; filename=\"{name}\"")),
            false,
            Sharing::Public,
        ))
    }
    .await;
    result.unwrap_or_else(AppError::into_text_response)
}

/// Scripts never run in a packet; its styles are inline.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn respond(
    headers: &HeaderMap,
    Published { bytes, changed_at }: Published,
    content_type: &'static str,
    disposition: Option<String>,
    html: bool,
    sharing: Sharing,
) -> Response {
    let etag = format!(
        "\"{:016x}\"",
        crate::domain::keys::Fnv1a::of(bytes.as_slice())
    );
    // An HTML packet goes out gzipped or not (`web::router`): the same packet in two
    // encodings, so its validator is weak.
    let sent_etag = if html {
        format!("W/{etag}")
    } else {
        etag.clone()
    };
    let mut out = HeaderMap::new();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match sharing {
            Sharing::Public => "public, max-age=300",
            // Like the teacher pages.
            Sharing::Private => "no-store",
        }),
    );
    if let Ok(v) = HeaderValue::from_str(&sent_etag) {
        out.insert(header::ETAG, v);
    }
    if let Some(t) = DateTime::from_timestamp(changed_at, 0).filter(|_| changed_at > 0) {
        if let Ok(v) = HeaderValue::from_str(&conditional::http_date(t)) {
            out.insert(header::LAST_MODIFIED, v);
        }
    }
    if let Some(d) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
        out.insert(header::CONTENT_DISPOSITION, d);
    }
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if html {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    if conditional::none_match(headers, &[&etag]) == Some(true) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    // Sending shares the cached bytes rather than copying them.
    let body = axum::body::Body::from(bytes::Bytes::from_owner(ArcBytes(bytes)));
    (StatusCode::OK, out, body).into_response()
}

/// Lets `Bytes` own a cached packet without copying it.
struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_with_reasons() {
        assert!(parse_week("2020-04-16").is_ok());
        let e = parse_week("2020-13-45").unwrap_err().to_string();
        assert!(e.starts_with("week:"), "{e}");
        assert!(parse_week("0001-01-01").is_err());
        let e = parse_grade("13").unwrap_err().to_string();
        assert!(e.contains("`13` is not a grade"), "{e}");
        assert_eq!(parse_large(Some("1")).ok(), Some(true));
        assert_eq!(parse_large(None).ok(), Some(false));
        assert!(parse_large(Some("big")).is_err());
    }
}
