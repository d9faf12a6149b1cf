//! Environments in milliseconds: the first environment of a version (per `--copies`,
//! `--system-site-packages` and `--without-pip`) is made by its own `python -m venv`, run with
//! a marker prompt into the hidden scratch directory beside the environment, and kept in the
//! cache as a template; every later environment is that template written out again with its
//! own paths, without running Python.
//!
//! Why a template made by venv rather than a layout written from scratch: venv's output
//! differs from version to version and distribution to distribution (which `pyvenv.cfg` keys,
//! `lib64`, `.gitignore` from 3.13, activation scripts quoted with `shlex.quote` since the
//! gh-124651 fix, Debian seeding pip and setuptools from `/usr/share/python-wheels`, 3.11
//! seeding setuptools too, pip's own byte-compiled files and `RECORD`). Running the real thing
//! once captures all of it; what varies between environments is only the directory, its name
//! and the prompt, which the template holds as markers (its scratch path and name, and a prompt
//! with a space in it):
//!
//! - a venv that quotes its substitutions wrote the prompt marker inside `'...'`, which tells
//!   how this venv quotes: a quoted region holding a marker is replaced by the quoted real
//!   value (PowerShell's quoting in `.ps1`), anything else by the raw value, exactly as that
//!   version's `replace_variables` would have written it;
//! - `pyvenv.cfg`'s `command =` line (3.11+) is rebuilt for the options used;
//! - pip's console scripts get their shebang written by pip's rule (`#!<python>`, or the
//!   `/bin/sh` trampoline for a path with a space or longer than 127 bytes), and the `RECORD`
//!   rows for them get the new SHA-256 and size, so `pip uninstall pip` and `pip list` work;
//! - everything else below `lib/` (pip, setuptools, their `.pyc` files) is hard-linked from
//!   the template (copied, keeping mtimes, where links cannot reach), from an index so that no
//!   template directory is read; a file there naming the template's path (none in CPython
//!   3.8-3.13) is rewritten instead. Compiled files keep the template's path in `co_filename`,
//!   which Python replaces with the real one at import.
//!
//! Anything the fast path does not cover falls back to running venv as before (with `-v`
//! saying why): options other than `--copies`, `--symlinks`, `--clear`, `--prompt`,
//! `--system-site-packages`, `--without-pip`; a prompt or path with quote, backslash, `$` or
//! backtick characters or outside ASCII; a venv whose quoting cannot be told when the path
//! needs quotes. A Python whose venv fails (2.7) gets the same error as before.
//! `PYV_VENV_FAST=0` turns it off.

mod index;
mod rewrite;
mod store;

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use memchr::memmem;
use pyv_core::CacheLayout;

use super::create::Options;
use crate::linktree::LinkMode;
use index::{index, index_text, read_only_files};
pub(super) use rewrite::replace_all;
use rewrite::{
    config, console_script, fix_records, record_hash, relink, shlex_quote, write_like, Script,
    Subst,
};
use store::copy_plain;
pub use store::{lookup, restamp, store};

/// Bumped when the template layout or its info file changes meaning (3: `tree.index` stamps
/// every file).
const FORMAT: &str = "3";
/// The prompt the template was made with.
const PROMPT_MARK: &str = "pyvTMPLprompt 7q";
/// Written last into a stored template: `marker=<path venv ran at>`, `name=<its last
/// component>`, `quoting=1|0|?`, `rewrite=<file>` lines.
const INFO: &str = "template.info";

/// `$PYV_CACHE_DIR/venv`: the templates.
pub fn dir(cache_dir: &Path) -> PathBuf {
    CacheLayout::new(cache_dir).templates_dir()
}

/// What the options ask for, when the fast path can do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub copies: bool,
    pub system_site: bool,
    pub without_pip: bool,
    pub clear: bool,
    pub prompt: String,
}

