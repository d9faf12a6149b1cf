//! What users read, word for word: the errors they commonly hit (each with its hint and exit
//! code), `pyv versions`, `pyv install --list` and every subcommand's `--help`, as insta
//! snapshots in `tests/snapshots/`. A change of wording fails here and shows up in review as a
//! diff of the `.snap` file (`INSTA_UPDATE=always cargo test --test snapshots` rewrites them, or
//! `cargo insta review`); the other tests check meaning with `contains` and let wording drift.
//!
//! Output is made machine-independent by filters, as uv's snapshots are: the test's temp dir
//! is `[TEMP]`, a 127.0.0.1 port `[PORT]`, pyv's own version `[VERSION]`, a duration
//! `[TIME]`. `pyv doctor` is not snapshotted: it lists this machine's compiler, headers and
//! libraries (and the package manager's command for the missing ones), which differ between a
//! developer's machine and CI whatever the filters.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::process::Command;

use common::{ok_stdout, write_exe, Env};

/// insta settings that replace everything specific to this run or this machine.
fn filters(env: &Env) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    let mut temps = vec![env.path().to_path_buf()];
    if let Ok(real) = env.path().canonicalize() {
        temps.push(real);
    }
    for t in temps {
        s.add_filter(&regex::escape(&t.display().to_string()), "[TEMP]");
    }
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    let version = regex::escape(env!("CARGO_PKG_VERSION"));
    s.add_filter(&format!(r"\bpyv([ /]v?){version}\b"), "pyv$1[VERSION]");
    s.add_filter(r"\(\d+(\.\d+)?m?s\)", "([TIME])");
    s.add_filter(r"\bin \d+(\.\d+)?m?s\b", "in [TIME]");
    s
}

/// `$ <shown>`, the exit code, stdout and stderr of `c`, as one text (uv's layout).
fn transcript(shown: &str, c: &mut Command) -> String {
    let out = c
        // clap wraps help to the terminal; none here, and no inherited COLUMNS either.
        .env("COLUMNS", "100")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .output()
        .unwrap();
    format!(
        "$ {shown}\nexit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Snapshot `$ pyv <args>` run in `env` (its root dir as the working directory).
macro_rules! snap {
    ($name:expr, $env:expr, $cmd:expr, $shown:expr) => {{
        let text = transcript($shown, $cmd);
        filters($env).bind(|| insta::assert_snapshot!($name, text));
    }};
}

/// An Env with fake installed versions (`bin/python`, `python3`, `pip` that echo).
fn env_with(versions: &[&str]) -> Env {
    let env = Env::new();
    for v in versions {
        env.fake_version(v, &["python", "python3", "pip"]);
    }
    env
}

/// A project directory in `env` whose `.python-version` holds `content`.
fn project(env: &Env, content: &[u8]) -> std::path::PathBuf {
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), content).unwrap();
    proj
}

#[test]
fn not_installed_errors_name_their_origin() {
    let env = env_with(&["3.11.2", "3.12.1"]);
    let proj = project(&env, b"3.12.4\n");
    snap!(
        "not_installed_set_by_a_file",
        &env,
        env.pyv().arg("version").current_dir(&proj),
        "pyv version  # proj/.python-version: 3.12.4"
    );
    snap!(
        "not_installed_set_by_pyv_version",
        &env,
        env.pyv().arg("version").env("PYV_VERSION", "3.13.5"),
        "PYV_VERSION=3.13.5 pyv version"
    );
    fs::write(env.root().join("version"), "3.9.18\n").unwrap();
    snap!(
        "not_installed_set_by_the_global_file",
        &env,
        env.pyv().arg("version"),
        "pyv version  # root/version: 3.9.18"
    );
    snap!(
        "not_installed_given_on_the_command_line",
        &env,
        env.pyv().args(["prefix", "3.10"]),
        "pyv prefix 3.10"
    );
    snap!(
        "uninstall_of_a_version_not_installed",
        &env,
        env.pyv().args(["uninstall", "3.10.1"]),
        "pyv uninstall 3.10.1"
    );
}

#[test]
fn bad_version_files_and_names() {
    let env = env_with(&["3.12.1"]);
    let proj = project(&env, b"3.12,<\n");
    snap!(
        "a_version_file_line_pyv_cannot_read",
        &env,
        env.pyv().arg("version").current_dir(&proj),
        "pyv version  # proj/.python-version: 3.12,<"
    );
    let proj = project(&env, b"3.11.\xe9\n");
    snap!(
        "a_version_file_that_is_not_utf8",
        &env,
        env.pyv().arg("version").current_dir(&proj),
        "pyv version  # proj/.python-version: 3.11.\\xe9"
    );
    let proj = project(&env, b"../x\n");
    snap!(
        "an_escaping_name_in_a_version_file",
        &env,
        env.pyv().arg("version").current_dir(&proj),
        "pyv version  # proj/.python-version: ../x"
    );
    snap!(
        "an_escaping_name_on_the_command_line",
        &env,
        env.pyv().args(["local", "../x"]),
        "pyv local ../x"
    );
    snap!(
        "an_escaping_name_in_pyv_version",
        &env,
        env.pyv().arg("version").env("PYV_VERSION", "../x"),
        "PYV_VERSION=../x pyv version"
    );
}

