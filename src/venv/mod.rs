//! Virtual environments, built in: pyenv-virtualenv's layout without its unsafe delete.
//!
//! An environment lives at `versions/<version>/envs/<name>` and is also reachable as the alias
//! `versions/<name>`, a relative symlink to `<version>/envs/<name>`. Both spellings are ordinary
//! version names to the selection core, so `.python-version` files naming either keep working.
//! This module finds and lists environments; `create` makes them, `activation` prints the shell
//! code that activates them. Nothing here follows a symlink it is about to delete.

pub mod activation;
pub mod cfg;
pub mod create;
pub mod delete;
pub mod fast;
pub(crate) mod python_venv;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use cfg::PyvenvCfg;
use pyv_core::fsx::is_symlink;
use pyv_core::resolve;
use pyv_core::{name, Layout, Origin};

/// Err(Interrupted) once SIGINT/SIGTERM/SIGHUP arrived (see [`crate::signals::scoped`]).
fn interrupted(name: &str) -> crate::error::Result<()> {
    crate::signals::check().map_err(|_| VenvError::Interrupted { name: name.into() }.into())
}

/// One environment on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    /// The short name: `myenv`.
    pub name: String,
    /// The installed version it was made from (`3.11.9`), when pyv can tell.
    pub base: Option<String>,
    /// Its real directory, `versions/<base>/envs/<name>` (never the alias).
    pub dir: PathBuf,
    /// Whether `versions/<name>` is a symlink to `dir`.
    pub alias: bool,
}

impl Env {
    /// The long name `<base>/envs/<name>`, or the short name for an environment that lives
    /// directly in `versions/` (made by another tool).
    pub fn long_name(&self) -> String {
        match &self.base {
            Some(b)
                if self
                    .dir
                    .ends_with(Path::new(b).join("envs").join(&self.name)) =>
            {
                format!("{b}/envs/{}", self.name)
            }
            _ => self.name.clone(),
        }
    }

    pub fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }
}

