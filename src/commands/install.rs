//! `pyv install`: parse the flags, plan each request (`crate::install::plan`), run the install
//! pipeline (`crate::install`), rehash, and print one summary line per version.

use clap::Args;
use pyv_core::env_vars::EnvVars;
use pyv_core::resolve;
use pyv_core::Origin;

use crate::catalog::{self, Catalog};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::install::plan::{Flags, Job, Planner};
use crate::install::prebuilt::{self, Mode};
use crate::install::{self, request, InstallError, Options, Outcome};
use crate::signals;
use crate::ui::Ui;

/// Install Python versions, built from python.org's source
///
/// The archive's SHA-256 is checked against pyv's catalog before anything is unpacked, the
/// build dependencies are checked before anything is downloaded, and the new version becomes
/// visible with one rename only after its interpreter has been tested. Environment:
/// PYV_MIRROR (comma-separated base URLs tried before python.org; http, https or file),
/// PYV_PYTHON_ORG (replaces python.org's base URL for downloads; new releases and their digests
/// still come from python.org's API or PYV_PYTHON_ORG_API), PYV_CONFIGURE_OPTS, PYV_MAKE_OPTS,
/// CC, CFLAGS, LDFLAGS, and pyenv's python-build variables (PYTHON_CONFIGURE_OPTS,
/// CONFIGURE_OPTS, PYTHON_CFLAGS, MAKE_OPTS,
/// PYTHON_MAKE_INSTALL_TARGET, PYTHON_BUILD_CACHE_PATH, PYTHON_BUILD_MIRROR_URL, ...; `-v` says
/// which won). Build logs go to
/// $PYV_ROOT/logs/. Verified builds are kept in $PYV_CACHE_DIR/artifacts and reused instead of
/// compiling (PYV_ARTIFACT_CACHE=0 turns that off; PYV_ARTIFACT_MIRROR names shared artifact
/// directories). Prebuilt Pythons (python-build-standalone, opt-in):
/// PYV_INSTALL=source|prebuilt|auto, PYV_PREBUILT_MIRROR, PYV_PREBUILT_TABLE. PyPy, GraalPy,
/// Miniforge, Mambaforge, Miniconda and Anaconda install under pyenv's names
/// (`pypy3.10-7.3.17`, `graalpy-24.1.1`, `miniforge3-24.11.0-0`; a prefix such as `pypy3.10`
/// means the newest); PYV_MIRROR_MAP redirects their downloads (`<upstream>=<mirror>`, ...).
#[derive(Args)]
pub struct Install {
    /// `3.12.1`, `3.12` (newest 3.12.x), `3.13t` (free-threaded), `latest`, `pypy3.10`,
    /// `miniforge3-24.11.0-0`, or a local archive such as `./Python-3.14.2.tar.xz`; append
    /// `:ALIAS` to install it as `versions/ALIAS` (`3.12.8:3.12-lto`, pyenv 2.8's form); none: what
    /// the current selection names but is missing. With --list: filters (`pypy`, `cpython`)
    #[arg(value_name = "VERSION")]
    pub versions: Vec<String>,
    /// List the versions pyv can install (CPython, then PyPy, GraalPy and the conda family, as
    /// pyenv does); names after it filter by prefix (`--list pypy3.10 miniforge`, `--list cpython`)
    #[arg(short, long)]
    pub list: bool,
    /// Rebuild an installed version (the old one stays until the new one works)
    #[arg(short, long, conflicts_with = "skip_existing")]
    pub force: bool,
    /// Succeed without doing anything if the version is already installed
    #[arg(short, long)]
    pub skip_existing: bool,
    /// Accept a release pyv's catalog does not know, if its archive has this SHA-256
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Build even if the ssl or zlib development files seem to be missing
    #[arg(long)]
    pub skip_preflight: bool,
    /// Build with `--with-pydebug`; installed as `<version>-debug`
    #[arg(short = 'g', long)]
    pub debug: bool,
    /// Keep the source tree in $PYV_ROOT/sources/<version>
    #[arg(short, long)]
    pub keep: bool,
    /// Build from source even if the artifact cache has this exact build (the cached build is
    /// replaced); PYV_ARTIFACT_CACHE=0 turns the cache off entirely
    #[arg(long)]
    pub no_cache: bool,
    /// Parallel make jobs [default: PYV_MAKE_OPTS if set, else the number of cores]
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Install a prebuilt python-build-standalone CPython instead of building from source
    /// (verified against pyv's table; installed under the plain version name)
    #[arg(long, conflicts_with_all = ["sha256", "debug", "keep", "source"])]
    pub prebuilt: bool,
    /// Build from source even if PYV_INSTALL says `prebuilt` or `auto`
    #[arg(long)]
    pub source: bool,
}

