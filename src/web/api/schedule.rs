//! `GET /api/airings`: the schedule as JSON, for anyone (`?station=&grade=&from=&to=&include_removed=&limit=`).

use crate::domain::{Airing, Grade, Week};
use crate::store::{airings, AiringFilter};
use crate::web::error::AppError;
use crate::web::AppState;
use axum::extract::{rejection::QueryRejection, Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct AiringsQuery {
    /// A station's call sign (`KCET`).
    station: Option<String>,
    /// A grade: `PK`, `K`, `1` to `12` or `ADULT`.
    grade: Option<String>,
    /// A date (`2020-04-13`, local midnight) or an RFC 3339 instant; years 1970 to 9998.
    from: Option<String>,
    /// A date or an RFC 3339 instant, after `from`.
    to: Option<String>,
    /// Also airings the station no longer lists.
    #[serde(default)]
    include_removed: bool,
    /// At most this many (1 to 10,000).
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AiringsBody {
    airings: Vec<AiringJson>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AiringJson {
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
            title: a.details.title,
            title_es: a.details.title_es,
            episode_title: a.details.episode_title,
            episode_title_es: a.details.episode_title_es,
            description: a.details.description,
            episode_key: a.episode_key,
            series_key: a.series_key,
            grades: a.details.grades.codes(),
            captions: a.details.captions,
            spanish_audio: a.details.spanish_audio,
            status: a.status.as_str(),
            revision: a.revision,
        }
    }
}

pub(super) const MAX_LIMIT: i64 = 10_000;

/// `GET /api/airings?station=&grade=&from=&to=`: the current week when no window is given.
#[utoipa::path(get, path = "/api/airings", tag = "schedule", params(AiringsQuery),
    responses(
        (status = 200, description = "The airings, earliest first", body = AiringsBody),
        (status = 400, description = "A parameter is wrong; the error says which", body = super::openapi::ErrorBody),
        (status = 404, description = "No such station", body = super::openapi::ErrorBody),
    ))]
pub(super) async fn list_airings(
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
            let start = crate::domain::local_midnight(week.monday(), tz);
            (
                start,
                crate::domain::local_midnight(week.monday() + chrono::Duration::days(7), tz),
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

/// A date (`2020-04-13`, local midnight) or an RFC 3339 instant.
pub(super) fn parse_instant(name: &str, v: &str, tz: Tz) -> Result<DateTime<Utc>, AppError> {
    use crate::domain::{parse_date, WeekError, FIRST_YEAR, LAST_YEAR};
    match parse_date(v) {
        Ok(d) => return Ok(crate::domain::local_midnight(d, tz)),
        Err(e @ WeekError::OutOfRange(_)) => {
            return Err(AppError::BadRequest(format!("{name}: {e}")))
        }
        Err(WeekError::NotADate(_)) => {}
    }
    let t = DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::BadRequest(format!(
                "{name}: `{v}` is neither a date (2020-04-13) nor an RFC 3339 time (2020-04-13T09:00:00-07:00)"
            ))
        })?;
    // Far enough from the edges of date arithmetic that a window around it cannot overflow.
    if !(FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(&t)) {
        return Err(AppError::BadRequest(format!(
            "{name}: `{v}` is outside the years {FIRST_YEAR} to {LAST_YEAR}"
        )));
    }
    Ok(t)
}
