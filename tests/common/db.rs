//! A fresh, migrated database per test: SQLite in a temporary directory, or a new PostgreSQL
//! database when `LESSONCAST_TEST_POSTGRES` names a server.

use super::{fixture, repo};
use lessoncast::config::Config;
use lessoncast::import::{self, GradeRules, ImportError, ImportOptions, ImportReport};
use lessoncast::store::Store;
use std::path::Path;

/// A fresh, migrated database that lives as long as the value.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match std::env::var("LESSONCAST_TEST_POSTGRES") {
            Ok(server) if !server.is_empty() => fresh_postgres(&server).await,
            _ => format!("sqlite://{}", dir.path().join("test.db").display()),
        };
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        TestDb {
            store,
            url,
            _dir: dir,
        }
    }

    pub fn config(&self) -> Config {
        let mut c =
            Config::load_from(Path::new("/nonexistent/lessoncast.toml"), |_| None).expect("config");
        c.database_url = self.url.clone();
        c.schedules_dir = repo().join("schedules");
        c.grade_rules = repo().join("schedules/grade-rules.toml");
        // A change shows at once: no test waits out the server's version cache.
        c.version_ttl = std::time::Duration::ZERO;
        // Tests sign in many times from one address; the test of the limit sets its own.
        c.signin_per_minute = std::num::NonZeroU32::new(10_000).expect("non-zero");
        // No test reaches the PBS service: a TVSS source goes to a closed local port unless the
        // test serves one of its own; fetches give up quickly.
        c.tvss_base = "http://127.0.0.1:9/tvss/".into();
        c.fetch.attempts = 2;
        c.fetch.backoff = std::time::Duration::from_millis(50);
        c.fetch.timeout = std::time::Duration::from_secs(2);
        c
    }

    /// The test's own temporary directory (the working directory of the CLI runner).
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    pub async fn import(&self, source: &str) -> Result<ImportReport, ImportError> {
        self.import_with(source, ImportOptions::default()).await
    }

    /// The demo week of `schedules/` (April 13–19, 2020), as it is, not moved to this week.
    pub async fn import_demo_week(&self) -> ImportReport {
        let dir = repo().join("schedules").display().to_string();
        self.import(&dir).await.expect("demo week")
    }

    /// Imports a fixture with the test grade rules of `tests/fixtures/import/rules.toml`.
    pub async fn import_with_test_rules(
        &self,
        fixture_path: &str,
    ) -> Result<ImportReport, ImportError> {
        let rules = GradeRules::load(&repo().join("tests/fixtures/import/rules.toml"))
            .expect("test grade rules");
        let opts = ImportOptions {
            rules,
            ..Default::default()
        };
        self.import_with(&fixture(fixture_path), opts).await
    }

    /// Imports with the demo grade rules unless `opts` brings its own.
    pub async fn import_with(
        &self,
        source: &str,
        mut opts: ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        if opts.rules == GradeRules::default() {
            opts.rules = GradeRules::load(&repo().join("schedules/grade-rules.toml"))
                .expect("demo grade rules");
        }
        import::import(&self.store, source, &opts).await
    }

    /// Every airing stored, removed ones too.
    pub async fn airings(&self) -> Vec<lessoncast::domain::Airing> {
        lessoncast::store::airings::list(
            self.store.pool(),
            &lessoncast::store::AiringFilter {
                include_removed: true,
                ..Default::default()
            },
        )
        .await
        .expect("list airings")
    }

    /// Every row of the schedule tables, to show an import changed nothing.
    pub async fn snapshot(&self) -> Vec<String> {
        use sqlx::Row;
        let mut out = Vec::new();
        for (table, cols) in [
            ("stations", "id, callsign, tz"),
            ("channels", "id, station_id, number, COALESCE(name, '')"),
            (
                "airings",
                "id, channel_id, start_at, COALESCE(end_at, -1), title, status, revision, fingerprint",
            ),
        ] {
            let sql = format!("SELECT {cols} FROM {table} ORDER BY id");
            for row in sqlx::query(&sql).fetch_all(self.store.pool()).await.expect("snapshot") {
                let mut line = format!("{table}:");
                for i in 0..row.len() {
                    let v: Result<i64, _> = row.try_get(i);
                    match v {
                        Ok(n) => line.push_str(&format!(" {n}")),
                        Err(_) => {
                            let s: String = row.try_get(i).unwrap_or_default();
                            line.push_str(&format!(" {s}"));
                        }
                    }
                }
                out.push(line);
            }
        }
        out
    }
}

async fn fresh_postgres(server: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("lessoncast_test_{}_{}", std::process::id(), rand_suffix());
    let mut conn = sqlx::AnyConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("connect to LESSONCAST_TEST_POSTGRES");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    format!("{server}/{name}")
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{}", nanos, N.fetch_add(1, Ordering::Relaxed))
}
