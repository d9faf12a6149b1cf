//! `pyv install` / `uninstall` / `doctor` driven through the real binary against a fake source
//! release served by a local HTTP server: the happy path and every failure the issue lists.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::fake_release::{self, RawEntry};
use common::http::{Fault, Server};
use common::{ok_stdout, run, run_input, write_exe, Env};

const V: &str = "3.99.1";

/// A server with the fake release of `V` in python.org's layout.
fn serve(tgz: &[u8]) -> Server {
    let s = Server::start();
    s.file(&format!("/{V}/Python-{V}.tgz"), tgz.to_vec());
    s
}

/// `pyv install --skip-preflight --sha256 <digest> 3.99.1` against `server`.
fn install(env: &Env, server: &Server, sha: &str) -> Command {
    let mut c = env.pyv();
    c.env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--skip-preflight", "--sha256", sha, V]);
    c
}

/// Nothing is left in `.staging/` and the version is not installed.
fn assert_clean(env: &Env, v: &str) {
    assert!(!env.version_dir(v).exists(), "{v} must not be installed");
    let staging = env.root().join(".staging");
    let left: Vec<_> = fs::read_dir(&staging)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "staging leftovers: {left:?}");
}

/// What the cache holds, besides `.locks/` (the per-archive download locks).
fn cache_entries(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(env.path().join("cache"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".locks")
        .collect();
    v.sort();
    v
}

#[test]
fn installs_a_release_end_to_end() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let sha = fake_release::sha256(&tgz);
    let (code, out, err) = run(&mut install(&env, &server, &sha));
    assert_eq!(code, 0, "{err}");
    let dir = env.version_dir(V);
    assert!(
        out.contains(&format!("installed Python {V} in {}", dir.display())),
        "{out}"
    );
    assert!(out.contains(&format!("pyv global {V}")), "{out}");
    for phase in [
        "download done",
        "unpack done",
        "configure done",
        "compile done",
        "install done",
        "verify done",
    ] {
        assert!(err.contains(phase), "missing `{phase}` in:\n{err}");
    }
    assert!(
        err.contains("compile 100%") || err.contains("compile 90%"),
        "{err}"
    );
    let args = fs::read_to_string(dir.join("lib/configure.args")).unwrap();
    assert!(
        args.contains(&format!("--prefix={}", dir.display())),
        "{args}"
    );
    assert!(dir.join("bin/python").exists() && dir.join("bin/pip").exists());
    assert_clean_staging(&env);
    assert_eq!(cache_entries(&env), [format!("Python-{V}.tgz")]);
    // The xz archive was tried first, then the .tgz; python.org was never needed.
    let reqs = server.requests();
    assert_eq!(
        reqs,
        [
            format!("GET /{V}/Python-{V}.tar.xz"),
            format!("GET /{V}/Python-{V}.tgz")
        ]
    );
    let logs: Vec<_> = fs::read_dir(env.root().join("logs")).unwrap().collect();
    assert_eq!(logs.len(), 1);
    // Shims were rehashed: python runs through them.
    let mut py = env.cmd("python");
    py.env("PATH", env.shim_path())
        .env("PYV_VERSION", V)
        .arg("-c")
        .arg("x");
    assert!(ok_stdout(&mut py).starts_with(&format!("fake python {V}")));

    // Installed already: refused, skipped with --skip-existing.
    let (code, _, err) = run(&mut install(&env, &server, &sha));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("version `{V}` is already installed")),
        "{err}"
    );
    assert!(err.contains("hint: `pyv install --force"), "{err}");
    let (code, out, _) = run(install(&env, &server, &sha).arg("--skip-existing"));
    assert_eq!(code, 0);
    assert!(out.contains("already installed"), "{out}");
}

fn assert_clean_staging(env: &Env) {
    let staging = env.root().join(".staging");
    let n = fs::read_dir(&staging).map(|rd| rd.count()).unwrap_or(0);
    assert_eq!(n, 0, "staging not empty");
}

#[test]
fn digest_mismatch_deletes_the_bytes_and_installs_nothing() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let wrong = fake_release::sha256(b"something else");
    let (code, _, err) = run(&mut install(&env, &server, &wrong));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(err.contains(&format!("expected sha256 {wrong}")), "{err}");
    assert!(
        err.contains(&format!("got {}", fake_release::sha256(&tgz))),
        "{err}"
    );
    assert!(cache_entries(&env).is_empty(), "{:?}", cache_entries(&env));
    assert_clean(&env, V);
    // Never retried: one request for the .tgz.
    let tgz_reqs = server
        .requests()
        .iter()
        .filter(|r| r.ends_with(".tgz"))
        .count();
    assert_eq!(tgz_reqs, 1);
}

#[test]
fn not_found_anywhere_names_every_url() {
    let env = Env::new();
    let server = Server::start();
    let sha = fake_release::sha256(b"x");
    let (code, _, err) = run(&mut install(&env, &server, &sha));
    assert_eq!(code, 1, "{err}");
    // One line per source tried (each with the files asked for), not one per URL twice over.
    let url = server.url();
    assert!(
        err.starts_with(&format!(
            "pyv: cannot download `Python-{V}.tar.xz` from any source:\n  \
             {url}/{V}/: HTTP 404 Not Found (Python-{V}.tar.xz, Python-{V}.tgz)\n  \
             {url}/upstream/{V}/: HTTP 404 Not Found (Python-{V}.tar.xz, Python-{V}.tgz)\n\
             hint: "
        )),
        "{err}"
    );
    assert_eq!(err.matches(&url).count(), 2, "{err}");
    assert_eq!(err.lines().count(), 4, "{err}");
    assert_clean(&env, V);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    server.fault(&format!("/{V}/Python-{V}.tgz"), Fault::ServerError(2));
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("HTTP 500 Internal Server Error; retrying"),
        "{err}"
    );
    let n = server
        .requests()
        .iter()
        .filter(|r| r.ends_with(".tgz"))
        .count();
    assert_eq!(n, 3);
}

