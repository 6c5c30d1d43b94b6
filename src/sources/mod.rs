//! Schedule sources: what to fetch, how often, and the rules their fields follow. The store
//! keeps them, [`run`] fetches and imports one, the jobs run them on their cron; the CLI, the
//! API and `/admin` all edit them through [`SourceSpec::check`].

pub mod run;

use crate::import::Format;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

/// Every 6 hours, on the hour (the cron has a seconds field).
pub const DEFAULT_CRON: &str = "0 0 */6 * * *";
/// Days a TVSS source fetches: today and the next 13.
pub const DEFAULT_DAYS: u32 = 14;
/// The most days a TVSS source may fetch on each run.
pub const MAX_DAYS: u32 = 31;

/// What a source is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A URL (or a file or directory on the server) re-read whole each time.
    Url,
    /// The PBS TV Schedules Service: a call sign, fetched one day at a time.
    Tvss,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Tvss => "tvss",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "url" => Some(Kind::Url),
            "tvss" => Some(Kind::Tvss),
            _ => None,
        }
    }
}

/// A source as an admin describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    pub kind: Kind,
    /// The URL or path (`url`), or the call sign (`tvss`, upper case).
    pub location: String,
    pub format: Format,
    pub station: Option<String>,
    pub tz: Option<Tz>,
    pub cron: String,
    pub days: u32,
    pub kids: bool,
    pub enabled: bool,
}

/// A field an admin got wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SpecError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> SpecError {
    SpecError {
        field,
        message: message.into(),
    }
}

impl SourceSpec {
    /// A source of `kind` at `location` with the defaults for the rest.
    pub fn new(name: &str, kind: Kind, location: &str) -> SourceSpec {
        SourceSpec {
            name: name.to_string(),
            kind,
            location: location.to_string(),
            format: if kind == Kind::Tvss {
                Format::Tvss
            } else {
                Format::Auto
            },
            station: None,
            tz: None,
            cron: DEFAULT_CRON.to_string(),
            days: DEFAULT_DAYS,
            kids: false,
            enabled: true,
        }
    }

    /// Checks every field and puts it in its usual form (trimmed, call signs upper case).
    pub fn check(mut self) -> Result<SourceSpec, SpecError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > 80 {
            return Err(bad("name", "give the source a name of 1 to 80 characters"));
        }
        if self.name.chars().any(char::is_control) {
            return Err(bad("name", "a name may not hold control characters"));
        }
        self.location = self.location.trim().to_string();
        match self.kind {
            Kind::Url => {
                if self.location.is_empty() || self.location.len() > 2000 {
                    return Err(bad(
                        "location",
                        "give the schedule's http(s):// URL (or a path on the server), at most \
                         2,000 characters",
                    ));
                }
                if self.location.chars().any(char::is_control) {
                    return Err(bad("location", "a URL may not hold control characters"));
                }
                if self.location.contains("://")
                    && !(self.location.starts_with("http://")
                        || self.location.starts_with("https://"))
                {
                    return Err(bad(
                        "location",
                        "only http:// and https:// URLs are fetched",
                    ));
                }
            }
            Kind::Tvss => {
                self.location = self.location.to_ascii_uppercase();
                let ok = (3..=8).contains(&self.location.len())
                    && self.location.chars().all(|c| c.is_ascii_alphanumeric());
                if !ok {
                    return Err(bad(
                        "location",
                        "a TVSS source is a station's call sign, 3 to 8 letters or digits \
                         (KCET, WNET)",
                    ));
                }
                self.format = Format::Tvss;
                if self.station.is_none() {
                    self.station = Some(self.location.clone());
                }
            }
        }
        if let Some(s) = &self.station {
            let s = s.trim().to_ascii_uppercase();
            if s.is_empty() || s.len() > 32 || s.chars().any(char::is_control) {
                return Err(bad("station", "a call sign of 1 to 32 characters"));
            }
            self.station = Some(s);
        }
        self.cron = self.cron.trim().to_string();
        parse_cron(&self.cron).map_err(|m| bad("cron", m))?;
        if !(1..=MAX_DAYS).contains(&self.days) {
            return Err(bad("days", format!("from 1 to {MAX_DAYS} days")));
        }
        Ok(self)
    }

    /// The URLs a TVSS source fetches on `today` (in the station's zone): one a day, for
    /// `days` days from `today`.
    pub fn tvss_days(&self, base: &str, today: NaiveDate) -> Vec<(NaiveDate, String)> {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        let callsign = self.location.to_ascii_lowercase();
        (0..self.days)
            .filter_map(|n| today.checked_add_days(Days::new(n.into())))
            .map(|day| {
                let kids = if self.kids { "kids/" } else { "" };
                let url = format!("{base}{callsign}/day/{}/{kids}", day.format("%Y%m%d"));
                (day, url)
            })
            .collect()
    }
}

