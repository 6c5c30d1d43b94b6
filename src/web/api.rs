//! The JSON API: `/api/…`.

use super::error::AppError;
use super::AppState;
use crate::domain::{Airing, Grade, Week};
use crate::store::{airings, AiringFilter};
use axum::extract::{rejection::QueryRejection, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/airings", get(list_airings))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AiringsQuery {
    station: Option<String>,
    grade: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    include_removed: bool,
    limit: Option<i64>,
}

#[derive(Serialize)]
struct AiringsBody {
    airings: Vec<AiringJson>,
}

#[derive(Serialize)]
struct AiringJson {
    id: i64,
    station: String,
    channel: String,
    channel_name: Option<String>,
    start: String,
    end: Option<String>,
    title: String,
    title_es: Option<String>,
    episode_title: Option<String>,
    episode_title_es: Option<String>,
    description: Option<String>,
    episode_key: Option<String>,
    series_key: String,
    grades: Vec<String>,
    captions: bool,
    spanish_audio: bool,
    status: &'static str,
    revision: i64,
}

impl From<Airing> for AiringJson {
    fn from(a: Airing) -> Self {
        let tz: Tz = a.tz.parse().unwrap_or(chrono_tz::UTC);
        let local = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339();
        AiringJson {
            id: a.id,
            start: local(a.start),
            end: a.end.map(local),
            station: a.station,
            channel: a.channel,
            channel_name: a.channel_name,
            title: a.title,
            title_es: a.title_es,
            episode_title: a.episode_title,
            episode_title_es: a.episode_title_es,
            description: a.description,
            episode_key: a.episode_key,
            series_key: a.series_key,
            grades: a.grades.codes(),
            captions: a.captions,
            spanish_audio: a.spanish_audio,
            status: a.status.as_str(),
            revision: a.revision,
        }
    }
}

const MAX_LIMIT: i64 = 10_000;

/// `GET /api/airings?station=&grade=&from=&to=`: the current week when no window is given.
async fn list_airings(
    State(state): State<AppState>,
    query: Result<Query<AiringsQuery>, QueryRejection>,
) -> Result<Json<AiringsBody>, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let tz = state.config.tz;
    let grade = q
        .grade
        .as_deref()
        .map(|g| g.parse::<Grade>())
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("grade: {e}")))?;
    let station = match q.station.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            let s = s.to_ascii_uppercase();
            let known = airings::station_zones(state.store.pool()).await?;
            if !known.iter().any(|(c, _)| *c == s) {
                return Err(AppError::NotFound(format!(
                    "no station `{s}` in the schedule"
                )));
            }
            Some(s)
        }
        _ => None,
    };
    let from = q
        .from
        .as_deref()
        .map(|v| parse_instant("from", v, tz))
        .transpose()?;
    let to =
        q.to.as_deref()
            .map(|v| parse_instant("to", v, tz))
            .transpose()?;
    let (from, to) = match (from, to) {
        (None, None) => {
            let week = Week::containing(Utc::now().with_timezone(&tz).date_naive());
            let start = local_midnight(week.monday(), tz);
            (
                start,
                local_midnight(week.monday() + chrono::Duration::days(7), tz),
            )
        }
        (Some(f), None) => (f, f + chrono::Duration::days(7)),
        (None, Some(t)) => (t - chrono::Duration::days(7), t),
        (Some(f), Some(t)) => (f, t),
    };
    if to <= from {
        return Err(AppError::BadRequest("to: must be after from".into()));
    }
    let limit = q.limit.unwrap_or(MAX_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "limit: must be between 1 and {MAX_LIMIT}"
        )));
    }
    let list = airings::list(
        state.store.pool(),
        &AiringFilter {
            station,
            grade,
            from: Some(from),
            to: Some(to),
            include_removed: q.include_removed,
            limit: Some(limit),
        },
    )
    .await?;
    Ok(Json(AiringsBody {
        airings: list.into_iter().map(AiringJson::from).collect(),
    }))
}

fn local_midnight(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// A date (`2020-04-13`, local midnight) or an RFC 3339 instant.
fn parse_instant(name: &str, v: &str, tz: Tz) -> Result<DateTime<Utc>, AppError> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(local_midnight(d, tz));
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::BadRequest(format!(
                "{name}: `{v}` is neither a date (2020-04-13) nor an RFC 3339 time (2020-04-13T09:00:00-07:00)"
            ))
        })
}
