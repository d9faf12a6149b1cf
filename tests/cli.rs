//! The `pyv` binary as users drive it: selection commands, listings, errors and exit codes,
//! against a temp root with fake installed versions.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::time::Duration;

use common::{ok_stdout, run, Env};

fn env_with(versions: &[&str]) -> Env {
    let env = Env::new();
    for v in versions {
        env.fake_version(v, &["python", "python3", "pip"]);
    }
    env
}

#[test]
fn global_writes_the_file_and_refuses_unknown_versions() {
    let env = env_with(&["3.11.2", "3.13.5"]);
    ok_stdout(env.pyv().args(["global", "3.11.2", "python-3.13.5"]));
    assert_eq!(
        fs::read_to_string(env.root().join("version")).unwrap(),
        "3.11.2\n3.13.5\n"
    );
    assert_eq!(ok_stdout(env.pyv().arg("global")), "3.11.2\n3.13.5\n");

    let (code, _, err) = run(env.pyv().args(["global", "3.12.1"]));
    assert_eq!(code, 1);
    // pyenv's first line; who asked and what to do in pyv's hint under it.
    assert!(
        err.starts_with("pyv: version `3.12.1` not installed\nhint: version `3.12.1` is not installed (given on the command line); run `pyv install 3.12.1`"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(env.root().join("version")).unwrap(),
        "3.11.2\n3.13.5\n",
        "unchanged"
    );

    // A version no CPython release matches: installing it would fail too.
    for v in ["3.99", "3.99.1", "3.99t"] {
        let (code, _, err) = run(env.pyv().args(["global", v]));
        assert_eq!(code, 1);
        assert!(!err.contains("pyv install 3.99"), "{err}");
        assert!(
            err.contains(&format!("\nhint: version `{v}` is not installed (given on the command line), and no CPython release matches it; `pyv install --list` shows what can be installed")),
            "{err}"
        );
    }

    ok_stdout(env.pyv().args(["global", "--force", "3.12.1"]));
    ok_stdout(env.pyv().args(["global", "system"]));
    assert_eq!(ok_stdout(env.pyv().arg("global")), "system\n");
    ok_stdout(env.pyv().args(["global", "--unset"]));
    assert!(!env.root().join("version").exists());
    assert_eq!(ok_stdout(env.pyv().arg("global")), "system\n");
    let leftovers: Vec<_> = fs::read_dir(env.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains(".tmp")),
        "{leftovers:?}"
    );
}

#[test]
fn local_writes_dot_python_version_here_and_reads_it_from_below() {
    let env = env_with(&["3.11.2"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(proj.join("src/deep")).unwrap();
    let (code, _, err) = run(env.pyv().arg("local").current_dir(&proj));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("pyv: no local version configured for this directory\n"),
        "{err}"
    );

    ok_stdout(env.pyv().args(["local", "3.11.2"]).current_dir(&proj));
    assert_eq!(
        fs::read_to_string(proj.join(".python-version")).unwrap(),
        "3.11.2\n"
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("local").current_dir(proj.join("src/deep"))),
        "3.11.2\n"
    );

    let (code, _, err) = run(env.pyv().args(["local", "3.9"]).current_dir(&proj));
    assert_eq!(code, 1, "{err}");
    ok_stdout(
        env.pyv()
            .args(["local", "--force", "3.9"])
            .current_dir(&proj),
    );
    ok_stdout(env.pyv().args(["local", "--unset"]).current_dir(&proj));
    assert!(!proj.join(".python-version").exists());
}

