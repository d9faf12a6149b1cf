//! The artifact cache, end to end with the fake release: a source build is stored, then reused
//! after `uninstall`, by `--force`, in another root (relocated) and from an artifact mirror;
//! corrupt artifacts and changed options lead back to a source build.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fake_release;
use common::http::{Fault, Server};
use common::{ok_stdout, run, run_within, Env};

const V: &str = "3.99.1";

/// A fake release server and the digest to pass with `--sha256`.
fn serve() -> (Server, String) {
    let tgz = fake_release::tgz(V);
    let s = Server::start();
    s.file(&format!("/{V}/Python-{V}.tgz"), tgz.clone());
    (s, fake_release::sha256(&tgz))
}

/// `pyv install` in `env` with the artifact cache on, sharing `cache`, logging configure runs
/// to `<cache>/../configure.log`.
fn install(env: &Env, cache: &Path, server: &Server, sha: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_ARTIFACT_CACHE", "1")
        .env("PYV_CACHE_DIR", cache)
        .env("FAKE_CONFIGURE_LOG", configure_log(cache))
        .env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--skip-preflight", "--sha256", sha, V]);
    c
}

fn configure_log(cache: &Path) -> PathBuf {
    cache.with_file_name("configure.log")
}

/// How many times configure ran so far.
fn builds(cache: &Path) -> usize {
    fs::read_to_string(configure_log(cache))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn artifacts(cache: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(cache.join("artifacts"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// How the version in `dir` was made, from its receipt (`.pyv-install`, `key=value` lines):
/// `how = <kind>` and, when an artifact was stored or used, `key = <artifact key>`.
fn origin(dir: &Path) -> String {
    let text = fs::read_to_string(dir.join(".pyv-install")).unwrap();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(str::to_string)
    };
    let mut s = format!("how = {}\n", field("kind").unwrap());
    if let Some(key) = field("artifact") {
        s.push_str(&format!("key = {key}\n"));
    }
    s
}

fn ok(c: &mut Command) -> (String, String) {
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{c:?}\n{out}\n{err}");
    (out, err)
}

#[test]
fn a_build_is_stored_and_reused_after_uninstall_and_by_force() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let (server, sha) = serve();
    let (_, err) = ok(&mut install(&env, &cache, &server, &sha));
    assert_eq!(builds(&cache), 1);
    assert!(err.contains("configure done"), "{err}");
    assert!(err.contains("stored the build for reuse"), "{err}");
    let stored = artifacts(&cache);
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(stored[0].starts_with(&format!("cpython-{V}-")) && stored[0].ends_with(".manifest"));
    assert!(stored[1].ends_with(".tar.gz"), "{stored:?}");
    let key = stored[0].trim_end_matches(".manifest").to_string();
    let dir = env.version_dir(V);
    assert_eq!(origin(&dir), format!("how = source\nkey = {key}\n"));
    let manifest = fs::read_to_string(cache.join("artifacts").join(&stored[0])).unwrap();
    for line in [
        format!("key = {key}"),
        format!("prefix = {}", dir.display()),
        format!("name = {V}"),
    ] {
        assert!(manifest.contains(&line), "{line} in {manifest}");
    }
    assert!(manifest.contains("\nsha256 = ") && manifest.contains("\ncompiler = "));

    // uninstall + install: unpacked, not built.
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    let (out, err) = ok(&mut install(&env, &cache, &server, &sha));
    assert_eq!(builds(&cache), 1, "configure ran again:\n{err}");
    assert!(err.contains("reusing the cached build"), "{err}");
    // From the unpacked copy the build left in the cache, with files of its own.
    assert!(err.contains("files of its own"), "{err}");
    assert!(
        !err.contains("configure done") && !err.contains("compile done"),
        "{err}"
    );
    assert!(err.contains("verify done"), "{err}");
    assert!(out.contains(&format!("installed Python {V}")), "{out}");
    assert_eq!(origin(&dir), format!("how = cached\nkey = {key}\n"));
    assert!(
        dir.join("bin/python").exists(),
        "aliases come with the tree"
    );
    let mut py = env.cmd("python");
    py.env("PATH", env.shim_path())
        .env("PYV_VERSION", V)
        .arg("x");
    assert!(ok_stdout(&mut py).starts_with(&format!("fake python {V}")));

    // --force with the same options: reused too; --no-cache builds and replaces the artifact.
    ok(install(&env, &cache, &server, &sha).arg("--force"));
    assert_eq!(builds(&cache), 1);
    let (_, err) = ok(install(&env, &cache, &server, &sha).args(["--force", "--no-cache"]));
    assert_eq!(builds(&cache), 2, "{err}");
    assert!(err.contains("stored the build for reuse"), "{err}");
    assert_eq!(artifacts(&cache).len(), 2);

    // PYV_ARTIFACT_CACHE=0: neither reused nor stored.
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    let (_, err) = ok(install(&env, &cache, &server, &sha).env("PYV_ARTIFACT_CACHE", "0"));
    assert_eq!(builds(&cache), 3);
    assert!(
        !err.contains("stored the build") && !err.contains("reusing"),
        "{err}"
    );
    assert_eq!(origin(&dir), "how = source\n");
}

#[test]
fn another_root_reuses_the_build_with_the_prefix_rewritten() {
    let a = Env::new();
    let cache = a.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&a, &cache, &server, &sha));
    let old = a.version_dir(V);

    // Root B: no spaces in its path, so shebangs are plain.
    let b = Env::without_spaces("pyv-art-");
    let (_, err) = ok(&mut install(&b, &cache, &server, &sha));
    assert_eq!(builds(&cache), 1, "configure ran for root B:\n{err}");
    let dir = b.version_dir(V);
    let args = fs::read_to_string(dir.join("lib/configure.args")).unwrap();
    assert!(
        args.contains(&format!("--prefix={}", dir.display())),
        "{args}"
    );
    assert!(!args.contains(&old.display().to_string()), "{args}");
    let tool = fs::read_to_string(dir.join("bin/fake-tool")).unwrap();
    assert_eq!(
        tool,
        format!("#!{}/bin/python3\nprint(\"tool\")\n", dir.display())
    );
    let out = ok_stdout(&mut b.cmd(dir.join("bin/fake-tool")));
    assert_eq!(
        out.trim(),
        format!("fake python {V} {}", dir.join("bin/fake-tool").display())
    );
    assert!(origin(&dir).starts_with("how = cached\n"));

    // Root C: a space in its path cannot be in a shebang: a /bin/sh trampoline runs it.
    let c = Env::new();
    ok(&mut install(&c, &cache, &server, &sha));
    assert_eq!(builds(&cache), 1);
    let dir = c.version_dir(V);
    let tool = fs::read_to_string(dir.join("bin/fake-tool")).unwrap();
    assert!(tool.starts_with("#!/bin/sh\n'''exec' \""), "{tool}");
    let out = ok_stdout(&mut c.cmd(dir.join("bin/fake-tool")));
    assert_eq!(
        out.trim(),
        format!("fake python {V} {}", dir.join("bin/fake-tool").display())
    );
}

