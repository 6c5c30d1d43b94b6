//! Stations outside Los Angeles, and schedules as real stations publish them: every airing at
//! the instant its file means, in its station's own zone on every printed page; TVSS feeds in
//! their own zones, analog feeds and Spanish mirrors; `today` responses; gzipped guides; line
//! numbers in the file's own line endings.

// Test and benchmark code: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::{fixture, repo, TestApp, TestDb};
use lessoncast::domain::Airing;
use lessoncast::import::{ImportOptions, ImportReport};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn starts(list: &[Airing]) -> Vec<(String, DateTime<Utc>)> {
    let mut v: Vec<_> = list
        .iter()
        .map(|a| (a.details.title.clone(), a.start))
        .collect();
    v.sort_by_key(|(_, t)| *t);
    v
}

fn warned(report: &ImportReport, words: &str) -> bool {
    report.warnings.iter().any(|w| w.message.contains(words))
}

#[tokio::test]
async fn a_central_stations_tvss_day_lands_each_feed_in_its_own_zone() {
    let db = TestDb::new().await;
    // LESSONCAST_TZ is Los Angeles: the feeds' own zones must win.
    let report = db
        .import(&fixture("zones/KERA-20200413.json"))
        .await
        .unwrap();
    assert_eq!(report.counts.added, 6);
    let list = db.airings().await;
    assert_eq!(
        starts(&list),
        [
            ("Cyberchase".into(), utc("2020-04-13T14:00:00Z")),
            ("Odd Squad".into(), utc("2020-04-13T14:30:00Z")),
            ("Peg + Cat".into(), utc("2020-04-13T15:00:00Z")),
            // 11:00 in the feed listed in Eastern time is 10:00 in Dallas.
            ("Nova".into(), utc("2020-04-13T15:00:00Z")),
            ("Late Show".into(), utc("2020-04-14T04:30:00Z")),
            ("After Midnight".into(), utc("2020-04-14T05:30:00Z")),
        ]
    );
    assert!(list.iter().all(|a| a.tz == "America/Chicago"));
    assert!(warned(&report, "America/New_York"), "{:?}", report.warnings);
    assert!(!warned(&report, "LESSONCAST_TZ"));
}

#[tokio::test]
async fn an_analog_feed_and_its_spanish_mirror_are_kept_as_what_they_are() {
    let db = TestDb::new().await;
    let report = db
        .import(&fixture("zones/KCTS-20200413.json"))
        .await
        .unwrap();
    assert_eq!(report.counts.added, 3, "{:?}", report.warnings);
    let list = db.airings().await;
    let cyber = list
        .iter()
        .find(|a| a.details.title == "Cyberchase")
        .unwrap();
    // The analog feed has a channel of its own, never the digital feed's.
    assert_eq!(cyber.channel, "KCTSA");
    assert_eq!(
        cyber.details.description.as_deref(),
        Some("A math adventure.")
    );
    assert_eq!(
        cyber.details.description_es.as_deref(),
        Some("Una aventura de matemáticas.")
    );
    assert_eq!(cyber.details.episode_title_es.as_deref(), Some("El caso"));
    assert!(cyber.details.spanish_audio);
    let nature = list.iter().find(|a| a.details.title == "Nature").unwrap();
    assert_eq!(
        nature.details.description_es.as_deref(),
        Some("La naturaleza.")
    );
    assert!(list.iter().all(|a| a.channel != "ESKCTSA"));
    assert!(warned(&report, "repeats feed KCTSA in Spanish"));
}

