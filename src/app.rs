//! Putting the pieces together: the state the server, the CLI and the jobs share ([`App`]),
//! and what `serve` and the demo import do.

use crate::config::Config;
use crate::domain::Week;
use crate::feeds::FeedCache;
use crate::import::{self, GradeRules, ImportError, ImportOptions, ImportReport};
use crate::packets::PacketCache;
use crate::store::{airings, Store, StoreError};
use chrono::Utc;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tracing::info;

/// What publishing needs, shared by every request, command and job: the database, the
/// settings, and the caches of rendered feeds and drawn packets ([`Shared`]). Cheap to clone:
/// one reference count, where a copy of each part cost every request nine counts taken and
/// given back, on counters both cores fought over (3 % of a feed revalidation).
#[derive(Clone)]
pub struct App(Arc<Shared>);

impl std::ops::Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of an [`App`].
pub struct Shared {
    pub store: Store,
    pub config: Arc<Config>,
    pub feeds: Arc<FeedCache>,
    pub packets: Arc<PacketCache>,
    /// The last full answer to each feed URL, for revalidations answered before the router.
    pub revalidations: crate::web::revalidate::Revalidations,
    version: Arc<VersionMemo>,
    /// Password checks running at once (each takes ~19 MiB and a core for a moment).
    password_checks: Arc<crate::limits::Turns>,
    /// The threads that check them, with their reused memory.
    checker: Arc<crate::auth::Checker>,
    /// Sign-in attempts per client network.
    pub signins: Arc<crate::limits::SignInLimits>,
    /// What running schedule sources needs (this process's lease name among them).
    pub sources: Arc<crate::sources::run::Settings>,
}

/// How long "Run now" waits for a source's run before answering that it goes on.
pub const RUN_NOW_WAIT: Duration = Duration::from_secs(15);

/// At most this many password checks run at once; more wait their turn, up to
/// [`PASSWORD_WAIT`], and are then refused as busy.
pub const PASSWORD_CHECKS: usize = 2;
pub const PASSWORD_WAIT: Duration = Duration::from_secs(10);

/// Why a password could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("too many sign-ins at once; try again in a minute")]
    Busy,
}

/// The data version and when it changed (`store::airings::data_version`).
pub type DataVersion = (i64, i64);

/// The last looked-up data version, trusted for `Config::version_ttl`: imports by another
/// process (the CLI) show within that time, and a busy feed costs one query per lifetime.
struct VersionMemo {
    ttl: Duration,
    last: Mutex<Option<(Instant, DataVersion)>>,
}

impl App {
    pub fn new(store: Store, config: Arc<Config>) -> App {
        App(Arc::new(Shared {
            store,
            feeds: Arc::new(FeedCache::default()),
            packets: Arc::new(PacketCache::default()),
            revalidations: Default::default(),
            password_checks: Arc::new(crate::limits::Turns::new(PASSWORD_CHECKS, PASSWORD_WAIT)),
            checker: Arc::new(crate::auth::Checker::new(PASSWORD_CHECKS)),
            signins: Arc::new(crate::limits::SignInLimits::new(config.signin_per_minute)),
            sources: Arc::new(crate::sources::run::Settings::from_config(&config)),
            version: Arc::new(VersionMemo {
                ttl: config.version_ttl,
                last: Mutex::new(None),
            }),
            config,
        }))
    }

    /// Runs `source` now, on a task of its own so that it finishes whatever the request does;
    /// its outcome if it ends within `wait`.
    pub async fn run_source(
        &self,
        source: crate::sources::Source,
        wait: Duration,
    ) -> Option<Result<crate::sources::run::Outcome, crate::sources::run::RunError>> {
        let store = self.store.clone();
        let settings = self.sources.clone();
        let task = tokio::spawn(async move {
            crate::sources::run::run(
                &store,
                &settings,
                &source,
                crate::sources::run::Trigger::Now,
            )
            .await
        });
        match tokio::time::timeout(wait, task).await {
            Ok(Ok(outcome)) => Some(outcome),
            Ok(Err(e)) => Some(Err(crate::sources::run::RunError::Fetch(format!(
                "the run stopped unexpectedly: {e}"
            )))),
            Err(_) => None,
        }
    }

    /// Whether `password` matches `hash`, checked on the [`PASSWORD_CHECKS`] checking threads
    /// (each reusing its memory) behind the limit on waiting checks, so that no number of
    /// sign-in requests can take more than [`PASSWORD_CHECKS`] × one check's memory, and that
    /// memory is the same after a burst as before it.
    pub async fn check_password(
        &self,
        password: crate::auth::Secret,
        hash: String,
    ) -> Result<bool, CheckError> {
        let _turn = self.password_checks.take().await.ok_or(CheckError::Busy)?;
        let ok = self.checker.check(password, hash).await;
        Ok(ok)
    }

