//! `install.sh` as a new user runs it: installs pyv under $PYV_ROOT/bin, hooks bash/zsh/fish
//! inside one marked block however often it is re-run, and explains a missing cargo. The tests
//! install the binaries this test run already built (`--from-target` / `PYV_INSTALL_FROM`)
//! instead of letting the script run its `cargo build --release`: same script, seconds not
//! minutes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{pyv_bin, run, Env};

/// Where cargo put the `pyv` (and, beside it, `pyv-shim`) binaries under test.
fn built_dir() -> PathBuf {
    pyv_bin().parent().unwrap().to_path_buf()
}

fn install_sh(env: &Env, args: &[&str]) -> std::process::Command {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = env.cmd("bash");
    c.arg(repo.join("install.sh")).args(args);
    c
}

#[test]
fn install_sh_installs_and_hooks_shells_idempotently() {
    let env = Env::new();
    let bashrc = env.home().join(".bashrc");
    fs::write(&bashrc, "# my settings\nalias ll='ls -l'\n").unwrap();
    let dir = built_dir();
    // Once with the option, once with the environment variable.
    let mut first = install_sh(&env, &["--from-target", dir.to_str().unwrap()]);
    let mut second = install_sh(&env, &[]);
    second.env("PYV_INSTALL_FROM", &dir);
    for c in [&mut first, &mut second] {
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{out}\n{err}");
        assert!(out.contains("installed"), "{out}");
        assert!(!out.contains("cargo build"), "{out}");
    }
    assert!(env.root().join("bin/pyv").is_file());
    assert!(env.root().join("bin/pyv-shim").is_file());
    let rc = fs::read_to_string(&bashrc).unwrap();
    assert!(rc.starts_with("# my settings\nalias ll='ls -l'\n"), "{rc}");
    assert_eq!(rc.matches("# >>> pyv >>>").count(), 1, "{rc}");
    assert!(rc.contains("init bash"), "{rc}");
    for (file, shell) in [(".zshrc", "zsh"), (".config/fish/config.fish", "fish")] {
        let text = fs::read_to_string(env.home().join(file)).unwrap();
        assert_eq!(text.matches("# >>> pyv >>>").count(), 1, "{file}: {text}");
        assert!(text.contains(&format!("init {shell}")), "{text}");
    }
    // A new bash that reads the rc file has the `pyv` function and the shims on PATH.
    let mut bash = env.cmd("bash");
    bash.args(["-c", ". ~/.bashrc; type -t pyv; pyv root; echo \"$PATH\""])
        .env("PATH", "/usr/bin:/bin");
    let (code, out, err) = run(&mut bash);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "function");
    assert_eq!(lines[1], env.root().display().to_string());
    assert!(
        lines[2].starts_with(&env.shims().display().to_string()),
        "{out}"
    );

    // A new zsh user's .zshrc has no compinit: pyv's block loads it, so `pyv <Tab>` completes.
    let mut zsh = env.cmd("zsh");
    zsh.args(["-c", ". ~/.zshrc; print -r -- \"${_comps[pyv]}\""])
        .env("PATH", "/usr/bin:/bin");
    let (code, out, err) = run(&mut zsh);
    assert_eq!((code, out.as_str()), (0, "__pyv_complete\n"), "{err}");
    let zshrc = fs::read_to_string(env.home().join(".zshrc")).unwrap();
    assert_eq!(zshrc.matches("compinit").count(), 2, "{zshrc}");

    // --no-modify-rc leaves rc files alone.
    let env2 = Env::new();
    let (code, out, err) = run(&mut install_sh(
        &env2,
        &[
            "--no-modify-rc",
            &format!("--from-target={}", dir.display()),
        ],
    ));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!env2.home().join(".bashrc").exists());
    assert!(env2.root().join("bin/pyv").is_file());
}

