//! The file as records with true line numbers: quoting followed as the csv crate does, CRLF and
//! lone CR, blank lines skipped.

use super::super::{ImportError, ParseContext};
use super::columns::Columns;
use super::source_error;
use std::io::{self, Read};

/// The line `record` starts on, as an editor numbers it.
pub(super) fn line_of<R: Read>(
    reader: &mut ::csv::Reader<Lines<R>>,
    record: &::csv::StringRecord,
) -> u64 {
    let at = record.position().map_or(0, ::csv::Position::byte);
    reader.get_mut().line_of(at)
}

/// The bytes the CSV reader reads, with the empty lines outside quoted fields left out and each
/// line end outside quotes written `\n` (a lone `\r` stays), and where each line it is given
/// starts in the file.
///
/// The `csv` crate counts a line per record and skips empty lines without counting them, so its
/// line numbers drift with CRLF, lone CR, blank lines and quoted fields that span lines. Here
/// every record starts at a line this reader has numbered; the numbers are kept until asked
/// past (in order), so memory stays within the CSV reader's look-ahead.
pub(super) struct Lines<R> {
    pub(super) inner: R,
    pub(super) raw: Box<[u8]>,
    pub(super) pos: usize,
    pub(super) len: usize,
    /// An output byte that did not fit the caller's buffer.
    pub(super) carry: Option<u8>,
    pub(super) delimiter: u8,
    pub(super) quote: Quote,
    pub(super) at_line_start: bool,
    pub(super) cr: Cr,
    /// Line of the byte being read, from 1.
    pub(super) line: u64,
    /// Bytes handed on so far.
    pub(super) out: u64,
    /// (offset handed on, line) of each line start not yet asked past.
    pub(super) starts: std::collections::VecDeque<(u64, u64)>,
    pub(super) current: u64,
    /// Fields and bytes of the record being read, and the line it starts on: a record longer
    /// than [`MAX_FIELDS`] or [`MAX_RECORD`] stops the read before the csv crate holds it.
    pub(super) fields: u64,
    pub(super) record_bytes: u64,
    pub(super) record_line: u64,
}

/// The most fields a record may have, and the most bytes: a schedule row has a dozen or two
/// fields and a few kilobytes at most; a description runs to a few pages.
pub(super) const MAX_FIELDS: u64 = 1_000;
pub(super) const MAX_RECORD: u64 = 1 << 20;

/// Where the reader is in the CSV quoting, as the `csv` crate reads it: a field that starts with
/// `"` is quoted up to a `"` that is not doubled.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Quote {
    /// Outside quotes; at the start of a field or not.
    Out {
        field_start: bool,
    },
    In,
    /// Just after a `"` inside quotes: another `"` makes it an escaped one.
    Closed,
}

/// What became of the `\r` just read.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Cr {
    None,
    /// It ended an empty line, which is left out.
    Dropped,
    /// It ends a line outside quotes: written as `\n` if a `\n` follows, else as itself.
    Held,
    /// It is inside a quoted field, written as it is.
    Kept,
}

impl<R: Read> Lines<R> {
    pub(super) fn new(inner: R, delimiter: u8) -> Self {
        Lines {
            inner,
            raw: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            carry: None,
            delimiter,
            quote: Quote::Out { field_start: true },
            at_line_start: true,
            cr: Cr::None,
            line: 1,
            out: 0,
            starts: std::collections::VecDeque::new(),
            current: 1,
            fields: 0,
            record_bytes: 0,
            record_line: 1,
        }
    }

    /// The line of byte `offset` of what was handed on; offsets must be asked in order.
    pub(super) fn line_of(&mut self, offset: u64) -> u64 {
        while let Some(&(at, line)) = self.starts.front() {
            if at > offset {
                break;
            }
            self.current = line;
            self.starts.pop_front();
        }
        self.current
    }

