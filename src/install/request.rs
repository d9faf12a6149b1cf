//! What `pyv install <request>` means: which version gets built, under which name, from which
//! archive and with which acceptable SHA-256. Resolution is pyenv's (exact, prefix, `3.13t`,
//! `latest`), but a version the catalog does not know is only accepted with a user-supplied
//! digest or a local archive, so pyv never builds bytes nobody vouched for.

use std::path::{Path, PathBuf};

use pyv_core::pyversion::PyVersion;
use pyv_core::Origin;

use super::{InstallError, Result};
use crate::catalog::{Catalog, Format};

/// One archive that may be downloaded: its file name, its path below a mirror base (python.org
/// layout) and the digest it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub file: String,
    pub path: String,
    pub sha256: String,
}

/// Where the source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Downloaded (or taken from the cache): the candidates in order of preference.
    Remote(Vec<Candidate>),
    /// A local archive given on the command line; `sha256` is checked when known.
    Local {
        path: PathBuf,
        sha256: Option<String>,
    },
}

/// A fully resolved install request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The directory name under `versions/` (`3.13.5t`, `3.11.2-debug`).
    pub name: String,
    /// The CPython release whose source is built (`3.13.5`).
    pub version: String,
    /// Built with `--disable-gil`.
    pub free_threaded: bool,
    /// Built with `--with-pydebug`.
    pub debug: bool,
    pub source: Source,
}

/// Whether a command-line argument names a local archive rather than a version.
pub fn is_local_archive(raw: &str) -> bool {
    raw.contains('/') || archive_version(raw).is_some()
}

/// pyenv 2.8's `VERSION:ALIAS`: install VERSION under `versions/ALIAS`. The text after the last
/// `:` is the alias, except `latest` (pyenv keeps `3.12:latest` for its own resolution). The
/// alias passes the one name validator (`pyv_core::name`) and may not hold a `/`: it names one
/// directory of `versions/`, never an env's `<version>/envs/<name>` path.
pub fn split_alias(raw: &str) -> Result<(&str, Option<&str>)> {
    let Some((version, alias)) = raw.rsplit_once(':') else {
        return Ok((raw, None));
    };
    if alias == "latest" {
        return Ok((raw, None));
    }
    let reason = if version.is_empty() {
        Some("nothing comes before the `:`")
    } else if alias.contains('/') {
        Some("it contains `/`")
    } else if alias == "system" {
        Some("`system` means the Python outside pyv")
    } else {
        pyv_core::name::problem(alias)
    };
    match reason {
        None => Ok((version, Some(alias))),
        Some(reason) => Err(InstallError::Usage {
            message: format!(
                "invalid alias `{}` in `{}` (given on the command line): {reason}",
                alias.escape_debug(),
                raw.escape_debug()
            ),
            hint: "an alias is one plain name: `pyv install 3.12.8:3.12-lto`".into(),
        }),
    }
}

/// What a file that is not a regular file is, for messages: "a FIFO", "a directory", ...
pub fn file_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// `Python-3.14.2.tar.xz` → `3.14.2`.
fn archive_version(file: &str) -> Option<&str> {
    let rest = file.strip_prefix("Python-")?;
    [".tar.xz", ".tgz", ".tar.gz"]
        .iter()
        .find_map(|ext| rest.strip_suffix(ext))
        .filter(|v| PyVersion::parse(v).is_some())
}

/// Check and normalise a `--sha256` value.
pub fn parse_sha256(raw: &str) -> Result<String> {
    let hex = raw.trim().to_ascii_lowercase();
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(InstallError::Usage {
            message: format!(
                "invalid `--sha256` value `{}` (given on the command line): expected 64 hex digits",
                raw.escape_debug()
            ),
            hint: "copy the SHA-256 from python.org's release page, e.g. `sha256sum Python-X.Y.Z.tar.xz`"
                .into(),
        })
    }
}

