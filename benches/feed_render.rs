//! Cold render of one week's grade feed: the demo week imported into a fresh SQLite database,
//! then (a) rendering the grade 5 feed from its airings, and (b) the whole cold path a request
//! takes on a cache miss (query, render, gzip), each timed over many runs.
//!
//! Run: `cargo bench --bench feed_render`.

// Test and benchmark code: a failed unwrap is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lessoncast::app;
use lessoncast::app::App;
use lessoncast::config::Config;
use lessoncast::feeds::{self, FeedKind, FeedRequest, Publisher};
use lessoncast::i18n::Lang;
use lessoncast::import::{self, GradeRules, ImportOptions};
use lessoncast::store::{airings, AiringFilter};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(run());
}

fn stats(mut d: Vec<Duration>) -> (f64, f64) {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    (ms(d[d.len() / 2]), ms(d[d.len() * 99 / 100]))
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config =
        Config::load_from(std::path::Path::new("/nonexistent"), |_| None).expect("config");
    config.database_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = app::open_store(&config).await.expect("store");
    let rules =
        GradeRules::load(std::path::Path::new("schedules/grade-rules.toml")).expect("rules");
    import::import(
        &store,
        "schedules",
        &ImportOptions {
            rules,
            ..Default::default()
        },
    )
    .await
    .expect("demo week");
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let req = FeedRequest::new(
        FeedKind::Grade("5".parse().expect("grade")),
        Lang::En,
        d("2020-04-13"),
        Some(d("2020-04-13")),
        Some(d("2020-04-19")),
        None,
    )
    .expect("request");
    let (from, to) = feeds::window(&req, config.tz);
    let list = airings::list(
        store.pool(),
        &AiringFilter {
            grade: Some("5".parse().expect("grade")),
            from: Some(from),
            to: Some(to),
            include_removed: true,
            ..Default::default()
        },
    )
    .await
    .expect("airings");
    let publisher = Publisher {
        host: "127.0.0.1",
        base_url: "http://127.0.0.1:8080",
        tz: chrono_tz::America::Los_Angeles,
    };

    let mut render = Vec::new();
    let mut bytes = 0;
    for _ in 0..2000 {
        let t = Instant::now();
        let body = feeds::render(&req, &list, &feeds::WorkIndex::empty(), &publisher);
        render.push(t.elapsed());
        bytes = body.len();
    }
    let state = App::new(store.clone(), Arc::new(config));
    let mut cold = Vec::new();
    for _ in 0..300 {
        let fresh = App::new(state.store.clone(), state.config.clone());
        let t = Instant::now();
        feeds::publish(&fresh, &req).await.expect("feed");
        cold.push(t.elapsed());
    }
    let (r50, r99) = stats(render);
    let (c50, c99) = stats(cold);
    println!(
        "grade 5, week of 2020-04-13: {} events, {bytes} bytes",
        list.len()
    );
    println!();
    println!("| step | median ms | p99 ms |");
    println!("|---|---|---|");
    println!("| render only | {r50:.3} | {r99:.3} |");
    println!("| cold request path (query + render + gzip) | {c50:.3} | {c99:.3} |");
}
