//! What becomes of each parsed programme: its station's zone settled (at first sight, and again
//! on all the evidence at the end), its week shifted, its grades and identity given, overlaps
//! on its channel warned of, and batches written through the store's import writer (one being
//! written while the next is made).

use super::zone::{Basis, Decision, Evidence};
use super::{ImportError, ImportOptions, Programme, Warning, WarningCap};
use crate::domain::{keys, Details, WallTime};
use crate::store::{imports, ImportWriter, NewAiring};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Programmes the stations' zones may wait for, all stations together (to count the zones a
/// source names, or for offsets that only one zone matches) before they are settled on what
/// has been seen.
const ZONE_WAIT: usize = 2_000;

/// How far back in time, per channel, kept programmes are remembered to warn of overlaps, and
/// how many at most: enough for any real schedule, bounded for a hostile one.
const OVERLAP_WINDOW: i64 = 86_400;
const OVERLAP_MAX: usize = 512;

/// Stations one import may bring. Each costs memory for the whole import (its zone, its
/// channels, their ranges); a guide of every station of a country has a few thousand.
pub const MAX_STATIONS: usize = 20_000;

/// The async side of an import: settles each station's zone, turns programmes into stored
/// airings, and warns of overlaps.
pub(super) struct Merge<'w> {
    /// The writer, unless it is writing a batch ([`Merge::writing`]).
    writer: Option<&'w mut ImportWriter>,
    /// The batch being written, with the writer: SQLite works on it on its own thread while
    /// this side makes the next batch (the two took turns, and their sum was the import's
    /// time). At most one at a time, so batches are written in order.
    writing: Option<Writing<'w>>,
    /// The last written batch's vectors, emptied, for the next one.
    spare: Option<(Vec<NewAiring>, Vec<u64>)>,
    /// Whether the next batch is made while this one is written (see [`Merge::written`]).
    overlap: bool,
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
    /// station → channel → channel id and station zone (two levels, so that a programme's
    /// lookup borrows its names instead of copying them).
    channels: HashMap<String, HashMap<String, (i64, Tz)>>,
    /// channel id → first and last start imported (the range the source speaks for).
    pub(super) ranges: HashMap<i64, (i64, i64)>,
    /// channel id → programmes kept lately, to warn of overlaps.
    recent: HashMap<i64, RecentOnChannel>,
    pub(super) warnings: Vec<Warning>,
    /// The first of each kind of warning are kept; the rest counted ([`WarningCap`]).
    pub(super) cap: WarningCap,
    pub(super) file: String,
}

/// A batch being written.
type Writing<'w> = std::pin::Pin<Box<dyn std::future::Future<Output = Written<'w>> + Send + 'w>>;

/// A written batch: the writer back, the batch and its lines, and the writer's answer (the
/// indexes of duplicates).
struct Written<'w> {
    writer: &'w mut ImportWriter,
    /// Most of the batch was stored already, unchanged: its write was mostly a read.
    mostly_unchanged: bool,
    batch: Vec<NewAiring>,
    lines: Vec<u64>,
    duplicates: Result<Vec<usize>, crate::store::StoreError>,
}

/// One station's zone in an import: the evidence, where the station first appeared, the zone
/// settled on (if it is), and the programmes waiting for it.
struct StationZone {
    evidence: Evidence,
    pub(super) file: String,
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

impl<'w> Merge<'w> {
    /// A merge into `writer`, knowing the zones stations are stored in.
    pub(super) fn new(
        writer: &'w mut ImportWriter,
        opts: &'w ImportOptions,
        default_tz: Tz,
        stored: HashMap<String, Tz>,
    ) -> Self {
        Merge {
            writer: Some(writer),
            writing: None,
            spare: None,
            overlap: true,
            opts,
            default_tz,
            stored,
            zones: HashMap::new(),
            held: 0,
            recent: HashMap::new(),
            batch: Vec::with_capacity(imports::BATCH),
            lines: Vec::with_capacity(imports::BATCH),
            channels: HashMap::new(),
            ranges: HashMap::new(),
            warnings: Vec::new(),
            cap: WarningCap::default(),
            file: String::new(),
        }
    }

