//! How a tree made from a cache gets its files: each installed version and each environment
//! owns its files by default, so that a write, truncate, rename-over, chmod or chown through
//! one is never seen in another, nor in the cache.
//!
//! `PYV_LINK_MODE` (uv's `UV_LINK_MODE` has the same values):
//! - `auto` (default): a reflink (`FICLONE`) where the filesystem has them (btrfs, XFS,
//!   bcachefs: instant, no space used until a side writes), else a copy by `copy_file_range`
//!   (in the kernel, which reflinks by itself where it can);
//! - `clone`: reflinks only; a filesystem without them is an error;
//! - `copy`: always a copy;
//! - `hardlink`: hard links, the fastest, **at a cost**: every tree made this way shares its
//!   files with the cache and the other trees, so an editor that writes in place (vim's
//!   `backupcopy=auto` on a file with several links) changes all of them. In this mode the
//!   cache protects itself: shared files are made read-only, and each one's inode, size,
//!   mtime and ctime (which nobody can set back) are checked before it is handed out again.
//!
//! A copy always keeps the source's modification time, so `.pyc` files (which record their
//! source's mtime) stay valid.

use pyv_core::env_vars::EnvVars;
use std::fs::{self, File};
use std::io;
use std::path::Path;

/// The variable that chooses the mode.
pub const LINK_MODE_VAR: &str = EnvVars::PYV_LINK_MODE;

/// How one file of a cached tree reaches a tree made from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkMode {
    /// Reflink where possible, else copy.
    #[default]
    Auto,
    /// Reflink, or fail.
    Clone,
    /// Copy.
    Copy,
    /// Hard link (copy where no link can be made): shares the file.
    Hardlink,
}

impl LinkMode {
    /// The mode `PYV_LINK_MODE` asks for: unset or empty is `auto`; a value that is none of the
    /// four is an error naming it.
    pub fn from_env() -> Result<LinkMode, String> {
        match std::env::var(LINK_MODE_VAR) {
            Err(_) => Ok(LinkMode::Auto),
            Ok(v) => LinkMode::parse(&v).ok_or_else(|| {
                format!(
                    "{LINK_MODE_VAR}=`{}` is not a link mode (hint: use auto, clone, copy or hardlink)",
                    v.escape_debug()
                )
            }),
        }
    }

    pub fn parse(v: &str) -> Option<LinkMode> {
        Some(match v.trim() {
            "" | "auto" => LinkMode::Auto,
            "clone" | "reflink" => LinkMode::Clone,
            "copy" => LinkMode::Copy,
            "hardlink" => LinkMode::Hardlink,
            _ => return None,
        })
    }

    /// Whether trees made in this mode share files with their source.
    pub fn shares(self) -> bool {
        self == LinkMode::Hardlink
    }

    #[cfg(test)]
    pub fn name(self) -> &'static str {
        match self {
            LinkMode::Auto => "auto",
            LinkMode::Clone => "clone",
            LinkMode::Copy => "copy",
            LinkMode::Hardlink => "hardlink",
        }
    }
}

/// Make `dst` (which must not exist) from `src` in `mode`. In every mode but `hardlink`, `dst`
/// is a file of its own: same bytes, mode bits and mtime, another inode.
pub fn place(src: &Path, dst: &Path, mode: LinkMode) -> io::Result<()> {
    match mode {
        LinkMode::Hardlink => link_or_copy(src, dst),
        _ => own_copy(src, dst, mode),
    }
}

/// Hard-link `src` to `dst`, or copy it (keeping its mtime) when no link can be made
/// (another filesystem, a link limit, a filesystem without links).
pub fn link_or_copy(src: &Path, dst: &Path) -> io::Result<()> {
    match fs::hard_link(src, dst) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => copy_keeping_mtime(src, dst),
    }
}

/// Copy `src` to a new file `dst` (mode bits included; `copy_file_range` on Linux, which the
/// kernel may turn into a reflink) and give the copy `src`'s modification time.
pub fn copy_keeping_mtime(src: &Path, dst: &Path) -> io::Result<()> {
    own_copy(src, dst, LinkMode::Copy)
}

