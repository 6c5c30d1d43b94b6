//! Lenient readers for the values stations really send: strings or `null`, numbers as strings,
//! booleans as `Y`/`N`, mentions of Spanish.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Reads an object key into `K` through a name → key function, without allocating.
pub(super) struct Key<F>(pub(super) F);

impl<'de, K, F: FnOnce(&str) -> K> DeserializeSeed<'de> for Key<F> {
    type Value = K;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<K, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, K, F: FnOnce(&str) -> K> Visitor<'de> for Key<F> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<K, E> {
        Ok((self.0)(v))
    }
}

/// A text field: trimmed, with `""` and `null` as none; numbers are taken as their text.
pub(super) struct Text(pub(super) Option<String>);

impl<'de> de::Deserialize<'de> for Text {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

pub(super) struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        let v = v.trim();
        Ok(Text((!v.is_empty()).then(|| v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }
}

/// `minutes`: a number or a string of digits.
#[derive(Default)]
pub(super) enum Minutes {
    #[default]
    Missing,
    Given(u64),
    Bad(String),
}

impl<'de> de::Deserialize<'de> for Minutes {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Minutes, D::Error> {
        d.deserialize_any(MinutesVisitor)
    }
}

pub(super) struct MinutesVisitor;

impl<'de> Visitor<'de> for MinutesVisitor {
    type Value = Minutes;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number of minutes")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Minutes, E> {
        Ok(Minutes::Given(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Minutes, E> {
        Ok(u64::try_from(v).map_or_else(|_| Minutes::Bad(v.to_string()), Minutes::Given))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Minutes, E> {
        Ok(if v.fract() == 0.0 && (0.0..1e9).contains(&v) {
            Minutes::Given(v as u64)
        } else {
            Minutes::Bad(v.to_string())
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Minutes, E> {
        let v = v.trim();
        Ok(if v.is_empty() {
            Minutes::Missing
        } else {
            match v.parse::<u64>() {
                Ok(m) if v.bytes().all(|b| b.is_ascii_digit()) => Minutes::Given(m),
                _ => Minutes::Bad(v.to_string()),
            }
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Minutes, E> {
        Ok(Minutes::Missing)
    }
}

/// A yes/no field: a boolean, `null` (no), 0/1, or text such as `"true"` / `"Y"`.
pub(super) struct Flag(pub(super) bool);

impl<'de> de::Deserialize<'de> for Flag {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Flag, D::Error> {
        d.deserialize_any(FlagVisitor)
    }
}

pub(super) struct FlagVisitor;

impl<'de> Visitor<'de> for FlagVisitor {
    type Value = Flag;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("true or false")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
        Ok(Flag(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Flag, E> {
        Ok(Flag(v != 0))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Flag, E> {
        Ok(Flag(v != 0))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "t" => Ok(Flag(true)),
            "false" | "no" | "n" | "0" | "f" | "" => Ok(Flag(false)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
        Ok(Flag(false))
    }
}

/// Whatever text a loosely defined field holds (`sap`, `audio`, `language`): strings, and the
/// strings of a list joined by commas; anything else is none.
pub(super) struct Mention(pub(super) Option<String>);

impl<'de> de::Deserialize<'de> for Mention {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Mention, D::Error> {
        d.deserialize_any(MentionVisitor)
    }
}

pub(super) struct MentionVisitor;

impl<'de> Visitor<'de> for MentionVisitor {
    type Value = Mention;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Mention, E> {
        let v = v.trim();
        Ok(Mention((!v.is_empty()).then(|| v.to_string())))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Mention, E> {
        Ok(Mention(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Mention, E> {
        Ok(Mention(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Mention, E> {
        Ok(Mention(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Mention, E> {
        Ok(Mention(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Mention, E> {
        Ok(Mention(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Mention, A::Error> {
        let mut all: Option<String> = None;
        while let Some(Mention(item)) = seq.next_element()? {
            if let Some(item) = item {
                match &mut all {
                    Some(all) => {
                        all.push_str(", ");
                        all.push_str(&item);
                    }
                    None => all = Some(item),
                }
            }
        }
        Ok(Mention(all))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Mention, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Mention(None))
    }
}
