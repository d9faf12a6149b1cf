//! How pyv prints a failure, the same from the shims and the CLI: `pyv: <message>`, then
//! `hint: <what to do>`, on stderr, never panicking on a closed or full stderr.
//!
//! Messages carry strings from outside (file contents, directory names, servers' answers,
//! the environment), so everything printed here, and every note, warning and listing line of
//! the CLI (`ui.rs`), passes through [`escape`] first: an ESC in a `.python-version` or a
//! directory name is shown as `\u{1b}`, never sent to the terminal.

use std::borrow::Cow;
use std::path::Path;

use crate::error::Error;

/// `text` made safe to show on a terminal: each control character (C0, DEL, C1), which could
/// clear the screen, set the window title or rewrite what was printed, and the bidi controls
/// that reorder what follows, are written as Rust's `escape_debug` writes them (`\u{1b}`, `\r`,
/// `\0`), the style of the name validator's errors. A line feed and a tab are kept: they lay
/// out pyv's own multi-line messages (a build log's tail) and cannot hide anything. Everything
/// else, accents and CJK included, is unchanged; text with nothing to escape is not copied.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_if(text, |c| unsafe_char(c) && c != '\n' && c != '\t')
}

/// A path from outside (the current directory, a version file's, `$PYV_ROOT`) as it is shown in
/// every message: escaped like [`escape`], line feeds and tabs included (a directory name has
/// no layout to keep), so a directory named `a\x1b[2Jb` cannot clear the screen.
pub fn shown(path: &Path) -> String {
    escape_if(&path.to_string_lossy(), unsafe_char).into_owned()
}

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_if(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
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

/// Print an error and its hint the way every pyv message looks, escaped (see [`escape`]). A
/// closed or full stderr is ignored (`eprintln!` would panic on EPIPE): the caller's exit code
/// still tells what happened.
pub fn report(message: &dyn std::fmt::Display, hint: Option<String>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "pyv: {}", escape(&message.to_string()));
    if let Some(h) = hint {
        let _ = writeln!(err, "hint: {}", escape(&h));
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
    let _ = writeln!(err, "pyv: {}", escape(&e.to_string()));
    if !available_in.is_empty() {
        let _ = writeln!(
            err,
            "The `{command}' command exists in these Python versions: {}",
            escape(&available_in.join(", "))
        );
    }
    if let Some(h) = e.hint() {
        let _ = writeln!(err, "hint: {}", escape(&h));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_text_is_not() {
        assert_eq!(
            escape("3.12\x1b]0;pwned\x07 \x1b[2J\r\0\x7f\u{9b}"),
            "3.12\\u{1b}]0;pwned\\u{7} \\u{1b}[2J\\r\\0\\u{7f}\\u{9b}"
        );
        for kept in [
            "café, 日本語, ü",
            "two\nlines\tand a tab",
            "a `quoted' \\ \"path\"",
        ] {
            assert_eq!(escape(kept), kept);
        }
        assert!(matches!(escape("/home/o'neil/\"x\" é"), Cow::Borrowed(_)));
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn paths_are_shown_with_every_control_character_escaped() {
        assert_eq!(shown(Path::new("/t/a\u{1b}b")), "/t/a\\u{1b}b");
        assert_eq!(shown(Path::new("/t/a\nb\tc")), "/t/a\\nb\\tc");
    }
}
