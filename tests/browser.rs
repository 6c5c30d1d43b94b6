//! End to end in headless Chromium (Debian `chromium`, driven by `playwright-core`): a teacher
//! signs in, finds a grade 5 airing in the demo week, attaches work to its episode, and the
//! grade 5 feed carries it. Screenshots of the form land in `target/browser/`.

mod common;

use common::{repo, TestApp};
use lessoncast::auth::{hash_password, Secret};
use lessoncast::store::users::{self, Role};
use std::process::Command;

#[tokio::test]
async fn a_teacher_attaches_work_in_the_browser_and_the_grade_feed_shows_it() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} is missing: install Debian's chromium (tests/run.sh does)"
    );
    let driver = repo().join("tests/browser/node_modules/playwright-core");
    assert!(
        driver.exists(),
        "playwright-core is missing: npm ci --prefix tests/browser (tests/run.sh does)"
    );

    let app = TestApp::spawn().await;
    app.db
        .import(&repo().join("schedules").display().to_string())
        .await
        .expect("demo week");
    let password = "a long enough password";
    let hash = hash_password(&Secret::new(password)).unwrap();
    users::create(
        app.db.store.pool(),
        "teacher@school.test",
        &hash,
        Role::Teacher,
        0,
    )
    .await
    .unwrap();

    let out = repo().join("target/browser");
    let base = app.base.clone();
    let script = repo().join("tests/browser/attach.mjs");
    let result = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .arg(&base)
            .arg("teacher@school.test")
            .arg(password)
            .arg(&out)
            .env("CHROMIUM", &chromium)
            .output()
    })
    .await
    .unwrap()
    .expect("node is needed for the browser test");
    let stdout = String::from_utf8_lossy(&result.stdout);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("ok: work attached"), "{stdout}");
    assert!(repo().join("target/browser/attach-form.png").exists());
    app.stop().await;
}