#[test]
fn a_corrupt_artifact_is_rejected_and_the_version_built_from_source() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&env, &cache, &server, &sha));
    let archive = cache
        .join("artifacts")
        .join(artifacts(&cache).pop().unwrap());
    let mut bytes = fs::read(&archive).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&archive, &bytes).unwrap();
    // The unpacked copy kept beside it is changed in place too (as an editor keeping hard
    // links would): it is noticed, dropped, and the archive is checked instead.
    let key = archive
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replace(".tar.gz", "");
    let python3 = cache.join("unpacked").join(&key).join("python/bin/python3");
    let mut f = fs::OpenOptions::new().append(true).open(&python3).unwrap();
    std::io::Write::write_all(&mut f, b"# changed\n").unwrap();
    drop(f);

    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    let (_, err) = ok(&mut install(&env, &cache, &server, &sha));
    assert!(
        err.contains("`bin/python3` changed since it was unpacked"),
        "{err}"
    );
    assert!(err.contains("sha256 mismatch"), "{err}");
    assert!(err.contains("is unusable"), "{err}");
    assert_eq!(builds(&cache), 2, "{err}");
    assert!(env.version_dir(V).join("bin/python3").exists());
    // The source build stored a good artifact again, which the next install uses.
    assert_ne!(fs::read(&archive).unwrap(), bytes);
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    let (_, err) = ok(&mut install(&env, &cache, &server, &sha));
    assert_eq!(builds(&cache), 2, "{err}");
}

