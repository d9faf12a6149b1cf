//! The fast path of `pyv virtualenv` (an environment written from a template the version's own
//! venv made once) against `python -m venv` itself (`PYV_VENV_FAST=0`), for the same
//! interpreter: the same tree (names, kinds, modes, link targets, the text of every file but
//! `.pyc`s, with each root's path masked), the same `sys.prefix`/`sys.path`/site behaviour,
//! and a pip that reports, installs, lists and uninstalls (itself included). Run for every real
//! interpreter found here: the system's Python 3.11 (Debian's venv, which quotes its activation
//! scripts and seeds pip from /usr/share/python-wheels) and pyenv's 3.8/3.11/3.12/3.13 under
//! /root/.pyenv; each one missing is skipped with a printed reason.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ok_stdout, run, Env};

/// The interpreter at `python` installed as pyv version `version` (its bin/ names symlinked to
/// it), or why it cannot be used.
fn install_python(env: &Env, version: &str, python: &str) -> Result<(), String> {
    let usable = Path::new(python).exists()
        && Command::new(python)
            .args(["-c", "import venv, ensurepip"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !usable {
        return Err(format!("no Python with venv and ensurepip at {python}"));
    }
    let bin = env.version_dir(version).join("bin");
    fs::create_dir_all(&bin).unwrap();
    let minor = version.rsplit_once('.').unwrap().0;
    for n in [
        "python".to_string(),
        "python3".into(),
        format!("python{minor}"),
    ] {
        symlink(python, bin.join(n)).unwrap();
    }
    Ok(())
}

/// Every entry below `dir`: kind, mode, link target or text, with `root` masked as `<ROOT>`.
/// `.pyc` files are compared by name only (they record the path they were compiled at), and
/// RECORD rows of `bin/` scripts without their digest (checked separately by `records_ok`).
fn tree(dir: &Path, root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(dir, dir, &root.display().to_string(), &mut out);
    out
}

fn walk(top: &Path, dir: &Path, root: &str, out: &mut BTreeMap<String, String>) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(top).unwrap().display().to_string();
        let m = fs::symlink_metadata(&p).unwrap();
        let mode = m.mode() & 0o7777;
        let t = m.file_type();
        let what = if t.is_symlink() {
            format!(
                "link -> {}",
                fs::read_link(&p)
                    .unwrap()
                    .display()
                    .to_string()
                    .replace(root, "<ROOT>")
            )
        } else if t.is_dir() {
            walk(top, &p, root, out);
            format!("dir {mode:o}")
        } else if rel.ends_with(".pyc") {
            format!("pyc {mode:o}")
        } else {
            let bytes = fs::read(&p).unwrap();
            if bytes.contains(&0) {
                format!("binary {mode:o} {} bytes", bytes.len())
            } else {
                let mut text = String::from_utf8_lossy(&bytes).replace(root, "<ROOT>");
                if rel.ends_with("/RECORD") {
                    text = text
                        .lines()
                        .map(|l| match l.split_once(',') {
                            Some((path, _)) if path.starts_with("../../../bin/") => {
                                format!("{path},<digest>")
                            }
                            _ => l.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                }
                format!("file {mode:o}\n{text}")
            }
        };
        out.insert(rel, what);
    }
}

/// Every hashed RECORD row in the environment's site-packages matches the file's bytes.
fn records_ok(env: &Env, dir: &Path) {
    let check = r#"
import base64, csv, hashlib, pathlib, site, sys
bad = []
for sp in [p for p in site.getsitepackages() if p.startswith(sys.prefix)]:
    for rec in pathlib.Path(sp).glob("*.dist-info/RECORD"):
        for row in csv.reader(rec.open()):
            if len(row) < 3 or not row[1]:
                continue
            data = (pathlib.Path(sp) / row[0]).read_bytes()
            algo, want = row[1].split("=", 1)
            got = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
            if got != want or int(row[2]) != len(data):
                bad.append(row[0])
print("bad:", bad)
"#;
    let out = ok_stdout(env.cmd(dir.join("bin/python")).args(["-c", check]));
    assert_eq!(out.trim(), "bad: []", "{}", dir.display());
}

/// What the environment's Python says about itself, with `root` masked.
fn behaviour(env: &Env, dir: &Path, root: &Path) -> String {
    let code = "import sys, site, sysconfig; print(sys.prefix, sys.base_prefix, sys.exec_prefix, \
                sys.executable, sys.path, site.getsitepackages(), site.ENABLE_USER_SITE, \
                sysconfig.get_paths()['purelib'], sysconfig.get_paths()['scripts'])";
    let mut s = String::new();
    for exe in ["python", "python3"] {
        s += &ok_stdout(env.cmd(dir.join("bin").join(exe)).args(["-c", code]));
    }
    s.replace(&root.display().to_string(), "<ROOT>")
}

fn pip(env: &Env, dir: &Path, args: &[&str]) -> String {
    let mut c = env.cmd(dir.join("bin/pip"));
    c.args(args).arg("--disable-pip-version-check");
    ok_stdout(&mut c)
}

/// Make `web` in a root with `python -m venv` and in another with the fast path (from a
/// template made by an earlier environment), and compare them. `flags` are pyv's, `venv`
/// options go after `--`; both roots have a space in their path (venv's quoting and pip's
/// trampolines) or neither has.
fn compare(python: &str, version: &str, flags: &[&str], venv: &[&str], spaces: bool) {
    let root = || {
        if spaces {
            Env::new()
        } else {
            Env::without_spaces("pyv-venvcmp-")
        }
    };
    let (slow, quick) = (root(), root());
    if !python_or_skip(&slow, version, python) || !python_or_skip(&quick, version, python) {
        return;
    }
    let mk = |e: &Env, name: &str, fast: bool| {
        let mut c = e.pyv();
        c.arg("virtualenv").arg("-v");
        c.args(flags).args([version, name]);
        if !venv.is_empty() {
            c.arg("--").args(venv);
        }
        if !fast {
            c.env("PYV_VENV_FAST", "0");
        }
        let (code, out, err) = run(&mut c);
        assert_eq!(code, 0, "{c:?}\n{out}\n{err}");
        err
    };
    mk(&slow, "web", false);
    let first = mk(&quick, "first", true); // makes the template
    assert!(!first.contains("not using the fast path"), "{first}");
    let err = mk(&quick, "web", true);
    assert!(!err.contains("not using the fast path"), "{err}");

    let a = slow.version_dir(&format!("{version}/envs/web"));
    let b = quick.version_dir(&format!("{version}/envs/web"));
    let (ta, tb) = (tree(&a, &slow.root()), tree(&b, &quick.root()));
    let keys_a: Vec<_> = ta.keys().collect();
    let keys_b: Vec<_> = tb.keys().collect();
    assert_eq!(keys_a, keys_b, "the same entries");
    let differing: Vec<String> = ta
        .iter()
        .filter(|(k, v)| tb.get(*k) != Some(v))
        .map(|(k, v)| {
            // The first differing line of each file is enough to see what went wrong.
            let (va, vb) = (v.lines(), tb[k].lines());
            let (la, lb) = va
                .zip(vb)
                .find(|(x, y)| x != y)
                .unwrap_or(("<shorter>", "<shorter>"));
            format!("{k}:\n  venv: {la}\n  fast: {lb}")
        })
        .collect();
    assert!(differing.is_empty(), "{}", differing.join("\n"));

    // No file outside __pycache__ names the template or the cache.
    let cache = quick.path().join("cache").display().to_string();
    for (k, v) in &tb {
        assert!(
            !v.contains(".tpl-") && !v.contains(&cache),
            "{k} names the template"
        );
    }
    assert_eq!(
        behaviour(&slow, &a, &slow.root()),
        behaviour(&quick, &b, &quick.root())
    );
    if flags.contains(&"--without-pip") {
        assert!(!b.join("bin/pip").exists());
        return;
    }
    records_ok(&quick, &b);
    let version_line = pip(&quick, &b, &["--version"]);
    assert!(
        version_line.contains(&b.display().to_string()),
        "{version_line}"
    );
    assert_eq!(
        pip(&slow, &a, &["list", "--format=freeze"]),
        pip(&quick, &b, &["list", "--format=freeze"])
    );
    let pkg = quick.path().join("pyvtiny");
    common::tiny_package::write(&pkg);
    pip(
        &quick,
        &b,
        &["install", "--no-index", "-q", pkg.to_str().unwrap()],
    );
    let x = ok_stdout(
        quick
            .cmd(b.join("bin/python"))
            .args(["-c", "import pyvtiny; print(pyvtiny.X)"]),
    );
    assert_eq!(x.trim(), "42");
    pip(&quick, &b, &["uninstall", "-y", "-q", "pyvtiny"]);
    // pip removes itself by its RECORD: the scripts named there go too, and the template
    // (hard-linked) is untouched for the next environment.
    pip(&quick, &b, &["uninstall", "-y", "-q", "pip"]);
    assert!(!b.join("bin/pip").exists() && !b.join("bin/pip3").exists());
    let again = mk(&quick, "after", true);
    assert!(!again.contains("not using the fast path"), "{again}");
    let after = quick.version_dir(&format!("{version}/envs/after"));
    assert!(pip(&quick, &after, &["--version"]).contains("after"));
}

const DEBIAN: &str = "/usr/bin/python3.11";

fn pyenv(v: &str) -> String {
    let minor = v.rsplit_once('.').unwrap().0;
    format!("/root/.pyenv/versions/{v}/bin/python{minor}")
}

#[test]
fn matches_venv_system_python_3_11() {
    compare(DEBIAN, "3.11.9", &[], &[], true);
}

#[test]
fn matches_venv_system_python_3_11_in_a_plain_path() {
    compare(DEBIAN, "3.11.9", &[], &[], false);
}

#[test]
fn matches_venv_system_python_3_11_without_pip() {
    compare(DEBIAN, "3.11.9", &["--without-pip"], &[], true);
}

#[test]
fn matches_venv_system_python_3_11_copies_and_system_site_packages() {
    compare(
        DEBIAN,
        "3.11.9",
        &["--system-site-packages"],
        &["--copies"],
        true,
    );
}

#[test]
fn matches_venv_pyenv_3_11() {
    compare(&pyenv("3.11.7"), "3.11.7", &[], &[], false);
}

#[test]
fn matches_venv_pyenv_3_12_with_a_prompt() {
    compare(
        &pyenv("3.12.1"),
        "3.12.1",
        &[],
        &["--prompt", "my project"],
        true,
    );
}

#[test]
fn matches_venv_pyenv_3_13() {
    compare(&pyenv("3.13.0"), "3.13.0", &[], &[], true);
}

#[test]
fn matches_venv_pyenv_3_8() {
    compare(
        &pyenv("3.8.18"),
        "3.8.18",
        &["--system-site-packages"],
        &[],
        true,
    );
}

/// What the fast path cannot do goes to venv, and `-v` says so.
#[test]
fn unknown_venv_options_fall_back_to_venv_and_say_so() {
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    let (code, _, err) = run(env.pyv().args([
        "virtualenv",
        "-v",
        "--without-pip",
        "3.11.9",
        "web",
        "--",
        "--without-scm-ignore-files",
    ]));
    // 3.11's venv does not know the option: venv itself ran and refused it.
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not using the fast path"), "{err}");
    assert!(err.contains("--without-scm-ignore-files"), "{err}");
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "-v", "--without-pip", "3.11.9", "web"])
        .env("PYV_VENV_FAST", "0"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("PYV_VENV_FAST=0"), "{err}");
}

