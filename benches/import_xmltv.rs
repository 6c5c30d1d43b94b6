//! Import speed and memory: generates a large XMLTV file (100 channels × 4 weeks, about 270,000
//! programmes, and the same at 4× the length), imports each into a fresh SQLite database with
//! the release `lessoncast import`, and times the XMLTV project's own `tv_cat` re-writing the
//! same file as the baseline (Debian package `xmltv-util`).
//!
//! Run: `cargo bench --bench import_xmltv` (add `-- --quick` for 1× only).

// Test and benchmark code: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const CHANNELS: u32 = 100;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("import-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let tv_cat = which("tv_cat").unwrap_or_else(|| {
        panic!("tv_cat not found: install it with `apt-get install xmltv-util` (the baseline)")
    });

    println!("| size | programmes | file MB | lessoncast s | programmes/s | peak RSS MB | tv_cat s | speed-up vs tv_cat |");
    println!("|---|---|---|---|---|---|---|---|");
    let sizes: &[u32] = if quick { &[1] } else { &[1, 4] };
    for &times in sizes {
        let file = dir.join(format!("bench-{times}x.xml"));
        let n = generate(&file, 28 * times);
        let mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let db = dir.join(format!("bench-{times}x.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
        let (secs, rss) = run_measured(
            Command::new(env!("CARGO_BIN_EXE_lessoncast"))
                .args(["import", file.to_str().unwrap_or_default(), "--json"])
                .env("DATABASE_URL", format!("sqlite://{}", db.display()))
                .env("LESSONCAST_GRADE_RULES", "/nonexistent")
                .env("RUST_LOG", "warn"),
        );
        let (tv_secs, _) = run_measured(Command::new(&tv_cat).arg(&file));
        println!(
            "| {times}× | {n} | {mb:.0} | {secs:.2} | {:.0} | {:.0} | {tv_secs:.2} | {:.1}× |",
            n as f64 / secs,
            rss as f64 / 1024.0,
            tv_secs / secs
        );
    }
}

/// Writes `days` days of 100 channels, programmes of 10 to 20 minutes (96 a day on average).
fn generate(path: &Path, days: u32) -> u64 {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).expect("bench file"));
    let mut n = 0u64;
    let titles = [
        "Cyberchase",
        "Wild Kratts",
        "Molly of Denali",
        "NOVA",
        "Odd Squad",
        "Nature",
    ];
    writeln!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv generator-info-name=\"lessoncast bench\">"
    )
    .unwrap();
    for c in 0..CHANNELS {
        writeln!(w, "  <channel id=\"K{:03}.{}.1\"><display-name>K{:03}</display-name><lcn>{}.1</lcn></channel>", c, c + 2, c, c + 2).unwrap();
    }
    let start = 1_586_761_200i64; // 2020-04-13 07:00:00 UTC = 00:00 PDT
    let lengths = [15i64, 15, 10, 20];
    for c in 0..CHANNELS {
        let mut t = start;
        let mut i = 0usize;
        while t < start + days as i64 * 86_400 {
            let len = lengths[i % lengths.len()] * 60;
            let title = titles[(i + c as usize) % titles.len()];
            writeln!(
                w,
                "  <programme start=\"{}\" stop=\"{}\" channel=\"K{:03}.{}.1\">\n    <title lang=\"en\">{}</title>\n    <sub-title lang=\"en\">Episode {}</sub-title>\n    <desc lang=\"en\">An episode about things, number {} of the season.</desc>\n    <category lang=\"en\">{}</category>\n    <subtitles type=\"onscreen\"/>\n  </programme>",
                xmltv_time(t), xmltv_time(t + len), c, c + 2, title, i % 500, i, if i.is_multiple_of(3) { "Grades 4-8" } else { "Children" }
            )
            .unwrap();
            t += len;
            i += 1;
            n += 1;
        }
    }
    writeln!(w, "</tv>").unwrap();
    w.flush().unwrap();
    n
}

fn xmltv_time(epoch: i64) -> String {
    let t = chrono::DateTime::from_timestamp(epoch, 0).expect("time");
    format!("{} +0000", t.format("%Y%m%d%H%M%S"))
}

/// Runs a command to completion with stdout discarded: wall seconds and peak RSS in KiB.
fn run_measured(cmd: &mut Command) -> (f64, i64) {
    let started = Instant::now();
    let child = cmd.stdout(Stdio::null()).spawn().expect("spawn");
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
