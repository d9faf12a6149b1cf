//! pyenv's own forms of `init`, in real shells: `init - bash|zsh|fish`, `init -` run by
//! `/bin/sh` (POSIX code), `init --path`, `init --no-push-path`, and `init -` making the root.
//! (The rest of pyenv compatibility is in cli.rs, shims.rs and venv.rs; pyenv's own bats suite
//! runs against pyv in ../shared/conformance/pyenv-bats.)

mod common;

use std::fs;

use common::{pyv_bin, run, write_exe, Env};

fn setup() -> Env {
    let env = Env::new();
    env.fake_version("3.11.2", &["python"]);
    env.fake_version("3.13.5", &["python"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "3.11.2\n").unwrap();
    env
}

/// `script` run by `shell -c`, with a plain PATH; (code, stdout, stderr).
fn sh(env: &Env, shell: &str, script: &str) -> (i32, String, String) {
    run(env
        .cmd(shell)
        .arg("-c")
        .arg(script)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(env.path().join("proj")))
}

fn load(shell: &str, args: &str) -> String {
    let pyv = pyv_bin().display().to_string();
    match shell {
        "fish" => format!("'{pyv}' init {args} | source\n"),
        _ => format!("eval \"$('{pyv}' init {args})\"\n"),
    }
}

#[test]
fn pyenvs_documented_init_line_works_in_each_shell() {
    let env = setup();
    for shell in ["bash", "zsh", "fish"] {
        let script = format!(
            "{}python\npyv shell 3.13.5\npython\necho $PYV_SHELL",
            load(shell, &format!("- {shell}"))
        );
        let (code, out, err) = sh(&env, shell, &script);
        assert_eq!(code, 0, "{shell}: {err}");
        assert_eq!(
            out,
            format!("python 3.11.2 \npython 3.13.5 \n{shell}\n"),
            "{shell}: {err}"
        );
        assert_eq!(err, "", "{shell}");
    }
}

#[test]
fn init_dash_under_bin_sh_prints_posix_code() {
    let env = setup();
    // A script run by /bin/sh (dash on Debian): `pyv init -` must detect it and print code
    // dash can run (no `[[`, `declare`, `complete`).
    let script = env.path().join("script.sh");
    write_exe(
        &script,
        &format!(
            "#!/bin/sh\neval \"$('{}' init -)\"\necho \"$PYV_SHELL\"\npython\npyv shell 3.13.5\npython\n{}",
            pyv_bin().display(),
            "eval \"$('@PYV@' init -)\"\necho \"$PATH\"\n".replace("@PYV@", &pyv_bin().display().to_string())
        ),
    );
    let (code, out, err) = run(env
        .cmd(&script)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(env.path().join("proj")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let shims = env.shims().display().to_string();
    assert_eq!(
        out,
        format!("sh\npython 3.11.2 \npython 3.13.5 \n{shims}:/usr/local/bin:/usr/bin:/bin\n"),
        "evaluated twice: the shims once, first"
    );
}

#[test]
fn no_push_path_adds_the_shims_only_when_missing() {
    let env = setup();
    let shims = env.shims().display().to_string();
    for shell in ["bash", "zsh", "fish", "sh"] {
        let print = if shell == "fish" {
            "string join : $PATH"
        } else {
            "echo \"$PATH\""
        };
        let init = load(shell, &format!("- {shell} --no-push-path"));
        let (code, out, err) = sh(&env, shell, &format!("{init}{print}"));
        assert_eq!(code, 0, "{shell}: {err}");
        assert_eq!(
            out.trim(),
            format!("{shims}:/usr/local/bin:/usr/bin:/bin"),
            "{shell}"
        );
        let set = if shell == "fish" {
            format!("set -gx PATH /usr/local/bin '{shims}' /usr/bin /bin\n")
        } else {
            format!("PATH='/usr/local/bin:{shims}:/usr/bin:/bin'\n")
        };
        let (code, out, err) = sh(&env, shell, &format!("{set}{init}{print}"));
        assert_eq!(code, 0, "{shell}: {err}");
        assert_eq!(
            out.trim(),
            format!("/usr/local/bin:{shims}:/usr/bin:/bin"),
            "{shell}: unchanged when already there"
        );
        // Without --no-push-path they move to the front.
        let push = load(shell, &format!("- {shell}"));
        let (_, out, _) = sh(&env, shell, &format!("{set}{push}{print}"));
        assert_eq!(
            out.trim(),
            format!("{shims}:/usr/local/bin:/usr/bin:/bin"),
            "{shell}"
        );
    }
}

#[test]
fn init_path_sets_up_path_only_and_init_makes_the_root() {
    let env = Env::new();
    fs::remove_dir_all(env.root()).unwrap();
    fs::create_dir_all(env.path().join("proj")).unwrap();
    let (code, out, err) = sh(
        &env,
        "bash",
        &format!(
            "{}echo \"$PATH\"; type pyv >/dev/null 2>&1 || echo no-function",
            load("bash", "--path")
        ),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "{}:/usr/local/bin:/usr/bin:/bin\nno-function\n",
            env.shims().display()
        )
    );
    assert!(env.root().join("shims").is_dir() && env.root().join("versions").is_dir());
    let out = common::ok_stdout(env.pyv().args(["init", "--path", "fish"]));
    assert!(out.contains("set -gx PATH '"), "{out}");
    // `init - --no-rehash` in a fresh root still makes shims/ and versions/ (as pyenv).
    fs::remove_dir_all(env.root()).unwrap();
    common::ok_stdout(env.pyv().args(["init", "-", "bash", "--no-rehash"]));
    assert!(env.root().join("shims").is_dir() && env.root().join("versions").is_dir());
    // Usage errors stay usage errors.
    assert_eq!(run(env.pyv().args(["init", "-", "tcsh"])).0, 2);
    assert_eq!(run(env.pyv().args(["init", "-", "bash", "zsh"])).0, 2);
}

#[test]
fn pyv_dir_says_where_shims_look_for_version_files() {
    // pyenv's PYENV_DIR: version files are looked up from there first, then from the cwd.
    let env = setup();
    common::ok_stdout(env.pyv().arg("rehash"));
    let shim = |dir: &std::path::Path| {
        common::ok_stdout(
            env.cmd(env.shims().join("python"))
                .env("PYV_DIR", dir)
                .current_dir(env.path()),
        )
    };
    assert_eq!(shim(&env.path().join("proj")), "python 3.11.2 \n");
    fs::write(env.root().join("version"), "3.13.5\n").unwrap();
    let blank = env.path().join("blank");
    fs::create_dir_all(&blank).unwrap();
    assert_eq!(
        shim(&blank),
        "python 3.13.5 \n",
        "nothing there or here: global"
    );
}

#[test]
fn install_reads_other_tools_version_lines() {
    // `pyv install` with no argument installs what `.python-version` names: another tool's
    // spelling means the version, a specifier the newest known release satisfying it. (No
    // server here: the download fails after the resolution line, which is what is checked.)
    let env = Env::new();
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    for (line, resolved) in [
        (">=3.11,<3.12", "pyv: >=3.11,<3.12 -> 3.11."),
        ("==3.10.*", "pyv: ==3.10.* -> 3.10."),
        ("python3.11", "pyv: 3.11 -> 3.11."),
        ("cpython@3.12", "pyv: 3.12 -> 3.12."),
    ] {
        fs::write(proj.join(".python-version"), format!("{line}\n")).unwrap();
        let (code, _, err) = run(env
            .pyv()
            .args(["install", "--skip-preflight"])
            .current_dir(&proj));
        assert_eq!(code, 1, "{line}: no server: {err}");
        assert!(
            err.lines().any(|l| l.starts_with(resolved)),
            "{line}: {err}"
        );
        assert!(
            !err.contains("not a CPython release pyv knows"),
            "{line}: {err}"
        );
    }
}

#[test]
fn install_explains_a_version_line_it_cannot_use() {
    // A specifier no known release satisfies, or request syntax pyv does not understand, is
    // said as such (not "pass --sha256 or ./Python->=3.99.tar.xz"), naming the file.
    let env = Env::new();
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    for (line, says) in [
        (">=3.99", "no CPython release pyv knows satisfies `>=3.99`"),
        (
            "cpython@>=3.99",
            "no CPython release pyv knows satisfies `cpython@>=3.99`",
        ),
        (
            "cpython@latest",
            "`cpython@latest` is not a version request pyv understands",
        ),
    ] {
        fs::write(proj.join(".python-version"), format!("{line}\n")).unwrap();
        let (code, _, err) = run(env
            .pyv()
            .args(["install", "--skip-preflight"])
            .env("PYV_PYTHON_ORG", "http://127.0.0.1:1")
            .current_dir(&proj));
        assert_eq!(code, 1, "{line}: {err}");
        let first = err
            .lines()
            .find(|l| l.starts_with("pyv: `") || l.starts_with("pyv: no"));
        let first = first.unwrap_or_else(|| panic!("{line}: {err}"));
        assert!(first.contains(says), "{line}: {err}");
        assert!(first.contains(".python-version"), "{line}: {err}");
        assert!(!err.contains("--sha256"), "{line}: {err}");
        assert!(err.contains("hint:"), "{line}: {err}");
    }
}
