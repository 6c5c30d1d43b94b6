//! Schedule sources, their validators and their lease: which replica runs one now, and the
//! last cron tick taken, so that with any number of replicas each tick runs once.

use super::{flag, get, StoreError};
use crate::import::fetch::Validators;
use crate::sources::{Kind, LastChange, Source, SourceSpec};
use sqlx::AnyPool;

const COLUMNS: &str = "id, name, kind, location, format, station, tz, cron, days, kids, enabled, \
    created_at, updated_at, revision, last_run, last_success, last_error, last_outcome, \
    consecutive_failures, last_added, last_updated, last_removed, last_run_id";

fn source_from(r: &sqlx::any::AnyRow) -> Result<Source, StoreError> {
    let kind: String = get(r, "kind")?;
    let format: String = get(r, "format")?;
    let tz: Option<String> = get(r, "tz")?;
    let days: i64 = get(r, "days")?;
    Ok(Source {
        id: get(r, "id")?,
        spec: SourceSpec {
            name: get(r, "name")?,
            kind: Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
            location: get(r, "location")?,
            format: format
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("format {format}")))?,
            station: get(r, "station")?,
            tz: tz.and_then(|t| t.parse().ok()),
            cron: get(r, "cron")?,
            days: u32::try_from(days).unwrap_or(crate::sources::DEFAULT_DAYS),
            kids: flag(r, "kids")?,
            enabled: flag(r, "enabled")?,
        },
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        revision: get(r, "revision")?,
        last_run: get(r, "last_run")?,
        last_success: get(r, "last_success")?,
        last_error: get(r, "last_error")?,
        last_outcome: get(r, "last_outcome")?,
        consecutive_failures: get(r, "consecutive_failures")?,
        last_change: LastChange {
            added: get(r, "last_added")?,
            updated: get(r, "last_updated")?,
            removed: get(r, "last_removed")?,
        },
        last_run_id: get(r, "last_run_id")?,
    })
}

fn unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists,
        _ => StoreError::Sqlx(e),
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a source's ten described fields, in the order of the columns `name` … `enabled`.
fn bind_spec<'q>(q: AnyQuery<'q>, spec: &'q SourceSpec) -> AnyQuery<'q> {
    q.bind(&spec.name)
        .bind(spec.kind.as_str())
        .bind(&spec.location)
        .bind(spec.format.to_string())
        .bind(spec.station.as_deref())
        .bind(spec.tz.map(|t| t.name().to_string()))
        .bind(&spec.cron)
        .bind(i64::from(spec.days))
        .bind(i64::from(spec.kids))
        .bind(i64::from(spec.enabled))
}

/// Every source, by name.
pub async fn list(pool: &AnyPool) -> Result<Vec<Source>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sources ORDER BY name"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(source_from).collect()
}

pub async fn by_id(pool: &AnyPool, id: i64) -> Result<Source, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sources WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    source_from(&row)
}

pub async fn by_name(pool: &AnyPool, name: &str) -> Result<Source, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sources WHERE name = $1"))
        .bind(name)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    source_from(&row)
}

/// Adds a checked source; `AlreadyExists` if its name is taken.
pub async fn add(pool: &AnyPool, spec: &SourceSpec, now: i64) -> Result<Source, StoreError> {
    let insert = sqlx::query(
        "INSERT INTO sources (name, kind, location, format, station, tz, cron, days, kids, \
         enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    );
    let row = bind_spec(insert, spec)
        .bind(now)
        .fetch_one(pool)
        .await
        .map_err(unique)?;
    by_id(pool, get(&row, "id")?).await
}

/// Replaces a source's description. Its history stays; its validators go when what it
/// fetches or how it is read changed, so the next run reads everything afresh (a new zone or
/// station applies at once, not when the station next changes its schedule).
pub async fn update(
    pool: &AnyPool,
    id: i64,
    spec: &SourceSpec,
    now: i64,
) -> Result<Source, StoreError> {
    let before = by_id(pool, id).await?;
    let query = sqlx::query(
        "UPDATE sources SET name = $1, kind = $2, location = $3, format = $4, station = $5, \
         tz = $6, cron = $7, days = $8, kids = $9, enabled = $10, updated_at = $11, \
         revision = revision + 1 WHERE id = $12",
    );
    let done = bind_spec(query, spec)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map_err(unique)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let b = &before.spec;
    let fetches_changed = b.kind != spec.kind
        || b.location != spec.location
        || b.kids != spec.kids
        || b.format != spec.format
        || b.station != spec.station
        || b.tz != spec.tz;
    if fetches_changed {
        sqlx::query("DELETE FROM source_validators WHERE source_id = $1")
            .bind(id)
            .execute(pool)
            .await?;
    }
    by_id(pool, id).await
}

/// Pauses or resumes a source.
pub async fn set_enabled(
    pool: &AnyPool,
    id: i64,
    enabled: bool,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE sources SET enabled = $1, updated_at = $2, revision = revision + 1 WHERE id = $3",
    )
    .bind(i64::from(enabled))
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Removes a source (what it imported stays, and so do its runs).
pub async fn remove(pool: &AnyPool, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM source_validators WHERE source_id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    let done = sqlx::query("DELETE FROM sources WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// What the jobs compare to see an edit anywhere: the sources' revisions and ids (an edit
/// grows a revision; an add or remove changes the ids).
pub async fn fingerprint(pool: &AnyPool) -> Result<(i64, i64), StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(revision), 0) AS BIGINT) AS revisions, \
         CAST(COALESCE(SUM(id), 0) AS BIGINT) AS ids FROM sources",
    )
    .fetch_one(pool)
    .await?;
    let n: i64 = get(&row, "n")?;
    let revisions: i64 = get(&row, "revisions")?;
    let ids: i64 = get(&row, "ids")?;
    Ok((revisions, n.wrapping_mul(1_000_003).wrapping_add(ids)))
}