/// A cron expression with seconds (`0 0 */6 * * *`), as tokio-cron-scheduler reads it.
pub fn parse_cron(expr: &str) -> Result<croner::Cron, String> {
    croner::Cron::new(expr)
        .with_seconds_required()
        .with_dom_and_dow()
        .parse()
        .map_err(|e| {
            format!(
                "`{expr}` is not a cron expression with seconds, such as `0 0 */6 * * *` \
                 (every 6 hours) or `0 30 5 * * *` (05:30 every day): {e}"
            )
        })
}

/// The next time `cron` fires after `now`, read in the district's zone `tz` (so `0 0 5 * * *`
/// is 05:00 local in winter and in summer).
pub fn next_run(cron: &croner::Cron, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&now.with_timezone(&tz), false)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What the last import that ran did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LastChange {
    pub added: i64,
    pub updated: i64,
    pub removed: i64,
}

/// A stored source and how its runs have gone.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: i64,
    pub spec: SourceSpec,
    pub created_at: i64,
    pub updated_at: i64,
    /// Grows with every edit.
    pub revision: i64,
    pub last_run: Option<i64>,
    pub last_success: Option<i64>,
    pub last_error: Option<String>,
    /// `ok`, `not_modified` or `failed`.
    pub last_outcome: Option<String>,
    pub consecutive_failures: i64,
    pub last_change: LastChange,
    pub last_run_id: Option<i64>,
}

/// How many failures in a row make a source a warning on `/admin`.
pub const FAILING_AFTER: i64 = 3;

impl Source {
    /// When it runs next (none while paused).
    pub fn next_run(&self, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.spec.enabled {
            return None;
        }
        parse_cron(&self.spec.cron)
            .ok()
            .and_then(|c| next_run(&c, tz, now))
    }

    pub fn failing(&self) -> bool {
        self.consecutive_failures >= FAILING_AFTER
    }
}

/// A source as `source list --json` and `/api/admin/sources` show it: times RFC 3339, the
/// URL without its secrets.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SourceView {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    pub location: String,
    pub format: String,
    pub station: Option<String>,
    pub tz: Option<String>,
    pub cron: String,
    pub days: u32,
    pub kids: bool,
    pub enabled: bool,
    pub last_run: Option<String>,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
    /// `ok`, `not_modified` or `failed`.
    pub last_outcome: Option<String>,
    pub next_run: Option<String>,
    pub consecutive_failures: i64,
    /// What the last import that ran changed.
    pub last_change: LastChange,
    pub last_run_id: Option<i64>,
    /// Three failures in a row or more.
    pub failing: bool,
}

fn rfc3339(t: Option<i64>, tz: Tz) -> Option<String> {
    t.and_then(|t| DateTime::from_timestamp(t, 0))
        .map(|t| t.with_timezone(&tz).to_rfc3339())
}

