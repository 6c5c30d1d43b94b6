//! Files we did not write: real listings and other projects' own test inputs
//! (`../shared/schedules-real/`, see its SOURCES.md). Each must import with every programme
//! accounted for (kept, merged as a stated duplicate, or skipped with a warning naming its
//! line) at the instants the file means. The folder is read where it is, never copied in; a
//! checkout without it fails here rather than passing by skipping.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::{repo, TestDb};
use lessoncast::domain::Airing;
use lessoncast::import::{ImportOptions, ImportReport};
use std::path::PathBuf;

fn real(name: &str) -> String {
    let dir = repo().join("../shared/schedules-real");
    assert!(
        dir.is_dir(),
        "{} is missing: these tests read other projects' files from it (see its SOURCES.md)",
        dir.display()
    );
    let path: PathBuf = dir.join(name);
    assert!(path.is_file(), "{} is missing", path.display());
    path.display().to_string()
}

/// `<programme` elements in the file, counted without our parser.
fn programmes_in(path: &str) -> u64 {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(11).filter(|w| w == b"<programme ").count() as u64
}

fn duplicates(report: &ImportReport) -> u64 {
    report
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("duplicate programme"))
        .count() as u64
}

/// Every programme of the file is an airing, a merged duplicate or a skipped record.
fn assert_accounted(path: &str, report: &ImportReport) {
    let c = report.counts;
    assert_eq!(
        c.added + duplicates(report) + c.skipped,
        programmes_in(path),
        "{path}: {c:?}, {} duplicates",
        duplicates(report)
    );
    // Each skipped record has its warning with a line.
    let skips = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("skipped;"))
        .inspect(|w| assert!(w.line > 0, "{w}"))
        .count() as u64;
    assert_eq!(skips, c.skipped, "{:?}", report.warnings);
}

async fn import_fresh(name: &str) -> (TestDb, ImportReport, Vec<Airing>) {
    let db = TestDb::new().await;
    let path = real(name);
    let report = db
        .import_with(&path, ImportOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{name} refused: {e}"));
    assert_accounted(&path, &report);
    let list = db.airings().await;
    (db, report, list)
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn find<'a>(list: &'a [Airing], title: &str) -> &'a Airing {
    list.iter()
        .find(|a| a.details.title == title)
        .unwrap_or_else(|| panic!("no airing {title:?} in {list:#?}"))
}

#[tokio::test]
async fn the_dtds_own_bst_example_lands_an_hour_before_utc() {
    let (_db, report, list) = import_fresh("xmltv-simple.xml").await;
    assert_eq!(report.counts.added, 2);
    assert_eq!(
        find(&list, "The Phil Silvers Show").start,
        utc("2001-08-28T23:05:00Z")
    );
    let king = find(&list, "King of the Hill");
    assert_eq!(king.start, utc("2001-08-29T08:55:00Z"));
    assert_eq!(
        king.details.episode_title.as_deref(),
        Some("Meet the Propaniacs")
    );
    // +0100 in August: a British zone, said in a warning, not taken silently as Los Angeles.
    assert_eq!(king.tz, "Europe/London");
}

#[tokio::test]
async fn both_programmes_of_a_clump_are_airings_without_an_overlap_warning() {
    let (_db, report, list) = import_fresh("xmltv-clump.xml").await;
    assert_eq!(report.counts.added, 2);
    for title in ["First in clump", "Second in clump"] {
        let a = find(&list, title);
        assert_eq!(a.start, utc("2002-04-20T17:25:00Z"));
        assert_eq!(a.end, Some(utc("2002-04-20T18:00:00Z")));
    }
    assert!(
        !report
            .warnings
            .iter()
            .any(|w| w.message.contains("overlaps")),
        "{:?}",
        report.warnings
    );
}

#[tokio::test]
async fn true_duplicates_merge_keeping_the_stop_the_file_states() {
    let (db, report, list) = import_fresh("xmltv-dups.xml").await;
    assert_eq!(report.counts.added, 4, "{:?}", report.warnings);
    assert_eq!(duplicates(&report), 3);
    let b = find(&list, "B");
    assert_eq!(b.start, utc("2001-12-28T11:31:01Z"));
    assert_eq!(
        b.end,
        Some(utc("2001-12-28T11:31:02Z")),
        "the stated stop wins"
    );
    assert_eq!(find(&list, "A").end, Some(utc("2001-12-28T11:31:01Z")));
    assert_eq!(find(&list, "t").start, utc("2002-05-17T01:02:00Z"));
    // A re-import finds every one again.
    let again = db.import(&real("xmltv-dups.xml")).await.unwrap();
    assert_eq!(
        (
            again.counts.added,
            again.counts.removed,
            again.counts.unchanged
        ),
        (0, 0, 4),
        "{again:?}"
    );
}

