//! Partial work and the moment it becomes visible. Each install holds a kernel `flock` on
//! `.locks/version-<name>.lock` (released by the kernel even on SIGKILL), works in
//! `.staging/<name>.<pid>/` (invisible: listings skip dot-names), and publishes with one
//! `rename` into `versions/`. A rename cannot cross filesystems (EXDEV), so when `versions/` is
//! on another one than `.staging/` (pyenv users often make `versions` a symlink to a bigger
//! disk) the stages live beside the real versions directory instead, in
//! `<real versions dir>/.pyv-staging/` ([`staging_dir`]; listings skip it too). A rebuild
//! (`--force`) swaps the complete, verified new tree with the old one atomically. The
//! per-version lock and the sweep of leftovers are in [`crate::locks`].

use std::fs;
use std::path::{Path, PathBuf};

use pyv_core::fsx::{exchange, remove_any};
use pyv_core::Layout;

use super::{InstallError, Result};
use crate::report::Reporter;

/// The stages' directory inside the real `versions/` when that is on another filesystem.
pub const IN_VERSIONS: &str = ".pyv-staging";

/// Where this root's stages go: `.staging/`, or `<real versions dir>/.pyv-staging/` when
/// `versions/` is on another filesystem than `.staging/` (or, before it exists, the root), so
/// that publishing (and uninstall's move out of `versions/`) stays one rename.
pub fn staging_dir(layout: &Layout) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let default = layout.staging_dir();
    let versions = layout.versions_dir();
    let Ok(v) = fs::metadata(&versions) else {
        return default;
    };
    let here = fs::metadata(&default).or_else(|_| fs::metadata(layout.root()));
    if here.is_ok_and(|s| s.dev() == v.dev()) {
        return default;
    }
    versions
        .canonicalize()
        .unwrap_or(versions)
        .join(IN_VERSIONS)
}

/// `.staging/<name>.<pid>/` (see [`staging_dir`]): everything an install writes before it is
/// published. Removed on drop, so every error path and every caught signal cleans up.
pub struct Stage {
    dir: PathBuf,
}

impl Stage {
    pub fn create(layout: &Layout, name: &str) -> Result<Stage> {
        Self::create_named(layout, &format!("{name}.{}", std::process::id()))
    }

    /// A stage with an explicit entry name (uninstall uses `<name>.<pid>-uninstall`).
    pub fn create_named(layout: &Layout, entry: &str) -> Result<Stage> {
        let dir = staging_dir(layout).join(entry);
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

    /// Publish the staged tree as `target` with one rename. A `--force` rebuild swaps the new
    /// tree with the old one in a single `renameat2(RENAME_EXCHANGE)`, so a shim running at that
    /// moment finds either the old or the new version, never neither; the old tree ends up in
    /// the stage and goes with it.
    pub fn commit(&self, target: &Path) -> Result<()> {
        let staged = self.staged_prefix(target);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| InstallError::io("cannot create", parent, e))?;
        }
        let published = if fs::symlink_metadata(target).is_ok() {
            exchange(&staged, target)
        } else {
            fs::rename(&staged, target)
        };
        published.map_err(|e| InstallError::io("cannot move into place", target, e))
    }

    /// Move the source tree out of the stage (`--keep`), replacing an older kept one. The
    /// stage may be on another filesystem than `sources/` ([`staging_dir`]): then it is copied.
    pub fn keep_source(&self, src: &Path, dest: &Path, reporter: &dyn Reporter) {
        let moved = dest
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| remove_any(dest))
            .and_then(|()| match fs::rename(src, dest) {
                Err(e) if e.raw_os_error() == Some(libc::EXDEV) => copy_tree(src, dest),
                other => other,
            });
        match moved {
            Ok(()) => reporter.note(&format!("kept the source tree in {}", dest.display())),
            Err(e) => reporter.warn(&format!(
                "could not keep the source tree in {}: {e}",
                dest.display()
            )),
        }
    }
}

impl Stage {
    /// Remove the stage with a detached `rm -rf` instead of on drop. After a `--force` publish
    /// it holds the whole old tree (~300 MB, ~10,000 files for a CPython: about a second to
    /// delete), which the install need not wait for; the new version is already in place. A
    /// removal cut short is swept by the next install of this version (`locks::sweep_staging`).
    /// Without `rm`, the stage is removed here as before.
    pub fn remove_in_background(self) {
        use std::os::unix::process::CommandExt;
        use std::process::{Command, Stdio};
        let spawned = Command::new("rm")
            .arg("-rf")
            .arg("--")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        if spawned.is_ok() {
            std::mem::forget(self);
        }
    }
}

/// `cp -a src dest`; a partial copy is removed.
fn copy_tree(src: &Path, dest: &Path) -> std::io::Result<()> {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg("--")
        .arg(src)
        .arg(dest)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    if status.success() {
        return Ok(());
    }
    let _ = remove_any(dest);
    Err(std::io::Error::other(format!("`cp -a` failed ({status})")))
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = remove_any(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    /// A `--force` rebuild exchanges the trees in one step: the old tree ends up exactly where
    /// the new one was staged (moving it aside first left a moment with no version at all).
    #[test]
    fn forced_publish_exchanges_old_and_new() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = Layout::new(tmp.path().join("root"));
        let target = layout.version_dir("3.11.2");
        fs::create_dir_all(target.join("bin")).unwrap();
        fs::write(target.join("bin/python"), "old").unwrap();
        let old_inode = fs::metadata(&target).unwrap().ino();

        let stage = Stage::create(&layout, "3.11.2").unwrap();
        let staged = stage.staged_prefix(&target);
        fs::create_dir_all(staged.join("bin")).unwrap();
        fs::write(staged.join("bin/python"), "new").unwrap();
        stage.commit(&target).unwrap();

        assert_eq!(
            fs::read_to_string(target.join("bin/python")).unwrap(),
            "new"
        );
        assert_eq!(fs::metadata(&staged).unwrap().ino(), old_inode);
        let stage_dir = stage.path().to_path_buf();
        drop(stage);
        assert!(!stage_dir.exists(), "the old tree goes with the stage");
    }
}
