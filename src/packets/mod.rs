//! Printable weekly packets for students without internet: what a packet says, built once from
//! the week's airings and the work linked to them, then drawn by [`pdf`] (in-process, fonts
//! embedded) or [`html`] (print-ready, through `templates/packet.html`).
//!
//! A packet is for a grade or for a teacher's class ([`PacketScope`]). It has a cover (the grade,
//! or the class's name and grades; the week's dates; how to watch: channels, an antenna tip,
//! captions and Spanish audio; and QR codes for the grade's or class's calendar feed and the
//! week's web page), then a section per weekday, Monday to Friday, and a weekend section when
//! anything airs then. Each airing shows its local time, channel, title and episode; under it, the
//! work linked to it with lined space to write the answers. A grade's packet has the grade's
//! airings and the work its feed shows; a class's packet, like the class feed, only the airings
//! the class's work is linked to, and only that work. A week with nothing is one page saying so.

pub mod cache;
mod family;
pub mod handout;
pub mod html;
pub mod pdf;
mod publish;

pub use cache::{Drawn, PacketCache, PacketKey};
pub use family::build_family;
pub use publish::{publish, publish_zip, PublishError, Published};

use crate::domain::{Airing, Grade, Week};
use crate::feeds::{ClassFeed, FeedKind, WorkIndex};
use crate::i18n::packets::PacketStrings;
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// The paper a packet is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaperSize {
    /// US Letter, 8.5 × 11 in: the default, as US schools print.
    #[default]
    Letter,
    /// ISO A4, 210 × 297 mm.
    A4,
}

impl PaperSize {
    /// Width and height in PDF points (1/72 in).
    pub fn points(self) -> (f32, f32) {
        match self {
            PaperSize::Letter => (612.0, 792.0),
            PaperSize::A4 => (595.2756, 841.8898),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PaperSize::Letter => "letter",
            PaperSize::A4 => "a4",
        }
    }

    /// The CSS `@page { size: … }` value.
    pub fn css(self) -> &'static str {
        match self {
            PaperSize::Letter => "letter",
            PaperSize::A4 => "A4",
        }
    }
}

/// Why a paper size was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a paper size we print: use letter or a4")]
pub struct PaperSizeError(pub String);

impl FromStr for PaperSize {
    type Err = PaperSizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "letter" | "us-letter" | "us" => Ok(PaperSize::Letter),
            "a4" => Ok(PaperSize::A4),
            _ => Err(PaperSizeError(s.to_string())),
        }
    }
}

impl fmt::Display for PaperSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a packet is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    #[default]
    Pdf,
    Html,
}

impl Format {
    /// The file extension, without its dot.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
        }
    }
}

/// Why a format was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a packet format: use pdf or html")]
pub struct FormatError(pub String);

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(Format::Pdf),
            "html" | "htm" => Ok(Format::Html),
            _ => Err(FormatError(s.to_string())),
        }
    }
}

/// Everything that decides a grade's packet besides the data (what the CLI and the public
/// `/packets/…` addresses ask for); it becomes a [`PacketRequest`] to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketOptions {
    pub grade: Grade,
    pub week: Week,
    pub lang: Lang,
    pub size: PaperSize,
    /// Large print: bigger type throughout.
    pub large: bool,
}

/// Whose packet it is: which airings and which work it prints, and what its cover and feed
/// code say.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PacketScope {
    /// A grade's: the grade's airings and the work its feed shows.
    Grade(Grade),
    /// A teacher's class: the airings the class's work is linked to, and only that work. The
    /// token is the class feed's, printed as its QR code.
    Class { feed: ClassFeed, token: String },
    /// A family's plan for one TV ([`crate::family`]): each child's planned lessons and work.
    Family(FamilyScope),
}

/// A family's packet: the children, the link that names them, and the instant the plan is made
/// from ([`crate::family::plan_clock`]: airings before it are over).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FamilyScope {
    pub children: Vec<crate::family::Child>,
    /// `grades=2,5&classes=TOKEN`, as the family's page and feed addresses carry it.
    pub link: String,
    pub not_before: chrono::DateTime<chrono::Utc>,
}

