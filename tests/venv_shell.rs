//! Activation in real bash, zsh and fish: `pyv activate`/`deactivate` through the `pyv` shell
//! function, PATH and prompt restored exactly, a foreign venv left alone unless `-f`, and
//! auto-activation on `cd` into a project and out again, with the prompts the shell printed.
//! CI installs zsh, fish, python3 and python3-venv; without them these tests fail.

mod common;
mod venv_support;

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{pyv_bin, write_exe, Env};
use venv_support::{mkenv, python, real_version};

/// An env `web` (and `api`), a project selecting `web` with a subdirectory, a directory outside.
struct Fixture {
    env: Env,
    proj: PathBuf,
    out: PathBuf,
}

fn fixture() -> Option<Fixture> {
    let env = Env::new();
    real_version(&env)?;
    mkenv(&env, &["3.11", "web", "--without-pip"]);
    mkenv(&env, &["3.11", "api", "--without-pip"]);
    let proj = env.path().join("proj");
    fs::create_dir_all(proj.join("sub")).unwrap();
    fs::write(proj.join(".python-version"), "web\n").unwrap();
    let out = env.path().join("out");
    fs::create_dir_all(&out).unwrap();
    Some(Fixture { env, proj, out })
}

impl Fixture {
    fn web(&self) -> String {
        self.env
            .version_dir("3.11.9/envs/web")
            .display()
            .to_string()
    }
    fn api(&self) -> String {
        self.env
            .version_dir("3.11.9/envs/api")
            .display()
            .to_string()
    }

    /// A shell with the fixture's paths in its environment (scripts never quote paths).
    fn shell(&self, program: &str) -> Command {
        let shell = which(program);
        let mut c = self.env.cmd(shell);
        c.env("PYV", pyv_bin())
            .env("PROJ", &self.proj)
            .env("OUT", &self.out)
            .env("WEB", self.web())
            .env("API", self.api())
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("TERM", "dumb")
            .env_remove("PYV_VIRTUALENV_DISABLE_PROMPT")
            .env_remove("VIRTUAL_ENV_DISABLE_PROMPT")
            .env_remove("PROMPT_COMMAND");
        c
    }
}

fn which(program: &str) -> PathBuf {
    for dir in ["/usr/bin", "/bin", "/usr/local/bin"] {
        let p = Path::new(dir).join(program);
        if p.exists() {
            return p;
        }
    }
    panic!("this test needs {program}: apt-get install {program}");
}

