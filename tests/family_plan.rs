//! The family plan for one TV, through the real server and command line, on a week made for
//! it (`tests/fixtures/plan/week.csv`): a clash the greedy choice makes and a repeat avoids, a
//! clash nothing avoids (said in words), a due date that rules out a late repeat, a child with
//! a class link beside one with only a grade, Spanish, and a week with no work.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, TestApp};
use lessoncast::store::users::Role;
use serde_json::{json, Value};

struct Week {
    app: TestApp,
    class_token: String,
}

/// The airing of `title` at `start` (local, "2020-04-13T10:00").
async fn airing(app: &TestApp, title: &str, start: &str) -> Value {
    app.api_airings("station=KPLN&from=2020-04-13&to=2020-04-20")
        .await
        .into_iter()
        .find(|a| a["title"] == title && a["start"].as_str().unwrap().starts_with(start))
        .unwrap_or_else(|| panic!("no {title} at {start}"))
}

async fn assign(
    app: &TestApp,
    token: &str,
    title: &str,
    grades: &str,
    link: Value,
    due: Option<&str>,
    class: Option<i64>,
) {
    let mut body = json!({"title": title, "instructions": "Write three sentences about it.", "grades": [grades], "links": [link]});
    if let Some(d) = due {
        body["due"] = json!(d);
    }
    if let Some(c) = class {
        body["class"] = json!(c);
    }
    let (status, v) = app.post_json("/api/assignments", Some(token), body).await;
    assert_eq!(status, 201, "{v}");
}

async fn week() -> Week {
    let app = TestApp::spawn().await;
    app.db
        .import(&fixture("plan/week.csv"))
        .await
        .expect("the plan week");
    let teacher = app.add_user("rivera@school.test", Role::Teacher).await;
    let t = teacher.token.clone();
    let (status, class) = app
        .post_json(
            "/api/classes",
            Some(&t),
            json!({"name": "Room 12", "grades": ["5"]}),
        )
        .await;
    assert_eq!(status, 201, "{class}");
    let peg = airing(&app, "Peg + Cat", "2020-04-13T10:00").await;
    let odd = airing(&app, "Odd Squad", "2020-04-13T10:00").await;
    let cyber = airing(&app, "Cyberchase", "2020-04-14T11:00").await;
    let sid = airing(&app, "Sid the Science Kid", "2020-04-14T11:00").await;
    let kratts = airing(&app, "Wild Kratts", "2020-04-14T14:00").await;
    // Grade 2: Peg + Cat by series (Mon and Wed 10:00); Sid only Tue 11:00.
    assign(
        &app,
        &t,
        "Peg counting log",
        "2",
        json!({"series": peg["series_key"]}),
        None,
        None,
    )
    .await;
    assign(
        &app,
        &t,
        "Sid sneeze drawing",
        "2",
        json!({"airing": sid["id"]}),
        None,
        None,
    )
    .await;
    // Grade 5 (the class): Odd Squad only Mon 10:00; Cyberchase only Tue 11:00; Wild Kratts
    // Tue and Fri 14:00 but due Wednesday.
    let c = class["id"].as_i64();
    assign(
        &app,
        &t,
        "Odd Squad math log",
        "5",
        json!({"airing": odd["id"]}),
        None,
        c,
    )
    .await;
    assign(
        &app,
        &t,
        "Cyberchase puzzle",
        "5",
        json!({"airing": cyber["id"]}),
        None,
        c,
    )
    .await;
    assign(
        &app,
        &t,
        "Octopus notes",
        "5",
        json!({"series": kratts["series_key"]}),
        Some("2020-04-15"),
        c,
    )
    .await;
    let class_token = class["token"].as_str().unwrap().to_string();
    Week { app, class_token }
}

fn item<'a>(plan: &'a Value, work: &str) -> &'a Value {
    plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["work"]["title"] == work)
        .unwrap_or_else(|| panic!("no {work} in {plan}"))
}

fn start(item: &Value) -> &str {
    item["airing"]["start"].as_str().unwrap()
}

