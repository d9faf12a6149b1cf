//! What runs when a shim is executed: find the selected version and `exec` its executable.
//!
//! The path is: read `PYV_VERSION`, walk up for `.python-version`, read the global file, one
//! `stat` of the target, `exec`. No network, no config parsing, no directory listing unless a
//! name is a prefix or missing. `exec` replaces the process, so arguments, stdin, signals and the
//! exit status pass through untouched. The one exception is `pip install`/`uninstall`, which is
//! waited for so that new commands get shims straight away (as pyenv's pip-rehash hook does);
//! Ctrl-C still reaches it, and the signals a user sends to the shim (INT, QUIT, USR1, USR2, ALRM, TERM,
//! HUP, WINCH) are forwarded to it. A `system` command is handed on with a lap counter in the
//! environment, so another manager's shim that leads back here stops with an error.

use crate::env_vars::EnvVars;
use std::env;
use std::ffi::{OsStr, OsString};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::Error;
use crate::layout::Layout;
use crate::report::{report, report_error, shown};
use crate::resolve::Resolved;
use crate::which::{find_command, Found};
use crate::{rehash, select};

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
        Ok((layout, found)) => exec_found(&layout, &command, found, rest, None),
        Err(e) => {
            report_error(&e);
            e.exit_code()
        }
    }
}

fn locate(command: &str) -> Result<(Layout, Found), Error> {
    let layout = Layout::from_env()?;
    let cwd = env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let selection = select::current(&layout, env::var_os(EnvVars::PYV_VERSION).as_deref(), &cwd)?;
    let path = env::var_os(EnvVars::PATH);
    let found = find_command(&layout, &selection, command, path.as_deref())?;
    Ok((layout, found))
}

