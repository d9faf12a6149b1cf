//! How an install turns a request into a published directory under `versions/`, top to
//! bottom: [`super::plan`] decides what a request becomes (a source [`Plan`] or a prebuilt
//! table row), then [`install`] runs the one pipeline every install shares: claim the version
//! under its lock, produce a checked tree in a stage from its [`Source`], write the receipt and
//! publish it with one rename (`publish`).
//!
//! The sources: a source build first tries the artifact cache (`reuse_cached`: a verified
//! earlier build, relocated), else downloads, unpacks, builds and verifies (`build`); a
//! prebuilt row is fetched and checked by [`super::prebuilt::stage`] (an archive unpacked, or
//! the conda family's installer run). Nothing here prints: progress goes to a [`Reporter`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pyv_core::Layout;

use super::prebuilt::{self, Config, Row};
use super::{
    artifact, build, download, preflight, receipt, relocate, staging, unpack, unpacked,
    InstallError, Plan, Result, Settings,
};
use crate::report::{Reporter, Step};
use crate::signals;

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

/// Where the installed tree comes from.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// CPython from python.org's source (or a local archive): reused from the artifact cache
    /// when a verified build with the same key is there, else built here.
    Build(&'a Plan),
    /// A row of a prebuilt table: python-build-standalone CPython, PyPy, GraalPy (archives) or
    /// the conda family (an installer). `name` is the row's version, or the alias of
    /// `pyv install VERSION:ALIAS`.
    Prebuilt {
        cfg: &'a Config,
        row: &'a Row,
        name: &'a str,
    },
}

impl Source<'_> {
    /// The name it installs as (`versions/<name>`).
    pub fn name(&self) -> &str {
        match self {
            Source::Build(plan) => &plan.name,
            Source::Prebuilt { name, .. } => name,
        }
    }
}

/// A checked tree in its stage, ready to be published.
pub struct Ready {
    pub stage: staging::Stage,
    /// The tree itself, `stage.staged_prefix(target)`.
    pub prefix: PathBuf,
    /// Written into the tree just before it is published.
    pub receipt: receipt::Receipt,
    /// Printed once the version is published and its lock released.
    pub warnings: Vec<String>,
    pub then: Then,
    /// The artifact cache key's lock, held until the tree is published.
    pub cache_lock: Option<artifact::KeyLock>,
}

/// What follows a successful rename.
pub enum Then {
    Nothing,
    /// `--keep`: move the source tree here.
    KeepSource {
        src: PathBuf,
        dest: PathBuf,
    },
    /// Delete the replaced tree (`--force`) in the background: not part of the install.
    RemoveReplaced,
}

/// Install one version from `source`: claim, produce a checked tree, publish, then warn.
pub fn install(
    settings: &Settings,
    source: Source,
    opts: &Options,
    reporter: &dyn Reporter,
) -> crate::error::Result<Outcome> {
    let started = Instant::now();
    let name = source.name();
    let target = settings.layout.version_dir(name);
    if let (Source::Build(_), true) = (source, settings.verbose) {
        for note in &settings.python_build.notes {
            reporter.note(note);
        }
    }
    let lock = match claim(&settings.layout, name, opts, reporter)? {
        Claim::Go(lock) => lock,
        Claim::Done(outcome) => return Ok(outcome),
    };
    let ready = match source {
        Source::Build(plan) => from_source(settings, plan, opts, &target, reporter)?,
        Source::Prebuilt { cfg, row, name } => {
            prebuilt::stage(settings, cfg, row, name, &target, reporter)?
        }
    };
    let (warnings, _stage) = publish(ready, &target, reporter)?;
    drop(lock);
    for w in warnings {
        reporter.warn(&w);
    }
    Ok(Outcome::Installed {
        name: name.to_string(),
        dir: target,
        took: started.elapsed(),
    })
}

/// Whether an install of a version goes ahead, decided under its lock.
enum Claim {
    /// Go on, holding the lock until the rename (a second install waits, then sees the result).
    Go(crate::locks::VersionLock),
    /// Nothing to do: installed meanwhile by another pyv, or `--skip-existing`.
    Done(Outcome),
}

