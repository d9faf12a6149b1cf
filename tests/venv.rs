//! Virtual environments against the real binary and a real interpreter: the machine's Python 3
//! with venv (`venv_support::python`) symlinked into `versions/3.11.9/bin` (a "real CPython
//! symlinked"), its own `python -m venv`. CI installs python3 and python3-venv; without them
//! these tests are skipped, saying so (and fail under CI).

mod common;
mod venv_support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ok_stdout, run, run_input, write_exe, Env};
use venv_support::{mkenv, python, python_or_skip, real_version};

/// Names of everything (hidden included) in a directory.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Files under `dir` (outside `__pycache__`) whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let t = e.file_type().unwrap();
        if t.is_dir() && e.file_name() != "__pycache__" {
            hits.extend(files_containing(&p, needle));
        } else if t.is_file() {
            let b = fs::read(&p).unwrap();
            if b.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(p);
            }
        }
    }
    hits
}

fn assert_one_line_error(stderr: &str, value: &str) {
    let mut lines = stderr.lines();
    let first = lines.next().unwrap_or_default();
    assert!(
        first.starts_with("pyv: ") && first.contains(&format!("`{value}`")),
        "error should name `{value}` on one line: {stderr}"
    );
    assert!(
        lines.next().is_some_and(|l| l.starts_with("hint: ")),
        "error should have a hint line: {stderr}"
    );
}

#[test]
fn creates_env_and_alias_usable_as_a_version() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    mkenv(&env, &["3.11", "web", "--without-pip"]);

    let dir = env.version_dir("3.11.9/envs/web");
    assert!(dir.join("pyvenv.cfg").is_file());
    assert_eq!(
        fs::read_link(env.version_dir("web")).unwrap(),
        Path::new("3.11.9/envs/web"),
        "the alias is a relative symlink to the full installed name"
    );
    assert_eq!(
        entries(&env.version_dir("3.11.9/envs")),
        ["web"],
        "no scratch left"
    );
    let cfg = fs::read_to_string(dir.join("pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains(&format!(
            "home = {}",
            env.version_dir("3.11.9/bin").display()
        )),
        "{cfg}"
    );
    assert!(
        cfg.contains("prompt = 'web'"),
        "prompt is the name, not the scratch dir: {cfg}"
    );

    // The environment's own python knows it is the environment.
    let prefix = ok_stdout(
        env.cmd(dir.join("bin/python"))
            .args(["-c", "import sys; print(sys.prefix)"]),
    );
    assert_eq!(prefix.trim(), dir.to_str().unwrap());

    // A version everywhere a version is accepted: by alias and by long name.
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    ok_stdout(env.pyv().args(["local", "web"]).current_dir(&proj));
    let which = ok_stdout(env.pyv().args(["which", "python"]).current_dir(&proj));
    assert_eq!(
        which.trim(),
        env.version_dir("web/bin/python").to_str().unwrap()
    );
    fs::write(proj.join(".python-version"), "3.11.9/envs/web\n").unwrap();
    let which = ok_stdout(env.pyv().args(["which", "python"]).current_dir(&proj));
    assert_eq!(which.trim(), dir.join("bin/python").to_str().unwrap());
    let prefix = ok_stdout(env.pyv().args(["prefix", "web"]));
    assert_eq!(prefix.trim(), env.version_dir("web").to_str().unwrap());
    let out = ok_stdout(
        env.pyv()
            .args(["exec", "python", "-c", "import sys; print(sys.prefix)"])
            .current_dir(&proj),
    );
    assert_eq!(out.trim(), dir.to_str().unwrap());

    // Listing: name, base, path; `*` with who selected it.
    let list = ok_stdout(env.pyv().arg("virtualenvs").current_dir(&proj));
    let line = list.lines().find(|l| l.contains("web")).unwrap();
    assert!(line.starts_with("* web"), "{list}");
    assert!(
        line.contains("3.11.9") && line.contains(dir.to_str().unwrap()),
        "{list}"
    );
    assert!(line.contains(".python-version"), "{list}");
    let list = ok_stdout(env.pyv().arg("virtualenvs"));
    assert!(
        list.starts_with("  web"),
        "not selected outside the project: {list}"
    );
    let list = ok_stdout(env.pyv().arg("virtualenvs").env("VIRTUAL_ENV", &dir));
    assert!(
        list.starts_with("* web") && list.contains("active"),
        "{list}"
    );
    // As pyenv-virtualenv: the long name, then the alias.
    assert_eq!(
        ok_stdout(env.pyv().args(["virtualenvs", "--bare"])),
        "3.11.9/envs/web\nweb\n"
    );

    // virtualenv-prefix: the base version's prefix, by name or from the selection.
    let base = env.version_dir("3.11.9");
    assert_eq!(
        ok_stdout(env.pyv().args(["virtualenv-prefix", "web"])).trim(),
        base.to_str().unwrap()
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("virtualenv-prefix").current_dir(&proj)).trim(),
        base.to_str().unwrap()
    );
    let (code, _, err) = run(env.pyv().args(["virtualenv-prefix", "3.11.9"]));
    assert_eq!(code, 1);
    assert_one_line_error(&err, "3.11.9");
}

