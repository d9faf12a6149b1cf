//! A pyenv user's build settings, end to end with the fake release (whose configure and make
//! record what reached them): python-build's variables, `PYV_` ones winning, the shared
//! libpython default, `PYTHON_BUILD_CACHE_PATH`, `PYTHON_BUILD_MIRROR_URL` in its
//! `<mirror>/<sha256>` layout, the artifact key, and Homebrew from a fake `brew` on PATH.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::fake_release;
use common::http::Server;
use common::{run, write_exe, Env};

const V: &str = "3.99.1";

struct Release {
    tgz: Vec<u8>,
    sha: String,
}

fn release() -> Release {
    let tgz = fake_release::tgz(V);
    let sha = fake_release::sha256(&tgz);
    Release { tgz, sha }
}

/// `pyv install --skip-preflight --sha256 <sha> V`, with no source configured: each test adds
/// the one it exercises.
fn install(env: &Env, sha: &str) -> Command {
    let mut c = env.pyv(); // without any python-build variable (Env::isolate)
    c.args(["install", "--skip-preflight", "--sha256", sha, V]);
    c
}

/// A server with the release in python.org's layout.
fn python_org(r: &Release) -> Server {
    let s = Server::start();
    s.file(&format!("/{V}/Python-{V}.tgz"), r.tgz.clone());
    s
}

fn ok(c: &mut Command) -> (String, String) {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{c:?}\n{out}\n{err}");
    (out, err)
}

/// A file the fake build installed in `lib/`.
fn recorded(env: &Env, file: &str) -> String {
    fs::read_to_string(env.version_dir(V).join("lib").join(file)).unwrap()
}

fn line<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
}

#[test]
fn python_build_variables_reach_configure_make_and_make_install() {
    let env = Env::new();
    let r = release();
    let server = python_org(&r);
    ok(install(&env, &r.sha)
        .env("PYV_PYTHON_ORG", server.url())
        .env("CONFIGURE_OPTS", "--with-from-configure-opts")
        .env("PYTHON_CONFIGURE_OPTS", "--with-lto --enable-optimizations")
        .env("CFLAGS", "-O1")
        .env("PYTHON_CFLAGS", "-march=native")
        .env("PYTHON_CPPFLAGS", "-I/opt/extra/include")
        .env("PYTHON_LDFLAGS", "-L/opt/extra/lib")
        .env("MAKE_OPTS", "-j3")
        .env("PYTHON_MAKE_OPTS", "FROM_PYTHON_MAKE_OPTS=1")
        .env("MAKE_INSTALL_OPTS", "FROM_MAKE_INSTALL_OPTS=1")
        .env(
            "PYTHON_MAKE_INSTALL_OPTS",
            "FROM_PYTHON_MAKE_INSTALL_OPTS=1",
        )
        .env("PYTHON_MAKE_INSTALL_TARGET", "altinstall"));
    let args = recorded(&env, "configure.args");
    // pyv's own options first (the shared libpython default), then CONFIGURE_OPTS, then
    // PYTHON_CONFIGURE_OPTS: python-build's order, so the user's come last and win.
    let prefix = env.version_dir(V).display().to_string();
    assert_eq!(
        args.trim(),
        format!(
            "--prefix={prefix} --enable-shared --with-from-configure-opts --with-lto \
             --enable-optimizations"
        )
    );
    let cenv = recorded(&env, "configure.env");
    assert_eq!(line(&cenv, "CFLAGS"), "-O1 -march=native");
    assert_eq!(line(&cenv, "CPPFLAGS"), "-I/opt/extra/include");
    assert_eq!(line(&cenv, "LDFLAGS"), "-L/opt/extra/lib");
    // The shared interpreter finds its libpython relative to itself.
    assert_eq!(
        line(&cenv, "LDFLAGS_NODIST"),
        "-Wl,-rpath,'$$ORIGIN/../lib'"
    );
    let make = recorded(&env, "make.args");
    assert!(make.contains(" -j3 "), "{make}");
    assert!(make.contains("FROM_PYTHON_MAKE_OPTS=1"), "{make}");
    let inst = recorded(&env, "make-install.args");
    assert!(inst.starts_with("make altinstall ["), "{inst}");
    assert!(inst.contains("FROM_MAKE_INSTALL_OPTS=1"), "{inst}");
    assert!(inst.contains("FROM_PYTHON_MAKE_INSTALL_OPTS=1"), "{inst}");
    assert!(inst.contains(" DESTDIR="), "{inst}");
}