    /// The data version, from the memo while it is fresh, else from the database.
    pub async fn data_version(&self) -> Result<DataVersion, StoreError> {
        if let Some(v) = self.trusted_version() {
            return Ok(v);
        }
        let v = airings::data_version(self.store.pool()).await?;
        if let Ok(mut last) = self.version.last.lock() {
            *last = Some((Instant::now(), v));
        }
        Ok(v)
    }
}

impl App {
    /// The data version looked up last, while it is still trusted (`Config::version_ttl`).
    pub fn trusted_version(&self) -> Option<DataVersion> {
        let memo = &self.version;
        let (at, v) = memo.last.lock().ok().and_then(|l| *l)?;
        (at.elapsed() < memo.ttl).then_some(v)
    }
}

/// The week the demo schedules in `schedules/` were written for.
pub const DEMO_WEEK: &str = "2020-04-13";

/// Opens and migrates the configured database.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// The grade rules file, or none when it does not exist.
pub fn load_rules(config: &Config) -> Result<GradeRules, import::RulesError> {
    if config.grade_rules.exists() {
        GradeRules::load(&config.grade_rules)
    } else {
        Ok(GradeRules::default())
    }
}

/// Imports the demo week, moved to the current week, when the database has no airings yet.
pub async fn import_demo_if_empty(
    store: &Store,
    config: &Config,
) -> anyhow::Result<Option<ImportReport>> {
    if airings::count(store.pool()).await? > 0 {
        return Ok(None);
    }
    if !config.schedules_dir.is_dir() {
        // An empty schedule with no word why looks like a broken service.
        tracing::warn!(
            dir = %config.schedules_dir.display(),
            "no demo week: the database is empty and the demo schedules are not there \
             (run from the repository, or set LESSONCAST_SCHEDULES)"
        );
        return Ok(None);
    }
    let demo: Week = DEMO_WEEK.parse()?;
    let now = Week::containing(Utc::now().with_timezone(&config.tz).date_naive());
    let opts = ImportOptions {
        shift_weeks: demo.weeks_until(now),
        rules: load_rules(config)?,
        default_tz: Some(config.tz),
        ..Default::default()
    };
    let source = config.schedules_dir.display().to_string();
    let report = import::import(store, &source, &opts)
        .await
        .map_err(|e: ImportError| anyhow::anyhow!("importing the demo week from {source}: {e}"))?;
    info!(
        added = report.counts.added,
        week = %now,
        "imported the demo week from {source}, moved to the current week"
    );
    Ok(Some(report))
}

/// An import still `running` after this long was left by a process that stopped.
pub const STALE_RUN: Duration = Duration::from_secs(2 * 3600);

/// How long the server waits for open requests to finish when it shuts down.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Serves HTTP on `listener` until `shutdown` resolves, with the scheduled jobs running.
///
/// Connections are served by hyper directly (rather than `axum::serve`) for its header-read
/// timeout (`Config::header_timeout`), which also closes idle keep-alive connections, so slow
/// or silent clients cannot hold connections open; the router adds a time limit per request. On shutdown no connection is accepted and open ones finish their requests.
pub async fn serve(
    store: Store,
    config: Arc<Config>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;

    // Runs a killed process left `running` say so. Another replica's import may be running
    // right now, so only runs older than any import takes are taken to be dead.
    let now = Utc::now().timestamp();
    let stale = crate::store::imports::mark_interrupted(
        store.pool(),
        now - STALE_RUN.as_secs() as i64,
        now,
    )
    .await?;
    if stale > 0 {
        tracing::warn!(
            runs = stale,
            "imports left running by a stopped process marked interrupted"
        );
    }
    let mut jobs = crate::jobs::start(store.clone(), config.clone()).await?;
    let state = App::new(store.clone(), config);
    let header_timeout = state.config.header_timeout;
    let router = crate::web::router(state.clone());
    info!(addr = %listener.local_addr()?, "serving");
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers go out as they are written, as nginx's do (`tcp_nodelay on`): a response
        // written in two parts must not wait for the client's acknowledgement of the first.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, error = %e, "could not set TCP_NODELAY");
        }
        // Handlers that need the client's address (the sign-in rate limit) find it here.
        // A feed's revalidation may be answered before all that (`web::revalidate`).
        let service = crate::web::revalidate::Revalidate::new(
            state.clone(),
            tower::ServiceExt::map_request(
                router.clone(),
                move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    req.map(axum::body::Body::new)
                },
            ),
        );
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn.into_owned()).await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still open when the grace period ended");
    }
    jobs.shutdown().await?;
    store.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, for a graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