#[test]
fn different_configure_options_make_a_different_key() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&env, &cache, &server, &sha));
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    let (_, err) =
        ok(install(&env, &cache, &server, &sha).env("PYV_CONFIGURE_OPTS", "--without-ensurepip"));
    assert_eq!(builds(&cache), 2, "{err}");
    assert_eq!(artifacts(&cache).len(), 4);
    // CFLAGS count too.
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    ok(install(&env, &cache, &server, &sha).env("CFLAGS", "-O1"));
    assert_eq!(builds(&cache), 3);
    // And the first options still find their own.
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    ok(&mut install(&env, &cache, &server, &sha));
    assert_eq!(builds(&cache), 3);
}

#[test]
fn an_artifact_mirror_serves_builds_to_an_empty_cache() {
    let a = Env::new();
    let cache_a = a.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&a, &cache_a, &server, &sha));
    // "CI" publishes its artifacts directory on a static server.
    let mirror = Server::start();
    for name in artifacts(&cache_a) {
        let bytes = fs::read(cache_a.join("artifacts").join(&name)).unwrap();
        mirror.file(&format!("/team/{name}"), bytes);
    }

    let b = Env::without_spaces("pyv-art-");
    let cache_b = b.path().join("cache");
    fs::write(
        configure_log(&cache_b),
        fs::read(configure_log(&cache_a)).unwrap(),
    )
    .unwrap();
    let (_, err) = ok(install(&b, &cache_b, &server, &sha).env(
        "PYV_ARTIFACT_MIRROR",
        format!("{}/missing, {}/team/", mirror.url(), mirror.url()),
    ));
    assert_eq!(builds(&cache_b), 1, "root B built:\n{err}");
    assert!(err.contains("reusing the cached build"), "{err}");
    let reqs = mirror.requests();
    assert!(
        reqs.iter()
            .any(|r| r.contains("/team/") && r.ends_with(".tar.gz")),
        "{reqs:?}"
    );
    assert_eq!(
        artifacts(&cache_b),
        artifacts(&cache_a),
        "kept in B's cache"
    );
    let dir = b.version_dir(V);
    let args = fs::read_to_string(dir.join("lib/configure.args")).unwrap();
    assert!(
        args.contains(&format!("--prefix={}", dir.display())),
        "{args}"
    );

    // A file:// mirror works the same way.
    let c = Env::without_spaces("pyv-art-");
    let cache_c = c.path().join("cache");
    fs::write(configure_log(&cache_c), "x\n").unwrap();
    ok(install(&c, &cache_c, &server, &sha).env(
        "PYV_ARTIFACT_MIRROR",
        format!("file://{}", cache_a.join("artifacts").display()),
    ));
    assert_eq!(builds(&cache_c), 1);

    // A tampered mirror archive is refused, and the version is built instead.
    let d = Env::without_spaces("pyv-art-");
    let cache_d = d.path().join("cache");
    let bad = Server::start();
    for name in artifacts(&cache_a) {
        let mut bytes = fs::read(cache_a.join("artifacts").join(&name)).unwrap();
        if name.ends_with(".tar.gz") {
            let n = bytes.len() / 2;
            bytes[n] ^= 1;
        }
        bad.file(&format!("/{name}"), bytes);
    }
    let (_, err) = ok(install(&d, &cache_d, &server, &sha).env("PYV_ARTIFACT_MIRROR", bad.url()));
    assert!(
        err.contains("sha256 mismatch") && err.contains("building from source"),
        "{err}"
    );
    assert_eq!(builds(&cache_d), 1);

    // No scheme: a usage error before anything happens.
    let (code, _, err) = run(install(&d, &cache_d, &server, &sha)
        .arg("--force")
        .env("PYV_ARTIFACT_MIRROR", "ci.example/artifacts"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PYV_ARTIFACT_MIRROR"), "{err}");
}

#[test]
fn a_failure_to_store_is_only_a_warning() {
    let env = Env::new();
    let cache = env.path().join("cache");
    fs::write(cache.join("artifacts"), "not a directory").unwrap();
    let (server, sha) = serve();
    let (out, err) = ok(&mut install(&env, &cache, &server, &sha));
    assert!(err.contains("warning: could not store the build"), "{err}");
    assert!(out.contains(&format!("installed Python {V}")), "{out}");
    assert!(env.version_dir(V).join("bin/python3").exists());
}

#[test]
fn cache_list_and_clear() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&env, &cache, &server, &sha));
    let key = artifacts(&cache)[0]
        .trim_end_matches(".manifest")
        .to_string();
    let out = ok_stdout(env.pyv().args(["cache", "list"]));
    assert!(out.contains("builds in ") && out.contains("(1):"), "{out}");
    assert!(out.contains(&key) && out.contains(V), "{out}");
    assert!(out.contains(&format!("Python-{V}.tgz")), "{out}");
    assert!(out.contains("unpacked copy"), "{out}");
    assert!(cache.join("unpacked").join(&key).is_dir());

    let out = ok_stdout(env.pyv().args(["cache", "clear", "-f", "--downloads"]));
    assert!(out.contains("removed 1 downloads"), "{out}");
    assert!(!cache.join(format!("Python-{V}.tgz")).exists());
    assert_eq!(artifacts(&cache).len(), 2);
    let out = ok_stdout(env.pyv().args(["cache", "clear", "--force"]));
    assert!(out.contains("removed 1 cached builds"), "{out}");
    assert!(artifacts(&cache).is_empty());
    assert!(!cache.join("unpacked").join(&key).exists());
    // The version installed from it is whole: its files were hard links or copies.
    let out = ok_stdout(env.cmd(env.version_dir(V).join("bin/python3")).arg("-V"));
    assert!(!out.is_empty());
    let (code, _, _) = run(env
        .pyv()
        .args(["cache", "clear", "--artifacts", "--downloads"]));
    assert_eq!(code, 2);
}

