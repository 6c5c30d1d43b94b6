//! Shared set-up for integration tests: a fresh database per test (SQLite in a temporary
//! directory, or a new PostgreSQL database when `LESSONCAST_TEST_POSTGRES` names a server), the
//! real server on a random port, and request helpers.

#![allow(dead_code)]

use lessoncast::app;
use lessoncast::config::Config;
use lessoncast::import::{self, GradeRules, ImportError, ImportOptions, ImportReport};
use lessoncast::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::oneshot;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> String {
    repo()
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

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
        c
    }

    pub async fn import(&self, source: &str) -> Result<ImportReport, ImportError> {
        self.import_with(source, ImportOptions::default()).await
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

/// The real server on a random port of 127.0.0.1, stopped when the value is dropped.
pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Starts the server on a fresh database without the demo week.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(false).await
    }

    /// Starts the server the way `lessoncast serve` does, demo week included when `demo`.
    pub async fn spawn_with(demo: bool) -> TestApp {
        let db = TestDb::new().await;
        let config = db.config();
        if demo {
            app::import_demo_if_empty(&db.store, &config)
                .await
                .expect("demo import");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let store = db.store.clone();
        let handle = tokio::spawn(async move {
            app::serve(store, Arc::new(config), listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        });
        TestApp {
            base,
            db,
            client: reqwest::Client::new(),
            stop: Some(tx),
            handle: Some(handle),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let body = r.json().await.expect("JSON body");
        (status, body)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task");
        }
    }
}

/// Serves `router` on a random port of 127.0.0.1 (a schedule source for URL imports); the
/// server stops when the handle is aborted or dropped with the test's runtime.
pub async fn serve(router: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("source server");
    });
    (base, handle)
}
