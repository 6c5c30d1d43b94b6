//! Fetching a schedule over HTTP as a polite client: conditional requests with the validators
//! of the last good fetch, timeouts, a size limit, gzip on the wire, and retries with backoff
//! and jitter when the server fails or does not answer. The body is streamed to a temporary
//! file, never held in memory.

use crate::auth::Secret;
use std::io::{Seek, Write};
use std::time::Duration;

/// How hard to try, and how much to take.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// The whole request, body included, per attempt.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Attempts in all (1 = no retry). Retried: 5xx, 408, 429, timeouts, failed connections.
    pub attempts: u32,
    /// The first wait between attempts; each next one doubles, with up to half again of jitter.
    pub backoff: Duration,
    /// The most bytes taken off the wire (compressed, as sent).
    pub max_bytes: u64,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(15),
            attempts: 3,
            backoff: Duration::from_secs(2),
            max_bytes: 2 << 30,
        }
    }
}

/// What the server said identifies this version of the body (`ETag`, `Last-Modified`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A body fetched to a temporary file.
pub struct Download {
    pub file: tempfile::NamedTempFile,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub bytes: u64,
}

/// What a fetch brought.
pub enum Fetched {
    /// 304: what we have is current.
    NotModified,
    Body(Download),
}

/// Why a fetch failed, after its retries. The message never names the URL's secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    /// The HTTP status of the last answer, if there was one.
    pub status: Option<u16>,
    pub message: String,
    pub attempts: u32,
}

/// One HTTP client for a run of fetches (its connections are reused).
pub fn client(policy: &FetchPolicy) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.timeout)
        .user_agent(concat!("lessoncast/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FetchError {
            status: None,
            message: format!("cannot make an HTTP client: {e}"),
            attempts: 0,
        })
}

/// Fetches `url`, sending `validators` so that an unchanged body is a cheap 304.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, Secret)],
    validators: &Validators,
    policy: &FetchPolicy,
) -> Result<Fetched, FetchError> {
    let attempts = policy.attempts.max(1);
    let mut wait = policy.backoff;
    let mut attempt = 1;
    loop {
        match fetch_once(client, url, headers, validators, policy).await {
            Ok(f) => return Ok(f),
            Err(Failure {
                retry,
                status,
                message,
            }) => {
                let shown = crate::config::redacted(url);
                if !retry || attempt >= attempts {
                    let tried = if attempt > 1 {
                        format!(" (after {attempt} attempts)")
                    } else {
                        String::new()
                    };
                    return Err(FetchError {
                        status,
                        message: format!("{message}{tried}"),
                        attempts: attempt,
                    });
                }
                // Full backoff plus up to half again, so replicas and stations do not retry
                // in step.
                let jitter = wait.mul_f64(fastrand::f64() * 0.5);
                tracing::warn!(url = %shown, attempt, error = %message, retry_in = ?(wait + jitter),
                               "fetch failed; retrying");
                tokio::time::sleep(wait + jitter).await;
                wait = wait.saturating_mul(2);
                attempt += 1;
            }
        }
    }
}

struct Failure {
    retry: bool,
    status: Option<u16>,
    message: String,
}

async fn fetch_once(
    client: &reqwest::Client,
    url: &str,
    headers: &[(String, Secret)],
    validators: &Validators,
    policy: &FetchPolicy,
) -> Result<Fetched, Failure> {
    use futures_util::StreamExt;
    let fail = |retry: bool, message: String| Failure {
        retry,
        status: None,
        message,
    };
    // Without reqwest's own decompression the body is kept as sent; a gzipped one is read
    // through a decoder like any .gz file.
    let mut req = client
        .get(url)
        .header(reqwest::header::ACCEPT_ENCODING, "gzip");
    if let Some(etag) = &validators.etag {
        req = req.header(reqwest::header::IF_NONE_MATCH, etag.as_str());
    }
    if let Some(lm) = &validators.last_modified {
        req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm.as_str());
    }
    for (k, v) in headers {
        // Marked sensitive, so no debug output or HTTP/2 header table keeps it.
        let mut value = reqwest::header::HeaderValue::from_str(v.expose()).map_err(|_| {
            fail(
                false,
                format!("the {k} header's value is not a valid header value"),
            )
        })?;
        value.set_sensitive(true);
        req = req.header(k.as_str(), value);
    }
    // reqwest's errors name the URL; ours leave it to the caller, who names it without secrets.
    let resp = req.send().await.map_err(|e| {
        let timeout = e.is_timeout();
        let e = e.without_url();
        let why = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| e.to_string());
        if timeout {
            fail(true, format!("the server did not answer in time: {why}"))
        } else {
            fail(true, format!("cannot reach the server: {why}"))
        }
    })?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        let retry = status.is_server_error()
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
        return Err(Failure {
            retry,
            status: Some(status.as_u16()),
            message: format!("the server answered {status}"),
        });
    }
    let header = |name: reqwest::header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let validators = Validators {
        etag: header(reqwest::header::ETAG),
        last_modified: header(reqwest::header::LAST_MODIFIED),
    };
    if let Some(len) = resp.content_length() {
        if len > policy.max_bytes {
            return Err(fail(
                false,
                format!(
                    "the body is {len} bytes, more than the {} a source may send",
                    policy.max_bytes
                ),
            ));
        }
    }
    let mut file =
        tempfile::NamedTempFile::new().map_err(|e| fail(false, format!("temp file: {e}")))?;
    let mut stream = resp.bytes_stream();
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let timeout = e.is_timeout();
            let e = e.without_url();
            if timeout {
                fail(true, format!("the download took too long: {e}"))
            } else {
                fail(true, format!("download broke off: {e}"))
            }
        })?;
        bytes += chunk.len() as u64;
        if bytes > policy.max_bytes {
            return Err(fail(
                false,
                format!(
                    "the body is more than the {} bytes a source may send",
                    policy.max_bytes
                ),
            ));
        }
        file.write_all(&chunk)
            .map_err(|e| fail(false, format!("temp file: {e}")))?;
    }
    file.flush()
        .map_err(|e| fail(false, format!("temp file: {e}")))?;
    file.as_file_mut()
        .rewind()
        .map_err(|e| fail(false, format!("temp file: {e}")))?;
    Ok(Fetched::Body(Download {
        file,
        content_type,
        validators,
        bytes,
    }))
}
