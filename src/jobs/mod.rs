//! Scheduled work: every enabled source in the database re-imported on its cron, read in the
//! district's zone (`LESSONCAST_TZ`, so 05:00 stays 05:00 across a DST night).
//!
//! tokio-cron-scheduler ticks once a second. Each tick looks for edits (from this process,
//! another replica or the CLI: they take effect within a second, no restart) and runs the
//! sources whose next run has come. Every replica does the same, and the tick's lease in the
//! database ([`crate::store::sources::take_lease`]) lets exactly one of them run it. A source
//! that never ran runs at once. `[[source]]` tables in `lessoncast.toml` are put in the
//! database at start when none of their name is there.

use crate::config::{Config, SourceConfig};
use crate::sources::run::{self, Outcome, Settings, Trigger};
use crate::sources::{self, Kind, Source, SourceSpec};
use crate::store::{sources as stored, Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};
use tracing::{error, info};

/// Why the jobs could not start.
#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error("source `{location}`: {message}")]
    Source { location: String, message: String },
    #[error("scheduler: {0}")]
    Scheduler(#[from] JobSchedulerError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The running scheduler, and how many scheduled runs have finished (well or not; not those
/// another replica took), for whoever wants to wait for one.
pub struct Jobs {
    scheduler: JobScheduler,
    finished: watch::Receiver<u64>,
    running: watch::Receiver<usize>,
}

impl Jobs {
    /// Waits until `n` scheduled runs have finished since the start.
    pub async fn finished(&mut self, n: u64) {
        let _ = self.finished.wait_for(|done| *done >= n).await;
    }

    /// Stops the scheduler; runs already started finish first (for up to a minute).
    pub async fn shutdown(&mut self) -> Result<(), JobSchedulerError> {
        self.scheduler.shutdown().await?;
        let _ =
            tokio::time::timeout(Duration::from_secs(60), self.running.wait_for(|n| *n == 0)).await;
        Ok(())
    }
}

/// A source as the scheduler plans it.
struct Planned {
    source: Source,
    cron: croner::Cron,
    /// The tick it runs at next.
    next: Option<DateTime<Utc>>,
}

/// What the ticks share.
struct Plan {
    sources: HashMap<i64, Planned>,
    /// What the sources table looked like when last read.
    fingerprint: Option<(i64, i64)>,
    /// Sources this process is running now.
    running: HashSet<i64>,
}

/// Puts the `[[source]]` tables in the database (those whose name is new), then starts the
/// scheduler.
pub async fn start(store: Store, config: Arc<Config>) -> Result<Jobs, JobsError> {
    seed(&store, &config.sources).await?;
    let settings = Arc::new(Settings::from_config(&config));
    let plan = Arc::new(Mutex::new(Plan {
        sources: HashMap::new(),
        fingerprint: None,
        running: HashSet::new(),
    }));
    let (done, finished) = watch::channel(0u64);
    let (busy, running) = watch::channel(0usize);
    let done = Arc::new(done);
    let busy = Arc::new(busy);
    let sched = JobScheduler::new().await?;
    let job = Job::new_repeated_async(Duration::from_secs(1), move |_id, _sched| {
        let store = store.clone();
        let settings = settings.clone();
        let plan = plan.clone();
        let done = done.clone();
        let busy = busy.clone();
        Box::pin(async move {
            if let Err(e) = tick(&store, &settings, &plan, &done, &busy).await {
                error!(error = %e, "the source schedule could not be read");
            }
        })
    })?;
    sched.add(job).await?;
    sched.start().await?;
    Ok(Jobs {
        scheduler: sched,
        finished,
        running,
    })
}

/// One second's work: see edits, then start the runs whose time has come.
async fn tick(
    store: &Store,
    settings: &Arc<Settings>,
    plan: &Arc<Mutex<Plan>>,
    done: &Arc<watch::Sender<u64>>,
    busy: &Arc<watch::Sender<usize>>,
) -> Result<(), StoreError> {
    let fingerprint = stored::fingerprint(store.pool()).await?;
    let changed = lock(plan).fingerprint != Some(fingerprint);
    if changed {
        let list = stored::list(store.pool()).await?;
        replan(&mut lock(plan), list, fingerprint, settings.district_tz);
    }
    let now = Utc::now();
    let due: Vec<(Source, DateTime<Utc>)> = {
        let mut p = lock(plan);
        let Plan {
            sources, running, ..
        } = &mut *p;
        let mut due = Vec::new();
        for planned in sources.values_mut() {
            let Some(at) = planned.next.filter(|at| *at <= now) else {
                continue;
            };
            planned.next = sources::next_run(&planned.cron, settings.district_tz, now);
            if running.insert(planned.source.id) {
                due.push((planned.source.clone(), at));
            }
        }
        due
    };
    for (source, at) in due {
        let store = store.clone();
        let settings = settings.clone();
        let plan = plan.clone();
        let done = done.clone();
        let busy = busy.clone();
        busy.send_modify(|n| *n += 1);
        tokio::spawn(async move {
            let result = run::run(&store, &settings, &source, Trigger::Tick(at)).await;
            lock(&plan).running.remove(&source.id);
            match result {
                Ok(Outcome::Skipped) => {}
                Ok(_) | Err(_) => done.send_modify(|n| *n += 1),
            }
            busy.send_modify(|n| *n -= 1);
        });
    }
    Ok(())
}

fn lock(plan: &Mutex<Plan>) -> std::sync::MutexGuard<'_, Plan> {
    plan.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes in the sources as stored now: a source whose description is unchanged keeps its next
/// tick; a new or edited one gets one from its cron, or runs at once if it never ran.
fn replan(plan: &mut Plan, list: Vec<Source>, fingerprint: (i64, i64), tz: chrono_tz::Tz) {
    let now = Utc::now();
    let mut sources = HashMap::new();
    for source in list.into_iter().filter(|s| s.spec.enabled) {
        let Ok(cron) = sources::parse_cron(&source.spec.cron) else {
            error!(source = %source.spec.name, cron = %source.spec.cron, "bad cron expression; not scheduled");
            continue;
        };
        let kept = plan
            .sources
            .remove(&source.id)
            .filter(|p| p.source.revision == source.revision)
            .map(|p| p.next);
        let next = match kept {
            Some(next) => next,
            // Never ran: now, at a tick every replica names alike (its creation), so one runs it.
            None if source.last_run.is_none() => DateTime::from_timestamp(source.created_at, 0),
            None => sources::next_run(&cron, tz, now),
        };
        if kept.is_none() {
            info!(source = %source.spec.name, cron = %source.spec.cron,
                  next = ?next, "source scheduled");
        }
        sources.insert(source.id, Planned { source, cron, next });
    }
    plan.sources = sources;
    plan.fingerprint = Some(fingerprint);
}

/// Adds the configured sources whose name the database does not have yet.
async fn seed(store: &Store, configured: &[SourceConfig]) -> Result<(), JobsError> {
    let now = Utc::now().timestamp();
    for c in configured {
        let spec = spec_of(c)?;
        match stored::by_name(store.pool(), &spec.name).await {
            Ok(_) => continue,
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        match stored::add(store.pool(), &spec, now).await {
            Ok(s) => info!(source = %s.spec.name, "source from lessoncast.toml added"),
            // Another replica seeded it meanwhile.
            Err(StoreError::AlreadyExists) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A `[[source]]` table as a checked source.
pub fn spec_of(c: &SourceConfig) -> Result<SourceSpec, JobsError> {
    let shown = c
        .location
        .as_deref()
        .map(crate::config::redacted)
        .or_else(|| c.tvss.clone())
        .unwrap_or_default();
    let bad = |message: String| JobsError::Source {
        location: shown.clone(),
        message,
    };
    let (kind, location) = match (&c.location, &c.tvss) {
        (Some(l), None) => (Kind::Url, l.clone()),
        (None, Some(t)) => (Kind::Tvss, t.clone()),
        _ => {
            return Err(bad(
                "give either `location` (a URL, file or directory) or `tvss` (a call sign)".into(),
            ))
        }
    };
    let name = c.name.clone().unwrap_or_else(|| match kind {
        Kind::Url => crate::config::redacted(&location),
        Kind::Tvss => location.to_ascii_uppercase(),
    });
    let mut spec = SourceSpec::new(&name, kind, &location);
    if let Some(f) = &c.format {
        spec.format = f.parse().map_err(bad)?;
    }
    spec.station = c.station.clone();
    if let Some(tz) = &c.tz {
        spec.tz = Some(tz.trim().parse().map_err(|_| {
            bad(format!(
                "tz `{tz}` is not a time zone: write one such as America/Chicago"
            ))
        })?);
    }
    if let Some(cron) = &c.cron {
        spec.cron = cron.clone();
    }
    if let Some(d) = c.days {
        spec.days = d;
    }
    spec.kids = c.kids;
    spec.check().map_err(|e| bad(e.to_string()))
}
