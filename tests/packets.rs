//! Printable weekly packets on the real server, read back the way a person would check a
//! printout: `pdftotext`, `pdfinfo` and `pdftoppm` (Debian's poppler-utils, which must be
//! installed: these tests fail, never skip, without them). Episode titles, local times, work in
//! the family's language with Spanish accents intact, page count and paper size, the empty
//! week, bad requests, caching, the HTML packet and the ZIP of every grade.

// Test code: a failed step panics with what went wrong (clippy.toml allows this only inside
// `#[test]` functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{repo, Browser, TestApp};
use lessoncast::domain::{AssignmentFields, GradeSet, Link};
use lessoncast::store::assignments;
use lessoncast::store::users::Role;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const LA: chrono_tz::Tz = chrono_tz::America::Los_Angeles;
/// The airings of grade 5 in the demo week, as the API lists them.
const GRADE_5: &str = "grade=5&from=2020-04-13&to=2020-04-20";

/// Runs a poppler tool, failing the test with a clear message if it is not installed.
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: the packet tests read PDFs back with Debian's \
             poppler-utils (apt-get install -y poppler-utils)"
        ),
        Err(e) => panic!("could not run {tool}: {e}"),
    };
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fetched PDF in the test's temporary directory, with what poppler reads from it.
struct Pdf {
    path: PathBuf,
    /// Text of each page, in drawing order (`pdftotext -raw`).
    pages: Vec<String>,
    info: String,
}

impl Pdf {
    fn read(dir: &Path, name: &str, bytes: &[u8]) -> Pdf {
        assert!(
            bytes.starts_with(b"%PDF-"),
            "not a PDF: {:?}",
            &bytes[..bytes.len().min(200)]
        );
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let p = path.to_str().unwrap();
        let info = poppler("pdfinfo", &[p]);
        let text = poppler("pdftotext", &["-raw", "-enc", "UTF-8", p, "-"]);
        let mut pages: Vec<String> = text.split('\x0c').map(str::to_string).collect();
        if pages.last().is_some_and(|l| l.trim().is_empty()) {
            pages.pop();
        }
        Pdf { path, pages, info }
    }

    fn page_count(&self) -> usize {
        self.info_field("Pages").parse().unwrap()
    }

    /// Width and height in points, rounded: "612 x 792 pts (letter)" → (612, 792).
    fn page_size(&self) -> (i64, i64) {
        let f = self.info_field("Page size");
        let parts: Vec<&str> = f.split_whitespace().collect();
        let n = |s: &str| s.parse::<f64>().unwrap().round() as i64;
        (n(parts[0]), n(parts[2]))
    }

