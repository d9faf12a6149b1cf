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

use pyv_core::env_vars::EnvVars;
pub mod artifact;
pub mod build;
pub mod download;
pub mod manifest;
pub mod mirror_listing;
pub mod preflight;
pub mod pybuild;
pub mod receipt;
pub mod relocate;
pub mod request;
pub mod staging;
pub mod tether;
pub mod unpack;
pub mod unpacked;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pyv_core::Layout;

use crate::signals::{self, Interrupted};
use crate::ui::Ui;
pub use request::Plan;

/// What an install needs from the outside world, read once from the flags and the environment
/// by the CLI ([`Settings::from_env`]) and passed down explicitly: nothing under `install/`
/// reads `PYV_*` variables itself.
#[derive(Debug, Clone)]
pub struct Settings {
    pub layout: Layout,
    pub cache_dir: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
    /// Where source archives come from, in order: every `PYV_MIRROR` base, then python.org
    /// (`PYV_PYTHON_ORG` replaces it).
    pub bases: Vec<String>,
    /// `CONFIGURE_OPTS` then `PYV_CONFIGURE_OPTS` (or python-build's `PYTHON_CONFIGURE_OPTS`),
    /// split on whitespace.
    pub configure_opts: Vec<String>,
    /// `MAKEOPTS`/`MAKE_OPTS`/`PYV_MAKE_OPTS`, when set (replaces the default `-j<cores>`).
    pub make_opts: Option<Vec<String>>,
    /// Reuse and store builds in `<cache>/artifacts` (`PYV_ARTIFACT_CACHE=0` turns it off).
    pub artifact_cache: bool,
    /// `PYV_LINK_MODE`: how a reinstall from the unpacked copy gets its files.
    pub link_mode: crate::linktree::LinkMode,
    /// `PYV_ARTIFACT_MIRROR`: base URLs holding `<key>.tar.gz` + `<key>.manifest`.
    pub artifact_mirrors: Vec<String>,
    /// The compiler variables that shape a build's output (`CC`, `CFLAGS`, ...), when set,
    /// as configure gets them (with python-build's `PYTHON_CFLAGS`... and Homebrew's paths).
    pub build_env: Vec<(String, String)>,
    /// The rest of python-build's settings (make install, archive sources, detected options).
    pub python_build: pybuild::BuildEnv,
}

/// Environment variables that change what a build produces (part of the artifact key), and the
/// compiler and make that preflight and the build use.
pub const BUILD_ENV: &[&str] = &[
    "MAKE",
    "CC",
    "CXX",
    "CFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "LIBS",
    "CFLAGS_NODIST",
    "LDFLAGS_NODIST",
    "PKG_CONFIG_PATH",
];

/// The build environment, read once: the [`BUILD_ENV`] variables that are set and not blank,
/// `PYV_CONFIGURE_OPTS`/`PYV_MAKE_OPTS`, and python-build's variables ([`pybuild`]), with
/// Homebrew/MacPorts detected on macOS. `vars` is what [`BUILD_ENV`] says, as configure gets it.
pub fn build_env() -> pybuild::BuildEnv {
    pybuild::read(
        &|k| std::env::var(k).ok(),
        BUILD_ENV,
        &pybuild::Host::current(),
    )
}

