-- Broadcast schedule: stations, their channels, airings, and import runs.
-- Series and episodes are keys on the airings (series_key, episode_key) rather than tables of
-- their own: their titles come with every airing, and links name the keys.
-- The same schema runs on SQLite and PostgreSQL: migrations/postgres/ holds this file with only
-- the identity column written differently (a unit test keeps the two in step).
-- Instants are BIGINT seconds since the Unix epoch, UTC; flags are BIGINT 0/1.

CREATE TABLE stations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    callsign TEXT NOT NULL UNIQUE,
    -- IANA zone of the station's wall clock, e.g. America/Los_Angeles
    tz TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    -- over-the-air number such as 28.1, or the source's channel id when it has none
    number TEXT NOT NULL,
    name TEXT,
    UNIQUE (station_id, number)
);

CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- file, directory or URL as given
    source TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    -- running, ok, failed
    status TEXT NOT NULL,
    added BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    removed BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    -- JSON array of warnings
    warnings TEXT NOT NULL DEFAULT '[]',
    error TEXT
);

CREATE TABLE airings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    start_at BIGINT NOT NULL,
    -- NULL when the source gave no end and nothing followed on the channel
    end_at BIGINT,
    title TEXT NOT NULL,
    title_es TEXT,
    episode_title TEXT,
    episode_title_es TEXT,
    description TEXT,
    description_es TEXT,
    series_key TEXT NOT NULL,
    episode_key TEXT,
    nola_root TEXT,
    nola_episode TEXT,
    episode_num TEXT,
    -- bit set of grades: bit 0 PK, 1 K, 2..13 grades 1..12, 14 ADULT (domain::GradeSet)
    grades BIGINT NOT NULL DEFAULT 0,
    captions BIGINT NOT NULL DEFAULT 0,
    spanish_audio BIGINT NOT NULL DEFAULT 0,
    hd BIGINT NOT NULL DEFAULT 0,
    previously_shown BIGINT NOT NULL DEFAULT 0,
    source_id TEXT,
    -- scheduled, removed
    status TEXT NOT NULL DEFAULT 'scheduled',
    -- grows by one on every change an import makes (iCalendar SEQUENCE)
    revision BIGINT NOT NULL DEFAULT 1,
    -- hash of the imported content, to tell updated from unchanged without reading every column
    fingerprint BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_run_id BIGINT,
    -- the last import run that saw this airing in its source
    seen_run_id BIGINT
);

-- One scheduled airing per channel and start; removed ones may share the slot with the airing
-- that replaced them.
CREATE UNIQUE INDEX airings_slot ON airings (channel_id, start_at) WHERE status = 'scheduled';
CREATE INDEX airings_channel_start ON airings (channel_id, start_at);
CREATE INDEX airings_start ON airings (start_at);
-- Episode keys start with their series key, so this one index finds an episode's airings too
-- (series_key = … AND episode_key = …); an index of its own on the episode key would cost an
-- import half its speed (random insertions) for lookups that are cheap without it.
CREATE INDEX airings_series ON airings (series_key);
