//! What an install shows while it works: one line (or, on a terminal, one live spinner) per
//! phase with its elapsed time, a byte/rate/ETA bar for the download, and a percentage while
//! compiling. Everything goes to stderr; `-q` silences all but warnings. Without a terminal the
//! same information is printed as plain lines, so CI logs show progress too.
//!
//! On a terminal every bar belongs to one `MultiProgress`, and every line pyv prints while one
//! may be drawn goes through it (`suspend`), so notes and warnings appear above the bar instead
//! of being written into it. A download's header line is printed before its bar exists, so no
//! empty `0 B/...` bar is left behind, and a phase or meter dropped while unwinding (an error,
//! Ctrl-C) erases its line.
//!
//! Every line here that embeds strings from outside (a URL, a path, a manifest's field) is
//! escaped by [`escape`] where it is written ([`Ui::note`], [`Ui::warn`], [`out`], [`err`]), so
//! no caller has to remember it; the bars' own drawing and pyv's generated scripts (`init`,
//! `completions`, `man`) are printed as they are, by other means.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
pub use pyv_core::report::escape;

use crate::report::{self, Reporter, Step};
/// The words for sizes and durations, shared with install code's messages.
pub use crate::report::{bytes, human_duration};

/// `eprintln!` that ignores a closed or full stderr: a lost progress line must not stop an
/// install (`eprintln!` panics on EPIPE, e.g. under `pyv install 3.12 2>&1 | head -3`).
macro_rules! progress {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// The terminal's [`Reporter`] for one install.
pub struct Ui {
    quiet: bool,
    label: String,
    /// Live bars on a terminal (none with `-q` or without a terminal).
    multi: Option<MultiProgress>,
}

impl Ui {
    /// `label` prefixes every line (the version being installed).
    pub fn new(quiet: bool, label: &str) -> Ui {
        let tty = std::io::stderr().is_terminal();
        Ui {
            quiet,
            label: label.to_string(),
            multi: (tty && !quiet).then(MultiProgress::new),
        }
    }

    /// Plain lines even on a terminal (used while `-v` streams the build log).
    pub fn plain(mut self) -> Ui {
        self.multi = None;
        self
    }

    /// Print one line on stderr, above any live bar, escaped.
    fn say(&self, line: &str) {
        let line = escape(line);
        match &self.multi {
            Some(m) => m.suspend(|| progress!("{line}")),
            None => progress!("{line}"),
        }
    }

    /// A bar that draws under this Ui's `MultiProgress`.
    fn live(&self, bar: ProgressBar) -> Option<ProgressBar> {
        self.multi.as_ref().map(|m| m.add(bar))
    }
}

impl Reporter for Ui {
    /// An informational line, silenced by `-q`.
    fn note(&self, msg: &str) {
        if !self.quiet {
            self.say(&format!("pyv: {}: {msg}", self.label));
        }
    }

    /// A warning, printed even with `-q`.
    fn warn(&self, msg: &str) {
        self.say(&format!("pyv: warning: {msg}"));
    }

    /// Start a phase (`configure`, `compile`, ...): a spinner, or a `... ` line.
    fn phase(&self, step: Step) -> Box<dyn report::Phase + '_> {
        let name = step.name();
        let bar = self.live(ProgressBar::new_spinner()).inspect(|b| {
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed}]")
                    .expect("valid template"),
            );
            b.set_prefix(format!("{} {name}", self.label));
            b.enable_steady_tick(Duration::from_millis(120));
        });
        if bar.is_none() && !self.quiet {
            progress!("pyv: {}: {name} ...", self.label);
        }
        Box::new(Phase {
            bar,
            quiet: self.quiet,
            label: self.label.clone(),
            name,
            started: Instant::now(),
            shown_pct: 0,
        })
    }

    /// A byte counter for one download; `done` bytes were already there (a resumed `.part`).
    fn download(&self, url: &str, total: Option<u64>, done: u64) -> Box<dyn report::Meter + '_> {
        // The header first: a bar drawn before it would be left on screen, empty.
        if !self.quiet {
            let from = if done > 0 {
                format!(" (resuming at {})", bytes(done))
            } else {
                String::new()
            };
            let size = total.map(|t| format!(", {}", bytes(t))).unwrap_or_default();
            let dots = if self.multi.is_some() { "" } else { " ..." };
            self.say(&format!(
                "pyv: {}: download {url}{size}{from}{dots}",
                self.label
            ));
        }
        let bar = self
            .live(match total {
                Some(t) => ProgressBar::new(t),
                None => ProgressBar::new_spinner(),
            })
            .inspect(|b| {
                b.set_style(
                    ProgressStyle::with_template(
                        "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                );
                b.set_prefix(format!("{} download", self.label));
                b.set_position(done);
                // Count the resumed bytes as a starting point, not as bytes received just now.
                b.tick();
                b.reset_eta();
            });
        Box::new(Meter {
            bar,
            quiet: self.quiet,
            label: self.label.clone(),
            total,
            done,
            resumed: done,
            started: Instant::now(),
            shown_quarter: 0,
        })
    }
}

/// One running phase on the terminal.
struct Phase {
    bar: Option<ProgressBar>,
    quiet: bool,
    label: String,
    name: &'static str,
    started: Instant,
    shown_pct: u8,
}

