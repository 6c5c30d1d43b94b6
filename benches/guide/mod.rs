//! A generated XMLTV guide shaped like the ones stations and listing services publish (see
//! `../shared/schedules-real/`: Schedules Direct's EPG123 output, the UK listings Jellyfin tests
//! with): every episode with its own sub-title and description, `xmltv_ns` episode numbers
//! (and `dd_progid` on some), one to three categories, credits and ratings on some, reruns
//! marked `previously-shown`, subtitles, audio, `<length>`, and about one programme in twenty
//! without `stop`, whose end is the next programme's start.
//!
//! It is deterministic: the same arguments write the same bytes. `changed_per_mille` rewrites
//! that share of programmes (a new description, some a new sub-title or start), as a guide
//! re-published with corrections.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

pub const CHANNELS: u32 = 100;

/// 2020-04-13 07:00:00 UTC, midnight in Los Angeles.
const START: i64 = 1_586_761_200;

/// Programme lengths in minutes, 25 on average: 57.6 programmes a channel a day, as many as
/// the 161,300 of 100 channels × 4 weeks the issue measured with.
const LENGTHS: [i64; 8] = [15, 15, 20, 25, 25, 30, 30, 40];

const ADJECTIVES: &[&str] = &[
    "Wild",
    "Curious",
    "Little",
    "Great",
    "Secret",
    "Amazing",
    "Hidden",
    "Brave",
    "Busy",
    "Clever",
    "Daring",
    "Electric",
    "Friendly",
    "Golden",
    "Happy",
    "Incredible",
    "Jolly",
    "Kind",
    "Lucky",
    "Mighty",
    "Noble",
    "Odd",
    "Quiet",
    "Rapid",
    "Silver",
    "Tiny",
    "Urban",
    "Vivid",
    "Wonder",
    "Young",
];
const NOUNS: &[&str] = &[
    "Kratts",
    "Squad",
    "Explorers",
    "Scientists",
    "Kitchen",
    "Planet",
    "Garden",
    "Museum",
    "Detectives",
    "Builders",
    "Island",
    "Journey",
    "Lab",
    "Library",
    "Ocean",
    "Forest",
    "Workshop",
    "Neighborhood",
    "Band",
    "Rangers",
    "Inventors",
    "Travelers",
    "Makers",
    "Readers",
    "Mathletes",
    "Voyage",
    "Farm",
    "Academy",
    "Station",
    "Canyon",
];
const WORDS: &[&str] = &[
    "fractions",
    "volcano",
    "river",
    "rocket",
    "robot",
    "dinosaur",
    "weather",
    "market",
    "bridge",
    "puzzle",
    "garden",
    "recipe",
    "orchestra",
    "map",
    "treasure",
    "forest",
    "bicycle",
    "lighthouse",
    "tide",
    "magnet",
    "shadow",
    "seed",
    "honeybee",
    "kite",
    "compass",
    "desert",
    "glacier",
    "festival",
    "library",
    "telescope",
    "pyramid",
    "coral",
    "harvest",
    "parade",
    "circuit",
    "canyon",
    "pendulum",
    "lantern",
    "meadow",
    "rainbow",
];
const VERBS: &[&str] = &[
    "builds",
    "discovers",
    "measures",
    "explores",
    "rescues",
    "counts",
    "paints",
    "designs",
    "follows",
    "tests",
    "solves",
    "visits",
    "maps",
    "repairs",
    "cooks",
    "plants",
];
const CATEGORIES: &[&str] = &[
    "Children",
    "Educational",
    "Documentary",
    "Science",
    "Nature",
    "Series",
    "Animated",
    "Cooking",
    "History",
    "Music",
    "Arts",
    "Travel",
    "News",
    "Drama",
    "Comedy",
    "Game Show",
];
const GRADE_CATEGORIES: &[&str] = &["Grades 4-8", "Grades K-3", "Grades 6-12", "Grades 9-12"];
const NAMES: &[&str] = &[
    "Ana Flores",
    "Ben Okafor",
    "Carmen Ruiz",
    "David Kim",
    "Elena Petrova",
    "Farid Haddad",
    "Grace Liu",
    "Hector Alvarez",
    "Ines Moreau",
    "Jamal Carter",
    "Keiko Tanaka",
    "Luis Ortega",
    "Maya Patel",
    "Nora Jensen",
    "Omar Said",
    "Priya Shah",
    "Quinn Murphy",
    "Rosa Delgado",
    "Sam Becker",
    "Tomas Novak",
];
const RATINGS: &[(&str, &str)] = &[
    ("VCHIP", "TV-Y"),
    ("VCHIP", "TV-Y7"),
    ("VCHIP", "TV-G"),
    ("VCHIP", "TV-PG"),
    ("USA Parental Rating", "TVG"),
];

