//! The HTML pages on the real server, driven like a browser without JavaScript: the family
//! pages in English and Spanish, and a teacher signing in, browsing the demo week, attaching
//! work from an airing page and finding it in their list, the grade feed and the family
//! schedule. Also the security cases: CSRF, escaping, another teacher's work, bad parameters.

// Test code: a failed step panics with what went wrong (clippy.toml allows this only inside
// `#[test]` functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, Page, TestApp, PASSWORD};
use lessoncast::store::users::Role;

const RIVERA: &str = "ms.rivera@school.test";
const KIM: &str = "mr.kim@school.test";
const WEEK: &str = "2020-04-13";

async fn demo_app() -> TestApp {
    let app = TestApp::with_demo_week().await;
    for email in [RIVERA, KIM] {
        app.add_user(email, Role::Teacher).await;
    }
    app
}

/// A grade-5 airing of the LAUSD Grade 5 math episode on Monday of the demo week, and how many
/// grade-5 airings that episode has in the week.
async fn grade5_math_episode(app: &TestApp) -> (i64, String, usize) {
    let list = app
        .api_airings("grade=5&from=2020-04-13&to=2020-04-20")
        .await;
    let a = list
        .iter()
        .find(|a| {
            a["title"] == "LAUSD Learn at Home"
                && a["episode_title"]
                    .as_str()
                    .is_some_and(|e| e.starts_with("Grade 5 Math"))
        })
        .expect("the grade 5 math lesson");
    let key = a["episode_key"].as_str().unwrap().to_string();
    let n = list
        .iter()
        .filter(|b| b["episode_key"].as_str() == Some(key.as_str()))
        .count();
    (a["id"].as_i64().unwrap(), key, n)
}