impl Install {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let result = self.run_all(ctx);
        // Leftovers of killed installs/uninstalls were being deleted beside the work.
        crate::locks::finish_sweeps();
        result
    }

    fn run_all(self, ctx: &Ctx) -> Result<i32> {
        let (mode, asked_by) = self.mode()?;
        // Read only when a prebuilt may be used: a bad mirror must not break source builds.
        let cfg = match mode {
            Mode::Source => None,
            _ => Some(prebuilt::Config::from_env()?),
        };
        if let (true, Some(cfg)) = (self.list && mode == Mode::Prebuilt, &cfg) {
            return list_prebuilt(cfg);
        }
        if self.list {
            return self.list_all(ctx);
        }
        let settings = ctx.install_settings()?;
        signals::install();
        let sha256 = self
            .sha256
            .as_deref()
            .map(request::parse_sha256)
            .transpose()?;
        let requests = self.requests(ctx)?;
        if sha256.is_some() && requests.len() > 1 {
            return Err(Error::usage(
                format!(
                    "`--sha256` applies to one version, but {} were requested",
                    requests.len()
                ),
                Some("install one version per `--sha256`".to_string()),
            ));
        }
        let opts = Options {
            force: self.force,
            skip_existing: self.skip_existing,
            skip_preflight: self.skip_preflight,
            keep: self.keep,
            jobs: self.jobs.filter(|j| *j > 0),
            no_cache: self.no_cache,
        };
        let flags = Flags {
            sha256: sha256.as_deref(),
            debug: self.debug,
            keep: self.keep,
        };
        // Planning draws no bars: its notes and warnings are plain lines, as they always were.
        let planning = Ui::new(ctx.quiet, "install").plain();
        let mut planner = Planner::new(mode, asked_by, cfg, &ctx.cache_dir, &planning)?;
        let many = requests.len() > 1;
        let mut failed: Vec<String> = Vec::new();
        let mut done: Vec<String> = Vec::new();
        let mut existing: Vec<String> = Vec::new();
        for (raw, origin) in requests {
            match install_one(ctx, &settings, &opts, &mut planner, flags, &raw, &origin) {
                Ok(()) => done.push(raw),
                // Ctrl-C (or SIGTERM) stops them all; one version failing does not.
                Err(e) if !many || e.exit_code() > 128 || signals::pending().is_some() => {
                    return Err(e)
                }
                // Among several, one that is there already is skipped, not failed.
                Err(Error::Install(InstallError::Exists { name, .. })) => {
                    pyv_core::report::report(
                        &format!("`{name}` is already installed; skipped"),
                        Some(format!("`pyv install --force {name}` rebuilds it")),
                    );
                    existing.push(raw);
                }
                Err(e) => {
                    e.report();
                    failed.push(raw);
                }
            }
        }
        if failed.is_empty() {
            return Ok(0);
        }
        // Several versions and some failed: say which, once, at the end (the errors scrolled by).
        say_failed(&failed, &done, &existing);
        Ok(1)
    }

    /// `--list`: CPython's releases, then PyPy, GraalPy and the conda family for this
    /// platform in pyenv's order; arguments keep only the names they start (`cpython`: CPython).
    fn list_all(&self, ctx: &Ctx) -> Result<i32> {
        let keep = |name: &str, cpython: bool| {
            self.versions.is_empty()
                || self
                    .versions
                    .iter()
                    .any(|f| name.starts_with(f.as_str()) || (cpython && f == "cpython"))
        };
        let mut out = String::new();
        for v in Catalog::load_or_warn(&ctx.cache_dir)?.versions() {
            for name in [v.to_string(), format!("{v}t")] {
                let exists = !name.ends_with('t') || catalog::supports_free_threading(v);
                if exists && keep(&name, true) {
                    out.push_str(&name);
                    out.push('\n');
                }
            }
        }
        let others = prebuilt::Config::from_env()?;
        if let Some(target) = others.target {
            for name in others.table.other_names(target) {
                if keep(name, false) {
                    out.push_str(name);
                    out.push('\n');
                }
            }
        }
        let shown = out.len();
        // A closed pipe (`| head`) is not an error worth a panic.
        crate::ui::print_all(&out);
        if shown == 0 && !self.versions.is_empty() {
            return Err(Error::user(
                format!(
                    "no installable version starts with {} (given on the command line)",
                    self.versions
                        .iter()
                        .map(|f| format!("`{}`", f.escape_debug()))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
                Some(
                    "filters are name prefixes: `cpython`, `3.12`, `pypy`, `pypy3.10`, `graalpy`, \
                     `miniforge3`, `mambaforge`, `miniconda3`, `anaconda3`"
                        .to_string(),
                ),
            ));
        }
        Ok(0)
    }

    /// Source, prebuilt or auto, and what asked for it: the flags win over PYV_INSTALL.
    fn mode(&self) -> Result<(Mode, &'static str)> {
        mode(self.prebuilt, self.source)
    }

    /// The requests with where each came from: the arguments, or the missing selected versions.
    fn requests(&self, ctx: &Ctx) -> Result<Vec<(String, Origin)>> {
        if !self.versions.is_empty() {
            return Ok(self
                .versions
                .iter()
                .map(|v| (v.clone(), Origin::Argument))
                .collect());
        }
        let sel = ctx.selection()?;
        if matches!(sel.origin, Origin::Default(_)) {
            return Err(Error::usage(
                "no version given and none selected",
                Some("name one: `pyv install 3.13` (see `pyv install --list`)".to_string()),
            ));
        }
        let origin = &sel.origin;
        let missing: Vec<(String, Origin)> = sel
            .versions
            .iter()
            .filter(|v| *v != "system")
            .filter(|v| resolve::resolve(&ctx.layout, v, &sel.origin).is_err())
            // Other tools' spellings (`python3.12`, `cpython@3.12`) install as the version.
            .map(|v| match pyv_core::request::parse(v) {
                Ok(pyv_core::request::Request::Name(n)) => (n.to_string(), origin.clone()),
                _ => (v.clone(), origin.clone()),
            })
            .collect();
        if missing.is_empty() && !ctx.quiet {
            if sel.versions.iter().all(|v| v == "system") {
                crate::ui::out(&format!(
                    "only `system` is selected {origin}; nothing to install"
                ));
            } else {
                crate::ui::out(&format!(
                    "every selected version is installed: {} {origin}",
                    sel.versions.join(", ")
                ));
            }
            println!(
                "to install another: `pyv install <version>` (`pyv install --list` shows them)"
            );
        }
        Ok(missing)
    }
}

