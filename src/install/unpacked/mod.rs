//! The unpacked copy of an artifact: `$PYV_CACHE_DIR/unpacked/<key>/`, the build's tree as
//! it was stored (at the build prefix, not relocated) plus an `index`, so that reinstalling a
//! cached build is placing ~10,000 files instead of gunzipping and writing ~300 MB.
//!
//! Isolation (see [`crate::linktree`]): in the default modes the cache's copy and every version
//! installed from it own their files (reflinks or copies), so nothing done through an installed
//! version reaches the cache or another root. In `PYV_LINK_MODE=hardlink` the files nobody
//! rewrites are shared by hard links and made read-only; files whose bytes name the build
//! prefix are always separate copies, since relocation rewrites them in place.
//!
//! The index is input like an archive: a first line `pyv-unpacked 2`, then one line per
//! directory (mode), symlink (target) and file (size, mtime, ctime, inode). Every path goes
//! through [`crate::safepath`]'s checks, a symlink must stay inside the tree (or be absolute
//! under the build prefix, re-aimed at the new one), and every file is checked against its
//! line before it is placed: a file changed in any way, even with its mtime put back by
//! `touch -r` (the ctime cannot be put back), makes the copy stale; the caller discards it and
//! installs from the archive, whose SHA-256 is verified as before. Placing a hard link changes
//! the source's ctime (its link count), so in hardlink mode the index is written again after
//! each reuse; removing a hardlinked version changes it too, and the next reuse then falls back
//! to the archive, the safe direction. A cache directory or file that is not the user's, or
//! that others can write, is refused ([`crate::linktree::check_private`]).

mod materialize;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use memchr::memmem;

use crate::linktree::{check_private, copy_keeping_mtime, place, stamp, LinkMode};

pub use materialize::materialize;

/// Written last: its presence means the copy is complete.
const INDEX: &str = "index";
/// The index's first line; any other (an older pyv's index) makes the copy stale.
const FORMAT: &str = "pyv-unpacked 2";
/// The tree inside `<key>.d/`.
const TREE: &str = "python";

/// `$PYV_CACHE_DIR/unpacked`: beside `artifacts/`, which stays the mirror format (only
/// `<key>.tar.gz` and `<key>.manifest`, copied as is to a team's server).
pub fn root(cache_dir: &Path) -> PathBuf {
    pyv_core::CacheLayout::new(cache_dir).unpacked_dir()
}

/// `$PYV_CACHE_DIR/unpacked/<id>`.
pub fn dir(cache_dir: &Path, id: &str) -> PathBuf {
    root(cache_dir).join(id)
}

/// Whether a complete unpacked copy of `id` is in the cache.
pub fn exists(cache_dir: &Path, id: &str) -> bool {
    dir(cache_dir, id).join(INDEX).is_file()
}

/// Keep a copy of `tree` (a verified tree built for `prefix`) as the unpacked copy of `id`:
/// files naming `prefix` are copied, the others placed in `mode` (hard-linked and made
/// read-only in hardlink mode). The caller holds the key's lock. Returns the number of files.
pub fn keep(
    cache_dir: &Path,
    id: &str,
    tree: &Path,
    prefix: &str,
    mode: LinkMode,
) -> io::Result<usize> {
    trusted(cache_dir, id).map_err(|u| io::Error::other(u.to_string()))?;
    let home = dir(cache_dir, id);
    let tmp = home.with_file_name(format!(".{id}.tmp-{}", std::process::id()));
    let _ = pyv_core::fsx::remove_any(&tmp);
    let result = (|| {
        fs::create_dir_all(&tmp)?;
        let mut index = BufWriter::new(File::create(tmp.join(".index.tmp"))?);
        writeln!(index, "{FORMAT}")?;
        let finder = memmem::Finder::new(prefix.as_bytes());
        let mut files = 0;
        let mut walk = Walk {
            finder: &finder,
            index: &mut index,
            files: &mut files,
            mode,
        };
        walk.copy_in(tree, &tmp.join(TREE), Path::new(""))?;
        let index = index.into_inner().map_err(|e| e.into_error())?;
        index.sync_all()?;
        fs::rename(tmp.join(".index.tmp"), tmp.join(INDEX))?;
        let _ = pyv_core::fsx::remove_any(&home);
        fs::rename(&tmp, &home)?;
        Ok(files)
    })();
    if result.is_err() {
        let _ = pyv_core::fsx::remove_any(&tmp);
    }
    result
}

struct Walk<'a, W: Write> {
    finder: &'a memmem::Finder<'a>,
    index: &'a mut W,
    files: &'a mut usize,
    mode: LinkMode,
}

