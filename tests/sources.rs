//! Schedule sources that keep themselves current, against a local server on 127.0.0.1 that
//! plays the PBS TV Schedules Service (`/tvss/{callsign}/day/{YYYYMMDD}/`, `X-PBSAUTH`,
//! `ETag`s): the days of the window fetched, a 304 on the next poll, a moved airing updated
//! with its UID kept and its SEQUENCE grown, a vanished one cancelled, a 500 and a timeout
//! retried then recorded with the last good data kept, a wrong key said so, a source edited on
//! `/admin` taking effect without a restart, and two `serve` processes on one database running
//! each tick of a one-second cron once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use common::Browser;
use common::{repo, TestApp, TestDb};
use lessoncast::store::users::Role;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "good-key";

/// What the fake service answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Normal,
    /// 500 to everything.
    Failing,
    /// Answers after 3 s.
    Slow,
}

/// One request the fake saw.
#[derive(Clone, Debug)]
struct Hit {
    path: String,
    key: Option<String>,
    if_none_match: Option<String>,
}

#[derive(Default)]
struct Service {
    /// Day (YYYYMMDD) → listings as (HHMM, minutes, title), for days that are not the default.
    days: HashMap<String, Vec<(&'static str, u32, &'static str)>>,
    hits: Vec<Hit>,
    mode: Option<Mode>,
}

type Fake = Arc<Mutex<Service>>;

/// Every day has Cyberchase at 10:00 and Wild Kratts at 11:00 unless set otherwise.
const DEFAULT_DAY: [(&str, u32, &str); 2] =
    [("1000", 30, "Cyberchase"), ("1100", 30, "Wild Kratts")];

fn body_of(listings: &[(&str, u32, &str)]) -> String {
    let listings: Vec<Value> = listings
        .iter()
        .map(|(t, m, title)| {
            json!({"start_time": t, "minutes": m, "title": title, "episode_title": "",
                   "description": "", "nola_root": "", "nola_episode": "", "type": "program"})
        })
        .collect();
    json!({"feeds": [{"cid": "kcet-1", "short_name": "KCET", "full_name": "KCET",
        "timezone": "America/Los_Angeles", "digital_channel": "28.1", "analog_channel": "",
        "listings": listings}]})
    .to_string()
}

async fn day(
    State(fake): State<Fake>,
    Path((callsign, day)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let (mode, body) = {
        let mut s = fake.lock().unwrap();
        s.hits.push(Hit {
            path: format!("/tvss/{callsign}/day/{day}/"),
            key: header("x-pbsauth"),
            if_none_match: header("if-none-match"),
        });
        let listings = s.days.get(&day).cloned().unwrap_or(DEFAULT_DAY.to_vec());
        (s.mode.unwrap_or(Mode::Normal), body_of(&listings))
    };
    match mode {
        Mode::Failing => return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
        Mode::Slow => tokio::time::sleep(Duration::from_secs(3)).await,
        Mode::Normal => {}
    }
    if header("x-pbsauth").as_deref() != Some(KEY) {
        return (
            StatusCode::FORBIDDEN,
            "{\"detail\":\"Authentication failed\"}",
        )
            .into_response();
    }
    let etag = format!("\"{:x}\"", md5ish(&body));
    if header("if-none-match").as_deref() == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [("etag", etag)]).into_response();
    }
    (
        StatusCode::OK,
        [("etag", etag), ("content-type", "application/json".into())],
        body,
    )
        .into_response()
}

/// A stable hash of the body, as an ETag.
fn md5ish(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

async fn fake_tvss() -> (String, Fake) {
    let fake: Fake = Arc::default();
    let router = axum::Router::new()
        .route("/tvss/{callsign}/day/{day}/", axum::routing::get(day))
        .with_state(fake.clone());
    let (base, _handle) = common::serve(router).await;
    (format!("{base}/tvss/"), fake)
}

async fn app_with(tvss: &str, key: Option<&str>) -> TestApp {
    let db = TestDb::new().await;
    let mut config = db.config();
    config.tvss_base = tvss.to_string();
    config.pbs_key = key.map(lessoncast::auth::Secret::new);
    config.grade_rules = repo().join("tests/fixtures/sources/rules.toml");
    config.fetch.timeout = Duration::from_millis(800);
    TestApp::spawn_configured(db, config).await
}

fn today_la() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive()
}

