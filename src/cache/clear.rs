//! Emptying the cache: [`plan`] what is there to remove, then remove it part by part
//! ([`builds`], [`downloads`], then `scratch::sweep` and [`templates`]), so the caller can say what happened
//! after each. Whatever a running pyv holds (a build's key lock, a download's lock, a template
//! being stored) is kept and named, never removed under it.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use pyv_core::CacheLayout;

use super::Download;
use crate::error::{Error, Result};
use crate::install::{artifact, unpacked};

/// What a clear will remove: `None` for a part not asked for.
pub struct Plan {
    pub builds: Option<Vec<artifact::Listed>>,
    pub downloads: Option<Vec<Download>>,
}

impl Plan {
    /// Whether the whole cache is cleared (then also the scratch and the templates).
    pub fn everything(&self) -> bool {
        self.builds.is_some() && self.downloads.is_some()
    }
}

/// What clearing `cache` of its builds (`artifacts`) and/or downloads would remove.
pub fn plan(cache: &Path, artifacts: bool, downloads: bool) -> Plan {
    Plan {
        builds: artifacts.then(|| artifact::list(cache)),
        downloads: downloads.then(|| super::downloads(cache)),
    }
}

/// How many listed things went, and their bytes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Freed {
    pub count: usize,
    pub bytes: u64,
}

/// Remove every artifact whose key lock is free (builds, temp files, partial mirror downloads),
/// with its unpacked copy, never a lock file; the keys held by a running install go to
/// `in_use`. Then the unpacked copies whose archive is gone. Counts the `listed` builds.
pub fn builds(
    cache: &Path,
    listed: &[artifact::Listed],
    in_use: &mut Vec<String>,
) -> Result<Freed> {
    let dir = artifact::dir(cache);
    let mut by_key: BTreeMap<String, Vec<PathBuf>> = Default::default();
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".lock") {
            continue; // a lock file is never unlinked: a holder would keep a lock nobody sees
        }
        by_key
            .entry(artifact::key_of_file(&name).to_string())
            .or_default()
            .push(e.path());
    }
    let mut freed = Freed::default();
    for (key, paths) in by_key {
        let Some(_held) =
            artifact::try_lock(cache, &key).map_err(|e| Error::io("cannot lock", &dir, e))?
        else {
            in_use.push(key);
            continue;
        };
        // The unpacked copy reinstalls link from goes with its archive (installed versions keep
        // their hard links).
        let unpacked_size = unpacked::size(cache, &key).unwrap_or(0);
        for p in paths.iter().chain([&unpacked::dir(cache, &key)]) {
            remove(p)?;
        }
        if let Some(a) = listed.iter().find(|a| a.manifest.key == key) {
            freed.count += 1;
            freed.bytes += a.size + unpacked_size;
        }
    }
    orphaned_unpacked(cache, &dir)?;
    Ok(freed)
}

/// Unpacked copies whose archive is gone (removed by hand, or by an older pyv).
fn orphaned_unpacked(cache: &Path, artifacts: &Path) -> Result<()> {
    for e in std::fs::read_dir(CacheLayout::new(cache).unpacked_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        let key = e.file_name().to_string_lossy().into_owned();
        if !key.starts_with('.') && !artifact::manifest_path(cache, &key).exists() {
            if let Some(_held) = artifact::try_lock(cache, &key)
                .map_err(|e| Error::io("cannot lock", artifacts, e))?
            {
                remove(&e.path())?;
            }
        }
    }
    Ok(())
}

/// Remove the `found` downloads that no running download holds (see `install::download`);
/// the names of those it holds go to `in_use`.
pub fn downloads(cache: &Path, found: &[Download], in_use: &mut Vec<String>) -> Result<Freed> {
    let layout = CacheLayout::new(cache);
    let mut freed = Freed::default();
    for d in found {
        let name = d.file_name();
        let lock = layout.download_lock(name.trim_end_matches(".part"));
        let Some(_held) = pyv_core::fsx::try_lock_file(&lock)? else {
            in_use.push(name);
            continue;
        };
        remove(&d.path)?;
        freed.count += 1;
        freed.bytes += d.size;
    }
    Ok(freed)
}

/// What removing the virtualenv templates did.
#[derive(Debug, Default)]
pub struct Templates {
    pub removed: usize,
    /// Whether a template was kept because a running pyv is storing it.
    pub kept_in_use: bool,
    /// Could not be removed, and why.
    pub failed: Vec<(PathBuf, io::Error)>,
}

/// Remove every virtualenv template no running pyv is storing. Removing one only means the
/// next environment of that version runs venv once more.
pub fn templates(cache: &Path) -> Result<Templates> {
    let layout = CacheLayout::new(cache);
    let mut done = Templates::default();
    for t in super::templates(cache) {
        let key = t
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        match pyv_core::fsx::try_lock_file(&layout.template_lock(&key))? {
            Some(_held) => match pyv_core::fsx::remove_any(&t) {
                Ok(()) => done.removed += 1,
                Err(e) => done.failed.push((t, e)),
            },
            None => done.kept_in_use = true,
        }
    }
    Ok(done)
}

fn remove(p: &Path) -> Result<()> {
    match pyv_core::fsx::remove_any(p) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io("cannot remove", p, e)),
        _ => Ok(()),
    }
}
