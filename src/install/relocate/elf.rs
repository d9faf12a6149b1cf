//! The RUNPATH of ELF binaries: read from a 64-bit little-endian file (checked against its
//! size at every step) and pointed at `$ORIGIN` in place.

use std::fs::OpenOptions;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Component, Path};

use super::under;

/// Point the RUNPATH/RPATH entries of an ELF file that lie under `old` at `$ORIGIN`, in place
/// (the new string is padded with NULs; it must fit in the old one). `None`: nothing under
/// `old`; `Some(false)`: there was, but it could not be rewritten. `found` is what
/// [`runpaths`] read from the file.
pub(super) fn fix_runpath(
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
pub(super) enum Unreadable {
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
pub(super) fn runpaths(b: &[u8]) -> Result<Vec<(usize, String)>, Unreadable> {
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
    use super::super::relocate;
    use super::*;
    use std::fs;

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
