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

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use memchr::memmem;
use pyv_core::CacheLayout;
use sha2::{Digest, Sha256};

use super::create::{Base, Options};
use crate::linktree::LinkMode;

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

/// The index of every top-level directory of `tree` but `bin/`.
fn index(tree: &Path) -> io::Result<Vec<Entry>> {
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

fn index_text(entries: &[Entry], stamps: &[(PathBuf, String)]) -> Option<String> {
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
type Stamps = Vec<(PathBuf, String)>;

/// Every file of `tree` (below it, symlinks and directories not followed) with its stamp.
fn stamps(tree: &Path) -> io::Result<Vec<(PathBuf, String)>> {
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
fn parse_index(text: &str) -> Result<(Vec<Entry>, Stamps), String> {
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

/// A stored template that must not be used, and why.
#[derive(Debug)]
pub enum Unusable {
    /// Changed, incomplete or not written by pyv: discarded, to be made again.
    Broken(String),
    /// Another user could have changed it: an error, never used.
    Untrusted(crate::linktree::Untrusted),
}

/// Check every file of the stored template `t` against its stamp: present, unchanged (an
/// edit with its mtime put back still changes the ctime), a plain file of the user's that
/// nobody else can write.
fn verify(t: &Template) -> Result<(), Unusable> {
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

/// Refuse a template directory another user could change.
fn trusted(cache_dir: &Path, home: &Path) -> Result<(), crate::linktree::Untrusted> {
    use crate::linktree::check_private;
    check_private(cache_dir, "the download cache")?;
    check_private(&dir(cache_dir), "the virtualenv templates")?;
    check_private(home, "the virtualenv template")?;
    check_private(&home.join("tree.index"), "the virtualenv template's index")?;
    check_private(&home.join(INFO), "the virtualenv template's info")
}

/// The template for `base` with these options, if one was made before: `Ok(None)` when there
/// is none; a stored one that fails its check is removed (`Broken`, to be made again) or
/// refused (`Untrusted`).
pub fn lookup(cache_dir: &Path, base: &Base, w: &Wanted) -> Result<Option<Template>, Unusable> {
    let Some(key) = key(base, w) else {
        return Ok(None);
    };
    let home = dir(cache_dir).join(&key);
    trusted(cache_dir, &home).map_err(Unusable::Untrusted)?;
    let Ok(info) = fs::read_to_string(home.join(INFO)) else {
        return Ok(None);
    };
    let broken = |why: String| {
        // Under the key's lock, so that a template being stored is never removed half-way.
        let lock = pyv_core::fsx::lock_file(&CacheLayout::new(cache_dir).template_lock(&key));
        if lock.is_ok() {
            let _ = pyv_core::fsx::remove_any(&home);
        }
        Unusable::Broken(why)
    };
    let field = |k: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(str::to_string)
    };
    if field("format").as_deref() != Some(FORMAT) {
        return Err(broken("it was made by another pyv version".into()));
    }
    let (Some(marker), Some(name_mark), Some(quoting)) =
        (field("marker"), field("name"), field("quoting"))
    else {
        return Err(broken("its info file is incomplete".into()));
    };
    let rewrite: Vec<PathBuf> = info
        .lines()
        .filter_map(|l| l.strip_prefix("rewrite="))
        .map(PathBuf::from)
        .collect();
    if let Some(p) = rewrite
        .iter()
        .find(|p| crate::safepath::inside(&p.to_string_lossy()).is_err())
    {
        return Err(broken(format!("it names `{}`", p.display())));
    }
    let index = fs::read_to_string(home.join("tree.index"))
        .map_err(|e| broken(format!("its index cannot be read: {e}")))?;
    let (entries, stamps) = parse_index(&index).map_err(broken)?;
    let t = Template {
        tree: home.join("env"),
        marker,
        name_mark,
        quoting: match quoting.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        rewrite,
        entries,
        stamps,
    };
    match verify(&t) {
        Ok(()) => Ok(Some(t)),
        Err(Unusable::Broken(why)) => Err(broken(why)),
        Err(e) => Err(e),
    }
}

/// After placing hard links from the template (which changes its files' ctimes, their link
/// counts), record the stamps again, under the template's lock.
pub fn restamp(cache_dir: &Path, t: &Template) -> io::Result<()> {
    let home = t.tree.parent().unwrap_or(&t.tree).to_path_buf();
    let key = home.file_name().unwrap_or_default().to_string_lossy();
    let _lock = pyv_core::fsx::lock_file(&CacheLayout::new(cache_dir).template_lock(&key))
        .map_err(io::Error::other)?;
    let text = index_text(&t.entries, &stamps(&t.tree)?)
        .ok_or_else(|| io::Error::other("a file name has a tab or newline"))?;
    pyv_core::fsx::write_atomic(&home.join("tree.index"), text.as_bytes()).map_err(io::Error::other)
}

/// What identifies the template: the interpreter as pyv runs it, the file behind it and the
/// venv and ensurepip it ships (a reinstall or a distribution update makes a new template),
/// and the options that change the tree.
fn key(base: &Base, w: &Wanted) -> Option<String> {
    let real = fs::canonicalize(&base.python).ok()?;
    let mut h = Sha256::new();
    let mut add = |label: &str, bytes: &[u8]| {
        h.update(label.as_bytes());
        h.update(b"=");
        h.update(bytes);
        h.update(b"\n");
    };
    add("format", FORMAT.as_bytes());
    add("python", base.python.as_os_str().as_bytes());
    add("real", real.as_os_str().as_bytes());
    let stamp = |p: &Path| {
        fs::metadata(p).map_or_else(
            |_| "none".to_string(),
            |m| {
                format!(
                    "{}:{}:{}:{}.{}",
                    m.dev(),
                    m.ino(),
                    m.size(),
                    m.mtime(),
                    m.mtime_nsec()
                )
            },
        )
    };
    add("exe", stamp(&real).as_bytes());
    // `bin/python3.11` keeps its standard library in `lib/python3.11`.
    if let (Some(exe), Some(prefix)) = (real.file_name(), real.parent().and_then(Path::parent)) {
        let lib = prefix.join("lib").join(exe);
        for part in [
            "venv/__init__.py",
            "venv/scripts/common/activate",
            "ensurepip/__init__.py",
            "ensurepip/_bundled",
        ] {
            add(part, stamp(&lib.join(part)).as_bytes());
        }
    }
    // Debian and Fedora seed pip from here instead.
    add(
        "wheels",
        stamp(Path::new("/usr/share/python-wheels")).as_bytes(),
    );
    add("copies", &[w.copies as u8]);
    add("system-site", &[w.system_site as u8]);
    add("without-pip", &[w.without_pip as u8]);
    Some(crate::digest::hex(&h.finalize()[..10]))
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

/// Keep the template `t` in the cache for `base` and these options (moved there when the
/// cache is on the same filesystem, else copied). Failing is harmless: the next creation
/// makes another.
pub fn store(
    cache_dir: &Path,
    base: &Base,
    w: &Wanted,
    t: &Template,
    mode: LinkMode,
) -> Result<(), String> {
    let root = dir(cache_dir);
    let key = key(base, w).ok_or("cannot resolve the interpreter")?;
    fs::create_dir_all(&root).map_err(|e| format!("cannot create `{}`: {e}", root.display()))?;
    trusted(cache_dir, &root.join(&key)).map_err(String::from)?;
    let _lock = pyv_core::fsx::lock_file(&CacheLayout::new(cache_dir).template_lock(&key))
        .map_err(|e| format!("cannot lock the template: {e}"))?;
    let home = root.join(&key);
    if matches!(lookup_locked(cache_dir, &key), Some(true)) {
        return Ok(()); // another pyv stored one meanwhile
    }
    let _ = pyv_core::fsx::remove_any(&home);
    let building = root.join(format!(".build-{key}-{}", std::process::id()));
    let _ = pyv_core::fsx::remove_any(&building);
    let mut info = format!(
        "format={FORMAT}\nmarker={}\nname={}\nquoting={}\n",
        t.marker,
        t.name_mark,
        match t.quoting {
            Some(true) => "1",
            Some(false) => "0",
            None => "?",
        }
    );
    for p in &t.rewrite {
        info.push_str(&format!("rewrite={}\n", p.display()));
    }
    let result = fs::create_dir(&building)
        .and_then(|()| match fs::rename(&t.tree, building.join("env")) {
            Ok(()) => Ok(()),
            Err(_) => copy_plain(&t.tree, &building.join("env")),
        })
        .and_then(|()| {
            let env = building.join("env");
            if mode.shares() {
                read_only_files(&env, &t.entries)?;
            }
            let text = index_text(&t.entries, &stamps(&env)?)
                .ok_or_else(|| io::Error::other("a file name has a tab or newline"))?;
            fs::write(building.join("tree.index"), text)
        })
        .and_then(|()| fs::write(building.join(INFO), info))
        .and_then(|()| fs::rename(&building, &home));
    if let Err(e) = result {
        let _ = pyv_core::fsx::remove_any(&building);
        return Err(format!("cannot store the template: {e}"));
    }
    Ok(())
}

/// A plain recursive copy (symlinks as symlinks), for a cache on another filesystem.
fn copy_plain(src: &Path, dst: &Path) -> io::Result<()> {
    fs::create_dir(dst)?;
    for e in fs::read_dir(src)? {
        let e = e?;
        let (from, to) = (e.path(), dst.join(e.file_name()));
        let kind = e.file_type()?;
        if kind.is_dir() {
            copy_plain(&from, &to)?;
        } else if kind.is_symlink() {
            symlink(fs::read_link(&from)?, &to)?;
        } else {
            crate::linktree::copy_keeping_mtime(&from, &to)?;
        }
    }
    Ok(())
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
    let mut scripts = Vec::new();
    let bin = t.tree.join("bin");
    fs::create_dir(scratch.join("bin"))?;
    for e in fs::read_dir(&bin)? {
        let e = e?;
        let (src, dst) = (e.path(), scratch.join("bin").join(e.file_name()));
        let kind = e.file_type()?;
        if kind.is_symlink() {
            relink(&src, &dst, &s)?;
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
    for e in fs::read_dir(&t.tree)? {
        let e = e?;
        let n = e.file_name();
        if n == "bin" {
            continue;
        }
        let (src, dst) = (e.path(), scratch.join(&n));
        let kind = e.file_type()?;
        if kind.is_symlink() {
            relink(&src, &dst, &s)?;
        } else if kind.is_dir() {
            // From the index, below.
        } else if n == "pyvenv.cfg" {
            let text = fs::read_to_string(&src)?;
            write_like(&src, &dst, config(&text, &s, w, real).as_bytes())?;
        } else {
            let bytes = fs::read(&src)?;
            write_like(&src, &dst, &s.apply(&bytes, false))?;
        }
    }
    // The directories: created in order, then every file linked, on a few threads (a link is
    // a metadata write; the directories differ, so they proceed side by side).
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
    if !w.without_pip && scratch.join("lib").is_dir() {
        fix_records(&scratch.join("lib"), &scripts)?;
    }
    Ok(())
}

/// The marker -> value replacements of one environment.
#[derive(Clone, Copy)]
struct Subst<'a> {
    pairs: [(&'a str, &'a str); 3],
    quoting: bool,
}

impl Subst<'_> {
    /// `text` with every marker replaced as venv's `replace_variables` would have written the
    /// value: when this venv quotes, a `'...'` region holding a marker becomes the quoted
    /// real text (`.ps1`: PowerShell's quoting); elsewhere the raw value.
    fn apply(&self, text: &[u8], ps1: bool) -> Vec<u8> {
        let mut out = text.to_vec();
        if self.quoting {
            for (mark, _) in self.pairs {
                out = replace_quoted(&out, mark.as_bytes(), |inner| {
                    let raw = self.raw(inner);
                    let raw = String::from_utf8_lossy(&raw);
                    if ps1 {
                        quote_ps1(&raw)
                    } else {
                        shlex_quote(&raw)
                    }
                });
            }
        }
        self.raw(&out)
    }

    fn raw(&self, text: &[u8]) -> Vec<u8> {
        let mut out = text.to_vec();
        for (mark, value) in self.pairs {
            out = replace_all(&out, mark.as_bytes(), value.as_bytes());
        }
        out
    }
}

/// Replace every `'...'` region (on one line) that contains `mark` by `quote(region inside)`.
fn replace_quoted(text: &[u8], mark: &[u8], quote: impl Fn(&[u8]) -> String) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while let Some(i) = memmem::find(&text[at..], mark).map(|i| i + at) {
        let line_start = text[..i]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let open = text[line_start.max(at)..i]
            .iter()
            .rposition(|&b| b == b'\'')
            .map(|p| p + line_start.max(at));
        let close = text[i + mark.len()..]
            .iter()
            .take_while(|&&b| b != b'\n')
            .position(|&b| b == b'\'')
            .map(|p| p + i + mark.len());
        match (open, close) {
            (Some(o), Some(c)) => {
                out.extend_from_slice(&text[at..o]);
                out.extend_from_slice(quote(&text[o + 1..c]).as_bytes());
                at = c + 1;
            }
            _ => {
                out.extend_from_slice(&text[at..i + mark.len()]);
                at = i + mark.len();
            }
        }
    }
    out.extend_from_slice(&text[at..]);
    out
}

/// `text` with every `from` replaced by `to` (left to right, not overlapping).
pub(super) fn replace_all(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let finder = memmem::Finder::new(from);
    let mut out = Vec::with_capacity(text.len());
    let mut last = 0;
    for at in finder.find_iter(text) {
        out.extend_from_slice(&text[last..at]);
        out.extend_from_slice(to);
        last = at + from.len();
    }
    out.extend_from_slice(&text[last..]);
    out
}

/// Python's `shlex.quote`.
fn shlex_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// venv's `quote_ps1`.
fn quote_ps1(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `pyvenv.cfg` for this environment: the template's keys, with the options' values and the
/// `command =` line (3.11+) rebuilt as venv writes it.
fn config(text: &str, s: &Subst, w: &Wanted, real: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let key = line.split('=').next().unwrap_or_default().trim();
        match key {
            "include-system-site-packages" => out.push_str(&format!(
                "include-system-site-packages = {}",
                if w.system_site { "true" } else { "false" }
            )),
            "command" if line.contains(" -m venv ") => {
                let head = &line[..line.find(" -m venv ").unwrap_or(0)];
                let mut args = Vec::new();
                if w.copies {
                    args.push("--copies".to_string());
                }
                if w.without_pip {
                    args.push("--without-pip".into());
                }
                if w.system_site {
                    args.push("--system-site-packages".into());
                }
                if w.clear {
                    args.push("--clear".into());
                }
                args.push(format!("--prompt=\"{}\"", w.prompt));
                args.push(real.to_string());
                out.push_str(&format!("{head} -m venv {}", args.join(" ")));
            }
            _ => out.push_str(&String::from_utf8_lossy(&s.raw(line.as_bytes()))),
        }
        out.push('\n');
    }
    out
}

/// A pip console script made in the template, rewritten for the interpreter under `real`:
/// `None` if `bytes` is not one.
fn console_script(bytes: &[u8], marker: &str, real: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (exe, body) = if let Some(rest) = text.strip_prefix("#!/bin/sh\n'''exec' ") {
        let (line, rest) = rest.split_once('\n')?;
        let exe = line.strip_suffix(" \"$0\" \"$@\"")?;
        let exe = exe
            .strip_prefix('"')
            .and_then(|e| e.strip_suffix('"'))
            .unwrap_or(exe);
        (exe, rest.strip_prefix("' '''\n")?)
    } else {
        let (line, body) = text.strip_prefix("#!")?.split_once('\n')?;
        (line, body)
    };
    let tail = exe.strip_prefix(marker)?;
    let exe = format!("{real}{tail}");
    let mut out = shebang(&exe).into_bytes();
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

/// The first line(s) pip's script maker (distlib) writes for `exe` on Linux.
fn shebang(exe: &str) -> String {
    let exe = if exe.contains(' ') {
        format!("\"{exe}\"")
    } else {
        exe.to_string()
    };
    if !exe.contains(' ') && exe.len() + 3 <= crate::install::relocate::MAX_SHEBANG {
        format!("#!{exe}\n")
    } else {
        format!("#!/bin/sh\n'''exec' {exe} \"$0\" \"$@\"\n' '''\n")
    }
}

/// `sha256=<urlsafe base64, unpadded>` as in a wheel's RECORD.
fn record_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("sha256={}", URL_SAFE_NO_PAD.encode(digest))
}

/// Rewrite the `RECORD` rows of `../../../bin/<script>` in every `*.dist-info` of the
/// `site-packages` below `dir` (`lib/pythonX.Y/site-packages`: looked for two levels down).
fn fix_records(dir: &Path, scripts: &[(String, String, usize)]) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            let p = e.path();
            if e.file_name() == "site-packages" {
                fix_records_in(&p, scripts)?;
            } else if p.parent() == Some(dir) && dir.file_name().is_some_and(|n| n == "lib") {
                fix_records(&p, scripts)?;
            }
        }
    }
    Ok(())
}

fn fix_records_in(site: &Path, scripts: &[(String, String, usize)]) -> io::Result<()> {
    for e in fs::read_dir(site)? {
        let e = e?;
        let p = e.path();
        if !e.file_type()?.is_dir() {
            continue;
        }
        if e.file_name().to_string_lossy().ends_with(".dist-info") {
            let record = p.join("RECORD");
            let Ok(text) = fs::read_to_string(&record) else {
                continue;
            };
            let mut changed = false;
            let mut out = String::with_capacity(text.len());
            for line in text.split_inclusive('\n') {
                let path = line.split(',').next().unwrap_or_default();
                let script = path
                    .strip_prefix("../../../bin/")
                    .and_then(|n| scripts.iter().find(|(s, _, _)| s == n));
                match script {
                    Some((_, hash, size)) => {
                        let end = &line[line.trim_end_matches(['\r', '\n']).len()..];
                        out.push_str(&format!("{path},{hash},{size}{end}"));
                        changed = true;
                    }
                    None => out.push_str(line),
                }
            }
            if changed {
                // A hard link to the template's RECORD: replace it, never write through it.
                let tmp = p.join(".RECORD.pyv-tmp");
                fs::write(&tmp, out)?;
                fs::rename(&tmp, &record)?;
            }
        }
    }
    Ok(())
}

fn relink(src: &Path, dst: &Path, s: &Subst) -> io::Result<()> {
    let target = fs::read_link(src)?;
    let target = s.raw(target.as_os_str().as_bytes());
    symlink(std::ffi::OsStr::from_bytes(&target), dst)
}

/// Clear the write bits of the files the index places, before they are shared by hard links
/// (pip replaces files by unlink and rename, so it keeps working in the environments).
fn read_only_files(tree: &Path, entries: &[Entry]) -> io::Result<()> {
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

/// Whether the template `key` is stored and complete (its info file written last), read while
/// holding its lock.
fn lookup_locked(cache_dir: &Path, key: &str) -> Option<bool> {
    let info = fs::read_to_string(dir(cache_dir).join(key).join(INFO)).ok()?;
    Some(info.lines().any(|l| l == format!("format={FORMAT}")))
}

/// Write `bytes` to the new file `dst` with `src`'s permission bits.
fn write_like(src: &Path, dst: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::write(dst, bytes)?;
    fs::set_permissions(dst, fs::metadata(src)?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subst(quoting: bool) -> Subst<'static> {
        Subst {
            pairs: [
                ("/c/b/pyvTMPLenv 7q", "/r o/envs/web"),
                ("pyvTMPLenv 7q", "web"),
                (PROMPT_MARK, "web"),
            ],
            quoting,
        }
    }

    #[test]
    fn quoted_regions_get_the_real_value_quoted_like_shlex() {
        let s = subst(true);
        let got = s.apply(
            b"VIRTUAL_ENV='/c/b/pyvTMPLenv 7q'\nPS1='(pyvTMPLprompt 7q) '\"${PS1:-}\"\nX=pyvTMPLprompt 7q\n",
            false,
        );
        assert_eq!(
            String::from_utf8(got).unwrap(),
            "VIRTUAL_ENV='/r o/envs/web'\nPS1='(web) '\"${PS1:-}\"\nX=web\n"
        );
        // A value shlex finds safe is written bare, as venv would.
        let got = s.apply(b"N='pyvTMPLenv 7q'\n", false);
        assert_eq!(got, b"N=web\n");
        let got = s.apply(b"$v = '/c/b/pyvTMPLenv 7q'\n", true);
        assert_eq!(got, b"$v = '/r o/envs/web'\n");
    }

    #[test]
    fn unquoting_venvs_get_raw_values() {
        let got = subst(false).apply(
            b"VIRTUAL_ENV=\"/c/b/pyvTMPLenv 7q\"\nif ('pyvTMPLenv 7q')\n",
            false,
        );
        assert_eq!(got, b"VIRTUAL_ENV=\"/r o/envs/web\"\nif ('web')\n");
    }

    #[test]
    fn shlex_quote_matches_python() {
        assert_eq!(shlex_quote("/a/b-c_d.e"), "/a/b-c_d.e");
        assert_eq!(shlex_quote("(web) "), "'(web) '");
        assert_eq!(shlex_quote("it's"), "'it'\"'\"'s'");
        assert_eq!(shlex_quote(""), "''");
    }

    #[test]
    fn console_scripts_get_pips_shebang() {
        let body = "# -*- coding: utf-8 -*-\nimport sys\n";
        let tramp =
            format!("#!/bin/sh\n'''exec' \"/m k/bin/python3.11\" \"$0\" \"$@\"\n' '''\n{body}");
        let got = console_script(tramp.as_bytes(), "/m k", "/real/e").unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            format!("#!/real/e/bin/python3.11\n{body}")
        );
        let simple = format!("#!/m k/bin/python3.11\n{body}");
        let got = console_script(simple.as_bytes(), "/m k", "/real e").unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            format!("#!/bin/sh\n'''exec' \"/real e/bin/python3.11\" \"$0\" \"$@\"\n' '''\n{body}")
        );
        let long = format!("/{}", "x".repeat(130));
        let got =
            String::from_utf8(console_script(simple.as_bytes(), "/m k", &long).unwrap()).unwrap();
        assert!(
            got.starts_with(&format!("#!/bin/sh\n'''exec' {long}/bin/python3.11 \"$0\"")),
            "{got}"
        );
        assert_eq!(console_script(b"#!/bin/sh\necho\n", "/m k", "/r"), None);
    }

    #[test]
    fn record_hash_is_urlsafe_base64_without_padding() {
        // python3 -c "import hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(b'abc').digest()).rstrip(b'='))"
        assert_eq!(
            record_hash(b"abc"),
            "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

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

    #[test]
    fn config_keeps_keys_and_rebuilds_the_command() {
        let text = "home = /v/bin\ninclude-system-site-packages = false\nversion = 3.11.7\nprompt = 'pyvTMPLprompt 7q'\nexecutable = /v/bin/python3.11\ncommand = /v/bin/python -m venv --prompt=\"pyvTMPLprompt 7q\" /c/b/pyvTMPLenv 7q\n";
        let w = Wanted {
            copies: true,
            system_site: true,
            without_pip: true,
            clear: false,
            prompt: "web".into(),
        };
        let got = config(text, &subst(true), &w, "/r o/envs/web");
        assert_eq!(got, "home = /v/bin\ninclude-system-site-packages = true\nversion = 3.11.7\nprompt = 'web'\nexecutable = /v/bin/python3.11\ncommand = /v/bin/python -m venv --copies --without-pip --system-site-packages --prompt=\"web\" /r o/envs/web\n");
    }
}
