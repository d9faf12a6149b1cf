//! `.python-version` files: pyenv's format, so a project keeps working across pyenv, uv, mise
//! and pyv. One version per line, the first word counts, `#` comments and blank lines are
//! skipped; CRLF, surrounding whitespace, a UTF-8 BOM and a missing final newline are fine.
//! A file is read up to 64 KiB; a selection of more than [`crate::select::MAX_NAMES`] names is
//! refused where it becomes one ([`crate::select`]).

use crate::env_vars::EnvVars;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsx::write_atomic;

pub const FILE_NAME: &str = ".python-version";

/// Bytes read from a version file at most; a real one is a few lines.
const MAX_BYTES: u64 = 64 * 1024;

/// The versions a file's text names, in order.
pub fn parse(contents: &str) -> Vec<String> {
    let contents = contents.strip_prefix('\u{feff}').unwrap_or(contents);
    contents
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Read a version file. `Ok(None)` when it does not exist or names no version (empty or
/// comments only): callers treat both as absent. A directory, FIFO, unreadable or non-UTF-8
/// file is an error, and a FIFO is never opened (it would block).
pub fn read(path: &Path) -> Result<Option<Vec<String>>> {
    let problem = |problem: String| Error::VersionFile {
        path: path.to_path_buf(),
        problem,
    };
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(problem(e.to_string())),
    };
    if meta.is_dir() {
        return Err(problem("it is a directory".into()));
    }
    if !meta.is_file() {
        return Err(problem(
            "it is not a regular file (a FIFO, socket or device)".into(),
        ));
    }
    let mut bytes = Vec::new();
    match fs::File::open(path).and_then(|f| f.take(MAX_BYTES).read_to_end(&mut bytes)) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(problem(format!("it cannot be read ({e})"))),
    }
    let text = String::from_utf8(bytes).map_err(|_| problem("it is not UTF-8 text".into()))?;
    let versions = parse(&text);
    Ok(if versions.is_empty() {
        None
    } else {
        Some(versions)
    })
}

/// The nearest `.python-version` from `start` upward that names at least one version.
pub fn find(start: &Path) -> Result<Option<(PathBuf, Vec<String>)>> {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if let Some(versions) = read(&candidate)? {
            return Ok(Some((candidate, versions)));
        }
    }
    Ok(None)
}

/// The variable naming where version files are looked up from (pyenv's `PYENV_DIR`).
pub const DIR_VAR: &str = EnvVars::PYV_DIR;

/// The version file that selects for a process in `cwd`: the nearest from `PYV_DIR` upward
/// when that is set, else (as pyenv) the nearest from `cwd` upward.
pub fn find_local(cwd: &Path) -> Result<Option<(PathBuf, Vec<String>)>> {
    if let Some(dir) = std::env::var_os(DIR_VAR).filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        if let Some(found) = find(&dir)? {
            return Ok(Some(found));
        }
        if dir == cwd {
            return Ok(None);
        }
    }
    find(cwd)
}

/// The `.python-version` that `find` would consult first for `dir`, whether or not it exists
/// (what `pyv version-file` prints when there is none: the global file is the caller's choice).
pub fn find_path(start: &Path) -> Result<Option<PathBuf>> {
    Ok(find(start)?.map(|(p, _)| p))
}

/// Write `versions` one per line to `path` atomically (temp file in the same directory, then
/// rename), so a reader never sees half a file.
pub fn write(path: &Path, versions: &[String]) -> Result<()> {
    let mut text = String::new();
    for v in versions {
        text.push_str(v);
        text.push('\n');
    }
    write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pyv-vf-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn parse_tolerates_what_editors_write() {
        assert_eq!(parse("3.11.2"), ["3.11.2"]);
        assert_eq!(parse("\u{feff}3.11.2\r\n2.7.18\r\n"), ["3.11.2", "2.7.18"]);
        assert_eq!(
            parse("  # pinned\n\n   3.12.1   extra words\n#2.7\n"),
            ["3.12.1"]
        );
        assert!(parse("# only a comment\n\n  \n").is_empty());
        assert!(parse("").is_empty());
    }

    #[test]
    fn read_reports_unusable_files_without_hanging() {
        let d = tmpdir("bad");
        fs::create_dir(d.join("asdir")).unwrap();
        let e = read(&d.join("asdir")).unwrap_err().to_string();
        assert!(e.contains("directory"), "{e}");

        fs::write(d.join("latin1"), b"3.11\xff\n").unwrap();
        let e = read(&d.join("latin1")).unwrap_err().to_string();
        assert!(e.contains("UTF-8"), "{e}");

        let fifo = d.join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success());
        if ok.unwrap_or(false) {
            let e = read(&fifo).unwrap_err().to_string();
            assert!(e.contains("FIFO"), "{e}");
        }
        assert!(read(&d.join("missing")).unwrap().is_none());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn find_walks_up_and_skips_empty_files() {
        let d = tmpdir("find");
        let deep = d.join("a/b/c");
        fs::create_dir_all(&deep).unwrap();
        fs::write(d.join(FILE_NAME), "3.11.2\n").unwrap();
        fs::write(d.join("a/b").join(FILE_NAME), "# nothing\n").unwrap();
        let (path, versions) = find(&deep).unwrap().unwrap();
        assert_eq!(path, d.join(FILE_NAME));
        assert_eq!(versions, ["3.11.2"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn write_is_atomic_and_newline_terminated() {
        let d = tmpdir("write");
        let p = d.join(FILE_NAME);
        write(&p, &["3.11.2".into(), "2.7.18".into()]).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "3.11.2\n2.7.18\n");
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1, "no temp file left");
        fs::remove_dir_all(&d).unwrap();
    }
}
