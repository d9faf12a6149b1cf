//! `pyv cache`: what the cache holds (reusable builds and downloaded source archives) and how
//! to empty it. Finding and removing is `crate::cache`'s; this file asks and prints.

use std::io;
use std::path::Path;

use clap::{Args, Subcommand};
use pyv_core::CacheLayout;

use crate::cache::{self, clear::Plan, scratch};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::ui::{self, bytes};

/// Show or clear the build artifact cache and the downloaded source archives
#[derive(Args)]
pub struct Cache {
    #[command(subcommand)]
    pub action: CacheAction,
}

#[derive(Subcommand)]
pub enum CacheAction {
    /// List cached builds (version, key, size, date, options) and downloaded archives
    List(ListArgs),
    /// Remove cached builds and downloads (both unless one is chosen); asks first unless -f
    ///
    /// What a running install holds (its build's key, its download) is kept and named.
    Clear(Clear),
    /// Upload cached builds to an OCI registry (oci://HOST[:PORT]/REPO), one tag per build key
    /// plus one image index per version; what the registry has is only checked (HEAD)
    Push(Push),
}

#[derive(Args)]
pub struct ListArgs {
    /// List what an OCI registry holds for this platform instead (oci://HOST[:PORT]/REPO)
    #[arg(long, value_name = "REF")]
    pub remote: Option<String>,
}

#[derive(Args)]
pub struct Push {
    /// The registry and repository: oci://HOST[:PORT]/REPO
    pub reference: String,
    /// Build keys or versions (as `pyv cache list` shows them) [default: the builds the
    /// installed versions were made from]
    pub only: Vec<String>,
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
            CacheAction::List(ListArgs { remote: None }) => list(ctx),
            CacheAction::List(ListArgs { remote: Some(r) }) => list_remote(&r),
            CacheAction::Clear(c) => clear(ctx, !c.downloads, !c.artifacts, c.force),
            CacheAction::Push(p) => push(ctx, &p),
        }
    }
}

fn registry(text: &str, source: &str) -> Result<crate::oci::client::Registry> {
    use crate::oci;
    use pyv_core::env_vars::EnvVars;
    let reference = oci::reference::Reference::parse(text, source).map_err(|m| {
        Error::usage(
            m,
            Some("write oci://HOST[:PORT]/REPO, e.g. oci://ghcr.io/team/pyv-builds".into()),
        )
    })?;
    let env = |k: &str| std::env::var(k).ok();
    let creds = oci::auth::lookup(&reference.registry, &env).map_err(|m| Error::user(m, None))?;
    let insecure = env(EnvVars::PYV_INSECURE_REGISTRY).unwrap_or_default();
    oci::client::Registry::new(reference, &insecure, creds).map_err(|m| Error::user(m, None))
}

