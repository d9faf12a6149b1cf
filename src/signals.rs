//! SIGINT / SIGTERM / SIGHUP during an install or uninstall: the handler only records the signal; every
//! phase polls [`check`] (between download chunks, archive entries and while waiting for build
//! processes) and unwinds with [`Interrupted`], so the staging dir's `Drop` removes
//! the partial work. Build processes run in their own process group, which the wait loop
//! terminates, so a SIGTERM sent to pyv alone still stops `make`.
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
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that only stores into an atomic; no
        // SA_RESTART, so blocking calls (flock, sleeps) return early and we notice the signal.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
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
