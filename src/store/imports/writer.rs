//! The import's transaction: stations, channels and airings merged into the stored schedule
//! by identity (channel, start, series, slot), and what an import no longer lists closed.

use super::{ImportCounts, NewAiring, BATCH};
use crate::store::{get, Backend, StoreError};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

const CONTENT_COLUMNS: [&str; 21] = [
    "end_at",
    "end_guessed",
    "title",
    "title_es",
    "episode_title",
    "episode_title_es",
    "description",
    "description_es",
    "series_key",
    "episode_key",
    "nola_root",
    "nola_episode",
    "episode_num",
    "grades",
    "captions",
    "spanish_audio",
    "hd",
    "previously_shown",
    "source_id",
    "fingerprint",
    "updated_at",
];

/// One import's transaction. Nothing is visible to others until [`ImportWriter::commit`];
/// dropping the writer rolls everything back.
pub struct ImportWriter {
    tx: Transaction<'static, Any>,
    backend: Backend,
    run_id: i64,
    now: i64,
    counts: ImportCounts,
    stations: HashMap<String, i64>,
    channels: HashMap<(i64, String), i64>,
    /// A station's zone changed: feeds must be made again even if no airing did.
    zones_changed: bool,
    /// Stored airings this run found again unchanged. They are marked seen here, not by
    /// rewriting each row: a re-import of an unchanged guide then writes nothing.
    seen: SeenIds,
    /// channel id → the starts of [`ImportWriter::seen`]'s airings on it (8 bytes an airing):
    /// when the stored airings in a range that this run has not rewritten number as many as
    /// start there, the import saw all of them, and [`ImportWriter::close_range`] has nothing
    /// to close without reading their ids.
    seen_on: HashMap<i64, SeenStarts>,
    /// The Spanish titles of the airings this run wrote, by (series, episode or ''), waiting
    /// to be recorded ([`ImportWriter::keep_spanish_titles`]).
    spanish: SpanishTitles,
}

