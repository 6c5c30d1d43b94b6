//! Scheduled work: re-importing the configured schedule sources on their cron schedules.

use crate::config::{Config, SourceConfig};
use crate::import::{self, Format, GradeRules, ImportOptions};
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::watch;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};
use tracing::{error, info, warn};

/// Why the jobs could not start.
#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error("source `{location}`: {message}")]
    Source { location: String, message: String },
    #[error("scheduler: {0}")]
    Scheduler(#[from] JobSchedulerError),
}

/// The running scheduler, and how many scheduled imports have finished (well or not), for
/// whoever wants to wait for one.
pub struct Jobs {
    scheduler: JobScheduler,
    finished: watch::Receiver<u64>,
}

impl Jobs {
    /// Waits until `n` scheduled imports have finished since the start.
    pub async fn finished(&mut self, n: u64) {
        let _ = self.finished.wait_for(|done| *done >= n).await;
    }

    /// Stops the scheduler; an import already running finishes first.
    pub async fn shutdown(&mut self) -> Result<(), JobSchedulerError> {
        self.scheduler.shutdown().await
    }
}

/// Starts a scheduler with one job per configured source; `None` when there are none.
pub async fn start(store: Store, config: Arc<Config>) -> Result<Option<Jobs>, JobsError> {
    if config.sources.is_empty() {
        return Ok(None);
    }
    let sched = JobScheduler::new().await?;
    let (done, finished) = watch::channel(0u64);
    let done = Arc::new(done);
    for source in &config.sources {
        let opts = options_for(source, &config)?;
        let job = job_for(source.clone(), opts, store.clone(), &config, done.clone())?;
        sched.add(job).await?;
        info!(location = %source.location, cron = %source.cron, "scheduled import");
    }
    sched.start().await?;
    Ok(Some(Jobs {
        scheduler: sched,
        finished,
    }))
}

fn options_for(source: &SourceConfig, config: &Config) -> Result<ImportOptions, JobsError> {
    let format = match &source.format {
        Some(f) => f.parse::<Format>().map_err(|message| JobsError::Source {
            location: source.location.clone(),
            message,
        })?,
        None => Format::Auto,
    };
    let tz = match &source.tz {
        Some(name) => Some(name.trim().parse().map_err(|_| JobsError::Source {
            location: source.location.clone(),
            message: format!("tz `{name}` is not a time zone: write one such as America/Chicago"),
        })?),
        None => None,
    };
    let rules = if config.grade_rules.exists() {
        GradeRules::load(&config.grade_rules).map_err(|e| JobsError::Source {
            location: source.location.clone(),
            message: e.to_string(),
        })?
    } else {
        GradeRules::default()
    };
    let mut headers = Vec::new();
    if let Ok(key) = std::env::var("LESSONCAST_PBS_KEY") {
        if source.location.contains("/tvss/") {
            headers.push(("X-PBSAUTH".to_string(), crate::auth::Secret::new(key)));
        }
    }
    Ok(ImportOptions {
        format,
        station: source.station.clone(),
        rules,
        default_tz: Some(config.tz),
        tz,
        headers,
        ..Default::default()
    })
}

fn job_for(
    source: SourceConfig,
    opts: ImportOptions,
    store: Store,
    config: &Config,
    done: Arc<watch::Sender<u64>>,
) -> Result<Job, JobsError> {
    let location = source.location.clone();
    let opts = Arc::new(opts);
    Job::new_async_tz(source.cron.as_str(), config.tz, move |_id, _sched| {
        let store = store.clone();
        let opts = opts.clone();
        let location = location.clone();
        let done = done.clone();
        Box::pin(async move {
            match import::import(&store, &location, &opts).await {
                Ok(r) => {
                    info!(source = %location, added = r.counts.added, updated = r.counts.updated,
                          removed = r.counts.removed, unchanged = r.counts.unchanged, "scheduled import done");
                    for w in &r.warnings {
                        warn!(source = %location, "{w}");
                    }
                }
                Err(e) => error!(source = %location, error = %e, "scheduled import failed"),
            }
            done.send_modify(|n| *n += 1);
        })
    })
    .map_err(|e| JobsError::Source {
        location: source.location.clone(),
        message: format!("bad cron expression `{}`: {e}", source.cron),
    })
}
