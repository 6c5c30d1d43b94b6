//! XMLTV schedules (`xmltv.dtd`): `<channel>` and `<programme>` elements read as a stream and
//! turned into [`Programme`] records.
//!
//! The file is read event by event with one reused buffer, so memory grows with the number of
//! channels, not with the size of the file. The reader knows where the line ends fall in each
//! buffer it reads, so each programme and each error names its line. Programmes without `stop` or `<length>` wait (one per
//! channel) for the next programme on their channel to learn when they end.

mod programme;
mod text;
mod time;
mod values;

use self::programme::{
    read_programme_tag, warn_end_unknown, Capture, ChannelBuilder, Described, EpisodeSystem, Field,
    ProgrammeBuilder, ProgrammeTag, Section,
};
use self::text::{collapse_whitespace, Texts};
use self::values::{
    attr_bytes, classify_lang, derive_channel, is_spanish, length_seconds, length_unit,
    xmltv_ns_episode,
};
use super::lines;
use super::{Emit, ImportError, ParseContext, Programme};
use crate::domain::GradeSet;
use crate::import::{MAX_CODE, MAX_NAME};
use chrono::TimeDelta;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Decoder, Reader};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How often (in bytes read) the progress callback is told.
const PROGRESS_EVERY: u64 = 1 << 20;

/// Distinct unknown entities warned about; after that they are kept silently.
const MAX_ENTITY_WARNINGS: usize = 32;

const INVALID_UTF8: &str = "invalid UTF-8: the file says it is UTF-8 but this text is not \
     (it may be ISO-8859-1 or Windows-1252; if so, its first line should be \
     <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>)";

/// Reads an XMLTV file and hands each programme to `emit`.
///
/// Programmes come out in file order, except that one without `stop` or `<length>` is held back
/// until the next programme on its channel (whose start is its end) or the end of the file.
pub fn parse(
    input: impl lines::Blocks,
    ctx: &mut ParseContext,
    emit: &mut Emit,
) -> Result<(), ImportError> {
    let mut reader = Reader::from_reader(lines::Counted::new(input));
    // `check_end_names` is on by default: a mismatched end tag is an error.
    let mut state = State::new(reader.decoder());
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut next_progress = PROGRESS_EVERY;
    let mut first_event = true;

    loop {
        // quick-xml consumes the `<` of a tag together with the text before it, and a tag never
        // starts with a newline, so the line counted now is the line the next event starts on.
        let line = reader.get_mut().line();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(err) => return Err(state.xml_error(err, reader.get_mut().line(), ctx)),
        };
        let decoder = reader.decoder();
        if first_event || matches!(event, Event::Decl(_)) {
            // The encoding is known after the first event (byte-order mark) and after the XML
            // declaration.
            first_event = false;
            state.utf8 = check_encoding(decoder, ctx)?;
        }
        state.texts.decoder = decoder;
        state.texts.utf8 = state.utf8;
        // Text that is captured is checked once, as it is read (`Texts::append`); an end tag
        // is its start tag's name, checked when it opened (quick-xml checks that they match).
        // And where the reader has found the file UTF-8 as it read it, nothing needs a look.
        let checked_elsewhere = match event {
            Event::Text(_) | Event::CData(_) => state.capture.is_some(),
            Event::End(_) => true,
            _ => false,
        } || reader.get_ref().consumed() <= reader.get_ref().utf8_to();
        if state.utf8 && !checked_elsewhere {
            if let Err(err) = std::str::from_utf8(&event) {
                let at = line + count_newlines(&event[..err.valid_up_to()]);
                let field = match &event {
                    Event::Start(e) | Event::Empty(e) => lossy(e.name().as_ref()),
                    _ => state.innermost(),
                };
                return Err(ctx.invalid(at, &field, INVALID_UTF8));
            }
        }
        match event {
            Event::Start(e) => state.open(&e, line, ctx)?,
            Event::Empty(e) => {
                state.open(&e, line, ctx)?;
                state.close(ctx, emit)?;
            }
            Event::End(_) => state.close(ctx, emit)?,
            Event::Text(t) => state.text(&t, true, line, ctx)?,
            Event::CData(t) => state.text(&t, false, line, ctx)?,
            Event::Eof => break,
            // Comments, processing instructions, the declaration and the DOCTYPE (whose DTD is
            // never fetched) carry nothing for us.
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
        let consumed = reader.get_ref().consumed();
        if consumed >= next_progress {
            ctx.report_progress(consumed);
            next_progress = consumed + PROGRESS_EVERY;
        }
    }

    state.finish(reader.get_mut().line(), ctx, emit)?;
    ctx.report_progress(reader.get_ref().consumed());
    Ok(())
}

