//! Getting verified archive bytes into the cache. The response is streamed once through the
//! SHA-256 hasher and the progress meter into `<cache>/<file>.part`, which is renamed to
//! `<cache>/<file>` only when the digest matches. An interrupted `.part` is resumed with a
//! `Range` request (a `206` must start at the byte we asked for, else the `.part` is dropped and
//! the download starts over). Timeouts, lost connections, 408/429 and 5xx answers are retried
//! with backoff; a host that does not resolve (DNS) or refuses the connection is not: nothing
//! listens there, so its other files are skipped and the next source is tried at once. A
//! digest mismatch is never retried: the bytes are deleted and the install stops. Every URL
//! that fails gets one line saying why, and the final error lists each once.
//!
//! Bounds: every transfer lives within [`crate::http::Limits`] (connect timeout, stall rate,
//! overall deadline; each says "timed out" and why) and a size cap: what the artifact manifest
//! says the file is, else [`ceiling`] (512 MiB; `PYV_DOWNLOAD_MAX_MIB`), checked against the
//! `Content-Length` before anything is written and against the bytes as they come. Before
//! writing, the free space of the cache's filesystem is checked against what the server
//! announced. A `.part` that can never be right (larger than the cap, or cut off by a full
//! disk) is dropped instead of being resumed into the same failure.
//!
//! One archive is downloaded by one pyv at a time: `.locks/<file>.lock` is held from
//! the cache check to the rename into the cache, so `pyv install 3.13.5` and `3.13.5t` run
//! together share one download instead of writing the same `.part`. Each other candidate's
//! own `.locks/<file>.lock` is held too while its `.part` is written (always after the first
//! one's, so no two pyvs wait on each other), which is what `pyv cache clear` checks.
//!
//! Sources are tried in order: every `PYV_MIRROR` base (comma-separated; `http://`, `https://`
//! or `file://`, in python.org's `<version>/<file>` layout), then python.org (`PYV_PYTHON_ORG`
//! overrides that base, for air-gapped networks and tests). pyenv users' sources join in
//! ([`super::pybuild`]): archives in `PYTHON_BUILD_CACHE_PATH` with the right digest first, and
//! `PYTHON_BUILD_MIRROR_URL/<sha256>` just before python.org. [`fetch_urls`] is the same machinery
//! for any ordered list of URLs with their expected file and digest (prebuilt archives use it).

use pyv_core::env_vars::EnvVars;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::pybuild::Mirror;
use super::request::{Candidate, Plan, Source};
use super::{InstallError, Result, Settings};
use crate::digest::hex;
use crate::http::{BodyError, Kind, Limits};
use crate::report::{Meter, Reporter};
use crate::signals;

/// The largest download pyv accepts when nothing says how large the file is (python.org
/// sources are ~20-30 MiB, prebuilt CPython archives under 200 MiB): 512 MiB, or
/// `PYV_DOWNLOAD_MAX_MIB`.
pub fn ceiling() -> u64 {
    ceiling_or(512)
}

/// `PYV_DOWNLOAD_MAX_MIB` when set, else `default_mib`, in bytes. Kinds of download that are
/// larger by nature (Anaconda's installer is over 1 GiB) pass their own default.
pub fn ceiling_or(default_mib: u64) -> u64 {
    crate::http::env_positive(EnvVars::PYV_DOWNLOAD_MAX_MIB, &format!("{default_mib} MiB"))
        .map_or(default_mib, |m| m.ceil().min(u64::MAX as f64) as u64)
        .saturating_mul(1 << 20)
}

/// Attempts per URL for retryable failures, and the first backoff delay (doubled each time).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Why one URL did not produce the file.
enum Failure {
    /// Not there (4xx): try the next source.
    Missing(String),
    /// Retryable problems that persisted: try the next source.
    Failed(String),
    /// The host does not resolve or refuses connections: skip this source's other files too.
    Unreachable(String),
    /// The bytes are wrong: stop everything.
    Digest {
        actual: String,
    },
    Interrupted(i32),
}

fn join(base: &str, path: &str) -> String {
    format!("{}/{path}", base.trim_end_matches('/'))
}

/// The verified archive for `plan`: a local file, a cached download, or a fresh download.
pub fn fetch(settings: &Settings, plan: &Plan, reporter: &dyn Reporter) -> Result<PathBuf> {
    let cands = match &plan.source {
        Source::Local { path, sha256 } => {
            if let Some(expected) = sha256 {
                let actual =
                    hash_file(path).map_err(|e| InstallError::io("cannot read", path, e))?;
                if &actual != expected {
                    return Err(InstallError::Digest {
                        file: path.display().to_string(),
                        url: "the command line".into(),
                        expected: expected.clone(),
                        actual,
                    });
                }
            }
            return Ok(path.clone());
        }
        Source::Remote(c) => c,
    };
    // Per source, every format (xz first): a mirror that only has the .tgz beats python.org.
    // python-build's cache directory comes first, its `<mirror>/<sha256>` just before
    // python.org (the last base).
    let mut attempts: Vec<(String, &Candidate)> = python_build_cache(settings, cands, reporter);
    let (python_org, mirrors) = settings.bases.split_last().expect("python.org is a base");
    for base in mirrors {
        attempts.extend(cands.iter().map(|c| (join(base, &c.path), c)));
    }
    if let Some(Mirror::BySha256(m)) = &settings.python_build.mirror {
        attempts.extend(cands.iter().map(|c| (join(m, &c.sha256), c)));
    }
    attempts.extend(cands.iter().map(|c| (join(python_org, &c.path), c)));
    fetch_urls(&settings.cache_dir, &attempts, reporter)
}