impl FamilyScope {
    /// The family of `children` (the class ones named by `tokens`) planned for `week` as of
    /// `now` ([`crate::family::plan_clock`]).
    pub fn new(
        children: Vec<crate::family::Child>,
        tokens: &[String],
        week: Week,
        tz: Tz,
        now: chrono::DateTime<chrono::Utc>,
    ) -> FamilyScope {
        FamilyScope {
            link: crate::family::link(&children, tokens),
            children,
            not_before: crate::family::plan_clock(now, week, tz),
        }
    }

    /// The family's subscribe landing page and week page addresses under `base`.
    pub fn links(&self, base: &str, week: Week, lang: Lang) -> (String, String) {
        (
            format!("{base}/subscribe?{}&lang={}", self.link, lang.code()),
            format!(
                "{base}/family?{}&week={week}&lang={}",
                self.link,
                lang.code()
            ),
        )
    }
}

impl PacketScope {
    /// The feed whose work the packet shows (and, for a class, whose airings).
    pub fn feed_kind(&self) -> FeedKind {
        match self {
            PacketScope::Grade(g) => FeedKind::Grade(*g),
            PacketScope::Class { feed, .. } => FeedKind::Class(feed.clone()),
            PacketScope::Family(f) => FeedKind::Family(f.children.clone()),
        }
    }

    /// Whether `airing` goes in the packet, given the work the scope's feed shows.
    fn keeps(&self, airing: &Airing, work: &WorkIndex<'_>) -> bool {
        match self {
            PacketScope::Grade(g) => airing.details.grades.contains(*g),
            PacketScope::Class { .. } | PacketScope::Family(_) => {
                !work.for_airing(airing).is_empty()
            }
        }
    }
}

