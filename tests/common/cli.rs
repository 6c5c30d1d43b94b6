//! The `lessoncast` command as a user runs it, built by Cargo for the integration tests.

use super::{repo, TestApp};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The `lessoncast` binary run in `dir`, with no `DATABASE_URL` from the environment (so the
/// default SQLite file lands in `dir`) and the demo grade rules.
pub fn lessoncast(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lessoncast"));
    c.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env(
            "LESSONCAST_GRADE_RULES",
            repo().join("schedules/grade-rules.toml"),
        )
        .env("RUST_LOG", "warn")
        // No test reaches the PBS service (see `TestDb::config`).
        .env("LESSONCAST_TVSS_BASE", "http://127.0.0.1:9/tvss/")
        .env("LESSONCAST_FETCH_ATTEMPTS", "2")
        .env("LESSONCAST_FETCH_BACKOFF_MS", "50")
        .env("LESSONCAST_FETCH_TIMEOUT_MS", "2000");
    c
}

/// The command in a temporary directory of its own, removed with the value.
pub struct Cli {
    dir: tempfile::TempDir,
}

impl Default for Cli {
    fn default() -> Cli {
        Cli {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

impl Cli {
    pub fn new() -> Cli {
        Cli::default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `lessoncast ARGS` to its end.
    pub fn run(&self, args: &[&str]) -> Output {
        lessoncast(self.dir())
            .args(args)
            .output()
            .expect("run lessoncast")
    }

    /// Runs `lessoncast ARGS` with `input` on its standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = lessoncast(self.dir())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lessoncast");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("run lessoncast")
    }
}

impl TestApp {
    /// The command on this server's database and public address, run in the test's directory.
    pub fn cli(&self) -> Command {
        let config = self.db.config();
        let mut c = lessoncast(self.db.dir());
        c.env("DATABASE_URL", &config.database_url)
            .env("LESSONCAST_BASE_URL", &config.base_url);
        c
    }
}
