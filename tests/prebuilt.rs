//! `pyv install --prebuilt` / `PYV_INSTALL` driven through the real binary against fake
//! python-build-standalone archives (same layout: a top-level `python/` directory) served from
//! 127.0.0.1 or a file:// mirror, trusted through a `PYV_PREBUILT_TABLE` row.

mod common;

use std::fs;
use std::process::Command;

use common::fake_release::{self, RawEntry};
use common::http::Server;
use common::{ok_stdout, run, Env};

const TAG: &str = "20241016";

/// This machine's python-build-standalone target triple (the tests run where pyv does).
fn target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no python-build-standalone target for {other:?}"),
    }
}

fn file_name(version: &str) -> String {
    format!("cpython-{version}+{TAG}-{}-install_only.tar.gz", target())
}

/// The path a server sees: GitHub's `+` is sent as `%2B`.
fn served_path(version: &str) -> String {
    format!("/{TAG}/{}", file_name(version).replace('+', "%2B"))
}

/// A fake `install_only` archive: `python/bin/python3.12` answers pyv's check and otherwise
/// prints `prebuilt python <version> <args>`; `python3` and `python` are symlinks to it.
fn archive(version: &str) -> Vec<u8> {
    let short: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = \"-E\" ]; then\n  shift 4\n  echo \"version {version}\"\n  \
         for m in \"$@\"; do echo \"$m ok\"; done\n  exit 0\nfi\necho \"prebuilt python {version} $*\"\n"
    );
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(enc);
    for dir in [
        "python/",
        "python/bin/",
        "python/lib/",
        &format!("python/lib/python{short}/"),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        tar.append_data(&mut h, dir, std::io::empty()).unwrap();
    }
    let files = [
        (
            format!("python/bin/python{short}"),
            script.into_bytes(),
            0o755,
        ),
        (
            format!("python/lib/python{short}/os.py"),
            b"# os\n".to_vec(),
            0o644,
        ),
    ];
    for (path, bytes, mode) in files {
        let mut h = tar::Header::new_gnu();
        h.set_mode(mode);
        h.set_size(bytes.len() as u64);
        tar.append_data(&mut h, path, bytes.as_slice()).unwrap();
    }
    for link in ["python3", "python"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_mode(0o777);
        h.set_size(0);
        tar.append_link(
            &mut h,
            format!("python/bin/{link}"),
            format!("python{short}"),
        )
        .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// Write a `PYV_PREBUILT_TABLE` file trusting `sha256` for `version` on this machine.
fn table(env: &Env, rows: &[(&str, &str)]) -> String {
    let mut text = String::from("# my team's builds\nversion\ttarget\tpath\tsha256\n");
    for (version, sha) in rows {
        text.push_str(&format!(
            "{version}\t{}\t{TAG}/{}\t{sha}\n",
            target(),
            file_name(version)
        ));
    }
    let path = env.path().join("table.tsv");
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `pyv` with the prebuilt settings pointing at `mirror` and `table`.
fn pyv(env: &Env, mirror: &str, table: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_PREBUILT_MIRROR", mirror)
        .env("PYV_PREBUILT_TABLE", table)
        .env_remove("PYV_INSTALL");
    c
}

/// The version is not installed and nothing is left in `.staging/`.
fn assert_clean(env: &Env, v: &str) {
    assert!(!env.version_dir(v).exists(), "{v} must not be installed");
    let left: Vec<_> = fs::read_dir(env.root().join(".staging"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "staging leftovers: {left:?}");
}

#[test]
fn installs_a_prebuilt_from_a_mirror_lists_it_and_runs_it_through_the_shim() {
    let env = Env::new();
    let tgz = archive("3.7.99");
    let server = Server::start();
    server.file(&served_path("3.7.99"), tgz.clone());
    // Python 3.7 is older than python-build-standalone's embedded rows: only the file's rows match.
    let t = table(
        &env,
        &[
            ("3.7.98", &fake_release::sha256(b"an older build")),
            ("3.7.99", &fake_release::sha256(&tgz)),
        ],
    );

    let (code, out, err) = run(pyv(&env, &server.url(), &t).args(["install", "--prebuilt", "3.7"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("installed Python 3.7.99 (prebuilt) in"),
        "{out}"
    );
    assert!(err.contains("verify done"), "{err}");
    assert_eq!(
        server.requests(),
        [format!("GET {}", served_path("3.7.99"))]
    );
    let receipt = fs::read_to_string(env.version_dir("3.7.99").join(".pyv-install")).unwrap();
    assert!(receipt.contains("kind=prebuilt\n"), "{receipt}");
    assert!(receipt.contains(&format!("sha256={}\n", fake_release::sha256(&tgz))));

    let versions = ok_stdout(env.pyv().arg("versions"));
    assert!(versions.contains("  3.7.99 (prebuilt)\n"), "{versions}");
    let bare = ok_stdout(env.pyv().args(["versions", "--bare"]));
    assert!(bare.lines().any(|l| l == "3.7.99"), "{bare}");
    assert!(!bare.contains("prebuilt"), "{bare}");

    // Rehashed: the shims exist and run the prebuilt interpreter.
    ok_stdout(env.pyv().args(["global", "3.7.99"]));
    let versions = ok_stdout(env.pyv().arg("versions"));
    assert!(
        versions.contains("* 3.7.99 (prebuilt) (set by "),
        "{versions}"
    );
    for shim in ["python3", "python3.7"] {
        let out = ok_stdout(env.cmd(env.shims().join(shim)).arg("hello"));
        assert_eq!(out, "prebuilt python 3.7.99 hello\n");
    }
}

#[test]
fn file_mirrors_work() {
    let env = Env::new();
    let tgz = archive("3.12.7");
    let mirror = env.path().join("mirror");
    fs::create_dir_all(mirror.join(TAG)).unwrap();
    fs::write(mirror.join(TAG).join(file_name("3.12.7")), &tgz).unwrap();
    let t = table(&env, &[("3.12.7", &fake_release::sha256(&tgz))]);
    let mirror = format!("file://{}", mirror.display());
    let (code, out, err) = run(pyv(&env, &mirror, &t).args(["install", "--prebuilt", "3.12.7"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(prebuilt)"), "{out}");
    assert!(env.version_dir("3.12.7").join("bin/python3").exists());
}

#[test]
fn a_digest_mismatch_installs_nothing() {
    let env = Env::new();
    let tgz = archive("3.12.7");
    let server = Server::start();
    server.file(&served_path("3.12.7"), tgz);
    let t = table(&env, &[("3.12.7", &fake_release::sha256(b"other bytes"))]);
    let (code, _, err) =
        run(pyv(&env, &server.url(), &t).args(["install", "--prebuilt", "3.12.7"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("PYV_PREBUILT_MIRROR"),
        "{err}"
    );
    assert_clean(&env, "3.12.7");
    let cached: Vec<_> = fs::read_dir(env.path().join("cache"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != ".locks")
        .collect();
    assert!(cached.is_empty(), "unverified bytes kept: {cached:?}");
}

#[test]
fn auto_uses_prebuilt_when_the_table_has_it_and_source_otherwise() {
    let env = Env::new();
    let tgz = archive("3.12.7");
    let server = Server::start();
    server.file(&served_path("3.12.7"), tgz.clone());
    let src = fake_release::tgz("3.99.1");
    server.file("/3.99.1/Python-3.99.1.tgz", src.clone());
    let t = table(&env, &[("3.12.7", &fake_release::sha256(&tgz))]);
    let auto = || {
        let mut c = pyv(&env, &server.url(), &t);
        c.env("PYV_INSTALL", "auto")
            .env("PYV_MIRROR", server.url())
            .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()));
        c
    };

    let (code, out, err) = run(auto().args(["install", "3.12.7"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed Python 3.12.7 (prebuilt)"), "{out}");

    // Not in the table: built from source (the fake release), recorded as such.
    let sha = fake_release::sha256(&src);
    let (code, out, err) =
        run(auto().args(["install", "--skip-preflight", "--sha256", &sha, "3.99.1"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed Python 3.99.1 in"), "{out}");
    assert!(err.contains("configure done"), "{err}");
    let receipt = fs::read_to_string(env.version_dir("3.99.1").join(".pyv-install")).unwrap();
    assert!(receipt.contains("kind=source\n"), "{receipt}");
    let versions = ok_stdout(env.pyv().arg("versions"));
    assert!(
        versions.contains("  3.99.1\n") && versions.contains("  3.12.7 (prebuilt)\n"),
        "{versions}"
    );

    // Neither in the table nor in the catalog: the source path's error, not a prebuilt one.
    let (code, _, err) = run(auto().args(["install", "3.98.1"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not a CPython release pyv knows"), "{err}");

    // `--source` overrides PYV_INSTALL=auto.
    let (code, _, err) = run(auto().args([
        "install",
        "--source",
        "--skip-preflight",
        "--force",
        "3.12.7",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cannot download `Python-3.12.7.tar.xz`"),
        "{err}"
    );
}

#[test]
fn bad_settings_are_usage_errors_naming_the_variable() {
    let env = Env::new();
    let (code, _, err) = run(env
        .pyv()
        .env("PYV_INSTALL", "fast")
        .args(["install", "3.12.7"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid PYV_INSTALL value `fast`"), "{err}");
    assert!(err.contains("hint:"), "{err}");

    let t = table(&env, &[]);
    let (code, _, err) =
        run(pyv(&env, "mirror.example.com/pbs", &t).args(["install", "--prebuilt", "3.12.7"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("invalid PYV_PREBUILT_MIRROR value `mirror.example.com/pbs`"),
        "{err}"
    );

    // A table row without a digest is refused, naming the file and line.
    let bad = env.path().join("bad.tsv");
    fs::write(
        &bad,
        format!("3.12.7\t{}\t{TAG}/{}\n", target(), file_name("3.12.7")),
    )
    .unwrap();
    let (code, _, err) = run(
        pyv(&env, "http://127.0.0.1:9", &bad.display().to_string()).args([
            "install",
            "--prebuilt",
            "3.12.7",
        ]),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{}:1: expected 4", bad.display())),
        "{err}"
    );

    // `--prebuilt` with a source-only option; PYV_INSTALL=prebuilt with one.
    let (code, _, err) = run(env.pyv().args(["install", "--prebuilt", "-g", "3.12.7"]));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(pyv(&env, "http://127.0.0.1:9", &t)
        .env("PYV_INSTALL", "prebuilt")
        .args(["install", "--sha256", &"a".repeat(64), "3.99.1"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`--sha256` needs a source build, but PYV_INSTALL=prebuilt"),
        "{err}"
    );
}

#[test]
fn an_unavailable_version_names_the_nearest_ones() {
    let env = Env::new();
    let t = table(&env, &[]);
    let (code, _, err) =
        run(pyv(&env, "http://127.0.0.1:9", &t).args(["install", "--prebuilt", "3.12.99"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("no prebuilt CPython `3.12.99` for {}", target())),
        "{err}"
    );
    assert!(err.contains("hint: nearest available: 3.12."), "{err}");
    assert!(err.contains("drop `--prebuilt`"), "{err}");
    assert_clean(&env, "3.12.99");

    // `--prebuilt --list` lists this platform's rows, the table file's included.
    let t = table(&env, &[("3.7.99", &"a".repeat(64))]);
    let list =
        ok_stdout(pyv(&env, "http://127.0.0.1:9", &t).args(["install", "--prebuilt", "--list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert!(
        lines.contains(&"3.7.99") && lines.contains(&"3.12.7"),
        "{list}"
    );
    assert!(
        !lines.contains(&"3.11.2"),
        "3.11.2 has no prebuilt build: {list}"
    );
}

#[test]
fn a_tar_slip_archive_is_refused() {
    let env = Env::new();
    let evil = fake_release::raw_tgz(&[
        RawEntry::dir("python/"),
        RawEntry::dir("python/bin/"),
        RawEntry::file("python/../../escaped", b"x"),
    ]);
    let server = Server::start();
    server.file(&served_path("3.12.7"), evil.clone());
    let t = table(&env, &[("3.12.7", &fake_release::sha256(&evil))]);
    let (code, _, err) =
        run(pyv(&env, &server.url(), &t).args(["install", "--prebuilt", "3.12.7"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("refusing archive") && err.contains("contains `..`"),
        "{err}"
    );
    assert!(err.contains("python-build-standalone"), "{err}");
    assert_clean(&env, "3.12.7");
    assert!(!env.root().join("escaped").exists() && !env.path().join("escaped").exists());
}

/// `VERSION:ALIAS` with a prebuilt: unpacked into `versions/ALIAS`, the receipt keeps the
/// real version, and the interpreter check ran against the alias's tree.
#[test]
fn a_prebuilt_installs_under_an_alias() {
    let env = Env::new();
    let tgz = archive("3.12.7");
    let mirror = env.path().join("mirror");
    fs::create_dir_all(mirror.join(TAG)).unwrap();
    fs::write(mirror.join(TAG).join(file_name("3.12.7")), &tgz).unwrap();
    let t = table(&env, &[("3.12.7", &fake_release::sha256(&tgz))]);
    let mirror = format!("file://{}", mirror.display());
    let (code, out, err) =
        run(pyv(&env, &mirror, &t).args(["install", "--prebuilt", "3.12.7:pbs"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed Python pbs (prebuilt)"), "{out}");
    assert!(env.version_dir("pbs").join("bin/python3").exists());
    assert!(!env.version_dir("3.12.7").exists());
    let receipt = fs::read_to_string(env.version_dir("pbs").join(".pyv-install")).unwrap();
    assert!(receipt.contains("version=3.12.7\n"), "{receipt}");
}
