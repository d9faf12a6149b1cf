//! Strings from outside never reach the terminal raw (issue 23): an ESC or BEL in a
//! `.python-version`, a directory's name or an artifact manifest is printed escaped
//! (`\u{1b}`), never as the byte that would clear the screen or set the window title. The
//! python.org API's case is in `tests/update.rs`.

mod common;

use std::fs;
use std::path::Path;

use common::{run, Env};

/// What `3.12\x1b]0;pwned\x07` (an OSC that sets the window title) is shown as.
const SHOWN: &str = "3.12\\u{1b}]0;pwned\\u{7}";

/// No control character but line feed and tab in a command's output.
fn assert_no_controls(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(bad.is_empty(), "{what} has raw {bad:?}: {text:?}");
}

fn dir_with_escapes(env: &Env) -> std::path::PathBuf {
    let dir = env.path().join("proj \x1b[2J\x1b]0;title\x07");
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_version_files_escapes_are_shown_escaped_by_local_and_version() {
    let env = Env::new();
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "3.12\x1b]0;pwned\x07\n").unwrap();

    let (code, out, err) = run(env.pyv().arg("local").current_dir(&proj));
    assert_eq!(code, 0, "{err}");
    assert_no_controls("pyv local's stdout", &out);
    assert_no_controls("pyv local's stderr", &err);
    assert_eq!(out, format!("{SHOWN}\n"));

    for cmd in ["version", "version-name"] {
        let (code, out, err) = run(env.pyv().arg(cmd).current_dir(&proj));
        assert_ne!(code, 0, "{cmd}: {out}");
        assert_no_controls(cmd, &format!("{out}{err}"));
        assert!(err.contains(SHOWN), "{cmd}: {err}");
    }
}

#[test]
fn a_directory_named_with_escapes_is_shown_escaped_in_listings_and_errors() {
    let env = Env::new();
    env.fake_version("3.12.1", &["python"]);
    let dir = dir_with_escapes(&env);
    let shown = "proj \\u{1b}[2J\\u{1b}]0;title\\u{7}";

    // `pyv version` names the file that selected the version.
    fs::write(dir.join(".python-version"), "3.12.1\n").unwrap();
    let (code, out, err) = run(env.pyv().arg("version").current_dir(&dir));
    assert_eq!(code, 0, "{err}");
    assert_no_controls("pyv version", &format!("{out}{err}"));
    assert!(out.contains(shown), "{out}");

    // An I/O error names the path (`Error::Io`), a version file that is a directory too.
    fs::remove_file(dir.join(".python-version")).unwrap();
    fs::create_dir(dir.join(".python-version")).unwrap();
    for args in [&["local", "3.12.1"][..], &["local"], &["version"]] {
        let (code, out, err) = run(env.pyv().args(args).current_dir(&dir));
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert_no_controls(&format!("{args:?}"), &format!("{out}{err}"));
        assert!(err.contains(shown), "{args:?}: {err}");
    }
}

#[test]
fn a_crafted_manifest_is_listed_escaped_by_cache_list() {
    let env = Env::new();
    let artifacts = env.path().join("cache/artifacts");
    fs::create_dir_all(&artifacts).unwrap();
    let key = "cpython-3.99.1-linux-x86_64-0123abcd";
    let sha = "0".repeat(64);
    // As a mirror could serve it: every free-text field carries an escape.
    let manifest = format!(
        "key = {key}\nsha256 = {sha}\nsize = 3\nprefix = /opt/py\n\
         name = 3.99.1\x1b[2J\nplatform = linux\x1b]0;title\x07\n\
         configure = --x\u{9b}31m\nenv = CC=\x08\x08\x7f\ncompiler = gcc\x1b[1A\r\n"
    );
    write(&artifacts.join(format!("{key}.manifest")), &manifest);
    write(&artifacts.join(format!("{key}.tar.gz")), "abc");

    let (code, out, err) = run(env.pyv().args(["cache", "list"]));
    assert_eq!(code, 0, "{err}");
    assert_no_controls("pyv cache list", &format!("{out}{err}"));
    for shown in [
        "3.99.1\\u{1b}[2J",
        "linux\\u{1b}]0;title\\u{7}",
        "--x\\u{9b}31m",
        "CC=\\u{8}\\u{8}\\u{7f}",
        "gcc\\u{1b}[1A",
    ] {
        assert!(out.contains(shown), "{shown}: {out}");
    }
    assert!(out.contains(key), "{out}");
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
}

