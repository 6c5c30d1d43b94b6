//! What XMLTV's attributes and small elements say: languages, lengths, Spanish, episode numbers,
//! channel numbers.

use super::programme::{ChannelInfo, Lang};
use crate::domain::keys::us_call_sign;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::BytesStart;
use std::borrow::Cow;

/// The raw value of attribute `key`, if the tag has it.
pub(super) fn attr_bytes<'a>(
    e: &'a BytesStart<'_>,
    key: &[u8],
) -> Result<Option<Cow<'a, [u8]>>, AttrError> {
    for attr in e.attributes().with_checks(false) {
        let attr = attr?;
        if attr.key.as_ref() == key {
            return Ok(Some(attr.value));
        }
    }
    Ok(None)
}

pub(super) fn classify_lang(lang: Option<&[u8]>) -> Lang {
    let lang = lang.map(<[u8]>::trim_ascii).unwrap_or_default();
    let is = |two: &[u8], three: &[u8]| {
        lang.eq_ignore_ascii_case(two)
            || lang.eq_ignore_ascii_case(three)
            || (lang.len() > 2
                && lang[..2].eq_ignore_ascii_case(two)
                && matches!(lang[2], b'-' | b'_'))
    };
    if lang.is_empty() || is(b"en", b"eng") {
        Lang::English
    } else if is(b"es", b"spa") {
        Lang::Spanish
    } else {
        Lang::Other
    }
}

pub(super) fn length_unit(units: Option<&[u8]>) -> Option<u32> {
    match units.map(<[u8]>::trim_ascii) {
        Some(b"seconds") => Some(1),
        Some(b"minutes") => Some(60),
        Some(b"hours") => Some(3600),
        _ => None,
    }
}

/// Seconds in a `<length>` of `units` seconds each.
pub(super) fn length_seconds(value: &str, units: Option<u32>) -> Result<i64, String> {
    let units = units.ok_or_else(|| {
        "<length> needs units=\"seconds\", \"minutes\" or \"hours\": ignored".to_string()
    })?;
    match value.parse::<f64>() {
        // A length longer than a year is a mistake, not a programme.
        Ok(n) if n.is_finite() && n >= 0.0 && n * f64::from(units) <= 366.0 * 86_400.0 => {
            Ok((n * f64::from(units)).round() as i64)
        }
        _ => {
            let unit = match units {
                1 => "seconds",
                60 => "minutes",
                _ => "hours",
            };
            Err(format!(
                "length \"{value}\" is not a number of {unit}: ignored"
            ))
        }
    }
}

pub(super) fn is_spanish(language: &str) -> bool {
    let l = language.trim().to_lowercase();
    matches!(l.as_str(), "es" | "spa" | "spanish" | "español" | "espanol")
        || l.starts_with("es-")
        || l.starts_with("es_")
}

/// `xmltv_ns` (`season.episode.part`, each counted from 0, each optionally `n/total` or empty)
/// as `S2E12`, `S2` or `E12`; `None` when it gives neither season nor episode.
pub(super) fn xmltv_ns_episode(value: &str) -> Result<Option<String>, ()> {
    let compact: Cow<'_, str> = if value.contains(char::is_whitespace) {
        Cow::Owned(value.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        Cow::Borrowed(value)
    };
    let mut parts = compact.split('.');
    let mut number = || -> Result<Option<u64>, ()> {
        let part = parts.next().unwrap_or("");
        let n = part.split_once('/').map_or(part, |(n, _total)| n);
        if n.is_empty() {
            Ok(None)
        } else {
            n.parse::<u64>()
                .map(|n| Some(n.saturating_add(1)))
                .map_err(|_| ())
        }
    };
    let season = number()?;
    let episode = number()?;
    Ok(match (season, episode) {
        (Some(s), Some(e)) => Some(format!("S{s}E{e}")),
        (Some(s), None) => Some(format!("S{s}")),
        (None, Some(e)) => Some(format!("E{e}")),
        (None, None) => None,
    })
}

/// Station, channel number and name of a `<channel>`, from its id, display names and `<lcn>`;
/// `station` (the `--station` option) overrides the call sign.
pub(super) fn derive_channel(
    id: &str,
    names: &[String],
    lcn: Option<&str>,
    station: Option<&str>,
) -> ChannelInfo {
    let channel = lcn
        .map(|lcn| bare_channel_number(lcn).unwrap_or_else(|| lcn.trim().to_string()))
        .or_else(|| names.iter().find_map(|n| bare_channel_number(n)))
        .or_else(|| {
            names
                .iter()
                .find_map(|n| n.split_whitespace().next().and_then(bare_channel_number))
        })
        .unwrap_or_else(|| id.to_string());
    let station = match station {
        Some(station) => station.trim().to_uppercase(),
        None => names
            .iter()
            .flat_map(|n| n.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')))
            .find_map(us_call_sign)
            .or_else(|| {
                id.split(|c: char| !c.is_ascii_alphanumeric())
                    .find_map(us_call_sign)
            })
            .map(str::to_string)
            .or_else(|| names.first().map(|n| n.to_uppercase()))
            .unwrap_or_else(|| id.to_string()),
    };
    let name = names
        .iter()
        .find(|n| bare_channel_number(n).is_none())
        .cloned();
    ChannelInfo {
        station,
        channel,
        name,
    }
}

/// `28`, `28.1` or `28-1` (written `28.1`), else `None`.
pub(super) fn bare_channel_number(text: &str) -> Option<String> {
    let text = text.trim();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once(['.', '-']) {
        Some((major, minor)) if all_digits(major) && all_digits(minor) => {
            Some(format!("{major}.{minor}"))
        }
        None if all_digits(text) => Some(text.to_string()),
        _ => None,
    }
}