/// Run `found` with `args`: `exec` it (returning only on failure), except for pip installs,
/// which are waited for and followed by a rehash. Shared by the shims and `pyv exec`;
/// `shim_source` is the `pyv-shim` to install into `libexec/` for that rehash (`pyv exec` in a
/// root that was never rehashed has none there yet; a shim runs from it, so passes `None`).
pub fn exec_found(
    layout: &Layout,
    command: &str,
    found: Found,
    args: Vec<OsString>,
    shim_source: Option<&Path>,
) -> i32 {
    let mut cmd = Command::new(&found.path);
    cmd.args(&args);
    if let Resolved::System = found.version {
        let prev = env::var_os(HOPS_VAR);
        match next_hops(prev.as_deref(), std::process::id()) {
            Some(hops) => {
                cmd.env(HOPS_VAR, hops);
            }
            None => {
                let dir = found.path.parent().unwrap_or(Path::new("/"));
                report(
                    &format!(
                        "`{command}` for `system` leads back to pyv's shim through `{}` (a loop)",
                        shown(&found.path)
                    ),
                    Some(format!(
                        "remove `{}` from PATH (or put it after the real Python), or select an \
                         installed version (`pyv global <version>`)",
                        shown(dir)
                    )),
                );
                return 1;
            }
        }
    }
    if let Resolved::Installed { .. } = found.version {
        // Like pyenv: the version's bin first, so the program's own subprocesses agree with it.
        if let Some(bin) = found.path.parent() {
            let mut paths = vec![bin.to_path_buf()];
            if let Some(p) = env::var_os(EnvVars::PATH) {
                paths.extend(env::split_paths(&p));
            }
            if let Ok(joined) = env::join_paths(paths) {
                cmd.env("PATH", joined);
            }
        }
    }
    if !changes_commands(command, &args) {
        let err = cmd.exec();
        report(&format!("cannot run `{}`: {err}", shown(&found.path)), None);
        return 126;
    }
    // pip install/uninstall: wait, then rehash so new commands work at once.
    let status = match wait_for_child(&mut cmd) {
        Ok(s) => s,
        Err(err) => {
            report(&format!("cannot run `{}`: {err}", shown(&found.path)), None);
            return 126;
        }
    };
    if let Err(e) = rehash::rehash(layout, shim_source) {
        report(
            &format!("rehash after `{command}` failed: {e}"),
            Some("run `pyv rehash`".into()),
        );
    }
    if let Some(sig) = status.signal() {
        // Die the way the child did, so a calling shell or script sees the Ctrl-C too.
        die_by(sig);
    }
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// Carries, through the environment, how often a `system` command was handed on: `<pid>
/// <hops in that pid> <hops in all>`. Another version manager's shim that searches PATH for
/// `system` may find pyv's shim again; every lap `exec`s in the same process (so laps in one
/// pid are counted), while a program that runs `python3` in a child starts that count afresh.
const HOPS_VAR: &str = EnvVars::__PYV_SYSTEM_HOPS;
/// Laps back into pyv in one process before it is called a loop (a program may legitimately
/// re-`exec` itself through the shim once or twice).
const SAME_PID_HOPS: u32 = 3;
/// Nested `system` hand-offs in all before it is called a loop (a loop through wrappers that
/// fork instead of `exec`).
const ALL_HOPS: u32 = 32;

/// The new value of [`HOPS_VAR`] for one more `system` hand-off from `pid`, or `None` if that
/// would be one lap too many.
pub fn next_hops(prev: Option<&OsStr>, pid: u32) -> Option<String> {
    let prev = prev.and_then(OsStr::to_str).unwrap_or("");
    let mut fields = prev.split(' ').map(|f| f.parse::<u32>().ok());
    let (same, all) = match (
        fields.next().flatten(),
        fields.next().flatten(),
        fields.next().flatten(),
    ) {
        (Some(p), Some(same), Some(all)) => (if p == pid { same } else { 0 }, all),
        _ => (0, 0),
    };
    let (same, all) = (same.saturating_add(1), all.saturating_add(1));
    (same <= SAME_PID_HOPS && all <= ALL_HOPS).then(|| format!("{pid} {same} {all}"))
}

extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
    fn raise(signum: i32) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
}
const SIGHUP: i32 = 1;
const SIGINT: i32 = 2;
const SIGQUIT: i32 = 3;
#[cfg(target_os = "linux")]
const SIGUSR1: i32 = 10;
#[cfg(target_os = "linux")]
const SIGUSR2: i32 = 12;
#[cfg(not(target_os = "linux"))]
const SIGUSR1: i32 = 30;
#[cfg(not(target_os = "linux"))]
const SIGUSR2: i32 = 31;
const SIGALRM: i32 = 14;
const SIGTERM: i32 = 15;
const SIGWINCH: i32 = 28;
const SIG_DFL: usize = 0;

/// Every signal a user can send that the waited-for child should see. TERM and HUP reach only
/// the shim (a service manager, a closed terminal) and are always passed on; the others are
/// passed on when a process sent them to the shim (`kill -USR1 <shim>`), not when the terminal
/// did (Ctrl-C, Ctrl-\, a resize): those went to the whole foreground group, child included.
const FORWARDED: [i32; 8] = [
    SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGHUP, SIGWINCH,
];

/// The waited-for child's pid (0 before it exists), and a signal that came before it did.
static CHILD: AtomicI32 = AtomicI32::new(0);
static EARLY: AtomicI32 = AtomicI32::new(0);

fn forward(sig: i32) {
    match CHILD.load(Ordering::SeqCst) {
        0 => EARLY.store(sig, Ordering::SeqCst),
        // SAFETY: kill(2) is async-signal-safe.
        pid => unsafe {
            kill(pid, sig);
        },
    }
}

#[cfg(target_os = "linux")]
mod catch {
    //! `sigaction` with `SA_SIGINFO`, declared by hand (this crate has no dependencies): the
    //! layout of glibc's and musl's `struct sigaction` on Linux, and `siginfo_t`'s first three
    //! fields, which is all the handler reads.
    use super::{forward, SIGHUP, SIGTERM};

    #[repr(C)]
    struct SigAction {
        handler: usize,
        mask: [u64; 16],
        flags: i32,
        restorer: usize,
    }

    #[repr(C)]
    pub struct SigInfo {
        signo: i32,
        errno: i32,
        code: i32,
    }

