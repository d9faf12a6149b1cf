//! Shared helpers for the integration tests: a throwaway `PYV_ROOT` with fake installed
//! versions, and the real `pyv` binary pointed at it through its environment.
#![allow(dead_code)]

pub mod fake_release;
pub mod http;
pub mod tiny_package;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary home with a pyv root inside; everything is removed on drop.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    /// An isolated env under a path without spaces, named `<prefix>XXXXXX` (CPython's own
    /// build cannot use a prefix with a space, and a shebang into it needs no trampoline).
    #[allow(dead_code)] // not every test binary builds CPython or relocates trees
    pub fn without_spaces(prefix: &str) -> Env {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
        for d in ["root/versions", "home", "cache"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        Env { dir }
    }

    pub fn new() -> Env {
        let dir = tempfile::Builder::new()
            .prefix("pyv test ")
            .tempdir()
            .unwrap();
        fs::create_dir_all(dir.path().join("root/versions")).unwrap();
        fs::create_dir_all(dir.path().join("home")).unwrap();
        fs::create_dir_all(dir.path().join("cache")).unwrap();
        Env { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn root(&self) -> PathBuf {
        self.path().join("root")
    }
    pub fn home(&self) -> PathBuf {
        self.path().join("home")
    }
    pub fn shims(&self) -> PathBuf {
        self.root().join("shims")
    }
    pub fn version_dir(&self, v: &str) -> PathBuf {
        self.root().join("versions").join(v)
    }

    /// PATH for commands run through the shims: shims first, then the system's.
    pub fn shim_path(&self) -> String {
        format!(
            "{}:{}",
            self.shims().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// The real `pyv` binary with a clean, isolated environment.
    pub fn pyv(&self) -> Command {
        let mut c = Command::new(pyv_bin());
        self.isolate(&mut c);
        c
    }

    /// Any program, with the same isolated environment (PYV_ROOT, HOME, no PYV_VERSION).
    pub fn cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        self.isolate(&mut c);
        c
    }

    pub fn isolate(&self, c: &mut Command) {
        c.env("PYV_ROOT", self.root())
            .env("PYV_CACHE_DIR", self.path().join("cache"))
            .env("HOME", self.home())
            .env_remove("PYV_VERSION")
            .env_remove("PYV_VERSION_OLD")
            .env_remove("PYV_SHELL")
            .env_remove("PYV_MIRROR")
            .env_remove("PYV_INSTALL")
            .env_remove("PYV_PREBUILT_MIRROR")
            .env_remove("PYV_PREBUILT_TABLE")
            .env_remove("PYV_MIRROR_MAP")
            // Never python.org: a test that needs it points this at its own server.
            .env(
                "PYV_PYTHON_ORG",
                "http://127.0.0.1:1/python.org-is-off-limits-in-tests",
            )
            // nor its API, which pyv never looks for on PYV_PYTHON_ORG's host.
            .env(
                "PYV_PYTHON_ORG_API",
                "http://127.0.0.1:1/python.org-api-is-off-limits-in-tests/",
            )
            // Every install builds unless a test turns the artifact cache on (tests/artifact.rs).
            .env("PYV_ARTIFACT_CACHE", "0")
            .env_remove("PYV_ARTIFACT_MIRROR")
            .env_remove("VIRTUAL_ENV")
            // The machine's TLS trust and proxies are its own: a test that wants one sets it.
            .env_remove("PYV_TLS_ROOTS")
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR");
        for v in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            c.env_remove(v);
        }
        c.current_dir(self.path());
        // pyenv's python-build variables change builds (and their artifact keys): a test that
        // wants one sets it.
        for v in PYTHON_BUILD_VARS {
            c.env_remove(v);
        }
    }

    /// A fake installed version whose `bin/<cmd>` scripts print `<cmd> <version> <args>`.
    pub fn fake_version(&self, version: &str, commands: &[&str]) -> PathBuf {
        let bin = self.version_dir(version).join("bin");
        fs::create_dir_all(&bin).unwrap();
        for c in commands {
            write_exe(
                &bin.join(c),
                &format!("#!/bin/sh\necho \"{c} {version} $*\"\n"),
            );
        }
        self.version_dir(version)
    }
}

/// The variables pyv takes from pyenv's python-build (`src/install/pybuild/`), plus
/// `PYV_CONFIGURE_OPTS`/`PYV_MAKE_OPTS` and the compiler flags they combine with.
pub const PYTHON_BUILD_VARS: &[&str] = &[
    "CONFIGURE_OPTS",
    "PYTHON_CONFIGURE_OPTS",
    "PYV_CONFIGURE_OPTS",
    "PYTHON_CFLAGS",
    "PYTHON_CPPFLAGS",
    "PYTHON_LDFLAGS",
    "CFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "MAKEOPTS",
    "MAKE_OPTS",
    "PYV_MAKE_OPTS",
    "PYTHON_MAKE_OPTS",
    "MAKE_INSTALL_OPTS",
    "PYTHON_MAKE_INSTALL_OPTS",
    "PYTHON_MAKE_INSTALL_TARGET",
    "PYTHON_BUILD_CACHE_PATH",
    "PYTHON_BUILD_MIRROR_URL",
    "PYTHON_BUILD_SKIP_MIRROR",
    "PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM",
    "PYTHON_BUILD_USE_HOMEBREW",
    "PYTHON_BUILD_SKIP_HOMEBREW",
    "PYTHON_BUILD_USE_MACPORTS",
    "PYTHON_BUILD_SKIP_MACPORTS",
];

pub fn write_exe(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

pub fn pyv_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pyv"))
}

/// stdout of a finished command, asserting success.
pub fn ok_stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed ({}):\nstdout: {}\nstderr: {}",
        c,
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// (exit code, stdout, stderr) of a finished command.
pub fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Like [`run`], with `input` as the whole of stdin (then EOF).
pub fn run_input(c: &mut Command, input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = c
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A command that does not read may exit first: a broken pipe here is fine.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (exit code, stdout, stderr) of `c`, killed after `limit` (then the code is -1 and stderr
/// says so): a regression that makes pyv wait forever fails instead of hanging the suite.
pub fn run_within(c: &mut Command, limit: std::time::Duration) -> (i32, String, String) {
    let mut child = c
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            return (
                -1,
                String::from_utf8_lossy(&out.stdout).into_owned(),
                format!(
                    "killed after {limit:?}\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ),
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether this is a CI run (`CI` set to anything but empty, `false` or `0`): there a test
/// whose prerequisite is missing fails instead of skipping, so a CI run can never pass by
/// testing nothing.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "false" | "0"))
}

/// `$PYV_SHARED_DIR`, else `<project>/../shared` (pyenv checkouts, real CPython and PyPy
/// archives), made absolute.
pub fn shared_dir() -> PathBuf {
    let shared = match std::env::var_os("PYV_SHARED_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    fs::canonicalize(&shared).unwrap_or(shared)
}

/// `shared_dir()/<rel>` for `test`, when it exists. When it does not: under CI the test fails
/// (CI must run it); elsewhere it is skipped, with one line saying what is missing and where it
/// comes from.
pub fn shared_or_skip(rel: &str, test: &str) -> Option<PathBuf> {
    let path = shared_dir().join(rel);
    if path.exists() {
        return Some(path);
    }
    let msg = format!(
        "{test} needs {} (the `shared` directory beside the checkout, `../shared`, or \
         PYV_SHARED_DIR; see shared/README.md)",
        path.display()
    );
    assert!(!under_ci(), "{msg}");
    eprintln!("skipped: {msg}");
    None
}