/// Run `script` with `args` and return its `key=value` lines (stdout), asserting success.
fn vars(mut c: Command, script_args: &[&str]) -> HashMap<String, String> {
    let out = c.args(script_args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{c:?} failed:\n{stdout}\n{stderr}");
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Activation and deactivation in bash and zsh (the same script works in both).
const POSIX_ACTIVATE: &str = r#"
eval "$("$PYV" init "$SH")"
PS1="$PROMPT0"
echo "path0=$PATH"; echo "ps0=$PS1"
pyv activate web; echo "rc1=$?"
echo "ve1=$VIRTUAL_ENV"; echo "py1=$(command -v python)"; echo "ps1=$PS1"; echo "name1=$PYV_ACTIVATED_ENV"
echo "prefix1=$(python -c 'import sys; print(sys.prefix)')"
pyv activate api; echo "rc2=$?"
echo "ve2=$VIRTUAL_ENV"; echo "path2=$PATH"; echo "ps2=$PS1"
pyv deactivate; echo "rc3=$?"
echo "path3=$PATH"; echo "ps3=$PS1"; echo "ve3=${VIRTUAL_ENV-unset}"
pyv deactivate 2>/dev/null; echo "rc4=$?"
PYV_VIRTUALENV_DISABLE_PROMPT=1
pyv activate web; echo "ps5=$PS1"; echo "ve5=$VIRTUAL_ENV"
pyv deactivate; echo "path6=$PATH"; echo "ps6=$PS1"
"#;

const FISH_ACTIVATE: &str = r#"
$PYV init fish | source
function fish_prompt; printf '%s@%s:%s> ' me box (basename $PWD); end
echo "path0="(string join : $PATH); echo "ps0="(fish_prompt)
pyv activate web; echo "rc1=$status"
echo "ve1=$VIRTUAL_ENV"; echo "py1="(command -s python); echo "ps1="(fish_prompt); echo "name1=$PYV_ACTIVATED_ENV"
echo "prefix1="(python -c 'import sys; print(sys.prefix)')
pyv activate api; echo "rc2=$status"
echo "ve2=$VIRTUAL_ENV"; echo "path2="(string join : $PATH); echo "ps2="(fish_prompt)
pyv deactivate; echo "rc3=$status"
echo "path3="(string join : $PATH); echo "ps3="(fish_prompt)
set -q VIRTUAL_ENV; and echo "ve3=$VIRTUAL_ENV"; or echo "ve3=unset"
pyv deactivate 2>/dev/null; echo "rc4=$status"
set -g PYV_VIRTUALENV_DISABLE_PROMPT 1
pyv activate web; echo "ps5="(fish_prompt); echo "ve5=$VIRTUAL_ENV"
pyv deactivate; echo "path6="(string join : $PATH); echo "ps6="(fish_prompt)
"#;

fn check_activation(f: &Fixture, sh: &str, v: &HashMap<String, String>) {
    let (web, api) = (f.web(), f.api());
    let ps0 = &v["ps0"];
    assert!(!ps0.is_empty(), "{sh}: {v:?}");
    assert_eq!(v["rc1"], "0", "{sh}");
    assert_eq!(v["ve1"], web, "{sh}");
    assert_eq!(v["py1"], format!("{web}/bin/python"), "{sh}");
    assert_eq!(v["ps1"], format!("(web) {ps0}"), "{sh}");
    assert_eq!(v["name1"], "web", "{sh}");
    assert_eq!(v["prefix1"], web, "{sh}: the env's python runs");
    // Switching: api first, web gone from PATH, one prefix.
    assert_eq!(v["rc2"], "0", "{sh}");
    assert_eq!(v["ve2"], api, "{sh}");
    assert_eq!(v["path2"], format!("{api}/bin:{}", v["path0"]), "{sh}");
    assert_eq!(v["ps2"], format!("(api) {ps0}"), "{sh}");
    // Deactivation restores exactly.
    assert_eq!(v["rc3"], "0", "{sh}");
    assert_eq!(v["path3"], v["path0"], "{sh}: PATH restored exactly");
    assert_eq!(&v["ps3"], ps0, "{sh}: prompt restored exactly");
    assert_eq!(v["ve3"], "unset", "{sh}");
    assert_eq!(v["rc4"], "1", "{sh}: nothing to deactivate is an error");
    // The prompt prefix can be turned off.
    assert_eq!(&v["ps5"], ps0, "{sh}: PYV_VIRTUALENV_DISABLE_PROMPT");
    assert_eq!(v["ve5"], web, "{sh}");
    assert_eq!(v["path6"], v["path0"], "{sh}");
    assert_eq!(&v["ps6"], ps0, "{sh}");
}

#[test]
fn bash_activation_restores_path_and_prompt_exactly() {
    let Some(f) = fixture() else {
        return;
    };
    let mut c = f.shell("bash");
    c.env("SH", "bash").env("PROMPT0", r"\u@\h:\w\$ ");
    let v = vars(c, &["--norc", "--noprofile", "-c", POSIX_ACTIVATE]);
    check_activation(&f, "bash", &v);
}

#[test]
fn zsh_activation_restores_path_and_prompt_exactly() {
    let Some(f) = fixture() else {
        return;
    };
    let mut c = f.shell("zsh");
    c.env("SH", "zsh").env("PROMPT0", "%n@%m:%~%# ");
    let v = vars(c, &["-f", "-c", POSIX_ACTIVATE]);
    check_activation(&f, "zsh", &v);
}

#[test]
fn fish_activation_restores_path_and_prompt_exactly() {
    let Some(f) = fixture() else {
        return;
    };
    let v = vars(f.shell("fish"), &["--no-config", "-c", FISH_ACTIVATE]);
    assert_eq!(
        v["ps0"],
        "me@box:pyv test".to_string() + &v["ps0"][15..],
        "{v:?}"
    );
    check_activation(&f, "fish", &v);
}

/// A venv activated by hand with its own activate script.
fn foreign_venv() -> tempfile::TempDir {
    // No spaces: Debian's Python 3.11 writes VIRTUAL_ENV unquoted into bin/activate.
    let d = tempfile::Builder::new()
        .prefix("foreign")
        .tempdir_in("/tmp")
        .unwrap();
    let ok = Command::new(python().expect("checked by fixture"))
        .args(["-m", "venv", "--without-pip"])
        .arg(d.path().join("fv"))
        .status()
        .unwrap();
    assert!(ok.success());
    d
}

const POSIX_FOREIGN: &str = r#"
eval "$("$PYV" init "$SH")"
PS1="$PROMPT0"
echo "path0=$PATH"; echo "ps0=$PS1"
. "$FOREIGN/bin/activate"
echo "fve=$VIRTUAL_ENV"; echo "fps=$PS1"
pyv activate web 2>/dev/null; echo "rc1=$?"; echo "ve1=$VIRTUAL_ENV"
pyv deactivate 2>/dev/null; echo "rc2=$?"; echo "ve2=$VIRTUAL_ENV"
pyv activate -f web; echo "rc3=$?"; echo "ve3=$VIRTUAL_ENV"; echo "ps3=$PS1"
case ":$PATH:" in *":$FOREIGN/bin:"*) echo "foreign_on_path=yes" ;; *) echo "foreign_on_path=no" ;; esac
pyv deactivate; echo "rc4=$?"; echo "path4=$PATH"; echo "ps4=$PS1"
"#;

