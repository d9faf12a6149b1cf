//! The artifact cache: every verified source build is packed into
//! `$PYV_CACHE_DIR/artifacts/<key>.tar.gz` with a `<key>.manifest` beside it, and a later
//! install with the same key (after `uninstall`, `--force`, in another `PYV_ROOT`, or from a
//! team's `PYV_ARTIFACT_MIRROR`) unpacks, relocates and verifies it instead of compiling.
//!
//! The key is a hash of everything that shapes the installed tree: the release (and, for a
//! local archive, its SHA-256), the configure options pyv passes (debug, free-threaded,
//! `PYV_CONFIGURE_OPTS`, the `--enable-shared` rpath), the compiler flags in the environment
//! (`CC`, `CFLAGS`, `CPPFLAGS`, `LDFLAGS`, ...), the platform (os-arch-libc) and the compiler
//! (`cc --version`, first line). The build prefix is not part of it: [`super::relocate`]
//! rewrites it.
//!
//! Compression: gzip level 1. On the 3.11.7 tree (305 MB, 9400 files) it packs in ~4 s to
//! 102 MB and unpacks in ~2 s; xz preset 0 makes 73 MB but takes ~17 s to pack and ~4-5 s
//! to unpack, which alone would use up the install's time budget (see the README).
//!
//! Integrity: the archive's SHA-256 is in the manifest and is checked before anything is
//! unpacked (through [`super::unpack`]'s safe extraction). The manifest itself is trusted: it
//! comes from this machine's cache or from a mirror the user named. It is parsed into a typed
//! [`Manifest`] (at most 64 KiB; a usable prefix, sha256, size and key) or the artifact is
//! treated as corrupt, and the archive download is capped at the size it names.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

pub use super::manifest::Manifest;
use super::request::{Plan, Source};
use super::{build, download, Settings};
use crate::digest::hex;
use crate::report::Reporter;
use pyv_core::env_vars::EnvVars;

/// Bumped when the archive layout or the key's inputs change meaning.
pub const FORMAT: &str = "1";
/// The archive's extension.
pub const EXT: &str = "tar.gz";
/// The archive's single top-level directory: the install prefix, whatever it was.
pub const TOP: &str = "python";

/// An artifact's identity: the file name stem and the inputs it was hashed from.
#[derive(Debug, Clone)]
pub struct Key {
    pub id: String,
    pub fields: Vec<(String, String)>,
}

/// `$PYV_CACHE_DIR/artifacts`.
pub fn dir(cache_dir: &Path) -> PathBuf {
    pyv_core::CacheLayout::new(cache_dir).artifacts_dir()
}

pub fn archive_path(cache_dir: &Path, id: &str) -> PathBuf {
    dir(cache_dir).join(format!("{id}.{EXT}"))
}

pub fn manifest_path(cache_dir: &Path, id: &str) -> PathBuf {
    dir(cache_dir).join(format!("{id}.manifest"))
}

