//! Rendered feeds kept until their data changes: a re-poll costs one small query and, when the
//! client already has the feed, no rendering at all.

use super::FeedRequest;
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

/// Rendered feeds by request, each with the data version it was rendered from. Bounded: when
/// full, it starts afresh.
#[derive(Default)]
pub struct FeedCache {
    feeds: Mutex<HashMap<FeedRequest, Arc<RenderedFeed>>>,
}

const MAX_ENTRIES: usize = 2048;

impl FeedCache {
    /// The cached feed for `req` if it was rendered from data version `version`.
    pub fn get(&self, req: &FeedRequest, version: i64) -> Option<Arc<RenderedFeed>> {
        let feeds = self.feeds.lock().ok()?;
        feeds.get(req).filter(|f| f.version == version).cloned()
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
