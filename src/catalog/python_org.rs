//! python.org's release API, read into catalog rows. Two documents: `<api>/release/` (one object
//! per release: `name` "Python 3.14.10", `is_published`, `pre_release`, `resource_uri`) and
//! `<api>/release_file/` (one object per file: `release` = the release's `resource_uri`, `url`,
//! `sha256_sum`, `os`, ...). Only the source tarballs of published releases are kept —
//! `Python-<version>.tar.xz` / `.tgz` below `/ftp/python/` — and of those only the ones with a
//! SHA-256: pyv never builds bytes nobody vouched for, so a file without one is reported as
//! unusable instead (its release still installs with `--sha256`).
//!
//! Where the API is: `PYV_PYTHON_ORG_API` if set, else python.org's. Never the host of
//! `PYV_PYTHON_ORG`: the digests of releases pyv does not know come from python.org or from an
//! API the user named, not from the host that serves the bytes they vouch for (a mirror could
//! otherwise list a release of its own and get its `configure` run).

use pyv_core::env_vars::EnvVars;
use std::collections::HashMap;
use std::time::Instant;

use crate::http::{Kind, Limits};

use serde_json::Value;

use super::{digest_ok, normalize_version, path_ok, CatalogError, Format, Release, PYTHON_ORG};

/// python.org's API base.
pub const API: &str = "https://www.python.org/api/v2/downloads/";

/// A larger answer is not python.org's release list (the real one is a few MiB).
const MAX_BYTES: u64 = 64 << 20;

/// What the API lists, as catalog rows.
#[derive(Debug, Default)]
pub struct Fetched {
    pub releases: Vec<Release>,
    /// Source archives of published releases that cannot be used: no (valid) SHA-256.
    pub unusable: Vec<String>,
    /// Source archives listed at a URL that is not a python.org source path
    /// (`<version dir>/Python-<version>.<ext>` below `/ftp/python/`).
    pub not_source: Vec<String>,
}

/// The API base URL (ending in `/`) from the environment.
pub fn api_base() -> Result<String, CatalogError> {
    let api = std::env::var(EnvVars::PYV_PYTHON_ORG_API)
        .ok()
        .filter(|v| !v.is_empty());
    derive_base(api.as_deref())
}

fn derive_base(api: Option<&str>) -> Result<String, CatalogError> {
    let Some(a) = api else {
        return Ok(API.to_string());
    };
    if origin(a).is_none() {
        return Err(CatalogError::Base {
            var: EnvVars::PYV_PYTHON_ORG_API,
            value: a.to_string(),
            reason: "the release API is fetched over http or https".into(),
        });
    }
    Ok(format!("{}/", a.trim_end_matches('/')))
}

/// `https://host:port` of an http(s) URL.
fn origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let host = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (host > 0).then(|| &url[..url.len() - rest.len() + host])
}

/// Fetch and read both documents below `api`.
pub fn fetch(api: &str) -> Result<Fetched, CatalogError> {
    let limits = Limits::from_env(Kind::Document);
    let client = crate::http::client(&limits).map_err(|e| CatalogError::Fetch {
        url: api.to_string(),
        reason: e,
    })?;
    let releases_url = format!("{api}release/");
    let files_url = format!("{api}release_file/");
    let parse_error = |url: &str| {
        let url = url.to_string();
        move |reason| CatalogError::Parse { url, reason }
    };
    let releases = parse_releases(&get(&client, &limits, &releases_url)?)
        .map_err(parse_error(&releases_url))?;
    parse_files(&get(&client, &limits, &files_url)?, &releases).map_err(parse_error(&files_url))
}

