//! Templates in the cache: found by a key of the interpreter and the options, checked before
//! use, stored under the key's lock.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::{Path, PathBuf};

use pyv_core::CacheLayout;
use sha2::{Digest, Sha256};

use super::index::{index_text, parse_index, read_only_files, stamps, verify};
use super::{dir, Template, Unusable, Wanted, FORMAT, INFO};
use crate::linktree::LinkMode;
use crate::venv::create::Base;

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
pub(super) fn copy_plain(src: &Path, dst: &Path) -> io::Result<()> {
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

/// Whether the template `key` is stored and complete (its info file written last), read while
/// holding its lock.
fn lookup_locked(cache_dir: &Path, key: &str) -> Option<bool> {
    let info = fs::read_to_string(dir(cache_dir).join(key).join(INFO)).ok()?;
    Some(info.lines().any(|l| l == format!("format={FORMAT}")))
}