fn count_newlines(bytes: &[u8]) -> u64 {
    lines::count(bytes)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether the file is UTF-8; UTF-16 cannot be read at all.
fn check_encoding(decoder: Decoder, ctx: &ParseContext) -> Result<bool, ImportError> {
    let name = decoder.encoding().name();
    if name.starts_with("UTF-16") {
        return Err(ctx.invalid(
            1,
            "encoding",
            "UTF-16 files cannot be read: save the file as UTF-8",
        ));
    }
    Ok(name == "UTF-8")
}

/// Everything the parse remembers between events.
struct State {
    /// Names of the open elements, one after the other, and where each starts in `names`.
    names: Vec<u8>,
    starts: Vec<usize>,
    root_seen: bool,
    utf8: bool,
    section: Section,
    capture: Option<Capture>,
    /// Text of the element being captured.
    text: String,
    in_video: bool,
    texts: Texts,
    channels: HashMap<String, Described>,
    /// Per channel id, the programme waiting for the next one's start as its end.
    /// Each with the number of its turn in `pending_order`.
    pending: HashMap<String, (u64, Programme)>,
    /// The channels of `pending` in the order their programmes began waiting, to let the
    /// oldest go when too many wait (numbered, not by line: a file may be one line).
    pending_order: std::collections::BTreeMap<u64, String>,
    pending_turns: u64,
    unknown_channels: HashSet<String>,
    /// The `<programme>` tag being read, and the builder the last programme left.
    tag: ProgrammeTag,
    spare: Option<Box<ProgrammeBuilder>>,
}

/// Channels that may each hold back a programme without `stop`, waiting for the next one's
/// start. A real guide has hundreds or a few thousand channels; a file of hundreds of
/// thousands of channels without stops would otherwise hold every programme in memory.
pub const MAX_PENDING: usize = 20_000;

impl State {
    fn new(decoder: Decoder) -> Self {
        State {
            names: Vec::with_capacity(256),
            starts: Vec::with_capacity(16),
            root_seen: false,
            utf8: true,
            section: Section::Outside,
            capture: None,
            text: String::new(),
            in_video: false,
            texts: Texts {
                decoder,
                utf8: true,
                warned_entities: HashSet::new(),
            },
            channels: HashMap::new(),
            pending: HashMap::new(),
            pending_order: std::collections::BTreeMap::new(),
            pending_turns: 0,
            unknown_channels: HashSet::new(),
            tag: ProgrammeTag::default(),
            spare: None,
        }
    }

    fn top_name(&self) -> &[u8] {
        match self.starts.last() {
            Some(&start) => &self.names[start..],
            None => &[],
        }
    }

    /// The innermost open element, for messages.
    fn innermost(&self) -> String {
        match self.starts.last() {
            Some(_) => lossy(self.top_name()),
            None => "tv".to_string(),
        }
    }

    /// The element a message about the current place should name: the channel or programme
    /// being read, else the innermost open element.
    fn section_name(&self) -> (String, Option<u64>) {
        match &self.section {
            Section::Programme(b) => ("programme".to_string(), Some(b.p.line)),
            Section::Channel(b) => ("channel".to_string(), Some(b.line)),
            Section::Skipped => ("programme".to_string(), None),
            Section::Outside => (self.innermost(), None),
        }
    }

    fn open(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        ctx: &mut ParseContext,
    ) -> Result<(), ImportError> {
        let qname = e.name();
        let name = qname.as_ref();
        let depth = self.starts.len();
        match depth {
            0 => {
                if name != b"tv" {
                    return Err(ctx.invalid(
                        line,
                        "tv",
                        format!(
                            "this is not an XMLTV file: it starts with <{}>, not <tv>",
                            lossy(name)
                        ),
                    ));
                }
                self.root_seen = true;
            }
            1 => match name {
                b"channel" => self.section = Section::Channel(self.start_channel(e, line, ctx)?),
                b"programme" => {
                    self.section = match self.start_programme(e, line, ctx)? {
                        Some(builder) => Section::Programme(builder),
                        None => Section::Skipped,
                    }
                }
                _ => {}
            },
            2 => self.open_child(e, name, depth + 1, line, ctx)?,
            3 if self.in_video && name == b"quality" => {
                self.begin_capture(Field::Quality, depth + 1, line)
            }
            _ => {}
        }
        self.starts.push(self.names.len());
        self.names.extend_from_slice(name);
        Ok(())
    }

    /// A child of `<channel>` or `<programme>`.
    fn open_child(
        &mut self,
        e: &BytesStart<'_>,
        name: &[u8],
        depth: usize,
        line: u64,
        ctx: &mut ParseContext,
    ) -> Result<(), ImportError> {
        let attr = |key: &[u8]| {
            attr_bytes(e, key).map_err(|err| {
                ctx.invalid(
                    line,
                    &lossy(name),
                    format!("this tag is not well-formed XML: {err}"),
                )
            })
        };
        let field = match &mut self.section {
            Section::Outside | Section::Skipped => None,
            Section::Channel(_) => match name {
                b"display-name" => Some(Field::DisplayName),
                b"lcn" => Some(Field::Lcn),
                _ => None,
            },
            Section::Programme(b) => match name {
                b"title" => Some(Field::Title(classify_lang(attr(b"lang")?.as_deref()))),
                b"sub-title" => Some(Field::SubTitle(classify_lang(attr(b"lang")?.as_deref()))),
                b"desc" => Some(Field::Desc(classify_lang(attr(b"lang")?.as_deref()))),
                b"category" => Some(Field::Category),
                b"episode-num" => match attr(b"system")?.as_deref().map(<[u8]>::trim_ascii) {
                    Some(b"dd_progid") => Some(Field::EpisodeNum(EpisodeSystem::DdProgid)),
                    Some(b"xmltv_ns") => Some(Field::EpisodeNum(EpisodeSystem::XmltvNs)),
                    // The DTD makes "onscreen" the default system.
                    None | Some(b"onscreen") => Some(Field::EpisodeNum(EpisodeSystem::Onscreen)),
                    _ => None,
                },
                b"length" => Some(Field::Length(length_unit(attr(b"units")?.as_deref()))),
                b"language" => Some(Field::Language),
                b"subtitles" => {
                    b.p.details.captions = true;
                    None
                }
                b"previously-shown" => {
                    b.p.previously_shown = true;
                    None
                }
                b"video" => {
                    self.in_video = true;
                    None
                }
                _ => None,
            },
        };
        if let Some(field) = field {
            self.begin_capture(field, depth, line);
        }
        Ok(())
    }

    fn begin_capture(&mut self, field: Field, depth: usize, line: u64) {
        self.text.clear();
        self.capture = Some(Capture { field, depth, line });
    }

    fn text(
        &mut self,
        raw: &[u8],
        escaped: bool,
        line: u64,
        ctx: &mut ParseContext,
    ) -> Result<(), ImportError> {
        if let Some(cap) = &self.capture {
            self.texts.append(
                raw,
                escaped,
                &mut self.text,
                (line, cap.field.element()),
                ctx,
            )?;
        }
        Ok(())
    }

    /// The innermost open element ends (quick-xml has checked that the end tag matches it).
    fn close(&mut self, ctx: &mut ParseContext, emit: &mut Emit) -> Result<(), ImportError> {
        let depth = self.starts.len();
        if self.capture.as_ref().is_some_and(|c| c.depth == depth) {
            if let Some(cap) = self.capture.take() {
                self.finish_capture(cap, ctx);
            }
        }
        if depth == 3 && self.top_name() == b"video" {
            self.in_video = false;
        }
        if depth == 2 {
            match std::mem::replace(&mut self.section, Section::Outside) {
                Section::Outside | Section::Skipped => {}
                Section::Channel(b) => self.finish_channel(b, ctx),
                Section::Programme(mut b) => {
                    // The builder and its channel id's memory serve the next programme.
                    let channel_id = std::mem::take(&mut b.channel_id);
                    let builder = std::mem::take(&mut *b);
                    let finished = self.finish_programme(builder, &channel_id, ctx, emit);
                    b.channel_id = channel_id;
                    self.spare = Some(b);
                    finished?
                }
            }
        }
        if let Some(start) = self.starts.pop() {
            self.names.truncate(start);
        }
        Ok(())
    }

    fn start_channel(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        ctx: &mut ParseContext,
    ) -> Result<ChannelBuilder, ImportError> {
        let raw = attr_bytes(e, b"id").map_err(|err| {
            ctx.invalid(
                line,
                "channel",
                format!("this tag is not well-formed XML: {err}"),
            )
        })?;
        let mut id = String::new();
        if let Some(raw) = raw {
            self.texts
                .append(&raw, true, &mut id, (line, "channel"), ctx)?;
        }
        let id = id.trim();
        if id.is_empty() {
            return Err(ctx.invalid(line, "id", "this <channel> has no id"));
        }
        Ok(ChannelBuilder {
            id: id.to_string(),
            line,
            display_names: Vec::new(),
            lcn: None,
        })
    }

    /// Reads a `<programme>` tag. A programme whose attributes make no sense (no start, an
    /// impossible time, a stop before its start) is skipped with a warning: `None`.
    fn start_programme(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        ctx: &mut ParseContext,
    ) -> Result<Option<Box<ProgrammeBuilder>>, ImportError> {
        self.tag.clear();
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| {
                ctx.invalid(
                    line,
                    "programme",
                    format!("this tag is not well-formed XML: {err}"),
                )
            })?;
            let slot = match attr.key.as_ref() {
                b"start" => &mut self.tag.start,
                b"stop" => &mut self.tag.stop,
                b"channel" => &mut self.tag.channel,
                b"clumpidx" => &mut self.tag.clumpidx,
                _ => continue,
            };
            // An attribute given twice: the last one counts.
            slot.value.clear();
            slot.given = true;
            self.texts
                .append(&attr.value, true, &mut slot.value, (line, "programme"), ctx)?;
        }
        let mut builder = self.spare.take().unwrap_or_default();
        match read_programme_tag(&self.tag, line, ctx, &mut builder) {
            Ok(()) => {
                // `clumpidx="0/2"`: one of two programmes that share their slot on purpose.
                builder.p.clump = self
                    .tag
                    .clumpidx
                    .get()
                    .is_some_and(|c| !c.trim().ends_with("/1"));
                Ok(Some(builder))
            }
            Err(err) => {
                self.spare = Some(builder);
                ctx.skip(err, 1).map(|()| None)
            }
        }
    }

    fn finish_capture(&mut self, cap: Capture, ctx: &mut ParseContext) {
        let text = std::mem::take(&mut self.text);
        self.finish_text(cap, &text, ctx);
        // The buffer serves the next text.
        self.text = text;
        self.text.clear();
    }

    fn finish_text(&mut self, cap: Capture, text: &str, ctx: &mut ParseContext) {
        let value = collapse_whitespace(text);
        match &mut self.section {
            Section::Outside | Section::Skipped => {}
            Section::Channel(c) => match cap.field {
                Field::DisplayName if !value.is_empty() => c.display_names.push(value.into_owned()),
                Field::Lcn if c.lcn.is_none() && !value.is_empty() => {
                    c.lcn = Some(value.into_owned())
                }
                _ => {}
            },
            Section::Programme(b) => match cap.field {
                Field::Title(lang) => b.title.add(lang, value.into_owned()),
                Field::SubTitle(lang) => b.sub_title.add(lang, value.into_owned()),
                Field::Desc(lang) => b.desc.add(lang, value.into_owned()),
                Field::Category if !value.is_empty() => {
                    if let Some(grades) = GradeSet::from_category(&value) {
                        b.p.details.grades = b.p.details.grades.union(grades);
                    }
                    b.p.categories.push(value.into_owned());
                }
                Field::EpisodeNum(system) if !value.is_empty() => match system {
                    EpisodeSystem::DdProgid => {
                        b.dd_progid.get_or_insert_with(|| value.into_owned());
                    }
                    EpisodeSystem::Onscreen => {
                        b.onscreen.get_or_insert_with(|| value.into_owned());
                    }
                    EpisodeSystem::XmltvNs if b.xmltv_ns.is_none() => {
                        match xmltv_ns_episode(&value) {
                            Ok(episode) => b.xmltv_ns = episode,
                            Err(()) => ctx.warn(
                                cap.line,
                                "episode-num",
                                format!(
                                    "\"{value}\" is not an xmltv_ns episode number \
                                     (season.episode.part, counted from 0): ignored"
                                ),
                            ),
                        }
                    }
                    EpisodeSystem::XmltvNs => {}
                },
                Field::Length(units) => match length_seconds(&value, units) {
                    Ok(seconds) => {
                        b.length_seconds.get_or_insert(seconds);
                    }
                    Err(message) => ctx.warn(cap.line, "length", message),
                },
                Field::Language => b.p.details.spanish_audio |= is_spanish(&value),
                Field::Quality => {
                    b.p.hd |= value.eq_ignore_ascii_case("HDTV") || value.eq_ignore_ascii_case("HD")
                }
                _ => {}
            },
        }
    }

    fn finish_channel(&mut self, b: ChannelBuilder, ctx: &mut ParseContext) {
        let mut info = derive_channel(
            &b.id,
            &b.display_names,
            b.lcn.as_deref(),
            ctx.station.as_deref(),
        );
        info.station = ctx.short(b.line, "station", info.station, MAX_CODE);
        info.channel = ctx.short(b.line, "lcn", info.channel, MAX_CODE);
        info.name = info
            .name
            .map(|n| ctx.short(b.line, "display-name", n, MAX_NAME));
        let described = Described {
            station: info.station.into(),
            channel: info.channel.into(),
            name: info.name.map(Arc::from),
        };
        if self.channels.insert(b.id.clone(), described).is_some() {
            ctx.warn(
                b.line,
                "channel",
                format!(
                    "channel \"{}\" is described twice: the later description is used",
                    b.id
                ),
            );
        }
    }

    fn finish_programme(
        &mut self,
        b: ProgrammeBuilder,
        channel_id: &str,
        ctx: &mut ParseContext,
        emit: &mut Emit,
    ) -> Result<(), ImportError> {
        let ProgrammeBuilder {
            mut p,
            channel_id: _,
            stop,
            length_seconds,
            title,
            sub_title,
            desc,
            dd_progid,
            xmltv_ns,
            onscreen,
        } = b;

        let (title, title_es) = title.finish();
        let Some(title) = title else {
            let err = ctx.invalid(
                p.line,
                "title",
                format!(
                    "the programme on channel \"{channel_id}\" at {} has no title",
                    p.start
                ),
            );
            return ctx.skip(err, 1);
        };
        p.details.title = title;
        p.details.title_es = title_es;
        (p.details.episode_title, p.details.episode_title_es) = sub_title.finish();
        (p.details.description, p.details.description_es) = desc.finish();
        p.episode_num = dd_progid.or(xmltv_ns).or(onscreen);

        p.end = stop.or_else(|| {
            let seconds = length_seconds?;
            if seconds == 0 {
                ctx.warn(
                    p.line,
                    "length",
                    "the length is 0: the programme lasts no time",
                );
            }
            p.start.checked_add_signed(TimeDelta::try_seconds(seconds)?)
        });

        match self.channels.get(channel_id) {
            Some(info) => {
                p.station = info.station.clone();
                p.channel = info.channel.clone();
                p.channel_name = info.name.clone();
            }
            None => {
                p.station = match &ctx.station {
                    Some(station) => station.trim().to_uppercase(),
                    None => ctx.short(p.line, "channel", channel_id.to_string(), MAX_CODE),
                }
                .into();
                p.channel = ctx
                    .short(p.line, "channel", channel_id.to_string(), MAX_CODE)
                    .into();
                if !self.unknown_channels.contains(channel_id) {
                    self.unknown_channels.insert(channel_id.to_string());
                    ctx.warn(
                        p.line,
                        "channel",
                        format!(
                            "no <channel id=\"{channel_id}\"> in the file: \
                             \"{channel_id}\" is used as station and channel"
                        ),
                    );
                }
            }
        }

        // This programme's start is the end of the one waiting on the same channel.
        if let Some((turn, mut previous)) = self.pending.remove(channel_id) {
            self.pending_order.remove(&turn);
            if p.start > previous.start {
                previous.end = Some(p.start);
                previous.end_guessed = true;
            } else {
                warn_end_unknown(&previous, channel_id, ctx);
            }
            emit(previous)?;
        }
        if p.end.is_some() {
            emit(p)
        } else {
            if self.pending.len() >= MAX_PENDING {
                // The channel that has waited longest is not coming back soon, if at all.
                if let Some((_, oldest)) = self.pending_order.pop_first() {
                    if let Some((_, old)) = self.pending.remove(&oldest) {
                        warn_end_unknown(&old, &oldest, ctx);
                        emit(old)?;
                    }
                }
            }
            self.pending_turns += 1;
            self.pending_order
                .insert(self.pending_turns, channel_id.to_string());
            self.pending
                .insert(channel_id.to_string(), (self.pending_turns, p));
            Ok(())
        }
    }

    fn finish(
        &mut self,
        line: u64,
        ctx: &mut ParseContext,
        emit: &mut Emit,
    ) -> Result<(), ImportError> {
        // quick-xml reports the end of the input without complaint even when elements are open.
        if !self.starts.is_empty() {
            let (element, since) = self.section_name();
            let message = match since {
                Some(start) => format!(
                    "the file ends inside the <{element}> that starts on line {start} (truncated?)"
                ),
                None => format!("the file ends inside <{element}> (truncated?)"),
            };
            return Err(ctx.invalid(line, &element, message));
        }
        if !self.root_seen {
            return Err(ctx.invalid(
                line,
                "tv",
                "the file has no <tv> element: it is empty or not an XMLTV file",
            ));
        }
        self.pending_order.clear();
        let mut last: Vec<(String, (u64, Programme))> = self.pending.drain().collect();
        last.sort_by_key(|(_, (turn, _))| *turn);
        for (channel_id, (_, p)) in last {
            warn_end_unknown(&p, &channel_id, ctx);
            emit(p)?;
        }
        Ok(())
    }

    /// Turns a quick-xml error into one that says where and what, in plain words.
    fn xml_error(&self, err: XmlError, line: u64, ctx: &ParseContext) -> ImportError {
        let (mut element, _) = self.section_name();
        let not_xml = "the file is not well-formed XML";
        let message = match err {
            XmlError::Io(e) => {
                return ImportError::Source {
                    source_name: ctx.file.clone(),
                    message: format!("cannot read the file: {e}"),
                }
            }
            XmlError::Syntax(SyntaxError::UnclosedTag) => {
                "the file ends in the middle of a tag (truncated?)".to_string()
            }
            XmlError::Syntax(SyntaxError::UnclosedComment) => {
                "a comment (<!-- …) is never closed (truncated?)".to_string()
            }
            XmlError::Syntax(SyntaxError::UnclosedCData) => {
                "a <![CDATA[ … section is never closed (truncated?)".to_string()
            }
            XmlError::Syntax(SyntaxError::UnclosedDoctype) => {
                "the <!DOCTYPE …> is never closed (truncated?)".to_string()
            }
            XmlError::Syntax(SyntaxError::UnclosedPIOrXmlDecl) => {
                "a <? … ?> instruction is never closed (truncated?)".to_string()
            }
            XmlError::Syntax(SyntaxError::InvalidBangMarkup) => {
                format!(
                    "\"<!\" starts something that is not a comment, CDATA or DOCTYPE: {not_xml}"
                )
            }
            XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                let message = format!(
                    "</{found}> found where </{expected}> was expected \
                     (a tag is not closed properly): {not_xml}"
                );
                element = expected;
                message
            }
            XmlError::IllFormed(IllFormedError::UnmatchedEndTag(tag)) => {
                format!("</{tag}> closes an element that was never opened: {not_xml}")
            }
            XmlError::Encoding(_) => INVALID_UTF8.to_string(),
            other => format!("{not_xml} ({other})"),
        };
        ctx.invalid(line, &element, message)
    }
}

