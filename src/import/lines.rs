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
            n += bytes.iter().filter(|&&b| b == b'\r').count() as u64;
            n -= bytes.windows(2).filter(|w| w == b"\r\n").count() as u64;
        }
        if self.after_cr && bytes[0] == b'\n' {
            n -= 1;
        }
        self.after_cr = last == b'\r';
        n
    }
}

/// How many times `byte` occurs in `bytes`: counted 255 at a time into one byte each, which
/// compiles to vector compares and adds (a plain filter-and-count does not, and was 2 % of an
/// import).
fn count_byte(bytes: &[u8], byte: u8) -> u64 {
    let mut chunks = bytes.chunks_exact(255);
    let mut n: u64 = 0;
    for chunk in &mut chunks {
        n += u64::from(chunk.iter().map(|&b| u8::from(b == byte)).sum::<u8>());
    }
    n + chunks.remainder().iter().filter(|&&b| b == byte).count() as u64
}

/// Line ends in `bytes` on their own (no state before them).
pub fn count(bytes: &[u8]) -> u64 {
    LineEnds::default().count(bytes)
}

/// A `BufRead` that counts the lines and bytes consumed from it.
pub struct Counted<R> {
    inner: R,
    ends: LineEnds,
    /// Line of the next unconsumed byte, from 1.
    pub line: u64,
    pub consumed: u64,
}

impl<R: BufRead> Counted<R> {
    /// `inner`'s first buffer tells whether the file has `\r` line ends at all.
    pub fn new(mut inner: R) -> Self {
        let lf_only = inner
            .fill_buf()
            .is_ok_and(|head| memchr::memchr(b'\r', head).is_none());
        Counted {
            inner,
            ends: LineEnds {
                after_cr: false,
                lf_only,
            },
            line: 1,
            consumed: 0,
        }
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.inner.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        // The consumed bytes are the front of the inner buffer, which was just handed out and
        // is not empty, so `fill_buf` returns it again without reading.
        if let Ok(available) = self.inner.fill_buf() {
            self.line += self.ends.count(&available[..amt.min(available.len())]);
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
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
    fn counting_in_blocks_of_255_counts_every_byte() {
        for len in [0, 1, 254, 255, 256, 510, 511, 1000] {
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
}
