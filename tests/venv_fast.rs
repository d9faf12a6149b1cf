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
    for e in [&slow, &quick] {
        if let Err(why) = install_python(e, version, python) {
            eprintln!("skipped: {why}");
            return;
        }
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
    if let Err(why) = install_python(&env, "3.11.9", DEBIAN) {
        eprintln!("skipped: {why}");
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
    if let Err(why) = install_python(&env, "3.11.9", DEBIAN) {
        eprintln!("skipped: {why}");
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
    assert!(!env.path().join("cache/venv").exists());
    let dir: PathBuf = env.version_dir("3.11.9/envs/two");
    let out = ok_stdout(env.cmd(dir.join("bin/pip")).arg("--version"));
    assert!(out.contains(dir.to_str().unwrap()), "{out}");
    ok_stdout(env.pyv().args(["virtualenv", "3.11.9", "three"]));
    assert!(env.path().join("cache/venv").is_dir());
}
