//! Hardening, round 2 (issue 12): what a stray directory, a held lock, a hostile mirror, a
//! dripping or silent server, a lying catalog or a crafted artifact must not be able to do.
//! Every server is a scripted one on 127.0.0.1 (tests/common/http.rs).

mod common;

use std::fs;
use std::process::Command;
use std::time::Duration;

use common::http::{Fault, Server};
use common::{fake_release, run, run_input, run_within, Env};

// ---------------------------------------------------------------------------------------------
// Data loss

#[test]
fn unset_refuses_a_directory_and_removes_only_a_file_or_link() {
    let env = Env::new();
    // local: `.python-version` is a directory with something in it.
    let proj = env.path().join("proj");
    let dir = proj.join(".python-version");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("precious"), "data").unwrap();
    let (code, _, err) = run(env.pyv().arg("local").arg("--unset").current_dir(&proj));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(dir.join("precious").exists(), "the directory was removed");

    // global: `$PYV_ROOT/version` is a directory.
    let gdir = env.root().join("version");
    fs::create_dir_all(&gdir).unwrap();
    fs::write(gdir.join("precious"), "data").unwrap();
    let (code, _, err) = run(env.pyv().args(["global", "--unset"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("is a directory") && err.contains(&gdir.display().to_string()),
        "{err}"
    );
    assert!(gdir.join("precious").exists(), "the directory was removed");

    // A link is removed, not what it points to; a plain file is removed; nothing is fine.
    fs::remove_dir_all(&dir).unwrap();
    let target = proj.join("elsewhere");
    fs::write(&target, "3.11.2\n").unwrap();
    std::os::unix::fs::symlink(&target, &dir).unwrap();
    let (code, _, err) = run(env.pyv().args(["local", "--unset"]).current_dir(&proj));
    assert_eq!(code, 0, "{err}");
    assert!(fs::symlink_metadata(&dir).is_err() && target.exists());
    fs::write(&dir, "3.11.2\n").unwrap();
    let (code, _, err) = run(env.pyv().args(["local", "--unset"]).current_dir(&proj));
    assert_eq!(code, 0, "{err}");
    assert!(!dir.exists());
    let (code, _, err) = run(env.pyv().args(["local", "--unset"]).current_dir(&proj));
    assert_eq!(code, 0, "{err}");
}

/// A cache with one build (manifest + archive) and one download.
fn cache_with_a_build_and_a_download(env: &Env) -> (std::path::PathBuf, String) {
    let cache = env.path().join("cache");
    let arts = cache.join("artifacts");
    fs::create_dir_all(&arts).unwrap();
    let key = "cpython-3.99.1-linux-x86_64-0123456789abcdef".to_string();
    let body = b"not really a tarball".to_vec();
    fs::write(arts.join(format!("{key}.tar.gz")), &body).unwrap();
    fs::write(
        arts.join(format!("{key}.manifest")),
        format!(
            "name = 3.99.1\nkey = {key}\narchive = {key}.tar.gz\nsha256 = {}\nsize = {}\n\
             prefix = /somewhere/versions/3.99.1\ncreated = 1764115200\n",
            fake_release::sha256(&body),
            body.len()
        ),
    )
    .unwrap();
    fs::write(cache.join("Python-3.99.1.tgz"), "source").unwrap();
    (cache, key)
}

#[test]
fn cache_clear_asks_first_and_force_skips_the_question() {
    let env = Env::new();
    let (cache, key) = cache_with_a_build_and_a_download(&env);
    let archive = cache.join(format!("artifacts/{key}.tar.gz"));
    for answer in ["n\n", "", "yes please\n"] {
        let (code, out, err) = run_input(env.pyv().args(["cache", "clear"]), answer);
        assert_eq!(code, 1, "{answer:?}: {out}{err}");
        assert!(
            err.contains("[y/N]") && err.contains("not confirmed"),
            "{err}"
        );
        assert!(archive.exists() && cache.join("Python-3.99.1.tgz").exists());
    }
    let (code, out, err) = run_input(env.pyv().args(["cache", "clear", "--downloads"]), "y\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed 1 downloads"), "{out}");
    assert!(archive.exists() && !cache.join("Python-3.99.1.tgz").exists());
    let (code, out, err) = run(env.pyv().args(["cache", "clear", "-f"]));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("[y/N]"), "{err}");
    assert!(out.contains("removed 1 cached builds"), "{out}");
    assert!(!archive.exists());
}

