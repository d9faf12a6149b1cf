//! The shell hook in real bash, zsh and fish: PATH set up exactly once, `.python-version` and
//! `pyv shell` honoured through the shims, the command-not-found rehash, completions loading.

mod common;

use std::fs;

use common::{pyv_bin, run, write_exe, Env};

const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

/// A project dir with `.python-version` = 3.11.2, and versions 3.11.2 and 3.13.5.
fn setup() -> Env {
    let env = Env::new();
    env.fake_version("3.11.2", &["python", "pip"]);
    env.fake_version("3.13.5", &["python", "python3.13"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".python-version"), "3.11.2\n").unwrap();
    env
}

/// Run `script` in `shell` after loading pyv's hook; returns (code, stdout, stderr).
fn in_shell(env: &Env, shell: &str, script: &str) -> (i32, String, String) {
    assert!(
        which(shell),
        "{shell} is not installed: the shell tests need bash, zsh and fish (apt-get install zsh fish)"
    );
    let pyv = pyv_bin().display().to_string();
    let init = match shell {
        "fish" => format!("'{pyv}' init fish | source\n"),
        _ => format!("eval \"$('{pyv}' init {shell})\"\n"),
    };
    let mut c = env.cmd(shell);
    c.arg("-c")
        .arg(format!("{init}{script}"))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    run(&mut c)
}

fn which(program: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(program).is_file())
}

#[test]
fn init_puts_shims_first_exactly_once() {
    let env = setup();
    for shell in SHELLS {
        let reinit = match shell {
            "fish" => format!("'{}' init fish | source", pyv_bin().display()),
            _ => format!("eval \"$('{}' init {shell})\"", pyv_bin().display()),
        };
        let script = format!("{reinit}\n{reinit}\necho \"$PATH\"\necho \"$PYV_SHELL\"");
        let (code, out, err) = in_shell(&env, shell, &script);
        assert_eq!(code, 0, "{shell}: {err}");
        let mut lines = out.lines();
        let path = lines.next().unwrap();
        let shims = env.shims().display().to_string();
        let parts: Vec<&str> = if shell == "fish" {
            path.split(' ').collect()
        } else {
            path.split(':').collect()
        };
        // fish prints PATH as a space-separated list; the shims path has a space, so rejoin.
        let count = path.matches(shims.as_str()).count();
        assert_eq!(count, 1, "{shell}: {path}");
        assert!(path.starts_with(&shims), "{shell}: {path} ({parts:?})");
        assert_eq!(lines.next(), Some(shell));
        assert!(
            env.root().join("libexec/pyv-shim").is_file(),
            "init made the shims on first use"
        );
    }
}

#[test]
fn local_and_shell_versions_through_the_shims() {
    let env = setup();
    for shell in SHELLS {
        let script =
            "cd proj\npython\npyv shell 3.13.5\npython\npyv shell\npyv shell --unset\npython\n\
                      pyv shell -\npython\npyv shell 9.9.9\necho \"rc=$status$?\"\npython\n";
        // `$status` is fish's exit status; `$?` bash/zsh's. Only one of them expands to a number.
        let script = if shell == "fish" {
            script.replace("$status$?", "$status")
        } else {
            script.replace("$status$?", "$?")
        };
        let (code, out, err) = in_shell(&env, shell, &script);
        assert_eq!(code, 0, "{shell}: {out}\n{err}");
        assert_eq!(
            out,
            "python 3.11.2 \npython 3.13.5 \n3.13.5\npython 3.11.2 \npython 3.13.5 \nrc=1\npython 3.13.5 \n",
            "{shell}: {err}"
        );
        assert!(
            err.contains("version `9.9.9` is not installed"),
            "{shell}: {err}"
        );
    }
}

#[test]
fn a_command_without_a_shim_is_found_by_the_not_found_hook() {
    for shell in SHELLS {
        let env = setup();
        let (code, _, err) = in_shell(&env, shell, "true");
        assert_eq!(code, 0, "{err}");
        // Installed behind pyv's back (no rehash): the hook rehashes and runs it.
        write_exe(
            &env.version_dir("3.11.2").join("bin/black"),
            "#!/bin/sh\necho \"black ran with $*\"\n",
        );
        assert!(!env.shims().join("black").exists());
        let (code, out, err) = in_shell(&env, shell, "cd proj\nblack --check .");
        if shell == "fish" {
            // fish reports 127 after any not-found handler and sends its output to stderr, so
            // in scripts the handler only makes the shim (interactive fish: see below).
            assert_eq!(code, 127, "{out}\n{err}");
            assert!(err.contains("it has one now"), "{err}");
            assert_eq!(
                in_shell(&env, shell, "cd proj\nblack --check .").1,
                "black ran with --check .\n"
            );
        } else {
            assert_eq!(code, 0, "{shell}: {out}\n{err}");
            assert_eq!(out, "black ran with --check .\n", "{shell}: {err}");
        }
        assert!(env.shims().join("black").exists(), "{shell}");
        // A command nobody has still fails as usual.
        let (code, _, err) = in_shell(&env, shell, "no-such-command-anywhere");
        assert_eq!(code, 127, "{shell}: {err}");
    }
}

