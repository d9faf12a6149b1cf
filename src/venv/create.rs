//! `pyv virtualenv`: make an environment with the base version's own `python -m venv`, so that
//! nothing half-made is ever visible under the environment's name.
//!
//! Decision: venv runs into a hidden scratch directory beside the final one
//! (`versions/<v>/envs/.<name>.tmp-<pid>`). venv writes that absolute path into the text files it
//! makes (`bin/activate*`, pip's script shebangs, `pyvenv.cfg`), so every text file in the new
//! tree that mentions it is rewritten to the final path; then one `rename` puts the tree in
//! place and the alias `versions/<name>` appears last (temp symlink + `rename`). Compiled
//! `.pyc` files also record the scratch path, but Python replaces a cached code object's file
//! name with the real source path when it loads one, so they are left alone. A failed or
//! interrupted (SIGINT/SIGTERM/SIGHUP) creation removes its scratch directory before pyv exits;
//! one killed outright leaves only a hidden directory that the next creation sweeps away.
//! Creations and deletions serialise on a kernel lock, so a sweep never races a live creation.

use std::fs;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pyv_core::fsx::{self, lock, remove_any};

use crate::locks::is_scratch;
use pyv_core::fsx::{is_executable, is_symlink};
use pyv_core::resolve::{self, Resolved};
use pyv_core::which;
use pyv_core::{Layout, Origin};

use super::python_venv::{rewrite_paths, run_venv};
use super::{fast, find, interrupted, is_env_dir, name_problem, Env, VenvError};
use crate::error::Result;
use crate::signals;

/// The kernel lock every creation and deletion holds.
pub const LOCK: &str = "virtualenv";

/// How to run venv.
#[derive(Debug, Default)]
pub struct Options {
    pub system_site_packages: bool,
    pub without_pip: bool,
    /// Replace an existing environment of the same name.
    pub force: bool,
    /// Extra options for `python -m venv` (never a directory).
    pub venv_args: Vec<String>,
    /// Show venv's output as it runs instead of only on failure.
    pub verbose: bool,
    /// Where the fast path keeps its templates (see [`super::fast`]); `None`: always run venv.
    pub cache_dir: Option<PathBuf>,
    /// How an environment gets the template's files (`PYV_LINK_MODE`).
    pub link_mode: crate::linktree::LinkMode,
    /// The series it follows (`pyv virtualenv 3.12 web`), written into its `pyvenv.cfg` as
    /// `pyv-series` before it becomes visible, so `pyv upgrade` and `pyv versions` know.
    pub series: Option<String>,
}

/// The installed version an environment is made from.
#[derive(Debug)]
pub struct Base {
    pub version: String,
    pub python: PathBuf,
    /// The system Python (on PATH): as pyenv-virtualenv, its environments live directly in
    /// `versions/<name>` (there is no `versions/system/envs`), with no alias.
    pub system: bool,
}

impl Base {
    /// The directory new environments from this base go in.
    fn home(&self, layout: &Layout) -> PathBuf {
        if self.system {
            layout.versions_dir()
        } else {
            layout.envs_dir(&self.version)
        }
    }
}

