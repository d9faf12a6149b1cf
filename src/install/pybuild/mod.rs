//! A pyenv user's build settings: python-build's environment variables, read the way
//! python-build reads them (`plugins/python-build/bin/python-build` in pyenv 2.6), and its
//! Homebrew / MacPorts detection on macOS. [`read`] turns the environment into one
//! [`BuildEnv`]; [`super::build_env`] calls it once per pyv run and everything else (preflight,
//! configure, make, the download, the artifact key) takes its answers from there.
//!
//! What each variable does (python-build's behaviour, unless noted):
//! - `CONFIGURE_OPTS` then `PYTHON_CONFIGURE_OPTS` are appended to configure's arguments;
//!   `PYV_CONFIGURE_OPTS`, when set, takes `PYTHON_CONFIGURE_OPTS`'s place.
//! - `PYTHON_CFLAGS` / `PYTHON_CPPFLAGS` / `PYTHON_LDFLAGS` are appended to `CFLAGS` /
//!   `CPPFLAGS` / `LDFLAGS` for configure.
//! - `MAKEOPTS`, else `MAKE_OPTS`, replaces the default `-j<cores>`; `PYTHON_MAKE_OPTS` is
//!   appended. `PYV_MAKE_OPTS` takes `PYTHON_MAKE_OPTS`'s place and, as pyv always did,
//!   replaces the default `-j<cores>` too.
//! - `make ${PYTHON_MAKE_INSTALL_TARGET:-install} $MAKE_INSTALL_OPTS $PYTHON_MAKE_INSTALL_OPTS`.
//! - `PYTHON_BUILD_CACHE_PATH`: an archive found there under its python-build name is used
//!   after its SHA-256 is checked (a mismatch is a warning and the archive is ignored).
//! - `PYTHON_BUILD_MIRROR_URL`: `<mirror>/<sha256>` is tried before python.org (after
//!   `PYV_MIRROR`); `PYTHON_BUILD_SKIP_MIRROR` turns it off. With
//!   `PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM` python-build reads the mirror in python.org's
//!   layout and skips the checksum: pyv uses that layout but never skips the checksum.
//!
//! Nothing here relaxes verification: every archive, wherever it comes from, must have the
//! catalog's SHA-256.

mod host;
#[cfg(test)]
mod tests;

use pyv_core::env_vars::EnvVars;
use std::path::PathBuf;

use host::packages;
pub use host::Host;

/// The python-build variables pyv honours. Those that shape the build (every one but the
/// archive's location) join the artifact key.
pub const VARS: &[&str] = &[
    EnvVars::CONFIGURE_OPTS,
    EnvVars::PYTHON_CONFIGURE_OPTS,
    EnvVars::PYTHON_CFLAGS,
    EnvVars::PYTHON_CPPFLAGS,
    EnvVars::PYTHON_LDFLAGS,
    EnvVars::MAKEOPTS,
    EnvVars::MAKE_OPTS,
    EnvVars::PYTHON_MAKE_OPTS,
    EnvVars::MAKE_INSTALL_OPTS,
    EnvVars::PYTHON_MAKE_INSTALL_OPTS,
    EnvVars::PYTHON_MAKE_INSTALL_TARGET,
    EnvVars::PYTHON_BUILD_CACHE_PATH,
    EnvVars::PYTHON_BUILD_MIRROR_URL,
    EnvVars::PYTHON_BUILD_SKIP_MIRROR,
    EnvVars::PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM,
    EnvVars::PYTHON_BUILD_USE_HOMEBREW,
    EnvVars::PYTHON_BUILD_SKIP_HOMEBREW,
    EnvVars::PYTHON_BUILD_USE_MACPORTS,
    EnvVars::PYTHON_BUILD_SKIP_MACPORTS,
];

/// Where the archive comes from: the same verified bytes whatever these say, so they are not
/// part of the artifact key (a build from a mirror is reusable without it).
const LOCATION_VARS: &[&str] = &[
    EnvVars::PYTHON_BUILD_CACHE_PATH,
    EnvVars::PYTHON_BUILD_MIRROR_URL,
    EnvVars::PYTHON_BUILD_SKIP_MIRROR,
    EnvVars::PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM,
];

