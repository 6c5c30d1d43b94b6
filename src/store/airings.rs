//! Reading airings back: by station, grade and time window.

use super::{get, instant, StoreError};
use crate::domain::{Airing, AiringStatus, Grade, GradeSet};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

/// Which airings to read. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AiringFilter {
    pub station: Option<String>,
    pub grade: Option<Grade>,
    /// Airings that start at or after this instant…
    pub from: Option<DateTime<Utc>>,
    /// …and before this one.
    pub to: Option<DateTime<Utc>>,
    pub include_removed: bool,
    pub limit: Option<i64>,
}

// A Spanish title missing from an airing is taken from any other airing of its series or
// episode (`spanish_titles`, kept by the imports).
const SELECT: &str =
    "SELECT a.id, s.callsign, s.tz, c.number, c.name AS channel_name, a.start_at, \
    a.end_at, a.title, COALESCE(a.title_es, st.title_es) AS title_es, a.episode_title, \
    COALESCE(a.episode_title_es, se.episode_title_es) AS episode_title_es, a.description, \
    a.description_es, a.series_key, a.episode_key, a.grades, a.captions, a.spanish_audio, \
    a.status, a.revision, a.updated_at \
    FROM airings a JOIN channels c ON c.id = a.channel_id JOIN stations s ON s.id = c.station_id \
    LEFT JOIN spanish_titles st ON st.series_key = a.series_key AND st.episode_key = '' \
    LEFT JOIN spanish_titles se ON se.series_key = a.series_key AND se.episode_key = a.episode_key";

/// Airings matching `filter`, earliest first.
pub async fn list(pool: &AnyPool, filter: &AiringFilter) -> Result<Vec<Airing>, StoreError> {
    let mut sql = String::from(SELECT);
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.station.is_some() {
        conditions.push(format!("s.callsign = {}", next()));
    }
    if filter.grade.is_some() {
        conditions.push(format!("(a.grades & {}) <> 0", next()));
    }
    if filter.from.is_some() {
        conditions.push(format!("a.start_at >= {}", next()));
    }
    if filter.to.is_some() {
        conditions.push(format!("a.start_at < {}", next()));
    }
    if !filter.include_removed {
        conditions.push("a.status = 'scheduled'".into());
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(" ORDER BY a.start_at, s.callsign, c.number");
    if filter.limit.is_some() {
        sql.push_str(&format!(" LIMIT {}", next()));
    }
    let mut q = sqlx::query(&sql);
    if let Some(s) = &filter.station {
        q = q.bind(s.as_str());
    }
    if let Some(g) = filter.grade {
        q = q.bind(GradeSet::single(g).bits() as i64);
    }
    if let Some(t) = filter.from {
        q = q.bind(t.timestamp());
    }
    if let Some(t) = filter.to {
        q = q.bind(t.timestamp());
    }
    if let Some(l) = filter.limit {
        q = q.bind(l);
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter().map(airing_from_row).collect()
}

/// One airing by id, removed or not.
pub async fn get_by_id(pool: &AnyPool, id: i64) -> Result<Airing, StoreError> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    airing_from_row(&row)
}

fn airing_from_row(r: &AnyRow) -> Result<Airing, StoreError> {
    let status: String = get(r, "status")?;
    let end: Option<i64> = get(r, "end_at")?;
    Ok(Airing {
        id: get(r, "id")?,
        station: get(r, "callsign")?,
        channel: get(r, "number")?,
        channel_name: get(r, "channel_name")?,
        start: instant(get(r, "start_at")?)?,
        end: end.map(instant).transpose()?,
        details: super::details(r)?,
        series_key: get(r, "series_key")?,
        episode_key: get(r, "episode_key")?,
        status: if status == "removed" {
            AiringStatus::Removed
        } else {
            AiringStatus::Scheduled
        },
        revision: get(r, "revision")?,
        updated_at: instant(get(r, "updated_at")?)?,
        tz: get(r, "tz")?,
    })
}

/// Every station's call sign and zone.
pub async fn station_zones(pool: &AnyPool) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query("SELECT callsign, tz FROM stations ORDER BY callsign")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| Ok((get(r, "callsign")?, get(r, "tz")?)))
        .collect()
}

/// How many airings are stored (removed ones too).
pub async fn count(pool: &AnyPool) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM airings")
        .fetch_one(pool)
        .await?;
    get(&row, "n")
}

/// How many scheduled (not removed) airings start in `[from, to)` (epoch seconds).
pub async fn count_scheduled_between(
    pool: &AnyPool,
    from: i64,
    to: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM airings WHERE status = 'scheduled' AND start_at >= $1 \
         AND start_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    get(&row, "n")
}

/// How many scheduled airings are stored.
pub async fn count_scheduled(pool: &AnyPool) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM airings WHERE status = 'scheduled'")
        .fetch_one(pool)
        .await?;
    get(&row, "n")
}

/// The version of the data feeds show (grows with every import that changed airings and every
/// assignment or class edit) and when it last changed. Both only ever grow, so a feed's
/// `Last-Modified` never goes backwards.
pub async fn data_version(pool: &AnyPool) -> Result<(i64, i64), StoreError> {
    let row = sqlx::query("SELECT version, changed_at FROM data_version WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    match row {
        Some(r) => Ok((get(&r, "version")?, get(&r, "changed_at")?)),
        None => Ok((0, 0)),
    }
}

/// The first and last start (epoch seconds) of any stored airing, if there is one.
pub async fn span(pool: &AnyPool) -> Result<Option<(i64, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(MIN(start_at), 0) AS first, \
         COALESCE(MAX(start_at), 0) AS last FROM airings",
    )
    .fetch_one(pool)
    .await?;
    if get::<i64>(&row, "n")? == 0 {
        return Ok(None);
    }
    Ok(Some((get(&row, "first")?, get(&row, "last")?)))
}

/// Whether an airing with this id exists (removed or not).
pub async fn airing_exists(pool: &AnyPool, id: i64) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT id FROM airings WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

/// Whether any airing belongs to this series, or (with `episode`) to this episode of it.
pub async fn key_exists(
    pool: &AnyPool,
    series: &str,
    episode: Option<&str>,
) -> Result<bool, StoreError> {
    let row = match episode {
        Some(e) => {
            sqlx::query("SELECT id FROM airings WHERE series_key = $1 AND episode_key = $2 LIMIT 1")
                .bind(series)
                .bind(e)
                .fetch_optional(pool)
                .await?
        }
        None => {
            sqlx::query("SELECT id FROM airings WHERE series_key = $1 LIMIT 1")
                .bind(series)
                .fetch_optional(pool)
                .await?
        }
    };
    Ok(row.is_some())
}

/// The title a series airs under (its latest airing's), if any airing of it is stored.
pub async fn series_title(pool: &AnyPool, series_key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT title FROM airings WHERE series_key = $1 ORDER BY start_at DESC LIMIT 1",
    )
    .bind(series_key)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => Some(sqlx::Row::try_get(&r, "title")?),
        None => None,
    })
}

/// Every airing of an episode (`series/episode` key), earliest first.
pub async fn of_episode(pool: &AnyPool, episode_key: &str) -> Result<Vec<Airing>, StoreError> {
    let series = episode_key.split('/').next().unwrap_or(episode_key);
    let sql =
        format!("{SELECT} WHERE a.series_key = $1 AND a.episode_key = $2 ORDER BY a.start_at");
    let rows = sqlx::query(&sql)
        .bind(series)
        .bind(episode_key)
        .fetch_all(pool)
        .await?;
    rows.iter().map(airing_from_row).collect()
}
