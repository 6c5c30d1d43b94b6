//! `GET /packets/{grade}/{week}.pdf` and `.html` (`?lang=en|es&size=letter|a4&large=1`): one
//! grade's printable weekly packet; `GET /packets/{week}.zip` (`?size=&large=`): every grade's
//! packet in every language, for staff who print in bulk. A class's packet is served the same
//! way by [`class_packet`], for the teacher pages, which decide who may have it.
//!
//! Packets are drawn on demand, off the async threads, and kept in [`PACKETS`] until the data
//! version changes; answers carry a strong `ETag` (304 on `If-None-Match`) and `Last-Modified`.
//! A bad grade, week or parameter is a 400 in plain text that says which and why.
//! [`packet_bytes`] and [`zip_bytes`] are what the CLI calls.

use super::error::AppError;
use super::AppState;
use crate::domain::{Airing, Grade, Week};
use crate::feeds::{ClassFeed, WorkIndex};
use crate::i18n::Lang;
use crate::packets::{
    self, Format, Packet, PacketError, PacketKey, PacketOptions, PacketRequest, PacketScope,
    PaperSize, PACKETS,
};
use crate::store::{airings, assignments, AiringFilter, StoreError};
use axum::extract::{rejection::QueryRejection, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike};
use serde::Deserialize;
use std::io::Write;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/packets/{grade}/{file}", get(grade_packet))
        .route("/packets/{file}", get(week_zip))
}

