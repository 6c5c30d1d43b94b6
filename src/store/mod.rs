//! The database: opening it, migrations, and queries grouped by what they touch.
//!
//! One code base serves SQLite and PostgreSQL through sqlx's `Any` driver (chosen at run time from
//! `DATABASE_URL`). Queries are written once, with `$N` placeholders, in the SQL both accept;
//! instants are `i64` epoch seconds and flags `i64` 0/1, the types `Any` decodes on both.

pub mod airings;
pub mod assignments;
pub mod imports;
pub mod sources;
pub mod users;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub use airings::AiringFilter;
pub use imports::{ImportCounts, ImportWriter, NewAiring, RunOutcome};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL `{0}`: use sqlite://FILE or postgres://…")]
    BadUrl(String),
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    AlreadyExists,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database at `url` (`sqlite://path`, `sqlite::memory:` or `postgres://…`),
    /// creating a SQLite file if it does not exist.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            let mut u = format!("sqlite:{rest}");
            if !rest.contains('?') && !rest.contains(":memory:") {
                u.push_str("?mode=rwc");
            }
            (Backend::Sqlite, u)
        } else {
            return Err(StoreError::BadUrl(crate::config::redacted(url)));
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            // WAL lets feeds be read while an import writes; foreign keys are off by default.
            options = options
                .max_connections(if url.contains(":memory:") { 1 } else { 8 })
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                        Ok(())
                    })
                });
        } else {
            options = options.max_connections(16);
        }
        // Validate the URL before connecting so a typo gets our message, not a driver's.
        sqlx::any::AnyConnectOptions::from_str(&url)
            .map_err(|_| StoreError::BadUrl(crate::config::redacted(&url)))?;
        let pool = options.connect(&url).await?;
        Ok(Store { pool, backend })
    }

    /// Applies the migrations for this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Backend {
    /// `n` placeholders numbered from `start`, for statements built at run time that bind each
    /// one once, in order. SQLite gets anonymous `?`: it looks numbered parameters up by a linear
    /// search per bind, which makes a statement with thousands of them quadratic.
    /// An aggregate of the rows of a query as one JSON text: an array with, for each row, an
    /// array of `columns` (SQL expressions, comma-separated), `[]` when there is none. A query
    /// of many small rows costs the SQLite driver a hand-over between threads per row; as one
    /// value, it costs one.
    pub(crate) fn json_rows(self, columns: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_group_array(json_array({columns}))"),
            Backend::Postgres => {
                format!("COALESCE(json_agg(json_build_array({columns})), '[]')::text")
            }
        }
    }

    pub(crate) fn placeholders(self, start: usize, n: usize) -> String {
        match self {
            Backend::Sqlite => vec!["?"; n].join(", "),
            Backend::Postgres => (start..start + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A transaction that will write. On SQLite it starts `IMMEDIATE`, taking the write lock
/// (waiting the busy timeout for it) before its first read: a deferred one that read first
/// could not wait at its first write, since SQLite does not invoke the busy handler to
/// upgrade a read transaction, and would fail at once with "database is locked" whenever
/// another connection or replica happened to be writing that moment.
pub(crate) async fn begin_write(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    if pool.connect_options().database_url.scheme() == "sqlite" {
        Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
    } else {
        Ok(pool.begin().await?)
    }
}

/// An instant stored as epoch seconds.
pub(crate) fn instant(secs: i64) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("instant {secs}")))
}

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(col)?)
}

/// A stored flag (an integer, 0 or 1, on both databases).
pub(crate) fn flag(row: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(get::<i64>(row, col)? != 0)
}

/// An airing's titles, description, grades and access features, from its row.
pub(crate) fn details(r: &AnyRow) -> Result<crate::domain::Details, StoreError> {
    Ok(crate::domain::Details {
        title: get(r, "title")?,
        title_es: get(r, "title_es")?,
        episode_title: get(r, "episode_title")?,
        episode_title_es: get(r, "episode_title_es")?,
        description: get(r, "description")?,
        description_es: get(r, "description_es")?,
        grades: crate::domain::GradeSet::from_bits(get::<i64>(r, "grades")? as u32),
        captions: flag(r, "captions")?,
        spanish_audio: flag(r, "spanish_audio")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found in CI: a source run that had imported failed on keeping its validators because
    /// the other replica was taking a lease at that moment. Every write transaction waits for
    /// the lock now.
    #[tokio::test]
    async fn a_write_transaction_waits_for_another_writer_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let spec = crate::sources::SourceSpec::new(
            "KCET",
            crate::sources::Kind::Url,
            "http://127.0.0.1:9/kcet.xml",
        )
        .check()
        .unwrap();
        let id = sources::add(store.pool(), &spec, 0).await.unwrap().id;
        // Another replica's connection holds the write lock for a moment.
        let other = Store::connect(&url).await.unwrap();
        let mut held = other.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
        sqlx::query("UPDATE sources SET name = name WHERE id = $1")
            .bind(id)
            .execute(&mut *held)
            .await
            .unwrap();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            held.commit().await.unwrap();
        });
        let feed = "http://127.0.0.1:9/kcet.xml".to_string();
        let v = crate::import::fetch::Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        sources::keep_validators(
            store.pool(),
            id,
            &[(feed.clone(), v.clone())],
            std::slice::from_ref(&feed),
        )
        .await
        .expect("waits for the other writer");
        release.await.unwrap();
        let kept = sources::validators(store.pool(), id).await.unwrap();
        assert_eq!(kept.get(&feed), Some(&v));
    }

    /// The PostgreSQL migrations are the SQLite ones with the identity column spelled for
    /// PostgreSQL, and nothing else: the two schemas cannot drift apart.
    #[test]
    fn postgres_migrations_match_the_sqlite_ones() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut names: Vec<_> = std::fs::read_dir(dir.join("sqlite"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert!(!names.is_empty());
        for name in names {
            let sqlite = std::fs::read_to_string(dir.join("sqlite").join(&name)).unwrap();
            let pg = std::fs::read_to_string(dir.join("postgres").join(&name))
                .unwrap_or_else(|_| panic!("migrations/postgres/{name:?} is missing"));
            let expected = sqlite.replace(
                "INTEGER PRIMARY KEY AUTOINCREMENT",
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            );
            assert_eq!(
                pg, expected,
                "migrations/postgres/{name:?} drifted from sqlite"
            );
        }
    }
}
