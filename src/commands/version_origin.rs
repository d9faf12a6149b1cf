use clap::Args;

use crate::ctx::Ctx;
use crate::error::Result;

/// Explain what selected the current version (a file, PYV_VERSION, or the global file)
#[derive(Args)]
pub struct VersionOrigin {}

impl VersionOrigin {
    pub fn run(self, ctx: &Ctx) -> Result<i32> {
        let sel = ctx.selection()?;
        // As pyenv: with nothing selected, the origin is the (absent) global file.
        println!("{}", sel.origin.describe());
        Ok(0)
    }
}
