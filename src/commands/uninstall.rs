//! `pyv uninstall`: remove installed versions by exact name, after naming everything that uses
//! them (virtualenvs, the global file, `.python-version` files). The checks, the plan and the
//! atomic removal are `crate::uninstall`'s; this file asks and reports.

use std::path::Path;

use clap::Args;

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::ui::Ui;
use crate::uninstall;

/// Remove installed Python versions
///
/// Takes exact names only (`3.12.1`, not `3.12`). Refuses a version that virtualenvs are built
/// on unless `--with-envs` (or `-f`) is given, and asks for confirmation on a terminal.
#[derive(Args)]
pub struct Uninstall {
    /// Exact installed version names
    #[arg(required = true, value_name = "VERSION")]
    pub versions: Vec<String>,
    /// Do not ask; also remove the virtualenvs inside the version
    #[arg(short, long)]
    pub force: bool,
    /// Also remove every virtualenv built on the version, and their alias names
    #[arg(long)]
    pub with_envs: bool,
}

impl Uninstall {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let mut names = Vec::new();
        for raw in &self.versions {
            let name = ctx.arg_name(raw)?;
            uninstall::check(&ctx.layout, &name)?;
            names.push(name);
        }
        for name in &names {
            self.remove(ctx, name)?;
        }
        ctx.rehash()?;
        Ok(0)
    }

    fn remove(&self, ctx: &Ctx, name: &str) -> Result<()> {
        let plan = uninstall::plan(&ctx.layout, name, &ctx.cwd());
        for file in &plan.selected_by {
            crate::ui::err(&format!(
                "pyv: note: `{name}` is selected by {}; commands there fail until you select another version",
                file.display()
            ));
        }
        let labels = plan.env_labels();
        if !labels.is_empty() && !self.force && !self.with_envs {
            return Err(Error::user(
                format!(
                    "Python `{name}` has virtualenvs built on it: {}",
                    labels.join(", ")
                ),
                Some(format!(
                    "`pyv uninstall --with-envs {name}` removes them too, or delete them first with `pyv virtualenv-delete`"
                )),
            ));
        }
        if !self.force && !confirm(name, &plan.dir, &labels) {
            return Err(Error::user(
                format!("kept Python `{name}` (not confirmed)"),
                Some("answer `y`, or pass `-f` to skip the question".to_string()),
            ));
        }
        // Only now: a Ctrl-C at the question above must simply end pyv.
        crate::signals::install();
        let ui = Ui::new(ctx.quiet, name);
        let removed = uninstall::execute(&ctx.layout, &plan, self.with_envs, &ui)?;
        let mut msg = format!("uninstalled Python {name}");
        if !removed.envs.is_empty() {
            msg.push_str(&format!(" and its virtualenvs {}", removed.envs.join(", ")));
        }
        crate::ui::out(&msg);
        if !removed.broken.is_empty() {
            crate::ui::err(&format!(
                "pyv: warning: these virtualenvs used {name} and no longer work: {}",
                removed.broken.join(", ")
            ));
        }
        Ok(())
    }
}

/// Ask before removing (see [`crate::ui::confirm`] for the policy).
fn confirm(name: &str, dir: &Path, envs: &[&str]) -> bool {
    let extra = if envs.is_empty() {
        String::new()
    } else {
        format!(" and its virtualenvs {}", envs.join(", "))
    };
    crate::ui::confirm(&format!("remove Python {name} ({}){extra}?", dir.display()))
}
