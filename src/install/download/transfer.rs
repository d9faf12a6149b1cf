//! One URL's transfer into a `.part`: an HTTP GET that resumes, retries and checks the size,
//! the free space and the SHA-256 as the bytes stream through ([`get`]), or the same checks on
//! a `file://` copy ([`copy_file`]). Which URLs to try, and the cache, are the parent's.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{Failure, HashWriter, ATTEMPTS, FIRST_BACKOFF};
use crate::digest::hex;
use crate::http::{BodyError, Limits};
use crate::install::request::Candidate;
use crate::report::{Meter, Reporter};
use crate::signals;

/// Download `url` into `part` (resuming it), retrying what is worth retrying.
pub(super) fn get(
    client: &reqwest::blocking::Client,
    limits: &Limits,
    url: &str,
    part: &Path,
    want: &Candidate,
    max: u64,
    reporter: &dyn Reporter,
) -> Result<(), Failure> {
    let mut delay = FIRST_BACKOFF;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        if attempt > 1 {
            reporter.note(&format!(
                "{last}; retrying in {} (attempt {attempt} of {ATTEMPTS})",
                crate::report::human_duration(delay)
            ));
            std::thread::sleep(delay);
            delay *= 2;
        }
        if let Some(s) = signals::pending() {
            return Err(Failure::Interrupted(s));
        }
        match get_once(client, limits, url, part, want, max, reporter) {
            Err(Attempt::Retry(why)) => last = why,
            Err(Attempt::Stop(f)) => return Err(f),
            Ok(()) => return Ok(()),
        }
    }
    Err(Failure::Failed(format!(
        "{last} (after {ATTEMPTS} attempts)"
    )))
}

enum Attempt {
    Retry(String),
    Stop(Failure),
}

fn get_once(
    client: &reqwest::blocking::Client,
    limits: &Limits,
    url: &str,
    part: &Path,
    want: &Candidate,
    max: u64,
    reporter: &dyn Reporter,
) -> Result<(), Attempt> {
    let mut have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    if have > max {
        // Larger than the file can be: it can never be right.
        let _ = fs::remove_file(part);
        have = 0;
    }
    let mut req = client.get(url);
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let started = Instant::now();
    let say = |m: &str| reporter.note(m);
    let resp = crate::http::send(req, url, limits, &say).map_err(|e| classify(&e))?;
    let resumed = resumes(&resp, have, part)?;
    let start = if resumed { have } else { 0 };
    let total = resp.content_length().map(|n| n + start);
    check_room(part, total, start, max)?;
    let mut resp = crate::http::Body::new(resp, *limits, started, max - start);
    // The digest covers the whole file: a resumed download first hashes the bytes it has.
    let mut hasher = Sha256::new();
    let mut file = open_part(part, resumed, &mut hasher)?;
    let mut meter = reporter.download(url, total, start);
    stream(&mut resp, &mut file, &mut hasher, &mut *meter, part).map_err(|e| match e {
        StreamError::Read(e) => match BodyError::of(&e) {
            Some(b @ BodyError::TooLarge(_)) => {
                let _ = fs::remove_file(part);
                Attempt::Stop(Failure::Failed(b.to_string()))
            }
            Some(b @ BodyError::Deadline(_)) => Attempt::Stop(Failure::Failed(b.to_string())),
            Some(b) => Attempt::Retry(b.to_string()),
            None => Attempt::Retry(format!("connection lost: {e}")),
        },
        StreamError::Write(f) | StreamError::Interrupted(f) => Attempt::Stop(f),
    })?;
    if let Some(t) = total {
        let got = file.metadata().map(|m| m.len()).unwrap_or(0);
        if got < t {
            return Err(Attempt::Retry(format!(
                "connection closed after {got} of {t} bytes"
            )));
        }
    }
    finish(hasher, want, meter)
}

