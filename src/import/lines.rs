//! Reading a schedule file in blocks: line numbers as an editor shows them, whatever the line
//! endings (`\n`, `\r\n` and a lone `\r` each end one line, and a `\r\n` split between two
//! blocks is still one), how far the bytes are known to be UTF-8, and a thread that reads the
//! blocks (and decompresses them) ahead of the parse.

use std::io::{self, BufRead, Read};
use std::sync::mpsc;

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

/// A piece of the input, and where its line ends are.
#[derive(Debug, Default)]
pub struct Block {
    bytes: Box<[u8]>,
    len: usize,
    /// Offsets in `bytes[..len]` of the line ends: each `\r`, and each `\n` that does not follow
    /// a `\r` (that `\r` ended the line).
    ends: Vec<u32>,
    /// `ends` is filled in (a [`ReadAhead`] finds them on its own thread).
    scanned: bool,
    /// Every byte of the input before this offset (from the input's start) is known to be
    /// UTF-8 (a character cut by the block's end is left to the next block).
    utf8_to: u64,
}

impl Block {
    fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Where a [`Counted`] gets its bytes: a block at a time.
pub trait Blocks {
    /// Refills `block` with the next bytes of the input, reusing its memory when it has some;
    /// no bytes at the end of the input.
    fn next_block(&mut self, block: &mut Block) -> io::Result<()>;
}

/// Any reader, read on the caller's thread.
impl<R: Read> Blocks for R {
    fn next_block(&mut self, block: &mut Block) -> io::Result<()> {
        fill(self, block)
    }
}

/// Reads until `block` is full or the input ends (a block of `BUFFER` bytes when it has none).
fn fill(input: &mut impl Read, block: &mut Block) -> io::Result<()> {
    if block.bytes.is_empty() {
        block.bytes = vec![0; BUFFER].into_boxed_slice();
    }
    block.len = 0;
    block.ends.clear();
    block.scanned = false;
    block.utf8_to = 0;
    while block.len < block.bytes.len() {
        match input.read(&mut block.bytes[block.len..]) {
            Ok(0) => break,
            Ok(n) => block.len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Finds the line ends of blocks that follow one another, and how far they are UTF-8.
#[derive(Debug, Default)]
struct Scanner {
    /// The previous block ended in `\r`: a `\n` first in this one belongs to it.
    after_cr: bool,
    /// The first bytes of a character the previous block's end cut (at most three).
    cut: Vec<u8>,
    /// A byte that is not UTF-8 was found: nothing after it is known to be.
    not_utf8: bool,
    /// Bytes of the blocks scanned before, and how many of the first of them are UTF-8.
    scanned: u64,
    utf8_to: u64,
}

/// Bytes of the UTF-8 character that starts with `lead` (1 for a byte that starts none).
fn utf8_width(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    }
}

impl Scanner {
    fn scan(&mut self, block: &mut Block) {
        block.utf8_to = self.utf8_to(block.bytes());
        let Block {
            bytes, len, ends, ..
        } = block;
        let bytes = &bytes[..*len];
        ends.clear();
        // Positions fit: a block is far smaller than 4 GB.
        ends.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|&i| {
                    let after_cr = match i {
                        0 => self.after_cr,
                        _ => bytes[i - 1] == b'\r',
                    };
                    bytes[i] == b'\r' || !after_cr
                })
                .map(|i| i as u32),
        );
        if let Some(&last) = bytes.last() {
            self.after_cr = last == b'\r';
        }
        block.scanned = true;
    }

    /// How far the input is known to be UTF-8 once `bytes`, which follow the blocks scanned
    /// before, are.
    fn utf8_to(&mut self, bytes: &[u8]) -> u64 {
        let start = self.scanned;
        self.scanned += bytes.len() as u64;
        if self.not_utf8 {
            return self.utf8_to;
        }
        let mut from = 0;
        if let Some(&lead) = self.cut.first() {
            // Finish the character the last block cut.
            let need = utf8_width(lead) - self.cut.len();
            if bytes.len() < need {
                self.cut.extend_from_slice(bytes);
                return self.utf8_to;
            }
            self.cut.extend_from_slice(&bytes[..need]);
            let whole = std::str::from_utf8(&self.cut).is_ok();
            self.cut.clear();
            if !whole {
                self.not_utf8 = true;
                return self.utf8_to;
            }
            from = need;
        }
        self.utf8_to = match std::str::from_utf8(&bytes[from..]) {
            Ok(_) => self.scanned,
            Err(e) => {
                let valid = from + e.valid_up_to();
                if e.error_len().is_none() {
                    // The block ends inside a character that may yet be whole.
                    self.cut.extend_from_slice(&bytes[valid..]);
                } else {
                    self.not_utf8 = true;
                }
                start + valid as u64
            }
        };
        self.utf8_to
    }
}

/// Blocks read (and decompressed, and their line ends found) on a thread of their own, a
/// couple of blocks ahead of the parse, which then spends its time parsing.
pub struct ReadAhead {
    full: mpsc::Receiver<io::Result<Block>>,
    /// Blocks the parse is done with, for the thread to fill again.
    empty: mpsc::SyncSender<Block>,
    /// The last block was read: there is no more.
    ended: bool,
}

/// Full blocks waiting for the parse (each `BUFFER` bytes: with the one being parsed and the
/// one being read, a megabyte in all).
const AHEAD: usize = 2;

impl ReadAhead {
    /// Starts reading `input` on a new thread. The thread ends at the end of the input, at an
    /// error, or when the `ReadAhead` is dropped.
    pub fn spawn(mut input: impl Read + Send + 'static) -> io::Result<ReadAhead> {
        let (full_tx, full) = mpsc::sync_channel(AHEAD);
        let (empty, empty_rx) = mpsc::sync_channel::<Block>(AHEAD + 2);
        std::thread::Builder::new()
            .name("lessoncast-read".into())
            .spawn(move || {
                let mut scanner = Scanner::default();
                loop {
                    let mut block = empty_rx.try_recv().unwrap_or_default();
                    let read = fill(&mut input, &mut block).map(|()| {
                        scanner.scan(&mut block);
                        block
                    });
                    let last = read.as_ref().map_or(true, |b| b.len == 0);
                    if full_tx.send(read).is_err() || last {
                        break;
                    }
                }
            })?;
        Ok(ReadAhead {
            full,
            empty,
            ended: false,
        })
    }
}

impl Blocks for ReadAhead {
    fn next_block(&mut self, block: &mut Block) -> io::Result<()> {
        if self.ended {
            block.len = 0;
            block.utf8_to = 0;
            block.ends.clear();
            return Ok(());
        }
        match self.full.recv() {
            Ok(Ok(next)) => {
                self.ended = next.len == 0;
                let done = std::mem::replace(block, next);
                // The thread may have ended, or have blocks enough: this one is let go.
                let _ = self.empty.try_send(done);
                Ok(())
            }
            Ok(Err(e)) => {
                self.ended = true;
                Err(e)
            }
            Err(mpsc::RecvError) => {
                self.ended = true;
                Err(io::Error::other(
                    "the thread reading the file stopped before its end",
                ))
            }
        }
    }
}

/// A buffered reader that knows the line of the next byte it will hand out.
///
/// Its blocks come with their line ends found, so handing out and consuming bytes are plain
/// index moves, and the line of a byte is a step past the line ends before it (counting the
/// bytes themselves, a dozen at a time between two XML events, was 5 % of an import).
pub struct Counted<B> {
    source: B,
    block: Block,
    /// The next byte to hand out in `block`.
    pos: usize,
    /// Bytes consumed before `block`.
    base: u64,
    /// The first line end in `block.ends` not yet counted into `line`.
    next_end: usize,
    /// Line of the byte just after the line ends counted, from 1.
    line: u64,
    scanner: Scanner,
}

const BUFFER: usize = 256 * 1024;

impl<B: Blocks> Counted<B> {
    pub fn new(source: B) -> Self {
        Self::with_capacity(BUFFER, source)
    }