#[test]
fn pyv_variables_win_and_dash_v_says_so() {
    let env = Env::new();
    let r = release();
    let server = python_org(&r);
    let (_, err) = ok(install(&env, &r.sha)
        .arg("-v")
        .env("PYV_PYTHON_ORG", server.url())
        .env("PYTHON_CONFIGURE_OPTS", "--from-python-configure-opts")
        .env("PYV_CONFIGURE_OPTS", "--from-pyv-configure-opts")
        .env("PYTHON_MAKE_OPTS", "FROM_PYTHON=1")
        .env("PYV_MAKE_OPTS", "-j1 FROM_PYV=1"));
    let args = recorded(&env, "configure.args");
    assert!(args.contains("--from-pyv-configure-opts"), "{args}");
    assert!(!args.contains("--from-python-configure-opts"), "{args}");
    let make = recorded(&env, "make.args");
    assert!(
        make.contains("FROM_PYV=1") && !make.contains("FROM_PYTHON"),
        "{make}"
    );
    // PYV_MAKE_OPTS replaces the default -j<cores>, as documented.
    assert!(
        make.contains(" -j1 ") && make.matches("-j").count() == 1,
        "{make}"
    );
    assert!(
        err.contains("PYV_CONFIGURE_OPTS is set: it is used and PYTHON_CONFIGURE_OPTS is ignored"),
        "{err}"
    );
    assert!(
        err.contains("PYV_MAKE_OPTS is set: it is used and PYTHON_MAKE_OPTS is ignored"),
        "{err}"
    );
}

#[test]
fn disable_shared_or_a_framework_build_is_not_made_shared() {
    for opts in ["--disable-shared", "--enable-framework=/Library/Frameworks"] {
        let env = Env::new();
        let r = release();
        let server = python_org(&r);
        ok(install(&env, &r.sha)
            .env("PYV_PYTHON_ORG", server.url())
            .env("PYTHON_CONFIGURE_OPTS", opts));
        let args = recorded(&env, "configure.args");
        assert!(!args.contains("--enable-shared"), "{args}");
        assert!(args.contains(opts), "{args}");
        assert_eq!(line(&recorded(&env, "configure.env"), "LDFLAGS_NODIST"), "");
    }
}

