//! PyPy, GraalPy and the conda family (Miniforge, Mambaforge, Miniconda, Anaconda) under
//! pyenv's names, driven through the real binary: a real PyPy from `../shared/pypy` (trusted
//! through a `PYV_PREBUILT_TABLE` row, since its digest is not pypy.org's) from a file:// and an
//! http mirror, and fake GraalPy archives and conda installers in the real layouts served from
//! 127.0.0.1 through `PYV_MIRROR_MAP`. Also: the listing, prefixes, and failures that must leave
//! nothing behind.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fake_release::{self, RawEntry};
use common::http::Server;
use common::{ok_stdout, run, Env};

const PYPY_FILE: &str = "pypy3.9-v7.3.11-linux64.tar.bz2";
const PYPY_UPSTREAM: &str = "https://downloads.python.org/pypy";
const GRAAL_UPSTREAM: &str = "https://github.com/oracle/graalpython/releases/download";
const FORGE_UPSTREAM: &str = "https://github.com/conda-forge/miniforge/releases/download";

fn target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no target for {other:?}"),
    }
}

/// The real PyPy archive and its digest from SHA256SUMS, or None (skipped, saying so) where it
/// is absent or cannot run; in CI (`CI=true`) a missing file fails the test.
fn real_pypy() -> Option<(PathBuf, String)> {
    let archive = common::shared_or_skip(&format!("pypy/{PYPY_FILE}"), "the real-PyPy test")?;
    let dir = archive.parent().expect("in pypy/").to_path_buf();
    if target() != "x86_64-unknown-linux-gnu" {
        eprintln!("skipped: the shared PyPy is a Linux x86_64 build");
        return None;
    }
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let sha = sums
        .lines()
        .find(|l| l.ends_with(PYPY_FILE))
        .and_then(|l| l.split_whitespace().next())
        .expect("SHA256SUMS names the archive")
        .to_string();
    Some((archive, sha))
}

fn table_row(name: &str, url: &str, sha: &str, python: &str) -> String {
    format!("{name}\t{}\t{url}\t{sha}\t{python}\n", target())
}

fn write_table(env: &Env, rows: &str) -> PathBuf {
    let p = env.path().join("extra.tsv");
    fs::write(&p, rows).unwrap();
    p
}

/// Nothing of a failed install is left: no version, no staging entry, no shims for it.
fn assert_nothing_left(env: &Env, name: &str) {
    assert!(!env.version_dir(name).exists(), "{name} must not exist");
    let staging = env.root().join(".staging");
    let left: Vec<_> = fs::read_dir(&staging)
        .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "staging leftovers: {left:?}");
}

