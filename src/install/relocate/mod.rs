//! Moving an installed CPython tree to another prefix. A tree built with `--prefix=OLD` names
//! OLD in text files (script shebangs in `bin/`, `_sysconfigdata*.py`, `python3.x-config`,
//! `lib/pkgconfig/*.pc`, `config-3.x-*/Makefile`, ...) and, for `--enable-shared` builds, in
//! the RUNPATH of ELF binaries. [`relocate`] rewrites every text file (no NUL byte) that
//! contains OLD, turns a shebang the kernel could not run (longer than 127 bytes, or with a
//! space in the interpreter path) into a `/bin/sh` trampoline, points absolute RUNPATH entries
//! under OLD at `$ORIGIN`, and re-aims absolute symlinks. Other binary files are left alone:
//! CPython finds its prefix from the executable's location, and `.pyc` files get their
//! `co_filename` fixed at import.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};

use memchr::memmem;

/// The longest shebang line (without `#!` and newline) that every Linux kernel runs whole.
pub const MAX_SHEBANG: usize = 127;

/// What [`relocate`] changed.
#[derive(Debug, Default)]
pub struct Report {
    pub text_files: usize,
    pub trampolines: usize,
    pub runpaths: usize,
    pub symlinks: usize,
    /// Binaries that name OLD but were not relocated, and why (no room to rewrite the
    /// RUNPATH; an ELF file that is not 64-bit little-endian, which pyv cannot read; one whose
    /// headers point outside it).
    pub unfixed: Vec<(PathBuf, String)>,
}

/// Rewrite `old` to `new` throughout the tree at `tree` (which will live at `new`).
pub fn relocate(tree: &Path, old: &str, new: &str) -> io::Result<Report> {
    let mut report = Report::default();
    if old == new {
        return Ok(report);
    }
    let finder = memmem::Finder::new(old.as_bytes());
    // Relocating to or from `/` (or nothing) would rewrite every byte: the manifest parser
    // refuses such a prefix, and so does this.
    if old.trim_end_matches('/').is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cannot relocate from the prefix `{old}`"),
        ));
    }
    let mut stack = vec![tree.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                let target = fs::read_link(&path)?;
                if let Some(rest) = target.to_str().and_then(|t| under(t, old)) {
                    fs::remove_file(&path)?;
                    std::os::unix::fs::symlink(format!("{new}{rest}"), &path)?;
                    report.symlinks += 1;
                }
            } else if kind.is_file() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.ends_with(".pyc") || name.ends_with(".pyo") {
                    continue;
                }
                relocate_file(tree, &path, &finder, old, new, &mut report)?;
            }
        }
    }
    Ok(report)
}

/// [`relocate`] limited to `files` (relative to `tree`): the artifact cache's unpacked copy
/// knows which files name `old`, so a reinstall reads only those; it re-aims symlinks itself.
pub fn relocate_files(tree: &Path, files: &[PathBuf], old: &str, new: &str) -> io::Result<Report> {
    let mut report = Report::default();
    if old == new {
        return Ok(report);
    }
    let finder = memmem::Finder::new(old.as_bytes());
    for f in files {
        relocate_file(tree, &tree.join(f), &finder, old, new, &mut report)?;
    }
    Ok(report)
}

/// `rest` when `path` is `old` or below it (`/lib`, `""`).
fn under<'a>(path: &'a str, old: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(old)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

