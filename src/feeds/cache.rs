//! Rendered feeds kept until their data changes: a re-poll costs one small query and, when the
//! client already has the feed, no rendering at all.

use super::FeedRequest;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
            last_modified_http: last_modified
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
            last_modified,
            version,
        }
    }
}

/// Rendered feeds by request, and the data version they were rendered from. Bounded: when
/// full, it starts afresh.
pub struct FeedCache {
    feeds: Mutex<HashMap<FeedRequest, Arc<RenderedFeed>>>,
    version: Mutex<Option<(Instant, (i64, i64))>>,
    version_ttl: Duration,
}

/// How long a looked-up data version is trusted before the database is asked again, unless
/// configured otherwise (`LESSONCAST_VERSION_TTL_MS`): imports by another process (the CLI)
/// show within this time, and a busy feed costs one query a second at most.
pub const VERSION_TTL: Duration = Duration::from_secs(1);

impl Default for FeedCache {
    fn default() -> Self {
        FeedCache::new(VERSION_TTL)
    }
}

const MAX_ENTRIES: usize = 2048;

impl FeedCache {
    /// An empty cache that trusts a looked-up data version for `version_ttl` (zero: never).
    pub fn new(version_ttl: Duration) -> Self {
        FeedCache {
            feeds: Mutex::new(HashMap::new()),
            version: Mutex::new(None),
            version_ttl,
        }
    }

    /// The cached feed for `req` if it was rendered from data version `version`.
    pub fn get(&self, req: &FeedRequest, version: i64) -> Option<Arc<RenderedFeed>> {
        let feeds = self.feeds.lock().ok()?;
        feeds.get(req).filter(|f| f.version == version).cloned()
    }

    /// The remembered data version, if it was looked up within the version's lifetime.
    pub fn recent_version(&self) -> Option<(i64, i64)> {
        let v = self.version.lock().ok()?;
        v.filter(|(at, _)| at.elapsed() < self.version_ttl)
            .map(|(_, v)| v)
    }

    pub fn remember_version(&self, version: (i64, i64)) {
        if let Ok(mut v) = self.version.lock() {
            *v = Some((Instant::now(), version));
        }
    }

    pub fn put(&self, req: FeedRequest, feed: Arc<RenderedFeed>) {
        if let Ok(mut feeds) = self.feeds.lock() {
            if feeds.len() >= MAX_ENTRIES {
                feeds.clear();
            }
            feeds.insert(req, feed);
        }
    }
}
