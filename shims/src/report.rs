//! How pyv prints a failure, the same from the shims and the CLI: `pyv: <message>`, then
//! `hint: <what to do>`, on stderr, never panicking on a closed or full stderr.

use std::borrow::Cow;
use std::path::Path;

use crate::error::Error;

/// `text` safe to print on a terminal: control characters (ESC, CR, newline, C1's CSI) and the
/// bidi controls that reorder what follows are escaped the way the name validator's errors show
/// them (`escape_debug`: `\u{1b}`, `\n`); everything printable, quotes, backslashes and accents
/// included, is kept. Text with nothing to escape is returned as it is, without allocating.
pub fn escape(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path from outside (the current directory, a version file's, `$PYV_ROOT`) as it is shown in
/// every message: [`escape`]d, so a directory named `a\x1b[2Jb` cannot clear the screen.
pub fn shown(path: &Path) -> String {
    escape(&path.to_string_lossy()).into_owned()
}

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
/// found, first each selected version that is not installed, then the message and hint, then
/// the versions that do have the command (pyenv's advice, in its shape).
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
    report(e, e.hint());
    if !available_in.is_empty() {
        use std::io::Write;
        let mut advice = format!("\nThe `{command}' command exists in these Python versions:\n");
        for v in available_in {
            advice.push_str(&format!("  {v}\n"));
        }
        advice.push_str("\nNote: See 'pyv help global' for tips on allowing multiple\n");
        advice.push_str("      Python versions to be found at the same time.\n");
        // As in `report`: a closed stderr must not turn exit 127 into a panic.
        let _ = std::io::stderr().lock().write_all(advice.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_shows_control_characters_and_keeps_the_rest() {
        assert!(matches!(escape("/home/o'neil/\"x\" é"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[2Jb\n\r\u{9b}"), "a\\u{1b}[2Jb\\n\\r\\u{9b}");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(shown(Path::new("/t/a\u{1b}b")), "/t/a\\u{1b}b");
    }
}