#[test]
fn init_dash_detects_the_running_shell_and_completions_load() {
    let env = setup();
    let pyv = pyv_bin().display().to_string();
    for shell in ["bash", "zsh"] {
        let mut c = env.cmd(shell);
        c.arg("-c")
            .arg(format!("eval \"$('{pyv}' init -)\"; echo $PYV_SHELL"));
        let (code, out, err) = run(&mut c);
        assert_eq!((code, out.trim()), (0, shell), "{err}");
    }
    let mut c = env.cmd("fish");
    c.arg("-c")
        .arg(format!("'{pyv}' init - | source; echo $PYV_SHELL"));
    assert_eq!(run(&mut c).1.trim(), "fish");

    let (code, out, err) = in_shell(
        &env,
        "bash",
        "COMP_WORDS=(pyv vers); COMP_CWORD=1; COMP_LINE='pyv vers'; COMP_POINT=8\n\
         __pyv_complete pyv vers pyv; printf '%s\\n' \"${COMPREPLY[@]}\"",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l == "versions"), "{out}");
    let (code, out, err) = in_shell(&env, "fish", "complete -C 'pyv vers'");
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l.starts_with("versions")), "{out}");
}

#[test]
fn interactive_fish_rehashes_before_a_new_command_runs() {
    let env = setup();
    assert!(
        which("script"),
        "the interactive fish test needs `script` (util-linux)"
    );
    let pyv = pyv_bin().display().to_string();
    let (code, _, err) = in_shell(&env, "fish", "true");
    assert_eq!(code, 0, "{err}");
    write_exe(
        &env.version_dir("3.11.2").join("bin/black"),
        "#!/bin/sh\necho \"black ran with $*\"\n",
    );
    let commands = env.path().join("commands.fish");
    fs::write(
        &commands,
        format!(
            "'{pyv}' init fish | source\ncd proj\nblack --fast\necho \"status=$status\"\nexit\n"
        ),
    )
    .unwrap();
    let mut c = env.cmd("script");
    c.args(["-qec", "fish -i --no-config", "/dev/null"])
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(fs::File::open(&commands).unwrap());
    let (_, out, _) = run(&mut c);
    let out = out.replace('\r', "");
    assert!(out.contains("black ran with --fast\n"), "{out}");
    assert!(out.contains("status=0"), "{out}");
}

