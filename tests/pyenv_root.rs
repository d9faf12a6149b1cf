//! `PYV_ROOT=~/.pyenv`: pyv adopts a root that pyenv 2.6.30 (`../shared/pyenv-2.6.30`, run
//! for real) made, with a version and pyenv-virtualenv environments in it, and pyenv's bash
//! shims. pyv's `versions`, `version`, `which`, `exec`, the shims, `virtualenvs`,
//! `virtualenv-prefix`, `virtualenv-delete` and `uninstall` work on it; `pyv rehash` replaces
//! pyenv's shims cleanly, and pyenv keeps working on the same root afterwards.
//!
//! The "installed" version is the system's Python 3.11 linked in as `versions/3.11.9` (as in
//! tests/venv.rs): what pyv and pyenv see of a version is its `bin/`, so nothing is compiled.

mod common;
mod venv_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ok_stdout, run, Env};

const PYENV: &str = "pyenv-2.6.30/libexec/pyenv";

/// pyenv's entry point in `$PYV_SHARED_DIR` or `<project>/../shared`.
fn pyenv_bin() -> PathBuf {
    common::shared_dir().join(PYENV)
}

/// pyenv itself, on the same root as pyv.
fn pyenv(env: &Env) -> Command {
    let mut c = env.cmd(pyenv_bin());
    c.env("PYENV_ROOT", env.root())
        .env_remove("PYENV_VERSION")
        .env_remove("PYENV_DIR");
    c
}

/// A root as a pyenv user has it: a version, a global file, pyenv's shims, two
/// pyenv-virtualenv environments (one selected by a project's `.python-version`).
fn pyenv_made_root() -> (Env, PathBuf) {
    let env = Env::without_spaces("pyv-pyenv-");
    venv_support::real_version(&env);
    ok_stdout(pyenv(&env).args(["global", "3.11.9"]));
    ok_stdout(pyenv(&env).arg("rehash"));
    for name in ["web", "tools"] {
        ok_stdout(pyenv(&env).args(["virtualenv", "--without-pip", "3.11.9", name]));
    }
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    let mut local = pyenv(&env);
    local.args(["local", "web"]).current_dir(&proj);
    ok_stdout(&mut local);
    (env, proj)
}

