//! Importing schedules end to end: every format, identity across re-imports, and bad input that
//! is refused with its file, line and field while the database stays exactly as it was.

// Test and benchmark code: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, repo, TestDb};
use lessoncast::domain::Grade;
use lessoncast::import::{Format, GradeRules, ImportOptions};

fn test_rules() -> GradeRules {
    GradeRules::load(std::path::Path::new(&fixture("import/rules.toml"))).unwrap()
}

fn opts() -> ImportOptions {
    ImportOptions {
        rules: test_rules(),
        ..Default::default()
    }
}

async fn all_airings(db: &TestDb) -> Vec<lessoncast::domain::Airing> {
    db.airings().await
}

#[tokio::test]
async fn imports_the_demo_week_as_written() {
    let db = TestDb::new().await;
    let dir = repo().join("schedules").display().to_string();
    let report = db.import(&dir).await.expect("demo week imports");
    assert_eq!(report.files, 3, "one file per format");
    assert!(report.counts.added > 300, "{:?}", report.counts);
    let list = all_airings(&db).await;
    let first = list.first().unwrap().start.date_naive().to_string();
    assert!(
        first.starts_with("2020-04-1"),
        "the week of 2020-04-13, not {first}"
    );
    for station in ["KCET", "KOCE", "KLCS"] {
        let of_station: Vec<_> = list.iter().filter(|a| a.station == station).collect();
        assert!(!of_station.is_empty(), "{station} has airings");
        assert!(
            of_station.iter().any(|a| !a.details.grades.is_empty()),
            "{station} has airings with grades"
        );
    }
    for g in ["PK", "K", "3", "5", "8", "9", "12"] {
        let g: Grade = g.parse().unwrap();
        assert!(
            list.iter().any(|a| a.details.grades.contains(g)),
            "some airing is for grade {g}"
        );
    }
    assert!(
        list.iter().any(|a| a.details.title_es.is_some()),
        "Spanish titles are kept"
    );
}

#[tokio::test]
async fn reimporting_the_same_source_changes_nothing() {
    let db = TestDb::new().await;
    let dir = repo().join("schedules").display().to_string();
    let first = db.import(&dir).await.unwrap();
    let before = db.snapshot().await;
    let again = db.import(&dir).await.unwrap();
    assert_eq!(again.counts.added, 0);
    assert_eq!(again.counts.updated, 0);
    assert_eq!(again.counts.removed, 0);
    assert_eq!(again.counts.unchanged, first.counts.added);
    assert_eq!(db.snapshot().await, before);
}