#[test]
fn python_build_cache_path_archives_are_used_after_the_digest_check() {
    let env = Env::new();
    let r = release();
    let server = python_org(&r);
    let pb_cache = env.path().join("python-build-cache");
    fs::create_dir_all(&pb_cache).unwrap();
    // python-build names a downloaded .tgz `<name>.tar.gz`.
    fs::write(pb_cache.join(format!("Python-{V}.tar.gz")), &r.tgz).unwrap();
    let (_, err) = ok(install(&env, &r.sha)
        .env("PYV_PYTHON_ORG", server.url())
        .env("PYTHON_BUILD_CACHE_PATH", &pb_cache));
    assert!(
        err.contains("from PYTHON_BUILD_CACHE_PATH (sha256 checked)"),
        "{err}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // An archive there with other bytes is never used: the download goes ahead.
    let env = Env::new();
    fs::write(
        pb_cache.join(format!("Python-{V}.tar.gz")),
        b"not the release",
    )
    .unwrap();
    let (_, err) = ok(install(&env, &r.sha)
        .env("PYV_PYTHON_ORG", server.url())
        .env("PYTHON_BUILD_CACHE_PATH", &pb_cache));
    assert!(
        err.contains("(in PYTHON_BUILD_CACHE_PATH) has sha256"),
        "{err}"
    );
    assert!(err.contains("not used"), "{err}");
    assert!(
        server
            .requests()
            .contains(&format!("GET /{V}/Python-{V}.tgz")),
        "{:?}",
        server.requests()
    );
}

#[test]
fn python_build_mirror_url_is_read_in_its_sha256_layout_and_verified() {
    let r = release();
    let mirror = Server::start();
    mirror.file(&format!("/pythons/{}", r.sha), r.tgz.clone());
    let dead = "http://127.0.0.1:1/python.org";

    let env = Env::new();
    ok(install(&env, &r.sha).env("PYV_PYTHON_ORG", dead).env(
        "PYTHON_BUILD_MIRROR_URL",
        format!("{}/pythons/", mirror.url()),
    ));
    assert!(env.version_dir(V).join("bin/python3").is_file());
    assert!(mirror
        .requests()
        .contains(&format!("GET /pythons/{}", r.sha)));

    // PYTHON_BUILD_SKIP_MIRROR: the mirror is not asked.
    let env = Env::new();
    let before = mirror.requests().len();
    let (code, _, err) = run(install(&env, &r.sha)
        .env("PYV_PYTHON_ORG", dead)
        .env(
            "PYTHON_BUILD_MIRROR_URL",
            format!("{}/pythons", mirror.url()),
        )
        .env("PYTHON_BUILD_SKIP_MIRROR", "1"));
    assert_eq!(code, 1, "{err}");
    assert_eq!(mirror.requests().len(), before);

    // Wrong bytes on the mirror are a checksum error, even when python-build would skip the
    // checksum (`PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM` only changes the layout here).
    let bad = Server::start();
    bad.file(&format!("/pythons/{}", r.sha), b"evil".to_vec());
    bad.file(&format!("/pythons/{V}/Python-{V}.tgz"), b"evil".to_vec());
    for skip in [false, true] {
        let env = Env::new();
        let mut c = install(&env, &r.sha);
        c.env("PYV_PYTHON_ORG", dead)
            .env("PYTHON_BUILD_MIRROR_URL", format!("{}/pythons", bad.url()));
        if skip {
            c.env("PYTHON_BUILD_MIRROR_URL_SKIP_CHECKSUM", "1");
        }
        let (code, _, err) = run(&mut c);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("checksum mismatch"), "{err}");
        assert!(!env.version_dir(V).exists());
    }
    assert!(bad
        .requests()
        .contains(&format!("GET /pythons/{V}/Python-{V}.tgz")));

    // A mirror URL without a scheme is a usage error naming the variable.
    let env = Env::new();
    let (code, _, err) =
        run(install(&env, &r.sha).env("PYTHON_BUILD_MIRROR_URL", "mirror.example/pythons"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("(from PYTHON_BUILD_MIRROR_URL)"), "{err}");
    assert!(err.contains("hint: "), "{err}");
}

/// The artifact key file names stored in `cache`.
fn keys(cache: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(cache.join("artifacts"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter_map(|n| n.strip_suffix(".manifest").map(String::from))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn python_build_variables_join_the_artifact_key() {
    let env = Env::new();
    let r = release();
    let server = python_org(&r);
    let cache = env.path().join("cache");
    let cached = |c: &mut Command| {
        c.env("PYV_ARTIFACT_CACHE", "1")
            .env("PYV_PYTHON_ORG", server.url());
    };
    let mut first = install(&env, &r.sha);
    cached(&mut first);
    ok(&mut first);
    assert_eq!(keys(&cache).len(), 1);
    let shaping = [
        ("CONFIGURE_OPTS", "--with-x"),
        ("PYTHON_CONFIGURE_OPTS", "--with-y"),
        ("PYTHON_CFLAGS", "-O1"),
        ("PYTHON_CPPFLAGS", "-DX"),
        ("PYTHON_LDFLAGS", "-L/x"),
        ("MAKE_OPTS", "-j1"),
        ("MAKEOPTS", "-j1"),
        ("PYTHON_MAKE_OPTS", "X=1"),
        ("MAKE_INSTALL_OPTS", "X=1"),
        ("PYTHON_MAKE_INSTALL_OPTS", "X=1"),
        ("PYTHON_MAKE_INSTALL_TARGET", "altinstall"),
    ];
    for (i, (k, v)) in shaping.iter().enumerate() {
        let mut c = install(&env, &r.sha);
        cached(&mut c);
        let (_, err) = ok(c.arg("--force").env(k, v));
        assert!(
            err.contains("configure done"),
            "{k}: reused a build made without it\n{err}"
        );
        assert_eq!(keys(&cache).len(), i + 2, "{k} did not change the key");
    }
    // Where the archive came from does not change what is built: the first build is reused.
    let pb_cache = env.path().join("pb-cache");
    fs::create_dir_all(&pb_cache).unwrap();
    let mut c = install(&env, &r.sha);
    cached(&mut c);
    let (_, err) = ok(c
        .arg("--force")
        .env("PYTHON_BUILD_CACHE_PATH", &pb_cache)
        .env("PYTHON_BUILD_MIRROR_URL", server.url()));
    assert!(err.contains("reusing the cached build"), "{err}");
    assert_eq!(keys(&cache).len(), shaping.len() + 1);
}

#[test]
fn homebrew_from_a_fake_brew_on_path_reaches_configure() {
    let env = Env::new();
    let r = release();
    let server = python_org(&r);
    let brew_root = env.path().join("homebrew");
    let bin = brew_root.join("bin");
    fs::create_dir_all(&bin).unwrap();
    for f in ["readline", "zlib", "tcl-tk"] {
        fs::create_dir_all(brew_root.join("opt").join(f).join("lib")).unwrap();
    }
    write_exe(
        &bin.join("brew"),
        &format!(
            "#!/bin/sh\nr='{r}'\n[ \"$1\" = --prefix ] || exit 1\nif [ -z \"$2\" ]; then echo \"$r\"; \
             elif [ -d \"$r/opt/$2\" ]; then echo \"$r/opt/$2\"; else exit 1; fi\n",
            r = brew_root.display()
        ),
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    // On Linux Homebrew is used when asked for (python-build: when pyenv came from it).
    let (_, err) = ok(install(&env, &r.sha)
        .arg("-v")
        .env("PATH", &path)
        .env("PYV_PYTHON_ORG", server.url())
        .env("PYTHON_BUILD_USE_HOMEBREW", "1"));
    assert!(err.contains("using Homebrew"), "{err}");
    assert!(err.contains("tcl-tk, readline, zlib"), "{err}");
    let cenv = recorded(&env, "configure.env");
    let b = brew_root.display();
    let cpp = line(&cenv, "CPPFLAGS");
    assert!(
        cpp.contains(&format!("-I{b}/opt/readline/include")),
        "{cpp}"
    );
    assert!(cpp.contains(&format!("-I{b}/opt/zlib/include")), "{cpp}");
    assert!(cpp.ends_with(&format!("-I{b}/include")), "{cpp}");
    assert!(line(&cenv, "LDFLAGS").contains(&format!("-Wl,-rpath,{b}/lib")));
    assert!(line(&cenv, "PKG_CONFIG_PATH").starts_with(&format!("{b}/opt/tcl-tk/lib/pkgconfig")));

    // PYTHON_BUILD_SKIP_HOMEBREW with USE_HOMEBREW: python-build's error, before any work.
    let env = Env::new();
    let (code, _, err) = run(install(&env, &r.sha)
        .env("PATH", &path)
        .env("PYTHON_BUILD_USE_HOMEBREW", "1")
        .env("PYTHON_BUILD_SKIP_HOMEBREW", "1"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("mutually exclusive"), "{err}");
}