/// Why a packet could not be served: the request (a 400, or the store failing), or drawing it.
#[derive(Debug, thiserror::Error)]
pub enum PacketFailure {
    #[error(transparent)]
    Request(#[from] AppError),
    #[error(transparent)]
    Draw(#[from] PacketError),
}

impl From<StoreError> for PacketFailure {
    fn from(e: StoreError) -> Self {
        PacketFailure::Request(e.into())
    }
}

impl PacketFailure {
    /// As plain text, like the feeds: the reason for a 400, nothing internal for a 500.
    pub fn into_text_response(self) -> Response {
        match self {
            PacketFailure::Request(e) => e.into_text_response(),
            PacketFailure::Draw(e) => {
                tracing::error!(error = %e, "drawing a packet failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "something went wrong on our side; please try again later\n",
                )
                    .into_response()
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PacketQuery {
    pub lang: Option<String>,
    pub size: Option<String>,
    pub large: Option<String>,
}

/// The earliest and latest years a packet may be asked for: any school's, and far from the
/// edges of date arithmetic.
const FIRST_YEAR: i32 = 1970;
const LAST_YEAR: i32 = 9998;

fn bad(message: String) -> AppError {
    AppError::BadRequest(message)
}

/// `2020-04-13` (any day of the week names it) → the week.
pub fn parse_week(raw: &str) -> Result<Week, AppError> {
    let week: Week = raw.parse().map_err(|e| bad(format!("week: {e}")))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&week.monday().year()) {
        return Err(bad(format!(
            "week: `{raw}` is outside the years {FIRST_YEAR} to {LAST_YEAR}"
        )));
    }
    Ok(week)
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
) -> Result<Response, PacketFailure> {
    let (week, format) = parse_file(file)?;
    let (lang, size, large) = parse_query(query)?;
    let request = PacketRequest {
        scope,
        week,
        lang: lang.unwrap_or_default(),
        size,
        large,
    };
    let (bytes, changed_at) = drawn(state, &request, format).await?;
    let name = Packet::file_name(&request, format);
    Ok(respond(
        headers,
        bytes,
        changed_at,
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
    result.unwrap_or_else(PacketFailure::into_text_response)
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
) -> Result<Response, PacketFailure> {
    let scope = PacketScope::Class {
        feed: ClassFeed {
            id: class.id,
            owner_id: class.owner_id,
            name: class.name,
            grades: class.grades,
        },
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
            return Err(bad("lang: the ZIP holds every language; leave lang out".into()).into());
        }
        let (bytes, changed_at) = zipped(&state, week, size, large).await?;
        let name = format!("lessoncast-{week}-packets.zip");
        Ok::<_, PacketFailure>(respond(
            &headers,
            bytes,
            changed_at,
            "application/zip",
            Some(format!("attachment; filename=\"{name}\"")),
            false,
            Sharing::Public,
        ))
    }
    .await;
    result.unwrap_or_else(PacketFailure::into_text_response)
}

/// The bytes of one grade's packet, for the CLI (`lessoncast packet`).
pub async fn packet_bytes(
    state: &AppState,
    options: PacketOptions,
    format: Format,
) -> Result<Vec<u8>, PacketFailure> {
    Ok(drawn(state, &options.into(), format).await?.0.to_vec())
}

/// The ZIP of every grade's packet in every language for `week`, for the CLI.
pub async fn zip_bytes(
    state: &AppState,
    week: Week,
    size: PaperSize,
    large: bool,
) -> Result<Vec<u8>, PacketFailure> {
    Ok(zipped(state, week, size, large).await?.0.to_vec())
}

/// The data version (and when it changed), looked up at most once a second, as feeds do.
async fn data_version(state: &AppState) -> Result<(i64, i64), StoreError> {
    match state.feeds.recent_version() {
        Some(v) => Ok(v),
        None => {
            let v = airings::data_version(state.store.pool()).await?;
            state.feeds.remember_version(v);
            Ok(v)
        }
    }
}

/// The week's scheduled airings (for one grade, or for all), Monday 00:00 to the next Monday
/// 00:00 in the stations' zone.
async fn week_airings(
    state: &AppState,
    week: Week,
    grade: Option<Grade>,
) -> Result<Vec<Airing>, StoreError> {
    let tz = state.config.tz;
    airings::list(
        state.store.pool(),
        &AiringFilter {
            grade,
            from: Some(week.window(tz).0),
            to: Some(week.window(tz).1),
            include_removed: false,
            ..Default::default()
        },
    )
    .await
}

/// What besides the data decides a packet's bytes: the database it comes from, the address
/// printed in it and the zone of its times.
fn site(state: &AppState) -> u64 {
    let c = &state.config;
    crate::domain::keys::Fnv1a::default()
        .write(c.database_url.as_bytes())
        .write(b"\n")
        .write(c.base_url.as_bytes())
        .write(b"\n")
        .write(c.tz.name().as_bytes())
        .finish()
}

fn key(state: &AppState, version: i64, o: &PacketRequest, format: Format) -> PacketKey {
    PacketKey {
        site: site(state),
        version,
        scope: Some(o.scope.clone()),
        week: o.week,
        lang: Some(o.lang),
        size: o.size,
        large: o.large,
        format,
    }
}

fn draw(packet: &Packet, format: Format) -> Result<Vec<u8>, PacketError> {
    match format {
        Format::Pdf => packets::pdf::render(packet),
        Format::Html => packets::html::render(packet).map(String::into_bytes),
    }
}

/// Runs drawing on a blocking thread: a PDF takes milliseconds of CPU, a ZIP much more.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PacketError> + Send + 'static,
) -> Result<T, PacketError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PacketError::Pdf(format!("the drawing task failed: {e}")))?
}

/// One packet, from the cache or drawn now; with when its data last changed.
async fn drawn(
    state: &AppState,
    options: &PacketRequest,
    format: Format,
) -> Result<(Arc<Vec<u8>>, i64), PacketFailure> {
    let (version, changed_at) = data_version(state).await?;
    let key = key(state, version, options, format);
    if let Some(bytes) = PACKETS.get(&key) {
        return Ok((bytes, changed_at));
    }
    // A class's work may be linked to airings of any grade, as in its feed.
    let grade = match &options.scope {
        PacketScope::Grade(g) => Some(*g),
        PacketScope::Class { .. } => None,
    };
    let list = week_airings(state, options.week, grade).await?;
    let all_work = assignments::live(state.store.pool()).await?;
    let kind = options.scope.feed_kind();
    let work = WorkIndex::new(&all_work, |a| kind.shows(a));
    let packet = packets::build(
        options,
        &list,
        &work,
        state.config.tz,
        &state.config.base_url,
    );
    let started = std::time::Instant::now();
    let bytes = Arc::new(off_thread(move || draw(&packet, format)).await?);
    tracing::debug!(
        scope = %options.scope,
        week = %options.week,
        format = format.ext(),
        bytes = bytes.len(),
        ms = started.elapsed().as_millis() as u64,
        "drew a packet"
    );
    PACKETS.put(key, bytes.clone());
    Ok((bytes, changed_at))
}

/// A packet for the ZIP: already drawn, or to draw.
enum ZipJob {
    Cached(Arc<Vec<u8>>),
    Draw(Box<Packet>),
}

/// Every grade × language PDF of the week in one ZIP, named so that they sort by grade.
async fn zipped(
    state: &AppState,
    week: Week,
    size: PaperSize,
    large: bool,
) -> Result<(Arc<Vec<u8>>, i64), PacketFailure> {
    let (version, changed_at) = data_version(state).await?;
    let zip_key = PacketKey {
        site: site(state),
        version,
        scope: None,
        week,
        lang: None,
        size,
        large,
        format: Format::Pdf,
    };
    if let Some(bytes) = PACKETS.get(&zip_key) {
        return Ok((bytes, changed_at));
    }
    let list = week_airings(state, week, None).await?;
    let all_work = assignments::live(state.store.pool()).await?;
    let mut jobs: Vec<(PacketRequest, ZipJob)> = Vec::new();
    for grade in Grade::all() {
        let grade_list: Vec<Airing> = list
            .iter()
            .filter(|a| a.grades.contains(grade))
            .cloned()
            .collect();
        let kind = PacketScope::Grade(grade).feed_kind();
        let work = WorkIndex::new(&all_work, |a| kind.shows(a));
        for lang in [Lang::En, Lang::Es] {
            let options = PacketRequest::from(PacketOptions {
                grade,
                week,
                lang,
                size,
                large,
            });
            let job = match PACKETS.get(&key(state, version, &options, Format::Pdf)) {
                Some(bytes) => ZipJob::Cached(bytes),
                None => ZipJob::Draw(Box::new(packets::build(
                    &options,
                    &grade_list,
                    &work,
                    state.config.tz,
                    &state.config.base_url,
                ))),
            };
            jobs.push((options, job));
        }
    }
    let monday = week.monday();
    let (bytes, drawn) = off_thread(move || {
        let mut drawn = Vec::new();
        let stamp = zip::DateTime::from_date_and_time(
            u16::try_from(monday.year()).unwrap_or(1980),
            monday.month() as u8,
            monday.day() as u8,
            0,
            0,
            0,
        )
        .unwrap_or_default();
        let options = zip::write::SimpleFileOptions::default()
            // PDFs are compressed already.
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(stamp)
            .unix_permissions(0o644);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (o, job) in jobs {
            let name = Packet::file_name(&o, Format::Pdf);
            let pdf = match job {
                ZipJob::Cached(bytes) => bytes,
                ZipJob::Draw(packet) => {
                    let bytes = Arc::new(packets::pdf::render(&packet)?);
                    drawn.push((o, bytes.clone()));
                    bytes
                }
            };
            zip.start_file(name, options)
                .and_then(|_| zip.write_all(&pdf).map_err(Into::into))
                .map_err(|e| PacketError::Zip(e.to_string()))?;
        }
        let bytes = zip
            .finish()
            .map_err(|e| PacketError::Zip(e.to_string()))?
            .into_inner();
        Ok((Arc::new(bytes), drawn))
    })
    .await?;
    for (o, pdf) in drawn {
        PACKETS.put(key(state, version, &o, Format::Pdf), pdf);
    }
    PACKETS.put(zip_key, bytes.clone());
    Ok((bytes, changed_at))
}

/// Scripts never run in a packet; its styles are inline.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn respond(
    headers: &HeaderMap,
    bytes: Arc<Vec<u8>>,
    changed_at: i64,
    content_type: &'static str,
    disposition: Option<String>,
    html: bool,
    sharing: Sharing,
) -> Response {
    let etag = format!(
        "\"{:016x}\"",
        crate::domain::keys::Fnv1a::of(bytes.as_slice())
    );
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
    if let Ok(v) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, v);
    }
    if let Some(t) = DateTime::from_timestamp(changed_at, 0).filter(|_| changed_at > 0) {
        if let Ok(v) = HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()) {
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
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|inm| {
            inm.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == etag)
        });
    if matches {
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
