//! Which CPython source releases exist and what each archive must hash to. Two sources, merged:
//! the catalog embedded at build time (`catalog/cpython.tsv`, copied from python.org's release
//! listing) and the rows `pyv update` fetched from python.org's API into the cache
//! ([`cache`], [`python_org`]). Embedded rows win: a fetched row may add a release, never replace
//! one, and a fetched digest that disagrees with the embedded one for the same file is an error.
//!
//! Only `install`, `latest --known` and `update` load this; the shim and `version-name` paths
//! never do.

pub mod cache;
pub mod python_org;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use pyv_core::pyversion::{self, PyVersion};

const TSV: &str = include_str!("cpython.tsv");

/// The URL prefix that `PYV_MIRROR` bases replace.
pub const PYTHON_ORG: &str = "https://www.python.org/ftp/python/";

/// How old fetched data may get before `install <prefix>` refreshes it.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Xz,
    Tgz,
}

impl Format {
    /// The format of a source archive file name (`Python-3.12.1.tar.xz`).
    pub fn of_file(file: &str) -> Option<Format> {
        if file.ends_with(".tar.xz") {
            Some(Format::Xz)
        } else if file.ends_with(".tgz") {
            Some(Format::Tgz)
        } else {
            None
        }
    }

    fn tsv(self) -> &'static str {
        match self {
            Format::Xz => "xz",
            Format::Tgz => "tgz",
        }
    }
}

/// One source archive of one release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    pub format: Format,
    pub url: String,
    pub sha256: String,
}

impl Release {
    /// The path below python.org's `ftp/python/` (`3.11.2/Python-3.11.2.tgz`), which is also
    /// the path below every mirror base.
    pub fn path(&self) -> &str {
        self.url.strip_prefix(PYTHON_ORG).unwrap_or(&self.url)
    }

    /// The archive's file name (`Python-3.11.2.tgz`).
    pub fn file(&self) -> &str {
        self.path().rsplit('/').next().unwrap_or(self.path())
    }
}

/// Everything that can go wrong while fetching, reading or merging release data.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The network or the server failed.
    #[error("cannot fetch the release list from {url}: {reason}")]
    Fetch { url: String, reason: String },

    /// The server answered with something that is not python.org's release list.
    #[error("cannot read the release list from {url}: {reason}")]
    Parse { url: String, reason: String },

    /// Fetched data names another digest for a file pyv already knows (from its embedded
    /// catalog, or from an earlier fetch: digests are pinned on first sight), or one answer
    /// names two digests for one file.
    #[error(
        "sha256 conflict for `{file}`: {known_from} says {embedded}, but {source_} says \
         {fetched}; the first digest stays and the fetched data was not used"
    )]
    Conflict {
        file: String,
        known_from: String,
        embedded: String,
        fetched: String,
        source_: String,
    },

    /// `PYV_PYTHON_ORG_API` is not an http(s) URL (exit 2).
    #[error("invalid {var} value `{value}`: {reason}")]
    Base {
        var: &'static str,
        value: String,
        reason: String,
    },

    #[error("cannot write `{}`: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

impl CatalogError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            CatalogError::Fetch { .. } => "check the network, or point PYV_PYTHON_ORG_API at a \
                 reachable copy of python.org's release API you trust; the releases pyv already \
                 knows still install"
                .into(),
            CatalogError::Parse { .. } => {
                "PYV_PYTHON_ORG_API must serve python.org's `api/v2/downloads/` \
                 documents"
                    .into()
            }
            CatalogError::Conflict { .. } => "a mirror, proxy or the API served a digest pyv \
                 does not trust: check PYV_PYTHON_ORG_API and the network; `pyv update` \
                 fetches the data again"
                .into(),
            CatalogError::Base { .. } => "set PYV_PYTHON_ORG_API to the http(s) URL of a \
                 python.org mirror's `api/v2/downloads/` (python.org's is \
                 https://www.python.org/api/v2/downloads/)"
                .into(),
            CatalogError::Write { .. } => return None,
        })
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            CatalogError::Base { .. } => 2,
            _ => 1,
        }
    }
}

