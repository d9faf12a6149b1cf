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
    /// Remove cached builds and downloads (both unless one is chosen)
    Clear(Clear),
}

#[derive(Args)]
pub struct Clear {
    /// Only the cached builds ($PYV_CACHE_DIR/artifacts)
    #[arg(long, conflicts_with = "downloads")]
    pub artifacts: bool,
    /// Only the downloaded source archives
    #[arg(long)]
    pub downloads: bool,
}

impl Cache {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        match self.action {
            CacheAction::List => list(ctx),
            CacheAction::Clear(c) => clear(ctx, !c.downloads, !c.artifacts),
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
        let created = m.get("created").and_then(|c| c.parse().ok()).unwrap_or(0);
        let mut about = vec![m.get("platform").unwrap_or("?").to_string()];
        for k in ["configure", "env"] {
            if let Some(v) = m.get(k).filter(|v| !v.is_empty()) {
                about.push(v.to_string());
            }
        }
        about.push(m.get("compiler").unwrap_or("?").to_string());
        // The unpacked copy's files are shared by hard links with the versions installed
        // from it: its size is what clearing it gives back once those are gone.
        if let Some(size) = m
            .get("key")
            .and_then(|k| crate::install::unpacked::size(&ctx.cache_dir, k))
        {
            about.push(format!("unpacked copy {}", bytes(size)));
        }
        println!(
            "  {:<12} {}  {:>10}  {}  {}",
            m.get("name").unwrap_or("?"),
            m.get("key").unwrap_or("?"),
            bytes(a.size),
            date(created),
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

fn clear(ctx: &Ctx, artifacts: bool, downloads_too: bool) -> Result<i32> {
    let mut summary = Vec::new();
    if artifacts {
        let dir = artifact::dir(&ctx.cache_dir);
        let listed = artifact::list(&ctx.cache_dir);
        let total: u64 = listed
            .iter()
            .map(|a| {
                let unpacked = a
                    .manifest
                    .get("key")
                    .and_then(|k| crate::install::unpacked::size(&ctx.cache_dir, k));
                a.size + unpacked.unwrap_or(0)
            })
            .sum();
        // Per key under its lock, so that an install reading or writing it is not cut short.
        for a in &listed {
            let Some(key) = a.manifest.get("key") else {
                continue;
            };
            let _lock = artifact::lock(&ctx.cache_dir, key)
                .map_err(|e| Error::io("cannot lock", &dir, e))?;
            let unpacked = crate::install::unpacked::dir(&ctx.cache_dir, key);
            if let Err(e) = pyv_core::fsx::remove_any(&unpacked) {
                return Err(Error::io("cannot remove", unpacked, e));
            }
            for p in [
                artifact::manifest_path(&ctx.cache_dir, key),
                a.archive.clone(),
            ] {
                if let Err(e) = fs::remove_file(&p) {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        return Err(Error::io("cannot remove", p, e));
                    }
                }
            }
        }
        // Leftovers: archives without a manifest, temp files, partial mirror downloads, locks,
        // unpacked copies of removed archives.
        let unpacked = crate::install::unpacked::root(&ctx.cache_dir);
        for e in [&dir, &unpacked]
            .into_iter()
            .flat_map(fs::read_dir)
            .flatten()
            .flatten()
        {
            let _ = pyv_core::fsx::remove_any(&e.path());
        }
        summary.push(format!("{} cached builds ({})", listed.len(), bytes(total)));
    }
    if downloads_too {
        let found = downloads(&ctx.cache_dir);
        let total: u64 = found.iter().map(|d| d.1).sum();
        for (p, _, _) in &found {
            if let Err(e) = fs::remove_file(p) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(Error::io("cannot remove", p.clone(), e));
                }
            }
        }
        summary.push(format!("{} downloads ({})", found.len(), bytes(total)));
    }
    if artifacts && downloads_too {
        // Environments made from a template share its files by hard links: removing it only
        // means the next environment of that version runs venv once more.
        let templates = venv_templates(&ctx.cache_dir);
        let dir = crate::venv::fast::dir(&ctx.cache_dir);
        if dir.exists() {
            pyv_core::fsx::remove_any(&dir).map_err(|e| Error::io("cannot remove", dir, e))?;
        }
        summary.push(format!("{} virtualenv templates", templates.len()));
    }
    println!("removed {}", summary.join(" and "));
    Ok(0)
}

/// Source archives (and `.part` downloads) directly in the cache dir: (path, size, mtime).
fn downloads(cache: &Path) -> Vec<(PathBuf, u64, u64)> {
    let mut out: Vec<_> = fs::read_dir(cache)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("Python-"))
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
    fn dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(1_764_115_200), "2025-11-26");
        assert_eq!(super::date(951_782_400), "2000-02-29");
    }
}