/// The real tree poses as a release pyv's catalog does not know (a local archive of 3.11.7
/// would be checked against the real release's digest).
const REAL_AS: &str = "3.11.97";

/// A "source release" whose `make install` lays down the real CPython tree in
/// /root/.pyenv/versions/3.11.7 as a pyv build would have made it: prefix rewritten to the
/// configure `--prefix`, site-packages as ensurepip leaves it, and (this tree is a shared
/// build) the RUNPATH `$ORIGIN/../lib` that pyv passes to `--enable-shared` builds.
fn real_tree_release(dir: &Path) -> PathBuf {
    const REAL: &str = "/root/.pyenv/versions/3.11.7";
    let configure = "#!/bin/sh\nprefix=/usr/local\nfor a in \"$@\"; do case \"$a\" in --prefix=*) prefix=\"${a#--prefix=}\";; esac; done\nprintf 'all:\\n\\ttrue\\ninstall:\\n\\tPREFIX=\"%s\" sh ./install.sh\\n' \"$prefix\" > Makefile\n";
    let install = format!(
        r#"set -e
D="$DESTDIR$PREFIX"
mkdir -p "$(dirname "$D")"
cp -a {REAL} "$D"
cd "$D/lib/python3.11/site-packages"
for f in *; do case "$f" in pip|pip-*|setuptools|setuptools-*|_distutils_hack|distutils-precedence.pth|pkg_resources|README.txt) ;; *) rm -rf "$f";; esac; done
cd "$D/bin"
for f in *; do case "$f" in python*|pip*|pydoc*|idle*|2to3*) ;; *) rm -rf "$f";; esac; done
grep -rlIZ --exclude='*.pyc' {REAL} "$D" | xargs -0 sed -i "s|{REAL}|$PREFIX|g"
perl -0777 -pi -e 's{{/root/\.pyenv/versions/3\.11\.7/lib\0}}{{"\$ORIGIN/../lib" . ("\0" x 19)}}ge' "$D/bin/python3.11"
# pyenv's tree was built without gdbm; pyv stores only complete builds, so stand in for it.
ls "$D"/lib/python3.11/lib-dynload/_gdbm.* >/dev/null 2>&1 || echo '# stand-in: the borrowed tree lacks gdbm' > "$D/lib/python3.11/_gdbm.py"
"#
    );
    let path = dir.join(format!("Python-{REAL_AS}.tgz"));
    let enc = flate2::write::GzEncoder::new(
        fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(enc);
    for (name, body, mode) in [
        ("configure", configure.to_string(), 0o755),
        ("install.sh", install, 0o644),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_mode(mode);
        h.set_size(body.len() as u64);
        tar.append_data(&mut h, format!("Python-{REAL_AS}/{name}"), body.as_bytes())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    path
}

/// The cross-root proof on a real CPython tree (the 3.11.7 in /root/.pyenv): root A "builds"
/// it and stores the artifact; root A's copy is deleted; root B installs from the artifact;
/// then pip installs a local package into B, `python3-config --prefix` and `sysconfig` name
/// only B. Prints the timings used in the README.
#[test]
#[ignore = "needs the real CPython tree in /root/.pyenv/versions/3.11.7"]
fn a_real_cpython_tree_moves_to_another_root() {
    let tmp = tempfile::Builder::new()
        .prefix("pyv-art-real-")
        .tempdir()
        .unwrap();
    let archive = real_tree_release(tmp.path());
    let a = Env::without_spaces("pyv-art-");
    let cache = tmp.path().join("cache");
    let installed = |env: &Env| {
        let mut c = env.pyv();
        c.env("PYV_ARTIFACT_CACHE", "1")
            .env("PYV_CACHE_DIR", &cache)
            .args(["install", "--skip-preflight"])
            .arg(&archive);
        let started = std::time::Instant::now();
        let (_, err) = ok(&mut c);
        (started.elapsed(), err)
    };
    let (took, err) = installed(&a);
    eprintln!("root A (\"build\" + store): {took:.1?}\n{err}");
    assert!(err.contains("stored the build for reuse"), "{err}");
    let old = a.version_dir(REAL_AS);
    fs::remove_dir_all(&old).unwrap();

    let b = Env::without_spaces("pyv-art-");
    let (took, err) = installed(&b);
    eprintln!("root B (from the artifact): {took:.1?}\n{err}");
    assert!(err.contains("reusing the cached build"), "{err}");
    let dir = b.version_dir(REAL_AS);
    let py = dir.join("bin/python3");
    let prefix = ok_stdout(b.cmd(dir.join("bin/python3-config")).arg("--prefix"));
    assert_eq!(prefix.trim(), dir.display().to_string());
    let paths = ok_stdout(b.cmd(&py).args([
        "-c",
        "import sysconfig, sys; print(sysconfig.get_paths(), sys.prefix)",
    ]));
    assert!(paths.contains(&dir.display().to_string()), "{paths}");
    assert!(!paths.contains(&old.display().to_string()), "{paths}");
    assert!(!paths.contains("/root/.pyenv"), "{paths}");
    let pkg = tmp.path().join("pyvtiny");
    common::tiny_package::write(&pkg);
    ok_stdout(
        b.cmd(&py)
            .args(["-m", "pip", "install", "--no-index", "-q"])
            .arg(&pkg),
    );
    let file = ok_stdout(
        b.cmd(&py)
            .args(["-c", "import pyvtiny; print(pyvtiny.X, pyvtiny.__file__)"]),
    );
    assert!(
        file.starts_with("42 ") && file.contains(&dir.display().to_string()),
        "{file}"
    );
    let pip = ok_stdout(b.cmd(dir.join("bin/pip3")).arg("--version"));
    assert!(pip.contains(&dir.display().to_string()), "{pip}");
}

/// A build that lacks optional modules (the headers were missing) is installed but not stored:
/// after the user installs what it lacked, `install --force` compiles again instead of reusing
/// the incomplete tree.
#[test]
fn a_build_missing_optional_modules_is_not_reused() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let (server, sha) = serve();
    let (_, err) = ok(install(&env, &cache, &server, &sha).env("FAKE_MISSING", "sqlite3"));
    assert!(err.contains("sqlite3"), "{err}");
    assert!(err.contains("not stored in the artifact cache"), "{err}");
    assert!(artifacts(&cache).is_empty(), "{:?}", artifacts(&cache));
    // The headers are there now: the rebuild compiles, and this complete build is stored.
    let (_, err) = ok(install(&env, &cache, &server, &sha).arg("--force"));
    assert_eq!(builds(&cache), 2, "{err}");
    assert!(err.contains("stored the build for reuse"), "{err}");
}

