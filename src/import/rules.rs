//! Grade rules (`schedules/grade-rules.toml`): station, channel, weekdays and a local time window
//! that give grades to airings whose source names none.

use crate::domain::GradeSet;
use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use serde::Deserialize;
use std::path::Path;

/// One rule, as validated from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct GradeRule {
    pub station: String,
    pub channel: Option<String>,
    /// Empty means every day.
    pub weekdays: Vec<Weekday>,
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub grades: GradeSet,
}

/// All rules of a file, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GradeRules {
    pub rules: Vec<GradeRule>,
}

/// Why a rules file was refused.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RulesError {
    pub file: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    station: String,
    channel: Option<String>,
    #[serde(default)]
    weekdays: Vec<String>,
    from: String,
    to: String,
    grades: String,
}

impl GradeRules {
    /// Reads a rules file; every problem names the file and the rule.
    pub fn load(path: &Path) -> Result<GradeRules, RulesError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RulesError {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<GradeRules, RulesError> {
        let err = |message: String| RulesError {
            file: file.to_string(),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut rules = Vec::with_capacity(raw.rule.len());
        for (i, r) in raw.rule.into_iter().enumerate() {
            let at = |field: &str, msg: String| err(format!("rule {} ({field}): {msg}", i + 1));
            let time = |field: &str, v: &str| {
                NaiveTime::parse_from_str(v.trim(), "%H:%M")
                    .map_err(|_| at(field, format!("`{v}` is not a time such as 09:00")))
            };
            let from = time("from", &r.from)?;
            let to = if r.to.trim() == "24:00" {
                NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
            } else {
                time("to", &r.to)?
            };
            if to <= from {
                return Err(at("to", format!("`{}` is not after `{}`", r.to, r.from)));
            }
            let weekdays = r
                .weekdays
                .iter()
                .map(|d| {
                    d.trim()
                        .parse::<Weekday>()
                        .map_err(|_| at("weekdays", format!("`{d}` is not a weekday such as mon")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let grades =
                GradeSet::parse_list(&r.grades).map_err(|e| at("grades", e.to_string()))?;
            rules.push(GradeRule {
                station: r.station.trim().to_ascii_uppercase(),
                channel: r.channel.map(|c| c.trim().to_string()),
                weekdays,
                from,
                to,
                grades,
            });
        }
        Ok(GradeRules { rules })
    }

    /// Grades for an airing of `station` on `channel` starting at `local` (station's wall clock):
    /// the union of every matching rule.
    pub fn grades_for(&self, station: &str, channel: &str, local: NaiveDateTime) -> GradeSet {
        let time = local.time();
        let day = local.weekday();
        self.rules
            .iter()
            .filter(|r| r.station == station)
            .filter(|r| r.channel.as_deref().is_none_or(|c| c == channel))
            .filter(|r| r.weekdays.is_empty() || r.weekdays.contains(&day))
            .filter(|r| time >= r.from && time < r.to)
            .fold(GradeSet::EMPTY, |acc, r| acc.union(r.grades))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
[[rule]]
station = "KOCE"
channel = "50.1"
weekdays = ["mon", "tue", "wed", "thu", "fri"]
from = "09:00"
to = "15:00"
grades = "9-12"

[[rule]]
station = "kcet"
from = "06:00"
to = "09:00"
grades = "PK-3"
"#;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_rule_matches_its_station_channel_weekdays_and_window() {
        let rules = GradeRules::parse(RULES, "rules.toml").unwrap();
        let g = |st, ch, t| rules.grades_for(st, ch, at(t)).to_string();
        assert_eq!(g("KOCE", "50.1", "2020-04-13 09:00"), "9,10,11,12");
        assert_eq!(g("KOCE", "50.1", "2020-04-13 14:59"), "9,10,11,12");
        assert_eq!(g("KOCE", "50.1", "2020-04-13 15:00"), "");
        assert_eq!(g("KOCE", "50.2", "2020-04-13 10:00"), "");
        assert_eq!(g("KOCE", "50.1", "2020-04-18 10:00"), "", "Saturday");
        assert_eq!(g("KCET", "28.4", "2020-04-18 07:30"), "PK,K,1,2,3");
    }

    #[test]
    fn a_bad_rule_is_named_with_its_field() {
        let e = GradeRules::parse(
            "[[rule]]\nstation='K'\nfrom='9am'\nto='10:00'\ngrades='5'\n",
            "r.toml",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.toml: rule 1 (from): `9am` is not a time such as 09:00"
        );
        let e = GradeRules::parse(
            "[[rule]]\nstation='K'\nfrom='09:00'\nto='10:00'\ngrades='14'\n",
            "r.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("rule 1 (grades)"), "{e}");
        assert!(GradeRules::parse("[[rule]]\nstaton='K'\n", "r.toml").is_err());
    }
}