#[test]
fn real_pypy_installs_from_file_and_http_mirrors_and_runs_through_shims_and_venvs() {
    let Some((archive, sha)) = real_pypy() else {
        return;
    };
    let name = "pypy3.9-7.3.11";
    let upstream_url = format!("{PYPY_UPSTREAM}/{PYPY_FILE}");

    // 1. file:// mirror: PYV_MIRROR_MAP sends pypy.org's URL to the shared directory.
    let env = Env::new();
    let table = write_table(&env, &table_row(name, &upstream_url, &sha, "3.9"));
    let mirror = format!(
        "{PYPY_UPSTREAM}=file://{}",
        archive.parent().unwrap().display()
    );
    let (code, out, err) = run(env
        .pyv()
        .args(["install", name])
        .env("PYV_PREBUILT_TABLE", &table)
        .env("PYV_MIRROR_MAP", &mirror));
    assert_eq!(code, 0, "{err}");
    // Debian's PyPy (the bytes in shared/) refuses ensurepip outside a venv: said, not fatal.
    let has_pip = env.version_dir(name).join("bin/pip").exists();
    assert!(
        has_pip || err.contains("has no pip: its `ensurepip` failed"),
        "{err}"
    );
    assert!(
        out.contains(&format!("installed Python {name} (PyPy)")),
        "{out}"
    );
    let dir = env.version_dir(name);
    let receipt = fs::read_to_string(dir.join(".pyv-install")).unwrap();
    assert!(receipt.contains("kind=pypy"), "{receipt}");
    assert!(receipt.contains(&sha), "{receipt}");
    for link in ["python", "python3", "pypy3"] {
        assert!(dir.join("bin").join(link).exists(), "bin/{link}");
    }
    for shim in ["pypy3", "python", "python3"] {
        assert!(env.shims().join(shim).exists(), "shim {shim}");
    }
    // Selected by .python-version, run through the shim.
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), format!("{name}\n")).unwrap();
    let out = ok_stdout(
        env.cmd("pypy3")
            .args(["-c", "import sys, ssl; print(sys.implementation.name)"])
            .env("PATH", env.shim_path())
            .current_dir(&proj),
    );
    assert_eq!(out.trim(), "pypy");
    let out = ok_stdout(env.pyv().args(["versions", "--bare"]));
    assert!(out.lines().any(|l| l == name), "{out}");

    // A virtualenv from it, used through .python-version.
    ok_stdout(env.pyv().args(["virtualenv", name, "fast"]));
    let venv_dir = env.path().join("venvproj");
    fs::create_dir_all(&venv_dir).unwrap();
    fs::write(venv_dir.join(".python-version"), "fast\n").unwrap();
    let out = ok_stdout(
        env.cmd("python")
            .args([
                "-c",
                "import sys, ssl; print(sys.implementation.name, sys.prefix != sys.base_prefix)",
            ])
            .env("PATH", env.shim_path())
            .current_dir(&venv_dir),
    );
    assert_eq!(out.trim(), "pypy True");
    let out = ok_stdout(env.pyv().args(["version-name"]).current_dir(&venv_dir));
    assert_eq!(out.trim(), "fast");
    // The venv's pip (from PyPy's ensurepip inside the venv) runs through the shim.
    let out = ok_stdout(
        env.cmd("pip")
            .args(["--version"])
            .env("PATH", env.shim_path())
            .current_dir(&venv_dir),
    );
    assert!(out.contains("envs/fast"), "{out}");

    // 2. http mirror on 127.0.0.1, in a fresh root and cache, asked for by prefix.
    let env2 = Env::new();
    let server = Server::start();
    server.file(&format!("/pypy/{PYPY_FILE}"), fs::read(&archive).unwrap());
    let table2 = write_table(&env2, &table_row(name, &upstream_url, &sha, "3.9"));
    let out = ok_stdout(
        env2.pyv()
            .args(["install", name])
            .env("PYV_PREBUILT_TABLE", &table2)
            .env(
                "PYV_MIRROR_MAP",
                format!("{PYPY_UPSTREAM}={}/pypy", server.url()),
            ),
    );
    assert!(out.contains(&format!("installed Python {name}")), "{out}");
    assert_eq!(
        server.requests(),
        [format!("GET /pypy/{PYPY_FILE}")],
        "downloaded once, from the mirror"
    );
    let out = ok_stdout(
        env2.cmd("python3")
            .args(["-c", "import sys; print(sys.pypy_version_info[:3])"])
            .env("PATH", env2.shim_path())
            .env("PYV_VERSION", name),
    );
    assert_eq!(out.trim(), "(7, 3, 11)");
}