/// `pyv cache clear` (deleting the template) never breaks an environment made from it (its
/// files are hard links or copies, never symlinks into the cache), and the next creation makes
/// a new template.
#[test]
fn environments_survive_a_deleted_cache() {
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    for name in ["one", "two"] {
        ok_stdout(env.pyv().args(["virtualenv", "3.11.9", name]));
    }
    let list = ok_stdout(env.pyv().args(["cache", "list"]));
    assert!(
        list.contains("virtualenv templates in ") && list.contains("(1):"),
        "{list}"
    );
    let out = ok_stdout(env.pyv().args(["cache", "clear"]));
    assert!(out.contains("1 virtualenv templates"), "{out}");
    // The templates are gone (the lock files stay: a lock is never unlinked).
    let left: Vec<_> = fs::read_dir(env.path().join("cache/venv"))
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".lock"))
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let dir: PathBuf = env.version_dir("3.11.9/envs/two");
    let out = ok_stdout(env.cmd(dir.join("bin/pip")).arg("--version"));
    assert!(out.contains(dir.to_str().unwrap()), "{out}");
    ok_stdout(env.pyv().args(["virtualenv", "3.11.9", "three"]));
    template_env(&env);
}

/// The system Python as version 3.11.9 of `env` ([`python_or_skip`]).
fn debian_or_skip(env: &Env) -> bool {
    python_or_skip(env, "3.11.9", DEBIAN)
}

