//! Running an import: resolve the source (file, directory or URL), sniff each file's format,
//! parse it on a blocking thread while the async side normalises the programmes (keys, grades,
//! week shift) and merges them into the store in batches, all in one transaction.

use super::source::{resolve, Input};
use super::zone::{Basis, Decision, Evidence};
use super::{csv, tvss, xmltv, GradeRules, ImportError, ParseContext, Programme, Warning};
use crate::domain::{keys, Details, WallTime};
use crate::store::{imports, ImportCounts, ImportWriter, NewAiring, RunOutcome, Store};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use tokio::sync::mpsc;
use tracing::{info, info_span, Instrument};

/// A schedule format, or `auto` to sniff it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Auto,
    Xmltv,
    Tvss,
    Csv,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Format::Auto),
            "xmltv" | "xml" => Ok(Format::Xmltv),
            "tvss" | "json" | "pbs" => Ok(Format::Tvss),
            "csv" => Ok(Format::Csv),
            _ => Err(format!(
                "unknown format `{s}`: use auto, xmltv, tvss or csv"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Auto => "auto",
            Format::Xmltv => "xmltv",
            Format::Tvss => "tvss",
            Format::Csv => "csv",
        })
    }
}

/// How to import.
#[derive(Clone, Default)]
pub struct ImportOptions {
    pub format: Format,
    /// Call sign for sources that do not name their station.
    pub station: Option<String>,
    /// Move every airing by this many whole weeks (the demo week into the current one).
    pub shift_weeks: i64,
    /// Do everything, report the counts, then roll back.
    pub dry_run: bool,
    pub rules: GradeRules,
    /// Zone for new stations and local times without a zone (`LESSONCAST_TZ`).
    pub default_tz: Option<Tz>,
    /// `--tz`: the station's zone, whatever the source says (a TVSS feed's listings are still
    /// read in the feed's own zone).
    pub tz: Option<Tz>,
    /// `--day`: the day of a TVSS response that names none.
    pub day: Option<chrono::NaiveDate>,
    /// `--strict`: a bad record refuses the whole import instead of being skipped.
    pub strict: bool,
    /// Draw a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Extra request headers for URL sources (e.g. `X-PBSAUTH` for the PBS service).
    pub headers: Vec<(String, String)>,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    #[serde(flatten)]
    pub counts: ImportCounts,
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<i64>,
    pub dry_run: bool,
    pub files: usize,
}

/// Imports `source` (a file, a directory of files, or an `http(s)://` URL) into `store`.
/// The import lands whole or not at all, and is recorded as one run unless it is a dry run.
pub async fn import(
    store: &Store,
    source: &str,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let span = info_span!("import", source = %source, dry_run = opts.dry_run);
    async move {
        let now = Utc::now().timestamp();
        let run_id = if opts.dry_run {
            None
        } else {
            Some(imports::start_run(store.pool(), source, now).await?)
        };
        let mut warnings = Vec::new();
        let result = import_inner(store, source, opts, run_id.unwrap_or(0), &mut warnings).await;
        let warnings_json = serde_json::to_string(&warnings).unwrap_or_else(|_| "[]".into());
        let finished = Utc::now().timestamp();
        match result {
            Ok((counts, files)) => {
                if let Some(id) = run_id {
                    imports::finish_run(
                        store.pool(),
                        id,
                        finished,
                        RunOutcome::Ok {
                            counts,
                            warnings_json: &warnings_json,
                        },
                    )
                    .await?;
                }
                info!(?counts, warnings = warnings.len(), "import finished");
                Ok(ImportReport {
                    counts,
                    warnings,
                    run_id,
                    dry_run: opts.dry_run,
                    files,
                })
            }
            Err(e) => {
                if let Some(id) = run_id {
                    let msg = e.to_string();
                    // The import's own error matters more than a failure to record it.
                    if let Err(rec) = imports::finish_run(
                        store.pool(),
                        id,
                        finished,
                        RunOutcome::Failed {
                            error: &msg,
                            warnings_json: &warnings_json,
                        },
                    )
                    .await
                    {
                        tracing::error!(error = %rec, "could not record the failed import");
                    }
                }
                Err(e)
            }
        }
    }
    .instrument(span)
    .await
}