#[cfg(test)]
mod tests {
    use super::text::unescape_into;
    use super::time::{parse_time, parse_time_written, Written};
    use super::*;
    use crate::domain::keys::us_call_sign;
    use crate::import::Warning;
    use chrono::TimeZone;
    use chrono::{DateTime, Utc};
    use std::sync::{Arc, Mutex};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn parse_with(
        xml: &[u8],
        station: Option<&str>,
    ) -> Result<(Vec<Programme>, Vec<Warning>), ImportError> {
        parse_strict(xml, station, false)
    }

    #[test]
    fn programmes_waiting_for_an_end_are_bounded_oldest_first() {
        // One line, every programme on its own channel, none with a stop.
        let mut xml = String::from("<tv>");
        for i in 0..MAX_PENDING + 3 {
            xml.push_str(&format!(
                "<programme start=\"20200413{:02}0000 +0000\" channel=\"c{i}\"><title>S</title></programme>",
                i % 24
            ));
        }
        xml.push_str("</tv>");
        let (out, _) = parse_strict(xml.as_bytes(), None, false).unwrap();
        assert_eq!(out.len(), MAX_PENDING + 3);
        // The three that waited longest came out first, as soon as the limit was reached.
        let first: Vec<&str> = out[..3].iter().map(|p| p.channel.as_ref()).collect();
        assert_eq!(first, ["c0", "c1", "c2"]);
        assert!(out.iter().all(|p| p.end.is_none()));
        assert_eq!(&*out[3].channel, "c3");
    }

