//! `pyv uninstall`: remove installed versions by exact name, after naming everything that uses
//! them (virtualenvs, the global file, `.python-version` files). Removal is atomic: the tree is
//! renamed into `.staging/` under the version's install lock, then deleted, so no command ever
//! sees half a version.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use pyv_core::fsx::is_symlink;
use pyv_core::resolve;
use pyv_core::version_file;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::install::staging::Stage;
use crate::locks::VersionLock;
use crate::ui::Ui;
use crate::venv::cfg::PyvenvCfg;

/// Remove installed Python versions
///
/// Takes exact names only (`3.12.1`, not `3.12`). Refuses a version that virtualenvs are built
/// on unless `--with-envs` (or `-f`) is given, and asks for confirmation on a terminal.
#[derive(Args)]
pub struct Uninstall {
    /// Exact installed version names
    #[arg(required = true, value_name = "VERSION")]
    pub versions: Vec<String>,
    /// Do not ask; also remove the virtualenvs inside the version
    #[arg(short, long)]
    pub force: bool,
    /// Also remove every virtualenv built on the version, and their alias names
    #[arg(long)]
    pub with_envs: bool,
}

/// A virtualenv that depends on a version.
struct EnvUse {
    /// The environment's directory.
    dir: PathBuf,
    /// How users name it (`3.11.2/envs/web`, `web`).
    label: String,
    /// Inside `versions/<version>/` (removed with it no matter what).
    inside: bool,
}

impl Uninstall {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let mut names = Vec::new();
        for raw in &self.versions {
            names.push(self.check(ctx, raw)?);
        }
        for name in &names {
            self.remove(ctx, name)?;
        }
        ctx.rehash()?;
        Ok(0)
    }

    /// Validate one argument: an exact, installed, real version (not a virtualenv).
    fn check(&self, ctx: &Ctx, raw: &str) -> Result<String> {
        let name = ctx.arg_name(raw)?;
        let dir = ctx.layout.version_dir(&name);
        let venv_hint = || {
            Some(format!(
                "remove a virtualenv with `pyv virtualenv-delete {name}`"
            ))
        };
        if name.contains('/') {
            return Err(Error::user(
                format!(
                    "`{name}` (given on the command line) is a virtualenv, not a Python version"
                ),
                venv_hint(),
            ));
        }
        if fs::symlink_metadata(&dir).is_err() {
            let installed = resolve::installed(&ctx.layout);
            let close = pyv_core::suggest::close_to(&name, &installed);
            let hint = if close.is_empty() {
                "see `pyv versions`".to_string()
            } else {
                format!(
                    "uninstall takes exact names; installed: {}",
                    close.join(", ")
                )
            };
            return Err(Error::user(
                format!("version `{name}` is not installed (given on the command line)"),
                Some(hint),
            ));
        }
        let alias_target = fs::read_link(&dir).ok();
        let is_env_alias = alias_target
            .as_ref()
            .is_some_and(|t| t.components().any(|c| c.as_os_str() == "envs"));
        if is_env_alias || (!is_symlink(&dir) && dir.join("pyvenv.cfg").is_file()) {
            return Err(Error::user(
                format!(
                    "`{name}` (given on the command line) is a virtualenv, not a Python version"
                ),
                venv_hint(),
            ));
        }
        Ok(name)
    }

    fn remove(&self, ctx: &Ctx, name: &str) -> Result<()> {
        let layout = &ctx.layout;
        let dir = layout.version_dir(name);
        let envs = envs_using(ctx, name);
        for file in selecting_files(ctx, name) {
            eprintln!(
                "pyv: note: `{name}` is selected by {}; commands there fail until you select another version",
                file.display()
            );
        }
        let labels: Vec<&str> = envs.iter().map(|e| e.label.as_str()).collect();
        if !envs.is_empty() && !self.force && !self.with_envs {
            return Err(Error::user(
                format!(
                    "Python `{name}` has virtualenvs built on it: {}",
                    labels.join(", ")
                ),
                Some(format!(
                    "`pyv uninstall --with-envs {name}` removes them too, or delete them first with `pyv virtualenv-delete`"
                )),
            ));
        }
        if !self.force && !confirm(name, &dir, &labels) {
            return Err(Error::user(
                format!("kept Python `{name}` (not confirmed)"),
                Some("answer `y`, or pass `-f` to skip the question".to_string()),
            ));
        }
        // Only now: a Ctrl-C at the question above must simply end pyv.
        crate::signals::install();
        let ui = Ui::new(ctx.quiet, name);
        let _lock = VersionLock::acquire(layout, name, &ui)?;
        let stage =
            Stage::create_named(layout, &format!("{name}.{}-uninstall", std::process::id()))?;
        let into_stage = |from: &Path, what: &str| -> Result<()> {
            let to = stage.path().join(what);
            fs::rename(from, &to).map_err(|e| Error::io("cannot remove", from, e))
        };
        // The version (and the envs inside it) disappear with this one rename.
        into_stage(&dir, "version")?;
        let mut removed_envs = Vec::new();
        for (i, e) in envs.iter().enumerate() {
            let gone =
                e.inside || (self.with_envs && into_stage(&e.dir, &format!("env{i}")).is_ok());
            if gone {
                removed_envs.push(e.label.clone());
            }
        }
        remove_dangling_aliases(ctx, name);
        drop(stage);
        let mut msg = format!("uninstalled Python {name}");
        if !removed_envs.is_empty() {
            msg.push_str(&format!(" and its virtualenvs {}", removed_envs.join(", ")));
        }
        println!("{msg}");
        let kept: Vec<&str> = envs
            .iter()
            .filter(|e| !removed_envs.contains(&e.label))
            .map(|e| e.label.as_str())
            .collect();
        if !kept.is_empty() {
            eprintln!(
                "pyv: warning: these virtualenvs used {name} and no longer work: {}",
                kept.join(", ")
            );
        }
        Ok(())
    }
}

