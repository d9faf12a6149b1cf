//! The fetched release data on disk: `$PYV_CACHE_DIR/catalog/python-org.tsv`, in the embedded
//! catalog's TSV format below one line saying when and from where it was fetched. It is
//! replaced whole (temp file + rename), so a reader sees the old file or the new one, never a
//! mix; every row is checked again when read, like a freshly fetched one.
//!
//! The first line also says who vouched for the rows: `vouched=yes` when they came from
//! python.org's API or one named in `PYV_PYTHON_ORG_API`. Files written before pyv stopped
//! reading the API from `PYV_PYTHON_ORG`'s host lack it, and unless their `source` is
//! python.org's API their rows may be a mirror's own: they are not used.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{parse_rows, tsv_row, CatalogError, Release};

const HEADER: &str = "# pyv release data: fetched_at=";

/// What a cache file holds.
#[derive(Debug)]
pub struct Cached {
    pub releases: Vec<Release>,
    pub fetched_at: SystemTime,
    /// The API the rows came from, as the first line says.
    pub source: String,
    /// The rows came from python.org's API or one the user named (see the module doc).
    pub vouched: bool,
}

/// Where `pyv update` keeps what it fetched.
pub fn path(cache_dir: &Path) -> PathBuf {
    pyv_core::CacheLayout::new(cache_dir)
        .catalog_dir()
        .join("python-org.tsv")
}

/// The cache file: None when there is none, Err(why) when it cannot be used.
pub fn read(path: &Path) -> Result<Option<Cached>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let first = text.lines().next().unwrap_or_default();
    let secs: u64 = first
        .strip_prefix(HEADER)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .ok_or("its first line does not say when it was fetched")?;
    let field = |k: &str| {
        first
            .split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap_or_default()
    };
    let source = field("source=").to_string();
    let vouched = field("vouched=") == "yes" || source == super::python_org::API;
    Ok(Some(Cached {
        releases: parse_rows(&text),
        fetched_at: UNIX_EPOCH + Duration::from_secs(secs),
        source,
        vouched,
    }))
}

/// Replace the cache file with `releases`, fetched from `source` at `fetched_at` (an API pyv
/// trusts: python.org's or `PYV_PYTHON_ORG_API`).
pub fn write(
    path: &Path,
    releases: &[Release],
    fetched_at: SystemTime,
    source: &str,
) -> Result<(), CatalogError> {
    let secs = fetched_at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut text = format!("{HEADER}{secs} source={source} vouched=yes\n");
    text.push_str("version\tfree_threaded\tformat\turl\tsha256\n");
    for r in releases {
        text.push_str(&tsv_row(r));
    }
    pyv_core::fsx::write_atomic(path, text.as_bytes()).map_err(|e| CatalogError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Format, PYTHON_ORG};
    use super::*;

    #[test]
    fn round_trips_and_refuses_what_it_cannot_date() {
        let dir = tempfile::tempdir().unwrap();
        let p = path(dir.path());
        assert!(read(&p).unwrap().is_none());
        let r = Release {
            version: "3.99.2".into(),
            format: Format::Tgz,
            url: format!("{PYTHON_ORG}3.99.2/Python-3.99.2.tgz"),
            sha256: "a".repeat(64),
        };
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        write(&p, std::slice::from_ref(&r), at, "http://x/api/").unwrap();
        let c = read(&p).unwrap().unwrap();
        assert_eq!((c.releases, c.fetched_at), (vec![r.clone()], at));
        assert!(c.vouched);
        // Written by a pyv that read the API from the mirror's host: not vouched for.
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace(" vouched=yes", "")).unwrap();
        let c = read(&p).unwrap().unwrap();
        assert_eq!((c.source.as_str(), c.vouched), ("http://x/api/", false));
        let text = std::fs::read_to_string(&p).unwrap();
        let official = text.replace("http://x/api/", crate::catalog::python_org::API);
        std::fs::write(&p, official).unwrap();
        assert!(read(&p).unwrap().unwrap().vouched);
        // Only the file itself: no temp file left beside it.
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
        std::fs::write(&p, "version\tfree_threaded\tformat\turl\tsha256\n").unwrap();
        assert!(read(&p).unwrap_err().contains("when it was fetched"));
    }
}
