//! Reading an unpacked copy back: every index line and every file checked, then the tree
//! placed at its destination.

use std::fs;
use std::io;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{dir, read_only, trusted, Stale, FORMAT, INDEX, TREE};
use crate::linktree::{copy_keeping_mtime, place, stamp, unchanged, LinkMode};

/// Recreate the unpacked copy of `id` at `dest` (which must not exist): directories with their
/// modes, symlinks (absolute ones under `old` re-aimed at `new`), every file placed in `mode`,
/// except the files naming the build prefix, which are copied when the tree moves (`old` !=
/// `new`): those are returned, for [`super::relocate::relocate_files`]. Checks the index's
/// every line and each file against it first. The caller holds the key's lock.
pub fn materialize(
    cache_dir: &Path,
    id: &str,
    dest: &Path,
    old: &str,
    new: &str,
    mode: LinkMode,
) -> Result<Vec<PathBuf>, Stale> {
    trusted(cache_dir, id).map_err(Stale::Untrusted)?;
    let home = dir(cache_dir, id);
    let text = fs::read_to_string(home.join(INDEX))?;
    let tree = home.join(TREE);
    let relocating = old != new;
    let mut lines = text.lines();
    if lines.next() != Some(FORMAT) {
        return Err(Stale::BadIndex(
            text.lines().next().unwrap_or_default().into(),
            "is not this pyv's index format",
        ));
    }
    let bad = |l: &str, why| Stale::BadIndex(l.to_string(), why);
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    let mut copies = Vec::new();
    for l in lines {
        let fields: Vec<&str> = l.split('\t').collect();
        let rel = *fields.last().unwrap_or(&"");
        if !(fields[0] == "d" && rel.is_empty() && dirs.is_empty()) {
            // Only the first line may name the tree itself (its root directory).
            crate::safepath::inside(rel).map_err(|why| bad(l, why))?;
        }
        match fields.as_slice() {
            ["d", mode, rel] => {
                let mode = u32::from_str_radix(mode, 8)
                    .ok()
                    .filter(|m| *m <= 0o7777)
                    .ok_or_else(|| bad(l, "has no valid mode"))?;
                let to = dest.join(rel);
                fs::create_dir(&to)?;
                dirs.push((to, mode));
            }
            ["s", target, rel] => {
                let target = link_target(target, rel, old, new).map_err(|why| bad(l, why))?;
                symlink(target, dest.join(rel))?
            }
            ["f", flag @ ("c" | "l"), size, mtime, ctime, ino, nlink, rel] => {
                let copy = *flag == "c" && relocating;
                if copy {
                    copies.push(PathBuf::from(rel));
                }
                let stamp = format!("{size}\t{mtime}\t{ctime}\t{ino}\t{nlink}");
                files.push((*rel, stamp, copy || *flag == "c", *flag == "l"));
            }
            _ => return Err(bad(l, "is not a directory, symlink or file line")),
        }
    }
    if dirs.is_empty() {
        return Err(bad("", "names no directory"));
    }
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    // Checked and placed on a few threads: copies run in the kernel (`copy_file_range`).
    crate::linktree::in_parallel(&files, 256, |file| place_one(&tree, dest, mode, me, file))?;
    for (d, mode) in dirs.into_iter().rev() {
        fs::set_permissions(d, fs::Permissions::from_mode(mode))?;
    }
    if mode.shares() {
        // Linking changed the cache's ctimes (the link counts): record them again, so the
        // next reuse still verifies.
        restamp(&home, &text)?;
    }
    Ok(copies)
}

/// Where the indexed symlink `rel -> target` points once the tree moves from `old` to `new`:
/// an absolute target under `old` is re-aimed below `new`; a relative one must stay in the tree.
fn link_target(target: &str, rel: &str, old: &str, new: &str) -> Result<String, &'static str> {
    match target.strip_prefix(old) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            crate::safepath::normal_parts(Path::new(rest.trim_start_matches('/')))?;
            Ok(format!("{new}{rest}"))
        }
        _ if crate::safepath::link_stays_in_tree(rel, target) => Ok(target.to_string()),
        _ => Err("is a symlink leading outside the tree"),
    }
}

/// Check one file of the unpacked copy (ours, not writable by others, unchanged since it was
/// indexed) and place it at `dest`: copied when `copy` (it names the prefix), else in `mode`.
fn place_one(
    tree: &Path,
    dest: &Path,
    mode: LinkMode,
    me: u32,
    (rel, want, copy, flag_l): &(&str, String, bool, bool),
) -> Result<(), Stale> {
    let from = tree.join(rel);
    let m = fs::symlink_metadata(&from).map_err(|_| Stale::Changed(rel.to_string()))?;
    if m.uid() != me || m.mode() & 0o022 != 0 {
        return Err(Stale::Untrusted(crate::linktree::Untrusted {
            message: format!(
                "`{}` in the unpacked build is not yours, or others can write it: pyv will not use it",
                from.display().to_string().escape_debug()
            ),
            hint: "`pyv cache clear` removes it; the next install unpacks the archive again".into(),
        }));
    }
    if !m.is_file() || !unchanged(&m, want, *flag_l) {
        return Err(Stale::Changed(rel.to_string()));
    }
    let to = dest.join(rel);
    if *copy {
        copy_keeping_mtime(&from, &to)?;
    } else {
        if mode.shares() {
            read_only(&from)?; // a copy kept in another mode is shared from now on
        }
        place(&from, &to, mode)?;
    }
    Ok(())
}

/// Write `home`'s index again with every file's current stamp (temp file + rename).
fn restamp(home: &Path, text: &str) -> io::Result<()> {
    let tree = home.join(TREE);
    let mut out = String::with_capacity(text.len());
    for l in text.lines() {
        let fields: Vec<&str> = l.split('\t').collect();
        match fields.as_slice() {
            ["f", flag, _, _, _, _, _, rel] => {
                let m = fs::symlink_metadata(tree.join(rel))?;
                out.push_str(&format!("f\t{flag}\t{}\t{rel}\n", stamp(&m)));
            }
            _ => {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    pyv_core::fsx::write_atomic(&home.join(INDEX), out.as_bytes()).map_err(io::Error::other)
}
