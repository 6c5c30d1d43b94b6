//! The API against its own description: schemathesis (PyPI, installed by `tests/run.sh`) reads
//! `/api/openapi.json` from the real server and sends what it generates from it, valid and not,
//! to every operation with a teacher's token, and fails on any server error (5xx). It fails
//! loudly when schemathesis is missing, never passing by skipping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestApp;
use lessoncast::store::users::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_in_any_operation() {
    let app = TestApp::with_demo_week().await;
    // An admin may call every operation, the admin ones included.
    let teacher = app.add_user("admin@school.test", Role::Admin).await;
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let report = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new("st")
        .args([
            "--no-color",
            "run",
            &app.url("/api/openapi.json"),
            "--url",
            &app.base,
            "--header",
            &format!("Authorization: Bearer {}", teacher.token),
            "--checks",
            "not_a_server_error",
            // Signing out would end the token every other operation is tried with.
            "--exclude-path",
            "/api/logout",
            // Sources it made up would be fetched from wherever their URLs point; their API
            // is tested in tests/sources.rs against a local server.
            "--exclude-path-regex",
            "^/api/admin/sources",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "10",
            "--max-time",
            "90",
            "--request-timeout",
            "30",
            "--seed",
            "1",
            "--report-dir",
        ])
        .arg(report.path())
        .output()
        .await
        .expect(
            "schemathesis (`st`) is missing: pip install -r tests/api/requirements.txt \
             (tests/run.sh does)",
        );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{stderr}"
    );
    // It did test: each operation, with cases generated.
    let generated: u64 = stdout
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" generated,")
                .and_then(|(n, _)| n.trim().parse().ok())
        })
        .unwrap_or(0);
    // With the token, the operations were reached, not all refused at the door.
    assert!(
        !stdout.contains("Authentication failed"),
        "the token did not work:\n{stdout}"
    );
    assert!(generated >= 1000, "only {generated} cases:\n{stdout}");
    println!("schemathesis: {generated} cases, no server error");
    app.stop().await;
}