/// Why pyv will not create, find, delete or activate an environment.
#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    #[error("invalid environment name `{}` ({reason}) (given on the command line)", value.escape_debug())]
    BadName { value: String, reason: &'static str },

    #[error("`{name}` is already the name of the installed Python version `{version}` ({})", dir.display())]
    VersionName {
        name: String,
        version: String,
        dir: PathBuf,
    },

    #[error("virtualenv `{name}` already exists ({})", dir.display())]
    Exists { name: String, dir: PathBuf },

    #[error("cannot use the name `{name}`: `{}` exists and is not a pyv environment", path.display())]
    Occupied { name: String, path: PathBuf },

    #[error("virtualenv `{name}` does not exist {origin}")]
    NotFound {
        name: String,
        origin: Origin,
        envs: Vec<String>,
    },

    #[error("`{name}` is a Python version, not a virtualenv {origin}")]
    NotAnEnv { name: String, origin: Origin },

    #[error("virtualenv name `{name}` is ambiguous: it exists as {}", candidates.join(" and "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },

    #[error("no system Python on PATH to make a virtualenv from (`system` {origin})")]
    SystemBase {
        origin: Origin,
        /// An installed version to show in the hint ([`example_base`]).
        example: String,
    },

    #[error("version `{version}` is a symlink to `{}`, outside versions/; pyv keeps environments only inside real version directories", target.display())]
    SymlinkedBase { version: String, target: PathBuf },

    #[error("cannot tell which Python version virtualenv `{name}` was made from")]
    UnknownBase { name: String, example: String },

    #[error("version `{version}` has no `bin/python` ({})", dir.display())]
    NoPython { version: String, dir: PathBuf },

    #[error("Python `{version}` has no `venv` module ({})", python.display())]
    NoVenv {
        version: String,
        python: PathBuf,
        example: String,
    },

    #[error("Python `{version}` cannot put pip into a virtualenv: its `ensurepip` module is missing ({})", python.display())]
    NoEnsurepip { version: String, python: PathBuf },

    #[error(
        "`{arg}` is not an option of `python -m venv` (arguments after `--` are passed to it)"
    )]
    BadVenvArg { arg: String },

    #[error(
        "`python -m venv` from Python `{version}` failed ({status}); nothing was created{}",
        tail_block(output)
    )]
    VenvFailed {
        version: String,
        status: String,
        output: String,
    },

    #[error("interrupted: virtualenv `{name}` was not created")]
    Interrupted { name: String },

    #[error("refusing to delete `{}`: {why}", path.display())]
    Unsafe { path: PathBuf, why: String },

    #[error("kept virtualenv `{name}` (not confirmed)")]
    NotConfirmed { name: String },

    #[error("a virtualenv that pyv did not activate is active: VIRTUAL_ENV=`{}`", dir.display())]
    Foreign { dir: PathBuf },

    #[error("no virtualenv is active in this shell")]
    NothingActive,

    #[error("`pyv {command}` needs pyv's shell integration to change this shell")]
    NoShellIntegration { command: &'static str },

    #[error("{context} `{}`: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

fn tail_block(output: &str) -> String {
    let lines: Vec<&str> = output.trim_end().lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = &lines[lines.len().saturating_sub(15)..];
    format!(":\n  {}", tail.join("\n  "))
}

impl VenvError {
    pub fn io(context: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        VenvError::Io {
            context,
            path: path.into(),
            source,
        }
    }

    /// One line saying what to do next.
    pub fn hint(&self) -> Option<String> {
        use VenvError::*;
        Some(match self {
            BadName { .. } => "an environment name is one word such as `myenv` or `web-3.12`: not `system`, not a version such as `3.12.1`, not starting with `-`".into(),
            VersionName { .. } => "pick another name for the environment (`pyv versions` lists the names in use)".into(),
            Exists { name, .. } => format!("pick another name, add `-f` to replace it, or delete it first with `pyv virtualenv-delete {name}`"),
            Occupied { .. } => "pick another name, or move that file away yourself".into(),
            NotFound { name, envs, .. } => {
                let mut h = if pyv_core::pyversion::PyVersion::parse(name).is_some() {
                    format!("`{name}` names a Python version, not a virtualenv")
                } else {
                    format!("create it with `pyv virtualenv <version> {name}`")
                };
                if !envs.is_empty() {
                    h += &format!(", or pick one of: {}", envs.join(", "));
                }
                h
            }
            NotAnEnv { .. } => "`pyv virtualenvs` lists environments; versions are selected with `pyv shell`/`pyv local` and removed with `pyv uninstall`".into(),
            Ambiguous { candidates, .. } => format!("use the long name, e.g. `{}`", candidates[0]),
            SystemBase { example, .. } => format!("put a Python on PATH, or name an installed version: `pyv virtualenv {example} <name>` (`pyv versions --skip-envs` lists them)"),
            SymlinkedBase { .. } => "make an environment from the version it points to, or make that version a real directory".into(),
            UnknownBase { example, .. } => format!("name the version: `pyv virtualenv {example} <name>`"),
            NoPython { version, .. } => format!("reinstall it: `pyv install -f {version}`"),
            NoVenv { example, .. } => format!("environments need Python 3.3 or newer: `pyv virtualenv {example} <name>`; for Python 2, install `virtualenv` into it and run `python -m virtualenv <dir>`"),
            NoEnsurepip { .. } => "install your distribution's venv package (Debian/Ubuntu: `apt install python3-venv`), or add `--without-pip`".into(),
            BadVenvArg { .. } => "`pyv virtualenv 3.12 myenv -- --prompt web --upgrade-deps` passes options through; the directory is pyv's to choose".into(),
            VenvFailed { .. } => "fix the problem shown above and run the command again (add -v to see venv's output as it runs)".into(),
            Interrupted { .. } => "run the command again to create it".into(),
            Unsafe { .. } => "remove it by hand if you are sure; pyv deletes only real environment directories inside versions/".into(),
            NotConfirmed { .. } => "add `-f` to delete without asking".into(),
            Foreign { .. } => "run its own `deactivate` first, or add `-f` to let pyv deactivate it".into(),
            NothingActive => "activate one with `pyv activate <name>` (`pyv virtualenvs` lists them)".into(),
            NoShellIntegration { .. } => "add `eval \"$(pyv init bash)\"` (or zsh; `pyv init fish | source` for fish) to your shell's rc file and open a new shell".into(),
            Io { .. } => return None,
        })
    }
}

type Result<T> = std::result::Result<T, VenvError>;

/// The version a hint should show in `pyv virtualenv <version> <name>`: the newest installed
/// CPython 3.3+ (a real version, neither an environment nor an alias), else `<version>`.
/// Hints used to say `3.12` whether or not it was installed.
pub fn example_base(layout: &Layout) -> String {
    resolve::installed(layout)
        .into_iter()
        .rev()
        .filter(|n| !pyv_core::suggest::looks_like_env(n) && !is_symlink(&layout.version_dir(n)))
        .find(|n| {
            pyv_core::pyversion::PyVersion::parse(n)
                .is_some_and(|v| v.major > 3 || (v.major == 3 && v.minor.unwrap_or(0) >= 3))
        })
        .unwrap_or_else(|| "<version>".into())
}

/// Why `value` cannot name a new environment, if it cannot.
pub fn name_problem(value: &str) -> Option<&'static str> {
    if value.contains('/') {
        return Some("it contains `/`; environment names are one path component");
    }
    if value == "system" {
        return Some("`system` means the Python on PATH");
    }
    if value.starts_with('.') {
        return Some("it starts with `.`, which pyv keeps for its own scratch files");
    }
    if let Some(p) = name::problem(value) {
        return Some(p);
    }
    // `versions/3.99.1` would be both this env's alias and where `pyv install 3.99.1` puts
    // that release: the install would replace the alias and orphan the environment.
    if pyv_core::pyversion::PyVersion::parse(name::normalize(value)).is_some() {
        return Some(
            "it looks like a Python version, which `pyv install` may later put at that name",
        );
    }
    // The same for PyPy, GraalPy and the conda family under pyenv's names (`pypy3.10-7.3.17`,
    // `miniforge3-24.11.0-0`); `pypy-tools` is a name, `pypy3` a prefix pyv would resolve.
    if crate::install::prebuilt::Flavour::is_other(value)
        && value.bytes().any(|b| b.is_ascii_digit())
    {
        return Some(
            "it looks like a PyPy, GraalPy or conda Python, which `pyv install` may later put \
             at that name",
        );
    }
    // Another tool's spelling of a version in a .python-version (`python3.12`, `cpython@3.12`)
    // would select this environment where 3.12 was meant.
    match pyv_core::request::parse(value) {
        Ok(pyv_core::request::Request::Name(n)) if n == value => {}
        Err(_) => {} // `web@home`: not a request, and an exact directory wins anyway
        _ => {
            return Some(
                "it is how other tools write a Python version (`python3.12`, `cpython@3.12`)",
            )
        }
    }
    // Names end up in prompts and shell code: keep them to characters no shell interprets.
    if !value
        .chars()
        .all(|c| c.is_alphanumeric() || "._+-@=,".contains(c))
    {
        return Some("it contains a character other than letters, digits and `._+-@=,`");
    }
    None
}