/// Source, prebuilt or auto, and what asked for it: `--prebuilt`/`--source` win over
/// PYV_INSTALL (`pyv upgrade` has neither flag and follows PYV_INSTALL as `install` does).
pub(crate) fn mode(prebuilt: bool, source: bool) -> Result<(Mode, &'static str)> {
    if prebuilt {
        return Ok((Mode::Prebuilt, "`--prebuilt`"));
    }
    if source {
        return Ok((Mode::Source, "`--source`"));
    }
    let env = std::env::var(EnvVars::PYV_INSTALL).ok();
    Ok(match Mode::parse_env(env.as_deref())? {
        Some(Mode::Prebuilt) => (Mode::Prebuilt, "PYV_INSTALL=prebuilt"),
        Some(Mode::Auto) => (Mode::Auto, "PYV_INSTALL=auto"),
        _ => (Mode::Source, "PYV_INSTALL=source"),
    })
}

/// `--prebuilt --list`: the prebuilt versions for this platform.
fn list_prebuilt(cfg: &prebuilt::Config) -> Result<i32> {
    let target = cfg.cpython_target("`pyv install --list` shows the source releases".into())?;
    for v in cfg.table.versions(target) {
        println!("{v}");
    }
    Ok(0)
}

/// Which of several installs failed, and which were done.
fn say_failed(failed: &[String], done: &[String], existing: &[String]) {
    let names = |v: &[String]| {
        v.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut others = Vec::new();
    if !done.is_empty() {
        others.push(format!("done: {}", names(done)));
    }
    if !existing.is_empty() {
        others.push(format!("already installed: {}", names(existing)));
    }
    pyv_core::report::report(
        &format!(
            "{} of {} installs failed: {}{}",
            failed.len(),
            failed.len() + done.len() + existing.len(),
            names(failed),
            if others.is_empty() {
                String::new()
            } else {
                format!(" ({})", others.join("; "))
            }
        ),
        Some(format!(
            "fix what the errors above say, then `pyv install {}`",
            failed.join(" ")
        )),
    );
}

/// One request, start to finish: plan it, install it, rehash, say so.
pub(crate) fn install_one(
    ctx: &Ctx,
    settings: &install::Settings,
    opts: &Options,
    planner: &mut Planner,
    flags: Flags,
    raw: &str,
    origin: &Origin,
) -> Result<()> {
    let (raw, alias) = request::split_alias(raw)?;
    let job = planner.job(raw, origin, flags)?;
    if !request::is_local_archive(raw) {
        say_resolved(ctx, raw, job.name());
    }
    // `VERSION:ALIAS`: the same job under another directory name; the receipt keeps the version.
    let version = job.name().to_string();
    let job = match (job, alias) {
        (Job::Source(plan), Some(alias)) => Job::Source(crate::install::Plan {
            name: alias.to_string(),
            ..plan
        }),
        (job, _) => job,
    };
    // A release no source has gets a hint naming what the mirrors do have (not for a local
    // archive, which has no mirror).
    let mirror_hint = matches!(job, Job::Source(_)) && !request::is_local_archive(raw);
    let name = alias.map_or_else(|| version.clone(), str::to_string);
    let (source, ui, how) = match &job {
        Job::Prebuilt { cfg, row, how } => (
            install::Source::Prebuilt {
                cfg,
                row,
                name: &name,
            },
            Ui::new(settings.quiet, &name),
            how.clone(),
        ),
        Job::Source(plan) => {
            let mut ui = Ui::new(settings.quiet, &plan.name);
            if settings.verbose {
                ui = ui.plain(); // the streamed log and a spinner would garble each other
            }
            (install::Source::Build(plan), ui, String::new())
        }
    };
    let outcome = match install::install(settings, source, opts, &ui) {
        Err(Error::Install(e)) if mirror_hint => Err(Error::Install(with_mirror_hint(
            e,
            settings,
            planner.catalog(),
            &version,
        ))),
        o => o,
    }?;
    report(ctx, outcome, &how)
}

/// Rehash after an install and print its summary line.
fn report(ctx: &Ctx, outcome: Outcome, how: &str) -> Result<()> {
    match outcome {
        Outcome::Installed { name, dir, took } => {
            ctx.rehash()?;
            crate::ui::out(&format!(
                "installed Python {name}{how} in {} ({}); use it with `pyv global {name}` or `pyv local {name}`",
                dir.display(),
                crate::ui::human_duration(took)
            ));
        }
        Outcome::AlreadyInstalled { name, by_other } => {
            if by_other {
                println!("Python {name} was installed by another pyv meanwhile; nothing to do");
            } else if !ctx.quiet {
                println!("Python {name} is already installed; skipped");
            }
        }
    }
    Ok(())
}

/// Say what a prefix, `latest` or `3.13t` became, before any work starts.
fn say_resolved(ctx: &Ctx, raw: &str, name: &str) {
    if name != raw && !ctx.quiet {
        crate::ui::err(&format!("pyv: {raw} -> {name}"));
    }
}

/// A release no source has (every one answered 404): what each mirror's index lists of the same
/// `X.Y`, and the command that installs the newest of those this pyv can verify.
fn with_mirror_hint(
    e: InstallError,
    settings: &install::Settings,
    catalog: &Catalog,
    version: &str,
) -> InstallError {
    let InstallError::Download {
        file,
        tried,
        all_missing: true,
        hint: None,
    } = e
    else {
        return e;
    };
    let ft = if version.ends_with('t') { "t" } else { "" };
    let mirrors = settings.bases.split_last().map_or(&[][..], |(_, m)| m);
    let hint = mirrors.iter().find_map(|base| {
        let listed = install::mirror_listing::same_minor(base, version)?;
        let newest = listed
            .iter()
            .rev()
            .find(|v| catalog.is_known(&format!("{v}{ft}")))?;
        Some(format!(
            "the mirror `{}` has {}; `pyv install {newest}{ft}` installs the newest of them",
            base.escape_debug(),
            listed.join(", ")
        ))
    });
    InstallError::Download {
        file,
        tried,
        all_missing: true,
        hint,
    }
}