/// Whether the answer continues our `.part` of `have` bytes: 206 does (if it starts at the byte
/// we asked for), 200 means the server ignored the Range and we start over.
fn resumes(resp: &reqwest::blocking::Response, have: u64, part: &Path) -> Result<bool, Attempt> {
    let status = resp.status();
    match status.as_u16() {
        206 if have > 0 => {
            let range = resp
                .headers()
                .get(reqwest::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok());
            let start = range.and_then(range_start);
            if start != Some(have) {
                // Not the continuation of our bytes: drop them and start from zero.
                let _ = fs::remove_file(part);
                return Err(Attempt::Retry(format!(
                    "asked to resume at byte {have}, the server sent {}; starting over",
                    match range {
                        Some(r) => format!("`Content-Range: {r}`"),
                        None => "no Content-Range".into(),
                    }
                )));
            }
            Ok(true)
        }
        200 => Ok(false),
        416 => {
            // Our `.part` is not a prefix of what the server has: start over.
            let _ = fs::remove_file(part);
            Err(Attempt::Retry(
                "the partial download did not fit (416)".into(),
            ))
        }
        s if status.is_server_error() || s == 429 || s == 408 => {
            Err(Attempt::Retry(format!("HTTP {status}")))
        }
        _ => Err(Attempt::Stop(Failure::Missing(format!("HTTP {status}")))),
    }
}

/// Refuse, before writing, a file announced larger than `max` bytes or than the free space.
fn check_room(part: &Path, total: Option<u64>, start: u64, max: u64) -> Result<(), Attempt> {
    if let Some(t) = total.filter(|&t| t > max) {
        let _ = fs::remove_file(part);
        return Err(Attempt::Stop(Failure::Failed(format!(
            "the server announces {t} bytes, more than the file can be ({max} bytes)"
        ))));
    }
    let dir = part.parent().unwrap_or(Path::new("."));
    let need = total.map_or(0, |t| t - start);
    if let Some(free) = free_space(dir).filter(|&f| f < need) {
        return Err(Attempt::Stop(Failure::Failed(format!(
            "not enough free space in `{}`: the download needs {}, {} are free",
            dir.display(),
            crate::report::bytes(need),
            crate::report::bytes(free)
        ))));
    }
    Ok(())
}

/// The `.part` to write: appended to (its bytes hashed first) when resuming, else new.
fn open_part(part: &Path, resumed: bool, hasher: &mut Sha256) -> Result<File, Attempt> {
    let failed = |what: &str, e: io::Error| {
        Attempt::Stop(Failure::Failed(format!(
            "cannot {what} `{}`: {e}",
            part.display()
        )))
    };
    if !resumed {
        return File::create(part).map_err(|e| failed("create", e));
    }
    let mut f = OpenOptions::new()
        .read(true)
        .append(true)
        .open(part)
        .map_err(|e| failed("open", e))?;
    io::copy(&mut f, &mut HashWriter(hasher)).map_err(|e| failed("read", e))?;
    Ok(f)
}

fn finish(hasher: Sha256, want: &Candidate, meter: Box<dyn Meter + '_>) -> Result<(), Attempt> {
    let actual = hex(&hasher.finalize());
    if actual != want.sha256 {
        return Err(Attempt::Stop(Failure::Digest { actual }));
    }
    meter.finish();
    Ok(())
}

enum StreamError {
    Read(io::Error),
    Write(Failure),
    Interrupted(Failure),
}