    fn parse_strict(
        xml: &[u8],
        station: Option<&str>,
        strict: bool,
    ) -> Result<(Vec<Programme>, Vec<Warning>), ImportError> {
        let mut ctx = ParseContext::new("test.xml", chrono_tz::America::Los_Angeles);
        ctx.station = station.map(str::to_string);
        ctx.strict = strict;
        let mut out = Vec::new();
        {
            let mut emit = |p: Programme| {
                out.push(p);
                Ok(())
            };
            parse(xml, &mut ctx, &mut emit)?;
        }
        Ok((out, ctx.warnings))
    }

    fn parse_ok(xml: &str) -> (Vec<Programme>, Vec<Warning>) {
        parse_with(xml.as_bytes(), None).unwrap()
    }

    /// The error `--strict` refuses `xml` with; without `--strict`, a bad programme must be
    /// skipped with a warning at the same place (a file-level error refuses either way).
    fn parse_err(xml: &[u8]) -> (u64, String, String) {
        let (line, field, message) = match parse_strict(xml, None, true) {
            Err(ImportError::Invalid { at, message }) => (at.line, at.field, message),
            Err(other) => panic!("expected an invalid-schedule error, got {other}"),
            Ok((programmes, _)) => panic!("expected an error, got {programmes:?}"),
        };
        if let Ok((_, warnings)) = parse_with(xml, None) {
            assert!(
                warnings.iter().any(|w| w.line == line
                    && w.field == field
                    && w.message.starts_with(&message)
                    && w.message.contains("skipped")),
                "no skip warning at {line} {field}: {warnings:?}"
            );
        }
        (line, field, message)
    }

