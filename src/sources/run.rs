//! Running a source once: take its lease, fetch what it names with the validators of the
//! last good fetch, import what changed as one run, record how it went on the source, give the
//! lease back. The CLI, the API, `/admin` and the jobs all run sources through [`run`].

use super::{LastChange, Source};
use crate::auth::Secret;
use crate::config::{redacted, Config};
use crate::import::fetch::{self, FetchPolicy, Fetched, Validators};
use crate::import::{self, GradeRules, ImportError, ImportOptions, ImportReport, Input};
use crate::sources::Kind;
use crate::store::sources::{self as stored, Recorded};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::path::PathBuf;
use std::time::Duration;

/// How long a run may hold its source's lease: a replica killed mid-run holds it no longer.
pub const LEASE: Duration = Duration::from_secs(3600);

/// What running sources needs to know.
#[derive(Clone)]
pub struct Settings {
    /// `LESSONCAST_TVSS_BASE`, ending in `/`.
    pub tvss_base: String,
    /// `LESSONCAST_PBS_KEY`, sent as `X-PBSAUTH`.
    pub pbs_key: Option<Secret>,
    /// `LESSONCAST_TZ`: crons are read in it, and it is a new station's zone.
    pub district_tz: Tz,
    pub grade_rules: PathBuf,
    pub fetch: FetchPolicy,
    /// Who takes leases: this process, unique among the replicas.
    pub holder: String,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            tvss_base: config.tvss_base.clone(),
            pbs_key: config.pbs_key.clone(),
            district_tz: config.tz,
            grade_rules: config.grade_rules.clone(),
            fetch: config.fetch.clone(),
            holder: holder_name(),
        }
    }
}

/// This process among the replicas: host, process id and a random part.
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}

/// Why a run was asked for.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    /// A cron tick at that instant: run only if no replica took this tick.
    Tick(DateTime<Utc>),
    /// Someone asked (`source run`, "Run now").
    Now,
}

/// What a run did.
#[derive(Debug)]
pub enum Outcome {
    Imported(ImportReport),
    /// Every URL answered 304: nothing changed.
    NotModified,
    /// The tick was taken by another replica, or the source is running already.
    Skipped,
}

/// Why a run failed. The source keeps its last good data.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0} is running now; try again when it has finished")]
    Busy(String),
    #[error("{0}")]
    Fetch(String),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("grade rules: {0}")]
    Rules(String),
}

/// Runs `source` once (see the module doc) and records the outcome on it.
pub async fn run(
    store: &Store,
    settings: &Settings,
    source: &Source,
    trigger: Trigger,
) -> Result<Outcome, RunError> {
    let pool = store.pool();
    let now = Utc::now().timestamp();
    let until = now + LEASE.as_secs() as i64;
    let tick = match trigger {
        Trigger::Tick(t) => Some(t.timestamp()),
        Trigger::Now => None,
    };
    if !stored::take_lease(pool, source.id, &settings.holder, now, until, tick).await? {
        return match trigger {
            Trigger::Tick(_) => Ok(Outcome::Skipped),
            Trigger::Now => Err(RunError::Busy(source.spec.name.clone())),
        };
    }
    let name = source.spec.name.as_str();
    tracing::info!(source = name, ?trigger, "source run started");
    let result = run_leased(store, settings, source).await;
    let finished = Utc::now().timestamp();
    let error = result.as_ref().err().map(|e| e.to_string());
    let recorded = match &result {
        Ok(Outcome::Imported(r)) => Recorded::Imported {
            run_id: r.run_id,
            change: LastChange {
                added: r.counts.added as i64,
                updated: r.counts.updated as i64,
                removed: r.counts.removed as i64,
            },
        },
        Ok(_) => Recorded::NotModified,
        Err(_) => Recorded::Failed {
            error: error.as_deref().unwrap_or(""),
        },
    };
    let outcome_label = match &result {
        Ok(Outcome::Imported(_)) => "ok",
        Ok(_) => "not_modified",
        Err(_) => "failed",
    };
    crate::metrics::global().import_done(name, outcome_label);
    // Given back first, so whoever sees the outcome recorded may run it again at once.
    let release = stored::release_lease(pool, source.id, &settings.holder).await;
    let record = stored::record(pool, source.id, finished, recorded).await;
    match &result {
        Ok(Outcome::Imported(r)) => tracing::info!(
            source = name,
            added = r.counts.added,
            updated = r.counts.updated,
            removed = r.counts.removed,
            unchanged = r.counts.unchanged,
            "source imported"
        ),
        Ok(_) => tracing::info!(source = name, "source not modified"),
        Err(e) => tracing::error!(source = name, error = %e, "source run failed"),
    }
    record?;
    release?;
    result
}

