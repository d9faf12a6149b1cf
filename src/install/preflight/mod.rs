//! Build-dependency checks, run before anything is downloaded (and by `pyv doctor`): a C
//! compiler, make, and the headers *and* libraries CPython's optional modules need, tested by
//! compiling and linking a one-line program with the user's CC/CPPFLAGS/LDFLAGS. python-build
//! only learns about a missing header after minutes of compiling; pyv names the package to
//! install for the detected package manager before it starts.

use pyv_core::env_vars::EnvVars;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{InstallError, Result};
use crate::report::Reporter;
use libs::{Lib, LIBS};

mod libs;

/// How bad a missing dependency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Nothing can be built (compiler, make): stop even with `--skip-preflight`.
    Fatal,
    /// The Python would be useless without it (ssl, zlib): stop unless `--skip-preflight`.
    Required,
    /// One module goes missing: warn and go on.
    Optional,
}

/// A package manager and, per dependency, the package that provides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Apt,
    Dnf,
    Yum,
    Pacman,
    Apk,
    Zypper,
    Brew,
}

/// The result of one check.
#[derive(Debug, Clone)]
pub struct Check {
    pub key: &'static str,
    pub ok: bool,
    /// What was found, or what goes missing without it.
    pub detail: String,
    pub severity: Severity,
    package: Option<String>,
    /// For a missing library: the compiler's last error lines from its probe.
    pub diagnostic: Option<String>,
}

/// All checks plus the detected package manager.
#[derive(Debug, Clone)]
pub struct Report {
    pub checks: Vec<Check>,
    pub manager: Option<Manager>,
}

/// Run the checks: always the compiler and make; with `libraries`, every library as well.
/// `env` is the build's environment as read once ([`super::build_env`]): `CC`, `MAKE`, flags.
pub fn run(libraries: bool, env: &[(String, String)]) -> Report {
    let manager = detect_manager();
    let tool_pkg = |m: Option<Manager>| {
        m.map(|m| match m {
            Manager::Apt => "build-essential",
            Manager::Dnf | Manager::Yum | Manager::Zypper => "gcc make",
            Manager::Pacman => "base-devel",
            Manager::Apk => "build-base",
            Manager::Brew => "(xcode-select --install)",
        })
        .map(String::from)
    };
    let mut checks = Vec::new();
    let cc = compiler(env);
    checks.push(Check {
        key: "C compiler",
        ok: cc.is_ok(),
        detail: match &cc {
            Ok(p) => p.display().to_string(),
            Err(why) => why.clone(),
        },
        severity: Severity::Fatal,
        package: tool_pkg(manager),
        diagnostic: None,
    });
    let make = make_program(env);
    checks.push(Check {
        key: "make",
        ok: make.is_some(),
        detail: make.map_or("no `make` or `gmake` on PATH".into(), |p| {
            p.display().to_string()
        }),
        severity: Severity::Fatal,
        package: tool_pkg(manager),
        diagnostic: None,
    });
    if let (true, Ok(cc)) = (libraries, &cc) {
        // Eleven compile-and-link probes, in parallel: about a second instead of several.
        let found: Vec<Probe> = std::thread::scope(|s| {
            let handles: Vec<_> = LIBS
                .iter()
                .map(|lib| s.spawn(move || try_lib(cc, lib, env)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("the probe panicked".into()))
                })
                .collect()
        });
        for (lib, probe) in LIBS.iter().zip(found) {
            // Under load a probe can fail for reasons of its own (a compiler killed for want of
            // memory): before calling a library missing, try it once more, alone.
            let probe = probe.or_else(|_| try_lib(cc, lib, env));
            checks.push(Check {
                key: lib.key,
                ok: probe.is_ok(),
                detail: match &probe {
                    Ok(f) => format!("{} {f}", lib.includes.last().unwrap_or(&"")),
                    Err(_) => format!("missing: {}", lib.modules),
                },
                severity: lib.severity,
                package: manager.map(|m| package(lib, m).to_string()),
                diagnostic: probe.err().filter(|d| !d.is_empty()),
            });
        }
    }
    Report { checks, manager }
}

