//! What a selected name asks for, when it is not simply the name of a directory in `versions/`.
//!
//! `.python-version` files are shared with other tools, which write more than pyenv's names:
//! uv writes `cpython@3.12` or `cpython-3.12.5-linux-x86_64-gnu`, some people write
//! `python3.12`, and PEP 440 specifiers (`>=3.11`, `>=3.11,<3.13`, `==3.12.*`) turn up from
//! `requires-python`. Each maps to what pyv already does: a version prefix (the newest installed
//! match) or a specifier (the newest installed final release satisfying every clause).
//! Anything else that carries request syntax is refused with the forms pyv understands, instead
//! of being taken for the name of a virtualenv that does not exist.
//!
//! Only called after the exact `versions/<name>` was not found, so the shim's usual path (an
//! installed exact name) never gets here; this is string work, no I/O.

use crate::pyversion::PyVersion;

/// The forms pyv understands, for the "not understood" hint.
pub const FORMS: &str = "`3.12.5`, `3.12`, `python-3.12`, `python3.12`, `cpython@3.12`, \
                         `cpython-3.12.5`, `>=3.11`, `>=3.11,<3.13`, `==3.12.*`, `system` \
                         or a virtualenv's name";

/// A selected name, read as a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request<'a> {
    /// A name or version prefix as pyenv takes it: `3.12`, `3.12.1`, `myenv`, `pypy3.10-7.3.12`.
    Name(&'a str),
    /// PEP 440 version specifiers, all of which must hold.
    Spec(Vec<Clause>),
}

/// One specifier clause: `>=3.11`, `==3.12.*`, `~=3.11.2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub op: Op,
    /// The release numbers written (`3.12` is `[3, 12]`).
    pub release: Vec<u32>,
    /// Written with a trailing `.*` (only with `==` and `!=`).
    pub wildcard: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Ge,
    Gt,
    Le,
    Lt,
    Compatible,
}

/// Characters that only request syntax uses; a name with one that does not parse as a request
/// is refused rather than looked up as a virtualenv.
const SYNTAX: &[char] = &['<', '>', '=', '!', '~', '@', ',', '*'];

/// Read `name` (already validated, not found as an exact directory). `Err` says why it is not
/// a request pyv understands.
pub fn parse(name: &str) -> Result<Request<'_>, &'static str> {
    // `python-3.12.1` is pyenv's own prefix; `cpython-3.12.5[-platform]` is uv's resolved form.
    for prefix in ["python-", "cpython-"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if let Some(v) = version_part(rest) {
                return Ok(Request::Name(v));
            }
        }
    }
    // uv's `cpython@3.12` (or `python@3.12`), also with a specifier: `cpython@>=3.12`.
    for prefix in ["cpython@", "python@"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if PyVersion::parse(rest).is_some() {
                return Ok(Request::Name(rest));
            }
            if rest.starts_with(|c: char| "<>=!~".contains(c)) {
                return specifiers(rest).map(Request::Spec);
            }
            return Err("only CPython versions can follow `cpython@`");
        }
    }
    // `python3.12`, `python3`: the executable's name.
    if let Some(rest) = name.strip_prefix("python") {
        if rest.starts_with(|c: char| c.is_ascii_digit()) && PyVersion::parse(rest).is_some() {
            return Ok(Request::Name(rest));
        }
    }
    if name.starts_with(|c: char| "<>=!~".contains(c)) {
        return specifiers(name).map(Request::Spec);
    }
    if name.contains(SYNTAX) {
        return Err("it mixes a name with version-request syntax");
    }
    Ok(Request::Name(name))
}

/// `3.12.5` or `3.12.5-linux-x86_64-gnu` (uv's platform suffix dropped) as a version.
fn version_part(rest: &str) -> Option<&str> {
    if PyVersion::parse(rest).is_some() {
        return Some(rest);
    }
    let head = rest.split('-').next()?;
    PyVersion::parse(head).is_some().then_some(head)
}

/// `>=3.11,<3.13`: comma-separated clauses, each an operator and a release.
fn specifiers(text: &str) -> Result<Vec<Clause>, &'static str> {
    let mut clauses = Vec::new();
    for part in text.split(',') {
        clauses.push(clause(part)?);
    }
    Ok(clauses)
}

fn clause(text: &str) -> Result<Clause, &'static str> {
    let ops = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("~=", Op::Compatible),
        (">", Op::Gt),
        ("<", Op::Lt),
    ];
    let Some((op, rest)) = ops
        .iter()
        .find_map(|(s, op)| text.strip_prefix(s).map(|rest| (*op, rest)))
    else {
        return Err("a specifier clause must start with ==, !=, >=, <=, >, < or ~=");
    };
    let (rest, wildcard) = match rest.strip_suffix(".*") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    if wildcard && !matches!(op, Op::Eq | Op::Ne) {
        return Err("`.*` goes only with == and !=");
    }
    let release: Option<Vec<u32>> = rest
        .split('.')
        .map(|n| {
            (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse().ok())
                .flatten()
        })
        .collect();
    match release {
        Some(r) if !r.is_empty() && r.len() <= 3 => {
            if op == Op::Compatible && r.len() < 2 {
                return Err("`~=` needs at least two release numbers (`~=3.11`)");
            }
            Ok(Clause {
                op,
                release: r,
                wildcard,
            })
        }
        _ => Err("a specifier's version is numbers and dots (`3.12`, `3.12.1`)"),
    }
}