#[test]
fn version_commands_report_the_origin_of_each_source() {
    let env = env_with(&["3.11.2", "3.12.1", "3.12.9", "2.7.18"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(proj.join("sub")).unwrap();
    let sub = proj.join("sub");

    assert_eq!(
        ok_stdout(env.pyv().arg("version").current_dir(&sub)),
        format!("system (set by {})\n", env.root().join("version").display()),
        "as pyenv: the absent global file is the origin"
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("version-origin").current_dir(&sub)).trim(),
        env.root().join("version").display().to_string()
    );

    fs::write(env.root().join("version"), "3.12\n").unwrap();
    let global = env.root().join("version").display().to_string();
    assert_eq!(
        ok_stdout(env.pyv().arg("version").current_dir(&sub)),
        format!("3.12.9 (set by {global})\n"),
        "a prefix resolves to the newest installed"
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("version-name").current_dir(&sub)),
        "3.12.9\n"
    );

    fs::write(
        proj.join(".python-version"),
        "\u{feff}# project pin\r\n3.11.2\r\n\r\n2.7.18",
    )
    .unwrap();
    let file = proj.join(".python-version").display().to_string();
    assert_eq!(
        ok_stdout(env.pyv().arg("version").current_dir(&sub)),
        format!("3.11.2 (set by {file})\n2.7.18 (set by {file})\n")
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("version-name").current_dir(&sub)),
        "3.11.2:2.7.18\n"
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("version-origin").current_dir(&sub)).trim(),
        file
    );
    assert_eq!(
        ok_stdout(env.pyv().arg("version-file").current_dir(&sub)).trim(),
        file
    );
    // With DIR, as pyenv: that directory's file or nothing (exit 1), never the global file.
    assert_eq!(run(env.pyv().args(["version-file", "/"])), (1, String::new(), "hint: no `.python-version` in `/` or above it (the global file counts only without DIR)\n".into()));
    assert_eq!(
        ok_stdout(env.pyv().args(["version-file"]).current_dir("/")).trim(),
        global
    );
    // PYV_DIR (pyenv's PYENV_DIR): version files are looked up from there, then from here.
    let other = env.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join(".python-version"), "3.12.1\n").unwrap();
    let from_dir = |dir: &std::path::Path, cmd: &str| {
        ok_stdout(env.pyv().arg(cmd).env("PYV_DIR", dir).current_dir(&sub))
    };
    assert_eq!(from_dir(&other, "version-name"), "3.12.1\n");
    assert_eq!(
        from_dir(&other, "version-file").trim(),
        other.join(".python-version").display().to_string()
    );
    let blank = env.path().join("blank");
    fs::create_dir_all(&blank).unwrap();
    assert_eq!(
        from_dir(&blank, "version-name"),
        "3.11.2:2.7.18\n",
        "falls back to the cwd"
    );

    let out = ok_stdout(
        env.pyv()
            .arg("version")
            .env("PYV_VERSION", "3.12.1")
            .current_dir(&sub),
    );
    assert_eq!(out, "3.12.1 (set by PYV_VERSION environment variable)\n");
}

