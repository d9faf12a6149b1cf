//! Build processes die with pyv, however pyv dies. Each build command (configure, make, make
//! install, the interpreter check) runs in its own process group, so that pyv's wait loop can
//! stop all of it on Ctrl-C. The flip side: `kill -9` of pyv used to leave the whole group
//! running, and the orphan recreated the staging directory the next install had just swept.
//!
//! Two ties, because one is not enough:
//! - `PR_SET_PDEATHSIG` (Linux), set in the child before `exec`: the kernel sends SIGKILL to
//!   the group's leader (configure, make) when pyv dies. It covers only that one process, not
//!   make's compilers or configure's subshells.
//! - A watcher for the whole group: a tiny `sh` holding the read end of a pipe whose only write
//!   end is pyv's (close-on-exec, so no build process inherits it). When pyv dies, the kernel
//!   closes the write end, the watcher's `read` sees EOF and it kills the group. When the
//!   command ends normally, pyv writes `done` first, and the watcher exits without a kill (the
//!   group's id could otherwise be reused once pyv has reaped its leader). The watcher has a
//!   process group of its own, so a signal to pyv's group (Ctrl-C, a CI job's kill) cannot take
//!   it down together with pyv.
//!
//! A pipe the build children would themselves watch was the alternative; make and compilers
//! know nothing of it, so some process has to turn the EOF into a kill anyway.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// Make `cmd` (spawned into its own process group) die with pyv: SIGKILL on pyv's death, and
/// fail to start at all if pyv is already gone by the time it runs.
pub fn die_with_parent(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: prctl, getppid and _exit are async-signal-safe; nothing is allocated.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // pyv died between fork and prctl: nobody will wait for this build.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// The watcher of one process group: drop it once the group's leader has been waited for (it
/// then exits without killing anything).
pub struct Watcher {
    child: Option<Child>,
    pipe: Option<std::io::PipeWriter>,
}

/// The shell watcher: kill the group `$1` unless pyv said `done` before closing the pipe.
/// (`kill -KILL -<pgid>` without `--`: dash's `kill` refuses `--` and `-s KILL -<pgid>`.)
const WATCH: &str = r#"read -r said; [ "$said" = done ] || kill -KILL "-$1""#;

/// Start a watcher that kills process group `pgid` when pyv dies. If it cannot be started,
/// the build goes on with only [`die_with_parent`]'s protection.
pub fn watch(pgid: u32) -> Watcher {
    let started = std::io::pipe().and_then(|(reader, writer)| {
        let child = Command::new("/bin/sh")
            .args(["-c", WATCH, "pyv-build-watcher", &pgid.to_string()])
            .stdin(reader)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        Ok((child, writer))
    });
    match started {
        Ok((child, writer)) => Watcher {
            child: Some(child),
            pipe: Some(writer),
        },
        Err(_) => Watcher {
            child: None,
            pipe: None,
        },
    }
}

impl Drop for Watcher {
    /// The group ended (or pyv stopped it itself): the watcher exits without a kill.
    fn drop(&mut self) {
        if let Some(mut pipe) = self.pipe.take() {
            let _ = pipe.write_all(b"done\n");
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}