impl Source {
    /// The source as shown, times in the district's zone `tz`.
    pub fn view(&self, tz: Tz, now: DateTime<Utc>) -> SourceView {
        let s = &self.spec;
        SourceView {
            id: self.id,
            name: s.name.clone(),
            kind: s.kind,
            location: crate::config::redacted(&s.location),
            format: s.format.to_string(),
            station: s.station.clone(),
            tz: s.tz.map(|t| t.name().to_string()),
            cron: s.cron.clone(),
            days: s.days,
            kids: s.kids,
            enabled: s.enabled,
            last_run: rfc3339(self.last_run, tz),
            last_success: rfc3339(self.last_success, tz),
            last_error: self.last_error.clone(),
            last_outcome: self.last_outcome.clone(),
            next_run: self
                .next_run(tz, now)
                .map(|t| t.with_timezone(&tz).to_rfc3339()),
            consecutive_failures: self.consecutive_failures,
            last_change: self.last_change.clone(),
            last_run_id: self.last_run_id,
            failing: self.failing(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn specs_are_checked_and_tidied() {
        let s = SourceSpec::new(" KCET ", Kind::Tvss, " kcet ")
            .check()
            .unwrap();
        assert_eq!(s.name, "KCET");
        assert_eq!(s.location, "KCET");
        assert_eq!(s.station.as_deref(), Some("KCET"));
        assert_eq!(s.format, Format::Tvss);
        let e = SourceSpec::new("x", Kind::Tvss, "k c e t")
            .check()
            .unwrap_err();
        assert_eq!(e.field, "location");
        let e = SourceSpec::new("x", Kind::Url, "ftp://x/y.xml")
            .check()
            .unwrap_err();
        assert_eq!(e.field, "location");
        let mut bad_cron = SourceSpec::new("x", Kind::Url, "https://x/y.xml");
        bad_cron.cron = "every day".into();
        let e = bad_cron.check().unwrap_err();
        assert_eq!(e.field, "cron");
        assert!(e.message.contains("every day"), "{e}");
        let mut too_many = SourceSpec::new("x", Kind::Tvss, "KCET");
        too_many.days = 90;
        assert_eq!(too_many.check().unwrap_err().field, "days");
        let e = SourceSpec::new("a\r\nb", Kind::Url, "https://x")
            .check()
            .unwrap_err();
        assert_eq!(e.field, "name");
    }

    #[test]
    fn a_tvss_source_fetches_one_url_a_day() {
        let mut s = SourceSpec::new("KCET", Kind::Tvss, "KCET").check().unwrap();
        s.days = 3;
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let urls: Vec<String> = s
            .tvss_days("https://services.pbs.org/tvss", day)
            .into_iter()
            .map(|(_, u)| u)
            .collect();
        assert_eq!(
            urls,
            [
                "https://services.pbs.org/tvss/kcet/day/20261231/",
                "https://services.pbs.org/tvss/kcet/day/20270101/",
                "https://services.pbs.org/tvss/kcet/day/20270102/",
            ]
        );
        s.kids = true;
        assert_eq!(
            s.tvss_days("http://127.0.0.1:9/tvss/", day)[0].1,
            "http://127.0.0.1:9/tvss/kcet/day/20261231/kids/"
        );
    }

    #[test]
    fn the_cron_is_read_in_the_district_zone_across_a_dst_night() {
        let la = chrono_tz::America::Los_Angeles;
        let cron = parse_cron("0 0 5 * * *").unwrap();
        // The night clocks go forward (2026-03-08): 05:00 is 13:00 UTC before, 12:00 after.
        let before = la
            .with_ymd_and_hms(2026, 3, 7, 6, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let next = next_run(&cron, la, before).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap());
        let after = next_run(&cron, la, next).unwrap();
        assert_eq!(after, Utc.with_ymd_and_hms(2026, 3, 9, 12, 0, 0).unwrap());
        assert_eq!(
            after.with_timezone(&la).format("%H:%M").to_string(),
            "05:00"
        );
    }
}
