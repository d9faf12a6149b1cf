//! The install pipeline: claim the version, fetch, verify, stage, check, write the receipt and
//! publish with one rename.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pyv_core::Layout;

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
pub fn claim(
    layout: &Layout,
    name: &str,
    opts: &Options,
    reporter: &dyn Reporter,
) -> Result<Claim> {
    let lock = crate::locks::VersionLock::acquire(layout, name, reporter)?;
    let target = layout.version_dir(name);
    if pyv_core::resolve::is_symlink(&target) || target.exists() {
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
pub fn install(
    settings: &Settings,
    plan: &Plan,
    opts: &Options,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    let started = Instant::now();
    let layout = &settings.layout;
    let target = layout.version_dir(&plan.name);
    if settings.verbose {
        for note in &settings.python_build.notes {
            reporter.note(note);
        }
    }

    let lock = match claim(layout, &plan.name, opts, reporter)? {
        Claim::Go(lock) => lock,
        Claim::Done(outcome) => return Ok(outcome),
    };

    // A build with the same key in the artifact cache (or on an artifact mirror) replaces the
    // whole compile; anything wrong with it is a warning and the source build goes ahead.
    let key = settings
        .artifact_cache
        .then(|| artifact::key(settings, plan));
    if let Some(key) = key.as_ref().filter(|_| !opts.no_cache) {
        match install_cached(settings, plan, opts, key, &target, reporter) {
            Ok(Some(warnings)) => {
                drop(lock);
                for w in warnings {
                    reporter.warn(&w);
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
            Err(e) => reporter.warn(&format!(
                "cannot use the cached build `{}` ({}); building from source",
                key.id,
                crate::error::with_causes(&e)
            )),
        }
    }

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
            reporter.note(
                "not stored in the artifact cache: this build lacks optional modules (see the \
                 warnings); a rebuild after installing them compiles afresh",
            );
            false
        }
    });
    if let Some(key) = &key {
        // Stored before the receipt is written: the artifact holds only what make made.
        crate::cache_scratch::sweep_in_background(&settings.cache_dir);
        let phase = reporter.phase(Step::Cache);
        match artifact::store(
            &settings.cache_dir,
            key,
            &staged,
            &target,
            settings.link_mode,
        ) {
            Ok(size) => {
                phase.finish();
                reporter.note(&format!(
                    "stored the build for reuse as {} ({})",
                    artifact::archive_path(&settings.cache_dir, &key.id).display(),
                    crate::ui::bytes(size)
                ));
            }
            Err(e) => {
                drop(phase);
                reporter.warn(&format!(
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
        stage.keep_source(&src, &layout.sources_dir().join(&plan.name), reporter);
    }
    drop(lock);
    for w in report.warnings {
        reporter.warn(&w);
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
    reporter: &dyn Reporter,
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
    crate::cache_scratch::sweep_in_background(cache);
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
        let phase = reporter.phase(Step::Copy);
        match unpacked::materialize(cache, &key.id, &staged, &old, &new, settings.link_mode) {
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
                from_copy = Some((unpacked::dir(cache, &key.id), manifest, Some(copies)));
            }
            Err(unpacked::Stale::Untrusted(u)) => return Err(InstallError::Untrusted(u)),
            Err(why) => {
                drop(phase);
                reporter.warn(&format!(
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
            let found =
                artifact::find(settings, key, reporter).map_err(|why| InstallError::Archive {
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
            if let Err(e) =
                unpacked::keep(cache, &key.id, &top, &manifest.prefix, settings.link_mode)
            {
                reporter.warn(&format!(
                    "could not keep the build unpacked in the cache ({e})"
                ));
            }
            std::fs::rename(&top, &staged).map_err(|e| InstallError::io("cannot move", &top, e))?;
            (archive, manifest, None)
        }
    };
    let phase = reporter.phase(Step::Relocate);
    let old = manifest.prefix.as_str();
    let moved = match &copies {
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
        archive.display()
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