#[test]
fn install_sh_from_a_dir_without_binaries_fails_clearly() {
    let env = Env::new();
    let empty = env.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let (code, _, err) = run(&mut install_sh(
        &env,
        &["--from-target", empty.to_str().unwrap()],
    ));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("{}/pyv", empty.display())), "{err}");
    assert!(!env.root().join("bin").exists());
    let (code, _, err) = run(&mut install_sh(&env, &["--from-target"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn install_sh_without_cargo_says_how_to_get_it() {
    let env = Env::new();
    let mut c = env.cmd("bash");
    c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
        .env("PATH", "/usr/bin:/bin");
    let (code, _, err) = run(&mut c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cargo") && err.contains("rustup"), "{err}");
    let (code, _, err) = run(env
        .cmd("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh"))
        .arg("--bogus"));
    assert_eq!(code, 2, "{err}");
}

/// `install_sh` with a `cargo` that builds nothing and a target dir holding this build's
/// binaries as the "release" ones: the install and rc-file steps run for real, in seconds.
fn install_sh_prebuilt(env: &Env, args: &[&str]) -> std::process::Command {
    let target = env.path().join("target");
    let release = target.join("release");
    if !release.exists() {
        fs::create_dir_all(&release).unwrap();
        let built = common::pyv_bin();
        for exe in ["pyv", "pyv-shim"] {
            fs::copy(built.with_file_name(exe), release.join(exe)).unwrap();
        }
        let fake_bin = env.path().join("fake-cargo");
        fs::create_dir_all(&fake_bin).unwrap();
        common::write_exe(&fake_bin.join("cargo"), "#!/bin/sh\nexit 0\n");
    }
    let mut c = install_sh(env, args);
    c.env("CARGO_TARGET_DIR", &target).env(
        "PATH",
        format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            env.path().join("fake-cargo").display()
        ),
    );
    c
}

#[test]
fn install_sh_auto_activate_is_written_and_kept_on_rerun() {
    let env = Env::new();
    let bashrc = env.home().join(".bashrc");
    let rcs = [
        (".bashrc", "init bash --auto-activate)"),
        (".zshrc", "init zsh --auto-activate)"),
        (
            ".config/fish/config.fish",
            "init fish --auto-activate | source",
        ),
    ];
    let check = |on: bool, when: &str| {
        for (file, line) in rcs {
            let text = fs::read_to_string(env.home().join(file)).unwrap();
            assert_eq!(
                text.matches("# >>> pyv >>>").count(),
                1,
                "{when}: {file}: {text}"
            );
            assert_eq!(text.contains(line), on, "{when}: {file}: {text}");
        }
    };
    for (args, on, when) in [
        (&["--auto-activate"][..], true, "--auto-activate"),
        (&[], true, "a re-run without the flag keeps it"),
        (&["--no-auto-activate"], false, "--no-auto-activate"),
        (&[], false, "a re-run keeps it off"),
    ] {
        let (code, out, err) = run(&mut install_sh_prebuilt(&env, args));
        assert_eq!(code, 0, "{when}: {out}\n{err}");
        check(on, when);
    }
    // The hook a new bash gets from the rc file does auto-activate.
    run(&mut install_sh_prebuilt(&env, &["--auto-activate"]));
    let mut bash = env.cmd("bash");
    bash.args(["-c", ". ~/.bashrc; declare -F __pyv_auto_activate"])
        .env("PATH", "/usr/bin:/bin");
    let (code, out, err) = run(&mut bash);
    assert_eq!(
        (code, out.trim()),
        (0, "__pyv_auto_activate"),
        "{err}\n{}",
        fs::read_to_string(&bashrc).unwrap()
    );
}

/// pyenv's setup as its README has users write it: `.bashrc`, `.profile`, an `if` block in
/// `.zshrc`, fish's `config.fish`.
const PYENV_RC: [(&str, &str); 4] = [
    (
        ".bashrc",
        "# my settings\nexport PYENV_ROOT=\"$HOME/.pyenv\"\n[[ -d $PYENV_ROOT/bin ]] && export PATH=\"$PYENV_ROOT/bin:$PATH\"\neval \"$(pyenv init - bash)\"\nalias ll='ls -l'\n",
    ),
    (
        ".profile",
        "export PYENV_ROOT=\"$HOME/.pyenv\"\ncommand -v pyenv >/dev/null || export PATH=\"$PYENV_ROOT/bin:$PATH\"\neval \"$(pyenv init - bash)\"\n",
    ),
    (
        ".zshrc",
        "if command -v pyenv 1>/dev/null 2>&1; then\n  eval \"$(pyenv init - zsh)\"\n  eval \"$(pyenv virtualenv-init -)\"\nfi\n",
    ),
    (".config/fish/config.fish", "pyenv init - fish | source\n"),
];

fn write_pyenv_setup(env: &Env) {
    for (file, text) in PYENV_RC {
        let path = env.home().join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// install.sh as a pyenv user runs it: default roots (`~/.pyv`, `~/.pyenv`).
fn install_sh_for_pyenv_user(env: &Env, args: &[&str]) -> std::process::Command {
    let mut c = install_sh(env, args);
    c.env_remove("PYV_ROOT")
        .env_remove("PYENV_ROOT")
        .env("PYV_INSTALL_FROM", built_dir());
    c
}

#[test]
fn install_sh_lists_pyenvs_lines_and_says_what_to_change() {
    let env = Env::new();
    write_pyenv_setup(&env);
    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    let home = env.home().display().to_string();
    for want in [
        format!("{home}/.bashrc:2: export PYENV_ROOT=\"$HOME/.pyenv\""),
        format!(
            "{home}/.bashrc:3: [[ -d $PYENV_ROOT/bin ]] && export PATH=\"$PYENV_ROOT/bin:$PATH\""
        ),
        format!("{home}/.bashrc:4: eval \"$(pyenv init - bash)\""),
        format!("{home}/.profile:1: export PYENV_ROOT=\"$HOME/.pyenv\""),
        format!("{home}/.profile:3: eval \"$(pyenv init - bash)\""),
        format!("{home}/.zshrc:2:   eval \"$(pyenv init - zsh)\""),
        format!("{home}/.zshrc:3:   eval \"$(pyenv virtualenv-init -)\""),
        format!("{home}/.config/fish/config.fish:1: pyenv init - fish | source"),
        format!("export PYV_ROOT={}/.pyenv", home.replace(' ', "\\ ")),
        "--replace-pyenv".to_string(),
    ] {
        assert!(out.contains(&want), "missing `{want}` in:\n{out}");
    }
    // Listed, not changed: each file is its old text plus pyv's block (`.profile`, which gets
    // no block, untouched), and a changed file was backed up first.
    for (file, text) in PYENV_RC {
        let now = fs::read_to_string(env.home().join(file)).unwrap();
        assert!(now.starts_with(text), "{file}: {now}");
        let backup = env.home().join(format!("{file}.pyv-backup"));
        if now == text {
            assert!(!backup.exists(), "{file}");
        } else {
            assert_eq!(fs::read_to_string(backup).unwrap(), text, "{file}");
        }
    }
    // A re-run lists nothing from pyv's own block.
    let (_, out, _) = run(&mut install_sh_for_pyenv_user(&env, &[]));
    assert_eq!(out.matches(".bashrc:").count(), 3, "{out}");
}

#[test]
fn install_sh_replace_pyenv_comments_the_lines_out_and_adopts_the_root() {
    let env = Env::new();
    write_pyenv_setup(&env);
    let pyenv_root = env.home().join(".pyenv");
    let v = pyenv_root.join("versions/3.12.4/bin");
    fs::create_dir_all(&v).unwrap();
    common::write_exe(&v.join("python"), "#!/bin/sh\necho \"pyenv's 3.12.4 $*\"\n");
    fs::write(pyenv_root.join("version"), "3.12.4\n").unwrap();

    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &["--replace-pyenv"]));
    assert_eq!(code, 0, "{out}\n{err}");
    // pyv's binaries in its own bin/, never in pyenv's.
    assert!(env.home().join(".pyv/bin/pyv").is_file());
    assert!(!pyenv_root.join("bin").exists());
    let home = env.home().display().to_string();
    for (file, original) in PYENV_RC {
        let rc = env.home().join(file);
        let backup = env.home().join(format!("{file}.pyv-backup"));
        assert_eq!(fs::read_to_string(&backup).unwrap(), original, "{file}");
        assert!(
            out.contains(&format!("commented out pyenv's lines in {home}/{file}")),
            "{out}"
        );
        let text = fs::read_to_string(&rc).unwrap();
        for line in text.lines().filter(|l| l.contains("pyenv init")) {
            assert!(line.contains("# [pyv --replace-pyenv] "), "{file}: {text}");
        }
        if file != ".profile" {
            // pyv's block (bash, zsh, fish) points pyv at pyenv's root.
            let quoted = format!("{}/.pyenv", home.replace(' ', "\\ "));
            assert!(
                text.contains(&format!("export PYV_ROOT={quoted}\n"))
                    || text.contains(&format!("set -gx PYV_ROOT {quoted}\n")),
                "{file}: {text}"
            );
        }
    }
    let bashrc = fs::read_to_string(env.home().join(".bashrc")).unwrap();
    assert!(
        bashrc.starts_with("# my settings\ntrue # [pyv --replace-pyenv] export PYENV_ROOT="),
        "{bashrc}"
    );
    assert!(bashrc.contains("\nalias ll='ls -l'\n"), "{bashrc}");
    // The `if` block stays valid: its body is now `true # ...`.
    let zshrc = fs::read_to_string(env.home().join(".zshrc")).unwrap();
    assert!(
        zshrc.starts_with(
            "if command -v pyenv 1>/dev/null 2>&1; then\n  true # [pyv --replace-pyenv] eval"
        ),
        "{zshrc}"
    );

    // New shells: no pyenv runs (none is installed here, and nothing errors), pyv's root is
    // pyenv's, and pyenv's version runs through pyv's shims.
    let check = "pyv root; pyv versions --bare; python hi; command -v pyenv || echo no-pyenv";
    for (shell, args) in [
        (
            "bash",
            vec![
                "-c".to_string(),
                format!(". ~/.profile; . ~/.bashrc; {check}"),
            ],
        ),
        (
            "zsh",
            vec!["-c".to_string(), format!(". ~/.zshrc; {check}")],
        ),
        (
            "fish",
            vec![
                "-c".to_string(),
                format!(
                    "source ~/.config/fish/config.fish; {}",
                    check.replace("||", "; or")
                ),
            ],
        ),
    ] {
        let mut c = env.cmd(shell);
        c.args(&args)
            .env_remove("PYV_ROOT")
            .env_remove("PYENV_ROOT")
            .env("PATH", "/usr/bin:/bin");
        let (code, out, err) = run(&mut c);
        assert_eq!(code, 0, "{shell}: {out}\n{err}");
        assert_eq!(err, "", "{shell}");
        assert_eq!(
            out,
            format!("{home}/.pyenv\n3.12.4\npyenv's 3.12.4 hi\nno-pyenv\n"),
            "{shell}"
        );
    }

    // A re-run finds nothing left to change and keeps the one backup.
    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &["--replace-pyenv"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("commented out"), "{out}");
    assert!(!env.home().join(".bashrc.pyv-backup.1").exists());
}

#[test]
fn install_sh_replace_pyenv_without_a_pyenv_root_fails_clearly() {
    let env = Env::new();
    let (code, _, err) = run(&mut install_sh_for_pyenv_user(&env, &["--replace-pyenv"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("no pyenv root at {}/.pyenv", env.home().display())),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert!(!env.home().join(".pyv").exists());
}

#[test]
fn install_sh_replace_pyenv_leaves_a_file_that_would_not_parse_alone() {
    let env = Env::new();
    fs::create_dir_all(env.home().join(".pyenv/versions")).unwrap();
    // A continued line: replacing its first half alone would leave an unterminated quote.
    let bashrc = env.home().join(".bashrc");
    let original = "export PATH=\"$HOME/.pyenv/bin:\\\n$PATH\"\n";
    fs::write(&bashrc, original).unwrap();
    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &["--replace-pyenv"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "left {} unchanged: with pyenv's lines commented out it would not parse",
            bashrc.display()
        )),
        "{out}"
    );
    let text = fs::read_to_string(&bashrc).unwrap();
    assert!(text.starts_with(original), "{text}");
    // pyv's block was appended, after one backup of the text as it was.
    let backup = env.home().join(".bashrc.pyv-backup");
    assert_eq!(fs::read_to_string(backup).unwrap(), original);
    assert!(!env.home().join(".bashrc.pyv-backup.1").exists());
}

/// `--replace-pyenv` comments pyenv's lines out of the login profiles too, so pyv's block goes
/// there as well: a login shell (`bash -l`, `zsh -l`), an interactive one (`bash -i`) and fish
/// all find pyenv's version through pyv's shims.
#[test]
fn install_sh_replace_pyenv_leaves_login_shells_with_pyv() {
    let env = Env::new();
    write_pyenv_setup(&env);
    fs::write(
        env.home().join(".zprofile"),
        "export PYENV_ROOT=\"$HOME/.pyenv\"\neval \"$(pyenv init --path)\"\n",
    )
    .unwrap();
    let pyenv_root = env.home().join(".pyenv");
    let v = pyenv_root.join("versions/3.12.4/bin");
    fs::create_dir_all(&v).unwrap();
    common::write_exe(&v.join("python"), "#!/bin/sh\necho \"pyenv's 3.12.4 $*\"\n");
    fs::write(pyenv_root.join("version"), "3.12.4\n").unwrap();
    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &["--replace-pyenv"]));
    assert_eq!(code, 0, "{out}\n{err}");
    for file in [".profile", ".zprofile"] {
        let text = fs::read_to_string(env.home().join(file)).unwrap();
        assert_eq!(text.matches("# >>> pyv >>>").count(), 1, "{file}: {text}");
        assert!(text.contains("init -)\""), "{file}: {text}");
    }
    for (shell, args) in [
        ("bash", vec!["-l", "-c", "python hi"]),
        ("bash", vec!["-i", "-c", "python hi"]),
        ("zsh", vec!["-l", "-c", "python hi"]),
        ("fish", vec!["-l", "-c", "python hi"]),
    ] {
        let mut c = env.cmd(shell);
        c.args(&args)
            .env_remove("PYV_ROOT")
            .env_remove("PYENV_ROOT")
            .env_remove("ZDOTDIR")
            .env("PATH", "/usr/bin:/bin");
        let (code, out, err) = run(&mut c);
        assert_eq!(
            (code, out.as_str()),
            (0, "pyenv's 3.12.4 hi\n"),
            "{shell} {args:?}: {err}"
        );
    }
}