#[test]
fn a_mirror_cannot_feed_an_endless_archive_or_manifest() {
    let a = Env::new();
    let cache_a = a.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&a, &cache_a, &server, &sha));
    let names = artifacts(&cache_a);
    let archive_name = names.iter().find(|n| n.ends_with(".tar.gz")).unwrap();
    let manifest_name = names.iter().find(|n| n.ends_with(".manifest")).unwrap();
    let mirror = Server::start();
    for name in &names {
        let bytes = fs::read(cache_a.join("artifacts").join(name)).unwrap();
        mirror.file(&format!("/endless-archive/{name}"), bytes.clone());
        mirror.file(&format!("/endless-manifest/{name}"), bytes);
    }
    mirror.fault(&format!("/endless-archive/{archive_name}"), Fault::Endless);
    mirror.fault(
        &format!("/endless-manifest/{manifest_name}"),
        Fault::Endless,
    );
    for (dir, why) in [
        ("endless-archive", "larger than"),
        ("endless-manifest", "larger than 65536 bytes"),
    ] {
        let b = Env::new();
        let cache_b = b.path().join("cache");
        let (code, out, err) = run_within(
            install(&b, &cache_b, &server, &sha)
                .env("PYV_ARTIFACT_MIRROR", format!("{}/{dir}", mirror.url())),
            std::time::Duration::from_secs(60),
        );
        assert_eq!(code, 0, "{dir}: {out}{err}");
        assert!(
            err.contains(why) && err.contains("building from source"),
            "{dir}: {err}"
        );
        assert_eq!(builds(&cache_b), 1, "{dir}: built from source");
        let left: Vec<String> = artifacts(&cache_b)
            .into_iter()
            .filter(|n| n.ends_with(".part"))
            .collect();
        assert!(left.is_empty(), "{dir}: {left:?}");
    }
}

