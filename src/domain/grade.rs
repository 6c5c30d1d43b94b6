//! Grades (`PK`, `K`, `1` … `12`, `ADULT`) and sets of them.
//!
//! A [`GradeSet`] is a small bit set: it is what an airing carries, what a grade rule yields and
//! what a category such as "Grades 4-8" means. It is stored as one integer column.

use std::fmt;
use std::str::FromStr;

/// One grade. The order is the school order, `PK` first, `ADULT` last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grade(u8);

impl Grade {
    pub const PK: Grade = Grade(0);
    pub const K: Grade = Grade(1);
    pub const ADULT: Grade = Grade(14);

    /// Every grade in school order.
    pub fn all() -> impl Iterator<Item = Grade> {
        (0..=14).map(Grade)
    }

    /// Grade `n` of `1..=12`.
    pub fn numbered(n: u8) -> Option<Grade> {
        (1..=12).contains(&n).then(|| Grade(n + 1))
    }

    fn bit(self) -> u32 {
        1 << self.0
    }

    /// The canonical code used in URLs, JSON and the database: `PK`, `K`, `1`…`12`, `ADULT`.
    pub fn code(self) -> String {
        match self.0 {
            0 => "PK".into(),
            1 => "K".into(),
            14 => "ADULT".into(),
            n => (n - 1).to_string(),
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// Why a grade or grade range did not parse. The message suggests a range only where one is
/// accepted (grade lists), not where one grade is asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a grade (use PK, K, 1 to 12{})", if *.list { ", ADULT, or a range such as 4-8" } else { " or ADULT" })]
pub struct GradeError {
    pub input: String,
    /// A list of grades and ranges was asked for.
    pub list: bool,
}

impl GradeError {
    /// The message in Spanish.
    pub fn spanish(&self) -> String {
        format!(
            "`{}` no es un grado (use PK, K, 1 a 12{})",
            self.input,
            if self.list {
                ", ADULT o un rango como 4-8"
            } else {
                " o ADULT"
            }
        )
    }
}

impl FromStr for Grade {
    type Err = GradeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        let g = match upper.as_str() {
            "PK" | "PREK" | "PRE-K" | "TK" => Some(Grade::PK),
            "K" | "KINDER" | "KINDERGARTEN" => Some(Grade::K),
            "ADULT" | "ADULTS" => Some(Grade::ADULT),
            _ => upper
                .trim_start_matches("GRADE")
                .trim()
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .parse::<u8>()
                .ok()
                .and_then(Grade::numbered),
        };
        g.ok_or_else(|| GradeError {
            input: s.to_string(),
            list: false,
        })
    }
}

/// A set of grades, e.g. the grades an airing is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GradeSet(u32);

impl GradeSet {
    pub const EMPTY: GradeSet = GradeSet(0);

    pub fn from_bits(bits: u32) -> GradeSet {
        GradeSet(bits & 0x7fff)
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn single(g: Grade) -> GradeSet {
        GradeSet(g.bit())
    }

    /// Every grade from `a` to `b`, inclusive, whichever order they come in.
    pub fn range(a: Grade, b: Grade) -> GradeSet {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        GradeSet(
            Grade::all()
                .filter(|g| *g >= lo && *g <= hi)
                .fold(0, |m, g| m | g.bit()),
        )
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, g: Grade) -> bool {
        self.0 & g.bit() != 0
    }

    pub fn union(self, other: GradeSet) -> GradeSet {
        GradeSet(self.0 | other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Grade> {
        Grade::all().filter(move |g| self.contains(*g))
    }

    /// The codes of the grades in order, for JSON and display.
    pub fn codes(self) -> Vec<String> {
        self.iter().map(Grade::code).collect()
    }

    /// Reads what schedules and teachers write: `5`, `K-3`, `4-8`, `PreK`, `9-12`,
    /// and lists of those separated by commas, semicolons, spaces or `|`.
    pub fn parse_list(s: &str) -> Result<GradeSet, GradeError> {
        // "Pre-K - 2" and "4 – 8" are one range each: close up the space around dashes first.
        let mut closed = s.replace('\u{2013}', "-");
        while closed.contains(" -") || closed.contains("- ") {
            closed = closed.replace(" -", "-").replace("- ", "-");
        }
        let mut set = GradeSet::EMPTY;
        for part in closed
            .split([',', ';', '|', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            set = set.union(parse_range(part)?);
        }
        Ok(set)
    }

    /// Grades named by a broadcast category or title such as "Grades 4-8", "Grade 5",
    /// "K-3", "PreK", "Pre-K - 3", "Grados 6-8". Text that names no grade gives `None`.
    pub fn from_category(text: &str) -> Option<GradeSet> {
        // Every form below starts with g, p, k, t or a digit: most categories ("Children",
        // "Documentary") are told apart by their first letter, without a copy.
        let first = text.trim_start().chars().next()?.to_ascii_lowercase();
        if !matches!(first, 'g' | 'p' | 'k' | 't' | '0'..='9') {
            return None;
        }
        let lower = text.to_ascii_lowercase();
        let lower = lower.trim();
        // "Grades 4-8", "Grade 5", "Grados 4-8", "Grado 5"
        for prefix in ["grades", "grade", "grados", "grado"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let rest = rest.trim().trim_start_matches(':').trim();
                if let Ok(set) = parse_range(rest) {
                    return Some(set);
                }
            }
        }
        // Bare ranges used as categories: "K-3", "PreK", "PreK-3", "Pre-K - 3", "9-12".
        // Only forms that cannot be mistaken for other categories are taken.
        let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
        let looks_like_grades = compact.starts_with("prek")
            || compact.starts_with("pre-k")
            || compact.starts_with("pk")
            || compact.starts_with("k-")
            || compact == "k"
            || compact.starts_with("tk")
            || compact.contains('-') && compact.chars().next().is_some_and(|c| c.is_ascii_digit());
        if looks_like_grades {
            let normal = compact.replace("pre-k", "pk").replace("prek", "pk");
            return parse_range(&normal).ok();
        }
        None
    }
}

fn parse_range(part: &str) -> Result<GradeSet, GradeError> {
    let p = part.trim();
    let err = || GradeError {
        input: part.to_string(),
        list: true,
    };
    // Accept an en dash or "to" as well as a hyphen; "PRE-K" contains a hyphen of its own.
    let normal = p
        .to_ascii_uppercase()
        .replace('\u{2013}', "-")
        .replace(" TO ", "-")
        .replace("PRE-K", "PK");
    match normal.split_once('-') {
        Some((a, b)) => {
            let a: Grade = a.trim().parse().map_err(|_| err())?;
            let b: Grade = b.trim().parse().map_err(|_| err())?;
            Ok(GradeSet::range(a, b))
        }
        None => Ok(GradeSet::single(normal.parse().map_err(|_| err())?)),
    }
}

impl fmt::Display for GradeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.codes().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_suggested_only_where_one_is_accepted() {
        let one = "4-8".parse::<Grade>().unwrap_err().to_string();
        assert!(!one.contains("range"), "{one}");
        let list = GradeSet::parse_list("4-13").unwrap_err().to_string();
        assert!(list.contains("a range such as 4-8"), "{list}");
    }

    fn codes(s: GradeSet) -> String {
        s.codes().join(",")
    }

    #[test]
    fn grades_parse_in_every_spelling_schools_use() {
        assert_eq!("5".parse::<Grade>().unwrap().code(), "5");
        assert_eq!("PreK".parse::<Grade>().unwrap(), Grade::PK);
        assert_eq!("k".parse::<Grade>().unwrap(), Grade::K);
        assert_eq!("12".parse::<Grade>().unwrap().code(), "12");
        assert_eq!("Grade 3".parse::<Grade>().unwrap().code(), "3");
        assert_eq!("5th".parse::<Grade>().unwrap().code(), "5");
        assert!("13".parse::<Grade>().is_err());
        assert!("0".parse::<Grade>().is_err());
        assert!("x".parse::<Grade>().is_err());
    }

    #[test]
    fn ranges_cover_each_grade_in_them() {
        assert_eq!(codes(GradeSet::parse_list("4-8").unwrap()), "4,5,6,7,8");
        assert_eq!(codes(GradeSet::parse_list("K-3").unwrap()), "K,1,2,3");
        assert_eq!(codes(GradeSet::parse_list("PK-K, 12").unwrap()), "PK,K,12");
        assert_eq!(
            codes(GradeSet::parse_list("Pre-K - 2").unwrap()),
            "PK,K,1,2"
        );
        assert!(GradeSet::parse_list("4-14").is_err());
    }

    #[test]
    fn categories_name_grades_only_when_they_mean_grades() {
        let c = |s| GradeSet::from_category(s).map(codes);
        assert_eq!(c("Grades 4-8").as_deref(), Some("4,5,6,7,8"));
        assert_eq!(c("Grade 5").as_deref(), Some("5"));
        assert_eq!(c("K-3").as_deref(), Some("K,1,2,3"));
        assert_eq!(c("PreK").as_deref(), Some("PK"));
        assert_eq!(c("PreK-3").as_deref(), Some("PK,K,1,2,3"));
        assert_eq!(c("Grados 9-12").as_deref(), Some("9,10,11,12"));
        assert_eq!(c("Children"), None);
        assert_eq!(c("Documentary"), None);
        assert_eq!(c("Science-Fiction"), None);
        assert_eq!(c("24-hour news"), None);
    }

    #[test]
    fn a_set_round_trips_through_its_bits() {
        let s = GradeSet::parse_list("PK,5,ADULT").unwrap();
        assert_eq!(GradeSet::from_bits(s.bits()), s);
        assert!(s.contains(Grade::ADULT));
        assert!(!s.contains(Grade::K));
    }
}
