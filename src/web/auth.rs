//! Who is asking: a browser session cookie (with a CSRF token for its forms) or an API token
//! (`Authorization: Bearer`). Teacher writes need one; feeds and family pages need none.

use super::error::AppError;
use super::AppState;
use crate::auth;
use crate::store::users::{self, Role, Session, User};
use crate::web::client::ClientAddr;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use chrono::Utc;

/// The session cookie's name.
pub const COOKIE: &str = "lc_session";
/// Browser sessions last this long; API tokens [`API_TOKEN_DAYS`].
pub const SESSION_HOURS: i64 = 12;
pub const API_TOKEN_DAYS: i64 = 30;
/// Failed sign-ins in a row before an account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;

/// A signed-in user, from a cookie or a bearer token.
#[derive(Debug, Clone)]
pub struct Auth {
    pub session: Session,
    /// True when it came from a browser cookie: then every write must carry its CSRF token.
    pub from_cookie: bool,
}

impl Auth {
    pub fn user(&self) -> &User {
        &self.session.user
    }

    pub fn is_admin(&self) -> bool {
        self.session.user.role == Role::Admin
    }

    /// Refuses a browser write whose CSRF token is missing or wrong.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), AppError> {
        if !self.from_cookie {
            return Ok(());
        }
        match sent {
            Some(t) if auth::constant_time_eq(t, &self.session.csrf) => Ok(()),
            _ => Err(AppError::Forbidden(
                "the form's security token is missing or out of date: reload the page and try again"
                    .into(),
            )),
        }
    }

    /// Only the owner of a thing (or an admin) may change it.
    pub fn check_owner(&self, owner_id: i64) -> Result<(), AppError> {
        if self.session.user.id == owner_id || self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "this belongs to another teacher".into(),
            ))
        }
    }
}

/// The value of cookie `name` in the request, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The cookie that carries the sign-in form's token: the form's hidden field must match it
/// (a page on another site can send a form but can neither read nor set this cookie).
pub const LOGIN_COOKIE: &str = "lessoncast_login";

/// `Set-Cookie` for the sign-in form's token, good for an hour on the form's own path.
pub fn login_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{LOGIN_COOKIE}={token}; Path=/teach/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )
}

/// The session token a request carries, and whether it came from the cookie.
pub fn token_of(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some((t.trim().to_string(), false));
        }
    }
    cookie(headers, COOKIE).map(|v| (v, true))
}

pub async fn lookup(state: &AppState, headers: &HeaderMap) -> Result<Option<Auth>, AppError> {
    let Some((token, from_cookie)) = token_of(headers) else {
        return Ok(None);
    };
    if token.len() > 128 {
        return Ok(None);
    }
    let now = Utc::now().timestamp();
    let session = users::session(state.store.pool(), &auth::token_hash(&token), now).await?;
    Ok(session.and_then(|session| {
        // A cookie cannot stand in for an API token or the other way round.
        let matches = (session.kind == "cookie") == from_cookie;
        matches.then_some(Auth {
            session,
            from_cookie,
        })
    }))
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        lookup(state, &parts.headers)
            .await?
            .ok_or(AppError::Unauthorized)
    }
}

/// The outcome of checking an e-mail and password. A locked account is `Wrong` too: the
/// answer must not tell a locked account from an unknown one.
pub enum SignIn {
    Ok(User),
    Wrong,
}

/// Checks credentials, counting failures and locking the account after too many.
///
/// An unknown e-mail, a wrong password and a locked account cost the same work (one password
/// check, behind the app's limit on concurrent checks) and get the same answer, so neither
/// timing nor wording tells which accounts exist or which are locked. Each attempt is counted
/// before its password is checked, so of any number of concurrent guesses at one account at
/// most [`MAX_FAILED_LOGINS`] are checked.
pub async fn sign_in(
    state: &AppState,
    client: ClientAddr,
    email: &str,
    password: &auth::Secret,
) -> Result<SignIn, AppError> {
    // Before anything costs: one network gets so many attempts a minute, whoever it tries.
    state.signins.check(client.0).map_err(|wait| {
        tracing::warn!(client = %client.0, "sign-in attempts over the limit");
        AppError::TooMany(wait.as_secs().max(1))
    })?;
    let email = email.trim().to_ascii_lowercase();
    let pool = state.store.pool();
    let now = Utc::now().timestamp();
    // No account's address holds control characters (PostgreSQL cannot even store a NUL) or
    // runs past 254 bytes: such an address is an unknown one, answered and timed the same.
    let possible = email.len() <= 254 && !email.chars().any(char::is_control);
    let creds = if possible {
        users::credentials(pool, &email).await?
    } else {
        None
    };
    let attempt = match &creds {
        Some(c) => {
            users::begin_attempt(
                pool,
                c.user.id,
                MAX_FAILED_LOGINS,
                now,
                now + LOCK_MINUTES * 60,
            )
            .await?
        }
        None => None,
    };
    // The hash to check against: the account's while it may be tried, else a dummy of the
    // same cost.
    let hash = match (&creds, attempt) {
        (Some(c), Some(_)) => c.password_hash.clone(),
        _ => auth::dummy_hash().to_string(),
    };
    let ok = state.check_password(password.clone(), hash).await?;
    match (creds, attempt) {
        (Some(c), Some(_)) if ok => {
            users::record_success(pool, c.user.id).await?;
            Ok(SignIn::Ok(c.user))
        }
        (Some(c), Some(n)) => {
            tracing::warn!(user = c.user.id, failures = n, "failed sign-in");
            Ok(SignIn::Wrong)
        }
        (Some(c), None) => {
            tracing::warn!(user = c.user.id, "sign-in refused: the account is locked");
            Ok(SignIn::Wrong)
        }
        (None, _) => Ok(SignIn::Wrong),
    }
}

/// Starts a session for `user`; returns the token for the client.
pub async fn start_session(
    state: &AppState,
    user: &User,
    cookie: bool,
) -> Result<(String, String), AppError> {
    let token = auth::new_token();
    let csrf = auth::new_token();
    let now = Utc::now().timestamp();
    let expires = if cookie {
        now + SESSION_HOURS * 3600
    } else {
        now + API_TOKEN_DAYS * 86_400
    };
    users::create_session(
        state.store.pool(),
        &auth::token_hash(&token),
        user.id,
        if cookie { "cookie" } else { "api" },
        &csrf,
        now,
        expires,
    )
    .await?;
    Ok((token, csrf))
}

/// The `Set-Cookie` value for a new browser session (or to clear it with `None`).
pub fn session_cookie(state: &AppState, token: Option<&str>) -> String {
    let secure = if state.config.base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    match token {
        Some(t) => format!(
            "{COOKIE}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            SESSION_HOURS * 3600
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}
