//! The teachers' JSON API on the real server: sign-in, assignments and classes, and the
//! security cases (no write without credentials, another teacher's work, CSRF for browser
//! sessions, lockout, escaping in feeds).

// Test code: a failed step panics with what went wrong (clippy.toml allows this only inside
// `#[test]` functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, Browser, TestApp, TestUser, PASSWORD};
use lessoncast::store::users::{self, Role};
use reqwest::Method;
use serde_json::{json, Value};

/// The grade 5 feed of the demo week.
const GRADE_5_FEED: &str = "/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19";

/// The demo week, two teachers and an admin, each signed in through the API.
struct School {
    app: TestApp,
    rivera: TestUser,
    kim: TestUser,
    admin: TestUser,
}

async fn school() -> School {
    let app = TestApp::with_demo_week().await;
    let rivera = app.add_user("ms.rivera@school.test", Role::Teacher).await;
    let kim = app.add_user("mr.kim@school.test", Role::Teacher).await;
    let admin = app.add_user("admin@school.test", Role::Admin).await;
    School {
        app,
        rivera,
        kim,
        admin,
    }
}

/// A grade 5 airing of the demo week with an episode key.
async fn grade5_airing(app: &TestApp) -> Value {
    app.api_airings("grade=5&from=2020-04-13&to=2020-04-18")
        .await
        .into_iter()
        .find(|a| a["episode_key"].is_string())
        .expect("a grade 5 airing with an episode")
}

fn assignment(links: Value) -> Value {
    json!({
        "title": "Fractions of a pizza",
        "instructions": "Watch, then draw a pizza cut in quarters; colour three.",
        "instructions_es": "Mira el programa y dibuja una pizza cortada en cuartos; colorea tres.",
        "materials": "paper, crayons",
        "minutes": 20,
        "grades": ["5"],
        "due": "2020-04-17",
        "links": links,
    })
}

/// The feed at `path` with its folded lines joined.
async fn unfolded(app: &TestApp, path: &str) -> String {
    app.get_text(path).await.replace("\r\n ", "")
}