async fn import_inner(
    store: &Store,
    source: &str,
    opts: &ImportOptions,
    run_id: i64,
    warnings: &mut Vec<Warning>,
) -> Result<(ImportCounts, usize), ImportError> {
    let inputs = resolve(source, opts).await?;
    let default_tz = opts.default_tz.unwrap_or(chrono_tz::America::Los_Angeles);
    let mut zones = HashMap::new();
    for (callsign, tz) in crate::store::airings::station_zones(store.pool()).await? {
        if let Ok(z) = tz.parse::<Tz>() {
            zones.insert(callsign, z);
        }
    }

    let now = Utc::now().timestamp();
    let mut writer = ImportWriter::begin(store, run_id, now).await?;
    let mut merge = Merge {
        writer: &mut writer,
        opts,
        default_tz,
        stored: zones.clone(),
        zones: HashMap::new(),
        held: 0,
        recent: HashMap::new(),
        batch: Vec::with_capacity(imports::BATCH),
        lines: Vec::with_capacity(imports::BATCH),
        channels: HashMap::new(),
        ranges: HashMap::new(),
        warnings: Vec::new(),
        file: String::new(),
    };
    let files = inputs.len();
    let mut skipped = 0;
    for input in inputs {
        merge.file = input.name.clone();
        let mut ctx = ParseContext::new(input.name.clone(), default_tz);
        ctx.station = opts.station.clone();
        ctx.station_tz = zones.clone();
        ctx.given_tz = opts.tz;
        ctx.day = opts.day;
        ctx.strict = opts.strict;
        let outcome = parse_into(&mut merge, input, ctx, opts.progress).await;
        match outcome {
            Ok(ctx) => {
                skipped += ctx.skipped;
                warnings.extend(ctx.warnings);
            }
            Err(e) => {
                warnings.append(&mut merge.warnings);
                return Err(e);
            }
        }
        merge.settle_all().await?;
        merge.flush().await?;
        warnings.append(&mut merge.warnings);
    }
    merge.finish_zones().await?;
    merge.flush().await?;
    warnings.append(&mut merge.warnings);
    let ranges: Vec<_> = merge.ranges.iter().map(|(k, v)| (*k, *v)).collect();
    for (channel_id, (from, to)) in ranges {
        writer.close_range(channel_id, from, to).await?;
    }
    let mut counts = if opts.dry_run {
        writer.rollback().await?
    } else {
        writer.commit().await?
    };
    counts.skipped = skipped;
    Ok((counts, files))
}

