//! Turning selected names into installed directories and commands into executables.
//! Exact names are one `stat`; only a name that is not a directory (a prefix like `3.12`, or a
//! typo) costs a listing of `versions/`.

use crate::env_vars::EnvVars;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::pyversion::{self, PyVersion};
use crate::request::{self, Request};
use crate::select::{Origin, Selection};

/// What a selected name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The Python found on PATH outside pyv.
    System,
    /// `versions/<name>`; `name` is the full name (a prefix resolves to e.g. `3.12.10`).
    Installed { name: String, dir: PathBuf },
}

impl Resolved {
    pub fn name(&self) -> &str {
        match self {
            Resolved::System => "system",
            Resolved::Installed { name, .. } => name,
        }
    }
}

/// Resolve one (already validated) name chosen by `origin`: `versions/<name>` when it exists
/// (even `python-3.12.6`, a directory pyenv users may have), else what the name asks for as a
/// request (see [`request`]): a prefix or another tool's spelling resolves to the newest
/// installed match, a specifier to the newest installed release satisfying it.
pub fn resolve(layout: &Layout, name: &str, origin: &Origin) -> Result<Resolved> {
    if name == "system" {
        return Ok(Resolved::System);
    }
    let dir = layout.version_dir(name);
    if dir.is_dir() {
        return Ok(Resolved::Installed {
            name: name.to_string(),
            dir,
        });
    }
    let req = match request::parse(name) {
        Ok(req) => req,
        // `3,13` looks like a list of specifiers but is a typo of `3.13`: say what was meant
        // (the not-installed error's hint) rather than list the request forms.
        Err(_) if crate::typo::repair(name).is_some() => Request::Name(name),
        Err(reason) => {
            return Err(Error::NotUnderstood {
                value: name.to_string(),
                origin: origin.clone(),
                reason,
            })
        }
    };
    if let Request::Name(n) = req {
        if n != name && crate::name::problem(n).is_none() && layout.version_dir(n).is_dir() {
            return Ok(Resolved::Installed {
                name: n.to_string(),
                dir: layout.version_dir(n),
            });
        }
    }
    let names = installed(layout);
    // Prefixes (`3.12`, `pypy3.10`) and specifiers match versions, never environments
    // (pyenv's `latest` skips them too): a missing `web` must not silently become `web-2`.
    let versions = || {
        names
            .iter()
            .map(String::as_str)
            .filter(|n| !looks_like_env(n))
    };
    let best = match &req {
        Request::Name(n) if looks_like_env(n) => None,
        Request::Name(n) => pyversion::best_match(n, versions()),
        Request::Spec(clauses) => request::newest_matching(clauses, versions()),
    };
    if let Some(best) = best {
        return Ok(Resolved::Installed {
            name: best.to_string(),
            dir: layout.version_dir(best),
        });
    }
    // A missing environment is compared with the environments, a version with the versions.
    let wanted = match req {
        Request::Name(n) => n,
        Request::Spec(_) => name,
    };
    let close = if looks_like_env(name) {
        let envs: Vec<String> = names
            .iter()
            .filter(|n| looks_like_env(n))
            .cloned()
            .chain(installed_envs(layout))
            .collect();
        close_to(name, &envs)
    } else {
        // A version is compared with versions only: an environment's alias is no base.
        let versions: Vec<String> = names.into_iter().filter(|n| !looks_like_env(n)).collect();
        close_to(wanted, &versions)
    };
    Err(Error::NotInstalled {
        name: name.to_string(),
        origin: origin.clone(),
        close,
    })
}

/// Every selected name resolved, in order: the installed ones, and an error for each that is
/// not (pyenv warns for each missing version and goes on with the installed ones).
pub fn resolve_all(layout: &Layout, selection: &Selection) -> (Vec<Resolved>, Vec<Error>) {
    let mut found = Vec::with_capacity(selection.versions.len());
    let mut missing = Vec::new();
    for name in &selection.versions {
        match resolve(layout, name, &selection.origin) {
            Ok(r) => found.push(r),
            Err(e) => missing.push(e),
        }
    }
    (found, missing)
}

/// Names close to `name`, for "did you mean" hints: the nearest typos (edit distance at most
/// 2 over the version strings, `3.11.22` -> `3.11.2`) first, then the same minor series, else
/// the newest. Used for installed versions and for the catalog alike.
pub fn close_to(name: &str, installed: &[String]) -> Vec<String> {
    // `pyhton3.12`, `3,13`, `3.1e`: the hint is about the version they meant, whose series is
    // known (no further typo guessing: `3.12` is one edit from `3.1.2`, not meant).
    match crate::typo::repair(name) {
        Some(meant) => nearby(&meant, installed, false),
        None => nearby(name, installed, true),
    }
}

