//! One feed of a day response: its header (channel, names, zone), and its listings read in order
//! into programmes, past midnight and through the repeated hour.

use super::super::zone::ZoneHint;
use super::super::{ImportError, Programme};
use super::listing::{ListingSeed, RawListing};
use super::values::Key;
use super::values::{Minutes, Text};
use super::{names_spanish, At, Run, Seen, MAX_LISTINGS_PER_DAY};
use crate::domain::{Details, WallTime};
use crate::import::{MAX_CODE, MAX_NAME};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::sync::Arc;

/// A feed's fields other than its listings.
#[derive(Default)]
pub(super) struct FeedHeader {
    pub(super) cid: Seen,
    pub(super) short_name: Seen,
    pub(super) full_name: Seen,
    pub(super) timezone: Seen,
    pub(super) digital_channel: Seen,
    pub(super) analog_channel: Seen,
    pub(super) line: u64,
    pub(super) timezone_line: u64,
}

impl FeedHeader {
    pub(super) fn label(&self, index: usize) -> String {
        [&self.short_name, &self.full_name, &self.cid]
            .into_iter()
            .find_map(|f| f.clone().flatten())
            .unwrap_or_else(|| index.to_string())
    }

    /// Settles the feed's channel and the zone its times are in.
    pub(super) fn open(
        &self,
        run: &mut Run,
        day: NaiveDate,
        index: usize,
    ) -> Result<Feed, ImportError> {
        let label = self.label(index);
        let flat = |f: &Seen| f.clone().flatten();
        // An analog or audio-only feed has no digital channel: it is a channel of its own,
        // keyed by its name, never folded into another feed's channel by its analog number.
        let channel = flat(&self.digital_channel)
            .or_else(|| flat(&self.short_name))
            .or_else(|| flat(&self.full_name))
            .or_else(|| flat(&self.analog_channel))
            .ok_or_else(|| {
                run.ctx.invalid(
                    self.line,
                    "digital_channel",
                    format!(
                        "feed {label} on {day} has no channel: digital_channel, short_name, \
                         full_name and analog_channel are all empty"
                    ),
                )
            })?;
        let channel = run
            .ctx
            .short(self.line, "digital_channel", channel, MAX_CODE);
        let channel_name = flat(&self.full_name)
            .or_else(|| flat(&self.short_name))
            .map(|n| run.ctx.short(self.line, "full_name", n, MAX_NAME));
        let named = flat(&self.timezone);
        let (tz, zone) = match named.as_deref().map(|z| z.parse::<Tz>()) {
            Some(Ok(tz)) => (tz, ZoneHint::Named(tz)),
            other => {
                let tz = run.ctx.tz_for(&run.station);
                let why = match (other, named.as_deref()) {
                    (Some(Err(_)), Some(zone)) => format!("\"{zone}\", which is not a time zone"),
                    _ => "no timezone".to_string(),
                };
                let line = if self.timezone_line > 0 {
                    self.timezone_line
                } else {
                    self.line
                };
                run.ctx.warn(
                    line,
                    "timezone",
                    format!(
                        "feed {label} on {day} has {why}: its times are read in {}",
                        tz.name()
                    ),
                );
                (tz, ZoneHint::None)
            }
        };
        // The response is the feed's whole day: an airing of it that is not listed is gone.
        let midnight = |d: NaiveDate| {
            (0..3).find_map(|h| {
                instants(tz, d, NaiveTime::from_hms_opt(h, 0, 0)?)
                    .first()
                    .copied()
            })
        };
        if let (Some(from), Some(to)) = (midnight(day), day.succ_opt().and_then(midnight)) {
            run.ctx.covers.push(crate::import::record::Cover {
                station: run.station.clone(),
                channel: channel.clone(),
                from: from.timestamp(),
                to: to.timestamp() - 1,
            });
        }
        Ok(Feed {
            label,
            day,
            channel,
            channel_name,
            tz,
            zone,
            days_on: 0,
            previous: None,
        })
    }
}

/// One feed-day being read: its channel and where its listings have got to.
pub(super) struct Feed {
    pub(super) label: String,
    pub(super) day: NaiveDate,
    pub(super) channel: String,
    pub(super) channel_name: Option<String>,
    /// The zone of the feed's `start_time`s.
    pub(super) tz: Tz,
    pub(super) zone: ZoneHint,
    /// Days past the feed's day that listings have run into.
    pub(super) days_on: u64,
    /// The previous listing's `start_time` (as HHMM) and start instant.
    pub(super) previous: Option<(u32, DateTime<Utc>)>,
}