#[tokio::test]
async fn a_dallas_xmltv_week_is_central_time_on_every_printed_page() {
    let app = TestApp::spawn().await;
    let report = app
        .db
        .import(&fixture("zones/kera-week-2020-10-29.xml"))
        .await
        .unwrap();
    assert_eq!(report.counts.added, 14);
    assert!(!warned(&report, "LESSONCAST_TZ"), "{:?}", report.warnings);
    let list = app.db.airings().await;
    assert!(list.iter().all(|a| a.tz == "America/Chicago"));
    // 09:00 CDT before the fall night, 09:00 CST after it.
    let at = |t: &str| list.iter().find(|a| a.start == utc(t)).is_some();
    assert!(at("2020-10-29T14:00:00Z") && at("2020-11-02T15:00:00Z"));

    // The API gives the station's offsets.
    let (status, body) = app
        .get_json("/api/airings?station=KERA&from=2020-10-29&to=2020-11-05")
        .await;
    assert_eq!(status, 200);
    let starts: Vec<&str> = body["airings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["start"].as_str().unwrap())
        .collect();
    assert!(starts.contains(&"2020-10-29T09:00:00-05:00"), "{starts:?}");
    assert!(starts.contains(&"2020-11-02T09:00:00-06:00"), "{starts:?}");

    // The station's feed names its zone.
    let feed = app
        .get("/feeds/stations/KERA.ics?from=2020-10-26&to=2020-11-08")
        .await
        .text()
        .await
        .unwrap();
    assert!(feed.contains("X-WR-TIMEZONE:America/Chicago"), "{feed}");
    assert!(feed.contains("TZID:America/Chicago"), "{feed}");

    // The packet prints Dallas wall-clock times.
    let page = app.get("/packets/4/2020-11-02.html").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("9:00"), "{html}");
    assert!(!html.contains("7:00"), "Pacific time printed: {html}");
    app.stop().await;
}

