use clap::Args;
use pyv_core::env_vars::EnvVars;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::shell::Shell as Sh;

/// Set or show the version(s) for this shell only (PYV_VERSION)
#[derive(Args)]
pub struct Shell {
    /// Versions for this shell, in search order; `-` returns to the previous one
    #[arg(allow_hyphen_values = true)]
    pub versions: Vec<String>,
    /// Stop overriding the version in this shell
    #[arg(long, conflicts_with = "versions")]
    pub unset: bool,
}

const VAR: &str = EnvVars::PYV_VERSION;
const OLD: &str = EnvVars::PYV_VERSION_OLD;

/// `PYV_VERSION` as text, when set and not empty.
fn shell_version(ctx: &Ctx) -> Option<String> {
    let v = ctx.env.pyv_version.as_ref()?.to_string_lossy().into_owned();
    (!v.is_empty()).then_some(v)
}

impl Shell {
    /// `pyv shell` outside the shell function cannot change the shell: show, or explain.
    pub fn run_unhooked(self, ctx: &Ctx) -> Result<i32> {
        if self.versions.is_empty() && !self.unset {
            return match shell_version(ctx) {
                Some(v) => {
                    crate::ui::out(&v);
                    Ok(0)
                }
                None => Err(not_enabled()),
            };
        }
        Err(not_enabled())
    }

    /// `sh-shell`: print code for the `pyv` shell function to evaluate.
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let sh = Sh::current();
        let current = shell_version(ctx);
        let mut out = String::new();
        if self.unset {
            out += &save_old(sh, current.as_deref());
            out += &sh.unset_env(VAR);
        } else if self.versions.is_empty() {
            match current {
                // Printed as code: the shell function evaluates what sh-shell prints, and
                // the `echo` shows the environment's value, escaped as `pyv shell` does.
                Some(v) => println!("echo {}", sh.quote(&crate::ui::escape(&v))),
                None => return Err(no_shell_version()),
            }
            return Ok(0);
        } else if self.versions == ["-"] {
            let Some(old) = std::env::var_os(OLD) else {
                return Err(Error::user(
                    "there is no previous shell version to return to (PYV_VERSION_OLD is unset)",
                    None,
                ));
            };
            let old = old.to_string_lossy().into_owned();
            if !old.is_empty() {
                // What we go back to is validated like any other source.
                for n in old.split(':').filter(|n| !n.is_empty()) {
                    pyv_core::name::validate(n, &pyv_core::Origin::Env)?;
                }
            }
            out += &save_old(sh, current.as_deref());
            out += &if old.is_empty() {
                sh.unset_env(VAR)
            } else {
                sh.set_env(VAR, &old)
            };
        } else {
            let names = match super::checked_names(ctx, &self.versions, false) {
                Ok(names) => names,
                Err(e) => {
                    // As pyenv's: the error, then a `false` for the shell function to evaluate.
                    pyv_core::report::report(&e, e.hint());
                    println!("false");
                    return Ok(e.exit_code());
                }
            };
            out += &save_old(sh, current.as_deref());
            out += &sh.set_env(VAR, &names.join(":"));
        }
        print!("{out}");
        Ok(0)
    }
}

fn save_old(sh: Sh, current: Option<&str>) -> String {
    sh.set_env(OLD, current.unwrap_or(""))
}

fn no_shell_version() -> Error {
    Error::user(
        "no shell-specific version configured",
        Some("PYV_VERSION is unset; set one with `pyv shell <version>`".to_string()),
    )
}

/// `pyv shell` reached the binary: the shell function of `pyv init` is not loaded.
fn not_enabled() -> Error {
    Error::user(
        "shell integration not enabled. Run `pyv init` for instructions.",
        Some("add `eval \"$(pyv init - bash)\"` (or zsh; `pyv init - fish | source`) to your shell's rc file, then open a new shell".to_string()),
    )
}