#[tokio::test]
async fn imports_of_one_station_from_two_processes_wait_for_each_other() {
    let db = TestDb::new().await;
    // Two connection pools, as two processes (a replica's job and the CLI) would have.
    let other = lessoncast::store::Store::connect(&db.url).await.unwrap();
    let dir = repo().join("schedules").display().to_string();
    let options = ImportOptions::default();
    let (a, b) = tokio::join!(
        lessoncast::import::import(&db.store, &dir, &options),
        lessoncast::import::import(&other, &dir, &options),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    // One added the week, the other, after it, found it all unchanged.
    let (first, second) = if a.counts.added > 0 { (a, b) } else { (b, a) };
    assert!(first.counts.added > 100, "{:?}", first.counts);
    assert_eq!(second.counts.added, 0, "{:?}", second.counts);
    assert_eq!(second.counts.unchanged, first.counts.added);
    assert_eq!(all_airings(&db).await.len() as u64, first.counts.added);
}

#[tokio::test]
async fn a_changed_schedule_updates_moves_and_removes_but_keeps_ids() {
    let db = TestDb::new().await;
    let r1 = db
        .import_with(&fixture("import/kcet-day.xml"), opts())
        .await
        .unwrap();
    assert_eq!(r1.counts.added, 4);
    let before = all_airings(&db).await;
    let id_of = |list: &[lessoncast::domain::Airing], title: &str| {
        list.iter()
            .find(|a| a.details.title == title)
            .map(|a| (a.id, a.revision, a.start, a.status))
    };

    let r2 = db
        .import_with(&fixture("import/kcet-day-v2.xml"), opts())
        .await
        .unwrap();
    // Cyberchase: new description → updated. Wild Kratts: moved 09:30 → 10:00 → updated.
    // NOVA: gone → removed. Odd Squad: new → added. Nature Cat: unchanged.
    assert_eq!(
        (
            r2.counts.added,
            r2.counts.updated,
            r2.counts.removed,
            r2.counts.unchanged
        ),
        (1, 2, 1, 1),
        "{:?}",
        r2.counts
    );
    let after = all_airings(&db).await;
    let (id0, rev0, _, _) = id_of(&before, "Cyberchase").unwrap();
    let (id1, rev1, _, _) = id_of(&after, "Cyberchase").unwrap();
    assert_eq!(id0, id1);
    assert_eq!(rev1, rev0 + 1, "a changed airing's revision grows");

    let (wk0, wrev0, wstart0, _) = id_of(&before, "Wild Kratts").unwrap();
    let (wk1, wrev1, wstart1, _) = id_of(&after, "Wild Kratts").unwrap();
    assert_eq!(wk0, wk1, "a moved airing keeps its id");
    assert_eq!(wrev1, wrev0 + 1);
    assert_eq!((wstart1 - wstart0).num_minutes(), 30);

    let (nova0, _, _, _) = id_of(&before, "NOVA").unwrap();
    let (nova1, _, _, status) = id_of(&after, "NOVA").unwrap();
    assert_eq!(nova0, nova1, "a removed airing is kept, not deleted");
    assert_eq!(status, lessoncast::domain::AiringStatus::Removed);

    // And the first schedule back again restores NOVA under its old id.
    let r3 = db
        .import_with(&fixture("import/kcet-day.xml"), opts())
        .await
        .unwrap();
    assert_eq!(
        r3.counts.removed, 1,
        "Odd Squad is gone again: {:?}",
        r3.counts
    );
    let again = all_airings(&db).await;
    let (nova2, _, _, status) = id_of(&again, "NOVA").unwrap();
    assert_eq!(nova2, nova0);
    assert_eq!(status, lessoncast::domain::AiringStatus::Scheduled);
}

#[tokio::test]
async fn grades_come_from_the_source_and_else_from_the_rules() {
    let db = TestDb::new().await;
    db.import_with(&fixture("import/kcet-day.xml"), opts())
        .await
        .unwrap();
    let list = all_airings(&db).await;
    let nature_cat = list
        .iter()
        .find(|a| a.details.title == "Nature Cat")
        .unwrap();
    assert_eq!(
        nature_cat.details.grades.codes(),
        ["4", "5", "6", "7", "8"],
        "from the rule"
    );
    let cyber = list
        .iter()
        .find(|a| a.details.title == "Cyberchase")
        .unwrap();
    assert_eq!(
        cyber.details.grades.codes(),
        ["4", "5", "6", "7", "8"],
        "from the category"
    );
    assert!(cyber.details.captions);
    assert_eq!(cyber.series_key, "cyberchase");
    assert_eq!(
        cyber.episode_key.as_deref(),
        Some("cyberchase/the-poddleville-case")
    );
}

#[tokio::test]
async fn a_dry_run_reports_counts_and_stores_nothing() {
    let db = TestDb::new().await;
    let before = db.snapshot().await;
    let r = db
        .import_with(
            &fixture("import/kcet-day.xml"),
            ImportOptions {
                dry_run: true,
                ..opts()
            },
        )
        .await
        .unwrap();
    assert_eq!(r.counts.added, 4);
    assert_eq!(db.snapshot().await, before);
}

/// Imports `file` into a database holding the demo week, expects it to be refused with a message
/// containing each of `expect`, and the database to be exactly as before.
async fn refused(file: &str, format: Format, expect: &[&str]) {
    refused_with(file, ImportOptions { format, ..opts() }, expect).await
}

/// A bad record: `--strict` refuses the file (as [`refused`]); without it the record is skipped
/// with a warning containing each of `expect`, counted in `skipped` (in the run's record too),
/// and the rest lands.
async fn skipped_or_refused_when_strict(file: &str, expect: &[&str]) {
    refused_with(
        file,
        ImportOptions {
            strict: true,
            ..opts()
        },
        expect,
    )
    .await;
    let db = TestDb::new().await;
    let report = db.import_with(file, opts()).await.unwrap();
    assert_eq!(report.counts.skipped, 1, "{report:?}");
    let w = report
        .warnings
        .iter()
        .map(ToString::to_string)
        .find(|w| w.contains("skipped"))
        .unwrap_or_else(|| panic!("no skip warning: {:?}", report.warnings));
    for e in expect {
        assert!(w.contains(e), "`{w}` should mention `{e}`");
    }
    use sqlx::Row;
    let row = sqlx::query("SELECT status, skipped FROM import_runs ORDER BY id DESC LIMIT 1")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "ok");
    assert_eq!(row.get::<i64, _>("skipped"), 1);
}

