//! `pyv rehash`: one shim per command found in `versions/*/bin` and `versions/*/envs/*/bin`.
//!
//! A shim is a hard link to `libexec/pyv-shim` (a relative symlink where hard links are not
//! possible): on ext4 a hard link costs ~15 µs against ~180 µs for a symlink, which is most of a
//! rehash. The shim finds its command name in argv[0] either way. The new set is built in a
//! fresh directory and swapped in with one atomic exchange (Linux `renameat2`), so a `python`
//! started mid-rehash always finds a complete shims directory, nothing planted in `shims/` is
//! ever written through, and a killed rehash leaves only an invisible scratch directory that the
//! next one removes. Concurrent rehashes serialise on a kernel `flock`.
//!
//! Names listed in `$PYV_ROOT/shims.skip` get no shim (and lose the one they had), whoever
//! rehashes: `pyv rehash`, the shell hooks (through `pyv rehash`) and the shims after `pip`.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsx::{exchange, lock, remove_any};
use crate::fsx::{is_executable, is_symlink};
use crate::layout::Layout;
use crate::resolve::installed;

/// What symlinked shims point at, relative to `shims/`.
pub const SHIM_TARGET: &str = "../libexec/pyv-shim";
const SCRATCH_PREFIX: &str = ".shims.";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub total: usize,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// A name that is safe and sensible as a shim: a plain command name.
pub fn is_command_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 255
        && !n.starts_with(['.', '-'])
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
}

/// Every command name a shim should exist for.
pub fn wanted_commands(layout: &Layout) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add_bin = |bin: PathBuf| {
        if let Ok(rd) = fs::read_dir(&bin) {
            for e in rd.flatten() {
                if let Ok(n) = e.file_name().into_string() {
                    if is_command_name(&n) && is_executable(&e.path()) {
                        names.insert(n);
                    }
                }
            }
        }
    };
    for v in installed(layout) {
        let dir = layout.version_dir(&v);
        add_bin(dir.join("bin"));
        if !is_symlink(&dir) {
            if let Ok(rd) = fs::read_dir(layout.envs_dir(&v)) {
                // Hidden entries are environments being made or removed, not environments.
                for e in rd
                    .flatten()
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                {
                    add_bin(e.path().join("bin"));
                }
            }
        }
    }
    names
}

/// The names in a `shims.skip` text: one a line, `#` starts a comment, blank lines ignored.
pub fn parse_skip(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The names in `$PYV_ROOT/shims.skip`; none when the file does not exist.
pub fn skipped(layout: &Layout) -> Result<BTreeSet<String>> {
    let path = layout.skip_file();
    match fs::read(&path) {
        Ok(bytes) => Ok(parse_skip(&String::from_utf8_lossy(&bytes))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(Error::io(format!("cannot read `{}`", path.display()), e)),
    }
}

/// Regenerate the shims. `shim_source` is the `pyv-shim` binary to install into `libexec/`
/// first (the CLI passes the one beside itself); `None` keeps the installed one.
pub fn rehash(layout: &Layout, shim_source: Option<&Path>) -> Result<Report> {
    let _guard = lock(layout, "rehash")?;
    if let Some(src) = shim_source {
        install_shim_binary(src, &layout.shim_binary())?;
    }
    remove_scratch(layout);
    let mut wanted = wanted_commands(layout);
    let skip = skipped(layout)?;
    wanted.retain(|n| !skip.contains(n));
    let shims = layout.shims_dir();
    let shim_id = file_id(&layout.shim_binary());
    let current = current_shims(&shims, shim_id);
    let mut report = Report {
        total: wanted.len(),
        added: wanted
            .difference(&current.clone().unwrap_or_default())
            .cloned()
            .collect(),
        removed: current
            .as_ref()
            .map_or_else(Vec::new, |c| c.difference(&wanted).cloned().collect()),
    };
    if current.as_ref() == Some(&wanted) {
        report.added.clear();
        return Ok(report); // already exactly right: touch nothing
    }
    let scratch = layout
        .root()
        .join(format!("{SCRATCH_PREFIX}{}", std::process::id()));
    let ctx = |what: &str, p: &Path, e: io::Error| {
        Error::io(format!("rehash: cannot {what} `{}`", p.display()), e)
    };
    let _ = remove_any(&scratch);
    fs::create_dir(&scratch).map_err(|e| ctx("create", &scratch, e))?;
    // Whatever happens below (a full disk half-way through the links), the scratch goes; after
    // the exchange it holds the old shims, which go too.
    let _scratch = Scratch(&scratch);
    let shim_binary = layout.shim_binary();
    let mut hard_links = shim_id.is_some();
    for name in &wanted {
        let link = scratch.join(name);
        if hard_links && fs::hard_link(&shim_binary, &link).is_ok() {
            continue;
        }
        hard_links = false; // another filesystem, or no hard links: symlinks from now on
        symlink(SHIM_TARGET, &link).map_err(|e| ctx("create", &link, e))?;
    }
    let swapped = if fs::symlink_metadata(&shims).is_ok() {
        exchange(&scratch, &shims).map_err(|e| ctx("replace", &shims, e))
    } else {
        fs::rename(&scratch, &shims).map_err(|e| ctx("create", &shims, e))
    };
    swapped?;
    Ok(report)
}

/// Removes the rehash's scratch directory when dropped.
struct Scratch<'a>(&'a Path);

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        let _ = remove_any(self.0);
    }
}