#[test]
fn default_version_is_the_selection_and_system_makes_a_flat_env() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    // Nothing selected means `system`: as pyenv-virtualenv, the environment is made from the
    // Python on PATH, directly in versions/<name> (no versions/system/envs, no alias).
    let sys_bin = env.path().join("sysbin");
    fs::create_dir_all(&sys_bin).unwrap();
    symlink(
        python().expect("real_version found one"),
        sys_bin.join("python3"),
    )
    .unwrap();
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "sysweb", "--without-pip"])
        .env("PATH", format!("{}:/usr/bin:/bin", sys_bin.display())));
    assert_eq!(code, 0, "{err}");
    let dir = env.version_dir("sysweb");
    assert!(dir.join("pyvenv.cfg").is_file());
    assert!(!env.version_dir("system").exists());
    assert!(!fs::symlink_metadata(&dir).unwrap().file_type().is_symlink());
    assert_eq!(
        entries(&env.root().join("versions")),
        ["3.11.9", "sysweb"],
        "no scratch left"
    );
    // `system` named explicitly works the same, and `-f` replaces such an environment.
    mkenv(&env, &["system", "sysweb", "--without-pip", "-f"]);
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "system", "sysweb", "--without-pip"]));
    assert_eq!(code, 1);
    assert_one_line_error(&err, "sysweb");
    // It is a version like any other: selected by name, its python is the environment's.
    let prefix = ok_stdout(
        env.pyv()
            .args(["exec", "python", "-c", "import sys; print(sys.prefix)"])
            .env("PYV_VERSION", "sysweb"),
    );
    assert_eq!(prefix.trim(), dir.to_str().unwrap());
    // No Python on PATH at all: a clear error.
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "system", "other"])
        .env("PATH", "/nonexistent"));
    assert_eq!(code, 1);
    assert!(err.contains("no system Python on PATH"), "{err}");

    fs::write(env.root().join("version"), "3.11\n").unwrap();
    mkenv(&env, &["web", "--without-pip"]);
    assert!(env.version_dir("3.11.9/envs/web/pyvenv.cfg").is_file());
    // An environment selected as the version means its base version.
    mkenv(&env, &["--without-pip", "web", "web2"]);
    assert!(env.version_dir("3.11.9/envs/web2/pyvenv.cfg").is_file());
}

#[test]
fn names_are_checked_before_the_version() {
    // As pyenv-virtualenv: a bad name is the error, even when the version is not installed.
    let env = Env::new();
    for bad in ["two words", "system", "a/b"] {
        let (code, _, err) = run(env.pyv().args(["virtualenv", "9.9.9", bad]));
        assert_eq!(code, 1, "{err}");
        assert_one_line_error(&err, bad);
        assert!(!err.contains("9.9.9"), "{err}");
    }
}

