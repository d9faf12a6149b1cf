//! Extracting a source archive (gzip, xz or bzip2, detected by magic bytes, not by name) into the
//! staging dir, refusing the whole archive on anything that could write outside it: an entry
//! with `..` or an absolute path, a symlink or hard link leading outside the top-level
//! directory, a device node or FIFO, or more than one top-level directory. On refusal or error
//! the partial tree is removed before returning.

use std::fs;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::safepath::{normal_parts, symlink_stays_inside};

use pyv_core::fsx::remove_any;

use super::{InstallError, Result};
use crate::report::{Reporter, Step};
use crate::signals;

/// Extract `archive` into `dest` (created) and return the single top-level directory.
pub fn unpack(archive: &Path, dest: &Path, reporter: &dyn Reporter) -> Result<PathBuf> {
    let phase = reporter.phase(Step::Unpack);
    let result = extract(archive, dest);
    match result {
        Ok(top) => {
            phase.finish();
            Ok(top)
        }
        Err(e) => {
            let _ = remove_any(dest);
            Err(e)
        }
    }
}

fn extract(archive: &Path, dest: &Path) -> Result<PathBuf> {
    let io_err = |e| InstallError::io("cannot read", archive, e);
    let reader = decoder(archive)?;
    fs::create_dir_all(dest).map_err(|e| InstallError::io("cannot create", dest, e))?;
    let mut tar = tar::Archive::new(reader);
    tar.set_preserve_permissions(false); // keeps rwx bits, drops setuid/setgid
    tar.set_preserve_ownerships(false);
    tar.set_overwrite(true);
    let mut top: Option<String> = None;
    for entry in tar.entries().map_err(io_err)? {
        signals::check()?;
        let mut entry = entry.map_err(io_err)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        // Every check runs before the entry is written; the first bad entry stops the whole
        // archive, and `unpack` removes whatever earlier entries already wrote.
        let path = entry.path().map_err(io_err)?.into_owned();
        let shown = path.display().to_string();
        let parts = normal_parts(&path).map_err(|why| refuse(archive, &shown, why))?;
        let Some(first) = parts.first() else {
            continue; // `./`
        };
        match &top {
            None => top = Some(first.clone()),
            Some(t) if t != first => {
                return Err(refuse(archive, &shown, "is a second top-level directory"));
            }
            Some(_) => {}
        }
        check_kind(&entry, archive, dest, &parts, &shown)?;
        // `unpack_in` re-checks that the parent directory resolves inside `dest` (it follows
        // symlinks already extracted), a second line of defence behind the lexical checks.
        let written = entry
            .unpack_in(dest)
            .map_err(|e| InstallError::io("cannot extract into", dest, e))?;
        if !written {
            return Err(refuse(
                archive,
                &shown,
                "would be written outside the staging directory",
            ));
        }
    }
    match top {
        Some(t) if dest.join(&t).is_dir() => Ok(dest.join(t)),
        _ => Err(InstallError::Archive {
            path: archive.to_path_buf(),
            reason: "it does not contain a top-level source directory".into(),
        }),
    }
}

/// The decompressing reader of `archive`, chosen by its first bytes: a mislabelled file still
/// works, and anything else is refused before a decoder sees it.
fn decoder(archive: &Path) -> Result<Box<dyn Read>> {
    Ok(Box::new(Threaded::new(decoder_here(archive)?)))
}

/// [`decoder`], on this thread.
fn decoder_here(archive: &Path) -> Result<Box<dyn Read + Send>> {
    let io_err = |e| InstallError::io("cannot read", archive, e);
    let mut file = BufReader::new(super::download::open_regular(archive).map_err(io_err)?);
    let mut magic = [0u8; 6];
    file.read_exact(&mut magic).map_err(io_err)?;
    let file = BufReader::new(super::download::open_regular(archive).map_err(io_err)?);
    Ok(if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(file))
    } else if magic == [0xfd, b'7', b'z', b'X', b'Z', 0] {
        Box::new(liblzma::read::XzDecoder::new(file))
    } else if magic.starts_with(b"BZh") {
        Box::new(bzip2::read::MultiBzDecoder::new(file))
    } else {
        return Err(InstallError::Archive {
            path: archive.to_path_buf(),
            reason: "it is neither gzip, xz nor bzip2 compressed".into(),
        });
    })
}

