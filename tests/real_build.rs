//! The real thing: build CPython 3.11.2 (gzip), 3.13.5 (xz) and 2.7.18 (the last Python 2,
//! against today's OpenSSL 3) from `../shared/cpython`, served by a local HTTP server in
//! python.org's layout through `PYV_MIRROR`, then use them through the real shims. Ignored by
//! default (it takes minutes); CI runs it with `--include-ignored`.
//!
//! `../shared` is found beside the project root (`CARGO_MANIFEST_DIR/..`); `PYV_SHARED_DIR`
//! names another `shared` directory. `PYV_REAL_BUILDS=3.11.2` (comma-separated) builds only
//! those releases and skips the checks of the others: for iterating on one part.
//!
//! 3.11.2 and 3.13.5 are built as pyenv builds them, with a shared libpython (pyv's default
//! for 3.8+): the checks below find `libpython3.x.so`, run `python3-config --ldflags`, build a
//! C extension and an embedding program against it, in the root it was built in and, moved
//! through the artifact cache, in another one.

mod common;

use std::fs;
use std::path::Path;
use std::time::Instant;

use common::http::Server;
use common::{ok_stdout, Env};

const RELEASES: [(&str, &str); 3] = [
    ("3.11.2", "Python-3.11.2.tgz"),
    ("3.13.5", "Python-3.13.5.tar.xz"),
    ("2.7.18", "Python-2.7.18.tgz"),
];

#[test]
#[ignore = "builds CPython three times (several minutes); run with --include-ignored"]
fn builds_real_cpython_and_runs_it_through_the_shims() {
    // Outside CI, missing archives skip the test (one line saying which); in CI they fail it.
    let mut src = None;
    for (_, f) in RELEASES {
        let Some(found) = common::shared_or_skip(&format!("cpython/{f}"), "the real-build test")
        else {
            return;
        };
        src = found.parent().map(Path::to_path_buf);
    }
    let src = src.expect("three releases");
    let server = Server::start();
    server.python_org_tree(&src);
    let env = Env::without_spaces("pyv-real-");
    let only = std::env::var("PYV_REAL_BUILDS").unwrap_or_default();
    let wanted = |v: &str| only.is_empty() || only.split(',').any(|o| o.trim() == v);

    // One after the other: two builds at once would only fight over the cores.
    for (version, file) in RELEASES.into_iter().filter(|(v, _)| wanted(v)) {
        let started = Instant::now();
        let out = env
            .pyv()
            .env("PYV_MIRROR", server.url())
            .env("PYV_PYTHON_ORG", format!("{}/unreachable", server.url()))
            .env("PYV_ARTIFACT_CACHE", "1") // stored for artifact_cache_checks below
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

    if !wanted("3.11.2") {
        eprintln!("PYV_REAL_BUILDS={only}: skipping the 3.11.2 checks");
        return;
    }
    shared_libpython_checks(&env, "3.11");
    artifact_cache_checks(&env);

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

    if !wanted("3.13.5") || !wanted("2.7.18") {
        eprintln!("PYV_REAL_BUILDS={only}: skipping the 3.13.5 and 2.7.18 checks");
        return;
    }
    ok_stdout(env.pyv().args(["global", "3.11.2", "3.13.5"]));
    assert_eq!(shim("python3.13", &["--version"]).trim(), "Python 3.13.5");
    assert_eq!(shim("python", &["--version"]).trim(), "Python 3.11.2");

    // Python 2.7.18: its own module names (no lzma), `python2`/`pip2`, pip from ensurepip.
    ok_stdout(env.pyv().args(["global", "2.7.18"]));
    let imports = shim(
        "python",
        &["-c", "import ssl, sqlite3, zlib, ctypes, bz2, readline, curses, sys; print(sys.version); print(ssl.OPENSSL_VERSION)"],
    );
    assert!(imports.starts_with("2.7.18"), "{imports}");
    assert!(imports.contains("OpenSSL 3"), "{imports}");
    let pip = shim("pip", &["--version"]);
    assert!(pip.contains("python 2.7"), "{pip}");
    let pip2 = shim("pip2", &["--version"]);
    assert!(pip2.contains("python 2.7"), "{pip2}");
    // Python 2 prints its version on stderr.
    let mut c = env.cmd("python2");
    c.env("PATH", env.shim_path()).arg("--version");
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "Python 2.7.18");
}

