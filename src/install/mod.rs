//! How an install turns a version name into a directory under `versions/`, top to bottom:
//! [`request`] decides what to build and which archive bytes are acceptable, [`preflight`]
//! checks the build dependencies before anything is downloaded, [`download`] streams and
//! verifies the archive into the cache, [`unpack`] extracts it safely into the staging dir,
//! [`build`] runs configure / make / make install (DESTDIR) and checks the result, and
//! [`staging`] holds the per-version lock and performs the one `rename` that makes it visible.
//!
//! Nothing in here may leave a half-built version where `versions/` listings can see it: all
//! partial work lives under `.staging/`, is removed on error and on SIGINT/SIGTERM
//! ([`signals`]), and leftovers of a killed install are removed by the next one.

pub mod build;
pub mod download;
pub mod preflight;
pub mod progress;
pub mod request;
pub mod signals;
pub mod staging;
pub mod unpack;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::ctx::Ctx;
pub use request::Plan;

/// Everything that can stop an install, each naming the offending value and where it came from.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The catalog does not know the requested version.
    #[error("`{request}` is not a CPython release pyv knows ({origin})")]
    Unknown {
        request: String,
        origin: String,
        close: Vec<String>,
    },

    #[error("version `{name}` is already installed in `{}`", dir.display())]
    Exists { name: String, dir: PathBuf },

    /// A bad value on the command line or in an environment variable (exit 2).
    #[error("{message}")]
    Usage { message: String, hint: String },

    /// Every source of the archive failed; `tried` says what each one answered.
    #[error("cannot download `{file}`: {}", tried.join("; "))]
    Download { file: String, tried: Vec<String> },

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

    #[error("{context} `{}`: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
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
            InstallError::Io { .. } => None,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            InstallError::Usage { .. } => 2,
            InstallError::Interrupted { signal } => 128 + signal,
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

/// How the user asked for the build to be done (flags and environment, already parsed).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub force: bool,
    pub skip_existing: bool,
    pub skip_preflight: bool,
    pub keep: bool,
    pub jobs: Option<usize>,
}

/// What one install did, for the summary line.
pub enum Outcome {
    Installed {
        name: String,
        dir: PathBuf,
        took: Duration,
    },
    AlreadyInstalled {
        name: String,
        by_other: bool,
    },
}

/// Install one planned version: lock, preflight, fetch, unpack, build, verify, rename in.
pub fn install(ctx: &Ctx, plan: &Plan, opts: &Options) -> Result<Outcome> {
    let started = Instant::now();
    let layout = &ctx.layout;
    let mut ui = progress::Ui::new(ctx.quiet, &plan.name);
    if ctx.verbose {
        ui = ui.plain(); // the streamed log and a spinner would garble each other
    }
    let target = layout.version_dir(&plan.name);

    // Held until the rename: a second install of this version waits here, then sees it.
    let lock = staging::VersionLock::acquire(layout, &plan.name, &ui)?;
    if pyv_core::resolve::is_symlink(&target) || target.exists() {
        if lock.waited && !opts.force {
            return Ok(Outcome::AlreadyInstalled {
                name: plan.name.clone(),
                by_other: true,
            });
        }
        if opts.skip_existing {
            return Ok(Outcome::AlreadyInstalled {
                name: plan.name.clone(),
                by_other: false,
            });
        }
        if !opts.force {
            return Err(InstallError::Exists {
                name: plan.name.clone(),
                dir: target,
            });
        }
    }
    staging::remove_stale(layout, &plan.name);

    // Compiler and make are always checked; the libraries unless `--skip-preflight`.
    let report = preflight::run(!opts.skip_preflight).for_version(&plan.version);
    report.print_warnings(&ui);
    report.require()?;
    signals::check()?;

    // From here on everything is written under `.staging/`, removed when `stage` drops.
    let archive = download::fetch(ctx, plan, &ui)?;
    let stage = staging::Stage::create(layout, &plan.name)?;
    let src = unpack::unpack(&archive, &stage.src_dir(), &ui)?;
    let log = build::Log::create(layout, &plan.name)?;
    let builder = build::Builder {
        plan,
        opts,
        ui: &ui,
        log: &log,
        src: &src,
        stage: &stage,
        prefix: &target,
        verbose: ctx.verbose,
    };
    builder.build()?;
    let report = builder.verify()?;
    signals::check()?;
    stage.commit(&target)?;
    if opts.keep {
        stage.keep_source(&src, &layout.sources_dir().join(&plan.name), &ui);
    }
    drop(lock);
    for w in report.warnings {
        ui.warn(&w);
    }
    Ok(Outcome::Installed {
        name: plan.name.clone(),
        dir: target,
        took: started.elapsed(),
    })
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