#[test]
fn a_manifest_without_a_usable_prefix_is_a_corrupt_artifact() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let (server, sha) = serve();
    ok(&mut install(&env, &cache, &server, &sha));
    let mpath = cache.join("artifacts").join(
        artifacts(&cache)
            .into_iter()
            .find(|n| n.ends_with(".manifest"))
            .unwrap(),
    );
    let good = fs::read_to_string(&mpath).unwrap();
    let prefix_line = good.lines().find(|l| l.starts_with("prefix = ")).unwrap();
    for (bad, why) in [
        (
            good.replace(&format!("{prefix_line}\n"), ""),
            "has no `prefix`",
        ),
        (
            good.replace(prefix_line, "prefix = /"),
            "is the root directory",
        ),
    ] {
        ok_stdout(env.pyv().args(["uninstall", "-f", V]));
        fs::write(&mpath, &bad).unwrap();
        let before = builds(&cache);
        let (_, err) = ok(&mut install(&env, &cache, &server, &sha));
        assert!(err.contains("is unusable") && err.contains(why), "{err}");
        assert_eq!(builds(&cache), before + 1, "built from source: {err}");
        let tool = fs::read_to_string(env.version_dir(V).join("bin/fake-tool")).unwrap();
        assert_eq!(
            tool,
            format!(
                "#!{}/bin/python3\nprint(\"tool\")\n",
                env.version_dir(V).display()
            )
        );
    }
}

