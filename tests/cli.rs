//! The `lessoncast` command as a user runs it.

mod common;

use common::{fixture, repo, Cli};

#[test]
fn every_command_has_help() {
    let cli = Cli::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["import", "--help"],
        vec!["migrate", "--help"],
        vec!["feed", "--help"],
        vec!["feed", "class", "--help"],
        vec!["packet", "--help"],
        vec!["user", "add", "--help"],
    ] {
        let out = cli.run(&args);
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage: lessoncast"), "{args:?}: {text}");
    }
}

#[test]
fn import_prints_json_counts_and_a_reimport_is_all_unchanged() {
    let cli = Cli::new();
    let schedules = repo().join("schedules");
    let run = || {
        let out = cli.run(&["import", schedules.to_str().unwrap(), "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
        v
    };
    let first = run();
    assert!(first["added"].as_u64().unwrap() > 300);
    assert!(first["warnings"].is_array());
    let second = run();
    assert_eq!(second["added"], 0);
    assert_eq!(second["updated"], 0);
    assert_eq!(second["removed"], 0);
    assert_eq!(second["unchanged"], first["added"]);
    assert!(
        cli.dir().join("lessoncast.db").exists(),
        "the default SQLite file"
    );
}

#[test]
fn a_bad_programme_is_skipped_with_a_warning_or_refused_with_strict() {
    let cli = Cli::new();
    let file = fixture("import/stop-before-start.xml");
    let out = cli.run(&["import", &file, "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stop-before-start.xml:9: stop"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    let out = cli.run(&["import", &file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: ") && err.contains("stop-before-start.xml:9: stop"),
        "{err}"
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("1 skipped"), "{said}");
}

#[test]
fn a_refused_import_prints_one_json_error_object_with_json() {
    let cli = Cli::new();
    let file = fixture("import/stop-before-start.xml");
    let out = cli.run(&["import", &file, "--strict", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let e = &v["error"];
    assert!(
        e["file"]
            .as_str()
            .unwrap()
            .ends_with("stop-before-start.xml"),
        "{v}"
    );
    assert_eq!(e["line"], 9);
    assert_eq!(e["field"], "stop");
    assert!(
        e["message"].as_str().unwrap().contains("before it starts"),
        "{v}"
    );
    // A file that is not there: no line, but still one object.
    let out = cli.run(&["import", "no-such-file.xml", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["file"], "no-such-file.xml");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no such file"));
}

#[test]
fn an_unknown_format_name_is_refused_by_the_parser() {
    let out = Cli::new().run(&["import", "x.xml", "--format", "pdf"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format `pdf`"));
}

#[test]
fn user_add_reads_the_password_from_stdin_and_never_prints_it() {
    let cli = Cli::new();
    let add = |email: &str, password: &str| {
        cli.run_with_input(
            &["user", "add", email, "--role", "teacher"],
            &format!("{password}\n"),
        )
    };
    let out = add("Teacher@School.org", "a long enough password");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("created teacher@school.org (teacher)"),
        "{said}"
    );
    assert!(!said.contains("a long enough password"));
    let again = add("teacher@school.org", "another long password");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let short = add("other@school.org", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10"));
    let bad = add("not-an-email", "a long enough password");
    assert!(!bad.status.success());
}