impl Report {
    /// Without the checks of libraries `version` does not use: liblzma before 3.3 (no `lzma`
    /// module) and libuuid before 3.7 (no `_uuid`), so a Python 2 build warns about neither.
    pub fn for_version(mut self, version: &str) -> Report {
        let (major, minor) = pyv_core::pyversion::PyVersion::parse(version)
            .map_or((3, u32::MAX), |v| (v.major, v.minor.unwrap_or(0)));
        let since = |m: u32| major > 3 || (major == 3 && minor >= m);
        self.checks.retain(|c| match c.key {
            "lzma" => since(3),
            "uuid" => since(7),
            _ => true,
        });
        self
    }

    pub fn missing(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    /// The one command that installs what is missing, e.g. `sudo apt-get install -y tk-dev`.
    pub fn install_command<'a>(
        &self,
        checks: impl IntoIterator<Item = &'a Check>,
    ) -> Option<String> {
        let mut pkgs: Vec<&str> = Vec::new();
        for c in checks {
            for p in c.package.as_deref().unwrap_or("").split(' ') {
                if !p.is_empty() && !pkgs.contains(&p) {
                    pkgs.push(p);
                }
            }
        }
        if pkgs.is_empty() {
            return None;
        }
        Some(command_for(self.manager?, &pkgs))
    }

    /// Warn about each missing optional library (printed even with `-q`).
    pub fn print_warnings(&self, reporter: &dyn Reporter) {
        let optional: Vec<&Check> = self
            .missing()
            .filter(|c| c.severity == Severity::Optional)
            .collect();
        for c in &optional {
            reporter.warn(&format!(
                "`{}` headers or library not found: {}",
                c.key, c.detail
            ));
        }
        if let Some(cmd) = self.install_command(optional.iter().copied()) {
            reporter.warn(&format!("to build those modules too, first run: {cmd}"));
        }
    }

    /// The compiler's own words for each missing library (`-v`), so a false "missing" can be
    /// told from a real one.
    pub fn print_diagnostics(&self, reporter: &dyn Reporter) {
        for c in self.missing() {
            if let Some(d) = &c.diagnostic {
                reporter.warn(&format!(
                    "the `{}` probe failed; the compiler said:\n{}",
                    c.key,
                    indent(d)
                ));
            }
        }
    }

    /// Fail on a missing compiler/make, or (unless skipped) on missing ssl/zlib.
    pub fn require(&self) -> Result<()> {
        for severity in [Severity::Fatal, Severity::Required] {
            let blocking: Vec<&Check> = self.missing().filter(|c| c.severity == severity).collect();
            if !blocking.is_empty() {
                return Err(InstallError::Preflight {
                    missing: blocking
                        .iter()
                        .map(|c| format!("{} ({})", c.key, c.detail))
                        .collect(),
                    install: self.install_command(blocking.iter().copied()),
                    skippable: severity == Severity::Required,
                });
            }
        }
        Ok(())
    }
}

/// `text` with every line indented as the rest of pyv's quoted output (`  | `).
pub fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn package(lib: &Lib, m: Manager) -> &'static str {
    let i = match m {
        Manager::Apt => 0,
        Manager::Dnf | Manager::Yum => 1,
        Manager::Pacman => 2,
        Manager::Apk => 3,
        Manager::Zypper => 4,
        Manager::Brew => 5,
    };
    lib.packages[i]
}

fn command_for(m: Manager, pkgs: &[&str]) -> String {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let sudo = if root { "" } else { "sudo " };
    let list = pkgs.join(" ");
    match m {
        Manager::Apt => format!("{sudo}apt-get install -y {list}"),
        Manager::Dnf => format!("{sudo}dnf install -y {list}"),
        Manager::Yum => format!("{sudo}yum install -y {list}"),
        Manager::Pacman => format!("{sudo}pacman -S --needed {list}"),
        Manager::Apk => format!("{sudo}apk add {list}"),
        Manager::Zypper => format!("{sudo}zypper install -y {list}"),
        Manager::Brew => format!("brew install {list}"),
    }
}

