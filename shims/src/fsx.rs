//! The filesystem primitives every part of pyv shares, one of each: kernel locks under
//! `.locks/`, replace-by-rename writes, the atomic exchange of two paths, removal that never
//! follows symlinks, the sweep of scratch entries that killed processes left behind, and the
//! two questions asked of a path everywhere (is it a symlink, is it an executable file).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::layout::Layout;

fn open_lock(path: &Path) -> Result<fs::File> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create `{}`", crate::report::shown(dir)), e))?;
    }
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| {
            Error::io(
                format!("cannot open lock `{}`", crate::report::shown(path)),
                e,
            )
        })
}

/// Hold the kernel lock on the file `path` (created if need be) until the returned file is
/// dropped; released by the kernel even on SIGKILL. Blocks while another process holds it.
pub fn lock_file(path: &Path) -> Result<fs::File> {
    let f = open_lock(path)?;
    f.lock()
        .map_err(|e| Error::io(format!("cannot lock `{}`", crate::report::shown(path)), e))?;
    Ok(f)
}

/// The lock on `path` if nobody holds it; `Ok(None)` if somebody does.
pub fn try_lock_file(path: &Path) -> Result<Option<fs::File>> {
    let f = open_lock(path)?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(Error::io(
            format!("cannot lock `{}`", crate::report::shown(path)),
            e,
        )),
    }
}

/// [`lock_file`] of `.locks/<name>.lock`.
pub fn lock(layout: &Layout, name: &str) -> Result<fs::File> {
    lock_file(&layout.lock_file(name))
}

/// [`try_lock_file`] of `.locks/<name>.lock`.
pub fn try_lock(layout: &Layout, name: &str) -> Result<Option<fs::File>> {
    try_lock_file(&layout.lock_file(name))
}

/// Remove every entry of `dir` for which `stale` says yes (scratch left by killed processes).
/// Errors are ignored: a sweep is housekeeping, retried by the next one.
pub fn sweep(dir: &Path, mut stale: impl FnMut(&str) -> bool) {
    // A `dir` that is a symlink was not made by pyv: never sweep through it.
    if !fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_name().to_str().is_some_and(&mut stale) {
            let _ = remove_any(&e.path());
        }
    }
}

/// Replace `path` with `bytes` via a temp file and rename; a symlink at `path` is replaced,
/// never written through.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create `{}`", crate::report::shown(dir)), e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(
            format!("cannot write `{}`", crate::report::shown(path)),
            e,
        ));
    }
    Ok(())
}

/// Remove a file, symlink or directory tree without following symlinks (for pyv's own trees
/// and scratch; a path a user names goes through [`remove_file_or_link`]).
pub fn remove_any(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Remove a file or a symlink (never what it points to). A directory is left alone and refused
/// with [`io::ErrorKind::IsADirectory`]; a missing path is fine (as `rm -f` would have it).
pub fn remove_file_or_link(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )),
        Ok(_) => match fs::remove_file(p) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Atomically swap two paths (Linux `renameat2(RENAME_EXCHANGE)`); elsewhere, or on a
/// filesystem without it, two renames.
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        extern "C" {
            fn renameat2(
                olddirfd: i32,
                oldpath: *const std::ffi::c_char,
                newdirfd: i32,
                newpath: *const std::ffi::c_char,
                flags: u32,
            ) -> i32;
        }
        const AT_FDCWD: i32 = -100;
        const RENAME_EXCHANGE: u32 = 2;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            renameat2(
                AT_FDCWD,
                ca.as_ptr(),
                AT_FDCWD,
                cb.as_ptr(),
                RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(22) | Some(38) | Some(95)) {
            return Err(err); // not EINVAL/ENOSYS/EOPNOTSUPP: a real failure
        }
    }
    let aside = a.with_extension("old");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}
/// Whether `p` itself is a symlink (not followed).
pub fn is_symlink(p: &Path) -> bool {
    fs::symlink_metadata(p)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false)
}

/// A regular file with an execute bit (following symlinks).
pub fn is_executable(p: &Path) -> bool {
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