/// For logs and file names: `grade-5`, `class-12`. Never the class's token.
impl fmt::Display for PacketScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PacketScope::Grade(g) => write!(f, "grade-{}", g.code().to_ascii_lowercase()),
            PacketScope::Class { feed, .. } => write!(f, "class-{}", feed.id),
            PacketScope::Family(family) => {
                f.write_str("family")?;
                for c in &family.children {
                    match c {
                        crate::family::Child::Grade(g) => {
                            write!(f, "-{}", g.code().to_ascii_lowercase())?
                        }
                        crate::family::Child::Class(k) => write!(f, "-c{}", k.id)?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// Everything that decides a packet besides the data: whose it is, and how it is printed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PacketRequest {
    pub scope: PacketScope,
    pub week: Week,
    pub lang: Lang,
    pub size: PaperSize,
    /// Large print: bigger type throughout.
    pub large: bool,
}

impl From<PacketOptions> for PacketRequest {
    fn from(o: PacketOptions) -> Self {
        PacketRequest {
            scope: PacketScope::Grade(o.grade),
            week: o.week,
            lang: o.lang,
            size: o.size,
            large: o.large,
        }
    }
}

/// Why a packet could not be drawn. None of these depend on the request: they mean the build
/// or a library is broken, and are reported as internal errors.
#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error("the packet font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the HTML packet could not be rendered: {0}")]
    Html(#[from] askama::Error),
    #[error("the ZIP of packets could not be written: {0}")]
    Zip(String),
}

/// Text in the packet's language, or the English where no translation was given.
pub type Text = crate::i18n::Localized;

/// A QR code as a square of modules, `true` for dark, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Qr {
    pub width: usize,
    pub dark: Vec<bool>,
}

/// Modules of light margin a QR code needs around it to scan reliably.
pub const QR_QUIET_ZONE: usize = 4;

impl Qr {
    /// The code for `text`, or `None` if it is too long to encode.
    pub fn new(text: &str) -> Option<Qr> {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .ok()?;
        Some(Qr {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// Horizontal runs of dark modules as `(x, y, length)`, so that a code draws as a few
    /// hundred rectangles rather than a thousand squares.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for y in 0..self.width {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut x = 0;
            while x < self.width {
                if row[x] {
                    let start = x;
                    while x < self.width && row[x] {
                        x += 1;
                    }
                    out.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        out
    }

    /// The code as an SVG image, `size` CSS pixels square, quiet zone included.
    pub fn svg(&self, size: u32, label: &str) -> String {
        let total = self.width + 2 * QR_QUIET_ZONE;
        let mut path = String::with_capacity(self.dark.len() * 4);
        for (x, y, len) in self.runs() {
            path.push_str(&format!(
                "M{} {}h{len}v1h-{len}z",
                x + QR_QUIET_ZONE,
                y + QR_QUIET_ZONE
            ));
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total} {total}\" \
             width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"{}\" \
             shape-rendering=\"crispEdges\"><rect width=\"{total}\" height=\"{total}\" \
             fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
            escape_attr(label)
        )
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A link printed as a QR code, with the words beside it and the address to type instead.
#[derive(Debug, Clone, PartialEq)]
pub struct QrLink {
    pub caption: &'static str,
    pub url: String,
    /// `None` only if the address is too long for a QR code; the address is printed anyway.
    pub qr: Option<Qr>,
}

impl QrLink {
    fn new(caption: &'static str, url: String) -> QrLink {
        QrLink {
            caption,
            qr: Qr::new(&url),
            url,
        }
    }
}

/// Work linked to an airing, as the packet prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Work {
    pub title: Text,
    pub instructions: Text,
    pub materials: Option<Text>,
    pub minutes: Option<i64>,
    /// "Friday, April 17" / "Viernes 17 de abril".
    pub due: Option<String>,
    /// Ruled lines left for the answers.
    pub answer_lines: usize,
    /// When the work airs more than once this week: every airing that will do, "Mon 10:30 AM
    /// KCET 28.1", in time order (it is printed once, under the first).
    pub watch_one_of: Vec<String>,
    /// In a family's packet, whose work it is: "Grade 5" / "5.º grado".
    pub who: Option<String>,
    /// In a family's packet, the other airings that would do if the planned one is missed.
    pub also: Vec<String>,
    /// Said in bold under the work: a clash no repeat avoids, or that it airs after it is due.
    pub notes: Vec<String>,
}

/// One airing on a day page.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Local start time in the station's zone, "9:00 AM".
    pub time: String,
    /// "KCET 28.1".
    pub channel: String,
    pub title: Text,
    pub episode: Option<Text>,
    pub captions: bool,
    pub spanish_audio: bool,
    pub work: Vec<Work>,
}

impl Work {
    /// `w` as a packet prints it in `lang`, in the week of `monday`, with nothing else said.
    fn of(w: &crate::domain::Assignment, lang: Lang, monday: NaiveDate) -> Work {
        let f = &w.fields;
        Work {
            title: Text::pick(lang, &f.title, f.title_es.as_deref()),
            instructions: Text::pick(lang, &f.instructions, f.instructions_es.as_deref()),
            materials: Text::pick_some(lang, f.materials.as_deref(), f.materials_es.as_deref()),
            minutes: f.minutes,
            due: f.due.map(|d| due_label(lang.packet(), d, monday)),
            answer_lines: answer_lines(f.minutes),
            watch_one_of: Vec::new(),
            who: None,
            also: Vec::new(),
            notes: Vec::new(),
        }
    }
}

impl Item {
    /// `a` as a packet row, at its station's local time, with `work` under it.
    fn new(a: &Airing, lang: Lang, tz: Tz, work: Vec<Work>) -> Item {
        Item {
            time: lang
                .packet()
                .clock(a.start.with_timezone(&a.zone(tz)).time()),
            channel: format!("{} {}", a.station, a.channel),
            title: Text::pick(lang, &a.details.title, a.details.title_es.as_deref()),
            episode: Text::pick_some(
                lang,
                a.details.episode_title.as_deref(),
                a.details.episode_title_es.as_deref(),
            ),
            captions: a.details.captions,
            spanish_audio: a.details.spanish_audio,
            work,
        }
    }
}

/// A day's airings; on the weekend page each day has its own heading.
#[derive(Debug, Clone, PartialEq)]
pub struct DayGroup {
    pub heading: Option<String>,
    pub items: Vec<Item>,
}

/// A weekday's page (or pages, when its airings do not fit on one), or the weekend's.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    /// Empty for a weekday without lessons: the page says so.
    pub groups: Vec<DayGroup>,
}

/// A channel on the cover's "how to watch": "KCET 28.1" and its name, "KCET Kids".
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelLine {
    pub channel: String,
    pub name: Option<String>,
}

/// Everything a packet prints, in its language, ready to draw.
#[derive(Clone)]
pub struct Packet {
    pub options: PacketRequest,
    pub words: &'static PacketStrings,
    /// Whose packet, on the cover and atop every page: "Grade 5" / "Grado 5", or the class's
    /// name.
    pub name: String,
    /// A class's grades, under its name on the cover: "Grades 4, 5" / "Grado 5".
    pub grades: Option<String>,
    /// "Week of April 13, 2020", on every page.
    pub week_label: String,
    /// "Monday, April 13 – Friday, April 17, 2020".
    pub dates: String,
    pub channels: Vec<ChannelLine>,
    pub any_captions: bool,
    pub any_spanish_audio: bool,
    /// Monday to Friday, then the weekend if anything airs then; empty when the week has no
    /// airings for the grade (or no work for the class).
    pub sections: Vec<Section>,
    /// Subscribe to the grade's (or class's, or family's) calendar: the landing page with the
    /// steps for each phone, over http(s), which every phone's camera opens.
    pub feed: QrLink,
    /// The week's web page.
    pub week_page: QrLink,
    /// Said on the cover under their headings: in a family's packet, lessons that still clash,
    /// work with no airing this week, and where the full schedule is.
    pub notes: Vec<CoverNote>,
}

/// A heading on the cover and what is said under it.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverNote {
    pub heading: String,
    pub lines: Vec<String>,
}

impl Packet {
    /// True when nothing airs for the grade this week: the packet is one page saying so.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The document title: "Grade 5 · Weekly learning packet · Week of April 13, 2020".
    pub fn title(&self) -> String {
        format!(
            "{} · {} · {}",
            self.name, self.words.packet_title, self.week_label
        )
    }

    /// What the cover says when the week has nothing for the grade or class.
    pub fn nothing_this_week(&self) -> &'static str {
        match self.options.scope {
            PacketScope::Grade(_) => self.words.nothing_this_week,
            PacketScope::Class { .. } => self.words.nothing_this_week_class,
            PacketScope::Family(_) => self.options.lang.plan().nothing_short,
        }
    }

    /// Whether the cover has lines for the student's and teacher's names (a family's packet is
    /// for several children and has none).
    pub fn fill_ins(&self) -> bool {
        !matches!(self.options.scope, PacketScope::Family(_))
    }

    /// How to use the packet, on its cover.
    pub fn how_to_use(&self) -> &'static str {
        match self.options.scope {
            PacketScope::Family(_) => self.options.lang.plan().packet_how_to_use,
            _ => self.words.how_to_use,
        }
    }

    /// What a weekday's page says when it has nothing.
    pub fn nothing_today(&self) -> &'static str {
        match self.options.scope {
            PacketScope::Grade(_) => self.words.nothing_today,
            PacketScope::Class { .. } => self.words.nothing_today_class,
            PacketScope::Family(_) => self.options.lang.plan().nothing_today,
        }
    }

    /// A file name for the packet: `lessoncast-2020-04-13-grade-5-en.pdf`,
    /// `lessoncast-2020-04-13-class-12-en.pdf`.
    pub fn file_name(options: &PacketRequest, format: Format) -> String {
        format!(
            "lessoncast-{}-{}-{}.{}",
            options.week,
            options.scope,
            options.lang.code(),
            format.ext()
        )
    }
}

