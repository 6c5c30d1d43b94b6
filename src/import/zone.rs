//! Station time zones: what a source says about the zone of a station's wall clock, and the
//! one zone an import settles on for each station.
//!
//! In order: `--tz` (or a source's `tz`); the zones a source names (each TVSS feed's
//! `timezone`; the most common one wins); for XMLTV, the one zone whose UTC offsets match every
//! offset the file wrote, at those instants (US zones first, then European ones); the zone the
//! station already has; `LESSONCAST_TZ`, with a warning that says which evidence was missing.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// What one programme's source says about its station's zone.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ZoneHint {
    /// Nothing: a CSV row, an XMLTV time without a zone (UTC by the DTD) or in UTC itself.
    #[default]
    None,
    /// The source names the zone its local times are in (a TVSS feed's `timezone`, an IANA
    /// name after an XMLTV time).
    Named(Tz),
    /// The UTC offset, in seconds east, the source wrote for the programme's start.
    Offset(i32),
}

/// Zones an XMLTV file's offsets are matched against, in the order a tie is broken (US zones
/// first, then European ones).
const CANDIDATES: [Tz; 14] = [
    chrono_tz::America::New_York,
    chrono_tz::America::Chicago,
    chrono_tz::America::Denver,
    chrono_tz::America::Phoenix,
    chrono_tz::America::Los_Angeles,
    chrono_tz::America::Anchorage,
    chrono_tz::Pacific::Honolulu,
    chrono_tz::America::Puerto_Rico,
    chrono_tz::Europe::London,
    chrono_tz::Europe::Dublin,
    chrono_tz::Europe::Lisbon,
    chrono_tz::Europe::Paris,
    chrono_tz::Europe::Helsinki,
    chrono_tz::Europe::Moscow,
];

/// Zones whose abbreviations an XMLTV time may name besides those of [`CANDIDATES`].
const MORE_ABBREVIATIONS: [Tz; 3] = [
    chrono_tz::America::Halifax,
    chrono_tz::America::St_Johns,
    chrono_tz::Etc::UTC,
];

/// The fixed offset (seconds east of UTC) a zone abbreviation stands for, e.g. `BST` → +3600,
/// as an XMLTV time may end (`200007281733 BST`). Built once from the zone database: every
/// abbreviation the US, Canadian Atlantic and European zones have used in their standard and
/// summer time since 1980, a shared one resolved in the order of [`CANDIDATES`] (US meanings
/// first, as the XMLTV tools read them).
pub fn abbreviation_offset(name: &str) -> Option<i32> {
    use chrono_tz::OffsetName;
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static TABLE: OnceLock<HashMap<String, i32>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for (name, seconds) in [("UTC", 0), ("UT", 0), ("GMT", 0), ("Z", 0)] {
            table.insert(name.to_string(), seconds);
        }
        for tz in CANDIDATES.iter().chain(&MORE_ABBREVIATIONS) {
            for year in (1980..=2030).step_by(5) {
                for month in [1, 7] {
                    let Some(noon) = chrono::NaiveDate::from_ymd_opt(year, month, 15)
                        .and_then(|d| d.and_hms_opt(12, 0, 0))
                    else {
                        continue;
                    };
                    let offset = tz.offset_from_utc_datetime(&noon);
                    // Numeric "abbreviations" (`-03`) are offsets, read as such.
                    if let Some(abbr) = offset
                        .abbreviation()
                        .filter(|a| a.bytes().all(|b| b.is_ascii_alphabetic()))
                    {
                        table
                            .entry(abbr.to_ascii_uppercase())
                            .or_insert(offset.fix().local_minus_utc());
                    }
                }
            }
        }
        table
    });
    table.get(&name.to_ascii_uppercase()).copied()
}

/// Everything one import has learnt about one station's zone.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Named zones, with how many programmes named each, in the order first seen.
    named: Vec<(Tz, u64)>,
    /// Bit `i` set: `CANDIDATES[i]` matches every offset seen so far.
    candidates: u16,
    offsets: u64,
}

/// Where a station's zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// `--tz` or the source's `tz`.
    Given,
    /// The zone the source names.
    Named,
    /// The only zone whose offsets match the file's.
    Offsets,
    /// Several zones match; one was chosen (see the note).
    OffsetsAmbiguous,
    /// The zone the station already had.
    Stored,
    /// `LESSONCAST_TZ`.
    Default,
}

