//! When every source answered 404 for a release (a mirror that lags python.org): read the
//! mirror's directory index, python.org-shaped (`<base>/` lists `X.Y.Z/` directories), and say
//! which releases of that `X.Y` it has instead, with the command that installs the newest.
//!
//! Only a hint: any failure (no answer, not HTML, too big) means no hint, never another error.
//! The index is read with the small-document limits and at most [`MAX_BYTES`]; only `href`s
//! whose last segment is a plain `X.Y.Z` count, so nothing else from the page is ever shown.

use std::time::Instant;

use pyv_core::pyversion::{compare_names, PyVersion};

use crate::http::{Kind, Limits};

/// A python.org-sized index (`/ftp/python/` is ~60 KiB) with room to spare.
const MAX_BYTES: u64 = 1024 * 1024;

/// The `X.Y.Z` directories an HTML index links to, oldest first, each once.
pub fn versions_in_index(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("href=") {
        rest = &rest[at + 5..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        rest = &rest[1..];
        let Some(end) = rest.find(quote) else {
            break;
        };
        let target = &rest[..end];
        rest = &rest[end..];
        // `3.13.2/`, `./3.13.2/` or `/ftp/python/3.13.2/`: a directory, named X.Y.Z.
        let Some(dir) = target.strip_suffix('/') else {
            continue;
        };
        let name = dir.rsplit('/').next().unwrap_or(dir);
        let parts: Vec<&str> = name.split('.').collect();
        let plain = parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
        if plain && !out.iter().any(|v| v == name) {
            out.push(name.to_string());
        }
    }
    out.sort_by(|a, b| compare_names(a, b));
    out
}

/// The releases of `version`'s `X.Y` that the index at `base` lists, oldest first (`version`
/// itself left out: it is the one that was not there). `None` when the index cannot be read.
pub fn same_minor(base: &str, version: &str) -> Option<Vec<String>> {
    let want = PyVersion::parse(version)?;
    let html = fetch_index(base)?;
    let listed = versions_in_index(&html)
        .into_iter()
        .filter(|v| v != version.trim_end_matches('t'))
        .filter(|v| {
            PyVersion::parse(v).is_some_and(|p| p.major == want.major && p.minor == want.minor)
        })
        .collect();
    Some(listed)
}

fn fetch_index(base: &str) -> Option<String> {
    let limits = Limits::from_env(Kind::Document);
    let client = crate::http::client(&limits).ok()?;
    let url = format!("{}/", base.trim_end_matches('/'));
    let started = Instant::now();
    let resp = crate::http::send(client.get(&url), &url, &limits, &|_| {}).ok()?;
    if !resp.status().is_success() {
        return None;
    }
    if resp.content_length().is_some_and(|n| n > MAX_BYTES) {
        return None;
    }
    let body = crate::http::read_small(resp, limits, started, MAX_BYTES).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_version_directories_count() {
        let html = r#"<html><body><pre>
<a href="../">../</a>
<a href="3.13.2/">3.13.2/</a>   01-Feb-2025
<a href='3.13.1/'>3.13.1/</a>
<a href="/ftp/python/3.12.9/">3.12.9/</a>
<a href="3.13.1/">again</a>
<a href="3.14.0a1/">pre</a>
<a href="3.13.3">not a dir</a>
<a href="3.13/">short</a>
<a href="x/3.1.2.3/">four</a>
<a href="evil/3.13.4/">3.13.4 elsewhere, still a plain name</a>
<a href=unquoted/>
<a href="3.13.10/">3.13.10/</a>
"#;
        assert_eq!(
            versions_in_index(html),
            ["3.12.9", "3.13.1", "3.13.2", "3.13.4", "3.13.10"]
        );
        assert!(versions_in_index("no links, href=\"unterminated").is_empty());
    }
}