/// python-build's mirror, in one of its two layouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    /// `<base>/<sha256>`: python-build's own layout.
    BySha256(String),
    /// `<base>/<version>/<file>`, python.org's (python-build's `..._SKIP_CHECKSUM` mode; pyv
    /// still checks the digest).
    PythonOrg(String),
}

/// Everything the environment says about how to build, read once.
#[derive(Debug, Clone, Default)]
pub struct BuildEnv {
    /// `CC`, `CFLAGS`, `CPPFLAGS`, `LDFLAGS`, ... as configure gets them: the user's values
    /// with `PYTHON_*FLAGS` appended and Homebrew/MacPorts paths added.
    pub vars: Vec<(String, String)>,
    /// `CONFIGURE_OPTS` then `PYV_CONFIGURE_OPTS` (or `PYTHON_CONFIGURE_OPTS`).
    pub configure_opts: Vec<String>,
    /// Options pyv detected (Homebrew's `--with-openssl=...`), placed before the user's.
    pub detected_opts: Vec<String>,
    /// `MAKEOPTS` / `MAKE_OPTS` (or `PYV_MAKE_OPTS`): replaces the default `-j<cores>`.
    pub make_opts: Option<Vec<String>>,
    /// `PYV_MAKE_OPTS` or `PYTHON_MAKE_OPTS`, after the above.
    pub make_extra: Vec<String>,
    /// `MAKE_INSTALL_OPTS` then `PYTHON_MAKE_INSTALL_OPTS`.
    pub make_install_opts: Vec<String>,
    /// `PYTHON_MAKE_INSTALL_TARGET`, default `install`.
    pub make_install_target: String,
    /// `PYTHON_BUILD_CACHE_PATH`, when it is a directory.
    pub source_cache: Option<PathBuf>,
    pub mirror: Option<Mirror>,
    /// The python-build variables that were set and shape the build (for the artifact key).
    pub key_vars: Vec<(String, String)>,
    /// What was read and which variable won, printed with `-v`.
    pub notes: Vec<String>,
    /// Errors in the variables (both `..._USE_HOMEBREW` and `..._SKIP_HOMEBREW`, say).
    pub errors: Vec<String>,
}

fn words(v: &str) -> Vec<String> {
    v.split_whitespace().map(String::from).collect()
}

/// Read the build environment: `get` looks a variable up (blank counts as unset), `compiler`
/// names the compiler variables to take as they are (`CC`, `CFLAGS`, ...).
pub fn read(get: &dyn Fn(&str) -> Option<String>, compiler: &[&str], host: &Host) -> BuildEnv {
    let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
    let mut env = BuildEnv {
        vars: compiler
            .iter()
            .filter_map(|k| Some((k.to_string(), get(k)?)))
            .collect(),
        make_install_target: "install".into(),
        ..BuildEnv::default()
    };

    read_configure(&get, &mut env);
    read_make(&get, &mut env);
    read_location(&get, &mut env);
    add_flags(&get, host, &mut env);
    env.key_vars = VARS
        .iter()
        .filter(|k| !LOCATION_VARS.contains(k))
        .filter_map(|k| Some((k.to_string(), get(k)?)))
        .collect();
    env
}

/// configure's options: `CONFIGURE_OPTS`, then `PYV_CONFIGURE_OPTS` or else
/// `PYTHON_CONFIGURE_OPTS`.
fn read_configure(get: &dyn Fn(&str) -> Option<String>, env: &mut BuildEnv) {
    env.configure_opts = get(EnvVars::CONFIGURE_OPTS)
        .map(|v| words(&v))
        .unwrap_or_default();
    match (
        get(EnvVars::PYV_CONFIGURE_OPTS),
        get(EnvVars::PYTHON_CONFIGURE_OPTS),
    ) {
        (Some(pyv), other) => {
            if other.is_some() {
                env.notes.push(
                    "PYV_CONFIGURE_OPTS is set: it is used and PYTHON_CONFIGURE_OPTS is ignored"
                        .into(),
                );
            }
            env.configure_opts.extend(words(&pyv));
        }
        (None, Some(py)) => env.configure_opts.extend(words(&py)),
        (None, None) => {}
    }
}