#[test]
fn virtualenvs_bare_lists_long_names_then_aliases_as_pyenv_virtualenv() {
    let env = Env::new();
    env.fake_version("3.11.7", &["python"]);
    env.fake_version("3.12.1", &["python"]);
    let make = |long: &str| {
        let dir = env.version_dir(long);
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("bin/activate"), "").unwrap();
        let home = env.version_dir(long.split('/').next().unwrap()).join("bin");
        fs::write(
            dir.join("pyvenv.cfg"),
            format!("home = {}\n", home.display()),
        )
        .unwrap();
    };
    make("3.11.7/envs/foo");
    make("3.12.1/envs/bar");
    make("3.11.7/envs/noalias");
    symlink("3.11.7/envs/foo", env.version_dir("foo")).unwrap();
    // pyenv-virtualenv writes absolute alias links.
    symlink(env.version_dir("3.12.1/envs/bar"), env.version_dir("bar")).unwrap();
    assert_eq!(
        ok_stdout(env.pyv().args(["virtualenvs", "--bare"])),
        "3.11.7/envs/foo\n3.11.7/envs/noalias\n3.12.1/envs/bar\nbar\nfoo\n"
    );
    assert_eq!(
        ok_stdout(env.pyv().args(["virtualenvs", "--bare", "--skip-aliases"])),
        "3.11.7/envs/foo\n3.11.7/envs/noalias\n3.12.1/envs/bar\n"
    );
    let table = ok_stdout(env.pyv().args(["virtualenvs", "--skip-aliases"]));
    assert!(table.contains("  3.11.7/envs/foo "), "{table}");
    assert!(!table.lines().any(|l| l.starts_with("  foo ")), "{table}");
}

#[test]
fn refuses_bad_and_taken_names_with_one_line_errors() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    mkenv(&env, &["3.11.9", "web", "--without-pip"]);
    env.fake_version("3.12.1", &["python"]);
    fs::write(env.root().join("versions/afile"), "").unwrap();
    let before = entries(&env.root().join("versions"));
    for bad in [
        "..",
        "a/b",
        "3.11.9/envs/x",
        "two words",
        "system",
        "-x",
        "a$b",
        "3.12.1",
        "3.12",
        "web",
        "afile",
    ] {
        let (code, out, err) = run(env
            .pyv()
            .args(["virtualenv", "3.11.9", bad, "--without-pip"]));
        assert_eq!(code, 1, "{bad}: {out}{err}");
        assert_one_line_error(&err, bad);
    }
    assert_eq!(entries(&env.root().join("versions")), before);
    assert_eq!(entries(&env.version_dir("3.11.9/envs")), ["web"]);
    // A bare word passed through to venv would be another directory: refused.
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "3.11.9", "x", "--", "/tmp/elsewhere"]));
    assert_eq!(code, 1);
    assert_one_line_error(&err, "/tmp/elsewhere");
}

#[test]
fn options_reach_venv() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    mkenv(
        &env,
        &[
            "--system-site-packages",
            "--without-pip",
            "3.11",
            "web",
            "--",
            "--prompt",
            "hello",
        ],
    );
    let cfg = fs::read_to_string(env.version_dir("web/pyvenv.cfg")).unwrap();
    assert!(cfg.contains("include-system-site-packages = true"), "{cfg}");
    assert!(cfg.contains("prompt = 'hello'"), "{cfg}");
    assert!(!env.version_dir("web/bin/pip").exists(), "--without-pip");
}

#[test]
fn force_replaces_an_existing_environment() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    mkenv(&env, &["3.11", "web", "--without-pip"]);
    let marker = env.version_dir("3.11.9/envs/web/marker");
    fs::write(&marker, "old").unwrap();
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "3.11", "web", "--without-pip"]));
    assert_eq!(code, 1);
    assert!(err.contains("-f"), "{err}");
    assert!(marker.exists());
    mkenv(&env, &["-f", "3.11", "web", "--without-pip"]);
    assert!(!marker.exists());
    assert!(env.version_dir("web/pyvenv.cfg").is_file());
    assert_eq!(entries(&env.version_dir("3.11.9/envs")), ["web"]);
}

#[test]
fn version_without_venv_gets_a_clear_error() {
    let env = Env::new();
    // What a Python 2 says to `import venv`.
    let bin = env.version_dir("2.7.18/bin");
    fs::create_dir_all(&bin).unwrap();
    write_exe(
        &bin.join("python"),
        "#!/bin/sh\necho 'ImportError: No module named venv' >&2\nexit 1\n",
    );
    let (code, _, err) = run(env.pyv().args(["virtualenv", "2.7.18", "old"]));
    assert_eq!(code, 1);
    assert_one_line_error(&err, "2.7.18");
    assert!(err.contains("venv") && err.contains("Python 3"), "{err}");
    assert_eq!(entries(&env.version_dir("2.7.18")), ["bin"]);
    assert!(!env.version_dir("old").exists());
}

