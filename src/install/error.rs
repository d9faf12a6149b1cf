//! [`InstallError`]: everything that can stop an install, with its hint and exit code.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::signals::{self, Interrupted};

/// Everything that can stop an install, each naming the offending value and where it came from.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The catalog does not know the requested version.
    #[error("`{request}` is not a CPython release pyv knows {origin}")]
    Unknown {
        request: String,
        /// What asked for it (printed in its parentheses).
        origin: pyv_core::Origin,
        close: Vec<String>,
    },

    #[error("version `{name}` is already installed in `{}`", dir.display())]
    Exists { name: String, dir: PathBuf },

    /// A bad value on the command line or in an environment variable (exit 2).
    #[error("{message}")]
    Usage { message: String, hint: String },
    /// A cache another user could have changed (not the user's, or writable by others).
    #[error("{}", .0.message)]
    Untrusted(crate::linktree::Untrusted),

    /// Every source of the archive failed; `tried` says what each one answered.
    #[error("cannot download `{file}` from any source:{}", tried.iter().map(|t| format!("\n  {t}")).collect::<String>())]
    Download {
        file: String,
        tried: Vec<String>,
        /// Every source answered "not here" (4xx): the release is missing, not the network.
        all_missing: bool,
        /// A better hint than the generic one, when the caller found one (what a mirror has).
        hint: Option<String>,
    },

    #[error(
        "checksum mismatch for `{file}` from {url}: expected sha256 {expected}, got {actual}; \
         the bytes were deleted and nothing was installed"
    )]
    Digest {
        file: String,
        url: String,
        expected: String,
        actual: String,
    },

    #[error("refusing archive `{}`: entry `{entry}` {reason}; nothing was extracted", archive.display())]
    UnsafeArchive {
        archive: PathBuf,
        entry: String,
        reason: String,
    },

    #[error("cannot use archive `{}`: {reason}", path.display())]
    Archive { path: PathBuf, reason: String },

    /// A local archive named on the command line is a FIFO, a device, a directory...
    #[error("`{}` (given on the command line) is {kind}, not an archive file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },

    /// The preflight found something without which the build cannot succeed.
    #[error("cannot build Python here: {}", missing.join(", "))]
    Preflight {
        missing: Vec<String>,
        install: Option<String>,
        skippable: bool,
    },

    /// A build step exited non-zero.
    #[error("{0}")]
    Build(Box<BuildFailure>),

    /// The built interpreter lacks a module no Python can do without.
    #[error("the built Python {} cannot import `{}`: {}\n  log: {}", .0.name, .0.module, .0.reason, .0.log.display())]
    Verify(Box<VerifyFailure>),

    #[error("interrupted by {}; the partial install was removed", signals::name(*signal))]
    Interrupted { signal: i32 },

    /// Stopped while waiting for another pyv's lock: nothing had been started.
    #[error(
        "interrupted by {} while waiting for another pyv; nothing was changed",
        signals::name(*signal)
    )]
    InterruptedWaiting { signal: i32 },

    #[error("{context} `{}`: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(transparent)]
    Core(#[from] pyv_core::Error),
}

impl From<Interrupted> for InstallError {
    fn from(Interrupted(signal): Interrupted) -> Self {
        InstallError::Interrupted { signal }
    }
}

impl From<crate::locks::LockError> for InstallError {
    fn from(e: crate::locks::LockError) -> Self {
        match e {
            crate::locks::LockError::Core(c) => InstallError::Core(c),
            crate::locks::LockError::Interrupted(Interrupted(signal)) => {
                InstallError::InterruptedWaiting { signal }
            }
        }
    }
}

impl InstallError {
    pub fn io(context: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        InstallError::Io {
            context,
            path: path.into(),
            source,
        }
    }