/// make's options: `MAKEOPTS` or `MAKE_OPTS`, `PYV_MAKE_OPTS` or `PYTHON_MAKE_OPTS`, and the
/// install target and its options.
fn read_make(get: &dyn Fn(&str) -> Option<String>, env: &mut BuildEnv) {
    if let Some(v) = get(EnvVars::MAKEOPTS) {
        if get(EnvVars::MAKE_OPTS).is_some() {
            env.notes
                .push("MAKEOPTS is set: it is used and MAKE_OPTS is ignored".into());
        }
        env.make_opts = Some(words(&v));
    } else if let Some(v) = get(EnvVars::MAKE_OPTS) {
        env.make_opts = Some(words(&v));
    }
    match (get(EnvVars::PYV_MAKE_OPTS), get(EnvVars::PYTHON_MAKE_OPTS)) {
        (Some(pyv), other) => {
            if other.is_some() {
                env.notes.push(
                    "PYV_MAKE_OPTS is set: it is used and PYTHON_MAKE_OPTS is ignored".into(),
                );
            }
            env.make_opts.get_or_insert_with(Vec::new);
            env.make_extra = words(&pyv);
        }
        (None, Some(py)) => env.make_extra = words(&py),
        (None, None) => {}
    }
    for k in [
        EnvVars::MAKE_INSTALL_OPTS,
        EnvVars::PYTHON_MAKE_INSTALL_OPTS,
    ] {
        env.make_install_opts
            .extend(get(k).map(|v| words(&v)).unwrap_or_default());
    }
    if let Some(t) = get(EnvVars::PYTHON_MAKE_INSTALL_TARGET) {
        env.make_install_target = t.trim().to_string();
    }
}

/// Where the archive comes from: `PYTHON_BUILD_CACHE_PATH` and `PYTHON_BUILD_MIRROR_URL`.
fn read_location(get: &dyn Fn(&str) -> Option<String>, env: &mut BuildEnv) {
    if let Some(dir) = get(EnvVars::PYTHON_BUILD_CACHE_PATH) {
        let dir = PathBuf::from(dir.trim_end_matches('/'));
        if dir.is_dir() {
            env.source_cache = Some(dir);
        } else {
            env.notes.push(format!(
                "PYTHON_BUILD_CACHE_PATH `{}` is not a directory: not used",
                dir.display()
            ));
        }
    }
    if let Some(url) = get(EnvVars::PYTHON_BUILD_MIRROR_URL) {
        let url = url.trim().trim_end_matches('/').to_string();
        if get(EnvVars::PYTHON_BUILD_SKIP_MIRROR).is_some() {
            env.notes.push(
                "PYTHON_BUILD_SKIP_MIRROR is set: PYTHON_BUILD_MIRROR_URL is not used".into(),
            );
        } else if get(EnvVars::PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM).is_some() {
            env.notes.push(
                "PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM: the mirror is read in python.org's \
                 layout, and pyv still checks every archive's SHA-256"
                    .into(),
            );
            env.mirror = Some(Mirror::PythonOrg(url));
        } else {
            env.mirror = Some(Mirror::BySha256(url));
        }
        if env.mirror.is_some() && get(EnvVars::PYV_MIRROR).is_some() {
            env.notes.push(
                "PYV_MIRROR is set: its mirrors are tried before PYTHON_BUILD_MIRROR_URL".into(),
            );
        }
    }
}

/// The flags python-build adds for the Python package: Homebrew's or MacPorts' paths, then
/// `PYTHON_CFLAGS` / `PYTHON_CPPFLAGS` / `PYTHON_LDFLAGS`.
fn add_flags(get: &dyn Fn(&str) -> Option<String>, host: &Host, env: &mut BuildEnv) {
    let brew = packages(get, host, env);
    for (k, extra) in [
        ("CFLAGS", get(EnvVars::PYTHON_CFLAGS)),
        ("CPPFLAGS", get(EnvVars::PYTHON_CPPFLAGS)),
        ("LDFLAGS", get(EnvVars::PYTHON_LDFLAGS)),
    ] {
        if let Some(extra) = extra {
            append(&mut env.vars, k, &extra);
        }
    }
    if let Some(b) = brew {
        env.notes.push(b);
    }
}

/// `vars[k] = "<old> <extra>"` (or `extra` alone).
fn append(vars: &mut Vec<(String, String)>, k: &str, extra: &str) {
    match vars.iter_mut().find(|(n, _)| n == k) {
        Some((_, v)) => *v = format!("{v} {extra}"),
        None => vars.push((k.to_string(), extra.to_string())),
    }
}