fn list_remote(text: &str) -> Result<i32> {
    let mut reg = registry(text, "pyv cache list --remote")?;
    let platform = crate::install::artifact::platform();
    let tags = reg.tags().map_err(|e| Error::user(e, None))?;
    let mut rows = Vec::new();
    for tag in tags {
        let Some((body, _, _)) = reg.manifest(&tag).map_err(|e| Error::user(e, None))? else {
            continue;
        };
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let ann = |k: &str| {
            json.get("annotations")
                .and_then(|a| a.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        if json.get("artifactType").and_then(|v| v.as_str())
            != Some(crate::oci::artifact::ARTIFACT_TYPE)
            || json.get("layers").is_none()
            || ann("org.pyv.platform") != platform
        {
            continue;
        }
        let size = json
            .pointer("/layers/0/size")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let m = crate::install::manifest::Manifest::parse(&ann("org.pyv.manifest")).ok();
        let name = m
            .as_ref()
            .and_then(|m| m.get("name").map(String::from))
            .unwrap_or_else(|| ann("org.pyv.version"));
        rows.push(format!(
            "  {:<12} {}  {:>10}  {}",
            pyv_core::report::escape(&name),
            pyv_core::report::escape(&ann("org.pyv.key")),
            bytes(size),
            pyv_core::report::escape(&ann("org.pyv.configure"))
        ));
    }
    ui::out(&format!(
        "builds in {} for {platform} ({}):",
        reg.reference,
        rows.len()
    ));
    for r in rows {
        ui::out(&r);
    }
    Ok(0)
}

fn push(ctx: &Ctx, p: &Push) -> Result<i32> {
    use crate::oci;
    let mut reg = registry(&p.reference, "pyv cache push")?;
    let reference = reg.reference.clone();
    let all = crate::install::artifact::list(&ctx.cache_dir);
    // The keys the installed versions were made from (their receipts' `artifact=`).
    let installed: Vec<String> = std::fs::read_dir(ctx.layout.versions_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join(crate::install::receipt::FILE)).ok())
        .filter_map(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("artifact="))
                .map(|k| k.trim().to_string())
        })
        .collect();
    let chosen: Vec<_> = all
        .iter()
        .filter(|a| {
            let m = &a.manifest;
            (p.only.is_empty() && installed.contains(&m.key))
                || p.only
                    .iter()
                    .any(|o| *o == m.key || Some(o.as_str()) == m.get("name"))
        })
        .collect();
    for o in &p.only {
        if !chosen
            .iter()
            .any(|a| a.manifest.key == *o || a.manifest.get("name") == Some(o.as_str()))
        {
            return Err(Error::user(
                format!(
                    "no cached build has the key or version `{}`",
                    pyv_core::report::escape(o)
                ),
                Some("`pyv cache list` shows the cached builds".into()),
            ));
        }
    }
    let mut by_version: std::collections::BTreeMap<String, Vec<(String, u64, String)>> =
        Default::default();
    for a in &chosen {
        let m = &a.manifest;
        let archive = crate::install::artifact::archive_path(&ctx.cache_dir, &m.key);
        let (digest, size, sent) =
            oci::artifact::push(&mut reg, &archive, m).map_err(|e| Error::user(e, None))?;
        ui::out(&format!(
            "{} {}:{} ({})",
            if sent { "pushed" } else { "already there:" },
            reference,
            oci::tag::for_key(&m.key),
            bytes(a.size)
        ));
        let version = m.get("name").unwrap_or("?").to_string();
        by_version.entry(version).or_default().push((
            digest,
            size,
            m.get("platform").unwrap_or("").to_string(),
        ));
    }
    for (version, entries) in by_version {
        oci::artifact::push_index(&mut reg, &version, &entries)
            .map_err(|e| Error::user(e, None))?;
    }
    Ok(0)
}

fn list(ctx: &Ctx) -> Result<i32> {
    let layout = CacheLayout::new(&ctx.cache_dir);
    let contents = cache::contents(&ctx.cache_dir);
    ui::out(&format!(
        "builds in {} ({}):",
        layout.artifacts_dir().display(),
        contents.builds.len()
    ));
    for b in &contents.builds {
        let m = &b.artifact.manifest;
        let mut about = vec![m.get("platform").unwrap_or("?").to_string()];
        for k in ["configure", "env"] {
            if let Some(v) = m.get(k).filter(|v| !v.is_empty()) {
                about.push(v.to_string());
            }
        }
        about.push(m.get("compiler").unwrap_or("?").to_string());
        if let Some(size) = b.unpacked {
            about.push(format!("unpacked copy {}", bytes(size)));
        }
        ui::out(&format!(
            "  {:<12} {}  {:>10}  {}  {}",
            m.get("name").unwrap_or("?"),
            m.key,
            bytes(b.artifact.size),
            date(m.created),
            about.join("; ")
        ));
    }
    ui::out(&format!(
        "downloads in {} ({}):",
        layout.downloads_dir().display(),
        contents.downloads.len()
    ));
    for d in &contents.downloads {
        ui::out(&format!(
            "  {:<32} {:>10}  {}",
            d.file_name(),
            bytes(d.size),
            date(d.mtime)
        ));
    }
    ui::out(&format!(
        "virtualenv templates in {} ({}):",
        layout.templates_dir().display(),
        contents.templates.len()
    ));
    for t in &contents.templates {
        ui::out(&format!(
            "  {}",
            t.file_name().unwrap_or_default().to_string_lossy()
        ));
    }
    print_scratch(&contents.scratch);
    Ok(0)
}

