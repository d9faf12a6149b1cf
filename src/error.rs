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

    /// Stopped while waiting for another pyv's lock (any command but install, whose pipeline
    /// says this itself): nothing had been started.
    #[error(
        "interrupted by {} while waiting for another pyv; nothing was changed",
        crate::signals::name(*signal)
    )]
    InterruptedWaiting { signal: i32 },
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
            Error::InterruptedWaiting { .. } => Some(format!(
                "the other pyv goes on; run `{}` again once it is done",
                invoked_command()
            )),
        }
    }

    /// Print this error (with every cause, see [`with_causes`]) and its hint.
    pub fn report(&self) {
        pyv_core::report::report(&with_causes(self), self.hint());
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Core(e) => e.exit_code(),
            Error::Install(e) => e.exit_code(),
            Error::Catalog(e) => e.exit_code(),
            Error::Usage { .. } => 2,
            Error::InterruptedWaiting { signal } => 128 + signal,
            _ => 1,
        }
    }
}

impl From<crate::locks::LockError> for Error {
    fn from(e: crate::locks::LockError) -> Self {
        match e {
            crate::locks::LockError::Core(c) => Error::Core(c),
            crate::locks::LockError::Interrupted(crate::signals::Interrupted(signal)) => {
                Error::InterruptedWaiting { signal }
            }
        }
    }
}

/// The command as the user ran it (`pyv uninstall -f 3.12.1`), for a hint that says "run it
/// again"; each word shown escaped, as everything from outside is.
fn invoked_command() -> String {
    let words: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().escape_debug().to_string())
        .collect();
    std::iter::once("pyv".to_string())
        .chain(words)
        .collect::<Vec<_>>()
        .join(" ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error's message followed by each cause its message does not already show. Libraries
/// wrap the OS's error in their own (tar's "failed to unpack `X`" hides "No space left on
/// device" in its `source()`); the one place pyv prints errors keeps the whole chain.
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_hidden_behind_a_wrapper_are_shown_once() {
        // What the tar crate returns: its message, the OS error only as the source.
        #[derive(Debug)]
        struct Wrapper(std::io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("failed to unpack `x`")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let os = std::io::Error::from_raw_os_error(libc::ENOSPC);
        let enospc = os.to_string();
        let wrapped = std::io::Error::other(Wrapper(os));
        let e = Error::io("cannot extract into", "/stage", wrapped);
        assert_eq!(
            with_causes(&e),
            format!("cannot extract into `/stage`: failed to unpack `x`: {enospc}")
        );
        // A cause already in the message is not repeated.
        let plain = Error::io(
            "cannot write",
            "/f",
            std::io::Error::from_raw_os_error(libc::ENOSPC),
        );
        assert_eq!(with_causes(&plain), format!("cannot write `/f`: {enospc}"));
    }
}