/// Resolve a request (already validated by `name::validate`) chosen by `origin`.
pub fn plan(
    catalog: &Catalog,
    request: &str,
    origin: &Origin,
    sha256: Option<&str>,
    debug: bool,
) -> Result<Plan> {
    let (version, free_threaded, source) = if let Some(v) = catalog.best_known(request) {
        let free_threaded = v.ends_with('t');
        let base = v.trim_end_matches('t').to_string();
        let mut cands: Vec<Candidate> = catalog
            .archives(&base)
            .into_iter()
            .map(|r| Candidate {
                file: r.file().to_string(),
                path: r.path().to_string(),
                sha256: r.sha256.to_string(),
            })
            .collect();
        if let Some(want) = sha256 {
            cands.retain(|c| c.sha256 == want);
            if cands.is_empty() {
                return Err(InstallError::Usage {
                    message: format!(
                        "`--sha256 {want}` matches no archive of CPython {base} in pyv's catalog"
                    ),
                    hint: format!(
                        "leave out `--sha256` for a known version: pyv already knows {base}'s digests"
                    ),
                });
            }
        }
        (base, free_threaded, Source::Remote(cands))
    } else if let Some(want) = sha256 {
        let (base, free_threaded) = match request.strip_suffix('t') {
            Some(b) if PyVersion::parse(b).is_some() => (b.to_string(), true),
            _ => (request.to_string(), false),
        };
        let exact = PyVersion::parse(&base).is_some_and(|v| v.micro.is_some() && !v.dev);
        if !exact {
            return Err(InstallError::Usage {
                message: format!(
                    "`{request}` {origin} is not an exact version; `--sha256` needs one like `3.14.2`"
                ),
                hint: "name the exact release the checksum belongs to".into(),
            });
        }
        let cands = [("tar.xz", Format::Xz), ("tgz", Format::Tgz)]
            .into_iter()
            .map(|(ext, _)| {
                let file = format!("Python-{base}.{ext}");
                Candidate {
                    path: format!("{base}/{file}"),
                    file,
                    sha256: want.to_string(),
                }
            })
            .collect();
        (base, free_threaded, Source::Remote(cands))
    } else {
        return Err(InstallError::Unknown {
            request: request.to_string(),
            origin: origin.clone(),
            close: catalog.close_to(request.trim_end_matches('t')),
        });
    };
    Ok(finish(version, free_threaded, debug, source))
}