/// Copy `from` into `file` through the hasher and the meter, checking for signals per chunk.
fn stream(
    from: &mut dyn Read,
    file: &mut File,
    hasher: &mut Sha256,
    meter: &mut dyn Meter,
    part: &Path,
) -> Result<(), StreamError> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Some(s) = signals::pending() {
            return Err(StreamError::Interrupted(Failure::Interrupted(s)));
        }
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(StreamError::Read(e)),
        };
        file.write_all(&buf[..n]).map_err(|e| {
            // A full disk (or a file size limit): resuming into it would fail the same way,
            // and the partial bytes only take space others need.
            if matches!(
                e.kind(),
                io::ErrorKind::StorageFull
                    | io::ErrorKind::FileTooLarge
                    | io::ErrorKind::QuotaExceeded
            ) {
                let _ = fs::remove_file(part);
            }
            StreamError::Write(Failure::Failed(format!(
                "cannot write `{}`: {e}",
                part.display()
            )))
        })?;
        hasher.update(&buf[..n]);
        meter.add(n as u64);
    }
}

/// A `file://` mirror: the same hashing and checking, no network.
pub(super) fn copy_file(
    src: &Path,
    part: &Path,
    want: &Candidate,
    max: u64,
    reporter: &dyn Reporter,
) -> Result<(), Failure> {
    let from = match File::open(src) {
        Ok(f) => f,
        Err(e) => return Err(Failure::Missing(e.to_string())),
    };
    let total = from.metadata().ok().map(|m| m.len());
    if let Some(t) = total.filter(|&t| t > max) {
        return Err(Failure::Failed(format!(
            "it has {t} bytes, more than the file can be ({max} bytes)"
        )));
    }
    let mut from = from.take(max);
    let mut file = File::create(part)
        .map_err(|e| Failure::Failed(format!("cannot create `{}`: {e}", part.display())))?;
    let mut hasher = Sha256::new();
    let mut meter = reporter.download(&format!("file://{}", src.display()), total, 0);
    stream(&mut from, &mut file, &mut hasher, &mut *meter, part).map_err(|e| match e {
        StreamError::Read(e) => Failure::Failed(e.to_string()),
        StreamError::Write(f) | StreamError::Interrupted(f) => f,
    })?;
    finish(hasher, want, meter).map_err(|a| match a {
        Attempt::Stop(f) => f,
        Attempt::Retry(why) => Failure::Failed(why),
    })
}

/// The first byte of a `Content-Range: bytes <first>-<last>/<total>` value.
fn range_start(value: &str) -> Option<u64> {
    let spec = value.trim().strip_prefix("bytes")?.trim_start();
    let (first, rest) = spec.split_once('-')?;
    rest.contains('/').then_some(())?;
    first.trim().parse().ok()
}

/// Whether a failed request is worth repeating. A name that does not resolve and a refused
/// connection are not transient (nothing is listening there): the next source is tried at once.
/// Timeouts and other connection failures (resets, TLS hiccups) are retried.
fn classify(e: &reqwest::Error) -> Attempt {
    let host = e
        .url()
        .and_then(|u| u.host_str())
        .unwrap_or("?")
        .to_string();
    let mut chain = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(inner) = src {
        chain.push(inner);
        src = inner.source();
    }
    let refused = chain.iter().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::ConnectionRefused)
    });
    // At the proxy, or a certificate no trusted root vouches for: no retry helps, and the
    // other files from this source would fail the same way.
    if let Some(why) = crate::http::proxy_failure(e) {
        return Attempt::Stop(Failure::Unreachable(why));
    }
    if let Some(u) = crate::tls::unknown_issuer(e) {
        return Attempt::Stop(Failure::Unreachable(crate::tls::unknown_issuer_line(
            &host, u,
        )));
    }
    let dns = e.is_connect()
        && chain.iter().any(|c| {
            let m = c.to_string();
            m.contains("dns error") || m.contains("failed to lookup address")
        });
    if dns && !e.is_timeout() {
        Attempt::Stop(Failure::Unreachable(format!(
            "cannot resolve host `{host}` (DNS)"
        )))
    } else if refused {
        Attempt::Stop(Failure::Unreachable(format!(
            "connection refused by `{host}`"
        )))
    } else {
        Attempt::Retry(crate::http::describe(e))
    }
}

/// Bytes free for an unprivileged writer on the filesystem holding `dir`, if it can be told.
fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}
