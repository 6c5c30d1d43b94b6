//! Element text: entities resolved, whitespace collapsed, and the languages a text comes in.

use super::super::{ImportError, ParseContext};
use super::programme::Lang;
use super::{count_newlines, INVALID_UTF8, MAX_ENTITY_WARNINGS};
use quick_xml::encoding::EncodingError;
use quick_xml::Decoder;
use std::borrow::Cow;
use std::collections::HashSet;

/// The texts of an element given in several languages.
#[derive(Default)]
pub(super) struct LangText {
    /// First English (or language-less) text.
    pub(super) english: Option<String>,
    pub(super) spanish: Option<String>,
    /// First text in any other language than English (Spanish included).
    pub(super) first_other: Option<String>,
}

impl LangText {
    pub(super) fn add(&mut self, lang: Lang, text: String) {
        if text.is_empty() {
            return;
        }
        if lang != Lang::English && self.first_other.is_none() {
            self.first_other = Some(text.clone());
        }
        let slot = match lang {
            Lang::English => &mut self.english,
            Lang::Spanish => &mut self.spanish,
            Lang::Other => return,
        };
        if slot.is_none() {
            *slot = Some(text);
        }
    }

    /// The main text (English, else the first of any language) and the Spanish one.
    pub(super) fn finish(self) -> (Option<String>, Option<String>) {
        (self.english.or(self.first_other), self.spanish)
    }
}

/// Decodes text in the file's encoding and resolves entity references.
pub(super) struct Texts {
    pub(super) decoder: Decoder,
    /// The file is UTF-8 (read without the decoder, whose UTF-8 errors give no position).
    pub(super) utf8: bool,
    pub(super) warned_entities: HashSet<String>,
}

impl Texts {
    /// Appends `raw` (escaped text unless `cdata`) to `out`.
    pub(super) fn append(
        &mut self,
        raw: &[u8],
        escaped: bool,
        out: &mut String,
        (line, element): (u64, &str),
        ctx: &mut ParseContext,
    ) -> Result<(), ImportError> {
        let invalid_utf8 = |e: std::str::Utf8Error| {
            ctx.invalid(
                line + count_newlines(&raw[..e.valid_up_to()]),
                element,
                INVALID_UTF8,
            )
        };
        let decoded = if self.utf8 {
            // The only check of this text: the parse loop leaves captured text to be checked
            // here.
            Cow::Borrowed(std::str::from_utf8(raw).map_err(invalid_utf8)?)
        } else {
            self.decoder.decode(raw).map_err(|err| match err {
                EncodingError::Utf8(e) => invalid_utf8(e),
                other => ctx.invalid(
                    line,
                    element,
                    format!("this text cannot be read in the file's encoding ({other})"),
                ),
            })?
        };
        if !escaped {
            out.push_str(&decoded);
            return Ok(());
        }
        let warned = &mut self.warned_entities;
        unescape_into(&decoded, out, |raw| {
            if warned.len() < MAX_ENTITY_WARNINGS && !warned.contains(raw) {
                warned.insert(raw.to_string());
                let message = if raw == "&" {
                    "a bare & (it should be written &amp;) kept as written".to_string()
                } else {
                    format!("unknown entity {raw} kept as written")
                };
                ctx.warn(line, element, message);
            }
        });
        Ok(())
    }
}

/// Appends `text` to `out` with the XML entities and character references resolved. Any other
/// `&…;` (such as `&nbsp;`, which only a DTD defines) is kept as written and passed to
/// `unknown`.
pub(super) fn unescape_into(text: &str, out: &mut String, mut unknown: impl FnMut(&str)) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let name = after.find(';').map(|end| &after[..end]).filter(|name| {
            !name.is_empty()
                && name.len() <= 32
                && !name.contains(|c: char| c.is_whitespace() || c == '&')
        });
        match name {
            Some(name) => {
                match resolve_reference(name) {
                    Some(c) => out.push(c),
                    None => {
                        let raw = &rest[amp..amp + name.len() + 2];
                        out.push_str(raw);
                        unknown(raw);
                    }
                }
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push('&');
                unknown("&");
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

pub(super) fn resolve_reference(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if number.bytes().all(|b| b.is_ascii_digit()) => number.parse().ok()?,
                _ => return None,
            };
            char::from_u32(code).filter(|&c| c != '\0')
        }
    }
}

/// Trims and turns every run of whitespace into one space.
pub(super) fn collapse_whitespace(text: &str) -> Cow<'_, str> {
    if is_collapsed(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// ASCII text with single spaces between words and none around them, as most guide text is:
/// nothing to collapse. (Anything else, other whitespace or any non-ASCII character, takes the
/// full look.) Each test is a pass the compiler vectorises: a byte-by-byte loop with a branch
/// per byte was 4 % of a re-import.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') || !bytes.is_ascii() {
        return false;
    }
    // `\t`, `\n`, vertical tab, form feed and `\r` are 9 to 13.
    let other_space = bytes
        .iter()
        .fold(false, |seen, &b| seen | (b.wrapping_sub(b'\t') < 5));
    !other_space && memchr::memmem::find(bytes, b"  ").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick path gives what splitting on every kind of whitespace gives.
    #[test]
    fn collapsing_keeps_single_spaced_text_and_collapses_every_other_whitespace() {
        let full = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        for t in [
            "Cyberchase",
            "The Poddleville Case",
            " lead",
            "trail ",
            "two  spaces",
            "tab\there",
            "line\nend",
            "cr\r\nlf",
            "vt\u{b}ff\u{c}",
            "no-break\u{a0}space",
            "ideographic\u{3000}space",
            "Niños y niñas",
            "",
            " ",
        ] {
            assert_eq!(collapse_whitespace(t), full(t), "{t:?}");
        }
    }
}