#[test]
fn a_wrong_digest_leaves_nothing_and_is_never_weakened() {
    let env = Env::new();
    let server = Server::start();
    let bytes = graal_archive("24.1.1", None);
    server.file(
        "/graal/graal-24.1.1/graalpy-24.1.1-linux-amd64.tar.gz",
        bytes,
    );
    // The embedded row's digest (pyenv's) does not match these bytes.
    let (code, _out, err) = run(env.pyv().args(["install", "graalpy-24.1.1"]).env(
        "PYV_MIRROR_MAP",
        format!("{GRAAL_UPSTREAM}={}/graal", server.url()),
    ));
    if target() != "x86_64-unknown-linux-gnu" {
        return; // the file above is the linux-amd64 one
    }
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(err.contains("PYV_MIRROR_MAP"), "{err}");
    assert_nothing_left(&env, "graalpy-24.1.1");
    let cached: Vec<_> = fs::read_dir(env.path().join("cache"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("graalpy"))
        .collect();
    assert!(cached.is_empty(), "bad bytes deleted: {cached:?}");
}

/// A fake GraalPy in the release layout (`graalpy-<v>-<os>-<arch>/bin/graalpy`): the system's
/// python3 wearing GraalPy's `sys.implementation`, with a `pip` package of its own (so pyv's
/// ensurepip step never runs the system's ensurepip). `extra`: one more raw tar entry.
fn graal_archive(version: &str, extra: Option<RawEntry>) -> Vec<u8> {
    let top = format!("graalpy-{version}-linux-amd64");
    let (maj, min) = {
        let mut p = version.split('.');
        (p.next().unwrap().to_string(), p.next().unwrap().to_string())
    };
    let script = format!(
        r#"#!/bin/sh
here="$(cd "$(dirname "$0")/.." && pwd)"
exec {python} -c '
import sys, runpy
sys.implementation.name = "graalpy"
sys.implementation.cache_tag = "graalpy{maj}{min}-311"
sys.path.insert(0, sys.argv[1] + "/lib/site")
a = sys.argv[2:]
while a and a[0] in ("-E", "-s", "-I"):
    a = a[1:]
if a[:1] == ["-c"]:
    sys.argv = ["-c"] + a[2:]
    exec(a[1], {{"__name__": "__main__"}})
else:
    sys.stderr.write("fake graalpy: only -c is supported\n")
    sys.exit(3)
' "$here" "$@"
"#,
        python = system_python().0.display()
    );
    let bin = format!("{top}/bin/");
    let lib = format!("{top}/lib/");
    let site = format!("{top}/lib/site/");
    let pip = format!("{top}/lib/site/pip/");
    let graalpy = format!("{top}/bin/graalpy");
    let pip_init = format!("{top}/lib/site/pip/__init__.py");
    let top_dir = format!("{top}/");
    let mut entries = vec![
        RawEntry::dir(&top_dir),
        RawEntry::dir(&bin),
        RawEntry::dir(&lib),
        RawEntry::dir(&site),
        RawEntry::dir(&pip),
        RawEntry {
            mode: 0o755,
            ..RawEntry::file(&graalpy, script.as_bytes())
        },
        RawEntry::file(&pip_init, b"# fake pip\n"),
    ];
    if let Some(e) = extra {
        entries.push(e);
    }
    fake_release::raw_tgz(&entries)
}

#[test]
fn graalpy_installs_from_an_http_mirror_with_a_team_row_winning_over_the_embedded_one() {
    if target() != "x86_64-unknown-linux-gnu" {
        eprintln!("skipped: the fake GraalPy is laid out as the linux-amd64 release");
        return;
    }
    let env = Env::new();
    let server = Server::start();
    let bytes = graal_archive("24.1.1", None);
    let sha = fake_release::sha256(&bytes);
    server.file(
        "/graal/graal-24.1.1/graalpy-24.1.1-linux-amd64.tar.gz",
        bytes,
    );
    let url = format!("{GRAAL_UPSTREAM}/graal-24.1.1/graalpy-24.1.1-linux-amd64.tar.gz");
    let table = write_table(&env, &table_row("graalpy-24.1.1", &url, &sha, ""));
    let out = ok_stdout(
        env.pyv()
            .args(["install", "graalpy-24.1.1"])
            .env("PYV_PREBUILT_TABLE", &table)
            .env(
                "PYV_MIRROR_MAP",
                format!("{GRAAL_UPSTREAM}={}/graal/", server.url()),
            ),
    );
    assert!(
        out.contains("installed Python graalpy-24.1.1 (GraalPy)"),
        "{out}"
    );
    let dir = env.version_dir("graalpy-24.1.1");
    assert!(fs::read_to_string(dir.join(".pyv-install"))
        .unwrap()
        .contains("kind=graalpy"));
    assert_eq!(
        fs::read_link(dir.join("bin/python")).unwrap(),
        Path::new("graalpy")
    );
    let out = ok_stdout(
        env.cmd("python")
            .args(["-c", "import sys, ssl; print(sys.implementation.name)"])
            .env("PATH", env.shim_path())
            .env("PYV_VERSION", "graalpy-24.1.1"),
    );
    assert_eq!(out.trim(), "graalpy");
    // global/local accept it like any version.
    ok_stdout(env.pyv().args(["global", "graalpy-24.1.1"]));
    let out = ok_stdout(env.pyv().args(["version-name"]));
    assert_eq!(out.trim(), "graalpy-24.1.1");
    let out = ok_stdout(env.pyv().args(["latest", "graalpy"]));
    assert_eq!(out.trim(), "graalpy-24.1.1");
    // A prefix in .python-version resolves to the installed graalpy-24.1.1, as `3.12` would.
    let proj = env.path().join("p");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "graalpy-24\n").unwrap();
    let out = ok_stdout(
        env.cmd("python3")
            .args(["-c", "import sys; print(sys.implementation.cache_tag)"])
            .env("PATH", env.shim_path())
            .current_dir(&proj),
    );
    assert_eq!(out.trim(), "graalpy241-311");
    let out = ok_stdout(env.pyv().args(["versions"]).current_dir(&proj));
    assert!(out.contains("* graalpy-24.1.1 (set by"), "{out}");
}

