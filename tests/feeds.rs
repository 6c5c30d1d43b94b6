//! Calendar feeds on the real server: contents against the database, validators and 304s,
//! gzip, languages, bad parameters, and the feeds read back by ical.js and Python's icalendar.

// Test code: a failed step panics with what went wrong (clippy.toml allows this only inside
// `#[test]` functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, repo, TestApp};
use lessoncast::store::users::Role;
use serde_json::{json, Value};
use std::process::Command;

const WEEK: &str = "from=2020-04-13&to=2020-04-19";
/// The airings of grade 5 in the demo week, as the API lists them.
const GRADE_5: &str = "grade=5&from=2020-04-13&to=2020-04-20";

fn utc(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The airings (ids) that ring: those with work (`with_work`), and the first of each block of
/// a channel (no airing on it ended within 5 minutes before), one per start minute (work
/// first, then the first channel).
fn ringing(airings: &[Value], with_work: &[i64]) -> std::collections::HashSet<i64> {
    let t = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    let mut candidates = Vec::new();
    for a in airings {
        let (start, id) = (t(&a["start"]), a["id"].as_i64().unwrap());
        let follows = airings.iter().any(|b| {
            b["id"] != a["id"]
                && b["station"] == a["station"]
                && b["channel"] == a["channel"]
                && t(&b["start"]) < start
                && t(&b["end"]) + 300 >= start
        });
        let work = with_work.contains(&id);
        if !follows || work {
            candidates.push((
                start / 60,
                !work,
                a["station"].to_string(),
                a["channel"].to_string(),
                id,
            ));
        }
    }
    candidates.sort();
    let mut out = std::collections::HashSet::new();
    let mut last = None;
    for (minute, _, _, _, id) in candidates {
        if last != Some(minute) {
            out.insert(id);
            last = Some(minute);
        }
    }
    out
}

/// What the external checkers must find: every airing, at its instant, with its reminder if it
/// rings (none of the airings carry work).
fn expected(airings: &[Value], feed: &str, alarm: Option<u32>) -> Value {
    expected_with_work(airings, feed, alarm, &[])
}

fn expected_with_work(
    airings: &[Value],
    feed: &str,
    alarm: Option<u32>,
    with_work: &[i64],
) -> Value {
    let rings = ringing(airings, with_work);
    let events: Vec<Value> = airings
        .iter()
        .map(|a| {
            let channel = format!(
                "{} {}",
                a["station"].as_str().unwrap(),
                a["channel"].as_str().unwrap()
            );
            let summary = match a["episode_title"].as_str() {
                Some(ep) => format!("{channel} · {}: {ep}", a["title"].as_str().unwrap()),
                None => format!("{channel} · {}", a["title"].as_str().unwrap()),
            };
            json!({
                "uid": format!("airing-{}-{feed}@127.0.0.1", a["id"]),
                "start": utc(a["start"].as_str().unwrap()),
                "end": utc(a["end"].as_str().unwrap()),
                "summary": summary,
                "sequence": a["revision"].as_i64().unwrap() - 1,
                "alarm_minutes": alarm.filter(|_| rings.contains(&a["id"].as_i64().unwrap())),
                "description_contains": [format!("Watch on {channel}")],
            })
        })
        .collect();
    json!({ "timezone": "America/Los_Angeles", "events": events })
}

/// Runs the external parsers on `ics`: ical.js and Python's icalendar against `expected`, and
/// libical's parser and RFC 5545/5546 restriction checks, which must report no error and
/// count the same events. Any of them failing fails the test.
fn check_with_other_parsers(ics: &[u8], expected: &Value) {
    let events = common::libical_events(ics);
    assert_eq!(
        events,
        expected["events"].as_array().unwrap().len(),
        "libical counts the events"
    );
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.ics");
    let exp = dir.path().join("expected.json");
    std::fs::write(&feed, ics).unwrap();
    std::fs::write(&exp, serde_json::to_vec_pretty(expected).unwrap()).unwrap();
    let checks = repo().join("tests/ical");
    for (program, script) in [("node", "check.mjs"), ("python3", "check.py")] {
        let out = Command::new(program)
            .arg(checks.join(script))
            .arg(&feed)
            .arg(&exp)
            .output()
            .unwrap_or_else(|e| panic!("{program} is needed for this test: {e}"));
        assert!(
            out.status.success(),
            "{script} refused the feed (install its parser with tests/run.sh):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn the_grade_5_feed_holds_every_grade_5_airing_and_real_parsers_agree() {
    let app = TestApp::with_demo_week().await;
    let airings = app.api_airings(GRADE_5).await;
    assert!(
        airings.len() > 5,
        "grade 5 airings in the demo week: {}",
        airings.len()
    );
    let r = app.get(&format!("/feeds/grades/5.ics?{WEEK}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let body = r.bytes().await.unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(text.matches("BEGIN:VEVENT").count(), airings.len());
    assert!(text.contains("X-WR-CALNAME:Grade 5 · Lessons on TV"));
    check_with_other_parsers(&body, &expected(&airings, "grade-5", Some(15)));

    // Without reminders, and in Spanish.
    let r = app
        .get(&format!("/feeds/grades/5.ics?{WEEK}&alarm=0&lang=es"))
        .await;
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(!text.contains("BEGIN:VALARM"));
    assert!(text.contains("Véalo en"), "Spanish words");
    assert!(text.contains("Grado 5"));
    app.stop().await;
}

#[tokio::test]
async fn the_station_feed_parses_in_real_parsers() {
    let app = TestApp::with_demo_week().await;
    let airings = app
        .api_airings("station=KOCE&from=2020-04-13&to=2020-04-20")
        .await;
    let r = app
        .get(&format!("/feeds/stations/koce.ics?{WEEK}&alarm=30"))
        .await;
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    check_with_other_parsers(&body, &expected(&airings, "station-koce", Some(30)));
    app.stop().await;
}

#[tokio::test]
async fn a_repoll_gets_304_by_etag_or_date_and_a_change_gets_the_new_feed() {
    let app = TestApp::spawn().await;
    app.db
        .import_with_test_rules("import/kcet-day.xml")
        .await
        .unwrap();
    let path = "/feeds/grades/5.ics?from=2020-04-13&to=2020-04-13";
    let r = app.get(path).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let modified = r.headers()["last-modified"].to_str().unwrap().to_string();
    let first = r.text().await.unwrap();
    assert!(etag.starts_with('"'), "a strong validator: {etag}");

    let if_none_match = [("if-none-match", etag.as_str())];
    assert_eq!(app.get_with(path, &if_none_match).await.status(), 304);
    assert_eq!(
        app.get_with(path, &[("if-modified-since", &modified)])
            .await
            .status(),
        304
    );
    // If-None-Match wins over If-Modified-Since.
    let r = app
        .get_with(
            path,
            &[
                ("if-none-match", "\"other\""),
                ("if-modified-since", &modified),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);

    // A re-import that moves Wild Kratts: new bytes, new ETag, a higher SEQUENCE.
    app.db
        .import_with_test_rules("import/kcet-day-v2.xml")
        .await
        .unwrap();
    let r = app.get_with(path, &if_none_match).await;
    assert_eq!(r.status(), 200);
    assert_ne!(r.headers()["etag"].to_str().unwrap(), etag);
    let new_modified = r.headers()["last-modified"].to_str().unwrap().to_string();
    let parse = |s: &str| chrono::DateTime::parse_from_rfc2822(s).unwrap();
    assert!(
        parse(&new_modified) >= parse(&modified),
        "Last-Modified never goes backwards"
    );
    let second = r.text().await.unwrap();
    assert_ne!(first, second);
    assert!(
        second.contains("STATUS:CANCELLED"),
        "NOVA was removed: it is cancelled for a while"
    );
    assert!(
        second.contains("DTSTART:20200413T170000Z"),
        "Wild Kratts moved to 10:00 PDT"
    );
    app.stop().await;
}

#[tokio::test]
async fn gzip_when_asked_with_its_own_validator() {
    let app = TestApp::with_demo_week().await;
    let path = format!("/feeds/grades/5.ics?{WEEK}");
    let plain = app.get(&path).await;
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_string();
    let plain = plain.bytes().await.unwrap();
    let r = app
        .get_with(&path, &[("accept-encoding", "gzip, deflate")])
        .await;
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_ne!(r.headers()["etag"].to_str().unwrap(), plain_etag);
    let zipped = r.bytes().await.unwrap();
    assert!(zipped.len() < plain.len() / 3);
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut out).unwrap();
    assert_eq!(out, plain);
    app.stop().await;
}

#[tokio::test]
async fn bad_feed_requests_say_what_was_wrong() {
    let app = TestApp::with_demo_week().await;
    for (path, status, words) in [
        ("/feeds/grades/13.ics", 404, "13"),
        ("/feeds/grades/5.txt", 404, ".ics"),
        ("/feeds/stations/KZZZ.ics", 404, "KZZZ"),
        ("/feeds/grades/5.ics?lang=fr", 400, "lang"),
        ("/feeds/grades/5.ics?alarm=17", 400, "one of"),
        ("/feeds/grades/5.ics?from=-262143-01-01", 400, "years"),
        ("/feeds/grades/5.ics?alarm=soon", 400, "alarm"),
        ("/feeds/grades/5.ics?from=2020-13-01", 400, "from"),
        (
            "/feeds/grades/5.ics?from=2020-04-20&to=2020-04-13",
            400,
            "before",
        ),
        ("/feeds/grades/5.ics?grade=5", 400, "grade"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
        let text = r.text().await.unwrap();
        assert!(
            text.contains(words),
            "{path}: `{text}` should mention {words}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_command_line_writes_the_same_bytes_the_server_publishes() {
    let app = TestApp::with_demo_week().await;
    let served = app
        .get(&format!("/feeds/grades/5.ics?{WEEK}&lang=es"))
        .await
        .bytes()
        .await
        .unwrap();
    let out = app
        .cli()
        .args([
            "feed",
            "grade",
            "5",
            "--lang",
            "es",
            "--from",
            "2020-04-13",
            "--to",
            "2020-04-19",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, served.to_vec());
    app.stop().await;
}

#[tokio::test]
async fn text_that_tries_to_break_the_format_survives_both_parsers() {
    let app = TestApp::spawn().await;
    app.db
        .import(&fixture("feeds/nasty-text.csv"))
        .await
        .unwrap();
    let airings = app
        .api_airings("grade=5&from=2020-04-13&to=2020-04-14")
        .await;
    assert_eq!(airings.len(), 3);
    let r = app
        .get("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-13")
        .await;
    let ics = r.bytes().await.unwrap();
    let text = String::from_utf8(ics.to_vec()).unwrap();
    let lines = |l: &str| text.split("\r\n").filter(|x| *x == l).count();
    assert_eq!(lines("BEGIN:VEVENT"), 3, "no event was injected");
    assert_eq!(lines("END:VEVENT"), 3);
    assert_eq!(lines("END:VCALENDAR"), 1);
    let mut exp = expected(&airings, "grade-5", Some(15));
    exp["events"][0]["description_contains"] = json!(["Ends here.\nEND:VEVENT\nBEGIN:VEVENT"]);
    exp["events"][1]["description_contains"] = json!(["A back\\slash, a \"quote\", and ümlauts."]);
    check_with_other_parsers(&ics, &exp);

    // The Spanish feed carries the Spanish title and description, escaped just the same.
    let r = app
        .get("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-13&lang=es")
        .await;
    let ics = r.bytes().await.unwrap();
    let mut exp = expected(&airings, "grade-5", Some(15));
    exp["events"][0]["summary"] =
        json!("KLCS 58.1 · Matemáticas, lectura; y más: Line one\nLine two");
    for e in exp["events"].as_array_mut().unwrap() {
        let channel = "KLCS 58.1";
        e["description_contains"] = json!([format!("Véalo en {channel}")]);
    }
    check_with_other_parsers(&ics, &exp);
    app.stop().await;
}

#[tokio::test]
async fn the_2020_dst_nights_are_at_the_right_instants_in_both_parsers() {
    let app = TestApp::spawn().await;
    app.db
        .import(&fixture("import/dst-2020.xml"))
        .await
        .unwrap();
    for (from, to) in [("2020-03-07", "2020-03-08"), ("2020-10-31", "2020-11-01")] {
        let (_, body) = app
            .get_json(&format!(
                "/api/airings?station=KCET&from={from}&to={to}T23:59:59-08:00"
            ))
            .await;
        let airings = body["airings"].as_array().unwrap().clone();
        assert_eq!(airings.len(), 2, "{body}");
        let r = app
            .get(&format!(
                "/feeds/stations/KCET.ics?from={from}&to={to}&alarm=0"
            ))
            .await;
        let ics = r.bytes().await.unwrap();
        check_with_other_parsers(&ics, &expected(&airings, "station-kcet", None));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_class_feed_with_work_parses_in_real_parsers() {
    use lessoncast::domain::{AssignmentInput, Link};
    use lessoncast::store::assignments;
    let app = TestApp::with_demo_week().await;
    let pool = app.db.store.pool();
    let teacher = app.add_user("t@school.test", Role::Teacher).await;
    let class = assignments::create_class(
        pool,
        teacher.id,
        "Room 12, 5th grade",
        "5".parse()
            .map(lessoncast::domain::GradeSet::single)
            .unwrap(),
        &lessoncast::auth::new_token(),
        0,
    )
    .await
    .unwrap();
    let airings = app.api_airings(GRADE_5).await;
    let chosen = &airings[..2];
    let fields = AssignmentInput {
        title: "Pizza fractions; part 1, \"quarters\"".into(),
        instructions: "Draw it.\nThen colour three quarters.".into(),
        instructions_es: Some("Dibújala.\nLuego colorea tres cuartos.".into()),
        grades: vec!["5".into()],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let links: Vec<Link> = chosen
        .iter()
        .map(|a| Link::Airing(a["id"].as_i64().unwrap()))
        .collect();
    assignments::create(pool, teacher.id, Some(class.id), &fields, &links, 0)
        .await
        .unwrap();
    let r = app
        .get(&format!(
            "/feeds/classes/{}.ics?{WEEK}&lang=es",
            class.token
        ))
        .await;
    assert_eq!(r.status(), 200);
    let ics = r.bytes().await.unwrap();
    let ids: Vec<i64> = chosen.iter().map(|a| a["id"].as_i64().unwrap()).collect();
    let mut exp = expected_with_work(chosen, &format!("class-{}", class.id), Some(15), &ids);
    for e in exp["events"].as_array_mut().unwrap() {
        let channel = e["description_contains"][0]
            .as_str()
            .unwrap()
            .replace("Watch on ", "Véalo en ");
        e["description_contains"] = json!([
            channel,
            "Tarea: Pizza fractions; part 1, \"quarters\"",
            "Dibújala.\nLuego colorea tres cuartos."
        ]);
    }
    check_with_other_parsers(&ics, &exp);
    // The command line gives the same bytes.
    let out = app
        .cli()
        .args([
            "feed",
            "class",
            &class.token,
            "--lang",
            "es",
            "--from",
            "2020-04-13",
            "--to",
            "2020-04-19",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, ics.to_vec());
    app.stop().await;
}

/// A station's listings and a teacher's class name reach every subscribed family's calendar:
/// whatever they hold, they stay text, in the names, summaries, descriptions and categories.
#[tokio::test]
async fn listings_and_class_names_cannot_add_events_or_properties_to_a_feed() {
    use lessoncast::store::assignments;
    let app = TestApp::spawn().await;
    app.db
        .import(&fixture("feeds/hostile-titles.csv"))
        .await
        .unwrap();
    let airings = app
        .api_airings("grade=5&from=2020-04-13&to=2020-04-14")
        .await;
    assert_eq!(airings.len(), 2);
    let ics = app
        .get("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-13")
        .await
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(ics.to_vec()).unwrap();
    let lines = |l: &str| text.split("\r\n").filter(|x| *x == l).count();
    assert_eq!(lines("BEGIN:VEVENT"), 2, "no event was injected:\n{text}");
    assert!(!text.contains("\r\nSUMMARY:School closed"), "{text}");
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\r' && c != '\n'),
        "no control character reaches the feed"
    );
    let mut exp = expected(&airings, "grade-5", Some(15));
    // The title, CR LF and all, is one category and part of one summary.
    exp["events"][0]["summary"] = json!(
        "KLCS 58.1 · Math\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:School closed: Part one\nPart two"
    );
    exp["events"][0]["categories"] = json!([
        "Math\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:School closed",
        "Grade 5"
    ]);
    exp["events"][0]["description_contains"] = json!(["Bell and escape[31m"]);
    exp["events"][1]["categories"] = json!(["Reading, Writing; \\ and Art", "Grade 5"]);
    check_with_other_parsers(&ics, &exp);

    // A class name with list and property separators is the calendar's name, whole; one with a
    // line break in it (stored before names were checked) cannot end the NAME line either.
    let teacher = app.add_user("t@school.test", Role::Teacher).await;
    for name in [
        "Room 12; Ms. Rivera, 5th \\ 6th",
        "Room 12\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:School closed\u{7}",
    ] {
        let class = assignments::create_class(
            app.db.store.pool(),
            teacher.id,
            name,
            lessoncast::domain::GradeSet::parse_list("5").unwrap(),
            &lessoncast::auth::new_token(),
            0,
        )
        .await
        .unwrap();
        let ics = app
            .get(&format!("/feeds/classes/{}.ics?{WEEK}", class.token))
            .await
            .bytes()
            .await
            .unwrap();
        let text = String::from_utf8(ics.to_vec()).unwrap();
        let lines = |l: &str| text.split("\r\n").filter(|x| *x == l).count();
        assert_eq!(lines("END:VCALENDAR"), 1, "{text}");
        assert_eq!(lines("BEGIN:VEVENT"), 0, "{text}");
        let calname = format!(
            "{} · Lessons on TV",
            name.replace("\r\n", "\n").replace('\u{7}', "")
        );
        check_with_other_parsers(&ics, &json!({ "calname": calname, "events": [] }));
    }
    // Through the API, a class name with a line break or a control character is refused.
    let (status, body) = app
        .post_json(
            "/api/classes",
            teacher.bearer(),
            json!({"name": "Room 12\nSUMMARY:x", "grades": ["5"]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("name"), "{body}");
    app.stop().await;
}

/// The headers `keep` names, sorted, as text.
fn headers_where(
    h: &reqwest::header::HeaderMap,
    keep: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let mut v: Vec<_> = h
        .iter()
        .filter(|(k, _)| keep(k.as_str()))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    v.sort();
    v
}

/// What a 304 carries (RFC 9110 §15.4.5): the 200's validators and caching headers, nothing
/// else (the date aside).
fn updates_of(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers_where(h, |k| {
        matches!(k, "etag" | "last-modified" | "cache-control" | "vary")
    })
}

fn all_but_date(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers_where(h, |k| k != "date")
}

/// The full way (the data version looked up every time, as in these tests): a 304 carries
/// what updates the client's copy, and only that.
#[tokio::test]
async fn a_304_carries_the_validators_and_caching_headers_of_the_200_only() {
    let app = TestApp::with_demo_week().await;
    let path = format!("/feeds/grades/5.ics?{WEEK}");
    let full = app.get(&path).await;
    let etag = full.headers()["etag"].to_str().unwrap().to_string();
    let r = app.get_with(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status(), 304);
    assert_eq!(all_but_date(r.headers()), updates_of(full.headers()));
    assert_eq!(updates_of(full.headers()).len(), 4);
    app.stop().await;
}

/// With the data version trusted for a while (as in production), a phone's re-poll is
/// answered before the router (`web::revalidate`): its 304 carries what the full way's does,
/// for plain and gzipped copies and by date, and a copy that is out of date still gets the
/// feed.
#[tokio::test]
async fn a_repoll_answered_before_the_router_says_what_the_full_answer_does() {
    let db = common::TestDb::new().await;
    db.import_demo_week().await;
    let mut config = db.config();
    config.version_ttl = std::time::Duration::from_secs(3600);
    let app = TestApp::spawn_configured(db, config).await;
    let path = format!("/feeds/grades/5.ics?lang=es&{WEEK}");
    let counted = |metrics: &str| -> u64 {
        metrics
            .lines()
            .find(|l| {
                l.starts_with(
                    r#"lessoncast_feed_requests_total{kind="grade",status="not_modified"}"#,
                )
            })
            .and_then(|l| l.rsplit(' ').next())
            .map_or(0, |n| n.parse().unwrap())
    };
    let before = counted(&app.get_text("/metrics").await);
    for gzip in [&[][..], &[("accept-encoding", "gzip")][..]] {
        let full = app.get_with(&path, gzip).await;
        assert_eq!(full.status(), 200);
        let etag = full.headers()["etag"].to_str().unwrap().to_string();
        let modified = full.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_string();
        for asked in [
            ("if-none-match", etag.as_str()),
            ("if-modified-since", &modified),
        ] {
            let headers: Vec<_> = gzip.iter().copied().chain([asked]).collect();
            let r = app.get_with(&path, &headers).await;
            assert_eq!(r.status(), 304, "{asked:?}");
            assert_eq!(
                all_but_date(r.headers()),
                updates_of(full.headers()),
                "{asked:?}"
            );
            assert!(r.bytes().await.unwrap().is_empty());
        }
        let headers: Vec<_> = gzip
            .iter()
            .copied()
            .chain([("if-none-match", "\"old\"")])
            .collect();
        let r = app.get_with(&path, &headers).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
    }
    // Counted like any 304 (other tests of this binary may count theirs meanwhile).
    assert!(counted(&app.get_text("/metrics").await) >= before + 4);
    app.stop().await;
}