impl report::Phase for Phase {
    /// Show a completion percentage (plain output prints every 10 %).
    fn percent(&mut self, pct: u8) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{pct}%"));
        } else if !self.quiet && pct >= self.shown_pct + 10 {
            self.shown_pct = pct - pct % 10;
            progress!(
                "pyv: {}: {} {}% ({})",
                self.label,
                self.name,
                self.shown_pct,
                human_duration(self.started.elapsed())
            );
        }
    }

    fn finish(self: Box<Self>) {
        let took = human_duration(self.started.elapsed());
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if !self.quiet {
            progress!("pyv: {}: {} done ({took})", self.label, self.name);
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A running download's byte counter on the terminal.
struct Meter {
    bar: Option<ProgressBar>,
    quiet: bool,
    label: String,
    total: Option<u64>,
    /// Bytes of the file we have, including [`Meter::resumed`].
    done: u64,
    /// Bytes that were already there when this run started (a resumed `.part`).
    resumed: u64,
    started: Instant,
    shown_quarter: u64,
}

impl report::Meter for Meter {
    fn add(&mut self, n: u64) {
        self.done += n;
        if let Some(b) = &self.bar {
            b.set_position(self.done);
        } else if let (false, Some(t)) = (self.quiet, self.total.filter(|t| *t > 0)) {
            let quarter = self.done * 4 / t;
            if quarter > self.shown_quarter && quarter < 4 {
                self.shown_quarter = quarter;
                progress!(
                    "pyv: {}: download {}% ({} of {})",
                    self.label,
                    quarter * 25,
                    bytes(self.done),
                    bytes(t)
                );
            }
        }
    }

    fn finish(self: Box<Self>) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if !self.quiet {
            progress!(
                "pyv: {}: {}",
                self.label,
                done_summary(self.done, self.resumed, self.started.elapsed())
            );
        }
    }
}

/// `download done (3.0 MiB in 1.0s, 3.0 MiB/s)`: the size and rate count only the bytes fetched
/// in this run, not those a resumed download already had.
fn done_summary(done: u64, resumed: u64, took: Duration) -> String {
    let fetched = done.saturating_sub(resumed);
    let secs = took.as_secs_f64().max(0.001);
    let mut s = format!(
        "download done ({} in {}, {}/s",
        bytes(fetched),
        human_duration(took),
        bytes((fetched as f64 / secs) as u64)
    );
    if resumed > 0 {
        s.push_str(&format!("; resumed at {}", bytes(resumed)));
    }
    s.push(')');
    s
}

impl Drop for Meter {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Write `text` to stdout at once; a reader that went away (`pyv versions | head -1`) is not
/// an error worth a panic, as `println!` would make it.
pub fn print_all(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
}

/// Print one line of a listing or a result on stdout, escaped (see [`escape`]): the way a
/// line that shows strings from outside is printed. Like `println!`, a closed stdout ends pyv
/// quietly (`pipes.rs`).
pub fn out(line: &str) {
    println!("{}", escape(line));
}

/// Print one note, warning or hint line on stderr, escaped (see [`escape`]). A closed or full
/// stderr is ignored: a lost note must not change what the command does.
pub fn err(line: &str) {
    progress!("{}", escape(line));
}

/// Ask `question [y/N]` on stderr and read one line of stdin, whether or not it is a terminal
/// (as pyenv does, so `yes | pyv uninstall 3.11.2` works). Only `y`/`yes` is consent: EOF, an
/// empty line, a read error or anything else keeps what would have been removed. The one
/// confirmation policy of every destructive command; `-f` skips the question.
pub fn confirm(question: &str) -> bool {
    use std::io::{BufRead, Write};
    eprint!("pyv: {} [y/N] ", escape(question));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    match std::io::stdin().lock().read_line(&mut answer) {
        Ok(n) if n > 0 => is_yes(&answer),
        _ => {
            progress!();
            false
        }
    }
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_y_or_yes_consents() {
        for yes in ["y", "Y\n", " yes ", "YES\r\n"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yess", "yes please", "1"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }

    #[test]
    fn a_resumed_download_counts_only_this_runs_bytes() {
        const MIB: u64 = 1 << 20;
        // 7 MiB were there; 3 MiB more came in 1 s: 3 MiB/s, not 10 (or 132 GiB/s).
        assert_eq!(
            done_summary(10 * MIB, 7 * MIB, Duration::from_secs(1)),
            "download done (3.00 MiB in 1.0s, 3.00 MiB/s; resumed at 7.00 MiB)"
        );
        assert_eq!(
            done_summary(4 * MIB, 0, Duration::from_secs(2)),
            "download done (4.00 MiB in 2.0s, 2.00 MiB/s)"
        );
        // A `.part` that was already complete: nothing fetched, no division by zero.
        assert_eq!(
            done_summary(MIB, MIB, Duration::ZERO),
            "download done (0 B in 0.0s, 0 B/s; resumed at 1.00 MiB)"
        );
    }

    #[test]
    fn durations_for_people() {
        assert_eq!(human_duration(Duration::from_millis(800)), "0.8s");
        assert_eq!(human_duration(Duration::from_secs(42)), "42s");
        assert_eq!(human_duration(Duration::from_secs(65)), "1m05s");
    }
}
