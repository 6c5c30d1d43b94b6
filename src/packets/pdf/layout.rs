//! The page machinery under a packet: the embedded fonts, text shaped and broken into lines, blocks
//! kept together, pages filled in order, and drawing on krilla's surface.

use super::super::Packet;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use std::collections::HashMap;
use std::sync::LazyLock;

pub(super) static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub(super) static BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// One typeface: krilla's handle for embedding, rustybuzz's for shaping and measuring.
pub(super) struct Face {
    pub(super) pdf: Font,
    pub(super) shaper: rustybuzz::Face<'static>,
    pub(super) units_per_em: f32,
}

impl Face {
    pub(super) fn load(data: &'static [u8]) -> Option<Face> {
        let shaper = rustybuzz::Face::from_slice(data, 0)?;
        Some(Face {
            pdf: Font::new(data.into(), 0)?,
            units_per_em: shaper.units_per_em() as f32,
            shaper,
        })
    }

    /// Glyphs for `text` on one line, with advances in em, and the width in em.
    pub(super) fn shape(&self, text: &str) -> (Vec<KrillaGlyph>, f32) {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let out = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = out.glyph_infos();
        let positions = out.glyph_positions();
        let em = self.units_per_em;
        let mut width = 0.0;
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // A cluster ends where the next cluster starts.
            let end = infos[i + 1..]
                .iter()
                .find(|n| n.cluster != info.cluster)
                .map_or(text.len(), |n| n.cluster as usize);
            width += pos.x_advance as f32 / em;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                start..end.max(start),
                None,
            ));
        }
        (glyphs, width)
    }
}

pub(super) struct Fonts {
    pub(super) regular: Face,
    pub(super) bold: Face,
}

pub(super) static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    Some(Fonts {
        regular: Face::load(REGULAR_TTF)?,
        bold: Face::load(BOLD_TTF)?,
    })
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// A drawing instruction, positioned relative to the top of its item (or of the page).
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// Text on one line; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        weight: Weight,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// An outlined box.
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        width: f32,
    },
    /// Filled rectangles (QR modules).
    Fill(Vec<(f32, f32, f32, f32)>),
}

impl Op {
    pub(super) fn moved(self, dy: f32) -> Op {
        match self {
            Op::Text {
                x,
                y,
                weight,
                size,
                text,
            } => Op::Text {
                x,
                y: y + dy,
                weight,
                size,
                text,
            },
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
            } => Op::Line {
                x1,
                y1: y1 + dy,
                x2,
                y2: y2 + dy,
                width,
            },
            Op::Frame { x, y, w, h, width } => Op::Frame {
                x,
                y: y + dy,
                w,
                h,
                width,
            },
            Op::Fill(rects) => Op::Fill(
                rects
                    .into_iter()
                    .map(|(x, y, w, h)| (x, y + dy, w, h))
                    .collect(),
            ),
        }
    }
}

/// A piece of content the paginator places whole.
#[derive(Debug, Clone, Default)]
pub(super) struct Block {
    pub(super) height: f32,
    /// Keep on the same page as the next block.
    pub(super) keep_with_next: bool,
    pub(super) ops: Vec<Op>,
}

/// A run of text in one weight on a wrapped line, `x` from the line's start.
#[derive(Debug, Clone)]
pub(super) struct Run {
    pub(super) x: f32,
    pub(super) weight: Weight,
    pub(super) text: String,
}

/// Sizes and page geometry, scaled for large print.
pub(super) struct Style {
    pub(super) page_w: f32,
    pub(super) page_h: f32,
    pub(super) left: f32,
    pub(super) right: f32,
    /// Where content starts and must end.
    pub(super) top: f32,
    pub(super) bottom: f32,
    pub(super) body: f32,
    pub(super) small: f32,
    pub(super) heading: f32,
    pub(super) title: f32,
    pub(super) grade: f32,
    /// Distance between ruled answer lines.
    pub(super) ruled: f32,
    pub(super) k: f32,
}

impl Style {
    pub(super) fn new(packet: &Packet) -> Style {
        Style::sized(packet.options.size, packet.options.large)
    }

    /// The style of a page of `size`, in large print when `large`.
    pub(super) fn sized(size: crate::packets::PaperSize, large: bool) -> Style {
        let (page_w, page_h) = size.points();
        let k = if large { 1.4 } else { 1.0 };
        Style {
            page_w,
            page_h,
            left: 50.0,
            right: page_w - 50.0,
            top: 62.0 + 4.0 * k,
            bottom: page_h - 50.0 - 4.0 * k,
            body: 11.0 * k,
            small: 9.0 * k,
            heading: 17.0 * k,
            title: 22.0 * k,
            grade: 34.0 * k,
            ruled: 24.0 * k,
            k,
        }
    }