/// The merged catalog of one process.
#[derive(Debug, Clone)]
pub struct Catalog {
    releases: Vec<Release>,
    /// When the fetched part was fetched; None when there is none.
    pub fetched_at: Option<SystemTime>,
    /// Why the cache file was ignored, for a warning (it is then treated as missing).
    pub cache_problem: Option<String>,
    /// Cached releases nobody pyv trusts vouched for (see [`cache`]), with where they came
    /// from: never installed, only named when a request would have picked them.
    pub unvouched: Vec<(String, String)>,
}

impl Catalog {
    /// Only the releases embedded in this pyv.
    pub fn embedded() -> Catalog {
        Catalog {
            releases: embedded_rows(),
            fetched_at: None,
            cache_problem: None,
            unvouched: Vec::new(),
        }
    }

    /// The embedded releases plus those fetched into `cache_dir` by `pyv update`.
    pub fn load(cache_dir: &Path) -> Result<Catalog, CatalogError> {
        let path = cache::path(cache_dir);
        match cache::read(&path) {
            Ok(None) => Ok(Catalog::embedded()),
            Ok(Some(c)) if !c.vouched => {
                let known = Catalog::embedded();
                let mut unvouched: Vec<(String, String)> = c
                    .releases
                    .into_iter()
                    .filter(|r| !known.is_known(&r.version))
                    .map(|r| (r.version, c.source.clone()))
                    .collect();
                unvouched.sort_by(|a, b| pyversion::compare_names(&a.0, &b.0));
                unvouched.dedup();
                Ok(Catalog { unvouched, ..known })
            }
            Ok(Some(c)) => Catalog::with_fetched(
                c.releases,
                Some(c.fetched_at),
                &format!("the cached release data `{}`", path.display()),
            ),
            Err(problem) => Ok(Catalog {
                cache_problem: Some(format!(
                    "ignoring the cached release data `{}`: {problem}",
                    path.display()
                )),
                ..Catalog::embedded()
            }),
        }
    }

    /// [`Catalog::load`], printing a warning when the cache file was ignored.
    pub fn load_or_warn(cache_dir: &Path) -> Result<Catalog, CatalogError> {
        let c = Catalog::load(cache_dir)?;
        if let Some(p) = &c.cache_problem {
            crate::ui::err(&format!("pyv: warning: {p}; `pyv update` fetches it again"));
        }
        Ok(c)
    }

    /// The embedded releases merged with `fetched` (which came from `source`).
    pub fn with_fetched(
        fetched: Vec<Release>,
        fetched_at: Option<SystemTime>,
        source: &str,
    ) -> Result<Catalog, CatalogError> {
        Ok(Catalog {
            releases: merge(embedded_rows(), fetched, source)?,
            fetched_at,
            cache_problem: None,
            unvouched: Vec::new(),
        })
    }

    /// True when nothing was fetched yet, or it was fetched more than [`MAX_AGE`] ago.
    pub fn is_stale(&self, now: SystemTime) -> bool {
        match self.fetched_at {
            None => true,
            Some(t) => now.duration_since(t).is_ok_and(|age| age > MAX_AGE),
        }
    }

    /// Known version names, oldest first, each once.
    pub fn versions(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.releases.iter().map(|r| r.version.as_str()).collect();
        v.sort_by(|a, b| pyversion::compare_names(a, b));
        v.dedup();
        v
    }

    /// The archives of one exact version, `.tar.xz` first.
    pub fn archives(&self, version: &str) -> Vec<&Release> {
        let mut v: Vec<&Release> = self
            .releases
            .iter()
            .filter(|r| r.version == version)
            .collect();
        v.sort_by_key(|r| r.format != Format::Xz);
        v
    }

    pub fn is_known(&self, version: &str) -> bool {
        let base = version.strip_suffix('t').unwrap_or(version);
        self.releases.iter().any(|r| r.version == base)
            && (base == version || supports_free_threading(base))
    }