impl Settings {
    /// Read and validate the environment once. A base URL without a scheme is a usage error
    /// (exit 2) naming the variable, caught before anything is locked or downloaded.
    pub fn from_env(
        layout: Layout,
        cache_dir: PathBuf,
        quiet: bool,
        verbose: bool,
    ) -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut bases = Vec::new();
        for base in var(EnvVars::PYV_MIRROR).iter().flat_map(|v| v.split(',')) {
            let base = base.trim();
            if !base.is_empty() {
                bases.push(check_base_url(base, EnvVars::PYV_MIRROR)?);
            }
        }
        bases.push(match var(EnvVars::PYV_PYTHON_ORG) {
            Some(b) => check_base_url(b.trim(), EnvVars::PYV_PYTHON_ORG)?,
            None => crate::catalog::PYTHON_ORG.to_string(),
        });
        let mut artifact_mirrors = Vec::new();
        for base in var(EnvVars::PYV_ARTIFACT_MIRROR)
            .iter()
            .flat_map(|v| v.split(','))
        {
            let base = base.trim();
            if !base.is_empty() {
                artifact_mirrors.push(check_base_url(base, EnvVars::PYV_ARTIFACT_MIRROR)?);
            }
        }
        let mut env = build_env();
        if let Some(e) = env.errors.first() {
            return Err(InstallError::Usage {
                message: e.clone(),
                hint: "unset one of them (python-build refuses this too)".into(),
            });
        }
        match &env.mirror {
            Some(pybuild::Mirror::BySha256(url)) => {
                check_base_url(url, EnvVars::PYTHON_BUILD_MIRROR_URL)?;
            }
            Some(pybuild::Mirror::PythonOrg(url)) => {
                // After PYV_MIRROR's bases, before python.org.
                let at = bases.len() - 1;
                bases.insert(at, check_base_url(url, EnvVars::PYTHON_BUILD_MIRROR_URL)?);
            }
            None => {}
        }
        let artifact_cache = !var(EnvVars::PYV_ARTIFACT_CACHE).is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "0" | "false" | "no" | "off"
            )
        });
        let link_mode =
            crate::linktree::LinkMode::from_env().map_err(|message| InstallError::Usage {
                message,
                hint: "`auto` (the default) gives every version its own files".into(),
            })?;
        Ok(Settings {
            link_mode,
            artifact_cache,
            artifact_mirrors,
            build_env: std::mem::take(&mut env.vars),
            configure_opts: std::mem::take(&mut env.configure_opts),
            make_opts: env.make_opts.take(),
            python_build: env,
            layout,
            cache_dir,
            quiet,
            verbose,
            bases,
        })
    }
}

/// `url` if it is an `http://`, `https://` or `file://` URL with something after the scheme.
pub fn check_base_url(url: &str, var: &str) -> Result<String> {
    let rest = ["http://", "https://", "file://"]
        .iter()
        .find_map(|s| url.strip_prefix(s));
    match rest {
        Some(r) if !r.trim_matches('/').is_empty() || url.starts_with("file://") => {
            Ok(url.to_string())
        }
        _ => Err(InstallError::Usage {
            message: format!("`{url}` (from {var}) is not an http://, https:// or file:// URL"),
            hint: if var == EnvVars::PYTHON_BUILD_MIRROR_URL {
                format!(
                    "set {var} to a base URL holding archives named by their SHA-256, as \
                     python-build expects (e.g. {var}=https://mirror.example/pythons), or unset it"
                )
            } else if var == EnvVars::PYV_ARTIFACT_MIRROR {
                format!(
                    "set {var} to base URLs holding `<key>.tar.gz` and `<key>.manifest` \
                     (a copy of $PYV_CACHE_DIR/artifacts), comma-separated \
                     (e.g. {var}=https://ci.example/pyv-artifacts,file:///srv/pyv-artifacts)"
                )
            } else {
                format!(
                    "set {var} to base URLs laid out like https://www.python.org/ftp/python, \
                     comma-separated (e.g. {var}=https://mirror.example/python,file:///srv/python)"
                )
            },
        }),
    }
}

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
    /// A cache another user could have changed (not the user's, or writable by others).
    #[error("{}", .0.message)]
    Untrusted(crate::linktree::Untrusted),

    /// Every source of the archive failed; `tried` says what each one answered.
    #[error("cannot download `{file}` from any source:{}", tried.iter().map(|t| format!("\n  {t}")).collect::<String>())]
    Download {
        file: String,
        tried: Vec<String>,
        /// Every source answered "not here" (4xx): the release is missing, not the network.
        all_missing: bool,
        /// A better hint than the generic one, when the caller found one (what a mirror has).
        hint: Option<String>,
    },

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

    /// Stopped while waiting for another pyv's lock: nothing had been started.
    #[error(
        "interrupted by {} while waiting for another pyv; nothing was changed",
        signals::name(*signal)
    )]
    InterruptedWaiting { signal: i32 },

    #[error("{context} `{}`: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(transparent)]
    Core(#[from] pyv_core::Error),
}

impl From<Interrupted> for InstallError {
    fn from(Interrupted(signal): Interrupted) -> Self {
        InstallError::Interrupted { signal }
    }
}