/// The key of the build `plan` would produce with these settings.
pub fn key(settings: &Settings, plan: &Plan) -> Key {
    let env: Vec<String> = build::configure_env(plan, settings)
        .into_iter()
        .chain(settings.build_env.iter().cloned())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let source = match &plan.source {
        Source::Remote(_) => "release".to_string(),
        Source::Local { path, sha256 } => sha256
            .clone()
            .or_else(|| download::hash_file(path).ok())
            .map_or_else(|| "local".into(), |s| format!("sha256:{s}")),
    };
    let mut fields: Vec<(String, String)> = [
        ("format", FORMAT.to_string()),
        ("name", plan.name.clone()),
        ("version", plan.version.clone()),
        ("source", source),
        (
            "configure",
            build::configure_options(plan, settings).join(" "),
        ),
        ("env", env.join(" ")),
        ("platform", platform()),
        ("compiler", compiler(settings)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // python-build's variables that shape the build, when any is set (keys made without them
    // stay what they were).
    let python_build: Vec<String> = settings
        .python_build
        .key_vars
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !python_build.is_empty() {
        fields.push(("python-build".into(), python_build.join(" ")));
    }
    let mut h = Sha256::new();
    for (k, v) in &fields {
        h.update(format!("{k}={v}\n"));
    }
    let digest = hex(&h.finalize());
    let id = format!(
        "cpython-{}-{}-{}-{}",
        plan.name,
        std::env::consts::OS,
        std::env::consts::ARCH,
        &digest[..16]
    );
    Key { id, fields }
}

/// `linux-x86_64-glibc2.36`: what the binaries need from the system.
pub fn platform() -> String {
    format!(
        "{}-{}-{}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        libc_name()
    )
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn libc_name() -> String {
    extern "C" {
        fn gnu_get_libc_version() -> *const libc::c_char;
    }
    // SAFETY: glibc returns a pointer to a static NUL-terminated string.
    let v = unsafe { std::ffi::CStr::from_ptr(gnu_get_libc_version()) };
    format!("glibc{}", v.to_string_lossy())
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn libc_name() -> String {
    if cfg!(target_env = "musl") {
        "musl".into()
    } else {
        std::env::consts::FAMILY.into()
    }
}

/// The first line of `$CC --version` (`cc` when CC is unset); `none` without a compiler.
fn compiler(settings: &Settings) -> String {
    let cc = settings
        .build_env
        .iter()
        .find(|(k, _)| k == "CC")
        .map_or("cc", |(_, v)| v.as_str());
    let mut words = cc.split_whitespace();
    let Some(program) = words.next() else {
        return "none".into();
    };
    Command::new(program)
        .args(words)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(|l| l.trim().to_string())
        })
        .unwrap_or_else(|| "none".into())
}

/// An exclusive lock on one key in the cache dir (held while an artifact is written or read),
/// so that two installs never see an archive and a manifest from different builds.
pub struct KeyLock(#[allow(dead_code)] File);

pub fn lock(cache_dir: &Path, id: &str) -> io::Result<KeyLock> {
    Ok(KeyLock(pyv_core::fsx::lock_file(
        &pyv_core::CacheLayout::new(cache_dir).artifact_lock(id),
    )?))
}

/// [`lock`] if no install holds the key; `Ok(None)` if one does.
pub fn try_lock(cache_dir: &Path, id: &str) -> io::Result<Option<KeyLock>> {
    let lock = pyv_core::CacheLayout::new(cache_dir).artifact_lock(id);
    Ok(pyv_core::fsx::try_lock_file(&lock)?.map(KeyLock))
}

/// The key a file in the artifacts directory belongs to: `<key>.tar.gz`, `<key>.manifest`,
/// `<key>.tar.gz.part`, `.<key>.tar.gz.tmp-<pid>`, `.<key>.manifest.tmp-<pid>`.
pub fn key_of_file(name: &str) -> &str {
    let name = name.strip_prefix('.').unwrap_or(name);
    [format!(".{EXT}"), ".manifest".to_string()]
        .iter()
        .filter_map(|ext| name.find(ext.as_str()))
        .min()
        .map_or(name, |i| &name[..i])
}

/// Pack the verified tree at `tree` (built for `prefix`) as the artifact `key`. Returns the
/// archive's size. The archive goes to a temp file renamed into place, then the manifest; a
/// failure leaves nothing behind and the caller only warns.
pub fn store(
    cache_dir: &Path,
    key: &Key,
    tree: &Path,
    prefix: &Path,
    mode: crate::linktree::LinkMode,
) -> Result<u64, String> {
    let _lock = lock(cache_dir, &key.id).map_err(|e| format!("cannot lock the cache: {e}"))?;
    let archive = archive_path(cache_dir, &key.id);
    let tmp = archive.with_file_name(format!(".{}.{EXT}.tmp-{}", key.id, std::process::id()));
    let packed = pack(tree, &tmp);
    let (sha, size) = match packed.and_then(|r| fs::rename(&tmp, &archive).map(|()| r)) {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            // tar's errors keep the OS's reason (a full disk) in their source.
            let e = crate::error::with_causes(&e);
            return Err(format!("cannot write `{}`: {e}", archive.display()));
        }
    };
    let mut extra = key.fields.clone();
    extra.push(("created".into(), unix_now().to_string()));
    let m = Manifest::new(&key.id, &sha, size, &prefix.to_string_lossy(), &extra).map_err(|e| {
        let _ = fs::remove_file(&archive);
        format!("cannot describe `{}`: {e}", archive.display())
    })?;
    let mpath = manifest_path(cache_dir, &key.id);
    pyv_core::fsx::write_atomic(&mpath, m.to_text().as_bytes()).map_err(|e| {
        let _ = fs::remove_file(&archive);
        e.to_string()
    })?;
    // And unpacked (files of its own, unless PYV_LINK_MODE=hardlink), so that a reinstall
    // places files instead of unpacking; a failure here only costs that speed.
    let _ = super::unpacked::keep(cache_dir, &key.id, tree, &prefix.to_string_lossy(), mode);
    Ok(size)
}

/// tar + gzip level 1 of `tree` as `python/...` into `out`, hashed as it is written.
fn pack(tree: &Path, out: &Path) -> io::Result<(String, u64)> {
    let file = File::create(out)?;
    let hashing = HashingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        hasher: Sha256::new(),
        written: 0,
    };
    let gz = flate2::write::GzEncoder::new(hashing, flate2::Compression::new(1));
    let mut tar = tar::Builder::new(gz);
    tar.follow_symlinks(false);
    tar.append_dir_all(TOP, tree)?;
    let hashing = tar.into_inner()?.finish()?;
    let HashingWriter {
        inner,
        hasher,
        written,
    } = hashing;
    let file = inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok((hex(&hasher.finalize()), written))
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A verified artifact for `key`: from the local cache, else downloaded from the first
/// `PYV_ARTIFACT_MIRROR` base that has it (and kept in the local cache). `Ok(None)`: nobody
/// has it. A corrupt local artifact is removed and reported as a warning.
pub fn find(
    settings: &Settings,
    key: &Key,
    reporter: &dyn Reporter,
) -> Result<Option<(PathBuf, Manifest)>, String> {
    let cache = &settings.cache_dir;
    let archive = archive_path(cache, &key.id);
    let mpath = manifest_path(cache, &key.id);
    if let (Ok(text), true) = (read_small(&mpath), archive.is_file()) {
        match Manifest::parse(&text).and_then(|m| check(&archive, &m, key).map(|()| m)) {
            Ok(m) => return Ok(Some((archive, m))),
            Err(why) => {
                reporter.warn(&format!(
                    "cached build `{}` is unusable ({why}); it was removed",
                    archive.display()
                ));
                let _ = fs::remove_file(&archive);
                let _ = fs::remove_file(&mpath);
            }
        }
    }
    let mut tried = Vec::new();
    for base in &settings.artifact_mirrors {
        let base = base.trim_end_matches('/');
        if base.starts_with("oci://") {
            match pull_oci(base, key, &archive, &mpath) {
                Ok(Some(m)) => return Ok(Some((archive, m))),
                Ok(None) => reporter.note(&format!(
                    "{} has no build {} (tag {})",
                    base,
                    key.id,
                    crate::oci::tag::for_key(&key.id)
                )),
                Err(e) => tried.push(e),
            }
            continue;
        }
        let murl = format!("{base}/{}.manifest", key.id);
        let text = match fetch_text(&murl, reporter) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(e) => {
                tried.push(format!("{murl}: {e}"));
                continue;
            }
        };
        let m = match Manifest::parse(&text) {
            Ok(m) => m,
            Err(why) => {
                tried.push(format!("{murl}: a corrupt manifest: {why}"));
                continue;
            }
        };
        if m.key != key.id {
            tried.push(format!("{murl}: the manifest is for another key"));
            continue;
        }
        let url = format!("{base}/{}.{EXT}", key.id);
        let part = archive.with_file_name(format!("{}.{EXT}.part", key.id));
        match download::fetch_url(&url, &part, &m.sha256, Some(m.size), reporter) {
            Ok(()) => {
                fs::rename(&part, &archive).map_err(|e| e.to_string())?;
                pyv_core::fsx::write_atomic(&mpath, text.as_bytes()).map_err(|e| e.to_string())?;
                return Ok(Some((archive, m)));
            }
            Err(e) => tried.push(format!("{url}: {e}")),
        }
    }
    if tried.is_empty() {
        Ok(None)
    } else {
        Err(tried.join("; "))
    }
}

/// `key` from the OCI registry `base` (`oci://HOST/REPO`, checked when the settings were read).
fn pull_oci(
    base: &str,
    key: &Key,
    archive: &Path,
    mpath: &Path,
) -> Result<Option<Manifest>, String> {
    let env = |k: &str| std::env::var(k).ok();
    let reference = crate::oci::reference::Reference::parse(base, EnvVars::PYV_ARTIFACT_MIRROR)?;
    let creds = crate::oci::auth::lookup(&reference.registry, &env)?;
    let insecure = env(EnvVars::PYV_INSECURE_REGISTRY).unwrap_or_default();
    let mut reg = crate::oci::client::Registry::new(reference, &insecure, creds)?;
    crate::oci::artifact::pull(&mut reg, &key.id, archive, mpath)
}

/// The archive's bytes match the manifest, and the manifest is for this key.
fn check(archive: &Path, m: &Manifest, key: &Key) -> Result<(), String> {
    if m.key != key.id {
        return Err("its manifest names another key".into());
    }
    let len = fs::metadata(archive).map_err(|e| e.to_string())?.len();
    if len != m.size {
        return Err(format!(
            "the manifest says {} bytes, the archive has {len}",
            m.size
        ));
    }
    let actual = download::hash_file(archive).map_err(|e| e.to_string())?;
    if actual != m.sha256 {
        return Err(format!(
            "sha256 mismatch: the manifest says {}, the archive is {actual}",
            m.sha256
        ));
    }
    Ok(())
}

/// A manifest on disk, read up to [`super::manifest::MAX_BYTES`] (+1, so a larger one is seen
/// as such by the parser).
pub(crate) fn read_small(path: &Path) -> io::Result<String> {
    let mut text = String::new();
    File::open(path)?
        .take(super::manifest::MAX_BYTES + 1)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// A small text file from a mirror (at most 64 KiB): `None` when it is not there.
fn fetch_text(url: &str, reporter: &dyn Reporter) -> Result<Option<String>, String> {
    if let Some(path) = url.strip_prefix("file://") {
        return match read_small(Path::new(path)) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        };
    }
    let limits = crate::http::Limits::from_env(crate::http::Kind::Document);
    let client = crate::http::client(&limits).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let say = |m: &str| reporter.note(m);
    let resp = crate::http::send(client.get(url), url, &limits, &say)
        .map_err(|e| crate::http::describe(&e))?;
    match resp.status().as_u16() {
        200 => {
            let body = crate::http::read_small(resp, limits, started, super::manifest::MAX_BYTES)?;
            String::from_utf8(body)
                .map(Some)
                .map_err(|_| "the manifest is not UTF-8 text".into())
        }
        404 | 403 | 410 => Ok(None),
        s => Err(format!("HTTP {s}")),
    }
}

/// One cached artifact, for `pyv cache list`.
pub struct Listed {
    pub manifest: Manifest,
    pub size: u64,
}

/// The artifacts in the cache (those with a manifest), oldest first.
pub fn list(cache_dir: &Path) -> Vec<Listed> {
    let mut out: Vec<Listed> = fs::read_dir(dir(cache_dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".manifest")?;
            if name.starts_with('.') {
                return None;
            }
            let manifest = Manifest::parse(&read_small(&e.path()).ok()?).ok()?;
            let archive = archive_path(cache_dir, id);
            let size = fs::metadata(&archive).ok()?.len();
            Some(Listed { manifest, size })
        })
        .collect();
    out.sort_by_key(|l| l.manifest.created);
    out
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_belong_to_their_key() {
        for (file, key) in [
            (
                "cpython-3.12.1-linux-x86_64-0a1b.tar.gz",
                "cpython-3.12.1-linux-x86_64-0a1b",
            ),
            (
                "cpython-3.12.1-linux-x86_64-0a1b.manifest",
                "cpython-3.12.1-linux-x86_64-0a1b",
            ),
            ("cpython-3.12.1-k.tar.gz.part", "cpython-3.12.1-k"),
            (".cpython-3.12.1-k.tar.gz.tmp-42", "cpython-3.12.1-k"),
            (".cpython-3.12.1-k.manifest.tmp-42", "cpython-3.12.1-k"),
            ("stray", "stray"),
        ] {
            assert_eq!(super::key_of_file(file), key, "{file}");
        }
    }
}