/// `file://` attempts for the archives in `PYTHON_BUILD_CACHE_PATH` that have the right
/// SHA-256 (python-build names a `.tgz` download `<name>.tar.gz` there). One with another
/// digest is skipped with a warning, as python-build does: it is never used.
fn python_build_cache<'a>(
    settings: &Settings,
    cands: &'a [Candidate],
    reporter: &dyn Reporter,
) -> Vec<(String, &'a Candidate)> {
    let Some(dir) = &settings.python_build.source_cache else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for c in cands {
        let mut names = vec![c.file.clone()];
        if let Some(stem) = c.file.strip_suffix(".tgz") {
            names.push(format!("{stem}.tar.gz"));
        }
        for name in names {
            let path = dir.join(&name);
            if !path.is_file() {
                continue;
            }
            match hash_file(&path) {
                Ok(d) if d == c.sha256 => {
                    reporter.note(&format!(
                        "using {} from PYTHON_BUILD_CACHE_PATH (sha256 checked)",
                        path.display()
                    ));
                    found.push((format!("file://{}", path.display()), c));
                }
                Ok(d) => reporter.warn(&format!(
                    "{} (in PYTHON_BUILD_CACHE_PATH) has sha256 {d}, not {}: not used",
                    path.display(),
                    c.sha256
                )),
                Err(e) => reporter.warn(&format!("cannot read {}: {e}", path.display())),
            }
        }
    }
    found
}

/// Get the first archive `attempts` can deliver into `cache`, trying each URL in order (a
/// cached file with the right digest wins without any request). Each attempt names the
/// candidate it should produce: its cache file name (`file`) and digest (`sha256`).
pub fn fetch_urls(
    cache: &Path,
    attempts: &[(String, &Candidate)],
    reporter: &dyn Reporter,
) -> Result<PathBuf> {
    fetch_urls_capped(cache, attempts, ceiling(), reporter)
}

/// [`fetch_urls`] with its own size cap (`max` bytes) instead of [`ceiling`].
pub fn fetch_urls_capped(
    cache: &Path,
    attempts: &[(String, &Candidate)],
    max: u64,
    reporter: &dyn Reporter,
) -> Result<PathBuf> {
    let Some((_, first)) = attempts.first() else {
        return Err(InstallError::Download {
            file: "the archive".into(),
            tried: vec!["no URL to try".into()],
        });
    };
    fs::create_dir_all(cache).map_err(|e| InstallError::io("cannot create", cache, e))?;
    // Every candidate of one request names the same first file: one lock covers them all. It
    // lives in the cache, so it also serialises installs from different roots sharing it.
    let _lock = crate::locks::wait_for(
        &cache.join(".locks").join(format!("{}.lock", first.file)),
        reporter,
        &format!(
            "another pyv is downloading `{}`; waiting for it",
            first.file
        ),
    )?;
    for (_, c) in attempts {
        let cached = cache.join(&c.file);
        if cached.is_file() {
            match hash_file(&cached) {
                Ok(d) if d == c.sha256 => {
                    reporter.note(&format!("using cached {}", cached.display()));
                    return Ok(cached);
                }
                _ => {
                    reporter.warn(&format!(
                        "cached `{}` does not match its sha256; downloading it again",
                        cached.display()
                    ));
                    let _ = fs::remove_file(&cached);
                }
            }
        }
    }
    let limits = Limits::from_env(Kind::Download);
    let client = crate::http::client(&limits).map_err(|e| InstallError::Download {
        file: first.file.clone(),
        tried: vec![format!("cannot start an HTTP client: {e}")],
    })?;
    let mut tried = Vec::new();
    // A source that cannot be reached (DNS, refused) is not asked for its other files.
    let mut unreachable: Vec<&str> = Vec::new();
    for (url, c) in attempts {
        if unreachable.iter().any(|o| url.starts_with(o)) {
            continue;
        }
        let part = cache.join(format!("{}.part", c.file));
        // The first candidate's lock is held already; another's is taken while its `.part`
        // is written, so that `pyv cache clear` sees it in use.
        let _own = if c.file == first.file {
            None
        } else {
            Some(crate::locks::wait_for(
                &cache.join(".locks").join(format!("{}.lock", c.file)),
                reporter,
                &format!("another pyv is downloading `{}`; waiting for it", c.file),
            )?)
        };
        let outcome = if let Some(path) = url.strip_prefix("file://") {
            copy_file(Path::new(path), &part, c, max, reporter)
        } else {
            get(&client, &limits, url, &part, c, max, reporter)
        };
        match outcome {
            Ok(()) => {
                let dest = cache.join(&c.file);
                fs::rename(&part, &dest)
                    .map_err(|e| InstallError::io("cannot move into the cache", &dest, e))?;
                return Ok(dest);
            }
            Err(Failure::Missing(why)) | Err(Failure::Failed(why)) => {
                reporter.note(&format!("{url}: {why}"));
                tried.push(format!("{url}: {why}"));
            }
            Err(Failure::Unreachable(why)) => {
                let _ = fs::remove_file(&part);
                reporter.note(&format!("{url}: {why}"));
                tried.push(format!("{url}: {why}"));
                unreachable.push(origin_of(url));
            }
            Err(Failure::Digest { actual }) => {
                let _ = fs::remove_file(&part);
                return Err(InstallError::Digest {
                    file: c.file.clone(),
                    url: url.clone(),
                    expected: c.sha256.clone(),
                    actual,
                });
            }
            Err(Failure::Interrupted(signal)) => return Err(InstallError::Interrupted { signal }),
        }
    }
    Err(InstallError::Download {
        file: first.file.clone(),
        tried,
    })
}

