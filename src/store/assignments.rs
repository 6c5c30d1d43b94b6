//! Assignments, their links, and classes.

use super::{get, instant, StoreError};
use crate::domain::{Assignment, AssignmentFields, GradeSet, Link};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Transaction};
use std::collections::HashMap;

/// Marks the data feeds show as changed (inside the transaction that changed it).
pub async fn bump_version(tx: &mut Transaction<'_, Any>, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE data_version SET version = version + 1, changed_at = $1 WHERE id = 1")
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const SELECT: &str = "SELECT a.id, a.owner_id, u.email AS owner_email, a.class_id, a.title, \
    a.title_es, a.instructions, a.instructions_es, a.materials, a.materials_es, a.minutes, \
    a.grades, a.due, a.created_at, a.updated_at, a.deleted_at FROM assignments a JOIN users u ON u.id = a.owner_id";

fn from_row(r: &AnyRow) -> Result<Assignment, StoreError> {
    let due: Option<String> = get(r, "due")?;
    let deleted: Option<i64> = get(r, "deleted_at")?;
    Ok(Assignment {
        id: get(r, "id")?,
        owner_id: get(r, "owner_id")?,
        owner_email: get(r, "owner_email")?,
        class_id: get(r, "class_id")?,
        fields: AssignmentFields {
            title: get(r, "title")?,
            title_es: get(r, "title_es")?,
            instructions: get(r, "instructions")?,
            instructions_es: get(r, "instructions_es")?,
            materials: get(r, "materials")?,
            materials_es: get(r, "materials_es")?,
            minutes: get(r, "minutes")?,
            grades: GradeSet::from_bits(get::<i64>(r, "grades")? as u32),
            due: due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        },
        links: Vec::new(),
        created_at: instant(get(r, "created_at")?)?,
        updated_at: instant(get(r, "updated_at")?)?,
        deleted_at: deleted.map(instant).transpose()?,
    })
}

fn link_from_row(r: &AnyRow) -> Result<(i64, Link), StoreError> {
    let scope: String = get(r, "scope")?;
    let link = match scope.as_str() {
        "airing" => Link::Airing(
            get::<Option<i64>>(r, "airing_id")?
                .ok_or_else(|| StoreError::Corrupt("airing link without airing".into()))?,
        ),
        "episode" => Link::Episode(
            get::<Option<String>>(r, "episode_key")?
                .ok_or_else(|| StoreError::Corrupt("episode link without key".into()))?,
        ),
        "series" => Link::Series(
            get::<Option<String>>(r, "series_key")?
                .ok_or_else(|| StoreError::Corrupt("series link without key".into()))?,
        ),
        other => return Err(StoreError::Corrupt(format!("link scope {other}"))),
    };
    Ok((get(r, "assignment_id")?, link))
}

async fn attach_links(pool: &AnyPool, list: &mut [Assignment]) -> Result<(), StoreError> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = list.iter().map(|a| a.id.to_string()).collect();
    // Ids are our own integers, so they are safe to write into the statement.
    let sql = format!(
        "SELECT assignment_id, scope, airing_id, episode_key, series_key FROM assignment_links \
         WHERE assignment_id IN ({}) ORDER BY id",
        ids.join(", ")
    );
    let rows = sqlx::query(&sql).fetch_all(pool).await?;
    let mut by_id: HashMap<i64, Vec<Link>> = HashMap::new();
    for r in &rows {
        let (id, link) = link_from_row(r)?;
        by_id.entry(id).or_default().push(link);
    }
    for a in list {
        a.links = by_id.remove(&a.id).unwrap_or_default();
    }
    Ok(())
}

fn write_fields<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    f: &'q AssignmentFields,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(f.title.as_str())
        .bind(f.title_es.as_deref())
        .bind(f.instructions.as_str())
        .bind(f.instructions_es.as_deref())
        .bind(f.materials.as_deref())
        .bind(f.minutes)
        .bind(f.grades.bits() as i64)
        .bind(f.due.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(f.materials_es.as_deref())
}

