//! Validators and conditional requests (RFC 9110 §13), for feeds and packets: calendar apps
//! re-poll every few hours, and a 304 costs neither rendering nor bandwidth.

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Utc};

/// Whether `If-None-Match` names one of `etags` (or `*`); weak tags compare by their value.
/// `None` when the request has no `If-None-Match`.
pub fn none_match(headers: &HeaderMap, etags: &[&str]) -> Option<bool> {
    let inm = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    Some(inm.split(',').map(str::trim).any(|t| {
        let t = t.trim_start_matches("W/");
        t == "*" || etags.contains(&t)
    }))
}

/// Whether the client's copy is current: `If-None-Match` wins when both validators come;
/// Apple Calendar sends only `If-Modified-Since`.
pub fn not_modified(headers: &HeaderMap, etags: &[&str], modified: DateTime<Utc>) -> bool {
    if let Some(matched) = none_match(headers, etags) {
        return matched;
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ims| DateTime::parse_from_rfc2822(ims).ok())
        .is_some_and(|since| modified.timestamp() <= since.timestamp())
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
        assert!(not_modified(&h, &["\"a\""], t));
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("W/\"b\", \"c\""),
        );
        assert!(!not_modified(&h, &["\"a\""], t));
        assert!(not_modified(&h, &["\"a\"", "\"c\""], t));
        assert!(not_modified(&h, &["\"b\""], t));
    }
}