async fn refused_with(file: &str, options: ImportOptions, expect: &[&str]) {
    let db = TestDb::new().await;
    db.import_with(&fixture("import/kcet-day.xml"), opts())
        .await
        .unwrap();
    let before = db.snapshot().await;
    let err = db
        .import_with(file, options)
        .await
        .expect_err("bad input must be refused");
    let msg = err.to_string();
    for e in expect {
        assert!(msg.contains(e), "`{msg}` should mention `{e}`");
    }
    assert_eq!(
        db.snapshot().await,
        before,
        "the database changed on a refused import"
    );
    // The failed run is on record, with its error.
    use sqlx::Row;
    let row = sqlx::query("SELECT status, error FROM import_runs ORDER BY id DESC LIMIT 1")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "failed");
    assert_eq!(row.get::<String, _>("error"), msg);
}

#[tokio::test]
async fn truncated_xml_is_refused_with_its_line() {
    refused(
        &fixture("import/truncated.xml"),
        Format::Auto,
        &["truncated.xml:23:", "programme", "starts on line 22"],
    )
    .await;
}

#[tokio::test]
async fn an_impossible_offset_is_skipped_or_refused_when_strict_naming_the_field() {
    skipped_or_refused_when_strict(
        &fixture("import/bad-offset.xml"),
        &["bad-offset.xml:9", "stop", "+2500"],
    )
    .await;
}

#[tokio::test]
async fn an_impossible_date_is_skipped_or_refused_when_strict_naming_the_field() {
    skipped_or_refused_when_strict(
        &fixture("import/bad-date.xml"),
        &["bad-date.xml:9", "start", "20200231"],
    )
    .await;
}