async fn insert_links(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    links: &[Link],
) -> Result<(), StoreError> {
    for link in links {
        let (airing, episode, series) = match link {
            Link::Airing(a) => (Some(*a), None, None),
            Link::Episode(e) => (None, Some(e.as_str()), None),
            Link::Series(s) => (None, None, Some(s.as_str())),
        };
        sqlx::query(
            "INSERT INTO assignment_links (assignment_id, scope, airing_id, episode_key, series_key) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(link.scope())
        .bind(airing)
        .bind(episode)
        .bind(series)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn create(
    pool: &AnyPool,
    owner_id: i64,
    class_id: Option<i64>,
    fields: &AssignmentFields,
    links: &[Link],
    now: i64,
) -> Result<Assignment, StoreError> {
    let mut tx = super::begin_write(pool).await?;
    let q = sqlx::query(
        "INSERT INTO assignments (title, title_es, instructions, instructions_es, materials, \
         minutes, grades, due, materials_es, owner_id, class_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    );
    let row = write_fields(q, fields)
        .bind(owner_id)
        .bind(class_id)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    let id: i64 = get(&row, "id")?;
    insert_links(&mut tx, id, links).await?;
    bump_version(&mut tx, now).await?;
    tx.commit().await?;
    find(pool, id).await
}

/// How many live (not deleted) assignments `owner_id` has, leaving out `except`.
pub async fn count_live(
    pool: &AnyPool,
    owner_id: i64,
    except: Option<i64>,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM assignments WHERE owner_id = $1 AND deleted_at IS NULL \
         AND id <> $2",
    )
    .bind(owner_id)
    .bind(except.unwrap_or(0))
    .fetch_one(pool)
    .await?;
    get(&row, "n")
}

/// How many of `owner_id`'s live assignments, `except` left out, are linked to `link`.
pub async fn count_on(
    pool: &AnyPool,
    owner_id: i64,
    link: &Link,
    except: Option<i64>,
) -> Result<i64, StoreError> {
    let (column, value) = match link {
        Link::Airing(a) => ("airing_id", a.to_string()),
        Link::Episode(e) => ("episode_key", e.clone()),
        Link::Series(s) => ("series_key", s.clone()),
    };
    // The column is one of three names above, never input; the value is bound.
    let sql = format!(
        "SELECT COUNT(DISTINCT a.id) AS n FROM assignments a \
         JOIN assignment_links l ON l.assignment_id = a.id \
         WHERE a.owner_id = $1 AND a.deleted_at IS NULL AND a.id <> $2 \
         AND l.scope = $3 AND CAST(l.{column} AS TEXT) = $4"
    );
    let row = sqlx::query(&sql)
        .bind(owner_id)
        .bind(except.unwrap_or(0))
        .bind(link.scope())
        .bind(value)
        .fetch_one(pool)
        .await?;
    get(&row, "n")
}

/// How many classes `owner_id` has.
pub async fn count_classes(pool: &AnyPool, owner_id: i64) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM classes WHERE owner_id = $1")
        .bind(owner_id)
        .fetch_one(pool)
        .await?;
    get(&row, "n")
}

/// One assignment with its links, deleted or not.
pub async fn find(pool: &AnyPool, id: i64) -> Result<Assignment, StoreError> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut list = vec![from_row(&row)?];
    attach_links(pool, &mut list).await?;
    list.pop().ok_or(StoreError::NotFound)
}

/// A teacher's assignments (all of them for `None`), newest first; deleted ones only if asked.
pub async fn list(
    pool: &AnyPool,
    owner_id: Option<i64>,
    include_deleted: bool,
) -> Result<Vec<Assignment>, StoreError> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    if owner_id.is_some() {
        sql.push_str(" AND a.owner_id = $1");
    }
    if !include_deleted {
        sql.push_str(" AND a.deleted_at IS NULL");
    }
    sql.push_str(" ORDER BY a.updated_at DESC, a.id DESC");
    let mut q = sqlx::query(&sql);
    if let Some(o) = owner_id {
        q = q.bind(o);
    }
    let rows = q.fetch_all(pool).await?;
    let mut list = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    attach_links(pool, &mut list).await?;
    Ok(list)
}

