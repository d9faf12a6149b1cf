use clap::Args;
use pyv_core::which;

use crate::ctx::Ctx;
use crate::error::Result;

/// List the installed versions (and environments) that have a command
#[derive(Args)]
pub struct Whence {
    /// The command to look for
    pub command: String,
    /// Print the executable's path instead of the version name
    #[arg(long)]
    pub path: bool,
}

impl Whence {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let found = which::versions_with(&ctx.layout, &self.command);
        for v in &found {
            if self.path {
                // A path for scripts, as `pyv which` prints one: not escaped.
                println!(
                    "{}",
                    ctx.layout
                        .version_dir(v)
                        .join("bin")
                        .join(&self.command)
                        .display()
                );
            } else {
                crate::ui::out(v);
            }
        }
        Ok(if found.is_empty() { 1 } else { 0 })
    }
}
