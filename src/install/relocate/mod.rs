//! Moving an installed CPython tree to another prefix. A tree built with `--prefix=OLD` names
//! OLD in text files (script shebangs in `bin/`, `_sysconfigdata*.py`, `python3.x-config`,
//! `lib/pkgconfig/*.pc`, `config-3.x-*/Makefile`, ...) and, for `--enable-shared` builds, in
//! the RUNPATH of ELF binaries. [`relocate`] rewrites every text file (no NUL byte) that
//! contains OLD, turns a shebang the kernel could not run (longer than 127 bytes, or with a
//! space in the interpreter path) into a `/bin/sh` trampoline, points absolute RUNPATH entries
//! under OLD at `$ORIGIN`, and re-aims absolute symlinks. Other binary files are left alone:
//! CPython finds its prefix from the executable's location, and `.pyc` files get their
//! `co_filename` fixed at import.

mod elf;

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use memchr::memmem;

use elf::{fix_runpath, runpaths, Unreadable};

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
}