/// Set once a reflink failed because the filesystem has none: the rest of this run copies
/// without asking again (one failing `ioctl` per file was a tenth of a venv's system calls).
static NO_REFLINKS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `dst`, a new file with `src`'s bytes, mode bits and mtime, and an inode of its own: a
/// reflink where `mode` allows and the filesystem has them, else a copy. Each file costs one
/// `open` of each side, the clone or `copy_file_range`, `fchmod` and `futimens`; on failure
/// nothing is left at `dst`. An existing `dst` is `AlreadyExists`, never overwritten.
fn own_copy(src: &Path, dst: &Path, mode: LinkMode) -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::sync::atomic::Ordering::Relaxed;
    let from = File::open(src)?;
    let meta = from.metadata()?;
    let to = File::options()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dst)?;
    let filled = (|| {
        let try_clone = match mode {
            LinkMode::Clone => true,
            LinkMode::Auto => !NO_REFLINKS.load(Relaxed),
            _ => false,
        };
        let cloned = try_clone
            && match reflink(&from, &to) {
                Ok(()) => true,
                Err(e) if mode == LinkMode::Clone => return Err(e),
                Err(e) => {
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EOPNOTSUPP | libc::ENOTTY | libc::EINVAL | libc::EXDEV)
                    ) {
                        NO_REFLINKS.store(true, Relaxed);
                    }
                    false
                }
            };
        if !cloned {
            io::copy(&mut &from, &mut &to)?;
        }
        to.set_permissions(fs::Permissions::from_mode(
            meta.permissions().mode() & 0o7777,
        ))?;
        to.set_modified(meta.modified()?)
    })();
    if filled.is_err() {
        drop(to);
        let _ = fs::remove_file(dst);
    }
    filled
}

#[cfg(target_os = "linux")]
fn reflink(from: &File, to: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: both descriptors are open for the duration of the call.
    let r = unsafe { libc::ioctl(to.as_raw_fd(), libc::FICLONE as _, from.as_raw_fd()) };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn reflink(_from: &File, _to: &File) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "reflinks are implemented on Linux only",
    ))
}

/// Run `each` over `items` on up to 4 threads, in chunks of at least `min_chunk` (the
/// directories differ, so the files proceed side by side; a copy by `copy_file_range` runs in
/// the kernel). The first error wins; a panicking thread is an error too.
pub fn in_parallel<T: Sync, E: Send + From<io::Error>>(
    items: &[T],
    min_chunk: usize,
    each: impl Fn(&T) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(2, 4));
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    let each = &each;
    std::thread::scope(|sc| {
        let jobs: Vec<_> = items
            .chunks(chunk)
            .map(|part| sc.spawn(move || part.iter().try_for_each(each)))
            .collect();
        jobs.into_iter().try_for_each(|j| {
            j.join()
                .unwrap_or_else(|_| Err(io::Error::other("a linking thread panicked").into()))
        })
    })
}

/// A cached file's identity as an index records it: size, mtime, ctime, inode and link count
/// (`size\tmtime\tctime\tino\tnlink`, times as `secs.nanos`).
pub fn stamp(m: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!(
        "{}\t{}.{:09}\t{}.{:09}\t{}\t{}",
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
        m.ino(),
        m.nlink()
    )
}

/// How many tab-separated fields [`stamp`] writes.
pub const STAMP_FIELDS: usize = 5;

/// Whether the file behind `m` is still the one `recorded` by [`stamp`]: same inode, size and
/// mtime, and the same ctime, which nobody can set back (so an edit with its mtime restored by
/// `touch -r` is caught). One exception, for files shared by hard links (`shared`): linking or
/// unlinking another name changes the ctime too, so a changed ctime with a changed link count
/// passes while the file is still read-only (an editor's forced write changes the mtime).
pub fn unchanged(m: &fs::Metadata, recorded: &str, shared: bool) -> bool {
    use std::os::unix::fs::MetadataExt;
    let now = stamp(m);
    if now == recorded {
        return true;
    }
    let (a, b): (Vec<&str>, Vec<&str>) =
        (now.split('\t').collect(), recorded.split('\t').collect());
    shared
        && a.len() == STAMP_FIELDS
        && b.len() == STAMP_FIELDS
        && a[0] == b[0]
        && a[1] == b[1]
        && a[3] == b[3]
        && a[4] != b[4]
        && m.mode() & 0o222 == 0
}

/// A cache directory or file another user could change: what it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (hint: {})", self.message, self.hint)
    }
}

impl From<Untrusted> for String {
    fn from(u: Untrusted) -> String {
        u.to_string()
    }
}