    extern "C" {
        fn sigaction(sig: i32, act: *const SigAction, old: *mut SigAction) -> i32;
    }

    const SA_SIGINFO: i32 = 4;
    const SA_RESTART: i32 = 0x1000_0000;

    /// `si_code` of a signal sent by a process (`SI_USER` 0, `SI_QUEUE` -1, `SI_TKILL` -6, ...);
    /// the kernel's own (a terminal's Ctrl-C, a resize) are positive.
    extern "C" fn on_signal(sig: i32, info: *const SigInfo, _ctx: *const u8) {
        // SAFETY: the kernel passes a valid siginfo_t with SA_SIGINFO.
        let code = if info.is_null() {
            0
        } else {
            unsafe { (*info).code }
        };
        if sig == SIGTERM || sig == SIGHUP || code <= 0 {
            forward(sig);
        }
    }

    pub fn install(sig: i32) {
        let act = SigAction {
            handler: on_signal as *const () as usize,
            mask: [0; 16],
            flags: SA_SIGINFO | SA_RESTART,
            restorer: 0,
        };
        // SAFETY: `act` is a valid sigaction; the handler only reads siginfo and calls
        // kill(2) or stores into atomics, all async-signal-safe.
        unsafe {
            sigaction(sig, &act, std::ptr::null_mut());
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod catch {
    //! Without `siginfo`'s sender: the signals a terminal sends to the whole group are caught
    //! and dropped (the child got its own), the others passed on.
    use super::{forward, signal, SIGINT, SIGQUIT, SIGWINCH};

    extern "C" fn on_signal(sig: i32) {
        if ![SIGINT, SIGQUIT, SIGWINCH].contains(&sig) {
            forward(sig);
        }
    }

    pub fn install(sig: i32) {
        // SAFETY: the handler only calls kill(2) or stores into atomics.
        unsafe {
            signal(sig, on_signal as *const () as usize);
        }
    }
}

/// Run `cmd` and wait for it, passing on the signals of [`FORWARDED`]. Ctrl-C from the
/// terminal reaches the child by itself (it shares our process group), so the shim only
/// survives it to rehash and exit the way the child did. A caught signal is reset to the
/// default action by `exec`, so the child still dies of them; `SIG_IGN` would be inherited
/// and make it immune.
fn wait_for_child(cmd: &mut Command) -> std::io::Result<std::process::ExitStatus> {
    for sig in FORWARDED {
        catch::install(sig);
    }
    let mut child = cmd.spawn()?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    // A signal that arrived between spawn and the store above is delivered now.
    let early = EARLY.swap(0, Ordering::SeqCst);
    if early != 0 {
        forward(early);
    }
    child.wait()
}

/// Terminate this process with the signal that killed the child, so a calling shell or script
/// sees it too (SIGQUIT, which would dump the shim's core, and others: the exit code says
/// 128+n).
fn die_by(sig: i32) {
    if [SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM].contains(&sig) {
        // SAFETY: restoring the default action and raising it has no preconditions.
        unsafe {
            signal(sig, SIG_DFL);
            raise(sig);
        }
    }
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

    #[test]
    fn system_hops_count_laps_per_process_and_in_all() {
        let first = next_hops(None, 7).unwrap();
        assert_eq!(first, "7 1 1");
        let second = next_hops(Some(OsStr::new(&first)), 7).unwrap();
        let third = next_hops(Some(OsStr::new(&second)), 7).unwrap();
        assert_eq!(third, "7 3 3");
        assert_eq!(
            next_hops(Some(OsStr::new(&third)), 7),
            None,
            "a lap too many"
        );
        // A child process starts its own count, but the total keeps growing.
        assert_eq!(next_hops(Some(OsStr::new(&third)), 8).unwrap(), "8 1 4");
        assert_eq!(next_hops(Some(OsStr::new("9 1 32")), 10), None);
        assert_eq!(next_hops(Some(OsStr::new("junk")), 7).unwrap(), "7 1 1");
    }
}
