//! QR codes read back the way a phone's camera would: `zbarimg` (Debian's `zbar-tools`) on a
//! PNG, and a PDF page rasterised first with `pdftoppm` (poppler-utils). Missing tools fail the
//! test with how to install them: never a skip.

use std::path::Path;
use std::process::Command;

/// What every QR code in the image at `png` says, in the order zbarimg finds them.
#[track_caller]
pub fn qr_codes(png: &Path) -> Vec<String> {
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sqrcode.enable"])
        .arg(png)
        .output()
        .expect("zbarimg (Debian's zbar-tools) is needed: tests/run.sh installs it");
    // zbarimg exits 4 when it finds no code: an empty list, for the caller to judge.
    assert!(
        out.status.success() || out.status.code() == Some(4),
        "zbarimg failed on {}: {}",
        png.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

/// What every QR code on page `page` (from 1) of the PDF `pdf` says.
#[track_caller]
pub fn pdf_qr_codes(pdf: &[u8], page: u32) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("p.pdf");
    std::fs::write(&file, pdf).expect("the PDF written");
    let n = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", &n, "-l", &n, "-singlefile"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (Debian's poppler-utils) is needed: tests/run.sh installs it");
    assert!(status.success(), "pdftoppm failed");
    qr_codes(&dir.path().join("page.png"))
}

/// The text of a PDF, read back with poppler's `pdftotext`, lines joined by spaces.
#[track_caller]
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("p.pdf");
    std::fs::write(&file, pdf).expect("the PDF written");
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) is needed: tests/run.sh installs it");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).replace('\n', " ")
}
