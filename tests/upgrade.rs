//! `pyv upgrade`: versions installed from fake releases served on 127.0.0.1 (python.org's API
//! lists 3.99.1 and 3.99.2) whose `bin/python3` is the machine's real Python, so virtualenvs,
//! pip, a local wheel with a console script and the venv's own activation scripts are real.

mod common;
mod venv_support;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::fake_release::python_org;
use common::http::Server;
use common::{ok_stdout, run, Env};

/// `pyv` pointed at `server` as python.org, installing with the real interpreter.
fn pyv(env: &Env, server: &Server, python: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_PYTHON_ORG", format!("{}/ftp/python/", server.url()))
        .env(
            "PYV_PYTHON_ORG_API",
            format!("{}/api/v2/downloads/", server.url()),
        )
        .env("FAKE_REAL_PYTHON", python)
        .env("PYV_VERSION", "");
    c
}

fn ok(c: &mut Command) -> String {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "stdout:\n{out}\nstderr:\n{err}");
    out
}

/// 3.99.1 installed with env `web` (its alias, pip, the local wheel `pyvtiny` and its console
/// script), the global pin `3.99.1` and a project pinning `3.99.1/envs/web`. The server
/// knows 3.99.2 too.
struct Setup {
    env: Env,
    server: Server,
    python: &'static str,
    project: std::path::PathBuf,
}

fn setup(with_pip: bool) -> Option<Setup> {
    let python = venv_support::python_or_skip()?;
    let env = Env::new();
    // Only 3.99.1 exists upstream at first: `pyv install 3.99` picks it.
    let first = python_org(&["3.99.1"]);
    ok(pyv(&env, &first, python).args(["install", "--skip-preflight", "3.99.1"]));
    let server = python_org(&["3.99.1", "3.99.2"]);
    // The catalog fetched above is fresh; make the next refresh see 3.99.2.
    ok(pyv(&env, &server, python).arg("update"));
    let mut mk = pyv(&env, &server, python);
    mk.args(["virtualenv", "3.99.1", "web"]);
    if !with_pip {
        mk.arg("--without-pip");
    }
    ok(&mut mk);
    if with_pip {
        let pkg = env.path().join("pkg");
        common::tiny_package::write_with_script(&pkg);
        let pip = env.version_dir("web").join("bin/pip");
        ok(env
            .cmd(&pip)
            .args(["install", "--no-index", "-q", pkg.to_str().unwrap()]));
        ok(env.pyv().arg("rehash"));
    }
    ok(env.pyv().args(["global", "3.99.1"]));
    let project = env.path().join("project");
    fs::create_dir_all(&project).unwrap();
    fs::write(
        project.join(".python-version"),
        "# the app's env\n3.99.1/envs/web\n",
    )
    .unwrap();
    Some(Setup {
        env,
        server,
        python,
        project,
    })
}

fn upgrade(s: &Setup, args: &[&str]) -> Command {
    let mut c = pyv(&s.env, &s.server, s.python);
    c.current_dir(&s.project).arg("upgrade").args(args);
    c
}

/// Runs `script` in `shell` and returns its stdout.
fn in_shell(env: &Env, shell: &str, script: &str) -> String {
    ok(env.cmd(shell).args(["-c", script]))
}

