//! The one path every text value takes into a feed (names, summaries, descriptions, locations,
//! categories): whatever a teacher typed or a station's listing said, it becomes text that
//! cannot end its line, start another property or split a list.
//!
//! [`clean`] keeps line breaks (as LF) and tabs and drops every other control character
//! (C0, DEL, C1). The icalendar crate then escapes the result (RFC 5545 §3.3.11) for the
//! properties it knows as TEXT; for those it writes as given (`NAME`, and each `CATEGORIES`
//! item, whose commas separate the list), [`escaped`] does the same escaping itself.

/// `s` with CRLF and lone CR as LF, and no control character but LF and TAB.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            // Unicode line and paragraph separators end lines in some readers.
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c => out.push(c),
        }
    }
    out
}

/// [`clean`], then escaped as an iCalendar TEXT value: `\` `;` `,` and line breaks.
pub fn escaped(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_of_every_kind_become_one_and_other_controls_go() {
        assert_eq!(clean("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(clean("x\u{0}\u{1b}[31m\u{7}\u{7f}\u{85}y\tz"), "x[31my\tz");
        assert_eq!(clean("one\u{2028}two"), "one\ntwo");
    }

    #[test]
    fn escaped_text_cannot_start_a_property_or_split_a_list() {
        let hostile = "Room 12\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:School closed";
        let e = escaped(hostile);
        assert!(!e.contains('\r') && !e.contains('\n'), "{e}");
        assert_eq!(
            e,
            "Room 12\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:School closed"
        );
        assert_eq!(escaped(r"a,b;c\d"), r"a\,b\;c\\d");
    }
}