/// Instants a local time stands for: none (skipped), one, or two (repeated), earliest first.
pub(super) fn instants(tz: Tz, date: NaiveDate, time: NaiveTime) -> Vec<DateTime<Utc>> {
    WallTime::of(&tz, &date.and_time(time)).instants()
}

impl Feed {
    pub(super) fn place(&self, index: usize) -> String {
        format!("listing {index} of feed {} on {}", self.label, self.day)
    }

    pub(super) fn programme(
        &mut self,
        run: &Run,
        raw: RawListing,
    ) -> Result<Programme, ImportError> {
        let line = raw.line;
        let place = self.place(raw.index);
        let invalid = |field: &str, message: String| run.ctx.invalid(line, field, message);

        let hhmm = match raw.start_time.as_deref() {
            None => return Err(invalid("start_time", format!("{place} has no start time"))),
            Some(s) => parse_hhmm(s).ok_or_else(|| {
                invalid(
                    "start_time",
                    format!("{place} has start time \"{s}\"; expected HHMM such as 0930"),
                )
            })?,
        };
        let minutes = match raw.minutes {
            Minutes::Given(m) if m > 0 => m,
            Minutes::Missing | Minutes::Given(_) => {
                return Err(invalid(
                    "minutes",
                    format!("{place} has no length (minutes)"),
                ))
            }
            Minutes::Bad(s) => {
                return Err(invalid(
                    "minutes",
                    format!("{place} has minutes \"{s}\"; expected a whole number of minutes"),
                ))
            }
        };
        let title = raw
            .title
            .ok_or_else(|| invalid("title", format!("{place} has no title")))?;

        let start = self.start(hhmm).ok_or_else(|| {
            invalid(
                "start_time",
                format!(
                    "{place} starts at {:02}:{:02} on {}, a time that does not exist in {} \
                     (the clocks skip it)",
                    hhmm / 100,
                    hhmm % 100,
                    self.day + Days::new(self.days_on_for(hhmm)),
                    self.tz.name()
                ),
            )
        })?;
        let end = i64::try_from(minutes)
            .ok()
            .and_then(TimeDelta::try_minutes)
            .and_then(|length| start.checked_add_signed(length))
            .ok_or_else(|| {
                invalid(
                    "minutes",
                    format!("{place} lasts {minutes} minutes, too long"),
                )
            })?;

        let spanish_audio = raw.language.as_deref().is_some_and(names_spanish) || raw.spanish_sap;
        Ok(Programme {
            line,
            station: run.station.as_str().into(),
            channel: self.channel.as_str().into(),
            channel_name: self.channel_name.as_deref().map(Arc::from),
            start,
            end: Some(end),
            zone: self.zone,
            details: Details {
                title,
                episode_title: raw.episode_title,
                description: raw.episode_description.or(raw.description),
                captions: raw.closed_captions,
                spanish_audio,
                ..Details::default()
            },
            nola_root: raw.nola_root,
            nola_episode: raw.nola_episode,
            hd: raw.hd,
            ..Programme::default()
        })
    }

    /// The day offset a listing at `hhmm` falls on, without moving the feed on.
    pub(super) fn days_on_for(&self, hhmm: u32) -> u64 {
        let Some((previous_hhmm, previous_start)) = self.previous else {
            return self.days_on;
        };
        if hhmm >= previous_hhmm {
            return self.days_on;
        }
        // Earlier on the clock than the listing before: past midnight, unless this is the
        // repeated hour of the night the clocks go back, which comes after it the same day.
        let still_today = self
            .day
            .checked_add_days(Days::new(self.days_on))
            .zip(clock(hhmm))
            .is_some_and(|(date, time)| {
                instants(self.tz, date, time)
                    .iter()
                    .any(|t| *t > previous_start)
            });
        if still_today {
            self.days_on
        } else {
            self.days_on + 1
        }
    }

    /// The start instant of a listing at `hhmm`, in order after the previous listing; `None`
    /// when that local time does not exist.
    pub(super) fn start(&mut self, hhmm: u32) -> Option<DateTime<Utc>> {
        let days_on = self.days_on_for(hhmm);
        let date = self.day.checked_add_days(Days::new(days_on))?;
        let candidates = instants(self.tz, date, clock(hhmm)?);
        let first = *candidates.first()?;
        let start = match self.previous {
            Some((_, previous)) => candidates
                .iter()
                .copied()
                .find(|t| *t > previous)
                .unwrap_or(first),
            None => first,
        };
        self.days_on = days_on;
        self.previous = Some((hhmm, start));
        Some(start)
    }
}

pub(super) fn clock(hhmm: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(hhmm / 100, hhmm % 100, 0)
}

