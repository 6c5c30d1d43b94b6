//! Where schedule files come from: a path, a directory of files or an `http(s)://` URL
//! (streamed to a temporary file), each possibly gzipped, and the format of each, sniffed from
//! its first bytes after decompression.

use super::fetch::{self, Download, FetchPolicy, Fetched, Validators};
use super::{Format, ImportError, ImportOptions};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One file to parse.
pub struct Input {
    /// The name messages use: the path as given, or the URL.
    pub name: String,
    pub path: PathBuf,
    pub format: Format,
    /// The file is gzip-compressed (`.xml.gz`, or a gzipped download).
    pub gzip: bool,
    /// The day a TVSS response is for, when the caller knows it (a source's day URLs).
    pub day: Option<chrono::NaiveDate>,
    /// Keeps a downloaded file alive until it is parsed.
    _temp: Option<tempfile::NamedTempFile>,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Bytes of a file read so far, from the file itself (for a gzipped file: compressed bytes).
#[derive(Clone, Default)]
pub(super) struct ReadSoFar(Arc<AtomicU64>);

impl ReadSoFar {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct Counting<R> {
    inner: R,
    read: ReadSoFar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Input {
    /// A fetched body, named `name` (a URL without its secrets), in `format` or sniffed.
    pub fn downloaded(
        name: String,
        download: Download,
        format: Format,
        day: Option<chrono::NaiveDate>,
    ) -> Result<Input, ImportError> {
        let path = download.file.path().to_path_buf();
        let gzip = is_gzip(&path).map_err(|e| ImportError::Source {
            source_name: name.clone(),
            message: format!("temp file: {e}"),
        })?;
        let format = match format {
            Format::Auto => sniff(&name, &path, gzip, download.content_type.as_deref())?,
            f => f,
        };
        Ok(Input {
            name,
            path,
            format,
            gzip,
            day,
            _temp: Some(download.file),
        })
    }

    /// The file's content, decompressed when it is gzipped, and a counter of the file's own
    /// bytes read (for a progress bar over its size).
    pub(super) fn open(&self) -> Result<(Box<dyn BufRead + Send>, u64, ReadSoFar), ImportError> {
        let file = std::fs::File::open(&self.path).map_err(|e| ImportError::Source {
            source_name: self.name.clone(),
            message: format!("cannot open: {e}"),
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let read = ReadSoFar::default();
        let counted = Counting {
            inner: file,
            read: read.clone(),
        };
        let reader: Box<dyn BufRead + Send> = if self.gzip {
            // Several gzip members one after the other are one file, as `gunzip` reads them.
            Box::new(BufReader::with_capacity(
                256 * 1024,
                flate2::read::MultiGzDecoder::new(BufReader::new(counted)),
            ))
        } else {
            Box::new(BufReader::with_capacity(256 * 1024, counted))
        };
        Ok((reader, size, read))
    }
}

/// Whether the file starts with the gzip magic number.
fn is_gzip(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 2];
    let mut file = std::fs::File::open(path)?;
    let mut got = 0;
    while got < 2 {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got == 2 && head == GZIP_MAGIC)
}

/// Turns the source the user named into the files to parse, each with its format.
pub(super) async fn resolve(source: &str, opts: &ImportOptions) -> Result<Vec<Input>, ImportError> {
    let src_err = |message: String| ImportError::Source {
        source_name: source.to_string(),
        message,
    };
    if source.starts_with("http://") || source.starts_with("https://") {
        // Named in messages, warnings and the run record without its secrets.
        let shown = crate::config::redacted(source);
        let policy = FetchPolicy::default();
        let fetched = async {
            let client = fetch::client(&policy)?;
            fetch::fetch(
                &client,
                source,
                &opts.headers,
                &Validators::default(),
                &policy,
            )
            .await
        }
        .await
        .map_err(|e| ImportError::Source {
            source_name: shown.clone(),
            message: e.message,
        })?;
        let Fetched::Body(download) = fetched else {
            return Err(ImportError::Source {
                source_name: shown,
                message: "the server answered 304 Not Modified to a request that asked for the \
                          whole file"
                    .into(),
            });
        };
        return Ok(vec![Input::downloaded(shown, download, opts.format, None)?]);
    }
    let path = Path::new(source);
    let meta = std::fs::metadata(path).map_err(|e| {
        src_err(match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".into(),
            _ => format!("cannot read: {e}"),
        })
    })?;
    let mut files = Vec::new();
    if meta.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| src_err(format!("cannot list: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| src_err(format!("cannot list: {e}")))?;
            let p = entry.path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .map(|n| n.to_ascii_lowercase())
                .unwrap_or_default();
            let name = name.strip_suffix(".gz").unwrap_or(&name);
            let schedule_ext = [".xml", ".xmltv", ".json", ".csv"]
                .iter()
                .any(|ext| name.ends_with(ext));
            if p.is_file() && schedule_ext {
                files.push(p);
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(src_err(
                "the directory holds no schedule files (.xml, .xmltv, .json, .csv, or one of \
                 those gzipped, .xml.gz)"
                    .into(),
            ));
        }
    } else {
        files.push(path.to_path_buf());
    }
    files
        .into_iter()
        .map(|p| {
            let name = p.display().to_string();
            let gzip = is_gzip(&p).map_err(|e| ImportError::Source {
                source_name: name.clone(),
                message: format!("cannot read: {e}"),
            })?;
            let format = match opts.format {
                Format::Auto => sniff(&name, &p, gzip, None)?,
                f => f,
            };
            Ok(Input {
                name,
                path: p,
                format,
                gzip,
                day: None,
                _temp: None,
            })
        })
        .collect()
}

/// Guesses a file's format from its first bytes after a byte-order mark and any whitespace
/// (however much of it there is), then its name or content type. A gzipped file is sniffed
/// after decompression.
fn sniff(
    name: &str,
    path: &Path,
    gzip: bool,
    content_type: Option<&str>,
) -> Result<Format, ImportError> {
    let err = |message: String| ImportError::Source {
        source_name: name.to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot open: {e}")))?;
    let mut reader: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(
            BufReader::new(file),
        )))
    } else {
        Box::new(BufReader::new(file))
    };
    let unreadable = |e: std::io::Error| {
        err(if gzip {
            format!("cannot read the gzipped file: {e}")
        } else {
            format!("cannot read: {e}")
        })
    };
    // The first line with anything on it, up to 4 KiB of it.
    let mut first_line = Vec::new();
    let mut at_start = true;
    loop {
        let buf = reader.fill_buf().map_err(unreadable)?;
        if buf.is_empty() {
            break;
        }
        let mut chunk = buf;
        if at_start {
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
            at_start = false;
        }
        let skip = if first_line.is_empty() {
            chunk
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(chunk.len())
        } else {
            0
        };
        let rest = &chunk[skip..];
        let end = rest.iter().position(|&b| b == b'\n' || b == b'\r');
        first_line.extend_from_slice(&rest[..end.unwrap_or(rest.len())]);
        let used = buf.len();
        let done = end.is_some() || first_line.len() >= 4096;
        reader.consume(used);
        if done {
            break;
        }
    }
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let format = match first_line.first() {
        Some(b'<') => Format::Xmltv,
        Some(b'{') | Some(b'[') => Format::Tvss,
        Some(_) if lower.ends_with(".csv") || ct.contains("csv") => Format::Csv,
        // A CSV export starts with its header: a known column name and a delimiter.
        Some(_) => {
            let header = String::from_utf8_lossy(&first_line).to_ascii_lowercase();
            if header.contains("station") && header.contains("start") {
                Format::Csv
            } else {
                return Err(err(
                    "unknown format: not XMLTV (<tv>), PBS TV Schedules JSON ({\"feeds\"…}) or \
                     a CSV with a station,channel,start,… header; name it with --format"
                        .into(),
                ));
            }
        }
        None => return Err(err("the file is empty (or holds only whitespace)".into())),
    };
    Ok(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_from_their_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, body: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            p
        };
        let f = |p: PathBuf| sniff("x", &p, false, None).map_err(|e| e.to_string());
        assert_eq!(
            f(write("a", b"\xEF\xBB\xBF<?xml version='1.0'?><tv/>")),
            Ok(Format::Xmltv)
        );
        assert_eq!(f(write("b", b"  {\"feeds\": []}")), Ok(Format::Tvss));
        assert_eq!(f(write("c", b"station,channel,start\n")), Ok(Format::Csv));
        let e = f(write("d", b"hello world")).unwrap_err();
        assert!(e.starts_with("x: unknown format"), "{e}");
        assert!(f(write("e", b"")).unwrap_err().contains("empty"));
        assert!(f(write("f", b" \r\n\t\n")).unwrap_err().contains("empty"));
        // Leading whitespace, however long, and a byte-order mark are looked past.
        let mut long = b"\xEF\xBB\xBF".to_vec();
        long.extend(std::iter::repeat_n(b'\n', 513));
        long.extend_from_slice(b"station,channel,start,duration,title\n");
        assert_eq!(f(write("g", &long)), Ok(Format::Csv));
        let mut xml = vec![b' '; 100_000];
        xml.extend_from_slice(b"<tv/>");
        assert_eq!(f(write("h", &xml)), Ok(Format::Xmltv));
    }

    #[test]
    fn a_gzipped_file_is_sniffed_after_decompression() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("guide.xml.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<?xml version=\"1.0\"?><tv/>").unwrap();
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        assert!(is_gzip(&p).unwrap());
        assert_eq!(
            sniff("guide.xml.gz", &p, true, None).map_err(|e| e.to_string()),
            Ok(Format::Xmltv)
        );
    }
}