    fn warn(&mut self, w: Warning) {
        if self.cap.admit(&w) {
            self.warnings.push(w);
        }
    }
}

impl<'w> Merge<'w> {
    pub(super) async fn push(&mut self, p: Programme) -> Result<(), ImportError> {
        let (file, line) = (&self.file, p.line);
        if self.zones.len() >= MAX_STATIONS && !self.zones.contains_key(&*p.station) {
            return Err(ImportError::Invalid {
                at: crate::import::Location {
                    file: file.clone(),
                    line,
                    field: "channel".into(),
                },
                message: format!(
                    "more than {MAX_STATIONS} stations in one import: split the source by station \
                     (a real guide has a few thousand at most)"
                ),
            });
        }
        if !self.zones.contains_key(&*p.station) {
            self.zones.insert(
                p.station.to_string(),
                StationZone {
                    evidence: Evidence::default(),
                    file: file.clone(),
                    line,
                    tz: None,
                    held: Vec::new(),
                },
            );
        }
        let Some(station) = self.zones.get_mut(&*p.station) else {
            return Ok(());
        };
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
            .writer()
            .await?
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
    pub(super) async fn settle_all(&mut self) -> Result<(), ImportError> {
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
    pub(super) async fn finish_zones(&mut self) -> Result<(), ImportError> {
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
                    .writer()
                    .await?
                    .correct_zone(&station, decision.tz.name())
                    .await?
                {
                    self.say_corrected(&station, &before, &decision);
                }
            }
            if let Some(note) = decision.note {
                self.warn(Warning {
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
        self.warn(Warning {
            file: zone.file.clone(),
            line: zone.line,
            field: "timezone".into(),
            message: format!("{station} was in {before}; {why} {tz}: its zone is now {tz}"),
        });
    }

    /// The id of a channel this import has placed programmes on.
    pub(super) fn channel_id(&self, station: &str, channel: &str) -> Option<i64> {
        self.channels
            .get(station)
            .and_then(|c| c.get(channel))
            .map(|(id, _)| *id)
    }

    /// Turns a programme of a station in zone `tz` into an airing for the store.
    async fn place(&mut self, p: Programme, tz: Tz) -> Result<(), ImportError> {
        let known = self
            .channels
            .get(&*p.station)
            .and_then(|c| c.get(&*p.channel));
        let channel_id = match known {
            Some((id, _)) => *id,
            None => {
                let writer = self.writer().await?;
                let (station_id, _) = writer.station(&p.station, tz.name(), false).await?;
                let id = writer
                    .channel(station_id, &p.channel, p.channel_name.as_deref())
                    .await?;
                self.channels
                    .entry(p.station.to_string())
                    .or_default()
                    .insert(p.channel.to_string(), (id, tz));
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
            self.start_writing().await?;
        } else {
            self.nudge().await?;
        }
        Ok(())
    }

    /// Writes the batch and waits until it is written.
    pub(super) async fn flush(&mut self) -> Result<(), ImportError> {
        self.start_writing().await?;
        self.wait_written().await
    }

    /// The writer, once the batch being written (if any) is written.
    async fn writer(&mut self) -> Result<&mut ImportWriter, ImportError> {
        self.wait_written().await?;
        self.writer.as_deref_mut().ok_or_else(Self::lost_writer)
    }

    fn lost_writer() -> ImportError {
        ImportError::Source {
            source_name: String::new(),
            message: "the import's writer was lost after a failed write".into(),
        }
    }

    /// Hands the batch to the writer (after the one before it is written) and sends its first
    /// statement, without waiting for it: the next batch is made meanwhile.
    async fn start_writing(&mut self) -> Result<(), ImportError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        self.wait_written().await?;
        let writer = self.writer.take().ok_or_else(Self::lost_writer)?;
        let (next_batch, next_lines) = self.spare.take().unwrap_or_else(|| {
            (
                Vec::with_capacity(imports::BATCH),
                Vec::with_capacity(imports::BATCH),
            )
        });
        let batch = std::mem::replace(&mut self.batch, next_batch);
        let lines = std::mem::replace(&mut self.lines, next_lines);
        self.writing = Some(Box::pin(async move {
            let before = writer.counts().unchanged;
            let duplicates = writer.write(&batch).await;
            let unchanged = writer.counts().unchanged - before;
            Written {
                writer,
                mostly_unchanged: unchanged * 2 > batch.len() as u64,
                batch,
                lines,
                duplicates,
            }
        }));
        if self.overlap {
            self.nudge().await
        } else {
            self.wait_written().await
        }
    }

    /// Lets the batch being written go on to its next statement, if the last one is done,
    /// without waiting.
    async fn nudge(&mut self) -> Result<(), ImportError> {
        let Some(writing) = self.writing.as_mut() else {
            return Ok(());
        };
        if let std::task::Poll::Ready(done) = futures_util::poll!(writing.as_mut()) {
            self.writing = None;
            self.written(done)?;
        }
        Ok(())
    }

    /// Waits until the batch being written is written.
    async fn wait_written(&mut self) -> Result<(), ImportError> {
        if let Some(writing) = self.writing.take() {
            let done = writing.await;
            self.written(done)?;
        }
        Ok(())
    }

    /// A batch is written: the writer is back, its duplicates are warned of.
    fn written(&mut self, written: Written<'w>) -> Result<(), ImportError> {
        let Written {
            writer,
            mostly_unchanged,
            mut batch,
            mut lines,
            duplicates,
        } = written;
        self.writer = Some(writer);
        // A write that is mostly a read gains nothing from making the next batch meanwhile:
        // the stored rows come back in small parcels the merge must take as they come, and
        // the parser, the merge and SQLite then contend for two cores (an unchanged 4×
        // re-import took 1.11× the time). The next batch waits for it.
        self.overlap = !mostly_unchanged;
        for i in duplicates? {
            self.warn(Warning {
                file: self.file.clone(),
                line: lines[i],
                field: "start".into(),
                message: "duplicate programme: the same programme (series and episode) starts \
                          at the same time on the same channel twice; one is kept, the one \
                          whose end the file states"
                    .into(),
            });
        }
        batch.clear();
        lines.clear();
        self.spare = Some((batch, lines));
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
        for message in overlaps {
            self.warn(Warning {
                file: self.file.clone(),
                line,
                field: "start".into(),
                message,
            });
        }
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
