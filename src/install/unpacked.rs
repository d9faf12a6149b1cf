//! The unpacked copy of an artifact: `$PYV_CACHE_DIR/unpacked/<key>/`, the build's tree as
//! it was stored (at the build prefix, not relocated) plus an `index`, so that reinstalling a
//! cached build is hard-linking ~10,000 files instead of gunzipping and writing ~300 MB.
//!
//! Decision (what is linked, what is copied): a file whose bytes name the build prefix is one
//! relocation may rewrite, and relocation writes in place; such files are always separate
//! copies, both in the cache and in every installed version. Every other file is hard-linked
//! (copied, keeping its mtime, where no link can be made), so the cache and the installed
//! versions share it. Nothing links *into* the cache by path: deleting the cache (or `pyv cache
//! clear`) leaves every installed version whole, it only gives back the space.
//!
//! A shared file must never be written in place: pyv writes new files and renames; Python
//! writes `.pyc` files through a temp file and `os.replace`; pip unlinks before it writes and
//! uninstalls by rename. Should something write in place anyway (an editor told to keep hard
//! links), the copy notices: the index records every file's size and mtime, checked before each
//! reuse; a mismatch discards the unpacked copy and the install falls back to the archive,
//! whose SHA-256 is verified as before. The archive and its manifest stay the mirror format;
//! the unpacked copy is only ever made from a verified archive or a verified build.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use memchr::memmem;

use crate::linktree::{copy_keeping_mtime, link_or_copy};

/// Written last: its presence means the copy is complete.
const INDEX: &str = "index";
/// The tree inside `<key>.d/`.
const TREE: &str = "python";

