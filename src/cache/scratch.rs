//! The scratch a killed pyv leaves in the download cache, in one place: what each kind is
//! called, which lock its owner held, and the one sweep that removes it. The kinds:
//!
//! - `unpacked/.<key>.tmp-<pid>`: an unpacked copy being written (`install::unpacked::keep`,
//!   under the artifact key's lock);
//! - `venv/.build-<key>-<pid>`: a virtualenv template being stored (`venv::fast::store`, under
//!   `venv/.<key>.lock`).
//!
//! (Install staging lives in `$PYV_ROOT/.staging` and is swept by `locks::sweep_staging`; the
//! template that venv writes first sits beside the environments and is swept with them.)
//!
//! A scratch directory is stale when its owner's process is gone **and** nobody holds its
//! key's lock; it is then removed under that lock, so a sweep never races the pyv that is
//! writing it. Only real directories named like pyv's scratch are touched: a symlink with such
//! a name is left alone and never followed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a scratch directory was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unpacked,
    TemplateBuild,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Unpacked => "unpacked copy being written",
            Kind::TemplateBuild => "virtualenv template being stored",
        }
    }
}

/// One scratch directory.
#[derive(Debug)]
pub struct Scratch {
    pub path: PathBuf,
    pub kind: Kind,
    pub key: String,
    pub pid: u32,
    /// Bytes of the files in it.
    pub size: u64,
}

impl Scratch {
    /// Whether the process that made it still runs.
    pub fn owner_alive(&self) -> bool {
        // SAFETY: signal 0 only probes the pid.
        let r = unsafe { libc::kill(self.pid as libc::pid_t, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }

    /// The lock its owner held while writing it.
    fn lock_path(&self, cache: &Path) -> PathBuf {
        let cache = pyv_core::CacheLayout::new(cache);
        match self.kind {
            Kind::Unpacked => cache.artifact_lock(&self.key),
            Kind::TemplateBuild => cache.template_lock(&self.key),
        }
    }
}

/// `(key, pid)` of a scratch name, for each kind.
fn parse(kind: Kind, name: &str) -> Option<(String, u32)> {
    let (key, pid) = match kind {
        Kind::Unpacked => name.strip_prefix('.')?.rsplit_once(".tmp-")?,
        Kind::TemplateBuild => name.strip_prefix(".build-")?.rsplit_once('-')?,
    };
    let ok_key = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
    let pid = pid.parse().ok().filter(|p| *p > 0)?;
    ok_key.then(|| (key.to_string(), pid))
}

/// Every scratch directory in `cache`, with its size.
pub fn find(cache: &Path) -> Vec<Scratch> {
    let mut out = Vec::new();
    let layout = pyv_core::CacheLayout::new(cache);
    for (kind, dir) in [
        (Kind::Unpacked, layout.unpacked_dir()),
        (Kind::TemplateBuild, layout.templates_dir()),
    ] {
        for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some((key, pid)) = parse(kind, &name) else {
                continue;
            };
            // A real directory only: never a link pyv did not make.
            if !fs::symlink_metadata(e.path()).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            out.push(Scratch {
                size: tree_size(&e.path()),
                path: e.path(),
                kind,
                key,
                pid,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Bytes of the regular files below `dir` (links not followed).
pub fn tree_size(dir: &Path) -> u64 {
    let mut total = 0;
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        match fs::symlink_metadata(e.path()) {
            Ok(m) if m.is_dir() => total += tree_size(&e.path()),
            Ok(m) if m.is_file() => total += m.len(),
            _ => {}
        }
    }
    total
}

/// What one sweep did.
#[derive(Debug, Default)]
pub struct Swept {
    /// Removed: path and bytes.
    pub removed: Vec<(PathBuf, u64)>,
    /// Still in use by a running pyv.
    pub in_use: Vec<PathBuf>,
    /// Could not be removed, and why.
    pub failed: Vec<(PathBuf, io::Error)>,
}

/// Remove every stale scratch directory of `cache` (owner gone, lock free), under its lock.
pub fn sweep(cache: &Path) -> Swept {
    let mut swept = Swept::default();
    for s in find(cache) {
        if s.owner_alive() {
            swept.in_use.push(s.path);
            continue;
        }
        let lock = match pyv_core::fsx::try_lock_file(&s.lock_path(cache)) {
            Ok(Some(lock)) => lock,
            Ok(None) => {
                swept.in_use.push(s.path);
                continue;
            }
            Err(e) => {
                swept.failed.push((s.path, io::Error::other(e.to_string())));
                continue;
            }
        };
        match pyv_core::fsx::remove_any(&s.path) {
            Ok(()) => swept.removed.push((s.path, s.size)),
            Err(e) => swept.failed.push((s.path, e)),
        }
        drop(lock);
    }
    swept
}

/// [`sweep`] on a background thread, beside the command's own work (it is housekeeping: what
/// is not done when the command ends is left for the next one).
pub fn sweep_in_background(cache: &Path) {
    if find(cache).is_empty() {
        return;
    }
    let cache = cache.to_path_buf();
    crate::locks::in_background(std::thread::spawn(move || {
        let _ = sweep(&cache);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names() {
        assert_eq!(
            parse(Kind::Unpacked, ".cpython-3.12.1-linux-x86_64-ab12.tmp-4321"),
            Some(("cpython-3.12.1-linux-x86_64-ab12".into(), 4321))
        );
        assert_eq!(
            parse(Kind::TemplateBuild, ".build-0a1b2c3d4e5f60718293-77"),
            Some(("0a1b2c3d4e5f60718293".into(), 77))
        );
        assert_eq!(parse(Kind::Unpacked, "cpython-3.12.1"), None);
        assert_eq!(parse(Kind::Unpacked, ".k.tmp-x"), None);
        assert_eq!(parse(Kind::Unpacked, "..tmp-1"), None);
        assert_eq!(parse(Kind::TemplateBuild, ".build--1"), None);
        assert_eq!(parse(Kind::TemplateBuild, ".a.lock"), None);
        assert_eq!(parse(Kind::Unpacked, "./etc.tmp-1"), None);
    }
}
