//! Scheduled re-imports: a source in the configuration is imported on its cron schedule while
//! the server runs, and the run is recorded.

mod common;

use common::{fixture, TestDb};
use lessoncast::config::SourceConfig;
use std::sync::Arc;

#[tokio::test]
async fn a_configured_source_is_imported_on_its_schedule() {
    let db = TestDb::new().await;
    let mut config = db.config();
    config.grade_rules = common::repo().join("tests/fixtures/import/rules.toml");
    config.sources = vec![SourceConfig {
        location: Some(fixture("import/kcet-day.xml")),
        // Every second, so the test need not wait long.
        cron: Some("* * * * * *".into()),
        format: Some("xmltv".into()),
        ..Default::default()
    }];
    let mut sched = lessoncast::jobs::start(db.store.clone(), Arc::new(config))
        .await
        .expect("jobs start");
    // Two runs: the schedule repeats. Waited for, not slept for; bounded so that a broken
    // scheduler fails the assertion below instead of hanging the test.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), sched.finished(2)).await;
    let runs = lessoncast::store::imports::recent_runs(db.store.pool(), 10)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.status == "ok")
        .count();
    sched.shutdown().await.unwrap();
    assert!(
        runs >= 2,
        "two scheduled imports within five seconds, got {runs}"
    );
    let list = lessoncast::store::imports::recent_runs(db.store.pool(), 10)
        .await
        .unwrap();
    let last = list.iter().find(|r| r.status == "ok").unwrap();
    assert_eq!(last.unchanged, 4, "a re-import finds everything unchanged");
}

#[tokio::test]
async fn a_bad_cron_expression_is_refused_with_the_source_named() {
    let db = TestDb::new().await;
    let mut config = db.config();
    config.sources = vec![SourceConfig {
        location: Some("https://example.invalid/kcet.xml".into()),
        cron: Some("every morning".into()),
        ..Default::default()
    }];
    let err = lessoncast::jobs::start(db.store.clone(), Arc::new(config))
        .await
        .err()
        .expect("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("example.invalid/kcet.xml") && msg.contains("every morning"),
        "{msg}"
    );
}

#[tokio::test]
async fn imports_a_killed_process_left_running_are_marked_interrupted_at_start() {
    let db = TestDb::new().await;
    let now = chrono::Utc::now().timestamp();
    let pool = db.store.pool();
    let old = lessoncast::store::imports::start_run(pool, "killed.xml", None, now - 3 * 3600)
        .await
        .unwrap();
    let recent = lessoncast::store::imports::start_run(pool, "running.xml", None, now - 60)
        .await
        .unwrap();
    // The server starts: the old run is dead; the recent one may be another replica's.
    let app = common::TestApp::spawn_on(db).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let runs = lessoncast::store::imports::recent_runs(app.db.store.pool(), 10)
        .await
        .unwrap();
    let status = |id| runs.iter().find(|r| r.id == id).unwrap().status.clone();
    assert_eq!(status(old), "interrupted");
    assert_eq!(status(recent), "running");
    app.stop().await;
}
