//! The packet as one print-ready HTML page (`templates/packet.html`): the same content as the
//! PDF, a sheet per section with page breaks between them, print CSS for the paper size and
//! large print, QR codes as inline SVG, and page numbers from the printer's `@page` boxes.

use super::{Packet, PacketError};
use crate::i18n::packets::PacketStrings;
use askama::Template;

#[derive(Template)]
#[template(path = "packet.html")]
struct PacketPage<'a> {
    p: &'a Packet,
    w: &'static PacketStrings,
    lang: &'static str,
    page_size: &'static str,
    css_top_left: String,
    css_week: String,
    css_page: String,
    css_of: String,
    feed_svg: Option<String>,
    week_svg: Option<String>,
    also_airs: &'static str,
}

/// A CSS string literal, for `content:` in the `@page` boxes.
fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' | '>' | '\n' | '\r' => out.push_str(&format!("\\{:x} ", c as u32)),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders `packet` as an HTML page.
pub fn render(packet: &Packet) -> Result<String, PacketError> {
    let w = packet.words;
    let page = PacketPage {
        p: packet,
        w,
        lang: packet.options.lang.code(),
        page_size: packet.options.size.css(),
        css_top_left: css_string(&format!("{} · {}", packet.name, w.packet_title)),
        css_week: css_string(&packet.week_label),
        css_page: css_string(&format!("{} ", w.page)),
        css_of: css_string(&format!(" {} ", w.of)),
        feed_svg: packet
            .feed
            .qr
            .as_ref()
            .map(|q| q.svg(135, packet.feed.caption)),
        week_svg: packet
            .week_page
            .qr
            .as_ref()
            .map(|q| q.svg(135, packet.week_page.caption)),
        also_airs: packet.options.lang.plan().also_airs,
    };
    Ok(page.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::WorkIndex;
    use crate::i18n::Lang;
    use crate::packets::tests::{airing, assignment, options};
    use crate::packets::{build, PaperSize};

    #[test]
    fn the_html_packet_has_a_sheet_per_section_and_print_css() {
        let list = vec![airing(1, "2020-04-13T16:00:00Z")];
        let all = vec![assignment()];
        let work = WorkIndex::new(&all, |_| true);
        let mut o = options(Lang::Es);
        o.size = PaperSize::A4;
        let p = build(
            &o,
            &list,
            &work,
            chrono_tz::America::Los_Angeles,
            "http://x.test",
        );
        let html = render(&p).unwrap();
        assert!(html.contains("@page{size:A4;"), "{html}");
        assert_eq!(html.matches("<section class=\"sheet").count(), 6);
        assert!(html.contains("Miércoles 15 de abril"));
        assert!(html.contains("Dibuja tres pizzas cortadas en cuartos."));
        assert_eq!(html.matches("<div class=\"ln\"></div>").count(), 6);
        assert!(html.contains("<svg"));
        // English shown in a Spanish packet is marked as English.
        assert!(html.contains("<span lang=\"en\">The Poddleville Case</span>"));
    }

    #[test]
    fn css_strings_cannot_escape_their_quotes() {
        assert_eq!(css_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(css_string("</style>"), "\"\\3c /style\\3e \"");
    }
}
