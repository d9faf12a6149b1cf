//! Partial work and the moment it becomes visible. Each install holds a kernel `flock` on
//! `.locks/version-<name>.lock` (released by the kernel even on SIGKILL), works in
//! `.staging/<name>.<pid>/` (invisible: listings skip dot-names), and publishes with one
//! `rename` into `versions/`. A rebuild (`--force`) moves the old tree aside only after the new
//! one is complete and verified, and puts it back if the final rename fails.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use pyv_core::rehash::remove_any;
use pyv_core::Layout;

use super::progress::Ui;
use super::{signals, InstallError, Result};

/// The per-version lock; held for the whole install or uninstall.
pub struct VersionLock {
    _file: File,
    /// Another process held it first and we waited.
    pub waited: bool,
}

fn lock_path(layout: &Layout, name: &str) -> PathBuf {
    layout.locks_dir().join(format!("version-{name}.lock"))
}

fn open_lock(layout: &Layout, name: &str) -> Result<File> {
    let dir = layout.locks_dir();
    fs::create_dir_all(&dir).map_err(|e| InstallError::io("cannot create", &dir, e))?;
    let path = lock_path(layout, name);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| InstallError::io("cannot open lock", &path, e))
}

impl VersionLock {
    /// Take the lock of version `name`, waiting (and saying so) if another pyv holds it.
    pub fn acquire(layout: &Layout, name: &str, ui: &Ui) -> Result<VersionLock> {
        let file = open_lock(layout, name)?;
        match file.try_lock() {
            Ok(()) => {
                return Ok(VersionLock {
                    _file: file,
                    waited: false,
                })
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(InstallError::io("cannot lock", lock_path(layout, name), e))
            }
        }
        ui.note("another pyv is installing or removing this version; waiting for it");
        loop {
            match file.lock() {
                Ok(()) => {
                    return Ok(VersionLock {
                        _file: file,
                        waited: true,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => signals::check()?,
                Err(e) => return Err(InstallError::io("cannot lock", lock_path(layout, name), e)),
            }
        }
    }

    /// Take the lock only if nobody holds it.
    pub fn try_acquire(layout: &Layout, name: &str) -> Option<VersionLock> {
        let file = open_lock(layout, name).ok()?;
        file.try_lock().ok()?;
        Some(VersionLock {
            _file: file,
            waited: false,
        })
    }
}

/// The version a staging entry belongs to: `<name>.<pid>` or `<name>.<pid>-<what>`.
fn staged_version(entry: &str) -> Option<&str> {
    let (name, pid) = entry.rsplit_once('.')?;
    let pid = pid.split('-').next()?;
    (!name.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// Remove leftovers of killed installs and uninstalls: those of `own` (whose lock we hold) and
/// those of any other version whose lock nobody holds.
pub fn remove_stale(layout: &Layout, own: &str) {
    let Ok(rd) = fs::read_dir(layout.staging_dir()) else {
        return;
    };
    for e in rd.flatten() {
        let file_name = e.file_name();
        let Some(version) = file_name.to_str().and_then(staged_version) else {
            continue;
        };
        if version == own {
            let _ = remove_any(&e.path());
        } else if let Some(_lock) = VersionLock::try_acquire(layout, version) {
            let _ = remove_any(&e.path());
        }
    }
}

/// `.staging/<name>.<pid>/`: everything an install writes before it is published. Removed on
/// drop, so every error path and every caught signal cleans up.
pub struct Stage {
    dir: PathBuf,
}

impl Stage {
    pub fn create(layout: &Layout, name: &str) -> Result<Stage> {
        Self::create_named(layout, &format!("{name}.{}", std::process::id()))
    }

    /// A stage with an explicit entry name (uninstall uses `<name>.<pid>-uninstall`).
    pub fn create_named(layout: &Layout, entry: &str) -> Result<Stage> {
        let dir = layout.staging_dir().join(entry);
        let _ = remove_any(&dir);
        fs::create_dir_all(&dir).map_err(|e| InstallError::io("cannot create", &dir, e))?;
        Ok(Stage { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
    /// Where the archive is extracted.
    pub fn src_dir(&self) -> PathBuf {
        self.dir.join("src")
    }
    /// `make install DESTDIR=` this.
    pub fn dest_dir(&self) -> PathBuf {
        self.dir.join("dest")
    }
    /// Where `make install DESTDIR=...` puts a tree configured with `--prefix=target`.
    pub fn staged_prefix(&self, target: &Path) -> PathBuf {
        let rel = target.strip_prefix("/").unwrap_or(target);
        self.dest_dir().join(rel)
    }

    /// Publish the staged tree as `target` with one rename; an existing `target` (a `--force`
    /// rebuild) is moved aside first and restored if the rename fails.
    pub fn commit(&self, target: &Path) -> Result<()> {
        let staged = self.staged_prefix(target);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| InstallError::io("cannot create", parent, e))?;
        }
        let aside = self.dir.join("old");
        let had_old = fs::symlink_metadata(target).is_ok();
        if had_old {
            fs::rename(target, &aside)
                .map_err(|e| InstallError::io("cannot move aside", target, e))?;
        }
        if let Err(e) = fs::rename(&staged, target) {
            if had_old {
                let _ = fs::rename(&aside, target);
            }
            return Err(InstallError::io("cannot move into place", target, e));
        }
        Ok(())
    }

    /// Move the source tree out of the stage (`--keep`), replacing an older kept one.
    pub fn keep_source(&self, src: &Path, dest: &Path, ui: &Ui) {
        let moved = dest
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| remove_any(dest))
            .and_then(|()| fs::rename(src, dest));
        match moved {
            Ok(()) => ui.note(&format!("kept the source tree in {}", dest.display())),
            Err(e) => ui.warn(&format!(
                "could not keep the source tree in {}: {e}",
                dest.display()
            )),
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = remove_any(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_entry_names() {
        assert_eq!(staged_version("3.11.2.1234"), Some("3.11.2"));
        assert_eq!(staged_version("3.13.5t.99-uninstall"), Some("3.13.5t"));
        assert_eq!(staged_version("3.11.2"), Some("3.11"));
        assert_eq!(staged_version("junk"), None);
        assert_eq!(staged_version("a.b"), None);
    }
}
