//! End to end in headless Chromium (Debian `chromium`, driven by `playwright-core`): a teacher
//! signs in, finds a grade 5 airing in the demo week, attaches work to its episode, and the
//! grade 5 feed carries it. Screenshots of the form land in `target/browser/`.

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