/// SplitMix64: small, fast, and the same everywhere.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    list[(h % list.len() as u64) as usize]
}

/// Writes `days` days of [`CHANNELS`] channels to `path`; returns how many programmes.
pub fn generate(path: &Path, days: u32, changed_per_mille: u64) -> u64 {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).expect("bench file"));
    let mut n = 0u64;
    writeln!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n\
         <tv source-info-name=\"lessoncast bench\" generator-info-name=\"lessoncast bench\">"
    )
    .unwrap();
    for c in 0..CHANNELS {
        writeln!(
            w,
            "  <channel id=\"K{c:03}.{}.1\">\n    <display-name>K{c:03}</display-name>\n    \
             <display-name>{}.1 K{c:03}</display-name>\n    <lcn>{}.1</lcn>\n    \
             <icon src=\"https://example.org/logos/k{c:03}.png\" width=\"360\" height=\"270\"/>\n  \
             </channel>",
            c + 2,
            c + 2,
            c + 2
        )
        .unwrap();
    }
    let end = START + days as i64 * 86_400;
    for c in 0..CHANNELS {
        // Each channel airs 40 series of its own from a pool of 900.
        let series_of = |k: u64| mix(c as u64 * 1000 + k) % 900;
        let mut t = START;
        let mut i = 0u64;
        while t < end {
            let h = mix((c as u64) << 32 | i);
            let len = LENGTHS[(h % LENGTHS.len() as u64) as usize] * 60;
            let series = series_of((h >> 8) % 40);
            // Half the slots are reruns of one of the series' first episodes.
            let rerun = (h >> 16).is_multiple_of(2);
            let season = 1 + (h >> 20) % 6;
            let episode = if rerun {
                1 + (h >> 24) % 6
            } else {
                1 + (i / 40) % 26
            };
            let ep = mix(series << 16 | season << 8 | episode);
            let changed = mix(h ^ 0x5eed) % 1000 < changed_per_mille;
            let mut start = t;
            if changed && (h >> 40).is_multiple_of(4) && len > 15 * 60 {
                // A corrected start: five minutes later, the end unchanged.
                start += 300;
            }
            write_programme(
                &mut w,
                c,
                start,
                t + len,
                series,
                season,
                episode,
                ep,
                h,
                rerun,
                changed,
            );
            t += len;
            i += 1;
            n += 1;
        }
    }
    writeln!(w, "</tv>").unwrap();
    w.flush().unwrap();
    // On disk before an import is timed: otherwise the kernel writes the generator's output
    // back while the fresh import runs, and its time (half a gigabyte at 4×) is counted as
    // the import's.
    w.get_ref().sync_all().unwrap();
    n
}