/// The package manager of this system, from `/etc/os-release` (or macOS).
pub fn detect_manager() -> Option<Manager> {
    if cfg!(target_os = "macos") {
        return Some(Manager::Brew);
    }
    let text = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let mut ids = String::new();
    for line in text.lines() {
        if let Some(v) = line
            .strip_prefix("ID=")
            .or_else(|| line.strip_prefix("ID_LIKE="))
        {
            ids.push(' ');
            ids.push_str(v.trim_matches('"'));
        }
    }
    let has = |w: &str| ids.split_whitespace().any(|i| i == w);
    if has("debian") || has("ubuntu") {
        Some(Manager::Apt)
    } else if has("fedora") || has("rhel") || has("centos") {
        Some(if which("dnf").is_some() {
            Manager::Dnf
        } else {
            Manager::Yum
        })
    } else if has("arch") {
        Some(Manager::Pacman)
    } else if has("alpine") {
        Some(Manager::Apk)
    } else if has("suse") || has("opensuse") {
        Some(Manager::Zypper)
    } else {
        None
    }
}

/// The package providing a header file, for "fatal error: X.h: No such file" in a build log.
pub fn package_for_header(header: &str) -> Option<String> {
    let lib = LIBS.iter().find(|l| {
        l.includes
            .iter()
            .any(|i| *i == header || header.starts_with("openssl/") && l.key == "ssl")
    })?;
    Some(package_hint(lib))
}

/// The package providing the library behind a module (`ssl`, `_ctypes`, `tkinter`, ...).
pub fn package_for_module(module: &str) -> Option<String> {
    let key = match module.trim_start_matches('_') {
        "ssl" | "hashlib" => "ssl",
        "zlib" => "zlib",
        "ctypes" => "ffi",
        "sqlite3" => "sqlite3",
        "bz2" => "bz2",
        "lzma" => "lzma",
        "readline" => "readline",
        "curses" => "ncurses",
        "uuid" => "uuid",
        "dbm.gnu" | "gdbm" => "gdbm",
        "tkinter" | "Tkinter" | "tkinter_" => "tk",
        _ => return None,
    };
    LIBS.iter().find(|l| l.key == key).map(package_hint)
}

fn package_hint(lib: &Lib) -> String {
    match detect_manager() {
        Some(m) => format!(
            "`{}` (`{}`)",
            package(lib, m),
            command_for(m, &[package(lib, m)])
        ),
        None => format!("the development package of {}", lib.key),
    }
}

/// Find a program on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return pyv_core::fsx::is_executable(Path::new(program)).then(|| program.into());
    }
    std::env::split_paths(&std::env::var_os(EnvVars::PATH)?)
        .map(|d| d.join(program))
        .find(|p| pyv_core::fsx::is_executable(p))
}

/// The C compiler: `$CC` (its first word) if set, else cc, gcc or clang.
pub fn compiler(env: &[(String, String)]) -> std::result::Result<PathBuf, String> {
    if let Some(cc) = get(env, "CC") {
        if pyv_core::fsx::is_executable(Path::new(&cc)) {
            return Ok(PathBuf::from(cc)); // a path with spaces, not a command line
        }
        let first = cc.split_whitespace().next().unwrap_or_default();
        return which(first).ok_or_else(|| format!("`{first}` (from CC) not found"));
    }
    ["cc", "gcc", "clang"]
        .iter()
        .find_map(|c| which(c))
        .ok_or_else(|| "no `cc`, `gcc` or `clang` on PATH".to_string())
}

/// `$MAKE`, else make or gmake.
pub fn make_program(env: &[(String, String)]) -> Option<PathBuf> {
    if let Some(m) = get(env, "MAKE") {
        return which(m);
    }
    which("make").or_else(|| which("gmake"))
}