/// Whether `dir` (followed if a symlink) is a virtual environment.
pub fn is_env_dir(dir: &Path) -> bool {
    dir.join(cfg::FILE).is_file()
}

/// The installed version whose `bin/` is the `home =` of the environment at `dir`.
pub fn base_from_cfg(layout: &Layout, dir: &Path) -> Option<String> {
    let home = PyvenvCfg::read(dir)?.home?;
    let under = |home: &Path, versions: &Path| -> Option<String> {
        let mut parts = home.strip_prefix(versions).ok()?.iter();
        let version = parts.next()?.to_str()?.to_string();
        (parts.next()? == "bin" && parts.next().is_none()).then_some(version)
    };
    let versions = layout.versions_dir();
    under(&home, &versions)
        .or_else(|| under(&home.canonicalize().ok()?, &versions.canonicalize().ok()?))
}

/// The environment an alias symlink `versions/<name>` points at, if it is a pyv/pyenv alias:
/// a relative `<version>/envs/<name>` (or the same thing spelled absolutely).
pub(crate) fn alias_target(layout: &Layout, name: &str) -> Option<String> {
    let target = fs::read_link(layout.version_dir(name)).ok()?;
    let rel = if target.is_absolute() {
        target
            .strip_prefix(layout.versions_dir())
            .ok()?
            .to_path_buf()
    } else {
        target
    };
    let rel = rel.to_str()?.trim_end_matches('/').to_string();
    let parts: Vec<&str> = rel.split('/').collect();
    (parts.len() == 3 && parts[1] == "envs" && name::problem(&rel).is_none()).then_some(rel)
}

