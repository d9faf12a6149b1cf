//! The machine the build runs on: on macOS, python-build's Homebrew / MacPorts detection
//! (its `use_homebrew_*` / `use_macports_*`), which adds the libraries' paths and options.

use pyv_core::env_vars::EnvVars;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{append, BuildEnv};

/// The machine the build runs on, as far as detection cares. Tests pass their own.
#[derive(Debug, Clone)]
pub struct Host {
    pub mac: bool,
    /// Where `brew` and `port` are looked for.
    pub path: OsString,
}

impl Host {
    pub fn current() -> Host {
        Host {
            mac: cfg!(target_os = "macos"),
            path: std::env::var_os(EnvVars::PATH).unwrap_or_default(),
        }
    }
}
/// `vars[k] = "<extra> <old>"` (or `extra` alone).
fn prepend(vars: &mut Vec<(String, String)>, k: &str, extra: &str) {
    match vars.iter_mut().find(|(n, _)| n == k) {
        Some((_, v)) => *v = format!("{extra} {v}"),
        None => vars.push((k.to_string(), extra.to_string())),
    }
}

/// `PKG_CONFIG_PATH = dir:<old>`.
fn prepend_pkg_config(vars: &mut Vec<(String, String)>, dir: &Path) {
    let d = dir.display().to_string();
    match vars.iter_mut().find(|(n, _)| n == "PKG_CONFIG_PATH") {
        Some((_, v)) => *v = format!("{d}:{v}"),
        None => vars.push(("PKG_CONFIG_PATH".into(), d)),
    }
}

/// `name` on `path`, if executable.
fn find_on(path: &OsString, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join(name))
        .find(|p| pyv_core::fsx::is_executable(p))
}

/// Run a package manager's query; its first line of stdout, if it succeeded.
fn query(program: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next()?.trim().to_string();
    (!line.is_empty()).then_some(line)
}

/// Whether a package manager is to be used: `..._USE_<X>` forces it, `..._SKIP_<X>` stops it,
/// otherwise on macOS when its program is on PATH (python-build's `can_use_homebrew`; on
/// Linux python-build uses Homebrew only when pyenv itself came from it, which pyv cannot be:
/// there `PYTHON_BUILD_USE_HOMEBREW` asks for it).
fn wanted(
    get: &dyn Fn(&str) -> Option<String>,
    host: &Host,
    name: &str,
    program: &str,
    errors: &mut Vec<String>,
) -> Option<PathBuf> {
    let (usev, skipv) = (
        format!("PYTHON_BUILD_USE_{name}"),
        format!("PYTHON_BUILD_SKIP_{name}"),
    );
    let (use_, skip) = (get(&usev).is_some(), get(&skipv).is_some());
    if use_ && skip {
        errors.push(format!(
            "both {usev} and {skipv} are set; they are mutually exclusive"
        ));
        return None;
    }
    if skip || !(use_ || host.mac) {
        return None;
    }
    find_on(&host.path, program)
}

/// python-build's `use_homebrew_*` / `use_macports_*` for the Python package: the libraries
/// CPython needs, from Homebrew, else MacPorts. Returns a note saying what was used.
pub(super) fn packages(
    get: &dyn Fn(&str) -> Option<String>,
    host: &Host,
    env: &mut BuildEnv,
) -> Option<String> {
    if let Some(brew) = wanted(get, host, "HOMEBREW", "brew", &mut env.errors) {
        return Some(homebrew(&brew, host, env));
    }
    if let Some(port) = wanted(get, host, "MACPORTS", "port", &mut env.errors) {
        return Some(macports(&port, env));
    }
    None
}