#[test]
fn the_global_file_and_pyv_version_are_shown_escaped_by_global_and_shell() {
    let env = Env::new();
    fs::write(env.root().join("version"), "3.12\x1b]0;pwned\x07\n").unwrap();
    let (_, out, err) = run(env.pyv().arg("global"));
    assert_no_controls("pyv global", &format!("{out}{err}"));
    assert!(format!("{out}{err}").contains(SHOWN), "{out}{err}");

    let (code, out, err) = run(env
        .pyv()
        .arg("shell")
        .env("PYV_VERSION", "3.12\x1b]0;pwned\x07"));
    assert_eq!(code, 0, "{err}");
    assert_no_controls("pyv shell", &format!("{out}{err}"));
    assert_eq!(out, format!("{SHOWN}\n"));

    // Through the shell function: `sh-shell` prints the `echo` the function evaluates.
    let shown = run(env
        .cmd("bash")
        .args([
            "-c",
            "eval \"$(\"$0\" sh-shell)\"",
            common::pyv_bin().to_str().unwrap(),
        ])
        .env("PYV_VERSION", "3.12\x1b]0;pwned\x07"));
    assert_eq!(shown.0, 0, "{}", shown.2);
    assert_no_controls(
        "eval \"$(pyv sh-shell)\"",
        &format!("{}{}", shown.1, shown.2),
    );
    assert_eq!(shown.1, format!("{SHOWN}\n"));
}

#[test]
fn notes_and_warnings_show_directory_names_escaped() {
    let env = Env::new();
    let dir = dir_with_escapes(&env);
    let shown = "proj \\u{1b}[2J\\u{1b}]0;title\\u{7}";

    // `version-file DIR` with no file: only a hint, naming DIR.
    let (code, out, err) = run(env.pyv().arg("version-file").arg(&dir));
    assert_eq!(code, 1, "{out}{err}");
    assert_no_controls("pyv version-file", &err);
    assert!(err.contains(shown), "{err}");

    // A cache directory named so, whose release data is unusable: the catalog's warning.
    fs::create_dir_all(dir.join("catalog")).unwrap();
    fs::write(dir.join("catalog/python-org.tsv"), "not\ta catalog\n").unwrap();
    let (code, out, err) = run(env
        .pyv()
        .args(["latest", "--known", "3.12"])
        .env("PYV_CACHE_DIR", &dir));
    assert_eq!(code, 0, "{out}{err}");
    assert_no_controls("pyv latest --known", &err);
    assert!(err.contains("warning") && err.contains(shown), "{err}");
}

#[test]
fn a_refused_argument_is_shown_escaped_on_a_terminal() {
    // Only on a terminal does clap write an argument as given (to a pipe it strips escapes):
    // `script` gives pyv one.
    let env = Env::new();
    let mut c = env.cmd("script");
    c.args(["-qec", "\"$PYV\" local \"--bogus$ARG\"", "/dev/null"])
        .env("PYV", common::pyv_bin())
        .env("ARG", "\x1b]0;title\x07")
        .env("SHELL", "/bin/sh")
        .stdin(std::process::Stdio::null());
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 2, "{out}{err}");
    let out = out.replace('\r', "");
    assert_no_controls("a refused argument", &out);
    assert!(
        out.contains("unexpected argument '--bogus\\u{1b}]0;title\\u{7}'"),
        "{out}"
    );
}

#[test]
fn an_installs_notes_show_a_mirrors_url_escaped() {
    // Ui's notes (each mirror's failure) and the final error both name the URL.
    let env = Env::new();
    let (code, out, err) = run(env
        .pyv()
        .args(["install", "3.12.1"])
        .env("PYV_MIRROR", "http://127.0.0.1:1/m\x1b]0;title\x07"));
    assert_eq!(code, 1, "{out}{err}");
    assert_no_controls("pyv install", &format!("{out}{err}"));
    let shown = "http://127.0.0.1:1/m\\u{1b}]0;title\\u{7}/3.12.1/";
    assert!(
        err.lines()
            .any(|l| l.starts_with("pyv: 3.12.1: ") && l.contains(shown)),
        "{err}"
    );
}

#[test]
fn a_shims_error_shows_a_directory_name_escaped() {
    let env = Env::new();
    env.fake_version("3.12.1", &["python"]);
    let (code, _, err) = run(env.pyv().arg("rehash"));
    assert_eq!(code, 0, "{err}");
    let dir = dir_with_escapes(&env);
    fs::write(dir.join(".python-version"), "3.99.1\n").unwrap();
    let (code, out, err) = run(env.cmd(env.shims().join("python")).current_dir(&dir));
    assert_ne!(code, 0, "{out}{err}");
    assert_no_controls("the shim", &format!("{out}{err}"));
    assert!(
        err.contains("not installed") && err.contains("proj \\u{1b}[2J\\u{1b}]0;title\\u{7}"),
        "{err}"
    );
}