#[test]
fn a_graalpy_that_is_not_graalpy_or_slips_out_of_its_tree_is_refused() {
    let env = Env::new();
    let server = Server::start();
    // A tar-slip entry.
    let slip = graal_archive(
        "24.1.1",
        Some(RawEntry::file(
            "graalpy-24.1.1-linux-amd64/../../evil",
            b"x",
        )),
    );
    let sha = fake_release::sha256(&slip);
    server.file("/g/slip.tar.gz", slip);
    let table = write_table(
        &env,
        &table_row(
            "graalpy-24.1.1",
            &format!("{}/g/slip.tar.gz", server.url()),
            &sha,
            "",
        ),
    );
    let (code, _, err) = run(env
        .pyv()
        .args(["install", "graalpy-24.1.1"])
        .env("PYV_PREBUILT_TABLE", &table));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("refusing archive") && err.contains("`..`"),
        "{err}"
    );
    assert_nothing_left(&env, "graalpy-24.1.1");
    assert!(!env.path().join("evil").exists());

    // Version 24.2's interpreter installed under the name 24.1.1: the check refuses it.
    let wrong = graal_archive("24.2.0", None);
    let sha = fake_release::sha256(&wrong);
    server.file("/g/wrong.tar.gz", wrong);
    let table = write_table(
        &env,
        &table_row(
            "graalpy-24.1.1",
            &format!("{}/g/wrong.tar.gz", server.url()),
            &sha,
            "",
        ),
    );
    let (code, _, err) = run(env
        .pyv()
        .args(["install", "graalpy-24.1.1"])
        .env("PYV_PREBUILT_TABLE", &table));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("reports GraalPy version 24.2, expected 24.1"),
        "{err}"
    );
    assert_nothing_left(&env, "graalpy-24.1.1");
}

/// The system python3's `major.minor`, which the fake conda Python reports.
fn system_python() -> (PathBuf, String) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    (
        PathBuf::from(lines.next().unwrap()),
        lines.next().unwrap().to_string(),
    )
}

/// A fake Miniforge-style installer: honours `-b -p PREFIX` (refusing to run without `-b`, or
/// into an existing prefix, as the real ones do), lays down `bin/python` (the system's
/// python3), `bin/conda` and `bin/mamba` (scripts whose shebang names PREFIX), `bin/pip`, a
/// binary file with PREFIX inside, and tries to write `~/.conda/environments.txt` (which must
/// land in pyv's scratch HOME). `fail`: exit 1 half-way.
fn conda_installer(python: &Path, fail: bool) -> Vec<u8> {
    let failure = if fail {
        "echo 'CondaError: the payload is corrupt' >&2\nexit 1\n"
    } else {
        ""
    };
    format!(
        r#"#!/bin/sh
# fake Miniforge3 installer
BATCH=; PREFIX=
while [ $# -gt 0 ]; do
  case "$1" in
    -b) BATCH=1 ;;
    -p) PREFIX="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$BATCH" ] || {{ echo "interactive mode needs a terminal" >&2; exit 2; }}
