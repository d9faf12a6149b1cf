//! `pyv cache`: what the cache holds (reusable builds and downloaded source archives) and how
//! to empty it. Everything in it is re-creatable: clearing only costs a download or a compile.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use clap::{Args, Subcommand};

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::install::artifact;
use crate::ui::bytes;

/// Show or clear the build artifact cache and the downloaded source archives
#[derive(Args)]
pub struct Cache {
    #[command(subcommand)]
    pub action: CacheAction,
}

#[derive(Subcommand)]
pub enum CacheAction {
    /// List cached builds (version, key, size, date, options) and downloaded archives
    List,
    /// Remove cached builds and downloads (both unless one is chosen); asks first unless -f
    ///
    /// What a running install holds (its build's key, its download) is kept and named.
    Clear(Clear),
}

#[derive(Args)]
pub struct Clear {
    /// Only the cached builds ($PYV_CACHE_DIR/artifacts)
    #[arg(long, conflicts_with = "downloads")]
    pub artifacts: bool,
    /// Only the downloaded archives
    #[arg(long)]
    pub downloads: bool,
    /// Do not ask first
    #[arg(short, long)]
    pub force: bool,
}

impl Cache {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        match self.action {
            CacheAction::List => list(ctx),
            CacheAction::Clear(c) => clear(ctx, !c.downloads, !c.artifacts, c.force),
        }
    }
}

fn list(ctx: &Ctx) -> Result<i32> {
    let arts = artifact::list(&ctx.cache_dir);
    println!(
        "builds in {} ({}):",
        artifact::dir(&ctx.cache_dir).display(),
        arts.len()
    );
    for a in &arts {
        let m = &a.manifest;
        let mut about = vec![m.get("platform").unwrap_or("?").to_string()];
        for k in ["configure", "env"] {
            if let Some(v) = m.get(k).filter(|v| !v.is_empty()) {
                about.push(v.to_string());
            }
        }
        about.push(m.get("compiler").unwrap_or("?").to_string());
        // The unpacked copy's files are shared by hard links with the versions installed
        // from it: its size is what clearing it gives back once those are gone.
        if let Some(size) = crate::install::unpacked::size(&ctx.cache_dir, &m.key) {
            about.push(format!("unpacked copy {}", bytes(size)));
        }
        println!(
            "  {:<12} {}  {:>10}  {}  {}",
            m.get("name").unwrap_or("?"),
            m.key,
            bytes(a.size),
            date(m.created),
            about.join("; ")
        );
    }
    let downloads = downloads(&ctx.cache_dir);
    println!(
        "downloads in {} ({}):",
        ctx.cache_dir.display(),
        downloads.len()
    );
    for (path, size, mtime) in &downloads {
        println!(
            "  {:<32} {:>10}  {}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            bytes(*size),
            date(*mtime)
        );
    }
    let templates = venv_templates(&ctx.cache_dir);
    println!(
        "virtualenv templates in {} ({}):",
        crate::venv::fast::dir(&ctx.cache_dir).display(),
        templates.len()
    );
    for t in &templates {
        println!("  {}", t.file_name().unwrap_or_default().to_string_lossy());
    }
    let scratch = crate::cache_scratch::find(&ctx.cache_dir);
    if !scratch.is_empty() {
        println!("scratch left by pyv runs ({}):", scratch.len());
        for s in &scratch {
            println!(
                "  {}  {:>10}  {}, {}",
                s.path.display().to_string().escape_debug(),
                bytes(s.size),
                s.kind.describe(),
                if s.owner_alive() {
                    format!("pid {} still running", s.pid)
                } else {
                    format!("left by pid {} (gone): `pyv cache clear` removes it", s.pid)
                }
            );
        }
    }
    Ok(0)
}

/// The templates `pyv virtualenv` writes environments from (see `venv::fast`).
fn venv_templates(cache: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(crate::venv::fast::dir(cache))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("template.info").is_file())
        .collect();
    out.sort();
    out
}