const FISH_FOREIGN: &str = r#"
$PYV init fish | source
function fish_prompt; printf '%s> ' me; end
echo "path0="(string join : $PATH); echo "ps0="(fish_prompt)
source $FOREIGN/bin/activate.fish
echo "fve=$VIRTUAL_ENV"; echo "fps="(fish_prompt)
pyv activate web 2>/dev/null; echo "rc1=$status"; echo "ve1=$VIRTUAL_ENV"
pyv deactivate 2>/dev/null; echo "rc2=$status"; echo "ve2=$VIRTUAL_ENV"
pyv activate -f web; echo "rc3=$status"; echo "ve3=$VIRTUAL_ENV"; echo "ps3="(fish_prompt)
contains -- $FOREIGN/bin $PATH; and echo "foreign_on_path=yes"; or echo "foreign_on_path=no"
pyv deactivate; echo "rc4=$status"; echo "path4="(string join : $PATH); echo "ps4="(fish_prompt)
"#;

#[test]
fn foreign_venv_is_left_alone_unless_forced() {
    let Some(f) = fixture() else {
        return;
    };
    let foreign = foreign_venv();
    let fdir = foreign.path().join("fv").display().to_string();
    for sh in ["bash", "zsh", "fish"] {
        let mut c = f.shell(sh);
        c.env("SH", sh).env("FOREIGN", &fdir);
        let args: Vec<&str> = match sh {
            "bash" => vec!["--norc", "--noprofile", "-c", POSIX_FOREIGN],
            "zsh" => vec!["-f", "-c", POSIX_FOREIGN],
            _ => vec!["--no-config", "-c", FISH_FOREIGN],
        };
        c.env("PROMPT0", "me> ");
        let v = vars(c, &args);
        assert_eq!(v["fve"], fdir, "{sh}: {v:?}");
        assert_eq!(v["fps"], "(fv) me> ", "{sh}: the foreign venv's own prompt");
        assert_eq!(
            v["rc1"], "1",
            "{sh}: activating over a foreign venv is refused"
        );
        assert_eq!(v["ve1"], fdir, "{sh}");
        assert_eq!(
            v["rc2"], "1",
            "{sh}: deactivating a foreign venv is refused"
        );
        assert_eq!(v["ve2"], fdir, "{sh}");
        assert_eq!(v["rc3"], "0", "{sh}: -f replaces it");
        assert_eq!(v["ve3"], f.web(), "{sh}");
        assert_eq!(v["ps3"], "(web) me> ", "{sh}: its prompt prefix is gone");
        assert_eq!(v["foreign_on_path"], "no", "{sh}");
        assert_eq!(v["rc4"], "0", "{sh}");
        assert_eq!(v["path4"], v["path0"], "{sh}");
        assert_eq!(v["ps4"], v["ps0"], "{sh}");
    }
}