#[test]
fn not_installed_errors_name_the_version_its_origin_and_close_versions() {
    let env = env_with(&["3.12.1", "3.12.9", "3.11.2"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "3.12.4\n").unwrap();
    // `which` (like `exec` and the shims) exits 127 as pyenv's: no selected version has it.
    for (args, want) in [
        (&["version"][..], 1),
        (&["version-name"], 1),
        (&["which", "python"], 127),
        (&["prefix"], 1),
    ] {
        let (code, out, err) = run(env.pyv().args(args).current_dir(&proj));
        assert_eq!(code, want, "{args:?}: {out}{err}");
        if args == ["prefix"] {
            // pyenv's first line for `prefix`; who selected it moves to the hint.
            assert!(
                err.starts_with("pyv: version `3.12.4` not installed\nhint: "),
                "{err}"
            );
        }
        assert!(
            err.contains(&format!(
                "version `3.12.4` is not installed (set by {})",
                proj.join(".python-version").display()
            )),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("run `pyv install 3.12.4`, or pick one of: 3.12.1, 3.12.9"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn every_source_of_a_name_is_validated() {
    let env = env_with(&["3.11.2"]);
    // A directory outside versions/ that a traversal would reach.
    let evil = env.path().join("evil/bin");
    fs::create_dir_all(&evil).unwrap();
    common::write_exe(&evil.join("python"), "#!/bin/sh\necho PWNED\n");

    let (code, out, err) = run(env
        .pyv()
        .args(["which", "python"])
        .env("PYV_VERSION", "../../evil"));
    assert_eq!(code, 1);
    assert!(!out.contains("evil"), "{out}");
    assert!(
        err.contains("`../../evil`") && err.contains("PYV_VERSION"),
        "{err}"
    );

    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "../../evil\n").unwrap();
    let (code, _, err) = run(env.pyv().arg("version").current_dir(&proj));
    assert_eq!(code, 1);
    assert!(
        err.contains(&proj.join(".python-version").display().to_string()),
        "{err}"
    );

    fs::write(env.root().join("version"), "/usr\n").unwrap();
    let (code, _, err) = run(env.pyv().arg("version"));
    assert_eq!(code, 1);
    assert!(err.contains("`/usr`") && err.contains("absolute"), "{err}");
    fs::remove_file(env.root().join("version")).unwrap();

    let long = "3".repeat(300);
    for bad in [
        "..",
        "-rf",
        "a/b",
        "3.11.2/envs/../../..",
        "two words",
        long.as_str(),
        "x\u{7}",
    ] {
        let (code, _, err) = run(env.pyv().args(["global", "--force", "--", bad]));
        assert_eq!(code, 1, "{bad:?}: {err}");
        assert!(err.contains("invalid version name"), "{bad:?}: {err}");
        assert_eq!(err.lines().count(), 2, "one line plus a hint: {err}");
    }
    assert!(!env.root().join("version").exists());
}

#[test]
fn unusable_version_files_are_reported_never_hang() {
    let env = env_with(&["3.11.2"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(proj.join(".python-version")).unwrap();
    let (code, _, err) = run(env.pyv().arg("version").current_dir(&proj));
    assert_eq!(code, 1);
    assert!(err.contains("is a directory"), "{err}");

    let fifo_proj = env.path().join("fifo");
    fs::create_dir_all(&fifo_proj).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(fifo_proj.join(".python-version"))
        .status()
        .unwrap()
        .success());
    let mut child = env
        .pyv()
        .arg("version")
        .current_dir(&fifo_proj)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "pyv hung on a FIFO");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FIFO"));

    let latin = env.path().join("latin");
    fs::create_dir_all(&latin).unwrap();
    fs::write(latin.join(".python-version"), b"3.11.\xe9\n").unwrap();
    let (code, _, err) = run(env.pyv().arg("version").current_dir(&latin));
    assert_eq!(code, 1);
    assert!(err.contains("not UTF-8"), "{err}");

    // Empty and comment-only files are skipped as if absent.
    let empty = env.path().join("outer/inner");
    fs::create_dir_all(&empty).unwrap();
    fs::write(env.path().join("outer/.python-version"), "3.11.2\n").unwrap();
    fs::write(empty.join(".python-version"), "# nothing here\n\n").unwrap();
    assert_eq!(
        ok_stdout(env.pyv().arg("version-name").current_dir(&empty)),
        "3.11.2\n"
    );
}

#[test]
fn versions_lists_sorted_marks_selected_and_shows_aliases() {
    let env = env_with(&["3.9.2", "3.10.0", "3.11.2", "3.13.0rc1"]);
    symlink("3.11.2", env.version_dir("3.11")).unwrap();
    // A dot directory is listed (pyenv lists `.venv`); pyv's own scratch entries are not.
    fs::create_dir_all(env.version_dir(".venv")).unwrap();
    symlink("3.11.2", env.version_dir(".web.alias-123")).unwrap();
    fs::write(env.root().join("version"), "3.10.0\n").unwrap();
    let out = ok_stdout(env.pyv().arg("versions"));
    let names: Vec<&str> = out
        .lines()
        .map(|l| l[2..].split(' ').next().unwrap())
        .filter(|n| *n != "system")
        .collect();
    assert_eq!(
        names,
        ["3.9.2", "3.10.0", "3.11", "3.11.2", "3.13.0rc1", ".venv"],
        "{out}"
    );
    let global = env.root().join("version").display().to_string();
    assert!(
        out.contains(&format!("* 3.10.0 (set by {global})")),
        "{out}"
    );
    // The link as written, as pyenv shows it.
    assert!(out.contains("  3.11 --> 3.11.2\n"), "{out}");
    assert_eq!(
        ok_stdout(env.pyv().args(["versions", "--bare", "--skip-aliases"])),
        "3.9.2\n3.10.0\n3.11.2\n3.13.0rc1\n.venv\n"
    );
}

#[test]
fn which_whence_exec_prefix() {
    let env = env_with(&["3.11.2", "2.7.18"]);
    env.fake_version("2.7.18", &["python2"]);
    fs::write(env.root().join("version"), "3.11.2\n2.7.18\n").unwrap();
    assert_eq!(
        ok_stdout(env.pyv().args(["which", "python2"])).trim(),
        env.version_dir("2.7.18")
            .join("bin/python2")
            .display()
            .to_string()
    );
    let (code, _, err) = run(env.pyv().args(["which", "black"]));
    assert_eq!(code, 127, "{err}");
    // pyenv's first line, pyv's hint under it.
    assert!(err.starts_with("pyv: black: command not found\nhint: the selected version (3.11.2, 2.7.18) has no `black`"), "{err}");

    env.fake_version("3.13.5", &["black"]);
    let (code, _, err) = run(env.pyv().args(["which", "black"]));
    assert_eq!(code, 127);
    // Three lines: pyenv's message, the versions that have it, the command that selects one
    // too (no pointer to tips that `pyv help global` does not have).
    assert_eq!(
        err,
        "pyv: black: command not found\n\
         The `black' command exists in these Python versions: 3.13.5\n\
         hint: the selected version (3.11.2, 2.7.18) has no `black`; to use it too: `pyv shell 3.11.2 2.7.18 3.13.5`\n"
    );
    let (code, _, err) = run(env.pyv().args(["which", "black", "--skip-advice"]));
    assert_eq!(code, 127);
    assert!(!err.contains("3.13.5"), "--skip-advice: {err}");
    assert_eq!(
        ok_stdout(env.pyv().args(["whence", "python"])),
        "2.7.18\n3.11.2\n"
    );
    assert_eq!(run(env.pyv().args(["whence", "nothing"])).0, 1);

    let out = ok_stdout(env.pyv().args(["exec", "python", "-c", "a b", ""]));
    assert_eq!(out, "python 3.11.2 -c a b \n");
    assert_eq!(
        ok_stdout(env.pyv().arg("prefix")).trim(),
        format!(
            "{}:{}",
            env.version_dir("3.11.2").display(),
            env.version_dir("2.7.18").display()
        )
    );
    assert_eq!(
        ok_stdout(env.pyv().args(["prefix", "2.7"])).trim(),
        env.version_dir("2.7.18").display().to_string()
    );

    fs::write(env.root().join("version"), "system\n").unwrap();
    let (code, _, _) = run(env.pyv().args(["which", "--nosystem", "python"]));
    assert_eq!(code, 127);
}

#[test]
fn latest_root_commands_and_usage_errors() {
    let env = env_with(&["3.12.1", "3.12.10", "3.12.9", "3.13.0rc1"]);
    assert_eq!(ok_stdout(env.pyv().args(["latest", "3.12"])), "3.12.10\n");
    assert_eq!(run(env.pyv().args(["latest", "3.13"])).0, 1);
    assert_eq!(
        ok_stdout(env.pyv().args(["latest", "--known", "3.9"])),
        "3.9.25\n"
    );
    assert!(ok_stdout(env.pyv().args(["latest", "-k", "3.13t"]))
        .trim()
        .ends_with('t'));
    assert_eq!(
        ok_stdout(env.pyv().arg("root")).trim(),
        env.root().display().to_string()
    );
    let cmds = ok_stdout(env.pyv().arg("commands"));
    for c in [
        "global", "local", "shell", "versions", "which", "rehash", "init", "install",
    ] {
        assert!(cmds.lines().any(|l| l == c), "{c} missing from {cmds}");
    }
    assert!(!cmds.contains("sh-shell"));
    assert!(ok_stdout(env.pyv().arg("--version")).starts_with("pyv "));
    assert_eq!(run(env.pyv().arg("--no-such-flag")).0, 2);
    assert_eq!(run(env.pyv().arg("no-such-command")).0, 2);
    assert_eq!(run(env.pyv().args(["init", "tcsh"])).0, 2);
}

#[test]
fn shell_without_integration_explains_itself() {
    let env = env_with(&["3.11.2"]);
    let (code, _, err) = run(env.pyv().args(["shell", "3.11.2"]));
    assert_eq!(code, 1);
    assert!(err.contains("pyv init"), "{err}");
    let out = ok_stdout(
        env.pyv()
            .args(["sh-shell", "3.11.2"])
            .env("PYV_SHELL", "bash"),
    );
    assert!(out.contains("export PYV_VERSION='3.11.2'"), "{out}");
    let out = ok_stdout(
        env.pyv()
            .args(["sh-shell", "3.11.2"])
            .env("PYV_SHELL", "fish"),
    );
    assert!(out.contains("set -gx PYV_VERSION '3.11.2'"), "{out}");
    // pyenv's messages: an invalid version prints the error then `false` for the function.
    let (code, out, err) = run(env.pyv().args(["sh-shell", "9.9.9"]));
    assert_eq!((code, out.as_str()), (1, "false\n"));
    assert!(
        err.starts_with("pyv: version `9.9.9` not installed\n"),
        "{err}"
    );
    let (code, _, err) = run(env.pyv().arg("shell"));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("pyv: shell integration not enabled. Run `pyv init` for instructions.\n"),
        "{err}"
    );
    let (code, _, err) = run(env.pyv().arg("sh-shell"));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("pyv: no shell-specific version configured\n"),
        "{err}"
    );
}

#[test]
fn checked_in_completions_match_the_binary() {
    let env = Env::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [("bash", "pyv.bash"), ("zsh", "_pyv"), ("fish", "pyv.fish")] {
        let generated = ok_stdout(env.pyv().args(["completions", shell]));
        let checked_in = fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            generated == checked_in,
            "completions/{file} is stale: run `cargo run -- completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn checked_in_man_page_matches_the_binary() {
    let env = Env::new();
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man/pyv.1");
    let generated = ok_stdout(env.pyv().arg("man"));
    assert!(generated.contains(".SH \"PYV INSTALL\"") && generated.contains("PYV_LINK_MODE"));
    assert!(
        generated == fs::read_to_string(page).unwrap(),
        "man/pyv.1 is stale: run `cargo run -- man > man/pyv.1`"
    );
}

#[test]
fn a_missing_virtualenv_hints_pyv_virtualenv_not_install() {
    let env = env_with(&["3.11.9"]);
    fs::create_dir_all(env.version_dir("3.11.9/envs/wab/bin")).unwrap();
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    for (content, hint) in [
        (
            "3.11.9/envs/web",
            "hint: create it with `pyv virtualenv 3.11.9 web`",
        ),
        (
            "web",
            "hint: create the virtualenv with `pyv virtualenv <version> web`",
        ),
    ] {
        fs::write(proj.join(".python-version"), format!("{content}\n")).unwrap();
        let (code, _, err) = run(env.pyv().arg("version").current_dir(&proj));
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(&format!("virtualenv `{content}` does not exist (set by ")),
            "{err}"
        );
        assert!(err.contains(hint), "{err}");
        assert!(err.contains("3.11.9/envs/wab"), "the near env: {err}");
        assert!(!err.contains("pyv install"), "{err}");
    }
}

#[test]
fn a_typo_suggests_the_version_it_is_one_edit_from() {
    let versions: Vec<String> = (2..=8).map(|m| format!("3.11.{m}")).collect();
    let env = env_with(&versions.iter().map(String::as_str).collect::<Vec<_>>());
    let (code, _, err) = run(env.pyv().args(["global", "3.11.22"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("pick one of: 3.11.2, "), "{err}");
    // A shim (and `pyv exec`) resolve the same way.
    let (code, _, err) = run(env
        .pyv()
        .args(["exec", "python"])
        .env("PYV_VERSION", "3.11.22"));
    assert_eq!(code, 127, "{err}");
    assert!(err.contains("pick one of: 3.11.2, "), "{err}");
    // The catalog: the release one digit away, besides the newest of the series.
    let (code, _, err) = run(env.pyv().args(["install", "3.11.22"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nearest known: 3.11.2, 3.11.12, "), "{err}");
}

#[test]
fn python_version_lines_written_by_other_tools_are_understood() {
    let env = env_with(&["3.10.14", "3.11.9", "3.12.5", "3.12.7", "3.13.0rc1"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    let file = proj.join(".python-version");
    let name_for = |line: &str| {
        fs::write(&file, format!("{line}\n")).unwrap();
        run(env.pyv().arg("version-name").current_dir(&proj))
    };
    for (line, want) in [
        ("cpython@3.12", "3.12.7"),
        ("cpython@3.11.9", "3.11.9"),
        ("cpython-3.12.5", "3.12.5"),
        ("cpython-3.12.5-linux-x86_64-gnu", "3.12.5"),
        ("python3.12", "3.12.7"),
        ("python3", "3.12.7"),
        ("python-3.11", "3.11.9"),
        (">=3.11", "3.12.7"),
        (">=3.11,<3.12", "3.11.9"),
        (">=3.11,<3.13", "3.12.7"),
        ("==3.12.*", "3.12.7"),
        ("~=3.10.1", "3.10.14"),
        ("cpython@>=3.10,<3.11", "3.10.14"),
    ] {
        assert_eq!(
            name_for(line),
            (0, format!("{want}\n"), String::new()),
            "{line}"
        );
    }
    // The shims resolve the same way (one selection code): `which` shows the executable.
    fs::write(&file, ">=3.11,<3.12\n").unwrap();
    assert_eq!(
        ok_stdout(env.pyv().args(["which", "python"]).current_dir(&proj)).trim(),
        env.version_dir("3.11.9")
            .join("bin/python")
            .display()
            .to_string()
    );
    // A request nothing installed satisfies is a missing version, not a missing virtualenv.
    for (line, hint) in [
        ("python3.9", "hint: run `pyv install 3.9`"),
        ("cpython@3.14", "hint: run `pyv install 3.14`"),
        (
            ">=3.14",
            "hint: install a version matching `>=3.14` with `pyv install`",
        ),
    ] {
        let (code, out, err) = name_for(line);
        assert_eq!((code, out.as_str()), (1, ""), "{line}: {err}");
        assert!(
            err.starts_with(&format!("pyv: version `{line}` is not installed (set by ")),
            "{line}: {err}"
        );
        assert!(err.contains(hint), "{line}: {err}");
        assert!(!err.contains("virtualenv"), "{line}: {err}");
    }
    // Anything else with request syntax: not understood, with the forms pyv does understand.
    for line in [">=3.x", "=>3.11", "pypy@3.10", "3.12.*", "~=3"] {
        let (code, _, err) = name_for(line);
        assert_eq!(code, 1, "{line}: {err}");
        assert!(
            err.starts_with(&format!(
                "pyv: `{line}` is not a version request pyv understands ("
            )),
            "{line}: {err}"
        );
        assert!(
            err.contains(&format!("(set by {})", file.display())),
            "{err}"
        );
        assert!(
            err.contains("hint: pyv understands `3.12.5`, `3.12`, `python-3.12`, `python3.12`, `cpython@3.12`"),
            "{line}: {err}"
        );
    }
}

#[test]
fn several_selected_versions_with_some_missing_go_on_with_the_installed_ones() {
    let env = env_with(&["3.3.3", "3.5.1"]);
    let sel = |v: &str, args: &[&str]| run(env.pyv().args(args).env("PYV_VERSION", v));
    // As pyenv: a warning (with pyv's hint) per missing version, the installed ones still
    // printed, exit 1.
    let (code, out, err) = sel("3.4.2:3.3.3:1.2", &["version"]);
    assert_eq!(code, 1);
    assert_eq!(out, "3.3.3 (set by PYV_VERSION environment variable)\n");
    let firsts: Vec<&str> = err.lines().filter(|l| !l.starts_with("hint: ")).collect();
    assert_eq!(
        firsts,
        [
            "pyv: version `3.4.2` is not installed (set by PYV_VERSION environment variable)",
            "pyv: version `1.2` is not installed (set by PYV_VERSION environment variable)"
        ]
    );
    assert_eq!(sel("1.2:3.5.1", &["version-name"]).1, "3.5.1\n");
    assert_eq!(sel("1.2:3.5.1", &["version-name"]).0, 1);
    assert_eq!(sel("1.2", &["version-name"]).1, "");
    assert_eq!(
        sel("1.2:3.5", &["version-name", "-f"]),
        (0, "1.2:3.5.1\n".into(), String::new())
    );
    // which/exec: the command from an installed one, silently; none: 127 naming the missing.
    assert_eq!(
        sel("1.2:3.5.1", &["which", "python"]),
        (
            0,
            format!(
                "{}\n",
                env.version_dir("3.5.1").join("bin/python").display()
            ),
            String::new()
        )
    );
    assert_eq!(
        sel("1.2:3.5.1", &["exec", "python", "x"]).1,
        "python 3.5.1 x\n"
    );
    let (code, _, err) = sel("2.7:3.9", &["exec", "python"]);
    assert_eq!(code, 127);
    assert!(
        err.starts_with("pyv: version `2.7` is not installed"),
        "{err}"
    );
    assert!(
        err.contains("\npyv: version `3.9` is not installed"),
        "{err}"
    );
    assert!(err.contains("\npyv: python: command not found\n"), "{err}");
    // versions: the warning, then the list with the installed one marked (exit 0, as pyenv).
    let (code, out, err) = sel("1.2:3.5.1", &["versions"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.starts_with("pyv: version `1.2` is not installed"),
        "{err}"
    );
    assert!(
        out.contains("* 3.5.1 (set by PYV_VERSION environment variable)\n"),
        "{out}"
    );
}

#[test]
fn versions_matches_pyenvs_listing() {
    let env = env_with(&["2.7.6", "3.4.0", "3.5.2"]);
    for e in ["3.4.0/envs/foo", "3.4.0/envs/bar"] {
        fs::create_dir_all(env.version_dir(e).join("bin")).unwrap();
    }
    common::write_exe(
        &env.version_dir("3.4.0/envs/foo/bin/foo-tool"),
        "#!/bin/sh\n",
    );
    let outside = env.path().join("moo");
    fs::create_dir_all(outside.join("bin")).unwrap();
    common::write_exe(&outside.join("bin/moopython"), "#!/bin/sh\n");
    symlink(&outside, env.version_dir("moo")).unwrap();
    symlink("3.4.0", env.version_dir("3.4")).unwrap();
    // Envs under their version; --skip-aliases keeps a link to a directory outside versions/.
    assert_eq!(
        ok_stdout(env.pyv().args(["versions", "--bare"])),
        "2.7.6\n3.4\n3.4.0\n3.4.0/envs/bar\n3.4.0/envs/foo\n3.5.2\nmoo\n"
    );
    assert_eq!(
        ok_stdout(
            env.pyv()
                .args(["versions", "--bare", "--skip-aliases", "--skip-envs"])
        ),
        "2.7.6\n3.4.0\n3.5.2\nmoo\n"
    );
    assert_eq!(
        ok_stdout(env.pyv().args(["versions", "--executables", "--skip-envs"])),
        "foo-tool\nmoopython\npip\npython\npython3\n"
    );
    // No Python anywhere (none installed, none on PATH): pyenv's warning, exit 1.
    let empty = Env::new();
    let (code, out, err) = run(empty.pyv().arg("versions").env("PATH", "/nonexistent"));
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with("Warning: no Python detected on the system\nhint: "),
        "{err}"
    );
    assert_eq!(
        run(empty
            .pyv()
            .args(["versions", "--bare"])
            .env("PATH", "/nonexistent"))
        .0,
        0
    );
}

#[test]
fn literal_python_dash_directories_and_prefix_system() {
    let env = env_with(&["python-3.12.6", "3.11.2"]);
    assert_eq!(
        ok_stdout(
            env.pyv()
                .arg("version-name")
                .env("PYV_VERSION", "python-3.12.6")
        ),
        "python-3.12.6\n",
        "a directory literally named python-3.12.6 is used as is"
    );
    assert_eq!(
        ok_stdout(
            env.pyv()
                .arg("version-name")
                .env("PYV_VERSION", "python-3.11.2")
        ),
        "3.11.2\n"
    );
    // prefix system: `python` first on PATH (as pyenv), the directory above its bin/.
    let sys = env.path().join("sys");
    fs::create_dir_all(sys.join("bin")).unwrap();
    common::write_exe(&sys.join("bin/python"), "#!/bin/sh\n");
    let path = format!("{}:/usr/bin:/bin", sys.join("bin").display());
    assert_eq!(
        ok_stdout(env.pyv().args(["prefix", "system"]).env("PATH", &path)).trim(),
        sys.display().to_string()
    );
    let (code, _, err) = run(env
        .pyv()
        .args(["prefix", "system"])
        .env("PATH", "/nonexistent"));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("pyv: system version not found in PATH\n"),
        "{err}"
    );
}

/// `pyv versions --executables | head -1`: a reader that goes away is no panic (exit 101) and
/// no "failed printing to stdout" backtrace.
#[test]
fn executables_into_a_closed_pipe_do_not_panic() {
    let env = Env::new();
    env.fake_version("3.12.7", &["python", "python3", "pip"]);
    for args in [
        &["versions", "--executables"][..],
        &["versions", "--bare"],
        &["versions"],
    ] {
        let mut child = env
            .pyv()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before anything is written
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn install_list_with_a_filter_nothing_starts_with_names_it() {
    let env = Env::new();
    let (code, out, err) = run(env.pyv().args(["install", "--list", "zzz", "3.99"]));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.contains("`zzz`") && first.contains("`3.99`") && first.contains("command line"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn an_unwritable_root_is_named_with_where_it_came_from() {
    let env = Env::new();
    // A file where the root should be: unwritable even for root (tests may run as root, where
    // permission bits do not stop anything).
    fs::remove_dir_all(env.root()).unwrap();
    fs::write(env.root(), "not a directory\n").unwrap();
    let commands = [
        &["rehash"][..],
        &["global", "system"],
        &["shims", "--skip", "python"],
    ];
    for args in commands {
        let (code, _, err) = run(env.pyv().args(args));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "\nhint: pyv keeps everything in PYV_ROOT `{}` (set by PYV_ROOT): make it a \
                 writable directory, or point PYV_ROOT at one\n",
                env.root().display()
            )),
            "{args:?}: {err}"
        );
    }
    // Below a file: not a directory.
    let below = env.root().join("pyv");
    let (code, _, err) = run(env.pyv().arg("rehash").env("PYV_ROOT", &below));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "\nhint: pyv keeps everything in PYV_ROOT `{}`",
            below.display()
        )),
        "{err}"
    );
}

#[test]
fn versions_marks_only_the_selected_name_of_an_environment() {
    let env = env_with(&["3.11.2"]);
    let envdir = env.version_dir("3.11.2").join("envs/myenv");
    fs::create_dir_all(envdir.join("bin")).unwrap();
    fs::write(envdir.join("pyvenv.cfg"), "home = /x\n").unwrap();
    symlink("3.11.2/envs/myenv", env.version_dir("myenv")).unwrap();
    for (selected, line) in [
        ("myenv", "* myenv --> 3.11.2/envs/myenv (set by PYV_VERSION"),
        (
            "3.11.2/envs/myenv",
            "* 3.11.2/envs/myenv (set by PYV_VERSION",
        ),
    ] {
        let out = ok_stdout(env.pyv().arg("versions").env("PYV_VERSION", selected));
        let marked: Vec<&str> = out.lines().filter(|l| l.starts_with('*')).collect();
        assert_eq!(marked.len(), 1, "{selected}: {out}");
        assert!(marked[0].starts_with(line), "{selected}: {out}");
    }
}
