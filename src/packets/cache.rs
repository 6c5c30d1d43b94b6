//! Drawn packets kept until the data they were drawn from changes: printing a class set of
//! thirty copies, or a school's ZIP of every grade, draws each packet once.
//!
//! Keys carry the data version (`store::airings::data_version`, which grows with every import
//! that changes airings and every edit of work), so a change makes old entries unreachable; they
//! are dropped as soon as a packet of a newer version is stored. The cache is part of the app
//! state ([`crate::app::App`]): one per database and public address, which the packets print.

use super::{Format, PacketScope, PaperSize};
use crate::domain::Week;
use crate::i18n::Lang;
use crate::limits::Turns;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a drawn packet (or ZIP of packets) depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PacketKey {
    /// The data version it was drawn from.
    pub version: i64,
    /// Whose packet: a grade, or a class with all that its packet prints of it (name, grades,
    /// feed token; these change without changing the data version). `None` for the ZIP of
    /// every grade.
    pub scope: Option<PacketScope>,
    pub week: Week,
    /// `None` for the ZIP of every language.
    pub lang: Option<Lang>,
    pub size: PaperSize,
    pub large: bool,
    pub format: Format,
}

/// A drawn packet, shared so that sending it copies nothing.
pub type Drawn = Arc<Vec<u8>>;

/// Drawn packets by key. Bounded by bytes: when full it starts afresh, as the feed cache does.
/// It also holds the turns at drawing: at most [`DRAWS_AT_ONCE`] packets or ZIPs are drawn at
/// a time, whatever number of distinct packets are asked for.
pub struct PacketCache {
    inner: Mutex<Inner>,
    /// Turns at drawing.
    pub drawing: Turns,
}

impl Default for PacketCache {
    fn default() -> Self {
        PacketCache {
            inner: Mutex::default(),
            drawing: Turns::new(DRAWS_AT_ONCE, DRAW_WAIT),
        }
    }
}

/// Packets drawn at once (drawing takes a core).
pub const DRAWS_AT_ONCE: usize = 2;
/// How long a request waits for its turn to draw before it is refused as busy.
pub const DRAW_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

#[derive(Default)]
struct Inner {
    entries: HashMap<PacketKey, Drawn>,
    bytes: usize,
}

/// At most this many bytes of packets are kept (a PDF is some tens of kilobytes, a ZIP of every
/// grade about a megabyte).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

impl PacketCache {
    pub fn get(&self, key: &PacketKey) -> Option<Drawn> {
        self.inner.lock().ok()?.entries.get(key).cloned()
    }

    pub fn put(&self, key: PacketKey, drawn: Drawn) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        // Entries of older data can never be asked for again.
        if inner.entries.keys().any(|k| k.version < key.version) {
            inner.entries.retain(|k, _| k.version >= key.version);
            inner.bytes = inner.entries.values().map(|d| d.len()).sum();
        }
        if inner.bytes + drawn.len() > MAX_BYTES {
            inner.entries.clear();
            inner.bytes = 0;
        }
        if drawn.len() > MAX_BYTES {
            return;
        }
        inner.bytes += drawn.len();
        if let Some(old) = inner.entries.insert(key, drawn) {
            inner.bytes -= old.len();
        }
    }

    /// How many packets are kept, for tests and logs.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.entries.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version: i64, lang: Lang) -> PacketKey {
        PacketKey {
            version,
            scope: "5".parse().ok().map(PacketScope::Grade),
            week: "2020-04-13".parse().unwrap(),
            lang: Some(lang),
            size: PaperSize::Letter,
            large: false,
            format: Format::Pdf,
        }
    }

    #[test]
    fn a_newer_version_drops_packets_of_older_data() {
        let cache = PacketCache::default();
        cache.put(key(1, Lang::En), Arc::new(vec![1; 10]));
        cache.put(key(1, Lang::Es), Arc::new(vec![2; 10]));
        assert_eq!(cache.get(&key(1, Lang::Es)).map(|d| d[0]), Some(2));
        cache.put(key(2, Lang::En), Arc::new(vec![3; 10]));
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&key(1, Lang::En)).is_none());
        assert_eq!(cache.get(&key(2, Lang::En)).map(|d| d[0]), Some(3));
    }
}