    fn info_field(&self, name: &str) -> String {
        self.info
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("pdfinfo has no {name}: {}", self.info))
            .trim()
            .to_string()
    }

    /// All text with runs of whitespace (line ends from wrapping included) made single spaces.
    fn flat(&self) -> String {
        self.pages
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn local(a: &Value) -> DateTime<chrono_tz::Tz> {
    DateTime::parse_from_rfc3339(a["start"].as_str().unwrap())
        .unwrap()
        .with_timezone(&LA)
}

/// A teacher's work for grade 5 on one airing, in English and Spanish.
async fn attach_work(app: &TestApp, airing_id: i64) {
    let teacher = app.add_user("ms.rivera@school.test", Role::Teacher).await;
    let fields = AssignmentFields {
        title: "Fractions at home".into(),
        title_es: Some("Fracciones en casa".into()),
        instructions: "Draw three pizzas cut in quarters and shade three quarters of one.".into(),
        instructions_es: Some(
            "Dibuja tres pizzas cortadas en cuartos y colorea tres cuartos de una. ¿Qué fracción \
             quedó sin colorear?"
                .into(),
        ),
        materials: Some("Paper, pencil, crayons".into()),
        materials_es: Some("Papel, lápiz, crayones".into()),
        minutes: Some(30),
        grades: GradeSet::parse_list("5").unwrap(),
        due: NaiveDate::from_ymd_opt(2020, 4, 17),
    };
    assignments::create(
        app.db.store.pool(),
        teacher.id,
        None,
        &fields,
        &[Link::Airing(airing_id)],
        Utc::now().timestamp(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_grade_packet_prints_every_airing_at_its_local_time_with_the_work_in_each_language() {
    let app = TestApp::with_demo_week().await;
    let dir = tempfile::tempdir().unwrap();
    let airings = app.api_airings(GRADE_5).await;
    assert!(airings.len() > 10, "the demo week has lessons for grade 5");
    let first = &airings[0];
    attach_work(&app, first["id"].as_i64().unwrap()).await;

    let started = std::time::Instant::now();
    let (status, ctype, bytes) = app.get_bytes("/packets/5/2020-04-13.pdf").await;
    let first_ms = started.elapsed().as_millis();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(ctype, "application/pdf");
    let en = Pdf::read(dir.path(), "grade-5-en.pdf", &bytes);
    let started = std::time::Instant::now();
    let again = app.get_bytes("/packets/5/2020-04-13.pdf").await.2;
    eprintln!(
        "grade 5 packet: {} pages, {} bytes, drawn in {first_ms} ms, from the cache in {} ms",
        en.page_count(),
        bytes.len(),
        started.elapsed().as_millis()
    );
    assert_eq!(again, bytes, "the same data gives the same packet");

    // US Letter, a cover and a page at least per weekday, each page numbered and dated.
    assert_eq!(en.page_size(), (612, 792), "{}", en.info);
    let n = en.page_count();
    assert!(n >= 6, "cover and Monday to Friday: {n} pages");
    assert_eq!(en.pages.len(), n);
    for (i, page) in en.pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {n}", i + 1)),
            "page {} has no page number:\n{page}",
            i + 1
        );
        assert!(
            page.contains("Week of April 13, 2020"),
            "page {}:\n{page}",
            i + 1
        );
        assert!(page.contains("Grade 5"), "page {}", i + 1);
    }
    // Each weekday starts its own page, in order, after the cover.
    let mut last_page = 0;
    for day in [
        "Monday, April 13",
        "Tuesday, April 14",
        "Wednesday, April 15",
        "Thursday, April 16",
        "Friday, April 17",
    ] {
        let page = en
            .pages
            .iter()
            .position(|p| p.lines().any(|l| l.trim() == day))
            .unwrap_or_else(|| panic!("no page starts with {day}"));
        assert!(page > last_page, "{day} on page {}", page + 1);
        last_page = page;
    }

    // The cover: how to watch, on the channels that carry grade 5 this week.
    let cover = &en.pages[0];
    assert!(cover.contains("How to watch"), "{cover}");
    for a in &airings {
        let channel = format!(
            "{} {}",
            a["station"].as_str().unwrap(),
            a["channel"].as_str().unwrap()
        );
        assert!(
            cover.contains(&channel),
            "{channel} missing from the cover:\n{cover}"
        );
    }
    assert!(cover.contains("CC:") && cover.contains("SAP:"), "{cover}");
    let no_space: String = en.flat().split_whitespace().collect();
    assert!(
        no_space.contains("http://127.0.0.1:8080/subscribe?grade=5&lang=en"),
        "the feed address is printed beside its QR code"
    );
    assert!(no_space.contains("/schedule?grade=5&week=2020-04-13&lang=en"));

    // Every airing: its local time, channel, title and episode, in that order on its row.
    let flat = en.flat();
    for a in &airings {
        let time = local(a).format("%-I:%M %p").to_string();
        let row = format!(
            "{time} {} {} {}",
            a["station"].as_str().unwrap(),
            a["channel"].as_str().unwrap(),
            a["title"].as_str().unwrap()
        );
        assert!(flat.contains(&row), "no row `{row}`");
        if let Some(ep) = a["episode_title"].as_str() {
            let ep: String = ep.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&ep), "no episode `{ep}`");
        }
    }
    // The work, in English, with room to answer.
    assert!(
        flat.contains("Work to do: Fractions at home (30 min)"),
        "{flat}"
    );
    assert!(flat.contains("Draw three pizzas cut in quarters and shade three quarters of one."));
    assert!(flat.contains("Materials: Paper, pencil, crayons"));
    assert!(flat.contains("Due: Friday, April 17"));
    assert!(flat.contains("Write your answers here:"));
    assert!(!flat.contains("Dibuja"));

    // In Spanish: Spanish words, titles and work, with accents intact.
    let (status, _, bytes) = app.get_bytes("/packets/5/2020-04-13.pdf?lang=es").await;
    assert_eq!(status, 200);
    let es = Pdf::read(dir.path(), "grade-5-es.pdf", &bytes);
    let flat = es.flat();
    assert!(flat.contains("Miércoles 15 de abril"), "{flat}");
    assert!(flat.contains("Semana del 13 de abril de 2020"));
    assert!(flat.contains(&format!("Página 1 de {}", es.page_count())));
    assert!(
        flat.contains("Tarea: Fracciones en casa (30 min)"),
        "{flat}"
    );
    assert!(flat.contains(
        "Dibuja tres pizzas cortadas en cuartos y colorea tres cuartos de una. ¿Qué fracción \
         quedó sin colorear?"
    ));
    // Spanish writes the weekday in lower case mid-sentence.
    assert!(flat.contains("Entregar el: viernes 17 de abril"));
    assert!(!flat.contains("Draw three pizzas"));
    // The materials in Spanish too, where the teacher gave them.
    assert!(
        flat.contains("Materiales: Papel, lápiz, crayones"),
        "{flat}"
    );
    assert!(!flat.contains("Paper, pencil"));
    let t = local(first);
    let es_time = format!(
        "{} {}",
        t.format("%-I:%M"),
        if t.format("%p").to_string() == "AM" {
            "a. m."
        } else {
            "p. m."
        }
    );
    assert!(flat.contains(&es_time), "no `{es_time}`");
    // A Spanish title from the schedule replaces the English one.
    assert!(airings.iter().any(|a| a["title"] == "LAUSD Learn at Home"));
    assert!(flat.contains("Aprender en casa con LAUSD"));

    // Page 2 as a picture, to look at (CI keeps target/packet-page.png).
    let prefix = dir.path().join("page");
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "60",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            en.path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = dir.path().join("page.png");
    assert!(png.exists(), "pdftoppm wrote no {}", png.display());
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let keep = repo().join("target");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::copy(&png, keep.join("packet-page.png")).unwrap();
    std::fs::copy(&en.path, keep.join("packet-grade-5-en.pdf")).unwrap();
    app.stop().await;
}

