//! The errors the selection core can report. Each names the offending value and where it came
//! from; `hint()` says what to do next. The CLI wraps these in its own error type.

use std::fmt;
use std::path::PathBuf;

use crate::env_vars::EnvVars;
use crate::origin::Origin;
use crate::report::{escape, shown};
use crate::suggest::looks_like_env;

#[derive(Debug)]
pub enum Error {
    /// A version name failed validation (path traversal, control characters, ...).
    InvalidName {
        value: String,
        origin: Origin,
        reason: &'static str,
    },
    /// A selected version has no directory under `versions/`.
    NotInstalled {
        name: String,
        origin: Origin,
        /// Installed versions that look close to the requested one (for the hint).
        close: Vec<String>,
    },
    /// A selected name with version-request syntax (`>=3.11`, `cpython@…`) that pyv cannot read.
    NotUnderstood {
        value: String,
        origin: Origin,
        reason: &'static str,
    },
    /// A selection names more versions than pyv considers ([`crate::select::MAX_NAMES`]).
    TooManyNames {
        count: usize,
        limit: usize,
        origin: Origin,
    },
    /// `PYV_ROOT` (or, with it unset, `HOME`) is a relative path or an empty `HOME`.
    RelativeRoot { var: &'static str, value: String },
    /// A `.python-version` (or the global file) exists but cannot be used.
    VersionFile { path: PathBuf, problem: String },
    /// No selected version provides the command (exit 127).
    CommandNotFound {
        command: String,
        selected: Vec<String>,
        /// Installed versions that do provide the command (empty with `--skip-advice`).
        available_in: Vec<String>,
        /// Selected versions that are not installed, reported before the command, as pyenv does.
        missing: Vec<Error>,
    },
    /// Any other I/O failure, with what we were doing.
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The process exit code this error maps to (see the README's contract).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::CommandNotFound { .. } => 127,
            _ => 1,
        }
    }

    /// One line telling the user what to do next, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::InvalidName { origin, .. } => Some(match origin {
                Origin::Env | Origin::Activated => {
                    "fix or unset PYV_VERSION (`pyv shell --unset`)".to_string()
                }
                Origin::File(p) | Origin::Global(p) | Origin::Default(p) => {
                    format!("edit `{}` to name an installed version", shown(p))
                }
                _ => "version names look like `3.12.1`, `3.12`, `system` or `myenv`".to_string(),
            }),
            Error::NotInstalled { name, close, .. } => Some(not_installed_hint(name, close)),
            Error::NotUnderstood { .. } => {
                Some(format!("pyv understands {}", crate::request::FORMS))
            }
            Error::TooManyNames { limit, origin, .. } => Some(match origin {
                Origin::Env | Origin::Activated => format!(
                    "set PYV_VERSION to at most {limit} versions (`pyv shell <version>`), or unset it"
                ),
                Origin::File(p) | Origin::Global(p) | Origin::Default(p) => format!(
                    "edit `{}` to name at most {limit} versions, one per line",
                    shown(p)
                ),
                Origin::Argument => format!("name at most {limit} versions"),
            }),
            Error::RelativeRoot { var, .. } if *var == EnvVars::HOME => Some(
                "set PYV_ROOT to an absolute path (or HOME to your home directory's absolute path)"
                    .to_string(),
            ),
            Error::RelativeRoot { .. } => Some("set PYV_ROOT to an absolute path".to_string()),
            Error::VersionFile { path, .. } => Some(format!(
                "make `{}` a text file with one version per line, or remove it",
                shown(path)
            )),
            Error::CommandNotFound {
                command,
                selected,
                missing,
                available_in,
            } => Some(command_not_found_hint(
                command,
                selected,
                missing,
                available_in,
            )),
            Error::Io { .. } => None,
        }
    }
}

/// [`Error::hint`] for [`Error::NotInstalled`]: how to make `name` (a virtualenv, a version,
/// another tool's spelling of one, a typo of one), and the installed versions `close` to it.
fn not_installed_hint(name: &str, close: &[String]) -> String {
    let mut h = match name.split_once("/envs/") {
        Some((version, env)) => {
            format!("create it with `pyv virtualenv {version} {env}`")
        }
        None if looks_like_env(name) => {
            format!("create the virtualenv with `pyv virtualenv <version> {name}`")
        }
        None => {
            use crate::request::{parse, Request};
            let meant = |n: &str| {
                crate::typo::repair(n).map(|m| format!("did you mean `{m}`? run `pyv install {m}`"))
            };
            match parse(name) {
                // Another tool's spelling (`python3.9`, `cpython@3.14`).
                Ok(Request::Name(v)) if v != name => format!("run `pyv install {v}`"),
                Ok(Request::Name(v)) => {
                    meant(v).unwrap_or_else(|| format!("run `pyv install {v}`"))
                }
                // `3,13` reads as specifiers but is a typo.
                Err(_) => meant(name).unwrap_or_else(|| {
                    format!("install a version matching `{name}` with `pyv install`")
                }),
                Ok(Request::Spec(_)) => {
                    format!("install a version matching `{name}` with `pyv install`")
                }
            }
        }
    };
    if !close.is_empty() {
        h.push_str(", or pick one of: ");
        h.push_str(&close.join(", "));
    }
    h
}

