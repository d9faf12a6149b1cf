//! A template's `tree.index`: every entry below its directories but `bin/`, and every file's
//! stamp, written when it is stored and checked before each use.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{Entry, Template, Unusable};

/// The index of every top-level directory of `tree` but `bin/`.
pub(super) fn index(tree: &Path) -> io::Result<Vec<Entry>> {
    fn walk(tree: &Path, rel: &Path, out: &mut Vec<Entry>) -> io::Result<()> {
        out.push(Entry::Dir(rel.to_path_buf()));
        let mut entries: Vec<_> = fs::read_dir(tree.join(rel))?.collect::<io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let rel = rel.join(e.file_name());
            let kind = e.file_type()?;
            if kind.is_dir() {
                walk(tree, &rel, out)?;
            } else if kind.is_symlink() {
                out.push(Entry::Link(rel, fs::read_link(e.path())?));
            } else {
                out.push(Entry::File(rel));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for e in fs::read_dir(tree)? {
        let e = e?;
        if e.file_type()?.is_dir() && e.file_name() != "bin" {
            walk(tree, Path::new(&e.file_name()), &mut out)?;
        }
    }
    Ok(out)
}

pub(super) fn index_text(entries: &[Entry], stamps: &[(PathBuf, String)]) -> Option<String> {
    let field = |p: &Path| {
        p.to_str()
            .filter(|s| !s.contains(['\t', '\n']))
            .map(str::to_string)
    };
    let mut out = String::new();
    for e in entries {
        match e {
            Entry::Dir(p) => out += &format!("d\t{}\n", field(p)?),
            Entry::Link(p, t) => out += &format!("s\t{}\t{}\n", field(p)?, field(t)?),
            Entry::File(p) => out += &format!("f\t{}\n", field(p)?),
        }
    }
    for (p, stamp) in stamps {
        out += &format!("c\t{stamp}\t{}\n", field(p)?);
    }
    Some(out)
}

/// Files (relative paths) with their stamps.
pub(super) type Stamps = Vec<(PathBuf, String)>;

/// Every file of `tree` (below it, symlinks and directories not followed) with its stamp.
pub(super) fn stamps(tree: &Path) -> io::Result<Vec<(PathBuf, String)>> {
    fn walk(tree: &Path, rel: &Path, out: &mut Vec<(PathBuf, String)>) -> io::Result<()> {
        for e in fs::read_dir(tree.join(rel))? {
            let e = e?;
            let rel = rel.join(e.file_name());
            let m = fs::symlink_metadata(tree.join(&rel))?;
            if m.is_dir() {
                walk(tree, &rel, out)?;
            } else if m.is_file() {
                out.push((rel, crate::linktree::stamp(&m)));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(tree, Path::new(""), &mut out)?;
    out.sort();
    Ok(out)
}

/// Why a line of `tree.index` is not one pyv wrote: every path stays inside the template,
/// every link inside the tree (the same checks as an archive's entries).
pub(super) fn parse_index(text: &str) -> Result<(Vec<Entry>, Stamps), String> {
    let mut entries = Vec::new();
    let mut stamps = Vec::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        let bad = |why: &str| format!("its index line `{}` {why}", l.escape_debug());
        let rel = *f.last().unwrap_or(&"");
        crate::safepath::inside(rel).map_err(bad)?;
        match f.as_slice() {
            ["d", p] => entries.push(Entry::Dir(p.into())),
            ["s", p, t] if crate::safepath::link_stays_in_tree(p, t) => {
                entries.push(Entry::Link(p.into(), t.into()))
            }
            ["s", ..] => return Err(bad("is a symlink leading outside the environment")),
            ["f", p] => entries.push(Entry::File(p.into())),
            ["c", size, mtime, ctime, ino, nlink, p] => stamps.push((
                p.into(),
                format!("{size}\t{mtime}\t{ctime}\t{ino}\t{nlink}"),
            )),
            _ => return Err(bad("is not a directory, symlink or file line")),
        }
    }
    Ok((entries, stamps))
}

/// Check every file of the stored template `t` against its stamp: present, unchanged (an
/// edit with its mtime put back still changes the ctime), a plain file of the user's that
/// nobody else can write.
pub(super) fn verify(t: &Template) -> Result<(), Unusable> {
    if t.stamps.is_empty() {
        return Err(Unusable::Broken("it lists no files".into()));
    }
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    for (p, want) in &t.stamps {
        let path = t.tree.join(p);
        let shown = || p.display().to_string().escape_debug().to_string();
        let m = fs::symlink_metadata(&path)
            .map_err(|_| Unusable::Broken(format!("`{}` is missing", shown())))?;
        if m.uid() != me || m.mode() & 0o022 != 0 {
            return Err(Unusable::Untrusted(crate::linktree::Untrusted {
                message: format!(
                    "the virtualenv template file `{}` is not yours, or others can write it: pyv will not use it",
                    path.display().to_string().escape_debug()
                ),
                hint: "`pyv cache clear` removes the templates; the next virtualenv makes a new one".into(),
            }));
        }
        if !m.is_file() || !crate::linktree::unchanged(&m, want, true) {
            return Err(Unusable::Broken(format!("`{}` changed", shown())));
        }
    }
    // Every file the index places must be a checked one.
    let checked: std::collections::HashSet<&Path> =
        t.stamps.iter().map(|(p, _)| p.as_path()).collect();
    for e in &t.entries {
        if let Entry::File(p) = e {
            if !checked.contains(p.as_path()) {
                return Err(Unusable::Broken(format!(
                    "`{}` is not stamped",
                    p.display()
                )));
            }
        }
    }
    Ok(())
}

/// Clear the write bits of the files the index places, before they are shared by hard links
/// (pip replaces files by unlink and rename, so it keeps working in the environments).
pub(super) fn read_only_files(tree: &Path, entries: &[Entry]) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for e in entries {
        if let Entry::File(p) = e {
            let path = tree.join(p);
            let m = fs::symlink_metadata(&path)?.permissions().mode();
            if m & 0o222 != 0 {
                fs::set_permissions(&path, fs::Permissions::from_mode(m & 0o7555))?;
            }
        }
    }
    Ok(())
}