#[test]
fn upgrade_moves_env_pins_and_prunes() {
    let Some(s) = setup(true) else { return };
    let env = &s.env;
    let root = env.root();
    let started = std::time::Instant::now();
    let (code, out, err) = run(&mut upgrade(&s, &["-v", "3.99", "--pins"]));
    // A measurement, shown with --nocapture: the fake build of 3.99.2 plus the move of an env
    // with pip and a wheel in it.
    eprintln!("pyv upgrade 3.99 took {:?}", started.elapsed());
    assert_eq!(code, 0, "{out}{err}");
    for step in [
        "pyv: copy ",
        "pyv: rename to ",
        "pyv: swap the alias ",
        "pyv: remove the old env ",
    ] {
        assert!(err.contains(step), "-v shows `{step}`: {err}");
    }
    assert!(out.contains("3.99: 3.99.1 -> 3.99.2"), "{out}");
    assert!(out.contains("install Python 3.99.2"), "{out}");
    assert!(
        out.contains("move virtualenv 3.99.1/envs/web -> 3.99.2/envs/web (alias `web`)"),
        "{out}"
    );
    // The env: its home is the new version's, its alias leads there, the old one is gone.
    let new = env.version_dir("3.99.2/envs/web");
    let cfg = fs::read_to_string(new.join("pyvenv.cfg")).unwrap();
    let home = root.join("versions/3.99.2/bin");
    assert!(
        cfg.lines()
            .any(|l| l == format!("home = {}", home.display())),
        "{cfg}"
    );
    assert!(!cfg.contains("3.99.1/"), "{cfg}");
    assert_eq!(
        fs::read_link(env.version_dir("web")).unwrap(),
        Path::new("3.99.2/envs/web")
    );
    assert!(!env.version_dir("3.99.1/envs/web").exists());
    let link = fs::read_link(new.join("bin/python")).unwrap();
    assert!(link.starts_with(root.join("versions/3.99.2")), "{link:?}");
    // Its python runs, its package imports, from the new place.
    let py = ok(env
        .cmd(new.join("bin/python"))
        .args(["-c", "import sys, pyvtiny; print(pyvtiny.X, sys.prefix)"]));
    assert_eq!(py.trim(), format!("42 {}", new.display()));
    // Its console script runs through the shim, selected by the rewritten project pin.
    let pin = fs::read_to_string(s.project.join(".python-version")).unwrap();
    assert_eq!(pin, "# the app's env\n3.99.2/envs/web\n");
    assert_eq!(
        fs::read_to_string(root.join("version")).unwrap().trim(),
        "3.99.2"
    );
    let mut script = env.cmd("pyvtiny");
    script.env("PATH", env.shim_path()).current_dir(&s.project);
    assert_eq!(
        ok(&mut script).trim(),
        format!("pyvtiny 42 {}", new.display())
    );
    // The venv's own activation scripts, in real shells.
    let check = "python -c 'import sys, pyvtiny; print(sys.prefix)'; echo \"$VIRTUAL_ENV\"";
    let want = format!("{}\n{}\n", new.display(), new.display());
    let alias = env.version_dir("web");
    for sh in ["bash", "zsh"] {
        let got = in_shell(
            env,
            sh,
            &format!(". '{}/bin/activate' && {check}", alias.display()),
        );
        assert_eq!(got, want, "{sh}");
    }
    let got = in_shell(
        env,
        "fish",
        &format!(
            "source '{}/bin/activate.fish'; and python -c 'import sys, pyvtiny; print(sys.prefix)'; and echo $VIRTUAL_ENV",
            alias.display()
        ),
    );
    assert_eq!(got, want, "fish");
    // The old patch stays; a second upgrade has nothing to do; --prune removes it.
    assert!(env.version_dir("3.99.1/bin/python").exists());
    let out = ok(&mut upgrade(&s, &["3.99"]));
    assert!(
        out.contains("3.99.2 is the newest patch pyv knows"),
        "{out}"
    );
    assert!(out.contains("--prune"), "{out}");
    // `uninstall` no longer refuses because of the env that moved: it only asks.
    let (code, _, err) = common::run_input(env.pyv().args(["uninstall", "3.99.1"]), "n\n");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("kept Python `3.99.1` (not confirmed)"),
        "{err}"
    );
    assert!(!err.contains("virtualenvs built on it"), "{err}");
    let out = ok(&mut upgrade(&s, &["--prune"]));
    assert!(out.contains("uninstall Python 3.99.1"), "{out}");
    assert!(!env.version_dir("3.99.1").exists());
    assert!(env.version_dir("3.99.2/envs/web/pyvenv.cfg").exists());
}

