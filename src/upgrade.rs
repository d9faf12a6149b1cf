//! `pyv upgrade`: move a series' virtualenvs and pins from an old patch release to the newest
//! one. This module finds what moves ([`series`], [`envs_of`], [`pins`]) and moves one
//! environment ([`move_env`]); `commands::upgrade` installs the new patch and says what happens.
//!
//! Atomicity of one move (the argument docs/virtualenvs.md repeats): the new environment is
//! built as a copy in a hidden scratch directory beside its final place
//! (`versions/<new>/envs/.<name>.tmp-<pid>`, same filesystem), every path in it is rewritten
//! there, then
//! 1. `rename(scratch, versions/<new>/envs/<name>)`: the new env exists, but nothing names it
//!    yet: the alias `versions/<name>` still leads to the old one, which is untouched;
//! 2. the alias is swapped with one `rename` of a temporary symlink over it: this is the commit
//!    point, before it the name means the old env, after it the new one;
//! 3. the old env is renamed aside (`.<name>.del-<pid>`) and removed.
//!
//! A kill -9 before 1 leaves a hidden scratch dir (swept by the next `virtualenv`/`upgrade`);
//! between 1 and 2 a complete new env that carries `pyv-upgraded-from = <old>` in its
//! `pyvenv.cfg` while the alias leads to the old one: the next `pyv upgrade` knows it as its own
//! unfinished copy and makes it again; between 2 and 3 the old env is left over, and the next
//! `pyv upgrade` removes it (its alias leads to a new env upgraded from it). A failure before 2
//! removes the new copy and leaves the old env where it was.

use std::fs;
use std::io;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pyv_core::env_vars::EnvVars;
use pyv_core::fsx::{is_executable, is_symlink, lock, remove_any};
use pyv_core::pyversion::{compare_names, PyVersion};
use pyv_core::{version_file, Layout};

use crate::error::{Error, Result};
use crate::venv::{self, cfg, create::LOCK};

/// The `pyvenv.cfg` key saying which patch a moved env came from.
pub const UPGRADED_FROM: &str = "pyv-upgraded-from";
/// The `pyvenv.cfg` key of an env made from a prefix (`pyv virtualenv 3.12 web`).
pub const SERIES: &str = "pyv-series";

/// The series an installed version belongs to: `3.12.7` -> `3.12`, `3.13.1t` -> `3.13t`,
/// `pypy3.10-7.3.17` -> `pypy3.10`; `None` for anything else (aliases, debug builds, conda).
pub fn series_of(name: &str) -> Option<String> {
    if let Some(rest) = name.strip_prefix("pypy") {
        let (py, release) = rest.split_once('-')?;
        PyVersion::parse(py)?.minor?;
        PyVersion::parse(release)?.micro?;
        return Some(format!("pypy{py}"));
    }
    let v = PyVersion::parse(name)?;
    if v.micro.is_none() || v.pre.is_some() || v.dev || name.contains('-') {
        return None;
    }
    let t = if v.free_threaded { "t" } else { "" };
    Some(format!("{}.{}{t}", v.major, v.minor?))
}

/// Installed real versions (no symlinks, no envs), grouped by series, each sorted oldest first.
pub fn installed_series(layout: &Layout) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for name in pyv_core::resolve::installed(layout) {
        let dir = layout.version_dir(&name);
        if is_symlink(&dir) || venv::is_env_dir(&dir) {
            continue;
        }
        let Some(s) = series_of(&name) else { continue };
        match out.iter_mut().find(|(k, _)| *k == s) {
            Some((_, v)) => v.push(name),
            None => out.push((s, vec![name])),
        }
    }
    for (_, v) in &mut out {
        v.sort_by(|a, b| compare_names(a, b));
    }
    out.sort_by(|a, b| compare_names(&a.0, &b.0));
    out
}

/// One environment of an old patch.
#[derive(Debug, Clone)]
pub struct EnvOf {
    pub name: String,
    /// The name as printed (escaped: it is a directory name from disk).
    pub shown: String,
    /// `versions/<old>/envs/<name>`.
    pub dir: PathBuf,
    /// `versions/<name>` leads to it.
    pub alias: bool,
    /// The series it follows (`pyv-series`), when made from a prefix.
    pub series: Option<String>,
}

