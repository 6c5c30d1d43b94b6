//! What the parse builds while inside a `<channel>` or `<programme>`, and the `<programme>` tag's
//! own attributes.

use super::super::zone::ZoneHint;
use super::super::{ImportError, ParseContext, Programme};
use super::text::LangText;
use super::time::{parse_time_written, Written};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The top-level element being read.
pub(super) enum Section {
    Outside,
    Channel(ChannelBuilder),
    Programme(Box<ProgrammeBuilder>),
    /// A programme skipped for a bad attribute: its children are read past.
    Skipped,
}

/// An element whose text is being collected.
pub(super) struct Capture {
    pub(super) field: Field,
    /// Number of open elements while inside it.
    pub(super) depth: usize,
    pub(super) line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    DisplayName,
    Lcn,
    Title(Lang),
    SubTitle(Lang),
    Desc(Lang),
    Category,
    EpisodeNum(EpisodeSystem),
    /// Seconds per unit, `None` for units we do not know.
    Length(Option<u32>),
    Language,
    Quality,
}

impl Field {
    pub(super) fn element(self) -> &'static str {
        match self {
            Field::DisplayName => "display-name",
            Field::Lcn => "lcn",
            Field::Title(_) => "title",
            Field::SubTitle(_) => "sub-title",
            Field::Desc(_) => "desc",
            Field::Category => "category",
            Field::EpisodeNum(_) => "episode-num",
            Field::Length(_) => "length",
            Field::Language => "language",
            Field::Quality => "quality",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    /// English, or no `lang` at all.
    English,
    Spanish,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EpisodeSystem {
    DdProgid,
    XmltvNs,
    Onscreen,
}

pub(super) struct ChannelBuilder {
    pub(super) id: String,
    pub(super) line: u64,
    pub(super) display_names: Vec<String>,
    pub(super) lcn: Option<String>,
}

/// What a `<channel>` tells about the programmes that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ChannelInfo {
    pub(super) station: String,
    pub(super) channel: String,
    pub(super) name: Option<String>,
}

/// A described channel as each of its programmes carries it (shared, not copied).
pub(super) struct Described {
    pub(super) station: Arc<str>,
    pub(super) channel: Arc<str>,
    pub(super) name: Option<Arc<str>>,
}

/// What the parse gathers of one `<programme>`. One builder serves programme after programme,
/// keeping the memory of its strings.
#[derive(Default)]
pub(super) struct ProgrammeBuilder {
    /// Line, start, categories, grades and flags are filled in as they are read.
    pub(super) p: Programme,
    pub(super) channel_id: String,
    pub(super) stop: Option<DateTime<Utc>>,
    pub(super) length_seconds: Option<i64>,
    pub(super) title: LangText,
    pub(super) sub_title: LangText,
    pub(super) desc: LangText,
    pub(super) dd_progid: Option<String>,
    pub(super) xmltv_ns: Option<String>,
    pub(super) onscreen: Option<String>,
}

/// A `<programme>` tag's attributes, as written (entities resolved). One serves tag after
/// tag, keeping the memory of its strings.
#[derive(Default)]
pub(super) struct ProgrammeTag {
    pub(super) start: Attr,
    pub(super) stop: Attr,
    pub(super) channel: Attr,
    pub(super) clumpidx: Attr,
}

/// One attribute's value, if the tag has it.
#[derive(Default)]
pub(super) struct Attr {
    pub(super) value: String,
    pub(super) given: bool,
}

impl Attr {
    pub(super) fn get(&self) -> Option<&str> {
        self.given.then_some(self.value.as_str())
    }
}

impl ProgrammeTag {
    /// Forgets the values of the last tag.
    pub(super) fn clear(&mut self) {
        for attr in [
            &mut self.start,
            &mut self.stop,
            &mut self.channel,
            &mut self.clumpidx,
        ] {
            attr.value.clear();
            attr.given = false;
        }
    }
}

/// A programme's `start`, `stop` and `channel`, checked, into `b` (otherwise empty).
pub(super) fn read_programme_tag(
    tag: &ProgrammeTag,
    line: u64,
    ctx: &mut ParseContext,
    b: &mut ProgrammeBuilder,
) -> Result<(), ImportError> {
    let start_raw = tag
        .start
        .get()
        .ok_or_else(|| ctx.invalid(line, "start", "this <programme> has no start attribute"))?;
    match tag.channel.get().map(str::trim) {
        Some(id) if !id.is_empty() => {
            b.channel_id.clear();
            b.channel_id.push_str(id);
        }
        _ => return Err(ctx.invalid(line, "channel", "this <programme> has no channel attribute")),
    };
    let (start, written) =
        parse_time_written(start_raw).map_err(|m| ctx.invalid(line, "start", m))?;
    b.stop = match tag.stop.get() {
        Some(raw) if !raw.trim().is_empty() => {
            let (stop, _) = parse_time_written(raw).map_err(|m| ctx.invalid(line, "stop", m))?;
            if stop < start {
                return Err(ctx.invalid(
                    line,
                    "stop",
                    format!("the programme stops (\"{raw}\") before it starts (\"{start_raw}\")"),
                ));
            }
            if stop == start {
                ctx.warn(
                    line,
                    "stop",
                    format!("the programme stops when it starts (\"{raw}\"): it lasts no time"),
                );
            }
            Some(stop)
        }
        _ => None,
    };
    let zone = match written {
        Written::Bare => ZoneHint::None,
        Written::Offset(seconds) => ZoneHint::Offset(seconds),
        Written::Zone(tz) => ZoneHint::Named(tz),
    };
    b.p.line = line;
    b.p.start = start;
    b.p.zone = zone;
    Ok(())
}

pub(super) fn warn_end_unknown(p: &Programme, channel_id: &str, ctx: &mut ParseContext) {
    ctx.warn(
        p.line,
        "stop",
        format!(
            "no stop, no length and no later programme on channel \"{channel_id}\": end unknown"
        ),
    );
}