fn homebrew(brew: &Path, host: &Host, env: &mut BuildEnv) -> String {
    let prefix_of = |formula: &str| {
        query(brew, &["--prefix", formula])
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
    };
    let mut used = Vec::new();
    let user_has = |opt: &str| env.configure_opts.iter().any(|o| o.starts_with(opt));
    let (own_tcltk, own_openssl) = (user_has("--with-tcltk"), user_has("--with-openssl"));
    // tcl-tk 8 first: CPython supports Tk 9 only from 3.14 (python-build's choice too).
    if !own_tcltk {
        for formula in ["tcl-tk@8", "tcl-tk"] {
            if let Some(p) = prefix_of(formula) {
                let lib = p.join("lib");
                if let Some((inc, libs)) = tcltk_specs(&lib) {
                    env.detected_opts
                        .push(format!("--with-tcltk-includes={inc}"));
                    env.detected_opts.push(format!("--with-tcltk-libs={libs}"));
                }
                prepend_pkg_config(&mut env.vars, &lib.join("pkgconfig"));
                used.push(formula);
                break;
            }
        }
    }
    for formula in ["readline", "ncurses", "zlib"] {
        if let Some(p) = prefix_of(formula) {
            prepend(
                &mut env.vars,
                "CPPFLAGS",
                &format!("-I{}/include", p.display()),
            );
            prepend(&mut env.vars, "LDFLAGS", &format!("-L{}/lib", p.display()));
            used.push(formula);
        }
    }
    // Homebrew's own prefix, unless it is on the default search path already.
    if let Some(p) = query(brew, &["--prefix"]) {
        if p != "/usr" && p != "/usr/local" {
            append(&mut env.vars, "CPPFLAGS", &format!("-I{p}/include"));
            let l = format!("-L{p}/lib -Wl,-rpath,{p}/lib");
            append(&mut env.vars, "LDFLAGS", &l);
            append(&mut env.vars, "LIBS", &l);
        }
    }
    // OpenSSL: python-build takes it from Homebrew on macOS (whose own is LibreSSL), 3 first.
    if host.mac && !own_openssl {
        for formula in ["openssl@3", "openssl@1.1", "openssl"] {
            if let Some(p) = prefix_of(formula) {
                env.detected_opts
                    .push(format!("--with-openssl={}", p.display()));
                prepend_pkg_config(&mut env.vars, &p.join("lib/pkgconfig"));
                used.push(formula);
                break;
            }
        }
    }
    format!(
        "using Homebrew ({}): {}",
        brew.display(),
        if used.is_empty() {
            "none of openssl@3, readline, tcl-tk, ncurses, zlib is installed".to_string()
        } else {
            used.join(", ")
        }
    )
}

/// `(TCL_INCLUDE_SPEC TK_INCLUDE_SPEC, TCL_LIB_SPEC TK_LIB_SPEC)` from a Tcl/Tk `lib/`.
fn tcltk_specs(lib: &Path) -> Option<(String, String)> {
    if !lib.join("tclConfig.sh").is_file() || !lib.join("tkConfig.sh").is_file() {
        return None;
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(
            ". ./tclConfig.sh; . ./tkConfig.sh; \
             echo \"$TCL_INCLUDE_SPEC $TK_INCLUDE_SPEC\"; echo \"$TCL_LIB_SPEC $TK_LIB_SPEC\"",
        )
        .current_dir(lib)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines().map(str::trim);
    Some((lines.next()?.to_string(), lines.next()?.to_string()))
}

fn macports(port: &Path, env: &mut BuildEnv) -> String {
    // `<prefix>/bin/port`
    let prefix = port
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/opt/local"))
        .to_path_buf();
    let active = |name: &str| {
        query(port, &["-q", "installed", name])
            .is_some_and(|l| l.split_whitespace().nth(2) == Some("(active)"))
    };
    let p = prefix.display();
    prepend(&mut env.vars, "CPPFLAGS", &format!("-I{p}/include"));
    let l = format!("-L{p}/lib -Wl,-rpath,{p}/lib");
    prepend(&mut env.vars, "LDFLAGS", &l);
    prepend(&mut env.vars, "LIBS", &l);
    prepend_pkg_config(&mut env.vars, &prefix.join("lib/pkgconfig"));
    let mut used = Vec::new();
    if !env
        .configure_opts
        .iter()
        .any(|o| o.starts_with("--with-openssl"))
    {
        if let Some(name) = ["openssl3", "openssl", "openssl11"]
            .into_iter()
            .find(|n| active(n))
        {
            env.detected_opts.push(format!("--with-openssl={p}"));
            used.push(name);
        }
    }
    used.extend(
        ["readline", "ncurses", "zlib", "tcl", "tk"]
            .into_iter()
            .filter(|n| active(n)),
    );
    format!(
        "using MacPorts ({}): {}",
        port.display(),
        if used.is_empty() {
            "its prefix only".to_string()
        } else {
            used.join(", ")
        }
    )
}