fn print_scratch(scratch: &[scratch::Scratch]) {
    if scratch.is_empty() {
        return;
    }
    ui::out(&format!("scratch left by pyv runs ({}):", scratch.len()));
    for s in scratch {
        ui::out(&format!(
            "  {}  {:>10}  {}, {}",
            s.path.display().to_string().escape_debug(),
            bytes(s.size),
            s.kind.describe(),
            if s.owner_alive() {
                format!("pid {} still running", s.pid)
            } else {
                format!("left by pid {} (gone): `pyv cache clear` removes it", s.pid)
            }
        ));
    }
}

fn clear(ctx: &Ctx, artifacts: bool, downloads: bool, force: bool) -> Result<i32> {
    let cache = &ctx.cache_dir;
    let plan = cache::clear::plan(cache, artifacts, downloads);
    if !force {
        confirm(cache, &plan)?;
    }
    let mut summary = Vec::new();
    let mut in_use = Vec::new();
    if let Some(listed) = &plan.builds {
        let freed = cache::clear::builds(cache, listed, &mut in_use)?;
        summary.push(format!(
            "{} cached builds ({})",
            freed.count,
            bytes(freed.bytes)
        ));
    }
    if let Some(found) = &plan.downloads {
        let freed = cache::clear::downloads(cache, found, &mut in_use)?;
        summary.push(format!(
            "{} downloads ({})",
            freed.count,
            bytes(freed.bytes)
        ));
    }
    for name in &in_use {
        ui::err(&format!(
            "pyv: note: kept `{name}`: it is in use by a running pyv install"
        ));
    }
    let mut failed = Vec::new();
    if plan.everything() {
        // Scratch of killed runs first (under each key's lock), then the templates.
        let swept = scratch::sweep(cache);
        let freed: u64 = swept.removed.iter().map(|r| r.1).sum();
        summary.push(format!(
            "{} scratch directories ({})",
            swept.removed.len(),
            bytes(freed)
        ));
        for p in &swept.in_use {
            ui::err(&format!(
                "pyv: note: kept `{}`: a running pyv is writing it",
                p.display().to_string().escape_debug()
            ));
        }
        failed.extend(swept.failed);
        let templates = cache::clear::templates(cache)?;
        failed.extend(templates.failed);
        if templates.kept_in_use {
            ui::err("pyv: note: kept a virtualenv template a running pyv is storing");
        }
        summary.push(format!("{} virtualenv templates", templates.removed));
    }
    ui::out(&format!("removed {}", summary.join(" and ")));
    match failed.first() {
        Some((p, e)) => Err(not_removed(p, e, failed.len())),
        None => Ok(0),
    }
}

/// Ask before clearing anything (see [`crate::ui::confirm`] for the policy).
fn confirm(cache: &Path, plan: &Plan) -> Result<()> {
    let mut what = Vec::new();
    if let Some(listed) = plan.builds.as_ref().filter(|l| !l.is_empty()) {
        let total: u64 = listed.iter().map(|a| a.size).sum();
        what.push(format!("{} cached builds ({})", listed.len(), bytes(total)));
    }
    if let Some(found) = plan.downloads.as_ref().filter(|f| !f.is_empty()) {
        let total: u64 = found.iter().map(|d| d.size).sum();
        what.push(format!("{} downloads ({})", found.len(), bytes(total)));
    }
    if what.is_empty() {
        return Ok(());
    }
    let question = format!("remove {} from {}?", what.join(" and "), cache.display());
    if crate::ui::confirm(&question) {
        return Ok(());
    }
    Err(Error::user(
        format!("kept the cache in {} (not confirmed)", cache.display()),
        Some("answer `y`, or pass `-f` to skip the question".to_string()),
    ))
}

/// The error for `failed` paths that could not be removed, named by the first.
fn not_removed(first: &Path, e: &io::Error, failed: usize) -> Error {
    Error::user(
        format!(
            "could not remove `{}` ({e}){}",
            first.display().to_string().escape_debug(),
            if failed > 1 {
                format!(" and {} more", failed - 1)
            } else {
                String::new()
            }
        ),
        Some(
            "check the permissions of the cache directory, then run `pyv cache clear` again"
                .to_string(),
        ),
    )
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