#[tokio::test]
async fn a_stored_zone_is_corrected_by_better_evidence_and_says_so() {
    let db = TestDb::new().await;
    let file = fixture("zones/kera-week-2020-10-29.xml");
    db.import_with(
        &file,
        ImportOptions {
            tz: Some(chrono_tz::America::Los_Angeles),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(db
        .airings()
        .await
        .iter()
        .all(|a| a.tz == "America/Los_Angeles"));
    let report = db.import(&file).await.unwrap();
    assert!(
        warned(&report, "KERA was in America/Los_Angeles"),
        "{:?}",
        report.warnings
    );
    assert!(db.airings().await.iter().all(|a| a.tz == "America/Chicago"));
    // The instants never moved: only the zone they are printed in.
    assert_eq!(report.counts.unchanged, 14);
}

#[tokio::test]
async fn tz_names_the_zone_of_csv_local_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kera.csv");
    std::fs::write(
        &path,
        "station,channel,start,duration,title\nKERA,13.1,2020-04-13 09:00,30,Cyberchase\n",
    )
    .unwrap();
    let db = TestDb::new().await;
    let report = db
        .import_with(
            &path.display().to_string(),
            ImportOptions {
                tz: Some(chrono_tz::America::Chicago),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!warned(&report, "LESSONCAST_TZ"));
    let list = db.airings().await;
    assert_eq!(list[0].start, utc("2020-04-13T14:00:00Z"));
    assert_eq!(list[0].tz, "America/Chicago");
    // Without --tz a new station is in LESSONCAST_TZ, and the import says so.
    let db = TestDb::new().await;
    let report = db.import(&path.display().to_string()).await.unwrap();
    assert!(warned(&report, "LESSONCAST_TZ"), "{:?}", report.warnings);
}

#[tokio::test]
async fn a_today_response_from_a_url_is_the_day_it_was_fetched() {
    use axum::routing::get;
    let body = std::fs::read_to_string(fixture("tvss/KCET-20200413.json")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let app = axum::Router::new().route("/tvss/kcet/today/", get(move || async move { body }));
        axum::serve(listener, app).await.unwrap();
    });
    let db = TestDb::new().await;
    let report = db
        .import(&format!("http://{addr}/tvss/kcet/today/"))
        .await
        .unwrap();
    assert!(report.counts.added > 0);
    let today = Utc::now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive();
    let first = db
        .airings()
        .await
        .into_iter()
        .min_by_key(|a| a.start)
        .unwrap();
    assert_eq!(
        first
            .start
            .with_timezone(&chrono_tz::America::Los_Angeles)
            .date_naive(),
        today
    );
    server.abort();
}

#[tokio::test]
async fn a_file_name_that_is_not_a_call_sign_asks_for_station() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("getListings-20190704.json");
    std::fs::copy(fixture("tvss/KCET-20200413.json"), &path).unwrap();
    let path = path.display().to_string();
    let db = TestDb::new().await;
    let err = db.import(&path).await.unwrap_err().to_string();
    assert!(err.contains("--station"), "{err}");
    let report = db
        .import_with(
            &path,
            ImportOptions {
                station: Some("KLRN".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(report.counts.added > 0);
    assert!(db.airings().await.iter().all(|a| a.station == "KLRN"));
}

#[tokio::test]
async fn a_gzipped_guide_imports_like_the_plain_one_from_a_file_and_a_url() {
    use std::io::Write;
    let plain = repo().join("schedules/kcet-week-2020-04-13.xml");
    let dir = tempfile::tempdir().unwrap();
    let gz_path = dir.path().join("kcet-week.xml.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    let gz_bytes = gz.finish().unwrap();
    std::fs::write(&gz_path, &gz_bytes).unwrap();

    let db = TestDb::new().await;
    let want = db.import(&plain.display().to_string()).await.unwrap();
    let db = TestDb::new().await;
    let got = db.import(&gz_path.display().to_string()).await.unwrap();
    assert_eq!(got.counts, want.counts);
    assert!(got.counts.added > 300);

    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/guide",
            get(
                move || async move { ([(axum::http::header::CONTENT_ENCODING, "gzip")], gz_bytes) },
            ),
        );
        axum::serve(listener, app).await.unwrap();
    });
    let db = TestDb::new().await;
    let got = db.import(&format!("http://{addr}/guide")).await.unwrap();
    assert_eq!(got.counts, want.counts);
    server.abort();

    // A gzipped file cut short is refused, and changes nothing.
    let cut = dir.path().join("cut.xml.gz");
    let bytes = std::fs::read(&gz_path).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let db = TestDb::new().await;
    let before = db.snapshot().await;
    assert!(db.import(&cut.display().to_string()).await.is_err());
    assert_eq!(db.snapshot().await, before);
}

#[tokio::test]
async fn a_bad_row_of_the_crlf_demo_week_is_reported_on_its_own_line() {
    let text = std::fs::read_to_string(repo().join("schedules/klcs-week-2020-04-13.csv")).unwrap();
    assert!(text.contains("\r\n"), "the demo CSV has CRLF line ends");
    let broken = text.replacen("2020-04-13 06:00", "2020-04-13 6 o'clock", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("klcs-week-2020-04-13.csv");
    std::fs::write(&path, broken).unwrap();
    let db = TestDb::new().await;
    let report = db.import(&path.display().to_string()).await.unwrap();
    assert_eq!(report.counts.skipped, 1);
    let w = report
        .warnings
        .iter()
        .find(|w| w.message.contains("skipped"))
        .unwrap();
    assert_eq!((w.line, w.field.as_str()), (2, "start"), "{w}");
}

#[tokio::test]
async fn an_arizona_guide_is_told_from_california_by_its_winter_offsets_however_late() {
    // Summer-time offsets first (-0700 is both Phoenix and Los Angeles then), the winter ones
    // after the fall night: only Phoenix stays at -0700.
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<tv>\n<channel id=\"kaet\"><display-name>KAET</display-name>\
         <display-name>8.1</display-name></channel>\n",
    );
    for day in 26..=31 {
        xml.push_str(&format!(
            "<programme start=\"202010{day}090000 -0700\" stop=\"202010{day}093000 -0700\" \
             channel=\"kaet\"><title>Cyberchase</title></programme>\n"
        ));
    }
    xml.push_str(
        "<programme start=\"20201102090000 -0700\" stop=\"20201102093000 -0700\" \
         channel=\"kaet\"><title>Cyberchase</title></programme>\n</tv>\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kaet.xml");
    std::fs::write(&path, xml).unwrap();
    let db = TestDb::new().await;
    let report = db.import(&path.display().to_string()).await.unwrap();
    assert_eq!(report.counts.added, 7);
    assert!(db.airings().await.iter().all(|a| a.tz == "America/Phoenix"));
    assert!(!warned(&report, "LESSONCAST_TZ"), "{:?}", report.warnings);
}