/// Attaches work to the episode of `airing` through the airing page's form.
async fn attach<'a>(b: &mut Browser, airing: i64, fields: &[(&'a str, &'a str)]) -> Page {
    let page = b.get(&format!("/teach/airings/{airing}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let airing = airing.to_string();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("airing", &airing)];
    form.extend_from_slice(fields);
    b.post("/teach/assignments", &form).await
}

const PIZZA: &[(&str, &str)] = &[
    ("title", "Fractions with pizza"),
    ("title_es", "Fracciones con pizza"),
    ("instructions", "Draw three pizzas cut in quarters."),
    ("instructions_es", "Dibuja tres pizzas cortadas en cuartos."),
    ("materials", "Paper and crayons"),
    ("minutes", "20"),
    ("grades", "5"),
    ("due", "2020-04-17"),
    ("scope", "episode"),
    ("class", ""),
];

/// The ids in `/teach/assignments/{id}/edit` links of a page.
fn edit_ids(body: &str) -> Vec<i64> {
    body.match_indices("/teach/assignments/")
        .filter_map(|(i, _)| {
            let rest = &body[i + "/teach/assignments/".len()..];
            let (id, tail) = rest.split_at(rest.find('/')?);
            tail.starts_with("/edit").then(|| id.parse().ok())?
        })
        .collect()
}

/// Host and port of the configured public address (`LESSONCAST_BASE_URL`), which links use.
fn public_host(app: &TestApp) -> String {
    let base = app.db.config().base_url;
    base.split_once("://").unwrap().1.to_string()
}

/// The feed's events, lines unfolded.
fn events(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split("BEGIN:VEVENT")
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn signing_in_sets_a_safe_cookie_and_a_wrong_password_gets_401() {
    let app = demo_app().await;
    let mut b = Browser::new(&app);

    let form = b.get("/teach/login").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"<label for="email">"#));
    assert!(form.body.contains(r#"<label for="password">"#));

    let wrong = b
        .post(
            "/teach/login",
            &[("email", RIVERA), ("password", "not the password")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.is_html());
    assert!(
        wrong.body.contains("Wrong e-mail or password"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains(RIVERA), "the e-mail is kept");
    // No session: only the form's own token cookie, renewed with the form.
    assert!(wrong
        .headers
        .get_all("set-cookie")
        .iter()
        .all(|c| c.to_str().unwrap().starts_with("lessoncast_login=")));

    let ok = b
        .post("/teach/login", &[("email", RIVERA), ("password", PASSWORD)])
        .await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location(), "/teach");
    let cookie = ok.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lc_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    let home = b.get("/teach").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Signed in as"));
    assert!(home.body.contains(RIVERA));
    for nav in ["Schedule", "My assignments", "Classes", "Sign out"] {
        assert!(home.body.contains(nav), "nav has {nav}");
    }
    assert_eq!(
        home.headers["cache-control"], "no-store",
        "a page with a CSRF token is not cached"
    );

    // Signing out ends the session on the server, not only in the browser.
    let stolen = b.cookies.clone();
    let out = b.post("/teach/logout", &[("csrf", &home.csrf())]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location(), "/teach/login");
    assert!(
        !b.cookies.contains_key(lessoncast::web::auth::COOKIE),
        "the session cookie is cleared"
    );
    b.cookies = stolen;
    assert_eq!(b.get("/teach").await.status, 303);

    // Guessing locks the account for a while, and the form says so.
    let mut guesser = Browser::new(&app);
    for _ in 0..5 {
        let r = guesser
            .post(
                "/teach/login",
                &[("email", KIM), ("password", "guess guess guess")],
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let r = guesser
        .post("/teach/login", &[("email", KIM), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 401);
    assert!(r.body.contains("Too many failed sign-ins"), "{}", r.body);
    assert!(!guesser.cookies.contains_key(lessoncast::web::auth::COOKIE));
    app.stop().await;
}

#[tokio::test]
async fn teacher_pages_send_visitors_without_a_session_to_sign_in() {
    let app = demo_app().await;
    let mut b = Browser::new(&app);
    for path in [
        "/teach",
        "/teach/assignments",
        "/teach/classes",
        "/teach/airings/1",
        "/teach/assignments/1/edit",
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status, 303, "{path}");
        assert!(
            r.location().starts_with("/teach/login"),
            "{path}: {}",
            r.location()
        );
    }
    // …and back to where they were going once signed in.
    let r = b.get("/teach/airings/7").await;
    assert_eq!(r.location(), "/teach/login?next=%2Fteach%2Fairings%2F7");
    let form = b.get(r.location()).await;
    assert!(form
        .body
        .contains(r#"name="next" value="/teach/airings/7""#));
    let signed = b
        .post(
            "/teach/login",
            &[
                ("email", RIVERA),
                ("password", PASSWORD),
                ("next", "/teach/airings/7"),
            ],
        )
        .await;
    assert_eq!(signed.location(), "/teach/airings/7");
    // Never anywhere else.
    let mut other = Browser::new(&app);
    let r = other
        .post(
            "/teach/login",
            &[
                ("email", RIVERA),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/teach");

    // A write without a session stores nothing and goes to sign in.
    let mut anon = Browser::new(&app);
    let r = anon
        .post("/teach/assignments", &[("title", "x"), ("airing", "1")])
        .await;
    assert_eq!(r.status, 303);
    assert!(r.location().starts_with("/teach/login"));

    // An API token is not a browser session.
    let token = app.api_token(RIVERA).await;
    let r = anon
        .client
        .get(format!("{}/teach", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn browsing_a_week_of_the_demo_lists_its_airings_by_day() {
    let app = demo_app().await;
    let mut b = Browser::sign_in(&app, RIVERA).await;
    let (math, _, _) = grade5_math_episode(&app).await;
    let page = b.get(&format!("/teach?grade=5&week={WEEK}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("Week of April 13, 2020"));
    for day in ["Monday, April 13", "Friday, April 17"] {
        assert!(body.contains(day), "{day}");
    }
    assert!(body.contains(r#"<th scope="col">Channel</th>"#));
    assert!(body.contains("KCET 28.1"));
    assert!(body.contains("Cyberchase"));
    assert!(body.contains(&format!(r#"href="/teach/airings/{math}""#)));
    // The filters are a GET form that keeps its values.
    assert!(body.contains(r#"<option value="5" selected>"#));
    assert!(body.contains(r#"value="2020-04-13""#));

    let one_station = b.get(&format!("/teach?station=KLCS&week={WEEK}")).await;
    assert_eq!(one_station.status, 200);
    assert!(one_station.body.contains("KLCS 58.1"));
    assert!(!one_station.body.contains("KCET 28.1"));
    app.stop().await;
}

#[tokio::test]
async fn work_attached_on_an_airing_page_shows_in_my_list_the_feed_and_the_family_schedule() {
    let app = demo_app().await;
    let (math, episode, airings_of_episode) = grade5_math_episode(&app).await;
    assert!(airings_of_episode >= 2, "the demo airs it more than once");
    let mut b = Browser::sign_in(&app, RIVERA).await;

    let page = b.get(&format!("/teach/airings/{math}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Grade 5 Math"));
    assert!(page.body.contains("Other airings of this episode"));
    assert!(
        page.body.contains(r#"value="episode" checked"#),
        "an episode is the default scope"
    );
    assert!(
        page.body.contains(r#"id="grades" name="grades" value="5""#),
        "grades start as the airing's"
    );

    let r = attach(&mut b, math, PIZZA).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/teach/assignments");

    let mine = b.get("/teach/assignments").await;
    assert!(mine.body.contains("Fractions with pizza"));
    assert!(mine.body.contains("Every airing of this episode"));
    assert_eq!(edit_ids(&mine.body).len(), 1);

    let again = b.get(&format!("/teach/airings/{math}")).await;
    assert!(again.body.contains("Fractions with pizza"));
    assert!(again.body.contains(RIVERA), "the owner is named");

    let feed = app
        .get_text("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19")
        .await;
    let with_work: Vec<String> = events(&feed)
        .into_iter()
        .filter(|e| e.contains("Fractions with pizza"))
        .collect();
    assert_eq!(
        with_work.len(),
        airings_of_episode,
        "every airing of {episode} carries the work"
    );
    assert!(with_work[0].contains("Draw three pizzas cut in quarters."));

    let family = app
        .get_text(&format!("/schedule?grade=5&week={WEEK}"))
        .await;
    assert!(family.contains("Work to do: Fractions with pizza (20 min)"));
    assert!(family.contains("Draw three pizzas cut in quarters."));
    assert!(family.contains("Paper and crayons"));
    let spanish = app
        .get_text(&format!("/schedule?grade=5&week={WEEK}&lang=es"))
        .await;
    assert!(spanish.contains("Tarea: Fracciones con pizza"));
    assert!(spanish.contains("Dibuja tres pizzas cortadas en cuartos."));
    assert!(spanish.contains("Entregar el: viernes 17 de abril de 2020"));

    // Another grade's families do not see it.
    let grade9 = app
        .get_text(&format!("/schedule?grade=9&week={WEEK}"))
        .await;
    assert!(!grade9.contains("Fractions with pizza"));
    app.stop().await;
}

#[tokio::test]
async fn editing_deleting_and_restoring_from_my_assignments() {
    let app = demo_app().await;
    let (math, _, _) = grade5_math_episode(&app).await;
    let mut b = Browser::sign_in(&app, RIVERA).await;
    assert_eq!(attach(&mut b, math, PIZZA).await.status, 303);
    let list = b.get("/teach/assignments").await;
    let id = edit_ids(&list.body)[0];

    let form = b.get(&format!("/teach/assignments/{id}/edit")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"value="Fractions with pizza""#));
    assert!(form.body.contains(r#"value="2020-04-17""#));
    let csrf = form.csrf();
    let mut changed: Vec<(&str, &str)> = PIZZA
        .iter()
        .filter(|(k, _)| *k != "title" && *k != "scope")
        .copied()
        .collect();
    changed.push(("title", "Fractions with tortillas"));
    changed.push(("csrf", &csrf));
    let r = b
        .post(&format!("/teach/assignments/{id}/edit"), &changed)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = b.get("/teach/assignments").await;
    assert!(list.body.contains("Fractions with tortillas"));
    assert!(!list.body.contains("Fractions with pizza"));

    let r = b
        .post(
            &format!("/teach/assignments/{id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303);
    // The list says it was deleted, at the top, with the button that undoes it first.
    assert_eq!(
        r.location(),
        format!("/teach/assignments?deleted={id}#undo")
    );
    let undo = b.get(r.location()).await;
    let notice = undo.body.find(r#"id="undo""#).expect("the undo notice");
    assert!(undo.body[notice..].starts_with(r#"id="undo" role="status""#));
    let main = undo.body.find("<main").unwrap();
    let first_form = main + undo.body[main..].find("<form").unwrap();
    assert!(
        undo.body[first_form..].starts_with(&format!(
            r#"<form method="post" action="/teach/assignments/{id}/restore">"#
        )),
        "{}",
        undo.body
    );
    assert!(undo
        .body
        .contains("was deleted: families no longer see it."));
    let list = b.get("/teach/assignments").await;
    assert!(list.body.contains("Deleted"));
    assert!(!list.body.contains(r#"id="undo""#));
    assert!(list
        .body
        .contains(&format!("/teach/assignments/{id}/restore")));
    let family = app
        .get_text(&format!("/schedule?grade=5&week={WEEK}"))
        .await;
    assert!(!family.contains("Fractions with tortillas"));

    let r = b
        .post(
            &format!("/teach/assignments/{id}/restore"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 303);
    let family = app
        .get_text(&format!("/schedule?grade=5&week={WEEK}"))
        .await;
    assert!(family.contains("Fractions with tortillas"));
    app.stop().await;
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused_and_store_nothing() {
    let app = demo_app().await;
    let (math, _, _) = grade5_math_episode(&app).await;
    let mut b = Browser::sign_in(&app, RIVERA).await;
    let airing = math.to_string();

    let mut without: Vec<(&str, &str)> = vec![("airing", &airing)];
    without.extend_from_slice(PIZZA);
    let r = b.post("/teach/assignments", &without).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.is_html());
    assert!(r.body.contains("security token"));

    let mut wrong = without.clone();
    wrong.push(("csrf", "0123456789abcdef"));
    let r = b.post("/teach/assignments", &wrong).await;
    assert_eq!(r.status, 403);

    // Another session's token is no good either.
    let kim = Browser::sign_in(&app, KIM).await;
    let mut kim = kim;
    let kims_token = kim.get("/teach").await.csrf();
    let mut borrowed = without.clone();
    borrowed.push(("csrf", &kims_token));
    assert_eq!(b.post("/teach/assignments", &borrowed).await.status, 403);

    let list = b.get("/teach/assignments").await;
    assert!(edit_ids(&list.body).is_empty(), "nothing was stored");
    assert!(list.body.contains("None yet"));
    let feed = app
        .get_text("/feeds/grades/5.ics?from=2020-04-13&to=2020-04-19")
        .await;
    assert!(!feed.contains("Fractions with pizza"));

    // The same for the other forms.
    assert_eq!(attach(&mut b, math, PIZZA).await.status, 303);
    let id = edit_ids(&b.get("/teach/assignments").await.body)[0];
    for path in [
        format!("/teach/assignments/{id}/delete"),
        format!("/teach/assignments/{id}/edit"),
        "/teach/classes".to_string(),
        "/teach/logout".to_string(),
    ] {
        let r = b.post(&path, &[("title", "changed"), ("name", "x")]).await;
        assert_eq!(r.status, 403, "{path}");
    }
    let list = b.get("/teach/assignments").await;
    assert!(list.body.contains("Fractions with pizza"));
    assert!(!list.body.contains("Deleted"));
    assert!(b
        .get("/teach/classes")
        .await
        .body
        .contains("No classes yet"));
    app.stop().await;
}

#[tokio::test]
async fn html_in_what_teachers_write_is_escaped_on_every_page() {
    let app = demo_app().await;
    let (math, _, _) = grade5_math_episode(&app).await;
    let mut b = Browser::sign_in(&app, RIVERA).await;
    let evil: Vec<(&str, &str)> = vec![
        ("title", "Fractions <img src=x onerror=alert(1)>"),
        ("title_es", "Fracciones <b>ya</b>"),
        ("instructions", "<script>alert(1)</script>"),
        ("instructions_es", "<script>alert(2)</script>"),
        ("materials", "\"><script>alert(3)</script>"),
        ("grades", "5"),
        ("scope", "episode"),
    ];
    let r = attach(&mut b, math, &evil).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = edit_ids(&b.get("/teach/assignments").await.body)[0];

    let mut pages = vec![
        b.get("/teach/assignments").await.body,
        b.get(&format!("/teach/airings/{math}")).await.body,
        b.get(&format!("/teach/assignments/{id}/edit")).await.body,
    ];
    for path in [
        format!("/schedule?grade=5&week={WEEK}"),
        format!("/schedule?grade=5&week={WEEK}&lang=es"),
    ] {
        pages.push(app.get_text(&path).await);
    }
    for body in &pages {
        for raw in ["<script>", "<img src=x", "<b>ya</b>", "\"><script"] {
            assert!(
                !body.contains(raw),
                "`{raw}` reached a page unescaped:\n{body}"
            );
        }
        assert!(
            body.contains("&#60;script&#62;alert(") || body.contains("&lt;script&gt;alert("),
            "the text is still shown, escaped"
        );
    }
    // Even a page re-rendered with errors keeps the values escaped.
    let mut bad = evil.clone();
    bad.retain(|(k, _)| *k != "grades");
    bad.push(("grades", "<script>"));
    let r = attach(&mut b, math, &bad).await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("<script>"));
    // And nothing could run anyway: pages forbid scripts.
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    app.stop().await;
}

#[tokio::test]
async fn another_teacher_gets_403_and_a_missing_assignment_404() {
    let app = demo_app().await;
    let (math, _, _) = grade5_math_episode(&app).await;
    let mut rivera = Browser::sign_in(&app, RIVERA).await;
    assert_eq!(attach(&mut rivera, math, PIZZA).await.status, 303);
    let id = edit_ids(&rivera.get("/teach/assignments").await.body)[0];

    let mut kim = Browser::sign_in(&app, KIM).await;
    let airing = kim.get(&format!("/teach/airings/{math}")).await;
    assert!(
        airing.body.contains("Fractions with pizza"),
        "others' work is visible"
    );
    assert_eq!(
        edit_ids(&airing.body),
        Vec::<i64>::new(),
        "but not editable"
    );
    let csrf = airing.csrf();

    let r = kim.get(&format!("/teach/assignments/{id}/edit")).await;
    assert_eq!(r.status, 403);
    assert!(r.is_html());
    assert!(r.body.contains("another teacher"));
    let mut change: Vec<(&str, &str)> = PIZZA.to_vec();
    change.push(("csrf", &csrf));
    change.retain(|(k, _)| *k != "title");
    change.push(("title", "Taken over"));
    let r = kim
        .post(&format!("/teach/assignments/{id}/edit"), &change)
        .await;
    assert_eq!(r.status, 403);
    let r = kim
        .post(
            &format!("/teach/assignments/{id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 403);
    let mine = rivera.get("/teach/assignments").await;
    assert!(mine.body.contains("Fractions with pizza"));
    assert!(!mine.body.contains("Deleted"));

    for path in [
        "/teach/assignments/999999/edit",
        "/teach/assignments/nope/edit",
    ] {
        let r = kim.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.is_html());
    }
    let r = kim
        .post("/teach/assignments/999999/delete", &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(kim.get("/teach/airings/999999").await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_form_with_problems_comes_back_with_messages_by_the_fields_and_the_values_kept() {
    let app = demo_app().await;
    let (math, _, _) = grade5_math_episode(&app).await;
    let mut b = Browser::sign_in(&app, RIVERA).await;
    let long_title = "x".repeat(201);
    let r = attach(
        &mut b,
        math,
        &[
            ("title", &long_title),
            ("instructions", "Keep this text"),
            ("minutes", "twenty"),
            ("grades", "13"),
            ("due", "next friday"),
            ("scope", "series"),
        ],
    )
    .await;
    assert_eq!(r.status, 400);
    let body = &r.body;
    assert!(body.contains("Please fix the fields marked below."));
    assert!(body.contains(r#"id="title-error""#), "{body}");
    assert!(body.contains("at most 200 are allowed"));
    assert!(body.contains(r#"id="minutes-error""#));
    assert!(body.contains(r#"id="grades-error""#));
    assert!(body.contains("`13` is not a grade"));
    assert!(body.contains(r#"id="due-error""#));
    assert!(body.contains(r#"aria-invalid="true""#));
    assert!(body.contains("Keep this text"), "entered values are kept");
    assert!(body.contains(r#"value="twenty""#));
    assert!(body.contains(r#"value="series" checked"#));
    assert!(edit_ids(&b.get("/teach/assignments").await.body).is_empty());

    let r = attach(
        &mut b,
        math,
        &[("title", "No instructions"), ("grades", "5")],
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains(r#"id="instructions-error""#));
    app.stop().await;
}

#[tokio::test]
async fn classes_get_a_feed_link_that_can_be_renewed() {
    let app = demo_app().await;
    let mut b = Browser::sign_in(&app, RIVERA).await;
    let page = b.get("/teach/classes").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();

    let r = b
        .post(
            "/teach/classes",
            &[("csrf", &csrf), ("name", " "), ("grades", "5")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains(r#"id="name-error""#));
    assert!(r.body.contains(r#"value="5""#));

    let r = b
        .post(
            "/teach/classes",
            &[("csrf", &csrf), ("name", "Room 12"), ("grades", "4-5")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = b.get("/teach/classes").await;
    assert!(page.body.contains("Room 12"));
    let feed_url = |body: &str| {
        let at = body.find("/feeds/classes/").unwrap();
        let rest = &body[at..];
        rest[..rest.find(".ics").unwrap() + 4].to_string()
    };
    let old = feed_url(&page.body);
    assert!(page
        .body
        .contains(&format!("webcal://{}{old}", public_host(&app))));
    assert_eq!(app.get(&old).await.status(), 200);
    // The share kit: the subscribe steps in both languages, and a code for families.
    let token = old
        .trim_start_matches("/feeds/classes/")
        .trim_end_matches(".ics");
    for lang in ["en", "es"] {
        let share = format!("/subscribe?class={token}&#38;lang={lang}");
        assert!(page.body.contains(&share), "{share}: {}", page.body);
    }
    assert!(page.body.contains("<svg"));
    // A page to print for the families: the steps in both languages beside the class's code.
    let handout = page.body.find("/handout.pdf").unwrap();
    let start = page.body[..handout].rfind("/teach/classes/").unwrap();
    let url = &page.body[start..handout + "/handout.pdf".len()];
    let pdf = b.get(url).await;
    assert_eq!(pdf.status, 200, "{url}");
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(pdf.headers["cache-control"], "no-store");
    let text = common::pdf_text(&pdf.bytes);
    assert!(text.contains("Room 12"), "{text}");
    assert!(
        text.contains("Get the class's TV lessons on your phone"),
        "{text}"
    );
    assert!(
        text.contains("Las clases de TV de la clase en su teléfono"),
        "{text}"
    );
    let landing = format!(
        "{}/subscribe?class={token}",
        app.db.config().base_url.trim_end_matches('/')
    );
    assert_eq!(
        common::pdf_qr_codes(&pdf.bytes, 1),
        [landing.clone(), landing]
    );
    // Only the class's teacher may print it.
    assert_eq!(
        Browser::new(&app).get(url).await.status,
        303,
        "{url} without a session"
    );
    let steps = b.get(&format!("/subscribe?class={token}&lang=es")).await;
    assert_eq!(steps.status, 200);
    assert!(steps.body.contains("Room 12"), "{}", steps.body);
    assert!(steps.body.contains("Teléfono Android"));

    // The class is offered on the attach form.
    let (math, _, _) = grade5_math_episode(&app).await;
    let airing = b.get(&format!("/teach/airings/{math}")).await;
    assert!(airing.body.contains("Room 12 (4-5)"));

    let renew = page.body.find("/renew").unwrap();
    let start = page.body[..renew].rfind("/teach/classes/").unwrap();
    let action = &page.body[start..renew + "/renew".len()];
    // A renewal cuts every subscribed family off: it asks first, and without the box ticked
    // nothing changes.
    assert!(page
        .body
        .contains("families already subscribed stop getting"));
    let r = b.post(action, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 400, "{action}");
    assert!(r.body.contains("was not renewed"), "{}", r.body);
    assert_eq!(app.get(&old).await.status(), 200);
    let r = b.post(action, &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(r.status, 303, "{action}");
    let new = feed_url(&b.get("/teach/classes").await.body);
    assert_ne!(old, new);
    assert_eq!(app.get(&old).await.status(), 404);
    assert_eq!(app.get(&new).await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn the_family_pages_speak_spanish() {
    let app = demo_app().await;
    let mut b = Browser::new(&app);

    let home = b.get("/?lang=es").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains(r#"<html lang="es">"#));
    assert!(home.body.contains("Elija un grado"));
    assert!(home.body.contains("Grado de su hijo o hija"));
    assert!(home.body.contains(r#"<label for="grade">"#));

    let grade = b.get("/?grade=5&lang=es").await;
    let body = &grade.body;
    assert!(body.contains("Agregue las clases a su calendario"));
    let host = public_host(&app);
    // Subscribing goes through the landing page, whose steps work on each platform.
    assert!(
        body.contains(r#"href="/subscribe?grade=5&#38;lang=es""#),
        "{body}"
    );
    let landing = b.get("/subscribe?grade=5&lang=es").await;
    assert_eq!(landing.status, 200);
    let steps = &landing.body;
    assert!(steps.contains(r#"<html lang="es">"#));
    assert!(steps.contains("Teléfono Android"));
    assert!(steps.contains(&format!(
        r#"href="webcal://{host}/feeds/grades/5.ics?lang=es""#
    )));
    // Google documents adding by URL from a computer; the cid= form fails in the Android app.
    assert!(steps.contains("https://calendar.google.com/calendar/r/settings/addbyurl"));
    assert!(!steps.contains("cid="));
    assert!(steps.contains("ICSx⁵"));
    assert!(steps.contains("https://outlook.live.com/calendar/0/addfromweb?url=http%3A%2F%2F"));
    assert!(steps.contains("https://outlook.office.com/calendar/0/addfromweb?url=http%3A%2F%2F"));
    assert!(steps.contains(&format!("http://{host}/feeds/grades/5.ics?lang=es")));
    assert!(
        steps.contains("alarm=0"),
        "a feed without reminders is offered"
    );
    assert!(steps.contains("/packets/5/"), "the packet is the fallback");
    assert!(body.contains("Esta semana de un vistazo"));
    assert!(body.contains("/schedule?grade=5&#38;lang=es"));

    let week = b
        .get(&format!("/schedule?grade=5&week={WEEK}&lang=es"))
        .await;
    assert_eq!(week.status, 200);
    let body = &week.body;
    assert!(body.contains(r#"<html lang="es">"#));
    assert!(body.contains("Grado 5 · Semana del 13 de abril de 2020"));
    assert!(body.contains("Lunes 13 de abril"));
    assert!(
        body.contains("Aprender en casa con LAUSD"),
        "Spanish titles where given"
    );
    assert!(body.contains("Véalo en"));
    assert!(
        body.contains(r#"<span lang="en">Cyberchase</span>"#),
        "English where no Spanish was given, marked so"
    );

    let english = b.get(&format!("/schedule?grade=5&week={WEEK}")).await;
    assert!(english.body.contains(r#"<html lang="en">"#));
    assert!(english.body.contains("Monday, April 13"));
    assert!(english.body.contains("LAUSD Learn at Home"));

    // A Spanish-speaking phone gets Spanish without asking.
    let r = app
        .get_with("/", &[("accept-language", "es-MX,es;q=0.9")])
        .await;
    assert!(r.text().await.unwrap().contains(r#"<html lang="es">"#));
    app.stop().await;
}

#[tokio::test]
async fn bad_parameters_get_plain_4xx_pages_that_say_why_never_500() {
    let app = demo_app().await;
    let mut b = Browser::new(&app);
    for (path, status, words) in [
        ("/?grade=13", 400, "grade"),
        ("/?grade=5&lang=fr", 400, "lang"),
        ("/schedule?grade=five&week=2020-04-13", 400, "grade"),
        ("/schedule?grade=5&week=next-week", 400, "week"),
        ("/schedule?grade=5&week=2020-02-30", 400, "week"),
        ("/schedule?grade=5&week=99999-01-01", 400, "week"),
        ("/schedule?grade=5&lang=xx", 400, "lang"),
        ("/schedule?grade=5&grade=6", 400, "grade"),
        ("/schedule?grade=5&colour=red", 400, "colour"),
        ("/?grade=5&lang=es&wek=2020-04-13", 400, "wek"),
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.is_html(), "{path}");
        assert!(
            r.body.contains(words),
            "{path} should say {words}: {}",
            r.body
        );
    }
    // In the page's language, and in both when the language itself is wrong.
    for (path, words) in [
        ("/schedule?grade=five&lang=es", "`five` no es un grado"),
        (
            "/schedule?grade=5&week=next-week&lang=es",
            "`next-week` no es una semana",
        ),
        (
            "/schedule?grade=5&week=1900-01-01&lang=es",
            "demasiado lejos",
        ),
        (
            "/?grade=5&lang=es&wek=2020-04-13",
            "`wek` no es algo que esta página entienda",
        ),
        (
            "/schedule?lang=es&grade=5&grade=6",
            "`grade` aparece dos veces",
        ),
        ("/schedule?grade=5&week=soon", "`soon` is not a week"),
        ("/?lang=fr", "`fr` is not a language we have"),
        ("/?lang=fr", "`fr` no es un idioma que tengamos"),
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(
            r.body.contains(words),
            "{path} should say {words}: {}",
            r.body
        );
    }
    let spanish = b.get("/schedule?grade=five&lang=es").await;
    assert!(
        spanish.body.contains(r#"<html lang="es">"#),
        "{}",
        spanish.body
    );
    let mut t = Browser::sign_in(&app, RIVERA).await;
    for (path, status, words) in [
        ("/teach?grade=13", 400, "grade"),
        ("/teach?week=2020-13-45", 400, "week"),
        ("/teach?station=KZZZ", 400, "KZZZ"),
        ("/teach/airings/abc", 404, "abc"),
        ("/teach/airings/99999999", 404, "99999999"),
        ("/teach/assignments/-1/edit", 404, "-1"),
        ("/teach?grade=5&colour=red", 400, "colour"),
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.body.contains(words), "{path} should say {words}");
    }
    // A schedule without a grade asks for one; no parameters at all is fine.
    let r = b.get("/schedule").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Choose a grade"));
    assert_eq!(b.get("/").await.status, 200);
    // A link shared through a social or messaging app carries its tracking tags: still the page.
    let shared = b
        .get("/?grade=5&lang=es&fbclid=IwAR0abc&utm_source=whatsapp&utm_medium=social")
        .await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    app.stop().await;
}

#[tokio::test]
async fn pages_are_accessible_by_construction() {
    let app = demo_app().await;
    let (math, episode, _) = grade5_math_episode(&app).await;
    let mut t = Browser::sign_in(&app, RIVERA).await;
    // Work on the grade-5 math episode, so the family plan has lessons to show.
    let token = app.api_token(RIVERA).await;
    let (status, v) = app
        .post_json(
            "/api/assignments",
            Some(&token),
            serde_json::json!({"title": "Fractions log", "instructions": "Write it.",
                               "grades": ["5"], "links": [{"episode": episode}]}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let mut pages = vec![
        t.get("/teach").await,
        t.get(&format!("/teach?grade=5&week={WEEK}")).await,
        t.get(&format!("/teach/airings/{math}")).await,
        t.get("/teach/assignments").await,
        t.get("/teach/classes").await,
    ];
    app.add_user("admin@district.test", Role::Admin).await;
    let mut admin = Browser::sign_in(&app, "admin@district.test").await;
    pages.push(admin.get("/admin").await);
    let mut b = Browser::new(&app);
    pages.push(b.get("/teach/login").await);
    pages.push(b.get("/?grade=5").await);
    pages.push(b.get(&format!("/schedule?grade=5&week={WEEK}")).await);
    pages.push(b.get(&format!("/family?grades=2,5&week={WEEK}")).await);
    pages.push(
        b.get(&format!("/family?grades=2,5&week={WEEK}&lang=es"))
            .await,
    );
    pages.push(b.get("/family?grades=9&week=2020-04-13").await);
    pages.push(b.get("/subscribe?grade=5").await);
    pages.push(b.get("/subscribe?grades=2,5&lang=es").await);
    for p in &pages {
        let body = &p.body;
        assert!(body.starts_with("<!doctype html>"));
        assert!(body.contains(r#"<html lang=""#));
        assert!(body.contains(r#"name="viewport""#));
        assert!(body.contains(r#"<main id="main""#));
        // Exactly one h1, and no heading skips a level.
        assert_eq!(body.matches("<h1").count(), 1, "{body}");
        let mut last = 1;
        for (i, _) in body.match_indices("<h") {
            let Some(level) = body[i + 2..].chars().next().and_then(|c| c.to_digit(10)) else {
                continue;
            };
            assert!(level <= last + 1, "h{level} after h{last}");
            last = level;
        }
        // Every input that is not hidden has a label.
        for (i, _) in body
            .match_indices("<input ")
            .chain(body.match_indices("<select "))
            .chain(body.match_indices("<textarea "))
        {
            let tag = &body[i..i + body[i..].find('>').unwrap()];
            if tag.contains(r#"type="hidden""#) || tag.contains(r#"type="radio""#) {
                continue;
            }
            let id = tag
                .split(r#"id=""#)
                .nth(1)
                .map(|s| &s[..s.find('"').unwrap()]);
            let id = id.unwrap_or_else(|| panic!("no id: {tag}"));
            assert!(
                body.contains(&format!(r#"<label for="{id}">"#)),
                "no label for {id}"
            );
        }
        assert!(!body.contains("<script"), "no JavaScript");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_address_is_a_404_page_in_the_visitors_language() {
    let app = TestApp::spawn().await;
    let r = app.get("/calendario?lang=es").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let body = r.text().await.unwrap();
    assert!(body.contains(r#"<html lang="es">"#), "{body}");
    assert!(body.contains("No hay ninguna página en"), "{body}");
    assert!(body.contains(r#"href="/?lang=es""#), "{body}");
    // The browser's language when the address names none.
    let r = app
        .get_with("/horario", &[("accept-language", "es-MX,es;q=0.9")])
        .await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Volver al inicio"));
    let r = app.get("/nowhere").await;
    assert!(r.text().await.unwrap().contains("There is no page at"));
    // Calendar apps and the API get what they read.
    let r = app.get("/feeds/nowhere.ics").await;
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let r = app.get("/api/nowhere").await;
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    app.stop().await;
}

#[tokio::test]
async fn the_schedule_opens_today_and_folds_the_other_days() {
    // The demo week moved to this week, as `serve` does.
    let app = TestApp::spawn_with(true).await;
    let mut b = Browser::new(&app);
    let r = b.get("/schedule?grade=5&lang=es").await;
    assert_eq!(r.status, 200);
    let today_open = r.body.matches("<details open>").count();
    let days = r.body.matches("<details").count();
    assert!(days >= 5, "{}", r.body);
    // Today is open and marked (a weekend day may have nothing for grade 5: then the first).
    assert_eq!(today_open, 1, "{}", r.body);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive();
    if chrono::Datelike::weekday(&today).number_from_monday() <= 5 {
        let open = r.body.find("<details open>").unwrap();
        let marked = r.body.find("· Hoy</h2>").expect("today is marked");
        assert!(marked > open, "the open day is today");
    }
    assert!(
        r.body.contains("/packets/5/"),
        "the packet is linked at the top"
    );
    app.stop().await;
}

#[tokio::test]
async fn materials_come_in_spanish_where_given_and_marked_english_where_not() {
    let app = demo_app().await;
    let (_, episode, _) = grade5_math_episode(&app).await;
    let token = app.api_token(RIVERA).await;
    for (title, materials_es) in [
        ("With Spanish", Some("Papel y crayones")),
        ("English only", None),
    ] {
        let mut body = serde_json::json!({"title": title, "instructions": "Draw it.",
            "materials": "Paper and crayons", "grades": ["5"], "links": [{"episode": episode}]});
        if let Some(m) = materials_es {
            body["materials_es"] = serde_json::json!(m);
        }
        let (status, v) = app.post_json("/api/assignments", Some(&token), body).await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["materials_es"], serde_json::json!(materials_es), "{v}");
    }
    let es = app
        .get_text(&format!("/schedule?grade=5&week={WEEK}&lang=es"))
        .await;
    assert!(es.contains("Materiales: Papel y crayones"), "{es}");
    // English where the teacher wrote no Spanish, marked as English for screen readers.
    assert!(
        es.contains(r#"Materiales: <span lang="en">Paper and crayons</span>"#),
        "{es}"
    );
    let en = app
        .get_text(&format!("/schedule?grade=5&week={WEEK}"))
        .await;
    assert!(!en.contains("Papel y crayones"));
    app.stop().await;
}

/// The interface sentences of a page: its text outside markup, styles, QR codes and anything
/// marked with a language (data: English where no Spanish was given, a Spanish title on an
/// English page) or `translate="no"`
/// (names such as a channel's), each run of text
/// with at least three words and no digits (times, dates and addresses differ or are data).
fn interface_sentences(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut skip: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if skip.is_none() {
            let t = text
                .replace("&#34;", "\"")
                .replace("&#39;", "'")
                .replace("&#38;", "&")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            let words = t
                .split(' ')
                .filter(|w| w.chars().any(char::is_alphabetic))
                .count();
            if words >= 3 && !t.chars().any(|c| c.is_ascii_digit()) && !t.contains("://") {
                out.push(t);
            }
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match &skip {
            Some(until) if tag.starts_with('/') && &name == until => skip = None,
            Some(_) => {}
            // The page's own language is on <html>; data in English is marked inside it.
            None if !tag.starts_with('/')
                && !tag.ends_with('/')
                && name != "html"
                && (tag.contains(r#" lang=""#)
                    || tag.contains(r#" translate="no""#)
                    || matches!(name.as_str(), "style" | "svg" | "title")) =>
            {
                skip = Some(name);
            }
            None => {}
        }
        rest = &rest[lt + gt + 1..];
    }
    out
}

/// Fails on any interface sentence of the Spanish page `es` that the English page `en` says
/// word for word; returns how many sentences were read.
fn spanish_sentences(path: &str, es: &str, en: &str) -> usize {
    let english: std::collections::HashSet<String> = interface_sentences(en).into_iter().collect();
    let spanish = interface_sentences(es);
    assert!(!spanish.is_empty(), "{path}: no text read");
    let untranslated: Vec<&String> = spanish.iter().filter(|s| english.contains(*s)).collect();
    assert!(
        untranslated.is_empty(),
        "{path} says in English: {untranslated:?}"
    );
    spanish.len()
}

#[tokio::test]
async fn no_english_interface_sentence_on_a_spanish_page() {
    let app = demo_app().await;
    let (_, episode, _) = grade5_math_episode(&app).await;
    let token = app.api_token(RIVERA).await;
    let (status, v) = app
        .post_json(
            "/api/assignments",
            Some(&token),
            serde_json::json!({"title": "Fractions log", "title_es": "Registro de fracciones",
                "instructions": "Write it down.", "instructions_es": "Escríbelo.",
                "materials": "Paper", "materials_es": "Papel", "due": "2020-04-17",
                "grades": ["5"], "links": [{"episode": episode}]}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let mut checked = 0;
    for path in [
        "/?lang=es".to_string(),
        "/?grade=5&lang=es".into(),
        format!("/schedule?grade=5&week={WEEK}&lang=es"),
        format!("/family?grades=2,5&week={WEEK}&lang=es"),
        "/family?grades=9&week=2020-04-13&lang=es".into(),
        "/subscribe?grade=5&lang=es".into(),
        "/subscribe?grades=2,5&lang=es".into(),
        format!("/packets/5/{WEEK}.html?lang=es"),
        format!("/packets/family/{WEEK}.html?grades=2,5&lang=es"),
        "/family?grades=13&lang=es".into(),
        "/no-such-page?lang=es".into(),
    ] {
        let es = app.get_text(&path).await;
        let en = app.get_text(&path.replace("lang=es", "lang=en")).await;
        checked += spanish_sentences(&path, &es, &en);
    }
    assert!(checked > 100, "{checked} sentences checked");
    app.stop().await;
}

#[tokio::test]
async fn a_series_link_is_shown_by_the_title_it_airs_under() {
    let app = demo_app().await;
    let a = &app
        .api_airings("grade=5&from=2020-04-13&to=2020-04-18")
        .await[0];
    let (key, title) = (
        a["series_key"].as_str().unwrap(),
        a["title"].as_str().unwrap(),
    );
    assert_ne!(key, title);
    let token = app.api_token(RIVERA).await;
    let (status, v) = app
        .post_json(
            "/api/assignments",
            Some(&token),
            serde_json::json!({"title": "Whole series", "instructions": "Watch any.",
                               "grades": ["5"], "links": [{"series": key}]}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let mut t = Browser::sign_in(&app, RIVERA).await;
    let page = t.get("/teach/assignments").await;
    let shown = format!(": {}", title.replace('&', "&#38;").replace('\'', "&#39;"));
    assert!(page.body.contains(&shown), "{shown}: {}", page.body);
    assert!(!page.body.contains(&format!(": {key}<")), "{}", page.body);
    app.stop().await;
}

#[tokio::test]
async fn a_teacher_who_chooses_spanish_gets_the_teacher_pages_in_spanish() {
    let app = demo_app().await;
    let (airing, _, _) = grade5_math_episode(&app).await;
    // Work and a class made in English, so every page has something to show.
    let mut en = Browser::sign_in(&app, RIVERA).await;
    assert_eq!(attach(&mut en, airing, PIZZA).await.status, 303);
    let csrf = en.get("/teach/classes").await.csrf();
    let made = en
        .post(
            "/teach/classes",
            &[("csrf", &csrf), ("name", "Room 12"), ("grades", "5")],
        )
        .await;
    assert_eq!(made.status, 303);
    let id = edit_ids(&en.get("/teach/assignments").await.body)[0];

    // The switch on a page leads back to the same page, in Spanish, and the choice stays.
    let mut es = Browser::sign_in(&app, RIVERA).await;
    let list = es.get("/teach/assignments").await;
    assert!(list.body.contains(r#"<html lang="en">"#));
    let at = list
        .body
        .find("/teach/lang/es?next=")
        .expect("a switch to Spanish");
    let href = &list.body[at..at + list.body[at..].find('"').unwrap()];
    let switched = es.get(&href.replace("&#38;", "&")).await;
    assert_eq!(switched.status, 303);
    assert_eq!(switched.location(), "/teach/assignments");
    let cookie = switched.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lessoncast_lang=es;"), "{cookie}");
    assert!(cookie.contains("Path=/teach") && cookie.contains("HttpOnly"));
    // Only our own pages are a destination.
    let away = es.get("/teach/lang/es?next=https://evil.example/").await;
    assert_eq!(away.location(), "/teach");
    assert_eq!(es.get("/teach/lang/fr").await.status, 404);

    let mut checked = 0;
    for path in [
        "/teach".to_string(),
        format!("/teach?grade=5&week={WEEK}"),
        format!("/teach/airings/{airing}"),
        "/teach/assignments".into(),
        format!("/teach/assignments?deleted={id}"),
        format!("/teach/assignments/{id}/edit"),
        "/teach/classes".into(),
        "/teach/airings/999999".into(),
        "/teach?station=NOPE".into(),
        "/teach?grade=13".into(),
    ] {
        let s = es.get(&path).await;
        let e = en.get(&path).await;
        assert_eq!(s.status, e.status, "{path}");
        assert!(s.body.contains(r#"<html lang="es">"#), "{path}: {}", s.body);
        checked += spanish_sentences(&path, &s.body, &e.body);
    }
    assert!(checked > 40, "{checked} sentences checked");
    // The class packet in the page's language, and in the other for families who read it.
    let classes = es.get("/teach/classes").await;
    let at = classes.body.find("/packet/").unwrap();
    let start = classes.body[..at].rfind('"').unwrap() + 1;
    let packet = &classes.body[start..at + classes.body[at..].find('"').unwrap()];
    assert!(packet.ends_with(".pdf?lang=es"), "{packet}");
    let html = es.get(&packet.replace(".pdf?", ".html?")).await;
    assert!(html.body.contains(r#"<html lang="es""#), "{}", html.body);
    let english = packet.replace("lang=es", "lang=en");
    assert!(classes.body.contains(&format!(
        r#"<p lang="en"><a href="{english}" hreflang="en">"#
    )));

    // A form sent back with its problems says them in Spanish, by the fields.
    let page = es.get(&format!("/teach/airings/{airing}")).await;
    let csrf = page.csrf();
    let airing_id = airing.to_string();
    let back = es
        .post(
            "/teach/assignments",
            &[
                ("csrf", &csrf),
                ("airing", &airing_id),
                ("title", " "),
                ("instructions", "Dibuja."),
                ("minutes", "veinte"),
                ("grades", "13"),
                ("due", "mañana"),
                ("scope", "episode"),
                ("class", ""),
            ],
        )
        .await;
    assert_eq!(back.status, 400);
    for said in [
        "no puede quedar vacío",
        "`veinte` no es un número entero de minutos",
        "`13` no es un grado",
        "`mañana` no es una fecha",
    ] {
        assert!(back.body.contains(said), "{said}: {}", back.body);
    }
    assert!(!back.body.contains("must not be empty"));
    // The API keeps saying it in English.
    let token = app.api_token(RIVERA).await;
    let (status, v) = app
        .post_json(
            "/api/assignments",
            Some(&token),
            serde_json::json!({"title": " ", "instructions": "x", "grades": ["5"],
                "links": [{"airing": airing}]}),
        )
        .await;
    assert_eq!(status, 400, "{v}");
    assert!(v.to_string().contains("must not be empty"), "{v}");
    assert!(!v.to_string().contains("message_es"), "{v}");

    // Before signing in: the sign-in form in the browser's language, with the switch.
    let mut anon = Browser::new(&app);
    let req = anon
        .client
        .get(format!("{}/teach/login", app.base))
        .header("accept-language", "es-MX,es;q=0.9");
    let login = anon.send(req).await;
    assert!(login.body.contains(r#"<html lang="es">"#));
    assert!(login.body.contains("/teach/lang/en?next=%2Fteach%2Flogin"));
    let to_english = anon.get("/teach/lang/en?next=/teach/login").await;
    assert_eq!(to_english.location(), "/teach/login");
    let login = anon.get("/teach/login").await;
    assert!(login.body.contains(r#"<html lang="en">"#));
    app.stop().await;
}

#[tokio::test]
async fn pages_go_brotli_or_gzip_compressed_to_whoever_takes_it() {
    let app = demo_app().await;
    let path = format!("/family?grades=2,5&week={WEEK}&lang=es");
    let plain = app.get_text(&path).await;
    assert!(plain.len() > 5000, "{} bytes", plain.len());
    let br = app
        .get_with(&path, &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(br.headers()["content-encoding"], "br");
    let vary: Vec<String> = br
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("accept-encoding")),
        "{vary:?}"
    );
    let br = br.bytes().await.unwrap();
    let mut read = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut br.as_ref(), &mut read).unwrap();
    assert_eq!(String::from_utf8(read).unwrap(), plain);
    let gz = app.get_with(&path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz = gz.bytes().await.unwrap();
    let mut read = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz.as_ref()), &mut read)
        .unwrap();
    assert_eq!(read, plain);
    assert!(
        br.len() < gz.len() && gz.len() * 2 < plain.len(),
        "br {} gzip {} plain {}",
        br.len(),
        gz.len(),
        plain.len()
    );
    app.stop().await;
}