    /// The newest known version a request names: an exact version, a prefix (`3.12`), a
    /// free-threaded request (`3.13t`), or `latest`.
    pub fn best_known(&self, request: &str) -> Option<String> {
        let all = self.versions();
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

    /// The unvouched releases (see [`Catalog::unvouched`]) that a prefix (`3.12`, `3.13t`,
    /// `latest`) or specifier request would match, with where each came from.
    pub fn unvouched_for(&self, request: &str) -> Vec<&(String, String)> {
        let spec = match pyv_core::request::parse(request) {
            Ok(pyv_core::request::Request::Spec(clauses)) => Some(clauses),
            _ => None,
        };
        let base = request
            .strip_suffix('t')
            .filter(|b| PyVersion::parse(b).is_some())
            .unwrap_or(request);
        self.unvouched
            .iter()
            .filter(|(v, _)| match &spec {
                Some(c) => pyv_core::request::newest_matching(c, vec![v.as_str()]).is_some(),
                None if request == "latest" => PyVersion::parse(v).is_some_and(|p| p.is_stable()),
                None => is_prefix(base) && pyversion::best_match(base, [v.as_str()]).is_some(),
            })
            .collect()
    }

    /// Known versions close to `request`, for "did you mean" hints.
    pub fn close_to(&self, request: &str) -> Vec<String> {
        let all: Vec<String> = self.versions().into_iter().map(String::from).collect();
        pyv_core::suggest::close_to(request, &all)
    }
}

/// What [`update`] fetched and saved.
#[derive(Debug)]
pub struct Updated {
    /// The merged catalog, including what was just fetched.
    pub catalog: Catalog,
    /// The API base it came from.
    pub api: String,
    /// The cache file it was saved to.
    pub path: PathBuf,
    /// Usable source archives fetched.
    pub archives: usize,
    /// Versions the embedded catalog does not know, oldest first.
    pub new_versions: Vec<String>,
    /// Source archives left out for lack of a SHA-256.
    pub unusable: Vec<String>,
    /// Source archives left out because their URL is not a python.org source path.
    pub not_source: Vec<String>,
}

/// Fetch python.org's release data, check it against the embedded catalog and save it in
/// `cache_dir`. Nothing is written unless all of it is usable.
pub fn update(cache_dir: &Path) -> Result<Updated, CatalogError> {
    let api = python_org::api_base()?;
    let fetched = python_org::fetch(&api)?;
    let source = format!("the release data from {api}");
    // An empty list, or one of junk objects, is not python.org's answer: it would erase
    // everything fetched before.
    if fetched.releases.is_empty() {
        return Err(CatalogError::Parse {
            url: api.clone(),
            reason: format!(
                "the answer lists no usable CPython source release ({} without a SHA-256, {} \
                 not at a python.org source path); nothing was saved and the releases pyv knows \
                 stay",
                fetched.unusable.len(),
                fetched.not_source.len()
            ),
        });
    }
    let answer = dedupe(fetched.releases, &source)?;
    let path = cache::path(cache_dir);
    // Rows fetched before are kept, and their digests are pinned: an answer that names
    // another digest for a file pyv already fetched is refused, the first one stays.
    // Rows nobody pyv trusts vouched for are dropped, not carried over.
    let before = cache::read(&path)
        .ok()
        .flatten()
        .filter(|c| c.vouched)
        .map(|c| c.releases);
    let mut rows = before.clone().unwrap_or_default();
    for r in answer.iter() {
        match rows.iter().find(|k| k.path() == r.path()) {
            Some(k) if k.sha256 != r.sha256 => {
                return Err(CatalogError::Conflict {
                    file: r.path().to_string(),
                    known_from: format!("the release data fetched before (`{}`)", path.display()),
                    embedded: k.sha256.clone(),
                    fetched: r.sha256.clone(),
                    source_: source.clone(),
                })
            }
            Some(_) => {}
            None => rows.push(r.clone()),
        }
    }
    let now = SystemTime::now();
    let catalog = Catalog::with_fetched(rows.clone(), Some(now), &source)?;
    cache::write(&path, &rows, now, &api)?;
    let embedded = Catalog::embedded();
    let old: HashSet<&str> = embedded.versions().into_iter().collect();
    let new_versions = catalog
        .versions()
        .into_iter()
        .filter(|v| !old.contains(v))
        .map(String::from)
        .collect();
    Ok(Updated {
        archives: answer.len(),
        catalog,
        api,
        path,
        new_versions,
        unusable: fetched.unusable,
        not_source: fetched.not_source,
    })
}

/// One row per file: the same file listed twice with two digests is an error.
fn dedupe(rows: Vec<Release>, source: &str) -> Result<Vec<Release>, CatalogError> {
    let mut out: Vec<Release> = Vec::with_capacity(rows.len());
    for r in rows {
        match out.iter().find(|k| k.path() == r.path()) {
            Some(k) if k.sha256 != r.sha256 => {
                return Err(CatalogError::Conflict {
                    file: r.path().to_string(),
                    known_from: format!("one entry of {source}"),
                    embedded: k.sha256.clone(),
                    fetched: r.sha256,
                    source_: "another entry".into(),
                })
            }
            Some(_) => {}
            None => out.push(r),
        }
    }
    Ok(out)
}

/// Free-threaded builds (`--disable-gil`) exist from 3.13 on.
pub fn supports_free_threading(version: &str) -> bool {
    PyVersion::parse(version).is_some_and(|v| (v.major, v.minor.unwrap_or(0)) >= (3, 13))
}

/// Whether a request names a series rather than one release (`3.12`, `3.13t`, `3`, `latest`):
/// what it resolves to changes when python.org publishes a release.
pub fn is_prefix(request: &str) -> bool {
    request == "latest" || PyVersion::parse(request).is_some_and(|v| v.micro.is_none() && !v.dev)
}

/// A CPython version as the catalog names it: `3.14.10`, `3.15.0b1`; a two-part release
/// (`2.4`, as python.org named it) becomes `2.4.0`. None for anything else.
pub fn normalize_version(v: &str) -> Option<String> {
    let p = PyVersion::parse(v)?;
    if p.free_threaded || p.dev {
        return None;
    }
    Some(match (p.minor, p.micro) {
        (Some(_), Some(_)) => v.to_string(),
        (Some(_), None) => format!("{v}.0"),
        (None, _) => return None,
    })
}

/// The embedded rows.
fn embedded_rows() -> Vec<Release> {
    parse_rows(TSV)
}

/// Rows of the catalog's TSV (`version free_threaded format url sha256`); the header, `#`
/// comments and malformed rows are skipped.
fn parse_rows(text: &str) -> Vec<Release> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("version\t"))
        .filter_map(|line| {
            let mut f = line.split('\t');
            let version = f.next()?;
            let _free_threaded = f.next()?;
            let format = match f.next()? {
                "xz" => Format::Xz,
                "tgz" => Format::Tgz,
                _ => return None,
            };
            let url = f.next()?;
            let sha256 = f.next()?;
            let r = Release {
                version: version.to_string(),
                format,
                url: url.to_string(),
                sha256: sha256.to_string(),
            };
            is_valid(&r).then_some(r)
        })
        .collect()
}

