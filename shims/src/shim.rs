//! What runs when a shim is executed: find the selected version and `exec` its executable.
//!
//! The path is: read `PYV_VERSION`, walk up for `.python-version`, read the global file, one
//! `stat` of the target, `exec`. No network, no config parsing, no directory listing unless a
//! name is a prefix or missing. `exec` replaces the process, so arguments, stdin, signals and the
//! exit status pass through untouched. The one exception is `pip install`/`uninstall`, which is
//! waited for so that new commands get shims straight away (as pyenv's pip-rehash hook does).

use std::env;
use std::ffi::{OsStr, OsString};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;
use crate::layout::Layout;
use crate::resolve::{find_command, Found, Resolved};
use crate::{rehash, select};

/// Print an error and its hint the way every pyv message looks.
pub fn report(message: &dyn std::fmt::Display, hint: Option<String>) {
    eprintln!("pyv: {message}");
    if let Some(h) = hint {
        eprintln!("hint: {h}");
    }
}

/// The shim's whole life. Returns only on failure, with the exit code.
pub fn main() -> i32 {
    let mut args = env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let command = Path::new(&argv0)
        .file_name()
        .map(OsStr::to_os_string)
        .unwrap_or_default();
    let Some(command) = command.to_str().map(str::to_string) else {
        report(&"shim name is not UTF-8", None);
        return 2;
    };
    if command == "pyv-shim" {
        report(
            &"pyv-shim runs as a shim: `pyv rehash` links commands to it",
            Some("run `python`, `pip`, ... through the shims directory instead".into()),
        );
        return 2;
    }
    let rest: Vec<OsString> = args.collect();
    match locate(&command) {
        Ok((layout, found)) => exec_found(&layout, &command, found, rest),
        Err(e) => {
            report(&e, e.hint());
            e.exit_code()
        }
    }
}

fn locate(command: &str) -> Result<(Layout, Found), Error> {
    let layout = Layout::from_env();
    let cwd = env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let selection = select::current(&layout, env::var_os("PYV_VERSION").as_deref(), &cwd)?;
    let path = env::var_os("PATH");
    let found = find_command(&layout, &selection, command, path.as_deref())?;
    Ok((layout, found))
}

/// Run `found` with `args`: `exec` it (returning only on failure), except for pip installs,
/// which are waited for and followed by a rehash. Shared by the shims and `pyv exec`.
pub fn exec_found(layout: &Layout, command: &str, found: Found, args: Vec<OsString>) -> i32 {
    let mut cmd = Command::new(&found.path);
    cmd.args(&args);
    if let Resolved::Installed { .. } = found.version {
        // Like pyenv: the version's bin first, so the program's own subprocesses agree with it.
        if let Some(bin) = found.path.parent() {
            let mut paths = vec![bin.to_path_buf()];
            if let Some(p) = env::var_os("PATH") {
                paths.extend(env::split_paths(&p));
            }
            if let Ok(joined) = env::join_paths(paths) {
                cmd.env("PATH", joined);
            }
        }
    }
    if !changes_commands(command, &args) {
        let err = cmd.exec();
        report(
            &format!("cannot run `{}`: {err}", found.path.display()),
            None,
        );
        return 126;
    }
    // pip install/uninstall: wait, then rehash so new commands work at once.
    ignore_interrupts();
    let status = match cmd.status() {
        Ok(s) => s,
        Err(err) => {
            report(
                &format!("cannot run `{}`: {err}", found.path.display()),
                None,
            );
            return 126;
        }
    };
    if let Err(e) = rehash::rehash(layout, None) {
        report(
            &format!("rehash after `{command}` failed: {e}"),
            Some("run `pyv rehash`".into()),
        );
    }
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// Does this invocation install or remove packages (so shims may change)?
pub fn changes_commands(command: &str, args: &[OsString]) -> bool {
    let is_verb = |a: &OsString| a == "install" || a == "uninstall";
    let is_pip = command
        .strip_prefix("pip")
        .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    if is_pip {
        return args.iter().any(is_verb);
    }
    let is_python = command.strip_prefix("python").is_some_and(|v| {
        v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b't')
    });
    if is_python {
        let pip_at = args
            .windows(2)
            .position(|w| w[0] == "-m" && w[1] == "pip")
            .map(|i| i + 2)
            .or_else(|| args.iter().position(|a| a == "-mpip").map(|i| i + 1));
        if let Some(i) = pip_at {
            return args[i..].iter().any(is_verb);
        }
    }
    false
}

/// While waiting for a child, let Ctrl-C reach only the child (it shares our process group).
fn ignore_interrupts() {
    extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    const SIGINT: i32 = 2;
    const SIGQUIT: i32 = 3;
    const SIG_IGN: usize = 1;
    // SAFETY: installing SIG_IGN has no preconditions.
    unsafe {
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn recognises_pip_installs() {
        assert!(changes_commands("pip", &a(&["install", "black"])));
        assert!(changes_commands(
            "pip3.11",
            &a(&["-q", "uninstall", "-y", "black"])
        ));
        assert!(changes_commands(
            "python",
            &a(&["-m", "pip", "install", "x"])
        ));
        assert!(changes_commands(
            "python3.13t",
            &a(&["-mpip", "install", "x"])
        ));
        assert!(!changes_commands("pip", &a(&["list"])));
        assert!(!changes_commands("python", &a(&["install.py"])));
        assert!(!changes_commands("python", &a(&["-m", "venv", "install"])));
        assert!(!changes_commands("pipx", &a(&["install", "x"])));
    }
}
