//! What `/metrics` tells Prometheus: imports by source and outcome, feed requests by kind and
//! answer (304s among them), feed render time, and the airings known. Counted in one registry
//! for the process (prometheus-client); the label values are bounded (source names an admin
//! chose, a fixed list of feed kinds and answers), so an anonymous caller cannot grow it.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::LazyLock;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    source: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedLabels {
    kind: &'static str,
    status: &'static str,
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    imports: Family<ImportLabels, Counter>,
    feeds: Family<FeedLabels, Counter>,
    /// The counters of `feeds` for each kind of [`FEED_KINDS`] and answer, looked up once:
    /// a 304 takes a few microseconds, and finding its counter by its labels was one of them.
    feed_counters: Vec<[Counter; 3]>,
    render: Histogram,
    airings: Gauge,
    /// When the airings were last counted: a scrape counts them at most this often, so
    /// `/metrics` costs one query per [`AIRINGS_EVERY`] whoever asks.
    airings_counted: std::sync::Mutex<Option<std::time::Instant>>,
}

/// The feed kinds counted (`/feeds/grades/…`, `/stations/…`, `/classes/…`, `family.ics`).
pub const FEED_KINDS: [&str; 4] = ["grade", "station", "class", "family"];

/// How often a scrape may count the airings.
pub const AIRINGS_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The metrics of this process.
pub fn global() -> &'static Metrics {
    &METRICS
}

/// What a feed request got.
#[derive(Debug, Clone, Copy)]
pub enum FeedAnswer {
    /// The calendar.
    Ok,
    /// 304: the phone's copy is current.
    NotModified,
    /// A 4xx or 5xx.
    Error,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("lessoncast");
        let imports = Family::<ImportLabels, Counter>::default();
        registry.register(
            "source_runs",
            "Runs of schedule sources, by source and outcome (ok, not_modified, failed)",
            imports.clone(),
        );
        let feeds = Family::<FeedLabels, Counter>::default();
        registry.register(
            "feed_requests",
            "Calendar feed requests, by feed kind and answer (ok, not_modified, error)",
            feeds.clone(),
        );
        // 1 ms to about 16 s.
        let render = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "feed_render_seconds",
            "Time to render a feed that was not cached",
            render.clone(),
        );
        let airings = Gauge::default();
        registry.register(
            "airings",
            "Scheduled airings in the database",
            airings.clone(),
        );
        let feed_counters = FEED_KINDS
            .iter()
            .map(|&kind| {
                ["ok", "not_modified", "error"]
                    .map(|status| feeds.get_or_create(&FeedLabels { kind, status }).clone())
            })
            .collect();
        Metrics {
            registry,
            imports,
            feeds,
            feed_counters,
            render,
            airings,
            airings_counted: std::sync::Mutex::new(None),
        }
    }

    /// A source run ended with `outcome` (`ok`, `not_modified`, `failed`).
    pub fn import_done(&self, source: &str, outcome: &str) {
        self.imports
            .get_or_create(&ImportLabels {
                source: source.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// A feed of `kind` (grade, station, class, family) was asked for.
    pub fn feed_request(&self, kind: &'static str, answer: FeedAnswer) {
        let (i, status) = match answer {
            FeedAnswer::Ok => (0, "ok"),
            FeedAnswer::NotModified => (1, "not_modified"),
            FeedAnswer::Error => (2, "error"),
        };
        match FEED_KINDS.iter().position(|k| *k == kind) {
            Some(k) => self.feed_counters[k][i].inc(),
            None => self.feeds.get_or_create(&FeedLabels { kind, status }).inc(),
        };
    }

    pub fn feed_rendered(&self, seconds: f64) {
        self.render.observe(seconds);
    }

    /// Whether the airings are due to be counted again; if so, the caller counts them and
    /// calls [`Metrics::set_airings`] (others meanwhile see the last count).
    pub fn airings_due(&self) -> bool {
        let mut last = self
            .airings_counted
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= AIRINGS_EVERY);
        if due {
            *last = Some(std::time::Instant::now());
        }
        due
    }

    pub fn set_airings(&self, n: i64) {
        self.airings.set(n);
    }

    /// The OpenMetrics text format (which Prometheus reads).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_out_in_the_text_format() {
        let m = Metrics::new();
        m.import_done("KCET", "ok");
        m.import_done("KCET", "ok");
        m.feed_request("grade", FeedAnswer::NotModified);
        m.feed_rendered(0.004);
        assert!(m.airings_due());
        assert!(!m.airings_due(), "counted once per interval");
        m.set_airings(42);
        let text = m.render();
        assert!(
            text.contains(r#"lessoncast_source_runs_total{source="KCET",outcome="ok"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"lessoncast_feed_requests_total{kind="grade",status="not_modified"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains("lessoncast_feed_render_seconds_count 1"),
            "{text}"
        );
        assert!(text.contains("lessoncast_airings 42"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