/// The real installed version behind `resolved`: an environment stands for its base version,
/// an alias symlink inside `versions/` for its target, `system` for the Python on `path_var`
/// (`python3`, `python`, then `python2`, as pyenv-virtualenv looks).
pub fn base(
    layout: &Layout,
    resolved: &Resolved,
    origin: &Origin,
    path_var: Option<&std::ffi::OsStr>,
) -> Result<Base> {
    let Resolved::Installed { name, dir } = resolved else {
        let python = ["python3", "python", "python2"]
            .iter()
            .find_map(|c| which::find_system(layout, c, path_var))
            .ok_or_else(|| VenvError::SystemBase {
                origin: origin.clone(),
                example: super::example_base(layout),
            })?;
        return Ok(Base {
            version: "system".into(),
            python,
            system: true,
        });
    };
    let mut version = name.clone();
    if is_env_dir(dir) {
        let env = find(layout, name, origin)?;
        version = env.base.ok_or_else(|| VenvError::UnknownBase {
            name: name.clone(),
            example: super::example_base(layout),
        })?;
    } else if is_symlink(dir) {
        let target = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        let versions = layout.versions_dir().canonicalize();
        match (target.parent(), target.file_name().and_then(|n| n.to_str())) {
            (Some(parent), Some(n)) if versions.as_deref().ok() == Some(parent) => {
                version = n.to_string()
            }
            _ => {
                return Err(VenvError::SymlinkedBase {
                    version: version.clone(),
                    target,
                }
                .into())
            }
        }
    }
    let dir = layout.version_dir(&version);
    let python = ["python", "python3"]
        .iter()
        .map(|p| dir.join("bin").join(p))
        .find(|p| is_executable(p))
        .ok_or_else(|| VenvError::NoPython {
            version: version.clone(),
            dir: dir.clone(),
        })?;
    Ok(Base {
        version,
        python,
        system: false,
    })
}

/// Refuse a name that can never be an environment's, before anything else is looked at (as
/// pyenv-virtualenv checks the name before the version).
pub fn check_name(name: &str) -> Result<()> {
    match name_problem(name) {
        Some(reason) => Err(VenvError::BadName {
            value: name.to_string(),
            reason,
        }
        .into()),
        None => Ok(()),
    }
}

/// Refuse names that are bad or taken. Returns the environment `-f` would replace.
pub fn check_new_name(
    layout: &Layout,
    base: &Base,
    name: &str,
    force: bool,
) -> Result<Option<Env>> {
    check_name(name)?;
    let taken = |env: Env| -> Result<Option<Env>> {
        if force {
            Ok(Some(env))
        } else {
            Err(VenvError::Exists {
                name: name.to_string(),
                dir: env.dir,
            }
            .into())
        }
    };
    let alias = layout.version_dir(name);
    if fs::symlink_metadata(&alias).is_ok() {
        match find(layout, name, &Origin::Argument) {
            Ok(env) if env.alias => return taken(env),
            // A system environment lives right there (no alias): `-f` replaces it.
            Ok(env) if base.system && env.dir == alias => return taken(env),
            // A venv made by another tool directly in versions/, or an alias of another name.
            Ok(env) => {
                return Err(VenvError::Exists {
                    name: name.to_string(),
                    dir: env.dir,
                }
                .into())
            }
            Err(VenvError::NotAnEnv { .. }) => {
                return Err(VenvError::VersionName {
                    name: name.to_string(),
                    version: name.to_string(),
                    dir: alias,
                }
                .into())
            }
            // A stale alias (its environment is gone) may be replaced; anything else is not ours.
            _ if is_stale_alias(layout, name) => {}
            _ => {
                return Err(VenvError::Occupied {
                    name: name.to_string(),
                    path: alias,
                }
                .into())
            }
        }
    } else if let Ok(r) = resolve::resolve(layout, name, &Origin::Argument) {
        // `3.11` would shadow the prefix match that finds 3.11.9.
        return Err(VenvError::VersionName {
            name: name.to_string(),
            version: r.name().to_string(),
            dir: layout.version_dir(r.name()),
        }
        .into());
    }
    let dir = layout.envs_dir(&base.version).join(name);
    if !base.system && fs::symlink_metadata(&dir).is_ok() {
        let long = format!("{}/envs/{name}", base.version);
        return match find(layout, &long, &Origin::Argument) {
            Ok(env) if !is_symlink(&dir) => taken(env),
            _ => Err(VenvError::Occupied {
                name: name.to_string(),
                path: dir,
            }
            .into()),
        };
    }
    Ok(None)
}

fn is_stale_alias(layout: &Layout, name: &str) -> bool {
    super::alias_target(layout, name).is_some() && !layout.version_dir(name).exists()
}

