//! Settings every command shares, built once from the global flags and environment. Tests point
//! them at a temp root through the environment of the spawned binary, never by mutating ours.

use pyv_core::env_vars::EnvVars;
use std::env;
use std::ffi::OsString;
use std::path::PathBuf;

use pyv_core::resolve::{self, Resolved};
use pyv_core::{name, rehash, select, Layout, Origin, Selection};

use crate::error::{Error, Result};

pub struct Ctx {
    pub layout: Layout,
    pub cache_dir: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
    pub env: Env,
}

/// The environment variables commands consult, read once at start-up. (Install settings are
/// read by [`Ctx::install_settings`], only when installing; shell hooks read their own.)
pub struct Env {
    /// `PYV_VERSION`: the shell's selection (`pyv shell`, `pyv activate`).
    pub pyv_version: Option<OsString>,
    /// `PATH`, where `system` commands are looked up.
    pub path: Option<OsString>,
    /// `VIRTUAL_ENV`: the active environment, if any.
    pub virtual_env: Option<PathBuf>,
}

impl Env {
    pub fn read() -> Env {
        Env {
            pyv_version: env::var_os(EnvVars::PYV_VERSION),
            path: env::var_os(EnvVars::PATH),
            virtual_env: env::var_os(EnvVars::VIRTUAL_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

impl Ctx {
    /// The current directory; a deleted one falls back to `/` (as a shim does).
    pub fn cwd(&self) -> PathBuf {
        env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
    }

    /// What is selected here and now, and by whom.
    pub fn selection(&self) -> Result<Selection> {
        Ok(select::current(
            &self.layout,
            self.env.pyv_version.as_deref(),
            &self.cwd(),
        )?)
    }

    /// Normalise and validate a version name given on the command line ([`arg_name`]).
    pub fn arg_name(&self, raw: &str) -> Result<String> {
        arg_name(raw)
    }

    /// Resolve a command-line name to an installed version (or `system`).
    pub fn resolve_arg(&self, raw: &str) -> Result<Resolved> {
        let n = self.arg_name(raw)?;
        Ok(resolve::resolve(&self.layout, &n, &Origin::Argument)?)
    }

    /// The `pyv-shim` binary built beside this executable.
    pub fn shim_source() -> Result<PathBuf> {
        let exe = env::current_exe().map_err(|e| Error::io("cannot locate", "pyv", e))?;
        let exe = exe.canonicalize().unwrap_or(exe);
        let shim = exe.with_file_name("pyv-shim");
        if shim.is_file() {
            Ok(shim)
        } else {
            Err(Error::user(
                format!("the shim binary `{}` is missing", shim.display()),
                Some(
                    "reinstall pyv with ./install.sh (it installs pyv and pyv-shim together)"
                        .to_string(),
                ),
            ))
        }
    }

    /// What `pyv install` needs, with the environment read and checked once.
    pub fn install_settings(&self) -> Result<crate::install::Settings> {
        Ok(crate::install::Settings::from_env(
            self.layout.clone(),
            self.cache_dir.clone(),
            self.quiet,
            self.verbose,
        )?)
    }

    /// Regenerate the shims with the shim binary that matches this `pyv`.
    pub fn rehash(&self) -> Result<rehash::Report> {
        let src = Self::shim_source()?;
        Ok(rehash::rehash(&self.layout, Some(&src))?)
    }
}

/// Normalise and validate a version name given on the command line.
pub fn arg_name(raw: &str) -> Result<String> {
    let n = name::normalize(raw).to_string();
    name::validate(&n, &Origin::Argument)?;
    Ok(n)
}