/// Parses one input on a blocking thread and merges what it yields; returns the parser's
/// context (with its warnings).
async fn parse_into(
    merge: &mut Merge<'_>,
    input: Input,
    mut ctx: ParseContext,
    progress: bool,
) -> Result<ParseContext, ImportError> {
    let (reader, size, read) = input.open()?;
    let bar = progress_bar(progress, size, &input.name);
    if let Some(bar) = bar.clone() {
        // The bar runs over the file's own bytes, compressed or not.
        ctx.progress = Some(Box::new(move |_| bar.set_position(read.get())));
    }
    let format = input.format;
    let (tx, mut rx) = mpsc::channel::<Programme>(4096);
    let parser = tokio::task::spawn_blocking(move || {
        let mut emit = |p: Programme| {
            tx.blocking_send(p).map_err(|_| ImportError::Source {
                source_name: String::new(),
                message: "import stopped".into(),
            })
        };
        let result = match format {
            Format::Xmltv => xmltv::parse(reader, &mut ctx, &mut emit),
            Format::Tvss => tvss::parse(reader, &mut ctx, &mut emit),
            Format::Csv | Format::Auto => csv::parse(reader, &mut ctx, &mut emit),
        };
        (result, ctx)
    });

    let mut store_error = None;
    while let Some(p) = rx.recv().await {
        if let Err(e) = merge.push(p).await {
            store_error = Some(e);
            break;
        }
    }
    drop(rx);
    let (result, ctx) = parser.await.map_err(|e| ImportError::Source {
        source_name: input.name.clone(),
        message: format!("the parser stopped unexpectedly: {e}"),
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(e) = store_error {
        return Err(e);
    }
    result?;
    Ok(ctx)
}

fn progress_bar(wanted: bool, size: u64, name: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() || size < 1 << 20 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(size);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(name.to_string());
    Some(bar)
}

/// Programmes the stations' zones may wait for, all stations together (to count the zones a
/// source names, or for offsets that only one zone matches) before they are settled on what
/// has been seen.
const ZONE_WAIT: usize = 2_000;

/// How far back in time, per channel, kept programmes are remembered to warn of overlaps, and
/// how many at most: enough for any real schedule, bounded for a hostile one.
const OVERLAP_WINDOW: i64 = 86_400;
const OVERLAP_MAX: usize = 512;

/// The async side of an import: settles each station's zone, turns programmes into stored
/// airings, and warns of overlaps.
struct Merge<'w> {
    writer: &'w mut ImportWriter,
    opts: &'w ImportOptions,
    default_tz: Tz,
    /// Stations' stored zones, from before the import.
    stored: HashMap<String, Tz>,
    /// What this import has learnt of each station's zone.
    zones: HashMap<String, StationZone>,
    /// Programmes held until their station's zone is settled, all stations together.
    held: usize,
    batch: Vec<NewAiring>,
    lines: Vec<u64>,
    /// (station, channel) → channel id and station zone.
    channels: HashMap<(String, String), (i64, Tz)>,
    /// channel id → first and last start imported (the range the source speaks for).
    ranges: HashMap<i64, (i64, i64)>,
    /// channel id → programmes kept lately, to warn of overlaps.
    recent: HashMap<i64, RecentOnChannel>,
    warnings: Vec<Warning>,
    file: String,
}

/// One station's zone in an import: the evidence, where the station first appeared, the zone
/// settled on (if it is), and the programmes waiting for it.
struct StationZone {
    evidence: Evidence,
    file: String,
    line: u64,
    tz: Option<Tz>,
    held: Vec<Programme>,
}

/// The programmes kept lately on one channel, in start order.
#[derive(Default)]
struct RecentOnChannel {
    items: Vec<Recent>,
    /// The latest start seen on the channel.
    latest: i64,
    /// The longest programme kept (seconds): no programme that starts earlier than that before
    /// another can overlap it.
    longest: i64,
    /// Programmes placed since the last clear-out of old ones.
    since_pruned: u32,
}

/// A programme kept on a channel, as the overlap check needs it.
struct Recent {
    start: i64,
    end: Option<i64>,
    line: u64,
    /// A hash of series and episode, to tell a repeat of the same programme from another one.
    identity: u64,
    clump: bool,
}

impl Merge<'_> {
    async fn push(&mut self, p: Programme) -> Result<(), ImportError> {
        let (file, line) = (&self.file, p.line);
        let station = self
            .zones
            .entry(p.station.clone())
            .or_insert_with(|| StationZone {
                evidence: Evidence::default(),
                file: file.clone(),
                line,
                tz: None,
                held: Vec::new(),
            });
        station.evidence.add(p.zone, p.start);
        if let Some(tz) = station.tz {
            return self.place(p, tz).await;
        }
        // The zones a source names are counted over the whole file (one station's feeds may
        // name different ones); anything else is decided at once and checked again at the end.
        let wait = self.opts.tz.is_none() && station.evidence.names_zones();
        let callsign = p.station.clone();
        station.held.push(p);
        self.held += 1;
        if !wait {
            self.settle(&callsign).await?;
        } else if self.held >= ZONE_WAIT {
            // Memory stays bounded however many stations wait.
            self.settle_all().await?;
        }
        Ok(())
    }

    /// Decides `station`'s zone on the evidence so far, corrects the stored one when the
    /// evidence is better, and places the programmes that waited.
    async fn settle(&mut self, station: &str) -> Result<(), ImportError> {
        let Some(zone) = self.zones.get_mut(station) else {
            return Ok(());
        };
        if zone.tz.is_some() {
            return Ok(());
        }
        let held = std::mem::take(&mut zone.held);
        let stored = self.stored.get(station).copied();
        let decision = zone
            .evidence
            .decide(station, self.opts.tz, stored, self.default_tz);
        zone.tz = Some(decision.tz);
        self.held -= held.len();
        let correct = !matches!(decision.basis, Basis::Stored | Basis::Default);
        let (_, before) = self
            .writer
            .station(station, decision.tz.name(), correct)
            .await?;
        if let Some(before) = before {
            self.say_corrected(station, &before, &decision);
        }
        for p in held {
            self.place(p, decision.tz).await?;
        }
        Ok(())
    }

    /// Settles every station still waiting (a file has ended, or too much waits).
    async fn settle_all(&mut self) -> Result<(), ImportError> {
        let mut stations: Vec<String> = self
            .zones
            .iter()
            .filter(|(_, z)| z.tz.is_none())
            .map(|(s, _)| s.clone())
            .collect();
        stations.sort();
        for station in stations {
            self.settle(&station).await?;
        }
        Ok(())
    }

    /// The import has read everything: each station's zone is decided again on all the
    /// evidence (a station decided on its first programmes may turn out to be elsewhere), its
    /// stored zone corrected if need be, and what was missing or ambiguous said once.
    async fn finish_zones(&mut self) -> Result<(), ImportError> {
        self.settle_all().await?;
        let mut stations: Vec<String> = self.zones.keys().cloned().collect();
        stations.sort();
        for station in stations {
            let Some(zone) = self.zones.get(&station) else {
                continue;
            };
            let stored = self.stored.get(&station).copied();
            let decision = zone
                .evidence
                .decide(&station, self.opts.tz, stored, self.default_tz);
            let (file, line, settled) = (zone.file.clone(), zone.line, zone.tz);
            if settled != Some(decision.tz)
                && !matches!(decision.basis, Basis::Stored | Basis::Default)
            {
                if let Some(before) = self
                    .writer
                    .correct_zone(&station, decision.tz.name())
                    .await?
                {
                    self.say_corrected(&station, &before, &decision);
                }
            }
            if let Some(note) = decision.note {
                self.warnings.push(Warning {
                    file,
                    line,
                    field: "timezone".into(),
                    message: note,
                });
            }
        }
        Ok(())
    }

    fn say_corrected(&mut self, station: &str, before: &str, decision: &Decision) {
        let Some(zone) = self.zones.get(station) else {
            return;
        };
        let why = match decision.basis {
            Basis::Given => "--tz names",
            Basis::Named => "its source names",
            _ => "the UTC offsets of its times match",
        };
        let tz = decision.tz.name();
        self.warnings.push(Warning {
            file: zone.file.clone(),
            line: zone.line,
            field: "timezone".into(),
            message: format!("{station} was in {before}; {why} {tz}: its zone is now {tz}"),
        });
    }

    /// Turns a programme of a station in zone `tz` into an airing for the store.
    async fn place(&mut self, p: Programme, tz: Tz) -> Result<(), ImportError> {
        let key = (p.station.clone(), p.channel.clone());
        let channel_id = match self.channels.get(&key) {
            Some((id, _)) => *id,
            None => {
                let (station_id, _) = self.writer.station(&p.station, tz.name(), false).await?;
                let id = self
                    .writer
                    .channel(station_id, &p.channel, p.channel_name.as_deref())
                    .await?;
                self.channels.insert(key, (id, tz));
                id
            }
        };
        let weeks = self.opts.shift_weeks;
        let start = shift_local(p.start, weeks, tz);
        let end = p.end.map(|e| shift_local(e, weeks, tz));
        let grades = if p.details.grades.is_empty() {
            let local = start.with_timezone(&tz).naive_local();
            self.opts.rules.grades_for(&p.station, &p.channel, local)
        } else {
            p.details.grades
        };
        let series_key = keys::series_key(&p.details.title);
        let episode_key = keys::episode_key(
            &series_key,
            p.details.episode_title.as_deref(),
            p.nola_episode.as_deref(),
            p.episode_num.as_deref(),
        );
        let mut a = NewAiring {
            channel_id,
            start_at: start.timestamp(),
            end_at: end.map(|e| e.timestamp()),
            end_guessed: p.end_guessed,
            details: Details {
                grades,
                ..p.details
            },
            series_key,
            episode_key,
            nola_root: p.nola_root,
            nola_episode: p.nola_episode,
            episode_num: p.episode_num,
            hd: p.hd,
            previously_shown: p.previously_shown,
            source_id: p.source_id,
            fingerprint: 0,
        };
        a.fingerprint = fingerprint(&a);
        let range = self
            .ranges
            .entry(channel_id)
            .or_insert((a.start_at, a.start_at));
        range.0 = range.0.min(a.start_at);
        range.1 = range.1.max(a.start_at);
        self.check_overlaps(&a, p.line, p.clump);
        self.batch.push(a);
        self.lines.push(p.line);
        if self.batch.len() >= imports::BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), ImportError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let duplicates = self.writer.write(&self.batch).await?;
        for i in duplicates {
            self.warnings.push(Warning {
                file: self.file.clone(),
                line: self.lines[i],
                field: "start".into(),
                message: "duplicate programme: the same programme (series and episode) starts \
                          at the same time on the same channel twice; one is kept, the one \
                          whose end the file states"
                    .into(),
            });
        }
        self.batch.clear();
        self.lines.clear();
        Ok(())
    }

    /// Warns when `a` overlaps any programme kept lately on its channel (both are kept:
    /// schedules do overlap when a station runs late or a listing is wrong). Programmes of one
    /// clump share their slot on purpose, and a repeat of the same programme is a duplicate,
    /// not an overlap.
    fn check_overlaps(&mut self, a: &NewAiring, line: u64, clump: bool) {
        let channel = self.recent.entry(a.channel_id).or_default();
        if channel.items.is_empty() {
            channel.latest = a.start_at;
        }
        channel.latest = channel.latest.max(a.start_at);
        channel.since_pruned += 1;
        if channel.since_pruned >= 64 || channel.items.len() >= OVERLAP_MAX {
            let horizon = channel.latest - OVERLAP_WINDOW;
            channel
                .items
                .retain(|r| r.end.unwrap_or(r.start) >= horizon);
            channel.since_pruned = 0;
        }
        // Only programmes starting between `longest` before this one and its end can overlap
        // it (the list is in start order), so a regular schedule compares a few, not a day's.
        let reach = a.end_at.unwrap_or(a.start_at).max(a.start_at + 1);
        let from = channel
            .items
            .partition_point(|r| r.start < a.start_at - channel.longest);
        let to = channel.items.partition_point(|r| r.start < reach);
        if let Some(end) = a.end_at {
            channel.longest = channel.longest.max(end - a.start_at);
        }
        let recent = &mut channel.items;
        let identity = keys::Fnv1a::default()
            .write(a.series_key.as_bytes())
            .write(&[0xff])
            .write(a.episode_key.as_deref().unwrap_or("\u{0}").as_bytes())
            .finish();
        let mut overlaps = Vec::new();
        for r in &recent[from..to.max(from)] {
            if r.start == a.start_at && r.identity == identity {
                // A repeat of a programme kept: a duplicate, which the store says.
                return;
            }
            let (Some(r_end), Some(a_end)) = (r.end, a.end_at) else {
                continue;
            };
            let together = r.start == a.start_at && r.clump && clump;
            if !together && r.start < a_end && a.start_at < r_end {
                overlaps.push(format!(
                    "\"{}\" overlaps the programme at line {} on the same channel; both kept",
                    a.details.title, r.line
                ));
            }
        }
        for message in overlaps {
            self.warnings.push(Warning {
                file: self.file.clone(),
                line,
                field: "start".into(),
                message,
            });
        }
        if recent.len() >= OVERLAP_MAX {
            recent.remove(0);
        }
        let at = recent.partition_point(|r| r.start <= a.start_at);
        recent.insert(
            at,
            Recent {
                start: a.start_at,
                end: a.end_at,
                line,
                identity,
                clump,
            },
        );
    }
}