/// Arguments passed through to venv may be options only: a bare word would be another
/// directory for venv to create outside pyv's layout.
pub fn check_venv_args(args: &[String]) -> Result<()> {
    let mut value_next = false;
    for a in args {
        if value_next {
            value_next = false;
        } else if a == "--prompt" {
            value_next = true;
        } else if !a.starts_with('-') || a == "-" || a == "--" {
            return Err(VenvError::BadVenvArg { arg: a.clone() }.into());
        }
    }
    Ok(())
}

/// Create environment `name` from `base`. The caller has checked the name with
/// [`check_new_name`] (done again here under the lock).
/// `announce` is called once the checks passed, just before venv runs.
pub fn create(
    layout: &Layout,
    base: &Base,
    name: &str,
    opts: &Options,
    announce: impl FnOnce(),
) -> Result<Env> {
    check_venv_args(&opts.venv_args)?;
    let _lock = lock(layout, LOCK)?;
    let replaced = check_new_name(layout, base, name, opts.force)?;
    let mut fast = fast_path(base, name, opts)?;
    if !matches!(fast, Ok((_, _, Some(_)))) {
        preflight(layout, base, opts.without_pip)?;
    }
    announce();

    let envs = base.home(layout);
    fs::create_dir_all(&envs).map_err(|e| VenvError::io("cannot create", &envs, e))?;
    // The canonical spelling is what venv writes into scripts and what we rewrite.
    let envs = envs
        .canonicalize()
        .map_err(|e| VenvError::io("cannot resolve", &envs, e))?;
    sweep_stale(layout, &envs);
    if let Some(cache) = &opts.cache_dir {
        crate::cache::scratch::sweep_in_background(cache);
    }
    let pid = std::process::id();
    let scratch = envs.join(format!(".{name}.tmp-{pid}"));
    let target = envs.join(name);

    let routed = signals::scoped();
    let made_fast = match &mut fast {
        Ok((cache, w, t)) => {
            let made = make_fast(base, name, opts, (cache, w, t), &scratch, &target);
            match made {
                Ok(()) => true,
                Err(Fallback::Error(e)) => {
                    drop(routed);
                    return Err(e);
                }
                Err(Fallback::Why(why)) => {
                    let _ = remove_any(&scratch);
                    fast = Err(why);
                    false
                }
            }
        }
        Err(_) => false,
    };
    if let (Err(why), true) = (&fast, opts.verbose) {
        crate::ui::err(&format!(
            "pyv: not using the fast path ({why}); running `python -m venv`"
        ));
    }
    let result = interrupted(name)
        .and_then(|()| {
            if made_fast {
                return Ok(());
            }
            run_venv(base, name, opts, &scratch).and_then(|()| {
                // The path, then the name alone (venv's `__VENV_NAME__`, in 3.8's csh script).
                let scratch_name = Path::new(scratch.file_name().unwrap_or_default());
                rewrite_paths(&scratch, &scratch, &target)
                    .and_then(|()| rewrite_paths(&scratch, scratch_name, Path::new(name)))
                    .map_err(|e| VenvError::io("cannot finish", &scratch, e).into())
            })
        })
        .and_then(|()| interrupted(name))
        .and_then(|()| record_series(&scratch, opts.series.as_deref()))
        .and_then(|()| commit(layout, base, name, &scratch, &target, replaced.as_ref()));
    if result.is_err() {
        let _ = remove_any(&scratch);
    }
    drop(routed);
    result?;
    Ok(made(layout, base, name))
}