#[test]
fn a_cut_connection_is_resumed_with_a_range_request() {
    let env = Env::new();
    let tgz = fake_release::tgz_with(V, &[("big.bin", &vec![7u8; 200_000])]);
    let server = serve(&tgz);
    server.fault(&format!("/{V}/Python-{V}.tgz"), Fault::CutAfter(700));
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
    let reqs = server.requests();
    assert!(
        reqs.contains(&format!("GET /{V}/Python-{V}.tgz range=bytes=700-")),
        "{reqs:?}"
    );
    assert!(env.version_dir(V).join("bin/python3").exists());
}

#[test]
fn a_corrupt_cached_archive_is_replaced() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    fs::write(env.path().join(format!("cache/Python-{V}.tgz")), b"corrupt").unwrap();
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("does not match its sha256; downloading it again"),
        "{err}"
    );
    // A good cached archive is used without any request.
    ok_stdout(env.pyv().args(["uninstall", "-f", V]));
    let before = server.requests().len();
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("using cached"), "{err}");
    assert_eq!(server.requests().len(), before);
}

#[test]
fn file_mirrors_work() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let mirror = env.path().join("mirror");
    fs::create_dir_all(mirror.join(V)).unwrap();
    fs::write(mirror.join(format!("{V}/Python-{V}.tgz")), &tgz).unwrap();
    let (code, _, err) = run(env
        .pyv()
        .env("PYV_MIRROR", format!("file://{}", mirror.display()))
        .args([
            "install",
            "--skip-preflight",
            "--sha256",
            &fake_release::sha256(&tgz),
            V,
        ]));
    assert_eq!(code, 0, "{err}");
    assert!(env.version_dir(V).join("bin/python3").exists());
}