/// The options as the fast path understands them, or why it cannot.
pub fn wanted(name: &str, opts: &Options) -> Result<Wanted, String> {
    let mut w = Wanted {
        copies: false,
        system_site: opts.system_site_packages,
        without_pip: opts.without_pip,
        clear: false,
        prompt: name.to_string(),
    };
    let mut args = opts.venv_args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--copies" => w.copies = true,
            "--symlinks" => w.copies = false,
            "--clear" => w.clear = true,
            "--system-site-packages" => w.system_site = true,
            "--without-pip" => w.without_pip = true,
            "--prompt" => w.prompt = args.next().cloned().unwrap_or_default(),
            _ if a.starts_with("--prompt=") => w.prompt = a["--prompt=".len()..].to_string(),
            _ => return Err(format!("`{a}` is an option only `python -m venv` handles")),
        }
    }
    if w.prompt == "." || !plain(&w.prompt) {
        return Err(format!(
            "the prompt `{}` needs venv's own handling",
            w.prompt.escape_debug()
        ));
    }
    Ok(w)
}

/// Text that every venv writes the same way inside double quotes, `repr()` and shell words:
/// printable ASCII and spaces, without quotes, backslashes, `$` or backticks.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| (c.is_ascii_graphic() || c == ' ') && !"'\"\\$`".contains(c))
}

/// A finished template.
#[derive(Debug)]
pub struct Template {
    /// The environment tree (inside the cache once stored).
    pub tree: PathBuf,
    /// The path venv wrote into its files, and that path's last component.
    pub marker: String,
    pub name_mark: String,
    /// `Some(true)`: this venv quotes its substitutions (`shlex.quote`); `Some(false)`: it
    /// does not; `None`: cannot tell (the marker path needs no quotes).
    pub quoting: Option<bool>,
    /// Files below `lib/` (other than `RECORD`s and `.pyc`s) that name the marker path.
    pub rewrite: Vec<PathBuf>,
    /// Everything in the template's directories but `bin/`, in creation order (kept in the
    /// cache as `tree.index`, so that writing an environment reads no directory).
    pub entries: Vec<Entry>,
    /// Every file of a stored template (relative path) with its size, mtime, ctime and inode,
    /// checked before each use: empty for a template not stored yet.
    pub stamps: Vec<(PathBuf, String)>,
}

/// One entry below the template's top-level directories (paths relative to the template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir(PathBuf),
    Link(PathBuf, PathBuf),
    File(PathBuf),
}

/// A stored template that must not be used, and why.
#[derive(Debug)]
pub enum Unusable {
    /// Changed, incomplete or not written by pyv: discarded, to be made again.
    Broken(String),
    /// Another user could have changed it: an error, never used.
    Untrusted(crate::linktree::Untrusted),
}

/// The options for the venv run that makes a template: the variant's own, and the prompt
/// marker.
pub fn venv_options(w: &Wanted, opts: &Options) -> Options {
    let mut venv_args = vec!["--prompt".to_string(), PROMPT_MARK.to_string()];
    if w.copies {
        venv_args.push("--copies".into());
    }
    Options {
        system_site_packages: w.system_site,
        without_pip: w.without_pip,
        force: opts.force,
        venv_args,
        verbose: opts.verbose,
        cache_dir: None,
        link_mode: opts.link_mode,
        series: None,
    }
}

