//! Helpers for the virtualenv tests: a real interpreter installed as a pyv version.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{ok_stdout, Env};

pub const PYTHON: &str = "/usr/bin/python3.11";

/// `versions/3.11.9/bin/{python,python3,python3.11}` -> the system's real Python 3.11.
pub fn real_version(env: &Env) -> PathBuf {
    let ok = Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import venv, ensurepip"])
            .status()
            .is_ok_and(|s| s.success());
    assert!(
        ok,
        "these tests need a real Python with venv at {PYTHON}: apt-get install python3.11 python3-venv"
    );
    let bin = env.version_dir("3.11.9").join("bin");
    fs::create_dir_all(&bin).unwrap();
    for n in ["python", "python3", "python3.11"] {
        symlink(PYTHON, bin.join(n)).unwrap();
    }
    env.version_dir("3.11.9")
}

pub fn mkenv(env: &Env, args: &[&str]) -> String {
    ok_stdout(env.pyv().arg("virtualenv").args(args))
}