#[test]
fn unknown_commands() {
    let env = Env::new();
    snap!(
        "an_unknown_command",
        &env,
        env.pyv().arg("nosuch"),
        "pyv nosuch"
    );
    snap!(
        "a_misspelt_command",
        &env,
        env.pyv().args(["isntall", "3.12"]),
        "pyv isntall 3.12"
    );
}

#[test]
fn local_with_nothing_installed() {
    let env = Env::new();
    snap!(
        "local_without_a_version_file",
        &env,
        env.pyv().arg("local"),
        "pyv local"
    );
    snap!(
        "local_of_a_version_not_installed",
        &env,
        env.pyv().args(["local", "3.12"]),
        "pyv local 3.12"
    );
}

#[test]
fn a_shim_command_not_found() {
    let env = env_with(&["3.11.2"]);
    env.fake_version("3.12.1", &["python", "python3"]);
    ok_stdout(env.pyv().arg("rehash"));
    ok_stdout(env.pyv().args(["global", "3.12.1"]));
    snap!(
        "a_shim_command_another_version_has",
        &env,
        env.cmd("pip").arg("--version").env("PATH", env.shim_path()),
        "pip --version  # global 3.12.1; only 3.11.2 has pip"
    );
    snap!(
        "a_shim_command_of_a_version_not_installed",
        &env,
        env.cmd("python")
            .arg("-V")
            .env("PATH", env.shim_path())
            .env("PYV_VERSION", "3.13.5"),
        "PYV_VERSION=3.13.5 python -V"
    );
    snap!(
        "which_a_command_no_version_has",
        &env,
        env.pyv().args(["which", "python3.15"]),
        "pyv which python3.15"
    );
}

#[test]
fn bad_settings_are_usage_errors() {
    let env = Env::new();
    snap!(
        "an_unknown_link_mode",
        &env,
        env.pyv()
            .args(["install", "3.11.2"])
            .env("PYV_LINK_MODE", "symlink"),
        "PYV_LINK_MODE=symlink pyv install 3.11.2"
    );
    snap!(
        "a_mirror_without_a_scheme",
        &env,
        env.pyv()
            .args(["install", "3.11.2"])
            .env("PYV_MIRROR", "mirror.example.com/python"),
        "PYV_MIRROR=mirror.example.com/python pyv install 3.11.2"
    );
    snap!(
        "a_build_mirror_without_a_scheme",
        &env,
        env.pyv()
            .args(["install", "3.11.2"])
            .env("PYTHON_BUILD_MIRROR_URL", "mirror.example/pythons"),
        "PYTHON_BUILD_MIRROR_URL=mirror.example/pythons pyv install 3.11.2"
    );
    // The release list cannot be refreshed (python.org is 127.0.0.1:1 in tests).
    snap!(
        "a_release_pyv_does_not_know",
        &env,
        env.pyv().args(["install", "3.99.1"]),
        "pyv install 3.99.1  # python.org unreachable"
    );
}

#[test]
fn missing_virtualenvs() {
    let env = env_with(&["3.11.9"]);
    snap!(
        "a_missing_virtualenv_with_its_version",
        &env,
        env.pyv()
            .arg("version")
            .env("PYV_VERSION", "3.11.9/envs/web"),
        "PYV_VERSION=3.11.9/envs/web pyv version"
    );
    let proj = project(&env, b"web\n");
    snap!(
        "a_missing_virtualenv_by_name",
        &env,
        env.pyv().arg("version").current_dir(&proj),
        "pyv version  # proj/.python-version: web"
    );
    snap!(
        "virtualenv_delete_of_a_missing_one",
        &env,
        env.pyv().args(["virtualenv-delete", "-f", "nope"]),
        "pyv virtualenv-delete -f nope"
    );
}

