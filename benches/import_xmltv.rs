//! Import speed and memory on a generated guide shaped like real ones ([`guide`]: 100 channels ×
//! 4 weeks, 161,000 programmes, each episode with its own sub-title and description, and the
//! same at 4× the length). For each size, with the release `lessoncast import` into SQLite:
//!
//! - a fresh import into an empty database;
//! - a re-import of the same, unchanged file (what every scheduled poll of an unchanged guide
//!   does);
//! - an import of the file with 5 % of its programmes changed.
//!
//! The baseline is the XMLTV project's own `tv_cat` re-writing the same file (Debian package
//! `xmltv-util`), run in the same session. With `LESSONCAST_BENCH_POSTGRES=postgres://…` the
//! fresh 1× import runs into PostgreSQL too.
//!
//! Run: `cargo bench --bench import_xmltv` (add `-- --quick` for 1× only). To compare builds in
//! one session, `LESSONCAST_BENCH_BIN=path/to/lessoncast` runs another binary instead, and
//! `LESSONCAST_BENCH_TV_CAT=0` leaves out `tv_cat` (it takes a minute and a half at 1×).

// Test and benchmark code: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod guide;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("import-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let with_tv_cat = std::env::var("LESSONCAST_BENCH_TV_CAT").map_or(true, |v| v != "0");
    let tv_cat = with_tv_cat.then(|| {
        which("tv_cat").unwrap_or_else(|| {
            panic!("tv_cat not found: install it with `apt-get install xmltv-util` (the baseline)")
        })
    });

    println!("| size | run | programmes | file MB | lessoncast s | programmes/s | peak RSS MB | vs fresh | tv_cat s | speed-up vs tv_cat |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let sizes: &[u32] = if quick { &[1] } else { &[1, 4] };
    let mut one_x = None;
    for &times in sizes {
        let file = dir.join(format!("guide-{times}x.xml"));
        let changed = dir.join(format!("guide-{times}x-changed.xml"));
        let n = guide::generate(&file, 28 * times, 0);
        let n_changed = guide::generate(&changed, 28 * times, 50);
        assert_eq!(n, n_changed);
        let mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let db = dir.join(format!("guide-{times}x.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
        let url = format!("sqlite://{}", db.display());
        let tv_secs = tv_cat
            .as_ref()
            .map(|tv_cat| run_measured(Command::new(tv_cat).arg(&file).stdout(Stdio::null())).0);
        let mut fresh = 0.0;
        for (run, path) in [
            ("fresh", &file),
            ("unchanged re-import", &file),
            ("5 % changed", &changed),
        ] {
            let (secs, rss, counts) = import(path, &url);
            if run == "fresh" {
                fresh = secs;
                assert_eq!(counts["added"], n, "every programme added: {counts}");
            }
            if run == "unchanged re-import" {
                assert_eq!(counts["unchanged"], n, "nothing changed: {counts}");
            }
            if run == "5 % changed" {
                let updated = counts["updated"].as_u64().unwrap_or(0);
                assert!(
                    updated * 100 > n * 4 && updated * 100 < n * 6,
                    "about 5 % updated: {counts}"
                );
            }
            println!(
                "| {times}× | {run} | {n} | {mb:.0} | {secs:.2} | {:.0} | {:.0} | {:.2}× | {} |",
                n as f64 / secs,
                rss as f64 / 1024.0,
                fresh / secs,
                against_tv_cat(tv_secs, secs)
            );
        }
        if times == 1 {
            one_x = Some((file, n, mb, fresh, tv_secs));
        }
    }
    // PostgreSQL last: its checkpoints write the import out for a while after it, and would
    // be timed as the next SQLite import's.
    if let (Ok(pg), Some((file, n, mb, fresh, tv_secs))) =
        (std::env::var("LESSONCAST_BENCH_POSTGRES"), one_x)
    {
        let (secs, rss, counts) = import(&file, &fresh_postgres(&pg));
        assert_eq!(counts["added"], n, "{counts}");
        println!(
            "| 1× | fresh, PostgreSQL | {n} | {mb:.0} | {secs:.2} | {:.0} | {:.0} | {:.2}× | {} |",
            n as f64 / secs,
            rss as f64 / 1024.0,
            fresh / secs,
            against_tv_cat(tv_secs, secs)
        );
    }
}

/// The `tv_cat` columns: its time and how many times faster lessoncast was, or dashes when it
/// was left out.
fn against_tv_cat(tv_secs: Option<f64>, secs: f64) -> String {
    match tv_secs {
        Some(tv) => format!("{tv:.2} | {:.1}×", tv / secs),
        None => "— | —".to_string(),
    }
}

/// Imports `file` into the database at `url`: wall seconds, peak RSS in KiB, and the counts.
fn import(file: &Path, url: &str) -> (f64, i64, serde_json::Value) {
    let out = dir_file(file, "out.json");
    // Each import starts with the disk quiet: what the one before wrote (hundreds of MB at
    // 4×) is written back first, not while this one is timed.
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let (secs, rss) = run_measured(
        Command::new(
            std::env::var("LESSONCAST_BENCH_BIN")
                .ok()
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| env!("CARGO_BIN_EXE_lessoncast").to_string()),
        )
        .args(["import", file.to_str().unwrap_or_default(), "--json"])
        .env("DATABASE_URL", url)
        .env("LESSONCAST_GRADE_RULES", "/nonexistent")
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(&out).unwrap()),
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect("import --json");
    (secs, rss, v)
}

fn dir_file(beside: &Path, name: &str) -> PathBuf {
    beside.with_file_name(name)
}

/// A new, empty database on the PostgreSQL server at `base` (`postgres://user:pw@host:port`).
fn fresh_postgres(base: &str) -> String {
    let name = format!("lessoncast_bench_{}", std::process::id());
    let admin = format!("{}/postgres", base.trim_end_matches('/'));
    let ok = Command::new("psql")
        .args([
            &admin,
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
        ])
        .status()
        .and_then(|_| {
            Command::new("psql")
                .args([&admin, "-q", "-c", &format!("CREATE DATABASE {name}")])
                .status()
        })
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "psql could not make a database on {base}");
    format!("{}/{name}", base.trim_end_matches('/'))
}

/// Runs a command to completion with stdout discarded: wall seconds and peak RSS in KiB.
fn run_measured(cmd: &mut Command) -> (f64, i64) {
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    std::mem::forget(child);
    (secs, usage.ru_maxrss)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
