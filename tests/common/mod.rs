//! Shared set-up for integration tests, in the manner of zero2prod's `spawn_app`: a fresh
//! database per test (SQLite in a temporary directory, or a new PostgreSQL database when
//! `LESSONCAST_TEST_POSTGRES` names a server), the real server on a random port with users and
//! request helpers, a browser without JavaScript, headless Chromium, and the command line.
//!
//! - `db`: `TestDb`, the database alone (imports, snapshots).
//! - `app`: `TestApp::spawn()` / `with_demo_week()`, `add_user`, `get_json`, `post_json`, …
//! - `browser`: `Browser` and `Page`, the HTML pages as a browser without JavaScript sees them.
//! - `chromium`: `Chromium`, the driver of the `tests/browser/` scripts.
//! - `cli`: `lessoncast(dir)`, `Cli` and `TestApp::cli()`, the built binary.
//! - `libical`: `libical_events`, libical's parser and restriction checks on a feed.
//! - `qr`: `qr_codes`, `pdf_qr_codes`, QR codes read back by zbarimg.

#![allow(dead_code)]
// Test code: a failed step panics with what went wrong (clippy.toml allows this only inside
// `#[test]` functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod browser;
mod chromium;
mod cli;
mod db;
mod libical;
mod qr;

// Each test crate uses some of these, none uses them all.
#[allow(unused_imports)]
pub use app::{serve, BrowserSession, TestApp, TestUser};
#[allow(unused_imports)]
pub use browser::{Browser, Page};
#[allow(unused_imports)]
pub use chromium::{Chromium, ScriptRun};
#[allow(unused_imports)]
pub use cli::{lessoncast, Cli};
pub use db::TestDb;
#[allow(unused_imports)]
pub use libical::libical_events;
#[allow(unused_imports)]
pub use qr::{pdf_qr_codes, pdf_text, qr_codes};

use std::path::PathBuf;

/// The password of every user `TestApp::add_user` adds.
pub const PASSWORD: &str = "a long enough password";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> String {
    repo()
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}
