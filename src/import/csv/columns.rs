//! The columns a header names, by their many spellings, and which are required.

use super::super::{ImportError, ParseContext};

/// The columns lessoncast knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Col {
    Station,
    Channel,
    ChannelName,
    Start,
    Duration,
    End,
    Title,
    TitleEs,
    EpisodeTitle,
    EpisodeTitleEs,
    Description,
    DescriptionEs,
    Grades,
    Categories,
    Nola,
    NolaRoot,
    NolaEpisode,
    Captions,
    Language,
    SpanishAudio,
    Id,
}

pub(super) const COLS: usize = Col::Id as usize + 1;

impl Col {
    pub(super) const ALL: [Col; COLS] = [
        Col::Station,
        Col::Channel,
        Col::ChannelName,
        Col::Start,
        Col::Duration,
        Col::End,
        Col::Title,
        Col::TitleEs,
        Col::EpisodeTitle,
        Col::EpisodeTitleEs,
        Col::Description,
        Col::DescriptionEs,
        Col::Grades,
        Col::Categories,
        Col::Nola,
        Col::NolaRoot,
        Col::NolaEpisode,
        Col::Captions,
        Col::Language,
        Col::SpanishAudio,
        Col::Id,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Col::Station => "station",
            Col::Channel => "channel",
            Col::ChannelName => "channel_name",
            Col::Start => "start",
            Col::Duration => "duration",
            Col::End => "end",
            Col::Title => "title",
            Col::TitleEs => "title_es",
            Col::EpisodeTitle => "episode_title",
            Col::EpisodeTitleEs => "episode_title_es",
            Col::Description => "description",
            Col::DescriptionEs => "description_es",
            Col::Grades => "grades",
            Col::Categories => "categories",
            Col::Nola => "nola",
            Col::NolaRoot => "nola_root",
            Col::NolaEpisode => "nola_episode",
            Col::Captions => "captions",
            Col::Language => "language",
            Col::SpanishAudio => "spanish_audio",
            Col::Id => "id",
        }
    }

    /// `Episode Title`, `episode-title`, ` EPISODE_TITLE ` → `episode_title`.
    pub(super) fn from_header(name: &str) -> Option<Col> {
        let mut key = String::with_capacity(name.len());
        for c in name.trim().chars() {
            let c = match c {
                ' ' | '-' | '_' => '_',
                c => c.to_ascii_lowercase(),
            };
            if !(c == '_' && key.ends_with('_')) {
                key.push(c);
            }
        }
        Col::ALL.into_iter().find(|c| c.name() == key)
    }
}

/// Where each known column is in the record, and what every column is called.
#[derive(Default)]
pub(super) struct Columns {
    pub(super) at: [Option<usize>; COLS],
    /// For messages: the known name of each column, or the name the header gives it.
    pub(super) names: Vec<String>,
}

/// The most columns a header may have: a schedule has a dozen or two.
pub(super) const MAX_COLUMNS: usize = 200;

impl Columns {
    pub(super) fn from_header(
        header: &::csv::StringRecord,
        line: u64,
        ctx: &mut ParseContext,
    ) -> Result<Columns, ImportError> {
        if header.len() > MAX_COLUMNS {
            return Err(ctx.invalid(
                line,
                "header",
                format!(
                    "the header has {} columns; a schedule has at most {MAX_COLUMNS}",
                    header.len()
                ),
            ));
        }
        let mut columns = Columns::default();
        let mut unknown = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let raw = raw.trim();
            match Col::from_header(raw) {
                Some(col) => {
                    if columns.at[col as usize].is_none() {
                        columns.at[col as usize] = Some(i);
                    } else {
                        ctx.warn(
                            line,
                            col.name(),
                            format!("column {} appears twice; using the first", col.name()),
                        );
                    }
                    columns.names.push(col.name().to_string());
                }
                None => {
                    if !raw.is_empty() {
                        unknown.push(raw.to_string());
                    }
                    columns.names.push(raw.to_string());
                }
            }
        }
        for col in [Col::Station, Col::Channel, Col::Start, Col::Title] {
            if columns.at[col as usize].is_none() {
                return Err(ctx.invalid(
                    line,
                    col.name(),
                    format!("the header has no {} column", col.name()),
                ));
            }
        }
        if columns.at[Col::Duration as usize].is_none() && columns.at[Col::End as usize].is_none() {
            return Err(ctx.invalid(
                line,
                Col::Duration.name(),
                "the header has neither a duration nor an end column",
            ));
        }
        if !unknown.is_empty() {
            let s = if unknown.len() == 1 { "" } else { "s" };
            ctx.warn(
                line,
                "",
                format!("ignoring unknown column{s}: {}", unknown.join(", ")),
            );
        }
        Ok(columns)
    }

    /// The name of column `i` for messages.
    pub(super) fn name(&self, i: usize) -> String {
        match self.names.get(i) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("column {}", i + 1),
        }
    }
}
