//! What a file's name or URL says of its station and day: `KCET-20200413.json`,
//! `…/tvss/kcet/day/20200413/`.

use crate::domain::keys::us_call_sign;
use chrono::NaiveDate;

/// What a file name (or TVSS URL) says about its station and day.
#[derive(Debug, Default, PartialEq)]
pub(super) struct FileName {
    pub(super) station: Option<String>,
    pub(super) day: Option<NaiveDate>,
    /// A `…/tvss/{callsign}/today/` URL: the day is the day it is fetched.
    pub(super) today: bool,
}

impl FileName {
    pub(super) fn read(file: &str) -> FileName {
        let path = file.split(['?', '#']).next().unwrap_or(file);
        let trimmed = path.trim_end_matches(['/', '\\']);
        let base = trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed);

        // `KCET-20200413.json`: leading letters before `-` or `_`, when they are a call sign
        // (`getListings-20190704.json` names no station).
        let letters = base.bytes().take_while(u8::is_ascii_alphabetic).count();
        let mut station = match base.as_bytes().get(letters) {
            Some(b'-' | b'_') if letters > 0 => {
                let upper = base[..letters].to_ascii_uppercase();
                us_call_sign(&upper).map(str::to_string)
            }
            _ => None,
        };
        let mut day = eight_digit_runs(base).find_map(day_from_key);
        let mut today = false;

        // `…/tvss/{callsign}/day/{YYYYMMDD}/` or `…/tvss/{callsign}/today/`
        if let Some(i) = path.find("/tvss/") {
            let mut parts = path[i + "/tvss/".len()..].split('/');
            let call = parts.next().unwrap_or("");
            if station.is_none()
                && !call.is_empty()
                && call.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                station = Some(call.to_ascii_uppercase());
            }
            match parts.next() {
                Some("day") if day.is_none() => day = parts.next().and_then(day_from_key),
                Some("today") => today = day.is_none(),
                _ => {}
            }
        }
        FileName {
            station,
            day,
            today,
        }
    }
}

/// Maximal runs of exactly eight ASCII digits.
pub(super) fn eight_digit_runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 8)
}

pub(super) fn is_day_key(key: &str) -> bool {
    key.len() == 8 && key.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYYMMDD` → a date, if it is one.
pub(super) fn day_from_key(key: &str) -> Option<NaiveDate> {
    if !is_day_key(key) {
        return None;
    }
    let y = key[..4].parse().ok()?;
    let m = key[4..6].parse().ok()?;
    let d = key[6..].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}
