//! Publishing packets: the week's airings and work queried, the packet built and drawn off the
//! async threads, and the bytes kept in the app's [`PacketCache`](super::PacketCache) until the
//! data changes. The server, the CLI (`lessoncast packet`) and the jobs all publish through
//! [`publish`] and [`publish_zip`].

use super::{
    build, build_family, pdf, Drawn, Format, Packet, PacketError, PacketKey, PacketRequest,
};
use super::{PacketScope, PaperSize};
use crate::app::App;
use crate::domain::{Airing, Grade, Week};
use crate::family;
use crate::feeds::WorkIndex;
use crate::i18n::Lang;
use crate::store::{airings, assignments, AiringFilter, StoreError};
use chrono::Datelike;
use std::io::Write;
use std::sync::Arc;

/// Why a packet could not be published: the store failing, or drawing it.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Draw(#[from] PacketError),
    /// The week is far from any schedule and from today: nothing to print, and drawing it
    /// would only cost CPU and cache.
    #[error("no schedule near the week of {week}: packets are drawn for {near}")]
    FarWeek { week: Week, near: String },
    /// Every turn at drawing was taken for longer than a request may wait.
    #[error("too many packets are being drawn right now; try again in a minute")]
    Busy,
}

/// How many weeks around the schedule (and around today) packets are drawn for.
pub const NEAR_WEEKS: i64 = 53;

/// Refuses a week more than [`NEAR_WEEKS`] from both today and the stored schedule.
async fn check_near(app: &App, week: Week) -> Result<(), PublishError> {
    let tz = app.config.tz;
    let today = Week::containing(chrono::Utc::now().with_timezone(&tz).date_naive());
    let near = |w: Week| week.weeks_until(w).abs() <= NEAR_WEEKS;
    let span = airings::span(app.store.pool()).await?;
    let weeks = span.and_then(|(first, last)| {
        let week_of = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|t| Week::containing(t.with_timezone(&tz).date_naive()))
        };
        Some((week_of(first)?, week_of(last)?))
    });
    let in_schedule = weeks.is_some_and(|(a, b)| near(a) || near(b) || (a <= week && week <= b));
    if near(today) || in_schedule {
        return Ok(());
    }
    let near = match weeks {
        Some((a, b)) => {
            format!("weeks within {NEAR_WEEKS} of today ({today}) or of the schedule ({a} to {b})")
        }
        None => format!("weeks within {NEAR_WEEKS} of today ({today}); nothing is scheduled yet"),
    };
    Err(PublishError::FarWeek { week, near })
}

/// A published packet (or ZIP of packets) and when its data last changed (epoch seconds).
pub struct Published {
    pub bytes: Drawn,
    pub changed_at: i64,
}

/// One packet, from the cache or drawn now.
pub async fn publish(
    app: &App,
    request: &PacketRequest,
    format: Format,
) -> Result<Published, PublishError> {
    let (version, changed_at) = app.data_version().await?;
    let key = key(version, request, format);
    if let Some(bytes) = app.packets.get(&key) {
        return Ok(Published { bytes, changed_at });
    }
    check_near(app, request.week).await?;
    let _turn = app.packets.drawing.take().await.ok_or(PublishError::Busy)?;
    // Requests for the same packet waited for the same turns: the first drew it.
    if let Some(bytes) = app.packets.get(&key) {
        return Ok(Published { bytes, changed_at });
    }
    let packet = assemble(app, request).await?;
    let started = std::time::Instant::now();
    let bytes = Arc::new(off_thread(move || draw(&packet, format)).await?);
    tracing::debug!(
        scope = %request.scope,
        week = %request.week,
        format = format.ext(),
        bytes = bytes.len(),
        ms = started.elapsed().as_millis() as u64,
        "drew a packet"
    );
    app.packets.put(key, bytes.clone());
    Ok(Published { bytes, changed_at })
}

/// The packet for `request`, from what the store holds now.
async fn assemble(app: &App, request: &PacketRequest) -> Result<Packet, StoreError> {
    let grade = match &request.scope {
        PacketScope::Grade(g) => Some(*g),
        // A class's work may be linked to airings of any grade, as in its feed.
        PacketScope::Class { .. } => None,
        PacketScope::Family(f) => {
            let (from, to) = request.week.window(app.config.tz);
            let (list, work) = family::load(app, from, to).await?;
            let children = f.children.clone();
            let (week, now, tz) = (request.week, f.not_before, app.config.tz);
            let plan = family::plan_loaded(children, week, &list, &work, now, tz);
            return Ok(build_family(request, &plan, &app.config.base_url));
        }
    };
    let list = week_airings(app, request.week, grade).await?;
    let all_work = assignments::live(app.store.pool()).await?;
    let kind = request.scope.feed_kind();
    let work = WorkIndex::new(&all_work, |a| kind.shows(a));
    Ok(build(
        request,
        &list,
        &work,
        app.config.tz,
        &app.config.base_url,
    ))
}

