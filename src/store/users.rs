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

/// Records a failed sign-in; after `max` in a row the account is locked until `lock_until`.
pub async fn record_failure(
    pool: &AnyPool,
    user_id: i64,
    max: i64,
    lock_until: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET failed_logins = failed_logins + 1, \
         locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END \
         WHERE id = $3",
    )
    .bind(max)
    .bind(lock_until)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(())
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