impl Clause {
    /// Does the final release `v` satisfy this clause?
    pub fn allows(&self, v: &PyVersion) -> bool {
        let have = [v.major, v.minor.unwrap_or(0), v.micro.unwrap_or(0)];
        let want = |i: usize| self.release.get(i).copied().unwrap_or(0);
        let cmp = (0..3)
            .map(|i| have[i].cmp(&want(i)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal);
        let prefix_eq = self.release.iter().enumerate().all(|(i, n)| have[i] == *n);
        use std::cmp::Ordering::*;
        match self.op {
            Op::Eq if self.wildcard => prefix_eq,
            Op::Ne if self.wildcard => !prefix_eq,
            Op::Eq => cmp == Equal,
            Op::Ne => cmp != Equal,
            Op::Ge => cmp != Less,
            Op::Gt => cmp == Greater,
            Op::Le => cmp != Greater,
            Op::Lt => cmp == Less,
            // `~=3.11.2` is `>=3.11.2, ==3.11.*`: all but the last number fixed.
            Op::Compatible => {
                let fixed = self.release.len() - 1;
                cmp != Less && (0..fixed).all(|i| have[i] == self.release[i])
            }
        }
    }
}

/// The newest final release among `candidates` satisfying every clause.
pub fn newest_matching<'a>(
    clauses: &[Clause],
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter_map(|c| PyVersion::parse(c).map(|v| (v, c)))
        .filter(|(v, _)| v.is_stable() && v.minor.is_some())
        .filter(|(v, _)| clauses.iter().all(|cl| cl.allows(v)))
        .max_by(|(a, an), (b, bn)| a.cmp(b).then_with(|| an.cmp(bn)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALLED: [&str; 7] = [
        "3.10.14",
        "3.11.2",
        "3.11.9",
        "3.12.1",
        "3.12.7",
        "3.13.0rc1",
        "3.13.5t",
    ];

    fn pick(name: &str) -> Option<&'static str> {
        match parse(name).unwrap() {
            Request::Name(n) => crate::pyversion::best_match(n, INSTALLED),
            Request::Spec(s) => newest_matching(&s, INSTALLED),
        }
    }

    #[test]
    fn other_tools_names_map_to_versions() {
        assert_eq!(parse("cpython@3.12"), Ok(Request::Name("3.12")));
        assert_eq!(parse("python@3.12"), Ok(Request::Name("3.12")));
        assert_eq!(parse("cpython-3.12.5"), Ok(Request::Name("3.12.5")));
        assert_eq!(
            parse("cpython-3.12.5-linux-x86_64-gnu"),
            Ok(Request::Name("3.12.5"))
        );
        assert_eq!(parse("python3.12"), Ok(Request::Name("3.12")));
        assert_eq!(parse("python3"), Ok(Request::Name("3")));
        assert_eq!(parse("python-3.12.1"), Ok(Request::Name("3.12.1")));
        for plain in [
            "myenv",
            "3.12",
            "pypy3.10-7.3.12",
            "python-dev",
            "pythonista",
        ] {
            assert_eq!(parse(plain), Ok(Request::Name(plain)), "{plain}");
        }
    }

    #[test]
    fn specifiers_pick_the_newest_installed_final_release() {
        assert_eq!(pick(">=3.11"), Some("3.12.7"));
        assert_eq!(pick(">=3.11,<3.12"), Some("3.11.9"));
        assert_eq!(pick(">=3.11,<3.13"), Some("3.12.7"));
        assert_eq!(pick("==3.12.*"), Some("3.12.7"));
        assert_eq!(pick("==3.11.2"), Some("3.11.2"));
        assert_eq!(pick("~=3.11.2"), Some("3.11.9"));
        assert_eq!(pick("~=3.10"), Some("3.12.7"));
        assert_eq!(pick("!=3.12.*,<3.13"), Some("3.11.9"));
        assert_eq!(pick("<=3.11"), Some("3.10.14"));
        assert_eq!(
            pick(">3.12.7"),
            None,
            "no rc or free-threaded build for a specifier"
        );
        assert_eq!(pick("cpython@>=3.11,<3.12"), Some("3.11.9"));
        assert_eq!(pick("cpython@3.11"), Some("3.11.9"));
        assert_eq!(pick("python3.10"), Some("3.10.14"));
    }

    #[test]
    fn request_syntax_that_does_not_parse_is_refused() {
        for bad in [
            ">=",
            ">=3.x",
            "=>3.11",
            ">=3.11,",
            ">=3.11.*",
            "~=3",
            "==3.12.1.4",
            "pypy@3.10",
            "cpython@latest",
            "foo@3.12",
            "3.12.*",
            "env,2",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