/// Every grade × language PDF of the week in one ZIP, named so that they sort by grade.
pub async fn publish_zip(
    app: &App,
    week: Week,
    size: PaperSize,
    large: bool,
) -> Result<Published, PublishError> {
    let (version, changed_at) = app.data_version().await?;
    let zip_key = PacketKey {
        version,
        scope: None,
        week,
        lang: None,
        size,
        large,
        format: Format::Pdf,
    };
    if let Some(bytes) = app.packets.get(&zip_key) {
        return Ok(Published { bytes, changed_at });
    }
    check_near(app, week).await?;
    let _turn = app.packets.drawing.take().await.ok_or(PublishError::Busy)?;
    if let Some(bytes) = app.packets.get(&zip_key) {
        return Ok(Published { bytes, changed_at });
    }
    let list = week_airings(app, week, None).await?;
    let all_work = assignments::live(app.store.pool()).await?;
    let mut jobs: Vec<(PacketRequest, ZipJob)> = Vec::new();
    for grade in Grade::all() {
        let grade_list: Vec<Airing> = list
            .iter()
            .filter(|a| a.details.grades.contains(grade))
            .cloned()
            .collect();
        let kind = PacketScope::Grade(grade).feed_kind();
        let work = WorkIndex::new(&all_work, |a| kind.shows(a));
        for lang in [Lang::En, Lang::Es] {
            let request = PacketRequest {
                scope: PacketScope::Grade(grade),
                week,
                lang,
                size,
                large,
            };
            let job = match app.packets.get(&key(version, &request, Format::Pdf)) {
                Some(bytes) => ZipJob::Cached(bytes),
                None => ZipJob::Draw(Box::new(build(
                    &request,
                    &grade_list,
                    &work,
                    app.config.tz,
                    &app.config.base_url,
                ))),
            };
            jobs.push((request, job));
        }
    }
    let (bytes, drawn) = off_thread(move || zip(week, jobs)).await?;
    for (request, pdf) in drawn {
        app.packets.put(key(version, &request, Format::Pdf), pdf);
    }
    app.packets.put(zip_key, bytes.clone());
    Ok(Published { bytes, changed_at })
}

/// A packet for the ZIP: already drawn, or to draw.
enum ZipJob {
    Cached(Drawn),
    Draw(Box<Packet>),
}

/// The ZIP of `jobs`' PDFs, and the PDFs it had to draw.
#[allow(clippy::type_complexity)]
fn zip(
    week: Week,
    jobs: Vec<(PacketRequest, ZipJob)>,
) -> Result<(Drawn, Vec<(PacketRequest, Drawn)>), PacketError> {
    let monday = week.monday();
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
    for (request, job) in jobs {
        let name = Packet::file_name(&request, Format::Pdf);
        let pdf = match job {
            ZipJob::Cached(bytes) => bytes,
            ZipJob::Draw(packet) => {
                let bytes = Arc::new(pdf::render(&packet)?);
                drawn.push((request, bytes.clone()));
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
}

/// The week's scheduled airings (for one grade, or for all), Monday 00:00 to the next Monday
/// 00:00 in the stations' zone.
async fn week_airings(
    app: &App,
    week: Week,
    grade: Option<Grade>,
) -> Result<Vec<Airing>, StoreError> {
    let (from, to) = week.window(app.config.tz);
    let filter = AiringFilter {
        grade,
        from: Some(from),
        to: Some(to),
        include_removed: false,
        ..Default::default()
    };
    airings::list(app.store.pool(), &filter).await
}

fn key(version: i64, request: &PacketRequest, format: Format) -> PacketKey {
    PacketKey {
        version,
        scope: Some(request.scope.clone()),
        week: request.week,
        lang: Some(request.lang),
        size: request.size,
        large: request.large,
        format,
    }
}

fn draw(packet: &Packet, format: Format) -> Result<Vec<u8>, PacketError> {
    match format {
        Format::Pdf => pdf::render(packet),
        Format::Html => super::html::render(packet).map(String::into_bytes),
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