/// The value of `var` in the build environment (set and not blank).
fn get<'a>(env: &'a [(String, String)], var: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == var).map(|(_, v)| v.as_str())
}

/// The whitespace-separated words of a build variable (CFLAGS, LDFLAGS, ...).
fn env_words<'a>(env: &'a [(String, String)], var: &str) -> impl Iterator<Item = &'a str> {
    get(env, var).unwrap_or_default().split_whitespace()
}

/// A probe's answer: the link flags that worked, or the compiler's last error lines.
type Probe = std::result::Result<String, String>;

/// How many of the compiler's last stderr lines a failed probe keeps.
const DIAGNOSTIC_LINES: usize = 6;

/// Compile and link a test program for `lib`: the link flags that worked, or what the compiler
/// said when the last alternative failed.
fn try_lib(cc: &Path, lib: &Lib, env: &[(String, String)]) -> Probe {
    let mut src = String::new();
    for i in lib.includes {
        src.push_str(&format!("#include <{i}>\n"));
    }
    src.push_str("int main(void) { return 0; }\n");
    let cc_words = get(env, "CC").unwrap_or_default();
    let cc_extra: Vec<&str> = if Path::new(cc_words).is_file() {
        Vec::new()
    } else {
        cc_words.split_whitespace().skip(1).collect()
    };
    let mut said = String::new();
    for flags in lib.link {
        let words: Vec<String> = match flags.strip_prefix("$PKG_CONFIG ") {
            Some(pkg) => {
                let out = Command::new("pkg-config")
                    .args(["--cflags", "--libs", pkg])
                    .stderr(Stdio::null())
                    .output()
                    .ok()
                    .filter(|o| o.status.success());
                let Some(out) = out else { continue };
                String::from_utf8_lossy(&out.stdout)
                    .split_whitespace()
                    .map(String::from)
                    .collect()
            }
            None => flags.split_whitespace().map(String::from).collect(),
        };
        let child = Command::new(cc)
            .args(&cc_extra)
            .args(env_words(env, "CPPFLAGS"))
            .args(env_words(env, "CFLAGS"))
            .args(["-x", "c", "-", "-o", "/dev/null"])
            .args(env_words(env, "LDFLAGS"))
            .args(&words)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                said = format!("cannot run `{}`: {e}", cc.display());
                continue;
            }
        };
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(src.as_bytes());
        }
        // The program is one line: the compiler's stderr is small, read after it exits.
        match child.wait_with_output() {
            Ok(out) if out.status.success() => return Ok(words.join(" ")),
            Ok(out) => said = last_lines(&String::from_utf8_lossy(&out.stderr), DIAGNOSTIC_LINES),
            Err(e) => said = format!("cannot wait for `{}`: {e}", cc.display()),
        }
    }
    Err(said)
}

/// The last `n` non-blank lines of `text`.
fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(keys: &[&'static str]) -> Report {
        Report {
            checks: keys
                .iter()
                .map(|&key| Check {
                    key,
                    ok: false,
                    detail: String::new(),
                    severity: Severity::Optional,
                    package: None,
                    diagnostic: None,
                })
                .collect(),
            manager: None,
        }
    }

    fn keys(r: &Report) -> Vec<&str> {
        r.checks.iter().map(|c| c.key).collect()
    }

    #[test]
    fn python_2_and_old_3_do_not_check_libraries_they_cannot_use() {
        let all = ["ssl", "lzma", "uuid", "gdbm"];
        assert_eq!(keys(&report(&all).for_version("2.7.18")), ["ssl", "gdbm"]);
        assert_eq!(
            keys(&report(&all).for_version("3.6.15")),
            ["ssl", "lzma", "gdbm"]
        );
        assert_eq!(keys(&report(&all).for_version("3.13.5")), all);
        assert_eq!(keys(&report(&all).for_version("nonsense")), all);
    }
}
