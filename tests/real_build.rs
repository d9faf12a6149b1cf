//! The real thing: build CPython 3.11.2 (gzip) and 3.13.5 (xz) from `../shared/cpython`, served
//! by a local HTTP server in python.org's layout through `PYV_MIRROR`, then use them through the
//! real shims. Ignored by default (it takes minutes); CI runs it with `--include-ignored`.

mod common;

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use common::http::Server;
use common::{ok_stdout, Env};

fn shared_cpython() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/cpython"))
}

/// An isolated env whose path has no spaces (CPython's build cannot use a prefix with one).
fn env_without_spaces() -> Env {
    let dir = tempfile::Builder::new()
        .prefix("pyv-real-")
        .tempdir()
        .unwrap();
    for d in ["root/versions", "home", "cache"] {
        fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    Env { dir }
}

#[test]
#[ignore = "builds CPython twice (several minutes); run with --include-ignored"]
fn builds_real_cpython_and_runs_it_through_the_shims() {
    let src = shared_cpython();
    for f in ["Python-3.11.2.tgz", "Python-3.13.5.tar.xz"] {
        assert!(
            src.join(f).is_file(),
            "the real-build test needs `{}` (../shared/cpython beside the project, see ../shared/README.md)",
            src.join(f).display()
        );
    }
    let server = Server::start();
    server.python_org_tree(&src);
    let env = env_without_spaces();

    // One after the other: two builds at once would only fight over the cores.
    for (version, file) in [
        ("3.11.2", "Python-3.11.2.tgz"),
        ("3.13.5", "Python-3.13.5.tar.xz"),
    ] {
        let started = Instant::now();
        let out = env
            .pyv()
            .env("PYV_MIRROR", server.url())
            .env("PYV_PYTHON_ORG", format!("{}/unreachable", server.url()))
            .args(["install", version])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "pyv install {version} failed:\n{stdout}\n{stderr}"
        );
        eprintln!("pyv install {version}: {:.0?}\n{stdout}", started.elapsed());
        assert!(
            stdout.contains(&format!("installed Python {version}")),
            "{stdout}"
        );
        assert!(
            server
                .requests()
                .contains(&format!("GET /{version}/{file}")),
            "{:?}",
            server.requests()
        );
    }

    ok_stdout(env.pyv().args(["global", "3.11.2"]));
    let shim = |cmd: &str, args: &[&str]| {
        let mut c = env.cmd(cmd);
        c.env("PATH", env.shim_path()).args(args);
        ok_stdout(&mut c)
    };
    let imports = shim(
        "python",
        &["-c", "import ssl, sqlite3, zlib, ctypes, bz2, lzma, readline, curses, sys; print(sys.version)"],
    );
    assert!(imports.starts_with("3.11.2"), "{imports}");
    let pip = shim("pip", &["--version"]);
    assert!(pip.contains("python 3.11"), "{pip}");

    ok_stdout(env.pyv().args(["global", "3.11.2", "3.13.5"]));
    assert_eq!(shim("python3.13", &["--version"]).trim(), "Python 3.13.5");
    assert_eq!(shim("python", &["--version"]).trim(), "Python 3.11.2");
}