#[tokio::test]
async fn a4_and_large_print_change_the_paper_and_the_type() {
    let app = TestApp::with_demo_week().await;
    let dir = tempfile::tempdir().unwrap();
    let (status, _, letter) = app.get_bytes("/packets/5/2020-04-13.pdf").await;
    assert_eq!(status, 200);
    let letter = Pdf::read(dir.path(), "letter.pdf", &letter);

    let (status, _, a4) = app.get_bytes("/packets/5/2020-04-13.pdf?size=a4").await;
    assert_eq!(status, 200);
    let a4 = Pdf::read(dir.path(), "a4.pdf", &a4);
    assert_eq!(a4.page_size(), (595, 842), "{}", a4.info);

    let (status, _, large) = app
        .get_bytes("/packets/5/2020-04-13.pdf?size=A4&large=1")
        .await;
    assert_eq!(status, 200);
    let large = Pdf::read(dir.path(), "large.pdf", &large);
    assert_eq!(large.page_size(), (595, 842));
    assert!(
        large.page_count() > a4.page_count(),
        "bigger type takes more pages: {} vs {}",
        large.page_count(),
        a4.page_count()
    );
    assert!(
        letter.flat().contains("Monday, April 13") && large.flat().contains("Monday, April 13")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_week_without_lessons_is_one_page_that_says_so() {
    let app = TestApp::with_demo_week().await;
    let dir = tempfile::tempdir().unwrap();
    for (path, says) in [
        (
            "/packets/5/2021-01-04.pdf",
            "There are no lessons on TV for this grade this week.",
        ),
        (
            "/packets/ADULT/2020-04-13.pdf?lang=es",
            "Esta semana no hay clases en la televisión para este grado.",
        ),
    ] {
        let (status, _, bytes) = app.get_bytes(path).await;
        assert_eq!(status, 200, "{path}");
        let pdf = Pdf::read(dir.path(), "empty.pdf", &bytes);
        assert_eq!(pdf.page_count(), 1, "{path}");
        assert!(pdf.flat().contains(says), "{path}: {}", pdf.flat());
    }
    app.stop().await;
}

#[tokio::test]
async fn a_bad_grade_week_or_option_is_a_400_that_says_why() {
    let app = TestApp::with_demo_week().await;
    for (path, says) in [
        ("/packets/13/2020-04-13.pdf", "grade: `13` is not a grade"),
        ("/packets/fifth/2020-04-13.html", "grade: `fifth`"),
        (
            "/packets/5/2020-13-45.pdf",
            "week: `2020-13-45` is not a week",
        ),
        ("/packets/5/next-week.pdf", "week:"),
        (
            "/packets/5/2020-04-13.docx",
            "`docx` is not a packet format",
        ),
        ("/packets/5/2020-04-13", "ask for WEEK.pdf or WEEK.html"),
        ("/packets/5/2020-04-13.pdf?lang=fr", "lang:"),
        ("/packets/5/2020-04-13.pdf?size=legal", "size: `legal`"),
        ("/packets/5/2020-04-13.pdf?large=huge", "large:"),
        ("/packets/5/2020-04-13.pdf?color=red", "color"),
        ("/packets/2020-99-01.zip", "week:"),
        ("/packets/2020-04-13.zip?lang=es", "every language"),
        ("/packets/2020-04-13.tar", "WEEK.zip"),
    ] {
        let (status, ctype, body) = app.get_bytes(path).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(ctype.starts_with("text/plain"), "{path}: {ctype}");
        assert!(
            body.contains(says),
            "{path}: `{body}` does not say `{says}`"
        );
    }
    app.stop().await;
}

/// Drawing a ZIP is 30 PDFs: weeks far from the schedule and from today are refused before
/// any is drawn, and the real week's packets stay cached.
#[tokio::test]
async fn far_weeks_are_refused_without_drawing_anything() {
    let app = TestApp::with_demo_week().await;
    let (status, _, _) = app.get_bytes("/packets/2020-04-13.zip").await;
    assert_eq!(status, 200);
    for path in [
        "/packets/1970-01-05.zip",
        "/packets/9998-12-28.zip",
        "/packets/5/2035-06-04.pdf",
        "/packets/5/1999-06-04.html",
    ] {
        let (status, ctype, body) = app.get_bytes(path).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 404, "{path}: {body}");
        assert!(ctype.starts_with("text/plain"), "{path}: {ctype}");
        assert!(
            body.contains("no schedule near the week of"),
            "{path}: {body}"
        );
    }
    let cached = app.get_bytes("/packets/2020-04-13.zip").await;
    assert_eq!(cached.0, 200);
    app.stop().await;
}

#[tokio::test]
async fn packets_are_kept_until_the_data_changes() {
    let app = TestApp::with_demo_week().await;
    let path = "/packets/5/2020-04-13.pdf";
    let r = app.get(path).await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(r.headers().contains_key("last-modified"));
    let r = app.get_with(path, &[("If-None-Match", &etag)]).await;
    assert_eq!(r.status(), 304);

    // New work for grade 5 changes the packet.
    let airings = app.api_airings(GRADE_5).await;
    attach_work(&app, airings[3]["id"].as_i64().unwrap()).await;
    let r = app.get_with(path, &[("If-None-Match", &etag)]).await;
    assert_eq!(r.status(), 200);
    assert_ne!(r.headers()["etag"].to_str().unwrap(), etag);

    // The print-ready HTML goes gzipped to a phone that asks, with a weak validator (one packet,
    // two encodings) that still revalidates; the PDF, compressed already, goes as it is.
    let html = "/packets/5/2020-04-13.html?lang=es";
    let r = app.get_with(html, &[("accept-encoding", "gzip")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let zipped = r.bytes().await.unwrap().len();
    let plain = app.get_text(html).await.len();
    assert!(zipped * 3 < plain, "{zipped} bytes gzipped of {plain}");
    let r = app.get_with(html, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status(), 304);
    let r = app.get_with(path, &[("accept-encoding", "gzip")]).await;
    assert!(!r.headers().contains_key("content-encoding"));
    app.stop().await;
}

#[tokio::test]
async fn the_html_packet_is_print_ready() {
    let app = TestApp::with_demo_week().await;
    let airings = app.api_airings(GRADE_5).await;
    attach_work(&app, airings[0]["id"].as_i64().unwrap()).await;
    let (status, ctype, body) = app
        .get_bytes("/packets/5/2020-04-13.html?lang=es&size=a4&large=1")
        .await;
    assert_eq!(status, 200);
    assert_eq!(ctype, "text/html; charset=utf-8");
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("<html lang=\"es\" class=\"large\">"));
    assert!(html.contains("@page{size:A4;"));
    assert!(html.contains("Miércoles 15 de abril"));
    assert!(html.contains("Dibuja tres pizzas"));
    assert!(html.contains("Escribe tus respuestas aquí:"));
    assert_eq!(html.matches("<svg").count(), 2, "two QR codes");
    // A sheet for the cover and each weekday, and one for the weekend when anything airs then.
    assert!(html.matches("<section class=\"sheet").count() >= 6);
    app.stop().await;
}

#[tokio::test]
async fn the_week_zip_holds_every_grade_in_every_language() {
    let app = TestApp::with_demo_week().await;
    let started = std::time::Instant::now();
    let (status, ctype, body) = app.get_bytes("/packets/2020-04-13.zip").await;
    eprintln!(
        "ZIP of 30 packets: {} bytes in {} ms",
        body.len(),
        started.elapsed().as_millis()
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(ctype, "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    assert_eq!(zip.len(), 30, "15 grades × 2 languages");
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    assert!(
        names.contains(&"lessoncast-2020-04-13-grade-5-es.pdf".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"lessoncast-2020-04-13-grade-pk-en.pdf".to_string()));
    let mut pdf = Vec::new();
    std::io::copy(
        &mut zip.by_name("lessoncast-2020-04-13-grade-5-en.pdf").unwrap(),
        &mut pdf,
    )
    .unwrap();
    // The same packet as the grade's own address gives.
    let (_, _, single) = app.get_bytes("/packets/5/2020-04-13.pdf").await;
    assert_eq!(pdf, single);
    app.stop().await;
}

#[tokio::test]
async fn a_class_packet_prints_only_the_class_work_for_its_teacher() {
    let app = TestApp::with_demo_week().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = app.db.store.pool();
    let now = Utc::now().timestamp();
    let teacher = app.add_user("mr.okafor@school.test", Role::Teacher).await;
    let other = app.add_user("ms.lee@school.test", Role::Teacher).await;
    let token = "ab".repeat(32);
    let class = assignments::create_class(
        pool,
        teacher.id,
        "Room 12 Explorers",
        GradeSet::parse_list("5").unwrap(),
        &token,
        now,
    )
    .await
    .unwrap();

    // Work for the class on one grade 5 airing; another airing of the week is not the class's.
    let airings = app.api_airings(GRADE_5).await;
    let linked = &airings[0];
    let linked_title = linked["title"].as_str().unwrap();
    let unrelated = airings
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .find(|t| *t != linked_title && !t.contains(linked_title) && !linked_title.contains(*t))
        .expect("the demo week has more than one show for grade 5");
    let fields = AssignmentFields {
        title: "Measure your kitchen table".into(),
        title_es: None,
        instructions: "Use a ruler and write the length in centimeters.".into(),
        instructions_es: None,
        materials: None,
        materials_es: None,
        minutes: Some(20),
        grades: GradeSet::parse_list("5").unwrap(),
        due: None,
    };
    assignments::create(
        pool,
        teacher.id,
        Some(class.id),
        &fields,
        &[Link::Airing(linked["id"].as_i64().unwrap())],
        now,
    )
    .await
    .unwrap();

    let packet = |file: &str| format!("/teach/classes/{}/packet/{file}", class.id);
    let mut okafor = Browser::with_session(&app, &app.browser_session(&teacher).await);
    let mut lee = Browser::with_session(&app, &app.browser_session(&other).await);

    let r = okafor.get(&packet("2020-04-13.pdf")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert_eq!(r.headers["cache-control"], "no-store");
    let pdf = Pdf::read(dir.path(), "class.pdf", &r.bytes);
    let text = pdf.flat();
    assert!(text.contains("Room 12 Explorers"), "{text}");
    assert!(text.contains("Measure your kitchen table"), "{text}");
    assert!(text.contains(linked_title), "{linked_title}: {text}");
    assert!(!text.contains(unrelated), "{unrelated}: {text}");
    // The class's subscribe page is printed under its code, wrapped anywhere.
    assert!(
        text.replace(' ', "")
            .contains(&format!("/subscribe?class={token}&lang=en")),
        "the class feed's code: {text}"
    );

    // The print page has the same content; a bad week is a 400.
    let r = okafor.get(&packet("2020-04-13.html?lang=es")).await;
    assert_eq!(r.status, 200);
    let html = r.body;
    assert!(html.contains("Measure your kitchen table"), "{html}");
    assert!(!html.contains(unrelated), "{html}");
    assert_eq!(okafor.get(&packet("2020-13-45.pdf")).await.status, 400);

    // Another teacher may not have it; without a session, sign in first.
    assert_eq!(lee.get(&packet("2020-04-13.pdf")).await.status, 403);
    let r = Browser::new(&app).get(&packet("2020-04-13.pdf")).await;
    assert_eq!(r.status, 303);
    assert!(r.headers["location"]
        .to_str()
        .unwrap()
        .starts_with("/teach/login"));
    app.stop().await;
}

/// A PDF carries no Content-Security-Policy (a browser's PDF viewer may refuse to open one
/// under it); the HTML packet carries its own strict one.
#[tokio::test]
async fn a_pdf_packet_opens_in_browser_viewers_and_the_html_one_is_locked_down() {
    let app = TestApp::with_demo_week().await;
    let pdf = app.get("/packets/5/2020-04-13.pdf").await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.headers().get("content-security-policy").is_none());
    assert_eq!(pdf.headers()["x-content-type-options"], "nosniff");
    let html = app.get("/packets/5/2020-04-13.html").await;
    let csp = html.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    app.stop().await;
}

#[tokio::test]
async fn every_qr_code_on_a_packet_decodes_to_the_page_it_names() {
    let app = TestApp::with_demo_week().await;
    let base = app.db.config().base_url;
    let base = base.trim_end_matches('/');
    // On the cover (page 1), in either language.
    for (path, feed, page) in [
        (
            "/packets/5/2020-04-13.pdf",
            format!("{base}/subscribe?grade=5&lang=en"),
            format!("{base}/schedule?grade=5&week=2020-04-13&lang=en"),
        ),
        (
            "/packets/5/2020-04-13.pdf?lang=es",
            format!("{base}/subscribe?grade=5&lang=es"),
            format!("{base}/schedule?grade=5&week=2020-04-13&lang=es"),
        ),
        (
            "/packets/family/2020-04-13.pdf?grades=2,5",
            format!("{base}/subscribe?grades=2,5&lang=en"),
            format!("{base}/family?grades=2,5&week=2020-04-13&lang=en"),
        ),
    ] {
        let (status, _, pdf) = app.get_bytes(path).await;
        assert_eq!(status, 200, "{path}");
        let mut codes = common::pdf_qr_codes(&pdf, 1);
        codes.sort();
        let mut want = vec![feed, page];
        want.sort();
        assert_eq!(codes, want, "{path}");
    }
    // The landing page a packet's code leads to answers, in the packet's language.
    let r = app.get("/subscribe?grade=5&lang=es").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Teléfono Android"));
    app.stop().await;
}