/// Answer lines for work of `minutes`: about one line per five minutes, within reason.
fn answer_lines(minutes: Option<i64>) -> usize {
    match minutes {
        Some(m) => ((m + 4) / 5).clamp(3, 12) as usize,
        None => 5,
    }
}

/// Builds the packet for `options` from the week's airings (earliest first; at least those of
/// the scope: the grade's, or for a class any that its work may be linked to) and the work the
/// scope's feed shows ([`PacketScope::feed_kind`]). Airings outside the scope are left out.
pub fn build(
    options: &PacketRequest,
    airings: &[Airing],
    work: &WorkIndex<'_>,
    tz: Tz,
    base_url: &str,
) -> Packet {
    let lang = options.lang;
    let words = lang.packet();
    let strings = lang.strings();
    let monday = options.week.monday();
    let base = base_url.trim_end_matches('/');
    let week_page = |grade: Option<Grade>| {
        let grade = grade
            .map(|g| format!("grade={}&", g.code()))
            .unwrap_or_default();
        format!(
            "{base}/schedule?{grade}week={}&lang={}",
            options.week,
            lang.code()
        )
    };
    let (name, grades, feed_url, week_url) = match &options.scope {
        PacketScope::Grade(g) => (
            strings.grade_name(*g),
            None,
            format!("{base}/subscribe?grade={}&lang={}", g.code(), lang.code()),
            week_page(Some(*g)),
        ),
        PacketScope::Family(f) => {
            let (feed, page) = f.links(base, options.week, lang);
            (lang.plan().title.to_string(), None, feed, page)
        }
        PacketScope::Class { feed, token } => {
            let list: Vec<Grade> = feed.grades.iter().collect();
            let grades = match list.as_slice() {
                [] => None,
                [one] => Some(strings.grade_name(*one)),
                many => Some(format!(
                    "{} {}",
                    words.grades,
                    many.iter().map(|g| g.code()).collect::<Vec<_>>().join(", ")
                )),
            };
            (
                feed.name.clone(),
                grades,
                format!("{base}/subscribe?class={token}&lang={}", lang.code()),
                // The public week page shows one grade: the class's, when it has one.
                week_page(match list.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }),
            )
        }
    };

    // Each airing at its own station's local time.
    let local_day = |a: &Airing| a.start.with_timezone(&a.zone(tz)).date_naive();
    let in_week: Vec<&Airing> = airings
        .iter()
        .filter(|a| Week::containing(local_day(a)) == options.week)
        .filter(|a| options.scope.keeps(a, work))
        .collect();

    // Each piece of work once, under the airing the plan for one child picks (daytime, linked
    // directly, the earliest, before it is due), with every airing that will do.
    let owned: Vec<Airing> = in_week.iter().map(|a| (*a).clone()).collect();
    let mut all_work: Vec<&crate::domain::Assignment> = Vec::new();
    for a in &owned {
        for w in work.for_airing(a) {
            if !all_work.iter().any(|x| x.id == w.id) {
                all_work.push(w);
            }
        }
    }
    let tasks = crate::domain::plan::tasks(&[all_work], &owned);
    let week_start = options.week.window(tz).0;
    let planned = crate::domain::plan::plan(&tasks, week_start, tz);
    // assignment id → (the airing it is printed under, the airings that will do).
    let mut placed: std::collections::HashMap<i64, (i64, Vec<String>)> =
        std::collections::HashMap::new();
    for p in &planned.items {
        if let Some(c) = p.chosen {
            let mut at: Vec<&Airing> = p.alternatives.clone();
            at.push(c.airing);
            at.sort_by_key(|a| (a.start, a.id));
            // The first few in time order, the rest counted: a series can air thirty times.
            let shown = crate::family::ALSO_SHOWN + 1;
            let mut list: Vec<String> = at
                .iter()
                .take(shown)
                .map(|a| crate::family::when_where(a, lang, tz))
                .collect();
            if at.len() > shown {
                list.push(lang.plan().more_times(at.len() - shown));
            }
            if at.len() < 2 {
                list.clear();
            }
            placed.insert(p.work.id, (c.airing.id, list));
        }
    }
    let item = |a: &Airing| {
        let list = work
            .for_airing(a)
            .into_iter()
            .filter_map(|w| {
                let (under, watch) = placed.get(&w.id)?;
                if *under != a.id {
                    return None;
                }
                Some(Work {
                    watch_one_of: watch.clone(),
                    ..Work::of(w, lang, monday)
                })
            })
            .collect();
        Item::new(a, lang, tz, list)
    };

    let sections = if in_week.is_empty() {
        Vec::new()
    } else {
        week_sections(options.week, words, |day| {
            in_week
                .iter()
                .filter(|a| local_day(a) == day)
                .map(|a| item(a))
                .collect()
        })
    };
    let channels = channel_lines(in_week.iter().copied());

    Packet {
        options: options.clone(),
        words,
        name,
        grades,
        week_label: words.week_label(monday),
        dates: words.date_range(monday, options.week.day(Weekday::Fri)),
        channels,
        any_captions: in_week.iter().any(|a| a.details.captions),
        any_spanish_audio: in_week.iter().any(|a| a.details.spanish_audio),
        sections,
        feed: QrLink::new(words.qr_feed, feed_url),
        week_page: QrLink::new(words.qr_week, week_url),
        notes: match &options.scope {
            // A grade's packet goes home to families with other children too.
            PacketScope::Grade(g) => vec![CoverNote {
                heading: lang.plan().title.to_string(),
                lines: vec![format!(
                    "{} {base}/?grade={}&lang={}#family",
                    lang.plan().offer,
                    g.code(),
                    lang.code()
                )],
            }],
            _ => Vec::new(),
        },
    }
}