[ -n "$PREFIX" ] || exit 2
[ -e "$PREFIX" ] && {{ echo "ERROR: File or directory already exists: '$PREFIX'" >&2; exit 1; }}
mkdir -p "$PREFIX/bin" "$PREFIX/lib" "$PREFIX/conda-meta"
{failure}ln -s {python} "$PREFIX/bin/python3"
ln -s python3 "$PREFIX/bin/python"
printf '#!%s/bin/python\nimport sys\nprint("conda 24.11.0", sys.argv[0], "{{}}".format(open("%s/conda-meta/history").read().strip()))\n' "$PREFIX" "$PREFIX" > "$PREFIX/bin/conda"
printf '#!%s/bin/python\nprint("mamba 1.5")\n' "$PREFIX" > "$PREFIX/bin/mamba"
printf '#!%s/bin/python\nprint("pip 24.3")\n' "$PREFIX" > "$PREFIX/bin/pip"
chmod +x "$PREFIX/bin/conda" "$PREFIX/bin/mamba" "$PREFIX/bin/pip"
echo "prefix=$PREFIX" > "$PREFIX/conda-meta/history"
printf '\177ELF\000%s/lib/libz.so\000tail\000' "$PREFIX" > "$PREFIX/lib/libfake.so"
mkdir -p "$HOME/.conda" && echo "$PREFIX" >> "$HOME/.conda/environments.txt"
env > "$PREFIX/conda-meta/installer-env"
echo "installation finished."
"#,
        python = python.display()
    )
    .into_bytes()
}

#[test]
fn miniforge_installs_in_batch_mode_into_the_stage_and_is_relocated() {
    let env = Env::new();
    let server = Server::start();
    let (python, pyver) = system_python();
    let name = "miniforge3-24.11.0-0";
    let file = format!("Miniforge3-24.11.0-0-{}.sh", conda_platform());
    let bytes = conda_installer(&python, false);
    let sha = fake_release::sha256(&bytes);
    server.file(&format!("/forge/24.11.0-0/{file}"), bytes);
    let url = format!("{FORGE_UPSTREAM}/24.11.0-0/{file}");
    let table = write_table(&env, &table_row(name, &url, &sha, &pyver));
    let out = ok_stdout(
        env.pyv()
            .args(["install", name])
            .env("PYV_PREBUILT_TABLE", &table)
            .env(
                "PYV_MIRROR_MAP",
                format!("{FORGE_UPSTREAM}={}/forge", server.url()),
            )
            .env("GITHUB_TOKEN", "secret")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("CONDA_PREFIX", "/somewhere/else")
            .env("LC_CTYPE", "C.UTF-8")
            .env("TMPDIR", env.path()),
    );
    assert!(
        out.contains(&format!("installed Python {name} (conda Python)")),
        "{out}"
    );
    let dir = env.version_dir(name);
    // The installer saw a minimal environment: no token, no credentials, no active conda.
    let seen = fs::read_to_string(dir.join("conda-meta/installer-env")).unwrap();
    assert!(!seen.contains("secret"), "{seen}");
    assert!(!seen.contains("CONDA_PREFIX="), "{seen}");
    assert!(!seen.contains("PYV_"), "{seen}");
    for var in [
        "PATH=",
        "HOME=",
        "LC_CTYPE=C.UTF-8",
        "TMPDIR=",
        "CONDA_REGISTER_ENVS=false",
    ] {
        assert!(seen.lines().any(|l| l.starts_with(var)), "{var}: {seen}");
    }
    assert!(fs::read_to_string(dir.join(".pyv-install"))
        .unwrap()
        .contains("kind=conda"));
    // The stage path was rewritten to the final one, in text and binary files alike.
    let prefix = dir.display().to_string();
    let conda = fs::read_to_string(dir.join("bin/conda")).unwrap();
    // (The test root's path has a space: the shebang became pip's /bin/sh trampoline.)
    assert!(conda.contains(&format!("{prefix}/bin/python")), "{conda}");
    assert!(!conda.contains(".staging"), "{conda}");
    let history = fs::read_to_string(dir.join("conda-meta/history")).unwrap();
    assert_eq!(history.trim(), format!("prefix={prefix}"));
    let lib = fs::read(dir.join("lib/libfake.so")).unwrap();
    let want = format!("\x7fELF\0{prefix}/lib/libz.so\0");
    assert!(
        lib.starts_with(want.as_bytes()),
        "{:?}",
        String::from_utf8_lossy(&lib)
    );
    assert!(!String::from_utf8_lossy(&lib).contains(".staging"));
    // conda, mamba, python, pip get shims and run.
    for shim in ["conda", "mamba", "python", "pip"] {
        assert!(env.shims().join(shim).exists(), "shim {shim}");
    }
    let out = ok_stdout(
        env.cmd("conda")
            .env("PATH", env.shim_path())
            .env("PYV_VERSION", name),
    );
    assert!(out.starts_with("conda 24.11.0"), "{out}");
    assert!(out.contains(&format!("prefix={prefix}")), "{out}");
    // The user's home was never touched.
    assert!(!env.home().join(".conda").exists(), "~/.conda written");
    // `pyv latest -k` and prefixes reach the conda family too.
    let out = ok_stdout(env.pyv().args(["latest", "miniforge3"]));
    assert_eq!(out.trim(), name);
}

