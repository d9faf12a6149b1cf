//! The embedded catalog of every CPython source release python.org published, with the
//! SHA-256 of each archive: how pyv knows which versions exist and what a download must hash
//! to. It is data (`catalog/cpython.tsv`, copied from python.org's release listing), not code.

use std::sync::OnceLock;

use pyv_core::pyversion::{self, PyVersion};

const TSV: &str = include_str!("catalog/cpython.tsv");

/// The URL prefix that `PYV_MIRROR` bases replace.
pub const PYTHON_ORG: &str = "https://www.python.org/ftp/python/";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xz,
    Tgz,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub version: &'static str,
    pub format: Format,
    pub url: &'static str,
    pub sha256: &'static str,
}

impl Release {
    /// The path below python.org's `ftp/python/` (`3.11.2/Python-3.11.2.tgz`), which is also
    /// the path below every mirror base.
    pub fn path(&self) -> &'static str {
        self.url.strip_prefix(PYTHON_ORG).unwrap_or(self.url)
    }
}

/// Every row of the catalog.
pub fn releases() -> &'static [Release] {
    static ROWS: OnceLock<Vec<Release>> = OnceLock::new();
    ROWS.get_or_init(|| {
        TSV.lines()
            .skip(1)
            .filter_map(|line| {
                let mut f = line.split('\t');
                let version = f.next()?;
                let _free_threaded = f.next()?;
                let format = match f.next()? {
                    "xz" => Format::Xz,
                    "tgz" => Format::Tgz,
                    _ => return None,
                };
                Some(Release {
                    version,
                    format,
                    url: f.next()?,
                    sha256: f.next()?,
                })
            })
            .collect()
    })
}

/// Known version names, oldest first, each once.
pub fn versions() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = releases().iter().map(|r| r.version).collect();
    v.sort_by(|a, b| pyversion::compare_names(a, b));
    v.dedup();
    v
}

/// The archives of one exact version, `.tar.xz` first.
pub fn archives(version: &str) -> Vec<&'static Release> {
    let mut v: Vec<&'static Release> = releases().iter().filter(|r| r.version == version).collect();
    v.sort_by_key(|r| r.format != Format::Xz);
    v
}

pub fn is_known(version: &str) -> bool {
    let base = version.strip_suffix('t').unwrap_or(version);
    releases().iter().any(|r| r.version == base)
        && (base == version || supports_free_threading(base))
}

/// Free-threaded builds (`--disable-gil`) exist from 3.13 on.
pub fn supports_free_threading(version: &str) -> bool {
    PyVersion::parse(version).is_some_and(|v| (v.major, v.minor.unwrap_or(0)) >= (3, 13))
}

/// The newest known version a request names: an exact version, a prefix (`3.12`), a
/// free-threaded request (`3.13t`), or `latest`.
pub fn best_known(request: &str) -> Option<String> {
    let all = versions();
    if request == "latest" {
        return all
            .iter()
            .rev()
            .find(|v| PyVersion::parse(v).is_some_and(|p| p.is_stable()))
            .map(|v| v.to_string());
    }
    if let Some(base) = request
        .strip_suffix('t')
        .filter(|b| PyVersion::parse(b).is_some())
    {
        let v = if all.contains(&base) {
            Some(base.to_string())
        } else {
            pyversion::best_match(base, all.iter().copied()).map(String::from)
        }?;
        return supports_free_threading(&v).then(|| format!("{v}t"));
    }
    if all.contains(&request) {
        return Some(request.to_string());
    }
    pyversion::best_match(request, all.iter().copied()).map(String::from)
}

/// Known versions close to `request`, for "did you mean" hints.
pub fn close_to(request: &str) -> Vec<String> {
    let all: Vec<String> = versions().into_iter().map(String::from).collect();
    pyv_core::resolve::close_to(request, &all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_complete_and_well_formed() {
        assert!(releases().len() >= 400, "{}", releases().len());
        for r in releases() {
            assert_eq!(r.sha256.len(), 64, "{}", r.version);
            assert!(r.url.starts_with(PYTHON_ORG), "{}", r.url);
        }
        let a = archives("3.11.2");
        assert_eq!(a[0].format, Format::Xz);
        assert_eq!(a[1].path(), "3.11.2/Python-3.11.2.tgz");
    }

    #[test]
    fn requests_resolve_like_pyenv() {
        assert_eq!(best_known("3.11.2").as_deref(), Some("3.11.2"));
        assert_eq!(best_known("3.9").as_deref(), Some("3.9.25"));
        assert!(best_known("3.13t").unwrap().ends_with('t'));
        assert_eq!(best_known("3.12t"), None);
        assert!(best_known("latest").is_some());
        assert_eq!(best_known("4.0"), None);
        assert!(is_known("3.13.5t"));
        assert!(!is_known("3.12.1t"));
    }
}
