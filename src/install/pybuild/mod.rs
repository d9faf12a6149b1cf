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

use pyv_core::env_vars::EnvVars;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

    // configure
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

    // make
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

    // where the archive comes from
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

    // the flags python-build adds for the Python package
    let brew = packages(&get, host, &mut env);
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

    env.key_vars = VARS
        .iter()
        .filter(|k| !LOCATION_VARS.contains(k))
        .filter_map(|k| Some((k.to_string(), get(k)?)))
        .collect();
    env
}

/// `vars[k] = "<old> <extra>"` (or `extra` alone).
fn append(vars: &mut Vec<(String, String)>, k: &str, extra: &str) {
    match vars.iter_mut().find(|(n, _)| n == k) {
        Some((_, v)) => *v = format!("{v} {extra}"),
        None => vars.push((k.to_string(), extra.to_string())),
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
fn packages(
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;

    const COMPILER: &[&str] = &[
        "CC",
        "CFLAGS",
        "CPPFLAGS",
        "LDFLAGS",
        "LIBS",
        "PKG_CONFIG_PATH",
    ];

    fn linux() -> Host {
        Host {
            mac: false,
            path: OsString::from("/nonexistent"),
        }
    }

    fn read_with(vars: &[(&str, &str)], host: &Host) -> BuildEnv {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read(&|k| map.get(k).cloned(), COMPILER, host)
    }

    fn var<'a>(env: &'a BuildEnv, k: &str) -> Option<&'a str> {
        env.vars
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn configure_opts_follow_python_build_and_pyv_wins() {
        let e = read_with(
            &[
                ("CONFIGURE_OPTS", "--with-lto"),
                ("PYTHON_CONFIGURE_OPTS", "--enable-optimizations"),
            ],
            &linux(),
        );
        assert_eq!(e.configure_opts, ["--with-lto", "--enable-optimizations"]);
        assert!(e.notes.is_empty());
        let e = read_with(
            &[
                ("PYV_CONFIGURE_OPTS", "--without-ensurepip"),
                ("PYTHON_CONFIGURE_OPTS", "--enable-optimizations"),
            ],
            &linux(),
        );
        assert_eq!(e.configure_opts, ["--without-ensurepip"]);
        assert!(
            e.notes[0].contains("PYV_CONFIGURE_OPTS is set"),
            "{:?}",
            e.notes
        );
    }

    #[test]
    fn make_opts_in_python_build_order() {
        let e = read_with(&[], &linux());
        assert_eq!(e.make_opts, None);
        assert!(e.make_extra.is_empty());
        assert_eq!(e.make_install_target, "install");
        let e = read_with(
            &[
                ("MAKE_OPTS", "-j3"),
                ("MAKEOPTS", "-j5"),
                ("PYTHON_MAKE_OPTS", "V=1"),
                ("MAKE_INSTALL_OPTS", "A=1"),
                ("PYTHON_MAKE_INSTALL_OPTS", "B=2"),
                ("PYTHON_MAKE_INSTALL_TARGET", "altinstall"),
            ],
            &linux(),
        );
        assert_eq!(e.make_opts.as_deref(), Some(&["-j5".to_string()][..]));
        assert_eq!(e.make_extra, ["V=1"]);
        assert_eq!(e.make_install_opts, ["A=1", "B=2"]);
        assert_eq!(e.make_install_target, "altinstall");
        // PYV_MAKE_OPTS replaces the default -j, and PYTHON_MAKE_OPTS.
        let e = read_with(
            &[("PYV_MAKE_OPTS", "-j1"), ("PYTHON_MAKE_OPTS", "V=1")],
            &linux(),
        );
        assert_eq!(e.make_opts.as_deref(), Some(&[][..]));
        assert_eq!(e.make_extra, ["-j1"]);
        assert!(e.notes.iter().any(|n| n.contains("PYV_MAKE_OPTS is set")));
    }

    #[test]
    fn python_flags_are_appended_and_keyed() {
        let e = read_with(
            &[
                ("CFLAGS", "-O2"),
                ("PYTHON_CFLAGS", "-march=native"),
                ("PYTHON_CPPFLAGS", "-I/opt/x/include"),
                ("PYTHON_LDFLAGS", "-L/opt/x/lib"),
                ("PYTHON_BUILD_MIRROR_URL", "https://m.example/pythons/"),
            ],
            &linux(),
        );
        assert_eq!(var(&e, "CFLAGS"), Some("-O2 -march=native"));
        assert_eq!(var(&e, "CPPFLAGS"), Some("-I/opt/x/include"));
        assert_eq!(var(&e, "LDFLAGS"), Some("-L/opt/x/lib"));
        let keys: Vec<&str> = e.key_vars.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["PYTHON_CFLAGS", "PYTHON_CPPFLAGS", "PYTHON_LDFLAGS"]);
        assert_eq!(
            e.mirror,
            Some(Mirror::BySha256("https://m.example/pythons".into()))
        );
    }

    #[test]
    fn mirror_skip_and_python_org_layout() {
        let e = read_with(
            &[
                ("PYTHON_BUILD_MIRROR_URL", "https://m.example"),
                ("PYTHON_BUILD_SKIP_MIRROR", "1"),
            ],
            &linux(),
        );
        assert_eq!(e.mirror, None);
        let e = read_with(
            &[
                ("PYTHON_BUILD_MIRROR_URL", "https://m.example"),
                ("PYV_MIRROR", "https://pyv.example"),
            ],
            &linux(),
        );
        assert!(e.notes[0].contains("PYV_MIRROR is set"), "{:?}", e.notes);
        let e = read_with(
            &[
                ("PYTHON_BUILD_MIRROR_URL", "https://m.example"),
                ("PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM", "1"),
            ],
            &linux(),
        );
        assert_eq!(
            e.mirror,
            Some(Mirror::PythonOrg("https://m.example".into()))
        );
        assert!(e.notes[0].contains("still checks"), "{:?}", e.notes);
    }

    /// A fake `brew` in a temp dir answering `--prefix [formula]` from real directories.
    fn fake_brew(dir: &Path, formulas: &[&str]) -> Host {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let mut script = String::from("#!/bin/sh\ncase \"$2\" in\n");
        script.push_str(&format!("  '') echo {};;\n", dir.join("brew").display()));
        for f in formulas {
            let p = dir.join("opt").join(f);
            std::fs::create_dir_all(p.join("lib")).unwrap();
            script.push_str(&format!("  '{f}') echo {};;\n", p.display()));
        }
        script.push_str(
            "  *) echo \"Error: No available formula with the name $2\" >&2; exit 1;;\nesac\n",
        );
        let brew = bin.join("brew");
        std::fs::write(&brew, script).unwrap();
        std::fs::set_permissions(&brew, std::fs::Permissions::from_mode(0o755)).unwrap();
        Host {
            mac: true,
            path: bin.into_os_string(),
        }
    }

    #[test]
    fn homebrew_on_macos_prefers_openssl_3_and_adds_readline_and_tcltk() {
        let tmp = tempfile::tempdir().unwrap();
        let host = fake_brew(
            tmp.path(),
            &["openssl@3", "openssl@1.1", "readline", "tcl-tk", "zlib"],
        );
        let opt = tmp.path().join("opt");
        let tk = opt.join("tcl-tk/lib");
        std::fs::write(
            tk.join("tclConfig.sh"),
            "TCL_INCLUDE_SPEC='-I/tk/include'\nTCL_LIB_SPEC='-L/tk/lib -ltcl8.6'\n",
        )
        .unwrap();
        std::fs::write(
            tk.join("tkConfig.sh"),
            "TK_INCLUDE_SPEC='-I/tk/include/tk'\nTK_LIB_SPEC='-ltk8.6'\n",
        )
        .unwrap();
        let e = read_with(&[("CPPFLAGS", "-DX")], &host);
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        assert!(
            e.detected_opts.contains(&format!(
                "--with-openssl={}",
                opt.join("openssl@3").display()
            )),
            "{:?}",
            e.detected_opts
        );
        assert!(
            e.detected_opts
                .contains(&"--with-tcltk-includes=-I/tk/include -I/tk/include/tk".to_string()),
            "{:?}",
            e.detected_opts
        );
        assert!(e
            .detected_opts
            .contains(&"--with-tcltk-libs=-L/tk/lib -ltcl8.6 -ltk8.6".to_string()));
        let cpp = var(&e, "CPPFLAGS").unwrap();
        for f in ["readline", "zlib"] {
            assert!(
                cpp.contains(&format!("-I{}/include", opt.join(f).display())),
                "{cpp}"
            );
        }
        assert!(
            cpp.ends_with(&format!(
                "-DX -I{}/include",
                tmp.path().join("brew").display()
            )),
            "{cpp}"
        );
        let pc = var(&e, "PKG_CONFIG_PATH").unwrap();
        assert!(
            pc.starts_with(&opt.join("openssl@3/lib/pkgconfig").display().to_string()),
            "{pc}"
        );
        assert!(
            e.notes.iter().any(|n| n.starts_with("using Homebrew")),
            "{:?}",
            e.notes
        );

        // Without openssl@3, openssl@1.1; a user's own --with-openssl wins.
        let tmp2 = tempfile::tempdir().unwrap();
        let host2 = fake_brew(tmp2.path(), &["openssl@1.1"]);
        let e = read_with(&[], &host2);
        assert_eq!(
            e.detected_opts,
            [format!(
                "--with-openssl={}",
                tmp2.path().join("opt/openssl@1.1").display()
            )]
        );
        let e = read_with(&[("PYTHON_CONFIGURE_OPTS", "--with-openssl=/mine")], &host2);
        assert!(e.detected_opts.is_empty(), "{:?}", e.detected_opts);
    }

    #[test]
    fn homebrew_skip_use_and_linux() {
        let tmp = tempfile::tempdir().unwrap();
        let mac = fake_brew(tmp.path(), &["openssl@3", "readline"]);
        let e = read_with(&[("PYTHON_BUILD_SKIP_HOMEBREW", "1")], &mac);
        assert!(e.detected_opts.is_empty() && e.vars.is_empty(), "{e:?}");
        // On Linux, Homebrew only when asked for; OpenSSL stays the system's there.
        let linux = Host {
            mac: false,
            ..mac.clone()
        };
        let e = read_with(&[], &linux);
        assert!(e.vars.is_empty(), "{e:?}");
        let e = read_with(&[("PYTHON_BUILD_USE_HOMEBREW", "1")], &linux);
        assert!(e.detected_opts.is_empty(), "{:?}", e.detected_opts);
        assert!(var(&e, "CPPFLAGS")
            .unwrap()
            .contains("opt/readline/include"));
        let e = read_with(
            &[
                ("PYTHON_BUILD_USE_HOMEBREW", "1"),
                ("PYTHON_BUILD_SKIP_HOMEBREW", "1"),
            ],
            &mac,
        );
        assert!(e.errors[0].contains("mutually exclusive"), "{:?}", e.errors);
    }

    #[test]
    fn macports_when_no_homebrew() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let port = bin.join("port");
        std::fs::write(
            &port,
            "#!/bin/sh\ncase \"$3\" in openssl3|readline) echo \"  $3 @3.0_0 (active)\";; *) exit 0;; esac\n",
        )
        .unwrap();
        std::fs::set_permissions(&port, std::fs::Permissions::from_mode(0o755)).unwrap();
        let host = Host {
            mac: true,
            path: bin.into_os_string(),
        };
        let e = read_with(&[], &host);
        let p = tmp.path().display().to_string();
        assert_eq!(e.detected_opts, [format!("--with-openssl={p}")]);
        assert!(var(&e, "CPPFLAGS")
            .unwrap()
            .starts_with(&format!("-I{p}/include")));
        assert!(
            e.notes
                .iter()
                .any(|n| n.contains("MacPorts") && n.contains("openssl3, readline")),
            "{:?}",
            e.notes
        );
        let e = read_with(&[("PYTHON_BUILD_SKIP_MACPORTS", "1")], &host);
        assert!(e.detected_opts.is_empty());
    }
}
