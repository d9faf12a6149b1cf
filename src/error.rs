//! The CLI's error type. Every message names the value and where it came from; `hint()` is a
//! separate line saying what to do next. Exit codes: 1 error, 2 usage, 127 command not found.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] pyv_core::Error),

    #[error(transparent)]
    Install(#[from] crate::install::InstallError),

    #[error(transparent)]
    Venv(#[from] crate::venv::VenvError),

    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),

    /// A user-facing failure with an optional hint.
    #[error("{message}")]
    User {
        message: String,
        hint: Option<String>,
    },

    /// Bad command-line usage that clap could not catch (exit 2).
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },

    #[error("{context} `{}`: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn user(message: impl Into<String>, hint: impl Into<Option<String>>) -> Self {
        Error::User {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<Option<String>>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn io(context: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            context,
            path: path.into(),
            source,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Core(e) => e.hint(),
            Error::Install(e) => e.hint(),
            Error::Venv(e) => e.hint(),
            Error::Catalog(e) => e.hint(),
            Error::User { hint, .. } | Error::Usage { hint, .. } => hint.clone(),
            Error::Io { .. } => None,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Core(e) => e.exit_code(),
            Error::Install(e) => e.exit_code(),
            Error::Catalog(e) => e.exit_code(),
            Error::Usage { .. } => 2,
            _ => 1,
        }
    }
}

impl From<crate::locks::LockError> for Error {
    fn from(e: crate::locks::LockError) -> Self {
        Error::Install(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
