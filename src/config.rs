//! Settings: environment variables over an optional `lessoncast.toml`, over defaults.

use chrono_tz::Tz;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything the service can be told.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://lessoncast.db` (default) or `postgres://…`.
    pub database_url: String,
    /// `LESSONCAST_ADDR`: where to listen.
    pub addr: String,
    /// `LESSONCAST_BASE_URL`: the public address used in links, QR codes and feeds.
    pub base_url: String,
    /// `LESSONCAST_TZ`: zone for stations and local times that name none.
    pub tz: Tz,
    /// `LESSONCAST_SCHEDULES`: the demo week imported into an empty database.
    pub schedules_dir: PathBuf,
    /// `LESSONCAST_GRADE_RULES`: grade rules for airings whose source names no grades.
    pub grade_rules: PathBuf,
    /// Sources re-imported on a schedule (`[[source]]` in lessoncast.toml).
    pub sources: Vec<SourceConfig>,
    /// `LESSONCAST_VERSION_TTL_MS` (default 1000): how long the server trusts the data version
    /// it looked up before asking the database again (0 in tests, so a change shows at once).
    pub version_ttl: std::time::Duration,
    /// `LESSONCAST_HEADER_TIMEOUT_MS` (default 10000): how long a client may take to send a
    /// request's headers, and a kept-alive connection may sit idle, before it is closed.
    pub header_timeout: std::time::Duration,
    /// `LESSONCAST_REQUEST_TIMEOUT_MS` (default 30000): the longest a request may take, reading
    /// its body included; then it is answered 408.
    pub request_timeout: std::time::Duration,
    /// `LESSONCAST_SIGNIN_PER_MINUTE` (default 10): sign-in attempts one client network (an
    /// IPv4 address, an IPv6 /64) may make a minute, in a burst or spread out.
    pub signin_per_minute: std::num::NonZeroU32,
    /// `LESSONCAST_TRUSTED_PROXIES` (default none): comma-separated addresses or networks
    /// (`10.0.0.0/8, ::1`) of reverse proxies whose `X-Forwarded-For` names the client. From
    /// any other peer the header is ignored, so a client cannot pick its own address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `LESSONCAST_TVSS_BASE` (default `https://services.pbs.org/tvss/`): where TVSS sources
    /// fetch `{callsign}/day/{YYYYMMDD}/`. Always ends in `/`.
    pub tvss_base: String,
    /// `LESSONCAST_PBS_KEY`: the PBS key TVSS sources send as `X-PBSAUTH`. Never printed.
    pub pbs_key: Option<crate::auth::Secret>,
    /// How sources fetch: `LESSONCAST_FETCH_TIMEOUT_MS` (default 300000) per attempt,
    /// `LESSONCAST_FETCH_ATTEMPTS` (default 3), `LESSONCAST_FETCH_BACKOFF_MS` (default 2000)
    /// before the first retry, doubling.
    pub fetch: crate::import::fetch::FetchPolicy,
}