/// A reader whose decompression runs on a thread of its own, a few chunks ahead, so that
/// inflating and writing files overlap (an artifact unpack was gunzip, then write, serially).
/// Errors arrive in order; dropping the reader stops the thread at its next chunk.
struct Threaded {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Threaded {
    fn new(mut inner: Box<dyn Read + Send>) -> Threaded {
        let (tx, rx) = std::sync::mpsc::sync_channel(8);
        std::thread::spawn(move || loop {
            let mut buf = vec![0u8; 256 << 10];
            let mut filled = 0;
            let result = loop {
                match inner.read(&mut buf[filled..]) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        filled += n;
                        if filled == buf.len() {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            buf.truncate(filled);
            let done = filled == 0 || result.is_err();
            if filled > 0 && tx.send(Ok(buf)).is_err() {
                return;
            }
            if let Err(e) = result {
                let _ = tx.send(Err(e));
            }
            if done {
                return;
            }
        });
        Threaded {
            rx,
            chunk: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for Threaded {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Refuse an entry whose kind could reach outside the tree: a symlink or hard link leading out
/// of the top-level directory (`parts` is the entry's path), a device node, FIFO and the like.
fn check_kind<R: Read>(
    entry: &tar::Entry<'_, R>,
    archive: &Path,
    dest: &Path,
    parts: &[String],
    shown: &str,
) -> Result<()> {
    let io_err = |e| InstallError::io("cannot read", archive, e);
    let kind = entry.header().entry_type();
    let first = &parts[0];
    if kind.is_symlink() {
        let target = entry.link_name().map_err(io_err)?.unwrap_or_default();
        // Lexically, and again from where the link really lands: links extracted earlier
        // (`d1 -> .`) can put `d1/d1/d1/esc` at the top, where `../../..` leaves the tree.
        let landed = resolved_parts(dest, parts).ok_or_else(|| {
            refuse(
                archive,
                shown,
                "is below a link that leads outside the tree",
            )
        })?;
        if !symlink_stays_inside(parts, &target)
            || landed.first() != Some(first)
            || !symlink_stays_inside(&landed, &target)
        {
            return Err(refuse(
                archive,
                shown,
                &format!("is a symlink to `{}`, outside the tree", target.display()),
            ));
        }
    } else if kind.is_hard_link() {
        let target = entry.link_name().map_err(io_err)?.unwrap_or_default();
        let ok = normal_parts(&target)
            .ok()
            .is_some_and(|t| t.first() == Some(first) && t.len() > 1);
        if !ok {
            return Err(refuse(
                archive,
                shown,
                &format!("is a hard link to `{}`, outside the tree", target.display()),
            ));
        }
    } else if !(kind.is_file() || kind.is_dir() || kind.is_contiguous()) {
        return Err(refuse(
            archive,
            shown,
            "is a device node, FIFO or other special file",
        ));
    }
    Ok(())
}

/// The whole archive is refused because of `entry`.
fn refuse(archive: &Path, entry: &str, reason: &str) -> InstallError {
    InstallError::UnsafeArchive {
        archive: archive.to_path_buf(),
        entry: entry.to_string(),
        reason: reason.to_string(),
    }
}

/// Where the entry `parts` lands below `dest` once the links already extracted are followed:
/// its parent resolved on disk (the part that exists; the rest as written), then its name.
/// `None` if the parent resolves outside `dest`.
fn resolved_parts(dest: &Path, parts: &[String]) -> Option<Vec<String>> {
    let root = dest.canonicalize().ok()?;
    let (name, parent) = parts.split_last()?;
    let mut existing = parent.len();
    while existing > 0 && !dest.join(parent[..existing].join("/")).exists() {
        existing -= 1;
    }
    let real = dest
        .join(parent[..existing].join("/"))
        .canonicalize()
        .ok()?;
    let below = real.strip_prefix(&root).ok()?;
    let mut out: Vec<String> = below
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    out.extend(parent[existing..].iter().cloned());
    out.push(name.clone());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Event, Recording};

    fn parts(s: &str) -> Vec<String> {
        normal_parts(Path::new(s)).unwrap()
    }

    /// Hands out `data` in odd-sized reads, then fails.
    struct Flaky(Vec<u8>, usize);
    impl Read for Flaky {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(std::io::Error::other("disk gone"));
            }
            let n = out.len().min(7919).min(self.0.len() - self.1);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }

    #[test]
    fn the_threaded_reader_hands_over_every_byte_in_order_then_the_error() {
        let data: Vec<u8> = (0..(1u32 << 20) + 4321).map(|i| (i % 251) as u8).collect();
        let mut r = Threaded::new(Box::new(Flaky(data.clone(), 0)));
        let mut got = Vec::new();
        let e = r.read_to_end(&mut got).unwrap_err();
        assert_eq!(e.to_string(), "disk gone");
        assert!(got == data);
        let mut r = Threaded::new(Box::new(std::io::Cursor::new(data.clone())));
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert!(got == data);
    }

    #[test]
    fn symlink_targets() {
        let e = parts("Python-3.11.2/Lib/link");
        assert!(symlink_stays_inside(&e, Path::new("os.py")));
        assert!(symlink_stays_inside(&e, Path::new("../Tools/x")));
        assert!(!symlink_stays_inside(&e, Path::new("../../etc/passwd")));
        assert!(!symlink_stays_inside(&e, Path::new("/etc/passwd")));
        assert!(!symlink_stays_inside(&parts("top/l"), Path::new("..")));
        assert!(symlink_stays_inside(&parts("top/l"), Path::new(".")));
    }

    /// `top/d1 -> .`, then `top/d1/d1/d1/esc -> ../../..`: lexically three levels down, really
    /// at the top, so the link would point two levels above the tree.
    #[test]
    fn a_symlink_chain_cannot_climb_out() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = tmp.path().join("chain.tar.gz");
        let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(enc);
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_size(0);
        tar.append_data(&mut dir, "top/", std::io::empty()).unwrap();
        for (name, target) in [("top/d1", "."), ("top/d1/d1/d1/esc", "../../..")] {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_mode(0o777);
            h.set_size(0);
            tar.append_link(&mut h, name, target).unwrap();
        }
        fs::write(&archive, tar.into_inner().unwrap().finish().unwrap()).unwrap();
        let dest = tmp.path().join("stage/src");
        let reporter = Recording::default();
        let e = unpack(&archive, &dest, &reporter).unwrap_err().to_string();
        assert!(
            e.contains("top/d1/d1/d1/esc") && e.contains("outside the tree"),
            "{e}"
        );
        let abandoned = [Event::Start(Step::Unpack), Event::Abandoned(Step::Unpack)];
        assert_eq!(
            reporter.events(),
            abandoned,
            "the front end can erase its line"
        );
        assert!(!dest.exists(), "what was written is removed");
    }

    /// PyPy ships `.tar.bz2`: recognised by its magic bytes, unpacked with the same checks.
    #[test]
    fn bzip2_archives_unpack_and_are_checked() {
        let tar_bytes = |name: &str| {
            let mut b = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_gnu();
            h.set_size(3);
            h.set_mode(0o755);
            b.append_data(&mut h, name, &b"hi\n"[..]).unwrap();
            b.into_inner().unwrap()
        };
        let bz = |raw: Vec<u8>| {
            use std::io::Write;
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            e.write_all(&raw).unwrap();
            e.finish().unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let reporter = Recording::default();
        let good = dir.path().join("pypy.tar.bz2");
        fs::write(&good, bz(tar_bytes("pypy3.9-v7.3.11-linux64/bin/pypy3.9"))).unwrap();
        let top = unpack(&good, &dir.path().join("out"), &reporter).unwrap();
        let done = [Event::Start(Step::Unpack), Event::Done(Step::Unpack)];
        assert_eq!(reporter.events(), done);
        assert!(top.ends_with("pypy3.9-v7.3.11-linux64"));
        assert_eq!(fs::read(top.join("bin/pypy3.9")).unwrap(), b"hi\n");
        // `tar` refuses to write `..` names, so patch one into the header by hand.
        let mut raw = tar_bytes("pypy/aa/evil");
        raw[..12].copy_from_slice(b"pypy/../evil");
        let sum: u32 = raw[..512]
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    b as u32
                }
            })
            .sum();
        raw[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let bad = dir.path().join("slip.tar.bz2");
        fs::write(&bad, bz(raw)).unwrap();
        let e = unpack(&bad, &dir.path().join("out2"), &reporter).unwrap_err();
        assert!(e.to_string().contains("contains `..`"), "{e}");
        assert!(!dir.path().join("out2").exists());
        assert!(!dir.path().join("evil").exists());
    }

    #[test]
    fn entry_paths() {
        assert!(normal_parts(Path::new("a/../../b")).is_err());
        assert!(normal_parts(Path::new("/etc/x")).is_err());
        assert_eq!(parts("./a/b"), ["a", "b"]);
    }
}
