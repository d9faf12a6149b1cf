//! Names typed by hand that are almost a version: `pyhton3.12` (a misspelt `python` before it),
//! `3,13` (a comma for the dot), `3.1e` (the letter under the `3` key), and `3.13.05` (a
//! leading zero). Used only for hints and for writing the canonical spelling; selection itself
//! never guesses.

use crate::pyversion::PyVersion;

/// The QWERTY letters right under the digit keys `1`..`0`.
const UNDER_DIGITS: &str = "qwertyuiop";

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The version `name` was probably meant to be, if it is not one itself but a small repair
/// (dropping a misspelt `python`, `,` for `.`, a letter for the digit above it) makes one.
pub fn repair(name: &str) -> Option<String> {
    if PyVersion::parse(name).is_some() {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    // A leading word close to `python` (`pyhton3.12`, `pyton-3.12`, `python3.12`).
    let digits_at = lower.find(|c: char| c.is_ascii_digit())?;
    let (word, rest) = lower.split_at(digits_at);
    let word = word.trim_end_matches(['-', '_']);
    if !word.is_empty() && edit_distance(word, "python") > 2 {
        return None;
    }
    let rest = rest.replace(',', ".");
    if PyVersion::parse(&rest).is_some() {
        return Some(rest);
    }
    let keyed: String = rest
        .chars()
        .map(|c| match UNDER_DIGITS.find(c) {
            Some(i) => char::from_digit(((i + 1) % 10) as u32, 10).unwrap_or(c),
            None => c,
        })
        .collect();
    PyVersion::parse(&keyed).is_some().then_some(keyed)
}

/// `3.13.5` for `3.13.05`: the same version without leading zeros in its numbers, or `None` if
/// `name` has none (or is not a version).
pub fn canonical(name: &str) -> Option<String> {
    PyVersion::parse(name)?;
    let tag_at = name
        .find(|c: char| c.is_ascii_alphabetic() || c == '-')
        .unwrap_or(name.len());
    let (release, tail) = name.split_at(tag_at);
    let release: Vec<&str> = release
        .split('.')
        .map(|n| match n.trim_start_matches('0') {
            "" if !n.is_empty() => "0",
            t => t,
        })
        .collect();
    let fixed = format!("{}{tail}", release.join("."));
    (fixed != name && PyVersion::parse(&fixed) == PyVersion::parse(name)).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_what_users_typed() {
        assert_eq!(repair("pyhton3.12").as_deref(), Some("3.12"));
        assert_eq!(repair("python3.12").as_deref(), Some("3.12"));
        assert_eq!(repair("Python-3.11.2").as_deref(), Some("3.11.2"));
        assert_eq!(repair("3,13").as_deref(), Some("3.13"));
        assert_eq!(repair("3.1e").as_deref(), Some("3.13"));
        assert_eq!(repair("3.1w.1").as_deref(), Some("3.12.1"));
        // Real versions and real env names are left alone.
        for fine in [
            "3.12",
            "3.13t",
            "3.14.0rc1",
            "3.12-dev",
            "web",
            "myenv2",
            "pypy3.10-7.3.12",
        ] {
            assert_eq!(repair(fine), None, "{fine}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("3.11.22", "3.11.2"), 1);
        assert_eq!(edit_distance("3.1.2", "3.11.2"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }

    #[test]
    fn canonical_spelling_drops_leading_zeros() {
        assert_eq!(canonical("3.13.05").as_deref(), Some("3.13.5"));
        assert_eq!(canonical("3.013").as_deref(), Some("3.13"));
        assert_eq!(canonical("3.13.00").as_deref(), Some("3.13.0"));
        assert_eq!(canonical("3.14.00rc1").as_deref(), Some("3.14.0rc1"));
        for fine in ["3.13.5", "3.13.0", "3.13t", "web", "3.12-dev"] {
            assert_eq!(canonical(fine), None, "{fine}");
        }
    }
}