/// The day sections of `week`: Monday to Friday (empty days say so), then the weekend when
/// anything is on then, each day's items from `on`.
fn week_sections(
    week: Week,
    words: &PacketStrings,
    on: impl Fn(NaiveDate) -> Vec<Item>,
) -> Vec<Section> {
    let mut sections = Vec::new();
    for wd in [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ] {
        let day = week.day(wd);
        let items = on(day);
        sections.push(Section {
            heading: words.day_heading(day),
            groups: if items.is_empty() {
                Vec::new()
            } else {
                vec![DayGroup {
                    heading: None,
                    items,
                }]
            },
        });
    }
    let weekend: Vec<DayGroup> = [Weekday::Sat, Weekday::Sun]
        .into_iter()
        .filter_map(|wd| {
            let day = week.day(wd);
            let items = on(day);
            (!items.is_empty()).then(|| DayGroup {
                heading: Some(words.day_heading(day)),
                items,
            })
        })
        .collect();
    if !weekend.is_empty() {
        sections.push(Section {
            heading: words.weekend.to_string(),
            groups: weekend,
        });
    }
    sections
}

/// The cover's channels for `airings`: each once, with its name, in order.
fn channel_lines<'a>(airings: impl Iterator<Item = &'a Airing>) -> Vec<ChannelLine> {
    let mut channels: Vec<ChannelLine> = Vec::new();
    for a in airings {
        let channel = format!("{} {}", a.station, a.channel);
        if !channels.iter().any(|c| c.channel == channel) {
            channels.push(ChannelLine {
                channel,
                name: a
                    .channel_name
                    .clone()
                    .filter(|n| !n.trim().is_empty() && *n != a.station),
            });
        }
    }
    channels.sort_by(|a, b| a.channel.cmp(&b.channel));
    channels
}

