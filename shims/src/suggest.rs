//! "Did you mean" for names that are not installed: the installed (or known) versions close
//! to a name, and whether a missing name reads as a virtualenv's or a version's, so the hint
//! offers the right command. String work over lists the caller already has; no I/O.

use crate::pyversion::PyVersion;
use crate::request::{self, Request};
use crate::typo::edit_distance;

/// Names close to `name`, for "did you mean" hints: the nearest typos (edit distance at most
/// 2 over the version strings, `3.11.22` -> `3.11.2`) first, then the same minor series, else
/// the newest. Used for installed versions and for the catalog alike.
pub fn close_to(name: &str, installed: &[String]) -> Vec<String> {
    // `pyhton3.12`, `3,13`, `3.1e`: the hint is about the version they meant, whose series is
    // known (no further typo guessing: `3.12` is one edit from `3.1.2`, not meant).
    match crate::typo::repair(name) {
        Some(meant) => nearby(&meant, installed, false),
        None => nearby(name, installed, true),
    }
}

fn nearby(name: &str, installed: &[String], with_typos: bool) -> Vec<String> {
    let series = PyVersion::parse(name).map(|v| (v.major, v.minor));
    let mut close: Vec<String> = installed
        .iter()
        .filter(|n| series.is_some() && PyVersion::parse(n).map(|v| (v.major, v.minor)) == series)
        .cloned()
        .collect();
    if close.is_empty() {
        close = installed.to_vec();
    }
    let skip = close.len().saturating_sub(5);
    let close = close.split_off(skip);
    let mut out = if with_typos {
        typos(name, installed)
    } else {
        Vec::new()
    };
    for c in close {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The candidates at the smallest edit distance (1 or 2) from `name`, in their order; at most
/// the last (newest) three.
fn typos(name: &str, candidates: &[String]) -> Vec<String> {
    let mut best = 3;
    let mut out: Vec<String> = Vec::new();
    for c in candidates {
        let d = edit_distance(name, c);
        if d == 0 || d > best {
            continue;
        }
        if d < best {
            best = d;
            out.clear();
        }
        out.push(c.clone());
    }
    out.split_off(out.len().saturating_sub(3))
}

/// Whether a name that is not installed reads as a virtualenv's (`web`, `3.11.9/envs/web`)
/// rather than a Python version's (`3.12.1`, `pypy3.10-7.3.12`, `miniforge3-24.1`), for hints.
pub fn looks_like_env(name: &str) -> bool {
    if crate::typo::repair(name).is_some() {
        return false; // a mistyped version (`pyhton3.12`), not an environment's name
    }
    const FLAVOURS: &[&str] = &[
        "activepython",
        "anaconda",
        "cinder",
        "graalpy",
        "graalpython",
        "ironpython",
        "jython",
        "mambaforge",
        "micropython",
        "miniconda",
        "miniforge",
        "nogil",
        "pypy",
        "pyston",
        "stackless",
        "latest",
        "system",
    ];
    if name.contains("/envs/") {
        return true;
    }
    // Another tool's spelling of a version (`python3.12`, `cpython@3.12`, `>=3.11`).
    match request::parse(name) {
        Ok(Request::Name(n)) if n == name => {}
        _ => return false,
    }
    let lower = name.to_ascii_lowercase();
    !name.starts_with(|c: char| c.is_ascii_digit())
        && !FLAVOURS.iter().any(|f| lower.starts_with(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_suggested_besides_the_series() {
        let installed: Vec<String> = (2..=8).map(|m| format!("3.11.{m}")).collect();
        let close = close_to("3.11.22", &installed);
        assert_eq!(close[0], "3.11.2", "{close:?}");
        assert!(close.contains(&"3.11.8".to_string()), "{close:?}");
        assert_eq!(close_to("3.12.11", &["3.12.1".into()]), ["3.12.1"]);
        assert!(typos("3.11.22", &["2.7.18".into()]).is_empty());
    }

    #[test]
    fn env_like_names() {
        for env in ["web", "3.11.9/envs/web", "my-env"] {
            assert!(looks_like_env(env), "{env}");
        }
        for v in [
            "3.12.1",
            "3.13t",
            "pypy3.10-7.3.12",
            "miniforge3-24.1",
            "system",
        ] {
            assert!(!looks_like_env(v), "{v}");
        }
    }
}