fn ymd(d: chrono::NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The source `name` as `GET /api/admin/sources` shows it.
async fn source(app: &TestApp, token: &str, name: &str) -> Value {
    let (status, v) = app.get_json_as("/api/admin/sources", Some(token)).await;
    assert_eq!(status, 200, "{v}");
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

/// Waits (bounded) until `check` holds of the source.
async fn wait_for(app: &TestApp, token: &str, name: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = source(app, token, name).await;
        if check(&s) || Instant::now() > deadline {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn run_now(app: &TestApp, token: &str, id: &Value) -> Value {
    let (status, v) = app
        .post_json(
            &format!("/api/admin/sources/{id}/run"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

/// The VEVENT of `title` starting at `hhmm` on `day`, Los Angeles time.
fn event<'a>(ics: &'a str, title: &str, day: &str, hhmm: &str) -> Option<&'a str> {
    use chrono::TimeZone;
    let local =
        chrono::NaiveDateTime::parse_from_str(&format!("{day}{hhmm}"), "%Y%m%d%H%M").ok()?;
    let utc = chrono_tz::America::Los_Angeles
        .from_local_datetime(&local)
        .single()?
        .with_timezone(&chrono::Utc);
    let start = format!("DTSTART:{}", utc.format("%Y%m%dT%H%M%SZ"));
    ics.split("BEGIN:VEVENT")
        .skip(1)
        .find(|e| e.contains(&format!(" · {title}\r\n")) && e.contains(&start))
}

fn field<'a>(event: &'a str, name: &str) -> Option<&'a str> {
    event
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(str::trim)
}

#[tokio::test]
async fn a_tvss_source_brings_its_days_polls_politely_and_moves_lessons_on_phones() {
    let (tvss, fake) = fake_tvss().await;
    let app = app_with(&tvss, Some(KEY)).await;
    let admin = app.add_user("admin@district.test", Role::Admin).await;
    let token = admin.token.as_str();

    let (status, added) = app
        .post_json(
            "/api/admin/sources",
            Some(token),
            json!({"name": "KCET main", "kind": "tvss", "location": "kcet", "days": 3,
                   "cron": "0 0 0 1 1 *"}),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["location"], "KCET");
    assert_eq!(added["enabled"], true);
    // A new source runs at once, not at its (yearly) cron.
    let s = wait_for(&app, token, "KCET main", |s| s["last_outcome"] == "ok").await;
    assert_eq!(s["last_outcome"], "ok", "{s}");
    assert_eq!(s["last_change"]["added"], 6, "{s}");
    assert_eq!(s["consecutive_failures"], 0);
    assert!(
        s["next_run"].as_str().unwrap().contains("-01-01T00:00:00"),
        "{s}"
    );

    // Today and the next two days in the station's zone, with the key.
    let today = today_la();
    let days: Vec<String> = (0..3).map(|n| ymd(today + chrono::Days::new(n))).collect();
    {
        let s = fake.lock().unwrap();
        let paths: Vec<&str> = s.hits.iter().map(|h| h.path.as_str()).collect();
        let want: Vec<String> = days
            .iter()
            .map(|d| format!("/tvss/kcet/day/{d}/"))
            .collect();
        assert_eq!(paths, want);
        assert!(s.hits.iter().all(|h| h.key.as_deref() == Some(KEY)));
        assert!(s.hits.iter().all(|h| h.if_none_match.is_none()));
    }
    assert_eq!(app.api_airings("station=KCET").await.len(), 6);

    // The next poll sends the validators: 304s, nothing changes.
    let feed_before = app.get("/feeds/grades/5.ics").await;
    let etag_before = feed_before.headers()["etag"].to_str().unwrap().to_string();
    let ics_before = feed_before.text().await.unwrap();
    let v = run_now(&app, token, &added["id"]).await;
    assert_eq!(v["outcome"], "not_modified", "{v}");
    {
        let s = fake.lock().unwrap();
        assert_eq!(s.hits.len(), 6);
        assert!(
            s.hits[3..].iter().all(|h| h.if_none_match.is_some()),
            "{:?}",
            s.hits
        );
    }
    assert_eq!(
        app.get_with("/feeds/grades/5.ics", &[("if-none-match", &etag_before)])
            .await
            .status(),
        304
    );

    // The station moves tomorrow's Wild Kratts to 11:30 and drops the day after's Cyberchase.
    {
        let mut s = fake.lock().unwrap();
        s.days.insert(
            days[1].clone(),
            vec![("1000", 30, "Cyberchase"), ("1130", 30, "Wild Kratts")],
        );
        s.days
            .insert(days[2].clone(), vec![("1100", 30, "Wild Kratts")]);
    }
    let v = run_now(&app, token, &added["id"]).await;
    assert_eq!(v["outcome"], "ok", "{v}");
    assert_eq!(v["updated"], 1, "{v}");
    assert_eq!(v["removed"], 1, "{v}");
    // Today answered 304: only the two changed days were read.
    assert_eq!(v["unchanged"], 2, "{v}");
    let s = source(&app, token, "KCET main").await;
    assert_eq!(
        s["last_change"],
        json!({"added": 0, "updated": 1, "removed": 1})
    );

    let after = app.get("/feeds/grades/5.ics").await;
    assert_ne!(after.headers()["etag"].to_str().unwrap(), etag_before);
    let ics_after = after.text().await.unwrap();
    let old = event(&ics_before, "Wild Kratts", &days[1], "1100")
        .unwrap_or_else(|| panic!("no Wild Kratts on {} in {ics_before}", days[1]));
    let moved = event(&ics_after, "Wild Kratts", &days[1], "1130").expect("moved");
    assert_eq!(
        field(old, "UID"),
        field(moved, "UID"),
        "a moved lesson keeps its UID"
    );
    let seq = |e: &str| field(e, "SEQUENCE").unwrap_or("0").parse::<u32>().unwrap();
    assert_eq!(seq(moved), seq(old) + 1, "{moved}");
    let gone = event(&ics_after, "Cyberchase", &days[2], "1000").expect("cancelled");
    assert_eq!(field(gone, "STATUS"), Some("CANCELLED"), "{gone}");
    // The first day, not changed, is as it was.
    let first = event(&ics_after, "Cyberchase", &days[0], "1000").unwrap();
    assert_eq!(field(first, "STATUS"), Some("CONFIRMED"));

    // /metrics counts the runs and the feed requests.
    let metrics = app.get_text("/metrics").await;
    assert!(
        metrics.contains(r#"lessoncast_source_runs_total{source="KCET main",outcome="ok"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"lessoncast_source_runs_total{source="KCET main",outcome="not_modified"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"lessoncast_feed_requests_total{kind="grade",status="not_modified"}"#),
        "{metrics}"
    );
    // Six imported, one cancelled.
    assert!(metrics.contains("lessoncast_airings 5"), "{metrics}");
    app.stop().await;
}

#[tokio::test]
async fn failures_are_retried_then_recorded_and_the_last_good_data_kept() {
    let (tvss, fake) = fake_tvss().await;
    let app = app_with(&tvss, Some(KEY)).await;
    let admin = app.add_user("admin@district.test", Role::Admin).await;
    let token = admin.token.as_str();
    let (_, added) = app
        .post_json(
            "/api/admin/sources",
            Some(token),
            json!({"name": "KCET", "kind": "tvss", "location": "KCET", "days": 1,
                   "cron": "0 0 0 1 1 *"}),
        )
        .await;
    wait_for(&app, token, "KCET", |s| s["last_outcome"] == "ok").await;
    assert_eq!(app.api_airings("station=KCET").await.len(), 2);

    fake.lock().unwrap().mode = Some(Mode::Failing);
    let before = fake.lock().unwrap().hits.len();
    let v = run_now(&app, token, &added["id"]).await;
    assert_eq!(v["outcome"], "failed", "{v}");
    let e = v["error"].as_str().unwrap();
    assert!(e.contains("500") && e.contains("after 2 attempts"), "{e}");
    assert_eq!(fake.lock().unwrap().hits.len() - before, 2, "retried once");

    fake.lock().unwrap().mode = Some(Mode::Slow);
    let v = run_now(&app, token, &added["id"]).await;
    let e = v["error"].as_str().unwrap();
    assert!(e.contains("did not answer in time"), "{e}");

    // A failing source keeps what it brought last.
    assert_eq!(app.api_airings("station=KCET").await.len(), 2);
    fake.lock().unwrap().mode = Some(Mode::Failing);
    run_now(&app, token, &added["id"]).await;
    let s = source(&app, token, "KCET").await;
    assert_eq!(s["consecutive_failures"], 3, "{s}");
    assert_eq!(s["failing"], true);
    assert!(s["last_success"].is_string());
    assert!(s["last_error"].as_str().unwrap().contains("500"));

    // /admin says so at the top.
    let session = app.browser_session(&admin).await;
    let mut b = Browser::with_session(&app, &session);
    let page = b.get("/admin").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("has failed 3 times in a row"),
        "{}",
        page.body
    );

    // Back up: the count starts again.
    fake.lock().unwrap().mode = None;
    let v = run_now(&app, token, &added["id"]).await;
    assert_eq!(v["outcome"], "not_modified", "{v}");
    assert_eq!(source(&app, token, "KCET").await["consecutive_failures"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_said_plainly() {
    let (tvss, _fake) = fake_tvss().await;
    for (key, says) in [
        (
            Some("s3cret-not-the-key"),
            "refused the key in LESSONCAST_PBS_KEY",
        ),
        (None, "set LESSONCAST_PBS_KEY"),
    ] {
        let app = app_with(&tvss, key).await;
        let admin = app.add_user("admin@district.test", Role::Admin).await;
        let token = admin.token.as_str();
        let (_, added) = app
            .post_json(
                "/api/admin/sources",
                Some(token),
                json!({"name": "KCET", "kind": "tvss", "location": "KCET", "days": 1,
                       "cron": "0 0 0 1 1 *", "enabled": false}),
            )
            .await;
        let v = run_now(&app, token, &added["id"]).await;
        assert_eq!(v["outcome"], "failed");
        let e = v["error"].as_str().unwrap();
        assert!(e.contains("403") && e.contains(says), "{e}");
        assert!(!e.contains("s3cret"), "the key is never shown: {e}");
        app.stop().await;
    }
}

#[tokio::test]
async fn sources_are_checked_and_only_admins_manage_them() {
    let app = TestApp::spawn().await;
    let admin = app.add_user("admin@district.test", Role::Admin).await;
    let teacher = app.add_user("t@school.test", Role::Teacher).await;
    let body = json!({"name": "KCET", "kind": "tvss", "location": "KCET", "enabled": false});
    let (status, _) = app
        .post_json("/api/admin/sources", Some(&teacher.token), body.clone())
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post_json("/api/admin/sources", None, body.clone())
        .await;
    assert_eq!(status, 401);
    let (status, v) = app
        .post_json(
            "/api/admin/sources",
            Some(&admin.token),
            json!({"name": "X", "kind": "tvss", "location": "KCET", "cron": "every day"}),
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["fields"][0]["field"], "cron", "{v}");
    let (status, v) = app
        .post_json("/api/admin/sources", Some(&admin.token), body.clone())
        .await;
    assert_eq!(status, 201, "{v}");
    let (status, _) = app
        .post_json("/api/admin/sources", Some(&admin.token), body)
        .await;
    assert_eq!(status, 409);
    let id = v["id"].clone();
    let (status, v) = app
        .patch_json(
            &format!("/api/admin/sources/{id}"),
            Some(&admin.token),
            json!({"days": 7, "kids": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["days"], 7);
    assert_eq!(v["kids"], true);
    let (status, _) = app
        .delete_json(&format!("/api/admin/sources/{id}"), Some(&admin.token))
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .delete_json(&format!("/api/admin/sources/{id}"), Some(&admin.token))
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_source_edited_on_admin_takes_effect_without_a_restart() {
    let (tvss, fake) = fake_tvss().await;
    let app = app_with(&tvss, Some(KEY)).await;
    let admin = app.add_user("admin@district.test", Role::Admin).await;
    let token = admin.token.clone();
    let mut b = Browser::sign_in(&app, "admin@district.test").await;
    let page = b.get("/admin").await;
    assert!(page.body.contains("Add a source"), "{}", page.body);
    assert!(page.body.contains("Sign out"));
    let csrf = page.csrf();

    // A form without the session's token changes nothing.
    let r = b
        .post(
            "/admin/sources",
            &[
                ("csrf", "forged"),
                ("name", "KCET"),
                ("kind", "tvss"),
                ("location", "KCET"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    // A bad cron comes back with the form and its message.
    let r = b
        .post(
            "/admin/sources",
            &[
                ("csrf", &csrf),
                ("name", "KCET"),
                ("kind", "tvss"),
                ("location", "KCET"),
                ("cron", "sometimes"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("sometimes"), "{}", r.body);

    let r = b
        .post(
            "/admin/sources",
            &[
                ("csrf", &csrf),
                ("name", "KCET"),
                ("kind", "tvss"),
                ("location", "KCET"),
                ("cron", "0 0 0 1 1 *"),
                ("days", "3"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let s = wait_for(&app, &token, "KCET", |s| s["last_outcome"] == "ok").await;
    assert_eq!(fake.lock().unwrap().hits.len(), 3, "{s}");
    let id = s["id"].to_string();

    // Edited to two days: the next run, from the same server, fetches two.
    let r = b
        .post(
            &format!("/admin/sources/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "KCET"),
                ("kind", "tvss"),
                ("location", "KCET"),
                ("cron", "0 0 0 1 1 *"),
                ("days", "2"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = b
        .post(&format!("/admin/sources/{id}/run"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        fake.lock().unwrap().hits.len(),
        5,
        "two more days, not three"
    );
    let page = b.get("/admin").await;
    assert!(page.body.contains("not modified"), "{}", page.body);

    // Edited to run every second: it runs without anyone asking, and without a restart.
    let before = fake.lock().unwrap().hits.len();
    let r = b
        .post(
            &format!("/admin/sources/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "KCET"),
                ("kind", "tvss"),
                ("location", "KCET"),
                ("cron", "* * * * * *"),
                ("days", "1"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.lock().unwrap().hits.len() < before + 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        fake.lock().unwrap().hits.len() >= before + 2,
        "the new cron runs"
    );

    // Paused: no more runs.
    let r = b
        .post(&format!("/admin/sources/{id}/pause"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let paused_at = fake.lock().unwrap().hits.len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        fake.lock().unwrap().hits.len(),
        paused_at,
        "a paused source does not run"
    );
    assert_eq!(source(&app, &token, "KCET").await["enabled"], false);

    // Delete asks to be sure.
    let r = b
        .post(&format!("/admin/sources/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 400);
    let r = b
        .post(
            &format!("/admin/sources/{id}/delete"),
            &[("csrf", &csrf), ("confirm", "on")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(source(&app, &token, "KCET").await.is_null());
    // What it imported stays: three days of two airings.
    assert_eq!(app.api_airings("station=KCET").await.len(), 6);
    app.stop().await;
}

/// A schedule file served without validators, so that every fetch imports.
async fn xmltv_server() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let hits: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let body = std::fs::read_to_string(repo().join("tests/fixtures/import/kcet-day.xml")).unwrap();
    let seen = hits.clone();
    let router = axum::Router::new().route(
        "/kcet.xml",
        axum::routing::get(move || {
            let seen = seen.clone();
            let body = body.clone();
            async move {
                seen.lock().unwrap().push(Instant::now());
                body
            }
        }),
    );
    let (base, _handle) = common::serve(router).await;
    (format!("{base}/kcet.xml"), hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_database_run_each_tick_once() {
    let (url, hits) = xmltv_server().await;
    let db = TestDb::new().await;
    let now = chrono::Utc::now().timestamp();
    let mut spec =
        lessoncast::sources::SourceSpec::new("KCET", lessoncast::sources::Kind::Url, &url);
    spec.cron = "* * * * * *".into();
    spec.format = lessoncast::import::Format::Xmltv;
    let spec = spec.check().unwrap();
    let id = lessoncast::store::sources::add(db.store.pool(), &spec, now)
        .await
        .unwrap()
        .id;

    let serve = || {
        common::lessoncast(db.dir())
            .env("DATABASE_URL", &db.url)
            .env("LESSONCAST_ADDR", "127.0.0.1:0")
            .env(
                "LESSONCAST_GRADE_RULES",
                repo().join("tests/fixtures/import/rules.toml"),
            )
            .args(["serve", "--no-demo"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("serve")
    };
    let started = Instant::now();
    let mut a = serve();
    let mut b = serve();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let ticks = started.elapsed().as_secs() as usize + 1;
    for p in [&mut a, &mut b] {
        unsafe {
            libc::kill(p.id() as i32, libc::SIGTERM);
        }
    }
    for p in [&mut a, &mut b] {
        p.wait().unwrap();
    }
    let hits = hits.lock().unwrap().clone();
    let runs: Vec<_> = lessoncast::store::imports::recent_runs(db.store.pool(), 100)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert!(hits.len() >= 3, "a run a second: {} runs", hits.len());
    assert_eq!(runs.len(), hits.len(), "each fetch one import");
    assert!(
        runs.iter().all(|r| r.status == "ok"),
        "no run failed for colliding: {runs:?}"
    );
    // At most one run per tick (the first run at once, then one a second): without the lease
    // each replica would run every tick, about twice as many.
    assert!(
        runs.len() <= ticks + 1,
        "{} runs in {ticks} ticks of two replicas: some tick ran twice",
        runs.len()
    );
    let s = lessoncast::store::sources::by_id(db.store.pool(), id)
        .await
        .unwrap();
    assert_eq!(
        s.consecutive_failures, 0,
        "the last run failed: {:?}",
        s.last_error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_adds_lists_runs_pauses_and_removes_sources() {
    let (tvss, fake) = fake_tvss().await;
    let db = TestDb::new().await;
    let run = |args: &[&str], key: &str| {
        let out = common::lessoncast(db.dir())
            .env("DATABASE_URL", &db.url)
            .env("LESSONCAST_TVSS_BASE", &tvss)
            .env("LESSONCAST_PBS_KEY", key)
            .env(
                "LESSONCAST_GRADE_RULES",
                repo().join("tests/fixtures/sources/rules.toml"),
            )
            .args(args)
            .output()
            .expect("lessoncast");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = tokio::task::block_in_place(|| {
        run(
            &["source", "add", "KCET", "--tvss", "kcet", "--days", "2"],
            KEY,
        )
    });
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("added source KCET"), "{out}");
    let (code, _, err) = tokio::task::block_in_place(|| {
        run(
            &["source", "add", "x", "--tvss", "KCET", "--cron", "daily"],
            KEY,
        )
    });
    assert_ne!(code, Some(0));
    assert!(err.contains("cron") && err.contains("daily"), "{err}");

    let (code, out, err) =
        tokio::task::block_in_place(|| run(&["source", "run", "KCET", "--json"], KEY));
    assert_eq!(code, Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcome"], "ok", "{v}");
    assert_eq!(v["added"], 4, "{v}");
    assert_eq!(fake.lock().unwrap().hits.len(), 2);

    let (code, out, err) = tokio::task::block_in_place(|| run(&["source", "run", "KCET"], KEY));
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("not modified"), "{out}");

    let (code, out, err) =
        tokio::task::block_in_place(|| run(&["source", "run", "KCET", "--json"], "s3cret-wrong"));
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(err.contains("403") && !err.contains("s3cret"), "{err}");
    assert!(err.contains("keeps its last good data"), "{err}");

    tokio::task::block_in_place(|| run(&["source", "pause", "KCET"], KEY));
    let (code, out, _) = tokio::task::block_in_place(|| run(&["source", "list", "--json"], KEY));
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    let s = &v["sources"][0];
    for key in [
        "name",
        "kind",
        "enabled",
        "cron",
        "last_run",
        "last_success",
        "last_error",
        "next_run",
        "consecutive_failures",
    ] {
        assert!(s.get(key).is_some(), "{key} in {s}");
    }
    assert_eq!(s["enabled"], false);
    assert_eq!(s["kind"], "tvss");
    assert_eq!(s["consecutive_failures"], 1);
    assert!(s["next_run"].is_null(), "a paused source has no next run");
    assert!(s["last_error"].as_str().unwrap().contains("403"));

    let (code, out, _) = tokio::task::block_in_place(|| run(&["source", "remove", "KCET"], KEY));
    assert_eq!(code, Some(0), "{out}");
    let (code, _, err) = tokio::task::block_in_place(|| run(&["source", "run", "KCET"], KEY));
    assert_ne!(code, Some(0));
    assert!(err.contains("no source is called `KCET`"), "{err}");
}
