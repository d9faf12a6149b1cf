use std::ffi::OsString;

use clap::Args;
use pyv_core::{resolve, shim};

use crate::ctx::Ctx;
use crate::error::Result;

/// Run a command with the selected version, as its shim would
#[derive(Args)]
pub struct Exec {
    /// The command to run
    pub command: String,
    /// Its arguments, passed through unchanged
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

impl Exec {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let sel = ctx.selection()?;
        let path = std::env::var_os("PATH");
        let found = resolve::find_command(&ctx.layout, &sel, &self.command, path.as_deref())?;
        Ok(shim::exec_found(
            &ctx.layout,
            &self.command,
            found,
            self.args,
        ))
    }
}
