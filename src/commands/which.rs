use clap::Args;
use pyv_core::which;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// Show the full path of the executable a command runs in the selected version
///
/// A selected version that is not installed is skipped; if no selected version has the
/// command, the missing ones are reported with the versions that do have it (exit 127).
#[derive(Args)]
pub struct Which {
    /// The command, e.g. `python3` or `pip`
    pub command: String,
    /// Do not fall back to the system Python's commands
    #[arg(long)]
    pub nosystem: bool,
    /// When the command is not found, do not list the versions that have it
    #[arg(long)]
    pub skip_advice: bool,
}

impl Which {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let mut sel = ctx.selection()?;
        let advice = |available: Vec<String>| {
            if self.skip_advice {
                Vec::new()
            } else {
                available
            }
        };
        if self.nosystem {
            sel.versions.retain(|v| v != "system");
            if sel.versions.is_empty() {
                return Err(Error::Core(pyv_core::Error::CommandNotFound {
                    command: self.command.clone(),
                    selected: vec!["system (excluded by --nosystem)".into()],
                    available_in: advice(which::versions_with(&ctx.layout, &self.command)),
                    missing: Vec::new(),
                }));
            }
        }
        let path = ctx.env.path.clone();
        let found = match which::find_command(&ctx.layout, &sel, &self.command, path.as_deref()) {
            Ok(found) => found,
            Err(pyv_core::Error::CommandNotFound {
                command,
                selected,
                available_in,
                missing,
            }) => {
                return Err(Error::Core(pyv_core::Error::CommandNotFound {
                    command,
                    selected,
                    available_in: advice(available_in),
                    missing,
                }))
            }
            Err(e) => return Err(e.into()),
        };
        println!("{}", found.path.display());
        Ok(0)
    }
}
