//! The teachers' JSON API on the real server: sign-in, assignments and classes, and the
//! security cases (no write without credentials, another teacher's work, CSRF for browser
//! sessions, lockout, escaping in feeds).

mod common;

use common::{repo, TestApp};
use lessoncast::auth::{hash_password, Secret};
use lessoncast::store::users::{self, Role};
use serde_json::{json, Value};

const PASSWORD: &str = "a long enough password";

async fn app_with_teachers() -> TestApp {
    let app = TestApp::spawn().await;
    let dir = repo().join("schedules").display().to_string();
    app.db.import(&dir).await.expect("demo week");
    for (email, role) in [
        ("ms.rivera@school.test", Role::Teacher),
        ("mr.kim@school.test", Role::Teacher),
        ("admin@school.test", Role::Admin),
    ] {
        let hash = hash_password(&Secret::new(PASSWORD)).unwrap();
        users::create(app.db.store.pool(), email, &hash, role, 0)
            .await
            .unwrap();
    }
    app
}

async fn token(app: &TestApp, email: &str) -> String {
    let r = app
        .client
        .post(format!("{}/api/login", app.base))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["token"].as_str().unwrap().to_string()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A grade 5 airing of the demo week with an episode key.
async fn grade5_airing(app: &TestApp) -> Value {
    let (_, body) = app
        .get_json("/api/airings?grade=5&from=2020-04-13&to=2020-04-18")
        .await;
    body["airings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["episode_key"].is_string())
        .cloned()
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

#[tokio::test]
async fn login_gives_a_token_and_a_wrong_password_is_401() {
    let app = app_with_teachers().await;
    let (s, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/login",
        None,
        Some(json!({"email": "ms.rivera@school.test", "password": "wrong password!"})),
    )
    .await;
    assert_eq!(s, 401, "{body}");
    assert!(body["error"].as_str().unwrap().contains("wrong"));
    let t = token(&app, "MS.RIVERA@school.test ").await;
    assert_eq!(t.len(), 64);
    app.stop().await;
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account() {
    let app = app_with_teachers().await;
    for _ in 0..5 {
        let (s, _) = send(
            &app,
            reqwest::Method::POST,
            "/api/login",
            None,
            Some(json!({"email": "mr.kim@school.test", "password": "not the password"})),
        )
        .await;
        assert_eq!(s, 401);
    }
    // Even the right password is refused while locked.
    let (s, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/login",
        None,
        Some(json!({"email": "mr.kim@school.test", "password": PASSWORD})),
    )
    .await;
    assert_eq!(s, 401);
    assert!(
        body["error"].as_str().unwrap().contains("too many"),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn writes_need_credentials() {
    let app = app_with_teachers().await;
    let a = grade5_airing(&app).await;
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        None,
        Some(assignment(json!([{"airing": a["id"]}]))),
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some("0000000000000000000000000000000000000000000000000000000000000000"),
        Some(assignment(json!([{"airing": a["id"]}]))),
    )
    .await;
    assert_eq!(s, 401, "an unknown token");
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/classes",
        None,
        Some(json!({"name": "5A", "grades": ["5"]})),
    )
    .await;
    assert_eq!(s, 401);
    app.stop().await;
}

#[tokio::test]
async fn work_linked_to_an_episode_reaches_every_airing_of_it_in_the_grade_feed() {
    let app = app_with_teachers().await;
    let t = token(&app, "ms.rivera@school.test").await;
    let a = grade5_airing(&app).await;
    let key = a["episode_key"].as_str().unwrap();
    let (s, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&t),
        Some(assignment(json!([{"episode": key}]))),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    assert!(created["id"].as_i64().unwrap() > 0);
    assert_eq!(created["links"], json!([{"episode": key}]));
    assert_eq!(created["grades"], json!(["5"]));

    let ics = app
        .get("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19")
        .await
        .text()
        .await
        .unwrap();
    let unfolded = ics.replace("\r\n ", "");
    let with_work = unfolded
        .matches("Work to do: Fractions of a pizza (20 min)")
        .count();
    assert!(with_work >= 1, "the work shows in the grade feed");
    // In Spanish, the Spanish instructions.
    let es = app
        .get("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19&lang=es")
        .await
        .text()
        .await
        .unwrap()
        .replace("\r\n ", "");
    assert!(
        es.contains("Mira el programa y dibuja una pizza"),
        "Spanish instructions"
    );
    // Not in grade 3's feed: the work is for grade 5.
    let g3 = app
        .get("/feeds/grades/3.ics?from=2020-04-13&to=2020-04-19")
        .await
        .text()
        .await
        .unwrap();
    assert!(!g3.replace("\r\n ", "").contains("Fractions of a pizza"));
    app.stop().await;
}

#[tokio::test]
async fn invalid_fields_are_400s_that_name_them() {
    let app = app_with_teachers().await;
    let t = token(&app, "ms.rivera@school.test").await;
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
        let (s, r) = send(
            &app,
            reqwest::Method::POST,
            "/api/assignments",
            Some(&t),
            Some(body),
        )
        .await;
        assert_eq!(s, 400, "{r}");
        assert!(
            r["error"].as_str().unwrap().contains(field),
            "{r} should name {field}"
        );
    }
    // Not JSON, or a wrong type: still a 400 that says why.
    let r = app
        .client
        .post(format!("{}/api/assignments", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&t),
        Some(json!({"title": 5})),
    )
    .await;
    assert_eq!(s, 400);
    app.stop().await;
}

#[tokio::test]
async fn another_teachers_work_is_403_and_missing_work_is_404() {
    let app = app_with_teachers().await;
    let rivera = token(&app, "ms.rivera@school.test").await;
    let kim = token(&app, "mr.kim@school.test").await;
    let admin = token(&app, "admin@school.test").await;
    let a = grade5_airing(&app).await;
    let (_, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&rivera),
        Some(assignment(json!([{"airing": a["id"]}]))),
    )
    .await;
    let path = format!("/api/assignments/{}", created["id"]);
    assert_eq!(
        send(&app, reqwest::Method::GET, &path, Some(&kim), None)
            .await
            .0,
        403
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::PATCH,
            &path,
            Some(&kim),
            Some(json!({"title": "mine now"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &path, Some(&kim), None)
            .await
            .0,
        403
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::GET,
            "/api/assignments/999999",
            Some(&kim),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::GET,
            "/api/assignments/abc",
            Some(&kim),
            None
        )
        .await
        .0,
        404
    );
    // The owner and an admin may.
    let (s, patched) = send(
        &app,
        reqwest::Method::PATCH,
        &path,
        Some(&rivera),
        Some(json!({"title": "Quarters"})),
    )
    .await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(patched["title"], "Quarters");
    assert_eq!(
        patched["instructions"], created["instructions"],
        "untouched fields stay"
    );
    assert_eq!(
        send(&app, reqwest::Method::GET, &path, Some(&admin), None)
            .await
            .0,
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_assignment_leaves_the_feeds_and_can_be_restored() {
    let app = app_with_teachers().await;
    let t = token(&app, "ms.rivera@school.test").await;
    let a = grade5_airing(&app).await;
    let (_, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&t),
        Some(assignment(json!([{"series": a["series_key"]}]))),
    )
    .await;
    let feed = || async {
        app.get("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19")
            .await
            .text()
            .await
            .unwrap()
            .replace("\r\n ", "")
    };
    assert!(feed().await.contains("Fractions of a pizza"));
    let path = format!("/api/assignments/{}", created["id"]);
    let (s, deleted) = send(&app, reqwest::Method::DELETE, &path, Some(&t), None).await;
    assert_eq!(s, 200);
    assert_eq!(deleted["deleted"], true);
    assert!(
        !feed().await.contains("Fractions of a pizza"),
        "gone from the feed"
    );
    let (_, mine) = send(
        &app,
        reqwest::Method::GET,
        "/api/assignments?include_deleted=true",
        Some(&t),
        None,
    )
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
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("{path}/restore"),
        Some(&t),
        None,
    )
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
    let app = app_with_teachers().await;
    let t = token(&app, "ms.rivera@school.test").await;
    let kim = token(&app, "mr.kim@school.test").await;
    let (s, class) = send(
        &app,
        reqwest::Method::POST,
        "/api/classes",
        Some(&t),
        Some(json!({"name": "Room 12", "grades": ["5"]})),
    )
    .await;
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
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&t),
        Some(body.clone()),
    )
    .await;
    assert_eq!(s, 201);
    let ics = app
        .get(&format!("{feed_path}?from=2020-04-13&to=2020-04-19"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        1,
        "only the airing with work"
    );
    assert!(ics.replace("\r\n ", "").contains("Fractions of a pizza"));

    // Another teacher can neither see the class token nor use the class.
    let (_, kims) = send(&app, reqwest::Method::GET, "/api/classes", Some(&kim), None).await;
    assert_eq!(kims["classes"], json!([]));
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&kim),
        Some(body),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/classes/{}/token", class["id"]),
        Some(&kim),
        None,
    )
    .await;
    assert_eq!(s, 403);

    // Renewing the link retires the old one.
    let (s, renewed) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/classes/{}/token", class["id"]),
        Some(&t),
        None,
    )
    .await;
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
    let app = app_with_teachers().await;
    // A browser session: a cookie token, as the sign-in page would set it.
    let user = users::credentials(app.db.store.pool(), "ms.rivera@school.test")
        .await
        .unwrap()
        .unwrap()
        .user;
    let state =
        lessoncast::app::App::new(app.db.store.clone(), std::sync::Arc::new(app.db.config()));
    let (cookie_token, csrf) = lessoncast::web::auth::start_session(&state, &user, true)
        .await
        .unwrap();
    let a = grade5_airing(&app).await;
    let post = |csrf: Option<String>| {
        let mut r = app
            .client
            .post(format!("{}/api/assignments", app.base))
            .header("cookie", format!("lc_session={cookie_token}"))
            .json(&assignment(json!([{"airing": a["id"]}])));
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 403);
    assert_eq!(post(Some("wrong".into())).await.unwrap().status(), 403);
    assert_eq!(post(Some(csrf)).await.unwrap().status(), 201);
    // The cookie token is not an API token.
    let (s, _) = send(
        &app,
        reqwest::Method::GET,
        "/api/assignments",
        Some(&cookie_token),
        None,
    )
    .await;
    assert_eq!(s, 401);
    app.stop().await;
}

