//! Sharing files between a cache and the trees made from it: a hard link where the filesystem
//! allows one, else a copy that keeps the modification time (so `.pyc` files, which record
//! their source's mtime, stay valid).
//!
//! The rule that makes sharing safe: nobody may write a shared file in place. pyv's own
//! writers replace files (temp file + rename, or unlink + create: relocation copies the files
//! it rewrites instead of linking them); Python writes `.pyc` files through a temp file and
//! `os.replace`; pip unlinks a file before writing a new one and removes old versions by
//! rename. What could still write in place (an editor told to, `open(path, "r+")` on an
//! installed file) changes the file's mtime or size, which the artifact cache checks before it
//! reuses an unpacked copy (see `install::unpacked`).

use std::fs::{self, File};
use std::io;
use std::path::Path;

/// Hard-link `src` to `dst`, or copy it (keeping its mtime) when no link can be made
/// (another filesystem, a link limit, a filesystem without links).
pub fn link_or_copy(src: &Path, dst: &Path) -> io::Result<()> {
    match fs::hard_link(src, dst) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => copy_keeping_mtime(src, dst),
    }
}

/// Copy `src` to `dst` (mode included) and give the copy `src`'s modification time.
pub fn copy_keeping_mtime(src: &Path, dst: &Path) -> io::Result<()> {
    fs::copy(src, dst)?;
    let mtime = fs::metadata(src)?.modified()?;
    File::options().write(true).open(dst)?.set_modified(mtime)
}

/// Run `each` over `items` on up to 4 threads, in chunks of at least `min_chunk` (linking a
/// tree is a stat and a link per file, metadata only: the directories differ, so the work
/// proceeds side by side). The first error wins; a panicking thread is an error too.
pub fn in_parallel<T: Sync, E: Send + From<io::Error>>(
    items: &[T],
    min_chunk: usize,
    each: impl Fn(&T) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn links_on_one_filesystem_and_keeps_mtime_when_copying() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        fs::write(&a, b"x").unwrap();
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(old)
            .unwrap();
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
    }
}