/// The one file of the fake tree that names no prefix (so it is placed, never rewritten).
const PLAIN: &str = "lib/make-install.args";

fn ino(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(p).unwrap().ino()
}

fn mode_bits(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// The cache's unpacked copy of the one key in `cache`.
fn unpacked_tree(cache: &Path) -> PathBuf {
    let key = artifacts(cache)[0]
        .trim_end_matches(".manifest")
        .to_string();
    cache.join("unpacked").join(key).join("python")
}

/// Append to `p` in place, as vim does to a file with several links (`backupcopy=auto`).
fn append_in_place(p: &Path, text: &str) {
    use std::io::Write;
    let mut f = fs::OpenOptions::new().append(true).open(p).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn roots_installed_from_one_cache_never_share_a_writable_file() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let (server, sha) = serve();
    let a = Env::without_spaces("pyv-iso-a-");
    let cache = a.path().join("cache");
    ok(&mut install(&a, &cache, &server, &sha));
    let b = Env::without_spaces("pyv-iso-b-");
    ok(&mut install(&b, &cache, &server, &sha));
    assert_eq!(builds(&cache), 1, "root B came from the cache");
    let (fa, fb) = (a.version_dir(V).join(PLAIN), b.version_dir(V).join(PLAIN));
    let kept = unpacked_tree(&cache).join(PLAIN);
    let clean = fs::read(&kept).unwrap();
    assert_ne!(ino(&fa), ino(&fb));
    assert_ne!(ino(&fb), ino(&kept));
    assert_eq!(fs::metadata(&fb).unwrap().nlink(), 1);
    assert_eq!(fs::metadata(&kept).unwrap().nlink(), 1);

    // A write and a setuid chmod through root A and through root B reach nothing else.
    append_in_place(&fa, "print('X')\n");
    append_in_place(&fb, "print('Y')\n");
    fs::set_permissions(&fa, fs::Permissions::from_mode(0o4777)).unwrap();
    assert_eq!(fs::read(&kept).unwrap(), clean);
    assert_eq!(mode_bits(&kept) & 0o7000, 0);
    let mut b_expected = clean.clone();
    b_expected.extend_from_slice(b"print('Y')\n");
    assert_eq!(
        fs::read(&fb).unwrap(),
        b_expected,
        "root B sees only its own edit"
    );
    assert_eq!(mode_bits(&fb) & 0o7000, 0);

    // A third root installed afterwards gets the clean bytes and mode, still from the cache.
    let c = Env::without_spaces("pyv-iso-c-");
    let (_, err) = ok(&mut install(&c, &cache, &server, &sha));
    assert_eq!(builds(&cache), 1, "{err}");
    assert!(!err.contains("unusable"), "{err}");
    let fc = c.version_dir(V).join(PLAIN);
    assert_eq!(fs::read(&fc).unwrap(), clean);
    assert_eq!(mode_bits(&fc) & 0o7000, 0);
}

#[test]
fn a_same_size_edit_of_the_cache_with_its_mtime_put_back_is_not_handed_out() {
    let (server, sha) = serve();
    let a = Env::without_spaces("pyv-iso-t-");
    let cache = a.path().join("cache");
    ok(&mut install(&a, &cache, &server, &sha));
    let kept = unpacked_tree(&cache).join(PLAIN);
    let clean = fs::read(&kept).unwrap();
    let mtime = fs::metadata(&kept).unwrap().modified().unwrap();
    let mut evil = clean.clone();
    evil[0] = b'X'; // same size
    fs::write(&kept, &evil).unwrap();
    fs::File::options()
        .write(true)
        .open(&kept)
        .unwrap()
        .set_modified(mtime) // `touch -r`
        .unwrap();
    ok_stdout(a.pyv().args(["uninstall", "-f", V]));
    let (_, err) = ok(&mut install(&a, &cache, &server, &sha));
    assert!(err.contains("unusable") && err.contains(PLAIN), "{err}");
    assert_eq!(fs::read(a.version_dir(V).join(PLAIN)).unwrap(), clean);
    assert_eq!(builds(&cache), 1, "the verified archive, not a build");
}

#[test]
fn hardlink_mode_shares_files_but_never_hands_back_a_changed_one() {
    use std::os::unix::fs::PermissionsExt;
    let (server, sha) = serve();
    let a = Env::without_spaces("pyv-iso-h-");
    let cache = a.path().join("cache");
    let hard = |env: &Env| {
        let mut c = install(env, &cache, &server, &sha);
        c.env("PYV_LINK_MODE", "hardlink");
        c
    };
    ok(&mut hard(&a));
    let b = Env::without_spaces("pyv-iso-hb-");
    let (_, err) = ok(&mut hard(&b));
    assert!(err.contains("hard-linked"), "{err}");
    let kept = unpacked_tree(&cache).join(PLAIN);
    let fb = b.version_dir(V).join(PLAIN);
    assert_eq!(ino(&fb), ino(&kept), "shared on request");
    assert_eq!(mode_bits(&kept) & 0o222, 0, "shared files are read-only");
    let clean = fs::read(&kept).unwrap();
    // A third root reuses it (linking changed the ctimes; the index follows).
    let c = Env::without_spaces("pyv-iso-hc-");
    let (_, err) = ok(&mut hard(&c));
    assert!(!err.contains("unusable"), "{err}");
    // Removing a version that shares the files changes their link count: still reused.
    ok_stdout(c.pyv().args(["uninstall", "-f", V]));
    let (_, err) = ok(&mut hard(&c));
    assert!(!err.contains("unusable"), "{err}");
    // An in-place write through root B (an editor that forces it) changes the shared inode.
    fs::set_permissions(&fb, fs::Permissions::from_mode(0o644)).unwrap();
    append_in_place(&fb, "evil\n");
    let d = Env::without_spaces("pyv-iso-hd-");
    let (_, err) = ok(&mut hard(&d));
    assert!(err.contains("unusable"), "{err}");
    assert_eq!(fs::read(d.version_dir(V).join(PLAIN)).unwrap(), clean);
    assert_eq!(builds(&cache), 1);
}

#[test]
fn an_unknown_link_mode_is_one_line_naming_it() {
    let (server, sha) = serve();
    let a = Env::new();
    let cache = a.path().join("cache");
    let (code, _, err) = run(install(&a, &cache, &server, &sha).env("PYV_LINK_MODE", "symlink"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.lines()
            .next()
            .unwrap()
            .contains("PYV_LINK_MODE=`symlink`"),
        "{err}"
    );
    assert!(err.contains("auto, clone, copy or hardlink"), "{err}");
    assert!(!a.version_dir(V).exists());
}

#[test]
fn a_cache_others_can_write_or_another_user_owns_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (server, sha) = serve();
    let a = Env::new();
    let cache = a.path().join("cache");
    ok(&mut install(&a, &cache, &server, &sha));
    ok_stdout(a.pyv().args(["uninstall", "-f", V]));
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
    let (code, _, err) = run(&mut install(&a, &cache, &server, &sha));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("writable by other users"), "{err}");
    assert!(err.contains("chmod go-w"), "{err}");
    assert!(!a.version_dir(V).exists());
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o755)).unwrap();
    // Another user's unpacked copy (as root, chown stands in for that user).
    let key_dir = unpacked_tree(&cache).parent().unwrap().to_path_buf();
    std::os::unix::fs::chown(&key_dir, Some(12345), None).unwrap();
    let (code, _, err) = run(&mut install(&a, &cache, &server, &sha));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("belongs to uid 12345"), "{err}");
    std::os::unix::fs::chown(&key_dir, Some(0), None).unwrap();
    ok(&mut install(&a, &cache, &server, &sha));
}