/// A `[[source]]` table: a schedule source put in the database when none of its name is
/// there yet (edits on `/admin` then win over the file).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Its name on `/admin` and in `source run NAME` (default: the location or call sign).
    #[serde(default)]
    pub name: Option<String>,
    /// A file, directory or URL.
    #[serde(default)]
    pub location: Option<String>,
    /// Or a PBS call sign, fetched from the TV Schedules Service a day at a time.
    #[serde(default)]
    pub tvss: Option<String>,
    /// TVSS: days fetched from today (default 14), and only the kids listings.
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub kids: bool,
    /// Cron expression with seconds, e.g. `0 0 5 * * *` for 05:00 every day (default every
    /// 6 hours).
    #[serde(default)]
    pub cron: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub station: Option<String>,
    /// The station's time zone (`America/Chicago`), when the source does not say it.
    #[serde(default)]
    pub tz: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    addr: Option<String>,
    base_url: Option<String>,
    tz: Option<String>,
    schedules_dir: Option<PathBuf>,
    grade_rules: Option<PathBuf>,
    #[serde(default)]
    source: Vec<SourceConfig>,
}

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Reads `lessoncast.toml` from the working directory if present, then the environment.
    pub fn load() -> Result<Config, ConfigError> {
        Self::load_from(Path::new("lessoncast.toml"), |k| std::env::var(k).ok())
    }

    pub fn load_from(
        file: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let from_file: FileConfig = match std::fs::read_to_string(file) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| ConfigError(format!("{}: {e}", file.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileConfig::default(),
            Err(e) => return Err(ConfigError(format!("{}: {e}", file.display()))),
        };
        let pick = |var: &str, file: Option<String>, default: &str| {
            env(var)
                .filter(|v| !v.trim().is_empty())
                .or(file)
                .unwrap_or_else(|| default.to_string())
        };
        let addr = pick("LESSONCAST_ADDR", from_file.addr, "127.0.0.1:8080");
        let tz_name = pick("LESSONCAST_TZ", from_file.tz, "America/Los_Angeles");
        let tz: Tz = tz_name.parse().map_err(|_| {
            ConfigError(format!(
                "LESSONCAST_TZ `{tz_name}` is not an IANA time zone such as America/Los_Angeles"
            ))
        })?;
        let base_url = pick(
            "LESSONCAST_BASE_URL",
            from_file.base_url,
            &format!("http://{addr}"),
        );
        let millis = |name: &str, default: &str| {
            let v = pick(name, None, default);
            v.trim()
                .parse::<u64>()
                .map(std::time::Duration::from_millis)
                .map_err(|_| {
                    ConfigError(format!(
                        "{name} `{v}` is not a whole number of milliseconds"
                    ))
                })
        };
        let version_ttl = millis("LESSONCAST_VERSION_TTL_MS", "1000")?;
        let header_timeout = millis("LESSONCAST_HEADER_TIMEOUT_MS", "10000")?;
        let request_timeout = millis("LESSONCAST_REQUEST_TIMEOUT_MS", "30000")?;
        let per_minute = pick("LESSONCAST_SIGNIN_PER_MINUTE", None, "10");
        let signin_per_minute = per_minute.trim().parse().map_err(|_| {
            ConfigError(format!(
                "LESSONCAST_SIGNIN_PER_MINUTE `{per_minute}` is not a whole number above 0"
            ))
        })?;
        let trusted_proxies = parse_networks(&pick("LESSONCAST_TRUSTED_PROXIES", None, ""))?;
        let mut tvss_base = pick(
            "LESSONCAST_TVSS_BASE",
            None,
            "https://services.pbs.org/tvss/",
        );
        if !tvss_base.ends_with('/') {
            tvss_base.push('/');
        }
        let pbs_key = env("LESSONCAST_PBS_KEY")
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .map(crate::auth::Secret::new);
        let attempts = pick("LESSONCAST_FETCH_ATTEMPTS", None, "3");
        let fetch = crate::import::fetch::FetchPolicy {
            timeout: millis("LESSONCAST_FETCH_TIMEOUT_MS", "300000")?,
            backoff: millis("LESSONCAST_FETCH_BACKOFF_MS", "2000")?,
            attempts: attempts
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=10).contains(n))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "LESSONCAST_FETCH_ATTEMPTS `{attempts}` is not a whole number from 1 to 10"
                    ))
                })?,
            ..Default::default()
        };
        Ok(Config {
            tvss_base,
            pbs_key,
            fetch,
            signin_per_minute,
            trusted_proxies,
            version_ttl,
            header_timeout,
            request_timeout,
            database_url: pick(
                "DATABASE_URL",
                from_file.database_url,
                "sqlite://lessoncast.db",
            ),
            base_url: base_url.trim_end_matches('/').to_string(),
            addr,
            tz,
            schedules_dir: env("LESSONCAST_SCHEDULES")
                .map(PathBuf::from)
                .or(from_file.schedules_dir)
                .unwrap_or_else(|| PathBuf::from("schedules")),
            grade_rules: env("LESSONCAST_GRADE_RULES")
                .map(PathBuf::from)
                .or(from_file.grade_rules)
                .unwrap_or_else(|| PathBuf::from("schedules/grade-rules.toml")),
            sources: from_file.source,
        })
    }
}