#[tokio::test]
async fn stop_before_start_is_skipped_or_refused_when_strict() {
    skipped_or_refused_when_strict(
        &fixture("import/stop-before-start.xml"),
        &["stop-before-start.xml:9", "stop"],
    )
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_refused_with_its_line() {
    refused(
        &fixture("import/invalid-utf8.xml"),
        Format::Auto,
        &["invalid-utf8.xml:11:", "sub-title", "UTF-8"],
    )
    .await;
}

#[tokio::test]
async fn a_csv_row_with_a_missing_column_is_skipped_or_refused_when_strict() {
    skipped_or_refused_when_strict(
        &fixture("import/missing-column.csv"),
        &["missing-column.csv:3", "description"],
    )
    .await;
}

#[tokio::test]
async fn a_json_listing_without_times_is_skipped_or_refused_when_strict() {
    skipped_or_refused_when_strict(
        &fixture("import/KCET-20200413.json"),
        &["KCET-20200413.json", "start_time"],
    )
    .await;
}

#[tokio::test]
async fn an_unknown_format_is_refused() {
    refused(
        &fixture("import/unknown.txt"),
        Format::Auto,
        &["unknown.txt", "unknown format"],
    )
    .await;
}

#[tokio::test]
async fn a_missing_file_is_refused() {
    refused(
        &fixture("import/no-such-file.xml"),
        Format::Auto,
        &["no-such-file.xml", "no such file"],
    )
    .await;
}

#[tokio::test]
async fn a_nonexistent_local_time_is_skipped_or_refused_when_strict() {
    skipped_or_refused_when_strict(
        &fixture("import/spring-gap.csv"),
        &["spring-gap.csv:2", "start"],
    )
    .await;
}

#[tokio::test]
async fn an_unreachable_url_is_refused() {
    // A port on this machine that nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/kcet.xml");
    refused(&url, Format::Auto, &[&url, "cannot reach"]).await;
}

#[tokio::test]
async fn a_404_url_is_refused() {
    let app = common::TestApp::spawn().await;
    let url = format!("{}/no/such/schedule.xml", app.base);
    refused(&url, Format::Auto, &[&url, "404"]).await;
    app.stop().await;
}

#[tokio::test]
async fn a_url_is_fetched_and_imported() {
    use axum::routing::get;
    let body = std::fs::read_to_string(fixture("import/kcet-day.xml")).unwrap();
    let (base, server) =
        common::serve(axum::Router::new().route("/kcet.xml", get(move || async move { body })))
            .await;
    let db = TestDb::new().await;
    let r = db
        .import_with(&format!("{base}/kcet.xml"), opts())
        .await
        .unwrap();
    assert_eq!(r.counts.added, 4);
    server.abort();
}

#[tokio::test]
async fn keys_in_a_source_url_or_header_are_sent_but_never_printed_or_recorded() {
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::get;
    let body = std::fs::read_to_string(fixture("import/kcet-day.xml")).unwrap();
    // The source answers only with the key, so a pass shows the key was sent.
    let guide = move |headers: HeaderMap| async move {
        match headers.get("x-pbsauth").and_then(|v| v.to_str().ok()) {
            Some("h-SECRET-1") => (StatusCode::OK, body),
            _ => (StatusCode::FORBIDDEN, String::new()),
        }
    };
    let (base, server) = common::serve(axum::Router::new().route("/guide.xml", get(guide))).await;
    let db = TestDb::new().await;
    let with_key = |o: ImportOptions| ImportOptions {
        headers: vec![(
            "X-PBSAUTH".to_string(),
            lessoncast::auth::Secret::new("h-SECRET-1"),
        )],
        ..o
    };
    let ok = db
        .import_with(
            &format!("{base}/guide.xml?day=1&api_key=q-SECRET-2"),
            with_key(opts()),
        )
        .await
        .unwrap();
    assert_eq!(ok.counts.added, 4);
    let failed = db
        .import_with(
            &format!("{base}/gone.xml?token=q-SECRET-3"),
            with_key(opts()),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        failed.contains("404") && failed.contains("token=***"),
        "{failed}"
    );
    let runs = lessoncast::store::imports::recent_runs(db.store.pool(), 10)
        .await
        .unwrap();
    let recorded = format!(
        "{failed} {}",
        runs.iter()
            .map(|r| format!("{} {:?} {}", r.source, r.error, r.warnings))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert_eq!(runs.len(), 2);
    assert!(!recorded.contains("SECRET"), "{recorded}");
    server.abort();
}

#[tokio::test]
async fn overlapping_programmes_are_both_kept_with_a_warning() {
    let db = TestDb::new().await;
    let r = db
        .import_with(&fixture("import/overlap.xml"), opts())
        .await
        .unwrap();
    assert_eq!(r.counts.added, 2);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("overlaps") && w.file.ends_with("overlap.xml")),
        "{:?}",
        r.warnings
    );
}

