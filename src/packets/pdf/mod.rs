//! The packet as a PDF, drawn in-process with krilla.
//!
//! Black on white only, for cheap printers. DejaVu Sans regular and bold are compiled in
//! (`assets/fonts/`) and embedded as subsets, so accents print and text can be copied and
//! searched. Text is shaped with rustybuzz (the shaper krilla itself uses), so measured and
//! drawn widths agree; paragraphs wrap at spaces. Content is a stream of items of known height
//! that the paginator places page after page, moving an item to the next page when it, and the
//! items it must stay with (a heading and its first line, a label and its first ruled lines),
//! do not fit. Every page carries the grade (or class), "Week of …" and "Page N of M".

mod layout;

use self::layout::{draw, spacer, Block, Layout, Op, Paginator, Style, Weight, FONTS};
use super::{Item, Packet, PacketError, QrLink, Section, Work, QR_QUIET_ZONE};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::Document;
use std::collections::HashMap;

/// Draws `packet` as a PDF.
pub fn render(packet: &Packet) -> Result<Vec<u8>, PacketError> {
    let fonts = FONTS.as_ref().ok_or(PacketError::Font)?;
    let mut l = Layout {
        fonts,
        widths: HashMap::new(),
        s: Style::new(packet),
    };

    let mut sections: Vec<(Vec<Block>, Vec<Block>)> = vec![(cover(&mut l, packet), Vec::new())];
    for section in &packet.sections {
        sections.push(day_section(&mut l, packet, section));
    }

    let mut p = Paginator {
        pages: Vec::new(),
        y: l.s.top,
        top: l.s.top,
        bottom: l.s.bottom,
    };
    for (blocks, continued) in sections {
        p.place_section(blocks, &continued);
    }

    let total = p.pages.len();
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(packet.title())
            .language(packet.options.lang.code().to_string())
            .creator(format!("lessoncast {}", env!("CARGO_PKG_VERSION"))),
    );
    for (n, page_ops) in p.pages.into_iter().enumerate() {
        let chrome = page_chrome(&mut l, packet, n + 1, total);
        let settings = PageSettings::from_wh(l.s.page_w, l.s.page_h)
            .ok_or_else(|| PacketError::Pdf("bad page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for op in chrome.iter().chain(page_ops.ops.iter()) {
            draw(&mut surface, fonts, op);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PacketError::Pdf(format!("{e:?}")))
}

/// Draws a class's handout for families (one page: English, then Spanish).
pub fn render_handout(h: &super::handout::Handout) -> Result<Vec<u8>, PacketError> {
    use crate::i18n::Lang;
    let fonts = FONTS.as_ref().ok_or(PacketError::Font)?;
    let mut l = Layout {
        fonts,
        widths: HashMap::new(),
        s: Style::sized(h.size, false),
    };
    let k = l.s.k;
    let mut blocks = l.paragraph(&[(Weight::Bold, &h.class)], l.s.grade * 0.8, 0.0, true);
    for lang in [Lang::En, Lang::Es] {
        let w = lang.subscribe();
        blocks.push(spacer(12.0 * k));
        let size = l.s.heading;
        blocks.extend(heading(&mut l, w.handout_heading, size));
        for step in w.handout_steps {
            blocks.extend(l.paragraph(&[(Weight::Regular, step)], l.s.body * 1.2, 0.0, false));
            blocks.push(spacer(4.0 * k));
        }
        let link = QrLink {
            caption: lang.pages().scan_to_subscribe,
            url: h.url.clone(),
            qr: h.qr.clone(),
        };
        blocks.push(qr_block(&mut l, &[&link]));
    }
    let mut p = Paginator {
        pages: Vec::new(),
        y: l.s.top,
        top: l.s.top,
        bottom: l.s.bottom,
    };
    p.place_section(blocks, &[]);
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(format!(
                "{} · {}",
                h.class,
                Lang::En.subscribe().handout_heading
            ))
            .language("en".to_string())
            .creator(format!("lessoncast {}", env!("CARGO_PKG_VERSION"))),
    );
    for page_ops in p.pages {
        let settings = PageSettings::from_wh(l.s.page_w, l.s.page_h)
            .ok_or_else(|| PacketError::Pdf("bad page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for op in &page_ops.ops {
            draw(&mut surface, fonts, op);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PacketError::Pdf(format!("{e:?}")))
}

/// The header and footer of page `n` of `total`.
fn page_chrome(l: &mut Layout<'_>, packet: &Packet, n: usize, total: usize) -> Vec<Op> {
    let s = &l.s;
    let size = 9.0 * s.k.min(1.2);
    let (left, right, page_h, page_w) = (s.left, s.right, s.page_h, s.page_w);
    let head_y = 40.0;
    let foot_y = page_h - 30.0;
    let left_text = format!("{} · {}", packet.name, packet.words.packet_title);
    let week = packet.week_label.clone();
    let page_of = packet.words.page_of(n, total);
    let week_w = l.measure(Weight::Regular, &week, size);
    let page_w_text = l.measure(Weight::Bold, &page_of, size);
    vec![
        Op::Text {
            x: left,
            y: head_y,
            weight: Weight::Bold,
            size,
            text: left_text,
        },
        Op::Text {
            x: right - week_w,
            y: head_y,
            weight: Weight::Regular,
            size,
            text: week.clone(),
        },
        Op::Line {
            x1: left,
            y1: head_y + 6.0,
            x2: right,
            y2: head_y + 6.0,
            width: 0.75,
        },
        Op::Line {
            x1: left,
            y1: foot_y - size - 4.0,
            x2: right,
            y2: foot_y - size - 4.0,
            width: 0.75,
        },
        Op::Text {
            x: left,
            y: foot_y,
            weight: Weight::Regular,
            size,
            text: week,
        },
        Op::Text {
            x: (page_w - page_w_text) / 2.0,
            y: foot_y,
            weight: Weight::Bold,
            size,
            text: page_of,
        },
    ]
}

/// A heading line in bold with a rule under it.
fn heading(l: &mut Layout<'_>, text: &str, size: f32) -> Vec<Block> {
    let mut blocks = l.paragraph(&[(Weight::Bold, text)], size, 0.0, true);
    for b in &mut blocks {
        b.keep_with_next = true;
    }
    let (left, right) = (l.s.left, l.s.right);
    blocks.push(Block {
        height: 8.0 * l.s.k,
        keep_with_next: true,
        ops: vec![Op::Line {
            x1: left,
            y1: 3.0,
            x2: right,
            y2: 3.0,
            width: 1.5,
        }],
    });
    blocks
}

fn cover(l: &mut Layout<'_>, packet: &Packet) -> Vec<Block> {
    let w = packet.words;
    let s_body = l.s.body;
    let k = l.s.k;
    let mut out = Vec::new();
    out.extend(l.paragraph(&[(Weight::Bold, w.packet_title)], l.s.title, 0.0, true));
    out.extend(l.paragraph(&[(Weight::Bold, &packet.name)], l.s.grade, 0.0, true));
    if let Some(grades) = &packet.grades {
        out.extend(l.paragraph(&[(Weight::Bold, grades)], l.s.body * 1.3, 0.0, true));
    }
    out.extend(l.paragraph(
        &[(Weight::Regular, &packet.dates)],
        l.s.body * 1.3,
        0.0,
        false,
    ));
    out.push(spacer(14.0 * k));
    if packet.fill_ins() {
        out.push(fill_in_line(l, &format!("{}:", w.student_name)));
        out.push(fill_in_line(l, &format!("{}:", w.teacher_name)));
        out.push(spacer(10.0 * k));
    }

    if packet.is_empty() {
        out.push(spacer(20.0 * k));
        out.extend(l.paragraph(
            &[(Weight::Bold, packet.nothing_this_week())],
            l.s.heading,
            0.0,
            true,
        ));
        out.push(spacer(6.0 * k));
        out.extend(l.paragraph(
            &[(Weight::Regular, w.nothing_this_week_hint)],
            s_body,
            0.0,
            false,
        ));
        out.push(spacer(24.0 * k));
    } else {
        out.extend(heading(l, w.how_to_watch, l.s.heading * 0.85));
        out.extend(l.paragraph(&[(Weight::Regular, w.channels_intro)], s_body, 0.0, true));
        out.push(spacer(3.0 * k));
        for c in &packet.channels {
            let name = c.name.as_deref().map(|n| format!(" – {n}"));
            out.extend(l.paragraph(
                &[
                    (Weight::Regular, "•  "),
                    (Weight::Bold, &c.channel),
                    (Weight::Regular, name.as_deref().unwrap_or("")),
                ],
                s_body,
                12.0 * k,
                false,
            ));
        }
        out.push(spacer(5.0 * k));
        let mut tips = vec![w.antenna_tip];
        if packet.any_captions {
            tips.push(w.captions_tip);
        }
        if packet.any_spanish_audio {
            tips.push(w.spanish_audio_tip);
        }
        tips.push(packet.how_to_use());
        for tip in tips {
            out.extend(l.paragraph(&[(Weight::Regular, tip)], s_body, 0.0, false));
            out.push(spacer(5.0 * k));
        }
        out.push(spacer(8.0 * k));
    }
    // The codes stay on the cover; what the cover says besides follows them.
    out.push(qr_block(l, &[&packet.feed, &packet.week_page]));
    for note in &packet.notes {
        out.push(spacer(8.0 * k));
        out.extend(heading(l, &note.heading, l.s.heading * 0.85));
        for line in &note.lines {
            out.extend(l.paragraph(&[(Weight::Regular, line)], s_body, 0.0, false));
            out.push(spacer(5.0 * k));
        }
    }
    out
}

/// "Student's name: ______________" across the page.
fn fill_in_line(l: &mut Layout<'_>, label: &str) -> Block {
    let size = l.s.body * 1.1;
    let lw = l.measure(Weight::Bold, label, size);
    let h = l.s.ruled * 1.1;
    Block {
        height: h,
        keep_with_next: true,
        ops: vec![
            Op::Text {
                x: l.s.left,
                y: h - 6.0,
                weight: Weight::Bold,
                size,
                text: label.to_string(),
            },
            Op::Line {
                x1: l.s.left + lw + 6.0,
                y1: h - 4.0,
                x2: l.s.right,
                y2: h - 4.0,
                width: 0.75,
            },
        ],
    }
}

/// QR codes side by side, each with its caption and address under it.
fn qr_block(l: &mut Layout<'_>, links: &[&QrLink]) -> Block {
    let gap = 24.0;
    let n = links.len().max(1) as f32;
    let cell = (l.s.width() - gap * (n - 1.0)) / n;
    let side = 100.0f32.min(cell);
    let caption = l.s.body;
    let url = l.s.small * 0.95;
    let mut ops = Vec::new();
    let mut height = 0.0f32;
    for (i, link) in links.iter().enumerate() {
        let x0 = l.s.left + i as f32 * (cell + gap);
        let mut y = 0.0;
        if let Some(qr) = &link.qr {
            // The quiet zone is part of the square, left white.
            let total = (qr.width + 2 * QR_QUIET_ZONE) as f32;
            let m = side / total;
            let q = QR_QUIET_ZONE as f32;
            let rects = qr
                .runs()
                .into_iter()
                .map(|(x, y, len)| {
                    (
                        x0 + (x as f32 + q) * m,
                        (y as f32 + q) * m,
                        len as f32 * m,
                        m,
                    )
                })
                .collect();
            ops.push(Op::Fill(rects));
            y += side;
        }
        for (size, weight, text) in [
            (caption, Weight::Bold, link.caption),
            (url, Weight::Regular, link.url.as_str()),
        ] {
            let lh = l.s.line_height(size);
            for runs in l.wrap(&[(weight, text)], size, cell) {
                for r in runs {
                    ops.push(Op::Text {
                        x: x0 + r.x,
                        y: y + size * 1.05,
                        weight: r.weight,
                        size,
                        text: r.text,
                    });
                }
                y += lh;
            }
            y += 3.0;
        }
        height = height.max(y);
    }
    Block {
        height,
        keep_with_next: false,
        ops,
    }
}

/// Column positions of the airing rows, measured from the packet's own times and channels.
struct Columns {
    time_x: f32,
    channel_x: f32,
    lesson_x: f32,
    lesson_w: f32,
    marks_x: f32,
}

fn columns(l: &mut Layout<'_>, packet: &Packet) -> Columns {
    let size = l.s.body;
    let mut time_w = l.measure(Weight::Bold, packet.words.col_time, l.s.small);
    let mut channel_w = l.measure(Weight::Bold, packet.words.col_channel, l.s.small);
    for section in &packet.sections {
        for g in &section.groups {
            for item in &g.items {
                time_w = time_w.max(l.measure(Weight::Bold, &item.time, size));
                channel_w = channel_w.max(l.measure(Weight::Regular, &item.channel, size));
            }
        }
    }
    let marks_w = mark_width(l, packet.words.captions_mark)
        + 4.0
        + mark_width(l, packet.words.spanish_audio_mark);
    let pad = 10.0 * l.s.k;
    let time_x = l.s.left;
    let channel_x = time_x + time_w + pad;
    let lesson_x = channel_x + channel_w + pad;
    let marks_x = l.s.right - marks_w;
    Columns {
        time_x,
        channel_x,
        lesson_x,
        lesson_w: (marks_x - pad - lesson_x).max(60.0),
        marks_x,
    }
}

/// Width of a boxed marker such as "CC".
fn mark_width(l: &mut Layout<'_>, text: &str) -> f32 {
    l.measure(Weight::Bold, text, l.s.small) + 6.0
}

/// A weekday's (or the weekend's) blocks, and the heading repeated on its continuation pages.
fn day_section(l: &mut Layout<'_>, packet: &Packet, section: &Section) -> (Vec<Block>, Vec<Block>) {
    let w = packet.words;
    let cols = columns(l, packet);
    let mut out = heading(l, &section.heading, l.s.heading);
    let mut continued = heading(
        l,
        &format!("{} {}", section.heading, w.continued),
        l.s.heading,
    );
    let header = column_header(l, packet, &cols);
    if section.groups.is_empty() {
        out.push(spacer(6.0 * l.s.k));
        out.extend(l.paragraph(
            &[(Weight::Regular, packet.nothing_today())],
            l.s.body * 1.2,
            0.0,
            false,
        ));
        return (out, continued);
    }
    continued.push(header.clone());
    out.push(header);
    for g in &section.groups {
        if let Some(h) = &g.heading {
            out.push(Block {
                height: 6.0 * l.s.k,
                keep_with_next: true,
                ops: Vec::new(),
            });
            let mut blocks = l.paragraph(&[(Weight::Bold, h)], l.s.body * 1.25, 0.0, true);
            for b in &mut blocks {
                b.keep_with_next = true;
            }
            out.extend(blocks);
        }
        for item in &g.items {
            out.push(airing_row(l, packet, &cols, item));
            for work in &item.work {
                out.extend(work_blocks(l, packet, work));
            }
        }
    }
    (out, continued)
}

fn column_header(l: &mut Layout<'_>, packet: &Packet, cols: &Columns) -> Block {
    let w = packet.words;
    let size = l.s.small;
    let h = l.s.line_height(size) + 4.0;
    Block {
        height: h,
        keep_with_next: true,
        ops: vec![
            Op::Text {
                x: cols.time_x,
                y: size * 1.05,
                weight: Weight::Bold,
                size,
                text: w.col_time.to_string(),
            },
            Op::Text {
                x: cols.channel_x,
                y: size * 1.05,
                weight: Weight::Bold,
                size,
                text: w.col_channel.to_string(),
            },
            Op::Text {
                x: cols.lesson_x,
                y: size * 1.05,
                weight: Weight::Bold,
                size,
                text: w.col_lesson.to_string(),
            },
        ],
    }
}

/// One airing: time, channel, "Title: Episode", and CC / SAP marks, with a rule above it.
fn airing_row(l: &mut Layout<'_>, packet: &Packet, cols: &Columns, item: &Item) -> Block {
    let size = l.s.body;
    let lh = l.s.line_height(size);
    let pad = 4.0 * l.s.k;
    let episode = item.episode.as_ref().map(|e| format!(": {}", e.text));
    let lines = l.wrap(
        &[
            (Weight::Bold, &item.title.text),
            (Weight::Regular, episode.as_deref().unwrap_or("")),
        ],
        size,
        cols.lesson_w,
    );
    let base = pad + size * 1.05;
    let mut ops = vec![
        Op::Line {
            x1: l.s.left,
            y1: 0.0,
            x2: l.s.right,
            y2: 0.0,
            width: if item.work.is_empty() { 0.4 } else { 1.2 },
        },
        Op::Text {
            x: cols.time_x,
            y: base,
            weight: Weight::Bold,
            size,
            text: item.time.clone(),
        },
        Op::Text {
            x: cols.channel_x,
            y: base,
            weight: Weight::Regular,
            size,
            text: item.channel.clone(),
        },
    ];
    let n = lines.len().max(1);
    for (i, runs) in lines.into_iter().enumerate() {
        for r in runs {
            ops.push(Op::Text {
                x: cols.lesson_x + r.x,
                y: base + i as f32 * lh,
                weight: r.weight,
                size,
                text: r.text,
            });
        }
    }
    let mut x = cols.marks_x;
    let small = l.s.small;
    for (on, mark) in [
        (item.captions, packet.words.captions_mark),
        (item.spanish_audio, packet.words.spanish_audio_mark),
    ] {
        let mw = mark_width(l, mark);
        if on {
            ops.push(Op::Frame {
                x,
                y: base - small - 1.5,
                w: mw,
                h: small + 4.5,
                width: 0.75,
            });
            ops.push(Op::Text {
                x: x + 3.0,
                y: base,
                weight: Weight::Bold,
                size: small,
                text: mark.to_string(),
            });
        }
        x += mw + 4.0;
    }
    Block {
        height: pad * 2.0 + n as f32 * lh,
        keep_with_next: !item.work.is_empty(),
        ops,
    }
}

/// Work under an airing: a box to tick, title and minutes, instructions, materials, due date,
/// then ruled lines for the answers.
fn work_blocks(l: &mut Layout<'_>, packet: &Packet, work: &Work) -> Vec<Block> {
    let w = packet.words;
    let k = l.s.k;
    let size = l.s.body;
    let indent = 18.0 * k;
    let mut out = vec![spacer(2.0 * k)];
    out[0].keep_with_next = true;

    let head = match &work.who {
        Some(who) => format!("{who} – {}: ", w.work_to_do),
        None => format!("{}: ", w.work_to_do),
    };
    let minutes = work.minutes.map(|m| format!(" ({m} {})", w.minutes));
    let mut title = l.paragraph(
        &[
            (Weight::Bold, &head),
            (Weight::Bold, &work.title.text),
            (Weight::Regular, minutes.as_deref().unwrap_or("")),
        ],
        size,
        indent,
        true,
    );
    if let Some(first) = title.first_mut() {
        // A box to tick when the work is done.
        let b = size * 0.85;
        first.ops.push(Op::Frame {
            x: l.s.left + 2.0,
            y: size * 1.05 - b + 1.0,
            w: b,
            h: b,
            width: 1.0,
        });
    }
    for b in &mut title {
        b.keep_with_next = true;
    }
    out.extend(title);
    out.extend(l.paragraph(
        &[(Weight::Regular, &work.instructions.text)],
        size,
        indent,
        true,
    ));
    if !work.watch_one_of.is_empty() {
        let label = format!("{}: ", w.watch_one_of);
        let list = work.watch_one_of.join(", ");
        out.extend(l.paragraph(
            &[(Weight::Bold, &label), (Weight::Regular, &list)],
            size,
            indent,
            false,
        ));
    }
    if !work.also.is_empty() {
        let label = format!("{}: ", packet.options.lang.plan().also_airs);
        let list = work.also.join(", ");
        out.extend(l.paragraph(
            &[(Weight::Bold, &label), (Weight::Regular, &list)],
            size,
            indent,
            false,
        ));
    }
    for note in &work.notes {
        out.extend(l.paragraph(&[(Weight::Bold, note)], size, indent, false));
    }
    if let Some(m) = &work.materials {
        let label = format!("{}: ", w.materials);
        out.extend(l.paragraph(
            &[(Weight::Bold, &label), (Weight::Regular, &m.text)],
            size,
            indent,
            false,
        ));
    }
    if let Some(d) = &work.due {
        let label = format!("{}: ", w.due);
        out.extend(l.paragraph(
            &[(Weight::Bold, &label), (Weight::Regular, d)],
            size,
            indent,
            false,
        ));
    }
    out.push(spacer(3.0 * k));
    let mut label = l.paragraph(&[(Weight::Regular, w.answers)], l.s.small, indent, true);
    for b in &mut label {
        b.keep_with_next = true;
    }
    out.extend(label);
    let (x1, x2) = (l.s.left + indent, l.s.right);
    for i in 0..work.answer_lines {
        let h = l.s.ruled;
        out.push(Block {
            height: h,
            // The label and its first two lines stay together.
            keep_with_next: i == 0,
            ops: vec![Op::Line {
                x1,
                y1: h - 2.0,
                x2,
                y2: h - 2.0,
                width: 0.6,
            }],
        });
    }
    out.push(spacer(8.0 * k));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::WorkIndex;
    use crate::i18n::Lang;
    use crate::packets::tests::{airing, assignment, options};
    use crate::packets::{build, PaperSize};

    fn layout() -> Layout<'static> {
        let packet = build(
            &options(Lang::En),
            &[],
            &WorkIndex::empty(),
            chrono_tz::America::Los_Angeles,
            "http://x.test",
        );
        Layout {
            fonts: FONTS.as_ref().unwrap(),
            widths: HashMap::new(),
            s: Style::new(&packet),
        }
    }

    #[test]
    fn the_fonts_load_and_cover_spanish() {
        let fonts = FONTS.as_ref().expect("fonts");
        let (glyphs, _) = fonts.regular.shape("Miércoles ñ ¿Ü?");
        assert!(glyphs.iter().all(|g| g.glyph_id.to_u32() != 0));
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width_and_honours_line_breaks() {
        let mut l = layout();
        let text = "Watch the lesson, then draw three pizzas cut in quarters and label each \
                    piece.\n\nThen write one sentence.";
        let lines = l.wrap(&[(Weight::Regular, text)], 11.0, 200.0);
        assert!(lines.len() >= 4, "{lines:?}");
        for line in &lines {
            let text: String = line.iter().map(|r| r.text.as_str()).collect();
            assert!(l.measure(Weight::Regular, &text, 11.0) <= 200.5, "{text}");
        }
        assert!(lines.iter().any(|l| l.is_empty()), "blank line kept");
        // Glued spans do not split: "Cyberchase" and ": Episode" stay on a line together.
        let lines = l.wrap(
            &[
                (Weight::Bold, "Cyberchase"),
                (Weight::Regular, ": The Case"),
            ],
            11.0,
            500.0,
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].len(), 2);
        // A word longer than the line is cut rather than overflowing.
        let long = "x".repeat(400);
        let lines = l.wrap(&[(Weight::Regular, &long)], 11.0, 100.0);
        assert!(lines.len() > 3);
    }

    #[test]
    fn a_packet_renders_to_a_pdf_with_the_right_page_size() {
        let list = vec![airing(1, "2020-04-13T16:00:00Z")];
        let all = vec![assignment()];
        let work = WorkIndex::new(&all, |_| true);
        let mut o = options(Lang::Es);
        o.size = PaperSize::A4;
        o.large = true;
        let p = build(
            &o,
            &list,
            &work,
            chrono_tz::America::Los_Angeles,
            "http://x.test",
        );
        let pdf = render(&p).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // The same packet gives the same bytes, so its ETag is stable.
        assert_eq!(render(&p).unwrap(), pdf);
    }
}