fn conda_platform() -> &'static str {
    match target() {
        "x86_64-unknown-linux-gnu" => "Linux-x86_64",
        "aarch64-unknown-linux-gnu" => "Linux-aarch64",
        "x86_64-apple-darwin" => "MacOSX-x86_64",
        _ => "MacOSX-arm64",
    }
}

#[test]
fn a_failing_installer_leaves_nothing_behind() {
    let env = Env::new();
    let server = Server::start();
    let (python, pyver) = system_python();
    let bytes = conda_installer(&python, true);
    let sha = fake_release::sha256(&bytes);
    server.file("/a/Anaconda3-2024.10-1-Linux-x86_64.sh", bytes);
    let name = "anaconda3-2024.10-1";
    let table = write_table(
        &env,
        &table_row(
            name,
            &format!("{}/a/Anaconda3-2024.10-1-Linux-x86_64.sh", server.url()),
            &sha,
            &pyver,
        ),
    );
    let (code, _, err) = run(env
        .pyv()
        .args(["install", name])
        .env("PYV_PREBUILT_TABLE", &table));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the installer of anaconda3-2024.10-1 failed (exit status 1)"),
        "{err}"
    );
    assert!(
        err.contains("the payload is corrupt"),
        "the log's tail is shown: {err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert_nothing_left(&env, name);
    assert!(!env.shims().join("conda").exists());
}