/// Every environment: those under `versions/*/envs/`, then real directories in `versions/`
/// that hold a `pyvenv.cfg` (made by other tools). Sorted by name.
pub fn list(layout: &Layout) -> Vec<Env> {
    let mut out: Vec<Env> = resolve::installed_envs(layout)
        .into_iter()
        .filter_map(|long| {
            let (base, short) = long.split_once("/envs/")?;
            let dir = layout.version_dir(&long);
            if !is_env_dir(&dir) {
                return None;
            }
            let alias = alias_target(layout, short).as_deref() == Some(long.as_str());
            Some(Env {
                name: short.to_string(),
                base: Some(base.to_string()),
                dir,
                alias,
            })
        })
        .collect();
    for v in resolve::installed(layout) {
        let dir = layout.version_dir(&v);
        if !is_symlink(&dir) && is_env_dir(&dir) {
            out.push(Env {
                base: base_from_cfg(layout, &dir),
                name: v,
                dir,
                alias: false,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.base.cmp(&b.base)));
    out
}

/// The environment `value` (already validated) names: `myenv` or `3.11.9/envs/myenv`.
/// `origin` says who named it, for the error.
pub fn find(layout: &Layout, value: &str, origin: &Origin) -> Result<Env> {
    let not_found = || VenvError::NotFound {
        name: value.to_string(),
        origin: origin.clone(),
        envs: list(layout).into_iter().map(|e| e.name).collect(),
    };
    if let Some((base, short)) = value.split_once("/envs/") {
        let dir = layout.version_dir(value);
        if !is_env_dir(&dir) {
            return Err(not_found());
        }
        let alias = alias_target(layout, short).as_deref() == Some(value);
        return Ok(Env {
            name: short.to_string(),
            base: Some(base.to_string()),
            dir,
            alias,
        });
    }
    let path = layout.version_dir(value);
    if let Some(long) = alias_target(layout, value) {
        if is_env_dir(&layout.version_dir(&long)) {
            return find(layout, &long, origin).map(|mut e| {
                // An alias may name an environment of another name (pyenv allowed it).
                e.alias = e.name == value;
                e
            });
        }
        return Err(not_found());
    }
    match fs::symlink_metadata(&path) {
        Ok(m) if m.is_dir() && is_env_dir(&path) => {
            return Ok(Env {
                name: value.to_string(),
                base: base_from_cfg(layout, &path),
                dir: path,
                alias: false,
            })
        }
        Ok(_) if path.is_dir() => {
            return Err(VenvError::NotAnEnv {
                name: value.to_string(),
                origin: origin.clone(),
            })
        }
        Ok(_) => return Err(not_found()),
        Err(_) => {}
    }
    // No alias: an environment of that name under some version, if exactly one.
    let matches: Vec<Env> = list(layout)
        .into_iter()
        .filter(|e| e.name == value && e.dir != path)
        .collect();
    match matches.len() {
        1 => Ok(matches.into_iter().next().expect("one match")),
        0 if resolve::resolve(layout, value, origin).is_ok() => Err(VenvError::NotAnEnv {
            name: value.to_string(),
            origin: origin.clone(),
        }),
        0 => Err(not_found()),
        _ => Err(VenvError::Ambiguous {
            name: value.to_string(),
            candidates: matches.iter().map(Env::long_name).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn root(tag: &str) -> (tempfile::TempDir, Layout) {
        let d = tempfile::Builder::new()
            .prefix(&format!("pyv-venv-{tag}"))
            .tempdir()
            .unwrap();
        let layout = Layout::new(d.path());
        fs::create_dir_all(layout.version_dir("3.11.9").join("bin")).unwrap();
        (d, layout)
    }

    fn fake_env(layout: &Layout, base: &str, name: &str, alias: bool) -> PathBuf {
        let dir = layout.envs_dir(base).join(name);
        fs::create_dir_all(dir.join("bin")).unwrap();
        let home = layout.version_dir(base).join("bin");
        fs::write(
            dir.join("pyvenv.cfg"),
            format!("home = {}\nversion = 3.11.9\n", home.display()),
        )
        .unwrap();
        if alias {
            symlink(format!("{base}/envs/{name}"), layout.version_dir(name)).unwrap();
        }
        dir
    }

    #[test]
    fn names_for_new_environments() {
        for ok in ["myenv", "web-3.12", "a_b.c", "py3.12", "3.12-web"] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
        for bad in [
            "system",
            "a/b",
            "..",
            ".hidden",
            "-rf",
            "two words",
            "",
            "3.11/envs/x",
            "$(id)",
            "a`b",
            "a%b",
            "a\\b",
            "3.99.1",
            "3.12",
            "3.13t",
            "python-3.12.1",
            "3.12-dev",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn finds_by_alias_long_name_and_bare_name() {
        let (_d, layout) = root("find");
        let dir = fake_env(&layout, "3.11.9", "web", true);
        fake_env(&layout, "3.11.9", "noalias", false);
        let o = Origin::Argument;
        assert_eq!(find(&layout, "web", &o).unwrap().dir, dir);
        let long = find(&layout, "3.11.9/envs/web", &o).unwrap();
        assert!(long.alias);
        assert_eq!(long.long_name(), "3.11.9/envs/web");
        assert_eq!(
            find(&layout, "noalias", &o).unwrap().base.as_deref(),
            Some("3.11.9")
        );
        assert!(matches!(
            find(&layout, "3.11.9", &o),
            Err(VenvError::NotAnEnv { .. })
        ));
        match find(&layout, "nope", &o) {
            Err(e @ VenvError::NotFound { .. }) => {
                assert!(e.hint().unwrap().contains("noalias, web"), "{:?}", e.hint())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lists_envs_with_their_base_from_pyvenv_cfg() {
        let (_d, layout) = root("list");
        fake_env(&layout, "3.11.9", "b", true);
        // A venv made by another tool directly in versions/.
        let loose = layout.version_dir("loose");
        fs::create_dir_all(&loose).unwrap();
        fs::write(
            loose.join("pyvenv.cfg"),
            format!("home = {}/bin\n", layout.version_dir("3.11.9").display()),
        )
        .unwrap();
        let envs = list(&layout);
        let names: Vec<_> = envs.iter().map(|e| (e.name.as_str(), e.alias)).collect();
        assert_eq!(names, [("b", true), ("loose", false)]);
        assert_eq!(envs[1].base.as_deref(), Some("3.11.9"));
    }

    #[test]
    fn alias_pointing_outside_is_not_an_alias() {
        let (d, layout) = root("out");
        let outside = d.path().join("elsewhere");
        fs::create_dir_all(&outside).unwrap();
        symlink(&outside, layout.version_dir("evil")).unwrap();
        assert_eq!(alias_target(&layout, "evil"), None);
        symlink("3.11.9/envs/../../x", layout.version_dir("evil2")).unwrap();
        assert_eq!(alias_target(&layout, "evil2"), None);
    }
}