// ---- artifact cache (issue 8 §2): reuse of the 3.11.2 build above --------------------------

/// After 3.11.2 was built (and stored): `uninstall` + `install` takes the artifact (no
/// configure), and a second root at another path installs it from the same cache, relocated:
/// pip installs a local package, `python3-config --prefix` and `sysconfig` name only the new
/// prefix, even with the first root's copy gone.
fn artifact_cache_checks(env: &Env) {
    let install = |e: &Env| {
        let started = Instant::now();
        let mut c = e.pyv();
        c.env("PYV_ARTIFACT_CACHE", "1")
            .env("PYV_CACHE_DIR", env.path().join("cache"))
            .env("PYV_PYTHON_ORG", "http://127.0.0.1:9/unreachable")
            .args(["install", "3.11.2"]);
        let out = c.output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        assert!(out.status.success(), "{stdout}\n{stderr}");
        eprintln!(
            "pyv install 3.11.2 from the artifact cache: {:.1?}\n{stderr}",
            started.elapsed()
        );
        assert!(stderr.contains("reusing the cached build"), "{stderr}");
        assert!(
            !stderr.contains("configure done"),
            "configure ran:\n{stderr}"
        );
    };
    ok_stdout(env.pyv().args(["uninstall", "-f", "3.11.2"]));
    install(env);
    let receipt = fs::read_to_string(env.version_dir("3.11.2").join(".pyv-install")).unwrap();
    assert!(receipt.contains("\nkind=cached\n"), "{receipt}");

    let other = Env::without_spaces("pyv-real-");
    install(&other);
    // The first root's copy out of the way: nothing in the second may depend on it.
    fs::rename(
        env.version_dir("3.11.2"),
        env.path().join("3.11.2-set-aside"),
    )
    .unwrap();
    let dir = other.version_dir("3.11.2");
    let old = env.version_dir("3.11.2").display().to_string();
    let new = dir.display().to_string();
    let py = dir.join("bin/python3");
    let prefix = ok_stdout(other.cmd(dir.join("bin/python3-config")).arg("--prefix"));
    assert_eq!(prefix.trim(), new);
    let paths = ok_stdout(other.cmd(&py).args([
        "-c",
        "import sysconfig, sys; print(sysconfig.get_paths(), sys.prefix)",
    ]));
    assert!(paths.contains(&new) && !paths.contains(&old), "{paths}");
    let pkg = other.path().join("pyvtiny");
    common::tiny_package::write(&pkg);
    ok_stdout(
        other
            .cmd(&py)
            .args(["-m", "pip", "install", "--no-index", "-q"])
            .arg(&pkg),
    );
    let file = ok_stdout(other.cmd(&py).args([
        "-c",
        "import pyvtiny, ssl; print(pyvtiny.X, pyvtiny.__file__)",
    ]));
    assert!(file.starts_with("42 ") && file.contains(&new), "{file}");
    let pip = ok_stdout(other.cmd(dir.join("bin/pip3")).arg("--version"));
    assert!(pip.contains(&new), "{pip}");
    // The shared libpython moved with the tree: extensions and embedders build against the
    // new prefix, and nothing reaches back into the first root (set aside above).
    shared_libpython_checks(&other, "3.11");
    fs::rename(
        env.path().join("3.11.2-set-aside"),
        env.version_dir("3.11.2"),
    )
    .unwrap();
}

// ---- shared libpython (issue 11 §2) ---------------------------------------------------------

const EXTENSION_C: &str = r#"
#define PY_SSIZE_T_CLEAN
#include <Python.h>
static PyObject *answer(PyObject *self, PyObject *args) { return PyLong_FromLong(42); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "pyvext", NULL, -1, methods};
PyMODINIT_FUNC PyInit_pyvext(void) { return PyModule_Create(&mod); }
"#;