#[tokio::test]
async fn containers_and_programmes_sharing_a_start_are_all_kept_and_their_overlaps_said() {
    let (db, report, list) = import_fresh("xmltv-test_remove_some_overlapping.xml").await;
    assert_eq!(report.counts.added, 12);
    assert_eq!(duplicates(&report), 0);
    let together: Vec<&str> = list
        .iter()
        .filter(|a| a.start == utc("2003-10-25T09:00:00Z"))
        .map(|a| a.details.title.as_str())
        .collect();
    assert_eq!(together.len(), 2, "{together:?}");
    // "Contained A 2" overlaps "Container A", which is not the programme before it in the file.
    let overlaps: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("overlaps"))
        .map(ToString::to_string)
        .collect();
    assert!(
        overlaps.iter().any(|w| w.contains(":14:")
            && w.contains("\"Contained A 2\" overlaps the programme at line 5")),
        "{overlaps:#?}"
    );
    // Identity survives a re-import of the same file: every airing is found again.
    let again = db
        .import(&real("xmltv-test_remove_some_overlapping.xml"))
        .await
        .unwrap();
    assert_eq!(
        (
            again.counts.added,
            again.counts.removed,
            again.counts.unchanged
        ),
        (0, 0, 12)
    );
}

#[tokio::test]
async fn a_stated_stop_is_kept_and_a_missing_one_guessed_from_the_next_start() {
    let (_db, report, list) = import_fresh("xmltv-test_sort_by_channel.xml").await;
    assert_eq!(report.counts.added, 3);
    assert_eq!(find(&list, "C").end, Some(utc("2003-02-16T00:10:00Z")));
    assert_eq!(find(&list, "A").end, Some(utc("2003-02-16T00:30:00Z")));
    assert_eq!(find(&list, "B").end, Some(utc("2003-02-16T00:30:00Z")));
}

#[tokio::test]
async fn mythtvs_importer_test_lands_each_programme_where_its_description_says() {
    let (_db, report, list) = import_fresh("mythtv-xmltv_import_test.xmltv").await;
    assert_eq!(report.counts.added, 5);
    // Each description says "(1800-2000 UTC/GMT)": read the expectation from the file itself.
    for a in &list {
        let desc = a.details.description.as_deref().unwrap_or_default();
        let (_, rest) = desc
            .split_once('(')
            .unwrap_or_else(|| panic!("{}: {desc}", a.details.title));
        let (from, to) = rest[..9].split_once('-').unwrap();
        let at = |hhmm: &str| utc(&format!("2013-04-05T{}:{}:00Z", &hhmm[..2], &hhmm[2..]));
        assert_eq!(a.start, at(from), "{}: {desc}", a.details.title);
        assert_eq!(a.end, Some(at(to)), "{}: {desc}", a.details.title);
    }
}

#[tokio::test]
async fn a_real_uk_guide_imports_whole() {
    let (_db, report, list) = import_fresh("UK_Data.xml").await;
    assert_eq!(report.counts.skipped, 0);
    assert!(report.counts.added > 1900, "{:?}", report.counts);
    // ISO-8859-1 text arrives as text.
    assert!(list.iter().all(|a| !a.details.title.contains('\u{fffd}')));
}

#[tokio::test]
async fn one_impossible_programme_in_a_real_guide_is_skipped_and_the_rest_lands() {
    // UK_Data.xml with one programme's stop moved before its start, written to a temp file.
    let original = std::fs::read(real("UK_Data.xml")).unwrap();
    let at = original
        .windows(7)
        .position(|w| w == b" stop=\"")
        .expect("a stop attribute");
    let mut broken = original.clone();
    // "stop="2015..." → "stop="2005...": ten years before the start.
    broken[at + 9] = b'0';
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("UK_Data-broken.xml");
    std::fs::write(&path, &broken).unwrap();
    let path = path.display().to_string();

    let db = TestDb::new().await;
    let report = db.import(&path).await.unwrap();
    assert_eq!(report.counts.skipped, 1);
    assert_accounted(&path, &report);
    let line = 1 + original[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.line == line && w.field == "stop" && w.message.contains("before it starts")),
        "no warning at line {line}"
    );
    // With --strict the same file is refused and nothing lands.
    let db = TestDb::new().await;
    let err = db
        .import_with(
            &path,
            ImportOptions {
                strict: true,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&format!(":{line}: stop")), "{err}");
    assert!(db.airings().await.is_empty());
}

#[tokio::test]
async fn schedules_direct_and_the_xmltv_dtd_sample_import() {
    let (_db, report, list) = import_fresh("schedulesdirect.xml").await;
    assert_eq!(report.counts.added, 2);
    assert!(list.iter().all(|a| a.end.is_some()));
    let (_db, report, list) = import_fresh("test.xml").await;
    assert_eq!(report.counts.added, 1);
    // No stop, but a <length> of 60 minutes.
    assert_eq!(
        list[0].end.unwrap() - list[0].start,
        chrono::TimeDelta::hours(1)
    );
}