/// A failure injected after the copy is rewritten, or after it was renamed into place,
/// leaves the old env as it was (named by its alias) and no new one; a kill -9 at any step
/// leaves the env wholly old or wholly new, and the next upgrade finishes the job.
#[test]
fn a_failed_or_killed_move_leaves_the_env_wholly_old_or_new() {
    let Some(s) = setup(false) else { return };
    let env = &s.env;
    let old = env.version_dir("3.99.1/envs/web");
    let before = fs::read_to_string(old.join("pyvenv.cfg")).unwrap();
    for fault in ["copied", "renamed"] {
        let (code, out, err) = run(upgrade(&s, &["3.99"]).env("_PYV_UPGRADE_FAULT", fault));
        assert_eq!(code, 1, "{fault}: {out}{err}");
        assert!(
            err.contains("cannot move virtualenv `web` to 3.99.2; it is unchanged on 3.99.1"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(old.join("pyvenv.cfg")).unwrap(), before);
        assert_eq!(
            fs::read_link(env.version_dir("web")).unwrap(),
            Path::new("3.99.1/envs/web")
        );
        let left: Vec<_> = fs::read_dir(env.version_dir("3.99.2/envs"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "{fault}: {left:?}");
    }
    for kill in ["copied", "renamed", "swapped"] {
        let (code, _, _) =
            run(upgrade(&s, &["3.99"]).env("_PYV_UPGRADE_FAULT", format!("kill-{kill}")));
        assert_ne!(code, 0, "{kill}");
        // The name leads to a whole env, old or new.
        let alias = fs::read_link(env.version_dir("web")).unwrap();
        let cfg = fs::read_to_string(env.version_dir("web/pyvenv.cfg")).unwrap();
        if alias == Path::new("3.99.1/envs/web") {
            assert_eq!(cfg, before, "{kill}");
            assert_ne!(kill, "swapped");
        } else {
            assert_eq!(alias, Path::new("3.99.2/envs/web"), "{kill}");
            assert!(cfg.contains("pyv-upgraded-from = 3.99.1"), "{cfg}");
        }
        // The next upgrade finishes it.
        ok(&mut upgrade(&s, &["3.99"]));
        assert_eq!(
            fs::read_link(env.version_dir("web")).unwrap(),
            Path::new("3.99.2/envs/web")
        );
        assert!(!old.exists(), "{kill}");
        assert!(env.version_dir("3.99.2/envs/web/pyvenv.cfg").exists());
        let out = ok_stdout(
            env.cmd(env.version_dir("web/bin/python"))
                .args(["-c", "print(1)"]),
        );
        assert_eq!(out.trim(), "1");
        // Back to the start for the next kill: the env on 3.99.1 again.
        fs::remove_dir_all(env.version_dir("3.99.2")).unwrap();
        fs::remove_file(env.version_dir("web")).unwrap();
        ok(pyv(env, &s.server, s.python).args(["virtualenv", "--without-pip", "3.99.1", "web"]));
        assert_eq!(
            fs::read_to_string(old.join("pyvenv.cfg"))
                .unwrap()
                .lines()
                .count(),
            before.lines().count()
        );
    }
}

/// `pyv virtualenv 3.99 app` (a prefix) records the series; `pyv versions` says the env
/// follows it, before and after the upgrade moved it; an env made from an exact patch does not.
#[test]
fn envs_made_from_a_prefix_follow_the_series() {
    let Some(s) = setup(false) else { return };
    let env = &s.env;
    ok(pyv(env, &s.server, s.python).args(["virtualenv", "--without-pip", "3.99", "app"]));
    let cfg = fs::read_to_string(env.version_dir("3.99.1/envs/app/pyvenv.cfg")).unwrap();
    assert!(cfg.ends_with("pyv-series = 3.99\n"), "{cfg}");
    let listed = ok(env.pyv().arg("versions"));
    assert!(
        listed
            .lines()
            .any(|l| l == "  3.99.1/envs/app (follows 3.99)"),
        "{listed}"
    );
    assert!(listed.lines().any(|l| l == "  3.99.1/envs/web"), "{listed}");
    let bare = ok(env.pyv().args(["versions", "--bare"]));
    assert!(bare.lines().any(|l| l == "3.99.1/envs/app"), "{bare}");
    let out = ok(&mut upgrade(&s, &[]));
    assert!(
        out.contains("3.99.2/envs/app (alias `app`), follows 3.99"),
        "{out}"
    );
    let listed = ok(env.pyv().arg("versions"));
    assert!(
        listed
            .lines()
            .any(|l| l == "  3.99.2/envs/app (follows 3.99)"),
        "{listed}"
    );
    let out = ok_stdout(
        env.cmd(env.version_dir("app/bin/python"))
            .args(["-c", "print(2)"]),
    );
    assert_eq!(out.trim(), "2");
}

/// `pyv upgrade 3.99 --to 3.98`: each env is made again on the other series with its packages
/// reinstalled from `pip freeze`; one that cannot be (its source is gone) is reported, and that
/// env's old copy stays; an env whose packages all came back loses its old copy.
#[test]
fn across_series_envs_are_recreated_and_failures_reported() {
    let Some(python) = venv_support::python_or_skip() else {
        return;
    };
    let env = Env::new();
    let server = python_org(&["3.98.3", "3.99.1"]);
    ok(pyv(&env, &server, python).args(["install", "--skip-preflight", "3.99.1", "3.98.3"]));
    let tiny = env.path().join("tiny");
    common::tiny_package::write(&tiny);
    let gone = env.path().join("gone");
    common::tiny_package::write(&gone);
    let backend = fs::read_to_string(gone.join("backend.py")).unwrap();
    fs::write(
        gone.join("backend.py"),
        backend.replace("pyvtiny", "pyvgone"),
    )
    .unwrap();
    fs::rename(gone.join("pyvtiny.py"), gone.join("pyvgone.py")).unwrap();
    for (name, pkgs) in [("api", vec![&tiny]), ("web", vec![&tiny, &gone])] {
        ok(pyv(&env, &server, python).args(["virtualenv", "3.99.1", name]));
        for p in pkgs {
            ok(env.cmd(env.version_dir(name).join("bin/pip")).args([
                "install",
                "--no-index",
                "-q",
                p.to_str().unwrap(),
            ]));
        }
    }
    fs::remove_dir_all(&gone).unwrap();

    let (code, out, err) =
        run(pyv(&env, &server, python).args(["upgrade", "3.99", "--to", "3.98"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("recreate virtualenv 3.99.1/envs/web as 3.98.3/envs/web"),
        "{out}"
    );
    assert!(out.contains("api: every package reinstalled"), "{out}");
    assert!(
        out.contains("web: not reinstalled: pyvgone @ file://"),
        "{out}"
    );
    assert!(
        out.contains("the old env stays at 3.99.1/envs/web"),
        "{out}"
    );
    assert!(err.contains("pyv: [2/2] web: pip install -r"), "{err}");
    for name in ["api", "web"] {
        assert_eq!(
            fs::read_link(env.version_dir(name)).unwrap(),
            Path::new(&format!("3.98.3/envs/{name}"))
        );
        let long = env.version_dir(&format!("3.98.3/envs/{name}"));
        let x = ok(env
            .cmd(long.join("bin/python"))
            .args(["-c", "import sys, pyvtiny; print(pyvtiny.X, sys.prefix)"]));
        assert_eq!(x.trim(), format!("42 {}", long.display()));
    }
    assert!(!env.version_dir("3.99.1/envs/api").exists());
    assert!(env.version_dir("3.99.1/envs/web/pyvenv.cfg").exists());
}

/// A directory name from disk is printed escaped, and `--prune` never removes a patch that
/// still holds an env that did not move.
#[test]
fn hostile_env_names_are_escaped_and_unmoved_envs_block_pruning() {
    let env = Env::new();
    env.fake_version("3.99.1", &["python", "python3"]);
    env.fake_version("3.99.2", &["python", "python3"]);
    let bad = env.version_dir("3.99.1/envs/x\x1b[31mred");
    fs::create_dir_all(&bad).unwrap();
    fs::write(bad.join("pyvenv.cfg"), "home = /nowhere/bin\n").unwrap();
    let server = python_org(&["3.99.1", "3.99.2"]);
    let (code, out, err) = run(pyv(&env, &server, "/bin/false").args(["upgrade", "--dry-run"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains('\x1b') && !err.contains('\x1b'),
        "{out:?} {err:?}"
    );
    assert!(
        out.contains("move virtualenv 3.99.1/envs/x\\u{1b}[31mred"),
        "{out}"
    );
    // Something in `envs/` that is not an env pyv moves keeps the old patch installed.
    fs::remove_dir_all(&bad).unwrap();
    fs::create_dir_all(env.version_dir("3.99.1/envs/notes")).unwrap();
    let out = ok(pyv(&env, &server, "/bin/false").args(["upgrade", "--prune"]));
    assert!(
        out.contains("keep Python 3.99.1: still used by 3.99.1/envs/notes"),
        "{out}"
    );
    assert!(env.version_dir("3.99.1/envs/notes").exists());
    fs::remove_dir_all(env.version_dir("3.99.1/envs/notes")).unwrap();
    // So does an env made by another tool right in versions/, whose home is the old patch.
    let other = env.version_dir("tooled");
    fs::create_dir_all(&other).unwrap();
    fs::write(
        other.join("pyvenv.cfg"),
        format!("home = {}\n", env.version_dir("3.99.1/bin").display()),
    )
    .unwrap();
    let out = ok(pyv(&env, &server, "/bin/false").args(["upgrade", "--prune"]));
    assert!(
        out.contains("keep Python 3.99.1: still used by tooled"),
        "{out}"
    );
    fs::remove_dir_all(&other).unwrap();
    let out = ok(pyv(&env, &server, "/bin/false").args(["upgrade", "--prune"]));
    assert!(out.contains("uninstall Python 3.99.1"), "{out}");
    assert!(!env.version_dir("3.99.1").exists());
}