/// `"0930"` → 930; `None` unless four digits of a real time of day.
pub(super) fn parse_hhmm(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hhmm: u32 = s.parse().ok()?;
    clock(hhmm).map(|_| hhmm)
}

/// The `listings` array of a feed.
pub(super) struct ListingsSeed<'r, 'a, 'e, 's> {
    pub(super) run: &'r mut Run<'a, 'e>,
    /// Listings read so far this day, all feeds together.
    pub(super) day_total: &'s mut usize,
    pub(super) kept: &'s mut Vec<RawListing>,
}

impl<'de> DeserializeSeed<'de> for ListingsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListingsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of listings")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let run = self.run;
        loop {
            let index = self.kept.len() + 1;
            run.at.listing = index;
            let seed = ListingSeed {
                run: &mut *run,
                index,
            };
            let Some(raw) = seq.next_element_seed(seed)? else {
                run.at.listing = 0;
                return Ok(());
            };
            *self.day_total += 1;
            if *self.day_total > MAX_LISTINGS_PER_DAY {
                let err = run.ctx.invalid(
                    raw.line,
                    "listings",
                    format!(
                        "{} has more than {MAX_LISTINGS_PER_DAY} listings in one day: this is \
                         not a TVSS day response",
                        run.at.place()
                    ),
                );
                return Err(run.stop(err));
            }
            self.kept.push(raw);
            run.progress();
        }
    }
}

/// One feed object.
pub(super) struct FeedSeed<'r, 'a, 'e, 's> {
    pub(super) run: &'r mut Run<'a, 'e>,
    pub(super) day: NaiveDate,
    pub(super) index: usize,
    pub(super) listings: &'s mut usize,
}

/// A feed as read: its fields and its listings, not yet placed in time.
pub(super) struct ReadFeed {
    pub(super) header: FeedHeader,
    pub(super) listings: Vec<RawListing>,
}

impl<'de> DeserializeSeed<'de> for FeedSeed<'_, '_, '_, '_> {
    type Value = ReadFeed;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<ReadFeed, D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Clone, Copy)]
pub(super) enum FeedKey {
    Cid,
    ShortName,
    FullName,
    Timezone,
    DigitalChannel,
    AnalogChannel,
    Listings,
    Other,
}

impl FeedKey {
    pub(super) fn named(name: &str) -> FeedKey {
        match name {
            "cid" => FeedKey::Cid,
            "short_name" => FeedKey::ShortName,
            "full_name" => FeedKey::FullName,
            "timezone" => FeedKey::Timezone,
            "digital_channel" => FeedKey::DigitalChannel,
            "analog_channel" => FeedKey::AnalogChannel,
            "listings" => FeedKey::Listings,
            _ => FeedKey::Other,
        }
    }
}

impl<'de> Visitor<'de> for FeedSeed<'_, '_, '_, '_> {
    type Value = ReadFeed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a feed object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReadFeed, A::Error> {
        let run = self.run;
        let index = self.index;
        run.at = At {
            day: Some(self.day),
            feed: index,
            ..At::default()
        };
        let mut header = FeedHeader {
            line: run.line(),
            ..FeedHeader::default()
        };
        let mut listings: Vec<RawListing> = Vec::new();
        while let Some(key) = map.next_key_seed(Key(FeedKey::named))? {
            let slot = match key {
                FeedKey::Cid => &mut header.cid,
                FeedKey::ShortName => &mut header.short_name,
                FeedKey::FullName => &mut header.full_name,
                FeedKey::Timezone => {
                    header.timezone_line = run.line();
                    &mut header.timezone
                }
                FeedKey::DigitalChannel => &mut header.digital_channel,
                FeedKey::AnalogChannel => &mut header.analog_channel,
                FeedKey::Listings => {
                    map.next_value_seed(ListingsSeed {
                        run: &mut *run,
                        day_total: &mut *self.listings,
                        kept: &mut listings,
                    })?;
                    continue;
                }
                FeedKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let Text(value) = map.next_value()?;
            *slot = Some(value);
            if let FeedKey::ShortName = key {
                run.at.feed_name = header.label(index);
            }
        }
        run.at.listing = 0;
        Ok(ReadFeed { header, listings })
    }
}

/// A feed placed in time: its programmes, and what tells a Spanish mirror.
pub(super) struct OpenFeed {
    pub(super) label: String,
    pub(super) short_name: Option<String>,
    pub(super) full_name: Option<String>,
    pub(super) has_digital_channel: bool,
    pub(super) line: u64,
    pub(super) programmes: Vec<Programme>,
}