/// [`Error::hint`] for [`Error::CommandNotFound`]: which selected version lacks `command`, and
/// the `pyv shell` that adds a version having it.
fn command_not_found_hint(
    command: &str,
    selected: &[String],
    missing: &[Error],
    available_in: &[String],
) -> String {
    if missing.len() == selected.len() {
        format!(
            "none of the selected versions ({}) is installed",
            selected.join(", ")
        )
    } else {
        let mut h = format!(
            "the selected version ({}) has no `{command}`",
            selected.join(", ")
        );
        // Several versions can be selected at once, searched in order: the tip pyenv
        // points to in `help global`, given here as the command to run.
        if let Some(with) = available_in.first() {
            let mut names: Vec<&str> = selected
                .iter()
                .map(String::as_str)
                .filter(|s| {
                    !s.contains(' ')
                        && !missing
                            .iter()
                            .any(|m| matches!(m, Error::NotInstalled { name, .. } if name == s))
                })
                .collect();
            names.push(with);
            h.push_str(&format!("; to use it too: `pyv shell {}`", names.join(" ")));
        }
        h
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidName {
                value,
                origin,
                reason,
            } => {
                // A runaway line (a file's whole content on one line) is shown by its start.
                const SHOWN: usize = 60;
                if value.chars().count() > SHOWN {
                    let head: String = value.chars().take(SHOWN).collect();
                    write!(
                        f,
                        "invalid version name `{}…` ({} bytes; {reason}) {origin}",
                        head.escape_debug(),
                        value.len()
                    )
                } else {
                    write!(
                        f,
                        "invalid version name `{}` ({reason}) {origin}",
                        value.escape_debug()
                    )
                }
            }
            Error::NotInstalled { name, origin, .. } if looks_like_env(name) => {
                write!(f, "virtualenv `{name}` does not exist {origin}")
            }
            Error::NotInstalled { name, origin, .. } => {
                write!(f, "version `{name}` is not installed {origin}")
            }
            Error::NotUnderstood {
                value,
                origin,
                reason,
            } => write!(
                f,
                "`{value}` is not a version request pyv understands ({reason}) {origin}"
            ),
            Error::TooManyNames {
                count,
                limit,
                origin,
            } => write!(
                f,
                "{count} versions selected, more than pyv reads (at most {limit}) {origin}"
            ),
            Error::RelativeRoot { var, value } if *var == EnvVars::HOME => write!(
                f,
                "HOME is `{}`, not an absolute path, and PYV_ROOT is unset or empty: pyv's root \
                 (`$HOME/.pyv`) would follow the current directory",
                escape(value)
            ),
            Error::RelativeRoot { var, value } => write!(
                f,
                "{var} is `{}`, not an absolute path: pyv's root would follow the current \
                 directory",
                escape(value)
            ),
            Error::VersionFile { path, problem } => {
                write!(f, "cannot use version file `{}`: {problem}", shown(path))
            }
            // pyenv's words: scripts and people grep for them.
            Error::CommandNotFound { command, .. } => write!(f, "{command}: command not found"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Back to an `io::Error` for callers that speak io: the underlying error when there is one.
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io { source, .. } => source,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_invalid_name_is_shown_shortened() {
        let e = Error::InvalidName {
            value: "9".repeat(5000),
            origin: Origin::Argument,
            reason: "it is longer than 255 bytes",
        };
        let shown = e.to_string();
        assert!(shown.len() < 200, "{} bytes: {shown}", shown.len());
        assert!(shown.contains(&"9".repeat(40)), "{shown}");
        assert!(shown.contains("5000 bytes"), "{shown}");
        let short = Error::InvalidName {
            value: "a\tb".into(),
            origin: Origin::Argument,
            reason: "it contains whitespace",
        };
        assert!(short.to_string().contains("`a\\tb`"), "{short}");
    }
}