/// Names in `shims/`, sorted.
fn shims(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(env.shims())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn is_pyenv_script(p: &Path) -> bool {
    fs::read(p).is_ok_and(|b| {
        b.starts_with(b"#!/usr/bin/env bash") && b.windows(10).any(|w| w == b"pyenv\" exe")
    })
}

#[test]
fn pyv_adopts_a_root_made_by_pyenv_and_pyenv_virtualenv() {
    if common::shared_or_skip(PYENV, "the pyenv-made-root test").is_none() {
        return;
    }
    let (env, proj) = pyenv_made_root();
    let root = env.root().display().to_string();
    // What pyenv made: the alias is an absolute link, the shims are bash scripts.
    assert_eq!(
        fs::read_link(env.version_dir("web")).unwrap(),
        env.version_dir("3.11.9").join("envs/web")
    );
    assert!(is_pyenv_script(&env.shims().join("python")));

    // pyv reads it as pyenv does.
    let pyv_in = |dir: &Path| {
        let mut c = env.pyv();
        c.current_dir(dir);
        c
    };
    let versions = ok_stdout(env.pyv().args(["versions", "--bare"]));
    let names: Vec<&str> = versions.lines().collect();
    for want in [
        "3.11.9",
        "3.11.9/envs/tools",
        "3.11.9/envs/web",
        "tools",
        "web",
    ] {
        assert!(names.contains(&want), "{want} missing from:\n{versions}");
    }
    let version = ok_stdout(pyv_in(&proj).arg("version"));
    assert_eq!(
        version.trim(),
        format!("web (set by {}/.python-version)", proj.display())
    );
    assert_eq!(ok_stdout(env.pyv().arg("version-name")).trim(), "3.11.9");
    let which = ok_stdout(pyv_in(&proj).args(["which", "python"]));
    assert_eq!(which.trim(), format!("{root}/versions/web/bin/python"));
    let prefix =
        ok_stdout(pyv_in(&proj).args(["exec", "python", "-c", "import sys; print(sys.prefix)"]));
    // Through the alias, as pyenv runs it (`pyenv which` answers the same path).
    assert_eq!(prefix.trim(), format!("{root}/versions/web"));
    let venvs = ok_stdout(env.pyv().args(["virtualenvs", "--bare"]));
    assert!(venvs.lines().any(|l| l == "web"), "{venvs}");
    assert!(venvs.lines().any(|l| l == "tools"), "{venvs}");
    let vprefix = ok_stdout(env.pyv().args(["virtualenv-prefix", "web"]));
    assert_eq!(vprefix.trim(), format!("{root}/versions/3.11.9"));

    // `pyv rehash` replaces pyenv's bash shims with its own, leaving none of pyenv's behind.
    let before = shims(&env);
    ok_stdout(env.pyv().arg("rehash"));
    let after = shims(&env);
    for name in &after {
        assert!(
            !is_pyenv_script(&env.shims().join(name)),
            "pyenv shim {name} left"
        );
    }
    for name in ["python", "python3", "pydoc"] {
        assert!(
            after.contains(&name.to_string()),
            "{name}: {after:?} (pyenv had {before:?})"
        );
    }
    let mut py = env.cmd("python");
    py.env("PATH", env.shim_path())
        .args(["-c", "import sys; print(sys.prefix)"])
        .current_dir(&proj);
    assert_eq!(ok_stdout(&mut py).trim(), format!("{root}/versions/web"));

    // pyenv still works on the root pyv rehashed: it reads the same files and its own rehash
    // puts its scripts back; pyv's next rehash takes over again.
    let mut which = pyenv(&env);
    which.args(["which", "python"]).current_dir(&proj);
    assert_eq!(
        ok_stdout(&mut which).trim(),
        format!("{root}/versions/web/bin/python")
    );
    ok_stdout(pyenv(&env).arg("rehash"));
    assert!(is_pyenv_script(&env.shims().join("python")));
    ok_stdout(env.pyv().arg("rehash"));
    assert!(!is_pyenv_script(&env.shims().join("python")));

    // An environment pyv makes is one pyenv lists, and one pyenv made is one pyv deletes.
    ok_stdout(
        env.pyv()
            .args(["virtualenv", "--without-pip", "3.11.9", "made-by-pyv"]),
    );
    let listed = ok_stdout(pyenv(&env).args(["versions", "--bare"]));
    assert!(listed.lines().any(|l| l == "made-by-pyv"), "{listed}");
    assert!(
        listed.lines().any(|l| l == "3.11.9/envs/made-by-pyv"),
        "{listed}"
    );
    ok_stdout(env.pyv().args(["virtualenv-delete", "-f", "tools"]));
    assert!(fs::symlink_metadata(env.version_dir("tools")).is_err());
    assert!(!env.version_dir("3.11.9/envs/tools").exists());
    let listed = ok_stdout(pyenv(&env).args(["versions", "--bare"]));
    assert!(!listed.contains("tools"), "{listed}");

    // uninstall: an environment is refused (it names virtualenv-delete), the base version with
    // its environments goes with --with-envs, aliases included; pyenv agrees it is gone.
    let (code, _, err) = run(env.pyv().args(["uninstall", "-f", "web"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("virtualenv-delete"), "{err}");
    ok_stdout(env.pyv().args(["uninstall", "-f", "--with-envs", "3.11.9"]));
    assert!(!env.version_dir("3.11.9").exists());
    assert!(fs::symlink_metadata(env.version_dir("web")).is_err());
    let listed = ok_stdout(pyenv(&env).args(["versions", "--bare"]));
    assert_eq!(listed.trim(), "", "{listed}");
}
