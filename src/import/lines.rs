//! Line numbers as an editor shows them, whatever the line endings: `\n`, `\r\n` and a lone `\r`
//! each end one line, counted as bytes stream past (a `\r\n` split between two reads is still
//! one line end).

use std::io::{self, BufRead, Read};

/// Counts line ends in bytes handed to it in order.
#[derive(Debug, Default, Clone)]
pub struct LineEnds {
    /// The last byte seen was `\r`: a `\n` next belongs to it.
    after_cr: bool,
    /// The input is known to hold no `\r`: `\n`s alone are counted (the common case, at the
    /// cost of a plain count).
    lf_only: bool,
}

impl LineEnds {
    /// Line ends that end in `bytes` (a `\r` at the very end counts now; a `\n` that follows it
    /// in the next call does not count again).
    pub fn count(&mut self, bytes: &[u8]) -> u64 {
        let Some(&last) = bytes.last() else {
            return 0;
        };
        let mut n = count_byte(bytes, b'\n');
        if !self.lf_only {
            // A `\r` ends a line unless a `\n` follows it (then the `\n` has counted it).
            n += memchr::memchr_iter(b'\r', bytes)
                .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
                .count() as u64;
        }
        if self.after_cr && bytes[0] == b'\n' {
            n -= 1;
        }
        self.after_cr = last == b'\r';
        n
    }
}

/// How many times `byte` occurs in `bytes`. Most spans asked about are the dozen or so bytes
/// between two XML events, where a plain loop costs a fifth of memchr's vectorised count (whose
/// set-up was 110 instructions a call); longer ones go to memchr.
fn count_byte(bytes: &[u8], byte: u8) -> u64 {
    if bytes.len() < 64 {
        bytes.iter().filter(|&&b| b == byte).count() as u64
    } else {
        memchr::memchr_iter(byte, bytes).count() as u64
    }
}

/// Line ends in `bytes` on their own (no state before them).
pub fn count(bytes: &[u8]) -> u64 {
    LineEnds::default().count(bytes)
}

/// A buffered reader that knows the line of the next byte it will hand out.
///
/// It owns its buffer, so handing out and consuming bytes are plain index moves; line ends are
/// counted only when [`Counted::line`] is asked, over the bytes consumed since it last was.
pub struct Counted<R> {
    inner: R,
    buf: Box<[u8]>,
    /// The next byte to hand out, and the end of what was read, in `buf`.
    pos: usize,
    filled: usize,
    /// The bytes of `buf` before this have had their line ends counted.
    counted: usize,
    /// Bytes consumed before `buf` was last filled.
    base: u64,
    ends: LineEnds,
    /// Whether a buffer was read yet (the first tells whether the file has `\r` line ends).
    started: bool,
    /// In a file of `\n` line ends only: where they are in `buf`, found in one vectorised pass
    /// as it is filled, and the first of them at or after `counted`. Counting up to a byte is
    /// then stepping past the line ends before it (counting the bytes themselves, a dozen at a
    /// time between two XML events, was 5 % of an import).
    newlines: Vec<u32>,
    next_newline: usize,
    /// Line of `buf[counted]`, from 1.
    line: u64,
}

const BUFFER: usize = 256 * 1024;

impl<R: Read> Counted<R> {
    pub fn new(inner: R) -> Self {
        Self::with_capacity(BUFFER, inner)
    }

    fn with_capacity(capacity: usize, inner: R) -> Self {
        Counted {
            inner,
            buf: vec![0; capacity.max(1)].into_boxed_slice(),
            pos: 0,
            filled: 0,
            counted: 0,
            base: 0,
            ends: LineEnds::default(),
            started: false,
            newlines: Vec::new(),
            next_newline: 0,
            line: 1,
        }
    }

    /// Line of the next unconsumed byte, from 1.
    pub fn line(&mut self) -> u64 {
        self.count_to(self.pos);
        self.line
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn count_to(&mut self, end: usize) {
        if end <= self.counted {
            return;
        }
        if self.ends.lf_only {
            // Queries move forward a few bytes at a time: step, do not search.
            let start = self.next_newline;
            while self
                .newlines
                .get(self.next_newline)
                .is_some_and(|&at| (at as usize) < end)
            {
                self.next_newline += 1;
            }
            self.line += (self.next_newline - start) as u64;
        } else {
            self.line += self.ends.count(&self.buf[self.counted..end]);
        }
        self.counted = end;
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.filled {
            // Everything handed out was consumed: count it before the buffer is reused.
            self.count_to(self.filled);
            self.base += self.filled as u64;
            self.pos = 0;
            self.filled = 0;
            self.counted = 0;
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.filled = n;
            if !self.started && n > 0 {
                self.started = true;
                self.ends.lf_only = memchr::memchr(b'\r', &self.buf[..n]).is_none();
            }
            self.newlines.clear();
            self.next_newline = 0;
            if self.ends.lf_only {
                // Positions fit: the buffer is far smaller than 4 GB.
                let found = memchr::memchr_iter(b'\n', &self.buf[..n]);
                self.newlines.extend(found.map(|at| at as u32));
            }
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_crlf_and_lone_cr_each_end_one_line() {
        assert_eq!(count(b"a\nb\nc"), 2);
        assert_eq!(count(b"a\r\nb\r\nc"), 2);
        assert_eq!(count(b"a\rb\rc"), 2);
        assert_eq!(count(b"a\r\n\r\nb"), 2);
        assert_eq!(count(b"\n\r"), 2);
    }

    #[test]
    fn counting_a_byte_counts_every_one() {
        for len in [0, 1, 63, 64, 65, 254, 255, 256, 1000] {
            let bytes: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'\n' } else { b'x' })
                .collect();
            let want = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(count_byte(&bytes, b'\n'), want, "{len} bytes");
        }
        assert_eq!(count_byte(&[b'\n'; 1000], b'\n'), 1000);
    }

    #[test]
    fn a_crlf_split_between_reads_is_one_line_end() {
        let mut e = LineEnds::default();
        assert_eq!(e.count(b"a\r"), 1);
        assert_eq!(e.count(b"\nb"), 0);
        assert_eq!(e.count(b"\n"), 1);
    }

    /// Reads `input` through a `Counted` of `capacity` bytes in steps of `step`, asking the
    /// line at each step, and checks it against counting the prefix on its own.
    fn lines_by_step(input: &[u8], capacity: usize, step: usize) {
        let mut r = Counted::with_capacity(capacity, input);
        let mut at = 0;
        loop {
            assert_eq!(r.line(), 1 + count(&input[..at]), "at {at}");
            assert_eq!(r.consumed(), at as u64);
            let n = r.fill_buf().map(|b| b.len().min(step)).unwrap_or(0);
            if n == 0 {
                break;
            }
            r.consume(n);
            at += n;
        }
        assert_eq!(at, input.len());
    }

    #[test]
    fn counted_knows_the_line_of_every_byte_across_buffer_refills() {
        let lf = b"<tv>\n<a>x</a>\n\n<b/>\n".repeat(20);
        let crlf = b"<tv>\r\n<a>x</a>\r\n\r\n<b/>\r\n".repeat(20);
        let cr = b"<tv>\r<a>x</a>\r\r<b/>\r".repeat(20);
        for input in [&lf[..], &crlf[..], &cr[..]] {
            for (capacity, step) in [(7, 3), (16, 16), (64, 5), (4096, 11)] {
                lines_by_step(input, capacity, step);
            }
        }
        // Whether `\r` ends lines is told by the first buffer: one byte long, it holds none.
        lines_by_step(&lf, 1, 1);
    }
}