/// A heredoc's body is data (a generated file, a message): pyenv lines in it are not pyenv's
/// setup, so they are neither listed nor rewritten.
#[test]
fn install_sh_leaves_heredoc_bodies_alone() {
    let env = Env::new();
    fs::create_dir_all(env.home().join(".pyenv/versions")).unwrap();
    let bashrc = env.home().join(".bashrc");
    let original = "mkrc() {\n  cat > ~/x.rc <<'EOF'\neval \"$(pyenv init - bash)\"\nEOF\n}\n\
                    cat <<-END >/dev/null\n\teval \"$(pyenv init -)\"\n\tEND\n\
                    eval \"$(pyenv init - bash)\"\n";
    fs::write(&bashrc, original).unwrap();
    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(out.matches(".bashrc:").count(), 1, "{out}");
    assert!(out.contains(".bashrc:9: eval"), "{out}");
    let (code, out, err) = run(&mut install_sh_for_pyenv_user(&env, &["--replace-pyenv"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let text = fs::read_to_string(&bashrc).unwrap();
    assert!(
        text.starts_with(
            "mkrc() {\n  cat > ~/x.rc <<'EOF'\neval \"$(pyenv init - bash)\"\nEOF\n}\n\
             cat <<-END >/dev/null\n\teval \"$(pyenv init -)\"\n\tEND\n\
             true # [pyv --replace-pyenv] eval"
        ),
        "{text}"
    );
}

/// rc files are replaced whole (temp file beside them, syntax-checked, renamed), never
/// rewritten in place: on a disk too full for the new text the old one stays intact, no temp
/// file is left, and the failure is named. A symlinked rc stays a symlink.
#[test]
fn install_sh_never_cuts_an_rc_file_on_a_full_disk() {
    let env = Env::new();
    let probe = std::process::Command::new("unshare")
        .args(["-rm", "true"])
        .stderr(std::process::Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("CI").is_err(),
            "`unshare -rm` (user + mount namespaces) is not allowed here"
        );
        eprintln!("skipped: `unshare -rm` (user + mount namespaces) is not allowed here");
        return;
    }
    // A 100 KiB .bashrc on a tmpfs left with `$1` free pages: 10 is too few for a copy, 26 is
    // one copy (the old in-place rewrite cut the file there), 80 is plenty.
    let script = r#"set -e
home=$HOME
mount -t tmpfs -o size=2m tmpfs "$home"
mkdir -p "$home/dots"
i=0; while [ $i -lt 1600 ]; do echo "alias a$i='echo this is line number $i of the rc file'"; i=$((i+1)); done > "$home/dots/bashrc"
truncate -s 102400 "$home/dots/bashrc"; echo >> "$home/dots/bashrc"
ln -s dots/bashrc "$home/.bashrc"
cp "$home/dots/bashrc" /tmp/pyv-orig-$$
dd if=/dev/zero of="$home/fill" bs=4096 2>/dev/null || true
avail=$(( $(stat -f -c %a "$home") ))
fillpages=$(( $(stat -c %s "$home/fill") / 4096 + avail - $1 ))
rm "$home/fill"; dd if=/dev/zero of="$home/fill" bs=4096 count=$fillpages 2>/dev/null
set +e
PATH=/usr/bin:/bin bash "$2" --from-target "$3" > /tmp/pyv-out-$$ 2>&1; echo "rc=$?"
cat /tmp/pyv-out-$$
if cmp -s /tmp/pyv-orig-$$ "$home/dots/bashrc"; then echo SAME; else tail -c 200 "$home/dots/bashrc"; bash -n "$home/dots/bashrc" && echo PARSES; fi
[ -L "$home/.bashrc" ] && echo LINK
ls -a "$home" "$home/dots" | grep -c 'pyv\.' || true
rm -f /tmp/pyv-orig-$$ /tmp/pyv-out-$$
"#;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for free in ["10", "26", "80"] {
        let mut c = env.cmd("unshare");
        c.args(["-rm", "sh", "-c", script, "sh", free])
            .arg(repo.join("install.sh"))
            .arg(built_dir());
        let (code, out, err) = run(&mut c);
        assert_eq!(code, 0, "{free}: {out}{err}");
        // Intact, or whole with pyv's block; a link still; no temp file left.
        let intact = out.contains("\nSAME\n");
        let whole = out.contains("# <<< pyv <<<\n") && out.contains("\nPARSES\n");
        assert!(intact || whole, "{free} free pages: {out}");
        assert!(out.contains("\nLINK\n"), "{free}: {out}");
        assert!(
            out.trim_end().ends_with("\n0"),
            "{free}: a temp file was left: {out}"
        );
        if intact {
            assert!(!out.contains("rc=0"), "{free}: {out}");
            assert!(out.contains("unchanged"), "{free}: {out}");
        }
        if free == "80" {
            assert!(whole && out.contains("rc=0"), "{out}");
        }
    }
}