/// Replaces an assignment's fields, and its links when `links` is given.
pub async fn update(
    pool: &AnyPool,
    id: i64,
    fields: &AssignmentFields,
    class_id: Option<Option<i64>>,
    links: Option<&[Link]>,
    now: i64,
) -> Result<Assignment, StoreError> {
    let mut tx = super::begin_write(pool).await?;
    let q = sqlx::query(
        "UPDATE assignments SET title = $1, title_es = $2, instructions = $3, \
         instructions_es = $4, materials = $5, minutes = $6, grades = $7, due = $8, \
         materials_es = $9, updated_at = $10 WHERE id = $11",
    );
    write_fields(q, fields)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if let Some(class) = class_id {
        sqlx::query("UPDATE assignments SET class_id = $1 WHERE id = $2")
            .bind(class)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(links) = links {
        sqlx::query("DELETE FROM assignment_links WHERE assignment_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_links(&mut tx, id, links).await?;
    }
    bump_version(&mut tx, now).await?;
    tx.commit().await?;
    find(pool, id).await
}

/// Soft delete (`deleted` true, recorded with who and when) or undo it.
pub async fn set_deleted(
    pool: &AnyPool,
    id: i64,
    deleted: bool,
    by: i64,
    now: i64,
) -> Result<Assignment, StoreError> {
    let mut tx = super::begin_write(pool).await?;
    if deleted {
        sqlx::query(
            "UPDATE assignments SET deleted_at = $1, deleted_by = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(now)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "UPDATE assignments SET deleted_at = NULL, deleted_by = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    bump_version(&mut tx, now).await?;
    tx.commit().await?;
    find(pool, id).await
}

/// Every live assignment with its links, for rendering feeds and pages.
pub async fn live(pool: &AnyPool) -> Result<Vec<Assignment>, StoreError> {
    list(pool, None, false).await
}

/// A class of a teacher, with its feed token.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub grades: GradeSet,
    pub token: String,
}

fn class_from_row(r: &AnyRow) -> Result<Class, StoreError> {
    Ok(Class {
        id: get(r, "id")?,
        owner_id: get(r, "owner_id")?,
        name: get(r, "name")?,
        grades: GradeSet::from_bits(get::<i64>(r, "grades")? as u32),
        token: get(r, "token")?,
    })
}

pub async fn create_class(
    pool: &AnyPool,
    owner_id: i64,
    name: &str,
    grades: GradeSet,
    token: &str,
    now: i64,
) -> Result<Class, StoreError> {
    let row = sqlx::query(
        "INSERT INTO classes (owner_id, name, grades, token, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, owner_id, name, grades, token",
    )
    .bind(owner_id)
    .bind(name)
    .bind(grades.bits() as i64)
    .bind(token)
    .bind(now)
    .bind(now)
    .fetch_one(pool)
    .await?;
    class_from_row(&row)
}

pub async fn classes_of(pool: &AnyPool, owner_id: i64) -> Result<Vec<Class>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, owner_id, name, grades, token FROM classes WHERE owner_id = $1 ORDER BY name",
    )
    .bind(owner_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(class_from_row).collect()
}

pub async fn class(pool: &AnyPool, id: i64) -> Result<Class, StoreError> {
    let row = sqlx::query("SELECT id, owner_id, name, grades, token FROM classes WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    class_from_row(&row)
}

pub async fn class_by_token(pool: &AnyPool, token: &str) -> Result<Option<Class>, StoreError> {
    let row = sqlx::query("SELECT id, owner_id, name, grades, token FROM classes WHERE token = $1")
        .bind(token)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(class_from_row).transpose()
}

/// Gives a class a new feed token; the old feed link stops working.
pub async fn renew_class_token(
    pool: &AnyPool,
    id: i64,
    token: &str,
    now: i64,
) -> Result<Class, StoreError> {
    let mut tx = super::begin_write(pool).await?;
    sqlx::query("UPDATE classes SET token = $1, updated_at = $2 WHERE id = $3")
        .bind(token)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    bump_version(&mut tx, now).await?;
    tx.commit().await?;
    class(pool, id).await
}