/// One document, within `limits` and [`MAX_BYTES`]. A 429 (python.org allows a limited number
/// of anonymous API requests a day) is waited out once when it says for how long (at most
/// [`crate::http::MAX_RETRY_AFTER`]), then reported.
fn get(
    client: &reqwest::blocking::Client,
    limits: &Limits,
    url: &str,
) -> Result<Vec<u8>, CatalogError> {
    let fail = |reason: String| CatalogError::Fetch {
        url: url.to_string(),
        reason,
    };
    let say = |m: &str| crate::ui::err(&format!("pyv: {m}"));
    let mut waited = false;
    let resp = loop {
        let started = Instant::now();
        let req = client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        let resp = crate::http::send(req, url, limits, &say)
            .map_err(|e| fail(crate::http::describe(&e)))?;
        if resp.status().as_u16() != 429 {
            break (resp, started);
        }
        let wait = crate::http::retry_after(&resp);
        match wait {
            Some(w) if !waited && w <= crate::http::MAX_RETRY_AFTER => {
                say(&format!(
                    "the server answered 429 Too Many Requests; waiting {} as it asks, then \
                     asking once more",
                    crate::ui::human_duration(w)
                ));
                std::thread::sleep(w);
                waited = true;
            }
            _ => {
                return Err(fail(format!(
                    "HTTP 429 Too Many Requests{}: python.org allows a limited number of \
                     anonymous API requests a day{}",
                    if waited { " again after waiting" } else { "" },
                    match wait {
                        Some(w) => format!("; it asks to wait {}", crate::ui::human_duration(w)),
                        None => String::new(),
                    }
                )))
            }
        }
    };
    let (resp, started) = resp;
    if !resp.status().is_success() {
        return Err(fail(format!("HTTP {}", resp.status())));
    }
    crate::http::read_small(resp, *limits, started, MAX_BYTES).map_err(|reason| {
        if reason.starts_with("the answer is larger") {
            CatalogError::Parse {
                url: url.to_string(),
                reason: format!("the answer is larger than {} MiB", MAX_BYTES >> 20),
            }
        } else {
            fail(reason)
        }
    })
}

/// The list in a document: a JSON array, or tastypie's `{"objects": [...]}`.
fn objects(bytes: &[u8]) -> Result<Vec<Value>, String> {
    match serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))? {
        Value::Array(a) => Ok(a),
        Value::Object(mut o) => match o.remove("objects") {
            Some(Value::Array(a)) => Ok(a),
            _ => Err("expected a JSON list of releases".into()),
        },
        _ => Err("expected a JSON list of releases".into()),
    }
}

