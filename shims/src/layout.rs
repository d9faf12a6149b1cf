//! Every path pyv uses on disk has one typed getter here, so no other code joins
//! `root.join("versions")` by hand.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `$PYV_ROOT` and what lives in it.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }

    /// `$PYV_ROOT` if set and non-empty (made absolute: the shims dir goes on PATH), else
    /// `~/.pyv`.
    pub fn from_env() -> Self {
        Self::from_root_var(std::env::var_os("PYV_ROOT"))
    }

    pub fn from_root_var(var: Option<OsString>) -> Self {
        match var {
            Some(v) if !v.is_empty() => {
                let p = PathBuf::from(v);
                Layout::new(std::path::absolute(&p).unwrap_or(p))
            }
            _ => {
                let home = std::env::var_os("HOME")
                    .filter(|h| !h.is_empty())
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("/"));
                Layout::new(home.join(".pyv"))
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn versions_dir(&self) -> PathBuf {
        self.root.join("versions")
    }
    /// `versions/<name>`; `name` must already have passed `name::validate`.
    pub fn version_dir(&self, name: &str) -> PathBuf {
        self.versions_dir().join(name)
    }
    pub fn shims_dir(&self) -> PathBuf {
        self.root.join("shims")
    }
    /// Command names `pyv rehash` makes no shim for, one a line (`pyv shims --skip`).
    pub fn skip_file(&self) -> PathBuf {
        self.root.join("shims.skip")
    }
    /// The global version file (pyenv's `$PYENV_ROOT/version`).
    pub fn global_file(&self) -> PathBuf {
        self.root.join("version")
    }
    /// Where the shim binary that every shim links to is kept.
    pub fn shim_binary(&self) -> PathBuf {
        self.root.join("libexec").join("pyv-shim")
    }
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn locks_dir(&self) -> PathBuf {
        self.root.join(".locks")
    }
    /// Source trees kept by `pyv install --keep`, one per version.
    pub fn sources_dir(&self) -> PathBuf {
        self.root.join("sources")
    }
    /// Scratch space on the same filesystem as `versions/`, so staged trees can be renamed in.
    pub fn staging_dir(&self) -> PathBuf {
        self.root.join(".staging")
    }
}