/// Refuse a cache directory (or a file in it) that another user could change: not owned by the
/// current user, or writable by group or others (ssh's StrictModes rule). `what` names it in the
/// message ("the download cache", "the template"). A path that does not exist passes.
pub fn check_private(path: &Path, what: &str) -> Result<(), Untrusted> {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = fs::symlink_metadata(path) else {
        return Ok(()); // not there: nothing to trust yet
    };
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let shown = path.display().to_string().escape_debug().to_string();
    if m.uid() != me {
        return Err(Untrusted {
            message: format!(
                "{what} `{shown}` belongs to uid {}, not to you (uid {me}): pyv will not use it",
                m.uid()
            ),
            hint: format!(
                "`chown -R {me} {shown}` if it is yours, or set PYV_CACHE_DIR to a directory of your own"
            ),
        });
    }
    if m.mode() & 0o022 != 0 && !m.file_type().is_symlink() {
        return Err(Untrusted {
            message: format!(
                "{what} `{shown}` is writable by other users (mode {:o}): pyv will not use it",
                m.mode() & 0o7777
            ),
            hint: format!("`chmod go-w {shown}`, or `pyv cache clear` to start afresh"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn old_file(d: &Path) -> (std::path::PathBuf, std::time::SystemTime) {
        let a = d.join("a");
        fs::write(&a, b"x").unwrap();
        fs::set_permissions(&a, fs::Permissions::from_mode(0o751)).unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(old)
            .unwrap();
        (a, old)
    }

    #[test]
    fn links_on_one_filesystem_and_keeps_mtime_when_copying() {
        let d = tempfile::tempdir().unwrap();
        let (a, old) = old_file(d.path());
        link_or_copy(&a, &d.path().join("b")).unwrap();
        assert_eq!(fs::metadata(&a).unwrap().nlink(), 2);
        copy_keeping_mtime(&a, &d.path().join("c")).unwrap();
        let c = fs::metadata(d.path().join("c")).unwrap();
        assert_eq!(c.nlink(), 1);
        assert_eq!(c.modified().unwrap(), old);
        assert!(
            link_or_copy(&a, &d.path().join("c")).is_err(),
            "never overwrites"
        );
        assert!(copy_keeping_mtime(&a, &d.path().join("b")).is_err());
    }

    #[test]
    fn every_mode_but_hardlink_gives_a_file_of_its_own() {
        let d = tempfile::tempdir().unwrap();
        let (a, old) = old_file(d.path());
        for mode in [LinkMode::Auto, LinkMode::Copy] {
            let b = d.path().join(mode.name());
            place(&a, &b, mode).unwrap();
            let m = fs::metadata(&b).unwrap();
            assert_ne!(m.ino(), fs::metadata(&a).unwrap().ino(), "{mode:?}");
            assert_eq!(m.modified().unwrap(), old);
            assert_eq!(m.permissions().mode() & 0o7777, 0o751);
            // A write and a chmod through the new file never reach the source.
            fs::write(&b, b"changed").unwrap();
            fs::set_permissions(&b, fs::Permissions::from_mode(0o4777)).unwrap();
            assert_eq!(fs::read(&a).unwrap(), b"x");
            assert_eq!(
                fs::metadata(&a).unwrap().permissions().mode() & 0o7777,
                0o751
            );
        }
        let h = d.path().join("h");
        place(&a, &h, LinkMode::Hardlink).unwrap();
        assert_eq!(
            fs::metadata(&h).unwrap().ino(),
            fs::metadata(&a).unwrap().ino()
        );
        // Clone either works (a reflink filesystem) or fails cleanly, leaving nothing.
        let c = d.path().join("clone");
        if place(&a, &c, LinkMode::Clone).is_err() {
            assert!(fs::symlink_metadata(&c).is_err());
        } else {
            assert_ne!(
                fs::metadata(&c).unwrap().ino(),
                fs::metadata(&a).unwrap().ino()
            );
        }
    }

    #[test]
    fn modes_parse_like_uvs() {
        assert_eq!(LinkMode::parse(""), Some(LinkMode::Auto));
        assert_eq!(LinkMode::parse("clone"), Some(LinkMode::Clone));
        assert_eq!(LinkMode::parse("copy"), Some(LinkMode::Copy));
        assert_eq!(LinkMode::parse("hardlink"), Some(LinkMode::Hardlink));
        assert_eq!(LinkMode::parse("symlink"), None);
    }

    #[test]
    fn a_directory_others_can_write_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c");
        fs::create_dir(&p).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        check_private(&p, "the download cache").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o777)).unwrap();
        let e = check_private(&p, "the download cache").unwrap_err();
        assert!(e.message.contains("writable by other users"), "{e}");
        assert!(e.hint.contains("chmod go-w"), "{e}");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::chown(&p, Some(12345), None).unwrap();
        let e = check_private(&p, "the download cache").unwrap_err();
        assert!(e.message.contains("belongs to uid 12345"), "{e}");
        check_private(&d.path().join("missing"), "x").unwrap();
    }
}