#[tokio::test]
async fn a_duplicated_programme_is_kept_once_with_a_warning() {
    let db = TestDb::new().await;
    let r = db
        .import_with(&fixture("import/duplicate.xml"), opts())
        .await
        .unwrap();
    assert_eq!(r.counts.added, 2);
    let w = r
        .warnings
        .iter()
        .find(|w| w.message.contains("duplicate"))
        .expect("a warning");
    assert_eq!(w.line, 14, "the second programme starts at line 14");
}

#[tokio::test]
async fn xmltv_across_the_2020_dst_nights_lands_on_the_right_instants() {
    let db = TestDb::new().await;
    db.import_with(&fixture("import/dst-2020.xml"), opts())
        .await
        .unwrap();
    let got: Vec<String> = all_airings(&db)
        .await
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a.details.episode_title.clone().unwrap(),
                a.start.to_rfc3339(),
                a.end.unwrap().to_rfc3339()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "Spring A 2020-03-08T09:30:00+00:00 2020-03-08T10:00:00+00:00",
            "Spring B 2020-03-08T10:00:00+00:00 2020-03-08T10:30:00+00:00",
            "Fall A 2020-11-01T08:30:00+00:00 2020-11-01T09:00:00+00:00",
            "Fall B 2020-11-01T09:00:00+00:00 2020-11-01T09:30:00+00:00",
        ]
    );
}

#[tokio::test]
async fn csv_local_times_across_the_2020_dst_nights_land_on_the_right_instants() {
    let db = TestDb::new().await;
    db.import_with(&fixture("import/dst-2020.csv"), opts())
        .await
        .unwrap();
    let got: Vec<String> = all_airings(&db)
        .await
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a.details.episode_title.clone().unwrap(),
                a.start.to_rfc3339(),
                a.end.unwrap().to_rfc3339()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "Spring A 2020-03-08T09:30:00+00:00 2020-03-08T10:00:00+00:00",
            "Spring B 2020-03-08T10:00:00+00:00 2020-03-08T10:30:00+00:00",
            "Fall A 2020-11-01T07:30:00+00:00 2020-11-01T08:30:00+00:00",
            "Fall B 2020-11-01T10:00:00+00:00 2020-11-01T10:30:00+00:00",
        ]
    );
}

/// A file of many bad records keeps the first warnings of each kind and one summary: a hostile
/// file cannot fill memory (or the import's record) with warnings.
#[tokio::test]
async fn a_flood_of_bad_records_keeps_the_first_warnings_and_counts_the_rest() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flood.csv");
    let mut csv = String::from("station,channel,start,duration,title\n");
    csv.push_str("KLCS,58.1,2020-04-13 09:00,30,Kept\n");
    for i in 0..1000 {
        csv.push_str(&format!("KLCS,58.1,2020-04-13 10:{:02},30,\n", i % 60));
    }
    std::fs::write(&path, csv).unwrap();
    let report = db.import(&path.display().to_string()).await.unwrap();
    assert_eq!(report.counts.added, 1);
    assert_eq!(report.counts.skipped, 1000);
    let listed = lessoncast::import::WARNINGS_PER_FIELD as usize;
    let titles: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.field == "title")
        .collect();
    assert_eq!(titles.len(), listed + 1, "{:?}", titles.last());
    let summary = titles.last().unwrap();
    assert_eq!(summary.line, 0);
    assert!(
        summary.message.contains(&format!("{} more", 1000 - listed)),
        "{summary:?}"
    );
}