/// Plan an install from a local archive file: the version comes from its name.
pub fn plan_local(
    catalog: &Catalog,
    path: &Path,
    sha256: Option<&str>,
    debug: bool,
) -> Result<Plan> {
    let bad = |reason: &str| InstallError::Archive {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    // `stat`, never `open`: opening a FIFO blocks until something writes to it.
    if let Ok(m) = std::fs::metadata(path) {
        if !m.is_file() {
            return Err(InstallError::NotAFile {
                path: path.to_path_buf(),
                kind: file_kind(&m.file_type()),
            });
        }
    }
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(|| bad("it has no file name"))?;
    let version = archive_version(file)
        .ok_or_else(|| bad("its name does not say which version it is"))?
        .to_string();
    if !path.is_file() {
        return Err(bad("no such file"));
    }
    let known = catalog.archives(&version);
    let sha256 = match sha256 {
        Some(s) => Some(s.to_string()),
        // A known release must hash to the catalog's digest for its format.
        None if catalog.is_known(&version) => {
            let format = if file.ends_with(".tar.xz") {
                Format::Xz
            } else {
                Format::Tgz
            };
            known
                .iter()
                .find(|r| r.format == format)
                .map(|r| r.sha256.to_string())
        }
        None => None,
    };
    let source = Source::Local {
        path: path.to_path_buf(),
        sha256,
    };
    Ok(finish(version, false, debug, source))
}

fn finish(version: String, free_threaded: bool, debug: bool, source: Source) -> Plan {
    let mut name = version.clone();
    if free_threaded {
        name.push('t');
    }
    if debug {
        name.push_str("-debug"); // pyenv's name for `-g` builds
    }
    Plan {
        name,
        version,
        free_threaded,
        debug,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_versions_prefer_xz() {
        let p = plan(
            &Catalog::embedded(),
            "3.11.2",
            &Origin::Argument,
            None,
            false,
        )
        .unwrap();
        assert_eq!(p.name, "3.11.2");
        let Source::Remote(c) = &p.source else {
            panic!()
        };
        assert_eq!(c[0].file, "Python-3.11.2.tar.xz");
        assert_eq!(c[1].path, "3.11.2/Python-3.11.2.tgz");
    }

    #[test]
    fn free_threaded_and_debug_names() {
        let p = plan(
            &Catalog::embedded(),
            "3.13.5t",
            &Origin::Argument,
            None,
            true,
        )
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("3.13.5t-debug", "3.13.5")
        );
        assert!(p.free_threaded && p.debug);
    }

    #[test]
    fn unknown_needs_a_digest() {
        assert!(matches!(
            plan(
                &Catalog::embedded(),
                "3.99.1",
                &Origin::Argument,
                None,
                false
            ),
            Err(InstallError::Unknown { .. })
        ));
        let sha = "a".repeat(64);
        let p = plan(
            &Catalog::embedded(),
            "3.99.1",
            &Origin::Argument,
            Some(&sha),
            false,
        )
        .unwrap();
        let Source::Remote(c) = &p.source else {
            panic!()
        };
        assert_eq!(c[1].path, "3.99.1/Python-3.99.1.tgz");
        assert!(matches!(
            plan(
                &Catalog::embedded(),
                "3.99",
                &Origin::Argument,
                Some(&sha),
                false
            ),
            Err(InstallError::Usage { .. })
        ));
        assert!(matches!(
            plan(
                &Catalog::embedded(),
                "3.11.2",
                &Origin::Argument,
                Some(&sha),
                false
            ),
            Err(InstallError::Usage { .. })
        ));
    }

    #[test]
    fn fetched_releases_plan_like_embedded_ones() {
        let sha = "a".repeat(64);
        let fetched = crate::catalog::Release {
            version: "3.99.2".into(),
            format: Format::Tgz,
            url: format!("{}3.99.2/Python-3.99.2.tgz", crate::catalog::PYTHON_ORG),
            sha256: sha.clone(),
        };
        let c = Catalog::with_fetched(vec![fetched], None, "test").unwrap();
        let p = plan(&c, "3.99", &Origin::Argument, None, false).unwrap();
        assert_eq!(p.name, "3.99.2");
        let Source::Remote(cands) = &p.source else {
            panic!()
        };
        assert_eq!(cands.len(), 1);
        assert_eq!(
            (cands[0].path.as_str(), cands[0].sha256.as_str()),
            ("3.99.2/Python-3.99.2.tgz", sha.as_str())
        );
        assert!(matches!(
            plan(&Catalog::embedded(), "3.99", &Origin::Argument, None, false),
            Err(InstallError::Unknown { .. })
        ));
    }

    #[test]
    fn archive_names() {
        assert_eq!(archive_version("Python-3.14.2.tar.xz"), Some("3.14.2"));
        assert_eq!(archive_version("Python-3.9.2.tgz"), Some("3.9.2"));
        assert_eq!(archive_version("python-3.9.2.zip"), None);
        assert!(is_local_archive("./x.tgz"));
        assert!(!is_local_archive("3.12"));
        assert!(parse_sha256("xyz").is_err());
    }

    #[test]
    fn aliases() {
        assert_eq!(split_alias("3.12.8").unwrap(), ("3.12.8", None));
        assert_eq!(split_alias("3.12.8:lto").unwrap(), ("3.12.8", Some("lto")));
        assert_eq!(split_alias("3.12:latest").unwrap(), ("3.12:latest", None));
        assert_eq!(
            split_alias("./Python-3.14.2.tar.xz:mine").unwrap(),
            ("./Python-3.14.2.tar.xz", Some("mine"))
        );
        for bad in [
            "3.12.8:",
            "3.12.8:..",
            "3.12.8:a/envs/b",
            "3.12.8:-x",
            ":x",
            "3.12:system",
        ] {
            assert!(split_alias(bad).is_err(), "{bad}");
        }
    }
}
