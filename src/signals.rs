//! SIGINT / SIGTERM / SIGHUP during an install, an uninstall or a virtualenv's creation: the
//! handler only records the signal; every phase polls [`check`] (between download chunks,
//! archive entries and while waiting for build or venv processes) and unwinds with
//! [`Interrupted`], so the staging dir's `Drop` removes the partial work. Child processes run
//! in their own process group, which the wait loop terminates ([`kill_group`]), so a SIGTERM
//! sent to pyv alone still stops `make` or `python -m venv`. Installs route the signals for
//! the rest of the process ([`install`]); a virtualenv's creation only while it runs
//! ([`scoped`]), so Ctrl-C after it (during the rehash) stops pyv at once, as always.
//!
//! Written with `libc::sigaction` (already a dependency) instead of a crate: the handler is one
//! atomic store, which is async-signal-safe.

use std::sync::atomic::{AtomicI32, Ordering};

static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

/// Route SIGINT, SIGTERM and SIGHUP to the recorder (idempotent).
pub fn install() {
    route();
}

/// Route the three signals to the recorder; the actions they had before.
fn route() -> Vec<(libc::c_int, libc::sigaction)> {
    let mut saved = Vec::new();
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that only stores into an atomic; no
        // SA_RESTART, so blocking calls (flock, sleeps) return early and we notice the signal.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &action, &mut old) == 0 {
                saved.push((sig, old));
            }
        }
    }
    saved
}

/// [`install`] while the value lives: dropping it puts back the actions the three signals
/// had (the default ones, which end pyv at once, unless [`install`] ran before).
#[must_use = "the signals are routed only while the value lives"]
pub struct Scoped {
    saved: Vec<(libc::c_int, libc::sigaction)>,
}

/// Route the signals to the recorder until the returned [`Scoped`] is dropped. A program that
/// a child `exec`s gets the default actions back, so Ctrl-C still stops it at once.
pub fn scoped() -> Scoped {
    Scoped { saved: route() }
}

impl Drop for Scoped {
    fn drop(&mut self) {
        for (sig, old) in &self.saved {
            // SAFETY: restoring the action `route` saved.
            unsafe { libc::sigaction(*sig, old, std::ptr::null_mut()) };
        }
    }
}

/// The signal received since [`install`], if any.
pub fn pending() -> Option<i32> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Forget a recorded signal (unit tests that raise one).
#[cfg(test)]
pub fn reset_for_tests() {
    PENDING.store(0, Ordering::SeqCst);
}

/// A signal arrived: the operation stops and unwinds (its scratch is removed on drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted(pub i32);

/// Fail with [`Interrupted`] once a signal has arrived.
pub fn check() -> Result<(), Interrupted> {
    match pending() {
        Some(signal) => Err(Interrupted(signal)),
        None => Ok(()),
    }
}

/// `SIGINT (Ctrl-C)`, `SIGTERM`, ... for messages.
pub fn name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT (Ctrl-C)".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGHUP => "SIGHUP".into(),
        s => format!("signal {s}"),
    }
}

/// Terminate a child's whole process group (it was spawned with `process_group(0)`).
pub fn kill_group(pid: u32) {
    // SAFETY: plain syscall; a negative pid addresses the group led by `pid`.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGTERM);
    }
}