/// A file of more stations than any guide has is refused, naming the line of the first one
/// too many, before it can fill memory with them; the database is unchanged.
#[tokio::test]
async fn more_stations_than_any_guide_has_are_refused_naming_the_line() {
    let db = TestDb::new().await;
    db.import_demo_week().await;
    let before = db.snapshot().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stations.xml");
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n");
    let limit = lessoncast::import::MAX_STATIONS;
    for i in 0..=limit {
        xml.push_str(&format!(
            "<programme start=\"20200413090000 -0700\" stop=\"20200413093000 -0700\" \
             channel=\"S{i}\"><title>T</title></programme>\n"
        ));
    }
    xml.push_str("</tv>\n");
    std::fs::write(&path, xml).unwrap();
    let e = db
        .import(&path.display().to_string())
        .await
        .unwrap_err()
        .to_string();
    // Line 1 is the declaration, line 2 <tv>: station number `limit` is on line limit + 3.
    assert!(e.contains(&format!("stations.xml:{}", limit + 3)), "{e}");
    assert!(e.contains("more than 20000 stations"), "{e}");
    assert_eq!(db.snapshot().await, before);
}

/// A huge value where a format means something short (here a 1 MB `<lcn>` that 2,000
/// programmes share) is cut, with a warning naming its line, instead of being copied into
/// every programme.
#[tokio::test]
async fn a_huge_channel_number_is_cut_to_size_with_a_warning() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge-lcn.xml");
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n<channel id=\"KCET.28.1\">\
         <display-name>KCET</display-name><lcn>",
    );
    xml.push_str(&"9".repeat(1 << 20));
    xml.push_str("</lcn></channel>\n");
    for i in 0..2000 {
        let (h, m) = (i / 60 % 24, i % 60);
        let day = 13 + i / 1440;
        xml.push_str(&format!(
            "<programme start=\"202004{day:02}{h:02}{m:02}00 -0700\" \
             stop=\"202004{day:02}{h:02}{m:02}59 -0700\" channel=\"KCET.28.1\">\
             <title>Show {i}</title></programme>\n"
        ));
    }
    xml.push_str("</tv>\n");
    std::fs::write(&path, xml).unwrap();
    let report = db.import(&path.display().to_string()).await.unwrap();
    assert_eq!(report.counts.added, 2000);
    let cut = report
        .warnings
        .iter()
        .find(|w| w.field == "lcn")
        .expect("a warning about the lcn");
    assert_eq!(cut.line, 3);
    assert!(cut.message.contains("1048576 characters"), "{cut:?}");
    let airings = db.airings().await;
    assert!(airings
        .iter()
        .all(|a| a.channel.len() == lessoncast::import::MAX_CODE));
}

#[tokio::test]
async fn a_csv_header_of_hundreds_of_columns_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let mut header = String::from("station,channel,start,duration,title");
    for i in 0..500 {
        header.push_str(&format!(",extra{i}"));
    }
    std::fs::write(
        &path,
        format!("{header}\nKLCS,58.1,2020-04-13 09:00,30,Math\n"),
    )
    .unwrap();
    refused(
        &path.display().to_string(),
        Format::Auto,
        &["wide.csv:1", "header", "505 columns"],
    )
    .await;
}

/// A row followed by endless empty fields (or one endless field) stops the read at the
/// record's limit, before the CSV reader holds it: refused, naming the line.
#[tokio::test]
async fn a_csv_record_of_endless_fields_is_refused_before_it_is_held() {
    let dir = tempfile::tempdir().unwrap();
    for (name, row) in [
        (
            "many-fields.csv",
            format!(
                "KLCS,58.1,2020-04-13 09:00,30,Math{}",
                ",".repeat(1_000_000)
            ),
        ),
        (
            "one-field.csv",
            format!("KLCS,58.1,2020-04-13 09:00,30,\"{}\"", "x".repeat(2 << 20)),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("station,channel,start,duration,title\n{row}\n"),
        )
        .unwrap();
        refused(
            &path.display().to_string(),
            Format::Auto,
            &[name, "record on line 2", "longer than a schedule's"],
        )
        .await;
    }
}