#[tokio::test]
async fn instructions_with_icalendar_syntax_cannot_create_events() {
    let app = app_with_teachers().await;
    let t = token(&app, "ms.rivera@school.test").await;
    let a = grade5_airing(&app).await;
    let mut body = assignment(json!([{"airing": a["id"]}]));
    body["instructions"] =
        json!("Do this.\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Free pizza; party, now\r\nUID:x");
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&t),
        Some(body),
    )
    .await;
    assert_eq!(s, 201);
    let path = format!(
        "/feeds/grades/5.ics?from={0}&to={0}",
        &a["start"].as_str().unwrap()[..10]
    );
    let ics = app.get(&path).await.text().await.unwrap();
    let (_, list) = app
        .get_json(&format!(
            "/api/airings?grade=5&from={0}&to={0}T23:59:59-07:00",
            &a["start"].as_str().unwrap()[..10]
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
    let app = app_with_teachers().await;
    let _ = app
        .db
        .import(&common::fixture("import/truncated.xml"))
        .await;
    let admin = token(&app, "admin@school.test").await;
    let teacher = token(&app, "ms.rivera@school.test").await;
    let (s, body) = send(
        &app,
        reqwest::Method::GET,
        "/api/admin/imports",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let runs = body["runs"].as_array().unwrap();
    assert_eq!(runs[0]["status"], "failed");
    assert!(runs[0]["error"].as_str().unwrap().contains("truncated.xml"));
    assert_eq!(runs[1]["status"], "ok");
    assert!(runs[1]["added"].as_i64().unwrap() > 300);
    assert_eq!(runs[1]["skipped"], 0);
    let (s, users) = send(
        &app,
        reqwest::Method::GET,
        "/api/admin/users",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(users["users"].as_array().unwrap().len(), 3);
    assert!(!users.to_string().contains("argon2"), "no password hashes");
    assert_eq!(
        send(
            &app,
            reqwest::Method::GET,
            "/api/admin/imports",
            Some(&teacher),
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(&app, reqwest::Method::GET, "/api/admin/users", None, None)
            .await
            .0,
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn the_admin_page_shows_the_import_history_to_admins_only() {
    let app = app_with_teachers().await;
    let _ = app
        .db
        .import(&common::fixture("import/truncated.xml"))
        .await;
    // A run that skipped a bad programme.
    let skipping = app
        .db
        .import(&common::fixture("import/stop-before-start.xml"))
        .await
        .unwrap();
    assert_eq!(skipping.counts.skipped, 1);
    let state =
        lessoncast::app::App::new(app.db.store.clone(), std::sync::Arc::new(app.db.config()));
    let cookie_of = |email: &'static str| {
        let state = state.clone();
        async move {
            let user = users::credentials(state.store.pool(), email)
                .await
                .unwrap()
                .unwrap()
                .user;
            let (t, _) = lessoncast::web::auth::start_session(&state, &user, true)
                .await
                .unwrap();
            format!("lc_session={t}")
        }
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |cookie: Option<String>| {
        let mut r = client.get(format!("{}/admin", app.base));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.send()
    };
    let r = get(Some(cookie_of("admin@school.test").await))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
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
    let r = get(Some(cookie_of("ms.rivera@school.test").await))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = get(None).await.unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_session_or_token_is_refused() {
    let app = app_with_teachers().await;
    let user = users::credentials(app.db.store.pool(), "ms.rivera@school.test")
        .await
        .unwrap()
        .unwrap()
        .user;
    let token = lessoncast::auth::new_token();
    let now = chrono::Utc::now().timestamp();
    users::create_session(
        app.db.store.pool(),
        &lessoncast::auth::token_hash(&token),
        user.id,
        "api",
        "csrf",
        now - 3600,
        now - 1,
    )
    .await
    .unwrap();
    let (s, _) = send(
        &app,
        reqwest::Method::GET,
        "/api/assignments",
        Some(&token),
        None,
    )
    .await;
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
    let rules = lessoncast::import::GradeRules::load(std::path::Path::new(&common::fixture(
        "import/rules.toml",
    )))
    .unwrap();
    let opts = || lessoncast::import::ImportOptions {
        rules: rules.clone(),
        ..Default::default()
    };
    app.db
        .import_with(&common::fixture("import/kcet-day.xml"), opts())
        .await
        .unwrap();
    let hash = hash_password(&Secret::new(PASSWORD)).unwrap();
    users::create(
        app.db.store.pool(),
        "t@school.test",
        &hash,
        Role::Teacher,
        0,
    )
    .await
    .unwrap();
    let t = token(&app, "t@school.test").await;
    let (_, list) = app
        .get_json("/api/airings?station=KCET&from=2020-04-13&to=2020-04-14")
        .await;
    let nova = list["airings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "NOVA")
        .unwrap()
        .clone();
    let mut body = assignment(json!([{"airing": nova["id"]}]));
    body["grades"] = json!(["6"]);
    let (s, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/assignments",
        Some(&t),
        Some(body),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    // The station drops NOVA from its schedule.
    app.db
        .import_with(&common::fixture("import/kcet-day-v2.xml"), opts())
        .await
        .unwrap();
    let (_, mine) = send(
        &app,
        reqwest::Method::GET,
        "/api/assignments",
        Some(&t),
        None,
    )
    .await;
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
