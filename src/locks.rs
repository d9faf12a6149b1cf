//! The locks that serialise work on one version, and the sweep of what killed work left behind.
//! Built on the kernel `flock`s of [`pyv_core::fsx`] (released even on SIGKILL): an install or
//! uninstall of `<name>` holds `.locks/version-<name>.lock` from start to publish, so a second
//! one waits and then sees the result, and a leftover under `.staging/` whose lock nobody holds
//! belongs to a dead process and may go.

use std::fs::File;
use std::path::Path;

use pyv_core::{fsx, Layout};

use crate::report::Reporter;
use crate::signals::{self, Interrupted};

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(transparent)]
    Core(#[from] pyv_core::Error),
    #[error("interrupted by {} while waiting for another pyv", signals::name(.0 .0))]
    Interrupted(Interrupted),
}

impl From<Interrupted> for LockError {
    fn from(i: Interrupted) -> Self {
        LockError::Interrupted(i)
    }
}

/// The per-version lock; held for the whole install or uninstall.
pub struct VersionLock {
    _file: File,
    /// Another process held it first and we waited.
    pub waited: bool,
}

fn lock_name(version: &str) -> String {
    format!("version-{version}")
}

impl VersionLock {
    /// Take the lock of version `name`, waiting (and saying so) if another pyv holds it.
    pub fn acquire(
        layout: &Layout,
        name: &str,
        reporter: &dyn Reporter,
    ) -> Result<VersionLock, LockError> {
        let (file, waited) = wait_for(
            &layout.lock_file(&lock_name(name)),
            reporter,
            "another pyv is installing or removing this version; waiting for it",
        )?;
        Ok(VersionLock {
            _file: file,
            waited,
        })
    }

    /// Take the lock only if nobody holds it.
    pub fn try_acquire(layout: &Layout, name: &str) -> Option<VersionLock> {
        let file = fsx::try_lock(layout, &lock_name(name)).ok()??;
        Some(VersionLock {
            _file: file,
            waited: false,
        })
    }
}

/// How often a waiting pyv tries the lock again (and looks for a signal).
const POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Take the kernel lock on `path`; if another process holds it, say `note` and wait, stopping
/// early on SIGINT/SIGTERM. The file, and whether we waited.
///
/// The wait polls (`try_lock` every 50 ms, checking for a signal in between) instead of
/// blocking in `flock`: a signal that lands after a check but before a blocking `flock` began
/// would otherwise be noticed only when the other pyv ends, minutes later.
pub fn wait_for(
    path: &Path,
    reporter: &dyn Reporter,
    note: &str,
) -> Result<(File, bool), LockError> {
    if let Some(file) = fsx::try_lock_file(path)? {
        return Ok((file, false));
    }
    reporter.note(note);
    loop {
        signals::check()?;
        std::thread::sleep(POLL);
        signals::check()?;
        if let Some(file) = fsx::try_lock_file(path)? {
            return Ok((file, true));
        }
    }
}

/// The version a staging entry belongs to: `<name>.<pid>` or `<name>.<pid>-<what>`.
fn staged_version(entry: &str) -> Option<&str> {
    let (name, pid) = entry.rsplit_once('.')?;
    let pid = pid.split('-').next()?;
    (!name.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// Remove leftovers of killed installs and uninstalls under `.staging/`: those of `own` (whose
/// lock we hold) and those of any other version whose lock nobody holds.
///
/// Which entries are stale is decided here, before the caller creates its own stage; the
/// deleting happens on a background thread, beside the download and build, so a killed
/// uninstall's whole Python tree (26 s to delete on a slow disk) no longer delays the next
/// install's start. The entries are already invisible (nothing reads `.staging/`); the command
/// gives the thread a few seconds at its very end ([`finish_sweeps`]), and what is left then
/// keeps its dead owner's name for the next sweep to carry on with.
///
/// Only what pyv made is swept: `.staging` must be a real directory (a symlink to a big disk
/// is never followed: its `photos.2023` is not a leftover), an entry must be a real directory
/// named `<version>.<pid>[-<what>]`, and that version's lock file must exist (pyv takes it
/// before it stages anything, and never unlinks it).
pub fn sweep_staging(layout: &Layout, own: &str) {
    // `.staging/` and, when `versions/` is on another filesystem, `versions/.pyv-staging/`.
    let mut dirs = vec![layout.staging_dir()];
    let here = crate::install::staging::staging_dir(layout);
    if here != dirs[0] {
        dirs.push(here);
    }
    let stale: Vec<std::path::PathBuf> = dirs
        .iter()
        .filter(|dir| std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()))
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(staged_version)
                .is_some_and(|version| {
                    layout.lock_file(&lock_name(version)).is_file()
                        && (version == own || VersionLock::try_acquire(layout, version).is_some())
                })
        })
        .map(|e| e.path())
        .collect();
    if stale.is_empty() {
        return;
    }
    in_background(std::thread::spawn(move || {
        for path in stale {
            let _ = fsx::remove_any(&path);
        }
    }));
}

