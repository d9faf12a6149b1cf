use clap::Args;
use pyv_core::resolve;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Show the full path of the executable a command runs in the selected version
#[derive(Args)]
pub struct Which {
    /// The command, e.g. `python3` or `pip`
    pub command: String,
    /// Do not fall back to the system Python's commands
    #[arg(long)]
    pub nosystem: bool,
}

impl Which {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let mut sel = ctx.selection()?;
        if self.nosystem {
            sel.versions.retain(|v| v != "system");
            if sel.versions.is_empty() {
                return Err(Error::Core(pyv_core::Error::CommandNotFound {
                    command: self.command.clone(),
                    selected: vec!["system (excluded by --nosystem)".into()],
                    available_in: resolve::versions_with(&ctx.layout, &self.command),
                }));
            }
        }
        let path = ctx.env.path.clone();
        let found = resolve::find_command(&ctx.layout, &sel, &self.command, path.as_deref())?;
        println!("{}", found.path.display());
        Ok(0)
    }
}