#[test]
fn the_list_shows_the_other_pythons_after_cpython_and_filters_by_flavour() {
    let env = Env::new();
    let out = ok_stdout(env.pyv().args(["install", "--list"]));
    let lines: Vec<&str> = out.lines().collect();
    let first_other = lines
        .iter()
        .position(|l| !l.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap();
    assert!(lines[..first_other].contains(&"3.12.7"));
    assert!(
        lines[first_other..]
            .iter()
            .all(|l| !l.starts_with(|c: char| c.is_ascii_digit())),
        "CPython first, then the others"
    );
    for name in [
        "pypy3.10-7.3.17",
        "pypy2.7-7.3.17",
        "graalpy-24.1.1",
        "miniforge3-24.11.0-0",
        "miniconda3-3.12-24.9.2-0",
        "anaconda3-2024.10-1",
        "mambaforge-24.11.0-1",
    ] {
        assert!(lines.contains(&name), "{name} listed");
    }
    for absent in [
        "miniconda3-latest",
        "graalpy-dev",
        "pypy3.10-7.3.17-src",
        "jython-2.7.2",
    ] {
        assert!(!lines.contains(&absent), "{absent} is not offered");
    }
    let pypy = ok_stdout(env.pyv().args(["install", "--list", "pypy3.10"]));
    assert!(pypy.lines().all(|l| l.starts_with("pypy3.10-")), "{pypy}");
    assert!(pypy.lines().any(|l| l == "pypy3.10-7.3.17"));
    let cpython = ok_stdout(env.pyv().args(["install", "--list", "cpython"]));
    assert_eq!(cpython.lines().count(), first_other);
    let (code, _, err) = run(env.pyv().args(["install", "--list", "ironpython"]));
    assert_eq!(code, 1);
    assert!(err.contains("hint: filters are name prefixes"), "{err}");

    let latest = |p: &str| {
        ok_stdout(env.pyv().args(["latest", "-k", p]))
            .trim()
            .to_string()
    };
    assert_eq!(latest("pypy3.10"), "pypy3.10-7.3.19");
    assert!(latest("miniforge3").starts_with("miniforge3-"));
    assert!(latest("graalpy").starts_with("graalpy-2"));
    let (code, _, err) = run(env.pyv().args(["latest", "-k", "pypy3.99"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("no known PyPy version matches `pypy3.99`"),
        "{err}"
    );
    // An unknown name is an error naming it, with the nearest names.
    let (code, _, err) = run(env.pyv().args(["install", "pypy3.10-7.3.99"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("`pypy3.10-7.3.99` is not a PyPy pyv can install"),
        "{err}"
    );
    assert!(err.contains("nearest: "), "{err}");
    // Flags that only make sense for CPython source builds are refused.
    let (code, _, err) = run(env.pyv().args(["install", "-g", "pypy3.10"]));
    assert_eq!(code, 2, "{err}");
    // A bad PYV_MIRROR_MAP is a usage error naming the entry.
    let (code, _, err) = run(env
        .pyv()
        .args(["install", "pypy3.10"])
        .env("PYV_MIRROR_MAP", "downloads.python.org=/srv"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("PYV_MIRROR_MAP entry `downloads.python.org=/srv`"),
        "{err}"
    );
}

/// pyenv's python-build definitions (`shared/pyenv-2.6.30`), or None where absent (a failure
/// in CI, where shared/ is always there).
fn pyenv_definitions() -> Option<PathBuf> {
    common::shared_or_skip(
        "pyenv-2.6.30/plugins/python-build/share/python-build",
        "the table test (pyenv's python-build definitions)",
    )
}

/// (target, sha256) of each platform a definition names, read the two ways pyenv writes them:
/// `case` labels (`"Linux-x86_64" )`, `"linux-amd64" )`) followed by a `#<sha256>` URL or a
/// `checksum="…"`, and PyPy's `linux64_hash=…` variables.
fn digests_in_definition(text: &str) -> Vec<(&'static str, String)> {
    let label_target = |label: &str| match label {
        "Linux-x86_64" | "linux-amd64" | "linux64_hash" => Some("x86_64-unknown-linux-gnu"),
        "Linux-aarch64" | "linux-aarch64" | "aarch64_hash" => Some("aarch64-unknown-linux-gnu"),
        "MacOSX-x86_64" | "macos-amd64" | "osx64_hash" => Some("x86_64-apple-darwin"),
        "MacOSX-arm64" | "macos-aarch64" | "osarm64_hash" => Some("aarch64-apple-darwin"),
        _ => None,
    };
    let hex64 = |s: &str| -> Option<String> {
        (0..s.len().saturating_sub(63)).find_map(|i| {
            let w = s.get(i..i + 64)?;
            let edge = |j: usize| s.as_bytes().get(j).is_none_or(|b| !b.is_ascii_hexdigit());
            (w.bytes().all(|b| b.is_ascii_hexdigit()) && (i == 0 || edge(i - 1)) && edge(i + 64))
                .then(|| w.to_string())
        })
    };
    let mut out = Vec::new();
    let mut current = None;
    for line in text.lines().map(str::trim) {
        if let Some((var, value)) = line.split_once('=') {
            if let (Some(t), Some(sha)) = (label_target(var), hex64(value)) {
                out.push((t, sha));
                continue;
            }
        }
        if let Some(label) = line.strip_suffix(" )").map(|l| l.trim_matches('"')) {
            current = label_target(label);
            continue;
        }
        if let (Some(t), Some(sha)) = (current, hex64(line)) {
            if line.contains("install_") || line.starts_with("checksum=") {
                out.push((t, sha));
                current = None;
            }
        }
    }
    out
}

#[test]
fn the_generated_table_agrees_with_pyenvs_definitions() {
    let Some(defs) = pyenv_definitions() else {
        return;
    };
    let table = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/install/prebuilt/flavours.tsv"),
    )
    .unwrap();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("version\t"))
        .map(|l| l.split('\t').collect())
        .collect();
    let row = |name: &str, target: &str| {
        rows.iter()
            .find(|r| r[0] == name && r[1] == target)
            .map(|r| r[3].to_string())
    };
    for name in [
        "pypy3.10-7.3.17",
        "pypy2.7-7.3.17",
        "pypy3.9-7.3.11",
        "graalpy-24.1.1",
        "graalpy-community-25.0.1",
        "miniforge3-24.11.0-0",
        "mambaforge-22.9.0-3",
        "miniconda3-3.12-24.9.2-0",
        "anaconda3-2024.10-1",
    ] {
        let text = fs::read_to_string(defs.join(name)).unwrap();
        let want = digests_in_definition(&text);
        assert!(want.len() >= 2, "{name}: read {want:?}");
        for (target, sha) in want {
            assert_eq!(row(name, target), Some(sha), "{name} on {target}");
        }
    }
    // Every row names a definition pyenv has; none without a digest or built from source.
    for r in &rows {
        assert!(
            defs.join(r[0]).is_file(),
            "{} is not a pyenv definition",
            r[0]
        );
        assert_eq!(r.len(), 5, "{r:?}");
        assert!(r[2].starts_with("https://"), "{r:?}");
    }
    for absent in [
        "miniconda3-latest",
        "graalpy-dev",
        "pypy3.10-7.3.17-src",
        "pypy-dev",
    ] {
        assert!(defs.join(absent).is_file());
        assert!(rows.iter().all(|r| r[0] != absent), "{absent} is offered");
    }
    // The PyPy row carries the Python version of pyenv's verify step.
    assert!(rows
        .iter()
        .any(|r| r[0] == "pypy3.10-7.3.17" && r[4] == "3.10"));
}

#[test]
fn ctrl_c_while_the_installer_runs_stops_it_and_leaves_nothing() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let env = Env::new();
    let server = Server::start();
    let marker = env.path().join("installer-kept-running");
    let installer = format!(
        "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -p ] && PREFIX=\"$2\"; shift; done\n\
         mkdir -p \"$PREFIX/bin\"\nsleep 3\ntouch '{}'\n",
        marker.display()
    )
    .into_bytes();
    let sha = fake_release::sha256(&installer);
    server.file("/m/Miniforge3-x.sh", installer);
    let name = "miniforge3-24.11.0-0";
    let table = write_table(
        &env,
        &table_row(
            name,
            &format!("{}/m/Miniforge3-x.sh", server.url()),
            &sha,
            "",
        ),
    );
    let mut child = env
        .pyv()
        .args(["install", name])
        .env("PYV_PREBUILT_TABLE", &table)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref().map_while(Result::ok) {
        let hit = line.contains(": install ...");
        seen.push(line);
        if hit {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    seen.extend(lines.map_while(Result::ok));
    assert_eq!(status.code(), Some(130), "{seen:?}");
    assert!(
        seen.iter().any(|l| l.contains("interrupted by")),
        "{seen:?}"
    );
    assert_nothing_left(&env, name);
    // The installer's whole process group was stopped: it never reaches its last line.
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert!(!marker.exists(), "the installer kept running after Ctrl-C");
}