/// The zone an import settles on for a station, and what to tell the user about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub tz: Tz,
    pub basis: Basis,
    /// A warning to give, if any.
    pub note: Option<String>,
}

impl Evidence {
    pub fn add(&mut self, hint: ZoneHint, at: DateTime<Utc>) {
        match hint {
            ZoneHint::None => {}
            ZoneHint::Named(tz) => match self.named.iter_mut().find(|(z, _)| *z == tz) {
                Some((_, n)) => *n += 1,
                None => self.named.push((tz, 1)),
            },
            // A UTC offset of zero says nothing: generators write +0000 for every zone.
            ZoneHint::Offset(0) => {}
            ZoneHint::Offset(seconds) => {
                // Only the zones still possible are looked at again.
                let possible = if self.offsets == 0 {
                    u16::MAX
                } else {
                    self.candidates
                };
                let at = at.naive_utc();
                self.candidates = CANDIDATES
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| possible & (1 << i) != 0)
                    .filter(|(_, tz)| {
                        tz.offset_from_utc_datetime(&at).fix().local_minus_utc() == seconds
                    })
                    .fold(0u16, |bits, (i, _)| bits | 1 << i);
                self.offsets += 1;
            }
        }
    }

    /// Whether the source has named a zone for the station (a TVSS feed's `timezone`).
    pub fn names_zones(&self) -> bool {
        !self.named.is_empty()
    }

    /// The zone for `station`, given `--tz`, the zone it has already and `LESSONCAST_TZ`.
    pub fn decide(
        &self,
        station: &str,
        given: Option<Tz>,
        stored: Option<Tz>,
        default: Tz,
    ) -> Decision {
        let decided = |tz, basis| Decision {
            tz,
            basis,
            note: None,
        };
        if let Some(tz) = given {
            return decided(tz, Basis::Given);
        }
        if let Some(&(tz, _)) =
            self.named
                .iter()
                .fold(None, |best: Option<&(Tz, u64)>, z| match best {
                    Some(b) if b.1 >= z.1 => Some(b),
                    _ => Some(z),
                })
        {
            let mut d = decided(tz, Basis::Named);
            if self.named.len() > 1 {
                let all: Vec<&str> = self.named.iter().map(|(z, _)| z.name()).collect();
                d.note = Some(format!(
                    "the source names several zones for {station} ({}): {} is taken as the \
                     station's, each feed's times are read in its own zone",
                    all.join(", "),
                    tz.name()
                ));
            }
            return d;
        }
        let fallback = |why: String| match stored {
            Some(tz) => decided(tz, Basis::Stored),
            None => Decision {
                tz: default,
                basis: Basis::Default,
                note: Some(format!(
                    "{why}: {station} is taken to be in {} (LESSONCAST_TZ); pass --tz to name \
                     its zone",
                    default.name()
                )),
            },
        };
        if self.offsets == 0 {
            return fallback(format!(
                "the source says nothing of {station}'s time zone (no --tz, no TVSS timezone, \
                 no UTC offsets other than +0000 in its times)"
            ));
        }
        let matching: Vec<Tz> = CANDIDATES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.candidates & (1 << i) != 0)
            .map(|(_, tz)| *tz)
            .collect();
        match matching.as_slice() {
            [] => fallback(format!(
                "the UTC offsets of {station}'s times match no single US or European zone"
            )),
            [one] => decided(*one, Basis::Offsets),
            several => {
                let tz = [stored, Some(default)]
                    .into_iter()
                    .flatten()
                    .find(|z| several.contains(z))
                    .unwrap_or(several[0]);
                let names = match several.split_last() {
                    Some((last, rest)) => format!(
                        "{} and {}",
                        rest.iter().map(|z| z.name()).collect::<Vec<_>>().join(", "),
                        last.name()
                    ),
                    None => String::new(),
                };
                Decision {
                    tz,
                    basis: Basis::OffsetsAmbiguous,
                    note: (stored != Some(tz)).then(|| {
                        format!(
                            "the UTC offsets of {station}'s times match {}: {} is taken; pass \
                             --tz to name its zone",
                            names,
                            tz.name()
                        )
                    }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn decide(hints: &[(ZoneHint, &str)]) -> Decision {
        let mut e = Evidence::default();
        for (h, t) in hints {
            e.add(*h, at(t));
        }
        e.decide("KERA", None, None, America::Los_Angeles)
    }

    #[test]
    fn a_dallas_week_across_the_fall_night_is_central_time() {
        let d = decide(&[
            (ZoneHint::Offset(-5 * 3600), "2020-10-31T14:00:00Z"),
            (ZoneHint::Offset(-6 * 3600), "2020-11-02T15:00:00Z"),
        ]);
        assert_eq!((d.tz, d.basis), (America::Chicago, Basis::Offsets));
    }

    #[test]
    fn one_summer_offset_of_minus_five_is_central_time() {
        let d = decide(&[(ZoneHint::Offset(-5 * 3600), "2020-04-13T14:00:00Z")]);
        assert_eq!(d.tz, America::Chicago);
    }

    #[test]
    fn an_ambiguous_offset_prefers_the_stored_zone_then_the_default() {
        let mut e = Evidence::default();
        // -0700 in July: Pacific daylight time or Arizona.
        e.add(ZoneHint::Offset(-7 * 3600), at("2020-07-01T16:00:00Z"));
        let d = e.decide("KAET", None, Some(America::Phoenix), America::Los_Angeles);
        assert_eq!(
            (d.tz, d.basis, d.note),
            (America::Phoenix, Basis::OffsetsAmbiguous, None)
        );
        let d = e.decide("KCET", None, None, America::Los_Angeles);
        assert_eq!(d.tz, America::Los_Angeles);
        assert!(d.note.unwrap().contains("America/Phoenix"));
    }

    #[test]
    fn utc_offsets_are_no_evidence_and_the_default_is_said() {
        let d = decide(&[(ZoneHint::Offset(0), "2020-07-01T16:00:00Z")]);
        assert_eq!((d.tz, d.basis), (America::Los_Angeles, Basis::Default));
        assert!(d.note.unwrap().contains("LESSONCAST_TZ"));
    }

    #[test]
    fn the_most_named_zone_wins_and_the_others_are_said() {
        let d = decide(&[
            (ZoneHint::Named(America::New_York), "2020-04-13T14:00:00Z"),
            (ZoneHint::Named(America::Chicago), "2020-04-13T14:00:00Z"),
            (ZoneHint::Named(America::Chicago), "2020-04-13T15:00:00Z"),
        ]);
        assert_eq!((d.tz, d.basis), (America::Chicago, Basis::Named));
        assert!(d.note.unwrap().contains("America/New_York"));
    }

    #[test]
    fn given_beats_everything() {
        let mut e = Evidence::default();
        e.add(
            ZoneHint::Named(America::New_York),
            at("2020-04-13T14:00:00Z"),
        );
        let d = e.decide("X", Some(America::Denver), None, America::Los_Angeles);
        assert_eq!((d.tz, d.basis), (America::Denver, Basis::Given));
    }

    #[test]
    fn a_winter_offset_later_tells_arizona_from_california() {
        let mut e = Evidence::default();
        e.add(ZoneHint::Offset(-7 * 3600), at("2020-10-30T16:00:00Z"));
        let early = e.decide("KAET", None, None, America::Los_Angeles);
        assert_eq!(early.tz, America::Los_Angeles);
        // After the fall night, Arizona is still at -0700; California is at -0800.
        e.add(ZoneHint::Offset(-7 * 3600), at("2020-11-02T16:00:00Z"));
        let late = e.decide("KAET", None, None, America::Los_Angeles);
        assert_eq!((late.tz, late.basis), (America::Phoenix, Basis::Offsets));
    }

    #[test]
    fn contradicting_offsets_fall_back() {
        let d = decide(&[
            (ZoneHint::Offset(3600), "2013-04-05T18:00:00Z"),
            (ZoneHint::Offset(-3 * 3600), "2013-04-05T21:00:00Z"),
        ]);
        assert_eq!(d.basis, Basis::Default);
        assert!(d.note.unwrap().contains("match no single"));
    }
}
