//! Headless Chromium (Debian `chromium`, or `$CHROMIUM`) driven by `playwright-core` scripts in
//! `tests/browser/`. Missing pieces fail the test with how to install them: never a skip.

use super::repo;
use std::process::{Command, ExitStatus};

/// A Chromium the browser scripts can drive.
pub struct Chromium {
    pub path: String,
}

/// What a browser script did.
pub struct ScriptRun {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Chromium {
    /// Finds Chromium and `playwright-core`, failing loudly when either is missing.
    #[track_caller]
    pub fn find() -> Chromium {
        let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&path).exists(),
            "{path} is missing: install Debian's chromium (tests/run.sh does)"
        );
        let driver = repo().join("tests/browser/node_modules/playwright-core");
        assert!(
            driver.exists(),
            "playwright-core is missing: npm ci --prefix tests/browser (tests/run.sh does)"
        );
        Chromium { path }
    }

    /// Runs `node tests/browser/SCRIPT ARGS…` on a blocking thread, so the server under test
    /// keeps answering meanwhile.
    pub async fn run(&self, script: &str, args: &[&str]) -> ScriptRun {
        let script = repo().join("tests/browser").join(script);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let chromium = self.path.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("node")
                .arg(script)
                .args(&args)
                .env("CHROMIUM", &chromium)
                .output()
        })
        .await
        .expect("the browser script's thread")
        .expect("node is needed for the browser test");
        ScriptRun {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