/// The interpreter at `python` installed as version `version` of `env`, or `false` after one
/// line saying the test is skipped and what is missing; under CI a missing Python fails the
/// test instead (`tests/run.sh` provides the system's; pyenv's must be there too).
fn python_or_skip(env: &Env, version: &str, python: &str) -> bool {
    match install_python(env, version, python) {
        Ok(()) => true,
        Err(why) if common::under_ci() => panic!("{why} (needed under CI)"),
        Err(why) => {
            let test = std::thread::current().name().unwrap_or("test").to_string();
            eprintln!("skipped {test}: {why}");
            false
        }
    }
}

const PIP_INIT: &str = "lib/python3.11/site-packages/pip/__init__.py";

/// The one stored template's environment tree.
fn template_env(env: &Env) -> PathBuf {
    let venv = env.path().join("cache/venv");
    let mut found: Vec<PathBuf> = fs::read_dir(&venv)
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path().join("env"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

fn virtualenv(env: &Env, name: &str) -> String {
    let (code, _, err) = run(env.pyv().args(["virtualenv", "-v", "3.11.9", name]));
    assert_eq!(code, 0, "{err}");
    err
}

/// Append in place, as vim does to a file with more than one link (`backupcopy=auto`).
fn append_in_place(p: &Path, text: &str) {
    use std::io::Write;
    let mut f = fs::OpenOptions::new().append(true).open(p).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn environments_never_share_a_writable_file_with_each_other_or_the_template() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    virtualenv(&env, "a");
    virtualenv(&env, "b");
    let (a, b) = (
        env.version_dir("3.11.9/envs/a"),
        env.version_dir("3.11.9/envs/b"),
    );
    let tpl = template_env(&env).join(PIP_INIT);
    let clean = fs::read(&tpl).unwrap();
    let ino = |p: &Path| fs::metadata(p).unwrap().ino();
    assert_ne!(ino(&a.join(PIP_INIT)), ino(&b.join(PIP_INIT)));
    assert_ne!(ino(&b.join(PIP_INIT)), ino(&tpl));
    assert_eq!(fs::metadata(b.join(PIP_INIT)).unwrap().nlink(), 1);

    // "I added a print to debug pip" in env a.
    append_in_place(&a.join(PIP_INIT), "print('X')\n");
    fs::set_permissions(a.join(PIP_INIT), fs::Permissions::from_mode(0o4777)).unwrap();
    assert_eq!(fs::read(b.join(PIP_INIT)).unwrap(), clean);
    assert_eq!(fs::read(&tpl).unwrap(), clean);
    assert_eq!(fs::metadata(b.join(PIP_INIT)).unwrap().mode() & 0o7000, 0);
    let err = virtualenv(&env, "c");
    assert!(!err.contains("unusable"), "{err}");
    let c = env.version_dir("3.11.9/envs/c");
    assert_eq!(fs::read(c.join(PIP_INIT)).unwrap(), clean);
    let out = ok_stdout(
        env.cmd(c.join("bin/python"))
            .args(["-m", "pip", "--version"]),
    );
    // The debugging print would be a line `X` of its own (a temp path may hold an X).
    assert!(
        !out.lines().any(|l| l == "X") && out.starts_with("pip "),
        "{out}"
    );
}

#[test]
fn a_broken_template_is_made_again_once_never_reused() {
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    virtualenv(&env, "a");
    // Truncated: pip would raise ImportError in every new environment.
    let tpl = template_env(&env);
    fs::write(tpl.join(PIP_INIT), b"").unwrap();
    let err = virtualenv(&env, "b");
    assert!(
        err.contains("template is unusable") && err.contains("changed"),
        "{err}"
    );
    let b = env.version_dir("3.11.9/envs/b");
    let out = ok_stdout(
        env.cmd(b.join("bin/python"))
            .args(["-m", "pip", "--version"]),
    );
    assert!(out.starts_with("pip "), "{out}");
    // The new template is whole: the next environment uses it as it is.
    let err = virtualenv(&env, "c");
    assert!(!err.contains("unusable"), "{err}");
    // A missing file: made again once, then fine again.
    let tpl = template_env(&env);
    fs::remove_file(tpl.join(PIP_INIT)).unwrap();
    let err = virtualenv(&env, "d");
    assert!(err.contains("is missing"), "{err}");
    let err = virtualenv(&env, "e");
    assert!(!err.contains("unusable"), "{err}");
    let e = env.version_dir("3.11.9/envs/e");
    assert!(e.join(PIP_INIT).is_file());
    // `-f` over an environment made from a broken template repairs it too.
    fs::write(template_env(&env).join(PIP_INIT), b"raise ImportError\n").unwrap();
    let (code, _, err) = run(env.pyv().args(["virtualenv", "-v", "-f", "3.11.9", "e"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("unusable"), "{err}");
    let out = ok_stdout(
        env.cmd(e.join("bin/python"))
            .args(["-m", "pip", "--version"]),
    );
    assert!(out.starts_with("pip "), "{out}");
}

#[test]
fn template_index_lines_that_leave_the_environment_are_refused() {
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    virtualenv(&env, "a");
    let index = template_env(&env).with_file_name("tree.index");
    let text = fs::read_to_string(&index).unwrap();
    fs::write(
        &index,
        format!("d\t../../../../escape\n{text}s\tlib/x\t/etc/shadow\n"),
    )
    .unwrap();
    let err = virtualenv(&env, "b");
    assert!(
        err.contains("unusable") && err.contains("index line"),
        "{err}"
    );
    let root = env.path();
    assert!(!root.join("escape").exists() && !root.join("versions/escape").exists());
    let b = env.version_dir("3.11.9/envs/b");
    assert!(!b.join("lib/x").exists());
}

#[test]
fn hardlink_mode_shares_read_only_files_and_catches_a_write() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    let hard = |name: &str| {
        let (code, _, err) = run(env
            .pyv()
            .args(["virtualenv", "-v", "3.11.9", name])
            .env("PYV_LINK_MODE", "hardlink"));
        assert_eq!(code, 0, "{err}");
        err
    };
    hard("a");
    let err = hard("b");
    assert!(!err.contains("unusable"), "{err}");
    let tpl = template_env(&env).join(PIP_INIT);
    let b = env.version_dir("3.11.9/envs/b");
    assert_eq!(
        fs::metadata(b.join(PIP_INIT)).unwrap().ino(),
        fs::metadata(&tpl).unwrap().ino()
    );
    assert_eq!(fs::metadata(&tpl).unwrap().mode() & 0o222, 0);
    // pip still installs and uninstalls in an environment of shared read-only files.
    let (code, _, err) =
        run(env
            .cmd(b.join("bin/python"))
            .args(["-m", "pip", "uninstall", "-y", "pip"]));
    assert_eq!(code, 0, "{err}");
    assert!(tpl.is_file(), "uninstalling from b left the template whole");
    // Deleting an environment changes the shared files' link count (and ctime): no rebuild.
    ok_stdout(env.pyv().args(["virtualenv-delete", "-f", "3.11.9/envs/b"]));
    let err = hard("b2");
    assert!(!err.contains("unusable"), "{err}");
    // A forced in-place write through env a is caught before the next use.
    let a = env.version_dir("3.11.9/envs/a");
    fs::set_permissions(a.join(PIP_INIT), fs::Permissions::from_mode(0o644)).unwrap();
    append_in_place(&a.join(PIP_INIT), "print('X')\n");
    let err = hard("c");
    assert!(err.contains("unusable"), "{err}");
    let c = env.version_dir("3.11.9/envs/c");
    assert!(!fs::read_to_string(c.join(PIP_INIT))
        .unwrap()
        .contains("print('X')"));
}

#[test]
fn a_template_cache_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    if !debian_or_skip(&env) {
        return;
    }
    virtualenv(&env, "a");
    let venv = env.path().join("cache/venv");
    fs::set_permissions(&venv, fs::Permissions::from_mode(0o777)).unwrap();
    let (code, _, err) = run(env.pyv().args(["virtualenv", "3.11.9", "b"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("writable by other users") && err.contains("chmod go-w"),
        "{err}"
    );
    assert!(!env.version_dir("3.11.9/envs/b").exists());
    fs::set_permissions(&venv, fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "3.11.9", "b"])
        .env("PYV_LINK_MODE", "x"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PYV_LINK_MODE=`x`"), "{err}");
}
