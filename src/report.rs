//! What install code tells whoever started it: notes, warnings, and the start, progress and
//! end of each step. Code under `install/` takes a `&dyn Reporter` and never draws anything
//! itself (uv's downloads `Reporter`): the terminal front end is [`crate::ui::Ui`], unit tests
//! use [`Recording`], and [`Quiet`] drops everything (for a machine-readable front end).
//!
//! A step is a handle ([`Phase`], [`Meter`]): `finish` says it succeeded; dropping it unfinished
//! (an error, Ctrl-C) says it was abandoned, so a front end can erase what it drew.

use std::time::Duration;

/// `25.3 MiB`: a size in messages (the terminal's and the install code's).
pub fn bytes(n: u64) -> String {
    indicatif::BinaryBytes(n).to_string()
}

/// `1m05s`, `42s`, `0.8s`: how long something took, for people.
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1}s")
    } else if s < 60.0 {
        format!("{}s", s as u64)
    } else {
        format!("{}m{:02}s", s as u64 / 60, s as u64 % 60)
    }
}

/// The steps of an install a front end can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Unpack,
    Configure,
    Compile,
    /// `make install`, or a conda installer.
    Install,
    Verify,
    /// Storing a build in the artifact cache.
    Cache,
    /// Placing the unpacked copy of a cached build.
    Copy,
    Relocate,
    /// `ensurepip` for PyPy/GraalPy.
    Pip,
}

impl Step {
    /// The word printed for the step (`pyv: 3.12.7: configure done (4.1s)`).
    pub fn name(self) -> &'static str {
        match self {
            Step::Unpack => "unpack",
            Step::Configure => "configure",
            Step::Compile => "compile",
            Step::Install => "install",
            Step::Verify => "verify",
            Step::Cache => "cache",
            Step::Copy => "copy",
            Step::Relocate => "relocate",
            Step::Pip => "pip",
        }
    }
}

/// Where install code reports what it does (`Sync`: a download's "still waiting" notes come
/// from a watcher thread).
pub trait Reporter: Sync {
    /// An informational line (silenced by `-q` on the terminal).
    fn note(&self, msg: &str);
    /// Something the user should know even with `-q`.
    fn warn(&self, msg: &str);
    /// A step starts.
    fn phase(&self, step: Step) -> Box<dyn Phase + '_>;
    /// A download of `url` starts; `resumed` bytes were already there (a resumed `.part`).
    fn download(&self, url: &str, total: Option<u64>, resumed: u64) -> Box<dyn Meter + '_>;
}

/// One running step.
pub trait Phase {
    /// How far it is, in percent.
    fn percent(&mut self, pct: u8);
    /// It succeeded.
    fn finish(self: Box<Self>);
}

/// One running download.
pub trait Meter {
    /// `n` more bytes arrived.
    fn add(&mut self, n: u64);
    /// All bytes arrived and were verified.
    fn finish(self: Box<Self>);
}

/// Reports nothing at all.
#[cfg_attr(not(test), allow(dead_code))] // for the coming `--json`
pub struct Quiet;

impl Reporter for Quiet {
    fn note(&self, _: &str) {}
    fn warn(&self, _: &str) {}
    fn phase(&self, _: Step) -> Box<dyn Phase + '_> {
        Box::new(Quiet)
    }
    fn download(&self, _: &str, _: Option<u64>, _: u64) -> Box<dyn Meter + '_> {
        Box::new(Quiet)
    }
}

impl Phase for Quiet {
    fn percent(&mut self, _: u8) {}
    fn finish(self: Box<Self>) {}
}

impl Meter for Quiet {
    fn add(&mut self, _: u64) {}
    fn finish(self: Box<Self>) {}
}

#[cfg(test)]
pub use recording::{Event, Recording};

#[cfg(test)]
mod recording {
    use super::{Meter, Phase, Reporter, Step};
    use std::sync::Mutex;