fn relocate_file(
    tree: &Path,
    path: &Path,
    finder: &memmem::Finder,
    old: &str,
    new: &str,
    report: &mut Report,
) -> io::Result<()> {
    let bytes = fs::read(path)?;
    let mut at = occurrences(&bytes, finder, old.len()).peekable();
    if at.peek().is_none() {
        return Ok(());
    }
    if memchr::memchr(0, &bytes).is_some() {
        if bytes.starts_with(b"\x7fELF") {
            let why = match runpaths(&bytes) {
                Ok(found) => match fix_runpath(tree, path, found, old)? {
                    Some(true) => {
                        report.runpaths += 1;
                        None
                    }
                    Some(false) => Some(format!(
                        "it keeps an absolute RUNPATH under {old} (no room to rewrite it)"
                    )),
                    None => None,
                },
                Err(Unreadable::NotElf64Le) => Some(format!(
                    "it names {old} but is not a 64-bit little-endian ELF file, whose RUNPATH \
                     pyv cannot read"
                )),
                Err(Unreadable::Malformed(e)) => Some(format!(
                    "it names {old} but its ELF headers cannot be read ({e})"
                )),
            };
            if let Some(why) = why {
                report.unfixed.push((path.to_path_buf(), why));
            }
        }
        return Ok(());
    }
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut last = 0;
    for at in at {
        out.extend_from_slice(&bytes[last..at]);
        out.extend_from_slice(new.as_bytes());
        last = at + old.len();
    }
    out.extend_from_slice(&bytes[last..]);
    if let Some(t) = trampoline(&out, new) {
        out = t;
        report.trampolines += 1;
    }
    // The tree is still in the invisible stage: rewriting in place keeps the mode bits.
    let mut f = OpenOptions::new().write(true).truncate(true).open(path)?;
    f.write_all(&out)?;
    report.text_files += 1;
    drop_stale_bytecode(path);
    Ok(())
}

/// Where the path `old` (of `len` bytes) occurs in `bytes` as a whole path: not followed by
/// more of its last component (`/x/3.1` is not in `/x/3.12`) and not preceded by more of a
/// component (`/x/3.1` is not in `/home/x/3.1`).
fn occurrences<'a>(
    bytes: &'a [u8],
    finder: &'a memmem::Finder,
    len: usize,
) -> impl Iterator<Item = usize> + 'a {
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b"._-+~@".contains(&b) || b >= 0x80;
    finder.find_iter(bytes).filter(move |&at| {
        let after = bytes.get(at + len).copied();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        !after.is_some_and(name_byte) && !before.is_some_and(name_byte)
    })
}

/// A `.py` file changed: its `__pycache__` entries hold the old constants.
fn drop_stale_bytecode(path: &Path) {
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return;
    };
    if path.extension().is_none_or(|e| e != "py") {
        return;
    }
    let stem = format!("{}.", stem.to_string_lossy());
    if let Ok(rd) = fs::read_dir(dir.join("__pycache__")) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(&stem) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// A script whose shebang names an interpreter under `new` that the kernel cannot run (too
/// long, or a space in the path) becomes a `/bin/sh` trampoline that execs it: the second line
/// is a no-op string literal for Python and an `exec` for sh (pip's own trick).
fn trampoline(text: &[u8], new: &str) -> Option<Vec<u8>> {
    let body = text.strip_prefix(b"#!")?;
    let end = memchr::memchr(b'\n', body).unwrap_or(body.len());
    let line = std::str::from_utf8(&body[..end]).ok()?;
    let line = line.trim_end_matches('\r');
    let spec = line.trim_start();
    let rest = spec.strip_prefix(new)?;
    // The interpreter path runs to the first whitespace after the prefix (the prefix itself
    // may contain spaces); what follows are its arguments.
    let (tail, args) = match rest.find([' ', '\t']) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let interpreter = format!("{new}{tail}");
    let too_long = line.len() > MAX_SHEBANG;
    if !too_long && !interpreter.contains([' ', '\t']) {
        return None;
    }
    let quoted = interpreter.replace('\\', "\\\\").replace('"', "\\\"");
    let args = if args.is_empty() {
        String::new()
    } else {
        format!(" {args}")
    };
    let mut out =
        format!("#!/bin/sh\n'''exec' \"{quoted}\"{args} \"$0\" \"$@\"\n' '''\n").into_bytes();
    out.extend_from_slice(body.get(end + 1..).unwrap_or_default());
    Some(out)
}