/// Append `pyv-series = <series>` to the scratch env's `pyvenv.cfg` (venv ignores unknown keys).
fn record_series(scratch: &Path, series: Option<&str>) -> Result<()> {
    let Some(series) = series else { return Ok(()) };
    let cfg = scratch.join(super::cfg::FILE);
    let mut text = fs::read_to_string(&cfg).map_err(|e| VenvError::io("cannot read", &cfg, e))?;
    if !text.ends_with('\n') && !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("{} = {series}\n", crate::upgrade::SERIES));
    // A new file renamed over it: never through a link the env may share with a template.
    let tmp = scratch.join(".pyvenv.cfg.tmp");
    fs::write(&tmp, text)
        .and_then(|()| fs::rename(&tmp, &cfg))
        .map_err(|e| VenvError::io("cannot write", &cfg, e).into())
}

/// The environment [`create`] made: `versions/<name>` for one on the system Python, else
/// `versions/<base>/envs/<name>` with its alias.
fn made(layout: &Layout, base: &Base, name: &str) -> Env {
    if base.system {
        return Env {
            name: name.to_string(),
            base: Some(base.version.clone()),
            dir: layout.version_dir(name),
            alias: false,
        };
    }
    Env {
        name: name.to_string(),
        base: Some(base.version.clone()),
        dir: layout.version_dir(&format!("{}/envs/{name}", base.version)),
        alias: true,
    }
}

/// The fast path's cache, options and template, or why it is not taken.
type FastPath = std::result::Result<(PathBuf, fast::Wanted, Option<fast::Template>), String>;

/// The fast path: a template made earlier by this version's venv (no Python runs at all), or
/// made now. Anything it cannot do is left to venv itself, as before; only a template others
/// could have planted is an error.
fn fast_path(base: &Base, name: &str, opts: &Options) -> Result<FastPath> {
    let Some(cache) = &opts.cache_dir else {
        return Ok(Err("PYV_VENV_FAST=0".to_string()));
    };
    let w = match fast::wanted(name, opts) {
        Ok(w) => w,
        Err(why) => return Ok(Err(why)),
    };
    let t = match fast::lookup(cache, base, &w) {
        Ok(t) => t,
        Err(fast::Unusable::Broken(why)) => {
            if opts.verbose {
                crate::ui::err(&format!(
                    "pyv: the virtualenv template is unusable ({why}); making it again"
                ));
            }
            None
        }
        Err(fast::Unusable::Untrusted(u)) => {
            return Err(crate::error::Error::user(u.message, u.hint))
        }
    };
    Ok(Ok((cache.clone(), w, t)))
}

/// Why [`make_fast`] did not make the environment: a real failure, or a reason to run venv.
enum Fallback {
    Error(crate::error::Error),
    Why(String),
}

/// The fast path (see [`fast`]): write the environment from the template, making the
/// template first (this version's venv runs into a hidden directory beside the environment,
/// exactly as the slow path runs it, and the result is kept in the cache).
fn make_fast(
    base: &Base,
    name: &str,
    opts: &Options,
    (cache, w, t): (&Path, &fast::Wanted, &mut Option<fast::Template>),
    scratch: &Path,
    target: &Path,
) -> std::result::Result<(), Fallback> {
    let mut fresh = None;
    if t.is_none() {
        let parent = scratch.parent().unwrap_or(Path::new("."));
        let dir = parent.join(format!(".{name}.tpl-{}", std::process::id()));
        let made = run_venv(base, name, &fast::venv_options(w, opts), &dir)
            .map_err(Fallback::Error)
            .and_then(|()| fast::adopt(&dir).map_err(Fallback::Why));
        match made {
            Ok(made) => {
                *t = Some(made);
                fresh = Some(dir);
            }
            Err(e) => {
                let _ = remove_any(&dir);
                return Err(e);
            }
        }
    }
    let template = t.as_ref().expect("made above");
    let written = fast::instantiate(template, w, scratch, target, opts.link_mode)
        .map_err(|e| Fallback::Why(format!("cannot write it from the template: {e}")));
    if fresh.is_none() && written.is_ok() && opts.link_mode.shares() {
        if let Err(e) = fast::restamp(cache, template) {
            if opts.verbose {
                crate::ui::err(&format!(
                    "pyv: warning: cannot record the template's files again: {e}"
                ));
            }
        }
    }
    if let Some(dir) = fresh {
        if written.is_ok() {
            if let Err(why) = fast::store(cache, base, w, template, opts.link_mode) {
                if opts.verbose {
                    crate::ui::err(&format!("pyv: warning: {why}"));
                }
            }
        }
        let _ = remove_any(&dir);
    }
    written
}

