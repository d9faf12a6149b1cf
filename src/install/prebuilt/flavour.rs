//! The Pythons besides CPython that pyenv installs and pyv does too, under pyenv's names:
//! PyPy (`pypy3.10-7.3.17`), GraalPy (`graalpy-24.1.1`, `graalpython-22.2.0`) and the conda
//! family (`miniforge3-24.11.0-0`, `mambaforge-…`, `miniconda3-3.12-24.9.2-0`,
//! `anaconda3-2024.10-1`). The name says which: the family is its first word, as in pyenv.
//! The embedded rows (`flavours.tsv`) are generated from pyenv's python-build definitions by
//! `scripts/gen-flavours-table.py`.

use std::cmp::Ordering;

use crate::install::receipt::Kind;

/// How a table row installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// python-build-standalone's CPython (`--prebuilt`).
    CPython,
    /// A binary archive from pypy.org; `bin/pypy3` and friends.
    PyPy,
    /// A binary archive of Oracle's GraalPy (or the older `graalpython`).
    GraalPy,
    /// A Miniforge/Mambaforge/Miniconda/Anaconda installer script run in batch mode.
    Conda,
}

/// Name prefixes of the conda family (a `mambaforge-pypy3` is still installed by its installer).
const CONDA: [&str; 4] = ["miniforge", "mambaforge", "miniconda", "anaconda"];

impl Flavour {
    /// The size cap of this flavour's downloads, in MiB, when `PYV_DOWNLOAD_MAX_MIB` does not
    /// set one (the tables carry no sizes): Anaconda's installers pass 1 GiB, GraalPy's
    /// archives 300 MiB, the others stay far below.
    pub fn download_ceiling_mib(self) -> u64 {
        match self {
            Flavour::Conda => 4096,
            Flavour::CPython | Flavour::PyPy | Flavour::GraalPy => 1024,
        }
    }

    /// The flavour a version name belongs to; CPython for anything else.
    pub fn of(name: &str) -> Flavour {
        if CONDA.iter().any(|p| name.starts_with(p)) {
            Flavour::Conda
        } else if name.starts_with("pypy") {
            Flavour::PyPy
        } else if name.starts_with("graalpy") {
            Flavour::GraalPy
        } else {
            Flavour::CPython
        }
    }

    /// Whether `name` (an exact name or a prefix such as `pypy3.10`, `miniforge3`) asks for
    /// one of the other Pythons.
    pub fn is_other(name: &str) -> bool {
        Flavour::of(name) != Flavour::CPython
    }

    /// The receipt kind an install of this flavour records.
    pub fn kind(self) -> Kind {
        match self {
            Flavour::CPython => Kind::Prebuilt,
            Flavour::PyPy => Kind::PyPy,
            Flavour::GraalPy => Kind::GraalPy,
            Flavour::Conda => Kind::Conda,
        }
    }

