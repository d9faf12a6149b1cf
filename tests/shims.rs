//! Shims as a shell would run them: exec (same PID), byte-exact arguments, stdin, exit codes
//! and signals pass through; `system` skips the shims; rehash is atomic, safe and concurrent.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ok_stdout, run, write_exe, Env};

/// An env with one version whose `python` reports its pid, args (one per line) and stdin.
fn env_with_reporting_python() -> Env {
    let env = Env::new();
    let bin = env.version_dir("3.11.2").join("bin");
    fs::create_dir_all(&bin).unwrap();
    write_exe(
        &bin.join("python"),
        "#!/bin/bash\necho \"pid=$$\"\necho \"path=$PATH\"\nfor a in \"$@\"; do printf 'arg=%s\\n' \"$a\"; done\n\
         if [ \"$1\" = --stdin ]; then cat; fi\nif [ \"$1\" = --exit ]; then exit \"$2\"; fi\n\
         if [ \"$1\" = --signal ]; then kill -TERM $$; fi\n",
    );
    ok_stdout(env.pyv().arg("rehash"));
    fs::write(env.root().join("version"), "3.11.2\n").unwrap();
    env
}

fn shim(env: &Env, name: &str) -> Command {
    let mut c = env.cmd(env.shims().join(name));
    c.env("PATH", env.shim_path());
    c
}

