//! libical, the iCalendar library of GNOME's Evolution and Calendar, as a third parser of our
//! feeds: `tests/ical/libical_check.c` compiled once per test run against Debian's
//! `libical-dev` (which `tests/run.sh` installs). Missing, it fails the test that needs it.

use super::repo;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The checker, built on first use into the target directory.
fn checker() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let flags = Command::new("pkg-config")
            .args(["--cflags", "--libs", "libical"])
            .output()
            .expect("pkg-config is needed to build the libical check (tests/run.sh installs it)");
        assert!(
            flags.status.success(),
            "libical is missing: apt-get install libical-dev (tests/run.sh does)\n{}",
            String::from_utf8_lossy(&flags.stderr)
        );
        let dir = repo().join("target/libical-check");
        std::fs::create_dir_all(&dir).expect("target dir");
        // One build per process, named by it, so parallel test binaries do not race.
        let out = dir.join(format!("libical_check-{}", std::process::id()));
        let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
        let built = Command::new("cc")
            .arg(repo().join("tests/ical/libical_check.c"))
            .args(flags.split_whitespace())
            .arg("-o")
            .arg(&out)
            .output()
            .expect("a C compiler (cc) is needed to build the libical check");
        assert!(
            built.status.success(),
            "building the libical check failed:\n{}",
            String::from_utf8_lossy(&built.stderr)
        );
        out
    })
}

/// How many events libical reads in `ics`; panics with libical's errors if it reports any
/// (parse errors, RFC 5545 and RFC 5546 restriction failures).
pub fn libical_events(ics: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, ics).expect("write feed");
    let out = Command::new(checker())
        .arg(&file)
        .output()
        .expect("run the libical check");
    assert!(
        out.status.success(),
        "libical refused the feed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("the libical check prints the number of events")
}