/// An XMLTV guide of `channels` channels with `each` half-hour programmes apiece, one channel
/// after the other, seven series on each; `desc` describes programme `i` of channel `c`.
fn many_programmes(channels: usize, each: usize, desc: impl Fn(usize, usize) -> String) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n");
    for c in 0..channels {
        xml.push_str(&format!(
            "<channel id=\"K{c:03}.{n}.1\"><display-name>K{c:03}</display-name></channel>\n",
            n = c + 2
        ));
    }
    for c in 0..channels {
        let start = chrono::NaiveDate::from_ymd_opt(2020, 4, 13)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        for i in 0..each {
            let at = |k: usize| {
                (start + chrono::Duration::minutes(30 * k as i64)).format("%Y%m%d%H%M%S -0700")
            };
            xml.push_str(&format!(
                "<programme start=\"{}\" stop=\"{}\" channel=\"K{c:03}.{n}.1\">\
                 <title>Series {} {c}</title><desc>{}</desc></programme>\n",
                at(i),
                at(i + 1),
                i % 7,
                desc(c, i),
                n = c + 2
            ));
        }
    }
    xml.push_str("</tv>\n");
    xml
}

#[tokio::test]
async fn batches_written_while_the_next_is_made_land_whole_and_in_order() {
    // Three channels of 1,000 programmes: several batches of 400 each, the next made while
    // one is written. A repeat of programme 399 (the last of the first batch) as the first of
    // the second is one duplicate across the boundary, found and warned of with its line.
    let db = TestDb::new().await;
    let desc = |c: usize, i: usize| format!("Programme {i} of channel {c}.");
    let mut xml = many_programmes(3, 1_000, desc);
    let repeat = xml
        .lines()
        .filter(|l| l.starts_with("<programme"))
        .nth(399)
        .unwrap()
        .to_string();
    let at = xml.find(&repeat).unwrap() + repeat.len() + 1;
    xml.insert_str(at, &format!("{repeat}\n"));
    let line = xml[..at].lines().count() as u64 + 1;
    let file = db.dir().join("guide.xml");
    std::fs::write(&file, &xml).unwrap();
    let path = file.display().to_string();

    let first = db.import_with(&path, opts()).await.unwrap();
    assert_eq!(first.counts.added, 3_000, "{:?}", first.counts);
    let duplicates: Vec<_> = first
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("duplicate programme"))
        .collect();
    assert_eq!(duplicates.len(), 1, "{:?}", first.warnings);
    assert_eq!(duplicates[0].line, line, "{:?}", duplicates[0]);
    let stored = all_airings(&db).await;
    assert_eq!(stored.len(), 3_000);
    assert!(stored
        .iter()
        .all(|a| a.status == lessoncast::domain::AiringStatus::Scheduled));

    // Unchanged, it is all unchanged; with a tenth of the descriptions changed, that tenth is
    // updated and the rest left alone, ids kept.
    let before = db.snapshot().await;
    let again = db.import_with(&path, opts()).await.unwrap();
    assert_eq!(
        (
            again.counts.added,
            again.counts.updated,
            again.counts.removed,
            again.counts.unchanged
        ),
        (0, 0, 0, 3_000)
    );
    assert_eq!(db.snapshot().await, before);
    let ids = |list: Vec<lessoncast::domain::Airing>| {
        list.iter()
            .map(|a| (a.id, a.start))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let ids_before = ids(all_airings(&db).await);
    let changed = many_programmes(3, 1_000, |c, i| {
        if i % 10 == 3 {
            format!("Programme {i} of channel {c}, changed.")
        } else {
            desc(c, i)
        }
    });
    std::fs::write(&file, &changed).unwrap();
    let third = db.import_with(&path, opts()).await.unwrap();
    assert_eq!(
        (
            third.counts.added,
            third.counts.updated,
            third.counts.removed,
            third.counts.unchanged
        ),
        (0, 300, 0, 2_700)
    );
    assert_eq!(ids(all_airings(&db).await), ids_before);
}