/// (device, inode) of a file, following symlinks.
fn file_id(p: &Path) -> Option<(u64, u64)> {
    fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// Is `p` a shim: a hard link to the current shim binary, or a symlink to it?
pub fn is_shim(p: &Path, shim_id: Option<(u64, u64)>) -> bool {
    match fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::read_link(p).is_ok_and(|t| t == Path::new(SHIM_TARGET))
        }
        Ok(m) => m.is_file() && shim_id == Some((m.dev(), m.ino())),
        Err(_) => false,
    }
}

/// The shim names now present, if `shims/` is a directory of only correct shims.
fn current_shims(shims: &Path, shim_id: Option<(u64, u64)>) -> Option<BTreeSet<String>> {
    let meta = fs::symlink_metadata(shims).ok()?;
    if !meta.is_dir() {
        return None;
    }
    let mut names = BTreeSet::new();
    for e in fs::read_dir(shims).ok()?.flatten() {
        if !is_shim(&e.path(), shim_id) {
            return None;
        }
        names.insert(e.file_name().into_string().ok()?);
    }
    Some(names)
}

/// Copy the shim binary into place (temp + rename) unless an identical one is there.
fn install_shim_binary(src: &Path, dest: &Path) -> Result<()> {
    let new = fs::read(src).map_err(|e| {
        Error::io(
            format!(
                "cannot read the shim binary `{}` (it is built beside `pyv`)",
                src.display()
            ),
            e,
        )
    })?;
    if same_contents(dest, &new) {
        return Ok(());
    }
    let dir = dest.parent().expect("shim binary has a parent");
    let ctx = |e| Error::io(format!("cannot install `{}`", dest.display()), e);
    fs::create_dir_all(dir).map_err(ctx)?;
    let tmp = dir.join(format!(".pyv-shim.tmp-{}", std::process::id()));
    fs::write(&tmp, &new).map_err(ctx)?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).map_err(ctx)?;
    fs::rename(&tmp, dest).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        ctx(e)
    })
}

fn same_contents(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut f) = fs::File::open(path) else {
        return false;
    };
    match f.metadata() {
        Ok(m) if m.len() == bytes.len() as u64 => {}
        _ => return false,
    }
    let mut have = Vec::with_capacity(bytes.len());
    f.read_to_end(&mut have).is_ok() && have == bytes
}

/// Leftover scratch directories from a killed rehash (we hold the lock, so none is live).
fn remove_scratch(layout: &Layout) {
    if let Ok(rd) = fs::read_dir(layout.root()) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(SCRATCH_PREFIX) {
                let _ = remove_any(&e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names() {
        for ok in [
            "python",
            "python3.11",
            "2to3-3.11",
            "pip3",
            "idle3",
            "python3.13t",
            "g++",
        ] {
            assert!(is_command_name(ok), "{ok}");
        }
        for bad in ["", ".hidden", "-x", "a b", "x;rm", "é", "a/b", "a\nb"] {
            assert!(!is_command_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn skip_file_lines() {
        let names = parse_skip("# mine\npython\n\n  pip3  # keep pip\n#python3\n");
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["pip3".to_string(), "python".to_string()]
        );
    }
}