    pub(super) fn width(&self) -> f32 {
        self.right - self.left
    }

    pub(super) fn line_height(&self, size: f32) -> f32 {
        size * 1.35
    }
}

/// Lays text out: measuring (with a cache, as the same words recur) and wrapping.
pub(super) struct Layout<'f> {
    pub(super) fonts: &'f Fonts,
    pub(super) widths: HashMap<(Weight, String), f32>,
    pub(super) s: Style,
}

impl<'f> Layout<'f> {
    pub(super) fn face(&self, w: Weight) -> &'f Face {
        match w {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        }
    }

    /// Width of `text` at `size`, in points.
    pub(super) fn measure(&mut self, weight: Weight, text: &str, size: f32) -> f32 {
        if let Some(em) = self.widths.get(&(weight, text.to_string())) {
            return em * size;
        }
        let em = self.face(weight).shape(text).1;
        self.widths.insert((weight, text.to_string()), em);
        em * size
    }

    /// Wraps styled spans into lines no wider than `width`. Words break at whitespace; `\n`
    /// starts a new line; a word longer than a line is cut where it must be.
    pub(super) fn wrap(
        &mut self,
        spans: &[(Weight, &str)],
        size: f32,
        width: f32,
    ) -> Vec<Vec<Run>> {
        // Words glued to the one before them (no whitespace between) travel together.
        struct Word {
            pieces: Vec<(Weight, String)>,
            space_before: bool,
            hard_break_before: bool,
        }
        let mut words: Vec<Word> = Vec::new();
        let mut gap = false;
        let mut hard = false;
        let mut glue = false;
        for (weight, text) in spans {
            let mut current = String::new();
            let flush = |current: &mut String,
                         words: &mut Vec<Word>,
                         gap: &mut bool,
                         hard: &mut bool,
                         glue: &mut bool| {
                if current.is_empty() {
                    return;
                }
                let piece = (*weight, std::mem::take(current));
                match words.last_mut() {
                    Some(last) if *glue && !*gap && !*hard => last.pieces.push(piece),
                    _ => words.push(Word {
                        pieces: vec![piece],
                        space_before: *gap,
                        hard_break_before: *hard,
                    }),
                }
                *gap = false;
                *hard = false;
                *glue = true;
            };
            for c in text.chars() {
                if c == '\n' {
                    flush(&mut current, &mut words, &mut gap, &mut hard, &mut glue);
                    if hard {
                        // A blank line: keep it as an empty word on its own line.
                        words.push(Word {
                            pieces: Vec::new(),
                            space_before: false,
                            hard_break_before: true,
                        });
                    }
                    hard = true;
                    gap = false;
                    glue = false;
                } else if c.is_whitespace() {
                    flush(&mut current, &mut words, &mut gap, &mut hard, &mut glue);
                    gap = true;
                    glue = false;
                } else {
                    current.push(c);
                }
            }
            flush(&mut current, &mut words, &mut gap, &mut hard, &mut glue);
        }

        // A space is drawn in the weight of the run it joins, and bold spaces are wider.
        let space_regular = self.measure(Weight::Regular, " ", size);
        let space_bold = self.measure(Weight::Bold, " ", size);
        let mut lines: Vec<Vec<Run>> = vec![Vec::new()];
        let mut x = 0.0f32;
        for word in words {
            if word.hard_break_before && !(lines.len() == 1 && lines[0].is_empty() && x == 0.0) {
                lines.push(Vec::new());
                x = 0.0;
            }
            let w: f32 = word
                .pieces
                .iter()
                .map(|(wt, t)| self.measure(*wt, t, size))
                .sum();
            let mut sp = if word.space_before && x > 0.0 {
                match word.pieces.first() {
                    Some((Weight::Bold, _)) => space_bold,
                    _ => space_regular,
                }
            } else {
                0.0
            };
            if x > 0.0 && x + sp + w > width {
                lines.push(Vec::new());
                x = 0.0;
                sp = 0.0;
            }
            if w > width {
                // Too long for any line (an address, a run of dashes): cut it by characters.
                for (wt, t) in word.pieces {
                    for c in t.chars() {
                        let cw = self.measure(wt, c.encode_utf8(&mut [0; 4]), size);
                        if x > 0.0 && x + cw > width {
                            lines.push(Vec::new());
                            x = 0.0;
                        }
                        push_run(lines.last_mut(), x, 0.0, wt, &c.to_string());
                        x += cw;
                    }
                }
                continue;
            }
            let mut first = true;
            for (wt, t) in word.pieces {
                let pw = self.measure(wt, &t, size);
                push_run(lines.last_mut(), x, if first { sp } else { 0.0 }, wt, &t);
                x += if first { sp } else { 0.0 } + pw;
                first = false;
            }
        }
        lines
    }

    /// A paragraph as one block per line, each kept with the next when `keep` is set.
    pub(super) fn paragraph(
        &mut self,
        spans: &[(Weight, &str)],
        size: f32,
        indent: f32,
        keep_first: bool,
    ) -> Vec<Block> {
        let width = self.s.width() - indent;
        let lh = self.s.line_height(size);
        let lines = self.wrap(spans, size, width);
        let n = lines.len();
        lines
            .into_iter()
            .enumerate()
            .map(|(i, runs)| Block {
                height: lh,
                // Never leave a single line of a paragraph alone at the foot or the head of a
                // page.
                keep_with_next: (i == 0 && keep_first) || (n > 1 && (i == 0 || i + 2 == n)),
                ops: runs
                    .into_iter()
                    .map(|r| Op::Text {
                        x: self.s.left + indent + r.x,
                        y: size * 1.05,
                        weight: r.weight,
                        size,
                        text: r.text,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Adds `text` to the line at `x` (after a space of width `space`, if any), joining it to the
/// previous run when that has the same weight.
pub(super) fn push_run(
    line: Option<&mut Vec<Run>>,
    x: f32,
    space: f32,
    weight: Weight,
    text: &str,
) {
    let Some(line) = line else { return };
    match line.last_mut() {
        Some(last) if last.weight == weight => {
            if space > 0.0 {
                last.text.push(' ');
            }
            last.text.push_str(text);
        }
        _ => line.push(Run {
            x: x + space,
            weight,
            text: text.to_string(),
        }),
    }
}

pub(super) fn spacer(h: f32) -> Block {
    Block {
        height: h,
        keep_with_next: false,
        ops: Vec::new(),
    }
}

/// One printed page's content, before the page count is known.
#[derive(Default)]
pub(super) struct PageOps {
    pub(super) ops: Vec<Op>,
}

/// Places blocks page after page. Each section starts on a new page; a section that runs over
/// repeats its heading, marked "(continued)", on the next.
pub(super) struct Paginator {
    pub(super) pages: Vec<PageOps>,
    pub(super) y: f32,
    pub(super) top: f32,
    pub(super) bottom: f32,
}

impl Paginator {
    pub(super) fn new_page(&mut self) {
        self.pages.push(PageOps::default());
        self.y = self.top;
    }

    pub(super) fn place_section(&mut self, blocks: Vec<Block>, continued: &[Block]) {
        self.new_page();
        let mut i = 0;
        while i < blocks.len() {
            // The height of this block and those it must stay with, capped at a page.
            let mut chain = 0.0;
            for b in &blocks[i..] {
                chain += b.height;
                if !b.keep_with_next {
                    break;
                }
            }
            let chain = chain.min(self.bottom - self.top);
            let fresh = (self.y - self.top).abs() < f32::EPSILON;
            if self.y + chain > self.bottom + 0.01 && !fresh {
                self.new_page();
                for c in continued {
                    self.put(c);
                }
            }
            self.put(&blocks[i]);
            i += 1;
        }
    }

    pub(super) fn put(&mut self, b: &Block) {
        let y = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.ops.extend(b.ops.iter().cloned().map(|o| o.moved(y)));
        }
        self.y += b.height;
    }
}

pub(super) fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            weight,
            size,
            text,
        } => {
            if text.is_empty() {
                return;
            }
            let face = match weight {
                Weight::Regular => &fonts.regular,
                Weight::Bold => &fonts.bold,
            };
            let (glyphs, _) = face.shape(text);
            surface.set_stroke(None);
            surface.set_fill(Some(Fill::default()));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &glyphs,
                face.pdf.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Frame { x, y, w, h, width } => {
            let mut pb = PathBuilder::new();
            if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(r);
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Fill(rects) => {
            let mut pb = PathBuilder::new();
            for (x, y, w, h) in rects {
                if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                    pb.push_rect(r);
                }
            }
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
                surface.draw_path(&path);
            }
        }
    }
}