impl<W: Write> Walk<'_, W> {
    fn copy_in(&mut self, src: &Path, dst: &Path, rel: &Path) -> io::Result<()> {
        fs::create_dir(dst)?;
        let mode = fs::metadata(src)?.permissions().mode() & 0o7777;
        writeln!(self.index, "d\t{mode:o}\t{}", line(rel)?)?;
        let mut entries: Vec<_> = fs::read_dir(src)?.collect::<io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let (from, to, rel) = (e.path(), dst.join(e.file_name()), rel.join(e.file_name()));
            let kind = e.file_type()?;
            if kind.is_dir() {
                self.copy_in(&from, &to, &rel)?;
            } else if kind.is_symlink() {
                let target = fs::read_link(&from)?;
                symlink(&target, &to)?;
                writeln!(self.index, "s\t{}\t{}", line(&target)?, line(&rel)?)?;
            } else if kind.is_file() {
                let names_prefix = rewritable(&e.file_name(), &fs::read(&from)?, self.finder);
                if names_prefix {
                    copy_keeping_mtime(&from, &to)?;
                } else {
                    place(&from, &to, self.mode)?;
                    if self.mode.shares() {
                        read_only(&to)?;
                    }
                }
                let flag = if names_prefix { 'c' } else { 'l' };
                writeln!(
                    self.index,
                    "f\t{flag}\t{}\t{}",
                    stamp(&fs::symlink_metadata(&to)?),
                    line(&rel)?
                )?;
                *self.files += 1;
            } // sockets, FIFOs, devices: never in a verified build (unpack refuses them)
        }
        // The directory's own mode last: a read-only directory still takes its entries.
        fs::set_permissions(dst, fs::Permissions::from_mode(mode))
    }
}

/// Clear a shared file's write bits (pip replaces files by unlink and rename, which the
/// directory's bits govern, so it keeps working).
fn read_only(p: &Path) -> io::Result<()> {
    let m = fs::symlink_metadata(p)?.permissions().mode();
    if m & 0o222 != 0 {
        fs::set_permissions(p, fs::Permissions::from_mode(m & 0o7555))?;
    }
    Ok(())
}

/// Refuse a cache whose unpacked copies another user could have changed.
pub fn trusted(cache_dir: &Path, id: &str) -> Result<(), crate::linktree::Untrusted> {
    check_private(cache_dir, "the download cache")?;
    check_private(&root(cache_dir), "the cache's unpacked builds")?;
    check_private(&dir(cache_dir, id), "the unpacked build")?;
    check_private(
        &dir(cache_dir, id).join(INDEX),
        "the unpacked build's index",
    )
}

/// Whether relocation may rewrite this file (in place): it names the build prefix and is text
/// (no NUL byte) or an ELF binary (its RUNPATH); `.pyc`/`.pyo` files are never rewritten
/// (Python fixes their `co_filename` at import), as `relocate` skips them.
fn rewritable(name: &std::ffi::OsStr, bytes: &[u8], finder: &memmem::Finder) -> bool {
    let name = name.to_string_lossy();
    if name.ends_with(".pyc") || name.ends_with(".pyo") {
        return false;
    }
    (memchr::memchr(0, bytes).is_none() || bytes.starts_with(b"\x7fELF"))
        && finder.find(bytes).is_some()
}

/// A path as one index field: no tab, no newline (CPython's trees have none; a tree that does
/// is not kept unpacked).
fn line(p: &Path) -> io::Result<&str> {
    p.to_str()
        .filter(|s| !s.contains(['\t', '\n']))
        .ok_or_else(|| io::Error::other(format!("unusual file name `{}`", p.display())))
}

/// Why the unpacked copy could not be used.
#[derive(Debug)]
pub enum Stale {
    /// A file in it changed since it was made (name).
    Changed(String),
    /// A line of its index is not something pyv wrote (the line, why).
    BadIndex(String, &'static str),
    /// It is not the user's, or others can write it: an error of the install, not a fallback.
    Untrusted(crate::linktree::Untrusted),
    Io(io::Error),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Changed(p) => write!(f, "`{}` changed since it was unpacked", p.escape_debug()),
            Stale::BadIndex(l, why) => write!(f, "its index line `{}` {why}", l.escape_debug()),
            Stale::Untrusted(why) => write!(f, "{why}"),
            Stale::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for Stale {
    fn from(e: io::Error) -> Self {
        Stale::Io(e)
    }
}

/// Bytes taken by the unpacked copy of `id` (files counted once, whoever else links them).
pub fn size(cache_dir: &Path, id: &str) -> Option<u64> {
    let index = fs::read_to_string(dir(cache_dir, id).join(INDEX)).ok()?;
    Some(
        index
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (f.first() == Some(&"f")).then(|| f.get(2)?.parse::<u64>().ok())?
            })
            .sum(),
    )
}

