//! Who chose a version: travels with every selection and is named in every message about it
//! (`(set by /home/u/proj/.python-version)`). Its own module because both the selection and
//! the errors speak of it, and neither should depend on the other for that.

use std::fmt;
use std::path::PathBuf;

/// Who chose a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The `PYV_VERSION` environment variable (what `pyv shell` sets).
    Env,
    /// `PYV_VERSION` as `pyv activate` set it: the activated virtualenv.
    Activated,
    /// A `.python-version` file.
    File(PathBuf),
    /// The global file, `$PYV_ROOT/version`.
    Global(PathBuf),
    /// Nothing chose: `system` by default. The path is the (absent or empty) global file,
    /// which pyenv names as the origin then too.
    Default(PathBuf),
    /// A command-line argument.
    Argument,
}

impl Origin {
    /// The bare origin as `pyv version-origin` prints it.
    pub fn describe(&self) -> String {
        match self {
            Origin::Env => "PYV_VERSION environment variable".into(),
            Origin::Activated => {
                "the activated virtualenv (PYV_VERSION set by `pyv activate`)".into()
            }
            Origin::File(p) | Origin::Global(p) | Origin::Default(p) => p.display().to_string(),
            Origin::Argument => "command line".into(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Argument => write!(f, "(given on the command line)"),
            Origin::Activated => {
                write!(f, "(activated virtualenv: `pyv activate` set PYV_VERSION)")
            }
            // Paths come from outside (a directory's name): shown escaped, never raw.
            Origin::File(p) | Origin::Global(p) | Origin::Default(p) => {
                write!(f, "(set by {})", crate::report::shown(p))
            }
            other => write!(f, "(set by {})", other.describe()),
        }
    }
}
