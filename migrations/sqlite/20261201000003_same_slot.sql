-- Programmes that share a slot: a clump (XMLTV clumpidx) or different programmes that start
-- together are separate airings. An airing's identity is now its channel, start, series and
-- slot, the slot being the n-th different programme of that series to start then on that
-- channel in its source (0 for nearly every airing). Every existing airing was alone in its slot,
-- so it is slot 0 and keeps its id.
ALTER TABLE airings ADD COLUMN slot BIGINT NOT NULL DEFAULT 0;
-- 1 when the source stated no end and the end is the next programme's start: a stated end wins
-- when the same programme comes twice.
ALTER TABLE airings ADD COLUMN end_guessed BIGINT NOT NULL DEFAULT 0;
DROP INDEX airings_slot;
CREATE UNIQUE INDEX airings_identity ON airings (channel_id, start_at, series_key, slot)
    WHERE status = 'scheduled';
-- Records a run skipped (a bad programme, row or listing), with a warning each.
ALTER TABLE import_runs ADD COLUMN skipped BIGINT NOT NULL DEFAULT 0;