/// A `pyv` that logs each run, to count the processes the prompt hook spawns.
fn logging_pyv(f: &Fixture) -> (PathBuf, PathBuf) {
    let log = f.env.path().join("spawns.log");
    let wrapper = f.env.path().join("logging-pyv");
    write_exe(
        &wrapper,
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            pyv_bin().display()
        ),
    );
    (wrapper, log)
}

fn auto_spawns(log: &Path) -> usize {
    fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| *l == "sh-activate --auto")
        .count()
}

/// What an interactive shell printed as prompts (`[dir]> `, maybe after `(web) `), in order.
fn prompts(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = stderr;
    while let Some(end) = rest.find("]> ") {
        let mut start = rest[..end].rfind('[').unwrap_or(0);
        if rest[..start].ends_with("(web) ") {
            start -= "(web) ".len();
        }
        out.push(rest[start..end + 3].to_string());
        rest = &rest[end + 3..];
    }
    out
}

/// The session both interactive shells run: prompts are printed after each line.
const AUTO_SESSION: &str = r#"cd "$OUT"
true
cd "$PROJ"
true
true
cd sub
cd "$OUT"
pyv activate web
cd "$PROJ"
cd "$OUT"
pyv deactivate
mkdir -p "$OUT/late" && cd "$OUT/late"
pyv local web
true
cd "$OUT"
exit
"#;

fn expected_prompts(start: &str) -> Vec<String> {
    [
        start.to_string(), // after init + PS1
        "[out]> ".into(),  // cd out
        "[out]> ".into(),  // true: no change, no spawn
        "(web) [proj]> ".into(),
        "(web) [proj]> ".into(),
        "(web) [proj]> ".into(),
        "(web) [sub]> ".into(),
        "[out]> ".into(),
        "(web) [out]> ".into(),  // activated by hand
        "(web) [proj]> ".into(), // ... stays
        "(web) [out]> ".into(),  // ... and is not deactivated on leaving
        "[out]> ".into(),
        "[late]> ".into(),
        "(web) [late]> ".into(), // `pyv local web` here: activated at the next prompt
        "(web) [late]> ".into(),
        "[out]> ".into(),
    ]
    .to_vec()
}

