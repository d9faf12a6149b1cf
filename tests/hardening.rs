//! Hardening, round 2 (issue 12): closed pipes, signals to shims and builds, crashes and the
//! leftovers they leave, and the messages a new user meets on the way.

mod common;

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ok_stdout, run, write_exe, Env};

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

/// Exit code and stderr of `c` with its stdout a closed pipe (as under `| head -0`).
fn with_closed_stdout(c: &mut Command) -> (Option<i32>, Option<i32>, String) {
    let out = c
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        out.status.signal(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_pyv_quietly() {
    let env = Env::new();
    env.fake_version("3.11.2", &["python"]);
    env.fake_version("3.12.1", &["python"]);
    for args in [
        &["versions"][..],
        &["commands"],
        &["install", "--list"],
        &["versions", "--bare"],
    ] {
        let (code, signal, err) = with_closed_stdout(env.pyv().args(args));
        assert_eq!(
            (code, signal, err.as_str()),
            (Some(0), None, ""),
            "pyv {args:?} | head -0"
        );
    }
}

#[test]
fn a_shim_error_on_a_closed_stderr_keeps_its_exit_code() {
    let env = Env::new();
    env.fake_version("3.11.2", &["python"]);
    ok_stdout(env.pyv().arg("rehash"));
    fs::write(env.path().join(".python-version"), "3.12.7\n").unwrap();
    let shim = || {
        let mut c = env.cmd(env.shims().join("python"));
        c.env("PATH", env.shim_path());
        c
    };
    let (open_code, _, err) = run(&mut shim());
    assert!(err.contains("not installed"), "{err}");
    assert_ne!(open_code, 0);
    let status = shim()
        .stdout(Stdio::null())
        .stderr(closed_pipe())
        .status()
        .unwrap();
    assert_eq!(
        (status.code(), status.signal()),
        (Some(open_code), None),
        "the shim's error to a closed stderr"
    );
    // pyv's own errors, likewise.
    let (code, _, _) = run(env.pyv().args(["prefix", "3.12.7"]));
    let status = env
        .pyv()
        .args(["prefix", "3.12.7"])
        .stderr(closed_pipe())
        .status()
        .unwrap();
    assert_eq!((status.code(), status.signal()), (Some(code), None));
}

/// `pip install` through a shim is waited for (to rehash after it): SIGTERM or SIGHUP sent to
/// the shim alone (a service manager, a closed terminal) must reach pip too, not orphan it.
#[test]
fn sigterm_and_sighup_to_a_shim_reach_pip() {
    let env = Env::new();
    let bin = env.fake_version("3.11.2", &["python"]).join("bin");
    let started = env.path().join("started");
    write_exe(
        &bin.join("pip"),
        &format!(
            "#!/bin/sh\necho $$ > '{0}.tmp' && mv '{0}.tmp' '{0}'\nexec sleep 600\n",
            started.display()
        ),
    );
    ok_stdout(env.pyv().args(["global", "3.11.2"]));
    ok_stdout(env.pyv().arg("rehash"));
    // TERM and HUP, and what `kill -INT/-USR1/-USR2/-ALRM <shim>` sends (before, INT was
    // swallowed with pip running on, and USR1/USR2/ALRM killed the shim and orphaned pip).
    let signals = [
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGALRM,
    ];
    for signal in signals {
        for via_exec in [false, true] {
            let _ = fs::remove_file(&started);
            let mut cmd = if via_exec {
                let mut c = env.pyv();
                c.args(["exec", "pip"]);
                c
            } else {
                let mut c = env.cmd(env.shims().join("pip"));
                c.env("PATH", env.shim_path());
                c
            };
            let mut child = cmd
                .args(["install", "black"])
                .stdin(Stdio::null())
                .spawn()
                .unwrap();
            let pip = wait_for_pid_file(&started);
            // SAFETY: signalling our own child.
            unsafe { libc::kill(child.id() as i32, signal) };
            let status = wait_deadline(&mut child, Duration::from_secs(30));
            let gone = wait_until(Duration::from_secs(10), || {
                // SAFETY: probing a pid with signal 0.
                unsafe { libc::kill(pip, 0) != 0 }
            });
            if !gone {
                // SAFETY: cleaning up the orphan this test made.
                unsafe { libc::kill(pip, libc::SIGKILL) };
            }
            assert!(gone, "pip outlived the shim's {signal} (exec: {via_exec})");
            assert!(
                status.signal() == Some(signal) || status.code() == Some(128 + signal),
                "{status:?}"
            );
        }
    }
}

/// A resize (SIGWINCH) sent to the shim reaches the waited-for pip, which keeps running.
#[test]
fn sigwinch_to_a_shim_reaches_pip() {
    let env = Env::new();
    let bin = env.fake_version("3.11.2", &["python"]).join("bin");
    let started = env.path().join("started");
    let got = env.path().join("got");
    write_exe(
        &bin.join("pip"),
        &format!(
            "#!/bin/sh\ntrap 'echo winch >> \"{1}\"' WINCH\necho $$ > '{0}.tmp' && mv '{0}.tmp' '{0}'\n\
             i=0; while [ $i -lt 100 ] && [ ! -s \"{1}\" ]; do sleep 0.1; i=$((i+1)); done\n",
            started.display(),
            got.display()
        ),
    );
    ok_stdout(env.pyv().args(["global", "3.11.2"]));
    ok_stdout(env.pyv().arg("rehash"));
    let mut child = env
        .cmd(env.shims().join("pip"))
        .env("PATH", env.shim_path())
        .args(["install", "black"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_pid_file(&started);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGWINCH) };
    let status = wait_deadline(&mut child, Duration::from_secs(30));
    assert!(status.success(), "{status:?}");
    assert_eq!(fs::read_to_string(&got).unwrap_or_default(), "winch\n");
}

/// The pid a test script wrote to `file` (waiting up to a minute for it).
fn wait_for_pid_file(file: &std::path::Path) -> i32 {
    assert!(
        wait_until(Duration::from_secs(60), || file.exists()),
        "{} never appeared",
        file.display()
    );
    fs::read_to_string(file).unwrap().trim().parse().unwrap()
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn wait_deadline(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `pyv install A B C`: a failure of one does not stop the others; a summary at the end names
/// what failed, and the exit status is 1.
#[test]
fn install_of_several_versions_goes_on_after_a_failure_and_sums_up() {
    let env = Env::new();
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz("3.99.3"),
    )
    .unwrap();
    fs::write(env.path().join("Python-3.99.4.tgz"), b"not a tarball").unwrap();
    fs::write(
        env.path().join("Python-3.99.5.tgz"),
        common::fake_release::tgz("3.99.5"),
    )
    .unwrap();
    let (code, out, err) = run(env.pyv().args([
        "install",
        "--skip-preflight",
        "./Python-3.99.4.tgz",
        "./Python-3.99.3.tgz",
        "./Python-3.99.5.tgz",
    ]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(env.version_dir("3.99.3").exists(), "{err}");
    assert!(env.version_dir("3.99.5").exists(), "{err}");
    assert!(out.contains("installed Python 3.99.5"), "{out}");
    assert!(
        err.contains("pyv: 1 of 3 installs failed: `./Python-3.99.4.tgz`"),
        "{err}"
    );
    assert!(
        err.contains("hint: fix what the errors above say, then `pyv install ./Python-3.99.4.tgz`"),
        "{err}"
    );
    // One already installed is skipped, not counted as a failure.
    let (code, _, err) = run(env.pyv().args([
        "install",
        "--skip-preflight",
        "./Python-3.99.4.tgz",
        "./Python-3.99.3.tgz",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("pyv: `3.99.3` is already installed; skipped\n"),
        "{err}"
    );
    assert!(
        err.contains("pyv: 1 of 2 installs failed: `./Python-3.99.4.tgz` (already installed: `./Python-3.99.3.tgz`)\n"),
        "{err}"
    );
    assert!(
        err.contains("then `pyv install ./Python-3.99.4.tgz`\n"),
        "{err}"
    );
    let (code, out, err) = run(env.pyv().args([
        "install",
        "--skip-preflight",
        "./Python-3.99.3.tgz",
        "./Python-3.99.5.tgz",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("installs failed"), "{err}");
    // One version that fails keeps its own message and exit status, with no summary.
    let (code, _, err) =
        run(env
            .pyv()
            .args(["install", "--skip-preflight", "./Python-3.99.4.tgz"]));
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("installs failed"), "{err}");
}

/// A second install that waits for the first and is stopped had nothing to remove: it must
/// not claim "the partial install was removed".
#[test]
fn an_install_stopped_while_waiting_says_nothing_was_changed() {
    use std::io::{BufRead, BufReader};
    let env = Env::new();
    let lock = env.root().join(".locks/version-3.99.1.lock");
    fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let held = fs::File::create(&lock).unwrap();
    held.lock().unwrap();
    let mut child = env
        .pyv()
        .env("PYV_MIRROR", "http://127.0.0.1:1")
        .args(["install", "--skip-preflight", "--sha256"])
        .arg("0".repeat(64))
        .arg("3.99.1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut err = String::new();
    for l in lines.by_ref().map_while(Result::ok) {
        err.push_str(&l);
        err.push('\n');
        if l.contains("waiting for it") {
            break;
        }
    }
    assert!(err.contains("waiting for it"), "{err}");
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    for l in lines.map_while(Result::ok) {
        err.push_str(&l);
        err.push('\n');
    }
    let status = wait_deadline(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains(
            "interrupted by SIGINT (Ctrl-C) while waiting for another pyv; nothing was changed"
        ),
        "{err}"
    );
    assert!(!err.contains("partial install"), "{err}");
}

/// Ctrl-C while `pyv uninstall` waits for another pyv names the command that was stopped, not
/// `pyv install`.
#[test]
fn an_uninstall_stopped_while_waiting_names_the_uninstall() {
    use std::io::{BufRead, BufReader};
    let env = Env::new();
    fs::create_dir_all(env.version_dir("3.11.9/bin")).unwrap();
    let lock = env.root().join(".locks/version-3.11.9.lock");
    fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let held = fs::File::create(&lock).unwrap();
    held.lock().unwrap();
    let mut child = env
        .pyv()
        .args(["uninstall", "-f", "3.11.9"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut err = String::new();
    for l in lines.by_ref().map_while(Result::ok) {
        err.push_str(&l);
        err.push('\n');
        if l.contains("waiting for it") {
            break;
        }
    }
    assert!(err.contains("waiting for it"), "{err}");
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    for l in lines.map_while(Result::ok) {
        err.push_str(&l);
        err.push('\n');
    }
    let status = wait_deadline(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(
        err.contains("run `pyv uninstall -f 3.11.9` again once it is done"),
        "{err}"
    );
    assert!(!err.contains("pyv install"), "{err}");
    assert!(env.version_dir("3.11.9/bin").is_dir());
}

/// The pids listed in `file` that are still alive after `limit` (a killed process stays
/// visible until its new parent reaps it).
fn survivors(file: &std::path::Path, limit: Duration) -> Vec<i32> {
    let pids: Vec<i32> = fs::read_to_string(file)
        .unwrap()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    // SAFETY: probing pids with signal 0.
    let alive = |p: &i32| unsafe { libc::kill(*p, 0) } == 0;
    wait_until(limit, || !pids.iter().any(alive));
    pids.into_iter().filter(alive).collect()
}

/// `kill -9` of pyv during configure: configure (the group's leader) and what it started (a
/// grandchild of pyv) die with it, and the next install finds nothing recreating its stage.
#[test]
fn a_build_dies_with_a_killed_pyv() {
    let env = Env::new();
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz("3.99.3"),
    )
    .unwrap();
    let pids = env.path().join("configure-pids");
    let mut child = env
        .pyv()
        .args(["install", "--skip-preflight", "./Python-3.99.3.tgz"])
        .env("FAKE_SLEEP", "configure")
        .env("FAKE_PIDS", &pids)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(60), || pids.exists()),
        "configure never started"
    );
    child.kill().unwrap(); // SIGKILL: no handler, no cleanup of its own
    child.wait().unwrap();
    let left = survivors(&pids, Duration::from_secs(10));
    for p in &left {
        // SAFETY: cleaning up the orphans this test made.
        unsafe { libc::kill(*p, libc::SIGKILL) };
    }
    assert!(left.is_empty(), "build processes outlived pyv: {left:?}");
    let (code, _, err) =
        run(env
            .pyv()
            .args(["install", "--skip-preflight", "./Python-3.99.3.tgz"]));
    assert_eq!(code, 0, "{err}");
    let staging: Vec<_> = fs::read_dir(env.root().join(".staging"))
        .map(|rd| rd.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(staging.is_empty(), "{staging:?}");
}

/// `kill -9` of pyv while `python -m venv` runs: venv and the ensurepip it started (here a
/// sleeping grandchild standing in for it) die with pyv instead of living on with ppid 1.
#[test]
fn python_m_venv_and_its_ensurepip_die_with_a_killed_pyv() {
    let env = Env::new();
    let bin = env.version_dir("3.99.4").join("bin");
    fs::create_dir_all(&bin).unwrap();
    let pids = env.path().join("venv-pids");
    let fake = "#!/bin/sh\ncase \"$1\" in\n  -m) sleep 300 & echo \"$$ $!\" > \"$FAKE_PIDS.tmp\" && mv \"$FAKE_PIDS.tmp\" \"$FAKE_PIDS\"; wait ;;\n  *) exit 0 ;;\nesac\n";
    for n in ["python", "python3", "python3.99"] {
        write_exe(&bin.join(n), fake);
    }
    let mut child = env
        .pyv()
        .args(["virtualenv", "3.99.4", "web"])
        .env("PYV_VENV_FAST", "0")
        .env("FAKE_PIDS", &pids)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(60), || pids.exists()),
        "venv never started"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let left = survivors(&pids, Duration::from_secs(10));
    for p in &left {
        // SAFETY: cleaning up the orphans this test made.
        unsafe { libc::kill(*p, libc::SIGKILL) };
    }
    assert!(left.is_empty(), "venv processes outlived pyv: {left:?}");
}

/// A write that fails while unpacking (here EFBIG from `ulimit -f`, standing in for a full
/// disk) names the OS's reason, not only "failed to unpack X".
#[test]
fn a_failed_write_while_unpacking_keeps_the_os_cause() {
    let env = Env::new();
    let big = vec![7u8; 2 << 20];
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz_with("3.99.3", &[("big.bin", &big)]),
    )
    .unwrap();
    // An ignored SIGXFSZ is inherited through exec: the write fails with EFBIG instead.
    let mut c = env.cmd("/bin/sh");
    c.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1024; exec \"$0\" install --skip-preflight ./Python-3.99.3.tgz")
        .arg(common::pyv_bin());
    let (code, _, err) = run(&mut c);
    assert_eq!(code, 1, "{err}");
    let cause = std::io::Error::from_raw_os_error(libc::EFBIG).to_string();
    assert!(err.contains(&cause), "no `{cause}` in: {err}");
    assert!(!env.version_dir("3.99.3").exists());
}

/// Run `script` with `sh` in a new user and mount namespace (so it may mount a small tmpfs),
/// or `None` (after saying why) where this machine does not allow it.
fn in_mount_namespace(env: &Env, script: &str) -> Option<(i32, String, String)> {
    let probe = Command::new("unshare")
        .args(["-rm", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: `unshare -rm` (user + mount namespaces) is not allowed here");
        return None;
    }
    let mut c = env.cmd("unshare");
    c.args(["-rm", "sh", "-c", script, "sh"])
        .arg(common::pyv_bin())
        .env("ROOT", env.root());
    Some(run(&mut c))
}

/// A rehash that fails for want of space (a tmpfs out of inodes) removes its scratch
/// directory instead of leaving `.shims.<pid>` behind, and says why it failed.
#[test]
fn a_rehash_that_runs_out_of_space_leaves_no_scratch() {
    let env = Env::new();
    let script = r#"set -e
mount -t tmpfs -o size=64m,nr_inodes=64 tmpfs "$ROOT"
mkdir -p "$ROOT/versions/3.11.2/bin"
i=0; while [ $i -lt 40 ]; do printf '#!/bin/sh\n' > "$ROOT/versions/3.11.2/bin/cmd$i"; chmod +x "$ROOT/versions/3.11.2/bin/cmd$i"; i=$((i+1)); done
set +e
"$1" rehash; echo "rehash=$?"
ls -a "$ROOT"
"#;
    let Some((code, out, err)) = in_mount_namespace(&env, script) else {
        return;
    };
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("rehash=1"), "{out}{err}");
    let enospc = std::io::Error::from_raw_os_error(libc::ENOSPC).to_string();
    assert!(err.contains(&enospc), "{err}");
    assert!(!out.contains(".shims."), "scratch left behind:\n{out}{err}");
}

/// A killed uninstall leaves a whole Python tree under `.staging/`: the next install must not
/// spend its foreground deleting it (26 s for a real tree on a slow disk). Here the install
/// reaches configure while the leftover is still being deleted beside it.
#[test]
fn a_killed_uninstalls_tree_is_deleted_in_the_background() {
    use std::io::{BufRead, BufReader};
    let env = Env::new();
    let leftover = env.root().join(".staging/3.99.3.999999-uninstall/version");
    for d in 0..100 {
        let dir = leftover.join(format!("lib/d{d}"));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..50 {
            fs::write(dir.join(format!("f{f}.py")), b"x").unwrap();
        }
    }
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz("3.99.3"),
    )
    .unwrap();
    let gate = env.path().join("gate");
    let mut child = env
        .pyv()
        .args(["install", "--skip-preflight", "./Python-3.99.3.tgz"])
        .env("FAKE_GATE", &gate)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for l in lines.by_ref().map_while(Result::ok) {
        if l.contains("configure ...") {
            break;
        }
    }
    let still_there = leftover.exists();
    fs::write(&gate, "").unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success(), "{rest:?}");
    assert!(
        still_there,
        "the leftover was deleted in the foreground, before the build started"
    );
    assert!(env.version_dir("3.99.3").exists());
    // And it does go: by this install or (had pyv ended first) the next.
    if leftover.exists() {
        let (code, _, err) =
            run(env
                .pyv()
                .args(["install", "-f", "--skip-preflight", "./Python-3.99.3.tgz"]));
        assert_eq!(code, 0, "{err}");
    }
    assert!(wait_until(Duration::from_secs(30), || !leftover.exists()));
}

/// A compiler wrapper whose probe for the OpenSSL headers fails once (as a probe killed under
/// load does), then works; other probes pass through to the real `cc`.
fn cc_flaky_ssl(env: &Env) -> String {
    let cc = env.path().join("cc-flaky");
    let mark = env.path().join("ssl-failed-once");
    write_exe(
        &cc,
        &format!(
            "#!/bin/sh\nsrc=$(cat)\ncase \"$src\" in *openssl*) if [ ! -e '{0}' ]; then : > '{0}'; echo 'cc: fatal error: Killed signal terminated program cc1' >&2; exit 1; fi;; esac\nprintf '%s' \"$src\" | exec cc \"$@\"\n",
            mark.display()
        ),
    );
    cc.display().to_string()
}

/// A compiler wrapper that never finds zlib.h, saying so the way gcc does.
fn cc_without_zlib(env: &Env) -> String {
    let cc = env.path().join("cc-no-zlib");
    write_exe(
        &cc,
        "#!/bin/sh\nsrc=$(cat)\ncase \"$src\" in *zlib.h*) echo '<stdin>:1:10: fatal error: zlib.h: No such file or directory' >&2; echo 'compilation terminated.' >&2; exit 1;; esac\nprintf '%s' \"$src\" | exec cc \"$@\"\n",
    );
    cc.display().to_string()
}

/// A probe that fails once (under load) is retried alone before a library is called missing.
#[test]
fn a_preflight_probe_that_fails_once_is_retried() {
    let env = Env::new();
    let cc = cc_flaky_ssl(&env);
    let (code, out, err) = run(env.pyv().arg("doctor").env("CC", &cc));
    let ssl = out.lines().find(|l| l.contains(" ssl ")).unwrap_or("");
    assert!(ssl.trim_start().starts_with("ok"), "{out}{err}");
    assert_eq!(code, 0, "{out}{err}");
}

/// Why a library is missing, in the compiler's words: always in `pyv doctor`, with `-v` in an
/// install that stops for it.
#[test]
fn the_compilers_error_is_shown_for_a_missing_library() {
    let env = Env::new();
    let cc = cc_without_zlib(&env);
    let (code, out, _) = run(env.pyv().arg("doctor").env("CC", &cc));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("fatal error: zlib.h: No such file or directory"),
        "{out}"
    );
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz("3.99.3"),
    )
    .unwrap();
    let (code, _, err) = run(env
        .pyv()
        .args(["install", "-v", "./Python-3.99.3.tgz"])
        .env("CC", &cc));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot build Python here: zlib"), "{err}");
    assert!(
        err.contains("fatal error: zlib.h: No such file or directory"),
        "{err}"
    );
    // Without -v the error stays short.
    let (_, _, err) = run(env
        .pyv()
        .args(["install", "./Python-3.99.3.tgz"])
        .env("CC", &cc));
    assert!(!err.contains("compilation terminated"), "{err}");
}

/// Typos a new user made: a misspelt `python` before the version, a comma for the dot, the
/// letter under the `3` key. The hint names the version they meant and its installed releases
/// (it used to call `pyhton3.12` a virtualenv and offer unrelated versions).
#[test]
fn typo_hints_name_the_version_that_was_meant() {
    let env = Env::new();
    env.fake_version("3.12.1", &["python"]);
    env.fake_version("3.13.5", &["python"]);
    for (typed, meant, pick) in [
        ("pyhton3.12", "3.12", "3.12.1"),
        ("3.1e", "3.13", "3.13.5"),
        ("3,13", "3.13", "3.13.5"),
    ] {
        let (code, _, err) = run(env.pyv().args(["local", typed]));
        assert_eq!(code, 1, "{err}");
        assert!(
            err.lines().any(|l| l.starts_with("hint: ")
                && l.ends_with(&format!(
                    "did you mean `{meant}`? run `pyv install {meant}`, or pick one of: {pick}"
                ))),
            "{typed}: {err}"
        );
        assert!(!err.contains("virtualenv"), "{typed}: {err}");
        let (code, _, err) = run(env.pyv().args(["install", typed]));
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(&format!(
                "hint: did you mean `{meant}`? nearest known: {meant}."
            )),
            "{typed}: {err}"
        );
    }
}

/// `pyv local 3.13.05` writes the canonical `3.13.5` (what pyenv, reading the same file, and
/// every tool understand), saying so.
#[test]
fn a_version_with_leading_zeros_is_written_canonically() {
    let env = Env::new();
    env.fake_version("3.13.5", &["python"]);
    let (code, _, err) = run(env.pyv().args(["local", "3.13.05"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`3.13.05` is written as `3.13.5`"), "{err}");
    assert_eq!(
        fs::read_to_string(env.path().join(".python-version")).unwrap(),
        "3.13.5\n"
    );
    let (code, _, err) = run(env.pyv().args(["global", "3.13.05"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        fs::read_to_string(env.root().join("version")).unwrap(),
        "3.13.5\n"
    );
}

/// Virtualenv hints name versions that are installed, never an environment as a base, and
/// never a made-up `3.12`.
#[test]
fn virtualenv_hints_name_installed_base_versions_only() {
    let env = Env::new();
    env.fake_version("3.11.9", &["python"]);
    let web = env.version_dir("3.11.9/envs/web");
    fs::create_dir_all(web.join("bin")).unwrap();
    fs::write(web.join("pyvenv.cfg"), "home = /x\nversion = 3.11.9\n").unwrap();
    std::os::unix::fs::symlink("3.11.9/envs/web", env.version_dir("web")).unwrap();
    // A base that is not installed: the versions to pick from are versions.
    let (code, _, err) = run(env.pyv().args(["virtualenv", "3.12", "x"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("pick one of: 3.11.9"), "{err}");
    assert!(!err.contains("web"), "an env offered as a base: {err}");
    // Nothing selected means the system Python (as pyenv-virtualenv); with none on PATH, the
    // example is an installed version.
    let (code, _, err) = run(env
        .pyv()
        .args(["virtualenv", "x"])
        .env("PATH", "/nonexistent"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`pyv virtualenv 3.11.9 <name>`"), "{err}");
    assert!(!err.contains("3.12"), "{err}");
    // A Python without venv (2.7): the same.
    let bin = env.version_dir("2.7.18/bin");
    fs::create_dir_all(&bin).unwrap();
    write_exe(&bin.join("python"), "#!/bin/sh\nexit 42\n");
    let (code, _, err) = run(env.pyv().args(["virtualenv", "2.7.18", "old"]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`pyv virtualenv 3.11.9 <name>`"), "{err}");
    // A version's name where an environment's is expected.
    let (code, _, err) = run(env.pyv().args(["virtualenv-prefix", "3.12"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("`3.12` names a Python version, not a virtualenv"),
        "{err}"
    );
    assert!(!err.contains("pyv virtualenv <version> 3.12"), "{err}");
}

/// The same on a real full disk: a tmpfs too small for the unpacked tree.
#[test]
fn a_full_disk_while_unpacking_says_no_space_left() {
    let env = Env::new();
    let noise: Vec<u8> = (0..3u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz_with("3.99.3", &[("big.bin", &noise)]),
    )
    .unwrap();
    let script = r#"mount -t tmpfs -o size=1m tmpfs "$ROOT" || exit 99
cd "$ROOT/.." && "$1" install --skip-preflight ./Python-3.99.3.tgz"#;
    let Some((code, out, err)) = in_mount_namespace(&env, script) else {
        return;
    };
    assert_eq!(code, 1, "{out}{err}");
    let enospc = std::io::Error::from_raw_os_error(libc::ENOSPC).to_string();
    assert!(err.contains(&enospc), "no `{enospc}` in: {err}");
}

/// A pid that no process has now (a child that ran and was reaped).
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

/// Scratch that killed runs left in the cache (unpacked copies and templates being written)
/// is listed, removed by `cache clear` with its real size, and swept by the next install;
/// scratch of a live pyv and anything behind a symlink named like scratch are left alone.
#[test]
fn scratch_left_in_the_cache_is_listed_cleared_and_swept() {
    let env = Env::new();
    let cache = env.path().join("cache");
    let plant = |dir: &str, bytes: usize| {
        let d = cache.join(dir);
        fs::create_dir_all(d.join("python/lib")).unwrap();
        fs::write(d.join("python/lib/big"), vec![7u8; bytes]).unwrap();
        d
    };
    let dead = dead_pid();
    let unpacked = plant(&format!("unpacked/.cpython-3.99.1-k1.tmp-{dead}"), 3000);
    let build = plant(&format!("venv/.build-0a1b2c-{dead}"), 1000);
    let live = plant(
        &format!("unpacked/.cpython-3.99.1-k2.tmp-{}", std::process::id()),
        10,
    );
    let outside = env.path().join("photos");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("x.2023"), b"keep me").unwrap();
    std::os::unix::fs::symlink(&outside, cache.join(format!("unpacked/.k3.tmp-{dead}"))).unwrap();

    let list = ok_stdout(env.pyv().args(["cache", "list"]));
    assert!(list.contains("scratch left by pyv runs (3):"), "{list}");
    assert!(
        list.contains(&format!("left by pid {dead} (gone)")),
        "{list}"
    );
    assert!(list.contains("still running"), "{list}");
    assert!(list.contains("2.93 KiB"), "{list}");

    let (code, out, err) = run(env.pyv().args(["cache", "clear", "-f"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 scratch directories (3.91 KiB)"), "{out}");
    assert!(err.contains("a running pyv is writing it"), "{err}");
    assert!(!unpacked.exists() && !build.exists());
    assert!(live.exists(), "a live pyv's scratch was removed");
    assert_eq!(fs::read(outside.join("x.2023")).unwrap(), b"keep me");

    // An install that stores a build sweeps what a killed run left.
    let unpacked = plant(
        &format!("unpacked/.cpython-3.99.1-k4.tmp-{}", dead_pid()),
        100,
    );
    fs::write(
        env.path().join("Python-3.99.3.tgz"),
        common::fake_release::tgz("3.99.3"),
    )
    .unwrap();
    let (code, _, err) = run(env
        .pyv()
        .args(["install", "--skip-preflight", "./Python-3.99.3.tgz"])
        .env("PYV_ARTIFACT_CACHE", "1"));
    assert_eq!(code, 0, "{err}");
    assert!(
        !unpacked.exists(),
        "the install did not sweep {}",
        unpacked.display()
    );
    assert!(live.exists());
}

/// `versions` a symlink to another filesystem (pyenv users point it at a bigger disk): the
/// install stages beside the real versions directory, so its one-rename publish does not fail
/// with EXDEV after the whole build, and uninstall's rename out of `versions/` works too.
#[test]
fn versions_on_another_filesystem_install_and_uninstall() {
    let env = Env::new();
    let archive = env.path().join("Python-3.99.3.tgz");
    fs::write(&archive, common::fake_release::tgz("3.99.3")).unwrap();
    let big = env.path().join("big");
    fs::create_dir_all(&big).unwrap();
    let script = r#"set -e
mount -t tmpfs -o size=64m tmpfs "$BIG"
mkdir -p "$ROOT" "$BIG/versions"
rm -rf "$ROOT/versions"
ln -s "$BIG/versions" "$ROOT/versions"
set +e
"$1" install --skip-preflight --keep "$ARCHIVE"; echo "install=$?"
test -f "$ROOT/sources/3.99.3/configure" && echo "kept the source"
test -x "$BIG/versions/3.99.3/bin/python3" && echo "published"
"$1" versions --bare; echo "versions=$?"
"$1" uninstall -f .pyv-staging; echo "hidden=$?"
test -d "$BIG/versions/.pyv-staging" && echo "kept"
"$1" uninstall -f 3.99.3; echo "uninstall=$?"
test -e "$BIG/versions/3.99.3" || echo "removed"
ls -A "$BIG/versions" "$BIG/versions/.pyv-staging" "$ROOT/.staging" 2>/dev/null
# A build reused from the artifact cache (on the root's filesystem) lands there as well.
export PYV_ARTIFACT_CACHE=1
"$1" install --skip-preflight --sha256 "$SHA" "$ARCHIVE" 2>&1 | tail -n 0
"$1" uninstall -f 3.99.3 >/dev/null
"$1" install --skip-preflight --sha256 "$SHA" "$ARCHIVE"; echo "reused=$?"
"$BIG/versions/3.99.3/bin/python3" --version
true
"#;
    let probe = Command::new("unshare")
        .args(["-rm", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`unshare -rm` (user + mount namespaces) must work under CI"
        );
        eprintln!("skipped: `unshare -rm` (user + mount namespaces) is not allowed here");
        return;
    }
    let (code, out, err) = run(env
        .cmd("unshare")
        .args(["-rm", "sh", "-c", script, "sh"])
        .arg(common::pyv_bin())
        .env("ROOT", env.root())
        .env("BIG", &big)
        .env("ARCHIVE", &archive)
        .env(
            "SHA",
            common::fake_release::sha256(&fs::read(&archive).unwrap()),
        ));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("install=0\nkept the source\npublished\n"),
        "{out}{err}"
    );
    assert!(
        out.contains("published\n3.99.3\nversions=0\n"),
        "{out}{err}"
    );
    // The stages' directory is no version: `uninstall` does not take it.
    assert!(out.contains("hidden=1\nkept\n"), "{out}{err}");
    assert!(
        err.contains("version `.pyv-staging` is not installed"),
        "{err}"
    );
    assert!(out.contains("uninstall=0\nremoved\n"), "{out}{err}");
    assert!(out.contains("reused=0\n"), "{out}{err}");
    assert!(err.contains("reusing the cached build"), "{err}");
    assert!(!err.contains("cross-device"), "{err}");
    // Nothing left in either staging place but the (empty) staging directory itself.
    assert!(
        !out.contains("3.99.3."),
        "a stage was left behind:\n{out}{err}"
    );
}
