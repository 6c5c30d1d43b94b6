-- Schedule sources kept in the database, re-imported on their cron by whichever replica takes
-- the tick's lease first.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- url (a URL, file or directory) or tvss (a PBS call sign, fetched a day at a time)
    kind TEXT NOT NULL,
    -- the URL, path or call sign
    location TEXT NOT NULL,
    format TEXT NOT NULL DEFAULT 'auto',
    station TEXT,
    tz TEXT,
    -- with seconds, read in the district's zone (LESSONCAST_TZ)
    cron TEXT NOT NULL,
    -- tvss: today and the next days - 1, and whether only the kids listings
    days BIGINT NOT NULL DEFAULT 14,
    kids BIGINT NOT NULL DEFAULT 0,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- grows with every edit (pause and resume too): how the schedulers see one
    revision BIGINT NOT NULL DEFAULT 0,
    last_run BIGINT,
    last_success BIGINT,
    last_error TEXT,
    -- ok, not_modified or failed
    last_outcome TEXT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    -- what the last import that changed anything did
    last_added BIGINT NOT NULL DEFAULT 0,
    last_updated BIGINT NOT NULL DEFAULT 0,
    last_removed BIGINT NOT NULL DEFAULT 0,
    last_run_id BIGINT,
    -- the lease: who runs it now and until when, and the last cron tick taken
    lease_holder TEXT,
    lease_until BIGINT,
    last_tick BIGINT
);
-- The validators of each URL's last good fetch, sent back as If-None-Match / If-Modified-Since.
CREATE TABLE source_validators (
    source_id BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (source_id, url)
);
ALTER TABLE import_runs ADD COLUMN source_id BIGINT;
