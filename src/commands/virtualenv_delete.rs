//! `pyv virtualenv-delete`: remove one environment and its alias (see `venv::delete`).

use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::venv::{delete, VenvError};

/// Delete a virtualenv and its alias, nothing else
#[derive(Args)]
pub struct VirtualenvDelete {
    /// Delete without asking
    #[arg(short, long)]
    pub force: bool,
    /// The environment: `myenv` or `3.11.9/envs/myenv`
    #[arg(allow_hyphen_values = true)]
    pub name: String,
}

impl VirtualenvDelete {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let value = ctx.arg_name(&self.name)?;
        let plan = delete::plan(&ctx.layout, &value)?;
        let question = format!("delete virtualenv `{value}` ({})?", plan.env.dir.display());
        if !self.force && !crate::ui::confirm(&question) {
            return Err(VenvError::NotConfirmed { name: value }.into());
        }
        delete::execute(&ctx.layout, &plan)?;
        if let Err(e) = ctx.rehash() {
            crate::ui::err(&format!("pyv: warning: deleted, but rehashing failed: {e}"));
        }
        if !ctx.quiet {
            crate::ui::err(&format!(
                "pyv: deleted `{value}` ({})",
                plan.env.dir.display()
            ));
        }
        let active = ctx.env.virtual_env.clone();
        if active.as_deref() == Some(plan.env.dir.as_path()) {
            crate::ui::err("hint: it was active in this shell: run `pyv deactivate`");
        }
        Ok(0)
    }
}
