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
pub mod prefix;
pub mod rehash;
pub mod root;
pub mod shell;
pub mod shims;
pub mod uninstall;
pub mod update;
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
use crate::error::Result;

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
            resolve::resolve(&ctx.layout, &n, &Origin::Argument)?;
        }
        out.push(n);
    }
    Ok(out)
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
