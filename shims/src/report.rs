//! How pyv prints a failure, the same from the shims and the CLI: `pyv: <message>`, then
//! `hint: <what to do>`, on stderr, never panicking on a closed or full stderr.

use crate::error::Error;

/// Print an error and its hint the way every pyv message looks. A closed or full stderr is
/// ignored (`eprintln!` would panic on EPIPE): the caller's exit code still tells what happened.
pub fn report(message: &dyn std::fmt::Display, hint: Option<String>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "pyv: {message}");
    if let Some(h) = hint {
        let _ = writeln!(err, "hint: {h}");
    }
}

/// Print an error of the selection core with everything pyenv prints for it: for a command not
/// found, first each selected version that is not installed, then the message, the versions
/// that do have the command (pyenv's words, on one line) and the hint: three lines in all, and
/// no pointer to tips elsewhere.
pub fn report_error(e: &Error) {
    let Error::CommandNotFound {
        command,
        available_in,
        missing,
        ..
    } = e
    else {
        return report(e, e.hint());
    };
    for m in missing {
        report(m, m.hint());
    }
    use std::io::Write;
    // As in `report`: a closed stderr must not turn exit 127 into a panic.
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "pyv: {e}");
    if !available_in.is_empty() {
        let _ = writeln!(
            err,
            "The `{command}' command exists in these Python versions: {}",
            available_in.join(", ")
        );
    }
    if let Some(h) = e.hint() {
        let _ = writeln!(err, "hint: {h}");
    }
}
