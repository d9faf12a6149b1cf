//! A closed pipe is a normal way for output to end: `pyv versions | head -1` or `pyv install
//! --list | head` must stop quietly, never panic (Rust's `println!` panics on EPIPE, and the
//! release build aborts with status 134). As ripgrep does, a broken pipe on stdout or stderr
//! ends pyv with status 0 and no message; this is the one place that handles it, so commands
//! keep using `println!`.
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe returns EPIPE; `print!`/`eprint!` turn
//! that into a panic whose message is `failed printing to stdout: <the io::Error>`. The panic
//! hook recognises exactly that (the OS's own EPIPE text, not a guessed string) and exits.
//! SIGPIPE is deliberately not restored to its default: sockets and child pipes would then kill
//! pyv mid-download instead of returning an error it can report. Progress lines (`ui.rs`) and
//! error reports (`pyv_core::report::report`) ignore write errors themselves, so a lost progress
//! line never stops an install and a failing command keeps its exit code.

/// Install the panic hook (once, first thing in `main`).
pub fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_broken_pipe_panic(message) {
            std::process::exit(0);
        }
        default(info)
    }));
}

/// `failed printing to stdout: Broken pipe (os error 32)` (or stderr), as std words it.
fn is_broken_pipe_panic(message: &str) -> bool {
    let epipe = std::io::Error::from_raw_os_error(libc::EPIPE).to_string();
    ["stdout", "stderr"]
        .iter()
        .any(|stream| message == format!("failed printing to {stream}: {epipe}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_the_broken_pipe_of_a_standard_stream() {
        let epipe = std::io::Error::from_raw_os_error(libc::EPIPE);
        assert!(is_broken_pipe_panic(&format!(
            "failed printing to stdout: {epipe}"
        )));
        assert!(is_broken_pipe_panic(&format!(
            "failed printing to stderr: {epipe}"
        )));
        let enospc = std::io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(!is_broken_pipe_panic(&format!(
            "failed printing to stdout: {enospc}"
        )));
        assert!(!is_broken_pipe_panic("index out of bounds"));
    }
}