const EMBED_C: &str = r#"
#include <Python.h>
int main(void) {
    Py_Initialize();
    PyRun_SimpleString("import sys, ssl; print('embedded', sys.version.split()[0], sys.prefix)");
    return Py_FinalizeEx() < 0 ? 1 : 0;
}
"#;

/// In `env`'s 3.11.2 (`mm` = `3.11`): the interpreter is linked to `lib/libpython<mm>.so`
/// through a relative RUNPATH, `python3-config --ldflags` works, and a C extension and an
/// embedding program build against the shared library and run. An embedding program is not
/// `bin/python3`: CPython looks for its home from the program name, and a bare `python3` name
/// is searched on PATH, so whichever `python3` comes first there would decide the prefix (and,
/// in a moved tree, the build's compiled-in prefix is gone). So it is run as an embedder
/// should be, with `PYTHONHOME` set to the install prefix (the README says so), under a PATH
/// whose first `python3` is another one.
fn shared_libpython_checks(env: &Env, mm: &str) {
    let dir = env.version_dir("3.11.2");
    let prefix = dir.display().to_string();
    let lib = dir.join(format!("lib/libpython{mm}.so"));
    assert!(lib.exists(), "{} is missing", lib.display());
    let py = dir.join("bin/python3");
    let shared = ok_stdout(env.cmd(&py).args([
        "-c",
        "import sysconfig; print(sysconfig.get_config_var('Py_ENABLE_SHARED'))",
    ]));
    assert_eq!(shared.trim(), "1");
    let ldd = ok_stdout(env.cmd("ldd").arg(dir.join(format!("bin/python{mm}"))));
    let linked = ldd
        .lines()
        .find(|l| l.contains(&format!("libpython{mm}.so")))
        .unwrap_or_else(|| panic!("python{mm} does not link libpython:\n{ldd}"));
    assert!(
        linked.contains(&prefix),
        "libpython not from {prefix}: {linked}"
    );
    let config = dir.join("bin/python3-config");
    let ldflags = ok_stdout(env.cmd(&config).arg("--ldflags"));
    assert!(ldflags.contains(&format!("-L{prefix}/lib")), "{ldflags}");
    let embed = ok_stdout(env.cmd(&config).args(["--ldflags", "--embed"]));
    assert!(embed.contains(&format!("-lpython{mm}")), "{embed}");

    let work = tempfile::tempdir_in(env.path()).unwrap();
    fs::write(work.path().join("pyvext.c"), EXTENSION_C).unwrap();
    fs::write(work.path().join("embed.c"), EMBED_C).unwrap();
    let sh = |script: &str| {
        let mut c = env.cmd("sh");
        c.args(["-ec", script])
            .env("CONFIG", &config)
            .current_dir(work.path());
        ok_stdout(&mut c)
    };
    sh("cc -shared -fPIC $(\"$CONFIG\" --cflags) pyvext.c -o \"pyvext$(\"$CONFIG\" --extension-suffix)\" $(\"$CONFIG\" --ldflags)");
    let mut c = env.cmd(&py);
    c.args(["-c", "import pyvext; print(pyvext.answer())"])
        .current_dir(work.path());
    assert_eq!(ok_stdout(&mut c).trim(), "42");
    sh("cc $(\"$CONFIG\" --cflags) embed.c -o embed $(\"$CONFIG\" --ldflags --embed) -Wl,-rpath,\"$(\"$CONFIG\" --prefix)/lib\"");
    let decoy = work.path().join("decoy");
    fs::create_dir_all(&decoy).unwrap();
    common::write_exe(&decoy.join("python3"), "#!/bin/sh\nexit 1\n");
    let mut embedded = env.cmd(work.path().join("embed"));
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", decoy.display());
    embedded.env("PYTHONHOME", &dir).env("PATH", path);
    let out = ok_stdout(&mut embedded);
    assert_eq!(out.trim(), format!("embedded 3.11.2 {prefix}"));
}