/// One TSV row, as [`parse_rows`] reads it.
fn tsv_row(r: &Release) -> String {
    format!(
        "{}\tno\t{}\t{}\t{}\n",
        r.version,
        r.format.tsv(),
        r.url,
        r.sha256
    )
}

/// A row pyv may download and build: a plain version name, a python.org URL of the form
/// `<dir>/Python-<version>.<ext>` with nothing that could escape a directory, and a digest.
pub fn is_valid(r: &Release) -> bool {
    path_ok(r) && digest_ok(&r.sha256)
}

/// The row's URL is a python.org source path for its version and format.
pub fn path_ok(r: &Release) -> bool {
    let Some(path) = r.url.strip_prefix(PYTHON_ORG) else {
        return false;
    };
    let Some((dir, file)) = path.split_once('/') else {
        return false;
    };
    let dir_ok = !dir.is_empty()
        && !dir.starts_with('.')
        && dir.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
    let file_version = file
        .strip_prefix("Python-")
        .and_then(|rest| rest.strip_suffix(".tar.xz").or(rest.strip_suffix(".tgz")));
    dir_ok
        && Format::of_file(file) == Some(r.format)
        && file_version.and_then(normalize_version).as_deref() == Some(r.version.as_str())
        && normalize_version(&r.version).as_deref() == Some(r.version.as_str())
}