#[test]
fn local_archives_install_offline() {
    let env = Env::new();
    let file = env.path().join("Python-3.99.3.tgz");
    fs::write(&file, fake_release::tgz("3.99.3")).unwrap();
    let (code, out, err) =
        run(env
            .pyv()
            .args(["install", "--skip-preflight", "./Python-3.99.3.tgz"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed Python 3.99.3"), "{out}");
}

/// A FIFO, a directory or a device given as a local archive is said to be one, at once: a
/// FIFO is never opened (that would block until something writes to it).
#[test]
fn a_local_archive_that_is_not_a_file_is_named_as_such() {
    let env = Env::new();
    let fifo = env.path().join("Python-3.99.3.tgz");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    fs::create_dir(env.path().join("x.tgz")).unwrap();
    for (arg, kind) in [
        ("./Python-3.99.3.tgz", "a FIFO"),
        ("./x.tgz", "a directory"),
        ("/dev/null", "a character device"),
    ] {
        let (code, out, err) = common::run_within(
            env.pyv().args(["install", "--skip-preflight", arg]),
            Duration::from_secs(30),
        );
        assert_eq!(code, 1, "{arg}: {out}{err}");
        assert!(
            err.contains(&format!(
                "`{arg}` (given on the command line) is {kind}, not an archive file"
            )),
            "{err}"
        );
        assert!(err.contains("hint: pass the path of a"), "{err}");
    }
}

#[test]
fn unknown_versions_are_refused_with_a_hint() {
    let env = Env::new();
    let (code, _, err) = run(env.pyv().args(["install", "3.11.99"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "pyv: `3.11.99` is not a CPython release pyv knows (given on the command line)"
        ),
        "{err}"
    );
    assert!(err.contains("hint: nearest known: 3.11."), "{err}");
    assert!(err.contains("--sha256"), "{err}");
    let (code, _, err) = run(env.pyv().args(["install", "--sha256", "zz", "3.11.99"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid `--sha256` value `zz`"), "{err}");
    let (code, _, err) = run(env.pyv().args(["install", "../x"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`../x`"), "{err}");
}

#[test]
fn list_and_latest_known() {
    let env = Env::new();
    let out = ok_stdout(env.pyv().args(["install", "--list"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&"3.11.2") && lines.contains(&"3.13.5t") && lines.contains(&"2.7.18"));
    assert!(!lines.contains(&"3.12.1t"));
    assert_eq!(
        ok_stdout(env.pyv().args(["latest", "--known", "3.9"])).trim(),
        "3.9.25"
    );
}

/// Each malicious archive is refused as a whole and nothing escapes the staging dir.
#[test]
fn unsafe_archives_are_refused() {
    let top = "Python-3.99.2";
    let cases: Vec<(&str, Vec<RawEntry>)> = vec![
        (
            "dotdot",
            vec![
                RawEntry::dir("Python-3.99.2/"),
                RawEntry::file("Python-3.99.2/../../evil", b"x"),
            ],
        ),
        (
            "absolute",
            vec![
                RawEntry::dir("Python-3.99.2/"),
                RawEntry::file("/tmp/pyv-test-evil-abs", b"x"),
            ],
        ),
        (
            "symlink-out",
            vec![
                RawEntry::dir("Python-3.99.2/"),
                RawEntry::link("Python-3.99.2/l", b'2', "../../"),
            ],
        ),
        (
            "symlink-abs",
            vec![
                RawEntry::dir("Python-3.99.2/"),
                RawEntry::link("Python-3.99.2/l", b'2', "/etc"),
            ],
        ),
        (
            "hardlink-out",
            vec![
                RawEntry::dir("Python-3.99.2/"),
                RawEntry::link("Python-3.99.2/h", b'1', "../evil"),
            ],
        ),
        (
            "device",
            vec![
                RawEntry::dir("Python-3.99.2/"),
                RawEntry::link("Python-3.99.2/dev", b'3', ""),
            ],
        ),
        (
            "two-tops",
            vec![
                RawEntry::file("Python-3.99.2/a", b"x"),
                RawEntry::file("other/b", b"x"),
            ],
        ),
    ];
    for (label, entries) in cases {
        let env = Env::new();
        let archive = env.path().join(format!("{top}.tgz"));
        fs::write(&archive, fake_release::raw_tgz(&entries)).unwrap();
        let (code, _, err) =
            run(env
                .pyv()
                .args(["install", "--skip-preflight", &format!("./{top}.tgz")]));
        assert_eq!(code, 1, "{label}: {err}");
        assert!(err.contains("refusing archive"), "{label}: {err}");
        assert!(err.contains("nothing was extracted"), "{label}: {err}");
        assert!(
            !env.path().join("evil").exists() && !env.root().join("evil").exists(),
            "{label}"
        );
        assert!(!Path::new("/tmp/pyv-test-evil-abs").exists(), "{label}");
        assert_clean(&env, "3.99.2");
    }
}

#[test]
fn a_failing_configure_shows_the_log() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let (code, _, err) =
        run(install(&env, &server, &fake_release::sha256(&tgz)).env("FAKE_FAIL", "configure"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "`configure` failed while building {V} (exit status 1)"
        )),
        "{err}"
    );
    assert!(
        err.contains("  | configure: error: no acceptable C compiler"),
        "{err}"
    );
    let log_line = err
        .lines()
        .find(|l| l.trim_start().starts_with("log: "))
        .unwrap();
    assert!(
        Path::new(log_line.trim_start().trim_start_matches("log: ")).is_file(),
        "{log_line}"
    );
    assert_clean(&env, V);
}

#[test]
fn a_failing_make_names_the_missing_header_and_package() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let (code, _, err) =
        run(install(&env, &server, &fake_release::sha256(&tgz)).env("FAKE_FAIL", "make"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`make` failed"), "{err}");
    assert!(
        err.contains("hint: the log shows the header `openssl/ssl.h` is missing: install"),
        "{err}"
    );
    assert_clean(&env, V);
    let (code, _, err) =
        run(install(&env, &server, &fake_release::sha256(&tgz)).env("FAKE_FAIL", "install"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("`make install` failed") && err.contains("exit status 2"),
        "{err}"
    );
    assert_clean(&env, V);
}

#[test]
fn missing_modules_warn_or_fail() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let sha = fake_release::sha256(&tgz);
    let (code, _, err) = run(install(&env, &server, &sha).env("FAKE_MISSING", "ssl"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("the built Python {V} cannot import `ssl`")),
        "{err}"
    );
    assert!(err.contains("hint: install"), "{err}");
    assert_clean(&env, V);
    let (code, _, err) = run(install(&env, &server, &sha).env("FAKE_MISSING", "sqlite3 tkinter"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("warning: {V} has no `sqlite3` module")),
        "{err}"
    );
    assert!(err.contains("no `tkinter` module"), "{err}");
    assert!(env.version_dir(V).exists());
}

/// Start an install, wait for `marker` on stderr, send `signal`; it must exit 128+signal and
/// leave nothing behind.
fn interrupt_at(phase_env: &[(&str, &str)], marker: &str, signal: i32, tgz: Vec<u8>, drip: bool) {
    let env = Env::new();
    let server = serve(&tgz);
    if drip {
        server.fault(
            &format!("/{V}/Python-{V}.tgz"),
            Fault::Drip(Duration::from_millis(200)),
        );
    }
    let mut cmd = install(&env, &server, &fake_release::sha256(&tgz));
    cmd.envs(phase_env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no `{marker}` in {seen:?}"));
        let hit = line.contains(marker);
        seen.push(line);
        if hit {
            break;
        }
    }
    // A phase that reports its pids is signalled once they are known.
    if let Some((_, pids)) = phase_env.iter().find(|(k, _)| *k == "FAKE_PIDS") {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !Path::new(pids).exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "{pids} never appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let status = child.wait().unwrap();
    seen.extend(rx.iter());
    assert_eq!(status.code(), Some(128 + signal), "{marker}: {seen:?}");
    assert!(
        seen.iter().any(|l| l.contains("interrupted by")),
        "{seen:?}"
    );
    assert_clean(&env, V);
    // A rerun succeeds without --force.
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn ctrl_c_in_download() {
    let tgz = fake_release::tgz_with(V, &[("noise.bin", &noise(400_000))]);
    interrupt_at(&[], "download http", libc::SIGINT, tgz, true);
}

#[test]
fn ctrl_c_in_unpack() {
    // 96 MiB of zeros: tiny compressed, slow enough to extract in a debug build.
    let big = vec![0u8; 96 << 20];
    let tgz = fake_release::tgz_with(V, &[("zeros.bin", &big)]);
    interrupt_at(
        &[("FAKE_SLEEP", "configure")],
        "unpack ...",
        libc::SIGINT,
        tgz,
        false,
    );
}

#[test]
fn ctrl_c_in_configure() {
    interrupt_at(
        &[("FAKE_SLEEP", "configure")],
        "configure ...",
        libc::SIGINT,
        fake_release::tgz(V),
        false,
    );
}

#[test]
fn ctrl_c_in_compile() {
    interrupt_at(
        &[("FAKE_SLEEP", "make")],
        "compile ...",
        libc::SIGINT,
        fake_release::tgz(V),
        false,
    );
}

#[test]
fn sigterm_in_install() {
    interrupt_at(
        &[("FAKE_SLEEP", "install")],
        "install ...",
        libc::SIGTERM,
        fake_release::tgz(V),
        false,
    );
}

#[test]
fn sigterm_in_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let done = tmp.path().join("verify-finished");
    let pids = tmp.path().join("verify-pids");
    interrupt_at(
        &[
            ("FAKE_SLEEP", "verify"),
            ("FAKE_VERIFY_DONE", done.to_str().unwrap()),
            ("FAKE_PIDS", pids.to_str().unwrap()),
        ],
        "verify ...",
        libc::SIGTERM,
        fake_release::tgz(V),
        false,
    );
    // The interpreter check was stopped with pyv, not waited for to its end (as it was).
    assert!(!done.exists(), "pyv waited for the check to finish");
    // Its own pids (the check and its `sleep`), not a search of the whole machine.
    let text = fs::read_to_string(&pids).unwrap();
    for pid in text.split_whitespace() {
        let pid: i32 = pid.parse().unwrap();
        // A moment to be reaped: a killed process stays visible until its new parent waits.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        // SAFETY: probing a pid with signal 0.
        while unsafe { libc::kill(pid, 0) } == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the check's process {pid} outlived pyv"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn noise(n: usize) -> Vec<u8> {
    let mut x: u32 = 12345;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn leftovers_of_a_killed_install_are_invisible_and_cleaned() {
    let env = Env::new();
    let stale = env.root().join(format!(".staging/{V}.999999"));
    fs::create_dir_all(stale.join("dest/bin")).unwrap();
    let other = env.root().join(".staging/3.98.0.999998");
    fs::create_dir_all(&other).unwrap();
    // The killed pyvs held their versions' locks: the lock files are still there.
    fs::create_dir_all(env.root().join(".locks")).unwrap();
    for v in [V, "3.98.0"] {
        fs::write(env.root().join(format!(".locks/version-{v}.lock")), "").unwrap();
    }
    // Not pyv's: no lock was ever taken for `photos`, and a file is not a stage.
    let foreign = env.root().join(".staging/photos.2023");
    fs::create_dir_all(&foreign).unwrap();
    let file = env.root().join(".staging/3.98.0.77");
    fs::write(&file, "x").unwrap();
    let out = ok_stdout(env.pyv().args(["versions", "--bare"]));
    assert!(!out.contains(V), "{out}");
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
    assert!(!stale.exists() && !other.exists());
    assert!(foreign.is_dir() && file.is_file());
}

/// `ln -s /data ~/.pyv/.staging` (builds on a big disk): the leftover sweep never goes through
/// a link pyv did not make, so nothing of `/data` named like `x.<digits>` is deleted.
#[test]
fn a_symlinked_staging_dir_never_loses_a_file() {
    let env = Env::new();
    let data = env.path().join("data");
    for d in ["photos.2023/2023-08", &format!("{V}.999999/dest")] {
        fs::create_dir_all(data.join(d)).unwrap();
    }
    fs::write(data.join("photos.2023/2023-08/beach.jpg"), "jpeg").unwrap();
    fs::write(data.join("notes.1"), "mine").unwrap();
    fs::create_dir_all(env.root().join(".locks")).unwrap();
    for v in [V, "photos"] {
        fs::write(env.root().join(format!(".locks/version-{v}.lock")), "").unwrap();
    }
    std::os::unix::fs::symlink(&data, env.root().join(".staging")).unwrap();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let _ = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert!(data.join("photos.2023/2023-08/beach.jpg").is_file());
    assert!(data.join("notes.1").is_file());
    assert!(data.join(format!("{V}.999999/dest")).is_dir());
}

#[test]
fn concurrent_installs_of_one_version_wait_then_agree() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let sha = fake_release::sha256(&tgz);
    // The first install's configure waits for a gate file, which is created only once the
    // second install has said it is waiting: the overlap is certain, however slow the machine.
    let gate = env.path().join("gate");
    let mut first = install(&env, &server, &sha);
    first
        .env("FAKE_GATE", &gate)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    let mut a = first.spawn().unwrap();
    let mut lines = BufReader::new(a.stderr.take().unwrap()).lines();
    while let Some(Ok(l)) = lines.next() {
        if l.contains("configure ...") {
            break;
        }
    }
    let mut second = install(&env, &server, &sha);
    second.stderr(Stdio::piped()).stdout(Stdio::piped());
    let mut b = second.spawn().unwrap();
    let mut b_lines = BufReader::new(b.stderr.take().unwrap()).lines();
    let mut b_err = String::new();
    while let Some(Ok(l)) = b_lines.next() {
        b_err.push_str(&l);
        b_err.push('\n');
        if l.contains("waiting for it") {
            break;
        }
    }
    fs::write(&gate, "").unwrap();
    for l in b_lines.map_while(Result::ok) {
        b_err.push_str(&l);
        b_err.push('\n');
    }
    let b = b.wait_with_output().unwrap();
    let a_status = a.wait().unwrap();
    assert!(a_status.success());
    let b_out = String::from_utf8_lossy(&b.stdout);
    assert_eq!(b.status.code(), Some(0), "{b_err}");
    assert!(b_err.contains("waiting for it"), "{b_err}");
    assert!(
        b_out.contains("installed by another pyv meanwhile"),
        "{b_out}"
    );
}

#[test]
fn a_failed_forced_rebuild_keeps_the_old_version() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let sha = fake_release::sha256(&tgz);
    assert_eq!(run(&mut install(&env, &server, &sha)).0, 0);
    let marker = env.version_dir(V).join("old-marker");
    fs::write(&marker, "old").unwrap();
    let (code, _, err) = run(install(&env, &server, &sha)
        .arg("--force")
        .env("FAKE_FAIL", "make"));
    assert_eq!(code, 1, "{err}");
    assert!(
        marker.exists(),
        "the old version must survive a failed rebuild"
    );
    assert_clean_staging(&env);
    let (code, _, err) = run(install(&env, &server, &sha).arg("--force"));
    assert_eq!(code, 0, "{err}");
    assert!(
        !marker.exists(),
        "a successful rebuild replaces the old tree"
    );
    assert!(env.version_dir(V).join("bin/python3").exists());
}

#[test]
fn no_compiler_stops_before_downloading() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let (code, _, err) =
        run(install(&env, &server, &fake_release::sha256(&tgz)).env("CC", "/nonexistent/cc"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "cannot build Python here: C compiler (`/nonexistent/cc` (from CC) not found)"
        ),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

/// A compiler wrapper that cannot find the OpenSSL headers.
fn cc_without_ssl(env: &Env) -> String {
    let cc = env.path().join("cc-no-ssl");
    write_exe(
        &cc,
        "#!/bin/sh\nsrc=$(cat)\ncase \"$src\" in *openssl*) echo 'fatal error: openssl/ssl.h: No such file or directory' >&2; exit 1;; esac\nprintf '%s' \"$src\" | exec cc \"$@\"\n",
    );
    cc.display().to_string()
}

#[test]
fn missing_ssl_headers_stop_unless_skipped() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let sha = fake_release::sha256(&tgz);
    let cc = cc_without_ssl(&env);
    let mut c = env.pyv();
    c.env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .env("CC", &cc)
        .args(["install", "--sha256", &sha, V]);
    let (code, _, err) = run(&mut c);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cannot build Python here: ssl (missing: ssl, hashlib"),
        "{err}"
    );
    assert!(err.contains("--skip-preflight"), "{err}");
    assert!(server.requests().is_empty());
    let (code, _, err) = run(c.arg("--skip-preflight"));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn doctor_reports_each_dependency() {
    let env = Env::new();
    let cc = cc_without_ssl(&env);
    let (code, out, _) = run(env.pyv().arg("doctor").env("CC", &cc));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("MISSING  ssl"), "{out}");
    assert!(out.contains("C compiler"), "{out}");
    assert!(out.contains("make"), "{out}");
    for lib in [
        "zlib", "ffi", "sqlite3", "bz2", "lzma", "readline", "ncurses", "uuid", "gdbm", "tk",
    ] {
        assert!(
            out.lines()
                .any(|l| l.split_whitespace().nth(1) == Some(lib)),
            "{lib}: {out}"
        );
    }
}

#[test]
fn install_without_arguments_installs_the_missing_selection() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    fs::write(env.path().join(".python-version"), format!("{V}\n")).unwrap();
    let mut c = env.pyv();
    c.env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args([
            "install",
            "--skip-preflight",
            "--sha256",
            &fake_release::sha256(&tgz),
        ]);
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("installed Python {V}")), "{out}");
    let (code, out, _) = run(&mut c);
    assert_eq!(code, 0);
    assert!(out.contains("every selected version is installed"), "{out}");
}

#[test]
fn uninstall_exact_names_only() {
    let env = Env::new();
    env.fake_version("3.12.1", &["python"]);
    let (code, _, err) = run(env.pyv().args(["uninstall", "-f", "3.12"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("version `3.12` is not installed (given on the command line)"),
        "{err}"
    );
    assert!(err.contains("installed: 3.12.1"), "{err}");
    let (code, _, err) = run(env.pyv().args(["uninstall", "-f", "../3.12.1"]));
    assert_eq!(code, 1);
    assert!(err.contains("`../3.12.1`"), "{err}");
    fs::write(env.root().join("version"), "3.12.1\n").unwrap();
    // Without -f the answer is read from stdin, terminal or not: EOF or anything but y/yes
    // keeps the version (exit 1, hint -f); before, a pipe or /dev/null meant "delete".
    for input in ["", "n\n", "\n", "yess\n"] {
        let (code, _, err) = run_input(env.pyv().args(["uninstall", "3.12.1"]), input);
        assert_eq!(code, 1, "{input:?}: {err}");
        assert!(err.contains("[y/N]"), "{err}");
        assert!(
            err.contains("kept Python `3.12.1` (not confirmed)"),
            "{err}"
        );
        assert!(err.contains("-f"), "{err}");
        assert!(env.version_dir("3.12.1").is_dir(), "{input:?} deleted it");
    }
    let (code, out, err) = run(env
        .pyv()
        .args(["uninstall", "3.12.1"])
        .stdin(std::process::Stdio::null()));
    assert_eq!(code, 1, "{out}{err}");
    assert!(env.version_dir("3.12.1").is_dir(), "</dev/null deleted it");
    let (code, out, err) = run_input(env.pyv().args(["uninstall", "3.12.1"]), "y\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("uninstalled Python 3.12.1"), "{out}");
    assert!(err.contains("is selected by"), "{err}");
    assert!(!env.version_dir("3.12.1").exists());
    assert!(!env.shims().join("python").exists());
}

#[test]
fn uninstall_names_and_guards_virtualenvs() {
    let env = Env::new();
    let base = env.fake_version("3.12.1", &["python"]);
    let venv = base.join("envs/web");
    fs::create_dir_all(venv.join("bin")).unwrap();
    fs::write(
        venv.join("pyvenv.cfg"),
        format!("home = {}/bin\n", base.display()),
    )
    .unwrap();
    std::os::unix::fs::symlink("3.12.1/envs/web", env.version_dir("web")).unwrap();
    let (code, _, err) = run(env.pyv().args(["uninstall", "-f", "web"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("`web` (given on the command line) is a virtualenv"),
        "{err}"
    );
    assert!(err.contains("pyv virtualenv-delete web"), "{err}");
    let (code, _, err) = run_input(env.pyv().args(["uninstall", "3.12.1"]), "y\n");
    assert_eq!(code, 1);
    assert!(
        err.contains("has virtualenvs built on it: 3.12.1/envs/web"),
        "{err}"
    );
    assert!(err.contains("--with-envs"), "{err}");
    assert!(base.exists());
    let (code, out, err) = run_input(
        env.pyv().args(["uninstall", "--with-envs", "3.12.1"]),
        "yes\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("and its virtualenvs 3.12.1/envs/web"), "{out}");
    assert!(
        fs::symlink_metadata(env.version_dir("web")).is_err(),
        "alias removed"
    );
}

#[test]
fn a_mirror_without_a_scheme_is_a_usage_error_before_any_work() {
    let env = Env::new();
    for (var, value) in [
        ("PYV_MIRROR", "mirror.example.com/python"),
        ("PYV_MIRROR", "file:///srv/python, ftp.example.com"),
        ("PYV_PYTHON_ORG", "www.python.org/ftp/python"),
    ] {
        let (code, _, err) = run(env.pyv().env(var, value).args(["install", "3.11.2"]));
        assert_eq!(code, 2, "{var}={value}: {err}");
        let bad = value.rsplit(", ").next().unwrap();
        assert!(
            err.starts_with(&format!("pyv: `{bad}` (from {var}) is not an http://")),
            "{err}"
        );
        assert!(err.contains("hint: set"), "{err}");
        assert!(!env.path().join("cache").read_dir().unwrap().any(|_| true));
    }
}

#[test]
fn concurrent_installs_of_one_archive_download_it_once() {
    // 3.99.1 and 3.99.1t build from the same archive: the second waits for the first's
    // download instead of writing the same `.part` (which failed with a false mismatch).
    let env = Env::new();
    let tgz = fake_release::tgz_with(V, &[("noise.bin", &noise(400_000))]);
    let server = serve(&tgz);
    let tgz_path = format!("/{V}/Python-{V}.tgz");
    server.fault(&tgz_path, Fault::Drip(Duration::from_millis(200)));
    let sha = fake_release::sha256(&tgz);
    let mut a = install(&env, &server, &sha)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = a.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut a_err = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the first download never started: {a_err:?}"));
        let started = line.contains("download http");
        a_err.push(line);
        if started {
            break;
        }
    }
    let mut second = env.pyv();
    second
        .env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args([
            "install",
            "--skip-preflight",
            "--sha256",
            &sha,
            &format!("{V}t"),
        ]);
    let (code, _, b_err) = run(&mut second);
    let a_status = a.wait().unwrap();
    a_err.extend(rx.iter());
    assert!(a_status.success(), "{a_err:#?}");
    assert_eq!(code, 0, "{b_err}");
    assert!(b_err.contains("another pyv is downloading"), "{b_err}");
    assert!(b_err.contains("using cached"), "{b_err}");
    let n = server
        .requests()
        .iter()
        .filter(|r| r.contains(&tgz_path))
        .count();
    assert_eq!(n, 1, "{:?}", server.requests());
    assert!(env.version_dir(V).exists() && env.version_dir(&format!("{V}t")).exists());
    assert_eq!(cache_entries(&env), [format!("Python-{V}.tgz")]);
}

#[test]
fn a_resume_answered_from_the_wrong_offset_starts_over() {
    let env = Env::new();
    let tgz = fake_release::tgz_with(V, &[("noise.bin", &noise(100_000))]);
    let server = serve(&tgz);
    let tgz_path = format!("/{V}/Python-{V}.tgz");
    server.fault(&tgz_path, Fault::RangeFromZero);
    // An interrupted download left the first 700 (good) bytes.
    fs::write(
        env.path().join(format!("cache/Python-{V}.tgz.part")),
        &tgz[..700],
    )
    .unwrap();
    let (code, _, err) = run(&mut install(&env, &server, &fake_release::sha256(&tgz)));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("asked to resume at byte 700, the server sent `Content-Range: bytes 0-"),
        "{err}"
    );
    let reqs: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.contains(&tgz_path))
        .collect();
    assert_eq!(
        reqs,
        [
            format!("GET {tgz_path} range=bytes=700-"),
            format!("GET {tgz_path}")
        ]
    );
    assert!(env.version_dir(V).join("bin/python3").exists());
}

#[test]
fn unresolvable_and_refusing_mirrors_are_tried_once_each() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = format!("http://127.0.0.1:{closed}");
    let mut cmd = install(&env, &server, &fake_release::sha256(&tgz));
    cmd.env(
        "PYV_MIRROR",
        format!("http://pyv-test.invalid/,{refused},{}", server.url()),
    );
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("retrying"), "{err}");
    let dns: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("pyv-test.invalid"))
        .collect();
    assert_eq!(
        dns,
        [format!(
            "pyv: {V}: http://pyv-test.invalid/{V}/Python-{V}.tar.xz: cannot resolve host `pyv-test.invalid` (DNS)"
        )],
        "{err}"
    );
    let refusals: Vec<&str> = err.lines().filter(|l| l.contains(&refused)).collect();
    assert_eq!(
        refusals,
        [format!(
            "pyv: {V}: {refused}/{V}/Python-{V}.tar.xz: connection refused by `127.0.0.1`"
        )],
        "{err}"
    );
    // When nothing works, the error lists each URL tried once, with its reason.
    let env = Env::new();
    let mut cmd = env.pyv();
    cmd.env("PYV_MIRROR", "http://pyv-test.invalid/")
        .env("PYV_PYTHON_ORG", &refused)
        .args([
            "install",
            "--skip-preflight",
            "--sha256",
            &fake_release::sha256(&tgz),
            V,
        ]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 1, "{err}");
    let at = err.find("pyv: cannot download").unwrap();
    assert!(
        err[at..].starts_with(&format!(
            "pyv: cannot download `Python-{V}.tar.xz` from any source:\n  \
             http://pyv-test.invalid/{V}/: cannot resolve host `pyv-test.invalid` (DNS) (Python-{V}.tar.xz)\n  \
             {refused}/{V}/: connection refused by `127.0.0.1` (Python-{V}.tar.xz)\nhint: "
        )),
        "{err}"
    );
}

#[test]
fn install_with_nothing_missing_points_at_install_version_and_list() {
    let env = Env::new();
    env.fake_version(V, &["python"]);
    fs::write(env.path().join(".python-version"), format!("{V}\n")).unwrap();
    let (code, out, _) = run(env.pyv().arg("install"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("every selected version is installed"), "{out}");
    assert!(out.contains("`pyv install <version>`"), "{out}");
    assert!(out.contains("`pyv install --list`"), "{out}");
    // Only `system` selected.
    fs::write(env.path().join(".python-version"), "system\n").unwrap();
    let (code, out, _) = run(env.pyv().arg("install"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("only `system` is selected"), "{out}");
    assert!(out.contains("`pyv install --list`"), "{out}");
    // Nothing selected at all.
    fs::remove_file(env.path().join(".python-version")).unwrap();
    let (code, _, err) = run(env.pyv().arg("install"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`pyv install 3.13`") && err.contains("`pyv install --list`"),
        "{err}"
    );
}

#[test]
fn a_prefix_request_says_what_it_resolved_to_first() {
    let env = Env::new();
    let server = Server::start();
    let (code, _, err) = run(env
        .pyv()
        .env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--skip-preflight", "3.13"]));
    assert_eq!(code, 1, "nothing to download here: {err}");
    // (after the warning that the release list could not be refreshed: no API here)
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("pyv: 3.13 -> 3.13."))
        .unwrap_or_else(|| panic!("no resolution line: {err}"));
    assert!(
        lines[..at].iter().all(|l| l.contains("warning")),
        "work started before the resolution line: {err}"
    );
    let first = lines[at];
    let exact = first.trim_start_matches("pyv: 3.13 -> ");
    assert!(exact.split('.').count() == 3, "{err}");
    // An exact request says nothing of the kind.
    let (_, _, err) = run(env
        .pyv()
        .env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--skip-preflight", exact]));
    assert!(!err.contains(" -> "), "{err}");
}

#[test]
fn doctor_says_each_thing_once() {
    let env = Env::new();
    let cc = cc_without_ssl(&env);
    let (code, out, _) = run(env.pyv().arg("doctor").env("CC", &cc));
    assert_eq!(code, 1, "{out}");
    for line in out.lines() {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            assert_ne!(pair[0], pair[1], "repeated word in `{line}`");
        }
        let missing = words.iter().filter(|w| *w == "missing").count();
        assert!(missing <= 1, "`missing` twice in `{line}`");
        if let Some(cmd) = line.strip_prefix("to install what is missing: ") {
            let mut pkgs: Vec<&str> = cmd.split_whitespace().collect();
            let n = pkgs.len();
            pkgs.sort();
            pkgs.dedup();
            assert_eq!(pkgs.len(), n, "a package twice in `{line}`");
        }
    }
    assert!(out.contains("MISSING  ssl"), "{out}");
    assert!(out.contains("Python would lack ssl, hashlib"), "{out}");
}

#[test]
fn doctor_exits_1_without_the_shim_binary() {
    let env = Env::new();
    let lonely = env.path().join("bin");
    fs::create_dir_all(&lonely).unwrap();
    fs::copy(common::pyv_bin(), lonely.join("pyv")).unwrap();
    let mut c = env.cmd(lonely.join("pyv"));
    let (code, out, _) = run(c.arg("doctor"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("MISSING  pyv-shim"), "{out}");
    assert!(out.contains("install.sh"), "{out}");
    let (_, out, _) = run(env.pyv().arg("doctor"));
    assert!(out.contains("ok       pyv-shim"), "{out}");
}

/// `install` run on a pseudo-terminal by util-linux `script`, so the live progress is drawn;
/// returns the child and the file the terminal output goes to. Bytes written to the child's
/// stdin are typed on that terminal (`\x03` is a real Ctrl-C).
fn install_on_a_tty(
    env: &Env,
    server: &Server,
    sha: &str,
    extra: &[(&str, &str)],
) -> (std::process::Child, std::path::PathBuf) {
    let typescript = env.path().join("typescript");
    let inner = install(env, server, sha);
    let line = std::iter::once(inner.get_program())
        .chain(inner.get_args())
        .map(|a| format!("'{}'", a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = env.cmd("script");
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.envs(extra.iter().copied())
        .env("TERM", "xterm")
        .args(["-qfec", &format!("exec {line}")])
        .arg(&typescript)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    (c.spawn().unwrap(), typescript)
}

#[test]
fn on_a_terminal_the_header_comes_before_the_bar_and_no_empty_bar_is_left() {
    let env = Env::new();
    let tgz = fake_release::tgz_with(V, &[("noise.bin", &noise(300_000))]);
    let server = serve(&tgz);
    let (mut child, typescript) = install_on_a_tty(&env, &server, &fake_release::sha256(&tgz), &[]);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let out = String::from_utf8_lossy(&fs::read(&typescript).unwrap()).into_owned();
    let header = out.find(&format!("pyv: {V}: download http")).expect(&out);
    let bar = out.find(&format!("{V} download [")).expect(&out);
    assert!(
        header < bar,
        "a bar was drawn before its header line:\n{out:?}"
    );
    assert!(out.contains(&format!("installed Python {V}")), "{out:?}");
}

#[test]
fn on_a_terminal_ctrl_c_clears_the_spinner() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let (mut child, typescript) = install_on_a_tty(
        &env,
        &server,
        &fake_release::sha256(&tgz),
        &[("FAKE_SLEEP", "configure")],
    );
    let spinner = format!("{V} configure");
    // Wait (on the condition, polling the typescript) until the spinner is on screen.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let out = fs::read(&typescript).unwrap_or_default();
        if String::from_utf8_lossy(&out).contains(&spinner) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            String::from_utf8_lossy(&out)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    let out = String::from_utf8_lossy(&fs::read(&typescript).unwrap()).into_owned();
    assert!(!status.success(), "{out:?}");
    let interrupted = out.find("interrupted by").expect(&out);
    let last_spinner = out[..interrupted].rfind(&spinner).unwrap();
    // After its last frame the spinner's line is erased before anything else is said.
    let after = &out[last_spinner..interrupted];
    assert!(
        after.contains("\x1b[2K"),
        "spinner left on screen:\n{out:?}"
    );
    assert_clean(&env, V);
}

/// `pyv install 3.13` from a mirror that lacks the newest 3.13.x: the error lists what the
/// mirror's index has of 3.13 and the command that installs the newest of it.
#[test]
fn a_release_missing_from_the_mirror_points_at_what_the_mirror_has() {
    let env = Env::new();
    let server = Server::start();
    // python.org's shape: an HTML index of `X.Y.Z/` directories (and things that are not).
    server.file(
        "/",
        br#"<html><body><h1>Index of /</h1><pre>
<a href="../">../</a>
<a href="3.12.9/">3.12.9/</a>
<a href="3.13.1/">3.13.1/</a>
<a href="3.13.2/">3.13.2/</a>
<a href="3.13.99/">3.13.99/</a>
<a href="3.14.0a1/">3.14.0a1/</a>
<a href="README.html">README</a>
</pre></body></html>"#
            .to_vec(),
    );
    let (code, _, err) = run(env
        .pyv()
        .env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(["install", "--source", "--skip-preflight", "3.13"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("HTTP 404 Not Found"), "{err}");
    // 3.13.99 is listed but unknown to pyv's catalog (no digest): it is not the suggestion.
    let hint = err.lines().last().unwrap();
    assert_eq!(
        hint,
        format!(
            "hint: the mirror `{}` has 3.13.1, 3.13.2, 3.13.99; `pyv install 3.13.2` installs the \
             newest of them",
            server.url()
        ),
        "{err}"
    );
    assert!(
        server.requests().iter().any(|r| r == "GET /"),
        "{:?}",
        server.requests()
    );

    // No index (or one without 3.13): the plain 404 hint, no guess.
    let bare = Server::start();
    let (code, _, err) = run(env
        .pyv()
        .env("PYV_MIRROR", bare.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", bare.url()))
        .args(["install", "--source", "--skip-preflight", "3.13"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("hint: no source has this release"),
        "{err}"
    );
}

/// pyenv 2.8's `VERSION:ALIAS`: the build lands in `versions/ALIAS`, configured for that prefix,
/// and its receipt records the real version; a bad alias is one line naming it.
#[test]
fn version_colon_alias_installs_under_the_alias() {
    let env = Env::new();
    let tgz = fake_release::tgz(V);
    let server = serve(&tgz);
    let sha = fake_release::sha256(&tgz);
    let c = install(&env, &server, &sha);
    let args: Vec<_> = c.get_args().map(|a| a.to_owned()).collect();
    let mut c = env.pyv();
    c.env("PYV_MIRROR", server.url())
        .env("PYV_PYTHON_ORG", format!("{}/upstream", server.url()))
        .args(&args[..args.len() - 1])
        .arg(format!("{V}:lto"));
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 0, "{err}");
    let dir = env.version_dir("lto");
    assert!(out.contains("installed Python lto"), "{out}");
    assert!(!env.version_dir(V).exists());
    let conf = fs::read_to_string(dir.join("lib/configure.args")).unwrap();
    assert!(
        conf.contains(&format!("--prefix={}", dir.display())),
        "{conf}"
    );
    let receipt = fs::read_to_string(dir.join(".pyv-install")).unwrap();
    assert!(receipt.contains(&format!("version={V}")), "{receipt}");
    let listed = ok_stdout(env.pyv().args(["versions", "--bare"]));
    assert!(listed.lines().any(|l| l == "lto"), "{listed}");

    for bad in ["..", "a/envs/b", "-x", "system"] {
        let (code, _, err) = run(env.pyv().args(["install", &format!("{V}:{bad}")]));
        assert_eq!(code, 2, "{bad}: {err}");
        assert_eq!(
            err.lines().filter(|l| !l.starts_with("hint")).count(),
            1,
            "{err}"
        );
        assert!(err.contains(&format!("invalid alias `{bad}`")), "{err}");
    }
    assert!(server.requests().len() <= 2);
}
