//! Putting the pieces together: what `serve` and `import` do, shared by the CLI and the tests.

use crate::config::Config;
use crate::domain::Week;
use crate::import::{self, GradeRules, ImportError, ImportOptions, ImportReport};
use crate::store::{airings, Store};
use crate::web::{self, AppState};
use chrono::Utc;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tracing::info;

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
    if airings::count(store.pool()).await? > 0 || !config.schedules_dir.is_dir() {
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

/// Serves HTTP on `listener` until `shutdown` resolves, with the scheduled jobs running.
pub async fn serve(
    store: Store,
    config: Arc<Config>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let mut jobs = crate::jobs::start(store.clone(), config.clone()).await?;
    let state = AppState::new(store.clone(), config);
    info!(addr = %listener.local_addr()?, "serving");
    axum::serve(listener, web::router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    if let Some(j) = jobs.as_mut() {
        j.shutdown().await?;
    }
    store.close().await;
    Ok(())
}
