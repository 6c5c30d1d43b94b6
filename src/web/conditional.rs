//! Validators and conditional requests (RFC 9110 §13), for feeds and packets: calendar apps
//! re-poll every few hours, and a 304 costs neither rendering nor bandwidth.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use chrono::{DateTime, Utc};
use std::convert::Infallible;

/// Whether `If-None-Match` names one of `etags` (or `*`); weak tags compare by their value.
/// `None` when the request has no `If-None-Match`.
pub fn none_match(headers: &HeaderMap, etags: &[&str]) -> Option<bool> {
    none_match_value(headers.get(header::IF_NONE_MATCH)?, etags)
}

fn none_match_value(inm: &HeaderValue, etags: &[&str]) -> Option<bool> {
    let inm = inm.to_str().ok()?;
    Some(inm.split(',').map(str::trim).any(|t| {
        let t = t.trim_start_matches("W/");
        t == "*" || etags.contains(&t)
    }))
}

/// What a GET of a feed brings that its answer depends on: the validators of the copy the
/// client has, and whether it takes gzip. Taken out of the request's headers as an extractor
/// (each value a shared slice of the request), where a `HeaderMap` extractor copies the whole map.
#[derive(Debug, Default, Clone)]
pub struct Asked {
    pub if_none_match: Option<HeaderValue>,
    pub if_modified_since: Option<HeaderValue>,
    pub gzip: bool,
}

impl Asked {
    pub fn from_headers(headers: &HeaderMap) -> Asked {
        Asked {
            if_none_match: headers.get(header::IF_NONE_MATCH).cloned(),
            if_modified_since: headers.get(header::IF_MODIFIED_SINCE).cloned(),
            gzip: accepts_gzip(headers),
        }
    }

    /// Whether the client's copy is current: `If-None-Match` wins when both validators
    /// come; Apple Calendar sends only `If-Modified-Since`.
    pub fn not_modified(&self, etags: &[&str], modified: DateTime<Utc>) -> bool {
        not_modified(
            self.if_none_match.as_ref(),
            self.if_modified_since.as_ref(),
            etags,
            modified,
        )
    }
}

/// [`Asked::not_modified`] on the request's own header values.
pub fn not_modified(
    if_none_match: Option<&HeaderValue>,
    if_modified_since: Option<&HeaderValue>,
    etags: &[&str],
    modified: DateTime<Utc>,
) -> bool {
    if let Some(matched) = if_none_match.and_then(|v| none_match_value(v, etags)) {
        return matched;
    }
    if_modified_since
        .and_then(|v| v.to_str().ok())
        .and_then(|ims| DateTime::parse_from_rfc2822(ims).ok())
        .is_some_and(|since| modified.timestamp() <= since.timestamp())
}

impl<S: Send + Sync> FromRequestParts<S> for Asked {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Asked::from_headers(&parts.headers))
    }
}

/// Whether `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|enc| {
            let mut parts = enc.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

/// An instant as an HTTP date (`Tue, 14 Apr 2020 16:00:00 GMT`).
pub fn http_date(t: DateTime<Utc>) -> String {
    t.format(crate::feeds::HTTP_DATE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn if_none_match_wins_over_if_modified_since() {
        let mut h = HeaderMap::new();
        let t = DateTime::from_timestamp(1_586_880_000, 0).unwrap();
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&http_date(t)).unwrap(),
        );
        assert!(Asked::from_headers(&h).not_modified(&["\"a\""], t));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("W/\"b\", \"c\""),
        );
        assert!(!Asked::from_headers(&h).not_modified(&["\"a\""], t));
        assert!(Asked::from_headers(&h).not_modified(&["\"a\"", "\"c\""], t));
        assert!(Asked::from_headers(&h).not_modified(&["\"b\""], t));
    }
}