/// Takes the lease on a source for `holder` until `until`, if no one holds it now. With
/// `tick`, only if that cron tick was not taken already (by any replica); it is then taken.
/// Whether the lease was won.
pub async fn take_lease(
    pool: &AnyPool,
    id: i64,
    holder: &str,
    now: i64,
    until: i64,
    tick: Option<i64>,
) -> Result<bool, StoreError> {
    let done = match tick {
        Some(tick) => {
            sqlx::query(
                "UPDATE sources SET lease_holder = $1, lease_until = $2, last_tick = $3 \
                 WHERE id = $4 AND enabled = 1 AND COALESCE(last_tick, -1) < $3 \
                 AND COALESCE(lease_until, 0) < $5",
            )
            .bind(holder)
            .bind(until)
            .bind(tick)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE sources SET lease_holder = $1, lease_until = $2 \
                 WHERE id = $3 AND COALESCE(lease_until, 0) < $4",
            )
            .bind(holder)
            .bind(until)
            .bind(id)
            .bind(now)
            .execute(pool)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// Who holds the lease on a source now, if anyone.
pub async fn lease_holder(pool: &AnyPool, id: i64, now: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT lease_holder FROM sources WHERE id = $1 AND COALESCE(lease_until, 0) >= $2",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| get(&r, "lease_holder")).transpose()
}

/// Gives the lease back.
pub async fn release_lease(pool: &AnyPool, id: i64, holder: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sources SET lease_until = NULL WHERE id = $1 AND lease_holder = $2")
        .bind(id)
        .bind(holder)
        .execute(pool)
        .await?;
    Ok(())
}

/// How a run went, to record on its source.
pub enum Recorded<'a> {
    /// It imported (run id, and what changed).
    Imported {
        run_id: Option<i64>,
        change: LastChange,
    },
    /// Every URL answered 304.
    NotModified,
    Failed {
        error: &'a str,
    },
}

/// Records a run's outcome on its source.
pub async fn record(
    pool: &AnyPool,
    id: i64,
    now: i64,
    outcome: Recorded<'_>,
) -> Result<(), StoreError> {
    match outcome {
        Recorded::Imported { run_id, change } => {
            sqlx::query(
                "UPDATE sources SET last_run = $1, last_success = $1, last_error = NULL, \
                 last_outcome = 'ok', consecutive_failures = 0, last_added = $2, \
                 last_updated = $3, last_removed = $4, last_run_id = $5 WHERE id = $6",
            )
            .bind(now)
            .bind(change.added)
            .bind(change.updated)
            .bind(change.removed)
            .bind(run_id)
            .bind(id)
            .execute(pool)
            .await?;
        }
        Recorded::NotModified => {
            sqlx::query(
                "UPDATE sources SET last_run = $1, last_success = $1, last_error = NULL, \
                 last_outcome = 'not_modified', consecutive_failures = 0 WHERE id = $2",
            )
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
        }
        Recorded::Failed { error } => {
            sqlx::query(
                "UPDATE sources SET last_run = $1, last_error = $2, last_outcome = 'failed', \
                 consecutive_failures = consecutive_failures + 1 WHERE id = $3",
            )
            .bind(now)
            .bind(error)
            .bind(id)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// The validators of each URL's last good fetch.
pub async fn validators(
    pool: &AnyPool,
    id: i64,
) -> Result<std::collections::HashMap<String, Validators>, StoreError> {
    let rows =
        sqlx::query("SELECT url, etag, last_modified FROM source_validators WHERE source_id = $1")
            .bind(id)
            .fetch_all(pool)
            .await?;
    rows.iter()
        .map(|r| {
            Ok((
                get(r, "url")?,
                Validators {
                    etag: get(r, "etag")?,
                    last_modified: get(r, "last_modified")?,
                },
            ))
        })
        .collect()
}

/// Keeps `fresh` as the source's validators (after the import of those bodies committed), and
/// forgets those of URLs not in `current` (days that went by).
pub async fn keep_validators(
    pool: &AnyPool,
    id: i64,
    fresh: &[(String, Validators)],
    current: &[String],
) -> Result<(), StoreError> {
    let mut tx = super::begin_write(pool).await?;
    let stored: Vec<String> = sqlx::query("SELECT url FROM source_validators WHERE source_id = $1")
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| get(r, "url"))
        .collect::<Result<_, _>>()?;
    for url in stored.iter().filter(|u| !current.contains(u)) {
        sqlx::query("DELETE FROM source_validators WHERE source_id = $1 AND url = $2")
            .bind(id)
            .bind(url)
            .execute(&mut *tx)
            .await?;
    }
    for (url, v) in fresh {
        sqlx::query("DELETE FROM source_validators WHERE source_id = $1 AND url = $2")
            .bind(id)
            .bind(url)
            .execute(&mut *tx)
            .await?;
        if !v.is_empty() {
            sqlx::query(
                "INSERT INTO source_validators (source_id, url, etag, last_modified) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(url)
            .bind(v.etag.as_deref())
            .bind(v.last_modified.as_deref())
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