    /// What a [`Recording`] saw, in order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Event {
        Note(String),
        Warn(String),
        Start(Step),
        Percent(Step, u8),
        Done(Step),
        /// Dropped without `finish`.
        Abandoned(Step),
        Download {
            url: String,
            total: Option<u64>,
            resumed: u64,
        },
        Received(u64),
        Downloaded,
        DownloadAbandoned,
    }

    /// Keeps every event, for tests.
    #[derive(Default)]
    pub struct Recording {
        events: Mutex<Vec<Event>>,
    }

    impl Recording {
        pub fn events(&self) -> Vec<Event> {
            self.events.lock().unwrap().clone()
        }

        fn push(&self, e: Event) {
            self.events.lock().unwrap().push(e);
        }
    }

    impl Reporter for Recording {
        fn note(&self, msg: &str) {
            self.push(Event::Note(msg.to_string()));
        }
        fn warn(&self, msg: &str) {
            self.push(Event::Warn(msg.to_string()));
        }
        fn phase(&self, step: Step) -> Box<dyn Phase + '_> {
            self.push(Event::Start(step));
            Box::new(Recorded {
                rec: self,
                step: Some(step),
                done: false,
            })
        }
        fn download(&self, url: &str, total: Option<u64>, resumed: u64) -> Box<dyn Meter + '_> {
            self.push(Event::Download {
                url: url.to_string(),
                total,
                resumed,
            });
            Box::new(Recorded {
                rec: self,
                step: None,
                done: false,
            })
        }
    }

    /// A step (`step` set) or a download of a [`Recording`].
    struct Recorded<'a> {
        rec: &'a Recording,
        step: Option<Step>,
        done: bool,
    }

    impl Phase for Recorded<'_> {
        fn percent(&mut self, pct: u8) {
            let step = self.step.expect("a phase");
            self.rec.push(Event::Percent(step, pct));
        }
        fn finish(mut self: Box<Self>) {
            self.done = true;
            let step = self.step.expect("a phase");
            self.rec.push(Event::Done(step));
        }
    }

    impl Meter for Recorded<'_> {
        fn add(&mut self, n: u64) {
            self.rec.push(Event::Received(n));
        }
        fn finish(mut self: Box<Self>) {
            self.done = true;
            self.rec.push(Event::Downloaded);
        }
    }

    impl Drop for Recorded<'_> {
        fn drop(&mut self) {
            if !self.done {
                self.rec.push(match self.step {
                    Some(step) => Event::Abandoned(step),
                    None => Event::DownloadAbandoned,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_keeps_steps_in_order_and_sees_abandoned_ones() {
        let rec = Recording::default();
        let r: &dyn Reporter = &rec;
        let mut p = r.phase(Step::Compile);
        p.percent(40);
        p.finish();
        let mut m = r.download("file:///a", Some(3), 1);
        m.add(2);
        m.finish();
        drop(r.phase(Step::Verify));
        drop(r.download("file:///b", None, 0));
        r.warn("w");
        assert_eq!(
            rec.events(),
            [
                Event::Start(Step::Compile),
                Event::Percent(Step::Compile, 40),
                Event::Done(Step::Compile),
                Event::Download {
                    url: "file:///a".into(),
                    total: Some(3),
                    resumed: 1
                },
                Event::Received(2),
                Event::Downloaded,
                Event::Start(Step::Verify),
                Event::Abandoned(Step::Verify),
                Event::Download {
                    url: "file:///b".into(),
                    total: None,
                    resumed: 0
                },
                Event::DownloadAbandoned,
                Event::Warn("w".into()),
            ]
        );
    }

    #[test]
    fn quiet_reports_nothing_and_does_not_panic() {
        let q: &dyn Reporter = &Quiet;
        q.note("n");
        let mut p = q.phase(Step::Unpack);
        p.percent(1);
        p.finish();
        q.download("u", None, 0).finish();
    }
}
