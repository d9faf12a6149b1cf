use std::ffi::OsString;

use clap::Args;
use pyv_core::{shim, which};

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Run a command with the selected version, as its shim would
#[derive(Args)]
pub struct Exec {
    /// The command to run, then its arguments (passed through unchanged)
    ///
    /// pyv's own options (`-q`, `-v`, `--help`, ...) count only before the command.
    #[arg(
        value_name = "COMMAND [ARGS]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub argv: Vec<OsString>,
}

impl Exec {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let mut argv = self.argv.into_iter();
        let command = argv.next().unwrap_or_default();
        let Some(command) = command.to_str().map(str::to_string) else {
            return Err(Error::Usage {
                message: format!("command `{}` is not UTF-8", command.to_string_lossy()),
                hint: Some("shims exist only for UTF-8 command names".into()),
            });
        };
        let sel = ctx.selection()?;
        let path = ctx.env.path.clone();
        let found = which::find_command(&ctx.layout, &sel, &command, path.as_deref())?;
        // `pip install` rehashes afterwards: with this pyv's own shim binary, so a root that was
        // never rehashed gets working shims, not links to a missing `libexec/pyv-shim`.
        let shim_source = Ctx::shim_source().ok();
        Ok(shim::exec_found(
            &ctx.layout,
            &command,
            found,
            argv.collect(),
            shim_source.as_deref(),
        ))
    }
}
