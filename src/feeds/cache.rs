//! Rendered feeds kept until their data changes: a re-poll costs one small query and, when the
//! client already has the feed, no rendering at all.

use super::FeedRequest;
use crate::limits::Turns;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The HTTP date format (RFC 9110 §5.6.7), for `Last-Modified`.
pub const HTTP_DATE: &str = "%a, %d %b %Y %H:%M:%S GMT";

/// A feed ready to send, plain and gzipped, with its validators.
#[derive(Debug)]
pub struct RenderedFeed {
    /// Shared, so sending it copies nothing.
    pub body: Bytes,
    pub gzip: Bytes,
    /// Strong validator of the plain body, quoted; the gzip body's is the same with `-gz`.
    pub etag: String,
    pub etag_gzip: String,
    pub last_modified: DateTime<Utc>,
    /// `last_modified` as an HTTP date, formatted once rather than per response.
    pub last_modified_http: String,
    /// The data version it was rendered from.
    pub version: i64,
}

impl RenderedFeed {
    pub fn new(body: String, last_modified: DateTime<Utc>, version: i64) -> RenderedFeed {
        let hash = crate::domain::keys::Fnv1a::of(body.as_bytes());
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing to a Vec cannot fail.
        let gzip = enc
            .write_all(body.as_bytes())
            .and_then(|_| enc.finish())
            .unwrap_or_default();
        RenderedFeed {
            etag: format!("\"{hash:016x}\""),
            etag_gzip: format!("\"{hash:016x}-gz\""),
            body: Bytes::from(body.into_bytes()),
            gzip: Bytes::from(gzip),
            last_modified_http: last_modified.format(HTTP_DATE).to_string(),
            last_modified,
            version,
        }
    }
}

/// Rendered feeds by request, each with the data version it was rendered from. Bounded by
/// entries and by bytes: a feed of older data is dropped when a newer one is stored, and when
/// full the cache starts afresh, so no sequence of distinct requests can grow it further.
/// It also holds the turns at rendering: at most [`RENDERS_AT_ONCE`] feeds are rendered at a
/// time, so that after a change a crowd of phones asking for the same feed renders it once
/// (the rest find it cached when their turn comes) and distinct ones cannot take every core.
pub struct FeedCache {
    inner: Mutex<Inner>,
    /// Turns at rendering.
    pub rendering: Turns,
}

impl Default for FeedCache {
    fn default() -> Self {
        FeedCache {
            inner: Mutex::default(),
            rendering: Turns::new(RENDERS_AT_ONCE, RENDER_WAIT),
        }
    }
}

/// Feeds rendered at once.
pub const RENDERS_AT_ONCE: usize = 2;
/// How long a request waits for its turn to render before it is refused as busy.
pub const RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

#[derive(Default)]
struct Inner {
    feeds: HashMap<FeedRequest, Arc<RenderedFeed>>,
    bytes: usize,
}

/// At most this many feeds are kept…
pub const MAX_ENTRIES: usize = 2048;
/// …holding at most this many bytes (plain and gzipped together). A typical feed is tens of
/// kilobytes; one larger than a quarter of this is served but not kept.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

impl RenderedFeed {
    fn size(&self) -> usize {
        self.body.len() + self.gzip.len()
    }
}

impl FeedCache {
    /// The cached feed for `req` if it was rendered from data version `version`.
    pub fn get(&self, req: &FeedRequest, version: i64) -> Option<Arc<RenderedFeed>> {
        let inner = self.inner.lock().ok()?;
        inner
            .feeds
            .get(req)
            .filter(|f| f.version == version)
            .cloned()
    }

    pub fn put(&self, req: FeedRequest, feed: Arc<RenderedFeed>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let size = feed.size();
        if size > MAX_BYTES / 4 {
            return;
        }
        if inner.feeds.values().any(|f| f.version < feed.version) {
            inner.feeds.retain(|_, f| f.version >= feed.version);
            inner.bytes = inner.feeds.values().map(|f| f.size()).sum();
        }
        if inner.feeds.len() >= MAX_ENTRIES || inner.bytes + size > MAX_BYTES {
            inner.feeds.clear();
            inner.bytes = 0;
        }
        inner.bytes += size;
        if let Some(old) = inner.feeds.insert(req, feed) {
            inner.bytes -= old.size();
        }
    }

    /// How many feeds and bytes are kept, for tests and logs.
    pub fn usage(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map(|i| (i.feeds.len(), i.bytes))
            .unwrap_or((0, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::{FeedKind, FeedRequest};
    use crate::i18n::Lang;

    fn req(alarm: u32) -> FeedRequest {
        let today = chrono::NaiveDate::from_ymd_opt(2020, 4, 13).unwrap();
        FeedRequest::new(
            FeedKind::Station("KCET".into()),
            Lang::En,
            today,
            None,
            None,
            Some(alarm),
        )
        .unwrap()
    }

    #[test]
    fn distinct_requests_cannot_grow_the_cache_past_its_bytes() {
        let cache = FeedCache::default();
        let body = "x".repeat(1024 * 1024);
        for i in 0..100u32 {
            let feed = Arc::new(RenderedFeed::new(body.clone(), Utc::now(), 1));
            cache.put(req(i % 2 * 15), feed);
            let mut r = req(0);
            r.from += chrono::Duration::days(i as i64);
            cache.put(r, Arc::new(RenderedFeed::new(body.clone(), Utc::now(), 1)));
        }
        let (_, bytes) = cache.usage();
        assert!(bytes <= MAX_BYTES, "{bytes}");
        // A newer version drops the older feeds.
        cache.put(
            req(15),
            Arc::new(RenderedFeed::new("new".into(), Utc::now(), 2)),
        );
        assert_eq!(cache.usage().0, 1);
        assert!(cache.get(&req(15), 2).is_some());
    }
}