    fn with_capacity(capacity: usize, source: B) -> Self {
        Counted {
            source,
            block: Block {
                bytes: vec![0; capacity.max(1)].into_boxed_slice(),
                ..Block::default()
            },
            pos: 0,
            base: 0,
            next_end: 0,
            line: 1,
            scanner: Scanner::default(),
        }
    }

    /// Line of the next unconsumed byte, from 1.
    pub fn line(&mut self) -> u64 {
        // Queries move forward a few bytes at a time: step, do not search.
        let ends = &self.block.ends;
        let start = self.next_end;
        while ends
            .get(self.next_end)
            .is_some_and(|&at| (at as usize) < self.pos)
        {
            self.next_end += 1;
        }
        self.line += (self.next_end - start) as u64;
        self.line
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Every byte of the input before this offset is known to be UTF-8 (and the parse need
    /// not look again).
    pub fn utf8_to(&self) -> u64 {
        self.block.utf8_to
    }
}

impl<B: Blocks> Read for Counted<B> {
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

impl<B: Blocks> BufRead for Counted<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.block.len {
            // Everything handed out was consumed: its line ends count before the block goes.
            self.line += (self.block.ends.len() - self.next_end) as u64;
            self.base += self.block.len as u64;
            self.pos = 0;
            self.next_end = 0;
            self.block.len = 0;
            self.block.utf8_to = 0;
            self.block.ends.clear();
            self.source.next_block(&mut self.block)?;
            if !self.block.scanned {
                self.scanner.scan(&mut self.block);
            }
        }
        Ok(&self.block.bytes()[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.block.len);
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
        check_lines_by_step(Counted::with_capacity(capacity, input), input, step);
    }

    fn check_lines_by_step(mut r: Counted<impl Blocks>, input: &[u8], step: usize) {
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
        // A `\r\n` split between two blocks is one line end.
        lines_by_step(&lf, 1, 1);
        lines_by_step(&crlf, 1, 1);
        lines_by_step(b"a\r\r\n\n\rb", 2, 1);
    }

    /// How far blocks of every size, cutting characters anywhere, are known to be UTF-8: up to
    /// the first byte that is not, and never past a character not yet whole.
    #[test]
    fn knows_how_far_the_input_is_utf8_whatever_the_blocks_cut() {
        let good = "Niños — 学校 😀 ok".as_bytes();
        let mut bad = good.to_vec();
        bad.insert(9, 0xFF);
        let bad_at = std::str::from_utf8(&bad).unwrap_err().valid_up_to() as u64;
        for capacity in 1..=good.len() + 1 {
            for (input, known) in [(good, good.len() as u64), (&bad[..], bad_at)] {
                let mut r = Counted::with_capacity(capacity, input);
                let mut most = 0;
                while r.fill_buf().map(|b| !b.is_empty()).unwrap() {
                    let to = r.utf8_to();
                    assert!(to <= known, "{capacity}: {to} > {known}");
                    // Whatever is claimed is UTF-8 on its own.
                    assert!(std::str::from_utf8(&input[..to as usize]).is_ok());
                    most = most.max(to);
                    r.consume(1);
                }
                // Short of a character cut at the very end, all that is UTF-8 is found so.
                assert!(most + 3 >= known, "{capacity}: {most} of {known}");
                if capacity > good.len() {
                    assert_eq!(most, known);
                }
            }
        }
    }

    /// Blocks of 256 KiB (mixed line ends straddling their edges) read on a thread of their
    /// own give the same lines as blocks read here.
    #[test]
    fn reading_ahead_gives_the_same_bytes_and_lines() {
        let mut input = Vec::new();
        for i in 0..120_000u32 {
            input.extend_from_slice(format!("<p n=\"{i}\">").as_bytes());
            input.extend_from_slice(match i % 3 {
                0 => b"\n",
                1 => b"\r\n",
                _ => b"\r",
            });
        }
        assert!(input.len() > 3 * BUFFER);
        let ahead = ReadAhead::spawn(std::io::Cursor::new(input.clone())).unwrap();
        check_lines_by_step(Counted::new(ahead), &input, 4093);
        let mut all = Vec::new();
        let mut ahead =
            Counted::new(ReadAhead::spawn(std::io::Cursor::new(input.clone())).unwrap());
        ahead.read_to_end(&mut all).unwrap();
        assert_eq!(all, input);
    }

    /// A read that fails reaches the parse after the bytes before it, and nothing follows.
    #[test]
    fn reading_ahead_hands_on_a_read_error_in_its_place() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk on fire"));
                }
                let n = out.len().min(self.0);
                out[..n].fill(b'x');
                self.0 -= n;
                Ok(n)
            }
        }
        let mut r = Counted::new(ReadAhead::spawn(Failing(BUFFER)).unwrap());
        assert_eq!(r.fill_buf().unwrap().len(), BUFFER);
        r.consume(BUFFER);
        let err = r.fill_buf().unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
        assert_eq!(r.fill_buf().unwrap().len(), 0);
    }
}
