//! One file per subcommand: a `clap::Args` struct whose doc comments are the help text, and a
//! `run(self, ctx)` returning the exit code.

pub mod activate;
pub mod cache;
pub mod completions;
pub mod doctor;
pub mod exec;
pub mod global;
pub mod init;
pub mod install;
pub mod latest;
pub mod list_commands;
pub mod local;
pub mod man;
pub mod prefix;
pub mod rehash;
pub mod root;
pub mod shell;
pub mod shims;
pub mod uninstall;
pub mod update;
pub mod upgrade;
pub mod version;
pub mod version_file;
pub mod version_name;
pub mod version_origin;
pub mod versions;
pub mod virtualenv;
pub mod virtualenv_delete;
pub mod virtualenv_prefix;
pub mod virtualenvs;
pub mod whence;
pub mod which;

use pyv_core::resolve::{self, Resolved};
use pyv_core::Origin;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Validate names for `global`/`local`/`shell` and, unless `force`, require each installed.
/// Returns the normalised names to write.
pub(crate) fn checked_names(ctx: &Ctx, raw: &[String], force: bool) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        let mut n = ctx.arg_name(r)?;
        // `3.13.05` is written `3.13.5`: the spelling pyenv (which reads the same files) and
        // every other tool know; a directory really named `3.13.05` is kept as it is.
        if let Some(canonical) = pyv_core::typo::canonical(&n) {
            if !ctx.layout.version_dir(&n).exists() {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "pyv: `{n}` is written as `{canonical}`");
                n = canonical;
            }
        }
        if !force {
            resolve::resolve(&ctx.layout, &n, &Origin::Argument)
                .map_err(|e| pyenv_not_installed(ctx, e.into()))?;
        }
        out.push(n);
    }
    Ok(out)
}

/// `local --unset` / `global --unset`: remove the version file `file` if it is a file or a
/// link; a directory of that name is refused, never removed with what is in it.
pub(crate) fn unset_version_file(file: &std::path::Path) -> Result<()> {
    match pyv_core::fsx::remove_file_or_link(file) {
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => Err(crate::error::Error::user(
            format!(
                "`{}` is a directory, not a version file; pyv removes only a file or a link",
                file.display()
            ),
            Some(format!(
                "nothing was removed; if that directory is not needed, remove it yourself: rm -r '{}'",
                file.display()
            )),
        )),
        Err(e) => Err(crate::error::Error::io("cannot remove", file, e)),
        Ok(()) => Ok(()),
    }
}

/// pyenv's first line for a version that is not installed where it says it without an origin
/// (`local`, `global`, `shell`, `prefix`: "version `x` not installed"); pyv's own message (who
/// selected it) and its hint move to the hint line.
///
/// A CPython version no known release matches (`3.99`) gets no `pyv install 3.99` hint: that
/// would fail too; the list of what can be installed is what helps.
pub(crate) fn pyenv_not_installed(ctx: &Ctx, e: Error) -> Error {
    match e {
        Error::Core(
            ref core @ pyv_core::Error::NotInstalled {
                ref name,
                ref close,
                ..
            },
        ) => {
            let hint = if no_release_matches(ctx, name) {
                let mut h = format!(
                    "{core}, and no CPython release matches it; \
                     `pyv install --list` shows what can be installed"
                );
                if !close.is_empty() {
                    h.push_str(", or pick one of: ");
                    h.push_str(&close.join(", "));
                }
                h
            } else {
                match core.hint() {
                    Some(h) => format!("{core}; {h}"),
                    None => core.to_string(),
                }
            };
            Error::user(format!("version `{name}` not installed"), Some(hint))
        }
        e => e,
    }
}

/// Is `name` a CPython version (`3.99`, `3.99.1`, `3.99t`) that the catalog (embedded, plus
/// what `pyv update` fetched) has no release for? `-dev` names and other flavours are built
/// from definitions the catalog does not list, so they never count.
fn no_release_matches(ctx: &Ctx, name: &str) -> bool {
    if name.ends_with("-dev") || pyv_core::pyversion::PyVersion::parse(name).is_none() {
        return false;
    }
    crate::catalog::Catalog::load(&ctx.cache_dir)
        .map(|c| c.best_known(name).is_none())
        .unwrap_or(false)
}

/// The resolved versions of the current selection (errors if one is not installed).
pub(crate) fn resolved_selection(ctx: &Ctx) -> Result<(Vec<Resolved>, Origin)> {
    let sel = ctx.selection()?;
    let mut out = Vec::new();
    for n in &sel.versions {
        out.push(resolve::resolve(&ctx.layout, n, &sel.origin)?);
    }
    Ok((out, sel.origin))
}

/// The installed versions of the current selection, as pyenv's `version-name` finds them: each
/// selected version that is not installed is reported on stderr (message and hint) and
/// skipped. The bool says whether any was missing (the command then exits 1, as pyenv's).
pub(crate) fn tolerant_selection(ctx: &Ctx) -> Result<(Vec<Resolved>, Origin, bool)> {
    let sel = ctx.selection()?;
    let (found, missing) = resolve::resolve_all(&ctx.layout, &sel);
    for e in &missing {
        pyv_core::report::report(e, e.hint());
    }
    Ok((found, sel.origin, !missing.is_empty()))
}
