//! Every path pyv uses on disk has one typed getter here, so no other code joins
//! `root.join("versions")` by hand: [`Layout`] for `$PYV_ROOT`, [`CacheLayout`] for
//! `$PYV_CACHE_DIR`. Getters only build paths; none touches the disk.

use crate::env_vars::EnvVars;
use crate::error::{Error, Result};
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

    /// `$PYV_ROOT` if set and non-empty, else `$HOME/.pyv` (`/.pyv` without a `HOME`). A
    /// relative value is refused ([`Error::RelativeRoot`]), not resolved against the current
    /// directory: the root would then follow `cd`, and a shim run inside a repository would
    /// execute that repository's `.pyv/versions/*/bin/*`.
    pub fn from_env() -> Result<Self> {
        Self::from_root_var(std::env::var_os(EnvVars::PYV_ROOT))
    }

    /// [`Layout::from_env`] with `$PYV_ROOT`'s value given (`HOME` is still read from the
    /// environment); an empty value is the same as unset.
    pub fn from_root_var(var: Option<OsString>) -> Result<Self> {
        Self::from_vars(var, std::env::var_os(EnvVars::HOME))
    }

    fn from_vars(root: Option<OsString>, home: Option<OsString>) -> Result<Self> {
        let relative = |var: &'static str, value: &OsString| Error::RelativeRoot {
            var,
            value: value.to_string_lossy().into_owned(),
        };
        match root.filter(|v| !v.is_empty()) {
            Some(v) if Path::new(&v).is_absolute() => Ok(Layout::new(v)),
            Some(v) => Err(relative(EnvVars::PYV_ROOT, &v)),
            None => match home {
                Some(h) if Path::new(&h).is_absolute() => {
                    Ok(Layout::new(Path::new(&h).join(".pyv")))
                }
                Some(h) => Err(relative(EnvVars::HOME, &h)),
                None => Ok(Layout::new("/.pyv")),
            },
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
    /// `versions/<version>/envs`: the virtualenvs built on `version` (pyenv-virtualenv's
    /// place for them).
    pub fn envs_dir(&self, version: &str) -> PathBuf {
        self.version_dir(version).join("envs")
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
        self.libexec_dir().join("pyv-shim")
    }
    pub fn libexec_dir(&self) -> PathBuf {
        self.root.join("libexec")
    }
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn locks_dir(&self) -> PathBuf {
        self.root.join(".locks")
    }
    /// `.locks/<name>.lock`, the file a kernel lock named `name` is taken on.
    pub fn lock_file(&self, name: &str) -> PathBuf {
        self.locks_dir().join(format!("{name}.lock"))
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

/// `$PYV_CACHE_DIR` and what lives in it. Everything there is re-creatable: downloads sit
/// directly in it, beside `artifacts/` (the packed builds), `unpacked/` (their unpacked
/// copies), `venv/` (virtualenv templates) and `catalog/` (fetched release data).
#[derive(Debug, Clone)]
pub struct CacheLayout {
    root: PathBuf,
}

impl CacheLayout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        CacheLayout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    /// Where downloaded archives (and their `.part`s) are kept: the cache directory itself.
    pub fn downloads_dir(&self) -> &Path {
        &self.root
    }
    /// `.locks/<file>.lock`: held while `file` is downloaded. In the cache, not the root, so it
    /// serialises installs from different roots that share the cache.
    pub fn download_lock(&self, file: &str) -> PathBuf {
        self.root.join(".locks").join(format!("{file}.lock"))
    }
    /// `artifacts/`: packed builds, `<key>.tar.gz` with a `<key>.manifest` beside it.
    pub fn artifacts_dir(&self) -> PathBuf {
        self.root.join("artifacts")
    }
    /// `artifacts/.<key>.lock`: held while the build `key` (and its unpacked copy) is written.
    pub fn artifact_lock(&self, key: &str) -> PathBuf {
        self.artifacts_dir().join(format!(".{key}.lock"))
    }
    /// `unpacked/`: the unpacked copies of artifacts that installs hard-link from.
    pub fn unpacked_dir(&self) -> PathBuf {
        self.root.join("unpacked")
    }
    /// `venv/`: the templates `pyv virtualenv` writes environments from.
    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("venv")
    }
    /// `venv/.<key>.lock`: held while the template `key` is stored or used.
    pub fn template_lock(&self, key: &str) -> PathBuf {
        self.templates_dir().join(format!(".{key}.lock"))
    }
    /// `catalog/`: release data fetched by `pyv update`.
    pub fn catalog_dir(&self) -> PathBuf {
        self.root.join("catalog")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(root: Option<&str>, home: Option<&str>) -> Result<PathBuf> {
        Layout::from_vars(root.map(Into::into), home.map(Into::into)).map(|l| l.root)
    }

    #[test]
    fn the_root_is_absolute_or_refused() {
        assert_eq!(root(Some("/r"), Some(".")).unwrap(), Path::new("/r"));
        assert_eq!(root(None, Some("/h")).unwrap(), Path::new("/h/.pyv"));
        assert_eq!(
            root(Some(""), Some("/h")).unwrap(),
            Path::new("/h/.pyv"),
            "empty is unset"
        );
        assert_eq!(root(None, None).unwrap(), Path::new("/.pyv"));
        for (r, h, var, value) in [
            (Some(".pyv"), Some("/h"), "PYV_ROOT", ".pyv"),
            (Some("x/../r"), None, "PYV_ROOT", "x/../r"),
            (None, Some("."), "HOME", "."),
            (Some(""), Some("home"), "HOME", "home"),
            (None, Some(""), "HOME", ""),
        ] {
            let e = root(r, h).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains(var) && msg.contains(&format!("`{value}`")),
                "{msg}"
            );
            let hint = e.hint().unwrap();
            assert!(hint.contains("to an absolute path"), "{hint}");
        }
    }
}
