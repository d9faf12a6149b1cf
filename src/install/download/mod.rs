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
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::pybuild::Mirror;
use super::request::{Candidate, Plan, Source};
use super::{InstallError, Result, Settings};
use crate::digest::hex;
use crate::http::{Kind, Limits};
use crate::report::Reporter;
use crate::signals;
use transfer::{copy_file, get};

mod transfer;

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
            all_missing: false,
            hint: None,
        });
    };
    fs::create_dir_all(cache).map_err(|e| InstallError::io("cannot create", cache, e))?;
    // Every candidate of one request names the same first file: one lock covers them all. It
    // lives in the cache, so it also serialises installs from different roots sharing it.
    let _lock = lock_file(cache, &first.file, reporter)?;
    if let Some(cached) = cached_copy(cache, attempts, reporter) {
        return Ok(cached);
    }
    let limits = Limits::from_env(Kind::Download);
    let client = crate::http::client(&limits).map_err(|e| InstallError::Download {
        file: first.file.clone(),
        tried: vec![e],
        all_missing: false,
        hint: None,
    })?;
    let mut tried = Vec::new();
    let mut missing = 0;
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
            Some(lock_file(cache, &c.file, reporter)?)
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
            // A 404 is instant and the error below lists it: only what took time is noted now.
            Err(Failure::Missing(why)) => {
                missing += 1;
                tried.push((url.clone(), why));
            }
            Err(Failure::Failed(why)) => {
                reporter.note(&format!("{}: {why}", url.escape_debug()));
                tried.push((url.clone(), why));
            }
            Err(Failure::Unreachable(why)) => {
                let _ = fs::remove_file(&part);
                reporter.note(&format!("{}: {why}", url.escape_debug()));
                tried.push((url.clone(), why));
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
        all_missing: missing > 0 && missing == tried.len(),
        tried: by_source(&tried),
        hint: None,
    })
}

/// One line per source: the URLs tried, grouped by the directory they are in, with what each
/// file got (`<dir>/: HTTP 404 Not Found (Python-3.13.2.tar.xz, Python-3.13.2.tgz)`).
fn by_source(tried: &[(String, String)]) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (url, why) in tried {
        let (dir, file) = url.rsplit_once('/').unwrap_or(("", url));
        match groups.last_mut() {
            Some((d, files)) if *d == dir => files.push((file, why)),
            _ => groups.push((dir, vec![(file, why)])),
        }
    }
    groups
        .into_iter()
        .map(|(dir, files)| {
            let dir = dir.escape_debug();
            let first_why = files[0].1;
            if files.iter().all(|(_, w)| *w == first_why) {
                let names: Vec<String> = files
                    .iter()
                    .map(|(f, _)| f.escape_debug().to_string())
                    .collect();
                format!("{dir}/: {first_why} ({})", names.join(", "))
            } else {
                let each: Vec<String> = files
                    .iter()
                    .map(|(f, w)| format!("{}: {w}", f.escape_debug()))
                    .collect();
                format!("{dir}/: {}", each.join("; "))
            }
        })
        .collect()
}

/// Hold `.locks/<file>.lock` in the cache, waiting for another pyv downloading `file`.
fn lock_file(
    cache: &Path,
    file: &str,
    reporter: &dyn Reporter,
) -> Result<std::fs::File, crate::locks::LockError> {
    crate::locks::wait_for(
        &pyv_core::CacheLayout::new(cache).download_lock(file),
        reporter,
        &format!("another pyv is downloading `{file}`; waiting for it"),
    )
    .map(|(lock, _waited)| lock)
}

/// A file of `attempts` already in the cache with the right digest; one with another digest
/// is a warning, and removed.
fn cached_copy(
    cache: &Path,
    attempts: &[(String, &Candidate)],
    reporter: &dyn Reporter,
) -> Option<PathBuf> {
    for (_, c) in attempts {
        let cached = cache.join(&c.file);
        if cached.is_file() {
            match hash_file(&cached) {
                Ok(d) if d == c.sha256 => {
                    reporter.note(&format!("using cached {}", cached.display()));
                    return Some(cached);
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
    None
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
        let client = crate::http::client(&limits)?;
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

/// SHA-256 of a file, lowercase hex.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut h = Sha256::new();
    io::copy(&mut open_regular(path)?, &mut HashWriter(&mut h))?;
    Ok(hex(&h.finalize()))
}

/// Open `path` for reading, refusing anything but a regular file without ever blocking: a FIFO
/// put where an archive was expected is opened non-blocking and then refused.
pub fn open_regular(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let t = f.metadata()?.file_type();
    if !t.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not an archive file",
                crate::install::request::file_kind(&t)
            ),
        ));
    }
    // O_NONBLOCK changes nothing for a regular file's reads.
    Ok(f)
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