/// Moves an instant by whole weeks on the station's wall clock, so that a 09:00 lesson of a
/// summer-time week is still at 09:00 when moved into a winter week.
fn shift_local(t: DateTime<Utc>, weeks: i64, tz: Tz) -> DateTime<Utc> {
    if weeks == 0 {
        return t;
    }
    let local = t.with_timezone(&tz).naive_local() + Duration::weeks(weeks);
    // When the wall-clock time does not exist that night (spring forward), the instant keeps
    // its distance instead.
    WallTime::of(&tz, &local)
        .earliest()
        .unwrap_or(t + Duration::weeks(weeks))
}

/// A hash of the stored content (FNV-1a: stable across builds, unlike the standard hasher).
fn fingerprint(a: &NewAiring) -> i64 {
    let mut h = keys::Fnv1a::default();
    let mut eat = |bytes: &[u8]| {
        h.write(bytes).write(&[0xff]);
    };
    eat(&a.end_at.unwrap_or(i64::MIN).to_le_bytes());
    eat(&[a.end_guessed as u8]);
    eat(a.details.title.as_bytes());
    for s in [
        &a.details.title_es,
        &a.details.episode_title,
        &a.details.episode_title_es,
        &a.details.description,
        &a.details.description_es,
        &a.episode_key,
        &a.nola_root,
        &a.nola_episode,
        &a.episode_num,
        &a.source_id,
    ] {
        eat(s.as_deref().unwrap_or("\u{0}").as_bytes());
    }
    eat(a.series_key.as_bytes());
    eat(&(a.details.grades.bits() as i64).to_le_bytes());
    eat(&[
        a.details.captions as u8,
        a.details.spanish_audio as u8,
        a.hd as u8,
        a.previously_shown as u8,
    ]);
    h.finish() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn moving_a_summer_week_into_winter_keeps_the_wall_clock() {
        let la = chrono_tz::America::Los_Angeles;
        // Monday 2020-04-13 09:00 PDT
        let t = la
            .with_ymd_and_hms(2020, 4, 13, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let weeks = crate::domain::Week::containing(t.date_naive())
            .weeks_until("2026-11-23".parse().unwrap());
        let moved = shift_local(t, weeks, la).with_timezone(&la);
        assert_eq!(moved.to_string(), "2026-11-23 09:00:00 PST");
    }
}