fn run_interactive(mut c: Command, input: &str) -> (String, String) {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Drive AUTO_SESSION in a real interactive `shell` (started with `args`, prompt `prompt0`,
/// `setup` run before the hook) and check the prompts it printed and how often pyv ran.
fn auto_activation_follows_cd(shell: &str, args: &[&str], setup: &str, prompt0: &str) {
    let Some(f) = fixture() else {
        return;
    };
    let (wrapper, log) = logging_pyv(&f);
    let mut c = f.shell(shell);
    c.args(args)
        .env("WRAPPER", &wrapper)
        .env("PROMPT0", prompt0);
    let input = format!(
        "{setup}eval \"$(\"$PYV\" init {shell} --auto-activate)\"; __pyv_bin=\"$WRAPPER\"; PS1=\"$PROMPT0\"\n{AUTO_SESSION}"
    );
    let (_, err) = run_interactive(c, &input);
    let got = prompts(&err);
    let start = format!(
        "[{}]> ",
        f.env.path().file_name().unwrap().to_string_lossy()
    );
    assert_eq!(got, expected_prompts(&start), "{shell}: {err}");
    // One spawn per directory change (the first prompt, 9 cds... see the session) and after
    // `pyv local`; none for the unchanged prompts.
    assert_eq!(
        auto_spawns(&log),
        10,
        "{shell}: {}",
        fs::read_to_string(&log).unwrap()
    );
}

#[test]
fn bash_auto_activation_follows_cd_and_spawns_only_on_change() {
    auto_activation_follows_cd("bash", &["--norc", "--noprofile", "-i"], "", r"[\W]> ");
}

#[test]
fn zsh_auto_activation_follows_cd_and_spawns_only_on_change() {
    auto_activation_follows_cd(
        "zsh",
        &["-f", "-i"],
        "unsetopt PROMPT_SP PROMPT_CR; ",
        "[%1~]> ",
    );
}

const FISH_AUTO: &str = r#"
$PYV init fish --auto-activate | source
set -g __pyv_bin $WRAPPER
function fish_prompt; printf '[%s]> ' (basename $PWD); end
echo "p0="(fish_prompt)
cd $OUT; echo "p1="(fish_prompt)
cd $PROJ; echo "p2="(fish_prompt); echo "ve2=$VIRTUAL_ENV"
cd sub; echo "p3="(fish_prompt)
cd $OUT; echo "p4="(fish_prompt); set -q VIRTUAL_ENV; and echo "ve4=$VIRTUAL_ENV"; or echo "ve4=unset"
pyv activate web; cd $PROJ; cd $OUT; echo "p5="(fish_prompt)
pyv deactivate; echo "p6="(fish_prompt)
mkdir -p $OUT/late; cd $OUT/late; pyv local web; echo "p7="(fish_prompt)
cd $OUT; echo "p8="(fish_prompt)
"#;

#[test]
fn fish_auto_activation_follows_cd() {
    let Some(f) = fixture() else {
        return;
    };
    let (wrapper, log) = logging_pyv(&f);
    let mut c = f.shell("fish");
    c.env("WRAPPER", &wrapper);
    let v = vars(c, &["--no-config", "-c", FISH_AUTO]);
    assert_eq!(v["p1"], "[out]> ", "{v:?}");
    assert_eq!(v["p2"], "(web) [proj]> ");
    assert_eq!(v["ve2"], f.web());
    assert_eq!(v["p3"], "(web) [sub]> ");
    assert_eq!(v["p4"], "[out]> ");
    assert_eq!(v["ve4"], "unset");
    assert_eq!(v["p5"], "(web) [out]> ", "activated by hand: left alone");
    assert_eq!(v["p6"], "[out]> ");
    assert_eq!(v["p7"], "(web) [late]> ", "after `pyv local`");
    assert_eq!(v["p8"], "[out]> ");
    // fish runs the hook on PWD changes only: 8 cds and one `pyv local`.
    assert_eq!(
        auto_spawns(&log),
        9,
        "{}",
        fs::read_to_string(&log).unwrap()
    );
}

/// What `pyv` reports and runs while an environment is active (bash and zsh).
const POSIX_SELECTED: &str = r#"
eval "$("$PYV" init "$SH")"
export PYV_VERSION=3.11.9
pyv activate web
echo "version=$(pyv version)"
echo "origin=$(pyv version-origin)"
echo "which=$(pyv which only-in-web)"
echo "exec=$(pyv exec only-in-web a b)"
echo "marked=$(pyv versions | grep '^\*' | tr '\n' '|')"
pyv deactivate
echo "restored=${PYV_VERSION-unset}"
unset PYV_VERSION
pyv activate web
pyv shell 3.11.9
pyv deactivate
echo "kept=${PYV_VERSION-unset}"
unset PYV_VERSION
pyv activate web
pyv deactivate
echo "none=${PYV_VERSION-unset}"
"#;

const FISH_SELECTED: &str = r#"
$PYV init fish | source
set -gx PYV_VERSION 3.11.9
pyv activate web
echo "version="(pyv version)
echo "origin="(pyv version-origin)
echo "which="(pyv which only-in-web)
echo "exec="(pyv exec only-in-web a b)
echo "marked="(pyv versions | grep '^\*' | string join '|')'|'
pyv deactivate
echo "restored=$PYV_VERSION"
set -e PYV_VERSION
pyv activate web
pyv shell 3.11.9
pyv deactivate
echo "kept=$PYV_VERSION"
set -e PYV_VERSION
pyv activate web
pyv deactivate
set -q PYV_VERSION; and echo "none=$PYV_VERSION"; or echo "none=unset"
"#;

fn check_selected(f: &Fixture, sh: &str, v: &HashMap<String, String>) {
    let web = f.web();
    assert!(
        v["version"].starts_with("web (activated virtualenv"),
        "{sh}: {v:?}"
    );
    assert!(v["origin"].contains("pyv activate"), "{sh}: {v:?}");
    // Found through the alias `versions/web`, which `PYV_VERSION=web` names.
    let alias = f.env.version_dir("web").join("bin/only-in-web");
    assert_eq!(v["which"], alias.display().to_string(), "{sh}");
    assert_eq!(
        alias.canonicalize().unwrap(),
        Path::new(&web)
            .join("bin/only-in-web")
            .canonicalize()
            .unwrap()
    );
    assert_eq!(v["exec"], "only-in-web web a b", "{sh}");
    let marked: Vec<&str> = v["marked"].split('|').filter(|l| !l.is_empty()).collect();
    // One `*`: the alias that was activated, not also its target (the same environment).
    assert_eq!(marked.len(), 1, "{sh}: {v:?}");
    assert!(
        marked.iter().all(|l| l.contains("activated virtualenv")),
        "{sh}: {v:?}"
    );
    assert!(marked[0].starts_with("* web --> "), "{sh}: {v:?}");
    assert_eq!(
        v["restored"], "3.11.9",
        "{sh}: PYV_VERSION from before comes back"
    );
    assert_eq!(
        v["kept"], "3.11.9",
        "{sh}: `pyv shell` after activating stays"
    );
    assert_eq!(v["none"], "unset", "{sh}");
}

fn selected_fixture() -> Option<Fixture> {
    let f = fixture()?;
    write_exe(
        &Path::new(&f.web()).join("bin/only-in-web"),
        "#!/bin/sh\necho \"only-in-web web $*\"\n",
    );
    Some(f)
}

#[test]
fn bash_activated_env_is_what_pyv_reports_and_runs() {
    let Some(f) = selected_fixture() else {
        return;
    };
    let mut c = f.shell("bash");
    c.env("SH", "bash");
    let v = vars(c, &["--norc", "--noprofile", "-c", POSIX_SELECTED]);
    check_selected(&f, "bash", &v);
}

#[test]
fn zsh_activated_env_is_what_pyv_reports_and_runs() {
    let Some(f) = selected_fixture() else {
        return;
    };
    let mut c = f.shell("zsh");
    c.env("SH", "zsh");
    let v = vars(c, &["-f", "-c", POSIX_SELECTED]);
    check_selected(&f, "zsh", &v);
}

#[test]
fn fish_activated_env_is_what_pyv_reports_and_runs() {
    let Some(f) = selected_fixture() else {
        return;
    };
    let v = vars(f.shell("fish"), &["--no-config", "-c", FISH_SELECTED]);
    check_selected(&f, "fish", &v);
}