impl From<crate::locks::LockError> for InstallError {
    fn from(e: crate::locks::LockError) -> Self {
        match e {
            crate::locks::LockError::Core(c) => InstallError::Core(c),
            crate::locks::LockError::Interrupted(Interrupted(signal)) => {
                InstallError::InterruptedWaiting { signal }
            }
        }
    }
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
                if let Some(meant) = pyv_core::typo::repair(request) {
                    let _ = write!(h, "did you mean `{meant}`? ");
                }
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
            InstallError::Untrusted(u) => Some(u.hint.clone()),
            InstallError::Download { hint: Some(h), .. } => Some(h.clone()),
            InstallError::Download {
                all_missing: true, ..
            } => Some(
                "no source has this release: check PYV_MIRROR (comma-separated base URLs in \
                 python.org's layout), or pick another version (`pyv install --list`)"
                    .into(),
            ),
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
            InstallError::InterruptedWaiting { .. } => Some(
                "the other pyv goes on; run the same `pyv install` again once it is done".into(),
            ),
            InstallError::Io { .. } => None,
            InstallError::Core(e) => e.hint(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            InstallError::Usage { .. } => 2,
            InstallError::Interrupted { signal } | InstallError::InterruptedWaiting { signal } => {
                128 + signal
            }
            InstallError::Core(e) => e.exit_code(),
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
    /// Build from source even when the artifact cache has this build (it is replaced).
    pub no_cache: bool,
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

/// Whether an install of a version goes ahead, decided under its lock.
pub enum Claim {
    /// Go on, holding the lock until the rename (a second install waits, then sees the result).
    Go(crate::locks::VersionLock),
    /// Nothing to do: installed meanwhile by another pyv, or `--skip-existing`.
    Done(Outcome),
}

/// Take version `name`'s lock and decide: an installed version is an error unless `--force`
/// (rebuild) or `--skip-existing`, or if another pyv installed it while we waited. Going on,
/// leftovers of killed installs are swept first. Source and prebuilt installs share this.
pub fn claim(layout: &Layout, name: &str, opts: &Options, ui: &Ui) -> Result<Claim> {
    let lock = crate::locks::VersionLock::acquire(layout, name, ui)?;
    let target = layout.version_dir(name);
    if pyv_core::fsx::is_symlink(&target) || target.exists() {
        let by_other = lock.waited && !opts.force;
        if by_other || opts.skip_existing {
            return Ok(Claim::Done(Outcome::AlreadyInstalled {
                name: name.to_string(),
                by_other,
            }));
        }
        if !opts.force {
            return Err(InstallError::Exists {
                name: name.to_string(),
                dir: target,
            });
        }
    }
    crate::locks::sweep_staging(layout, name);
    Ok(Claim::Go(lock))
}

/// Install one planned version: lock, preflight, fetch, unpack, build, verify, rename in.
pub fn install(settings: &Settings, plan: &Plan, opts: &Options) -> Result<Outcome> {
    let started = Instant::now();
    let layout = &settings.layout;
    let mut ui = Ui::new(settings.quiet, &plan.name);
    if settings.verbose {
        ui = ui.plain(); // the streamed log and a spinner would garble each other
    }
    let target = layout.version_dir(&plan.name);
    if settings.verbose {
        for note in &settings.python_build.notes {
            ui.note(note);
        }
    }

    let lock = match claim(layout, &plan.name, opts, &ui)? {
        Claim::Go(lock) => lock,
        Claim::Done(outcome) => return Ok(outcome),
    };

    // A build with the same key in the artifact cache (or on an artifact mirror) replaces the
    // whole compile; anything wrong with it is a warning and the source build goes ahead.
    let key = settings
        .artifact_cache
        .then(|| artifact::key(settings, plan));
    if let Some(key) = key.as_ref().filter(|_| !opts.no_cache) {
        match install_cached(settings, plan, opts, key, &target, &ui) {
            Ok(Some(warnings)) => {
                drop(lock);
                for w in warnings {
                    ui.warn(&w);
                }
                return Ok(Outcome::Installed {
                    name: plan.name.clone(),
                    dir: target,
                    took: started.elapsed(),
                });
            }
            Ok(None) => {}
            Err(
                e @ (InstallError::Interrupted { .. }
                | InstallError::InterruptedWaiting { .. }
                | InstallError::Untrusted(_)),
            ) => return Err(e),
            Err(e) => ui.warn(&format!(
                "cannot use the cached build `{}` ({}); building from source",
                key.id,
                crate::error::with_causes(&e)
            )),
        }
    }

    // Compiler and make are always checked; the libraries unless `--skip-preflight`.
    let report =
        preflight::run(!opts.skip_preflight, &settings.build_env).for_version(&plan.version);
    report.print_warnings(&ui);
    if settings.verbose {
        report.print_diagnostics(&ui);
    }
    report.require()?;
    signals::check()?;

    // From here on everything is written under `.staging/`, removed when `stage` drops.
    let archive = download::fetch(settings, plan, &ui)?;
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
        settings,
    };
    builder.build()?;
    let report = builder.verify()?;
    signals::check()?;
    let staged = stage.staged_prefix(&target);
    let mut receipt = receipt::Receipt::new(receipt::Kind::Source).with("version", &plan.version);
    // A build missing optional modules (no sqlite3 headers, say) is not stored: once the user
    // installs what it lacked, the next `install --force` must compile again, not reuse it.
    let key = key.filter(|_| {
        report.warnings.is_empty() || {
            ui.note(
                "not stored in the artifact cache: this build lacks optional modules (see the \
                 warnings); a rebuild after installing them compiles afresh",
            );
            false
        }
    });
    if let Some(key) = &key {
        // Stored before the receipt is written: the artifact holds only what make made.
        crate::cache::scratch::sweep_in_background(&settings.cache_dir);
        let phase = ui.phase("cache");
        match artifact::store(
            &settings.cache_dir,
            key,
            &staged,
            &target,
            settings.link_mode,
        ) {
            Ok(size) => {
                phase.finish();
                ui.note(&format!(
                    "stored the build for reuse as {} ({})",
                    artifact::archive_path(&settings.cache_dir, &key.id).display(),
                    crate::ui::bytes(size)
                ));
            }
            Err(e) => {
                drop(phase);
                ui.warn(&format!(
                    "could not store the build in the artifact cache ({e}); the install goes on"
                ));
            }
        }
        receipt = receipt.with("artifact", &key.id);
    }
    receipt
        .write(&staged)
        .map_err(|e| InstallError::io("cannot write the install receipt in", &staged, e))?;
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

/// The local manifest of `key` when a complete unpacked copy of it is in the cache: the copy
/// was made from that verified archive (or the verified build), so the archive need not be
/// hashed again.
fn unpacked_manifest(cache: &std::path::Path, key: &artifact::Key) -> Option<artifact::Manifest> {
    if !unpacked::exists(cache, &key.id) {
        return None;
    }
    let text = artifact::read_small(&artifact::manifest_path(cache, &key.id)).ok()?;
    let m = artifact::Manifest::parse(&text).ok()?;
    (m.key == key.id).then_some(m)
}

/// Install `plan` from the artifact cache: find and verify the archive, unpack it safely into
/// a stage, move the prefix to where it will live, run the same checks as a source build, and
/// publish with the same rename. `Ok(None)`: no artifact has this key. Returns the warnings.
fn install_cached(
    settings: &Settings,
    plan: &Plan,
    opts: &Options,
    key: &artifact::Key,
    target: &std::path::Path,
    ui: &Ui,
) -> Result<Option<Vec<String>>> {
    let cache = &settings.cache_dir;
    // Whoever can write the cache can write the archive and its manifest both: refuse it.
    for (p, what) in [
        (cache.clone(), "the download cache"),
        (artifact::dir(cache), "the artifact cache"),
    ] {
        crate::linktree::check_private(&p, what).map_err(InstallError::Untrusted)?;
    }
    unpacked::trusted(cache, &key.id).map_err(InstallError::Untrusted)?;
    crate::cache::scratch::sweep_in_background(cache);
    let _key_lock = artifact::lock(cache, &key.id)
        .map_err(|e| InstallError::io("cannot lock", artifact::dir(cache), e))?;
    let stage = staging::Stage::create(&settings.layout, &plan.name)?;
    let staged = stage.staged_prefix(target);
    if let Some(parent) = staged.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| InstallError::io("cannot create", parent, e))?;
    }
    let new = target.to_string_lossy();
    // The unpacked copy first (placed in `PYV_LINK_MODE`, see `unpacked`); the archive when
    // there is none or it is stale.
    let mut from_copy = None;
    if let Some(manifest) = unpacked_manifest(cache, key) {
        let old = manifest.prefix.clone();
        let phase = ui.phase("copy");
        match unpacked::materialize(cache, &key.id, &staged, &old, &new, settings.link_mode) {
            Ok(copies) => {
                phase.finish();
                ui.note(&format!(
                    "reusing the cached build {} (no compile, {})",
                    unpacked::dir(cache, &key.id).display(),
                    if settings.link_mode.shares() {
                        "hard-linked: PYV_LINK_MODE=hardlink"
                    } else {
                        "files of its own"
                    }
                ));
                from_copy = Some((unpacked::dir(cache, &key.id), manifest, Some(copies)));
            }
            Err(unpacked::Stale::Untrusted(u)) => return Err(InstallError::Untrusted(u)),
            Err(why) => {
                drop(phase);
                ui.warn(&format!(
                    "the unpacked copy of the cached build is unusable ({why}); unpacking the archive"
                ));
                let _ = pyv_core::fsx::remove_any(&staged);
                let _ = pyv_core::fsx::remove_any(&unpacked::dir(cache, &key.id));
            }
        }
    }
    let (archive, manifest, copies) = match from_copy {
        Some(found) => found,
        None => {
            let found = artifact::find(settings, key, ui).map_err(|why| InstallError::Archive {
                path: artifact::archive_path(cache, &key.id),
                reason: why,
            })?;
            let Some((archive, manifest)) = found else {
                return Ok(None);
            };
            ui.note(&format!(
                "reusing the cached build {} (no compile)",
                archive.display()
            ));
            let top = unpack::unpack(&archive, &stage.path().join("artifact"), ui)?;
            if top.file_name().is_none_or(|n| n != artifact::TOP) {
                return Err(InstallError::Archive {
                    path: archive,
                    reason: format!("its top-level directory is not `{}/`", artifact::TOP),
                });
            }
            // Kept unpacked (before relocation touches it) for the next install.
            if let Err(e) =
                unpacked::keep(cache, &key.id, &top, &manifest.prefix, settings.link_mode)
            {
                ui.warn(&format!(
                    "could not keep the build unpacked in the cache ({e})"
                ));
            }
            std::fs::rename(&top, &staged).map_err(|e| InstallError::io("cannot move", &top, e))?;
            (archive, manifest, None)
        }
    };
    let phase = ui.phase("relocate");
    let old = manifest.prefix.as_str();
    let moved = match &copies {
        Some(files) => relocate::relocate_files(&staged, files, old, &new),
        None => relocate::relocate(&staged, old, &new),
    }
    .map_err(|e| InstallError::io("cannot relocate", &staged, e))?;
    phase.finish();
    for (bin, why) in &moved.unfixed {
        ui.warn(&format!("{} was not relocated: {why}", bin.display()));
    }
    signals::check()?;
    let log = build::Log::create(&settings.layout, &plan.name)?;
    log.section(&format!(
        "pyv: unpacked {} and relocated {old} -> {new}: {moved:?}",
        archive.display()
    ));
    let builder = build::Builder {
        plan,
        opts,
        ui,
        log: &log,
        src: &staged,
        stage: &stage,
        prefix: target,
        settings,
    };
    let report = builder.verify()?;
    receipt::Receipt::new(receipt::Kind::Cached)
        .with("version", &plan.version)
        .with("artifact", &key.id)
        .write(&staged)
        .map_err(|e| InstallError::io("cannot write the install receipt in", &staged, e))?;
    signals::check()?;
    let replacing = std::fs::symlink_metadata(target).is_ok();
    stage.commit(target)?;
    if replacing {
        stage.remove_in_background(); // the old tree: deleting it is not part of the install
    }
    Ok(Some(report.warnings))
}