#[test]
fn shim_execs_in_place_passing_args_stdin_and_status() {
    let env = env_with_reporting_python();
    let weird = OsStr::from_bytes(b"bytes \xff\xfe not utf-8");
    let mut child = shim(&env, "python")
        .args([
            OsStr::new("--stdin"),
            OsStr::new(""),
            OsStr::new("two words"),
            OsStr::new("'\"$HOME*"),
            weird,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from stdin\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = out.stdout;
    let text = String::from_utf8_lossy(&stdout);
    assert!(
        text.contains(&format!("pid={pid}\n")),
        "exec keeps the PID: {text}"
    );
    let expected: &[u8] = b"arg=--stdin\narg=\narg=two words\narg='\"$HOME*\narg=bytes \xff\xfe not utf-8\nfrom stdin\n";
    assert!(
        stdout.windows(expected.len()).any(|w| w == expected),
        "{text}"
    );
    // The version's bin comes first on PATH, as with pyenv.
    let bin = env.version_dir("3.11.2").join("bin");
    assert!(text.contains(&format!("path={}:", bin.display())), "{text}");

    let status = shim(&env, "python")
        .args(["--exit", "42"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(42));
    let status = shim(&env, "python").arg("--signal").status().unwrap();
    assert_eq!(
        status.signal(),
        Some(15),
        "killed by its own SIGTERM, not an exit code"
    );
}

#[test]
fn shim_follows_selection_order_and_reports_missing_commands() {
    let env = Env::new();
    env.fake_version("3.11.2", &["python", "python3"]);
    env.fake_version("2.7.18", &["python", "python2"]);
    ok_stdout(env.pyv().arg("rehash"));
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "3.11.2\n2.7.18\n").unwrap();
    assert_eq!(
        ok_stdout(shim(&env, "python").current_dir(&proj)),
        "python 3.11.2 \n"
    );
    assert_eq!(
        ok_stdout(shim(&env, "python2").current_dir(&proj)),
        "python2 2.7.18 \n"
    );
    assert_eq!(
        ok_stdout(shim(&env, "python").env("PYV_VERSION", "2.7.18")),
        "python 2.7.18 \n"
    );

    fs::write(proj.join(".python-version"), "3.11.2\n").unwrap();
    let (code, _, err) = run(shim(&env, "python2").current_dir(&proj));
    assert_eq!(code, 127, "{err}");
    assert!(
        err.starts_with("pyv: python2: command not found\n"),
        "{err}"
    );
    assert!(
        err.contains("\nThe `python2' command exists in these Python versions: 2.7.18\n"),
        "{err}"
    );
    assert!(err.lines().count() <= 4, "{err}");
    assert!(!err.contains("help global"), "{err}");

    // As pyenv: a selected version that is not installed is skipped when another has the
    // command (silently), and reported before "command not found" (127) when none has it.
    fs::write(proj.join(".python-version"), "3.12.0\n2.7.18\n").unwrap();
    let out = shim(&env, "python").current_dir(&proj).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "python 2.7.18 \n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    fs::write(proj.join(".python-version"), "3.12.0\n").unwrap();
    let (code, _, err) = run(shim(&env, "python").current_dir(&proj));
    assert_eq!(code, 127, "{err}");
    assert!(
        err.starts_with("pyv: version `3.12.0` is not installed (set by "),
        "{err}"
    );
    assert!(err.contains("\npyv: python: command not found\n"), "{err}");
}

#[test]
fn shim_never_runs_a_name_that_escapes_versions() {
    let env = env_with_reporting_python();
    let evil = env.path().join("evil/bin");
    fs::create_dir_all(&evil).unwrap();
    let marker = env.path().join("pwned");
    write_exe(
        &evil.join("python"),
        &format!("#!/bin/sh\ntouch '{}'\n", marker.display()),
    );
    for value in ["../../evil", "../evil", "3.11.2/../../../evil", "/tmp"] {
        let (code, _, err) = run(shim(&env, "python").env("PYV_VERSION", value));
        assert_eq!(code, 1, "{value}: {err}");
        assert!(err.contains(&format!("`{value}`")), "{err}");
    }
    assert!(!marker.exists(), "a traversal ran code outside versions/");
}

#[test]
fn system_skips_the_shims_however_spelled_and_cannot_recurse() {
    let env = env_with_reporting_python();
    fs::write(env.root().join("version"), "system\n").unwrap();
    let sys = env.path().join("sysbin");
    fs::create_dir_all(&sys).unwrap();
    write_exe(&sys.join("python"), "#!/bin/sh\necho system python\n");
    let shims = env.shims().display().to_string();
    let alias = env.path().join("shims-link");
    symlink(env.shims(), &alias).unwrap();
    for path in [
        format!("{shims}:{}", sys.display()),
        format!("{shims}/:{}:/usr/bin", sys.display()),
        format!("{}:{shims}:{}", alias.display(), sys.display()),
    ] {
        let out = ok_stdout(env.cmd(env.shims().join("python")).env("PATH", &path));
        assert_eq!(out, "system python\n", "PATH={path}");
    }
    // A shim planted elsewhere on PATH (a copy of the shims dir) must not loop forever.
    let planted = env.path().join("planted");
    fs::create_dir_all(&planted).unwrap();
    symlink(env.root().join("libexec/pyv-shim"), planted.join("python9")).unwrap();
    let (code, _, err) = run(env
        .cmd(env.shims().join("python"))
        .arg0("python9")
        .env("PATH", format!("{shims}:{}", planted.display())));
    assert_eq!(code, 127, "{err}");
}

trait Arg0 {
    fn arg0(&mut self, name: &str) -> &mut Self;
}
impl Arg0 for Command {
    fn arg0(&mut self, name: &str) -> &mut Self {
        std::os::unix::process::CommandExt::arg0(self, name)
    }
}

#[test]
fn rehash_adds_removes_skips_junk_and_survives_planted_symlinks() {
    let env = Env::new();
    let v = env.fake_version("3.11.2", &["python", "python3.11", "2to3-3.11"]);
    let bin = v.join("bin");
    write_exe(&bin.join("bad name"), "#!/bin/sh\n");
    write_exe(&bin.join(".hidden"), "#!/bin/sh\n");
    fs::write(bin.join("not-executable"), "data").unwrap();
    ok_stdout(env.pyv().arg("rehash"));
    assert_eq!(
        ok_stdout(env.pyv().args(["shims", "--short"])),
        "2to3-3.11\npython\npython3.11\n"
    );

    // Something planted in shims/ is replaced, never written through.
    let victim = env.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    fs::remove_file(env.shims().join("python")).unwrap();
    symlink(&victim, env.shims().join("python")).unwrap();
    symlink(env.path(), env.shims().join("dirlink")).unwrap();
    fs::remove_file(bin.join("2to3-3.11")).unwrap();
    write_exe(&bin.join("pip"), "#!/bin/sh\n");
    ok_stdout(env.pyv().arg("rehash"));
    assert_eq!(
        ok_stdout(env.pyv().args(["shims", "--short"])),
        "pip\npython\npython3.11\n"
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        env.path().join("home").is_dir(),
        "the symlinked directory was not followed"
    );
    let id = |p: &std::path::Path| {
        let m = fs::symlink_metadata(p).unwrap();
        (m.file_type().is_symlink(), m.dev(), m.ino())
    };
    assert_eq!(
        id(&env.shims().join("python")),
        id(&env.root().join("libexec/pyv-shim")),
        "a hard link to the shim binary"
    );
    let stray: Vec<String> = fs::read_dir(env.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".shims"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    // The root path has a space in it (see common::Env) and the shims still run.
    assert!(env.root().display().to_string().contains(' '));
    assert_eq!(
        ok_stdout(shim(&env, "python").env("PYV_VERSION", "3.11.2")),
        "python 3.11.2 \n"
    );
}

#[test]
fn fifty_concurrent_rehashes_all_succeed() {
    let env = Env::new();
    for i in 0..9 {
        let names: Vec<String> = (0..14).map(|j| format!("tool{i}-{j}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        env.fake_version(&format!("3.{i}.0"), &names);
    }
    let children: Vec<_> = (0..50)
        .map(|_| {
            env.pyv()
                .arg("rehash")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        ok_stdout(env.pyv().args(["shims", "--short"]))
            .lines()
            .count(),
        126
    );
}

#[test]
fn pip_install_through_a_shim_rehashes() {
    let env = Env::new();
    let bin = env.fake_version("3.11.2", &["python"]).join("bin");
    // A pip that "installs" a console script, as real pip does.
    write_exe(
        &bin.join("pip"),
        &format!(
            "#!/bin/sh\nif [ \"$1\" = install ]; then printf '#!/bin/sh\\necho black ok\\n' > '{0}/black'; chmod +x '{0}/black'; fi\n\
             if [ \"$1\" = uninstall ]; then rm -f '{0}/black'; fi\nexit 3\n",
            bin.display()
        ),
    );
    ok_stdout(env.pyv().args(["global", "3.11.2"]));
    ok_stdout(env.pyv().arg("rehash"));
    assert!(!env.shims().join("black").exists());
    let status = shim(&env, "pip")
        .args(["install", "black"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3), "pip's own exit status is kept");
    assert_eq!(ok_stdout(&mut shim(&env, "black")), "black ok\n");
    shim(&env, "pip")
        .args(["uninstall", "black"])
        .status()
        .unwrap();
    assert!(!env.shims().join("black").exists());
}

#[test]
fn pyv_exec_pip_install_in_a_root_never_rehashed_makes_working_shims() {
    // pyenv's pip-rehash.bats: `pyv exec pip install` before any `pyv rehash` used to leave
    // shims linking to a `libexec/pyv-shim` that did not exist.
    let env = Env::new();
    let bin = env.fake_version("3.7.14", &["pip", "example"]).join("bin");
    assert!(!env.root().join("libexec").exists());
    let out = ok_stdout(
        env.pyv()
            .args(["exec", "pip", "install", "example"])
            .env("PYV_VERSION", "3.7.14"),
    );
    assert_eq!(out, "pip 3.7.14 install example\n");
    let example = env.shims().join("example");
    assert!(
        fs::metadata(&example).is_ok(),
        "dangling shim {}",
        example.display()
    );
    let out = ok_stdout(shim(&env, "example").env("PYV_VERSION", "3.7.14"));
    assert_eq!(out, "example 3.7.14 \n");
    assert!(bin.join("example").exists());
}

/// Run `c` in its own process group and wait at most a (generous) minute: a shim loop fails the
/// test instead of hanging it, and the whole group is killed.
fn run_bounded(c: &mut Command) -> (std::process::ExitStatus, String, String) {
    use std::os::unix::process::CommandExt;
    let mut child = c
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    let status = wait_deadline(&mut child, Duration::from_secs(60));
    (status, out.join().unwrap(), err.join().unwrap())
}

/// Wait for `child` (the leader of its own process group); past `limit`, kill the group and fail.
fn wait_deadline(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            // SAFETY: signalling the process group of our own child.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            panic!("still running after {limit:?}: a loop or an ignored signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A PATH of pyv's shims, then `foreign` (another manager's shims), then a real `python3`.
fn loop_env() -> (Env, std::path::PathBuf) {
    let env = Env::new();
    env.fake_version("3.11.2", &["python3"]);
    ok_stdout(env.pyv().arg("rehash"));
    fs::write(env.root().join("version"), "system\n").unwrap();
    let sys = env.path().join("sysbin");
    fs::create_dir_all(&sys).unwrap();
    write_exe(
        &sys.join("python3"),
        "#!/bin/sh\necho \"real system python $*\"\n",
    );
    (env, sys)
}

#[test]
fn system_skips_other_managers_shims_that_would_lead_back() {
    let (env, sys) = loop_env();
    // pyenv's shim, as `pyenv global system` runs it: pyenv looks past its own shims and
    // finds pyv's, which (before) found pyenv's again, forever.
    let pyenv = env.path().join("pyenv");
    let pyenv_shims = pyenv.join("shims");
    fs::create_dir_all(&pyenv_shims).unwrap();
    write_exe(
        &pyenv_shims.join("python3"),
        &format!(
            "#!/usr/bin/env bash\nset -e\nprogram=\"${{0##*/}}\"\nexport PYENV_ROOT=\"{}\"\n\
             exec \"{}/$program\" \"$@\"\n",
            pyenv.display(),
            env.shims().display()
        ),
    );
    let path = format!(
        "{}:{}:{}:/usr/bin:/bin",
        env.shims().display(),
        pyenv_shims.display(),
        sys.display()
    );
    let (status, out, err) = run_bounded(
        env.cmd(env.shims().join("python3"))
            .arg("--version")
            .env("PATH", &path),
    );
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(out, "real system python --version\n");
    // Also with pyenv's shims first on PATH (the shim there hands over to pyv's).
    let (status, out, err) = run_bounded(
        env.cmd(pyenv_shims.join("python3"))
            .arg("-V")
            .env("PATH", &path),
    );
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(out, "real system python -V\n");
    // mise's shims are symlinks to the mise binary.
    let mise = env.path().join("mise");
    fs::create_dir_all(mise.join("shims")).unwrap();
    write_exe(
        &mise.join("mise"),
        &format!(
            "#!/bin/sh\nexec '{}/python3' \"$@\"\n",
            env.shims().display()
        ),
    );
    symlink(mise.join("mise"), mise.join("shims/python3")).unwrap();
    let (status, out, err) = run_bounded(env.pyv().args(["exec", "python3", "x"]).env(
        "PATH",
        format!("{}:{}", mise.join("shims").display(), sys.display()),
    ));
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(out, "real system python x\n");
}

#[test]
fn a_loop_back_into_the_shims_stops_with_a_clear_error() {
    let (env, sys) = loop_env();
    // A wrapper pyv cannot recognise that runs pyv's shim again: by `exec` (same process)...
    let wrap = env.path().join("wrapper bin");
    fs::create_dir_all(&wrap).unwrap();
    write_exe(
        &wrap.join("python3"),
        &format!(
            "#!/bin/sh\nexec '{}/python3' \"$@\"\n",
            env.shims().display()
        ),
    );
    // ... or as a child (a new process every lap).
    let fork = env.path().join("forking");
    fs::create_dir_all(&fork).unwrap();
    write_exe(
        &fork.join("python3"),
        &format!("#!/bin/sh\n'{}/python3' \"$@\"\n", env.shims().display()),
    );
    for dir in [&wrap, &fork] {
        let path = format!(
            "{}:{}:{}",
            env.shims().display(),
            dir.display(),
            sys.display()
        );
        for cmd in [
            env.cmd(env.shims().join("python3")).arg("--version"),
            env.pyv().args(["exec", "python3", "-c", "pass"]),
        ] {
            let (status, out, err) = run_bounded(cmd.env("PATH", &path));
            assert_eq!(status.code(), Some(1), "{err}");
            assert_eq!(out, "");
            let shim = dir.join("python3");
            assert!(
                err.contains(&format!(
                    "pyv: `python3` for `system` leads back to pyv's shim through `{}` (a loop)",
                    shim.display()
                )),
                "{err}"
            );
            assert!(
                err.contains(&format!("hint: remove `{}` from PATH", dir.display())),
                "{err}"
            );
            assert_eq!(err.matches("(a loop)").count(), 1, "{err}");
        }
    }
    // A program that runs `python3` through the shims in a child is no loop.
    write_exe(
        &sys.join("python3"),
        &format!(
            "#!/bin/sh\nif [ \"$1\" -gt 0 ]; then '{}/python3' $(($1 - 1)); fi\necho \"level $1\"\n",
            env.shims().display()
        ),
    );
    let path = format!("{}:{}", env.shims().display(), sys.display());
    let (status, out, err) = run_bounded(
        env.cmd(env.shims().join("python3"))
            .arg("5")
            .env("PATH", &path),
    );
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(out.lines().count(), 6, "{out}");
}

/// `pip install` through a shim (or `pyv exec`) is waited for; Ctrl-C, which the terminal sends
/// to the whole foreground group, must still stop pip.
#[test]
fn ctrl_c_stops_a_pip_install_run_through_a_shim() {
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
    for mut cmd in [shim(&env, "pip"), {
        let mut c = env.pyv();
        c.args(["exec", "pip"]);
        c
    }] {
        let _ = fs::remove_file(&started);
        use std::os::unix::process::CommandExt;
        let mut child = cmd
            .args(["install", "black"])
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !started.exists() {
            assert!(Instant::now() < deadline, "pip never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let pip: i32 = fs::read_to_string(&started)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // As a terminal does: SIGINT to the whole foreground process group.
        // SAFETY: signalling our own child's process group.
        unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) };
        let status = wait_deadline(&mut child, Duration::from_secs(60));
        assert!(
            status.signal() == Some(libc::SIGINT) || status.code() == Some(130),
            "{status:?}"
        );
        // SAFETY: probing a pid with signal 0.
        assert_ne!(unsafe { libc::kill(pip, 0) }, 0, "pip survived Ctrl-C");
    }
}

#[test]
fn pyv_exec_passes_every_argument_after_the_command() {
    let env = env_with_reporting_python();
    // pyv's own -q/-v/--root/--help/--version must not be taken from the command's arguments.
    let out = ok_stdout(env.pyv().args([
        "exec",
        "python",
        "-q",
        "-v",
        "--root",
        "x",
        "--help",
        "--version",
    ]));
    assert!(
        out.contains("arg=-q\narg=-v\narg=--root\narg=x\narg=--help\narg=--version\n"),
        "{out}"
    );
    // ... while before the command they are still pyv's.
    let out = ok_stdout(env.pyv().args(["exec", "-q", "python", "--version"]));
    assert!(out.contains("arg=--version\n"), "{out}");
}

#[test]
fn versions_bare_lists_names_only_even_when_system_is_selected() {
    let env = Env::new();
    env.fake_version("3.11.2", &["python"]);
    // Nothing selected (system by default), then system selected explicitly.
    assert_eq!(
        ok_stdout(env.pyv().args(["versions", "--bare"])),
        "3.11.2\n"
    );
    let out = ok_stdout(
        env.pyv()
            .args(["versions", "--bare"])
            .env("PYV_VERSION", "system"),
    );
    assert_eq!(out, "3.11.2\n");
    // The full listing still marks it.
    let out = ok_stdout(env.pyv().arg("versions"));
    assert!(out.starts_with("* system ("), "{out}");
}

#[test]
fn skipped_names_get_no_shim_from_any_rehash() {
    let env = Env::new();
    let bin = env
        .fake_version("3.11.2", &["python", "python3"])
        .join("bin");
    write_exe(
        &bin.join("pip"),
        &format!(
            "#!/bin/sh\nprintf '#!/bin/sh\\necho black ok\\n' > '{0}/black'; chmod +x '{0}/black'\n",
            bin.display()
        ),
    );
    ok_stdout(env.pyv().args(["global", "3.11.2"]));
    ok_stdout(env.pyv().arg("rehash"));
    assert!(env.shims().join("python").exists());

    // `--skip` writes the file and removes the existing shim at once.
    ok_stdout(env.pyv().args(["shims", "--skip", "python"]));
    let skip_file = env.root().join("shims.skip");
    assert_eq!(fs::read_to_string(&skip_file).unwrap(), "python\n");
    assert!(!env.shims().join("python").exists());
    assert_eq!(ok_stdout(&mut shim(&env, "python3")), "python3 3.11.2 \n");

    // A plain rehash and pip's rehash respect it too.
    ok_stdout(env.pyv().arg("rehash"));
    assert!(!env.shims().join("python").exists());
    assert!(shim(&env, "pip")
        .args(["install", "black"])
        .status()
        .unwrap()
        .success());
    assert!(env.shims().join("black").exists(), "pip's rehash ran");
    assert!(!env.shims().join("python").exists());

    // stdout is pyenv's list of paths; the note on stderr names the skipped command.
    let (code, out, err) = run(env.pyv().arg("shims"));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("/python\n"), "{out}");
    assert!(out.contains("/python3\n"), "{out}");
    assert!(out.lines().all(|l| l.starts_with('/')), "{out}");
    assert!(
        err.contains("skipped (") && err.ends_with(": python\n"),
        "{err}"
    );

    // Names that cannot be commands are refused and the file is left alone.
    for bad in ["a/b", ".python", "py\u{1}thon", "py\nthon", ""] {
        let (code, _, err) = run(env.pyv().args(["shims", "--skip", bad]));
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(
            err.contains("is not a command name (given to --skip)"),
            "{err}"
        );
        assert!(err.contains("\nhint: "), "{err}");
        assert!(!err.contains('\u{1}'), "escaped: {err:?}");
    }
    assert_eq!(fs::read_to_string(&skip_file).unwrap(), "python\n");

    // A hand-written file: comments and blank lines; `--unskip` keeps them.
    fs::write(
        &skip_file,
        "# only python3 for me\n\npython  # the old name\nidle\n",
    )
    .unwrap();
    ok_stdout(env.pyv().arg("rehash"));
    assert!(!env.shims().join("python").exists());
    ok_stdout(env.pyv().args(["shims", "--unskip", "python"]));
    assert_eq!(
        fs::read_to_string(&skip_file).unwrap(),
        "# only python3 for me\n\nidle\n"
    );
    assert_eq!(ok_stdout(&mut shim(&env, "python")), "python 3.11.2 \n");
    let (_, _, err) = run(env.pyv().args(["shims", "--unskip", "python"]));
    assert!(err.contains("`python` was not skipped"), "{err}");
}

/// A repository that ships its own `.pyv/versions/3.12.0/bin/python` (printing PWNED) and a
/// `.python-version` selecting it, inside an otherwise ordinary env.
fn hostile_repo(env: &Env) -> std::path::PathBuf {
    let repo = env.path().join("repo");
    let bin = repo.join(".pyv/versions/3.12.0/bin");
    fs::create_dir_all(&bin).unwrap();
    write_exe(&bin.join("python"), "#!/bin/sh\necho PWNED\n");
    fs::write(repo.join(".python-version"), "3.12.0\n").unwrap();
    repo
}

#[test]
fn a_relative_root_is_refused_and_nothing_from_the_current_directory_runs() {
    let env = env_with_reporting_python();
    let repo = hostile_repo(&env);
    // (variables set, variables removed, the variable and value the error must name)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str, &'a str);
    let cases: [Case; 4] = [
        (&[("HOME", ".")], &["PYV_ROOT"], "HOME", "."),
        (&[("HOME", "."), ("PYV_ROOT", "")], &[], "HOME", "."),
        (&[("PYV_ROOT", ".pyv")], &[], "PYV_ROOT", ".pyv"),
        (&[("HOME", "")], &["PYV_ROOT"], "HOME", ""),
    ];
    for (set, removed, var, value) in cases {
        let mut commands = vec![shim(&env, "python"), env.pyv(), env.pyv()];
        commands[1].arg("version");
        commands[2].args(["exec", "python"]);
        for c in &mut commands {
            c.current_dir(&repo);
            for (k, v) in set {
                c.env(k, v);
            }
            for k in removed {
                c.env_remove(k);
            }
            let (code, out, err) = run(c);
            let what = format!("{c:?}");
            assert_eq!(code, 1, "{what}\n{out}{err}");
            assert!(
                !out.contains("PWNED") && !err.contains("PWNED"),
                "{what}: {out}"
            );
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 2, "{what}: {err}");
            assert!(
                lines[0].starts_with(&format!("pyv: {var} is `{value}`, not an absolute path")),
                "{what}: {err}"
            );
            assert!(
                lines[1].starts_with("hint: set PYV_ROOT to an absolute path"),
                "{what}: {err}"
            );
        }
    }
    // `--root` typed on the command line is a path argument like any other: taken from here.
    let out = ok_stdout(
        env.pyv()
            .current_dir(&repo)
            .args(["--root", ".pyv", "prefix"]),
    );
    assert_eq!(
        out.trim_end(),
        repo.join(".pyv/versions/3.12.0").display().to_string()
    );
}

#[test]
fn a_directory_name_with_escape_sequences_is_shown_escaped() {
    let env = env_with_reporting_python();
    let dir = env.path().join("a\u{1b}[2Jb\u{1b}]0;title\u{7}c");
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join(".python-version"), "3.99.1\n").unwrap();
    let mut bad_file = dir.join("sub");
    bad_file.push(".python-version");
    let mut commands = vec![shim(&env, "python"), env.pyv(), env.pyv(), env.pyv()];
    commands[1].arg("version");
    commands[2].args(["which", "python"]);
    commands[3].args(["exec", "python"]);
    for c in &mut commands {
        c.current_dir(dir.join("sub"));
        let out = c.output().unwrap();
        let what = format!("{c:?}");
        assert!(!out.status.success(), "{what}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("3.99.1"), "{what}: {err}");
        assert!(err.contains("a\\u{1b}[2Jb"), "{what}: {err}");
        assert!(
            !out.stderr.contains(&0x1b) && !out.stderr.contains(&0x07),
            "{what}: {err:?}"
        );
    }
    // A version file that cannot be used (a directory) is named escaped too.
    fs::create_dir(&bad_file).unwrap();
    let mut commands = [shim(&env, "python"), env.pyv()];
    commands[1].arg("version");
    for c in &mut commands {
        c.current_dir(dir.join("sub"));
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is a directory"), "{err}");
        assert!(!out.stderr.contains(&0x1b), "{err:?}");
    }
}

/// How often `c` opens `dir` as a directory (lists it), counted by strace; `None` (after saying
/// why) when strace is missing or cannot trace here, which fails under `CI=true`.
fn directory_listings(c: &mut Command, dir: &std::path::Path) -> Option<(usize, String)> {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-qq", "-e", "trace=openat,open", "-o"])
        .arg(log.path())
        .arg(c.get_program())
        .args(c.get_args());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => traced.env(k, v),
            None => traced.env_remove(k),
        };
    }
    if let Some(d) = c.get_current_dir() {
        traced.current_dir(d);
    }
    let out = match traced.output() {
        Ok(out) if fs::metadata(log.path()).is_ok_and(|m| m.len() > 0) => out,
        other => {
            let why = format!("strace cannot run here ({:?})", other.map(|o| o.status));
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("skipped: {why}");
            return None;
        }
    };
    let trace = fs::read_to_string(log.path()).unwrap();
    let opened = format!("\"{}\", O_RDONLY", dir.display());
    let n = trace
        .lines()
        .filter(|l| l.contains(&opened) && l.contains("O_DIRECTORY"))
        .count();
    Some((n, String::from_utf8_lossy(&out.stderr).into_owned()))
}

#[test]
fn a_runaway_selection_costs_bounded_work_and_versions_is_listed_once() {
    let env = env_with_reporting_python();
    for i in 0..40 {
        env.fake_version(&format!("3.{}.{}", 8 + i / 10, i), &["python"]);
    }
    let versions = env.root().join("versions");
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();

    // 64 KiB of specifier lines nothing satisfies: refused, naming the file and the limit.
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 64 * 1024 {
        text.push_str(&format!(">=9.{i}\n"));
        i += 1;
    }
    fs::write(proj.join(".python-version"), &text).unwrap();
    let Some((n, err)) = directory_listings(shim(&env, "python").current_dir(&proj), &versions)
    else {
        return;
    };
    assert!(
        err.contains(".python-version") && err.contains("at most 256"),
        "{err}"
    );
    assert_eq!(n, 0, "versions/ listed {n} times:\n{err}");

    // 12,000 names in PYV_VERSION: the same.
    let names = vec![">=9.1"; 12_000].join(":");
    let (n, err) = directory_listings(
        shim(&env, "python")
            .current_dir(&proj)
            .env("PYV_VERSION", &names),
        &versions,
    )
    .unwrap();
    assert!(
        err.contains("12000 versions") && err.contains("PYV_VERSION"),
        "{err}"
    );
    assert_eq!(n, 0, "versions/ listed {n} times:\n{err}");

    // At the limit, none installed: one listing of versions/ for all of them.
    let lines: Vec<String> = (0..256).map(|i| format!(">=9.{i}")).collect();
    fs::write(proj.join(".python-version"), lines.join("\n")).unwrap();
    let (n, err) = directory_listings(shim(&env, "python").current_dir(&proj), &versions).unwrap();
    assert!(err.contains("python: command not found"), "{err}");
    assert_eq!(n, 1, "versions/ listed {n} times:\n{err}");
    // pyv's commands share one listing too.
    for args in [
        &["version-name", "-f"][..],
        &["version-name"],
        &["which", "python"],
    ] {
        let (n, err) =
            directory_listings(env.pyv().current_dir(&proj).args(args), &versions).unwrap();
        assert_eq!(n, 1, "{args:?}: versions/ listed {n} times:\n{err}");
    }
}