/// One quick Python run telling a 2.x (no venv) or a venv without ensurepip apart from a
/// working one, so the error can say what to do. The code is valid Python 2 on purpose.
fn preflight(layout: &Layout, base: &Base, without_pip: bool) -> Result<()> {
    let code = "import sys\ntry:\n import venv\nexcept ImportError:\n sys.exit(42)\n\
                if sys.argv[1] == 'pip':\n try:\n  import ensurepip\n except ImportError:\n  sys.exit(43)\n";
    let status = Command::new(&base.python)
        .args(["-c", code, if without_pip { "nopip" } else { "pip" }])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| VenvError::io("cannot run", &base.python, e))?;
    let (version, python) = (base.version.clone(), base.python.clone());
    match status.code() {
        Some(0) => Ok(()),
        Some(43) => Err(VenvError::NoEnsurepip { version, python }.into()),
        // Anything else (42, or a Python too old to run this) has no usable venv.
        _ => Err(VenvError::NoVenv {
            version,
            python,
            example: super::example_base(layout),
        }
        .into()),
    }
}

/// Remove what killed creations and deletions left behind (we hold the lock: none is live).
pub(crate) fn sweep_stale(layout: &Layout, envs: &Path) {
    fsx::sweep(envs, |n| {
        is_scratch(n, &[".tmp-", ".old-", ".del-", ".tpl-"])
    });
    fsx::sweep(&layout.versions_dir(), |n| is_scratch(n, &[".alias-"]));
}

/// Put the finished tree in place, then the alias; undo everything if a step fails.
fn commit(
    layout: &Layout,
    base: &Base,
    name: &str,
    scratch: &Path,
    target: &Path,
    replaced: Option<&Env>,
) -> Result<()> {
    let pid = std::process::id();
    let aside = replaced.map(|old| {
        let parent = old.dir.parent().unwrap_or(Path::new("."));
        (old.dir.clone(), parent.join(format!(".{name}.old-{pid}")))
    });
    if let Some((old, aside)) = &aside {
        fs::rename(old, aside).map_err(|e| VenvError::io("cannot move aside", old, e))?;
    }
    let restore = || {
        if let Some((old, aside)) = &aside {
            let _ = fs::rename(aside, old);
        }
    };
    if let Err(e) = fs::rename(scratch, target) {
        restore();
        return Err(VenvError::io("cannot create", target, e).into());
    }
    if base.system {
        // In `versions/` itself: the environment is its own alias.
        if let Some((_, aside)) = &aside {
            let _ = remove_any(aside);
        }
        return Ok(());
    }
    let alias = layout.version_dir(name);
    let tmp_link = layout.versions_dir().join(format!(".{name}.alias-{pid}"));
    let linked = symlink(format!("{}/envs/{name}", base.version), &tmp_link)
        .and_then(|()| fs::rename(&tmp_link, &alias));
    if let Err(e) = linked {
        let _ = fs::remove_file(&tmp_link);
        let _ = remove_any(target);
        restore();
        return Err(VenvError::io("cannot create the alias", &alias, e).into());
    }
    if let Some((_, aside)) = &aside {
        let _ = remove_any(aside);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venv_args_are_options_only() {
        let ok = |a: &[&str]| check_venv_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(ok(&["--prompt", "web", "--upgrade-deps", "--copies"]).is_ok());
        assert!(ok(&["--prompt=web"]).is_ok());
        assert!(ok(&["/tmp/elsewhere"]).is_err());
        assert!(ok(&["--clear", "other"]).is_err());
    }
}