    /// A file with channel `c1` (KCET, 28.1) and the given programmes.
    fn tv(programmes: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n\
             <channel id=\"c1\"><display-name>KCET</display-name>\
             <display-name>28.1</display-name></channel>\n{programmes}\n</tv>\n"
        )
    }

    fn only(programmes: &[Programme]) -> &Programme {
        assert_eq!(programmes.len(), 1, "{programmes:#?}");
        &programmes[0]
    }

    #[test]
    fn programmes_and_errors_are_on_their_lines_whatever_the_line_endings() {
        let xml = tv(
            "<programme start=\"20200413090000 -0700\" stop=\"20200413093000 -0700\" channel=\"c1\">\n\
             <title>A</title></programme>\n\n\
             <programme start=\"20200413093000 -0700\" stop=\"20200413090000 -0700\" channel=\"c1\">\n\
             <title>B</title></programme>",
        );
        for end in ["\n", "\r\n", "\r"] {
            let text = xml.replace('\n', end);
            let (got, warnings) = parse_ok(&text);
            assert_eq!(
                got.iter().map(|p| p.line).collect::<Vec<_>>(),
                [4],
                "{end:?}"
            );
            let skip = warnings.iter().find(|w| w.field == "stop").unwrap();
            assert_eq!(skip.line, 7, "{end:?}: {warnings:?}");
        }
    }

    #[test]
    fn the_zone_abbreviations_of_the_xmltv_tools_read_from_the_zone_database() {
        for (text, want) in [
            ("200007281733 BST", "2000-07-28T16:33:00Z"),
            ("20200115120000 CET", "2020-01-15T11:00:00Z"),
            ("20200715120000 CEST", "2020-07-15T10:00:00Z"),
            ("20200715120000 EEST", "2020-07-15T09:00:00Z"),
            ("20200115120000 WET", "2020-01-15T12:00:00Z"),
            ("20200715120000 IST", "2020-07-15T11:00:00Z"),
            ("20200715120000 MSK", "2020-07-15T09:00:00Z"),
            ("20200715120000 AST", "2020-07-15T16:00:00Z"),
            ("20200715120000 bst", "2020-07-15T11:00:00Z"),
            ("201304051700 -05", "2013-04-05T22:00:00Z"),
            ("201304060345 +05", "2013-04-05T22:45:00Z"),
            ("201304052200 +02:00", "2013-04-05T20:00:00Z"),
            ("201304052000Z", "2013-04-05T20:00:00Z"),
        ] {
            assert_eq!(
                parse_time(text).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                Ok(want.to_string()),
                "{text}"
            );
        }
        assert_eq!(
            parse_time_written("200007281733 BST").map(|(_, w)| w),
            Ok(Written::Offset(3600))
        );
    }

    // ---- times ----

    #[test]
    fn reads_every_leading_part_of_an_xmltv_time() {
        assert_eq!(
            parse_time("20200413093015"),
            Ok(utc(2020, 4, 13, 9, 30, 15))
        );
        assert_eq!(parse_time("202004130930"), Ok(utc(2020, 4, 13, 9, 30, 0)));
        assert_eq!(parse_time("2020041309"), Ok(utc(2020, 4, 13, 9, 0, 0)));
        assert_eq!(parse_time("20200413"), Ok(utc(2020, 4, 13, 0, 0, 0)));
        assert_eq!(parse_time("202004"), Ok(utc(2020, 4, 1, 0, 0, 0)));
        assert_eq!(parse_time("2020"), Ok(utc(2020, 1, 1, 0, 0, 0)));
        assert_eq!(parse_time("  20200413  "), Ok(utc(2020, 4, 13, 0, 0, 0)));
    }

    #[test]
    fn a_time_without_a_zone_is_utc() {
        assert_eq!(parse_time("200006031633"), Ok(utc(2000, 6, 3, 16, 33, 0)));
    }

    #[test]
    fn reads_numeric_offsets_with_and_without_a_colon() {
        let want = utc(2020, 4, 13, 16, 0, 0);
        assert_eq!(parse_time("20200413090000 -0700"), Ok(want));
        assert_eq!(parse_time("20200413090000 -07:00"), Ok(want));
        assert_eq!(parse_time("20200413090000-0700"), Ok(want));
        assert_eq!(parse_time("20200413183000 +0230"), Ok(want));
        assert_eq!(parse_time("20200413160000 +0000"), Ok(want));
    }

    #[test]
    fn reads_utc_us_abbreviations_and_iana_zone_names() {
        let want = utc(2020, 1, 15, 17, 0, 0);
        assert_eq!(parse_time("20200115170000 UTC"), Ok(want));
        assert_eq!(parse_time("20200115170000 GMT"), Ok(want));
        assert_eq!(parse_time("20200115170000 Z"), Ok(want));
        assert_eq!(parse_time("20200115120000 EST"), Ok(want));
        assert_eq!(parse_time("20200115110000 CST"), Ok(want));
        assert_eq!(parse_time("20200115100000 MST"), Ok(want));
        assert_eq!(parse_time("20200115090000 PST"), Ok(want));
        assert_eq!(parse_time("20200115080000 AKST"), Ok(want));
        assert_eq!(parse_time("20200115070000 HST"), Ok(want));
        assert_eq!(
            parse_time("20200715100000 PDT"),
            Ok(utc(2020, 7, 15, 17, 0, 0))
        );
        assert_eq!(
            parse_time("20200715130000 EDT"),
            Ok(utc(2020, 7, 15, 17, 0, 0))
        );
        assert_eq!(parse_time("20200115090000 America/Los_Angeles"), Ok(want));
        assert_eq!(
            parse_time("20200715100000 America/Los_Angeles"),
            Ok(utc(2020, 7, 15, 17, 0, 0))
        );
    }

    #[test]
    fn an_ambiguous_local_time_takes_the_earlier_instant_and_a_skipped_one_is_an_error() {
        // 2020-11-01 01:30 happens twice in Los Angeles: first at -0700.
        assert_eq!(
            parse_time("20201101013000 America/Los_Angeles"),
            Ok(utc(2020, 11, 1, 8, 30, 0))
        );
        // 2020-03-08 02:30 never happens there.
        let err = parse_time("20200308023000 America/Los_Angeles").unwrap_err();
        assert!(err.contains("20200308023000 America/Los_Angeles"), "{err}");
        assert!(err.contains("does not exist"), "{err}");
    }

    #[test]
    fn rejects_impossible_dates_hours_and_offsets_quoting_the_value() {
        for bad in [
            "20200231120000",
            "20201301",
            "20200100",
            "20200413250000",
            "20200413126000",
            "20200413120060",
            "20200413120000 +2500",
            "20200413120000 -0799",
            "20200413120000 +0160",
            "20200413120000 +123",
            "20200413120000 Mars/Olympus",
            "2020041",
            "202",
            "",
            "tomorrow",
            "2020-04-13",
            "202004131200001",
        ] {
            let err = parse_time(bad).expect_err(bad);
            assert!(err.contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
        assert!(parse_time("20200231").unwrap_err().contains("no day 31"));
        assert!(parse_time("20200413250000")
            .unwrap_err()
            .contains("25:00:00"));
    }

    #[test]
    fn places_the_2020_dst_nights_in_los_angeles_on_the_right_utc_instants() {
        let (ps, warnings) = parse_ok(&tv(
            // Spring forward: 01:00 PST is followed by 03:00 PDT, one hour later.
            "<programme start=\"20200308010000 -0800\" channel=\"c1\"><title>A</title></programme>\n\
             <programme start=\"20200308030000 -0700\" stop=\"20200308040000 -0700\" channel=\"c1\"><title>B</title></programme>\n\
             <!-- Fall back: 01:00 happens twice, at -0700 then at -0800. -->\n\
             <programme start=\"20201101000000 -0700\" stop=\"20201101010000 -0700\" channel=\"c1\"><title>C</title></programme>\n\
             <programme start=\"20201101010000 -0700\" stop=\"20201101010000 -0800\" channel=\"c1\"><title>D</title></programme>\n\
             <programme start=\"20201101010000 -0800\" stop=\"20201101020000 -0800\" channel=\"c1\"><title>E</title></programme>",
        ));
        assert!(warnings.is_empty(), "{warnings:?}");
        let times: Vec<_> = ps
            .iter()
            .map(|p| (p.details.title.as_str(), p.start, p.end))
            .collect();
        assert_eq!(
            times,
            vec![
                (
                    "A",
                    utc(2020, 3, 8, 9, 0, 0),
                    Some(utc(2020, 3, 8, 10, 0, 0))
                ),
                (
                    "B",
                    utc(2020, 3, 8, 10, 0, 0),
                    Some(utc(2020, 3, 8, 11, 0, 0))
                ),
                (
                    "C",
                    utc(2020, 11, 1, 7, 0, 0),
                    Some(utc(2020, 11, 1, 8, 0, 0))
                ),
                (
                    "D",
                    utc(2020, 11, 1, 8, 0, 0),
                    Some(utc(2020, 11, 1, 9, 0, 0))
                ),
                (
                    "E",
                    utc(2020, 11, 1, 9, 0, 0),
                    Some(utc(2020, 11, 1, 10, 0, 0))
                ),
            ]
        );
    }

    #[test]
    fn a_bad_start_or_stop_is_invalid_naming_the_attribute_and_line() {
        let (line, field, message) = parse_err(
            tv("<programme start=\"20200231120000\" channel=\"c1\"><title>A</title></programme>")
                .as_bytes(),
        );
        assert_eq!((line, field.as_str()), (4, "start"));
        assert!(message.contains("20200231120000"), "{message}");

        let (line, field, message) = parse_err(
            tv("\n<programme start=\"20200413120000\" stop=\"20200413130000 +2500\" channel=\"c1\"><title>A</title></programme>")
                .as_bytes(),
        );
        assert_eq!((line, field.as_str()), (5, "stop"));
        assert!(message.contains("+2500"), "{message}");
    }

    #[test]
    fn a_programme_without_start_or_channel_is_invalid() {
        let (_, field, _) =
            parse_err(tv("<programme channel=\"c1\"><title>A</title></programme>").as_bytes());
        assert_eq!(field, "start");
        let (_, field, _) =
            parse_err(tv("<programme start=\"2020\"><title>A</title></programme>").as_bytes());
        assert_eq!(field, "channel");
    }

    // ---- ends ----

    #[test]
    fn infers_a_missing_stop_from_the_next_programme_on_the_channel() {
        let xml = "<tv>\
            <channel id=\"c1\"><display-name>KCET</display-name></channel>\
            <channel id=\"c2\"><display-name>KOCE</display-name></channel>\
            <programme start=\"20200413090000 -0700\" channel=\"c1\"><title>A</title></programme>\
            <programme start=\"20200413091500 -0700\" stop=\"20200413093000 -0700\" channel=\"c2\"><title>Other</title></programme>\
            <programme start=\"20200413093000 -0700\" stop=\"20200413100000 -0700\" channel=\"c1\"><title>B</title></programme>\
            </tv>";
        let (ps, warnings) = parse_ok(xml);
        assert!(warnings.is_empty(), "{warnings:?}");
        let a = ps.iter().find(|p| p.details.title == "A").unwrap();
        assert_eq!(a.start, utc(2020, 4, 13, 16, 0, 0));
        assert_eq!(a.end, Some(utc(2020, 4, 13, 16, 30, 0)));
        assert_eq!(ps.len(), 3);
    }

    #[test]
    fn warns_that_the_end_is_unknown_when_the_last_programme_has_no_stop() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413090000\" stop=\"20200413100000\" channel=\"c1\"><title>A</title></programme>\n\
             <programme start=\"20200413100000\" channel=\"c1\"><title>Last</title></programme>",
        ));
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[1].details.title, "Last");
        assert_eq!(ps[1].end, None);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!((warnings[0].line, warnings[0].field.as_str()), (5, "stop"));
        assert_eq!(
            warnings[0].message,
            "no stop, no length and no later programme on channel \"c1\": end unknown"
        );
    }

    #[test]
    fn leaves_the_end_unknown_when_the_next_programme_does_not_start_later() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413100000\" channel=\"c1\"><title>A</title></programme>\n\
             <programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>B</title></programme>",
        ));
        assert_eq!(ps.len(), 2);
        assert_eq!((ps[0].details.title.as_str(), ps[0].end), ("A", None));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 4);
    }

    #[test]
    fn falls_back_to_length_when_there_is_no_stop() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413090000\" channel=\"c1\"><title>S</title><length units=\"seconds\">90</length></programme>\
             <programme start=\"20200413100000\" channel=\"c1\"><title>M</title><length units=\"minutes\"> 30 </length></programme>\
             <programme start=\"20200413110000\" channel=\"c1\"><title>H</title><length units=\"hours\">1.5</length></programme>\
             <programme start=\"20200413140000\" stop=\"20200413143000\" channel=\"c1\"><title>Stop wins</title><length units=\"hours\">2</length></programme>",
        ));
        assert!(warnings.is_empty(), "{warnings:?}");
        let ends: Vec<_> = ps.iter().map(|p| p.end).collect();
        assert_eq!(
            ends,
            vec![
                Some(utc(2020, 4, 13, 9, 1, 30)),
                Some(utc(2020, 4, 13, 10, 30, 0)),
                Some(utc(2020, 4, 13, 12, 30, 0)),
                Some(utc(2020, 4, 13, 14, 30, 0)),
            ]
        );
    }

    #[test]
    fn a_length_without_units_is_ignored_with_a_warning() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413090000\" channel=\"c1\"><title>A</title><length>30</length></programme>\
             <programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>B</title></programme>",
        ));
        assert_eq!(ps[0].end, Some(utc(2020, 4, 13, 10, 0, 0)));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].field, "length");
        assert_eq!(length_seconds("2", Some(3600)), Ok(7200));
        assert_eq!(
            length_seconds("two", Some(3600)),
            Err("length \"two\" is not a number of hours: ignored".to_string())
        );
        assert!(length_seconds("-5", Some(60)).is_err());
    }

    #[test]
    fn stop_before_start_is_invalid_and_stop_equal_to_start_is_a_warning() {
        let (line, field, message) = parse_err(
            tv("<programme start=\"20200413100000\" stop=\"20200413090000\" channel=\"c1\"><title>A</title></programme>")
                .as_bytes(),
        );
        assert_eq!((line, field.as_str()), (4, "stop"));
        assert!(message.contains("before"), "{message}");

        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413100000\" channel=\"c1\"><title>A</title></programme>",
        ));
        assert_eq!(only(&ps).end, Some(only(&ps).start));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].field, "stop");
    }

    // ---- texts ----

    #[test]
    fn keeps_english_and_spanish_titles_subtitles_and_descriptions_apart() {
        let (ps, _) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\">\
             <title lang=\"es\">Ciencia en casa</title>\
             <title lang=\"en\">Science at Home</title>\
             <title lang=\"en\">Second English title</title>\
             <title lang=\"de\">Wissenschaft</title>\
             <sub-title lang=\"es-MX\">Los volcanes</sub-title>\
             <sub-title>Volcanoes</sub-title>\
             <desc lang=\"en-US\">\n   Why   volcanoes\n\t erupt.  </desc>\
             <desc lang=\"spa\">Por qué hacen erupción.</desc>\
             </programme>",
        ));
        let p = only(&ps);
        assert_eq!(p.details.title, "Science at Home");
        assert_eq!(p.details.title_es.as_deref(), Some("Ciencia en casa"));
        assert_eq!(p.details.episode_title.as_deref(), Some("Volcanoes"));
        assert_eq!(p.details.episode_title_es.as_deref(), Some("Los volcanes"));
        assert_eq!(
            p.details.description.as_deref(),
            Some("Why volcanoes erupt.")
        );
        assert_eq!(
            p.details.description_es.as_deref(),
            Some("Por qué hacen erupción.")
        );
    }

    #[test]
    fn uses_the_first_title_of_any_language_when_none_is_english() {
        let (ps, _) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\">\
             <title lang=\"de\">Die Sendung</title><title lang=\"es\">El programa</title></programme>\
             <programme start=\"20200413110000\" stop=\"20200413120000\" channel=\"c1\">\
             <title lang=\"es\">Solo español</title></programme>",
        ));
        assert_eq!(ps[0].details.title, "Die Sendung");
        assert_eq!(ps[0].details.title_es.as_deref(), Some("El programa"));
        assert_eq!(ps[1].details.title, "Solo español");
        assert_eq!(ps[1].details.title_es.as_deref(), Some("Solo español"));
    }

    #[test]
    fn a_programme_without_a_title_is_invalid() {
        let (line, field, _) = parse_err(
            tv("<programme start=\"20200413100000\" channel=\"c1\"><title>  </title><desc>x</desc></programme>")
                .as_bytes(),
        );
        assert_eq!((line, field.as_str()), (4, "title"));
        let (_, field, _) =
            parse_err(tv("<programme start=\"20200413100000\" channel=\"c1\"/>").as_bytes());
        assert_eq!(field, "title");
    }

    #[test]
    fn resolves_xml_entities_and_keeps_unknown_ones_with_a_warning() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\">\
             <title>Tom &amp; Jerry&apos;s &#233;&#xE9; &lt;3</title>\
             <desc>A&nbsp;B &nbsp; &copy;</desc>\
             <sub-title><![CDATA[Fish & <Chips>]]></sub-title></programme>",
        ));
        let p = only(&ps);
        assert_eq!(p.details.title, "Tom & Jerry's éé <3");
        assert_eq!(
            p.details.description.as_deref(),
            Some("A&nbsp;B &nbsp; &copy;")
        );
        assert_eq!(p.details.episode_title.as_deref(), Some("Fish & <Chips>"));
        let messages: Vec<_> = warnings
            .iter()
            .map(|w| (w.field.as_str(), w.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            vec![
                ("desc", "unknown entity &nbsp; kept as written"),
                ("desc", "unknown entity &copy; kept as written"),
            ]
        );
    }

    #[test]
    fn unescapes_references_on_their_own() {
        let mut out = String::new();
        let mut unknown = Vec::new();
        unescape_into("a &amp b &#0; c &#xZZ; &ok; &", &mut out, |u| {
            unknown.push(u.to_string())
        });
        assert_eq!(out, "a &amp b &#0; c &#xZZ; &ok; &");
        assert_eq!(unknown, vec!["&", "&#0;", "&#xZZ;", "&ok;", "&"]);
    }

    // ---- categories, episodes, flags ----

    #[test]
    fn takes_grades_from_categories() {
        let (ps, _) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>A</title>\
             <category lang=\"en\">Educational</category><category>Grades 4-8</category>\
             <category>K-3</category></programme>",
        ));
        let p = only(&ps);
        assert_eq!(p.categories, vec!["Educational", "Grades 4-8", "K-3"]);
        assert_eq!(
            p.details.grades.codes(),
            vec!["K", "1", "2", "3", "4", "5", "6", "7", "8"]
        );
    }

    #[test]
    fn prefers_dd_progid_then_xmltv_ns_then_onscreen_episode_numbers() {
        let episode = |nums: &str| {
            let (ps, _) = parse_ok(&tv(&format!(
                "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\">\
                 <title>A</title>{nums}</programme>"
            )));
            only(&ps).episode_num.clone()
        };
        assert_eq!(
            episode(
                "<episode-num system=\"onscreen\">S01E05</episode-num>\
                 <episode-num system=\"xmltv_ns\">1.11.0/1</episode-num>\
                 <episode-num system=\"dd_progid\"> EP02420905.0022 </episode-num>"
            )
            .as_deref(),
            Some("EP02420905.0022")
        );
        assert_eq!(
            episode(
                "<episode-num system=\"onscreen\">S01E05</episode-num>\
                 <episode-num system=\"xmltv_ns\">1.11.0/1</episode-num>"
            )
            .as_deref(),
            Some("S2E12")
        );
        assert_eq!(
            episode("<episode-num system=\"onscreen\">  Ep. 5 </episode-num>").as_deref(),
            Some("Ep. 5")
        );
        assert_eq!(
            episode("<episode-num system=\"other\">x</episode-num><episode-num>y</episode-num>")
                .as_deref(),
            Some("y")
        );
        assert_eq!(
            episode("<episode-num system=\"other\">x</episode-num>"),
            None
        );
    }

    #[test]
    fn reads_every_xmltv_ns_form() {
        let ns = |s| xmltv_ns_episode(s);
        assert_eq!(ns("1.11.0/1"), Ok(Some("S2E12".into())));
        assert_eq!(ns("2 . 9 . 0/1"), Ok(Some("S3E10".into())));
        assert_eq!(ns("5.3/10."), Ok(Some("S6E4".into())));
        assert_eq!(ns(".4."), Ok(Some("E5".into())));
        assert_eq!(ns(".4/26"), Ok(Some("E5".into())));
        assert_eq!(ns("0/3.."), Ok(Some("S1".into())));
        assert_eq!(ns("..0/2"), Ok(None));
        assert_eq!(ns(""), Ok(None));
        assert_eq!(ns("one.two"), Err(()));
    }

    #[test]
    fn a_bad_xmltv_ns_number_falls_back_to_onscreen_with_a_warning() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>A</title>\
             <episode-num system=\"xmltv_ns\">S1E2</episode-num>\
             <episode-num system=\"onscreen\">S1E2</episode-num></programme>",
        ));
        assert_eq!(only(&ps).episode_num.as_deref(), Some("S1E2"));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].field, "episode-num");
    }

    #[test]
    fn reads_captions_spanish_audio_hd_and_previously_shown() {
        let (ps, _) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>All</title>\
             <language>Español</language><video><aspect>16:9</aspect><quality>HDTV</quality></video>\
             <previously-shown start=\"20190101\"/><subtitles type=\"onscreen\"/></programme>\
             <programme start=\"20200413110000\" stop=\"20200413120000\" channel=\"c1\"><title>None</title>\
             <language>en</language><video><quality>SDTV</quality></video><quality>HDTV</quality>\
             <subtitle>not subtitles</subtitle>\
             <credits><language>es</language></credits></programme>\
             <programme start=\"20200413120000\" stop=\"20200413130000\" channel=\"c1\"><title>Spa</title>\
             <language lang=\"en\">Spanish</language><subtitles><language>es</language></subtitles></programme>",
        ));
        let flags: Vec<_> = ps
            .iter()
            .map(|p| {
                (
                    p.details.captions,
                    p.details.spanish_audio,
                    p.hd,
                    p.previously_shown,
                )
            })
            .collect();
        assert_eq!(
            flags,
            vec![
                (true, true, true, true),
                (false, false, false, false),
                (true, true, false, false)
            ]
        );
        for lang in ["es", "SPA", "spanish", "ESPAÑOL"] {
            assert!(is_spanish(lang), "{lang}");
        }
        assert!(!is_spanish("en") && !is_spanish("est"));
    }

    #[test]
    fn ignores_elements_and_attributes_outside_the_dtd_including_nested_ones() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\" clumpidx=\"0/1\" x-id=\"9\">\
             <title x-extra=\"1\">A</title>\
             <credits><actor role=\"r\">b<image type=\"person\">u</image><url>v</url></actor></credits>\
             <icon src=\"i.png\"/><rating system=\"VCHIP\"><value>TV-G</value><icon src=\"r\"/></rating>\
             <review type=\"text\">Great <b>show</b></review><image>i</image>\
             <custom><title>Not the title</title><category>Grades 9-12</category></custom>\
             </programme>",
        ));
        assert!(warnings.is_empty(), "{warnings:?}");
        let p = only(&ps);
        assert_eq!(p.details.title, "A");
        assert!(p.categories.is_empty() && p.details.grades.is_empty());
    }

    // ---- channels ----

    #[test]
    fn derives_channel_numbers_call_signs_and_names() {
        let names = |ns: &[&str]| ns.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let info = |station: &str, channel: &str, name: Option<&str>| programme::ChannelInfo {
            station: station.into(),
            channel: channel.into(),
            name: name.map(Into::into),
        };
        assert_eq!(
            derive_channel("I28.1.kcet", &names(&["KCET", "28.1"]), None, None),
            info("KCET", "28.1", Some("KCET"))
        );
        assert_eq!(
            derive_channel(
                "x",
                &names(&["28-3 PBS SoCal Kids", "28-3"]),
                Some("28.3"),
                None
            ),
            info("28-3 PBS SOCAL KIDS", "28.3", Some("28-3 PBS SoCal Kids"))
        );
        assert_eq!(
            derive_channel("x", &names(&["28.1 KCET-TV"]), None, None),
            info("KCET", "28.1", Some("28.1 KCET-TV"))
        );
        assert_eq!(
            derive_channel("x", &names(&["PBS KIDS", "WNET-DT"]), None, None),
            info("WNET", "x", Some("PBS KIDS"))
        );
        assert_eq!(
            derive_channel("I13.1.WNET.tvguide", &names(&["Thirteen"]), None, None),
            info("WNET", "I13.1.WNET.tvguide", Some("Thirteen"))
        );
        assert_eq!(
            derive_channel("UK_RT_2667", &names(&["BBC1 HD", "7-1"]), None, None),
            info("BBC1 HD", "7.1", Some("BBC1 HD"))
        );
        assert_eq!(
            derive_channel("3sat.de", &[], None, None),
            info("3sat.de", "3sat.de", None)
        );
        assert_eq!(
            derive_channel("c", &names(&["KCET", "28.1"]), None, Some("kocE")),
            info("KOCE", "28.1", Some("KCET"))
        );
        assert_eq!(us_call_sign("KCET-TV"), Some("KCET"));
        assert_eq!(us_call_sign("WGBH"), Some("WGBH"));
        assert_eq!(us_call_sign("KQED-LD"), Some("KQED"));
        for no in ["Kcet", "KCETX", "KC", "CFTO", "KIDS", "K1ET", "WGBH-XY"] {
            assert_eq!(us_call_sign(no), None, "{no}");
        }
    }

    #[test]
    fn fills_station_channel_and_name_from_the_channel_element() {
        let (ps, _) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>A</title></programme>",
        ));
        let p = only(&ps);
        assert_eq!(
            (
                p.station.as_ref(),
                p.channel.as_ref(),
                p.channel_name.as_deref()
            ),
            ("KCET", "28.1", Some("KCET"))
        );
    }

    #[test]
    fn the_station_option_overrides_every_channel() {
        let xml = tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>A</title></programme>\
             <programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"nochannel\"><title>B</title></programme>",
        );
        let (ps, _) = parse_with(xml.as_bytes(), Some("KOCE")).unwrap();
        assert_eq!(&*ps[0].station, "KOCE");
        assert_eq!(&*ps[0].channel, "28.1");
        assert_eq!(
            (ps[1].station.as_ref(), ps[1].channel.as_ref()),
            ("KOCE", "nochannel")
        );
    }

    #[test]
    fn a_programme_on_an_undescribed_channel_uses_its_id_and_warns_once() {
        let (ps, warnings) = parse_ok(&tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"ghost.tv\"><title>A</title></programme>\n\
             <programme start=\"20200413110000\" stop=\"20200413120000\" channel=\"ghost.tv\"><title>B</title></programme>",
        ));
        assert_eq!(ps.len(), 2);
        assert_eq!(
            (ps[1].station.as_ref(), ps[1].channel.as_ref()),
            ("ghost.tv", "ghost.tv")
        );
        assert_eq!(ps[1].channel_name, None);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            (warnings[0].line, warnings[0].field.as_str()),
            (4, "channel")
        );
    }

    // ---- files: encodings, lines, structure ----

    #[test]
    fn gives_each_programme_the_line_of_its_start_tag() {
        let (ps, _) = parse_ok(
            "<?xml version=\"1.0\"?>\n<tv>\n  <channel id=\"c1\">\n    <display-name>KCET</display-name>\n  </channel>\n\
             <!-- a\ncomment -->\n  <programme\n     start=\"20200413100000\"\n     stop=\"20200413110000\" channel=\"c1\">\n\
             <title>A</title></programme><programme start=\"20200413110000\" stop=\"20200413120000\" channel=\"c1\"><title>B</title></programme>\n\
             <programme start=\"20200413120000\" stop=\"20200413130000\" channel=\"c1\"><title>C</title></programme>\n</tv>",
        );
        let lines: Vec<_> = ps.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![8, 11, 12]);
    }

    #[test]
    fn reads_iso_8859_1_files() {
        let xml = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<tv>\
            <channel id=\"c1\"><display-name>T\xe9l\xe9</display-name></channel>\
            <programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\">\
            <title>Caf\xe9</title><desc>Ni\xf1os &amp; ma\xf1ana</desc></programme></tv>";
        let (ps, warnings) = parse_with(xml, None).unwrap();
        assert!(warnings.is_empty());
        let p = only(&ps);
        assert_eq!(p.details.title, "Café");
        assert_eq!(p.details.description.as_deref(), Some("Niños & mañana"));
        assert_eq!(p.channel_name.as_deref(), Some("Télé"));
        assert_eq!(&*p.station, "TÉLÉ");
    }

    #[test]
    fn skips_a_utf8_byte_order_mark() {
        let mut xml = b"\xef\xbb\xbf".to_vec();
        xml.extend_from_slice(tv("<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>Caf\u{e9}</title></programme>").as_bytes());
        let (ps, _) = parse_with(&xml, None).unwrap();
        assert_eq!(only(&ps).details.title, "Café");
        assert_eq!(only(&ps).line, 4);
    }

    #[test]
    fn skips_a_doctype_without_fetching_it() {
        let xml = "<?xml version=\"1.0\"?>\n\
            <!DOCTYPE tv SYSTEM \"http://127.0.0.1:9/xmltv.dtd\" [\n  <!ENTITY nbsp \"&#160;\">\n]>\n\
            <tv><programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c\"><title>A</title></programme></tv>";
        let (ps, _) = parse_ok(xml);
        assert_eq!(only(&ps).details.title, "A");
        assert_eq!(only(&ps).line, 5);
    }

    #[test]
    fn a_truncated_file_is_invalid_naming_the_line_and_element() {
        let xml = tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>A</title></programme>\n\
             <programme start=\"20200413110000\" channel=\"c1\">\n<title>B</title>\n<desc>cut",
        );
        let cut = &xml[..xml.find("cut").unwrap() + 3];
        let (line, field, message) = parse_err(cut.as_bytes());
        assert_eq!((line, field.as_str()), (7, "programme"));
        assert_eq!(
            message,
            "the file ends inside the <programme> that starts on line 5 (truncated?)"
        );

        let (line, field, message) = parse_err(b"<tv>\n<channel id=\"c1\">\n<display-name>KC");
        assert_eq!((line, field.as_str()), (3, "channel"));
        assert!(message.contains("truncated"), "{message}");

        let (line, field, message) = parse_err(b"<tv>\n<programme start=\"2020");
        assert_eq!((line, field.as_str()), (2, "tv"));
        assert!(message.contains("middle of a tag"), "{message}");

        let (_, field, message) = parse_err(b"<tv>\n");
        assert_eq!(field, "tv");
        assert_eq!(message, "the file ends inside <tv> (truncated?)");
    }

    #[test]
    fn a_mismatched_end_tag_is_invalid() {
        let (line, field, message) = parse_err(
            tv("<programme start=\"20200413100000\" channel=\"c1\">\n<title>A</desc>\n</programme>")
                .as_bytes(),
        );
        assert_eq!((line, field.as_str()), (5, "title"));
        assert!(
            message.contains("</desc>") && message.contains("</title>"),
            "{message}"
        );
        assert!(message.contains("not well-formed"), "{message}");

        let (_, _, message) = parse_err(b"<tv></tv></tv>");
        assert!(message.contains("never opened"), "{message}");
    }

    #[test]
    fn invalid_utf8_is_invalid_naming_the_line_and_element() {
        let mut xml = tv(
            "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\">\n<title>Caf",
        )
        .into_bytes();
        let at = xml.windows(3).position(|w| w == b"Caf").unwrap() + 3;
        xml.splice(at..at, b"\xe9</title></programme>".iter().copied());
        let (line, field, message) = parse_err(&xml);
        assert_eq!((line, field.as_str()), (5, "title"));
        assert!(message.starts_with("invalid UTF-8"), "{message}");

        let (line, field, _) =
            parse_err(b"<tv>\n<credits>\n\n<actor>Jos\xe9</actor></credits></tv>");
        assert_eq!((line, field.as_str()), (4, "actor"));
    }

    #[test]
    fn a_file_that_is_not_xmltv_is_invalid() {
        let (_, field, _) = parse_err(b"");
        assert_eq!(field, "tv");
        let (_, _, message) = parse_err(b"<html><body/></html>");
        assert!(message.contains("not an XMLTV file"), "{message}");
        let (_, field, _) = parse_err(b"\xff\xfe<\x00t\x00v\x00>\x00");
        assert_eq!(field, "encoding");
    }

    #[test]
    fn reports_progress_about_every_mebibyte() {
        let one = "<programme start=\"20200413100000\" stop=\"20200413110000\" channel=\"c1\"><title>A</title><desc>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</desc></programme>\n";
        let xml = tv(&one.repeat(3 * 1024 * 1024 / one.len()));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut ctx = ParseContext::new("big.xml", chrono_tz::UTC);
        let sink = Arc::clone(&seen);
        ctx.progress = Some(Box::new(move |n| sink.lock().unwrap().push(n)));
        let mut count = 0usize;
        parse(xml.as_bytes(), &mut ctx, &mut |_| {
            count += 1;
            Ok(())
        })
        .unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.last().copied(), Some(xml.len() as u64));
        assert!((3..=5).contains(&seen.len()), "{seen:?}");
        assert_eq!(count, 3 * 1024 * 1024 / one.len());
    }

    #[test]
    fn an_emit_error_stops_the_parse() {
        let xml = tv(
            "<programme start=\"2020\" stop=\"2021\" channel=\"c1\"><title>A</title></programme>",
        );
        let mut ctx = ParseContext::new("t.xml", chrono_tz::UTC);
        let result = parse(xml.as_bytes(), &mut ctx, &mut |_| {
            Err(ImportError::Source {
                source_name: "db".into(),
                message: "full".into(),
            })
        });
        assert!(matches!(result, Err(ImportError::Source { .. })));
    }

    #[test]
    fn parses_the_kcet_fixture() {
        let (ps, warnings) = parse_with(
            include_bytes!("../../../tests/fixtures/xmltv/kcet_week.xml"),
            None,
        )
        .unwrap();
        let summary: Vec<_> = ps
            .iter()
            .map(|p| {
                (
                    p.line,
                    p.station.as_ref(),
                    p.channel.as_ref(),
                    p.details.title.as_str(),
                    p.end.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                // Has a <length>: out at once.
                (24, "KCET", "28.3", "Ciencia en casa", true),
                // Waited for the next programme on 28.1.
                (16, "KCET", "28.1", "Sid the Science Kid", true),
                (30, "KCET", "28.1", "Nature", true),
                // Nothing follows it: end unknown.
                (37, "KCET", "28.3", "Teachers' Lounge", false),
            ]
        );
        let first = &ps[1];
        assert_eq!(first.end, Some(utc(2020, 4, 13, 17, 0, 0)));
        assert_eq!(first.start, utc(2020, 4, 13, 16, 0, 0));
        assert_eq!(first.details.grades.codes(), vec!["PK", "K"]);
        assert!(first.details.captions && first.hd);
        assert_eq!(first.episode_num.as_deref(), Some("EP01234567.0042"));
        assert_eq!(ps[2].episode_num.as_deref(), Some("S38E5"));
        let spanish = &ps[0];
        assert_eq!(spanish.details.title_es.as_deref(), Some("Ciencia en casa"));
        assert_eq!(spanish.channel_name.as_deref(), Some("PBS SoCal Kids"));
        assert!(spanish.details.spanish_audio);
        assert_eq!(
            spanish.details.grades.codes(),
            vec!["4", "5", "6", "7", "8"]
        );
        assert_eq!(spanish.end, Some(utc(2020, 4, 13, 18, 0, 0)));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].line, 37);
    }

    #[test]
    fn parses_the_real_sample_files() {
        // The real listings of `../shared/schedules-real` (see its SOURCES.md): CI clones the
        // repository next to it; without it this test fails rather than pass unchecked.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schedules-real");
        assert!(
            dir.is_dir(),
            "{} is missing: clone the repository next to ../shared",
            dir.display()
        );
        let read = |name: &str| {
            let file = std::fs::File::open(dir.join(name)).unwrap();
            let mut ctx = ParseContext::new(name, chrono_tz::UTC);
            let mut out = Vec::new();
            parse(std::io::BufReader::new(file), &mut ctx, &mut |p| {
                out.push(p);
                Ok(())
            })
            .unwrap();
            (out, ctx.warnings)
        };

        let (uk, warnings) = read("UK_Data.xml");
        assert_eq!(uk.len(), 1964);
        assert!(uk.iter().all(|p| p.end.is_some()));
        // 49 of its programmes stop when they start (e.g. line 734): kept, with a warning.
        assert_eq!(warnings.len(), 49);
        assert!(warnings
            .iter()
            .all(|w| w.field == "stop" && w.message.contains("stops when it starts")));
        assert_eq!(warnings[0].line, 734);
        let breakfast = &uk[0];
        assert_eq!(
            (
                breakfast.details.title.as_str(),
                breakfast.channel.as_ref(),
                breakfast.line
            ),
            ("Breakfast", "7.1", 23)
        );
        assert_eq!(uk[1].episode_num.as_deref(), Some("S6E4"));
        // The file declares ISO-8859-1 but holds the UTF-8 bytes of U+FFFD (EF BF BD); read as
        // declared, they are three Latin-1 characters.
        assert!(uk.iter().any(|p| p
            .details
            .description
            .as_deref()
            .is_some_and(|d| d.contains("budget of \u{ef}\u{bf}\u{bd}500,000"))));

        let (sd, warnings) = read("schedulesdirect.xml");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(sd.len(), 2);
        let match_game = &sd[0];
        assert_eq!(match_game.details.title, "Match Game");
        assert_eq!(&*match_game.station, "CFTO");
        assert_eq!(&*match_game.channel, "201");
        assert_eq!(match_game.channel_name.as_deref(), Some("CFTO"));
        assert_eq!(match_game.episode_num.as_deref(), Some("EP02420905.0022"));
        assert!(match_game.previously_shown && match_game.details.captions);
        assert_eq!(sd[1].end, Some(utc(2020, 7, 29, 2, 1, 0)));

        // test.xml has no stop but does have <length units="minutes">60</length>, so its end
        // is known.
        let (t, warnings) = read("test.xml");
        let p = only(&t);
        assert_eq!(p.details.title, "blah");
        assert_eq!(p.start, utc(2000, 6, 3, 16, 33, 0));
        assert_eq!(p.end, Some(utc(2000, 6, 3, 17, 33, 0)));
        assert_eq!(p.episode_num.as_deref(), Some("S3E10"));
        assert!(p.details.captions);
        assert!(!p.details.spanish_audio);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