    /// How people call it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Flavour::CPython => "CPython",
            Flavour::PyPy => "PyPy",
            Flavour::GraalPy => "GraalPy",
            Flavour::Conda => "conda Python",
        }
    }

    /// What `sys.implementation.name` must say (None: any; a Mambaforge-pypy3 is PyPy).
    pub fn implementations(self, name: &str) -> Option<&'static [&'static str]> {
        match self {
            Flavour::CPython => Some(&["cpython"]),
            Flavour::PyPy => Some(&["pypy"]),
            Flavour::GraalPy => Some(&["graalpy", "graalpython"]),
            Flavour::Conda if name.contains("pypy") => Some(&["pypy"]),
            Flavour::Conda => Some(&["cpython"]),
        }
    }

    /// The version the implementation must report, from the name: PyPy's own release
    /// (`pypy3.10-7.3.17` -> `7.3.17`, compared with `sys.pypy_version_info`) and GraalPy's
    /// `major.minor` (`graalpy-24.1.1` -> `24.1`, from its `cache_tag`). None: not checked.
    pub fn implementation_version(self, name: &str) -> Option<String> {
        let (_, tail) = name.rsplit_once('-')?;
        match self {
            Flavour::PyPy => {
                let ok = tail.split('.').count() >= 2
                    && tail
                        .split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                ok.then(|| tail.to_string())
            }
            Flavour::GraalPy => {
                let mut parts = tail.split('.');
                let (major, minor) = (parts.next()?, parts.next()?);
                Some(format!("{major}.{minor}"))
            }
            _ => None,
        }
    }

    /// The Python language version a name implies when the table row gives none:
    /// `pypy3.10-…` -> `3.10`, `miniconda3-3.12-…` -> `3.12`, `anaconda3-…` -> `3`.
    pub fn python_from_name(self, name: &str) -> Option<String> {
        let first = name.split('-').next()?;
        let digits = first.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        match self {
            Flavour::PyPy if digits.contains('.') => Some(digits.to_string()),
            Flavour::PyPy if digits.is_empty() => Some("2".into()),
            Flavour::PyPy => Some(digits.to_string()),
            Flavour::Conda => {
                let second = name.split('-').nth(1).unwrap_or("");
                let explicit = matches!(second.split_once('.'), Some(("2" | "3", minor))
                    if !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()));
                if explicit {
                    Some(second.to_string())
                } else if digits == "2" || digits == "3" {
                    Some(digits.to_string())
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

/// The order of `pyenv install --list` (python-build's `sort_versions`): `+`/`-` become `.`,
/// the first field compares as text, the next four as numbers (a word counts as 0), and
/// whole names break ties.
pub fn pyenv_order(a: &str, b: &str) -> Ordering {
    fn key(s: &str) -> Vec<String> {
        s.replace(['+', '-'], ".")
            .split('.')
            .map(String::from)
            .collect()
    }
    fn num(s: Option<&String>) -> u64 {
        let s = s.map_or("", String::as_str);
        let end = s
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(s.len());
        s[..end].parse().unwrap_or(0)
    }
    let (ka, kb) = (key(a), key(b));
    ka[0]
        .cmp(&kb[0])
        .then_with(|| {
            (1..5)
                .map(|i| num(ka.get(i)).cmp(&num(kb.get(i))))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_their_flavour() {
        assert_eq!(Flavour::of("pypy3.10-7.3.17"), Flavour::PyPy);
        assert_eq!(Flavour::of("pypy2.7-7.3.17"), Flavour::PyPy);
        assert_eq!(Flavour::of("graalpy-24.1.1"), Flavour::GraalPy);
        assert_eq!(Flavour::of("graalpython-22.2.0"), Flavour::GraalPy);
        assert_eq!(Flavour::of("miniforge3-24.11.0-0"), Flavour::Conda);
        assert_eq!(Flavour::of("mambaforge-pypy3"), Flavour::Conda);
        assert_eq!(Flavour::of("miniconda3-3.12-24.9.2-0"), Flavour::Conda);
        assert_eq!(Flavour::of("anaconda3-2024.10-1"), Flavour::Conda);
        assert_eq!(Flavour::of("3.12.7"), Flavour::CPython);
        assert!(!Flavour::is_other("myenv"));
    }

    #[test]
    fn expected_versions_come_from_the_name() {
        let v = |f: Flavour, n: &str| f.implementation_version(n);
        assert_eq!(
            v(Flavour::PyPy, "pypy3.10-7.3.17").as_deref(),
            Some("7.3.17")
        );
        assert_eq!(v(Flavour::PyPy, "pypy3.5-5.7-beta"), None);
        assert_eq!(
            v(Flavour::GraalPy, "graalpy-24.1.1").as_deref(),
            Some("24.1")
        );
        assert_eq!(
            v(Flavour::GraalPy, "graalpy-community-25.0.1").as_deref(),
            Some("25.0")
        );
        let p = |f: Flavour, n: &str| f.python_from_name(n);
        assert_eq!(p(Flavour::PyPy, "pypy3.10-7.3.17").as_deref(), Some("3.10"));
        assert_eq!(p(Flavour::PyPy, "pypy-5.7.1").as_deref(), Some("2"));
        assert_eq!(p(Flavour::PyPy, "pypy3-2.4.0").as_deref(), Some("3"));
        assert_eq!(
            p(Flavour::Conda, "miniconda3-3.12-24.9.2-0").as_deref(),
            Some("3.12")
        );
        assert_eq!(
            p(Flavour::Conda, "anaconda3-2024.10-1").as_deref(),
            Some("3")
        );
        assert_eq!(p(Flavour::Conda, "anaconda2-2019.10").as_deref(), Some("2"));
        assert_eq!(
            p(Flavour::Conda, "miniforge3-24.11.0-0").as_deref(),
            Some("3")
        );
        assert_eq!(p(Flavour::Conda, "mambaforge-4.10.1-4"), None);
    }

    #[test]
    fn listing_follows_pyenvs_order() {
        let mut v = vec![
            "graalpy-25.0.0",
            "graalpy-community-23.1.0",
            "graalpy-22.3.0",
            "pypy3.10-7.3.17",
            "pypy3.9-7.3.11",
            "pypy2.7-7.3.17",
            "anaconda3-2024.10-1",
            "anaconda-1.4.0",
            "miniconda3-3.12-24.9.2-0",
            "miniconda3-3.9-24.9.2-0",
        ];
        v.sort_by(|a, b| pyenv_order(a, b));
        assert_eq!(
            v,
            [
                "anaconda-1.4.0",
                "anaconda3-2024.10-1",
                "graalpy-community-23.1.0",
                "graalpy-22.3.0",
                "graalpy-25.0.0",
                "miniconda3-3.9-24.9.2-0",
                "miniconda3-3.12-24.9.2-0",
                "pypy2.7-7.3.17",
                "pypy3.9-7.3.11",
                "pypy3.10-7.3.17",
            ]
        );
    }
}