/// Comma-separated addresses (`10.1.2.3`, a network of one) and networks (`10.0.0.0/8`).
fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ConfigError(format!(
                        "LESSONCAST_TRUSTED_PROXIES: `{s}` is not an address or a network such as 10.0.0.0/8"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_and_networks() {
        let nets = parse_networks(" 10.0.0.0/8, ::1 ,192.168.1.7").unwrap();
        assert_eq!(nets.len(), 3);
        assert!(nets[0].contains(&"10.9.8.7".parse::<std::net::IpAddr>().unwrap()));
        assert!(nets[1].contains(&"::1".parse::<std::net::IpAddr>().unwrap()));
        assert!(!nets[2].contains(&"192.168.1.8".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_networks("").unwrap().is_empty());
        let e = parse_networks("10.0.0.0/8, proxy.internal").unwrap_err();
        assert!(e.to_string().contains("proxy.internal"), "{e}");
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lessoncast.toml");
        let c = Config::load_from(&file, |_| None).unwrap();
        assert_eq!(c.database_url, "sqlite://lessoncast.db");
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert_eq!(c.tz, chrono_tz::America::Los_Angeles);

        std::fs::write(
            &file,
            "addr = \"0.0.0.0:9000\"\ntz = \"America/New_York\"\n\
             [[source]]\nlocation = \"https://example.org/kcet.xml\"\ncron = \"0 0 5 * * *\"\n",
        )
        .unwrap();
        let c = Config::load_from(&file, |k| {
            (k == "LESSONCAST_TZ").then(|| "America/Chicago".to_string())
        })
        .unwrap();
        assert_eq!(c.addr, "0.0.0.0:9000");
        assert_eq!(c.tz, chrono_tz::America::Chicago);
        assert_eq!(c.sources.len(), 1);
    }

    #[test]
    fn a_bad_zone_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = Config::load_from(&dir.path().join("x.toml"), |k| {
            (k == "LESSONCAST_TZ").then(|| "Pacific Time".to_string())
        })
        .unwrap_err();
        assert!(e.to_string().contains("Pacific Time"));
    }
}

/// `url` with its secrets replaced by `***`, for messages and logs: a password in it
/// (`scheme://user:password@host`) and the values of query parameters that name a key, token,
/// signature, secret or password (`?api_key=…`). Database URLs and schedule sources are
/// printed; their secrets never.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{user}:***@{host}")
        }
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{}", redacted_query(tail))
}

/// The path, query and fragment with secret-looking query values masked.
fn redacted_query(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    const SECRET: [&str; 6] = ["key", "token", "secret", "password", "sig", "auth"];
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if SECRET.iter().any(|s| name.to_ascii_lowercase().contains(s)) => {
                format!("{name}=***")
            }
            _ => pair.to_string(),
        })
        .collect();
    let mut out = format!("{path}?{}", pairs.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod redaction_tests {
    use super::redacted;

    #[test]
    fn passwords_in_urls_are_never_printed() {
        assert_eq!(
            redacted("postgres://lessoncast:s3cret@db.internal:5432/lessons"),
            "postgres://lessoncast:***@db.internal:5432/lessons"
        );
        assert_eq!(
            redacted("https://u:p@a@feeds.example/tvss/kcet/today/"),
            "https://u:***@feeds.example/tvss/kcet/today/"
        );
        assert_eq!(redacted("sqlite://lessoncast.db"), "sqlite://lessoncast.db");
        assert_eq!(redacted("/srv/schedules"), "/srv/schedules");
        assert_eq!(
            redacted("https://guide.example/x.xml?day=1&api_key=abc123&Token=t#top"),
            "https://guide.example/x.xml?day=1&api_key=***&Token=***#top"
        );
        assert_eq!(
            redacted("https://guide.example/x.xml?station=KCET"),
            "https://guide.example/x.xml?station=KCET"
        );
    }
}
