//! The one validator for every version name pyv accepts, from any source: `PYV_VERSION`,
//! every `.python-version`, the global file and every command-line argument.
//!
//! pyenv's CVE-2022-35861 came from joining an unchecked name onto `versions/`; a name that
//! passes here can only ever name something inside `versions/`.

use crate::error::{Error, Result};
use crate::origin::Origin;

/// Longest name accepted, in bytes (a file name's limit on common filesystems).
pub const MAX_LEN: usize = 255;

/// `python-3.12.1` means `3.12.1` (pyenv accepts the prefix too).
pub fn normalize(raw: &str) -> &str {
    match raw.strip_prefix("python-") {
        Some(rest) if !rest.is_empty() => rest,
        _ => raw,
    }
}

/// Why a name is refused, or `None` if it is acceptable.
pub fn problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return Some("it is empty");
    }
    if value.len() > MAX_LEN {
        return Some("it is longer than 255 bytes");
    }
    if value.chars().any(char::is_control) {
        return Some("it contains control characters");
    }
    if value.starts_with('/') {
        return Some("it is an absolute path");
    }
    if value.split('/').any(|p| p == ".." || p == ".") {
        return Some("it contains `..` or `.`, which would leave versions/");
    }
    if value.contains('/') {
        // The only slash allowed: pyenv-virtualenv's `<version>/envs/<name>`.
        let parts: Vec<&str> = value.split('/').collect();
        if parts.len() != 3 || parts[1] != "envs" {
            return Some("it contains `/` (only `<version>/envs/<name>` may)");
        }
        return parts.iter().find_map(|p| component_problem(p));
    }
    component_problem(value)
}

fn component_problem(part: &str) -> Option<&'static str> {
    if part.is_empty() {
        Some("it has an empty path component")
    } else if part == "." || part == ".." {
        Some("it contains `..` or `.`, which would leave versions/")
    } else if part.starts_with('-') {
        Some("it starts with `-`")
    } else if part.chars().any(char::is_whitespace) {
        Some("it contains whitespace")
    } else if part.contains(':') {
        Some("it contains `:`")
    } else {
        None
    }
}

/// Validate `value`, reporting `origin` in the error.
pub fn validate(value: &str, origin: &Origin) -> Result<()> {
    match problem(value) {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidName {
            value: value.to_string(),
            origin: origin.clone(),
            reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for ok in [
            "3.12.1",
            "3.13t",
            "system",
            "myenv",
            "3.11.2/envs/myenv",
            "pypy3.10-7.3.12",
            "pypy2.7-7.3.17",
            "graalpy-24.1.1",
            "graalpy-community-25.0.1",
            "miniforge3-24.11.0-0",
            "mambaforge-pypy3",
            "miniconda3-3.12-24.9.2-0",
            "anaconda3-2024.10-1",
            "pypy3.10-7.3.17/envs/fast",
            "3.14.0rc1",
            "3.12-dev",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn refuses_escapes_and_junk() {
        let long = "9".repeat(256);
        for bad in [
            "",
            "..",
            ".",
            "../../evil",
            "3.11/../../x",
            "/usr",
            "a/b",
            "3.9.3/envs/../../../../victim",
            "3.9/envs/..",
            "3.9/envs/",
            "-rf",
            "3.12\n",
            "a\u{1b}[31m",
            "two words",
            "a:b",
            long.as_str(),
        ] {
            assert!(problem(bad).is_some(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn normalize_strips_python_prefix() {
        assert_eq!(normalize("python-3.12.1"), "3.12.1");
        assert_eq!(normalize("3.12.1"), "3.12.1");
        assert_eq!(normalize("python-"), "python-");
    }

    #[test]
    fn error_names_value_and_origin() {
        let e = validate("../../evil", &Origin::Env).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("`../../evil`"), "{msg}");
        assert!(msg.contains("PYV_VERSION"), "{msg}");
    }
}