#[tokio::test]
async fn the_plan_dodges_clashes_with_repeats_and_says_the_one_it_cannot() {
    let Week {
        app, class_token, ..
    } = week().await;
    let out = app
        .cli()
        .args([
            "plan",
            "--grades",
            "2",
            "--classes",
            &class_token,
            "--week",
            "2020-04-13",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["children"][0]["label"], "Grade 2");
    assert!(plan["children"][1]["label"]
        .as_str()
        .unwrap()
        .starts_with("Room 12"));
    // Earliest first would put Peg + Cat on Monday 10:00 against Odd Squad: its Wednesday
    // repeat is taken instead, and Monday is listed as where else it airs.
    let peg = item(&plan, "Peg counting log");
    assert!(start(peg).starts_with("2020-04-15T10:00"), "{peg}");
    assert!(peg["alternatives"][0]["start"]
        .as_str()
        .unwrap()
        .starts_with("2020-04-13T10:00"));
    let odd = item(&plan, "Odd Squad math log");
    assert!(start(odd).starts_with("2020-04-13T10:00"), "{odd}");
    assert_eq!(odd["child"], 1);
    // Friday's Wild Kratts is after Wednesday's due date: Tuesday, and no alternative.
    let notes = item(&plan, "Octopus notes");
    assert!(start(notes).starts_with("2020-04-14T14:00"), "{notes}");
    assert_eq!(notes["alternatives"], json!([]));
    assert_eq!(notes["late"], false);
    // Sid and Cyberchase only air together: said in words.
    let clashes = plan["clashes"].as_array().unwrap();
    assert_eq!(clashes.len(), 1, "{plan}");
    let text = clashes[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Sid the Science Kid") && text.contains("Cyberchase"),
        "{text}"
    );
    assert!(text.contains("no repeat"), "{text}");
    // Each piece of work once per child.
    assert_eq!(plan["items"].as_array().unwrap().len(), 5);
    assert_eq!(plan["proven"], true);
    app.stop().await;
}

#[tokio::test]
async fn the_plan_page_shows_the_same_plan_in_english_and_spanish() {
    let Week {
        app, class_token, ..
    } = week().await;
    let url = format!("/family?grades=2&classes={class_token}&week=2020-04-13");
    let r = app.get(&url).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Family plan"), "{page}");
    assert!(page.contains("Two lessons at the same time"));
    // Each piece of work once.
    for work in [
        "Peg counting log",
        "Odd Squad math log",
        "Octopus notes",
        "Sid sneeze drawing",
        "Cyberchase puzzle",
    ] {
        assert_eq!(page.matches(work).count(), 1, "{work} once in {page}");
    }
    assert!(page.contains("Also airs"));
    assert!(
        page.contains(&format!(
            "/packets/family/2020-04-13.pdf?grades=2&#38;classes={class_token}&#38;lang=en"
        )),
        "{page}"
    );
    // One link (or one QR code) leads to the steps that put the whole plan on a phone, and
    // they subscribe to the family feed.
    let landing = format!("/subscribe?grades=2&classes={class_token}&lang=en");
    assert!(
        page.contains(&format!(r#"href="{}""#, landing.replace('&', "&#38;"))),
        "{page}"
    );
    let steps = app.get_text(&landing).await;
    assert!(
        steps.contains(&format!(
            "href=\"webcal://127.0.0.1:8080/feeds/family.ics?grades=2&#38;classes={class_token}&#38;lang=en\""
        )),
        "{steps}"
    );
    assert!(page.contains("<svg"), "{page}");
    // Wednesday's Peg + Cat is under Wednesday.
    let wed = page.find("Wednesday, April 15").expect("Wednesday");
    assert!(page[wed..].contains("Peg counting log"));

    let es = app.get_text(&format!("{url}&lang=es")).await;
    assert!(es.contains("Plan familiar"), "{es}");
    assert!(es.contains("Dos clases a la misma hora"));
    assert!(
        es.contains("miércoles 15 de abril") || es.contains("Miércoles 15 de abril"),
        "{es}"
    );
    assert!(es.contains("se emiten a la misma hora"));
    app.stop().await;
}

#[tokio::test]
async fn bad_families_are_refused_in_the_page_language_and_an_empty_week_says_so() {
    let Week {
        app, class_token, ..
    } = week().await;
    // A teacher's class link, pasted whole, leads to the class feed's steps (kept by no cache).
    let r = app
        .get(&format!(
            "/subscribe?class=https%3A%2F%2Fx.test%2Ffeeds%2Fclasses%2F{class_token}.ics&lang=es"
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.text().await.unwrap();
    assert!(
        body.contains(&format!("/feeds/classes/{class_token}.ics?lang=es")),
        "{body}"
    );
    for (url, says) in [
        ("/family?grades=13", "is not a grade"),
        ("/family?grades=2,3,4,5,6,7,8", "up to 6 children"),
        ("/family", "name each child"),
        ("/family?classes=abc", "is not a class link"),
        ("/family?grades=2&grade=5", "grade"),
        ("/family?grades=13&lang=es", "no es un grado"),
        // The subscribe landing page names one calendar, and says so in the page's language.
        ("/subscribe", "name one calendar"),
        ("/subscribe?lang=es", "indique un calendario"),
        ("/subscribe?grade=5&grades=2", "one calendar only"),
        ("/subscribe?class=abc", "is not a class link"),
        ("/subscribe?grade=13&lang=es", "no es un grado"),
        ("/subscribe?grade=5&week=2020-04-13", "week"),
    ] {
        let r = app.get(url).await;
        assert_eq!(r.status(), 400, "{url}");
        let body = r.text().await.unwrap();
        assert!(body.contains(says), "{url}: {body}");
    }
    let empty = app.get_text("/family?grades=9&week=2020-04-13").await;
    assert!(empty.contains("No work is planned"), "{empty}");
    assert!(
        empty.contains("/schedule?grade=9&#38;week=2020-04-13"),
        "{empty}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_family_feed_has_one_event_per_planned_lesson_with_one_reminder_each() {
    let Week {
        app, class_token, ..
    } = week().await;
    let url =
        format!("/feeds/family.ics?grades=2&classes={class_token}&from=2020-04-13&to=2020-04-19");
    let r = app.get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let ics = r.text().await.unwrap();
    let unfolded = ics.replace("\r\n ", "");
    // Five pieces of work on five different airings: five events, each with one reminder.
    assert_eq!(common::libical_events(ics.as_bytes()), 5, "{ics}");
    assert_eq!(unfolded.matches("BEGIN:VALARM").count(), 5);
    assert!(
        unfolded.contains("NAME;LANGUAGE=en:Family plan · Grade 2\\, Room 12 (Grade 5)"),
        "{unfolded}"
    );
    // The child in the summary; what to do after, and where else it airs, in the description.
    assert!(
        unfolded.contains("SUMMARY;LANGUAGE=en:Grade 2 · KPLN 10.2 · Peg + Cat"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Grade 2: Then do Peg counting log"),
        "{unfolded}"
    );
    assert!(unfolded.contains("Also airs: Mon 10:00"), "{unfolded}");
    // Peg + Cat on Wednesday, not Monday against Odd Squad.
    let peg = unfolded
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("Peg + Cat"))
        .unwrap();
    assert!(peg.contains("DTSTART:20200415T170000Z"), "{peg}");
    // The clash left is said in both events.
    assert_eq!(
        unfolded.matches("no repeat this week avoids it").count(),
        2,
        "{unfolded}"
    );
    // Revalidation, no reminders, Spanish.
    assert_eq!(
        app.get_with(&url, &[("if-none-match", &etag)])
            .await
            .status(),
        304
    );
    let quiet = app.get_text(&format!("{url}&alarm=0")).await;
    assert!(!quiet.contains("BEGIN:VALARM"));
    let es = app
        .get_text(&format!("{url}&lang=es"))
        .await
        .replace("\r\n ", "");
    assert!(es.contains("NAME;LANGUAGE=es:Plan familiar"), "{es}");
    // Dates written the Spanish way, the weekday in lower case mid-sentence.
    assert!(
        es.replace("\r\n ", "")
            .contains("Entregar el: miércoles 15 de abril de 2020"),
        "{es}"
    );
    assert_eq!(common::libical_events(es.as_bytes()), 5);
    // The default window (two weeks back, eight ahead) is within what a plan covers.
    assert_eq!(app.get("/feeds/family.ics?grades=2").await.status(), 200);
    // A window longer than the plan covers is a 400 that says so.
    let r = app
        .get("/feeds/family.ics?grades=2&from=2020-01-06&to=2020-12-31")
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("at most 12 weeks"));
    // A bad family is a 400 that says why.
    let r = app.get("/feeds/family.ics?grades=13").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("is not a grade"));
    app.stop().await;
}

/// The text of a PDF, read back with poppler's `pdftotext` (Debian's poppler-utils).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) is needed: tests/run.sh installs it");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).replace('\n', " ")
}

#[tokio::test]
async fn grade_packets_print_each_piece_of_work_once_with_the_airings_that_will_do() {
    let Week { app, .. } = week().await;
    let (status, _, pdf) = app.get_bytes("/packets/2/2020-04-13.pdf").await;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf);
    assert_eq!(text.matches("Peg counting log").count(), 1, "{text}");
    assert!(
        text.contains("Watch one of: Mon 10:00 AM KPLN 10.2, Wed 10:00 AM KPLN 10.2"),
        "{text}"
    );
    // The day pages still list what airs: Peg + Cat on Monday and on Wednesday.
    assert_eq!(text.matches("Peg + Cat").count(), 2, "{text}");

    // Grade 5: the due date rules Friday's Wild Kratts out of the choice.
    let (_, _, pdf) = app.get_bytes("/packets/5/2020-04-13.pdf").await;
    let text = pdf_text(&pdf);
    assert_eq!(text.matches("Octopus notes").count(), 1, "{text}");
    assert!(
        !text.contains("Watch one of: Tue 2:00 PM KPLN 10.1, Fri"),
        "{text}"
    );

    // The HTML packet and Spanish say the same.
    let html = app.get_text("/packets/2/2020-04-13.html?lang=es").await;
    assert_eq!(html.matches("Peg counting log").count(), 1, "{html}");
    assert!(html.contains("Vea una de estas:</b> lun 10:00"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_family_packet_prints_the_plan_each_work_once_and_the_clash_in_words() {
    let Week {
        app, class_token, ..
    } = week().await;
    let url = format!("/packets/family/2020-04-13.pdf?grades=2&classes={class_token}");
    let r = app.get(&url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    // It prints the class link: kept by nobody but the family's browser.
    assert_eq!(r.headers()["cache-control"], "no-store");
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(text.contains("Family plan"), "{text}");
    for work in [
        "Peg counting log",
        "Odd Squad math log",
        "Octopus notes",
        "Sid sneeze drawing",
        "Cyberchase puzzle",
    ] {
        assert_eq!(text.matches(work).count(), 1, "{work} once in {text}");
    }
    // Whose work, the chosen airing's day, and where else it airs.
    assert!(
        text.contains("Grade 2 – Work to do: Peg counting log"),
        "{text}"
    );
    let wed = text.find("Wednesday, April 15").expect("Wednesday");
    assert!(text[wed..].contains("Peg counting log"), "{text}");
    assert!(text.contains("Also airs: Mon 10:00 AM KPLN 10.2"), "{text}");
    // The clash nothing avoids, on the cover in words and under both lessons.
    assert!(text.contains("Two lessons at the same time"), "{text}");
    assert!(text.contains("no repeat this week avoids it"), "{text}");
    assert_eq!(text.matches("At the same time as").count(), 2, "{text}");
    // Only the planned lessons: Wednesday's Peg + Cat, not Monday's too.
    assert_eq!(text.matches("Peg + Cat").count(), 1, "{text}");
    // The codes on the cover lead to the family's subscribe page and plan (the address wraps
    // on paper).
    assert!(
        text.replace(' ', "").contains(&format!(
            "/subscribe?grades=2&classes={class_token}&lang=en"
        )),
        "{text}"
    );

    // The HTML packet in Spanish says the same.
    let html = app
        .get_text(&format!(
            "/packets/family/2020-04-13.html?grades=2&classes={class_token}&lang=es"
        ))
        .await;
    assert!(html.contains("Plan familiar"), "{html}");
    assert_eq!(html.matches("Peg counting log").count(), 1, "{html}");
    assert!(html.contains("Dos clases a la misma hora"), "{html}");
    assert!(html.contains("También se emite:</b> lun 10:00"), "{html}");

    // The command line writes the same packet.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("family.pdf");
    let out = app
        .cli()
        .args(["packet", "--grades", "2", "--classes", &class_token])
        .args(["--week", "2020-04-13", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_text = pdf_text(&std::fs::read(&file).unwrap());
    assert_eq!(
        cli_text.matches("Peg counting log").count(),
        1,
        "{cli_text}"
    );
    assert!(
        cli_text.contains("no repeat this week avoids it"),
        "{cli_text}"
    );

    // Grades only: public, shared by proxies for a few minutes.
    let r = app.get("/packets/family/2020-04-13.pdf?grades=2,5").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=300");

    // A week with no work says so and points to each grade's full schedule.
    let (_, _, pdf) = app
        .get_bytes("/packets/family/2020-04-13.pdf?grades=9")
        .await;
    let text = pdf_text(&pdf);
    assert!(text.contains("No work is planned"), "{text}");
    assert!(text.contains("/schedule?grade=9&week=2020-04-13"), "{text}");

    // Bad families and parameters are 400s that say why, in the asked language.
    for (url, says) in [
        ("/packets/family/2020-04-13.pdf?grades=13", "is not a grade"),
        (
            "/packets/family/2020-04-13.pdf?grades=13&lang=es",
            "no es un grado",
        ),
        ("/packets/family/2020-04-13.pdf", "name each child"),
        (
            "/packets/family/2020-04-13.doc?grades=2",
            "not a packet format",
        ),
        (
            "/packets/family/2020-04-13.pdf?grades=2&grade=5",
            "unknown field",
        ),
    ] {
        let r = app.get(url).await;
        assert_eq!(r.status(), 400, "{url}");
        let body = r.text().await.unwrap();
        assert!(body.contains(says), "{url}: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_family_adds_children_on_the_home_page_and_the_grade_pages_offer_the_plan() {
    let Week {
        app, class_token, ..
    } = week().await;
    let mut b = common::Browser::new(&app);
    // The home page has a box per grade and a field for a teacher's class link.
    let home = b.get("/?grade=5&lang=es").await;
    assert_eq!(home.status, 200);
    assert!(home
        .body
        .contains(r#"<form method="get" action="/family">"#));
    assert!(home
        .body
        .contains(r#"id="child-5" name="grades" value="5" checked"#));
    assert!(home.body.contains("Un plan para toda la familia"));
    // What the form sends (a box per child, the class link pasted whole) becomes the short
    // address to bookmark, subscribe and share.
    let pasted = format!("webcal://lessons.example.org/feeds/classes/{class_token}.ics");
    let r = b
        .get(&format!(
            "/family?grades=2&grades=K&classes={}&lang=es",
            pasted.replace(':', "%3A").replace('/', "%2F")
        ))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/family?grades=2,K&classes={class_token}&lang=es")
    );
    let plan = b.get(r.location()).await;
    assert_eq!(plan.status, 200);
    assert!(plan.body.contains("Room 12"), "{}", plan.body);
    // A blank class field is left out of the address.
    let r = b.get("/family?grades=2&classes=&lang=en").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/family?grades=2&lang=en");
    // The address it is already in is not sent round again.
    assert_eq!(
        b.get("/family?grades=2,K&week=2020-04-13").await.status,
        200
    );

    // A grade's page and packet offer the family plan.
    let page = b.get("/schedule?grade=5&week=2020-04-13").await;
    assert!(
        page.body
            .contains(r#"href="/family?grades=5&#38;week=2020-04-13&#38;lang=en""#),
        "{}",
        page.body
    );
    let (_, _, pdf) = app.get_bytes("/packets/5/2020-04-13.pdf").await;
    let text = pdf_text(&pdf);
    assert!(
        text.contains("More than one child at home and one TV?"),
        "{text}"
    );

    // Series work is planned in the weeks it airs: a week without its airings does not list it.
    let next = b
        .get(&format!(
            "/family?grades=2&classes={class_token}&week=2020-04-20"
        ))
        .await;
    assert!(next.body.contains("No work is planned"), "{}", next.body);
    assert!(!next.body.contains("Peg counting log"), "{}", next.body);
    app.stop().await;
}