/// The environments in `versions/<old>/envs/` (scratch and leftovers skipped).
pub fn envs_of(layout: &Layout, old: &str) -> Vec<EnvOf> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(layout.envs_dir(old)) else {
        return out;
    };
    for e in rd.flatten() {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        let dir = e.path();
        if name.starts_with('.') || is_symlink(&dir) || !venv::is_env_dir(&dir) {
            continue;
        }
        let alias = venv::alias_target(layout, &name).as_deref()
            == Some(format!("{old}/envs/{name}").as_str());
        out.push(EnvOf {
            series: cfg_value(&dir, SERIES),
            shown: crate::ui::escape(&name).into_owned(),
            name,
            dir,
            alias,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Whether `versions/<old>/envs/` still holds an env (anything but pyv's dot-named scratch).
pub fn has_envs(layout: &Layout, old: &str) -> bool {
    fs::read_dir(layout.envs_dir(old)).is_ok_and(|rd| {
        rd.flatten()
            .any(|e| !e.file_name().to_string_lossy().starts_with('.'))
    })
}

/// The value of `key` in the `pyvenv.cfg` of the env at `dir`.
pub fn cfg_value(dir: &Path, key: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join(cfg::FILE)).ok()?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

/// What an env's alias leads to now, when it was moved to another patch already (an earlier
/// upgrade killed between its commit and its cleanup).
pub fn moved_already(layout: &Layout, old: &str, env: &EnvOf) -> Option<String> {
    if env.alias {
        return None;
    }
    let target = venv::alias_target(layout, &env.name)?;
    let (new, _) = target.split_once("/envs/")?;
    let dir = layout.version_dir(&target);
    (new != old && cfg_value(&dir, UPGRADED_FROM).as_deref() == Some(old)).then(|| new.into())
}

/// A `.python-version` or the global file that names an old patch (or one of its envs).
#[derive(Debug, Clone)]
pub struct Pin {
    pub file: PathBuf,
    /// (the name as written, what it becomes)
    pub changes: Vec<(String, String)>,
}

/// What `name` becomes when `old` moves to `new`: `old` itself, or `old/envs/<env>`.
fn renamed(name: &str, old: &str, new: &str) -> Option<String> {
    let n = pyv_core::name::normalize(name);
    if n == old {
        return Some(new.to_string());
    }
    let env = n.strip_prefix(old)?.strip_prefix("/envs/")?;
    Some(format!("{new}/envs/{env}"))
}

/// The global file and the `.python-version` files from `cwd` upward that name `old`.
pub fn pins(layout: &Layout, cwd: &Path, old: &str, new: &str) -> Vec<Pin> {
    let mut files: Vec<PathBuf> = cwd
        .ancestors()
        .map(|d| d.join(version_file::FILE_NAME))
        .collect();
    files.push(layout.global_file());
    files
        .into_iter()
        .filter_map(|file| {
            let names = version_file::read(&file).ok().flatten()?;
            let changes: Vec<(String, String)> = names
                .iter()
                .filter_map(|n| Some((n.clone(), renamed(n, old, new)?)))
                .collect();
            (!changes.is_empty()).then_some(Pin { file, changes })
        })
        .collect()
}

/// The same files that name the series itself (`3.12`): they follow the upgrade already.
pub fn prefix_pins(layout: &Layout, cwd: &Path, series: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = cwd
        .ancestors()
        .map(|d| d.join(version_file::FILE_NAME))
        .collect();
    files.push(layout.global_file());
    files.retain(|f| {
        version_file::read(f)
            .ok()
            .flatten()
            .is_some_and(|names| names.iter().any(|n| pyv_core::name::normalize(n) == series))
    });
    files
}

/// `PYV_VERSION`'s value with `old` replaced, when it names `old`.
pub fn env_pin(value: &str, old: &str, new: &str) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = value
        .split(':')
        .map(|p| match renamed(p, old, new) {
            Some(n) => {
                changed = true;
                n
            }
            None => p.to_string(),
        })
        .collect();
    changed.then(|| parts.join(":"))
}

/// Rewrite one pin file: every line naming the old patch, other lines (comments included) kept
/// as they are; written to a temp file and renamed.
pub fn rewrite_pin(pin: &Pin, old: &str, new: &str) -> Result<()> {
    let text =
        fs::read_to_string(&pin.file).map_err(|e| Error::io("cannot read", pin.file.clone(), e))?;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        if body.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let words: Vec<String> = body
            .split(' ')
            .map(|w| renamed(w, old, new).unwrap_or_else(|| w.to_string()))
            .collect();
        out.push_str(&words.join(" "));
        out.push_str(ending);
    }
    pyv_core::fsx::write_atomic(&pin.file, out.as_bytes())?;
    Ok(())
}

/// What a new patch's interpreter says it is, for `pyvenv.cfg`'s `version` keys.
#[derive(Debug, Clone)]
pub struct PyInfo {
    /// `3.12.8`
    pub version: String,
    /// `3.12.8.final.0`
    pub version_info: String,
}

/// Ask the interpreter of `versions/<name>`.
pub fn py_info(layout: &Layout, name: &str) -> Result<PyInfo> {
    let bin = layout.version_dir(name).join("bin");
    let python = ["python", "python3"]
        .iter()
        .map(|p| bin.join(p))
        .find(|p| is_executable(p))
        .ok_or_else(|| {
            Error::user(
                format!("Python `{name}` has no `bin/python` ({})", bin.display()),
                Some(format!("reinstall it: `pyv install --force {name}`")),
            )
        })?;
    let out = Command::new(&python)
        .args([
            "-E",
            "-s",
            "-c",
            "import sys; v = sys.version_info; print('%d.%d.%d' % v[:3]); \
             print('%d.%d.%d.%s.%d' % tuple(v))",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run", python.clone(), e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    match (out.status.success(), lines.next(), lines.next()) {
        (true, Some(v), Some(vi)) if PyVersion::parse(v).is_some() => Ok(PyInfo {
            version: v.to_string(),
            version_info: vi.to_string(),
        }),
        _ => Err(Error::user(
            format!(
                "`{}` does not say which Python it is",
                crate::ui::escape(&python.display().to_string())
            ),
            Some(format!("reinstall it: `pyv install --force {name}`")),
        )),
    }
}

/// Both spellings of a path: as given and canonical (they differ under a symlinked root).
fn spellings(p: &Path) -> Vec<PathBuf> {
    let mut v = vec![p.to_path_buf()];
    if let Ok(c) = p.canonicalize() {
        if c != p {
            v.push(c);
        }
    }
    v
}

/// Die here (kill -9 of ourselves) or fail here, when the test-only variable says so.
fn fault(step: &str) -> Result<()> {
    let Ok(want) = std::env::var(EnvVars::_PYV_UPGRADE_FAULT) else {
        return Ok(());
    };
    if want == step {
        return Err(Error::io(
            "cannot continue (injected fault) after",
            step,
            io::Error::other("test fault"),
        ));
    }
    if want.strip_prefix("kill-") == Some(step) {
        // SAFETY: sending SIGKILL to ourselves touches no memory.
        unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
    }
    Ok(())
}

/// Move env `env` of `old` to `new` (see the module docs for the order of the steps).
/// `step` is told each step, for `-v`.
pub fn move_env(
    layout: &Layout,
    old: &str,
    new: &str,
    env: &EnvOf,
    info: &PyInfo,
    step: &dyn Fn(&str),
) -> Result<()> {
    let _lock = lock(layout, LOCK)?;
    let name = &env.name;
    let envs = new_envs_dir(layout, new)?;
    let target = envs.join(name);
    let pid = std::process::id();
    if fs::symlink_metadata(&target).is_ok() {
        let ours = cfg_value(&target, UPGRADED_FROM).as_deref() == Some(old) && env.alias;
        if !ours {
            return Err(Error::user(
                format!(
                    "cannot move virtualenv `{name}` to {new}: `{}` exists",
                    target.display()
                ),
                Some(format!(
                    "remove it with `pyv virtualenv-delete {new}/envs/{name}`, then run `pyv upgrade` again"
                )),
            ));
        }
        // An earlier upgrade's copy that never became the env (killed before its commit).
        step(&format!("remove the unfinished copy {}", target.display()));
        remove_any(&target).map_err(|e| Error::io("cannot remove", target.clone(), e))?;
    }
    let scratch = envs.join(format!(".{name}.tmp-{pid}"));
    let from = env.dir.clone();
    let result = (|| -> Result<()> {
        step(&format!("copy {} to {}", from.display(), scratch.display()));
        copy_tree(&from, &scratch).map_err(|e| Error::io("cannot copy", from.clone(), e))?;
        step("rewrite paths, shebangs, activation scripts and links");
        rewrite(layout, &scratch, &from, &target, old, new, info)
            .map_err(|e| Error::io("cannot rewrite", scratch.clone(), e))?;
        fault("copied")?;
        step(&format!("rename to {}", target.display()));
        fs::rename(&scratch, &target)
            .map_err(|e| Error::io("cannot rename into place", target.clone(), e))?;
        fault("renamed")?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = remove_any(&scratch);
        if fs::symlink_metadata(&target).is_ok() && fs::symlink_metadata(&from).is_ok() {
            let _ = remove_any(&target);
        }
        return Err(e);
    }
    if env.alias {
        step(&format!(
            "swap the alias {} to {new}/envs/{name}",
            layout.version_dir(name).display()
        ));
        let alias = layout.version_dir(name);
        let tmp = layout.versions_dir().join(format!(".{name}.alias-{pid}"));
        let _ = fs::remove_file(&tmp);
        let swapped =
            symlink(format!("{new}/envs/{name}"), &tmp).and_then(|()| fs::rename(&tmp, &alias));
        if let Err(e) = swapped {
            let _ = fs::remove_file(&tmp);
            let _ = remove_any(&target);
            return Err(Error::io("cannot swap the alias", alias, e));
        }
    }
    fault("swapped")?;
    step(&format!("remove the old env {}", from.display()));
    remove_old(&from, name);
    Ok(())
}

/// Rename the old env aside, then delete it (a leftover is a dot-name the sweeps remove).
pub fn remove_old(dir: &Path, name: &str) {
    let aside = dir.with_file_name(format!(".{name}.del-{}", std::process::id()));
    if fs::rename(dir, &aside).is_ok() {
        let _ = remove_any(&aside);
    }
}

/// `new`'s `envs/`, made if needed and resolved, with what killed moves, creations and deletions
/// left there (and in `versions/`) swept: the caller holds the virtualenv lock, so none is live.
fn new_envs_dir(layout: &Layout, new: &str) -> Result<PathBuf> {
    let envs = layout.envs_dir(new);
    fs::create_dir_all(&envs).map_err(|e| Error::io("cannot create", envs.clone(), e))?;
    let envs = envs
        .canonicalize()
        .map_err(|e| Error::io("cannot resolve", envs.clone(), e))?;
    venv::create::sweep_stale(layout, &envs);
    Ok(envs)
}

/// Copy a tree: directories, regular files (with their modes) and symlinks as symlinks.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir(to)?;
    fs::set_permissions(to, fs::metadata(from)?.permissions())?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type()?;
        if t.is_dir() {
            copy_tree(&src, &dst)?;
        } else if t.is_symlink() {
            symlink(fs::read_link(&src)?, &dst)?;
        } else if t.is_file() {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Rewrite the copy at `scratch`: the old env's path becomes the new one's everywhere (scripts'
/// shebangs, `activate*`'s VIRTUAL_ENV, `pyvenv.cfg`'s `command`), then every path into the old
/// version's directory points into the new one (`bin/python*` links, `home`, `base-*`,
/// `executable`), and `pyvenv.cfg`'s `version`/`version_info` say the new patch.
fn rewrite(
    layout: &Layout,
    scratch: &Path,
    from: &Path,
    target: &Path,
    old: &str,
    new: &str,
    info: &PyInfo,
) -> io::Result<()> {
    use crate::venv::python_venv::rewrite_paths;
    for f in spellings(from) {
        rewrite_paths(scratch, &f, target)?;
    }
    let (old_dir, new_dir) = (layout.version_dir(old), layout.version_dir(new));
    let mut pairs: Vec<(PathBuf, PathBuf)> = vec![(old_dir.clone(), new_dir.clone())];
    if let Ok(real) = layout.versions_dir().canonicalize() {
        if real != layout.versions_dir() {
            pairs.push((real.join(old), real.join(new)));
        }
    }
    for (o, n) in &pairs {
        // With the separator: `3.12.7/` must not match inside `3.12.70/`.
        rewrite_paths(scratch, &o.join(""), &n.join(""))?;
    }
    let cfg_path = scratch.join(cfg::FILE);
    let text = fs::read_to_string(&cfg_path)?;
    let mut out = String::new();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let key = k.trim();
        if key == UPGRADED_FROM {
            continue;
        }
        let value = v.trim();
        let value = match key {
            "version" => info.version.clone(),
            "version_info" => info.version_info.clone(),
            _ => pairs
                .iter()
                .find(|(o, _)| Path::new(value) == o.as_path())
                .map_or_else(|| value.to_string(), |(_, n)| n.display().to_string()),
        };
        out.push_str(&format!("{key} = {value}\n"));
    }
    out.push_str(&format!("{UPGRADED_FROM} = {old}\n"));
    fs::write(&cfg_path, out)
}

/// What [`recreate_env`] could not reinstall (requirement lines), empty when everything was.
pub type NotReinstalled = Vec<String>;

/// Across series (`--to 3.13`): make env `env` again on `new` with `new`'s own venv, reinstall
/// what `pip freeze` lists in the old one (`pip install -r`, then line by line to find the ones
/// that fail), then swap the alias (the commit, as in [`move_env`]). The old env is removed
/// only when everything was reinstalled; otherwise it stays at its long name. (The new env gets
/// no `pyv-upgraded-from`: an old env kept for its failures must never look like a leftover.)
/// Killed before the swap, the new env is there but unnamed; the next run says it exists.
pub fn recreate_env(
    layout: &Layout,
    new: &str,
    env: &EnvOf,
    verbose: bool,
    progress: &dyn Fn(&str),
) -> Result<NotReinstalled> {
    let name = &env.name;
    let old_python = env.dir.join("bin/python");
    progress("pip freeze");
    let frozen = if env.dir.join("bin/pip").exists() {
        let out = Command::new(&old_python)
            .args(["-m", "pip", "freeze", "--disable-pip-version-check"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| Error::io("cannot run", old_python.clone(), e))?;
        if !out.status.success() {
            return Err(Error::user(
                format!("`pip freeze` failed in virtualenv `{name}`"),
                Some(format!(
                    "run `{} -m pip freeze` to see why",
                    old_python.display()
                )),
            ));
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        String::new()
    };
    let reqs: Vec<String> = frozen
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();

    let _lock = lock(layout, LOCK)?;
    let envs = new_envs_dir(layout, new)?;
    let target = envs.join(name);
    if fs::symlink_metadata(&target).is_ok() {
        return Err(Error::user(
            format!("cannot make virtualenv `{name}` on {new}: `{}` exists", target.display()),
            Some(format!(
                "remove it with `pyv virtualenv-delete {new}/envs/{name}`, then run `pyv upgrade` again"
            )),
        ));
    }
    let bin = layout.version_dir(new).join("bin");
    let python = ["python", "python3"]
        .iter()
        .map(|p| bin.join(p))
        .find(|p| is_executable(p))
        .ok_or_else(|| Error::user(format!("Python `{new}` has no `bin/python`"), None))?;
    let base = venv::create::Base {
        version: new.to_string(),
        python,
        system: false,
    };
    let opts = venv::create::Options {
        verbose,
        ..Default::default()
    };
    let scratch = envs.join(format!(".{name}.tmp-{}", std::process::id()));
    progress(&format!("python -m venv ({new})"));
    let made = venv::python_venv::run_venv(&base, name, &opts, &scratch)
        .and_then(|()| {
            let scratch_name = Path::new(scratch.file_name().unwrap_or_default());
            venv::python_venv::rewrite_paths(&scratch, &scratch, &target)
                .and_then(|()| {
                    venv::python_venv::rewrite_paths(&scratch, scratch_name, Path::new(name))
                })
                .map_err(|e| Error::io("cannot finish", scratch.clone(), e))
        })
        .and_then(|()| {
            fs::rename(&scratch, &target)
                .map_err(|e| Error::io("cannot rename into place", target.clone(), e))
        });
    if let Err(e) = made {
        let _ = remove_any(&scratch);
        return Err(e);
    }
    let mut failed = Vec::new();
    if !reqs.is_empty() {
        progress(&format!(
            "pip install -r ({} requirements; this may take a while)",
            reqs.len()
        ));
        let req_file = target.join(".pyv-requirements.txt");
        let pip = |args: &[&str]| -> bool {
            Command::new(target.join("bin/python"))
                .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
                .args(args)
                .stdin(Stdio::null())
                .stdout(if verbose {
                    Stdio::inherit()
                } else {
                    Stdio::null()
                })
                .stderr(if verbose {
                    Stdio::inherit()
                } else {
                    Stdio::null()
                })
                .status()
                .is_ok_and(|s| s.success())
        };
        let all = fs::write(&req_file, reqs.join("\n") + "\n").is_ok()
            && pip(&["-r", &req_file.to_string_lossy()]);
        let _ = fs::remove_file(&req_file);
        if !all {
            progress("some requirements failed; installing them one by one");
            for r in &reqs {
                if !pip(&[r]) {
                    failed.push(r.clone());
                }
            }
        }
    }
    if env.alias {
        let alias = layout.version_dir(name);
        let tmp = layout
            .versions_dir()
            .join(format!(".{name}.alias-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        if let Err(e) =
            symlink(format!("{new}/envs/{name}"), &tmp).and_then(|()| fs::rename(&tmp, &alias))
        {
            let _ = fs::remove_file(&tmp);
            let _ = remove_any(&target);
            return Err(Error::io("cannot swap the alias", alias, e));
        }
    }
    if failed.is_empty() {
        remove_old(&env.dir, name);
    }
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names() {
        assert_eq!(series_of("3.12.7").as_deref(), Some("3.12"));
        assert_eq!(series_of("3.13.1t").as_deref(), Some("3.13t"));
        assert_eq!(series_of("pypy3.10-7.3.17").as_deref(), Some("pypy3.10"));
        for none in [
            "3.12",
            "3.12.7-debug",
            "lto",
            "3.13.0rc1",
            "miniforge3-24.11.0-0",
        ] {
            assert_eq!(series_of(none), None, "{none}");
        }
    }

    #[test]
    fn pins_are_renamed_exactly_and_comments_kept() {
        assert_eq!(
            renamed("3.12.7", "3.12.7", "3.12.8").as_deref(),
            Some("3.12.8")
        );
        assert_eq!(
            renamed("3.12.7/envs/web", "3.12.7", "3.12.8").as_deref(),
            Some("3.12.8/envs/web")
        );
        assert_eq!(renamed("3.12.70", "3.12.7", "3.12.8"), None);
        assert_eq!(renamed("3.12", "3.12.7", "3.12.8"), None);
        assert_eq!(
            env_pin("3.12.7:system", "3.12.7", "3.12.8").as_deref(),
            Some("3.12.8:system")
        );
        assert_eq!(env_pin("3.12", "3.12.7", "3.12.8"), None);
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join(".python-version");
        fs::write(&file, "# was 3.12.7\n3.12.7/envs/web\r\n3.11.2\n").unwrap();
        let pin = Pin {
            file: file.clone(),
            changes: vec![],
        };
        rewrite_pin(&pin, "3.12.7", "3.12.8").unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            "# was 3.12.7\n3.12.8/envs/web\r\n3.11.2\n"
        );
    }
}