/// Read what venv made at `tree` (run there with [`venv_options`]) as a template.
pub fn adopt(tree: &Path) -> Result<Template, String> {
    let marker = tree
        .to_str()
        .filter(|s| plain(s))
        .ok_or_else(|| format!("the path `{}` is not plain text", tree.display()))?
        .to_string();
    let name_mark = marker.rsplit('/').next().unwrap_or_default().to_string();
    let activate = fs::read(tree.join("bin/activate")).unwrap_or_default();
    let quoted = [format!("'{PROMPT_MARK}"), format!("'({PROMPT_MARK}")]
        .iter()
        .any(|q| memmem::find(&activate, q.as_bytes()).is_some());
    let quoting = if quoted {
        Some(true)
    } else if memmem::find(&activate, PROMPT_MARK.as_bytes()).is_some() {
        // The marker has a space: a quoting venv would have quoted it.
        Some(false)
    } else {
        None
    };
    let mut rewrite = Vec::new();
    names_marker(&tree.join("lib"), marker.as_bytes(), &mut rewrite);
    let rewrite = rewrite
        .into_iter()
        .filter_map(|p| p.strip_prefix(tree).ok().map(Path::to_path_buf))
        .collect();
    let entries = index(tree).map_err(|e| format!("cannot read venv's output: {e}"))?;
    if index_text(&entries, &[]).is_none() {
        return Err("a file name in venv's output has a tab or newline".into());
    }
    Ok(Template {
        tree: tree.to_path_buf(),
        marker,
        name_mark,
        quoting,
        rewrite,
        entries,
        stamps: Vec::new(),
    })
}

/// The files under `dir` (not `.pyc`s, not `RECORD`s) whose text or link target contains
/// `marker`.
fn names_marker(dir: &Path, marker: &[u8], out: &mut Vec<PathBuf>) {
    let finder = memmem::Finder::new(marker);
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            names_marker(&p, marker, out);
        } else if t.is_symlink() {
            if fs::read_link(&p).is_ok_and(|l| finder.find(l.as_os_str().as_bytes()).is_some()) {
                out.push(p);
            }
        } else if e.file_name() != "RECORD"
            && p.extension().is_none_or(|x| x != "pyc")
            && fs::read(&p).is_ok_and(|b| finder.find(&b).is_some())
        {
            out.push(p);
        }
    }
}

/// Write the environment `final_dir` into `scratch` (which is renamed to `final_dir` later)
/// from the template.
pub fn instantiate(
    t: &Template,
    w: &Wanted,
    scratch: &Path,
    final_dir: &Path,
    mode: LinkMode,
) -> io::Result<()> {
    let real = final_dir
        .to_str()
        .filter(|s| plain(s))
        .ok_or_else(|| io::Error::other("the environment's path is not plain text"))?;
    let name = final_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    // Without knowing how this venv quotes, only values that need no quoting are safe.
    if t.quoting.is_none() && (shlex_quote(real) != real || shlex_quote(&w.prompt) != w.prompt) {
        return Err(io::Error::other(
            "this venv's quoting is unknown and the path or prompt needs quotes",
        ));
    }
    let s = Subst {
        pairs: [
            (t.marker.as_str(), real),
            (t.name_mark.as_str(), name),
            (PROMPT_MARK, w.prompt.as_str()),
        ],
        quoting: t.quoting == Some(true),
    };
    fs::create_dir(scratch)?;
    // bin/ first: the RECORD rows of pip's scripts need their new digests.
    let scripts = write_bin(t, w, &s, scratch, real)?;
    write_top(t, w, &s, scratch, real)?;
    write_indexed(t, w, &s, scratch, mode)?;
    if !w.without_pip && scratch.join("lib").is_dir() {
        fix_records(&scratch.join("lib"), &scripts)?;
    }
    Ok(())
}