/// Whether `bytes` name `prefix`.
#[cfg(test)]
fn names(bytes: &[u8], prefix: &str) -> bool {
    memmem::find(bytes, prefix.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn tree(d: &Path) -> PathBuf {
        let t = d.join("built");
        fs::create_dir_all(t.join("bin")).unwrap();
        fs::create_dir_all(t.join("lib/python3.99")).unwrap();
        fs::write(t.join("bin/python3.99"), b"\x7fELF\0binary").unwrap();
        fs::write(t.join("bin/pip"), b"#!/old/prefix/bin/python3.99\n").unwrap();
        fs::write(t.join("lib/python3.99/os.py"), b"import sys\n").unwrap();
        // Compiled at the prefix, but never rewritten: shared.
        fs::create_dir_all(t.join("lib/python3.99/__pycache__")).unwrap();
        fs::write(
            t.join("lib/python3.99/__pycache__/os.cpython-399.pyc"),
            b"\0/old/prefix\0",
        )
        .unwrap();
        symlink("python3.99", t.join("bin/python3")).unwrap();
        t
    }

    fn ino(p: &Path) -> u64 {
        fs::metadata(p).unwrap().ino()
    }

    #[test]
    fn by_default_the_cache_and_every_tree_own_their_files() {
        let d = tempfile::tempdir().unwrap();
        let built = tree(d.path());
        let cache = d.path().join("cache");
        assert_eq!(
            keep(&cache, "k", &built, "/old/prefix", LinkMode::Auto).unwrap(),
            4
        );
        assert!(exists(&cache, "k"));
        let kept = dir(&cache, "k").join(TREE);
        let os = "lib/python3.99/os.py";
        assert_ne!(ino(&kept.join(os)), ino(&built.join(os)));
        let a = d.path().join("a");
        let b = d.path().join("b");
        let copies = materialize(&cache, "k", &a, "/old/prefix", "/a", LinkMode::Auto).unwrap();
        assert_eq!(copies, [PathBuf::from("bin/pip")]);
        materialize(&cache, "k", &b, "/old/prefix", "/b", LinkMode::Auto).unwrap();
        for p in [
            "bin/python3.99",
            os,
            "lib/python3.99/__pycache__/os.cpython-399.pyc",
        ] {
            assert_eq!(fs::metadata(a.join(p)).unwrap().nlink(), 1, "{p}");
            assert_ne!(ino(&a.join(p)), ino(&kept.join(p)), "{p}");
        }
        // A write and a chmod through one tree reach neither the other nor the cache.
        use std::io::Write as _;
        let mut f = File::options().append(true).open(a.join(os)).unwrap();
        f.write_all(b"print('X')\n").unwrap();
        fs::set_permissions(a.join(os), fs::Permissions::from_mode(0o4777)).unwrap();
        assert_eq!(fs::read(b.join(os)).unwrap(), b"import sys\n");
        assert_eq!(fs::read(kept.join(os)).unwrap(), b"import sys\n");
        assert_eq!(fs::metadata(b.join(os)).unwrap().mode() & 0o7000, 0);
        // And the copy is still good for the next tree.
        materialize(
            &cache,
            "k",
            &d.path().join("c"),
            "/old/prefix",
            "/c",
            LinkMode::Auto,
        )
        .unwrap();
        assert_eq!(
            fs::read_link(a.join("bin/python3")).unwrap(),
            Path::new("python3.99")
        );
        assert!(names(&fs::read(a.join("bin/pip")).unwrap(), "/old/prefix"));
        assert_eq!(size(&cache, "k"), Some(11 + 29 + 11 + 13));
        // Deleting the cache leaves the materialized tree whole.
        fs::remove_dir_all(&cache).unwrap();
        assert_eq!(fs::read(b.join(os)).unwrap(), b"import sys\n");
    }

    #[test]
    fn hardlink_mode_shares_read_only_files_and_still_verifies_after_reuse() {
        let d = tempfile::tempdir().unwrap();
        let built = tree(d.path());
        let cache = d.path().join("cache");
        keep(&cache, "k", &built, "/old/prefix", LinkMode::Hardlink).unwrap();
        let kept = dir(&cache, "k").join(TREE);
        let os = "lib/python3.99/os.py";
        assert_eq!(ino(&kept.join(os)), ino(&built.join(os)));
        assert_eq!(fs::metadata(kept.join(os)).unwrap().mode() & 0o222, 0);
        assert_ne!(ino(&kept.join("bin/pip")), ino(&built.join("bin/pip")));
        let a = d.path().join("a");
        materialize(&cache, "k", &a, "/old/prefix", "/a", LinkMode::Hardlink).unwrap();
        assert_eq!(ino(&a.join(os)), ino(&kept.join(os)));
        // Linking changed the link count (and so the ctime): the index follows.
        materialize(
            &cache,
            "k",
            &d.path().join("b"),
            "/old/prefix",
            "/b",
            LinkMode::Hardlink,
        )
        .unwrap();
        // An in-place write through a shared file is caught, mtime put back or not.
        let mtime = fs::metadata(a.join(os)).unwrap().modified().unwrap();
        fs::set_permissions(a.join(os), fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(a.join(os), b"import evl\n").unwrap();
        File::options()
            .write(true)
            .open(a.join(os))
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        match materialize(
            &cache,
            "k",
            &d.path().join("c"),
            "/old/prefix",
            "/c",
            LinkMode::Hardlink,
        ) {
            Err(Stale::Changed(p)) => assert_eq!(p, os),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_same_size_edit_with_the_mtime_put_back_makes_the_copy_stale() {
        let d = tempfile::tempdir().unwrap();
        let built = tree(d.path());
        let cache = d.path().join("cache");
        keep(&cache, "k", &built, "/old/prefix", LinkMode::Auto).unwrap();
        let f = dir(&cache, "k").join(TREE).join("lib/python3.99/os.py");
        let mtime = fs::metadata(&f).unwrap().modified().unwrap();
        fs::write(&f, b"import evl\n").unwrap(); // same size
        File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(mtime)
            .unwrap(); // touch -r
        match materialize(
            &cache,
            "k",
            &d.path().join("new"),
            "/old/prefix",
            "/new",
            LinkMode::Auto,
        ) {
            Err(Stale::Changed(p)) => assert_eq!(p, "lib/python3.99/os.py"),
            other => panic!("{other:?}"),
        }
    }

    /// The index as it is, with `line` added after the root directory's line.
    fn plant(cache: &Path, line: &str) {
        let idx = dir(cache, "k").join(INDEX);
        let text = fs::read_to_string(&idx).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(2, line);
        fs::write(&idx, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn index_lines_that_leave_the_tree_create_nothing_outside() {
        for bad in [
            "d\t755\t../escape",
            "d\t755\t/tmp/pyv-escape-abs",
            "s\t/etc/shadow\tbin/x",
            "s\t../../../etc/shadow\tbin/x",
            "s\tlib\t../escape",
            "f\tl\t1\t1.0\t1.0\t1\t1\t../escape",
            "d\t755\t",
            "x\ty",
        ] {
            let d = tempfile::tempdir().unwrap();
            let built = tree(d.path());
            let cache = d.path().join("cache");
            keep(&cache, "k", &built, "/old/prefix", LinkMode::Auto).unwrap();
            plant(&cache, bad);
            let dest = d.path().join("out").join("dest");
            fs::create_dir(d.path().join("out")).unwrap();
            match materialize(&cache, "k", &dest, "/old/prefix", "/new", LinkMode::Auto) {
                Err(Stale::BadIndex(..)) => {}
                other => panic!("{bad}: {other:?}"),
            }
            assert!(!d.path().join("out/escape").exists(), "{bad}");
            assert!(!Path::new("/tmp/pyv-escape-abs").exists(), "{bad}");
        }
    }

    #[test]
    fn a_copy_others_can_write_is_refused_not_used() {
        let d = tempfile::tempdir().unwrap();
        let built = tree(d.path());
        let cache = d.path().join("cache");
        keep(&cache, "k", &built, "/old/prefix", LinkMode::Auto).unwrap();
        let f = dir(&cache, "k").join(TREE).join("lib/python3.99/os.py");
        fs::set_permissions(&f, fs::Permissions::from_mode(0o666)).unwrap();
        let got = materialize(
            &cache,
            "k",
            &d.path().join("n"),
            "/old/prefix",
            "/n",
            LinkMode::Auto,
        );
        assert!(matches!(got, Err(Stale::Untrusted(_))), "{got:?}");
        fs::set_permissions(dir(&cache, "k"), fs::Permissions::from_mode(0o777)).unwrap();
        let got = materialize(
            &cache,
            "k",
            &d.path().join("m"),
            "/old/prefix",
            "/m",
            LinkMode::Auto,
        );
        match got {
            Err(Stale::Untrusted(u)) => {
                assert!(u.message.contains("writable by other users"), "{u}")
            }
            other => panic!("{other:?}"),
        }
    }
}
