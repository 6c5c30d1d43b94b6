//! Accounts, sessions and API tokens. Passwords and tokens arrive here already hashed.

use super::{get, StoreError};
use sqlx::AnyPool;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Teacher,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Teacher => "teacher",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "teacher" => Some(Role::Teacher),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub role: Role,
}

/// An account with what sign-in needs to check.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: i64,
}

/// A signed-in session (browser cookie or API token) and its user.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user: User,
    pub csrf: String,
    pub kind: String,
}

fn user_from(r: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let role: String = get(r, "role")?;
    Ok(User {
        id: get(r, "id")?,
        email: get(r, "email")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
    })
}

pub async fn create(
    pool: &AnyPool,
    email: &str,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<User, StoreError> {
    let row = sqlx::query(
        "INSERT INTO users (email, password_hash, role, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, email, role",
    )
    .bind(email)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists,
        _ => StoreError::Sqlx(e),
    })?;
    user_from(&row)
}

pub async fn credentials(pool: &AnyPool, email: &str) -> Result<Option<Credentials>, StoreError> {
    let row = sqlx::query(
        "SELECT id, email, role, password_hash, failed_logins, locked_until FROM users \
         WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Credentials {
            user: user_from(&r)?,
            password_hash: get(&r, "password_hash")?,
            failed_logins: get(&r, "failed_logins")?,
            locked_until: get(&r, "locked_until")?,
        })
    })
    .transpose()
}

/// Counts a sign-in attempt as failed before its password is checked, atomically, so that
/// concurrent guesses cannot all be checked: `None` when the account is locked (nothing is
/// counted), else the failures in a row including this one. The attempt that makes `max`
/// locks the account until `lock_until`; after a lock has run out the count starts again.
/// A correct password then clears the count with [`record_success`].
pub async fn begin_attempt(
    pool: &AnyPool,
    user_id: i64,
    max: i64,
    now: i64,
    lock_until: i64,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "UPDATE users SET \
         failed_logins = CASE WHEN locked_until > 0 THEN 1 ELSE failed_logins + 1 END, \
         locked_until = CASE WHEN (CASE WHEN locked_until > 0 THEN 1 ELSE failed_logins + 1 END) >= $1 \
                        THEN $2 ELSE 0 END \
         WHERE id = $3 AND locked_until <= $4 RETURNING failed_logins",
    )
    .bind(max)
    .bind(lock_until)
    .bind(user_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| get(&r, "failed_logins")).transpose()
}

pub async fn record_success(pool: &AnyPool, user_id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn create_session(
    pool: &AnyPool,
    token_hash: &str,
    user_id: i64,
    kind: &str,
    csrf: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(kind)
    .bind(csrf)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The live session with this token hash, if any.
pub async fn session(
    pool: &AnyPool,
    token_hash: &str,
    now: i64,
) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(
        "SELECT s.id AS session_id, s.csrf, s.kind, u.id, u.email, u.role FROM sessions s \
         JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Session {
            id: get(&r, "session_id")?,
            csrf: get(&r, "csrf")?,
            kind: get(&r, "kind")?,
            user: user_from(&r)?,
        })
    })
    .transpose()
}

pub async fn delete_session(pool: &AnyPool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets expired sessions.
pub async fn purge_sessions(pool: &AnyPool, now: i64) -> Result<u64, StoreError> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(r.rows_affected())
}

pub async fn list(pool: &AnyPool) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query("SELECT id, email, role FROM users ORDER BY email")
        .fetch_all(pool)
        .await?;
    rows.iter().map(user_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn attempts_are_counted_before_the_check_and_a_lock_that_ran_out_starts_afresh() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let pool = store.pool();
        let u = create(pool, "t@school.test", "hash", Role::Teacher, 0)
            .await
            .unwrap();
        let attempt = |now: i64| begin_attempt(pool, u.id, 5, now, now + 900);
        for n in 1..=5 {
            assert_eq!(attempt(100).await.unwrap(), Some(n));
        }
        // Locked: nothing more is counted, so nothing more is checked.
        assert_eq!(attempt(101).await.unwrap(), None);
        assert_eq!(attempt(999).await.unwrap(), None);
        // The lock ran out: one wrong password is the first of five again, not a new lock.
        assert_eq!(attempt(1000).await.unwrap(), Some(1));
        assert_eq!(attempt(1001).await.unwrap(), Some(2));
        record_success(pool, u.id).await.unwrap();
        assert_eq!(attempt(1002).await.unwrap(), Some(1));
    }
}