/// Fetch one URL (`http(s)://` or `file://`) into `part` with the same resume, retry and
/// SHA-256 check as source archives (the artifact cache's mirrors use it). The error says why.
/// `size` is what the file must measure when that is known (an artifact's manifest says it);
/// without it, the download is capped at [`ceiling`].
pub fn fetch_url(
    url: &str,
    part: &Path,
    sha256: &str,
    size: Option<u64>,
    reporter: &dyn Reporter,
) -> Result<(), String> {
    let want = Candidate {
        file: part.display().to_string(),
        path: String::new(),
        sha256: sha256.to_string(),
    };
    let max = size.unwrap_or_else(ceiling);
    let outcome = if let Some(path) = url.strip_prefix("file://") {
        copy_file(Path::new(path), part, &want, max, reporter)
    } else {
        let limits = Limits::from_env(Kind::Download);
        let client = crate::http::client(&limits)
            .map_err(|e| format!("cannot start an HTTP client: {e}"))?;
        get(&client, &limits, url, part, &want, max, reporter)
    };
    outcome.map_err(|f| match f {
        Failure::Missing(why) | Failure::Failed(why) | Failure::Unreachable(why) => why,
        Failure::Digest { actual } => {
            let _ = fs::remove_file(part);
            format!("sha256 mismatch: the manifest says {sha256}, the bytes are {actual}")
        }
        Failure::Interrupted(s) => format!("interrupted by {}", signals::name(s)),
    })
}

/// Download `url` into `part` (resuming it), retrying what is worth retrying.
fn get(
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
                crate::ui::human_duration(delay)
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
    let status = resp.status();
    // 206 continues our `.part`; 200 means the server ignored the Range: start over.
    let resumed = match status.as_u16() {
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
            true
        }
        200 => false,
        416 => {
            // Our `.part` is not a prefix of what the server has: start over.
            let _ = fs::remove_file(part);
            return Err(Attempt::Retry(
                "the partial download did not fit (416)".into(),
            ));
        }
        s if status.is_server_error() || s == 429 || s == 408 => {
            return Err(Attempt::Retry(format!("HTTP {status}")))
        }
        _ => return Err(Attempt::Stop(Failure::Missing(format!("HTTP {status}")))),
    };
    let start = if resumed { have } else { 0 };
    let total = resp.content_length().map(|n| n + start);
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
            crate::ui::bytes(need),
            crate::ui::bytes(free)
        ))));
    }
    let mut resp = crate::http::Body::new(resp, *limits, started, max - start);
    // The digest covers the whole file: a resumed download first hashes the bytes it has.
    let mut hasher = Sha256::new();
    let mut file = if resumed {
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .open(part)
            .map_err(|e| {
                Attempt::Stop(Failure::Failed(format!(
                    "cannot open `{}`: {e}",
                    part.display()
                )))
            })?;
        io::copy(&mut f, &mut HashWriter(&mut hasher)).map_err(|e| {
            Attempt::Stop(Failure::Failed(format!(
                "cannot read `{}`: {e}",
                part.display()
            )))
        })?;
        f
    } else {
        File::create(part).map_err(|e| {
            Attempt::Stop(Failure::Failed(format!(
                "cannot create `{}`: {e}",
                part.display()
            )))
        })?
    };
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
fn copy_file(
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

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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

/// SHA-256 of a file, lowercase hex.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut h = Sha256::new();
    io::copy(&mut File::open(path)?, &mut HashWriter(&mut h))?;
    Ok(hex(&h.finalize()))
}

/// `scheme://host[:port]/` of a URL: what one unreachable answer rules out.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i + 1],
        None => url,
    }
}

#[cfg(test)]
mod origin_tests {
    use super::origin_of;

    #[test]
    fn origins() {
        assert_eq!(origin_of("http://h:8/a/b.tgz"), "http://h:8/");
        assert_eq!(
            origin_of("https://pyv-test.invalid"),
            "https://pyv-test.invalid"
        );
        assert_eq!(origin_of("file:///srv/x"), "file:///");
    }
}
