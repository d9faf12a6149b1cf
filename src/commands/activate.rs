//! `pyv activate`/`deactivate`: through the `pyv` shell function they run as the hidden
//! `sh-activate`/`sh-deactivate`, which print shell code (see `venv::activation`) for it to
//! evaluate. `sh-activate --auto` is what the auto-activation hook runs when the directory
//! (or `PYV_VERSION`) changed.

use clap::Args;
use pyv_core::env_vars::EnvVars;
use pyv_core::Origin;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::shell::Shell;
use crate::venv::activation::{self, Active, State};
use crate::venv::{self, Env, VenvError};

/// Activate a virtualenv in this shell (default: the selected one)
#[derive(Args)]
pub struct Activate {
    /// The environment (`myenv` or `3.11.9/envs/myenv`)
    #[arg(allow_hyphen_values = true)]
    pub name: Option<String>,
    /// Replace a virtualenv that pyv did not activate
    #[arg(short, long)]
    pub force: bool,
    /// For the directory hook: activate what `.python-version` or PYV_VERSION names, and
    /// deactivate what it activated before; never an error, never a foreign venv
    #[arg(long, hide = true, conflicts_with_all = ["name", "force"])]
    pub auto: bool,
}

impl Activate {
    /// `pyv activate` run directly: a process cannot change its parent shell.
    pub fn run_unhooked(self, _ctx: &Ctx) -> Result<i32> {
        Err(VenvError::NoShellIntegration {
            command: "activate",
        }
        .into())
    }

    /// `sh-activate`: print the code for the `pyv` shell function to evaluate.
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let sh = Shell::current();
        let state = State::from_env();
        if self.auto {
            print!("{}", auto(ctx, sh, &state));
            return Ok(0);
        }
        let env = match &self.name {
            Some(raw) => venv::find(&ctx.layout, &ctx.arg_name(raw)?, &Origin::Argument)?,
            None => {
                let sel = ctx.selection()?;
                venv::find(&ctx.layout, &sel.versions[0], &sel.origin)?
            }
        };
        let mut out = match &state.active {
            Active::None => String::new(),
            Active::Pyv { dir, .. } => activation::deactivate(sh, dir, &state.path),
            Active::Foreign { dir } if self.force => {
                activation::deactivate_foreign(sh, dir, &state.path)
            }
            Active::Foreign { dir } => return Err(VenvError::Foreign { dir: dir.into() }.into()),
        };
        out += &activation::activate(sh, &env, false);
        print!("{out}");
        Ok(0)
    }
}

/// The environment the directory (a `.python-version`) or the user's `PYV_VERSION` names, if
/// any. A `PYV_VERSION` that activation set is looked through to the one it replaced, so an
/// auto-activated environment does not keep itself selected after leaving its directory.
fn auto_target(ctx: &Ctx) -> Option<Env> {
    let var = std::env::var_os;
    let mut pyv_version = var(EnvVars::PYV_VERSION);
    let activated = var(pyv_core::select::ACTIVATED_VAR).filter(|a| !a.is_empty());
    if activated.is_some() && pyv_version == activated {
        pyv_version = var(EnvVars::_PYV_OLD_PYV_VERSION);
    }
    let sel = pyv_core::select::current_with(&ctx.layout, pyv_version.as_deref(), None, &ctx.cwd())
        .ok()?;
    if !matches!(sel.origin, Origin::File(_) | Origin::Env) {
        return None;
    }
    venv::find(&ctx.layout, sel.versions.first()?, &sel.origin).ok()
}

/// The hook's decision. A foreign venv or one activated by hand is left alone; one the hook
/// activated is switched or deactivated as the directory says.
fn auto(ctx: &Ctx, sh: Shell, state: &State) -> String {
    let target = auto_target(ctx);
    match &state.active {
        Active::Foreign { .. } | Active::Pyv { auto: false, .. } => String::new(),
        Active::Pyv { dir, .. } => {
            if target
                .as_ref()
                .is_some_and(|t| t.dir.to_string_lossy() == dir.as_str())
            {
                return String::new();
            }
            let mut out = activation::deactivate(sh, dir, &state.path);
            if let Some(t) = target {
                out += &activation::activate(sh, &t, true);
            }
            out
        }
        Active::None => target
            .map(|t| activation::activate(sh, &t, true))
            .unwrap_or_default(),
    }
}

/// Deactivate the virtualenv active in this shell
#[derive(Args)]
pub struct Deactivate {
    /// Also deactivate a virtualenv that pyv did not activate
    #[arg(short, long)]
    pub force: bool,
}

impl Deactivate {
    /// `pyv deactivate` run directly: a process cannot change its parent shell.
    pub fn run_unhooked(self, _ctx: &Ctx) -> Result<i32> {
        Err(VenvError::NoShellIntegration {
            command: "deactivate",
        }
        .into())
    }

    /// `sh-deactivate`: print the code for the `pyv` shell function to evaluate.
    pub fn run(self, _ctx: &Ctx) -> Result<i32> {
        let sh = Shell::current();
        let state = State::from_env();
        let out = match &state.active {
            Active::Pyv { dir, .. } => activation::deactivate(sh, dir, &state.path),
            Active::Foreign { dir } if self.force => {
                activation::deactivate_foreign(sh, dir, &state.path)
            }
            Active::Foreign { dir } => return Err(VenvError::Foreign { dir: dir.into() }.into()),
            Active::None => return Err(VenvError::NothingActive.into()),
        };
        print!("{out}");
        Ok(0)
    }
}