/// Take version `name`'s lock and decide: an installed version is an error unless `--force`
/// (rebuild) or `--skip-existing`, or if another pyv installed it while we waited. Going on,
/// leftovers of killed installs are swept first.
fn claim(layout: &Layout, name: &str, opts: &Options, reporter: &dyn Reporter) -> Result<Claim> {
    let lock = crate::locks::VersionLock::acquire(layout, name, reporter)?;
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

/// Write the receipt into the tree, rename it into place and do what follows. Returns the
/// warnings to print once the lock is released, and the stage (holding a replaced tree) to
/// drop after that, unless it is being removed in the background.
fn publish(
    ready: Ready,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<(Vec<String>, Option<staging::Stage>)> {
    let staged = &ready.prefix;
    ready
        .receipt
        .write(staged)
        .map_err(|e| InstallError::io("cannot write the install receipt in", staged, e))?;
    signals::check()?;
    let replacing = std::fs::symlink_metadata(target).is_ok();
    ready.stage.commit(target)?;
    let stage = match ready.then {
        Then::KeepSource { src, dest } => {
            ready.stage.keep_source(&src, &dest, reporter);
            Some(ready.stage)
        }
        Then::RemoveReplaced if replacing => {
            ready.stage.remove_in_background();
            None
        }
        Then::RemoveReplaced => None, // nothing replaced: what is left goes now, under the lock
        Then::Nothing => Some(ready.stage),
    };
    drop(ready.cache_lock); // the cache entry was needed until the rename
    Ok((ready.warnings, stage))
}

/// A source build's tree: the artifact cache's copy of the same build when it has one (or an
/// artifact mirror does); anything wrong with it is a warning and the build goes ahead.
fn from_source(
    settings: &Settings,
    plan: &Plan,
    opts: &Options,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<Ready> {
    let key = settings
        .artifact_cache
        .then(|| artifact::key(settings, plan));
    if let Some(key) = key.as_ref().filter(|_| !opts.no_cache) {
        match reuse_cached(settings, plan, opts, key, target, reporter) {
            Ok(Some(ready)) => return Ok(ready),
            Ok(None) => {}
            Err(
                e @ (InstallError::Interrupted { .. }
                | InstallError::InterruptedWaiting { .. }
                | InstallError::Untrusted(_)),
            ) => return Err(e),
            Err(e) => reporter.warn(&format!(
                "cannot use the cached build `{}` ({}); building from source",
                key.id,
                crate::error::with_causes(&e)
            )),
        }
    }
    build(settings, plan, opts, key, target, reporter)
}

/// Preflight, fetch, unpack, configure / make / make install, verify, and store the build in
/// the artifact cache (under `key`) when it is complete.
fn build(
    settings: &Settings,
    plan: &Plan,
    opts: &Options,
    key: Option<artifact::Key>,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<Ready> {
    let layout = &settings.layout;
    // Compiler and make are always checked; the libraries unless `--skip-preflight`.
    let report =
        preflight::run(!opts.skip_preflight, &settings.build_env).for_version(&plan.version);
    report.print_warnings(reporter);
    if settings.verbose {
        report.print_diagnostics(reporter);
    }
    report.require()?;
    signals::check()?;

    // From here on everything is written under `.staging/`, removed when `stage` drops.
    let archive = download::fetch(settings, plan, reporter)?;
    let stage = staging::Stage::create(layout, &plan.name)?;
    let src = unpack::unpack(&archive, &stage.src_dir(), reporter)?;
    let log = build::Log::create(layout, &plan.name)?;
    let builder = build::Builder {
        plan,
        opts,
        reporter,
        log: &log,
        src: &src,
        stage: &stage,
        prefix: target,
        settings,
    };
    builder.build()?;
    let report = builder.verify()?;
    signals::check()?;
    let staged = stage.staged_prefix(target);
    let mut receipt = receipt::Receipt::new(receipt::Kind::Source).with("version", &plan.version);
    // A build missing optional modules (no sqlite3 headers, say) is not stored: once the user
    // installs what it lacked, the next `install --force` must compile again, not reuse it.
    let key = key.filter(|_| {
        report.warnings.is_empty() || {
            reporter.note(
                "not stored in the artifact cache: this build lacks optional modules (see the \
                 warnings); a rebuild after installing them compiles afresh",
            );
            false
        }
    });
    if let Some(key) = &key {
        store(settings, key, &staged, target, reporter);
        receipt = receipt.with("artifact", &key.id);
    }
    let then = match opts.keep {
        true => Then::KeepSource {
            src,
            dest: layout.sources_dir().join(&plan.name),
        },
        false => Then::Nothing,
    };
    Ok(Ready {
        stage,
        prefix: staged,
        receipt,
        warnings: report.warnings,
        then,
        cache_lock: None,
    })
}

/// Store a verified build in the artifact cache, before the receipt is written: the artifact
/// holds only what make made. A failure is a warning; the install goes on.
fn store(
    settings: &Settings,
    key: &artifact::Key,
    staged: &Path,
    target: &Path,
    reporter: &dyn Reporter,
) {
    crate::cache::scratch::sweep_in_background(&settings.cache_dir);
    let phase = reporter.phase(Step::Cache);
    match artifact::store(&settings.cache_dir, key, staged, target, settings.link_mode) {
        Ok(size) => {
            phase.finish();
            reporter.note(&format!(
                "stored the build for reuse as {} ({})",
                artifact::archive_path(&settings.cache_dir, &key.id).display(),
                crate::report::bytes(size)
            ));
        }
        Err(e) => {
            drop(phase);
            reporter.warn(&format!(
                "could not store the build in the artifact cache ({e}); the install goes on"
            ));
        }
    }
}

/// The local manifest of `key` when a complete unpacked copy of it is in the cache: the copy
/// was made from that verified archive (or the verified build), so the archive need not be
/// hashed again.
fn unpacked_manifest(cache: &Path, key: &artifact::Key) -> Option<artifact::Manifest> {
    if !unpacked::exists(cache, &key.id) {
        return None;
    }
    let text = artifact::read_small(&artifact::manifest_path(cache, &key.id)).ok()?;
    let m = artifact::Manifest::parse(&text).ok()?;
    (m.key == key.id).then_some(m)
}

/// A cached build placed in the stage: where it came from, its manifest, and (from the
/// unpacked copy) the files that may need relocating.
struct Placed {
    from: PathBuf,
    manifest: artifact::Manifest,
    copies: Option<Vec<PathBuf>>,
}

/// `plan` from the artifact cache: find and verify the archive (or its unpacked copy), place it
/// safely in a stage, move the prefix to where it will live and run the same checks as a source
/// build. `Ok(None)`: no artifact has this key.
fn reuse_cached(
    settings: &Settings,
    plan: &Plan,
    opts: &Options,
    key: &artifact::Key,
    target: &Path,
    reporter: &dyn Reporter,
) -> Result<Option<Ready>> {
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
    let key_lock = artifact::lock(cache, &key.id)
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
    let placed = match from_unpacked_copy(settings, key, &staged, &new, reporter)? {
        Some(placed) => placed,
        None => match from_archive(settings, key, &stage, &staged, reporter)? {
            Some(placed) => placed,
            None => return Ok(None),
        },
    };
    let phase = reporter.phase(Step::Relocate);
    let old = placed.manifest.prefix.as_str();
    let moved = match &placed.copies {
        Some(files) => relocate::relocate_files(&staged, files, old, &new),
        None => relocate::relocate(&staged, old, &new),
    }
    .map_err(|e| InstallError::io("cannot relocate", &staged, e))?;
    phase.finish();
    for (bin, why) in &moved.unfixed {
        reporter.warn(&format!("{} was not relocated: {why}", bin.display()));
    }
    signals::check()?;
    let log = build::Log::create(&settings.layout, &plan.name)?;
    log.section(&format!(
        "pyv: unpacked {} and relocated {old} -> {new}: {moved:?}",
        placed.from.display()
    ));
    let builder = build::Builder {
        plan,
        opts,
        reporter,
        log: &log,
        src: &staged,
        stage: &stage,
        prefix: target,
        settings,
    };
    let report = builder.verify()?;
    let receipt = receipt::Receipt::new(receipt::Kind::Cached)
        .with("version", &plan.version)
        .with("artifact", &key.id);
    Ok(Some(Ready {
        stage,
        prefix: staged,
        receipt,
        warnings: report.warnings,
        then: Then::RemoveReplaced,
        cache_lock: Some(key_lock),
    }))
}

/// The unpacked copy of `key` placed at `staged`, when there is a usable one; an unusable one
/// is a warning (and removed), and the archive is unpacked instead.
fn from_unpacked_copy(
    settings: &Settings,
    key: &artifact::Key,
    staged: &Path,
    new: &str,
    reporter: &dyn Reporter,
) -> Result<Option<Placed>> {
    let cache = &settings.cache_dir;
    let Some(manifest) = unpacked_manifest(cache, key) else {
        return Ok(None);
    };
    let old = manifest.prefix.clone();
    let phase = reporter.phase(Step::Copy);
    match unpacked::materialize(cache, &key.id, staged, &old, new, settings.link_mode) {
        Ok(copies) => {
            phase.finish();
            reporter.note(&format!(
                "reusing the cached build {} (no compile, {})",
                unpacked::dir(cache, &key.id).display(),
                if settings.link_mode.shares() {
                    "hard-linked: PYV_LINK_MODE=hardlink"
                } else {
                    "files of its own"
                }
            ));
            Ok(Some(Placed {
                from: unpacked::dir(cache, &key.id),
                manifest,
                copies: Some(copies),
            }))
        }
        Err(unpacked::Stale::Untrusted(u)) => Err(InstallError::Untrusted(u)),
        Err(why) => {
            drop(phase);
            reporter.warn(&format!(
                "the unpacked copy of the cached build is unusable ({why}); unpacking the archive"
            ));
            let _ = pyv_core::fsx::remove_any(staged);
            let _ = pyv_core::fsx::remove_any(&unpacked::dir(cache, &key.id));
            Ok(None)
        }
    }
}

/// The verified archive of `key` (from the cache or an artifact mirror) unpacked safely and
/// moved to `staged`, kept unpacked in the cache for the next install. `Ok(None)`: none.
fn from_archive(
    settings: &Settings,
    key: &artifact::Key,
    stage: &staging::Stage,
    staged: &Path,
    reporter: &dyn Reporter,
) -> Result<Option<Placed>> {
    let cache = &settings.cache_dir;
    let found = artifact::find(settings, key, reporter).map_err(|why| InstallError::Archive {
        path: artifact::archive_path(cache, &key.id),
        reason: why,
    })?;
    let Some((archive, manifest)) = found else {
        return Ok(None);
    };
    reporter.note(&format!(
        "reusing the cached build {} (no compile)",
        archive.display()
    ));
    let top = unpack::unpack(&archive, &stage.path().join("artifact"), reporter)?;
    if top.file_name().is_none_or(|n| n != artifact::TOP) {
        return Err(InstallError::Archive {
            path: archive,
            reason: format!("its top-level directory is not `{}/`", artifact::TOP),
        });
    }
    // Kept unpacked (before relocation touches it) for the next install.
    if let Err(e) = unpacked::keep(cache, &key.id, &top, &manifest.prefix, settings.link_mode) {
        reporter.warn(&format!(
            "could not keep the build unpacked in the cache ({e})"
        ));
    }
    std::fs::rename(&top, staged).map_err(|e| InstallError::io("cannot move", &top, e))?;
    Ok(Some(Placed {
        from: archive,
        manifest,
        copies: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Event, Recording};

    fn installed(root: &Path, name: &str) -> Layout {
        let layout = Layout::new(root);
        std::fs::create_dir_all(layout.version_dir(name)).unwrap();
        layout
    }

    #[test]
    fn claim_refuses_an_installed_version_unless_skipped_or_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = installed(tmp.path(), "3.12.1");
        let rec = Recording::default();
        let plain = Options::default();
        let e = claim(&layout, "3.12.1", &plain, &rec).err().unwrap();
        assert!(matches!(e, InstallError::Exists { .. }), "{e}");
        let skip = Options {
            skip_existing: true,
            ..Options::default()
        };
        let done = claim(&layout, "3.12.1", &skip, &rec).ok().unwrap();
        assert!(matches!(
            done,
            Claim::Done(Outcome::AlreadyInstalled {
                by_other: false,
                ..
            })
        ));
        let force = Options {
            force: true,
            ..Options::default()
        };
        assert!(matches!(
            claim(&layout, "3.12.1", &force, &rec),
            Ok(Claim::Go(_))
        ));
        assert_eq!(
            rec.events(),
            [],
            "nobody else held the lock: nothing to say"
        );
    }

    #[test]
    fn publish_writes_the_receipt_and_renames_the_tree_into_place() {
        let tmp = tempfile::tempdir().unwrap();
        let layout = Layout::new(tmp.path());
        let target = layout.version_dir("3.12.1");
        let stage = staging::Stage::create(&layout, "3.12.1").unwrap();
        let prefix = stage.staged_prefix(&target);
        std::fs::create_dir_all(prefix.join("bin")).unwrap();
        let ready = Ready {
            stage,
            prefix,
            receipt: receipt::Receipt::new(receipt::Kind::Source).with("version", "3.12.1"),
            warnings: vec!["no `lzma`".into()],
            then: Then::Nothing,
            cache_lock: None,
        };
        let rec = Recording::default();
        let (warnings, stage) = publish(ready, &target, &rec).unwrap();
        assert_eq!(
            warnings,
            ["no `lzma`"],
            "printed by the caller, after the lock"
        );
        assert!(target.join("bin").is_dir());
        let receipt = receipt::Receipt::read(&target).expect("a receipt");
        assert_eq!(receipt.kind, receipt::Kind::Source);
        drop(stage);
        assert_eq!(rec.events(), Vec::<Event>::new());
    }
}
