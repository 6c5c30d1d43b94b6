//! Running an import: resolve the source (file, directory or URL), sniff each file's format,
//! parse it on a blocking thread while the async side normalises the programmes (keys, grades,
//! week shift) and merges them into the store in batches, all in one transaction.

use super::merge::Merge;
use super::source::resolve;
pub use super::source::Input;
use super::{csv, lines, tvss, xmltv, GradeRules, ImportError, ParseContext, Programme, Warning};
use crate::store::{imports, ImportCounts, ImportWriter, RunOutcome, Store};
use chrono::Utc;
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
    /// The values are secrets: never printed.
    pub headers: Vec<(String, crate::auth::Secret)>,
    /// The schedule source (in the database) this import is a run of, recorded with it.
    pub source_id: Option<i64>,
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
    // The source as logged and recorded: without any password in its URL.
    let shown = crate::config::redacted(source);
    import_from(store, &shown, Inputs::Resolve(source), opts).await
}

/// Imports files already fetched (a source's day URLs, say) as one run named `shown`. Each
/// file speaks only for its own range of each channel: what vanished from one is removed,
/// and what lies between them is untouched.
pub async fn import_inputs(
    store: &Store,
    shown: &str,
    inputs: Vec<Input>,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_from(store, shown, Inputs::Given(inputs), opts).await
}

/// Where an import's files come from.
enum Inputs<'a> {
    /// A file, directory or URL, as the user named it.
    Resolve(&'a str),
    Given(Vec<Input>),
}

async fn import_from(
    store: &Store,
    shown: &str,
    inputs: Inputs<'_>,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let shown = shown.to_string();
    let span = info_span!("import", source = %shown, dry_run = opts.dry_run);
    async move {
        let now = Utc::now().timestamp();
        let run_id = if opts.dry_run {
            None
        } else {
            Some(imports::start_run(store.pool(), &shown, opts.source_id, now).await?)
        };
        let mut warnings = Vec::new();
        let result = import_inner(store, inputs, opts, run_id.unwrap_or(0), &mut warnings).await;
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
    inputs: Inputs<'_>,
    opts: &ImportOptions,
    run_id: i64,
    warnings: &mut Vec<Warning>,
) -> Result<(ImportCounts, usize), ImportError> {
    let inputs = match inputs {
        Inputs::Resolve(source) => resolve(source, opts).await?,
        Inputs::Given(inputs) => inputs,
    };
    let default_tz = opts.default_tz.unwrap_or(chrono_tz::America::Los_Angeles);
    let mut zones = HashMap::new();
    for (callsign, tz) in crate::store::airings::station_zones(store.pool()).await? {
        if let Ok(z) = tz.parse::<Tz>() {
            zones.insert(callsign, z);
        }
    }

    let now = Utc::now().timestamp();
    let mut writer = ImportWriter::begin(store, run_id, now).await?;
    let mut merge = Merge::new(&mut writer, opts, default_tz, zones.clone());
    let files = inputs.len();
    let mut skipped = 0;
    // Each file's range of each channel: what the file speaks for.
    let mut ranges: Vec<(i64, (i64, i64))> = Vec::new();
    for input in inputs {
        merge.file = input.name.clone();
        let mut ctx = ParseContext::new(input.name.clone(), default_tz);
        ctx.station = opts.station.clone();
        ctx.station_tz = zones.clone();
        ctx.given_tz = opts.tz;
        ctx.day = input.day.or(opts.day);
        ctx.strict = opts.strict;
        let outcome = parse_into(&mut merge, input, ctx, opts.progress).await;
        let covers = match outcome {
            Ok(mut ctx) => {
                skipped += ctx.skipped;
                warnings.extend(std::mem::take(&mut ctx.warnings));
                warnings.extend(ctx.cap.summaries());
                std::mem::take(&mut ctx.covers)
            }
            Err(e) => {
                warnings.append(&mut merge.warnings);
                return Err(e);
            }
        };
        merge.settle_all().await?;
        merge.flush().await?;
        warnings.append(&mut merge.warnings);
        // A file that names the span it covers (a TVSS day) speaks for all of it, not only
        // from its first start to its last: a last listing that vanished is gone too.
        for cover in covers.into_iter().filter(|_| opts.shift_weeks == 0) {
            if let Some(id) = merge.channel_id(&cover.station, &cover.channel) {
                let r = merge.ranges.entry(id).or_insert((cover.from, cover.to));
                r.0 = r.0.min(cover.from);
                r.1 = r.1.max(cover.to);
            }
        }
        ranges.extend(merge.ranges.drain());
    }
    merge.finish_zones().await?;
    merge.flush().await?;
    warnings.append(&mut merge.warnings);
    warnings.extend(merge.cap.summaries());
    // Programmes that waited for their station's zone until the end.
    ranges.extend(merge.ranges.drain());
    // Every batch is written (the flush above waited for the last): the writer is free.
    drop(merge);
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
    // The file is read (and decompressed) on a thread of its own, ahead of the parse.
    let reader = lines::ReadAhead::spawn(reader).map_err(|e| ImportError::Source {
        source_name: input.name.clone(),
        message: format!("cannot start reading: {e}"),
    })?;
    // Programmes cross to the merge in chunks: one hand-over (and wake-up) per chunk rather
    // than per programme. 16 chunks in flight keep both sides busy.
    const CHUNK: usize = 256;
    let (tx, mut rx) = mpsc::channel::<Vec<Programme>>(16);
    let parser = tokio::task::spawn_blocking(move || {
        let stopped = || ImportError::Source {
            source_name: String::new(),
            message: "import stopped".into(),
        };
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut emit = |p: Programme| {
            chunk.push(p);
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                tx.blocking_send(full).map_err(|_| stopped())?;
            }
            Ok(())
        };
        let mut result = match format {
            Format::Xmltv => xmltv::parse(reader, &mut ctx, &mut emit),
            Format::Tvss => tvss::parse(lines::Counted::new(reader), &mut ctx, &mut emit),
            Format::Csv | Format::Auto => {
                csv::parse(lines::Counted::new(reader), &mut ctx, &mut emit)
            }
        };
        if result.is_ok() && !chunk.is_empty() {
            result = tx.blocking_send(chunk).map_err(|_| stopped());
        }
        (result, ctx)
    });

    let mut store_error = None;
    'chunks: while let Some(chunk) = rx.recv().await {
        for p in chunk {
            if let Err(e) = merge.push(p).await {
                store_error = Some(e);
                break 'chunks;
            }
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
