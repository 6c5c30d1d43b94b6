//! The HTTP API on the real server: health, airings by station, grade and week, and clear 4xx
//! answers to bad parameters.

mod common;

use common::TestApp;
use serde_json::Value;

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = TestApp::spawn().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn serve_moves_the_demo_week_into_this_week() {
    let app = TestApp::spawn_with(true).await;
    let (status, body) = app.get_json("/api/airings?station=KCET").await;
    assert_eq!(status, 200, "{body}");
    let list = body["airings"].as_array().unwrap();
    assert!(list.len() > 20, "this week's KCET airings: {}", list.len());
    assert!(list
        .iter()
        .any(|a| !a["grades"].as_array().unwrap().is_empty()));
    // This week, in local time: every start falls within the current Monday..Sunday.
    let tz = chrono_tz::America::Los_Angeles;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let monday = lessoncast::domain::Week::containing(today).monday();
    for a in list {
        let start = chrono::DateTime::parse_from_rfc3339(a["start"].as_str().unwrap()).unwrap();
        let d = start.with_timezone(&tz).date_naive();
        assert!(
            d >= monday && d < monday + chrono::Duration::days(7),
            "{start} not this week"
        );
        assert_eq!(a["station"], "KCET");
        assert_eq!(a["status"], "scheduled");
        for key in [
            "id",
            "channel",
            "end",
            "title",
            "episode_title",
            "episode_key",
            "series_key",
            "captions",
        ] {
            assert!(a.get(key).is_some(), "airing has {key}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn airings_filter_by_grade_and_window_in_local_time() {
    let app = TestApp::with_demo_week().await;
    let (status, body) = app
        .get_json("/api/airings?grade=5&from=2020-04-13&to=2020-04-14")
        .await;
    assert_eq!(status, 200, "{body}");
    let list = body["airings"].as_array().unwrap();
    assert!(!list.is_empty());
    for a in list {
        assert!(
            a["grades"].as_array().unwrap().iter().any(|g| g == "5"),
            "{a}"
        );
        let start = a["start"].as_str().unwrap();
        assert!(start.starts_with("2020-04-13T"), "{start}");
        assert!(start.ends_with("-07:00"), "local offset in April: {start}");
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_parameters_are_4xx_that_say_why() {
    let app = TestApp::spawn().await;
    for (path, status, words) in [
        ("/api/airings?grade=13", 400, "grade"),
        ("/api/airings?from=yesterday", 400, "from"),
        ("/api/airings?from=2020-04-14&to=2020-04-13", 400, "after"),
        ("/api/airings?grdae=5", 400, "grdae"),
        ("/api/airings?limit=0", 400, "limit"),
        // Far dates were a 500 once (date arithmetic overflowed): now refused, saying why.
        ("/api/airings?to=-262143-01-01", 400, "to"),
        ("/api/airings?from=262142-12-31", 400, "from"),
        ("/api/airings?to=-262143-01-01T00:00:00Z", 400, "to"),
        ("/api/airings?from=9999-12-31T23:59:59Z", 400, "years"),
        ("/api/airings?station=KZZZ", 404, "KZZZ"),
        ("/api/nothing", 404, "/api/nothing"),
    ] {
        let (s, body) = app.get_json(path).await;
        assert_eq!(s, status, "{path}: {body}");
        let msg = body["error"].as_str().unwrap();
        assert!(
            msg.contains(words),
            "{path}: `{msg}` should mention {words}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_spanish_title_known_for_an_episode_shows_on_every_airing_of_it() {
    // The demo week: KOCE's guide gives Spanish titles that KLCS's and KCET's copies of the
    // same series and episodes lack.
    let app = TestApp::with_demo_week().await;
    let airings = app
        .api_airings("from=2020-04-13&to=2020-04-20&limit=5000")
        .await;
    assert!(airings.len() > 900);
    let mut series: std::collections::HashMap<&str, Vec<&Value>> = Default::default();
    let mut episodes: std::collections::HashMap<&str, Vec<&Value>> = Default::default();
    for a in &airings {
        series
            .entry(a["series_key"].as_str().unwrap())
            .or_default()
            .push(a);
        if let Some(k) = a["episode_key"].as_str() {
            episodes.entry(k).or_default().push(a);
        }
    }
    let mut shared = 0;
    for (field, groups) in [("title_es", &series), ("episode_title_es", &episodes)] {
        for (key, list) in groups {
            let known: Vec<&Value> = list
                .iter()
                .filter(|a| !a[field].is_null())
                .copied()
                .collect();
            if known.is_empty() {
                continue;
            }
            shared += list.len() - known.len();
            for a in list {
                assert!(!a[field].is_null(), "{key}: {field} missing on {a}");
            }
        }
    }
    // Before the shared titles, 146 airings of the demo week lacked them.
    assert_eq!(shared, 0);
    app.stop().await;
}
