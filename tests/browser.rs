//! End to end in headless Chromium (Debian `chromium`, driven by `playwright-core`): a teacher
//! signs in, finds a grade 5 airing in the demo week, attaches work to its episode, and the
//! grade 5 feed carries it; a parent makes a family plan on a 360 px phone, every page clean in
//! axe-core and under 30 KB on the wire. Screenshots land in `target/browser/`.

mod common;

use common::{repo, Chromium, TestApp, PASSWORD};
use lessoncast::store::users::Role;

#[tokio::test]
async fn a_teacher_attaches_work_in_the_browser_and_the_grade_feed_shows_it() {
    let chromium = Chromium::find();
    let app = TestApp::with_demo_week().await;
    let teacher = app.add_user("teacher@school.test", Role::Teacher).await;

    let out = repo().join("target/browser").display().to_string();
    let run = chromium
        .run("attach.mjs", &[&app.base, &teacher.email, PASSWORD, &out])
        .await;
    assert!(run.status.success(), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ok: work attached"), "{}", run.stdout);
    assert!(repo().join("target/browser/attach-form.png").exists());
    app.stop().await;
}

/// Bytes a family page may take on the wire, headers included: a slow prepaid phone plan.
const PAGE_BUDGET: u64 = 30 * 1024;

#[tokio::test]
async fn a_parent_subscribes_by_keyboard_and_makes_a_family_plan_on_a_phone_and_a_computer() {
    let chromium = Chromium::find();
    let app = TestApp::with_demo_week().await;
    let teacher = app.add_user("teacher@school.test", Role::Teacher).await;
    // The budget holds for a full week: grade 2's schedule and packet carry over 100 airings.
    let full = app
        .api_airings("grade=2&from=2020-04-13&to=2020-04-20&limit=1000")
        .await;
    assert!(
        full.len() >= 100,
        "grade 2's week has {} airings",
        full.len()
    );
    // Work for both children, linked by series, so the plan has lessons and repeats to choose.
    for grade in ["2", "5"] {
        let airings = app
            .api_airings(&format!("grade={grade}&from=2020-04-13&to=2020-04-18"))
            .await;
        assert!(!airings.is_empty(), "the demo week has grade {grade}");
        let mut series: Vec<&str> = airings
            .iter()
            .filter_map(|a| a["series_key"].as_str())
            .collect();
        series.dedup();
        for s in series.iter().take(3) {
            let (status, v) = app
                .post_json(
                    "/api/assignments",
                    Some(&teacher.token),
                    serde_json::json!({"title": format!("Log for {s}"), "instructions": "Write three sentences.",
                                       "grades": [grade], "links": [{"series": s}]}),
                )
                .await;
            assert_eq!(status, 201, "{v}");
        }
    }
    let out = repo().join("target/browser").display().to_string();
    let base = app.db.config().base_url;
    let base = base.trim_end_matches('/').to_string();
    // A small Android phone, and a computer's screen.
    for width in ["360", "1280"] {
        let run = chromium
            .run("family.mjs", &[&app.base, "2020-04-13", &out, width])
            .await;
        assert!(
            run.status.success(),
            "{width}: {}{}",
            run.stdout,
            run.stderr
        );
        let pages: Vec<serde_json::Value> = run
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line per page"))
            .collect();
        assert_eq!(pages.len(), 10, "{}", run.stdout);
        for p in &pages {
            eprintln!("{width} px: {p}");
            assert_eq!(
                p["violations"],
                serde_json::json!([]),
                "axe-core at {width} px: {p}"
            );
            let bytes = p["bytes"].as_u64().unwrap();
            assert!(bytes > 0 && bytes < PAGE_BUDGET, "{bytes} bytes: {p}");
            let name = p["page"].as_str().unwrap();
            assert!(repo()
                .join(format!("target/browser/{name}-{width}.png"))
                .exists());
        }
        // The QR codes on the pages, as a phone's camera reads them off the screen: the
        // landing page with the steps, over the site's own http(s) address.
        assert_eq!(
            common::qr_codes(&repo().join(format!("target/browser/home-qr-{width}.png"))),
            [format!("{base}/subscribe?grade=5&lang=es")]
        );
        assert_eq!(
            common::qr_codes(&repo().join(format!("target/browser/plan-qr-{width}.png"))),
            [format!("{base}/subscribe?grades=2,5&lang=en")]
        );
    }
    app.stop().await;
}
