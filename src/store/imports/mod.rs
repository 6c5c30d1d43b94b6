//! Writing an import: one transaction that merges a source's airings into the stored schedule,
//! and the record of every import run.
//!
//! Identity: an airing is its channel, start instant, series and slot. A re-import of the same source
//! finds each airing again and counts it unchanged (its content fingerprint is the same) or
//! updated (its revision grows). An airing that is no longer in its source within the time range
//! the import covers, or whose slot another series now fills, is marked removed, never deleted;
//! if the same episode appears on that channel at another time within a day, the airing is taken
//! to have moved: it keeps its id and is updated.

mod writer;

pub use writer::ImportWriter;

use super::{get, StoreError};
use crate::domain::Details;
use sqlx::AnyPool;

/// An airing ready to be stored; its channel is already resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAiring {
    pub channel_id: i64,
    pub start_at: i64,
    pub end_at: Option<i64>,
    /// The source stated no end: `end_at` is the next programme's start.
    pub end_guessed: bool,
    pub details: Details,
    pub series_key: String,
    pub episode_key: Option<String>,
    pub nola_root: Option<String>,
    pub nola_episode: Option<String>,
    pub episode_num: Option<String>,
    pub hd: bool,
    pub previously_shown: bool,
    pub source_id: Option<String>,
    /// Hash of everything above but the channel and start, to tell updated from unchanged.
    pub fingerprint: i64,
}

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub unchanged: u64,
    /// Bad records the parsers skipped, each with a warning.
    pub skipped: u64,
}

/// How a run ended, for its record.
pub enum RunOutcome<'a> {
    Ok {
        counts: ImportCounts,
        warnings_json: &'a str,
    },
    Failed {
        error: &'a str,
        warnings_json: &'a str,
    },
}

/// Rows per multi-row statement: 25 columns × 400 stays under both databases' parameter limits.
pub const BATCH: usize = 400;

/// Records that an import started; the run is written outside the import's transaction so that
/// a failed import is still on record.
pub async fn start_run(
    pool: &AnyPool,
    source: &str,
    source_id: Option<i64>,
    now: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO import_runs (source, started_at, status, source_id) \
         VALUES ($1, $2, 'running', $3) RETURNING id",
    )
    .bind(source)
    .bind(now)
    .bind(source_id)
    .fetch_one(pool)
    .await?;
    get(&row, "id")
}

/// Marks as `interrupted` the runs still `running` that started before `started_before`: the
/// process that ran them was killed (no import runs for hours). Returns how many there were.
pub async fn mark_interrupted(
    pool: &AnyPool,
    started_before: i64,
    now: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE import_runs SET status = 'interrupted', finished_at = $1, \
         error = 'the import stopped before it finished (the process was stopped or killed); \
         nothing of it was saved' WHERE status = 'running' AND started_at < $2",
    )
    .bind(now)
    .bind(started_before)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub async fn finish_run(
    pool: &AnyPool,
    run_id: i64,
    now: i64,
    outcome: RunOutcome<'_>,
) -> Result<(), StoreError> {
    let (status, counts, warnings, error) = match outcome {
        RunOutcome::Ok {
            counts,
            warnings_json,
        } => ("ok", counts, warnings_json, None),
        RunOutcome::Failed {
            error,
            warnings_json,
        } => (
            "failed",
            ImportCounts::default(),
            warnings_json,
            Some(error),
        ),
    };
    sqlx::query(
        "UPDATE import_runs SET finished_at = $1, status = $2, added = $3, updated = $4, \
         removed = $5, unchanged = $6, warnings = $7, error = $8, skipped = $9 WHERE id = $10",
    )
    .bind(now)
    .bind(status)
    .bind(counts.added as i64)
    .bind(counts.updated as i64)
    .bind(counts.removed as i64)
    .bind(counts.unchanged as i64)
    .bind(warnings)
    .bind(error)
    .bind(counts.skipped as i64)
    .bind(run_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// One recorded import run, for the admin pages.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub source: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: String,
    pub added: i64,
    pub updated: i64,
    pub removed: i64,
    pub unchanged: i64,
    pub skipped: i64,
    pub warnings: serde_json::Value,
    pub error: Option<String>,
}

/// The most recent import runs, newest first.
pub async fn recent_runs(pool: &AnyPool, limit: i64) -> Result<Vec<RunRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, source, started_at, finished_at, status, added, updated, removed, unchanged, \
         skipped, warnings, error FROM import_runs ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let warnings: String = get(r, "warnings")?;
            Ok(RunRecord {
                id: get(r, "id")?,
                source: get(r, "source")?,
                started_at: get(r, "started_at")?,
                finished_at: get(r, "finished_at")?,
                status: get(r, "status")?,
                added: get(r, "added")?,
                updated: get(r, "updated")?,
                removed: get(r, "removed")?,
                unchanged: get(r, "unchanged")?,
                skipped: get(r, "skipped")?,
                warnings: serde_json::from_str(&warnings).unwrap_or(serde_json::Value::Null),
                error: get(r, "error")?,
            })
        })
        .collect()
}