/// A base version whose `python -m venv` does the whole job and then misbehaves.
fn wrapped_version(env: &Env, after_venv: &str) -> Option<()> {
    let python = python_or_skip()?;
    let bin = env.version_dir("3.11.9/bin");
    fs::create_dir_all(&bin).unwrap();
    write_exe(
        &bin.join("python"),
        &format!(
            "#!/bin/sh\nif [ \"$1\" = -m ]; then {python} \"$@\" || exit; {after_venv}; fi\nexec {python} \"$@\"\n"
        ),
    );
    Some(())
}

#[test]
fn failed_venv_leaves_no_environment_and_no_alias() {
    let env = Env::new();
    let Some(()) = wrapped_version(&env, "echo 'venv: disk on fire' >&2; exit 3") else {
        return;
    };
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "3.11.9", "web", "--without-pip"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("exit status 3") && err.contains("disk on fire"),
        "{err}"
    );
    assert!(err.contains("nothing was created"), "{err}");
    assert_eq!(
        entries(&env.version_dir("3.11.9/envs")),
        Vec::<String>::new()
    );
    assert_eq!(entries(&env.root().join("versions")), ["3.11.9"]);
}

#[test]
fn interrupted_creation_leaves_no_environment_and_no_alias() {
    let env = Env::new();
    // venv finishes its tree, then hangs: pyv is stopped while the tree exists.
    let Some(()) = wrapped_version(&env, "exec sleep 60") else {
        return;
    };
    let child = env
        .pyv()
        .args(["virtualenv", "3.11.9", "web", "--without-pip"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let envs = env.version_dir("3.11.9/envs");
    let start = Instant::now();
    while !entries(&envs)
        .iter()
        .any(|n| envs.join(n).join("pyvenv.cfg").exists())
    {
        assert!(start.elapsed() < Duration::from_secs(30), "venv never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!env.version_dir("web").exists(), "no alias while creating");
    assert!(
        entries(&envs).iter().all(|n| n.starts_with('.')),
        "the tree is hidden while it is made: {:?}",
        entries(&envs)
    );
    // SAFETY: kill(2) on our own child.
    unsafe { libc_kill(child.id() as i32, 15) };
    let out = child.wait_with_output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "pyv stopped venv"
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(entries(&envs), Vec::<String>::new());
    assert_eq!(entries(&env.root().join("versions")), ["3.11.9"]);
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn delete_removes_only_that_environment_and_its_alias() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    mkenv(&env, &["3.11", "web", "--without-pip"]);
    mkenv(&env, &["3.11", "api", "--without-pip"]);

    // The answer is read from stdin whatever it is (the policy uninstall shares): EOF or
    // anything but y/yes keeps the environment, exit 1, with a hint to pass -f.
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv-delete", "web"])
        .stdin(Stdio::null()));
    assert_eq!(code, 1);
    let (question, error) = err.split_once('\n').unwrap();
    assert!(question.contains("delete virtualenv `web`"), "{err}");
    assert_one_line_error(error.trim_start(), "web");
    assert!(env.version_dir("web").exists());
    let (code, _, err) = run_input(env.pyv().args(["virtualenv-delete", "web"]), "n\n");
    assert_eq!(code, 1, "{err}");
    assert!(env.version_dir("web").exists());

    ok_stdout(env.pyv().args(["virtualenv-delete", "-f", "web"]));
    assert!(fs::symlink_metadata(env.version_dir("web")).is_err());
    assert_eq!(entries(&env.version_dir("3.11.9/envs")), ["api"]);
    assert!(env.version_dir("3.11.9/bin/python").exists());

    // By long name: the alias goes too.
    ok_stdout(
        env.pyv()
            .args(["virtualenv-delete", "-f", "3.11.9/envs/api"]),
    );
    assert_eq!(entries(&env.root().join("versions")), ["3.11.9"]);
    assert_eq!(
        entries(&env.version_dir("3.11.9/envs")),
        Vec::<String>::new()
    );

    // A version is not an environment.
    let (code, _, err) = run(env.pyv().args(["virtualenv-delete", "-f", "3.11.9"]));
    assert_eq!(code, 1);
    assert_one_line_error(&err, "3.11.9");
    assert!(env.version_dir("3.11.9/bin/python").exists());
}

#[test]
fn delete_never_leaves_the_root_or_follows_a_symlink() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    // pyenv-virtualenv deletes this directory when given `3.9.3/envs/../../../../victim`.
    let victim = env.path().join("victim");
    fs::create_dir_all(victim.join("envs/x")).unwrap();
    fs::write(victim.join("precious"), "keep").unwrap();
    fs::write(victim.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    fs::write(victim.join("envs/x/pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    fs::create_dir_all(env.version_dir("3.9.3/envs")).unwrap();
    let (code, _, err) =
        run(env
            .pyv()
            .args(["virtualenv-delete", "-f", "3.9.3/envs/../../../../victim"]));
    assert_eq!(code, 1);
    assert_one_line_error(&err, "3.9.3/envs/../../../../victim");

    // A version that is a symlink out of the root, and an "alias" pointing outside.
    symlink(&victim, env.version_dir("3.8.0")).unwrap();
    symlink(&victim, env.version_dir("evil")).unwrap();
    symlink(victim.join("envs/x"), env.version_dir("3.9.3/envs/x")).unwrap();
    for name in ["3.8.0/envs/x", "evil", "3.9.3/envs/x"] {
        let (code, _, err) = run(env.pyv().args(["virtualenv-delete", "-f", name]));
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.starts_with("pyv: "), "{err}");
    }
    assert_eq!(fs::read_to_string(victim.join("precious")).unwrap(), "keep");
    assert!(victim.join("envs/x/pyvenv.cfg").exists());
}

/// A wheel with a console script `hello-pyv`, written by the real Python's zipfile.
fn build_wheel(dir: &Path) -> PathBuf {
    let script = r#"
import base64, hashlib, sys, zipfile
files = {
    "hello_pyv.py": "def main():\n    print('hello from pyv wheel')\n",
    "hello_pyv-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: hello-pyv\nVersion: 1.0\n",
    "hello_pyv-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "hello_pyv-1.0.dist-info/entry_points.txt": "[console_scripts]\nhello-pyv = hello_pyv:main\n",
}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("hello_pyv-1.0.dist-info/RECORD,,")
    z.writestr("hello_pyv-1.0.dist-info/RECORD", "\n".join(record) + "\n")
"#;
    let wheel = dir.join("hello_pyv-1.0-py3-none-any.whl");
    ok_stdout(
        Command::new(python().expect("checked by real_version"))
            .args(["-c", script])
            .arg(&wheel),
    );
    wheel
}

#[test]
fn pip_installed_command_works_through_the_shims_without_rehash() {
    let env = Env::new();
    let Some(_) = real_version(&env) else {
        return;
    };
    mkenv(&env, &["3.11", "web"]);
    let dir = env.version_dir("3.11.9/envs/web");

    // Made in a scratch directory, but every script names the final path.
    let pip = fs::read_to_string(dir.join("bin/pip")).unwrap();
    assert!(
        pip.starts_with(&format!("#!{}/bin/python", dir.display()))
            || pip.contains(&format!("\"{}/bin/python\"", dir.display())),
        "{pip}"
    );
    assert_eq!(files_containing(&dir, ".web.tmp-"), Vec::<PathBuf>::new());

    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "web\n").unwrap();
    assert!(env.shims().join("pip").exists(), "creation rehashed");
    assert!(!env.shims().join("hello-pyv").exists());

    let wheel = build_wheel(env.path());
    let out = ok_stdout(
        env.cmd("pip")
            .args(["install", "--no-index", "--disable-pip-version-check", "-q"])
            .arg(&wheel)
            .env("PATH", env.shim_path())
            .current_dir(&proj),
    );
    assert!(!out.contains("error"), "{out}");
    assert!(dir.join("bin/hello-pyv").exists());
    // No `pyv rehash`: the shim rehashed after pip install.
    let out = ok_stdout(
        env.cmd("hello-pyv")
            .env("PATH", env.shim_path())
            .current_dir(&proj),
    );
    assert_eq!(out, "hello from pyv wheel\n");
    // And it is the environment's, chosen by the project's .python-version.
    let which = ok_stdout(env.pyv().args(["which", "hello-pyv"]).current_dir(&proj));
    assert_eq!(
        which.trim(),
        env.version_dir("web/bin/hello-pyv").to_str().unwrap()
    );
}