/// "Friday, April 17" / "viernes 17 de abril"; with the year when it is not the packet's.
fn due_label(words: &PacketStrings, due: NaiveDate, monday: NaiveDate) -> String {
    words.dates.due_date(due, due.year() != monday.year())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::Details;
    use crate::domain::{AiringStatus, Assignment, AssignmentFields, GradeSet, Link};
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn airing(id: i64, start: &str) -> Airing {
        Airing {
            id,
            station: "KCET".into(),
            channel: "28.1".into(),
            channel_name: Some("KCET Kids".into()),
            start: t(start),
            end: None,
            details: Details {
                title: "Cyberchase".into(),
                title_es: Some("Ciberpersecución".into()),
                episode_title: Some("The Poddleville Case".into()),
                episode_title_es: None,
                description: None,
                description_es: None,
                grades: GradeSet::parse_list("4-8").unwrap(),
                captions: true,
                spanish_audio: id % 2 == 0,
            },
            series_key: "cyberchase".into(),
            episode_key: Some("cyberchase/the-poddleville-case".into()),
            status: AiringStatus::Scheduled,
            revision: 1,
            updated_at: t("2020-04-01T00:00:00Z"),
            tz: "America/Los_Angeles".into(),
        }
    }

    pub(crate) fn assignment() -> Assignment {
        Assignment {
            id: 7,
            owner_id: 1,
            owner_email: "t@example.org".into(),
            class_id: None,
            fields: AssignmentFields {
                title: "Fractions".into(),
                title_es: Some("Fracciones".into()),
                instructions: "Draw three pizzas cut in quarters.".into(),
                instructions_es: Some("Dibuja tres pizzas cortadas en cuartos.".into()),
                materials: Some("Paper, pencil".into()),
                materials_es: None,
                minutes: Some(30),
                grades: GradeSet::parse_list("5").unwrap(),
                due: NaiveDate::from_ymd_opt(2020, 4, 17),
            },
            links: vec![Link::Series("cyberchase".into())],
            created_at: t("2020-04-01T00:00:00Z"),
            updated_at: t("2020-04-01T00:00:00Z"),
            deleted_at: None,
        }
    }

    pub(crate) fn options(lang: Lang) -> PacketRequest {
        PacketOptions {
            grade: "5".parse().unwrap(),
            week: "2020-04-13".parse().unwrap(),
            lang,
            size: PaperSize::Letter,
            large: false,
        }
        .into()
    }

    #[test]
    fn airings_land_on_their_local_weekday_and_the_weekend_gets_its_own_section() {
        // 16:00Z is 9:00 in Los Angeles; 06:30Z on Wednesday is still Tuesday there.
        let list = vec![
            airing(1, "2020-04-13T16:00:00Z"),
            airing(2, "2020-04-15T06:30:00Z"),
            airing(3, "2020-04-18T17:00:00Z"),
        ];
        let all = vec![assignment()];
        let work = WorkIndex::new(&all, |_| true);
        let p = build(
            &options(Lang::En),
            &list,
            &work,
            chrono_tz::America::Los_Angeles,
            "http://x.test/",
        );
        let headings: Vec<_> = p.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            [
                "Monday, April 13",
                "Tuesday, April 14",
                "Wednesday, April 15",
                "Thursday, April 16",
                "Friday, April 17",
                "Weekend"
            ]
        );
        assert_eq!(p.sections[0].groups[0].items[0].time, "9:00 AM");
        assert_eq!(p.sections[1].groups[0].items[0].time, "11:30 PM");
        assert!(p.sections[2].groups.is_empty());
        assert_eq!(
            p.sections[5].groups[0].heading.as_deref(),
            Some("Saturday, April 18")
        );
        let w = &p.sections[0].groups[0].items[0].work[0];
        assert_eq!(w.due.as_deref(), Some("Friday, April 17"));
        assert_eq!(w.answer_lines, 6);
        assert_eq!(p.channels[0].channel, "KCET 28.1");
        assert_eq!(
            p.feed.url, "http://x.test/subscribe?grade=5&lang=en",
            "{:?}",
            p.feed
        );
        assert_eq!(
            p.week_page.url,
            "http://x.test/schedule?grade=5&week=2020-04-13&lang=en"
        );
        assert!(p.feed.qr.is_some());
    }

    #[test]
    fn spanish_packets_take_spanish_text_where_given_and_mark_english_fallbacks() {
        let list = vec![airing(1, "2020-04-13T16:00:00Z")];
        let all = vec![assignment()];
        let work = WorkIndex::new(&all, |_| true);
        let p = build(
            &options(Lang::Es),
            &list,
            &work,
            chrono_tz::America::Los_Angeles,
            "http://x.test",
        );
        let item = &p.sections[0].groups[0].items[0];
        assert_eq!(item.title.text, "Ciberpersecución");
        assert!(!item.title.english_fallback);
        let ep = item.episode.as_ref().unwrap();
        assert_eq!(ep.text, "The Poddleville Case");
        assert!(ep.english_fallback);
        assert_eq!(
            item.work[0].instructions.text,
            "Dibuja tres pizzas cortadas en cuartos."
        );
        assert_eq!(item.time, "9:00 a. m.");
        assert_eq!(p.sections[2].heading, "Miércoles 15 de abril");
    }

    #[test]
    fn a_class_packet_has_only_the_airings_its_work_is_linked_to() {
        let list = vec![
            airing(1, "2020-04-13T16:00:00Z"),
            airing(2, "2020-04-14T16:00:00Z"),
        ];
        let mut mine = assignment();
        mine.class_id = Some(3);
        mine.links = vec![Link::Airing(2)];
        let mut theirs = assignment();
        theirs.id = 8;
        theirs.owner_id = 2;
        theirs.fields.title = "Someone else's".into();
        let all = vec![mine, theirs];
        let scope = PacketScope::Class {
            feed: ClassFeed {
                id: 3,
                owner_id: 1,
                name: "Room 12".into(),
                grades: GradeSet::parse_list("4-5").unwrap(),
            },
            token: "abc".into(),
        };
        let kind = scope.feed_kind();
        let work = WorkIndex::new(&all, |a| kind.shows(a));
        let o = PacketRequest {
            scope,
            ..options(Lang::Es)
        };
        let p = build(
            &o,
            &list,
            &work,
            chrono_tz::America::Los_Angeles,
            "http://x.test",
        );
        assert_eq!(p.name, "Room 12");
        assert_eq!(p.grades.as_deref(), Some("Grados 4, 5"));
        assert!(p.sections[0].groups.is_empty());
        assert_eq!(p.nothing_today(), o.lang.packet().nothing_today_class);
        let items = &p.sections[1].groups[0].items;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].work.len(), 1);
        assert_eq!(items[0].work[0].title.text, "Fracciones");
        assert_eq!(p.feed.url, "http://x.test/subscribe?class=abc&lang=es");
        assert_eq!(
            p.week_page.url,
            "http://x.test/schedule?week=2020-04-13&lang=es"
        );
        assert_eq!(
            Packet::file_name(&o, Format::Pdf),
            "lessoncast-2020-04-13-class-3-es.pdf"
        );
    }

    #[test]
    fn a_week_without_airings_has_no_sections() {
        let p = build(
            &options(Lang::En),
            &[],
            &WorkIndex::empty(),
            chrono_tz::America::Los_Angeles,
            "http://x.test",
        );
        assert!(p.is_empty());
        assert!(p.channels.is_empty());
    }

    #[test]
    fn qr_runs_cover_exactly_the_dark_modules() {
        let qr = Qr::new("http://x.test/feeds/grades/5.ics?lang=en").unwrap();
        let covered: usize = qr.runs().iter().map(|(_, _, n)| n).sum();
        assert_eq!(covered, qr.dark.iter().filter(|d| **d).count());
        assert!(qr.svg(100, "a \"label\"").contains("&quot;label&quot;"));
    }

    #[test]
    fn paper_sizes_and_formats_parse() {
        assert_eq!("A4".parse::<PaperSize>(), Ok(PaperSize::A4));
        assert_eq!("letter".parse::<PaperSize>(), Ok(PaperSize::Letter));
        assert!("legal".parse::<PaperSize>().is_err());
        assert_eq!("pdf".parse::<Format>(), Ok(Format::Pdf));
        assert!("docx".parse::<Format>().is_err());
    }
}