/// A SHA-256 as the catalog writes it: 64 lowercase hex digits.
pub fn digest_ok(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `embedded` plus the rows of `fetched` that add something. A fetched row for a file the
/// embedded catalog has is dropped if its digest agrees and an error if it does not; a fetched
/// row for a (version, format) the embedded catalog has under another URL is dropped.
fn merge(
    embedded: Vec<Release>,
    fetched: Vec<Release>,
    source: &str,
) -> Result<Vec<Release>, CatalogError> {
    let by_path: HashMap<String, String> = embedded
        .iter()
        .map(|r| (r.path().to_string(), r.sha256.clone()))
        .collect();
    let mut seen: HashSet<(String, Format)> = embedded
        .iter()
        .map(|r| (r.version.clone(), r.format))
        .collect();
    let mut out = embedded;
    for f in fetched {
        if let Some(sha) = by_path.get(f.path()) {
            if *sha != f.sha256 {
                return Err(CatalogError::Conflict {
                    file: f.path().to_string(),
                    known_from: "pyv's embedded catalog".into(),
                    embedded: sha.clone(),
                    fetched: f.sha256,
                    source_: source.to_string(),
                });
            }
            continue;
        }
        if seen.insert((f.version.clone(), f.format)) {
            out.push(f);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(version: &str, file: &str, sha: char) -> Release {
        Release {
            version: version.into(),
            format: Format::of_file(file).unwrap(),
            url: format!(
                "{PYTHON_ORG}{}/{file}",
                version
                    .split(|c: char| c.is_ascii_alphabetic())
                    .next()
                    .unwrap()
            ),
            sha256: sha.to_string().repeat(64),
        }
    }

    #[test]
    fn catalog_is_complete_and_well_formed() {
        let c = Catalog::embedded();
        assert!(c.releases.len() >= 400, "{}", c.releases.len());
        // Every embedded row passes the checks fetched rows must pass.
        assert_eq!(c.releases.len(), TSV.lines().count() - 1);
        let a = c.archives("3.11.2");
        assert_eq!(a[0].format, Format::Xz);
        assert_eq!(a[1].path(), "3.11.2/Python-3.11.2.tgz");
        assert_eq!(a[1].file(), "Python-3.11.2.tgz");
    }

    #[test]
    fn requests_resolve_like_pyenv() {
        let c = Catalog::embedded();
        assert_eq!(c.best_known("3.11.2").as_deref(), Some("3.11.2"));
        assert_eq!(c.best_known("3.9").as_deref(), Some("3.9.25"));
        assert!(c.best_known("3.13t").unwrap().ends_with('t'));
        assert_eq!(c.best_known("3.12t"), None);
        assert!(c.best_known("latest").is_some());
        assert_eq!(c.best_known("4.0"), None);
        assert!(c.is_known("3.13.5t"));
        assert!(!c.is_known("3.12.1t"));
    }

    #[test]
    fn fetched_rows_add_releases_and_never_replace_embedded_ones() {
        let embedded = Catalog::embedded();
        let known = embedded.archives("3.11.2")[1].clone();
        let new = row("3.99.2", "Python-3.99.2.tar.xz", 'a');
        // Same (version, format) as an embedded row, another URL: the embedded one wins.
        let mut moved = known.clone();
        moved.url = format!("{PYTHON_ORG}3.11.2/x/Python-3.11.2.tgz");
        moved.sha256 = "b".repeat(64);
        let c = Catalog::with_fetched(vec![new.clone(), known.clone(), moved], None, "t").unwrap();
        assert_eq!(c.releases.len(), embedded.releases.len() + 1);
        assert_eq!(c.archives("3.11.2")[1], &known);
        assert_eq!(c.best_known("3.99").as_deref(), Some("3.99.2"));
        assert_eq!(c.best_known("3.99t").as_deref(), Some("3.99.2t"));
        assert_eq!(c.archives("3.99.2"), [&new]);
    }

    /// Cached rows from an API pyv no longer trusts (an older pyv read it from the mirror's
    /// host) are not releases: only named for the requests they would have matched.
    #[test]
    fn unvouched_cached_rows_are_never_releases() {
        let dir = tempfile::tempdir().unwrap();
        let row = Release {
            version: "3.12.99".into(),
            format: Format::Tgz,
            url: format!("{PYTHON_ORG}3.12.99/Python-3.12.99.tgz"),
            sha256: "a".repeat(64),
        };
        let path = cache::path(dir.path());
        cache::write(
            &path,
            &[row],
            SystemTime::now(),
            "http://mirror/api/v2/downloads/",
        )
        .unwrap();
        assert!(Catalog::load(dir.path()).unwrap().is_known("3.12.99"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(" vouched=yes", "")).unwrap();
        let c = Catalog::load(dir.path()).unwrap();
        assert!(!c.is_known("3.12.99"));
        assert_ne!(c.best_known("3.12").as_deref(), Some("3.12.99"));
        assert!(
            c.is_stale(SystemTime::now()),
            "refreshed from python.org at the next prefix"
        );
        let from = |r: &str| -> Vec<String> {
            c.unvouched_for(r).iter().map(|(v, _)| v.clone()).collect()
        };
        assert_eq!(from("3.12"), ["3.12.99"]);
        assert_eq!(from("3"), ["3.12.99"]);
        assert_eq!(from("latest"), ["3.12.99"]);
        assert_eq!(from(">=3.12"), ["3.12.99"]);
        assert!(from("3.12.99").is_empty(), "an exact request is no prefix");
        assert!(from("3.11").is_empty());
        assert_eq!(c.unvouched[0].1, "http://mirror/api/v2/downloads/");
    }

    #[test]
    fn a_conflicting_digest_is_an_error_naming_both() {
        let mut known = Catalog::embedded().archives("3.11.2")[0].clone();
        let embedded = known.sha256.clone();
        known.sha256 = "c".repeat(64);
        let e = Catalog::with_fetched(vec![known], None, "http://x/api").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("`3.11.2/Python-3.11.2.tar.xz`"), "{msg}");
        assert!(
            msg.contains(&embedded) && msg.contains(&"c".repeat(64)),
            "{msg}"
        );
        assert!(msg.contains("http://x/api"), "{msg}");
    }

    #[test]
    fn rows_that_could_escape_or_lack_a_digest_are_invalid() {
        assert!(is_valid(&row("3.99.2", "Python-3.99.2.tgz", 'a')));
        assert!(is_valid(&row("3.15.0b1", "Python-3.15.0b1.tgz", 'a')));
        let mut r = row("3.99.2", "Python-3.99.2.tgz", 'a');
        r.sha256 = String::new();
        assert!(!is_valid(&r));
        r.sha256 = "A".repeat(64);
        assert!(!is_valid(&r));
        let mut r = row("3.99.2", "Python-3.99.2.tgz", 'a');
        r.url = format!("{PYTHON_ORG}../Python-3.99.2.tgz");
        assert!(!is_valid(&r));
        r.url = format!("{PYTHON_ORG}3.99.2/../../Python-3.99.2.tgz");
        assert!(!is_valid(&r));
        r.url = format!("{PYTHON_ORG}3.99.2/Python-3.99.3.tgz");
        assert!(!is_valid(&r));
        r.url = "https://evil.example/3.99.2/Python-3.99.2.tgz".into();
        assert!(!is_valid(&r));
        let mut r = row("3.99.2", "Python-3.99.2.tgz", 'a');
        r.version = "3.99.2/..".into();
        assert!(!is_valid(&r));
    }

    #[test]
    fn versions_and_prefixes() {
        assert_eq!(normalize_version("2.4").as_deref(), Some("2.4.0"));
        assert_eq!(normalize_version("3.15.0b1").as_deref(), Some("3.15.0b1"));
        assert_eq!(normalize_version("3.13.1t"), None);
        assert_eq!(normalize_version("3"), None);
        assert!(is_prefix("3.14") && is_prefix("3.14t") && is_prefix("latest"));
        assert!(!is_prefix("3.14.10") && !is_prefix("3.14.1t") && !is_prefix("myenv"));
    }

    #[test]
    fn staleness() {
        let now = SystemTime::now();
        let mut c = Catalog::embedded();
        assert!(c.is_stale(now), "never fetched is stale");
        c.fetched_at = Some(now - Duration::from_secs(3600));
        assert!(!c.is_stale(now));
        c.fetched_at = Some(now - MAX_AGE - Duration::from_secs(1));
        assert!(c.is_stale(now));
    }
}