/// Point the RUNPATH/RPATH entries of an ELF file that lie under `old` at `$ORIGIN`, in place
/// (the new string is padded with NULs; it must fit in the old one). `None`: nothing under
/// `old`; `Some(false)`: there was, but it could not be rewritten. `found` is what
/// [`runpaths`] read from the file.
fn fix_runpath(
    tree: &Path,
    path: &Path,
    found: Vec<(usize, String)>,
    old: &str,
) -> io::Result<Option<bool>> {
    let mut changed = None;
    for (offset, value) in found {
        if !value.split(':').any(|e| under(e, old).is_some()) {
            continue;
        }
        let dir = path.parent().unwrap_or(tree);
        let fixed: Vec<String> = value
            .split(':')
            .map(|e| match under(e, old) {
                Some(rest) => origin_relative(tree, dir, rest.trim_start_matches('/')),
                None => e.to_string(),
            })
            .collect();
        let fixed = fixed.join(":");
        if fixed.len() > value.len() {
            changed = Some(false);
            continue;
        }
        let mut patch = fixed.into_bytes();
        patch.resize(value.len(), 0);
        OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all_at(&patch, offset as u64)?;
        changed = changed.or(Some(true));
    }
    Ok(changed)
}

/// `$ORIGIN/<relative path from dir to tree/rest>`.
fn origin_relative(tree: &Path, dir: &Path, rest: &str) -> String {
    let depth = dir
        .strip_prefix(tree)
        .map(|r| {
            r.components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .count()
        })
        .unwrap_or(0);
    let mut s = String::from("$ORIGIN");
    for _ in 0..depth {
        s.push_str("/..");
    }
    if !rest.is_empty() {
        s.push('/');
        s.push_str(rest);
    }
    s
}

/// Why the RUNPATH of an ELF file could not be read.
#[derive(Debug, PartialEq, Eq)]
enum Unreadable {
    /// ELFCLASS32 or big-endian: pyv reads only the 64-bit little-endian files it installs
    /// (x86_64, aarch64).
    NotElf64Le,
    /// A header, table or string outside the file, or an offset that overflows (a truncated
    /// or crafted file).
    Malformed(String),
}

