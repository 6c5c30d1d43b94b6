-- Teachers, their sessions and API tokens, classes, and the assignments they link to airings,
-- episodes or series. Same schema on SQLite and PostgreSQL (see the first migration).

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    -- argon2id PHC string; the password itself is never stored
    password_hash TEXT NOT NULL,
    -- teacher, admin
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the token the client holds; a stolen database gives no usable session
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- cookie (browser, with a CSRF token) or api (Authorization: Bearer)
    kind TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE classes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    grades BIGINT NOT NULL,
    -- unguessable feed token; renewing it replaces it
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    class_id BIGINT REFERENCES classes (id),
    title TEXT NOT NULL,
    title_es TEXT,
    instructions TEXT NOT NULL,
    instructions_es TEXT,
    materials TEXT,
    minutes BIGINT,
    grades BIGINT NOT NULL,
    -- YYYY-MM-DD
    due TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- soft delete: undoable, and on record with who and when
    deleted_at BIGINT,
    deleted_by BIGINT REFERENCES users (id)
);

CREATE TABLE assignment_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id BIGINT NOT NULL REFERENCES assignments (id),
    -- airing, episode or series
    scope TEXT NOT NULL,
    airing_id BIGINT REFERENCES airings (id),
    episode_key TEXT,
    series_key TEXT
);

CREATE INDEX links_assignment ON assignment_links (assignment_id);
CREATE INDEX assignments_owner ON assignments (owner_id);

-- One row: grows on every change feeds show (an import that changed airings, an assignment or
-- class edit), so cached feeds know when they are stale.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);
INSERT INTO data_version (id, version, changed_at) VALUES (1, 0, 0);