#[tokio::test]
async fn login_gives_a_token_and_a_wrong_password_is_401() {
    let School { app, .. } = school().await;
    let wrong = json!({"email": "ms.rivera@school.test", "password": "wrong password!"});
    let (s, body) = app.post_json("/api/login", None, wrong).await;
    assert_eq!(s, 401, "{body}");
    assert!(body["error"].as_str().unwrap().contains("wrong"));
    let t = app.api_token("MS.RIVERA@school.test ").await;
    assert_eq!(t.len(), 64);
    // An address no account can have (found by schemathesis: PostgreSQL cannot hold a NUL) is
    // an unknown one, not a 500.
    for email in ["\u{81}~\u{0}?s", &"a".repeat(300)] {
        let (s, body) = app
            .post_json(
                "/api/login",
                None,
                json!({"email": email, "password": "whatever!!"}),
            )
            .await;
        assert_eq!(s, 401, "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account() {
    let School { app, .. } = school().await;
    let sign_in = |password: &str| {
        let body = json!({"email": "mr.kim@school.test", "password": password});
        app.post_json("/api/login", None, body)
    };
    for _ in 0..5 {
        let (s, _) = sign_in("not the password").await;
        assert_eq!(s, 401);
    }
    // Even the right password is refused while locked.
    let (s, body) = sign_in(PASSWORD).await;
    assert_eq!(s, 401);
    assert!(
        body["error"].as_str().unwrap().contains("too many"),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn concurrent_guesses_are_checked_at_most_five_times_and_a_locked_account_looks_unknown() {
    let School { app, .. } = school().await;
    let guess = |email: &str, password: String| {
        app.post_json(
            "/api/login",
            None,
            json!({"email": email, "password": password}),
        )
    };
    let guesses: Vec<_> = (0..30)
        .map(|i| guess("mr.kim@school.test", format!("guess number {i}")))
        .collect();
    for (status, _) in futures_util::future::join_all(guesses).await {
        assert_eq!(status, 401);
    }
    // Each attempt is counted before its password is checked: only five were.
    let failed: i64 = sqlx::query_scalar::<_, i64>(
        "SELECT failed_logins FROM users WHERE email = 'mr.kim@school.test'",
    )
    .fetch_one(app.db.store.pool())
    .await
    .unwrap();
    assert_eq!(failed, 5);
    let (status, locked) = guess("mr.kim@school.test", PASSWORD.to_string()).await;
    assert_eq!(status, 401, "the right password gets nothing while locked");
    // A locked account answers exactly as an unknown e-mail does.
    let (status, unknown) = guess("nobody@school.test", PASSWORD.to_string()).await;
    assert_eq!(status, 401);
    assert_eq!(locked, unknown);
    app.stop().await;
}

/// A server allowing `per_minute` sign-ins a minute per network, behind `proxies`.
async fn limited(per_minute: u32, proxies: &str) -> TestApp {
    let db = common::TestDb::new().await;
    let mut config = db.config();
    config.signin_per_minute = std::num::NonZeroU32::new(per_minute).unwrap();
    config.trusted_proxies = proxies.split(',').filter_map(|p| p.parse().ok()).collect();
    let app = TestApp::spawn_configured(db, config).await;
    users::create(
        app.db.store.pool(),
        "mr.kim@school.test",
        &lessoncast::auth::hash_password(&lessoncast::auth::Secret::new(PASSWORD)).unwrap(),
        Role::Teacher,
        0,
    )
    .await
    .unwrap();
    app
}

/// `POST /api/login` for Mr. Kim with `password`, from behind `forwarded_for` if given.
async fn login_from(
    app: &TestApp,
    forwarded_for: Option<&str>,
    password: &str,
) -> reqwest::Response {
    let mut req = app
        .request(Method::POST, "/api/login")
        .json(&json!({"email": "mr.kim@school.test", "password": password}));
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn sign_ins_from_one_network_are_limited_and_a_forged_forwarded_for_does_not_help() {
    let app = limited(3, "").await;
    for i in 0..3 {
        // Each claims another address; the server is not behind a proxy, so none counts.
        let r = login_from(&app, Some(&format!("198.51.100.{i}")), "wrong guess").await;
        assert_eq!(r.status(), 401);
    }
    let r = login_from(&app, Some("198.51.100.99"), PASSWORD).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("try again in"),
        "{body}"
    );
    // Refused before it was counted against the account or its password checked.
    let failed: i64 = sqlx::query_scalar::<_, i64>(
        "SELECT failed_logins FROM users WHERE email = 'mr.kim@school.test'",
    )
    .fetch_one(app.db.store.pool())
    .await
    .unwrap();
    assert_eq!(failed, 3);
    // The sign-in form says so too, in words, with the same wait.
    let mut browser = Browser::new(&app);
    let page = browser
        .post(
            "/teach/login",
            &[("email", "mr.kim@school.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 429);
    assert!(page.headers.contains_key("retry-after"));
    assert!(
        page.body.contains("Too many sign-in attempts"),
        "{}",
        page.body
    );
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app = limited(2, "127.0.0.1/32").await;
    for _ in 0..2 {
        let r = login_from(&app, Some("203.0.113.7"), "wrong guess").await;
        assert_eq!(r.status(), 401);
    }
    assert_eq!(
        login_from(&app, Some("203.0.113.7"), "wrong")
            .await
            .status(),
        429
    );
    // A client that wrote its own header before the proxy's is still the proxy's client.
    let r = login_from(&app, Some("192.0.2.1, 203.0.113.7"), PASSWORD).await;
    assert_eq!(r.status(), 429);
    // Another family behind the same proxy is not held up.
    assert_eq!(
        login_from(&app, Some("203.0.113.8"), PASSWORD)
            .await
            .status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn one_series_carries_at_most_ten_of_a_teachers_assignments() {
    let School {
        app, rivera, kim, ..
    } = school().await;
    let a = grade5_airing(&app).await;
    let series = json!([{"series": a["series_key"]}]);
    let mut ids = Vec::new();
    for _ in 0..10 {
        let (s, created) = app
            .post_json(
                "/api/assignments",
                rivera.bearer(),
                assignment(series.clone()),
            )
            .await;
        assert_eq!(s, 201, "{created}");
        ids.push(created["id"].as_i64().unwrap());
    }
    let (s, body) = app
        .post_json(
            "/api/assignments",
            rivera.bearer(),
            assignment(series.clone()),
        )
        .await;
    assert_eq!(s, 400, "{body}");
    assert_eq!(body["fields"][0]["field"], "links", "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("already carries 10"),
        "{body}"
    );
    // Another teacher has their own ten.
    let (s, _) = app
        .post_json("/api/assignments", kim.bearer(), assignment(series.clone()))
        .await;
    assert_eq!(s, 201);
    // A deleted one makes room, and cannot come back while the room is taken.
    let (s, _) = app
        .delete_json(&format!("/api/assignments/{}", ids[0]), rivera.bearer())
        .await;
    assert!(s == 200 || s == 204, "{s}");
    let (s, _) = app
        .post_json(
            "/api/assignments",
            rivera.bearer(),
            assignment(series.clone()),
        )
        .await;
    assert_eq!(s, 201);
    let (s, body) = app
        .post_json(
            &format!("/api/assignments/{}/restore", ids[0]),
            rivera.bearer(),
            json!({}),
        )
        .await;
    assert_eq!(s, 400, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn writes_need_credentials() {
    let School { app, .. } = school().await;
    let a = grade5_airing(&app).await;
    let work = assignment(json!([{"airing": a["id"]}]));
    let (s, _) = app.post_json("/api/assignments", None, work.clone()).await;
    assert_eq!(s, 401);
    let unknown = "0000000000000000000000000000000000000000000000000000000000000000";
    let (s, _) = app.post_json("/api/assignments", Some(unknown), work).await;
    assert_eq!(s, 401, "an unknown token");
    let class = json!({"name": "5A", "grades": ["5"]});
    let (s, _) = app.post_json("/api/classes", None, class).await;
    assert_eq!(s, 401);
    app.stop().await;
}

#[tokio::test]
async fn work_linked_to_an_episode_reaches_every_airing_of_it_in_the_grade_feed() {
    let School { app, rivera, .. } = school().await;
    let a = grade5_airing(&app).await;
    let key = a["episode_key"].as_str().unwrap();
    let work = assignment(json!([{"episode": key}]));
    let (s, created) = app
        .post_json("/api/assignments", rivera.bearer(), work)
        .await;
    assert_eq!(s, 201, "{created}");
    assert!(created["id"].as_i64().unwrap() > 0);
    assert_eq!(created["links"], json!([{"episode": key}]));
    assert_eq!(created["grades"], json!(["5"]));

    let unfolded_feed = unfolded(&app, GRADE_5_FEED).await;
    let with_work = unfolded_feed
        .matches("Work to do: Fractions of a pizza (20 min)")
        .count();
    assert!(with_work >= 1, "the work shows in the grade feed");
    // In Spanish, the Spanish instructions.
    let es = unfolded(&app, &format!("{GRADE_5_FEED}&lang=es")).await;
    assert!(
        es.contains("Mira el programa y dibuja una pizza"),
        "Spanish instructions"
    );
    // Not in grade 3's feed: the work is for grade 5.
    let g3 = unfolded(&app, "/feeds/grades/3.ics?from=2020-04-13&to=2020-04-19").await;
    assert!(!g3.contains("Fractions of a pizza"));
    app.stop().await;
}

#[tokio::test]
async fn invalid_fields_are_400s_that_name_them() {
    let School { app, rivera, .. } = school().await;
    let a = grade5_airing(&app).await;
    for (body, field) in [
        (
            json!({"title": "", "instructions": "x", "grades": ["5"], "links": [{"airing": a["id"]}]}),
            "title",
        ),
        (
            json!({"title": "t", "instructions": "x", "grades": ["13"], "links": [{"airing": a["id"]}]}),
            "grades",
        ),
        (
            json!({"title": "t", "instructions": "x", "grades": ["5"], "links": [{"airing": 999999}]}),
            "links[0]",
        ),
        (
            json!({"title": "t", "instructions": "x", "grades": ["5"], "links": [{"episode": "no-such/thing"}]}),
            "links[0]",
        ),
        (
            json!({"title": "t", "instructions": "x", "grades": ["5"], "links": [{"airing": a["id"], "series": "nova"}]}),
            "links[0]",
        ),
        // Found by schemathesis on PostgreSQL, which refuses a NUL in text: a 500 before.
        (
            json!({"title": "t", "instructions": "x", "grades": ["5"], "links": [{"series": "nova\u{0}"}]}),
            "links[0]",
        ),
        (
            json!({"title": "t", "instructions": "x", "grades": ["5"], "links": [{"episode": "nova/\u{0}"}]}),
            "links[0]",
        ),
        (
            json!({"title": "t".repeat(201), "instructions": "x", "grades": ["5"], "links": [{"airing": a["id"]}]}),
            "title",
        ),
        (
            json!({"title": "t", "instructions": "x".repeat(10_001), "grades": ["5"], "links": [{"airing": a["id"]}]}),
            "instructions",
        ),
        (
            json!({"title": "t", "instructions": "x", "grades": ["5"], "links": [{"airing": a["id"]}], "class": 424242}),
            "class",
        ),
    ] {
        let (s, r) = app
            .post_json("/api/assignments", rivera.bearer(), body)
            .await;
        assert_eq!(s, 400, "{r}");
        assert!(
            r["error"].as_str().unwrap().contains(field),
            "{r} should name {field}"
        );
    }
    // Not JSON, or a wrong type: still a 400 that says why.
    let r = app
        .request(Method::POST, "/api/assignments")
        .bearer_auth(&rivera.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (s, _) = app
        .post_json("/api/assignments", rivera.bearer(), json!({"title": 5}))
        .await;
    assert_eq!(s, 400);
    app.stop().await;
}

#[tokio::test]
async fn another_teachers_work_is_403_and_missing_work_is_404() {
    let School {
        app,
        rivera,
        kim,
        admin,
    } = school().await;
    let a = grade5_airing(&app).await;
    let work = assignment(json!([{"airing": a["id"]}]));
    let (_, created) = app
        .post_json("/api/assignments", rivera.bearer(), work)
        .await;
    let path = format!("/api/assignments/{}", created["id"]);
    assert_eq!(app.get_json_as(&path, kim.bearer()).await.0, 403);
    let theft = json!({"title": "mine now"});
    assert_eq!(app.patch_json(&path, kim.bearer(), theft).await.0, 403);
    assert_eq!(app.delete_json(&path, kim.bearer()).await.0, 403);
    for missing in ["/api/assignments/999999", "/api/assignments/abc"] {
        assert_eq!(app.get_json_as(missing, kim.bearer()).await.0, 404);
    }
    // The owner and an admin may.
    let (s, patched) = app
        .patch_json(&path, rivera.bearer(), json!({"title": "Quarters"}))
        .await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["title"], "Quarters");
    assert_eq!(
        patched["instructions"], created["instructions"],
        "untouched fields stay"
    );
    assert_eq!(app.get_json_as(&path, admin.bearer()).await.0, 200);
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_assignment_leaves_the_feeds_and_can_be_restored() {
    let School { app, rivera, .. } = school().await;
    let t = rivera.bearer();
    let a = grade5_airing(&app).await;
    let work = assignment(json!([{"series": a["series_key"]}]));
    let (_, created) = app.post_json("/api/assignments", t, work).await;
    let feed = || unfolded(&app, GRADE_5_FEED);
    assert!(feed().await.contains("Fractions of a pizza"));
    let path = format!("/api/assignments/{}", created["id"]);
    let (s, deleted) = app.delete_json(&path, t).await;
    assert_eq!(s, 200);
    assert_eq!(deleted["deleted"], true);
    assert!(
        !feed().await.contains("Fractions of a pizza"),
        "gone from the feed"
    );
    let (_, mine) = app
        .get_json_as("/api/assignments?include_deleted=true", t)
        .await;
    assert_eq!(mine["assignments"][0]["deleted"], true, "still on record");
    use sqlx::Row;
    let row = sqlx::query("SELECT deleted_by, deleted_at FROM assignments WHERE id = $1")
        .bind(created["id"].as_i64().unwrap())
        .fetch_one(app.db.store.pool())
        .await
        .unwrap();
    assert!(
        row.get::<Option<i64>, _>("deleted_by").is_some(),
        "who deleted it"
    );
    let (s, _) = app
        .send(Method::POST, &format!("{path}/restore"), t, None)
        .await;
    assert_eq!(s, 200);
    assert!(
        feed().await.contains("Fractions of a pizza"),
        "back after undo"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_class_feed_shows_its_work_and_its_token_can_be_renewed() {
    let School {
        app, rivera, kim, ..
    } = school().await;
    let room = json!({"name": "Room 12", "grades": ["5"]});
    let (s, class) = app.post_json("/api/classes", rivera.bearer(), room).await;
    assert_eq!(s, 201, "{class}");
    let feed_url = class["feed_url"].as_str().unwrap();
    assert!(feed_url.ends_with(".ics"));
    let feed_path = feed_url
        .split_once("/feeds/")
        .map(|(_, p)| format!("/feeds/{p}"))
        .unwrap();
    let a = grade5_airing(&app).await;
    let mut body = assignment(json!([{"airing": a["id"]}]));
    body["class"] = class["id"].clone();
    let (s, _) = app
        .post_json("/api/assignments", rivera.bearer(), body.clone())
        .await;
    assert_eq!(s, 201);
    let ics = app
        .get_text(&format!("{feed_path}?from=2020-04-13&to=2020-04-19"))
        .await;
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        1,
        "only the airing with work"
    );
    assert!(ics.replace("\r\n ", "").contains("Fractions of a pizza"));

    // Another teacher can neither see the class token nor use the class.
    let (_, kims) = app.get_json_as("/api/classes", kim.bearer()).await;
    assert_eq!(kims["classes"], json!([]));
    let (s, _) = app.post_json("/api/assignments", kim.bearer(), body).await;
    assert_eq!(s, 403);
    let renew = format!("/api/classes/{}/token", class["id"]);
    let (s, _) = app.send(Method::POST, &renew, kim.bearer(), None).await;
    assert_eq!(s, 403);

    // Renewing the link retires the old one.
    let (s, renewed) = app.send(Method::POST, &renew, rivera.bearer(), None).await;
    assert_eq!(s, 200);
    assert_ne!(renewed["token"], class["token"]);
    assert_eq!(app.get(&feed_path).await.status(), 404);
    assert_eq!(
        app.get("/feeds/classes/not-a-token.ics").await.status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn a_browser_session_cannot_write_through_the_api_without_its_csrf_token() {
    let School { app, rivera, .. } = school().await;
    // A browser session: a cookie token, as the sign-in page would set it.
    let session = app.browser_session(&rivera).await;
    let a = grade5_airing(&app).await;
    let post = |csrf: Option<String>| {
        let mut r = app
            .request(Method::POST, "/api/assignments")
            .header("cookie", session.cookie())
            .json(&assignment(json!([{"airing": a["id"]}])));
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 403);
    assert_eq!(post(Some("wrong".into())).await.unwrap().status(), 403);
    assert_eq!(
        post(Some(session.csrf.clone())).await.unwrap().status(),
        201
    );
    // The cookie token is not an API token.
    let (s, _) = app
        .get_json_as("/api/assignments", Some(&session.token))
        .await;
    assert_eq!(s, 401);
    app.stop().await;
}

#[tokio::test]
async fn instructions_with_icalendar_syntax_cannot_create_events() {
    let School { app, rivera, .. } = school().await;
    let a = grade5_airing(&app).await;
    let mut body = assignment(json!([{"airing": a["id"]}]));
    body["instructions"] =
        json!("Do this.\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Free pizza; party, now\r\nUID:x");
    let (s, _) = app
        .post_json("/api/assignments", rivera.bearer(), body)
        .await;
    assert_eq!(s, 201);
    let day = &a["start"].as_str().unwrap()[..10];
    let ics = app
        .get_text(&format!("/feeds/grades/5.ics?from={day}&to={day}"))
        .await;
    let (_, list) = app
        .get_json(&format!(
            "/api/airings?grade=5&from={day}&to={day}T23:59:59-07:00"
        ))
        .await;
    let n = list["airings"].as_array().unwrap().len();
    assert_eq!(
        ics.split("\r\n").filter(|l| *l == "BEGIN:VEVENT").count(),
        n
    );
    assert!(!ics
        .split("\r\n")
        .any(|l| l == "SUMMARY:Free pizza; party, now"));
    app.stop().await;
}

#[tokio::test]
async fn admins_see_the_import_history_with_its_errors_and_teachers_do_not() {
    let School {
        app, rivera, admin, ..
    } = school().await;
    let _ = app.db.import(&fixture("import/truncated.xml")).await;
    let (s, body) = app.get_json_as("/api/admin/imports", admin.bearer()).await;
    assert_eq!(s, 200, "{body}");
    let runs = body["runs"].as_array().unwrap();
    assert_eq!(runs[0]["status"], "failed");
    assert!(runs[0]["error"].as_str().unwrap().contains("truncated.xml"));
    assert_eq!(runs[1]["status"], "ok");
    assert!(runs[1]["added"].as_i64().unwrap() > 300);
    assert_eq!(runs[1]["skipped"], 0);
    let (s, users) = app.get_json_as("/api/admin/users", admin.bearer()).await;
    assert_eq!(s, 200);
    assert_eq!(users["users"].as_array().unwrap().len(), 3);
    assert!(!users.to_string().contains("argon2"), "no password hashes");
    let (s, _) = app.get_json_as("/api/admin/imports", rivera.bearer()).await;
    assert_eq!(s, 403);
    assert_eq!(app.get_json_as("/api/admin/users", None).await.0, 401);
    app.stop().await;
}

#[tokio::test]
async fn the_admin_page_shows_the_import_history_to_admins_only() {
    let School {
        app, rivera, admin, ..
    } = school().await;
    let _ = app.db.import(&fixture("import/truncated.xml")).await;
    // A run that skipped a bad programme.
    let skipping = app
        .db
        .import(&fixture("import/stop-before-start.xml"))
        .await
        .unwrap();
    assert_eq!(skipping.counts.skipped, 1);
    let mut as_admin = Browser::with_session(&app, &app.browser_session(&admin).await);
    let r = as_admin.get("/admin").await;
    assert_eq!(r.status, 200);
    let html = r.body;
    assert!(html.contains("Import history"));
    assert!(
        html.contains("truncated.xml"),
        "the failed run and its error"
    );
    assert!(html.contains("failed:"));
    assert!(html.contains(">Skipped<"), "a skipped column");
    assert!(
        html.contains("stop-before-start.xml:9: stop: the programme stops"),
        "the skipped record, with its line"
    );
    assert!(html.contains("ms.rivera@school.test"));
    let mut as_teacher = Browser::with_session(&app, &app.browser_session(&rivera).await);
    assert_eq!(as_teacher.get("/admin").await.status, 403);
    assert_eq!(Browser::new(&app).get("/admin").await.status, 303);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_session_or_token_is_refused() {
    let School { app, rivera, .. } = school().await;
    let token = lessoncast::auth::new_token();
    let now = chrono::Utc::now().timestamp();
    users::create_session(
        app.db.store.pool(),
        &lessoncast::auth::token_hash(&token),
        rivera.id,
        "api",
        "csrf",
        now - 3600,
        now - 1,
    )
    .await
    .unwrap();
    let (s, _) = app.get_json_as("/api/assignments", Some(&token)).await;
    assert_eq!(s, 401, "an expired token");
    // The stored token is a hash, never the token itself.
    use sqlx::Row;
    let stored: Vec<String> = sqlx::query("SELECT token_hash FROM sessions")
        .fetch_all(app.db.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("token_hash"))
        .collect();
    assert!(!stored.contains(&token));
    assert_eq!(
        users::purge_sessions(app.db.store.pool(), now)
            .await
            .unwrap(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn work_on_an_airing_that_leaves_the_schedule_stays_visible_to_its_teacher() {
    let app = TestApp::spawn().await;
    app.db
        .import_with_test_rules("import/kcet-day.xml")
        .await
        .unwrap();
    let teacher = app.add_user("t@school.test", Role::Teacher).await;
    let nova = app
        .api_airings("station=KCET&from=2020-04-13&to=2020-04-14")
        .await
        .into_iter()
        .find(|a| a["title"] == "NOVA")
        .unwrap();
    let mut body = assignment(json!([{"airing": nova["id"]}]));
    body["grades"] = json!(["6"]);
    let (s, created) = app
        .post_json("/api/assignments", teacher.bearer(), body)
        .await;
    assert_eq!(s, 201, "{created}");
    // The station drops NOVA from its schedule.
    app.db
        .import_with_test_rules("import/kcet-day-v2.xml")
        .await
        .unwrap();
    let (_, mine) = app.get_json_as("/api/assignments", teacher.bearer()).await;
    assert_eq!(mine["assignments"][0]["id"], created["id"]);
    assert_eq!(
        mine["assignments"][0]["links"],
        json!([{"airing": nova["id"]}])
    );
    let (_, all) = app
        .get_json("/api/airings?station=KCET&from=2020-04-13&to=2020-04-14&include_removed=true")
        .await;
    let removed = all["airings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == nova["id"])
        .unwrap();
    assert_eq!(removed["status"], "removed");
    app.stop().await;
}

#[tokio::test]
async fn writes_another_site_starts_are_refused_even_with_the_session_and_its_token() {
    let School { app, rivera, .. } = school().await;
    let session = app.browser_session(&rivera).await;
    let a = grade5_airing(&app).await;
    let post = |header: (&'static str, &'static str)| {
        app.request(Method::POST, "/api/assignments")
            .header("cookie", session.cookie())
            .header("x-csrf-token", session.csrf.clone())
            .header(header.0, header.1)
            .json(&assignment(json!([{"airing": a["id"]}])))
            .send()
    };
    for header in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let r = post(header).await.unwrap();
        assert_eq!(r.status(), 403, "{header:?}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("another site"));
    }
    assert_eq!(
        post(("sec-fetch-site", "same-origin"))
            .await
            .unwrap()
            .status(),
        201
    );
    // The sign-in form too: another site cannot sign a browser in to an account of its own.
    let r = app
        .request(Method::POST, "/teach/login")
        .header("origin", "https://evil.example")
        .form(&[("email", "ms.rivera@school.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Nor without the form's token, from a client that sends no Origin at all.
    let r = app
        .request(Method::POST, "/teach/login")
        .form(&[("email", "ms.rivera@school.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("This sign-in form has expired"));
    // A browser session signs out with its CSRF token, like any other write.
    let logout = |csrf: Option<String>| {
        let mut r = app
            .request(Method::POST, "/api/logout")
            .header("cookie", session.cookie());
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.send()
    };
    assert_eq!(logout(None).await.unwrap().status(), 403);
    assert_eq!(
        logout(Some(session.csrf.clone())).await.unwrap().status(),
        204
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_plain_errors_are_not_sniffed() {
    let School { app, rivera, .. } = school().await;
    let huge = json!({"title": "x", "instructions": "y".repeat(300 * 1024), "grades": ["5"]});
    let (status, body) = app
        .post_json("/api/assignments", rivera.bearer(), huge)
        .await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("larger than"),
        "{body}"
    );
    let r = app.get("/feeds/grades/13.ics").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    app.stop().await;
}