/// (file offset, value) of each DT_RUNPATH / DT_RPATH string of a 64-bit little-endian ELF
/// file. `object` reads the file header, the program headers and the dynamic segment (every
/// range checked against the file); the string table is found through the PT_LOAD segment
/// that maps its address, with checked arithmetic, so no file can make this panic.
fn runpaths(b: &[u8]) -> Result<Vec<(usize, String)>, Unreadable> {
    use object::elf::{DT_NULL, DT_RPATH, DT_RUNPATH, DT_STRTAB, PT_LOAD};
    use object::read::elf::{Dyn, FileHeader, ProgramHeader};
    type Header = object::elf::FileHeader64<object::LittleEndian>;

    if b.get(4..6) != Some(&[2, 1]) {
        return Err(Unreadable::NotElf64Le); // EI_CLASS is not ELFCLASS64, or EI_DATA not LSB
    }
    let malformed = |e: object::Error| Unreadable::Malformed(e.to_string());
    let header = Header::parse(b).map_err(malformed)?;
    let endian = header.endian().map_err(malformed)?;
    let segments = header.program_headers(endian, b).map_err(malformed)?;
    let mut dynamic = None;
    for segment in segments {
        if let Some(entries) = segment.dynamic(endian, b).map_err(malformed)? {
            dynamic = Some(entries); // the last PT_DYNAMIC, as before
        }
    }
    let mut strtab = None;
    let mut wanted = Vec::new();
    for entry in dynamic.unwrap_or_default() {
        match entry.d_tag(endian) {
            DT_NULL => break,
            DT_STRTAB => strtab = Some(entry.d_val(endian)),
            DT_RPATH | DT_RUNPATH => wanted.push(entry.d_val(endian)),
            _ => {}
        }
    }
    let Some(strtab) = strtab else {
        return Ok(Vec::new());
    };
    let load = segments.iter().find(|s| {
        s.p_type(endian) == PT_LOAD
            && strtab
                .checked_sub(s.p_vaddr(endian))
                .is_some_and(|into| into < s.p_filesz(endian))
    });
    let Some(load) = load else {
        return Ok(Vec::new());
    };
    let base = load
        .p_offset(endian)
        .checked_add(strtab - load.p_vaddr(endian))
        .ok_or_else(|| Unreadable::Malformed("the string table's offset overflows".into()))?;
    let mut found = Vec::new();
    for value in wanted {
        let outside = || Unreadable::Malformed("a RUNPATH string lies outside the file".into());
        let start = base
            .checked_add(value)
            .and_then(|s| usize::try_from(s).ok())
            .ok_or_else(outside)?;
        let rest = b.get(start..).ok_or_else(outside)?;
        let len = memchr::memchr(0, rest).ok_or_else(outside)?;
        if let Ok(s) = std::str::from_utf8(&rest[..len]) {
            found.push((start, s.to_string()));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_text_and_skips_binaries() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        fs::create_dir_all(t.join("bin")).unwrap();
        fs::create_dir_all(t.join("lib/__pycache__")).unwrap();
        fs::write(t.join("bin/pip3"), "#!/old/p/bin/python3\nimport pip\n").unwrap();
        fs::write(t.join("lib/data.py"), "P = '/old/p'\n").unwrap();
        fs::write(t.join("lib/__pycache__/data.cpython-311.pyc"), "x").unwrap();
        fs::write(t.join("lib/bin.dat"), b"/old/p\0").unwrap();
        std::os::unix::fs::symlink("/old/p/bin/pip3", t.join("bin/abs")).unwrap();
        let r = relocate(t, "/old/p", "/new/place").unwrap();
        assert_eq!(r.text_files, 2);
        assert_eq!(r.symlinks, 1);
        assert_eq!(
            fs::read_to_string(t.join("bin/pip3")).unwrap(),
            "#!/new/place/bin/python3\nimport pip\n"
        );
        assert_eq!(
            fs::read_to_string(t.join("lib/data.py")).unwrap(),
            "P = '/new/place'\n"
        );
        assert!(!t.join("lib/__pycache__/data.cpython-311.pyc").exists());
        assert_eq!(fs::read(t.join("lib/bin.dat")).unwrap(), b"/old/p\0");
        assert_eq!(
            fs::read_link(t.join("bin/abs")).unwrap(),
            Path::new("/new/place/bin/pip3")
        );
    }

    #[test]
    fn only_whole_paths_are_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        fs::write(
            t.join("paths.txt"),
            "a /x/3.1 b '/x/3.1/lib' /x/3.12 /x/3.1.bak /home/x/3.1 \"/x/3.1\"\n/x/3.1",
        )
        .unwrap();
        std::os::unix::fs::symlink("/x/3.12/bin", t.join("other")).unwrap();
        let r = relocate(t, "/x/3.1", "/new").unwrap();
        assert_eq!((r.text_files, r.symlinks), (1, 0));
        assert_eq!(
            fs::read_to_string(t.join("paths.txt")).unwrap(),
            "a /new b '/new/lib' /x/3.12 /x/3.1.bak /home/x/3.1 \"/new\"\n/new"
        );
        assert_eq!(
            fs::read_link(t.join("other")).unwrap(),
            Path::new("/x/3.12/bin")
        );
        // `/` or nothing is never a prefix to relocate from.
        assert!(relocate(t, "/", "/new").is_err());
        assert!(relocate(t, "", "/new").is_err());
    }

    #[test]
    fn an_elf_file_pyv_cannot_read_is_reported_not_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        // A 32-bit (ELFCLASS32) file naming the old prefix, and a 64-bit big-endian one.
        let mut elf32 = b"\x7fELF\x01\x01\x01\0".to_vec();
        elf32.extend_from_slice(&[0u8; 56]);
        elf32.extend_from_slice(b"/old/p/lib\0");
        let mut be64 = elf32.clone();
        be64[4] = 2;
        be64[5] = 2;
        fs::write(t.join("lib32.so"), &elf32).unwrap();
        fs::write(t.join("be64.so"), &be64).unwrap();
        // One that does not name the prefix is nothing to report.
        fs::write(t.join("other.so"), b"\x7fELF\x01\x01\x01\0\0").unwrap();
        let r = relocate(t, "/old/p", "/new/place").unwrap();
        let mut names: Vec<String> = r
            .unfixed
            .iter()
            .map(|(p, why)| {
                assert!(why.contains("not a 64-bit little-endian ELF"), "{why}");
                p.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        names.sort();
        assert_eq!(names, ["be64.so", "lib32.so"]);
    }

    #[test]
    fn long_or_spaced_shebangs_get_a_trampoline() {
        let long = format!("/n/{}", "x".repeat(130));
        let t = trampoline(
            format!("#!{long}/bin/python3 -E\nprint(1)\n").as_bytes(),
            &long,
        )
        .unwrap();
        let t = String::from_utf8(t).unwrap();
        assert_eq!(
            t,
            format!(
                "#!/bin/sh\n'''exec' \"{long}/bin/python3\" -E \"$0\" \"$@\"\n' '''\nprint(1)\n"
            )
        );
        let spaced = "/a b/v";
        let t = trampoline(b"#!/a b/v/bin/python3\nx\n", spaced).unwrap();
        assert!(String::from_utf8(t)
            .unwrap()
            .contains("'''exec' \"/a b/v/bin/python3\" \"$0\""));
        assert!(trampoline(b"#!/short/bin/python3\n", "/short").is_none());
    }

    /// A real ELF linked with an absolute RUNPATH under the old prefix (skipped without cc,
    /// saying so; under CI, where tests/run.sh installs gcc, a missing cc is a failure).
    #[test]
    fn elf_runpath_becomes_origin_relative() {
        let tmp = tempfile::tempdir().unwrap();
        let tree = tmp.path().join("old-prefix-long-enough");
        fs::create_dir_all(tree.join("bin")).unwrap();
        fs::write(tmp.path().join("m.c"), "int main(void) { return 0; }\n").unwrap();
        let old = tree.display().to_string();
        let built = std::process::Command::new("cc")
            .arg(tmp.path().join("m.c"))
            .arg("-o")
            .arg(tree.join("bin/m"))
            .arg(format!("-Wl,-rpath,{old}/lib,--enable-new-dtags"))
            .status();
        if !built.is_ok_and(|s| s.success()) {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run this test, but `cc` could not link a test program"
            );
            eprintln!("no cc: skipped");
            return;
        }
        let r = relocate(&tree, &old, "/elsewhere").unwrap();
        assert_eq!(r.runpaths, 1, "{r:?}");
        let bytes = fs::read(tree.join("bin/m")).unwrap();
        let paths: Vec<String> = runpaths(&bytes).unwrap().into_iter().map(|p| p.1).collect();
        assert_eq!(paths, ["$ORIGIN/../lib"]);
        assert!(std::process::Command::new(tree.join("bin/m"))
            .status()
            .unwrap()
            .success());
    }

    /// A 64-bit little-endian ELF file: the header, `phdrs` (type, offset, vaddr, filesz) at
    /// offset 64, then `tail`.
    fn elf64(phdrs: &[(u32, u64, u64, u64)], tail: &[u8]) -> Vec<u8> {
        let mut b = b"\x7fELF\x02\x01\x01\0".to_vec();
        b.resize(64, 0);
        b[0x20..0x28].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        b[0x36..0x38].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        b[0x38..0x3a].copy_from_slice(&(phdrs.len() as u16).to_le_bytes()); // e_phnum
        for &(kind, offset, vaddr, filesz) in phdrs {
            let mut h = [0u8; 56];
            h[0..4].copy_from_slice(&kind.to_le_bytes());
            h[8..16].copy_from_slice(&offset.to_le_bytes());
            h[16..24].copy_from_slice(&vaddr.to_le_bytes());
            h[32..40].copy_from_slice(&filesz.to_le_bytes());
            b.extend_from_slice(&h);
        }
        b.extend_from_slice(tail);
        b
    }

    /// Dynamic entries (tag, value), ended by DT_NULL.
    fn dynamic(entries: &[(u64, u64)]) -> Vec<u8> {
        let mut d = Vec::new();
        for (tag, val) in entries.iter().chain(&[(0, 0)]) {
            d.extend_from_slice(&tag.to_le_bytes());
            d.extend_from_slice(&val.to_le_bytes());
        }
        d
    }

    /// One PT_LOAD mapping the whole file at address 0x1000, a PT_DYNAMIC with DT_STRTAB and
    /// `runpath` as DT_RUNPATH, and the string table.
    fn elf_with_runpath(runpath: &str) -> Vec<u8> {
        let dyn_at = 64 + 2 * 56;
        let str_at = dyn_at + 3 * 16;
        let dynamic = dynamic(&[(5, 0x1000 + str_at), (29, 1)]);
        let mut tail = dynamic.clone();
        tail.push(0);
        tail.extend_from_slice(runpath.as_bytes());
        tail.push(0);
        let len = str_at + 2 + runpath.len() as u64;
        elf64(
            &[(1, 0, 0x1000, len), (2, dyn_at, 0x1000 + dyn_at, 48)],
            &tail,
        )
    }

    #[test]
    fn a_hand_made_elf_file_has_its_runpath_read_and_rewritten() {
        let bytes = elf_with_runpath("/old/prefix/lib");
        let at = bytes.len() - 16;
        assert_eq!(runpaths(&bytes), Ok(vec![(at, "/old/prefix/lib".into())]));
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("lib.so"), &bytes).unwrap();
        let r = relocate(tmp.path(), "/old/prefix", "/new").unwrap();
        assert_eq!((r.runpaths, r.unfixed.len()), (1, 0), "{r:?}");
        let bytes = fs::read(tmp.path().join("lib.so")).unwrap();
        assert_eq!(&bytes[at..], b"$ORIGIN/lib\0\0\0\0\0");
    }

    /// Truncated files and offsets that point past the end or overflow are errors, not panics.
    #[test]
    fn crafted_or_truncated_elf_files_are_errors_not_panics() {
        let malformed = |b: &[u8]| matches!(runpaths(b), Err(Unreadable::Malformed(_)));
        let good = elf_with_runpath("/old/prefix/lib");
        for cut in [6, 20, 63, 64, 100, 64 + 2 * 56 + 8] {
            assert!(malformed(&good[..cut]), "cut at {cut}");
        }
        let max = u64::MAX;
        let mut huge_phoff = good.clone();
        huge_phoff[0x20..0x28].copy_from_slice(&(max - 8).to_le_bytes());
        assert!(malformed(&huge_phoff));
        let mut many_phdrs = good.clone();
        many_phdrs[0x38..0x3a].copy_from_slice(&0xfffeu16.to_le_bytes());
        assert!(malformed(&many_phdrs));
        // A dynamic segment whose offset + size overflows, or that runs past the end.
        assert!(malformed(&elf64(&[(2, max - 8, 0, 16)], &[])));
        assert!(malformed(&elf64(&[(2, 64 + 56, 0, max)], &[])));
        assert!(malformed(&elf64(&[(2, 64 + 56, 0, 4096)], &dynamic(&[]))));
        // vaddr + filesz of the load segment overflows; the string offset overflows.
        let d = dynamic(&[(5, max - 1), (29, max)]);
        let bytes = elf64(&[(1, 0, max - 1, max), (2, 64 + 2 * 56, 0, 48)], &d);
        assert!(malformed(&bytes));
        // The RUNPATH string starts past the end of the file, or is not terminated.
        let d = dynamic(&[(5, 0), (29, 1 << 40)]);
        let bytes = elf64(&[(1, 0, 0, 1 << 20), (2, 64 + 2 * 56, 0, 48)], &d);
        assert!(malformed(&bytes));
        let mut d = dynamic(&[(5, 64 + 2 * 56 + 48), (29, 0)]);
        d.extend_from_slice(b"/old/prefix/lib");
        let bytes = elf64(&[(1, 0, 0, 1 << 20), (2, 64 + 2 * 56, 0, 48)], &d);
        assert!(malformed(&bytes));
        // relocate reports such a file (it names the prefix) and goes on.
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("bad.so"), &bytes).unwrap();
        fs::write(tmp.path().join("ok.txt"), "/old/prefix\n").unwrap();
        let r = relocate(tmp.path(), "/old/prefix", "/new").unwrap();
        assert_eq!(r.text_files, 1);
        assert_eq!(r.unfixed.len(), 1, "{r:?}");
        assert!(
            r.unfixed[0].1.contains("ELF headers cannot be read"),
            "{r:?}"
        );
    }

    #[test]
    fn origin_paths() {
        let t = Path::new("/t");
        assert_eq!(
            origin_relative(t, Path::new("/t/bin"), "lib"),
            "$ORIGIN/../lib"
        );
        assert_eq!(
            origin_relative(t, Path::new("/t/lib/python3.11/lib-dynload"), "lib"),
            "$ORIGIN/../../../lib"
        );
    }
}