/// Let a sweep run beside the command; [`finish_sweeps`] gives it a moment at the end.
pub fn in_background(sweeper: std::thread::JoinHandle<()>) {
    SWEEPERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(sweeper);
}

/// The background sweeps started by [`sweep_staging`].
static SWEEPERS: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// How long the end of a command waits for the background sweeps before leaving the rest for
/// the next one.
const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Give the background sweeps a moment to finish at the end of a command (not after a signal,
/// when pyv should just stop). A tree that takes longer is left half-deleted under its dead
/// owner's name, and the next sweep carries on: housekeeping never holds the user up for long.
pub fn finish_sweeps() {
    let sweepers = std::mem::take(&mut *SWEEPERS.lock().unwrap_or_else(|e| e.into_inner()));
    let deadline = std::time::Instant::now() + SWEEP_GRACE;
    while sweepers.iter().any(|s| !s.is_finished())
        && std::time::Instant::now() < deadline
        && signals::pending().is_none()
    {
        std::thread::sleep(POLL);
    }
}

/// Whether `entry` is `<anything><kind><pid>` for one of `kinds`: the scratch names of
/// virtualenv creations and deletions (`.tmp-`, `.old-`, `.del-`, `.alias-`).
pub fn is_scratch(entry: &str, kinds: &[&str]) -> bool {
    entry.starts_with('.')
        && kinds.iter().any(|k| {
            entry
                .rsplit_once(k)
                .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_entry_names() {
        assert_eq!(staged_version("3.11.2.1234"), Some("3.11.2"));
        assert_eq!(staged_version("3.13.5t.99-uninstall"), Some("3.13.5t"));
        assert_eq!(staged_version("3.11.2"), Some("3.11"));
        assert_eq!(staged_version("junk"), None);
        assert_eq!(staged_version("a.b"), None);
    }

    /// A signal that arrives after the first `try_lock` failed, before the wait begins, stops
    /// the wait at once (it used to be noticed only when the holder let go).
    ///
    /// Signal dispositions and the recorded signal are process-wide: raised here, beside the
    /// other unit tests of this binary (threads of one process), it would interrupt whichever
    /// unpack or install test polls [`signals::check`] at that moment. So the test runs itself
    /// again in a child process (this test binary, this one test, [`IN_CHILD`] set) and raises
    /// the signal only there.
    #[test]
    fn a_signal_before_the_wait_begins_is_not_lost() {
        if std::env::var_os(IN_CHILD).is_none() {
            return in_a_child_process("locks::tests::a_signal_before_the_wait_begins_is_not_lost");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.lock");
        let _held = fsx::lock_file(&path).unwrap();
        signals::install();
        // SAFETY: the recorder only stores the signal.
        unsafe { libc::raise(libc::SIGINT) };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(wait_for(&path, &crate::report::Quiet, "waiting").map(|_| ()));
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(5));
        signals::reset_for_tests();
        assert!(
            matches!(got, Ok(Err(LockError::Interrupted(_)))),
            "the wait went on despite the signal: {got:?}"
        );
    }

    /// Set in the child process a test that raises a signal runs in.
    const IN_CHILD: &str = "PYV_TEST_SIGNAL_CHILD";

    /// Run the test `name` (its full path) alone in a new process of this test binary, with
    /// [`IN_CHILD`] set, and fail if it fails there (or did not run: a renamed test).
    fn in_a_child_process(name: &str) {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--test-threads=1", "--nocapture"])
            .env(IN_CHILD, "1")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "{name} failed in its own process:\n{text}"
        );
        assert!(
            text.contains("1 passed"),
            "{name} did not run in its own process:\n{text}"
        );
    }

    #[test]
    fn scratch_names() {
        assert!(is_scratch(".env.tmp-123", &[".tmp-"]));
        assert!(!is_scratch("env.tmp-123", &[".tmp-"]));
        assert!(!is_scratch(".env.tmp-", &[".tmp-"]));
        assert!(!is_scratch(".env.tmp-12x", &[".tmp-"]));
    }
}