/// Ask before removing (see [`crate::ui::confirm`] for the policy).
fn confirm(name: &str, dir: &Path, envs: &[&str]) -> bool {
    let extra = if envs.is_empty() {
        String::new()
    } else {
        format!(" and its virtualenvs {}", envs.join(", "))
    };
    crate::ui::confirm(&format!("remove Python {name} ({}){extra}?", dir.display()))
}

/// Virtualenvs built on `name`: those in its `envs/`, and any other whose `home` is inside it.
fn envs_using(ctx: &Ctx, name: &str) -> Vec<EnvUse> {
    let layout = &ctx.layout;
    let vdir = layout.version_dir(name);
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(vdir.join("envs")) {
        for e in rd.flatten() {
            let env = e.file_name().to_string_lossy().into_owned();
            if !env.starts_with('.') {
                out.push(EnvUse {
                    dir: e.path(),
                    label: format!("{name}/envs/{env}"),
                    inside: true,
                });
            }
        }
    }
    // Environments elsewhere: old-style `versions/<env>` dirs and other versions' `envs/`.
    let mut candidates: Vec<(PathBuf, String)> = Vec::new();
    if let Ok(rd) = fs::read_dir(layout.versions_dir()) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n == name || n.starts_with('.') || is_symlink(&e.path()) {
                continue;
            }
            candidates.push((e.path(), n.clone()));
            if let Ok(inner) = fs::read_dir(e.path().join("envs")) {
                for i in inner.flatten() {
                    let env = i.file_name().to_string_lossy().into_owned();
                    candidates.push((i.path(), format!("{n}/envs/{env}")));
                }
            }
        }
    }
    for (dir, label) in candidates {
        if PyvenvCfg::read(&dir)
            .and_then(|c| c.home)
            .is_some_and(|h| h.starts_with(&vdir))
        {
            out.push(EnvUse {
                dir,
                label,
                inside: false,
            });
        }
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// Alias symlinks in `versions/` that led into the removed version `name` and now dangle.
/// Another dangling link (a version on a disk not mounted right now) is not pyv's to remove.
fn remove_dangling_aliases(ctx: &Ctx, name: &str) {
    let versions = ctx.layout.versions_dir();
    let removed = ctx.layout.version_dir(name);
    if let Ok(rd) = fs::read_dir(&versions) {
        for e in rd.flatten() {
            let p = e.path();
            let Ok(target) = fs::read_link(&p) else {
                continue;
            };
            if fs::metadata(&p).is_err() && versions.join(&target).starts_with(&removed) {
                let _ = fs::remove_file(&p);
            }
        }
    }
}

/// The global file and `.python-version` files (here and upward) that name `name`.
fn selecting_files(ctx: &Ctx, name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let names = |p: &Path| {
        version_file::read(p)
            .ok()
            .flatten()
            .is_some_and(|v| v.iter().any(|n| pyv_core::name::normalize(n) == name))
    };
    for dir in ctx.cwd().ancestors() {
        let f = dir.join(".python-version");
        if names(&f) {
            files.push(f);
        }
    }
    let global = ctx.layout.global_file();
    if names(&global) {
        files.push(global);
    }
    files
}
