//! Removing an installed version, as a plan and its execution (like `venv::delete`): [`check`]
//! that a name is an exact, installed, real version; [`plan`] what uses it (virtualenvs, the
//! global file, `.python-version` files); [`execute`] the removal. Removal is atomic: the tree
//! is renamed into `.staging/` under the version's install lock, then deleted, so no command
//! ever sees half a version. Asking, and saying what happened, is `commands::uninstall`'s.

use std::fs;
use std::path::{Path, PathBuf};

use pyv_core::fsx::is_symlink;
use pyv_core::{resolve, version_file, Layout};

use crate::error::{Error, Result};
use crate::install::staging::Stage;
use crate::locks::VersionLock;
use crate::ui::Ui;
use crate::venv::cfg::PyvenvCfg;

/// A virtualenv that depends on a version.
pub struct EnvUse {
    /// The environment's directory.
    pub dir: PathBuf,
    /// How users name it (`3.11.2/envs/web`, `web`).
    pub label: String,
    /// Inside `versions/<version>/` (removed with it no matter what).
    pub inside: bool,
}

/// What removing one version touches.
pub struct Plan {
    pub name: String,
    /// `versions/<name>`.
    pub dir: PathBuf,
    /// The virtualenvs built on it, by label.
    pub envs: Vec<EnvUse>,
    /// The global file and `.python-version` files (from `cwd` upward) that select it.
    pub selected_by: Vec<PathBuf>,
}

impl Plan {
    /// The labels of [`Plan::envs`].
    pub fn env_labels(&self) -> Vec<&str> {
        self.envs.iter().map(|e| e.label.as_str()).collect()
    }
}

/// What [`execute`] removed, and what it left that no longer works.
pub struct Removed {
    /// The virtualenvs that went with the version.
    pub envs: Vec<String>,
    /// The virtualenvs built on it that are still there.
    pub broken: Vec<String>,
}

/// That `name` (validated) is an exact, installed, real version, not a virtualenv.
pub fn check(layout: &Layout, name: &str) -> Result<()> {
    let dir = layout.version_dir(name);
    let is_env = || {
        Error::user(
            format!("`{name}` (given on the command line) is a virtualenv, not a Python version"),
            Some(format!(
                "remove a virtualenv with `pyv virtualenv-delete {name}`"
            )),
        )
    };
    if name.contains('/') {
        return Err(is_env());
    }
    // Dot-names in versions/ are pyv's own (`.pyv-staging`, scratch links), never versions.
    if name.starts_with('.') || fs::symlink_metadata(&dir).is_err() {
        let installed = resolve::installed(layout);
        let close = pyv_core::suggest::close_to(name, &installed);
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
    let is_env_alias =
        fs::read_link(&dir).is_ok_and(|t| t.components().any(|c| c.as_os_str() == "envs"));
    if is_env_alias || (!is_symlink(&dir) && dir.join("pyvenv.cfg").is_file()) {
        return Err(is_env());
    }
    Ok(())
}

/// What removing the (checked) version `name` touches, seen from `cwd`.
pub fn plan(layout: &Layout, name: &str, cwd: &Path) -> Plan {
    Plan {
        name: name.to_string(),
        dir: layout.version_dir(name),
        envs: envs_using(layout, name),
        selected_by: selecting_files(layout, cwd, name),
    }
}

/// Remove the version, with the virtualenvs inside it and, when `with_envs`, those elsewhere
/// that are built on it; then the aliases that led into it. `ui` says so if another pyv holds
/// the version's lock.
pub fn execute(layout: &Layout, plan: &Plan, with_envs: bool, ui: &Ui) -> Result<Removed> {
    let name = &plan.name;
    let _lock = VersionLock::acquire(layout, name, ui)?;
    let stage = Stage::create_named(layout, &format!("{name}.{}-uninstall", std::process::id()))?;
    let into_stage = |from: &Path, what: &str| -> Result<()> {
        let to = stage.path().join(what);
        fs::rename(from, &to).map_err(|e| Error::io("cannot remove", from, e))
    };
    // The version (and the envs inside it) disappear with this one rename.
    into_stage(&plan.dir, "version")?;
    let mut removed = Vec::new();
    for (i, e) in plan.envs.iter().enumerate() {
        if e.inside || (with_envs && into_stage(&e.dir, &format!("env{i}")).is_ok()) {
            removed.push(e.label.clone());
        }
    }
    remove_dangling_aliases(layout, name);
    drop(stage);
    let broken = plan
        .envs
        .iter()
        .filter(|e| !removed.contains(&e.label))
        .map(|e| e.label.clone())
        .collect();
    Ok(Removed {
        envs: removed,
        broken,
    })
}

/// Virtualenvs built on `name`: those in its `envs/`, and any other whose `home` is inside it.
fn envs_using(layout: &Layout, name: &str) -> Vec<EnvUse> {
    let vdir = layout.version_dir(name);
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(layout.envs_dir(name)) {
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
            if let Ok(inner) = fs::read_dir(layout.envs_dir(&n)) {
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
fn remove_dangling_aliases(layout: &Layout, name: &str) {
    let versions = layout.versions_dir();
    let removed = layout.version_dir(name);
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

/// The global file and `.python-version` files (in `cwd` and upward) that name `name`.
fn selecting_files(layout: &Layout, cwd: &Path, name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let names = |p: &Path| {
        version_file::read(p)
            .ok()
            .flatten()
            .is_some_and(|v| v.iter().any(|n| pyv_core::name::normalize(n) == name))
    };
    for dir in cwd.ancestors() {
        let f = dir.join(".python-version");
        if names(&f) {
            files.push(f);
        }
    }
    let global = layout.global_file();
    if names(&global) {
        files.push(global);
    }
    files
}