/// A root with two versions, an environment `web` (alias and long name) and their shims.
fn completion_env() -> Env {
    let env = setup();
    let web = env.version_dir("3.11.2/envs/web");
    fs::create_dir_all(web.join("bin")).unwrap();
    fs::write(
        web.join("pyvenv.cfg"),
        format!(
            "home = {}\nversion = 3.11.2\n",
            env.version_dir("3.11.2/bin").display()
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink("3.11.2/envs/web", env.version_dir("web")).unwrap();
    write_exe(&web.join("bin/only-in-web"), "#!/bin/sh\n");
    let (code, _, err) = run(env.pyv().arg("rehash"));
    assert_eq!(code, 0, "{err}");
    env
}

const NAME_COMMANDS: [&str; 7] = [
    "global",
    "local",
    "shell",
    "uninstall",
    "activate",
    "prefix",
    "virtualenv-prefix",
];

/// `uninstall` never offers `system`; `virtualenv-delete` offers environments only.
fn check_uninstall_and_env_delete(
    shell: &str,
    blocks: &std::collections::HashMap<String, Vec<&str>>,
) {
    let u = &blocks["pyv uninstall "];
    assert!(
        !u.contains(&"system"),
        "{shell}: uninstall offers system: {u:?}"
    );
    let mut d = blocks["pyv virtualenv-delete "].clone();
    d.sort();
    d.dedup();
    assert_eq!(d, ["3.11.2/envs/web", "web"], "{shell}: virtualenv-delete");
}

fn check_names(shell: &str, words: &str, got: &[&str]) {
    for want in ["3.11.2", "3.13.5", "web", "3.11.2/envs/web"] {
        assert!(
            got.contains(&want),
            "{shell}: `{words}` offers {want}: {got:?}"
        );
    }
}

#[test]
fn bash_completes_versions_envs_catalog_and_commands() {
    let env = completion_env();
    // The first <Tab> loads the completions; later ones call them directly.
    let mut script = String::from(
        "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); \
         local f; f=$(complete -p pyv | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p'); \"$f\" pyv \"${@: -1}\" \"${@: -2:1}\"; \
         printf '%s\\n' \"--- $*\" \"${COMPREPLY[@]}\"; }\n",
    );
    for cmd in NAME_COMMANDS {
        script += &format!("c pyv {cmd} ''\n");
    }
    script += "c pyv virtualenv-delete ''\n";
    script += "c pyv install 3.13.\nc pyv which ''\nc pyv exec only\nc pyv ''\n";
    let (code, out, err) = in_shell(&env, "bash", &script);
    assert_eq!(code, 0, "{err}");
    let blocks = completion_blocks(&out);
    for cmd in NAME_COMMANDS {
        check_names("bash", cmd, &blocks[&format!("pyv {cmd} ")]);
    }
    check_uninstall_and_env_delete("bash", &blocks);
    check_catalog_and_commands(
        "bash",
        &blocks,
        "pyv install 3.13.",
        "pyv which ",
        "pyv exec only",
        "pyv ",
    );
}

#[test]
fn zsh_and_fish_complete_versions_envs_catalog_and_commands() {
    let env = completion_env();
    let mut script = String::new();
    for cmd in NAME_COMMANDS.iter().chain(&["virtualenv-delete"]) {
        script += &format!("echo '--- pyv {cmd} '; complete -C 'pyv {cmd} '\n");
    }
    script += "echo '--- pyv install 3.13.'; complete -C 'pyv install 3.13.'\n\
               echo '--- pyv which '; complete -C 'pyv which '\n\
               echo '--- pyv exec only'; complete -C 'pyv exec only'\n\
               echo '--- pyv '; complete -C 'pyv '\n";
    // fish prints `name<TAB>description`: keep the name.
    let (code, out, err) = in_shell(&env, "fish", &script);
    assert_eq!(code, 0, "{err}");
    let out: String = out
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_string() + "\n")
        .collect();
    let blocks = completion_blocks(&out);
    for cmd in NAME_COMMANDS {
        check_names("fish", cmd, &blocks[&format!("pyv {cmd} ")]);
    }
    check_uninstall_and_env_delete("fish", &blocks);
    check_catalog_and_commands(
        "fish",
        &blocks,
        "pyv install 3.13.",
        "pyv which ",
        "pyv exec only",
        "pyv ",
    );

    // zsh: the dynamic function, driven through compadd stubbed to print what it is given.
    let script = "autoload -Uz compinit && compinit -u -d \"$HOME/.zcompdump\"\n\
        eval \"$(\"$__pyv_bin\" completions zsh)\"\n\
        compadd() { while [[ $1 == -* ]]; do [[ $1 == -- ]] && { shift; break; }; shift; done; printf '%s\\n' \"$@\"; }\n\
        c() { words=(\"$@\"); CURRENT=$#; echo \"--- ${(j: :)@}\"; _pyv_dynamic; }\n\
        c pyv global ''\nc pyv uninstall ''\nc pyv virtualenv-delete ''\nc pyv install 3.13.\nc pyv which ''\n";
    let (code, out, err) = in_shell(&env, "zsh", script);
    assert_eq!(code, 0, "{err}");
    let blocks = completion_blocks(&out);
    check_names("zsh", "global", &blocks["pyv global "]);
    check_uninstall_and_env_delete("zsh", &blocks);
    assert!(blocks["pyv install 3.13."].contains(&"3.13.1"), "{out}");
    assert!(blocks["pyv which "].contains(&"only-in-web"), "{out}");
}

/// A directory under versions/ named like shell code (pyenv-virtualenv or a hand-made one
/// allows it): completing in bash, zsh or fish must offer it as a name and never run it.
#[test]
fn completion_never_runs_a_version_name() {
    let env = completion_env();
    let evil = "$(touch${IFS}pwned)";
    let evil2 = "`touch${IFS}pwned2`";
    for name in [evil, evil2] {
        fs::create_dir_all(env.version_dir(name).join("bin")).unwrap();
    }
    let pwned = || ["pwned", "pwned2"].map(|f| env.path().join(f).exists());

    let script = "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); \
         local f; f=$(complete -p pyv | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p'); \"$f\" pyv \"${@: -1}\" \"${@: -2:1}\"; \
         printf '%s\\n' \"--- $*\" \"${COMPREPLY[@]}\"; }\n\
         c pyv local ''\nc pyv local '$'\nc pyv uninstall ''\nc pyv virtualenv ''\n";
    let (code, out, err) = in_shell(&env, "bash", script);
    assert_eq!(code, 0, "{err}");
    assert_eq!(pwned(), [false, false], "bash ran a name:\n{out}");
    let blocks = completion_blocks(&out);
    // Offered, quoted as data: inserting it gives back the literal name.
    let quoted = r"\$\(touch\$\{IFS\}pwned\)";
    assert!(blocks["pyv local "].contains(&quoted), "{out}");
    assert!(blocks["pyv local $"].contains(&quoted), "{out}");
    assert!(
        blocks["pyv local "].contains(&r"\`touch\$\{IFS\}pwned2\`"),
        "{out}"
    );

    let (code, out, err) = in_shell(
        &env,
        "fish",
        "echo '--- pyv local '; complete -C 'pyv local '\necho '--- pyv uninstall '; complete -C 'pyv uninstall '\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(pwned(), [false, false], "fish ran a name:\n{out}");
    assert!(out.lines().any(|l| l.starts_with(evil)), "{out}");

    let script = "autoload -Uz compinit && compinit -u -d \"$HOME/.zcompdump\"\n\
        eval \"$(\"$__pyv_bin\" completions zsh)\"\n\
        compadd() { while [[ $1 == -* ]]; do [[ $1 == -- ]] && { shift; break; }; shift; done; printf '%s\\n' \"$@\"; }\n\
        c() { words=(\"$@\"); CURRENT=$#; echo \"--- ${(j: :)@}\"; _pyv_dynamic; }\n\
        c pyv local ''\nc pyv uninstall ''\n";
    let (code, out, err) = in_shell(&env, "zsh", script);
    assert_eq!(code, 0, "{err}");
    assert_eq!(pwned(), [false, false], "zsh ran a name:\n{out}");
    assert!(
        completion_blocks(&out)["pyv local "].contains(&evil),
        "{out}"
    );
}

/// `--- <words>` headers, each followed by the candidates offered.
fn completion_blocks(out: &str) -> std::collections::HashMap<String, Vec<&str>> {
    let mut blocks = std::collections::HashMap::new();
    let mut cur: Option<String> = None;
    for line in out.lines() {
        if let Some(h) = line.strip_prefix("--- ") {
            let h = h.to_string();
            blocks.insert(h.clone(), Vec::new());
            cur = Some(h);
        } else if let Some(h) = &cur {
            blocks.get_mut(h).unwrap().push(line);
        }
    }
    blocks
}

fn check_catalog_and_commands(
    shell: &str,
    blocks: &std::collections::HashMap<String, Vec<&str>>,
    install: &str,
    which: &str,
    exec: &str,
    top: &str,
) {
    let got = &blocks[install];
    assert!(
        got.contains(&"3.13.1") && got.iter().all(|v| v.starts_with("3.13.")),
        "{shell}: {got:?}"
    );
    for want in ["python", "pip", "python3.13", "only-in-web"] {
        assert!(
            blocks[which].contains(&want),
            "{shell}: {:?}",
            blocks[which]
        );
    }
    assert_eq!(blocks[exec], ["only-in-web"], "{shell}");
    let top = &blocks[top];
    assert!(
        top.contains(&"versions") && top.contains(&"activate"),
        "{shell}: {top:?}"
    );
    assert!(
        !top.iter().any(|c| c.starts_with("sh-")),
        "{shell}: hidden commands: {top:?}"
    );
}

#[test]
fn the_not_found_hook_makes_no_shim_for_a_skipped_command() {
    for shell in SHELLS {
        let env = setup();
        write_exe(
            &env.version_dir("3.11.2").join("bin/pyvskipped"),
            "#!/bin/sh\necho \"pyvskipped ran\"\n",
        );
        let (code, _, err) = run(env.pyv().args(["shims", "--skip", "pyvskipped"]));
        assert_eq!(code, 0, "{err}");
        assert!(!env.shims().join("pyvskipped").exists());
        let (code, out, err) = in_shell(&env, shell, "cd proj\npyvskipped");
        assert_eq!(code, 127, "{shell}: {out}\n{err}");
        assert!(!out.contains("ran"), "{shell}: {out}");
        assert!(!err.contains("it has one now"), "{shell}: {err}");
        assert!(!env.shims().join("pyvskipped").exists(), "{shell}");
        assert!(env.shims().join("python").exists(), "{shell}");
    }
}