fn nearby(name: &str, installed: &[String], with_typos: bool) -> Vec<String> {
    let series = PyVersion::parse(name).map(|v| (v.major, v.minor));
    let mut close: Vec<String> = installed
        .iter()
        .filter(|n| series.is_some() && PyVersion::parse(n).map(|v| (v.major, v.minor)) == series)
        .cloned()
        .collect();
    if close.is_empty() {
        close = installed.to_vec();
    }
    let skip = close.len().saturating_sub(5);
    let close = close.split_off(skip);
    let mut out = if with_typos {
        typos(name, installed)
    } else {
        Vec::new()
    };
    for c in close {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The candidates at the smallest edit distance (1 or 2) from `name`, in their order; at most
/// the last (newest) three.
fn typos(name: &str, candidates: &[String]) -> Vec<String> {
    let mut best = 3;
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        let d = edit_distance(name, c);
        if d == 0 || d > best {
            continue;
        }
        if d < best {
            best = d;
            out.clear();
        }
        out.push(c.clone());
    }
    out.split_off(out.len().saturating_sub(3))
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Whether a name that is not installed reads as a virtualenv's (`web`, `3.11.9/envs/web`)
/// rather than a Python version's (`3.12.1`, `pypy3.10-7.3.12`, `miniforge3-24.1`), for hints.
pub fn looks_like_env(name: &str) -> bool {
    if crate::typo::repair(name).is_some() {
        return false; // a mistyped version (`pyhton3.12`), not an environment's name
    }
    const FLAVOURS: &[&str] = &[
        "activepython",
        "anaconda",
        "cinder",
        "graalpy",
        "graalpython",
        "ironpython",
        "jython",
        "mambaforge",
        "micropython",
        "miniconda",
        "miniforge",
        "nogil",
        "pypy",
        "pyston",
        "stackless",
        "latest",
        "system",
    ];
    if name.contains("/envs/") {
        return true;
    }
    // Another tool's spelling of a version (`python3.12`, `cpython@3.12`, `>=3.11`).
    match request::parse(name) {
        Ok(Request::Name(n)) if n == name => {}
        _ => return false,
    }
    let lower = name.to_ascii_lowercase();
    !name.starts_with(|c: char| c.is_ascii_digit())
        && !FLAVOURS.iter().any(|f| lower.starts_with(f))
}

/// Installed version names (directories or symlinks to directories in `versions/`), sorted.
pub fn installed(layout: &Layout) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(layout.versions_dir()) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.') && crate::name::problem(n).is_none())
            .filter(|n| layout.version_dir(n).is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort_by(|a, b| pyversion::compare_names(a, b));
    names
}

/// Environments as `<version>/envs/<name>`, for every real (non-alias) installed version.
pub fn installed_envs(layout: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    for v in installed(layout) {
        let vdir = layout.version_dir(&v);
        if is_symlink(&vdir) {
            continue;
        }
        if let Ok(rd) = fs::read_dir(vdir.join("envs")) {
            let mut envs: Vec<String> = rd
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.'))
                .map(|n| format!("{v}/envs/{n}"))
                .filter(|n| crate::name::problem(n).is_none() && layout.version_dir(n).is_dir())
                .collect();
            envs.sort();
            out.extend(envs);
        }
    }
    out
}

pub fn is_symlink(p: &Path) -> bool {
    fs::symlink_metadata(p)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false)
}

/// A regular file with an execute bit (following symlinks).
pub fn is_executable(p: &Path) -> bool {
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Where a command was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub version: Resolved,
}

/// The executable `command` runs under `selection`: the first selected version that has it.
/// `path_var` is PATH, searched (without the shims) for `system`.
pub fn find_command(
    layout: &Layout,
    selection: &Selection,
    command: &str,
    path_var: Option<&OsStr>,
) -> Result<Found> {
    let mut missing = Vec::new();
    for name in &selection.versions {
        // A selected version that is not installed is skipped (and reported only if no other
        // selected version has the command), as pyenv does.
        let version = match resolve(layout, name, &selection.origin) {
            Ok(v) => v,
            Err(e @ (Error::NotInstalled { .. } | Error::NotUnderstood { .. })) => {
                missing.push(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let path = match &version {
            Resolved::System => find_system(layout, command, path_var),
            Resolved::Installed { dir, .. } => {
                Some(dir.join("bin").join(command)).filter(|p| is_executable(p))
            }
        };
        if let Some(path) = path {
            return Ok(Found { path, version });
        }
    }
    Err(Error::CommandNotFound {
        command: command.to_string(),
        selected: selection.versions.clone(),
        available_in: versions_with(layout, command),
        missing,
    })
}

/// Installed versions (and environments) whose `bin/` has `command`.
pub fn versions_with(layout: &Layout, command: &str) -> Vec<String> {
    installed(layout)
        .into_iter()
        .chain(installed_envs(layout))
        .filter(|v| is_executable(&layout.version_dir(v).join("bin").join(command)))
        .collect()
}

/// `command` on PATH, skipping pyv's shims directory however it is spelled there (trailing
/// slash, `//`, a symlink to it) and any file that is a pyv shim: the recursion guard.
pub fn find_system(layout: &Layout, command: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let path_var = path_var?;
    let shims = fs::metadata(layout.shims_dir())
        .ok()
        .map(|m| (m.dev(), m.ino()));
    let shim_bin = fs::metadata(layout.shim_binary())
        .ok()
        .map(|m| (m.dev(), m.ino()));
    let self_exe = std::env::current_exe()
        .ok()
        .and_then(|p| fs::metadata(p).ok())
        .map(|m| (m.dev(), m.ino()));
    for dir in std::env::split_paths(path_var) {
        if dir.as_os_str().is_empty() || !dir.is_absolute() {
            continue; // never run something from "the current directory"
        }
        if shims.is_some() && fs::metadata(&dir).ok().map(|m| (m.dev(), m.ino())) == shims {
            continue;
        }
        let candidate = dir.join(command);
        let Ok(meta) = fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            continue;
        }
        let id = Some((meta.dev(), meta.ino()));
        if id == shim_bin || id == self_exe {
            continue;
        }
        if dir.file_name() == Some(OsStr::new("shims")) && is_foreign_shim(&candidate) {
            continue;
        }
        return Some(candidate);
    }
    None
}

/// Is `candidate` (found in a PATH directory named `shims`) another version manager's shim?
/// Such a shim, asked for `system`, searches PATH itself and can land back on pyv's shims: a
/// loop. Recognised: a symlink to the `mise`/`rtx` binary (mise's shims), or a script whose
/// first KiB names pyenv, rbenv, asdf or mise the way their shims do (`PYENV_ROOT`,
/// `libexec/pyenv`, `asdf exec`, `mise x`, ...). Only directories named `shims` are looked
/// at, and only the one candidate in each, so a plain `system` lookup costs nothing extra.
pub fn is_foreign_shim(candidate: &Path) -> bool {
    if let Ok(target) = fs::read_link(candidate) {
        let name = target.file_name().and_then(OsStr::to_str).unwrap_or("");
        if ["mise", "rtx", "asdf"].contains(&name) {
            return true;
        }
    }
    let mut head = [0u8; 1024];
    let n = match fs::File::open(candidate).and_then(|mut f| {
        use std::io::Read;
        f.read(&mut head)
    }) {
        Ok(n) => n,
        Err(_) => return false,
    };
    let head = &head[..n];
    const MARKERS: [&[u8]; 10] = [
        EnvVars::PYENV_ROOT.as_bytes(),
        b"libexec/pyenv",
        b"pyenv exec",
        b"RBENV_ROOT",
        b"rbenv exec",
        b"asdf exec",
        b"asdf-plugin",
        b"mise x ",
        b"mise exec",
        b"rtx exec",
    ];
    head.starts_with(b"#!")
        && MARKERS
            .iter()
            .any(|m| head.windows(m.len()).any(|w| w == *m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_root(tag: &str, versions: &[&str]) -> (PathBuf, Layout) {
        let d = std::env::temp_dir().join(format!("pyv-res-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        let layout = Layout::new(&d);
        for v in versions {
            let bin = layout.version_dir(v).join("bin");
            fs::create_dir_all(&bin).unwrap();
            let py = bin.join("python");
            fs::write(&py, "#!/bin/sh\n").unwrap();
            fs::set_permissions(&py, fs::Permissions::from_mode(0o755)).unwrap();
        }
        (d, layout)
    }

    #[test]
    fn exact_then_prefix_then_not_installed_with_hint() {
        let (d, layout) = fake_root("pre", &["3.12.1", "3.12.9", "3.13.0rc1", "3.11.2"]);
        let o = Origin::Argument;
        assert_eq!(resolve(&layout, "3.12.1", &o).unwrap().name(), "3.12.1");
        assert_eq!(resolve(&layout, "3.12", &o).unwrap().name(), "3.12.9");
        assert_eq!(resolve(&layout, "system", &o).unwrap(), Resolved::System);
        match resolve(&layout, "3.12.4", &o).unwrap_err() {
            Error::NotInstalled { close, .. } => assert_eq!(close, ["3.12.1", "3.12.9"]),
            e => panic!("{e}"),
        }
        assert!(
            resolve(&layout, "3.13", &o).is_err(),
            "rc not picked for a prefix"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn other_pythons_resolve_by_prefix_but_environments_do_not() {
        let (d, layout) = fake_root(
            "flav",
            &[
                "pypy3.9-7.3.11",
                "pypy3.10-7.3.9",
                "pypy3.10-7.3.17",
                "web-2",
                "miniforge3-24.11.0-0",
            ],
        );
        let o = Origin::Argument;
        assert_eq!(
            resolve(&layout, "pypy3.10", &o).unwrap().name(),
            "pypy3.10-7.3.17"
        );
        assert_eq!(
            resolve(&layout, "pypy3", &o).unwrap().name(),
            "pypy3.10-7.3.17"
        );
        assert_eq!(
            resolve(&layout, "miniforge3", &o).unwrap().name(),
            "miniforge3-24.11.0-0"
        );
        assert!(
            resolve(&layout, "web", &o).is_err(),
            "an environment name is not a prefix"
        );
        assert!(resolve(&layout, "pypy3.11", &o).is_err());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn typos_are_suggested_besides_the_series() {
        let installed: Vec<String> = (2..=8).map(|m| format!("3.11.{m}")).collect();
        let close = close_to("3.11.22", &installed);
        assert_eq!(close[0], "3.11.2", "{close:?}");
        assert!(close.contains(&"3.11.8".to_string()), "{close:?}");
        assert_eq!(close_to("3.12.11", &["3.12.1".into()]), ["3.12.1"]);
        assert_eq!(edit_distance("3.11.22", "3.11.2"), 1);
        assert_eq!(edit_distance("3.1.2", "3.11.2"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert!(typos("3.11.22", &["2.7.18".into()]).is_empty());
    }

    #[test]
    fn env_like_names() {
        for env in ["web", "3.11.9/envs/web", "my-env"] {
            assert!(looks_like_env(env), "{env}");
        }
        for v in [
            "3.12.1",
            "3.13t",
            "pypy3.10-7.3.12",
            "miniforge3-24.1",
            "system",
        ] {
            assert!(!looks_like_env(v), "{v}");
        }
    }

    #[test]
    fn command_search_follows_selection_order() {
        let (d, layout) = fake_root("cmd", &["3.11.2", "2.7.18"]);
        let py2 = layout.version_dir("2.7.18").join("bin/python2");
        fs::write(&py2, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&py2, fs::Permissions::from_mode(0o755)).unwrap();
        let sel = Selection {
            versions: vec!["3.11.2".into(), "2.7.18".into()],
            origin: Origin::Env,
        };
        assert_eq!(
            find_command(&layout, &sel, "python", None)
                .unwrap()
                .version
                .name(),
            "3.11.2"
        );
        assert_eq!(
            find_command(&layout, &sel, "python2", None)
                .unwrap()
                .version
                .name(),
            "2.7.18"
        );
        match find_command(&layout, &sel, "nope", None).unwrap_err() {
            e @ Error::CommandNotFound { .. } => assert_eq!(e.exit_code(), 127),
            e => panic!("{e}"),
        }
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn other_managers_shims_are_recognised() {
        let (d, _) = fake_root("foreign", &[]);
        let dir = d.join("shims");
        fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            fs::write(&p, text).unwrap();
            p
        };
        let pyenv = write(
            "pyenv",
            "#!/usr/bin/env bash\nexport PYENV_ROOT=\"/root/.pyenv\"\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n",
        );
        let asdf = write(
            "asdf",
            "#!/usr/bin/env bash\n# asdf-plugin: python 3.12.0\nexec asdf exec \"python3\" \"$@\"\n",
        );
        let plain = write(
            "plain",
            "#!/bin/sh\necho pyenv is not mentioned like a shim\n",
        );
        let elf = write("elf", "\x7fELF PYENV_ROOT");
        let mise_bin = d.join("mise");
        fs::write(&mise_bin, "\x7fELF").unwrap();
        let mise = dir.join("mise-shim");
        std::os::unix::fs::symlink(&mise_bin, &mise).unwrap();
        assert!(is_foreign_shim(&pyenv));
        assert!(is_foreign_shim(&asdf));
        assert!(is_foreign_shim(&mise));
        assert!(!is_foreign_shim(&plain));
        assert!(!is_foreign_shim(&elf));
        assert!(!is_foreign_shim(&dir.join("missing")));
        fs::remove_dir_all(&d).unwrap();
    }
}