    /// What to do next, printed on its own `hint:` line.
    pub fn hint(&self) -> Option<String> {
        match self {
            InstallError::Unknown { request, close, .. } => {
                let mut h = String::new();
                if let Some(meant) = pyv_core::typo::repair(request) {
                    let _ = write!(h, "did you mean `{meant}`? ");
                }
                if !close.is_empty() {
                    let _ = write!(h, "nearest known: {}; ", close.join(", "));
                }
                let _ = write!(
                    h,
                    "for a release newer than this pyv, pass `--sha256 <hex>` or a local archive \
                     (`pyv install ./Python-{request}.tar.xz`); `pyv install --list` shows all"
                );
                Some(h)
            }
            InstallError::Exists { name, .. } => Some(format!(
                "`pyv install --force {name}` rebuilds it (the old one stays until the new one \
                 works); `--skip-existing` makes this a no-op"
            )),
            InstallError::Usage { hint, .. } => Some(hint.clone()),
            InstallError::Untrusted(u) => Some(u.hint.clone()),
            InstallError::Download { hint: Some(h), .. } => Some(h.clone()),
            InstallError::Download {
                all_missing: true, ..
            } => Some(
                "no source has this release: check PYV_MIRROR (comma-separated base URLs in \
                 python.org's layout), or pick another version (`pyv install --list`)"
                    .into(),
            ),
            InstallError::Download { .. } => Some(
                "check the network or PYV_MIRROR (comma-separated base URLs in python.org's \
                 layout); a partial download is resumed on the next try"
                    .into(),
            ),
            InstallError::Digest { .. } => Some(
                "the mirror or a proxy served different bytes; fix or unset PYV_MIRROR and retry \
                 (a mismatch is never retried automatically)"
                    .into(),
            ),
            InstallError::UnsafeArchive { .. } => {
                Some("do not use this archive: get it from python.org again".into())
            }
            InstallError::Archive { .. } => Some(
                "a local archive must be named `Python-<version>.tar.xz`, `.tgz` or `.tar.gz`"
                    .into(),
            ),
            InstallError::NotAFile { .. } => Some(
                "pass the path of a `Python-<version>.tar.xz`, `.tgz` or `.tar.gz` file; pyv \
                 does not read archives from pipes or devices (save the stream to a file first)"
                    .into(),
            ),
            InstallError::Preflight {
                install, skippable, ..
            } => {
                let mut h = match install {
                    Some(cmd) => format!("install them with: {cmd}"),
                    None => "install a C compiler, make and the development headers".into(),
                };
                if *skippable {
                    h.push_str(" (or pass `--skip-preflight` to try anyway)");
                }
                Some(h)
            }
            InstallError::Build(b) => Some(match &b.cause {
                Some(c) => c.clone(),
                None => format!("read the full log: less {}", b.log.display()),
            }),
            InstallError::Verify(v) => Some(match &v.package {
                Some(p) => format!("install {p}, then run the same `pyv install` again"),
                None => "install the missing development package, then retry".into(),
            }),
            InstallError::Interrupted { .. } => {
                Some("run the same `pyv install` again to start over".into())
            }
            InstallError::InterruptedWaiting { .. } => Some(
                "the other pyv goes on; run the same `pyv install` again once it is done".into(),
            ),
            InstallError::Io { .. } => None,
            InstallError::Core(e) => e.hint(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            InstallError::Usage { .. } => 2,
            InstallError::Interrupted { signal } | InstallError::InterruptedWaiting { signal } => {
                128 + signal
            }
            InstallError::Core(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// Which build step failed, and what the log says.
#[derive(Debug)]
pub struct BuildFailure {
    pub name: String,
    pub step: String,
    pub status: String,
    pub log: PathBuf,
    /// The last lines of the log, indented.
    pub tail: String,
    /// Advice derived from the log (a missing header and its package).
    pub cause: Option<String>,
}

impl std::fmt::Display for BuildFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` failed while building {} ({})\n  log: {}\n{}",
            self.step,
            self.name,
            self.status,
            self.log.display(),
            self.tail
        )
    }
}

/// A required module the built interpreter cannot import.
#[derive(Debug)]
pub struct VerifyFailure {
    pub name: String,
    pub module: String,
    pub reason: String,
    pub log: PathBuf,
    /// The package that provides the missing library, with its install command.
    pub package: Option<String>,
}

pub type Result<T, E = InstallError> = std::result::Result<T, E>;
