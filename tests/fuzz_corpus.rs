//! The fuzz targets' seeds, replayed as an ordinary test (no nightly toolchain needed): every
//! schedule we ship, every fixture, every file of `../shared/schedules-real/` and the seeds in
//! `fuzz/seeds/` go through all three parsers (a CSV through the XMLTV parser too), the query
//! parsers and feed rendering, as `fuzz/fuzz_targets/*` would. Inputs the fuzzer found that
//! broke a rule are kept in `fuzz/seeds/<target>/`, so they stay fixed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::repo;
use std::path::{Path, PathBuf};

/// Every file under `dir`, recursively, in a stable order.
fn files(dir: &Path) -> Vec<PathBuf> {
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn seeds() -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in [
        repo().join("schedules"),
        repo().join("tests/fixtures"),
        repo().join("../shared/schedules-real"),
        repo().join("fuzz/seeds"),
    ] {
        all.extend(files(&dir));
    }
    all
}

#[test]
fn every_seed_goes_through_every_parser_without_a_panic() {
    let seeds = seeds();
    assert!(seeds.len() >= 40, "only {} seeds", seeds.len());
    for path in &seeds {
        let data = std::fs::read(path).unwrap();
        // A panic names the rule; this names the input.
        let run = |name: &str, f: fn(&[u8])| {
            let r = std::panic::catch_unwind(|| f(&data));
            assert!(r.is_ok(), "{name} on {}", path.display());
        };
        run("xmltv", lessoncast::fuzzing::xmltv);
        run("tvss", lessoncast::fuzzing::tvss);
        run("csv", lessoncast::fuzzing::csv);
    }
}

#[test]
fn query_and_feed_seeds_hold_their_rules() {
    for path in files(&repo().join("fuzz/seeds/query")) {
        let data = std::fs::read(&path).unwrap();
        let r = std::panic::catch_unwind(|| lessoncast::fuzzing::query(&data));
        assert!(r.is_ok(), "query on {}", path.display());
    }
    // Every seed file is also arbitrary text for the feed: names, titles, instructions.
    for path in seeds() {
        let data = std::fs::read(&path).unwrap();
        let head = &data[..data.len().min(16 * 1024)];
        let r = std::panic::catch_unwind(|| lessoncast::fuzzing::feed(head));
        assert!(r.is_ok(), "feed on {}", path.display());
        let r = std::panic::catch_unwind(|| lessoncast::fuzzing::query(head));
        assert!(r.is_ok(), "query on {}", path.display());
    }
}