impl ImportWriter {
    pub async fn begin(
        store: &crate::store::Store,
        run_id: i64,
        now: i64,
    ) -> Result<Self, StoreError> {
        Ok(ImportWriter {
            tx: begin_exclusive(store).await?,
            backend: store.backend(),
            run_id,
            now,
            counts: ImportCounts::default(),
            stations: HashMap::new(),
            channels: HashMap::new(),
            zones_changed: false,
            seen: SeenIds::default(),
            seen_on: HashMap::new(),
            spanish: SpanishTitles::default(),
        })
    }

    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// The station's id, creating it in zone `tz` if it is new. With `correct`, a stored
    /// station in another zone is moved to `tz`, and the zone it had is returned.
    pub async fn station(
        &mut self,
        callsign: &str,
        tz: &str,
        correct: bool,
    ) -> Result<(i64, Option<String>), StoreError> {
        if let Some(id) = self.stations.get(callsign) {
            return Ok((*id, None));
        }
        let found = sqlx::query("SELECT id, tz FROM stations WHERE callsign = $1")
            .bind(callsign)
            .fetch_optional(&mut *self.tx)
            .await?;
        let (id, before) = match found {
            Some(row) => {
                let id: i64 = get(&row, "id")?;
                let stored: String = get(&row, "tz")?;
                let before = if correct {
                    self.move_zone(id, stored, tz).await?
                } else {
                    None
                };
                (id, before)
            }
            None => {
                let row = sqlx::query(
                    "INSERT INTO stations (callsign, tz, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(callsign)
                .bind(tz)
                .bind(self.now)
                .fetch_one(&mut *self.tx)
                .await?;
                (get(&row, "id")?, None)
            }
        };
        self.stations.insert(callsign.to_string(), id);
        Ok((id, before))
    }

    /// Moves a stored station to zone `tz`; returns the zone it had, if that was another.
    pub async fn correct_zone(
        &mut self,
        callsign: &str,
        tz: &str,
    ) -> Result<Option<String>, StoreError> {
        let Some(row) = sqlx::query("SELECT id, tz FROM stations WHERE callsign = $1")
            .bind(callsign)
            .fetch_optional(&mut *self.tx)
            .await?
        else {
            return Ok(None);
        };
        self.move_zone(get(&row, "id")?, get(&row, "tz")?, tz).await
    }

    /// Station `id`, in zone `stored`, moves to `tz` unless it is there already; returns the
    /// zone it left.
    async fn move_zone(
        &mut self,
        id: i64,
        stored: String,
        tz: &str,
    ) -> Result<Option<String>, StoreError> {
        if stored == tz {
            return Ok(None);
        }
        sqlx::query("UPDATE stations SET tz = $1 WHERE id = $2")
            .bind(tz)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.zones_changed = true;
        Ok(Some(stored))
    }

    /// The channel's id, creating it if it is new and keeping its display name current.
    pub async fn channel(
        &mut self,
        station_id: i64,
        number: &str,
        name: Option<&str>,
    ) -> Result<i64, StoreError> {
        let key = (station_id, number.to_string());
        if let Some(id) = self.channels.get(&key) {
            return Ok(*id);
        }
        let found =
            sqlx::query("SELECT id, name FROM channels WHERE station_id = $1 AND number = $2")
                .bind(station_id)
                .bind(number)
                .fetch_optional(&mut *self.tx)
                .await?;
        let id = match found {
            Some(row) => {
                let id: i64 = get(&row, "id")?;
                let old: Option<String> = get(&row, "name")?;
                if name.is_some() && old.as_deref() != name {
                    sqlx::query("UPDATE channels SET name = $1 WHERE id = $2")
                        .bind(name)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await?;
                }
                id
            }
            None => {
                let row = sqlx::query(
                    "INSERT INTO channels (station_id, number, name) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(station_id)
                .bind(number)
                .bind(name)
                .fetch_one(&mut *self.tx)
                .await?;
                get(&row, "id")?
            }
        };
        self.channels.insert(key, id);
        Ok(id)
    }

    /// Merges up to [`BATCH`] airings. Returns the indexes of those that repeat a programme
    /// already written by this import (same channel, start, series and episode): one copy is
    /// kept, the one whose end the source states when the other's end is unknown or guessed.
    ///
    /// Different programmes that start together (a clump, or two series) are separate
    /// airings; so are different episodes of one series that start together, told apart by
    /// their slot (the n-th of that series to start then, in source order).
    pub async fn write(&mut self, batch: &[NewAiring]) -> Result<Vec<usize>, StoreError> {
        let mut duplicates = Vec::new();
        if batch.is_empty() {
            return Ok(duplicates);
        }
        // What is already stored under these keys (scheduled airings and removed ones)?
        // One indexed range query per channel in the batch (batches are mostly one channel in
        // time order), rather than a list of row values, which SQLite cannot look up by index.
        let mut spans: HashMap<i64, (i64, i64)> = HashMap::new();
        for a in batch {
            let span = spans
                .entry(a.channel_id)
                .or_insert((a.start_at, a.start_at));
            span.0 = span.0.min(a.start_at);
            span.1 = span.1.max(a.start_at);
        }
        // The rows come back as one JSON value, not a row each: an unchanged guide's
        // re-import reads every stored airing, and the driver's hand-over per row was most of
        // its time in the database.
        let sql = format!(
            "SELECT {} AS found FROM airings WHERE {}",
            self.backend.json_rows(
                "id, channel_id, start_at, series_key, episode_key, slot, \
                 CASE WHEN end_at IS NOT NULL AND end_guessed = 0 THEN 1 ELSE 0 END, \
                 fingerprint, CASE WHEN status = 'scheduled' THEN 1 ELSE 0 END, seen_run_id"
            ),
            (0..spans.len())
                .map(|i| {
                    format!(
                        "(channel_id = ${} AND start_at >= ${} AND start_at <= ${})",
                        3 * i + 1,
                        3 * i + 2,
                        3 * i + 3
                    )
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        );
        let mut q = sqlx::query(&sql);
        for (channel, (from, to)) in &spans {
            q = q.bind(*channel).bind(*from).bind(*to);
        }
        let found: String = get(&q.fetch_one(&mut *self.tx).await?, "found")?;
        let rows: Vec<Existing> = serde_json::from_str(&found).map_err(|e| {
            StoreError::Corrupt(format!(
                "the stored airings of a batch could not be read: {e}"
            ))
        })?;
        let mut existing: HashMap<(i64, i64), Vec<Existing>> = HashMap::with_capacity(rows.len());
        for mut e in rows {
            e.seen = e.seen_run_id == Some(self.run_id) || self.seen.contains(e.id);
            existing
                .entry((e.channel_id, e.start_at))
                .or_default()
                .push(e);
        }

        // The programmes this run has placed in each slot: stored ones it has seen, and this
        // batch's. A repeat of one of them is a duplicate; anything else takes the next slot
        // of its series.
        let mut claims: HashMap<(i64, i64), Vec<Claim>> = HashMap::with_capacity(batch.len());
        for (key, rows) in &existing {
            for e in rows.iter().filter(|e| e.seen) {
                claims.entry(*key).or_default().push(Claim {
                    series_key: &e.series_key,
                    episode_key: e.episode_key.as_deref(),
                    end_stated: e.end_stated,
                    target: Target::Stored(e.id),
                });
            }
        }
        // (index in batch, slot) of each programme that is not a duplicate.
        let mut placed: Vec<(usize, i64)> = Vec::with_capacity(batch.len());
        let mut replace: Vec<(i64, &NewAiring)> = Vec::new();
        for (i, a) in batch.iter().enumerate() {
            let list = claims.entry((a.channel_id, a.start_at)).or_default();
            if let Some(c) = list
                .iter_mut()
                .find(|c| c.series_key == a.series_key && c.episode_key == a.episode_key.as_deref())
            {
                duplicates.push(i);
                if !c.end_stated && end_stated(a) {
                    c.end_stated = true;
                    match c.target {
                        Target::Stored(id) => replace.push((id, a)),
                        Target::Placed(p) => placed[p].0 = i,
                    }
                }
                continue;
            }
            let slot = list.iter().filter(|c| c.series_key == a.series_key).count() as i64;
            list.push(Claim {
                series_key: &a.series_key,
                episode_key: a.episode_key.as_deref(),
                end_stated: end_stated(a),
                target: Target::Placed(placed.len()),
            });
            placed.push((i, slot));
        }

        let mut inserts: Vec<(&NewAiring, i64)> = Vec::new();
        let mut unchanged: Vec<(i64, i64, i64)> = Vec::new();
        let mut changed: Vec<(i64, &NewAiring)> = Vec::new();
        for (i, slot) in placed {
            let a = &batch[i];
            let rows = existing
                .get(&(a.channel_id, a.start_at))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            // The same airing stored before: scheduled, else a removed one to revive.
            let same = rows
                .iter()
                .filter(|e| !e.seen && e.series_key == a.series_key && e.slot == slot)
                .min_by_key(|e| !e.scheduled);
            match same {
                None => inserts.push((a, slot)),
                Some(e) if e.fingerprint == a.fingerprint && e.scheduled => {
                    unchanged.push((e.id, a.channel_id, a.start_at))
                }
                Some(e) => changed.push((e.id, a)),
            }
        }

        for a in inserts
            .iter()
            .map(|(a, _)| *a)
            .chain(changed.iter().map(|(_, a)| *a))
        {
            self.spanish.note(a);
        }
        for (_, a) in &replace {
            self.spanish.note(a);
        }
        if !inserts.is_empty() {
            self.insert(&inserts).await?;
            self.counts.added += inserts.len() as u64;
        }
        for &(id, channel_id, start_at) in &unchanged {
            self.seen.insert(id);
            self.seen_on.entry(channel_id).or_default().push(start_at);
        }
        self.counts.unchanged += unchanged.len() as u64;
        for (id, a) in changed {
            self.update(id, a, None).await?;
            self.counts.updated += 1;
        }
        for (id, a) in replace {
            self.update(id, a, None).await?;
        }
        if self.spanish.len() >= SpanishTitles::HELD {
            self.keep_spanish_titles().await?;
        }
        duplicates.sort_unstable();
        Ok(duplicates)
    }

    async fn insert(&mut self, rows: &[(&NewAiring, i64)]) -> Result<(), StoreError> {
        const COLS: usize = 27;
        let mut sql = String::with_capacity(rows.len() * COLS * 6 + 400);
        sql.push_str(
            "INSERT INTO airings (channel_id, start_at, slot, end_at, end_guessed, title, \
             title_es, episode_title, episode_title_es, description, description_es, \
             series_key, episode_key, nola_root, nola_episode, episode_num, grades, captions, \
             spanish_audio, hd, previously_shown, source_id, fingerprint, updated_at, \
             created_at, created_run_id, seen_run_id) VALUES ",
        );
        for i in 0..rows.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&self.backend.placeholders(i * COLS + 1, COLS));
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for (a, slot) in rows {
            q = bind_content(
                q.bind(a.channel_id).bind(a.start_at).bind(*slot),
                a,
                self.now,
            )
            .bind(self.now)
            .bind(self.run_id)
            .bind(self.run_id);
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Overwrites airing `id` with `a`'s content (and with its start and slot, when it moved),
    /// marks it scheduled and seen by this run, and grows its revision.
    async fn update(
        &mut self,
        id: i64,
        a: &NewAiring,
        moved_to: Option<(i64, i64)>,
    ) -> Result<(), StoreError> {
        // Rewritten, it is seen by its run id from now on, no longer by the set.
        // (An airing found unchanged is only rewritten as a duplicate's better copy, at the
        // same start.)
        if self.seen.remove(id) {
            if let Some(starts) = self.seen_on.get_mut(&a.channel_id) {
                starts.remove(a.start_at);
            }
        }
        let sets = CONTENT_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let n = CONTENT_COLUMNS.len();
        let sql = format!(
            "UPDATE airings SET {sets}, status = 'scheduled', revision = revision + 1, \
             seen_run_id = ${}, start_at = COALESCE(${}, start_at), slot = COALESCE(${}, slot) \
             WHERE id = ${}",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        );
        bind_content(sqlx::query(&sql), a, self.now)
            .bind(self.run_id)
            .bind(moved_to.map(|(start, _)| start))
            .bind(moved_to.map(|(_, slot)| slot))
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Closes the merge for one channel whose imported airings started between `from` and `to`
    /// (inclusive): airings stored there that the import did not see either moved (the same
    /// episode now airs within a day of them) or are marked removed.
    pub async fn close_range(
        &mut self,
        channel_id: i64,
        from: i64,
        to: i64,
    ) -> Result<(), StoreError> {
        const DAY: i64 = 86_400;
        // The stored airings there that this run has not rewritten are those it found
        // unchanged, and any it did not see. When they are as many as the former, it saw them
        // all: counting them spares reading every id of an unchanged guide again.
        let not_rewritten: i64 = get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM airings WHERE channel_id = $1 AND start_at >= $2 \
                 AND start_at <= $3 AND status = 'scheduled' \
                 AND (seen_run_id IS NULL OR seen_run_id <> $4)",
            )
            .bind(channel_id)
            .bind(from)
            .bind(to)
            .bind(self.run_id)
            .fetch_one(&mut *self.tx)
            .await?,
            "n",
        )?;
        let seen_unchanged = self
            .seen_on
            .get_mut(&channel_id)
            .map_or(0, |starts| starts.count(from, to));
        if not_rewritten == seen_unchanged as i64 {
            return Ok(());
        }
        // The scheduled airings in the range this run did not see: ids first (most were seen,
        // unchanged), then what a move needs of the rest.
        let ids = sqlx::query(
            "SELECT id FROM airings WHERE channel_id = $1 AND start_at >= $2 AND start_at <= $3 \
             AND status = 'scheduled' AND (seen_run_id IS NULL OR seen_run_id <> $4)",
        )
        .bind(channel_id)
        .bind(from)
        .bind(to)
        .bind(self.run_id)
        .fetch_all(&mut *self.tx)
        .await?;
        let unseen: Vec<i64> = ids
            .iter()
            .map(|r| get::<i64>(r, "id"))
            .filter(|id| !matches!(id, Ok(id) if self.seen.contains(*id)))
            .collect::<Result<_, StoreError>>()?;
        if unseen.is_empty() {
            return Ok(());
        }
        let mut gone: Vec<(i64, i64, String)> = Vec::with_capacity(unseen.len());
        for chunk in unseen.chunks(BATCH) {
            let sql = format!(
                "SELECT id, start_at, COALESCE(episode_key, series_key) AS ident FROM airings \
                 WHERE id IN ({})",
                self.backend.placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                gone.push((get(&r, "id")?, get(&r, "start_at")?, get(&r, "ident")?));
            }
        }
        gone.sort_by_key(|(id, start, _)| (*start, *id));

        // Airings this run added on the channel near the range are candidates for a move.
        let rows = sqlx::query(&format!(
            "SELECT id, channel_id, start_at, slot, {} FROM airings WHERE channel_id = $1 \
             AND created_run_id = $2 AND start_at >= $3 AND start_at <= $4 ORDER BY start_at",
            CONTENT_COLUMNS.join(", ")
        ))
        .bind(channel_id)
        .bind(self.run_id)
        .bind(from - DAY)
        .bind(to + DAY)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut fresh: Vec<(i64, i64, NewAiring)> = rows
            .iter()
            .map(|r| Ok((get(r, "id")?, get(r, "slot")?, new_airing_from_row(r)?)))
            .collect::<Result<_, StoreError>>()?;

        let mut removed = Vec::new();
        for (old_id, old_start, ident) in gone {
            let nearest = fresh
                .iter()
                .enumerate()
                .filter(|(_, (_, _, a))| {
                    a.episode_key.as_deref().unwrap_or(&a.series_key) == ident
                        && (a.start_at - old_start).abs() <= DAY
                })
                .min_by_key(|(_, (_, _, a))| (a.start_at - old_start).abs())
                .map(|(i, _)| i);
            match nearest {
                Some(i) => {
                    let (new_id, slot, a) = fresh.swap_remove(i);
                    sqlx::query("DELETE FROM airings WHERE id = $1")
                        .bind(new_id)
                        .execute(&mut *self.tx)
                        .await?;
                    self.update(old_id, &a, Some((a.start_at, slot))).await?;
                    self.counts.added -= 1;
                    self.counts.updated += 1;
                }
                None => removed.push(old_id),
            }
        }
        self.mark_removed(&removed).await
    }

    /// Marks airings removed (they stay, with the work linked to them).
    async fn mark_removed(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        for chunk in ids.chunks(BATCH) {
            let sql = format!(
                "UPDATE airings SET status = 'removed', revision = revision + 1, updated_at = {} \
                 WHERE id IN ({})",
                self.backend.placeholders(1, 1),
                self.backend.placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(self.now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *self.tx).await?;
            self.counts.removed += chunk.len() as u64;
        }
        Ok(())
    }

    /// Records the Spanish titles of the airings this import wrote, for every airing of the
    /// same series or episode (`store::airings` reads them back where an airing has none).
    /// They were noted as the airings were written: finding them again afterwards took a scan
    /// of every airing in series order, a third of a fresh import's database time.
    async fn keep_spanish_titles(&mut self) -> Result<(), StoreError> {
        let titles = std::mem::take(&mut self.spanish.titles);
        let rows: Vec<_> = titles.into_iter().collect();
        for chunk in rows.chunks(BATCH) {
            for series in [true, false] {
                let rows: Vec<_> = chunk
                    .iter()
                    .filter_map(|((s, e), (t, et))| match series {
                        true if e.is_empty() => t.as_deref().map(|t| (s, e, t)),
                        false if !e.is_empty() => et.as_deref().map(|et| (s, e, et)),
                        _ => None,
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                let (column, other) = if series {
                    ("title_es", "episode_title_es")
                } else {
                    ("episode_title_es", "title_es")
                };
                let values = (0..rows.len())
                    .map(|i| format!("({}, NULL)", self.backend.placeholders(3 * i + 1, 3)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "INSERT INTO spanish_titles (series_key, episode_key, {column}, {other}) \
                     VALUES {values} ON CONFLICT (series_key, episode_key) \
                     DO UPDATE SET {column} = excluded.{column}"
                );
                let mut q = sqlx::query(&sql);
                for (s, e, t) in rows {
                    q = q.bind(s.as_str()).bind(e.as_str()).bind(t);
                }
                q.execute(&mut *self.tx).await?;
            }
        }
        Ok(())
    }

    /// Commits the whole import.
    pub async fn commit(mut self) -> Result<ImportCounts, StoreError> {
        let c = self.counts;
        if c.added + c.updated + c.removed > 0 || self.zones_changed {
            crate::store::assignments::bump_version(&mut self.tx, self.now).await?;
        }
        self.keep_spanish_titles().await?;
        self.tx.commit().await?;
        Ok(self.counts)
    }

    /// Undoes everything (a dry run, or an import that failed part way).
    pub async fn rollback(self) -> Result<ImportCounts, StoreError> {
        self.tx.rollback().await?;
        Ok(self.counts)
    }
}

/// How long an import waits for another one to finish before it fails.
pub const IMPORT_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// The advisory lock key PostgreSQL imports hold (any fixed number; this spells "lcimport").
const IMPORT_LOCK: i64 = 0x6c63_696d_706f_7274;

/// A transaction that no other import runs beside: imports of the same station, from any
/// number of processes, wait for one another instead of failing on the rows both add.
///
/// On SQLite the transaction starts `IMMEDIATE`, taking the database's one write lock at
/// once (a deferred one could find, at its first write, that another import got there first,
/// and fail); on PostgreSQL it holds a transaction-scoped advisory lock. Either is released
/// when the transaction ends, or its connection does, so a killed import holds nothing.
async fn begin_exclusive(
    store: &crate::store::Store,
) -> Result<Transaction<'static, Any>, StoreError> {
    let pool = store.pool();
    match store.backend() {
        Backend::Sqlite => {
            let started = std::time::Instant::now();
            loop {
                // Each try waits out the connection's busy timeout (10 s) first.
                match pool.begin_with("BEGIN IMMEDIATE").await {
                    Ok(tx) => return Ok(tx),
                    Err(e) if is_busy(&e) && started.elapsed() < IMPORT_WAIT => {
                        tracing::info!("waiting for another import to finish");
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query(&format!(
                "SET LOCAL lock_timeout = '{}s'",
                IMPORT_WAIT.as_secs()
            ))
            .execute(&mut *tx)
            .await?;
            sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                .bind(IMPORT_LOCK)
                .fetch_one(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// SQLite's "database is locked" (`SQLITE_BUSY`, with its extended codes).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5),
        _ => false,
    }
}

/// A stored airing, as a batch is merged with it: read from the JSON array of its columns
/// ([`Backend::json_rows`]), in the order of the fields.
#[derive(serde::Deserialize)]
#[serde(from = "ExistingColumns")]
struct Existing {
    id: i64,
    channel_id: i64,
    start_at: i64,
    series_key: String,
    episode_key: Option<String>,
    slot: i64,
    /// The source stated the end (it is neither unknown nor guessed).
    end_stated: bool,
    fingerprint: i64,
    /// Scheduled, not removed.
    scheduled: bool,
    seen_run_id: Option<i64>,
    /// This run has seen it: written by it, or found unchanged ([`ImportWriter::seen`]).
    seen: bool,
}

/// [`Existing`]'s columns as the query gives them (flags as 0 or 1).
type ExistingColumns = (
    i64,
    i64,
    i64,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
);

impl From<ExistingColumns> for Existing {
    fn from(c: ExistingColumns) -> Self {
        let (id, channel_id, start_at, series_key, episode_key, slot, end_stated, fingerprint) =
            (c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7);
        let (scheduled, seen_run_id) = (c.8, c.9);
        Existing {
            id,
            channel_id,
            start_at,
            series_key,
            episode_key,
            slot,
            end_stated: end_stated != 0,
            fingerprint,
            scheduled: scheduled != 0,
            seen_run_id,
            seen: false,
        }
    }
}

/// A set of airing ids, a bit each: ids count up from 1, so a million airings take 125 KB,
/// where a hash set would take tens of MB. Ids past [`SeenIds::DENSE`] (none in practice) go
/// in a hash set.
#[derive(Default)]
struct SeenIds {
    bits: Vec<u64>,
    sparse: std::collections::HashSet<i64>,
}

impl SeenIds {
    const DENSE: i64 = 1 << 27;

    fn insert(&mut self, id: i64) {
        if (0..Self::DENSE).contains(&id) {
            let word = (id / 64) as usize;
            if word >= self.bits.len() {
                self.bits.resize(word + 1, 0);
            }
            self.bits[word] |= 1 << (id % 64);
        } else {
            self.sparse.insert(id);
        }
    }

    /// Takes `id` out; whether it was in.
    fn remove(&mut self, id: i64) -> bool {
        if (0..Self::DENSE).contains(&id) {
            let Some(word) = self.bits.get_mut((id / 64) as usize) else {
                return false;
            };
            let bit = 1 << (id % 64);
            let was = *word & bit != 0;
            *word &= !bit;
            was
        } else {
            self.sparse.remove(&id)
        }
    }

    fn contains(&self, id: i64) -> bool {
        if (0..Self::DENSE).contains(&id) {
            self.bits
                .get((id / 64) as usize)
                .is_some_and(|w| w & (1 << (id % 64)) != 0)
        } else {
            self.sparse.contains(&id)
        }
    }
}

/// The starts of the airings on one channel that an import found unchanged, to count those in
/// a range.
#[derive(Default)]
struct SeenStarts {
    starts: Vec<i64>,
    /// Some start was pushed before an earlier one.
    unsorted: bool,
}

impl SeenStarts {
    fn push(&mut self, start: i64) {
        self.unsorted |= self.starts.last().is_some_and(|last| *last > start);
        self.starts.push(start);
    }

    /// Takes out one airing that starts at `start`.
    fn remove(&mut self, start: i64) {
        if let Some(i) = self.starts.iter().rposition(|s| *s == start) {
            self.starts.remove(i);
        }
    }

    /// How many start between `from` and `to`, inclusive.
    fn count(&mut self, from: i64, to: i64) -> usize {
        if self.unsorted {
            self.starts.sort_unstable();
            self.unsorted = false;
        }
        let lo = self.starts.partition_point(|s| *s < from);
        let hi = self.starts.partition_point(|s| *s <= to);
        hi.saturating_sub(lo)
    }
}

/// Spanish titles of written airings: per series (episode key '') its title, per episode its
/// episode title; of several, the greatest (as the stored rows' `MAX` chose before). Written out
/// when [`SpanishTitles::HELD`] wait, and at the end; a title written out earlier in the same
/// import gives way to a later one.
#[derive(Default)]
struct SpanishTitles {
    titles: std::collections::BTreeMap<(String, String), (Option<String>, Option<String>)>,
}

impl SpanishTitles {
    const HELD: usize = 4_096;

    fn len(&self) -> usize {
        self.titles.len()
    }

    fn note(&mut self, a: &NewAiring) {
        fn keep(slot: &mut Option<String>, title: &str) {
            if slot.as_deref().is_none_or(|held| title > held) {
                *slot = Some(title.to_string());
            }
        }
        if let Some(t) = a.details.title_es.as_deref() {
            let held = self
                .titles
                .entry((a.series_key.clone(), String::new()))
                .or_default();
            keep(&mut held.0, t);
        }
        if let (Some(t), Some(e)) = (
            a.details.episode_title_es.as_deref(),
            a.episode_key.as_deref().filter(|e| !e.is_empty()),
        ) {
            let held = self
                .titles
                .entry((a.series_key.clone(), e.to_string()))
                .or_default();
            keep(&mut held.1, t);
        }
    }
}

/// A programme this run has placed in a slot.
struct Claim<'a> {
    series_key: &'a str,
    episode_key: Option<&'a str>,
    end_stated: bool,
    target: Target,
}

/// Whether the source stated `a`'s end (rather than giving none, or one guessed from the next
/// programme).
fn end_stated(a: &NewAiring) -> bool {
    a.end_at.is_some() && !a.end_guessed
}

/// Where a claimed programme is: stored by an earlier batch, or placed by this one.
#[derive(Clone, Copy)]
enum Target {
    Stored(i64),
    /// Index into this batch's placed programmes.
    Placed(usize),
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Binds the [`CONTENT_COLUMNS`] in their order.
fn bind_content<'q>(q: AnyQuery<'q>, a: &'q NewAiring, now: i64) -> AnyQuery<'q> {
    q.bind(a.end_at)
        .bind(a.end_guessed as i64)
        .bind(a.details.title.as_str())
        .bind(a.details.title_es.as_deref())
        .bind(a.details.episode_title.as_deref())
        .bind(a.details.episode_title_es.as_deref())
        .bind(a.details.description.as_deref())
        .bind(a.details.description_es.as_deref())
        .bind(a.series_key.as_str())
        .bind(a.episode_key.as_deref())
        .bind(a.nola_root.as_deref())
        .bind(a.nola_episode.as_deref())
        .bind(a.episode_num.as_deref())
        .bind(a.details.grades.bits() as i64)
        .bind(a.details.captions as i64)
        .bind(a.details.spanish_audio as i64)
        .bind(a.hd as i64)
        .bind(a.previously_shown as i64)
        .bind(a.source_id.as_deref())
        .bind(a.fingerprint)
        .bind(now)
}

fn new_airing_from_row(r: &AnyRow) -> Result<NewAiring, StoreError> {
    let flag = |c: &str| -> Result<bool, StoreError> { Ok(get::<i64>(r, c)? != 0) };
    Ok(NewAiring {
        channel_id: get(r, "channel_id")?,
        start_at: get(r, "start_at")?,
        end_at: get(r, "end_at")?,
        end_guessed: flag("end_guessed")?,
        details: crate::store::details(r)?,
        series_key: get(r, "series_key")?,
        episode_key: get(r, "episode_key")?,
        nola_root: get(r, "nola_root")?,
        nola_episode: get(r, "nola_episode")?,
        episode_num: get(r, "episode_num")?,
        hd: flag("hd")?,
        previously_shown: flag("previously_shown")?,
        source_id: get(r, "source_id")?,
        fingerprint: get(r, "fingerprint")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Details;
    use crate::store::{imports, Store};

    const NINE: i64 = 1_586_793_600; // 2020-04-13 16:00 UTC, 09:00 in Los Angeles

    async fn store() -> Store {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    fn airing(channel_id: i64, start_at: i64, title: &str, episode: &str) -> NewAiring {
        let series = title.to_ascii_lowercase().replace(' ', "-");
        NewAiring {
            channel_id,
            start_at,
            end_at: Some(start_at + 1800),
            end_guessed: false,
            details: Details {
                title: title.into(),
                episode_title: Some(episode.into()),
                ..Details::default()
            },
            episode_key: Some(format!("{series}/{}", episode.to_ascii_lowercase())),
            series_key: series,
            nola_root: None,
            nola_episode: None,
            episode_num: None,
            hd: false,
            previously_shown: false,
            source_id: None,
            fingerprint: 1,
        }
    }

    /// One import run of `batch` on KCET 28.1, covering the hours around nine.
    async fn run(store: &Store, batch: &[NewAiring]) -> (ImportCounts, Vec<usize>) {
        let (mut w, channel) = begin(store).await;
        let batch: Vec<NewAiring> = batch
            .iter()
            .cloned()
            .map(|a| NewAiring {
                channel_id: channel,
                ..a
            })
            .collect();
        let duplicates = w.write(&batch).await.unwrap();
        w.close_range(channel, NINE - 3600, NINE + 4 * 3600)
            .await
            .unwrap();
        (w.commit().await.unwrap(), duplicates)
    }

    /// (id, start, title, status) of every stored airing, by id.
    async fn stored(store: &Store) -> Vec<(i64, i64, String, String)> {
        let rows = sqlx::query("SELECT id, start_at, title, status FROM airings ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    get(r, "id").unwrap(),
                    get(r, "start_at").unwrap(),
                    get(r, "title").unwrap(),
                    get(r, "status").unwrap(),
                )
            })
            .collect()
    }

    fn counts(added: u64, updated: u64, removed: u64, unchanged: u64) -> ImportCounts {
        ImportCounts {
            added,
            updated,
            removed,
            unchanged,
            skipped: 0,
        }
    }

    /// The Spanish titles of the airings an import writes are kept for their series and their
    /// episode (every airing of them shows them); an unchanged re-import leaves them as they are.
    #[tokio::test]
    async fn the_spanish_titles_of_written_airings_are_kept_for_series_and_episode() {
        let store = store().await;
        let mut spanish = airing(0, NINE, "Cyberchase", "The Poddleville Case");
        spanish.details.title_es = Some("Ciberchase".into());
        spanish.details.episode_title_es = Some("El caso de Poddleville".into());
        let plain = airing(0, NINE + 1800, "Cyberchase", "Fractions");
        let week = [spanish, plain];
        let kept = || async {
            sqlx::query(
                "SELECT series_key, episode_key, title_es, episode_title_es FROM spanish_titles \
                 ORDER BY episode_key",
            )
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    get::<String>(r, "series_key").unwrap(),
                    get::<String>(r, "episode_key").unwrap(),
                    get::<Option<String>>(r, "title_es").unwrap(),
                    get::<Option<String>>(r, "episode_title_es").unwrap(),
                )
            })
            .collect::<Vec<_>>()
        };
        run(&store, &week).await;
        let want = vec![
            (
                "cyberchase".into(),
                "".into(),
                Some("Ciberchase".into()),
                None,
            ),
            (
                "cyberchase".into(),
                "cyberchase/the poddleville case".into(),
                None,
                Some("El caso de Poddleville".into()),
            ),
        ];
        assert_eq!(kept().await, want);
        assert_eq!(run(&store, &week).await.0, counts(0, 0, 0, 2));
        assert_eq!(kept().await, want);
    }

    #[tokio::test]
    async fn a_reimport_finds_each_airing_again_unchanged_or_updated() {
        let store = store().await;
        let week = [
            airing(0, NINE, "Cyberchase", "The Poddleville Case"),
            airing(0, NINE + 1800, "Wild Kratts", "Octopus"),
        ];
        assert_eq!(run(&store, &week).await.0, counts(2, 0, 0, 0));
        let before = stored(&store).await;
        assert_eq!(run(&store, &week).await.0, counts(0, 0, 0, 2));
        let mut changed = week.clone();
        changed[1].details.description = Some("Ocean animals.".into());
        changed[1].fingerprint = 2;
        assert_eq!(run(&store, &changed).await.0, counts(0, 1, 0, 1));
        assert_eq!(stored(&store).await, before, "same ids, same rows");
    }

    /// An unchanged re-import (every scheduled poll of a guide that did not change) finds its
    /// airings without rewriting a row, and still removes only what vanished.
    #[tokio::test]
    async fn an_unchanged_reimport_writes_no_airing() {
        let store = store().await;
        let week = [
            airing(0, NINE, "Cyberchase", "The Poddleville Case"),
            airing(0, NINE + 1800, "Wild Kratts", "Octopus"),
            airing(0, NINE + 3600, "Nature", "Owls"),
        ];
        assert_eq!(run(&store, &week).await.0, counts(3, 0, 0, 0));
        let changes = || async {
            sqlx::query("SELECT MAX(updated_at) AS u, MAX(seen_run_id) AS s FROM airings")
                .fetch_one(store.pool())
                .await
                .map(|r| (get::<i64>(&r, "u").unwrap(), get::<i64>(&r, "s").unwrap()))
                .unwrap()
        };
        let before = changes().await;
        assert_eq!(run(&store, &week).await.0, counts(0, 0, 0, 3));
        assert_eq!(changes().await, before, "no row rewritten");
        // The next run lists two of them: the third is removed, the two are left as they are.
        assert_eq!(run(&store, &week[..2]).await.0, counts(0, 0, 1, 2));
        let status: Vec<String> = stored(&store).await.into_iter().map(|r| r.3).collect();
        assert_eq!(status, ["scheduled", "scheduled", "removed"]);
    }

    /// A run's writer on KCET 28.1, and the channel's id.
    async fn begin(store: &Store) -> (ImportWriter, i64) {
        let run_id = imports::start_run(store.pool(), "test", None, 0)
            .await
            .unwrap();
        let mut w = ImportWriter::begin(store, run_id, 0).await.unwrap();
        let (station, _) = w
            .station("KCET", "America/Los_Angeles", false)
            .await
            .unwrap();
        let channel = w.channel(station, "28.1", Some("KCET")).await.unwrap();
        (w, channel)
    }

    /// Closing a range counts what the run found unchanged there, not on the whole channel,
    /// and not what it rewrote since: a vanished airing is removed whatever the rest did.
    #[tokio::test]
    async fn closing_a_range_removes_what_vanished_from_it_however_much_else_was_unchanged() {
        let store = store().await;
        let mut guessed = airing(0, NINE, "Cyberchase", "The Poddleville Case");
        guessed.end_guessed = true;
        let kratts = airing(0, NINE + 1800, "Wild Kratts", "Octopus");
        let nova = airing(0, NINE + 3600, "Nova", "Polar Extremes");
        run(&store, &[guessed.clone(), kratts.clone(), nova.clone()]).await;

        // Two files on the channel: the first lists Cyberchase and covers Wild Kratts' slot
        // too, which it no longer lists; the second lists Nova, unchanged.
        let (mut w, channel) = begin(&store).await;
        let on = |a: &NewAiring| NewAiring {
            channel_id: channel,
            ..a.clone()
        };
        w.write(&[on(&guessed)]).await.unwrap();
        w.write(&[on(&nova)]).await.unwrap();
        w.close_range(channel, NINE, NINE + 1800).await.unwrap();
        w.close_range(channel, NINE + 3600, NINE + 3600)
            .await
            .unwrap();
        assert_eq!(w.commit().await.unwrap(), counts(0, 0, 1, 2));
        let status: Vec<String> = stored(&store).await.into_iter().map(|r| r.3).collect();
        assert_eq!(status, ["scheduled", "removed", "scheduled"]);

        // Cyberchase found unchanged, then listed again with its end stated, in a later batch:
        // that rewrites it. Nova has vanished.
        let (mut w, channel) = begin(&store).await;
        let on = |a: &NewAiring| NewAiring {
            channel_id: channel,
            ..a.clone()
        };
        let stated = airing(0, NINE, "Cyberchase", "The Poddleville Case");
        w.write(&[on(&guessed)]).await.unwrap();
        assert_eq!(w.write(&[on(&stated)]).await.unwrap(), vec![0]);
        w.write(&[on(&kratts)]).await.unwrap();
        w.close_range(channel, NINE - 3600, NINE + 4 * 3600)
            .await
            .unwrap();
        let c = w.commit().await.unwrap();
        assert_eq!((c.removed, c.unchanged), (1, 1), "{c:?}");
        let status: Vec<String> = stored(&store).await.into_iter().map(|r| r.3).collect();
        assert_eq!(status, ["scheduled", "scheduled", "removed"]);
    }

    #[tokio::test]
    async fn an_airing_its_source_no_longer_lists_is_marked_removed_never_deleted() {
        let store = store().await;
        let week = [
            airing(0, NINE, "Cyberchase", "The Poddleville Case"),
            airing(0, NINE + 1800, "Wild Kratts", "Octopus"),
            airing(0, NINE + 3600, "Nova", "Polar Extremes"),
        ];
        run(&store, &week).await;
        let without_kratts = [week[0].clone(), week[2].clone()];
        assert_eq!(run(&store, &without_kratts).await.0, counts(0, 0, 1, 2));
        let rows = stored(&store).await;
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[1].2.as_str(), rows[1].3.as_str()),
            ("Wild Kratts", "removed")
        );
        // Listed again, it is scheduled again under its old id.
        assert_eq!(run(&store, &week).await.0, counts(0, 1, 0, 2));
        assert_eq!(stored(&store).await[1].3, "scheduled");
    }

    #[tokio::test]
    async fn an_episode_moved_within_a_day_keeps_its_id() {
        let store = store().await;
        let week = [
            airing(0, NINE, "Cyberchase", "The Poddleville Case"),
            airing(0, NINE + 3600, "Nova", "Polar Extremes"),
        ];
        run(&store, &week).await;
        let id = stored(&store).await[0].0;
        let mut moved = week.clone();
        moved[0].start_at = NINE + 1800;
        let (c, _) = run(&store, &moved).await;
        assert_eq!((c.added, c.removed), (0, 0), "{c:?}");
        let rows = stored(&store).await;
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].0, rows[0].1), (id, NINE + 1800));
    }

    #[tokio::test]
    async fn a_programme_listed_twice_is_one_airing_with_the_stated_end() {
        let store = store().await;
        let mut guessed = airing(0, NINE, "Cyberchase", "The Poddleville Case");
        guessed.end_at = Some(NINE + 600);
        guessed.end_guessed = true;
        let stated = airing(0, NINE, "Cyberchase", "The Poddleville Case");
        let (c, duplicates) = run(&store, &[guessed, stated]).await;
        assert_eq!(c.added, 1, "{c:?}");
        assert_eq!(duplicates, vec![1], "the second listing is the repeat");
        let end: Option<i64> = sqlx::query("SELECT end_at FROM airings")
            .fetch_one(store.pool())
            .await
            .and_then(|r| sqlx::Row::try_get(&r, "end_at"))
            .unwrap();
        assert_eq!(end, Some(NINE + 1800));
    }

    #[tokio::test]
    async fn different_programmes_starting_together_are_separate_airings() {
        let store = store().await;
        let together = [
            airing(0, NINE, "Cyberchase", "The Poddleville Case"),
            airing(0, NINE, "Wild Kratts", "Octopus"),
            // Another episode of the same series in the same slot: a clump.
            airing(0, NINE, "Cyberchase", "Fractions"),
        ];
        let (c, duplicates) = run(&store, &together).await;
        assert_eq!(c.added, 3, "{c:?}");
        assert!(duplicates.is_empty());
        assert_eq!(run(&store, &together).await.0, counts(0, 0, 0, 3));
    }

    #[tokio::test]
    async fn a_stored_station_in_another_zone_is_moved_only_when_told() {
        let store = store().await;
        let mut w = ImportWriter::begin(&store, 1, 0).await.unwrap();
        w.station("KERA", "America/Los_Angeles", false)
            .await
            .unwrap();
        w.commit().await.unwrap();
        let mut w = ImportWriter::begin(&store, 2, 0).await.unwrap();
        assert_eq!(
            w.station("KERA", "America/Chicago", false).await.unwrap().1,
            None
        );
        assert_eq!(
            w.correct_zone("KERA", "America/Chicago").await.unwrap(),
            Some("America/Los_Angeles".into())
        );
        assert_eq!(
            w.correct_zone("KERA", "America/Chicago").await.unwrap(),
            None
        );
        w.commit().await.unwrap();
    }
}
