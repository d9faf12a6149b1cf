//! `pyv virtualenv [version] <name>`: create an environment (see `venv::create`).

use clap::Args;
use pyv_core::env_vars::EnvVars;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::venv::create::{self, Options};

/// Create a virtualenv from a version's `python -m venv` (default: the selected version)
///
/// The environment lives at versions/<version>/envs/<name>, with the alias versions/<name>, so
/// `pyv local <name>`, `pyv activate <name>` and `.python-version` files naming either work.
#[derive(Args)]
#[command(override_usage = "pyv virtualenv [OPTIONS] [VERSION] <NAME> [-- <VENV OPTIONS>...]")]
pub struct Virtualenv {
    /// `[VERSION] NAME`: the version to use (default: the current selection), then the name
    #[arg(value_name = "NAME", num_args = 1.., required = true, allow_hyphen_values = true)]
    pub names: Vec<String>,
    /// Give the environment access to the base version's site-packages
    #[arg(long)]
    pub system_site_packages: bool,
    /// Do not install pip into the environment
    #[arg(long)]
    pub without_pip: bool,
    /// Replace an existing environment of the same name
    #[arg(short, long)]
    pub force: bool,
    /// Options passed through to `python -m venv`, after `--` (e.g. `-- --prompt web`)
    #[arg(last = true, value_name = "VENV OPTIONS")]
    pub venv_args: Vec<String>,
}

impl Virtualenv {
    pub fn run(mut self, ctx: &Ctx) -> Result<i32> {
        let (names, quiet, verbose) = self.take_flags(ctx);
        let (version, name) = version_and_name(&names)?;
        // The name first, as pyenv-virtualenv: a bad name is reported whatever the version.
        create::check_name(name)?;
        let (resolved, origin) = match version {
            Some(v) => (ctx.resolve_arg(v)?, pyv_core::Origin::Argument),
            None => {
                let (mut sel, origin) = super::resolved_selection(ctx)?;
                (sel.remove(0), origin)
            }
        };
        let base = create::base(&ctx.layout, &resolved, &origin, ctx.env.path.as_deref())?;
        create::check_venv_args(&self.venv_args)?;
        // Checked before any work; `create` checks again under its lock.
        create::check_new_name(&ctx.layout, &base, name, self.force)?;
        let mut opts = self.options(verbose, &ctx.cache_dir)?;
        // Made from a prefix (`3.12`): the env follows the series through `pyv upgrade`.
        opts.series = version
            .map(pyv_core::name::normalize)
            .filter(|v| crate::upgrade::series_of(&base.version).as_deref() == Some(*v))
            .map(str::to_string);
        let env = create::create(&ctx.layout, &base, name, &opts, || {
            if !quiet {
                crate::ui::err(&format!(
                    "pyv: creating virtualenv `{name}` with Python {} ...",
                    if base.system {
                        base.python.display().to_string()
                    } else {
                        base.version.clone()
                    }
                ));
            }
        })?;
        if let Err(e) = ctx.rehash() {
            crate::ui::err(&format!(
                "pyv: warning: the environment was created, but rehashing failed: {e}"
            ));
        }
        if !quiet {
            crate::ui::err(&format!("pyv: created `{name}` at {}", env.dir.display()));
            crate::ui::err(&format!(
                "hint: use it with `pyv activate {name}`, or `pyv local {name}` for this directory"
            ));
        }
        Ok(0)
    }

    /// The names with our own flags written after them picked out (the names take hyphen
    /// values, so that a name like `-x` reaches the validator and gets its one-line error):
    /// the names, `--quiet`, `--verbose`.
    fn take_flags(&mut self, ctx: &Ctx) -> (Vec<String>, bool, bool) {
        let (mut quiet, mut verbose) = (ctx.quiet, ctx.verbose);
        let mut names = Vec::new();
        let mut args = std::mem::take(&mut self.names).into_iter();
        while let Some(a) = args.next() {
            match a.as_str() {
                "--" => {
                    let mut rest: Vec<String> = args.by_ref().collect();
                    rest.append(&mut self.venv_args);
                    self.venv_args = rest;
                }
                "-f" | "--force" => self.force = true,
                "--without-pip" => self.without_pip = true,
                "--system-site-packages" => self.system_site_packages = true,
                "-q" | "--quiet" => quiet = true,
                "-v" | "--verbose" => verbose = true,
                _ => names.push(a),
            }
        }
        (names, quiet, verbose)
    }

    /// The options `create` takes, from these arguments and the environment.
    fn options(self, verbose: bool, cache_dir: &std::path::Path) -> Result<Options> {
        Ok(Options {
            system_site_packages: self.system_site_packages,
            without_pip: self.without_pip,
            force: self.force,
            venv_args: self.venv_args,
            verbose,
            cache_dir: fast_venv().then(|| cache_dir.to_path_buf()),
            link_mode: crate::linktree::LinkMode::from_env().map_err(|m| {
                crate::error::Error::usage(
                    m,
                    "`auto` (the default) gives every environment its own files".to_string(),
                )
            })?,
            series: None,
        })
    }
}

/// `[VERSION] NAME`, or the usage error.
fn version_and_name(names: &[String]) -> Result<(Option<&str>, &str)> {
    Ok(match names {
        [name] => (None, name.as_str()),
        [version, name] => (Some(version.as_str()), name.as_str()),
        [] => {
            return Err(Error::usage(
                "`pyv virtualenv` needs the environment's name",
                Some("usage: pyv virtualenv [VERSION] <NAME>".to_string()),
            ))
        }
        [_, _, extra @ ..] => {
            return Err(Error::usage(
                format!("unexpected argument `{}` after the name", extra[0]),
                Some("usage: pyv virtualenv [VERSION] <NAME> [-- <VENV OPTIONS>...]".to_string()),
            ))
        }
    })
}

/// `PYV_VENV_FAST=0` (or `false`/`no`/`off`) always runs `python -m venv`.
fn fast_venv() -> bool {
    !std::env::var(EnvVars::PYV_VENV_FAST).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "false" | "no" | "off"
        )
    })
}
