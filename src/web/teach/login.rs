//! `GET/POST /teach/login` and `POST /teach/logout`: signing in and out with a browser session.

use super::{
    form_or_400, safe_next, see_other, signed_in, teach_error, teach_lang, CsrfForm, LangSwitch,
};
use crate::i18n::{Lang, PageStrings};
use crate::store::users;
use crate::web::auth::{self, SignIn};
use crate::web::client::ClientAddr;
use crate::web::error::AppError;
use crate::web::html::{render_page, Caching};
use crate::web::AppState;
use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "teach/login.html")]
pub(super) struct LoginPage {
    lang: Lang,
    p: &'static PageStrings,
    switch: LangSwitch,
    email: String,
    next: String,
    error: Option<String>,
    /// The form's token, also in [`auth::LOGIN_COOKIE`].
    csrf: String,
}

impl LoginPage {
    fn new(lang: Lang, email: String, next: &str, error: Option<String>) -> LoginPage {
        let next = safe_next(next).to_string();
        let back = if next == "/teach" {
            "/teach/login".to_string()
        } else {
            format!("/teach/login?next={}", crate::web::html::url_encode(&next))
        };
        LoginPage {
            lang,
            p: lang.pages(),
            switch: LangSwitch::new(lang, &back),
            email,
            next,
            error,
            csrf: crate::auth::new_token(),
        }
    }

    /// The page with `status`, setting the cookie its token is checked against.
    fn respond(&self, state: &AppState, status: StatusCode) -> Response {
        let mut r = render_page(status, self, Caching::Private);
        if let Ok(v) = HeaderValue::from_str(&auth::login_cookie(state, &self.csrf)) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NextQuery {
    pub(super) next: String,
}

/// `GET /teach/login`
pub(super) async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Response {
    let lang = teach_lang(&headers);
    let next = query.map(|Query(q)| q.next).unwrap_or_default();
    match signed_in(&state, &headers).await {
        Ok(Some(_)) => Redirect::to(safe_next(&next)).into_response(),
        Ok(None) => {
            LoginPage::new(lang, String::new(), &next, None).respond(&state, StatusCode::OK)
        }
        Err(e) => teach_error(lang)(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    next: String,
    csrf: String,
}

/// `POST /teach/login`
pub(super) async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let lang = teach_lang(&headers);
    let result = async {
        let f = form_or_400(form)?;
        let p = lang.pages();
        let refused = |status: StatusCode, message: String| {
            LoginPage::new(lang, f.email.clone(), &f.next, Some(message)).respond(&state, status)
        };
        // The form this came from must be ours: its token matches the cookie set with it.
        let sent = auth::cookie(&headers, auth::LOGIN_COOKIE).unwrap_or_default();
        if sent.is_empty() || !crate::auth::constant_time_eq(&sent, &f.csrf) {
            return Ok(refused(StatusCode::FORBIDDEN, p.login_expired.to_string()));
        }
        let signed = auth::sign_in(
            &state,
            client,
            &f.email,
            &crate::auth::Secret::new(f.password.clone()),
        )
        .await;
        let signed = match signed {
            Err(AppError::TooMany(seconds)) => {
                let mut r = refused(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("{} {seconds} {}", p.too_many_before, p.too_many_after),
                );
                r.headers_mut().insert(header::RETRY_AFTER, seconds.into());
                return Ok(r);
            }
            other => other?,
        };
        match signed {
            SignIn::Ok(user) => {
                let (token, _) = auth::start_session(&state, &user, true).await?;
                let mut r = Redirect::to(safe_next(&f.next)).into_response();
                if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&state, Some(&token))) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
                Ok(r)
            }
            // One answer for a wrong password, an unknown e-mail and a locked account.
            SignIn::Wrong => Ok(refused(
                StatusCode::UNAUTHORIZED,
                format!(
                    "{} {} {} {}",
                    p.wrong_login,
                    p.locked_before,
                    auth::LOCK_MINUTES,
                    p.locked_after
                ),
            )),
        }
    }
    .await;
    result.unwrap_or_else(teach_error(lang))
}

/// `POST /teach/logout`: ends the session and forgets the cookie.
pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let result = async {
        if let Some(a) = signed_in(&state, &headers).await? {
            let f = form_or_400(form)?;
            a.check_csrf(Some(&f.csrf))?;
            if let Some((token, _)) = auth::token_of(&headers) {
                users::delete_session(state.store.pool(), &crate::auth::token_hash(&token)).await?;
            }
        }
        let mut r = see_other("/teach/login");
        if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&state, None)) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        Ok(r)
    }
    .await;
    result.unwrap_or_else(teach_error(teach_lang(&headers)))
}