fn clear(ctx: &Ctx, artifacts: bool, downloads_too: bool, force: bool) -> Result<i32> {
    let cache = &ctx.cache_dir;
    let listed = if artifacts {
        artifact::list(cache)
    } else {
        Vec::new()
    };
    let found = if downloads_too {
        downloads(cache)
    } else {
        Vec::new()
    };
    if !force && (!listed.is_empty() || !found.is_empty()) {
        let mut what = Vec::new();
        if !listed.is_empty() {
            let total: u64 = listed.iter().map(|a| a.size).sum();
            what.push(format!("{} cached builds ({})", listed.len(), bytes(total)));
        }
        if !found.is_empty() {
            let total: u64 = found.iter().map(|d| d.1).sum();
            what.push(format!("{} downloads ({})", found.len(), bytes(total)));
        }
        let question = format!("remove {} from {}?", what.join(" and "), cache.display());
        if !crate::ui::confirm(&question) {
            return Err(Error::user(
                format!("kept the cache in {} (not confirmed)", cache.display()),
                Some("answer `y`, or pass `-f` to skip the question".to_string()),
            ));
        }
    }
    let mut summary = Vec::new();
    let mut in_use = Vec::new();
    if artifacts {
        let (count, total) = clear_artifacts(cache, &listed, &mut in_use)?;
        summary.push(format!("{count} cached builds ({})", bytes(total)));
    }
    if downloads_too {
        let (mut count, mut total) = (0, 0);
        for (p, size, _) in &found {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            // The lock a running download holds (see install::download): skip what is held.
            let lock = cache
                .join(".locks")
                .join(format!("{}.lock", name.trim_end_matches(".part")));
            let Some(_held) = pyv_core::fsx::try_lock_file(&lock)? else {
                in_use.push(name.into_owned());
                continue;
            };
            remove(p)?;
            count += 1;
            total += size;
        }
        summary.push(format!("{count} downloads ({})", bytes(total)));
    }
    for name in &in_use {
        eprintln!("pyv: note: kept `{name}`: it is in use by a running pyv install");
    }
    let mut failed = Vec::new();
    if artifacts && downloads_too {
        // Scratch of killed runs first (under each key's lock), then the templates: removing
        // one only means the next environment of that version runs venv once more.
        let swept = crate::cache_scratch::sweep(cache);
        let freed: u64 = swept.removed.iter().map(|r| r.1).sum();
        summary.push(format!(
            "{} scratch directories ({})",
            swept.removed.len(),
            bytes(freed)
        ));
        for p in &swept.in_use {
            eprintln!(
                "pyv: note: kept `{}`: a running pyv is writing it",
                p.display().to_string().escape_debug()
            );
        }
        failed.extend(swept.failed);
        let templates = venv_templates(&ctx.cache_dir);
        let dir = crate::venv::fast::dir(&ctx.cache_dir);
        let (mut count, mut kept_lock) = (0, false);
        for t in &templates {
            let key = t
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let lock = dir.join(format!(".{key}.lock"));
            match pyv_core::fsx::try_lock_file(&lock)? {
                Some(_held) => match pyv_core::fsx::remove_any(t) {
                    Ok(()) => count += 1,
                    Err(e) => failed.push((t.clone(), e)),
                },
                None => kept_lock = true,
            }
        }
        if kept_lock {
            eprintln!("pyv: note: kept a virtualenv template a running pyv is storing");
        }
        summary.push(format!("{count} virtualenv templates"));
    }
    println!("removed {}", summary.join(" and "));
    if let Some((p, e)) = failed.first() {
        return Err(Error::user(
            format!(
                "could not remove `{}` ({e}){}",
                p.display().to_string().escape_debug(),
                if failed.len() > 1 {
                    format!(" and {} more", failed.len() - 1)
                } else {
                    String::new()
                }
            ),
            Some(
                "check the permissions of the cache directory, then run `pyv cache clear` again"
                    .to_string(),
            ),
        ));
    }
    Ok(0)
}

/// Remove every artifact whose key lock is free (builds, temp files, partial mirror downloads),
/// never a lock file; the keys held by a running install go to `in_use`. Returns how many
/// listed builds went and their size.
fn clear_artifacts(
    cache: &Path,
    listed: &[artifact::Listed],
    in_use: &mut Vec<String>,
) -> Result<(usize, u64)> {
    let dir = artifact::dir(cache);
    let mut by_key: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".lock") {
            continue; // a lock file is never unlinked: a holder would keep a lock nobody sees
        }
        by_key
            .entry(artifact::key_of_file(&name).to_string())
            .or_default()
            .push(e.path());
    }
    let (mut count, mut total) = (0, 0);
    for (key, paths) in by_key {
        let Some(_held) =
            artifact::try_lock(cache, &key).map_err(|e| Error::io("cannot lock", &dir, e))?
        else {
            in_use.push(key);
            continue;
        };
        // The unpacked copy reinstalls link from goes with its archive (installed versions keep
        // their hard links).
        let unpacked = crate::install::unpacked::dir(cache, &key);
        let unpacked_size = crate::install::unpacked::size(cache, &key).unwrap_or(0);
        for p in paths.iter().chain([&unpacked]) {
            remove(p)?;
        }
        if let Some(a) = listed.iter().find(|a| a.manifest.key == key) {
            count += 1;
            total += a.size + unpacked_size;
        }
    }
    // Unpacked copies whose archive is gone (removed by hand, or by an older pyv).
    for e in fs::read_dir(crate::install::unpacked::root(cache))
        .into_iter()
        .flatten()
        .flatten()
    {
        let key = e.file_name().to_string_lossy().into_owned();
        if !key.starts_with('.') && !artifact::manifest_path(cache, &key).exists() {
            if let Some(_held) =
                artifact::try_lock(cache, &key).map_err(|e| Error::io("cannot lock", &dir, e))?
            {
                remove(&e.path())?;
            }
        }
    }
    Ok((count, total))
}

fn remove(p: &Path) -> Result<()> {
    match pyv_core::fsx::remove_any(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("cannot remove", p, e)),
        _ => Ok(()),
    }
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

/// Downloaded archives (and `.part` downloads) directly in the cache dir: (path, size, mtime).
fn downloads(cache: &Path) -> Vec<(PathBuf, u64, u64)> {
    let mut out: Vec<_> = fs::read_dir(cache)
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
            Some((e.path(), m.len(), mtime))
        })
        .collect();
    out.sort();
    out
}

/// `2025-11-26` (UTC) from Unix seconds.
fn date(secs: u64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
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

    #[test]
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(1_764_115_200), "2025-11-26");
        assert_eq!(super::date(951_782_400), "2000-02-29");
    }
}
