//! CPython version numbers as pyenv users write them: `3.12.1`, `3.13.0rc2`, `3.13.5t`,
//! `3.12-dev`, `2.4`. Not semver (no pre-release dash, two-part releases exist), so pyv parses
//! them itself. Names that are not CPython versions (`myenv`, `pypy3.10-7.3.12`) parse to None
//! and sort after the versions, by name.

use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pre {
    Alpha(u32),
    Beta(u32),
    Rc(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyVersion {
    pub major: u32,
    pub minor: Option<u32>,
    pub micro: Option<u32>,
    pub pre: Option<Pre>,
    /// Free-threaded build (`--disable-gil`), written with a trailing `t`.
    pub free_threaded: bool,
    /// A development branch build, written `3.12-dev`.
    pub dev: bool,
}

impl PyVersion {
    pub fn parse(s: &str) -> Option<PyVersion> {
        let (s, dev) = match s.strip_suffix("-dev") {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        let (s, free_threaded) = match s.strip_suffix('t') {
            Some(rest) => (rest, true),
            None => (s, false),
        };
        // Split the numeric release from a pre-release tag.
        let tag_at = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
        let (release, tag) = s.split_at(tag_at);
        let mut nums = release.split('.');
        let major = parse_num(nums.next()?)?;
        let minor = nums
            .next()
            .map(parse_num)
            .map_or(Ok(None), |n| n.ok_or(()).map(Some));
        let minor = minor.ok()?;
        let micro = nums
            .next()
            .map(parse_num)
            .map_or(Ok(None), |n| n.ok_or(()).map(Some));
        let micro = micro.ok()?;
        if nums.next().is_some() {
            return None;
        }
        let pre = if tag.is_empty() {
            None
        } else {
            let (kind, n) = if let Some(n) = tag.strip_prefix("rc") {
                (Pre::Rc as fn(u32) -> Pre, n)
            } else if let Some(n) = tag.strip_prefix('a') {
                (Pre::Alpha as fn(u32) -> Pre, n)
            } else if let Some(n) = tag.strip_prefix('b') {
                (Pre::Beta as fn(u32) -> Pre, n)
            } else {
                return None;
            };
            Some(kind(parse_num(n)?))
        };
        if pre.is_some() && micro.is_none() {
            return None;
        }
        Some(PyVersion {
            major,
            minor,
            micro,
            pre,
            free_threaded,
            dev,
        })
    }

    /// A final release: no pre-release tag, not free-threaded, not `-dev`.
    pub fn is_stable(&self) -> bool {
        self.pre.is_none() && !self.free_threaded && !self.dev
    }

    /// Does this (complete) version satisfy `req`, a possibly partial request like `3.12`,
    /// `3`, `3.13t`? Pre-releases, free-threaded and -dev builds only match when asked for.
    pub fn satisfies(&self, req: &PyVersion) -> bool {
        self.major == req.major
            && req.minor.is_none_or(|m| self.minor == Some(m))
            && req.micro.is_none_or(|m| self.micro == Some(m))
            // A pre-release only when that exact one is asked for; finals otherwise.
            && self.pre == req.pre
            && self.free_threaded == req.free_threaded
            && self.dev == req.dev
    }

    fn key(&self) -> (u32, u32, u32, u8, u32, bool, bool) {
        let (rank, n) = match self.pre {
            Some(Pre::Alpha(n)) => (0, n),
            Some(Pre::Beta(n)) => (1, n),
            Some(Pre::Rc(n)) => (2, n),
            None => (3, 0),
        };
        (
            self.major,
            self.minor.unwrap_or(0),
            self.micro.unwrap_or(0),
            rank,
            n,
            self.dev,
            self.free_threaded,
        )
    }
}

impl PartialOrd for PyVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PyVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

fn parse_num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Sort names the way `pyv versions` shows them: CPython versions in version order, then
/// everything else by name, runs of digits compared as numbers (`pypy3.9-7.3.11` before
/// `pypy3.10-7.3.17`, `miniforge3-4.10.3-10` before `miniforge3-24.11.0-0`).
pub fn compare_names(a: &str, b: &str) -> Ordering {
    match (PyVersion::parse(a), PyVersion::parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => natural_cmp(a, b),
    }
}

/// Compare two names piece by piece, a run of digits as a number (ties broken bytewise).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    // Words and numbers, split at `.`, `-`, `_` and wherever digits start or stop.
    fn pieces(s: &str) -> impl Iterator<Item = (bool, &str)> {
        s.split(['.', '-', '_']).flat_map(|seg| {
            let mut rest = seg;
            std::iter::from_fn(move || {
                let first = rest.bytes().next()?;
                let digit = first.is_ascii_digit();
                let end = rest
                    .bytes()
                    .position(|b| b.is_ascii_digit() != digit)
                    .unwrap_or(rest.len());
                let (piece, tail) = rest.split_at(end);
                rest = tail;
                Some((digit, piece))
            })
        })
    }
    let (mut x, mut y) = (pieces(a), pieces(b));
    loop {
        let ord = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some((true, p)), Some((true, q))) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            // A number ranks above a word: `graalpy-25.0.0` is newer than `graalpy-community-…`
            // for a `graalpy` prefix, as pyenv's numeric sort key has it.
            (Some((true, _)), Some((false, _))) => Ordering::Greater,
            (Some((false, _)), Some((true, _))) => Ordering::Less,
            (Some((_, p)), Some((_, q))) => p.cmp(q),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
}

/// Whether a name is a pre-release, development or source build that a prefix only matches
/// when it names it in full (as pyenv's `latest` skips `-dev`, `-src`, `-latest`, `a1`/`b2`/
/// `rc1` endings and `alpha`/`beta` releases).
fn is_unstable_name(name: &str) -> bool {
    let tail = name.trim_end_matches(|c: char| c.is_ascii_digit());
    name.ends_with("-dev")
        || name.ends_with("-src")
        || name.ends_with("-latest")
        || (tail.len() < name.len()
            && (tail.ends_with('a') || tail.ends_with('b') || tail.ends_with("rc")))
        || name.contains("alpha")
        || name.contains("beta")
}

/// The newest of `candidates` that satisfies the request `prefix` (`3.12`, `3.13t`, `3`),
/// or None. An exact name is not special here: callers check for it first. A prefix that is
/// not a CPython version (`pypy3.10`, `miniforge3`, `graalpy`) matches the names that
/// continue it with `-` or `.` (`pypy3.10-7.3.17`), as pyenv's `latest` does, and picks the
/// newest by [`natural_cmp`].
pub fn best_match<'a>(
    prefix: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let Some(req) = PyVersion::parse(prefix) else {
        if prefix.is_empty() || !prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        return candidates
            .into_iter()
            .filter(|c| {
                c.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(['-', '.']))
                    && !is_unstable_name(c)
                    && PyVersion::parse(c).is_none()
            })
            .max_by(|a, b| natural_cmp(a, b));
    };
    candidates
        .into_iter()
        .filter_map(|c| PyVersion::parse(c).map(|v| (v, c)))
        .filter(|(v, _)| v.satisfies(&req))
        .max_by(|(a, an), (b, bn)| a.cmp(b).then_with(|| an.cmp(bn)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_write() {
        let v = PyVersion::parse("3.13.0rc2").unwrap();
        assert_eq!(
            (v.major, v.minor, v.micro, v.pre),
            (3, Some(13), Some(0), Some(Pre::Rc(2)))
        );
        assert!(PyVersion::parse("3.13.5t").unwrap().free_threaded);
        assert!(PyVersion::parse("3.12-dev").unwrap().dev);
        assert_eq!(PyVersion::parse("2.4").unwrap().micro, None);
        for bad in [
            "myenv",
            "pypy3.10-7.3.12",
            "3..1",
            "3.1.2.3",
            "",
            "3.x",
            "3.12rc1",
        ] {
            assert!(PyVersion::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn orders_pre_releases_before_finals() {
        let mut v = vec![
            "3.10.0",
            "3.9.18",
            "3.10.0rc1",
            "3.10.0a7",
            "3.10.0b2",
            "3.9.2",
        ];
        v.sort_by(|a, b| compare_names(a, b));
        assert_eq!(
            v,
            [
                "3.9.2",
                "3.9.18",
                "3.10.0a7",
                "3.10.0b2",
                "3.10.0rc1",
                "3.10.0"
            ]
        );
    }

    #[test]
    fn prefix_picks_newest_stable() {
        let installed = [
            "3.12.1",
            "3.12.10",
            "3.12.9",
            "3.13.0rc1",
            "3.12.11t",
            "3.12-dev",
            "3.13.1t",
            "myenv",
        ];
        assert_eq!(best_match("3.12", installed), Some("3.12.10"));
        assert_eq!(best_match("3", installed), Some("3.12.10"));
        assert_eq!(best_match("3.13", installed), None);
        assert_eq!(best_match("3.13t", installed), Some("3.13.1t"));
        assert_eq!(best_match("3.12t", installed), Some("3.12.11t"));
        assert_eq!(best_match("3.12-dev", installed), Some("3.12-dev"));
        assert_eq!(best_match("3.13.0rc1", installed), Some("3.13.0rc1"));
        assert_eq!(best_match("myenv", installed), None);
    }

    #[test]
    fn other_pythons_sort_naturally_and_match_by_prefix() {
        let mut v = vec![
            "pypy3.10-7.3.17",
            "pypy3.9-7.3.11",
            "pypy3.10-7.3.9",
            "miniforge3-24.11.0-0",
            "miniforge3-4.10.3-10",
            "3.12.1",
        ];
        v.sort_by(|a, b| compare_names(a, b));
        assert_eq!(
            v,
            [
                "3.12.1",
                "miniforge3-4.10.3-10",
                "miniforge3-24.11.0-0",
                "pypy3.9-7.3.11",
                "pypy3.10-7.3.9",
                "pypy3.10-7.3.17",
            ]
        );
        let known = [
            "pypy3.10-7.3.17",
            "pypy3.10-7.3.9",
            "pypy3.10-7.3.17-src",
            "pypy3.11-7.3.20",
            "pypy3.3-5.2-alpha1",
            "pypy3.5-5.7-beta",
            "pypy-dev",
            "miniforge3-24.11.0-0",
            "miniforge3-4.10.3-10",
            "miniconda3-3.12-24.9.2-0",
            "miniconda3-latest",
            "graalpy-24.1.1",
            "graalpy-community-25.0.1",
            "graalpy-25.0.0",
            "3.12.1",
            "pypy3.10env",
        ];
        assert_eq!(best_match("pypy3.10", known), Some("pypy3.10-7.3.17"));
        assert_eq!(best_match("pypy3", known), Some("pypy3.11-7.3.20"));
        assert_eq!(best_match("pypy3.3", known), None);
        assert_eq!(
            best_match("miniforge3", known),
            Some("miniforge3-24.11.0-0")
        );
        assert_eq!(
            best_match("miniconda3", known),
            Some("miniconda3-3.12-24.9.2-0")
        );
        assert_eq!(best_match("graalpy", known), Some("graalpy-25.0.0"));
        assert_eq!(
            best_match("graalpy-community", known),
            Some("graalpy-community-25.0.1")
        );
        assert_eq!(best_match("graalpy-24", known), Some("graalpy-24.1.1"));
        assert_eq!(
            best_match("pypy", known),
            None,
            "`pypy` alone needs a `-` or `.` next"
        );
        assert_eq!(best_match("anaconda3", known), None);
        assert_eq!(best_match("-x", known), None);
    }
}
