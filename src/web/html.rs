//! What every HTML page shares: rendering with headers that keep it safe, error pages, the
//! `grade` and `week` parameters, and airings' local days, times and channels.

use crate::domain::{Airing, Grade, Week};
use crate::web::error::AppError;
// Text in the page's language, or in English (and marked so) where no translation was given.
use crate::i18n::{Lang, PageStrings};
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// Scripts are never needed, so none may run; styles are the base layout's inline block.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Who may keep a copy of a page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caching {
    /// Family pages: the same for everyone asking in the same language.
    Public,
    /// Teacher pages: one person's, with a CSRF token in them.
    Private,
}

/// Renders `page` as an HTML response with headers that keep it safe.
pub(crate) fn render_page<T: Template>(status: StatusCode, page: &T, caching: Caching) -> Response {
    let body = match page.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "something went wrong on our side; please try again later\n",
            )
                .into_response();
        }
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    match caching {
        Caching::Public => {
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        }
        Caching::Private => {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    r
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: Lang,
    p: &'static PageStrings,
    status: u16,
    message: String,
    back_url: &'a str,
    back_label: &'a str,
}

/// An error as a small HTML page in `lang`, with a way back to `back_url`.
pub(crate) fn error_page(lang: Lang, e: AppError, back_url: &str, back_label: &str) -> Response {
    let status = e.status();
    // Our own failures are said in the page's language; the rest were written in it.
    let message = match &e {
        AppError::Internal(_) => lang.pages().internal_error.to_string(),
        _ => e.public_message(),
    };
    let page = ErrorPage {
        lang,
        p: lang.pages(),
        status: status.as_u16(),
        message,
        back_url,
        back_label,
    };
    render_page(status, &page, Caching::Private)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for a query value.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `https://host/path` → `webcal://host/path`, which calendar apps open as a subscription.
pub(crate) fn webcal(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    format!("webcal://{rest}")
}

/// A `week` parameter: empty or absent is the current week in `tz`.
pub(crate) fn parse_week(lang: Lang, raw: Option<&str>, tz: Tz) -> Result<Week, AppError> {
    match raw.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(Week::containing(Utc::now().with_timezone(&tz).date_naive())),
        Some(w) => w.parse().map_err(|e| {
            let p = lang.pages();
            let why = match e {
                crate::domain::WeekError::NotADate(_) => p.bad_week,
                crate::domain::WeekError::OutOfRange(_) => p.week_out_of_range,
            };
            AppError::BadRequest(format!("week: `{}` {why}", shown(w)))
        }),
    }
}

/// A `grade` parameter: empty or absent is no grade.
pub(crate) fn parse_grade(lang: Lang, raw: Option<&str>) -> Result<Option<Grade>, AppError> {
    match raw.map(str::trim).filter(|g| !g.is_empty()) {
        None => Ok(None),
        Some(g) => g.parse::<Grade>().map(Some).map_err(|_| {
            AppError::BadRequest(format!("grade: `{}` {}", shown(g), lang.pages().bad_grade))
        }),
    }
}

/// A value from the address as an error message shows it: at most 40 characters.
pub(crate) fn shown(value: &str) -> String {
    match value.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_string(),
    }
}

/// Airings grouped by their local day, in order.
pub(crate) fn by_local_day(list: &[Airing], tz: Tz) -> Vec<(NaiveDate, Vec<&Airing>)> {
    let mut days: Vec<(NaiveDate, Vec<&Airing>)> = Vec::new();
    for a in list {
        let d = a.start.with_timezone(&a.zone(tz)).date_naive();
        match days.last_mut() {
            Some((day, items)) if *day == d => items.push(a),
            _ => days.push((d, vec![a])),
        }
    }
    days
}

/// "9:00 AM" for an instant, in `tz`.
pub(crate) fn clock(lang: Lang, t: DateTime<Utc>, tz: Tz) -> String {
    lang.clock(t.with_timezone(&tz).time())
}

/// "KCET 28.1 (KCET Kids)".
pub(crate) fn channel_label(a: &Airing) -> String {
    match a.channel_name.as_deref().filter(|n| *n != a.station) {
        Some(n) => format!("{} {} ({n})", a.station, a.channel),
        None => format!("{} {}", a.station, a.channel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_out_of_range_are_refused_not_overflowed() {
        let tz = chrono_tz::America::Los_Angeles;
        assert_eq!(
            parse_week(Lang::En, Some("2020-04-15"), tz)
                .unwrap()
                .to_string(),
            "2020-04-13"
        );
        assert!(parse_week(Lang::En, Some("262143-12-31"), tz).is_err());
        assert!(parse_week(Lang::En, Some("0001-01-01"), tz).is_err());
        assert!(parse_week(Lang::En, Some("soon"), tz).is_err());
    }
}
