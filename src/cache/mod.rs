//! What `$PYV_CACHE_DIR` holds, and how it is emptied: reusable builds (`artifacts/` with their
//! unpacked copies), downloaded archives, virtualenv templates, and the scratch killed runs
//! left. Everything in it is re-creatable: clearing only costs a download or a compile.
//! `commands::cache` prints and asks; this module finds and removes, and never prints.

pub mod clear;
pub mod scratch;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use pyv_core::CacheLayout;

use crate::install::{artifact, unpacked};

/// A cached build.
pub struct Build {
    pub artifact: artifact::Listed,
    /// The size of its unpacked copy, if it has one. Its files are shared by hard links with
    /// the versions installed from it: this is what clearing it gives back once those are gone.
    pub unpacked: Option<u64>,
}

/// A downloaded archive (or the `.part` of one).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Download {
    pub path: PathBuf,
    pub size: u64,
    /// Unix seconds.
    pub mtime: u64,
}

impl Download {
    /// The file's name, as the download lock is named.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    }
}

/// Everything in the cache, as `pyv cache list` shows it.
pub struct Contents {
    pub builds: Vec<Build>,
    pub downloads: Vec<Download>,
    /// Template directories (see `venv::fast`).
    pub templates: Vec<PathBuf>,
    pub scratch: Vec<scratch::Scratch>,
}

/// What `cache` holds.
pub fn contents(cache: &Path) -> Contents {
    let builds = artifact::list(cache)
        .into_iter()
        .map(|a| Build {
            unpacked: unpacked::size(cache, &a.manifest.key),
            artifact: a,
        })
        .collect();
    Contents {
        builds,
        downloads: downloads(cache),
        templates: templates(cache),
        scratch: scratch::find(cache),
    }
}

/// The templates `pyv virtualenv` writes environments from (see `venv::fast`).
pub fn templates(cache: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(CacheLayout::new(cache).templates_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("template.info").is_file())
        .collect();
    out.sort();
    out
}

/// Whether a file directly in the cache dir is a downloaded archive (any flavour: python.org
/// sources, prebuilt `cpython-*.tar.gz`, PyPy's `.tar.bz2`, a conda installer `.sh`, ...) or
/// the `.part` of one.
fn is_download(name: &str) -> bool {
    let name = name.strip_suffix(".part").unwrap_or(name);
    !name.starts_with('.')
        && [
            ".tgz", ".tar.xz", ".tar.gz", ".tar.bz2", ".tar.zst", ".zip", ".sh",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Downloaded archives (and `.part` downloads) directly in the cache dir, by path.
pub fn downloads(cache: &Path) -> Vec<Download> {
    let mut out: Vec<_> = fs::read_dir(CacheLayout::new(cache).downloads_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| is_download(&e.file_name().to_string_lossy()))
        .filter_map(|e| {
            let m = e.metadata().ok().filter(|m| m.is_file())?;
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            Some(Download {
                path: e.path(),
                size: m.len(),
                mtime,
            })
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn downloads_are_archives_of_any_flavour() {
        for yes in [
            "Python-3.12.1.tgz",
            "Python-3.12.1.tar.xz.part",
            "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz",
            "pypy3.10-v7.3.17-linux64.tar.bz2",
            "Miniforge3-24.11.0-0-Linux-x86_64.sh",
            "Anaconda3-2024.10-1-Linux-x86_64.sh.part",
        ] {
            assert!(super::is_download(yes), "{yes}");
        }
        for no in ["notes.txt", ".Python-3.12.1.tgz.tmp", "catalog", "x.part"] {
            assert!(!super::is_download(no), "{no}");
        }
    }
}