/// `$PYV_CACHE_DIR/unpacked`: beside `artifacts/`, which stays the mirror format (only
/// `<key>.tar.gz` and `<key>.manifest`, copied as is to a team's server).
pub fn root(cache_dir: &Path) -> PathBuf {
    cache_dir.join("unpacked")
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
/// files naming `prefix` are copied, the others hard-linked. The caller holds the key's lock.
/// Returns the number of files.
pub fn keep(cache_dir: &Path, id: &str, tree: &Path, prefix: &str) -> io::Result<usize> {
    let home = dir(cache_dir, id);
    let tmp = home.with_file_name(format!(".{id}.tmp-{}", std::process::id()));
    let _ = pyv_core::fsx::remove_any(&tmp);
    let result = (|| {
        fs::create_dir_all(&tmp)?;
        let mut index = BufWriter::new(File::create(tmp.join(".index.tmp"))?);
        let finder = memmem::Finder::new(prefix.as_bytes());
        let mut files = 0;
        copy_in(
            tree,
            &tmp.join(TREE),
            Path::new(""),
            &finder,
            &mut index,
            &mut files,
        )?;
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

fn copy_in(
    src: &Path,
    dst: &Path,
    rel: &Path,
    finder: &memmem::Finder,
    index: &mut impl Write,
    files: &mut usize,
) -> io::Result<()> {
    fs::create_dir(dst)?;
    let mode = fs::metadata(src)?.permissions().mode() & 0o7777;
    writeln!(index, "d\t{mode:o}\t{}", line(rel)?)?;
    let mut entries: Vec<_> = fs::read_dir(src)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let (from, to, rel) = (e.path(), dst.join(e.file_name()), rel.join(e.file_name()));
        let kind = e.file_type()?;
        if kind.is_dir() {
            copy_in(&from, &to, &rel, finder, index, files)?;
        } else if kind.is_symlink() {
            let target = fs::read_link(&from)?;
            symlink(&target, &to)?;
            writeln!(index, "s\t{}\t{}", line(&target)?, line(&rel)?)?;
        } else if kind.is_file() {
            let names_prefix = rewritable(&e.file_name(), &fs::read(&from)?, finder);
            if names_prefix {
                copy_keeping_mtime(&from, &to)?;
            } else {
                link_or_copy(&from, &to)?;
            }
            let m = fs::metadata(&to)?;
            let flag = if names_prefix { 'c' } else { 'l' };
            writeln!(
                index,
                "f\t{flag}\t{}\t{}\t{}",
                m.size(),
                mtime(&m),
                line(&rel)?
            )?;
            *files += 1;
        } // sockets, FIFOs, devices: never in a verified build (unpack refuses them)
    }
    // The directory's own mode last: a read-only directory still takes its entries.
    fs::set_permissions(dst, fs::Permissions::from_mode(mode))
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

fn mtime(m: &fs::Metadata) -> String {
    format!("{}.{:09}", m.mtime(), m.mtime_nsec())
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
    Io(io::Error),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Changed(p) => write!(f, "`{p}` changed since it was unpacked"),
            Stale::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for Stale {
    fn from(e: io::Error) -> Self {
        Stale::Io(e)
    }
}

/// Recreate the unpacked copy of `id` at `dest` (which must not exist): directories with their
/// modes, symlinks (absolute ones under `old` re-aimed at `new`), every file hard-linked, except
/// the files naming the build prefix, which are copied when the tree moves (`old` != `new`):
/// those are returned, for [`super::relocate::relocate_files`]. Checks each file's size and
/// mtime against the index first. The caller holds the key's lock.
pub fn materialize(
    cache_dir: &Path,
    id: &str,
    dest: &Path,
    old: &str,
    new: &str,
) -> Result<Vec<PathBuf>, Stale> {
    let home = dir(cache_dir, id);
    let index = fs::read_to_string(home.join(INDEX))?;
    let tree = home.join(TREE);
    let relocating = old != new;
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    let mut copies = Vec::new();
    for l in index.lines() {
        let fields: Vec<&str> = l.split('\t').collect();
        match fields.as_slice() {
            ["d", mode, rel] => {
                let to = dest.join(rel);
                fs::create_dir(&to)?;
                let mode = u32::from_str_radix(mode, 8).map_err(io::Error::other)?;
                dirs.push((to, mode));
            }
            ["s", target, rel] => {
                let target = match target.strip_prefix(old) {
                    Some(rest) if relocating && (rest.is_empty() || rest.starts_with('/')) => {
                        format!("{new}{rest}")
                    }
                    _ => target.to_string(),
                };
                symlink(target, dest.join(rel))?
            }
            ["f", flag, size, mtime, rel] => {
                let copy = *flag == "c" && relocating;
                if copy {
                    copies.push(PathBuf::from(rel));
                }
                files.push((*rel, *size, *mtime, copy));
            }
            _ => return Err(Stale::Io(io::Error::other(format!("bad index line `{l}`")))),
        }
    }
    // Checked and linked on a few threads: each is a stat and a link, metadata only.
    crate::linktree::in_parallel(&files, 512, |(rel, size, mtime, copy)| {
        let from = tree.join(rel);
        let m = fs::symlink_metadata(&from).map_err(|_| Stale::Changed(rel.to_string()))?;
        if !m.is_file() || m.size().to_string() != *size || self::mtime(&m) != *mtime {
            return Err(Stale::Changed(rel.to_string()));
        }
        let to = dest.join(rel);
        if *copy {
            copy_keeping_mtime(&from, &to)?;
        } else {
            link_or_copy(&from, &to)?;
        }
        Ok(())
    })?;
    for (d, mode) in dirs.into_iter().rev() {
        fs::set_permissions(d, fs::Permissions::from_mode(mode))?;
    }
    Ok(copies)
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

    #[test]
    fn files_naming_the_prefix_are_copies_the_rest_links() {
        let d = tempfile::tempdir().unwrap();
        let built = tree(d.path());
        let cache = d.path().join("cache");
        assert_eq!(keep(&cache, "k", &built, "/old/prefix").unwrap(), 4);
        assert!(exists(&cache, "k"));
        let kept = dir(&cache, "k").join(TREE);
        let ino = |p: &Path| fs::metadata(p).unwrap().ino();
        assert_eq!(
            ino(&kept.join("lib/python3.99/os.py")),
            ino(&built.join("lib/python3.99/os.py"))
        );
        assert_ne!(ino(&kept.join("bin/pip")), ino(&built.join("bin/pip")));
        let pyc = "lib/python3.99/__pycache__/os.cpython-399.pyc";
        assert_eq!(ino(&kept.join(pyc)), ino(&built.join(pyc)));

        let dest = d.path().join("new");
        let copies = materialize(&cache, "k", &dest, "/old/prefix", "/new").unwrap();
        assert_eq!(copies, [PathBuf::from("bin/pip")]);
        assert_eq!(
            fs::read_link(dest.join("bin/python3")).unwrap(),
            Path::new("python3.99")
        );
        assert_eq!(
            ino(&dest.join("bin/python3.99")),
            ino(&kept.join("bin/python3.99"))
        );
        assert_ne!(ino(&dest.join("bin/pip")), ino(&kept.join("bin/pip")));
        assert!(names(
            &fs::read(dest.join("bin/pip")).unwrap(),
            "/old/prefix"
        ));
        assert_eq!(size(&cache, "k"), Some(11 + 29 + 11 + 13));

        // Deleting the cache leaves the materialized tree whole.
        fs::remove_dir_all(&cache).unwrap();
        assert_eq!(
            fs::read(dest.join("lib/python3.99/os.py")).unwrap(),
            b"import sys\n"
        );
    }

    #[test]
    fn a_file_changed_in_place_makes_the_copy_stale() {
        let d = tempfile::tempdir().unwrap();
        let built = tree(d.path());
        let cache = d.path().join("cache");
        keep(&cache, "k", &built, "/old/prefix").unwrap();
        // Written through the hard link the build tree shares with the cache.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs::write(built.join("lib/python3.99/os.py"), b"import evil\n").unwrap();
        match materialize(&cache, "k", &d.path().join("new"), "/old/prefix", "/new") {
            Err(Stale::Changed(p)) => assert_eq!(p, "lib/python3.99/os.py"),
            other => panic!("{other:?}"),
        }
    }
}