    /// The bytes to hand on for input byte `b` (none, one or two).
    pub(super) fn step(&mut self, b: u8, out: &mut Vec<u8>) {
        match (b, self.cr) {
            (b'\n', Cr::Dropped) => {
                self.cr = Cr::None;
                return;
            }
            (b'\n', Cr::Held | Cr::Kept) => {
                self.cr = Cr::None;
                out.push(b'\n');
                return;
            }
            (_, Cr::Held) => out.push(b'\r'),
            _ => {}
        }
        self.cr = Cr::None;
        let is_end = b == b'\r' || b == b'\n';
        let in_quotes = self.quote == Quote::In;
        if is_end && self.at_line_start && !in_quotes {
            self.line += 1;
            if b == b'\r' {
                self.cr = Cr::Dropped;
            }
            return;
        }
        if self.at_line_start {
            // Records start outside quotes; a quoted field's own lines are not remembered, so
            // one huge field cannot fill memory with line numbers.
            if !in_quotes {
                self.starts
                    .push_back((self.out + out.len() as u64, self.line));
                self.fields = 0;
                self.record_bytes = 0;
                self.record_line = self.line;
            }
            self.at_line_start = false;
        }
        self.record_bytes += 1;
        if b == self.delimiter && !in_quotes {
            self.fields += 1;
        }
        self.quote = match (self.quote, b) {
            (Quote::Out { field_start: true }, b'"') | (Quote::Closed, b'"') => Quote::In,
            (Quote::In, b'"') => Quote::Closed,
            (Quote::In, _) => Quote::In,
            (_, b) if b == self.delimiter || is_end => Quote::Out { field_start: true },
            _ => Quote::Out { field_start: false },
        };
        if is_end {
            self.line += 1;
            self.at_line_start = true;
            if b == b'\r' {
                if in_quotes {
                    self.cr = Cr::Kept;
                    out.push(b);
                } else {
                    self.cr = Cr::Held;
                }
                return;
            }
        }
        out.push(b);
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        let mut produced = Vec::with_capacity(2);
        while n < buf.len() {
            if let Some(c) = self.carry.take() {
                buf[n] = c;
                n += 1;
                self.out += 1;
                continue;
            }
            if self.pos == self.len {
                if n > 0 {
                    break;
                }
                self.len = self.inner.read(&mut self.raw)?;
                self.pos = 0;
                if self.len == 0 {
                    if self.cr == Cr::Held {
                        self.cr = Cr::None;
                        buf[0] = b'\r';
                        self.out += 1;
                        return Ok(1);
                    }
                    return Ok(0);
                }
            }
            let b = self.raw[self.pos];
            self.pos += 1;
            produced.clear();
            self.step(b, &mut produced);
            if self.fields >= MAX_FIELDS || self.record_bytes > MAX_RECORD {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "the record on line {} is longer than a schedule's: more than {} \
                         fields or {} KB",
                        self.record_line,
                        MAX_FIELDS,
                        MAX_RECORD / 1024
                    ),
                ));
            }
            for &c in &produced {
                if n < buf.len() {
                    buf[n] = c;
                    n += 1;
                    self.out += 1;
                } else {
                    self.carry = Some(c);
                }
            }
        }
        Ok(n)
    }
}

pub(super) fn is_blank(record: &::csv::StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// Reads the next record; `false` at the end of the input.
pub(super) fn next_record<R: Read>(
    reader: &mut ::csv::Reader<R>,
    record: &mut ::csv::StringRecord,
    columns: &Columns,
    ctx: &ParseContext,
) -> Result<bool, ImportError> {
    reader.read_record(record).map_err(|e| {
        let line = e.position().map_or(0, ::csv::Position::line);
        match e.kind() {
            ::csv::ErrorKind::Io(io) => source_error(ctx, io),
            ::csv::ErrorKind::Utf8 { pos, err } => {
                let line = pos.as_ref().map_or(line, ::csv::Position::line);
                let field = columns.name(err.field());
                ctx.invalid(
                    line,
                    &field,
                    format!("{field} is not valid UTF-8 text: save the file as UTF-8"),
                )
            }
            _ => ctx.invalid(line, "csv", e.to_string()),
        }
    })
}