/// `pyv versions`: `system` (a fake one, the only Python on PATH), versions in version order,
/// an environment under its version and as its alias, the selected ones marked with their
/// origin.
#[test]
fn versions_listing() {
    let env = env_with(&["3.9.18", "3.11.2", "3.12.1", "3.13.5t"]);
    let sys = env.path().join("sysbin");
    fs::create_dir_all(&sys).unwrap();
    write_exe(&sys.join("python3"), "#!/bin/sh\necho Python 3.11.0\n");
    let web = env.version_dir("3.12.1/envs/web");
    fs::create_dir_all(web.join("bin")).unwrap();
    fs::write(
        web.join("pyvenv.cfg"),
        format!("home = {}\n", env.version_dir("3.12.1/bin").display()),
    )
    .unwrap();
    symlink("3.12.1/envs/web", env.version_dir("web")).unwrap();
    fs::write(env.root().join("version"), "3.11.2\n").unwrap();
    let path = sys.display().to_string();
    snap!(
        "versions",
        &env,
        env.pyv().arg("versions").env("PATH", &path),
        "pyv versions  # global 3.11.2"
    );
    let proj = project(&env, b"web\n3.13.5t\n");
    snap!(
        "versions_with_two_selected_by_a_file",
        &env,
        env.pyv()
            .arg("versions")
            .env("PATH", &path)
            .current_dir(&proj),
        "pyv versions  # proj/.python-version: web, 3.13.5t"
    );
    snap!(
        "versions_bare",
        &env,
        env.pyv().args(["versions", "--bare"]).env("PATH", &path),
        "pyv versions --bare"
    );
    let empty = Env::new();
    snap!(
        "versions_with_nothing_installed_nor_on_path",
        &empty,
        empty
            .pyv()
            .arg("versions")
            .env("PATH", empty.path().join("nothing")),
        "pyv versions  # empty root, no Python on PATH"
    );
}

/// `pyv install --list`, filtered (the whole list is hundreds of lines, and grows with every
/// release pyv's catalog learns).
#[test]
fn install_list() {
    let env = Env::new();
    snap!(
        "install_list_3_12",
        &env,
        env.pyv().args(["install", "--list", "3.12"]),
        "pyv install --list 3.12"
    );
    snap!(
        "install_list_pypy3_10",
        &env,
        env.pyv().args(["install", "--list", "pypy3.10"]),
        "pyv install --list pypy3.10"
    );
}

#[test]
fn version_of_pyv() {
    let env = Env::new();
    snap!(
        "pyv_version",
        &env,
        env.pyv().arg("--version"),
        "pyv --version"
    );
}

/// `pyv --help` and `pyv <command> --help` for every command `pyv commands` lists.
#[test]
fn help_of_every_command() {
    let env = Env::new();
    snap!("help", &env, env.pyv().arg("--help"), "pyv --help");
    let commands = ok_stdout(env.pyv().arg("commands"));
    let commands: Vec<&str> = commands.lines().collect();
    assert!(commands.len() > 20, "{commands:?}");
    for c in commands {
        snap!(
            format!("help_{}", c.replace('-', "_")),
            &env,
            env.pyv().args([c, "--help"]),
            &format!("pyv {c} --help")
        );
    }
}

/// The filters themselves: what each replaces (and that a version listing keeps its numbers).
#[test]
fn filters_redact_what_differs_between_runs() {
    let env = Env::new();
    let text = format!(
        "{}/root/versions/3.12.1\n\
         http://127.0.0.1:41234/3.12.1/Python-3.12.1.tar.xz\n\
         pyv {v} (user agent pyv/{v})\n\
         built 3.12.1 (12.5s); unpacked in 80ms\n\
         3.10.0 3.12.13 0.1.0rc1\n",
        env.path().display(),
        v = env!("CARGO_PKG_VERSION"),
    );
    filters(&env).bind(|| insta::assert_snapshot!("filters", text));
}

/// `pyv upgrade --dry-run`: the whole plan (install, move, pins, PYV_VERSION, what is kept),
/// against a local python.org that knows 3.99.2; nothing changes.
#[test]
fn upgrade_dry_run() {
    let env = env_with(&["3.99.1", "3.98.3"]);
    let web = env.version_dir("3.99.1/envs/web");
    fs::create_dir_all(web.join("bin")).unwrap();
    fs::write(
        web.join("pyvenv.cfg"),
        format!(
            "home = {}\npyv-series = 3.99\n",
            env.version_dir("3.99.1/bin").display()
        ),
    )
    .unwrap();
    symlink("3.99.1/envs/web", env.version_dir("web")).unwrap();
    fs::write(env.root().join("version"), "3.99.1\n").unwrap();
    let proj = project(&env, b"3.99.1/envs/web\n3.99\n");
    let server = common::fake_release::python_org(&["3.99.1", "3.99.2", "3.98.3"]);
    let mut c = env.pyv();
    c.args(["upgrade", "--dry-run"])
        .current_dir(&proj)
        .env("PYV_VERSION", "3.99.1")
        .env("PYV_PYTHON_ORG", format!("{}/ftp/python/", server.url()))
        .env(
            "PYV_PYTHON_ORG_API",
            format!("{}/api/v2/downloads/", server.url()),
        );
    snap!(
        "upgrade_dry_run",
        &env,
        &mut c,
        "PYV_VERSION=3.99.1 pyv upgrade --dry-run  # in proj/"
    );
    assert!(!env.version_dir("3.99.2").exists());
    assert!(web.join("pyvenv.cfg").exists());
    assert_eq!(
        fs::read_to_string(proj.join(".python-version")).unwrap(),
        "3.99.1/envs/web\n3.99\n"
    );
}
