//! One listing object, read field by field with the line it starts on.

use super::values::Key;
use super::values::{Flag, Mention, Minutes, Text};
use super::{mentions_spanish, Run};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// A listing as read, before it is checked and placed in time.
#[derive(Default)]
pub(super) struct RawListing {
    pub(super) line: u64,
    pub(super) index: usize,
    pub(super) start_time: Option<String>,
    pub(super) minutes: Minutes,
    pub(super) title: Option<String>,
    pub(super) episode_title: Option<String>,
    pub(super) description: Option<String>,
    pub(super) episode_description: Option<String>,
    pub(super) nola_root: Option<String>,
    pub(super) nola_episode: Option<String>,
    pub(super) closed_captions: bool,
    pub(super) hd: bool,
    pub(super) language: Option<String>,
    /// A `sap` or `audio` field mentions Spanish.
    pub(super) spanish_sap: bool,
}

#[derive(Clone, Copy)]
pub(super) enum ListingKey {
    StartTime,
    Minutes,
    Title,
    EpisodeTitle,
    Description,
    EpisodeDescription,
    NolaRoot,
    NolaEpisode,
    ClosedCaptions,
    Hd,
    Language,
    Sap,
    Other,
}

impl ListingKey {
    pub(super) fn named(name: &str) -> ListingKey {
        match name {
            "start_time" => ListingKey::StartTime,
            "minutes" => ListingKey::Minutes,
            "title" => ListingKey::Title,
            "episode_title" => ListingKey::EpisodeTitle,
            "description" => ListingKey::Description,
            "episode_description" => ListingKey::EpisodeDescription,
            "nola_root" => ListingKey::NolaRoot,
            "nola_episode" => ListingKey::NolaEpisode,
            "closed_captions" => ListingKey::ClosedCaptions,
            "hd" => ListingKey::Hd,
            "language" => ListingKey::Language,
            "sap" | "audio" => ListingKey::Sap,
            _ => ListingKey::Other,
        }
    }

    pub(super) fn field(self) -> &'static str {
        match self {
            ListingKey::StartTime => "start_time",
            ListingKey::Minutes => "minutes",
            ListingKey::Title => "title",
            ListingKey::EpisodeTitle => "episode_title",
            ListingKey::Description => "description",
            ListingKey::EpisodeDescription => "episode_description",
            ListingKey::NolaRoot => "nola_root",
            ListingKey::NolaEpisode => "nola_episode",
            ListingKey::ClosedCaptions => "closed_captions",
            ListingKey::Hd => "hd",
            ListingKey::Language => "language",
            ListingKey::Sap => "sap",
            ListingKey::Other => "",
        }
    }
}

/// One listing object.
pub(super) struct ListingSeed<'r, 'a, 'e> {
    pub(super) run: &'r mut Run<'a, 'e>,
    pub(super) index: usize,
}

impl<'de> DeserializeSeed<'de> for ListingSeed<'_, '_, '_> {
    type Value = RawListing;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<RawListing, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListingSeed<'_, '_, '_> {
    type Value = RawListing;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a listing object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawListing, A::Error> {
        // The opening brace has just been read: this is the listing's line.
        let mut raw = RawListing {
            line: self.run.line(),
            index: self.index,
            ..RawListing::default()
        };
        while let Some(key) = map.next_key_seed(Key(ListingKey::named))? {
            self.run.at.field = key.field();
            let text = |map: &mut A| map.next_value::<Text>().map(|Text(t)| t);
            match key {
                ListingKey::StartTime => raw.start_time = text(&mut map)?,
                ListingKey::Minutes => raw.minutes = map.next_value()?,
                ListingKey::Title => raw.title = text(&mut map)?,
                ListingKey::EpisodeTitle => raw.episode_title = text(&mut map)?,
                ListingKey::Description => raw.description = text(&mut map)?,
                ListingKey::EpisodeDescription => raw.episode_description = text(&mut map)?,
                ListingKey::NolaRoot => raw.nola_root = text(&mut map)?,
                ListingKey::NolaEpisode => raw.nola_episode = text(&mut map)?,
                ListingKey::ClosedCaptions => raw.closed_captions = map.next_value::<Flag>()?.0,
                ListingKey::Hd => raw.hd = map.next_value::<Flag>()?.0,
                ListingKey::Language => raw.language = map.next_value::<Mention>()?.0,
                ListingKey::Sap => {
                    let Mention(said) = map.next_value()?;
                    raw.spanish_sap |= said.as_deref().is_some_and(mentions_spanish);
                }
                ListingKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.run.at.field = "";
        Ok(raw)
    }
}