#[test]
fn cache_clear_skips_what_running_installs_hold_and_never_unlinks_a_lock() {
    let env = Env::new();
    let (cache, key) = cache_with_a_build_and_a_download(&env);
    let arts = cache.join("artifacts");
    // An install holds this key (reading or storing the build)...
    let key_lock = arts.join(format!(".{key}.lock"));
    let held = fs::File::create(&key_lock).unwrap();
    held.lock().unwrap();
    // ... another downloads 3.99.2 into its `.part`; a finished one left its lock file.
    let locks = cache.join(".locks");
    fs::create_dir_all(&locks).unwrap();
    let dl_lock = locks.join("Python-3.99.2.tar.xz.lock");
    let dl = fs::File::create(&dl_lock).unwrap();
    dl.lock().unwrap();
    fs::write(cache.join("Python-3.99.2.tar.xz.part"), "half").unwrap();
    let idle_lock = arts.join(".cpython-idle-0000.lock");
    fs::write(&idle_lock, "").unwrap();

    let (code, out, err) = run_within(
        env.pyv().args(["cache", "clear", "-f"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, 0, "{out}{err}");
    // The held build and the download in progress stay, and pyv says so.
    assert!(arts.join(format!("{key}.tar.gz")).exists(), "{out}{err}");
    assert!(
        cache.join("Python-3.99.2.tar.xz.part").exists(),
        "{out}{err}"
    );
    assert!(err.contains("in use"), "{err}");
    assert!(
        err.contains(&key) && err.contains("Python-3.99.2.tar.xz.part"),
        "{err}"
    );
    // Lock files are never unlinked, held or not.
    for l in [&key_lock, &dl_lock, &idle_lock] {
        assert!(l.exists(), "{} was unlinked", l.display());
    }
    // The finished download went.
    assert!(!cache.join("Python-3.99.1.tgz").exists(), "{out}");

    // Once the locks are released, the next clear removes them.
    drop(held);
    drop(dl);
    let (code, _, err) = run(env.pyv().args(["cache", "clear", "-f"]));
    assert_eq!(code, 0, "{err}");
    assert!(!arts.join(format!("{key}.tar.gz")).exists());
    assert!(!cache.join("Python-3.99.2.tar.xz.part").exists());
}

#[test]
fn prebuilt_archives_are_listed_and_cleared() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let file = "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz";
    fs::write(cache.join(file), "prebuilt").unwrap();
    fs::write(cache.join("unrelated-notes.txt"), "mine").unwrap();
    let (code, out, err) = run(env.pyv().args(["cache", "list"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(file) && out.contains("(1):"), "{out}");
    let (code, out, err) = run(env.pyv().args(["cache", "clear", "-f", "--downloads"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed 1 downloads"), "{out}");
    assert!(!cache.join(file).exists());
    assert!(cache.join("unrelated-notes.txt").exists());
}

#[test]
fn an_environment_named_like_a_version_is_refused() {
    let env = Env::new();
    env.fake_version("3.11.7", &["python"]);
    for name in ["3.99.1", "3.12", "3.13t", "python-3.99.1"] {
        let (code, _, err) = run(env.pyv().args(["virtualenv", "3.11.7", name]));
        assert_eq!(code, 1, "{name}: {err}");
        assert!(
            err.contains(&format!("`{name}`")) && err.contains("looks like a Python version"),
            "{name}: {err}"
        );
        assert!(!err.contains("creating virtualenv"), "{err}");
        assert!(err.contains("hint:"), "{err}");
        assert!(!env.version_dir(name).exists());
        assert!(!env.version_dir(&format!("3.11.7/envs/{name}")).exists());
    }
}

#[test]
fn an_environment_named_like_another_python_is_refused() {
    // `pypy3.10-7.3.17` is where `pyv install pypy3.10-7.3.17` puts that release (the alias
    // would be replaced or the install skipped); `python3.12` and `cpython@3.12` are other
    // tools' spellings of 3.12 in a .python-version.
    let env = Env::new();
    env.fake_version("3.11.7", &["python"]);
    for name in [
        "pypy3.10-7.3.17",
        "miniforge3-24.11.0-0",
        "graalpy-24.1.1",
        "anaconda3-2024.10-1",
        "python3.12",
        "cpython@3.12",
    ] {
        let (code, _, err) = run(env.pyv().args(["virtualenv", "3.11.7", name]));
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains(&format!("`{name}`")), "{name}: {err}");
        assert!(err.contains("hint:"), "{err}");
        assert!(!err.contains("creating virtualenv"), "{err}");
        assert!(!env.version_dir(name).exists());
        assert!(!env.version_dir(&format!("3.11.7/envs/{name}")).exists());
    }
}

// ---------------------------------------------------------------------------------------------
// Bounds: memory, disk, time

const V: &str = "3.99.1";

/// `pyv install --sha256 <digest> 3.99.1` from `server` (as `PYV_MIRROR`).
fn install_from(env: &Env, server: &Server, sha: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--skip-preflight", "--sha256", sha, V]);
    c
}

/// Files left directly in the cache dir (downloads and `.part`s).
fn cache_files(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(env.path().join("cache"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_endless_download_is_capped_and_its_part_dropped() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = Server::start();
    let path = format!("/{V}/Python-{V}.tgz");
    server.file(&path, tgz.clone()).fault(&path, Fault::Endless);
    let (code, out, err) = run_within(
        install_from(&env, &server, &fake_release::sha256(&tgz)).env("PYV_DOWNLOAD_MAX_MIB", "2"),
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("larger than 2097152 bytes"), "{err}");
    assert_eq!(cache_files(&env), Vec::<String>::new(), "{err}");
    // A `.part` already larger than the cap can never be right: dropped, not resumed.
    let part = env.path().join(format!("cache/Python-{V}.tgz.part"));
    fs::write(&part, vec![0u8; 3 << 20]).unwrap();
    let server = Server::start();
    server.file(&path, tgz.clone());
    let (code, _, err) =
        run(install_from(&env, &server, &fake_release::sha256(&tgz))
            .env("PYV_DOWNLOAD_MAX_MIB", "2"));
    assert_eq!(code, 0, "{err}");
    let reqs = server.requests();
    assert!(
        reqs.contains(&format!("GET {path}")) && !reqs.iter().any(|r| r.contains("range=")),
        "started over, no Range: {reqs:?}"
    );
}

#[test]
fn a_download_larger_than_the_free_space_is_refused_before_writing() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = Server::start();
    let path = format!("/{V}/Python-{V}.tgz");
    // The server claims 1 PiB; the cap is raised so that the free-space check is what speaks.
    server
        .file(&path, tgz.clone())
        .fault(&path, Fault::Claim(1 << 50));
    let (code, out, err) = run_within(
        install_from(&env, &server, &fake_release::sha256(&tgz))
            .env("PYV_DOWNLOAD_MAX_MIB", (1u64 << 40).to_string()),
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("not enough free space in") && err.contains("the download needs 1.00 PiB"),
        "{err}"
    );
    assert_eq!(cache_files(&env), Vec::<String>::new(), "{err}");
    // Without the raised cap the same answer is refused for its size alone.
    let (code, _, err) = run(&mut install_from(
        &env,
        &server,
        &fake_release::sha256(&tgz),
    ));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("more than the file can be"), "{err}");
}

#[test]
fn a_full_disk_during_a_download_drops_the_part_and_keeps_the_cause() {
    let env = Env::new();
    // Incompressible filler makes the archive ~600 KiB.
    let mut filler = Vec::with_capacity(600 * 1024);
    let mut x: u32 = 12345;
    while filler.len() < 600 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        filler.extend_from_slice(&x.to_le_bytes());
    }
    let tgz = fake_release::tgz_with(V, &[("filler.bin", &filler)]);
    let server = Server::start();
    server.file(&format!("/{V}/Python-{V}.tgz"), tgz.clone());
    // `ulimit -f` stands in for a full disk: writes past 256 KiB fail (EFBIG; SIGXFSZ is
    // ignored as a shell does for its jobs when told to).
    let c = install_from(&env, &server, &fake_release::sha256(&tgz));
    let program = c.get_program().to_owned();
    let args: Vec<_> = c.get_args().map(|a| a.to_owned()).collect();
    let mut sh = env.cmd("bash");
    sh.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 256; exec \"$@\"")
        .arg("pyv")
        .arg(program)
        .args(args);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    let (code, out, err) = run_within(&mut sh, Duration::from_secs(60));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("File too large"),
        "the OS's cause is kept: {err}"
    );
    assert_eq!(cache_files(&env), Vec::<String>::new(), "{err}");
}

#[test]
fn a_dripping_download_times_out_instead_of_running_forever() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = Server::start();
    let path = format!("/{V}/Python-{V}.tgz");
    server
        .file(&path, tgz.clone())
        .fault(&path, Fault::Trickle(Duration::from_millis(300)));
    let (code, out, err) = run_within(
        install_from(&env, &server, &fake_release::sha256(&tgz)).env("PYV_HTTP_STALL_TIMEOUT", "1"),
        Duration::from_secs(60),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("timed out") && err.contains("stalled"),
        "{err}"
    );
    assert!(!err.contains("error decoding"), "{err}");
    assert!(!env.version_dir(V).exists());
}

/// A huge timeout (`1e30` seconds overflows a `Duration`) is as good as none; it must not
/// panic (exit 101) before the request is even made.
#[test]
fn a_huge_http_timeout_does_not_panic() {
    let env = Env::new();
    for var in [
        "PYV_HTTP_TIMEOUT",
        "PYV_HTTP_CONNECT_TIMEOUT",
        "PYV_HTTP_STALL_TIMEOUT",
    ] {
        let (code, _, err) = run(env
            .pyv()
            .arg("update")
            .env("PYV_PYTHON_ORG", "http://127.0.0.1:1")
            .env(var, "1e30"));
        assert_eq!(code, 1, "{var}: {err}");
        assert!(!err.contains("panicked"), "{var}: {err}");
        assert!(err.contains("127.0.0.1:1"), "{var}: {err}");
    }
}

/// A timeout or size cap that is not a number is said (name, value, what is used instead),
/// not silently replaced by the default.
#[test]
fn a_junk_http_timeout_or_size_cap_is_warned_about() {
    let env = Env::new();
    for var in ["PYV_HTTP_TIMEOUT", "PYV_HTTP_STALL_TIMEOUT"] {
        let (code, _, err) = run(env
            .pyv()
            .arg("update")
            .env("PYV_PYTHON_ORG", "http://127.0.0.1:1")
            .env(var, "10m"));
        assert_eq!(code, 1, "{var}: {err}");
        let line = err.lines().find(|l| l.contains(var));
        let line = line.unwrap_or_else(|| panic!("{var} not named: {err}"));
        assert!(line.contains("`10m`") && line.contains("warning"), "{line}");
    }
    let server = Server::start();
    let (_, _, err) =
        run(install_from(&env, &server, &"0".repeat(64)).env("PYV_DOWNLOAD_MAX_MIB", "lots"));
    assert!(
        err.lines()
            .any(|l| l.contains("PYV_DOWNLOAD_MAX_MIB") && l.contains("`lots`")),
        "{err}"
    );
}

/// `pyv uninstall` removes the aliases that led into the version it removed, never another
/// link in versions/ that happens to dangle (a version on a disk not mounted right now).
#[test]
fn uninstall_leaves_unrelated_dangling_links_alone() {
    let env = Env::new();
    env.fake_version("3.12.7", &["python"]);
    let versions = env.version_dir("3.12.7").parent().unwrap().to_path_buf();
    fs::create_dir_all(versions.join("3.12.7/envs/web")).unwrap();
    std::os::unix::fs::symlink("3.12.7/envs/web", versions.join("web")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/pyv/3.10.4", versions.join("offline")).unwrap();
    let (code, _, err) = run(env.pyv().args(["uninstall", "-f", "3.12.7"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        fs::symlink_metadata(versions.join("web")).is_err(),
        "alias into 3.12.7 removed"
    );
    assert!(
        fs::symlink_metadata(versions.join("offline")).is_ok(),
        "an unrelated link is kept"
    );
}