#[allow(clippy::too_many_arguments)]
fn write_programme(
    w: &mut impl Write,
    channel: u32,
    start: i64,
    stop: i64,
    series: u64,
    season: u64,
    episode: u64,
    ep: u64,
    h: u64,
    rerun: bool,
    changed: bool,
) {
    let title = format!(
        "{} {}",
        pick(ADJECTIVES, series),
        pick(NOUNS, series / ADJECTIVES.len() as u64)
    );
    let mut sub_title = format!(
        "The {} and the {}",
        capitalise(pick(WORDS, ep)),
        capitalise(pick(WORDS, ep >> 8))
    );
    if changed && (h >> 44).is_multiple_of(3) {
        sub_title.push_str(" (Part 2)");
    }
    let mut desc = format!(
        "{} {} a {} near the {}, then {} how a {} and a {} work together. Season {season}, \
         episode {episode}: {} {} the {} before the {} arrives.",
        pick(NAMES, ep >> 12),
        pick(VERBS, ep >> 16),
        pick(WORDS, ep >> 20),
        pick(WORDS, ep >> 24),
        pick(VERBS, ep >> 28),
        pick(WORDS, ep >> 32),
        pick(WORDS, ep >> 36),
        pick(NAMES, ep >> 40),
        pick(VERBS, ep >> 44),
        pick(WORDS, ep >> 48),
        pick(WORDS, ep >> 52),
    );
    if changed {
        desc.push_str(" Updated: a new segment on safety at home.");
    }
    // One programme in twenty gives no stop (the next one's start ends it).
    let stop_attr = if (h >> 28).is_multiple_of(20) {
        String::new()
    } else {
        format!(" stop=\"{}\"", xmltv_time(stop))
    };
    write!(
        w,
        "  <programme start=\"{}\"{stop_attr} channel=\"K{channel:03}.{}.1\">\n    \
         <title lang=\"en\">{}</title>\n    <sub-title lang=\"en\">{}</sub-title>\n    \
         <desc lang=\"en\">{}</desc>\n",
        xmltv_time(start),
        channel + 2,
        xml_escape(&title),
        xml_escape(&sub_title),
        xml_escape(&desc),
    )
    .unwrap();
    if (h >> 32) % 10 < 3 {
        write!(
            w,
            "    <credits>\n      <director>{}</director>\n      <actor>{}</actor>\n      \
             <actor role=\"Host\">{}</actor>\n    </credits>\n",
            pick(NAMES, ep >> 3),
            pick(NAMES, ep >> 5),
            pick(NAMES, ep >> 7)
        )
        .unwrap();
    }
    if (h >> 34).is_multiple_of(4) {
        writeln!(w, "    <date>{}</date>", 2010 + series % 10).unwrap();
    }
    let categories = 1 + (h >> 36) % 3;
    for k in 0..categories {
        writeln!(
            w,
            "    <category lang=\"en\">{}</category>",
            pick(CATEGORIES, series + k * 7)
        )
        .unwrap();
    }
    if series.is_multiple_of(3) {
        writeln!(
            w,
            "    <category lang=\"en\">{}</category>",
            pick(GRADE_CATEGORIES, series / 3)
        )
        .unwrap();
    }
    if !stop_attr.is_empty() {
        writeln!(
            w,
            "    <length units=\"minutes\">{}</length>",
            (stop - start) / 60
        )
        .unwrap();
    }
    writeln!(
        w,
        "    <episode-num system=\"xmltv_ns\">{}.{}.</episode-num>",
        season - 1,
        episode - 1
    )
    .unwrap();
    if (h >> 38) % 10 < 3 {
        writeln!(
            w,
            "    <episode-num system=\"dd_progid\">EP{series:06}.{:04}</episode-num>",
            season * 100 + episode
        )
        .unwrap();
    }
    if (h >> 42) % 10 < 3 {
        w.write_all(b"    <audio>\n      <stereo>stereo</stereo>\n    </audio>\n")
            .unwrap();
    }
    if rerun {
        w.write_all(b"    <previously-shown/>\n").unwrap();
    }
    if (h >> 46).is_multiple_of(2) {
        w.write_all(b"    <subtitles type=\"teletext\"/>\n")
            .unwrap();
    }
    if (h >> 48) % 10 < 4 {
        let (system, value) = RATINGS[((h >> 50) % RATINGS.len() as u64) as usize];
        writeln!(
            w,
            "    <rating system=\"{system}\">\n      <value>{value}</value>\n    </rating>"
        )
        .unwrap();
    }
    w.write_all(b"  </programme>\n").unwrap();
}

fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

fn xmltv_time(epoch: i64) -> String {
    let t = chrono::DateTime::from_timestamp(epoch, 0).expect("time");
    format!("{} +0000", t.format("%Y%m%d%H%M%S"))
}