async fn run_leased(
    store: &Store,
    settings: &Settings,
    source: &Source,
) -> Result<Outcome, RunError> {
    let spec = &source.spec;
    let rules = if settings.grade_rules.exists() {
        GradeRules::load(&settings.grade_rules).map_err(|e| RunError::Rules(e.to_string()))?
    } else {
        GradeRules::default()
    };
    let mut opts = ImportOptions {
        format: spec.format,
        station: spec.station.clone(),
        rules,
        default_tz: Some(settings.district_tz),
        tz: spec.tz,
        source_id: Some(source.id),
        ..Default::default()
    };
    let client = fetch::client(&settings.fetch).map_err(|e| RunError::Fetch(e.message))?;
    let mut known = stored::validators(store.pool(), source.id).await?;
    // (URL, day) to fetch.
    let urls: Vec<(String, Option<chrono::NaiveDate>)> = match spec.kind {
        Kind::Url if !is_url(&spec.location) => {
            // A file or directory on this machine: read whole each time.
            let report = import::import(store, &spec.location, &opts).await?;
            return Ok(Outcome::Imported(report));
        }
        Kind::Url => {
            // A TVSS URL named whole (`…/tvss/kcet/today/`) needs the key too.
            if spec.location.contains("/tvss/") {
                if let Some(key) = &settings.pbs_key {
                    opts.headers
                        .push(("X-PBSAUTH".to_string(), Secret::new(key.expose())));
                }
            }
            vec![(spec.location.clone(), None)]
        }
        Kind::Tvss => {
            if let Some(key) = &settings.pbs_key {
                opts.headers
                    .push(("X-PBSAUTH".to_string(), Secret::new(key.expose())));
            }
            let tz = station_zone(store, spec, settings.district_tz).await?;
            let today = Utc::now().with_timezone(&tz).date_naive();
            spec.tvss_days(&settings.tvss_base, today)
                .into_iter()
                .map(|(day, url)| (url, Some(day)))
                .collect()
        }
    };
    let mut inputs = Vec::new();
    let mut fresh = Vec::new();
    for (url, day) in &urls {
        let shown = redacted(url);
        let before = known.remove(url).unwrap_or_default();
        let fetched = fetch::fetch(&client, url, &opts.headers, &before, &settings.fetch)
            .await
            .map_err(|e| {
                let why = match (e.status, spec.kind) {
                    (Some(403), Kind::Tvss) if settings.pbs_key.is_none() => format!(
                        "{}: the PBS service needs a key: set LESSONCAST_PBS_KEY (sent as X-PBSAUTH)",
                        e.message
                    ),
                    (Some(403), Kind::Tvss) => format!(
                        "{}: the PBS service refused the key in LESSONCAST_PBS_KEY: it is wrong, \
                         or has no access to {}",
                        e.message, spec.location
                    ),
                    _ => e.message,
                };
                RunError::Fetch(format!("{shown}: {why}"))
            })?;
        match fetched {
            Fetched::NotModified => {
                tracing::debug!(url = %shown, "not modified");
            }
            Fetched::Body(download) => {
                fresh.push((url.clone(), download.validators.clone()));
                inputs.push(Input::downloaded(shown, download, spec.format, *day)?);
            }
        }
    }
    if inputs.is_empty() {
        return Ok(Outcome::NotModified);
    }
    let shown = match (spec.kind, urls.first(), urls.last()) {
        (Kind::Tvss, Some((first, _)), Some((last, _))) if urls.len() > 1 => format!(
            "{} … {} ({} of {} days changed)",
            redacted(first),
            redacted(last),
            inputs.len(),
            urls.len()
        ),
        _ => redacted(&spec.location),
    };
    let report = import::import_inputs(store, &shown, inputs, &opts).await?;
    // Only now, with the bodies imported, are their validators those of a good fetch.
    let current: Vec<String> = urls.into_iter().map(|(u, _)| u).collect();
    let fresh: Vec<(String, Validators)> = fresh;
    stored::keep_validators(store.pool(), source.id, &fresh, &current).await?;
    Ok(Outcome::Imported(report))
}

fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// The zone a TVSS source's days are counted in: its own, else its station's, else the
/// district's.
async fn station_zone(
    store: &Store,
    spec: &super::SourceSpec,
    district: Tz,
) -> Result<Tz, StoreError> {
    if let Some(tz) = spec.tz {
        return Ok(tz);
    }
    let station = spec.station.as_deref().unwrap_or(&spec.location);
    let zones = crate::store::airings::station_zones(store.pool()).await?;
    Ok(zones
        .into_iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(station))
        .and_then(|(_, tz)| tz.parse().ok())
        .unwrap_or(district))
}