/// `bin/`: symlinks retargeted, pip's console scripts given their shebang (none with
/// `--without-pip`), every other text file's markers replaced.
fn write_bin(
    t: &Template,
    w: &Wanted,
    s: &Subst,
    scratch: &Path,
    real: &str,
) -> io::Result<Vec<Script>> {
    let mut scripts = Vec::new();
    let bin = t.tree.join("bin");
    fs::create_dir(scratch.join("bin"))?;
    for e in fs::read_dir(&bin)? {
        let e = e?;
        let (src, dst) = (e.path(), scratch.join("bin").join(e.file_name()));
        let kind = e.file_type()?;
        if kind.is_symlink() {
            relink(&src, &dst, s)?;
            continue;
        }
        if kind.is_dir() {
            copy_plain(&src, &dst)?; // no venv makes one; copied as it is
            continue;
        }
        let bytes = fs::read(&src)?;
        if memchr::memchr(0, &bytes).is_some() {
            fs::copy(&src, &dst)?; // `--copies`: the interpreter itself, as venv copies it
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let out = match console_script(&bytes, &t.marker, real) {
            Some(_) if w.without_pip => continue,
            Some(script) => {
                scripts.push((name, record_hash(&script), script.len()));
                script
            }
            None => s.apply(&bytes, name.ends_with(".ps1")),
        };
        write_like(&src, &dst, &out)?;
    }
    Ok(scripts)
}

/// The files and symlinks at the top of the tree (`pyvenv.cfg` rebuilt); its directories but
/// `bin/` come from the index.
fn write_top(t: &Template, w: &Wanted, s: &Subst, scratch: &Path, real: &str) -> io::Result<()> {
    for e in fs::read_dir(&t.tree)? {
        let e = e?;
        let n = e.file_name();
        if n == "bin" {
            continue;
        }
        let (src, dst) = (e.path(), scratch.join(&n));
        let kind = e.file_type()?;
        if kind.is_symlink() {
            relink(&src, &dst, s)?;
        } else if kind.is_dir() {
            // From the index, below.
        } else if n == "pyvenv.cfg" {
            let text = fs::read_to_string(&src)?;
            write_like(&src, &dst, config(&text, s, w, real).as_bytes())?;
        } else {
            let bytes = fs::read(&src)?;
            write_like(&src, &dst, &s.apply(&bytes, false))?;
        }
    }
    Ok(())
}

/// Everything the index lists: directories created in order, then every file linked, on a
/// few threads (a link is a metadata write; the directories differ, so they proceed side by
/// side); with `--without-pip`, nothing below `site-packages/`.
fn write_indexed(
    t: &Template,
    w: &Wanted,
    s: &Subst,
    scratch: &Path,
    mode: LinkMode,
) -> io::Result<()> {
    let below_site = |p: &Path| {
        let mut parts = p.iter().skip_while(|c| *c != "site-packages");
        parts.next().is_some() && parts.next().is_some()
    };
    let mut links = Vec::new();
    for e in &t.entries {
        match e {
            Entry::Dir(p) if !(w.without_pip && below_site(p)) => fs::create_dir(scratch.join(p))?,
            Entry::Link(p, target) if !(w.without_pip && below_site(p)) => {
                let target = s.raw(target.as_os_str().as_bytes());
                symlink(std::ffi::OsStr::from_bytes(&target), scratch.join(p))?;
            }
            Entry::File(p) if !(w.without_pip && below_site(p)) => {
                if t.rewrite.contains(p) {
                    let from = t.tree.join(p);
                    write_like(&from, &scratch.join(p), &s.raw(&fs::read(&from)?))?;
                } else {
                    links.push(p);
                }
            }
            _ => {}
        }
    }
    if mode.shares() {
        read_only_files(&t.tree, &t.entries)?;
    }
    // Copies (or reflinks) by default, so that no environment shares a writable file with
    // another or with the template; on a few threads, the copying runs in the kernel.
    crate::linktree::in_parallel(&links, 128, |p: &&PathBuf| {
        crate::linktree::place(&t.tree.join(p), &scratch.join(p), mode)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_the_fast_path_takes_and_refuses() {
        let opts = |a: &[&str]| Options {
            venv_args: a.iter().map(|s| s.to_string()).collect(),
            ..Options::default()
        };
        let w = wanted("web", &opts(&["--copies", "--prompt", "my env"])).unwrap();
        assert!(w.copies);
        assert_eq!(w.prompt, "my env");
        assert!(wanted("web", &opts(&["--upgrade-deps"])).is_err());
        assert!(wanted("web", &opts(&["--prompt=it's"])).is_err());
        assert!(wanted("web", &opts(&["--prompt", "."])).is_err());
    }
}