/// The last path segment of a `resource_uri` (`.../release/850/` → `850`): the release's id,
/// whatever host the API wrote into its links.
fn release_id(uri: &str) -> Option<&str> {
    uri.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// Release id → version, for every published CPython release.
pub fn parse_releases(bytes: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for r in objects(bytes)? {
        if r.get("is_published").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let version = r
            .get("name")
            .and_then(Value::as_str)
            .and_then(|n| n.strip_prefix("Python "))
            .and_then(normalize_version);
        let id = r
            .get("resource_uri")
            .and_then(Value::as_str)
            .and_then(release_id);
        if let (Some(version), Some(id)) = (version, id) {
            out.insert(id.to_string(), version);
        }
    }
    Ok(out)
}

/// The usable source archives among the files of `releases`.
pub fn parse_files(bytes: &[u8], releases: &HashMap<String, String>) -> Result<Fetched, String> {
    let mut out = Fetched::default();
    for f in objects(bytes)? {
        let str_of = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default();
        let Some(version) = release_id(str_of("release")).and_then(|id| releases.get(id)) else {
            continue;
        };
        let url = str_of("url");
        let file = url.rsplit('/').next().unwrap_or_default();
        let Some(format) = Format::of_file(file).filter(|_| file.starts_with("Python-")) else {
            continue; // not a source tarball: installers, docs, signatures, .tar.bz2
        };
        let Some((_, path)) = url.split_once("/ftp/python/") else {
            out.not_source.push(url.to_string());
            continue;
        };
        let row = Release {
            version: version.clone(),
            format,
            url: format!("{PYTHON_ORG}{path}"),
            sha256: str_of("sha256_sum").trim().to_ascii_lowercase(),
        };
        if !path_ok(&row) {
            out.not_source.push(path.to_string());
        } else if !digest_ok(&row.sha256) {
            out.unusable.push(path.to_string());
        } else {
            out.releases.push(row);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELEASES: &str = r#"[
      {"name": "Python 3.99.2", "slug": "python-3992", "version": 3, "is_published": true,
       "is_latest": true, "pre_release": false,
       "resource_uri": "https://www.python.org/api/v2/downloads/release/901/"},
      {"name": "Python 3.100.0a1", "slug": "python-31000a1", "is_published": true,
       "pre_release": true, "resource_uri": "https://www.python.org/api/v2/downloads/release/902/"},
      {"name": "Python 3.99.3", "is_published": false, "pre_release": false,
       "resource_uri": "https://www.python.org/api/v2/downloads/release/903/"},
      {"name": "Python 2.4", "is_published": true, "pre_release": false,
       "resource_uri": "https://www.python.org/api/v2/downloads/release/5/"},
      {"name": "Python Install Manager 25.0", "is_published": true,
       "resource_uri": "https://www.python.org/api/v2/downloads/release/904/"}
    ]"#;

    fn file(release: u32, url: &str, sha: &str) -> String {
        format!(
            r#"{{"name": "x", "os": "https://www.python.org/api/v2/downloads/os/3/",
               "release": "https://www.python.org/api/v2/downloads/release/{release}/",
               "url": "{url}", "sha256_sum": "{sha}", "md5_sum": "", "filesize": 1}}"#
        )
    }

    #[test]
    fn keeps_published_releases_by_id() {
        let r = parse_releases(RELEASES.as_bytes()).unwrap();
        assert_eq!(r.get("901").map(String::as_str), Some("3.99.2"));
        assert_eq!(r.get("902").map(String::as_str), Some("3.100.0a1"));
        assert_eq!(r.get("5").map(String::as_str), Some("2.4.0"));
        assert!(!r.contains_key("903"), "unpublished");
        assert!(!r.contains_key("904"), "not CPython");
        let wrapped = format!(r#"{{"meta": {{}}, "objects": {RELEASES}}}"#);
        assert_eq!(parse_releases(wrapped.as_bytes()).unwrap(), r);
        assert!(parse_releases(b"<html>").unwrap_err().contains("not JSON"));
        assert!(parse_releases(b"{}").is_err());
    }

    #[test]
    fn keeps_source_tarballs_with_a_digest() {
        let r = parse_releases(RELEASES.as_bytes()).unwrap();
        let ftp = "https://www.python.org/ftp/python";
        let a = "A".repeat(64);
        let files = format!(
            "[{}]",
            [
                file(901, &format!("{ftp}/3.99.2/Python-3.99.2.tar.xz"), &a),
                file(901, &format!("{ftp}/3.99.2/Python-3.99.2.tgz"), ""),
                file(901, &format!("{ftp}/3.99.2/python-3.99.2-amd64.exe"), &a),
                file(901, &format!("{ftp}/3.99.2/Python-3.99.2.tar.xz.asc"), &a),
                file(
                    902,
                    &format!("{ftp}/3.100.0/Python-3.100.0a1.tgz"),
                    &"b".repeat(64)
                ),
                file(903, &format!("{ftp}/3.99.3/Python-3.99.3.tgz"), &a),
                file(5, &format!("{ftp}/2.4/Python-2.4.tgz"), &a),
                // A mirror that rewrote the host: the path below /ftp/python/ is what counts.
                file(
                    901,
                    "http://127.0.0.1:1/ftp/python/3.99.2/x/../Python-3.99.2.tgz",
                    &a
                ),
            ]
            .join(",")
        );
        let got = parse_files(files.as_bytes(), &r).unwrap();
        let rows: Vec<(&str, &str, &str)> = got
            .releases
            .iter()
            .map(|r| (r.version.as_str(), r.path(), &r.sha256[..1]))
            .collect();
        assert_eq!(
            rows,
            [
                ("3.99.2", "3.99.2/Python-3.99.2.tar.xz", "a"),
                ("3.100.0a1", "3.100.0/Python-3.100.0a1.tgz", "b"),
                ("2.4.0", "2.4/Python-2.4.tgz", "a"),
            ]
        );
        assert_eq!(got.unusable, ["3.99.2/Python-3.99.2.tgz"]);
        assert_eq!(got.not_source, ["3.99.2/x/../Python-3.99.2.tgz"]);
    }

    #[test]
    fn the_api_is_python_orgs_unless_named() {
        assert_eq!(derive_base(None).unwrap(), API);
        assert_eq!(
            derive_base(Some("https://m.example/py/api")).unwrap(),
            "https://m.example/py/api/"
        );
        let e = derive_base(Some("ftp://x")).unwrap_err();
        assert!(e.to_string().contains("PYV_PYTHON_ORG_API value `ftp://x`"));
        assert_eq!(e.exit_code(), 2);
        assert!(derive_base(Some("https:///x")).is_err());
    }
}
