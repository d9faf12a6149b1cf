//! Helpers for the virtualenv tests: a real interpreter installed as a pyv version.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::common::{ok_stdout, Env};

/// A real Python 3 whose `venv` and `ensurepip` work, found once: `python3.11` first (the
/// name the tests give the version), then any `python3.N` or `python3` in /usr/bin,
/// /usr/local/bin or on PATH. `None` when this machine has none.
pub fn python() -> Option<&'static str> {
    static FOUND: OnceLock<Option<String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            // The distribution's first: another manager's build on PATH (pyenv's) may be
            // one whose venvs record its real directory instead of the symlinked one.
            let mut dirs: Vec<PathBuf> = vec!["/usr/bin".into(), "/usr/local/bin".into()];
            if let Some(p) = std::env::var_os("PATH") {
                dirs.extend(std::env::split_paths(&p));
            }
            let names = std::iter::once("python3.11".to_string())
                .chain((8..=15).rev().map(|m| format!("python3.{m}")))
                .chain(std::iter::once("python3".to_string()));
            let candidates: Vec<PathBuf> = names
                .flat_map(|n| dirs.iter().map(move |d| d.join(&n)))
                .filter(|p| p.is_file())
                .collect();
            candidates
                .into_iter()
                .find(|p| {
                    Command::new(p)
                        .args(["-c", "import venv, ensurepip"])
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null())
                        .status()
                        .is_ok_and(|s| s.success())
                })
                .map(|p| p.display().to_string())
        })
        .as_deref()
}

/// `versions/3.11.9/bin/{python,python3,python3.11}` -> a real Python 3 with venv ([`python`]).
/// Without one the test is skipped, saying why (on stderr, shown by `--nocapture` and by
/// nextest's `--success-output`); under CI (`common::under_ci`, as tests/run.sh's packages provide one)
/// it fails instead, so a CI run can never pass by skipping.
pub fn real_version(env: &Env) -> Option<PathBuf> {
    let python = python_or_skip()?;
    let bin = env.version_dir("3.11.9").join("bin");
    fs::create_dir_all(&bin).unwrap();
    for n in ["python", "python3", "python3.11"] {
        symlink(python, bin.join(n)).unwrap();
    }
    Some(env.version_dir("3.11.9"))
}

/// [`python`], or `None` after saying why this test is skipped (a failure under CI).
pub fn python_or_skip() -> Option<&'static str> {
    let found = python();
    if found.is_none() {
        let why = "no python3 with the venv and ensurepip modules on PATH or in /usr/bin \
                   (apt-get install python3 python3-venv)";
        assert!(!crate::common::under_ci(), "CI must run this test: {why}");
        eprintln!("skipped: {why}");
    }
    found
}

pub fn mkenv(env: &Env, args: &[&str]) -> String {
    ok_stdout(env.pyv().arg("virtualenv").args(args))
}
